/**
 * Task grouping of the structural learning phase (MTSL.md, step 2).
 *
 * Given the similarity matrix S of a sibling set (tasks sharing a parent), decide which
 * tasks get a shared group layer:
 * - a subset G (|G| >= 2) gives each member t the score mean_{u in G, u != t} S[t][u];
 *   a task alone in its group scores 0;
 * - a partition is worth the mean of its tasks' scores;
 * - for k = 1 .. |S| - 1 take the best partition into at most k groups, and stop at the first
 *   k whose best value is >= tau, keeping the best partition found;
 * - every group of that partition with more than one task whose mean member score is > tau
 *   (strictly) is merged.
 *
 * Only true partitions are scored (the official code also scores overlapping covers; we do
 * not copy that quirk). Partitions are enumerated as restricted growth strings, so any value
 * is found by exhaustive search: Bell(10) = 115,975 partitions, Bell(12) = 4,213,597.
 *
 * Determinism. Ties are decided by one rule: a partition replaces the incumbent only if its
 * value is larger by more than `GROUPING_TOLERANCE`. Candidates are met in order of
 * (number of groups, restricted growth string in lexicographic order), so among partitions
 * of equal value the one with the fewest groups wins, and then the one whose restricted
 * growth string (group index of each task, in the order of `tasks`) is smallest, i.e. the
 * one that puts earlier tasks together. Comparisons with tau use the same tolerance
 * (`value >= tau - tol`, `score > tau + tol`), so a value equal to tau up to rounding in the
 * summation order counts as equal to tau.
 */

/** Stable error codes of this module. */
export type GroupingErrorCode =
  "GROUPING_BAD_SIMILARITY" | "GROUPING_DUPLICATE_TASK" | "GROUPING_BAD_THRESHOLD" | "GROUPING_TOO_MANY_TASKS";

/** Bad input to the grouping search; `code` is stable. */
export class GroupingError extends Error {
  readonly code: GroupingErrorCode;
  constructor(code: GroupingErrorCode, message: string) {
    super(`${code}: ${message}`);
    this.name = "GroupingError";
    this.code = code;
  }
}

/** Absolute tolerance for ties and for comparisons with tau (scores are CKA values in [-1, 1]). */
export const GROUPING_TOLERANCE = 1e-12;

/** Largest sibling set searched exhaustively (Bell(12) = 4.2 million partitions, about a second). */
export const MAX_GROUPING_TASKS = 12;

/** The best partition into at most k groups, for one k of the search. */
export interface GroupingStep {
  k: number;
  value: number;
  partition: string[][];
}

/** Everything the grouping search decided, for logs and revision comments. */
export interface GroupingDetails {
  /** Groups to merge: two or more tasks each, tasks and groups in the order of `tasks`. */
  merged: string[][];
  /** The chosen partition (all tasks, singletons included), in the order of `tasks`. */
  partition: string[][];
  /** Its value: the mean over tasks of their scores. */
  value: number;
  /** Mean member score of each group of `partition` (0 for a singleton). */
  groupScores: number[];
  /** Score of each task in `partition`, aligned with `tasks`. */
  taskScores: number[];
  /** The k at which the search stopped (|S| - 1 when no k reached tau; 0 for |S| <= 1). */
  k: number;
  /** Whether the chosen value is >= tau. */
  reachedTau: boolean;
  /** The best partition for each k tried, k = 1 .. `k`. */
  steps: GroupingStep[];
}

function validate(similarity: ReadonlyArray<ReadonlyArray<number>>, tasks: ReadonlyArray<string>, tau: number): void {
  const n = tasks.length;
  if (n > MAX_GROUPING_TASKS) {
    throw new GroupingError(
      "GROUPING_TOO_MANY_TASKS",
      `${n} sibling tasks; the exhaustive search handles at most ${MAX_GROUPING_TASKS}`,
    );
  }
  const seen = new Set<string>();
  for (const t of tasks) {
    if (seen.has(t)) throw new GroupingError("GROUPING_DUPLICATE_TASK", `task '${t}' appears twice`);
    seen.add(t);
  }
  if (!Number.isFinite(tau))
    throw new GroupingError("GROUPING_BAD_THRESHOLD", `threshold must be a finite number, got ${tau}`);
  if (similarity.length !== n) {
    throw new GroupingError("GROUPING_BAD_SIMILARITY", `similarity has ${similarity.length} rows for ${n} tasks`);
  }
  similarity.forEach((row, i) => {
    if (row.length !== n) {
      throw new GroupingError(
        "GROUPING_BAD_SIMILARITY",
        `similarity row ${i} has ${row.length} entries for ${n} tasks`,
      );
    }
    row.forEach((v, j) => {
      if (typeof v !== "number" || !Number.isFinite(v)) {
        throw new GroupingError(
          "GROUPING_BAD_SIMILARITY",
          `similarity[${i}][${j}] is ${String(v)}; replace NaN before grouping (see ckaMatrix)`,
        );
      }
    });
  });
}

/** Member score of task `t` in the group `members` (indices): mean similarity to the others. */
function memberScore(s: ReadonlyArray<ReadonlyArray<number>>, t: number, members: ReadonlyArray<number>): number {
  if (members.length < 2) return 0;
  let sum = 0;
  for (const u of members) if (u !== t) sum += s[t]![u]!;
  return sum / (members.length - 1);
}

/**
 * Sum of the member scores of every subset, indexed by bit mask (bit i = task i):
 * total(G) = (sum over ordered pairs t != u in G of S[t][u]) / (|G| - 1), 0 for |G| < 2.
 */
function subsetTotals(s: ReadonlyArray<ReadonlyArray<number>>, n: number): Float64Array {
  const size = 1 << n;
  const pairSum = new Float64Array(size);
  const totals = new Float64Array(size);
  const popcount = new Uint8Array(size);
  for (let mask = 1; mask < size; mask++) {
    const low = 31 - Math.clz32(mask & -mask);
    const rest = mask & (mask - 1);
    popcount[mask] = popcount[rest]! + 1;
    let add = 0;
    for (let u = 0; u < n; u++) if (rest & (1 << u)) add += s[low]![u]! + s[u]![low]!;
    pairSum[mask] = pairSum[rest]! + add;
    const m = popcount[mask]!;
    totals[mask] = m >= 2 ? pairSum[mask]! / (m - 1) : 0;
  }
  return totals;
}

/** Best partition with exactly m groups, for every m, as restricted growth strings. */
function bestPartitionsByGroupCount(totals: Float64Array, n: number): { value: number; rgs: Int32Array | null }[] {
  const best = Array.from({ length: n + 1 }, () => ({ value: -Infinity, rgs: null as Int32Array | null }));
  const rgs = new Int32Array(n);
  const groupMasks = new Int32Array(n);
  const visit = (i: number, groups: number): void => {
    if (i === n) {
      let sum = 0;
      for (let g = 0; g < groups; g++) sum += totals[groupMasks[g]!]!;
      const value = sum / n;
      const slot = best[groups]!;
      // Enumeration is in lexicographic order of the string: keep the first of equal values.
      if (slot.rgs === null || value > slot.value + GROUPING_TOLERANCE) {
        slot.value = value;
        slot.rgs = rgs.slice();
      }
      return;
    }
    const bit = 1 << i;
    for (let g = 0; g <= groups && g < n; g++) {
      rgs[i] = g;
      groupMasks[g] = groupMasks[g]! | bit;
      visit(i + 1, g === groups ? groups + 1 : groups);
      groupMasks[g] = groupMasks[g]! & ~bit;
    }
  };
  visit(0, 0);
  return best;
}

/** Groups (task indices, ascending) of a restricted growth string, in order of first task. */
function groupsOf(rgs: Int32Array): number[][] {
  const groups: number[][] = [];
  rgs.forEach((g, t) => {
    while (groups.length <= g) groups.push([]);
    groups[g]!.push(t);
  });
  return groups;
}

/**
 * The grouping search of MTSL with all its intermediate results (see the module comment).
 * `similarity[t][u]` is the similarity of task t to task u (need not be symmetric; the
 * diagonal is ignored), `tasks` names the rows, `tau` is the threshold. Throws
 * `GroupingError` on malformed input or more than `MAX_GROUPING_TASKS` tasks.
 */
export function groupTasksDetailed(
  similarity: ReadonlyArray<ReadonlyArray<number>>,
  tasks: ReadonlyArray<string>,
  tau: number,
): GroupingDetails {
  validate(similarity, tasks, tau);
  const n = tasks.length;
  if (n <= 1) {
    return {
      merged: [],
      partition: tasks.map((t) => [t]),
      value: 0,
      groupScores: tasks.map(() => 0),
      taskScores: tasks.map(() => 0),
      k: 0,
      reachedTau: false,
      steps: [],
    };
  }
  const totals = subsetTotals(similarity, n);
  const byCount = bestPartitionsByGroupCount(totals, n);
  const named = (rgs: Int32Array): string[][] => groupsOf(rgs).map((g) => g.map((t) => tasks[t]!));

  const steps: GroupingStep[] = [];
  let chosen: { value: number; rgs: Int32Array } | null = null;
  for (let k = 1; k <= n - 1; k++) {
    const candidate = byCount[k]!;
    // "At most k groups": the best so far stays unless a k-group partition beats it.
    if (candidate.rgs !== null && (chosen === null || candidate.value > chosen.value + GROUPING_TOLERANCE)) {
      chosen = { value: candidate.value, rgs: candidate.rgs };
    }
    steps.push({ k, value: chosen!.value, partition: named(chosen!.rgs) });
    if (chosen!.value >= tau - GROUPING_TOLERANCE) break;
  }
  const k = steps.length;
  const picked = chosen!;
  const groups = groupsOf(picked.rgs);
  const taskScores = new Array<number>(n).fill(0);
  const groupScores = groups.map((members) => {
    let sum = 0;
    for (const t of members) {
      const score = memberScore(similarity, t, members);
      taskScores[t] = score;
      sum += score;
    }
    return members.length >= 2 ? sum / members.length : 0;
  });
  const merged = groups
    .filter((members, g) => members.length > 1 && groupScores[g]! > tau + GROUPING_TOLERANCE)
    .map((members) => members.map((t) => tasks[t]!));
  return {
    merged,
    partition: groups.map((members) => members.map((t) => tasks[t]!)),
    value: picked.value,
    groupScores,
    taskScores,
    k,
    reachedTau: picked.value >= tau - GROUPING_TOLERANCE,
    steps,
  };
}

/**
 * The groups of tasks to merge at this SLP (MTSL.md step 2): each of two or more tasks,
 * tasks within a group and the groups in the order of `tasks`. Tasks in no group stay
 * siblings. See `groupTasksDetailed` for the partition, its value and scores.
 */
export function groupTasks(
  similarity: ReadonlyArray<ReadonlyArray<number>>,
  tasks: ReadonlyArray<string>,
  tau: number,
): string[][] {
  return groupTasksDetailed(similarity, tasks, tau).merged;
}
