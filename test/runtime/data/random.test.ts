import { describe, expect, it } from "vitest";
import { isMtslError } from "../../../runtime/errors.js";
import { fnv1a32, Rng, splitmix32, type RngState } from "../../../runtime/random.js";

// Reference values from an independent Python implementation of the documented
// algorithms (xoshiro128**, splitmix32 with the hash-prospector finaliser, FNV-1a).
// xoshiro128** from state (1, 2, 3, 4) is the sequence quoted for the reference C code.

const draw = (r: Rng, n: number): number[] => Array.from({ length: n }, () => r.nextUint32());

describe("Rng reference values", () => {
  it("xoshiro128** from state (1,2,3,4)", () => {
    const r = Rng.fromState({ algorithm: "xoshiro128**", s: [1, 2, 3, 4], spare: null });
    expect(draw(r, 6)).toEqual([11520, 0, 5927040, 70819200, 2031721883, 1637235492]);
  });

  it("splitmix32", () => {
    const [x1, z1] = splitmix32(0);
    expect(z1).toBe(1684164658);
    expect(splitmix32(x1)[1]).toBe(3653269916);
  });

  it("seeding", () => {
    const r = Rng.fromSeed(42);
    expect(r.getState().s).toEqual([797358109, 78723481, 3725865719, 3285434700]);
    expect(draw(r, 4)).toEqual([2475684579, 2739248900, 1570677243, 4207500844]);
    expect(draw(Rng.fromSeed(2 ** 40 + 5), 3)).toEqual([1871155421, 2466999760, 3982929734]);
  });

  it("FNV-1a and fork", () => {
    expect(fnv1a32("data")).toBe(3631407781);
    expect(fnv1a32("")).toBe(2166136261);
    expect(fnv1a32("héllo")).toBe(1252296000);
    expect(draw(Rng.fromSeed(42).fork("data"), 3)).toEqual([733283205, 1032815895, 492248492]);
  });
});

describe("Rng behaviour", () => {
  it("fork does not advance the parent and depends on the label", () => {
    const a = Rng.fromSeed(9);
    const before = a.getState();
    const f1 = draw(a.fork("x"), 5);
    expect(a.getState()).toEqual(before);
    expect(draw(a.fork("x"), 5)).toEqual(f1);
    expect(draw(a.fork("y"), 5)).not.toEqual(f1);
    expect(draw(a.fork("x"), 5)).not.toEqual(draw(Rng.fromSeed(9), 5));
  });

  it("uniform is in [0, 1) with mean 1/2 and variance 1/12", () => {
    const r = Rng.fromSeed(1);
    const n = 200_000;
    let s = 0;
    let s2 = 0;
    let lo = 1;
    let hi = 0;
    for (let i = 0; i < n; i++) {
      const u = r.uniform();
      s += u;
      s2 += u * u;
      lo = Math.min(lo, u);
      hi = Math.max(hi, u);
    }
    expect(lo).toBeGreaterThanOrEqual(0);
    expect(hi).toBeLessThan(1);
    const mean = s / n;
    expect(Math.abs(mean - 0.5)).toBeLessThan(5 * Math.sqrt(1 / 12 / n));
    expect(Math.abs(s2 / n - mean * mean - 1 / 12)).toBeLessThan(0.002);
  });

  it("int(n) is uniform (chi-square) and in range", () => {
    const r = Rng.fromSeed(2);
    const k = 7;
    const n = 70_000;
    const counts = new Array<number>(k).fill(0);
    let outside = 0;
    for (let i = 0; i < n; i++) {
      const v = r.int(k);
      if (v >= 0 && v < k && Number.isInteger(v)) counts[v]!++;
      else outside++;
    }
    expect(outside).toBe(0);
    const e = n / k;
    const chi2 = counts.reduce((a, c) => a + ((c - e) * (c - e)) / e, 0);
    expect(chi2).toBeLessThan(22.46); // 6 degrees of freedom, p = 0.001
    expect(() => r.int(0)).toThrow(RangeError);
    expect(r.int(1)).toBe(0);
  });

  it("normal has mean 0, variance 1, kurtosis 3", () => {
    const r = Rng.fromSeed(3);
    const n = 200_000;
    let s = 0,
      s2 = 0,
      s4 = 0;
    for (let i = 0; i < n; i++) {
      const x = r.normal();
      s += x;
      s2 += x * x;
      s4 += x * x * x * x;
    }
    expect(Math.abs(s / n)).toBeLessThan(5 / Math.sqrt(n));
    expect(Math.abs(s2 / n - 1)).toBeLessThan(0.02);
    expect(Math.abs(s4 / n - 3)).toBeLessThan(0.1);
  });

  it("shuffle and permutation return permutations", () => {
    const r = Rng.fromSeed(4);
    const p = r.permutation(1000);
    expect([...p].sort((a, b) => a - b)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect([...p]).not.toEqual(Array.from({ length: 1000 }, (_, i) => i));
    const arr = ["a", "b", "c", "d"];
    r.shuffle(arr);
    expect([...arr].sort()).toEqual(["a", "b", "c", "d"]);
  });

  it("getState/setState round-trips through JSON, including a pending normal", () => {
    const r = Rng.fromSeed(5);
    r.normal(); // leaves a spare
    const saved = JSON.parse(JSON.stringify(r.getState())) as RngState;
    expect(saved.spare).not.toBeNull();
    const next = [r.normal(), r.uniform(), r.normal(), r.int(1000)];
    const q = Rng.fromState(saved);
    expect([q.normal(), q.uniform(), q.normal(), q.int(1000)]).toEqual(next);
  });

  it("rejects bad states and seeds with stable codes", () => {
    const r = Rng.fromSeed(0);
    const bad: unknown[] = [
      null,
      { algorithm: "mt19937", s: [1, 2, 3, 4], spare: null },
      { algorithm: "xoshiro128**", s: [0, 0, 0, 0], spare: null },
      { algorithm: "xoshiro128**", s: [1, 2, 3], spare: null },
      { algorithm: "xoshiro128**", s: [1, 2, 3, 2 ** 32], spare: null },
      { algorithm: "xoshiro128**", s: [1, 2, 3, 4], spare: Number.NaN },
    ];
    for (const b of bad) {
      let err: unknown;
      try {
        r.setState(b as RngState);
      } catch (e) {
        err = e;
      }
      expect(isMtslError(err, "MTSL3011")).toBe(true);
    }
    for (const seed of [-1, 1.5, Number.NaN, 2 ** 53]) {
      expect(() => Rng.fromSeed(seed)).toThrow(/MTSL3006/);
    }
  });
});
