/**
 * Small float64 linear algebra for the weighting methods: task gradients are vectors over the
 * shared parameters (thousands to millions of entries), the systems solved are T x T (T tasks).
 */

/** A task's gradient over the shared parameters, flattened. */
export type Vector = Float64Array;

export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

export function norm(a: ArrayLike<number>): number {
  return Math.sqrt(dot(a, a));
}

/** G[i][j] = g_i . g_j. */
export function gram(grads: readonly Vector[]): number[][] {
  const n = grads.length;
  const g: number[][] = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      const v = dot(grads[i]!, grads[j]!);
      g[i]![j] = v;
      g[j]![i] = v;
    }
  }
  return g;
}

/** sum_i w_i g_i. */
export function combine(weights: readonly number[], grads: readonly Vector[]): Vector {
  const out = new Float64Array(grads[0]?.length ?? 0);
  grads.forEach((g, i) => {
    const w = weights[i]!;
    for (let k = 0; k < out.length; k++) out[k]! += w * g[k]!;
  });
  return out;
}

/**
 * Scales `v` in place to norm `maxNorm` when it is longer, as torch.nn.utils.clip_grad_norm_
 * does (factor maxNorm / (norm + 1e-6) when below 1); `maxNorm` 0 leaves it alone.
 */
export function clipToNorm(v: Vector, maxNorm: number): Vector {
  if (maxNorm <= 0) return v;
  const scale = maxNorm / (norm(v) + 1e-6);
  if (scale < 1) for (let k = 0; k < v.length; k++) v[k]! *= scale;
  return v;
}

/** M v. */
export function matVec(m: readonly (readonly number[])[], v: readonly number[]): number[] {
  return m.map((row) => dot(row, v));
}

/**
 * x with A x = b, by Gaussian elimination with partial pivoting; null when A is singular
 * (a pivot below 1e-300 times the largest entry).
 */
export function solve(a: readonly (readonly number[])[], b: readonly number[]): number[] | null {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]!]);
  const scale = Math.max(...a.flat().map(Math.abs), 0);
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(m[r]![col]!) > Math.abs(m[pivot]![col]!)) pivot = r;
    if (!(Math.abs(m[pivot]![col]!) > 1e-300 * scale)) return null;
    [m[col], m[pivot]] = [m[pivot]!, m[col]!];
    for (let r = col + 1; r < n; r++) {
      const f = m[r]![col]! / m[col]![col]!;
      for (let c = col; c <= n; c++) m[r]![c]! -= f * m[col]![c]!;
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = m[r]![n]!;
    for (let c = r + 1; c < n; c++) s -= m[r]![c]! * x[c]!;
    x[r] = s / m[r]![r]!;
  }
  return x;
}

/** The Euclidean projection of y onto the probability simplex (sort-based, exact). */
export function projectToSimplex(y: readonly number[]): number[] {
  const sorted = [...y].sort((a, b) => b - a);
  let sum = 0;
  let theta = 0;
  for (let i = 0; i < sorted.length; i++) {
    sum += sorted[i]!;
    const t = (sum - 1) / (i + 1);
    if (sorted[i]! - t > 0) theta = t;
  }
  return y.map((v) => Math.max(v - theta, 0));
}

export function softmax(x: readonly number[]): number[] {
  const max = Math.max(...x);
  const e = x.map((v) => Math.exp(v - max));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}
