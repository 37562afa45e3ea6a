/**
 * Pairwise task affinity (runtime/eval/affinity.ts): the transfer matrix's signs follow each
 * metric's direction, partitions are enumerated exactly once each (Bell numbers), and the
 * best partition is the one Standley et al.'s pairwise estimate ranks first, by hand.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  bestEpochScores,
  bestPartitions,
  compareWithGroundTruth,
  pairAffinity,
  rankCorrelation,
  estimatePartition,
  setPartitions,
  subsetKey,
  taskPairs,
  transferMatrix,
  type TransferMatrix,
} from "../../../runtime/eval/affinity.js";

const BELL = [1, 1, 2, 5, 15, 52, 203, 877, 4140];

describe("setPartitions", () => {
  it("gives Bell(n) partitions, each a partition of the items, none twice", () => {
    for (let n = 0; n <= 8; n++) {
      const items = Array.from({ length: n }, (_, i) => i);
      const parts = setPartitions(items);
      expect(parts.length).toBe(BELL[n]);
      const seen = new Set<string>();
      for (const p of parts) {
        expect(p.flat().sort((a, b) => a - b)).toEqual(items);
        expect(p.every((g) => g.length > 0)).toBe(true);
        // groups in first-member order, members in item order
        expect(p.map((g) => g[0])).toEqual([...p.map((g) => g[0]!)].sort((a, b) => a - b));
        expect(p.every((g) => g.every((x, i) => i === 0 || g[i - 1]! < x))).toBe(true);
        const key = JSON.stringify(p.map((g) => [...g].sort((a, b) => a - b)).sort((a, b) => a[0]! - b[0]!));
        expect(seen.has(key)).toBe(false);
        seen.add(key);
      }
    }
  });
});

describe("transferMatrix", () => {
  it("is the signed relative change of each task's key metric, by its direction", () => {
    const tasks = ["seg", "depth"];
    const keys = { seg: "miou", depth: "rmse" } as const;
    const alone = { seg: { miou: 0.5 }, depth: { rmse: 0.2 } };
    const pairs = { [subsetKey(["seg", "depth"])]: { seg: { miou: 0.55 }, depth: { rmse: 0.25 } } };
    const t = transferMatrix(tasks, keys, alone, pairs);
    expect(t["seg"]!["depth"]).toBeCloseTo(10, 12); // miou up 10 %: better
    expect(t["depth"]!["seg"]).toBeCloseTo(-25, 12); // rmse up 25 %: worse
  });

  it("is null where a score is missing, not finite or a zero baseline", () => {
    const t = transferMatrix(
      ["a", "b", "c"],
      { a: "accuracy", b: "accuracy", c: null },
      { a: { accuracy: 0 }, b: { accuracy: 0.5 }, c: {} },
      { "a+b": { a: { accuracy: 0.3 }, b: { accuracy: Number.NaN } }, "a+c": {}, "b+c": { b: { accuracy: 0.6 } } },
    );
    expect(t["a"]!["b"]).toBeNull();
    expect(t["b"]!["a"]).toBeNull();
    expect(t["a"]!["c"]).toBeNull();
    expect(t["c"]!["b"]).toBeNull();
    expect(t["b"]!["c"]).toBeCloseTo(20, 12);
  });
});

describe("estimatePartition and bestPartitions", () => {
  // a and b help each other, c hurts everyone and is hurt.
  const transfer: TransferMatrix = {
    a: { b: 4, c: -6 },
    b: { a: 2, c: -1 },
    c: { a: -3, b: -5 },
  };

  it("estimates a task's change as the mean of its pairwise changes in its group, alone 0", () => {
    const e = estimatePartition([["a", "b", "c"]], transfer)!;
    expect(e.perTask).toEqual({ a: -1, b: 0.5, c: -4 });
    expect(e.value).toBeCloseTo(-1.5, 12);
    expect(estimatePartition([["a"], ["b"], ["c"]], transfer)!.value).toBe(0);
  });

  it("ranks by hand: one group {a,b,c}, two {a,b}{c}, three alone", () => {
    const best = bestPartitions(["a", "b", "c"], transfer);
    expect(best.map((p) => p?.groups)).toEqual([[["a", "b", "c"]], [["a", "b"], ["c"]], [["a"], ["b"], ["c"]]]);
    expect(best[1]!.value).toBeCloseTo(2, 12); // (4 + 2 + 0) / 3
  });

  it("skips partitions that need a pair it could not compare", () => {
    const best = bestPartitions(["a", "b", "c"], { ...transfer, a: { b: null, c: -6 } });
    expect(best[0]).toBeNull();
    // {a,c}{b}: (-6 - 3 + 0) / 3; {a}{b,c}: (0 - 1 - 5) / 3; {a,b}{c} cannot be estimated.
    expect(best[1]!.groups).toEqual([["a"], ["b", "c"]]);
    expect(best[1]!.value).toBeCloseTo(-2, 12);
  });

  it("finds the partition with the best estimate among all of its size (exhaustive check)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 6 }),
        fc.array(fc.integer({ min: -50, max: 50 }), { minLength: 36, maxLength: 36 }),
        (n, values) => {
          const tasks = Array.from({ length: n }, (_, i) => `t${i}`);
          const t: TransferMatrix = {};
          tasks.forEach((x, i) => {
            t[x] = {};
            tasks.forEach((y, j) => {
              if (i !== j) t[x]![y] = values[i * 6 + j]!;
            });
          });
          const best = bestPartitions(tasks, t);
          for (const p of setPartitions(tasks)) {
            expect(estimatePartition(p, t)!.value).toBeLessThanOrEqual(best[p.length - 1]!.value + 1e-12);
          }
        },
      ),
      { numRuns: 60, seed: 13 },
    );
  });

  it("lists every pair once, in the file's order", () => {
    expect(taskPairs(["x", "y", "z"])).toEqual([
      ["x", "y"],
      ["x", "z"],
      ["y", "z"],
    ]);
  });
});

describe("rankCorrelation", () => {
  it("equals scipy.stats.spearmanr (average ranks for ties)", () => {
    // scipy 1.10: spearmanr([0.9, 0.8, 0.8, 0.7, 0.95], [1, 3, 2, -1, 0.5]).correlation
    expect(rankCorrelation([0.9, 0.8, 0.8, 0.7, 0.95], [1, 3, 2, -1, 0.5])).toBeCloseTo(0.05129891760425771, 12);
    expect(rankCorrelation([1, 2, 3, 4], [4, 3, 2, 1])).toBeCloseTo(-1, 12);
    expect(rankCorrelation([1, 2, 3], [10, 20, 40])).toBeCloseTo(1, 12);
  });

  it("is null with fewer than three points or a constant series", () => {
    expect(rankCorrelation([1, 2], [2, 1])).toBeNull();
    expect(rankCorrelation([1, 1, 1], [1, 2, 3])).toBeNull();
  });
});

describe("compareWithGroundTruth", () => {
  const transfer: TransferMatrix = {
    a: { b: 10, c: -4 },
    b: { a: 6, c: -2 },
    c: { a: -8, b: 0 },
  };

  it("ranks CKA against the symmetric affinity and estimates the merged groups, every other task alone", () => {
    expect(pairAffinity(transfer, "a", "b")).toBe(8);
    expect(pairAffinity(transfer, "b", "c")).toBe(-1);
    const [set] = compareWithGroundTruth(
      [
        {
          epoch: 3,
          sets: [
            {
              stage: "s1",
              tasks: ["a", "b", "c"],
              // pairs (a,b) 0.9, (a,c) 0.5, (b,c) 0.7: the same order as the affinities 8, -6, -1
              similarity: [
                [1, 0.9, 0.5],
                [0.9, 1, 0.7],
                [0.5, 0.7, 1],
              ],
              merged: [["b", "c"]],
            },
          ],
        },
      ],
      transfer,
    );
    expect(set!.rankCorrelation).toBeCloseTo(1, 12);
    expect(set!.chosen).toEqual([["b", "c"], ["a"]]);
    // b with c: -2, c with b: 0, a alone: 0 -> mean -2/3
    expect(set!.chosenEstimate).toBeCloseTo(-2 / 3, 12);
    // {a b} {c}: (10 + 6 + 0) / 3
    expect(set!.best!.groups).toEqual([["a", "b"], ["c"]]);
    expect(set!.best!.value).toBeCloseTo(16 / 3, 12);
  });

  it("leaves out parameter-free sets and sets of tasks the study did not train", () => {
    const sets = compareWithGroundTruth(
      [
        {
          epoch: 1,
          sets: [
            {
              stage: "gap",
              tasks: ["a", "b"],
              similarity: [
                [1, 1],
                [1, 1],
              ],
              merged: [["a", "b"]],
              exact: true,
            },
            {
              stage: "s2",
              tasks: ["a", "z"],
              similarity: [
                [1, 0.5],
                [0.5, 1],
              ],
              merged: [],
            },
          ],
        },
      ],
      transfer,
    );
    expect(sets).toEqual([]);
  });
});

describe("bestEpochScores", () => {
  it("keeps each key metric's best epoch in its own direction, skipping missing and non-finite values", () => {
    const epochs = [
      { val: { seg: { miou: 0.2 }, depth: { rmse: 1.5 } } },
      { val: { seg: { miou: 0.3 }, depth: { rmse: Number.NaN } } },
      { val: { seg: { miou: 0.25 }, depth: { rmse: 1.2 } } },
      { val: null },
      { val: { seg: { miou: 0.1 }, depth: { rmse: 1.4 } } },
    ];
    expect(bestEpochScores(epochs, { seg: "miou", depth: "rmse", ae: "mse", other: null })).toEqual({
      seg: { miou: 0.3 },
      depth: { rmse: 1.2 },
    });
  });
});
