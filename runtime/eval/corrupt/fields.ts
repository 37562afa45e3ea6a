/**
 * Random fields and numeric helpers for the corruptions, in plain JavaScript
 * (float64) from the seeded {@link Rng}: the plasma fractal of fog and frost,
 * Poisson quantiles for shot noise, the normal quantile, Gaussian smoothing of a
 * 2-D field with reflected borders, and 2-D affine maps.
 */
import type { Rng } from "../../random.js";
import { reflectCoordinate } from "./filters.js";

/**
 * The plasma fractal of ImageNet-C (diamond-square): a `size` x `size` map in
 * [0, 1] (`size` a power of two); each level's random offsets shrink by
 * `decay`. The uniforms are drawn in a fixed order, so two decays with the same
 * generator state give maps with the same layout.
 */
export function plasmaFractal(size: number, decay: number, rng: Rng): Float64Array {
  if (size < 2 || (size & (size - 1)) !== 0) throw new RangeError(`plasma size must be a power of two, got ${size}`);
  const map = new Float64Array(size * size);
  const at = (y: number, x: number): number => map[(((y % size) + size) % size) * size + (((x % size) + size) % size)]!;
  let step = size;
  let wibble = 100;
  while (step >= 2) {
    const half = step / 2;
    // Squares: centre = mean of its four corners + noise.
    for (let y = 0; y < size; y += step) {
      for (let x = 0; x < size; x += step) {
        const sum = at(y, x) + at(y + step, x) + at(y, x + step) + at(y + step, x + step);
        map[(y + half) * size + x + half] = sum / 4 + wibble * rng.range(-wibble, wibble);
      }
    }
    // Diamonds: edge midpoints = mean of the two corners and two centres + noise.
    for (let y = 0; y < size; y += step) {
      for (let x = 0; x < size; x += step) {
        const top = at(y, x) + at(y, x + step) + at(y - half, x + half) + at(y + half, x + half);
        map[y * size + x + half] = top / 4 + wibble * rng.range(-wibble, wibble);
        const left = at(y, x) + at(y + step, x) + at(y + half, x - half) + at(y + half, x + half);
        map[(y + half) * size + x] = left / 4 + wibble * rng.range(-wibble, wibble);
      }
    }
    step = half;
    wibble /= decay;
  }
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of map) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  const span = hi - lo || 1;
  for (let i = 0; i < map.length; i++) map[i] = (map[i]! - lo) / span;
  return map;
}

/** The smallest power of two >= n. */
export function nextPowerOfTwo(n: number): number {
  let p = 2;
  while (p < n) p *= 2;
  return p;
}

/**
 * The standard normal quantile Phi^-1(p) for p in (0, 1) (Acklam's rational
 * approximation, relative error < 1.2e-9).
 */
export function normalQuantile(p: number): number {
  const a = [
    -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239,
  ];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [
    -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968,
    2.938163982698783,
  ];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const low = 0.02425;
  if (p <= 0) return -Infinity;
  if (p >= 1) return Infinity;
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (
      (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) /
      ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1)
    );
  }
  if (p > 1 - low) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) /
    (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1)
  );
}

/** Above this mean, Poisson quantiles use the normal approximation. */
export const POISSON_EXACT_LIMIT = 64;

/**
 * The `u`-quantile of a Poisson distribution with mean `lambda`: exact (CDF
 * summed term by term) for lambda <= {@link POISSON_EXACT_LIMIT}, else the
 * normal approximation with continuity correction. Driving several means from
 * one uniform couples the draws: a larger mean never gives a smaller count.
 */
export function poissonQuantile(lambda: number, u: number): number {
  if (!(lambda > 0)) return 0;
  if (lambda > POISSON_EXACT_LIMIT) {
    return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * normalQuantile(u) - 0.5));
  }
  let term = Math.exp(-lambda);
  let cdf = term;
  let k = 0;
  while (cdf < u && k < 1000) {
    k++;
    term *= lambda / k;
    cdf += term;
  }
  return k;
}

/** Gaussian smoothing of an h x w field with reflected borders, truncated at `truncate` sigmas (any sigma). */
export function smoothField(field: Float64Array, h: number, w: number, sigma: number, truncate = 3): Float64Array {
  if (!(sigma > 0)) return Float64Array.from(field);
  const radius = Math.max(1, Math.ceil(truncate * sigma));
  const g = new Float64Array(2 * radius + 1);
  let sum = 0;
  for (let i = -radius; i <= radius; i++) {
    g[i + radius] = Math.exp(-(i * i) / (2 * sigma * sigma));
    sum += g[i + radius]!;
  }
  for (let i = 0; i < g.length; i++) g[i] = g[i]! / sum;
  const reflect = (i: number, n: number): number => Math.round(reflectCoordinate(i, n));
  const tmp = new Float64Array(h * w);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let s = 0;
      for (let k = -radius; k <= radius; k++) s += g[k + radius]! * field[y * w + reflect(x + k, w)]!;
      tmp[y * w + x] = s;
    }
  }
  const out = new Float64Array(h * w);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let s = 0;
      for (let k = -radius; k <= radius; k++) s += g[k + radius]! * tmp[reflect(y + k, h) * w + x]!;
      out[y * w + x] = s;
    }
  }
  return out;
}

/** A 2-D affine map (x, y) -> (a x + b y + c, d x + e y + f). */
export interface Affine {
  a: number;
  b: number;
  c: number;
  d: number;
  e: number;
  f: number;
}

/** The affine map that sends the three points `from[i]` to `to[i]` (points as [x, y]). */
export function affineFromPoints(
  from: ReadonlyArray<readonly [number, number]>,
  to: ReadonlyArray<readonly [number, number]>,
): Affine {
  const [p0, p1, p2] = from as [readonly [number, number], readonly [number, number], readonly [number, number]];
  const det = p0[0] * (p1[1] - p2[1]) - p0[1] * (p1[0] - p2[0]) + (p1[0] * p2[1] - p2[0] * p1[1]);
  if (Math.abs(det) < 1e-12) throw new RangeError("affineFromPoints: the source points are collinear");
  // Solve [x y 1] * [a d; b e; c f] = [x' y'] by Cramer's rule on the 3x3 system.
  const solve = (v0: number, v1: number, v2: number): [number, number, number] => {
    const m = (
      a0: number,
      a1: number,
      a2: number,
      b0: number,
      b1: number,
      b2: number,
      c0: number,
      c1: number,
      c2: number,
    ): number => a0 * (b1 * c2 - b2 * c1) - a1 * (b0 * c2 - b2 * c0) + a2 * (b0 * c1 - b1 * c0);
    const x = m(v0, p0[1], 1, v1, p1[1], 1, v2, p2[1], 1) / det;
    const y = m(p0[0], v0, 1, p1[0], v1, 1, p2[0], v2, 1) / det;
    const z = m(p0[0], p0[1], v0, p1[0], p1[1], v1, p2[0], p2[1], v2) / det;
    return [x, y, z];
  };
  const [t0, t1, t2] = to as [readonly [number, number], readonly [number, number], readonly [number, number]];
  const [a, b, c] = solve(t0[0], t1[0], t2[0]);
  const [d, e, f] = solve(t0[1], t1[1], t2[1]);
  return { a, b, c, d, e, f };
}

/** The inverse of an affine map. */
export function invertAffine(m: Affine): Affine {
  const det = m.a * m.e - m.b * m.d;
  if (Math.abs(det) < 1e-12) throw new RangeError("invertAffine: the map is singular");
  const a = m.e / det;
  const b = -m.b / det;
  const d = -m.d / det;
  const e = m.a / det;
  return { a, b, c: -(a * m.c + b * m.f), d, e, f: -(d * m.c + e * m.f) };
}
