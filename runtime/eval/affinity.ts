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
import { relativeGain, type Scores } from "./gain.js";

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
