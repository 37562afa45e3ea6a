/**
 * CAGrad (Liu et al. 2021, "Conflict-Averse Gradient Descent for Multi-task Learning"): the
 * update d = g0 + (sqrt(phi) / |g_w|) g_w, g0 the average gradient, phi = c^2 |g0|^2, and w
 * on the simplex minimising g_w . g0 + sqrt(phi) |g_w|, rescaled by 1 / (1 + c^2) as the
 * authors' code does by default (`rescale: 1`; 0 = none, 2 = 1 / (1 + c)).
 *
 * The authors and LibMTL solve the inner problem with scipy's SLSQP at its default tolerance;
 * here it is solved to convergence (projected gradient with backtracking on the simplex, a
 * convex problem), which the tests check against SLSQP run to 1e-15.
 */
import { combine, dot, gram, matVec, norm, projectToSimplex, type Vector } from "./linalg.js";

export interface CagradResult {
  grad: Vector;
  /** w, the simplex weights of the inner problem. */
  weights: number[];
}

export function cagrad(grads: readonly Vector[], c: number, rescale: 0 | 1 | 2 = 1): CagradResult {
  const n = grads.length;
  const a = gram(grads);
  const b = new Array<number>(n).fill(1 / n);
  const ab = matVec(a, b);
  // As the authors' code: |g0| = sqrt(mean(G) + 1e-8), and 1e-8 added to c |g0|.
  const g0Norm = Math.sqrt(dot(ab, b) + 1e-8);
  const cc = c * g0Norm + 1e-8;
  const objective = (x: readonly number[]): number => dot(x, ab) + cc * Math.sqrt(dot(x, matVec(a, x)) + 1e-8);
  const gradient = (x: readonly number[]): number[] => {
    const ax = matVec(a, x);
    const r = Math.sqrt(dot(x, ax) + 1e-8);
    return ab.map((v, i) => v + (cc * ax[i]!) / r);
  };
  const weights = minimiseOnSimplex(objective, gradient, b);
  const gw = combine(weights, grads);
  const lambda = cc / (norm(gw) + 1e-8);
  const g0 = combine(b, grads);
  const divisor = rescale === 0 ? 1 : rescale === 1 ? 1 + c * c : 1 + c;
  const grad = new Float64Array(g0.length);
  for (let k = 0; k < grad.length; k++) grad[k] = (g0[k]! + lambda * gw[k]!) / divisor;
  return { grad, weights };
}

/**
 * Projected gradient descent with backtracking (the sufficient-decrease test of the proximal
 * gradient method) from `start`, until a step moves no coordinate by more than 1e-15.
 */
function minimiseOnSimplex(
  f: (x: readonly number[]) => number,
  grad: (x: readonly number[]) => number[],
  start: readonly number[],
): number[] {
  let x = [...start];
  let fx = f(x);
  let step = 1;
  for (let iter = 0; iter < 100_000; iter++) {
    const g = grad(x);
    let next: number[];
    let fNext: number;
    for (;;) {
      next = projectToSimplex(x.map((v, i) => v - step * g[i]!));
      fNext = f(next);
      const d = next.map((v, i) => v - x[i]!);
      if (fNext <= fx + dot(g, d) + dot(d, d) / (2 * step) + 1e-15 * Math.abs(fx) || step < 1e-30) break;
      step /= 2;
    }
    const moved = Math.max(...next.map((v, i) => Math.abs(v - x[i]!)));
    x = next;
    fx = fNext;
    if (moved <= 1e-15) break;
    step *= 1.5;
  }
  return x;
}
