/**
 * Nash-MTL (Navon et al. 2022, "Multi-Task Learning as a Bargaining Game"): the update
 * sum_t alpha_t g_t with alpha > 0 solving G alpha = 1 / alpha, G = [g_i . g_j] divided by its
 * Frobenius norm as the authors' code does; the shared gradient is then clipped to `maxNorm`
 * (the authors' default 1), and every task's loss is weighted by alpha_t, task-specific
 * parameters included.
 *
 * The authors (and LibMTL) approach the solution by at most 20 convex programs (cvxpy, ECOS)
 * from the previous step's alpha. Here it is solved exactly: alpha minimises the strictly
 * convex f(alpha) = alpha^T G alpha / 2 - sum log alpha (its gradient is G alpha - 1/alpha),
 * by Newton's method from the previous alpha, halving steps that leave alpha > 0, until
 * max |alpha_t (G alpha)_t - 1| < 1e-12.
 */
import { clipToNorm, combine, dot, gram, matVec, solve, type Vector } from "./linalg.js";

export interface NashResult {
  grad: Vector;
  weights: number[];
  /** max |alpha_t (G alpha)_t - 1| at the solution. */
  residual: number;
}

export function nashMtl(grads: readonly Vector[], previous: readonly number[] | null, maxNorm = 1): NashResult {
  const n = grads.length;
  const raw = gram(grads);
  const frobenius = Math.sqrt(raw.flat().reduce((s, v) => s + v * v, 0));
  const g = raw.map((row) => row.map((v) => v / frobenius));
  let alpha = previous?.length === n && previous.every((v) => v > 0) ? [...previous] : new Array<number>(n).fill(1);
  const residualOf = (a: readonly number[]): number =>
    Math.max(...matVec(g, a).map((ga, i) => Math.abs(a[i]! * ga - 1)));
  const f = (a: readonly number[]): number => 0.5 * dot(a, matVec(g, a)) - a.reduce((s, v) => s + Math.log(v), 0);
  let residual = residualOf(alpha);
  for (let iter = 0; iter < 200 && residual >= 1e-12; iter++) {
    const gradient = matVec(g, alpha).map((v, i) => v - 1 / alpha[i]!);
    const hessian = g.map((row, i) => row.map((v, j) => v + (i === j ? 1 / alpha[i]! ** 2 : 0)));
    const step = solve(hessian, gradient);
    if (step === null) break;
    let t = 1;
    const f0 = f(alpha);
    let next = alpha.map((v, i) => v - t * step[i]!);
    // Stay positive, and decrease f (Armijo) while far from the solution; close to it, where
    // Newton converges quadratically and f's differences drown in rounding, take full steps.
    const decrease = step.reduce((s, v, i) => s + v * gradient[i]!, 0);
    const far = residual > 1e-3;
    while ((next.some((v) => v <= 0) || (far && f(next) > f0 - 1e-4 * t * decrease)) && t > 1e-12) {
      t /= 2;
      next = alpha.map((v, i) => v - t * step[i]!);
    }
    if (next.some((v) => v <= 0)) break;
    alpha = next;
    residual = residualOf(alpha);
  }
  const combined = clipToNorm(combine(alpha, grads), maxNorm);
  return { grad: combined, weights: alpha, residual };
}
