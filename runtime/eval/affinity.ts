/**
 * Pairwise task affinity, the ground truth of which tasks should share (Standley et al.
 * 2020, "Which Tasks Should Be Learned Together in Multi-task Learning?"): every task trained
 * alone and every pair trained with hard sharing, on the same data and budget.
 *
 * transfer[i][j] is the signed relative change of task i's key metric, in percent, when i is
 * trained together with j instead of alone (positive = j helps i). Standley's higher-order
 * approximation estimates a task's change in a larger group as the mean of its pairwise
 * changes with the group's other members; a partition of the tasks (one shared trunk per
 * group) is scored by the mean of its tasks' estimates, a task alone scoring 0. For each
 * number of groups the best partition is reported: the tree the pairwise ground truth
 * suggests.
 */
import type { MetricName } from "../metrics.js";
import { direction, relativeGain, type Scores } from "./gain.js";

/** The run key of a set of tasks: `seg` alone, `seg+depth` for a pair (in the file's task order). */
export function subsetKey(tasks: readonly string[]): string {
  return tasks.join("+");
}

/** Every pair of `tasks`, in the file's order: [a, b] with a before b. */
export function taskPairs(tasks: readonly string[]): [string, string][] {
  const pairs: [string, string][] = [];
  for (let i = 0; i < tasks.length; i++) {
    for (let j = i + 1; j < tasks.length; j++) pairs.push([tasks[i]!, tasks[j]!]);
  }
  return pairs;
}

/** task -> other task -> percent change of task's key metric when paired (null: not comparable). */
export type TransferMatrix = Record<string, Record<string, number | null>>;

/**
 * The transfer matrix from each task's scores alone (`alone[task]`) and each pair's scores
 * (`pairs[subsetKey([a, b])][task]`), on each task's key metric.
 */
export function transferMatrix(
  tasks: readonly string[],
  keys: Record<string, MetricName | null>,
  alone: Scores,
  pairs: Record<string, Scores>,
): TransferMatrix {
  const out: TransferMatrix = {};
  for (const t of tasks) out[t] = {};
  for (const [a, b] of taskPairs(tasks)) {
    const scores = pairs[subsetKey([a, b])];
    for (const [task, other] of [
      [a, b],
      [b, a],
    ] as const) {
      const key = keys[task];
      const value = key ? scores?.[task]?.[key] : undefined;
      const base = key ? alone[task]?.[key] : undefined;
      out[task]![other] =
        key &&
        value !== undefined &&
        base !== undefined &&
        Number.isFinite(value) &&
        Number.isFinite(base) &&
        base !== 0
          ? relativeGain(key, value, base)
          : null;
    }
  }
  return out;
}

/**
 * Each task's key metric at its best over a run's epochs (the validation scores an early
 * stopping on that metric would keep), as scores: task -> key -> best value. Tasks without a
 * key metric or without a finite value are absent.
 */
export function bestEpochScores(
  epochs: readonly { val?: Scores | null }[],
  keys: Record<string, MetricName | null>,
): Scores {
  const out: Scores = {};
  for (const [task, key] of Object.entries(keys)) {
    if (!key) continue;
    const lower = direction(key) === "lower";
    let best: number | null = null;
    for (const e of epochs) {
      const v = e.val?.[task]?.[key];
      if (v === undefined || !Number.isFinite(v)) continue;
      if (best === null || (lower ? v < best : v > best)) best = v;
    }
    if (best !== null) out[task] = { [key]: best };
  }
  return out;
}

/** Every partition of `items` into non-empty groups (Bell(n) of them), groups in first-member order. */
export function setPartitions<T>(items: readonly T[]): T[][][] {
  if (items.length === 0) return [[]];
  const [first, ...rest] = items as [T, ...T[]];
  const out: T[][][] = [];
  for (const p of setPartitions(rest)) {
    out.push([[first], ...p]);
    for (let g = 0; g < p.length; g++) out.push([[first, ...p[g]!], ...p.filter((_, i) => i !== g)]);
  }
  return out;
}

export interface PartitionEstimate {
  groups: string[][];
  /** Each task's estimated percent change: the mean of its pairwise changes within its group. */
  perTask: Record<string, number>;
  /** Mean over the tasks (the estimated Delta_m of the partition against every task alone). */
  value: number;
}

/** Standley's pairwise (higher-order) estimate of a partition; null when a needed pair is not comparable. */
export function estimatePartition(
  groups: readonly (readonly string[])[],
  transfer: TransferMatrix,
): PartitionEstimate | null {
  const perTask: Record<string, number> = {};
  let sum = 0;
  let count = 0;
  for (const group of groups) {
    for (const task of group) {
      const others = group.filter((t) => t !== task);
      let total = 0;
      for (const o of others) {
        const v = transfer[task]?.[o];
        if (v === null || v === undefined) return null;
        total += v;
      }
      const estimate = others.length === 0 ? 0 : total / others.length;
      perTask[task] = estimate;
      sum += estimate;
      count++;
    }
  }
  return { groups: groups.map((g) => [...g]), perTask, value: count === 0 ? 0 : sum / count };
}

/** The 12 tasks whose Bell number (4.2 million partitions) is the most the search enumerates. */
export const MAX_PARTITION_TASKS = 12;

/**
 * For each number of groups 1..T, the partition with the best estimate (ties: the first in
 * enumeration order, so the answer is deterministic); empty entries where no partition of
 * that size could be estimated.
 */
export function bestPartitions(tasks: readonly string[], transfer: TransferMatrix): (PartitionEstimate | null)[] {
  if (tasks.length > MAX_PARTITION_TASKS) {
    throw new RangeError(`bestPartitions: ${tasks.length} tasks, at most ${MAX_PARTITION_TASKS} can be enumerated`);
  }
  const best: (PartitionEstimate | null)[] = tasks.map(() => null);
  for (const p of setPartitions(tasks)) {
    const e = estimatePartition(p, transfer);
    if (!e) continue;
    const k = p.length - 1;
    if (best[k] === null || e.value > best[k]!.value) best[k] = e;
  }
  return best;
}

/**
 * Spearman's rank correlation of two equally long series (average ranks for ties); null with
 * fewer than three points or when either series is constant.
 */
export function rankCorrelation(x: readonly number[], y: readonly number[]): number | null {
  if (x.length !== y.length || x.length < 3) return null;
  const ranks = (v: readonly number[]): number[] => {
    const order = v.map((value, i) => ({ value, i })).sort((a, b) => a.value - b.value);
    const out = new Array<number>(v.length);
    for (let start = 0; start < order.length;) {
      let end = start;
      while (end + 1 < order.length && order[end + 1]!.value === order[start]!.value) end++;
      for (let k = start; k <= end; k++) out[order[k]!.i] = (start + end) / 2 + 1;
      start = end + 1;
    }
    return out;
  };
  const rx = ranks(x);
  const ry = ranks(y);
  const mean = (v: readonly number[]): number => v.reduce((s, a) => s + a, 0) / v.length;
  const mx = mean(rx);
  const my = mean(ry);
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < rx.length; i++) {
    sxy += (rx[i]! - mx) * (ry[i]! - my);
    sxx += (rx[i]! - mx) ** 2;
    syy += (ry[i]! - my) ** 2;
  }
  return sxx === 0 || syy === 0 ? null : sxy / Math.sqrt(sxx * syy);
}

/** What a structural-learning phase recorded for one sibling set, as far as the comparison needs it. */
export interface ComparedSet {
  stage: string;
  tasks: string[];
  similarity: number[][];
  merged: string[][];
  exact?: boolean;
}

/** One sibling set of a structural-learning run set beside the pairwise ground truth. */
export interface SetComparison {
  epoch: number;
  stage: string;
  tasks: string[];
  /**
   * Spearman's correlation, over the set's pairs, of their CKA with their pairwise affinity
   * (the mean of the two tasks' transfer to each other): does similarity rank the pairs as the
   * ground truth does? Null with fewer than three pairs, or a pair not comparable.
   */
  rankCorrelation: number | null;
  /** The partition the phase produced: its merged groups, every other task alone. */
  chosen: string[][];
  /** The pairwise estimate of `chosen` over the set's tasks (null: a pair not comparable). */
  chosenEstimate: number | null;
  /** The best partition of the set's tasks by the same estimate. */
  best: PartitionEstimate | null;
}

/** The symmetric pairwise affinity: the mean of the two tasks' transfer to each other. */
export function pairAffinity(transfer: TransferMatrix, a: string, b: string): number | null {
  const ab = transfer[a]?.[b];
  const ba = transfer[b]?.[a];
  return ab === null || ab === undefined || ba === null || ba === undefined ? null : (ab + ba) / 2;
}

/**
 * Every sibling set a structural-learning run compared (parameter-free sets, merged without
 * comparing, left out), beside the pairwise ground truth: how well its CKA ranks the pairs,
 * and the estimate of the partition it chose against the best one for those tasks. Sets with
 * a task the ground truth did not train are left out. With `stage` (a study through that
 * stage, `mtslc affinity --through`), only the sets compared at it: such a study is the
 * ground truth of the decision at that stage alone.
 */
export function compareWithGroundTruth(
  phases: readonly { epoch: number; sets: readonly ComparedSet[] }[],
  transfer: TransferMatrix,
  stage: string | null = null,
): SetComparison[] {
  const out: SetComparison[] = [];
  // The same sibling set comes back phase after phase: enumerate its partitions once.
  const bestByTasks = new Map<string, PartitionEstimate | null>();
  const bestFor = (tasks: readonly string[]): PartitionEstimate | null => {
    const key = subsetKey(tasks);
    if (!bestByTasks.has(key)) {
      bestByTasks.set(key, tasks.length > MAX_PARTITION_TASKS ? null : bestOf(bestPartitions(tasks, transfer)));
    }
    return bestByTasks.get(key)!;
  };
  for (const phase of phases) {
    for (const set of phase.sets) {
      if (set.exact || (stage !== null && set.stage !== stage) || !set.tasks.every((t) => transfer[t] !== undefined))
        continue;
      const cka: number[] = [];
      const affinity: number[] = [];
      let comparable = true;
      for (const [a, b] of taskPairs(set.tasks)) {
        const value = pairAffinity(transfer, a, b);
        if (value === null) comparable = false;
        cka.push(set.similarity[set.tasks.indexOf(a)]![set.tasks.indexOf(b)]!);
        affinity.push(value ?? 0);
      }
      const inGroups = new Set(set.merged.flat());
      const chosen = [...set.merged.map((g) => [...g]), ...set.tasks.filter((t) => !inGroups.has(t)).map((t) => [t])];
      out.push({
        epoch: phase.epoch,
        stage: set.stage,
        tasks: [...set.tasks],
        rankCorrelation: comparable ? rankCorrelation(cka, affinity) : null,
        chosen,
        chosenEstimate: estimatePartition(chosen, transfer)?.value ?? null,
        best: bestFor(set.tasks),
      });
    }
  }
  return out;
}

/** The best of several partitions' estimates (the first of equal ones); null when none was estimated. */
export function bestOf(estimates: readonly (PartitionEstimate | null)[]): PartitionEstimate | null {
  return estimates.reduce<PartitionEstimate | null>(
    (a, b) => (b !== null && (a === null || b.value > a.value) ? b : a),
    null,
  );
}

/** What a group of a study at depth `through` shares (null: every stage), for texts. */
export function sharedWithinGroupText(through: string | null): string {
  return through === null
    ? "every stage shared within a group"
    : `the stages through ${through} shared within a group, every later one per task`;
}
