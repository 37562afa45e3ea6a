import { beforeAll, describe, expect, it } from "vitest";
import * as tf from "@tensorflow/tfjs";
import {
  CkaError,
  ckaAlignmentLoss,
  ckaMatrix,
  linearCKA,
  linearCKAScalar,
  linearCKATensor,
  participationRatio,
} from "../../runtime/structure/cka.js";
import { Rng } from "../../runtime/random.js";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

/** Deterministic PRNG (mulberry32) and helpers to build test matrices. */
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
function randomMatrix(r: () => number, n: number, d: number, offset = 0): number[][] {
  return Array.from({ length: n }, () => Array.from({ length: d }, () => r() * 2 - 1 + offset));
}
function matMul(a: number[][], b: number[][]): number[][] {
  return a.map((row) => b[0]!.map((_, j) => row.reduce((s, v, k) => s + v * b[k]![j]!, 0)));
}
/** An orthogonal d x d matrix: a product of Householder reflections I - 2 v v^T / v^T v. */
function orthogonal(r: () => number, d: number): number[][] {
  let q: number[][] = Array.from({ length: d }, (_, i) => Array.from({ length: d }, (_, j) => (i === j ? 1 : 0)));
  for (let k = 0; k < 3; k++) {
    const v = Array.from({ length: d }, () => r() - 0.5);
    const vv = v.reduce((s, x) => s + x * x, 0);
    const h = v.map((vi, i) => v.map((vj, j) => (i === j ? 1 : 0) - (2 * vi * vj) / vv));
    q = matMul(q, h);
  }
  return q;
}

/**
 * A literal transcription of the MTSL code's `center_gram` + `cka` (no pre-centring of the
 * features), written independently of the module under test, as the float64 reference.
 */
function referenceCKA(x: number[][], y: number[][], debiased: boolean): number {
  const gram = (a: number[][]) => a.map((r) => a.map((s) => r.reduce((acc, v, k) => acc + v * s[k]!, 0)));
  const centre = (g: number[][]) => {
    const n = g.length;
    const k = g.map((row) => row.slice());
    if (debiased) {
      for (let i = 0; i < n; i++) k[i]![i] = 0;
      const means = k[0]!.map((_, j) => k.reduce((acc, row) => acc + row[j]!, 0) / (n - 2));
      const total = means.reduce((a, b) => a + b, 0);
      const m = means.map((v) => v - total / (2 * (n - 1)));
      const out = k.map((row, i) => row.map((v, j) => v - m[i]! - m[j]!));
      for (let i = 0; i < n; i++) out[i]![i] = 0;
      return out;
    }
    const means = k[0]!.map((_, j) => k.reduce((acc, row) => acc + row[j]!, 0) / n);
    const mm = means.reduce((a, b) => a + b, 0) / n;
    const m = means.map((v) => v - mm / 2);
    return k.map((row, i) => row.map((v, j) => v - m[i]! - m[j]!));
  };
  const dot = (a: number[][], b: number[][]) =>
    a.reduce((s, row, i) => s + row.reduce((t, v, j) => t + v * b[i]![j]!, 0), 0);
  const kx = centre(gram(x));
  const ky = centre(gram(y));
  return dot(kx, ky) / Math.sqrt(dot(kx, kx) * dot(ky, ky));
}

describe("linearCKA (float64)", () => {
  // Hand-worked case, n = 4 samples, 2 features each.
  //   X = [[1,0],[0,1],[1,1],[2,0]]     Y = [[1,2],[0,1],[3,1],[1,0]]
  //   K = X X^T = [[1,0,1,2],[0,1,1,0],[1,1,2,2],[2,0,2,4]]
  //   L = Y Y^T = [[5,2,5,1],[2,1,1,0],[5,1,10,3],[1,0,3,1]]
  // Debiased: zero the diagonals; column sums / (n-2) = /2:
  //   K: [3/2, 1/2, 2, 2], sum 6, minus 6 / (2*3) = 1  -> m = [1/2, -1/2, 1, 1]
  //   L: [4, 3/2, 9/2, 2], sum 12, minus 12 / 6 = 2    -> m = [2, -1/2, 5/2, 0]
  //   K~ (off-diagonal K_ij - m_i - m_j, zero diagonal) =
  //     [[0,0,-1/2,1/2],[0,0,1/2,-1/2],[-1/2,1/2,0,0],[1/2,-1/2,0,0]]
  //   L~ = [[0,1/2,1/2,-1],[1/2,0,-1,1/2],[1/2,-1,0,1/2],[-1,1/2,1/2,0]]
  //   <K~,L~> = 2 * (-1/4 - 1/2 - 1/2 - 1/4) = -3, ||K~||^2 = 8/4 = 2, ||L~||^2 = 6
  //   CKA = -3 / sqrt(12) = -sqrt(3)/2 = -0.8660254037844386
  // Biased: K~ = HKH = [[1,-1,-1,1],[-1,5,1,-5],[-1,1,1,-1],[1,-5,-1,5]] / 4,
  //   L~ = [[17,5,-7,-15],[5,25,-35,5],[-7,-35,49,-7],[-15,5,-7,17]] / 16,
  //   <K~,L~> = 9/4, ||K~||^2 = 7, ||L~||^2 = 425/16, CKA = 9 / sqrt(2975) = 0.1650057294650780
  const X = [
    [1, 0],
    [0, 1],
    [1, 1],
    [2, 0],
  ];
  const Y = [
    [1, 2],
    [0, 1],
    [3, 1],
    [1, 0],
  ];

  it("matches the hand-worked 4 x 2 case, debiased", () => {
    expect(linearCKA(X, Y)).toBeCloseTo(-Math.sqrt(3) / 2, 14);
    expect(linearCKA(X, Y, { debiased: true })).toBeCloseTo(-0.8660254037844386, 14);
  });

  it("matches the hand-worked 4 x 2 case, biased", () => {
    expect(linearCKA(X, Y, { debiased: false })).toBeCloseTo(9 / Math.sqrt(2975), 14);
    expect(linearCKA(X, Y, { debiased: false })).toBeCloseTo(0.165005729465078, 14);
  });

  it("is symmetric in its arguments", () => {
    const r = rng(1);
    const a = randomMatrix(r, 12, 3);
    const b = randomMatrix(r, 12, 5);
    expect(linearCKA(a, b)).toBeCloseTo(linearCKA(b, a), 14);
  });

  it("agrees with a literal transcription of the MTSL code on random data with an offset", () => {
    const r = rng(2);
    for (const debiased of [true, false]) {
      const a = randomMatrix(r, 15, 4, 3);
      const b = randomMatrix(r, 15, 6, -7);
      expect(linearCKA(a, b, { debiased })).toBeCloseTo(referenceCKA(a, b, debiased), 10);
    }
  });

  it("gives 1 for identical inputs (both estimators)", () => {
    const a = randomMatrix(rng(3), 10, 4);
    expect(linearCKA(a, a)).toBeCloseTo(1, 12);
    expect(linearCKA(a, a, { debiased: false })).toBeCloseTo(1, 12);
  });

  it("is invariant to orthogonal transforms and isotropic scaling", () => {
    const r = rng(4);
    const a = randomMatrix(r, 20, 5);
    const b = randomMatrix(r, 20, 3);
    const q = orthogonal(r, 5);
    const aRot = matMul(a, q).map((row) => row.map((v) => v * 3.7));
    for (const debiased of [true, false]) {
      expect(linearCKA(a, aRot, { debiased })).toBeCloseTo(1, 10);
      expect(linearCKA(aRot, b, { debiased })).toBeCloseTo(linearCKA(a, b, { debiased }), 10);
    }
    // Not invariant to a non-isotropic scaling of the features (sanity: the test can fail).
    const aStretched = a.map((row) => row.map((v, j) => (j === 0 ? v * 10 : v)));
    expect(Math.abs(linearCKA(aStretched, b) - linearCKA(a, b))).toBeGreaterThan(1e-3);
  });

  it("is invariant to a constant offset of the features", () => {
    const r = rng(5);
    const a = randomMatrix(r, 9, 3);
    const b = randomMatrix(r, 9, 2);
    const shifted = a.map((row) => row.map((v, j) => v + 1000 * (j + 1)));
    expect(linearCKA(shifted, b)).toBeCloseTo(linearCKA(a, b), 10);
  });

  it("biased and debiased estimators differ", () => {
    const r = rng(6);
    const a = randomMatrix(r, 8, 3);
    const b = randomMatrix(r, 8, 3);
    const d = linearCKA(a, b, { debiased: true });
    const u = linearCKA(a, b, { debiased: false });
    expect(Math.abs(d - u)).toBeGreaterThan(1e-3);
  });

  it("accepts typed-array rows", () => {
    const rows = X.map((row) => Float64Array.from(row));
    expect(linearCKA(rows, Y)).toBeCloseTo(-Math.sqrt(3) / 2, 14);
  });

  it("returns NaN when a representation does not vary", () => {
    const constant = [
      [1, 2],
      [1, 2],
      [1, 2],
      [1, 2],
    ];
    expect(linearCKA(constant, Y)).toBeNaN();
  });

  it("rejects bad input with stable codes", () => {
    const code = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(CkaError);
        return (e as CkaError).code;
      }
      return "no error";
    };
    expect(code(() => linearCKA(X.slice(0, 3), Y.slice(0, 3)))).toBe("CKA_TOO_FEW_SAMPLES");
    expect(linearCKA(X.slice(0, 3), Y.slice(0, 3), { debiased: false })).toBeTypeOf("number");
    expect(code(() => linearCKA(X, Y.slice(0, 3)))).toBe("CKA_SAMPLE_COUNT_MISMATCH");
    expect(code(() => linearCKA([[1, 2], [3], [4, 5], [6, 7]], Y))).toBe("CKA_RAGGED_INPUT");
    expect(
      code(() =>
        linearCKA(
          [
            [1, NaN],
            [3, 1],
            [4, 5],
            [6, 7],
          ],
          Y,
        ),
      ),
    ).toBe("CKA_NON_FINITE_INPUT");
    expect(code(() => linearCKA([], []))).toBe("CKA_EMPTY_INPUT");
    expect(code(() => ckaMatrix([]))).toBe("CKA_TOO_FEW_FEATURE_SETS");
  });
});

describe("ckaMatrix", () => {
  it("is the symmetric matrix of pairwise CKA with 1 on the diagonal", () => {
    const r = rng(7);
    const feats = [randomMatrix(r, 16, 3), randomMatrix(r, 16, 5), randomMatrix(r, 16, 2)];
    for (const debiased of [true, false]) {
      const m = ckaMatrix(feats, { debiased });
      for (let i = 0; i < 3; i++) {
        expect(m[i]![i]).toBe(1);
        for (let j = 0; j < 3; j++) {
          expect(m[i]![j]).toBe(m[j]![i]);
          if (i !== j) expect(m[i]![j]).toBeCloseTo(referenceCKA(feats[i]!, feats[j]!, debiased), 10);
        }
      }
    }
  });

  it("puts 0 off the diagonal and 1 on it where CKA is undefined", () => {
    const r = rng(8);
    const a = randomMatrix(r, 6, 2);
    const constant = Array.from({ length: 6 }, () => [0.5, -2]);
    const m = ckaMatrix([a, constant, a]);
    expect(m).toEqual([
      [1, 0, expect.closeTo(1, 10)],
      [0, 1, 0],
      [expect.closeTo(1, 10), 0, 1],
    ]);
  });

  it("rejects feature sets with different sample counts", () => {
    const r = rng(9);
    expect(() => ckaMatrix([randomMatrix(r, 6, 2), randomMatrix(r, 7, 2)])).toThrow(/CKA_SAMPLE_COUNT_MISMATCH/);
  });
});

describe("tensor CKA (float32) against float64", () => {
  it("linearCKATensor matches linearCKA on random data, with and without an offset", async () => {
    const r = rng(10);
    for (const [offset, debiased] of [
      [0, true],
      [0, false],
      [50, true],
      [50, false],
    ] as const) {
      const a = randomMatrix(r, 32, 8, offset);
      const b = randomMatrix(r, 32, 12, offset).map((row, i) => row.map((v, j) => v + 0.5 * a[i]![j % 8]!));
      const expected = linearCKA(a, b, { debiased });
      const [x, y] = [tf.tensor2d(a), tf.tensor2d(b)];
      const got = await linearCKATensor(x, y, { debiased });
      tf.dispose([x, y]);
      expect(Math.abs(got - expected)).toBeLessThan(1e-4);
    }
  });

  it("matches the hand-worked case", async () => {
    const X = [
      [1, 0],
      [0, 1],
      [1, 1],
      [2, 0],
    ];
    const Y = [
      [1, 2],
      [0, 1],
      [3, 1],
      [1, 0],
    ];
    expect(await linearCKATensor(tf.tensor2d(X), tf.tensor2d(Y))).toBeCloseTo(-Math.sqrt(3) / 2, 5);
    expect(await linearCKATensor(tf.tensor2d(X), tf.tensor2d(Y), { debiased: false })).toBeCloseTo(
      9 / Math.sqrt(2975),
      5,
    );
  });

  it("rejects too few samples and shape mismatches", async () => {
    await expect(linearCKATensor(tf.zeros([3, 2]) as tf.Tensor2D, tf.zeros([3, 2]) as tf.Tensor2D)).rejects.toThrow(
      /CKA_TOO_FEW_SAMPLES/,
    );
    await expect(linearCKATensor(tf.zeros([5, 2]) as tf.Tensor2D, tf.zeros([6, 2]) as tf.Tensor2D)).rejects.toThrow(
      /CKA_SAMPLE_COUNT_MISMATCH/,
    );
    expect(() => ckaAlignmentLoss([tf.zeros([5, 2]) as tf.Tensor2D])).toThrow(/CKA_TOO_FEW_FEATURE_SETS/);
  });
});

describe("ckaAlignmentLoss", () => {
  it("is 1 - mean pairwise debiased CKA", () => {
    const r = rng(11);
    const feats = [randomMatrix(r, 16, 4), randomMatrix(r, 16, 6), randomMatrix(r, 16, 3)];
    const pairs = [linearCKA(feats[0]!, feats[1]!), linearCKA(feats[0]!, feats[2]!), linearCKA(feats[1]!, feats[2]!)];
    const expected = 1 - pairs.reduce((a, b) => a + b, 0) / 3;
    const loss = ckaAlignmentLoss(feats.map((f) => tf.tensor2d(f)));
    expect(loss.rank).toBe(0);
    expect(Math.abs(loss.dataSync()[0]! - expected)).toBeLessThan(1e-5);
  });

  it("has the gradient of the float64 definition (central differences)", () => {
    const r = rng(12);
    const a = randomMatrix(r, 8, 3);
    const b = randomMatrix(r, 8, 2);
    const loss64 = (x: number[][]) => 1 - linearCKA(x, b);
    const ta = tf.variable(tf.tensor2d(a));
    const tb = tf.tensor2d(b);
    const { grads } = tf.variableGrads(() => ckaAlignmentLoss([ta as tf.Tensor2D, tb]), [ta]);
    const g = grads[ta.name]!.arraySync() as number[][];
    const h = 1e-6;
    let maxAbs = 0;
    let maxErr = 0;
    for (let i = 0; i < 8; i++) {
      for (let j = 0; j < 3; j++) {
        const plus = a.map((row) => row.slice());
        const minus = a.map((row) => row.slice());
        plus[i]![j]! += h;
        minus[i]![j]! -= h;
        const numeric = (loss64(plus) - loss64(minus)) / (2 * h);
        maxAbs = Math.max(maxAbs, Math.abs(numeric));
        maxErr = Math.max(maxErr, Math.abs(numeric - g[i]![j]!));
      }
    }
    expect(maxAbs).toBeGreaterThan(1e-2); // the gradient is not trivially zero
    expect(maxErr).toBeLessThan(1e-3 * Math.max(1, maxAbs));
    ta.dispose();
  });

  it("gradient descent on the loss aligns the representations", () => {
    const r = rng(13);
    const a = tf.variable(tf.tensor2d(randomMatrix(r, 16, 4)));
    const b = tf.tensor2d(randomMatrix(r, 16, 4));
    const before = ckaAlignmentLoss([a as tf.Tensor2D, b]).dataSync()[0]!;
    const opt = tf.train.sgd(0.5);
    for (let step = 0; step < 30; step++) opt.minimize(() => ckaAlignmentLoss([a as tf.Tensor2D, b]));
    const after = ckaAlignmentLoss([a as tf.Tensor2D, b]).dataSync()[0]!;
    expect(after).toBeLessThan(before - 0.1);
    a.dispose();
  });

  it("treats an undefined pair as CKA 0 with finite gradients", () => {
    const r = rng(14);
    const a = tf.variable(tf.tensor2d(randomMatrix(r, 6, 3)));
    const constant = tf.variable(tf.ones([6, 2]));
    const { value, grads } = tf.variableGrads(
      () => ckaAlignmentLoss([a as tf.Tensor2D, constant as tf.Tensor2D]),
      [a, constant],
    );
    expect(value.dataSync()[0]).toBeCloseTo(1, 6);
    for (const g of Object.values(grads)) for (const v of g.dataSync()) expect(Number.isFinite(v)).toBe(true);
    expect(linearCKAScalar(a as tf.Tensor2D, constant as tf.Tensor2D).dataSync()[0]).toBe(0);
    a.dispose();
    constant.dispose();
  });

  it("does not leak tensors", async () => {
    const feats = [tf.randomNormal([8, 3]) as tf.Tensor2D, tf.randomNormal([8, 5]) as tf.Tensor2D];
    const before = tf.memory().numTensors;
    const loss = ckaAlignmentLoss(feats);
    await linearCKATensor(feats[0]!, feats[1]!);
    expect(tf.memory().numTensors).toBe(before + 1);
    loss.dispose();
  });
});

describe("participationRatio", () => {
  /** Eigenvalues of a symmetric matrix by cyclic Jacobi rotations (float64, an independent reference). */
  function eigenvalues(a: number[][]): number[] {
    const n = a.length;
    const m = a.map((r) => [...r]);
    for (let sweep = 0; sweep < 100; sweep++) {
      let off = 0;
      for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += m[p]![q]! ** 2;
      if (off < 1e-30) break;
      for (let p = 0; p < n; p++) {
        for (let q = p + 1; q < n; q++) {
          if (Math.abs(m[p]![q]!) < 1e-300) continue;
          const theta = (m[q]![q]! - m[p]![p]!) / (2 * m[p]![q]!);
          const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
          const c = 1 / Math.sqrt(t * t + 1);
          const s = t * c;
          for (let k = 0; k < n; k++) {
            const mkp = m[k]![p]!;
            const mkq = m[k]![q]!;
            m[k]![p] = c * mkp - s * mkq;
            m[k]![q] = s * mkp + c * mkq;
          }
          for (let k = 0; k < n; k++) {
            const mpk = m[p]![k]!;
            const mqk = m[q]![k]!;
            m[p]![k] = c * mpk - s * mqk;
            m[q]![k] = s * mpk + c * mqk;
          }
        }
      }
    }
    return m.map((r, i) => r[i]!);
  }

  it("is the number of directions the samples vary in", () => {
    // two uncorrelated columns of equal variance and a constant one: 2
    const x = [
      [1, 1, 5],
      [-1, 1, 5],
      [1, -1, 5],
      [-1, -1, 5],
    ];
    expect(participationRatio(x)).toBeCloseTo(2, 12);
    // every column a multiple of one: 1
    expect(participationRatio(x.map((r) => [r[0]!, 2 * r[0]!, -r[0]!]))).toBeCloseTo(1, 12);
    expect(
      participationRatio([
        [1, 2],
        [1, 2],
        [1, 2],
      ]),
    ).toBeNaN();
  });

  it("equals (sum of eigenvalues)^2 / sum of squared eigenvalues of the covariance, on random features", () => {
    const rng = Rng.fromSeed(11);
    for (const [n, d] of [
      [50, 6],
      [12, 9],
      [200, 3],
    ] as const) {
      const x = Array.from({ length: n }, () => Array.from({ length: d }, (_, j) => rng.normal() * (j + 1)));
      const mean = Array.from({ length: d }, (_, j) => x.reduce((s, r) => s + r[j]!, 0) / n);
      const cov = Array.from({ length: d }, (_, a) =>
        Array.from({ length: d }, (_, b) => x.reduce((s, r) => s + (r[a]! - mean[a]!) * (r[b]! - mean[b]!), 0)),
      );
      const ev = eigenvalues(cov);
      const sum = ev.reduce((s, v) => s + v, 0);
      const sq = ev.reduce((s, v) => s + v * v, 0);
      expect(participationRatio(x)).toBeCloseTo((sum * sum) / sq, 9);
    }
  });
});
