import { describe, expect, it } from "vitest";
import { GroupingError, groupTasks, groupTasksDetailed, MAX_GROUPING_TASKS } from "../../runtime/structure/grouping.js";
import { calibrateAgainstNull } from "../../runtime/structure/cka.js";

/** A symmetric matrix for `tasks` from the listed pair similarities (missing pairs: `rest`). */
function sym(tasks: string[], pairs: Record<string, number>, rest = 0): number[][] {
  return tasks.map((a, i) =>
    tasks.map((b, j) => {
      if (i === j) return 1;
      return pairs[`${a}${b}`] ?? pairs[`${b}${a}`] ?? rest;
    }),
  );
}

describe("groupTasks: two tasks", () => {
  // Only k = 1 is tried (|S| - 1 = 1): the partition {ab}, each task scoring S[a][b].
  it("merges a similar pair", () => {
    // {ab}: value 0.9 >= 0.8, stop; group score 0.9 > 0.8: merge.
    expect(groupTasks(sym(["a", "b"], { ab: 0.9 }), ["a", "b"], 0.8)).toEqual([["a", "b"]]);
  });
  it("does not merge a dissimilar pair", () => {
    // {ab}: value 0.7 < 0.8; no k left, keep {ab}; 0.7 is not > 0.8.
    const d = groupTasksDetailed(sym(["a", "b"], { ab: 0.7 }), ["a", "b"], 0.8);
    expect(d.merged).toEqual([]);
    expect(d.partition).toEqual([["a", "b"]]);
    expect(d.value).toBeCloseTo(0.7, 15);
    expect(d.k).toBe(1);
    expect(d.reachedTau).toBe(false);
  });
  it("needs a score strictly above tau to merge", () => {
    // {ab}: value 0.8 >= 0.8 (stop at k = 1) but 0.8 > 0.8 is false: no merge.
    const d = groupTasksDetailed(sym(["a", "b"], { ab: 0.8 }), ["a", "b"], 0.8);
    expect(d.reachedTau).toBe(true);
    expect(d.merged).toEqual([]);
    expect(groupTasks(sym(["a", "b"], { ab: 0.8000001 }), ["a", "b"], 0.8)).toEqual([["a", "b"]]);
  });
  it("uses S[t][u] for task t (asymmetric input)", () => {
    // a scores 1.0, b scores 0.7: group score 0.85.
    const s = [
      [1, 1.0],
      [0.7, 1],
    ];
    const d = groupTasksDetailed(s, ["a", "b"], 0.8);
    expect(d.taskScores).toEqual([1.0, 0.7]);
    expect(d.groupScores[0]).toBeCloseTo(0.85, 15);
    expect(d.merged).toEqual([["a", "b"]]);
  });
});

describe("groupTasks: three tasks", () => {
  it("merges the one similar pair even when no partition reaches tau", () => {
    // S: ab 0.9, ac 0.1, bc 0.2; tau 0.8.
    // k = 1: {abc}: a (0.9+0.1)/2 = 0.5, b (0.9+0.2)/2 = 0.55, c (0.1+0.2)/2 = 0.15 -> 0.4 < 0.8.
    // k = 2: {ab}{c} = (0.9+0.9+0)/3 = 0.6; {ac}{b} = 0.2/3; {a}{bc} = 0.4/3; {abc} = 0.4.
    //        best 0.6 < 0.8, and k = 2 = |S| - 1 is the last: keep {ab}{c}.
    // Merge: {ab} scores 0.9 > 0.8; {c} is a singleton.
    const tasks = ["a", "b", "c"];
    const d = groupTasksDetailed(sym(tasks, { ab: 0.9, ac: 0.1, bc: 0.2 }), tasks, 0.8);
    expect(d.steps.map((s) => s.value)).toEqual([expect.closeTo(0.4, 12), expect.closeTo(0.6, 12)]);
    expect(d.partition).toEqual([["a", "b"], ["c"]]);
    expect(d.k).toBe(2);
    expect(d.reachedTau).toBe(false);
    expect(d.groupScores).toEqual([expect.closeTo(0.9, 12), 0]);
    expect(d.merged).toEqual([["a", "b"]]);
  });

  it("keeps tasks and groups in the order of `tasks`", () => {
    // Similar pair: c and a (0.95). k = 1: {cba}: c (0.95+0.1)/2, b (0.1+0.1)/2, a (0.95+0.1)/2
    // -> (0.525+0.1+0.525)/3 = 0.383; k = 2: {ca}{b} = 1.9/3 = 0.633 is best.
    const tasks = ["c", "b", "a"];
    expect(groupTasks(sym(tasks, { ca: 0.95 }, 0.1), tasks, 0.8)).toEqual([["c", "a"]]);
  });

  it("merges all three when all are similar", () => {
    // k = 1: {abc}: every task 0.9 -> 0.9 >= 0.8, stop. Merge {abc} (0.9 > 0.8).
    const tasks = ["a", "b", "c"];
    expect(groupTasks(sym(tasks, {}, 0.9), tasks, 0.8)).toEqual([["a", "b", "c"]]);
  });

  it("breaks ties towards fewer groups, then the earliest restricted growth string", () => {
    // S: ab 0.9, bc 0.9, ac 0; tau 0.8.
    // k = 1: {abc}: a 0.45, b 0.9, c 0.45 -> 0.6.
    // k = 2: {ab}{c} = 1.8/3 = 0.6, {a}{bc} = 0.6, {ac}{b} = 0: a three-way tie at 0.6;
    //        {abc} (1 group) is kept. Its score 0.6 is not > 0.8: nothing merges.
    const tasks = ["a", "b", "c"];
    const d = groupTasksDetailed(sym(tasks, { ab: 0.9, bc: 0.9, ac: 0 }), tasks, 0.8);
    expect(d.partition).toEqual([["a", "b", "c"]]);
    expect(d.merged).toEqual([]);
    // Among equal 2-group partitions the earliest string wins: with S(bc) lowered so that
    // {abc} loses, {ab}{c} (string 001) is chosen over {a}{bc} (string 011).
    const s2 = sym(tasks, { ab: 0.9, bc: 0.9, ac: -0.3 });
    // {abc}: a (0.9-0.3)/2 = 0.3, b 0.9, c 0.3 -> 0.5; {ab}{c} = {a}{bc} = 0.6.
    const d2 = groupTasksDetailed(s2, tasks, 0.8);
    expect(d2.partition).toEqual([["a", "b"], ["c"]]);
    expect(d2.merged).toEqual([["a", "b"]]);
  });
});

describe("groupTasks: four tasks", () => {
  const tasks = ["a", "b", "c", "d"];
  // S: ab = cd = 1.0, the four cross pairs 0.7.
  // {abcd}: each task (1 + 0.7 + 0.7)/3 = 0.8 -> value 0.8.
  // {ab}{cd}: every task scores 1.0 -> value 1.0 (the best 2-group partition).
  const s = sym(tasks, { ab: 1, cd: 1 }, 0.7);

  it("stops at the first k that reaches tau, not at the best k", () => {
    // tau 0.75: k = 1 gives 0.8 >= 0.75, stop with {abcd}; its score 0.8 > 0.75: merge all four,
    // although {ab}{cd} (k = 2) is worth more.
    const d = groupTasksDetailed(s, tasks, 0.75);
    expect(d.k).toBe(1);
    expect(d.steps).toHaveLength(1);
    expect(d.merged).toEqual([["a", "b", "c", "d"]]);
  });

  it("goes on to k = 2 when k = 1 falls short", () => {
    // tau 0.85: k = 1 gives 0.8 < 0.85; k = 2 gives {ab}{cd} = 1.0 >= 0.85, stop; both merge.
    const d = groupTasksDetailed(s, tasks, 0.85);
    expect(d.k).toBe(2);
    expect(d.partition).toEqual([
      ["a", "b"],
      ["c", "d"],
    ]);
    expect(d.merged).toEqual([
      ["a", "b"],
      ["c", "d"],
    ]);
  });

  it("counts a value equal to tau as reaching it (up to rounding)", () => {
    // tau 0.8: {abcd} is worth 0.8 (computed as a float sum, 0.8 up to rounding): stop at k = 1;
    // but its score 0.8 is not > 0.8, so nothing merges.
    const d = groupTasksDetailed(s, tasks, 0.8);
    expect(d.k).toBe(1);
    expect(d.merged).toEqual([]);
  });

  it("merges nothing when no tasks are similar", () => {
    // All pairs 0.1. k = 1: {abcd} 0.1; k = 2: {ab}{cd} = 0.1 ties with {abcd} (kept: fewer
    // groups), {abc}{d} = 0.075; k = 3: {ab}{c}{d} = 0.05. Keep {abcd}; 0.1 <= 0.8.
    const d = groupTasksDetailed(sym(tasks, {}, 0.1), tasks, 0.8);
    expect(d.k).toBe(3);
    expect(d.partition).toEqual([tasks]);
    expect(d.merged).toEqual([]);
  });

  it("merges everything when all tasks are similar", () => {
    expect(groupTasks(sym(tasks, {}, 0.95), tasks, 0.8)).toEqual([tasks]);
  });

  it("leaves a lone task out of a merged trio", () => {
    // abc all 0.9, d 0 with everyone. k = 1: {abcd}: a,b,c (0.9+0.9+0)/3 = 0.6, d 0 -> 0.45.
    // k = 2: {abc}{d} = (3 * 0.9)/4 = 0.675 (best) < 0.8. k = 3: {ab}{c}{d} = 0.45, nothing better.
    // Keep {abc}{d}; {abc} scores 0.9 > 0.8: merge it.
    const d = groupTasksDetailed(sym(tasks, { ab: 0.9, ac: 0.9, bc: 0.9 }, 0), tasks, 0.8);
    expect(d.partition).toEqual([["a", "b", "c"], ["d"]]);
    expect(d.value).toBeCloseTo(0.675, 12);
    expect(d.merged).toEqual([["a", "b", "c"]]);
  });
});

describe("groupTasks: edge cases and errors", () => {
  it("handles zero and one task", () => {
    expect(groupTasksDetailed([], [], 0.8)).toMatchObject({ merged: [], partition: [], k: 0 });
    expect(groupTasksDetailed([[1]], ["a"], 0.8)).toMatchObject({ merged: [], partition: [["a"]], k: 0 });
  });

  it("treats task names as plain data", () => {
    const tasks = ["__proto__", "constructor"];
    expect(groupTasks(sym(tasks, {}, 0.9), tasks, 0.8)).toEqual([["__proto__", "constructor"]]);
  });

  it("rejects malformed input with stable codes", () => {
    const code = (f: () => unknown): string => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(GroupingError);
        return (e as GroupingError).code;
      }
      return "no error";
    };
    expect(code(() => groupTasks([[1, 0.5]], ["a", "b"], 0.8))).toBe("GROUPING_BAD_SIMILARITY");
    expect(code(() => groupTasks([[1, 0.5], [0.5]], ["a", "b"], 0.8))).toBe("GROUPING_BAD_SIMILARITY");
    expect(
      code(() =>
        groupTasks(
          [
            [1, NaN],
            [NaN, 1],
          ],
          ["a", "b"],
          0.8,
        ),
      ),
    ).toBe("GROUPING_BAD_SIMILARITY");
    expect(
      code(() =>
        groupTasks(
          [
            [1, 0.5],
            [0.5, 1],
          ],
          ["a", "a"],
          0.8,
        ),
      ),
    ).toBe("GROUPING_DUPLICATE_TASK");
    expect(
      code(() =>
        groupTasks(
          [
            [1, 0.5],
            [0.5, 1],
          ],
          ["a", "b"],
          NaN,
        ),
      ),
    ).toBe("GROUPING_BAD_THRESHOLD");
    const many = Array.from({ length: MAX_GROUPING_TASKS + 1 }, (_, i) => `t${i}`);
    expect(code(() => groupTasks(sym(many, {}, 0.5), many, 0.8))).toBe("GROUPING_TOO_MANY_TASKS");
  });
});

// ---------------------------------------------------------------------------------------
// Brute-force cross-check against a straightforward, independent implementation.
// ---------------------------------------------------------------------------------------

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * All set partitions of {0..n-1}: every labelling in [0, n)^n, each partition kept once by a
 * canonical key (groups sorted by their smallest element).
 */
const partitionCache = new Map<number, number[][][]>();
function allPartitions(n: number): number[][][] {
  const cached = partitionCache.get(n);
  if (cached) return cached;
  const seen = new Map<string, number[][]>();
  const labels = new Array<number>(n).fill(0);
  const total = n ** n;
  for (let code = 0; code < total; code++) {
    let c = code;
    for (let i = 0; i < n; i++) {
      labels[i] = c % n;
      c = Math.floor(c / n);
    }
    const byLabel = new Map<number, number[]>();
    labels.forEach((l, i) => {
      const g = byLabel.get(l) ?? [];
      g.push(i);
      byLabel.set(l, g);
    });
    const groups = [...byLabel.values()].sort((x, y) => x[0]! - y[0]!);
    seen.set(JSON.stringify(groups), groups);
  }
  const result = [...seen.values()];
  partitionCache.set(n, result);
  return result;
}

/** The MTSL rule written directly from MTSL.md, with no attention to ties. */
function referenceGrouping(s: number[][], tau: number): { partition: number[][]; merged: number[][]; value: number } {
  const n = s.length;
  const score = (t: number, g: number[]) =>
    g.length < 2 ? 0 : g.filter((u) => u !== t).reduce((acc, u) => acc + s[t]![u]!, 0) / (g.length - 1);
  const value = (p: number[][]) => p.reduce((acc, g) => acc + g.reduce((a2, t) => a2 + score(t, g), 0), 0) / n;
  const parts = allPartitions(n);
  let best: number[][] = [];
  let bestValue = -Infinity;
  for (let k = 1; k <= n - 1; k++) {
    for (const p of parts) {
      if (p.length <= k && value(p) > bestValue) {
        bestValue = value(p);
        best = p;
      }
    }
    if (bestValue >= tau) break;
  }
  const merged = best.filter((g) => g.length > 1 && g.reduce((a, t) => a + score(t, g), 0) / g.length > tau);
  return { partition: best, merged, value: bestValue };
}

describe("groupTasks: cross-check against brute force", () => {
  it("agrees with an independent exhaustive search on random matrices", () => {
    const r = rng(2023);
    const names = ["s", "d", "e", "n", "a", "x"];
    let merges = 0;
    for (let trial = 0; trial < 300; trial++) {
      const n = 2 + (trial % 5); // 2..6 tasks
      const tasks = names.slice(0, n);
      const symmetric = trial % 3 !== 0;
      const s = Array.from({ length: n }, () => new Array<number>(n).fill(1));
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          if (i === j) continue;
          if (symmetric && j < i) s[i]![j] = s[j]![i]!;
          else s[i]![j] = -0.2 + 1.2 * r();
        }
      }
      const tau = 0.3 + 0.6 * r();
      const expected = referenceGrouping(s, tau);
      const got = groupTasksDetailed(s, tasks, tau);
      expect(got.value).toBeCloseTo(expected.value, 12);
      expect(got.partition).toEqual(expected.partition.map((g) => g.map((t) => tasks[t]!)));
      expect(got.merged).toEqual(expected.merged.map((g) => g.map((t) => tasks[t]!)));
      if (got.merged.length > 0) merges++;
    }
    // The random cases exercise both outcomes.
    expect(merges).toBeGreaterThan(30);
    expect(merges).toBeLessThan(290);
  });

  it("searches 10 tasks (Bell(10) = 115,975 partitions) quickly", () => {
    const r = rng(7);
    const n = 10;
    const tasks = Array.from({ length: n }, (_, i) => `t${i}`);
    const s = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : r())));
    const start = performance.now();
    const d = groupTasksDetailed(s, tasks, 0.99);
    const ms = performance.now() - start;
    expect(d.k).toBe(9); // tau 0.99 is never reached: every k is searched
    expect(d.partition.flat().sort()).toEqual([...tasks].sort());
    expect(ms).toBeLessThan(2000);
  });
});

describe("calibrateAgainstNull", () => {
  it("maps the null CKA to 0 and identical features to 1, keeps the diagonal, and scores every pair 0 when the null is 1", () => {
    const m = [
      [1, 0.9, 0.6],
      [0.9, 1, 0.5],
      [0.6, 0.5, 1],
    ];
    const c = calibrateAgainstNull(m, 0.6);
    expect(c[0]![0]).toBe(1);
    expect(c[0]![1]).toBeCloseTo(0.75, 12);
    expect(c[1]![0]).toBeCloseTo(0.75, 12);
    expect(c[0]![2]).toBeCloseTo(0, 12);
    expect(c[1]![2]).toBeCloseTo(-0.25, 12);
    expect(m[0]![1]).toBe(0.9); // the input is not changed
    expect(calibrateAgainstNull(m, 1)).toEqual([
      [1, 0, 0],
      [0, 1, 0],
      [0, 0, 1],
    ]);
    expect(calibrateAgainstNull(m, Number.NaN)[0]![1]).toBe(0);
  });
});
