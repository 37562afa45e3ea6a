/**
 * CAGrad (Liu et al. 2021, "Conflict-Averse Gradient Descent for Multi-task Learning"): the
 * update d = g0 + (sqrt(phi) / |g_w|) g_w, g0 the average gradient, phi = c^2 |g0|^2, and w
 * on the simplex minimising g_w . g0 + sqrt(phi) |g_w|, rescaled by 1 / (1 + c^2) as the
 * authors' code does by default (`rescale: 1`; 0 = none, 2 = 1 / (1 + c)).
 *
 * The authors and LibMTL solve the inner problem with scipy's SLSQP at its default tolerance;
 * here it is solved to convergence (a convex problem on the simplex: projected gradient finds
 * the face of the solution, Newton's method on that face finishes it, the KKT conditions decide
 * when to stop), which the tests check against SLSQP run to 1e-15.
 */
import { combine, dot, gram, matVec, norm, projectToSimplex, solve, type Vector } from "./linalg.js";

export interface CagradResult {
  grad: Vector;
  /** w, the simplex weights of the inner problem. */
  weights: number[];
}

/**
 * CAGrad's inner problem on the Gram matrix `a` of the task gradients: minimise over the
 * simplex f(x) = x . A b + cc sqrt(x' A x + 1e-8), b the uniform weights, cc = c |g0| + 1e-8
 * (as the authors' code: |g0| = sqrt(mean(G) + 1e-8)); with its gradient and Hessian.
 */
export function cagradInnerProblem(a: readonly (readonly number[])[], c: number) {
  const n = a.length;
  const start = new Array<number>(n).fill(1 / n);
  const ab = matVec(a, start);
  const cc = c * Math.sqrt(dot(ab, start) + 1e-8) + 1e-8;
  const radius = (ax: readonly number[], x: readonly number[]): number => Math.sqrt(dot(x, ax) + 1e-8);
  return {
    start,
    cc,
    f: (x: readonly number[]): number => dot(x, ab) + cc * radius(matVec(a, x), x),
    grad: (x: readonly number[]): number[] => {
      const ax = matVec(a, x);
      const r = radius(ax, x);
      return ab.map((v, i) => v + (cc * ax[i]!) / r);
    },
    hessian: (x: readonly number[]): number[][] => {
      const ax = matVec(a, x);
      const r = radius(ax, x);
      return a.map((row, i) => row.map((v, j) => cc * (v / r - (ax[i]! * ax[j]!) / (r * r * r))));
    },
  };
}

export function cagrad(grads: readonly Vector[], c: number, rescale: 0 | 1 | 2 = 1): CagradResult {
  const problem = cagradInnerProblem(gram(grads), c);
  const { start: b, cc } = problem;
  const weights = minimiseOnSimplex(problem, b);
  const gw = combine(weights, grads);
  const lambda = cc / (norm(gw) + 1e-8);
  const g0 = combine(b, grads);
  const divisor = rescale === 0 ? 1 : rescale === 1 ? 1 + c * c : 1 + c;
  const grad = new Float64Array(g0.length);
  for (let k = 0; k < grad.length; k++) grad[k] = (g0[k]! + lambda * gw[k]!) / divisor;
  return { grad, weights };
}

interface Smooth {
  f: (x: readonly number[]) => number;
  grad: (x: readonly number[]) => number[];
  hessian: (x: readonly number[]) => number[][];
}

/**
 * The minimiser of a smooth convex function on the probability simplex, from `start`: a
 * projected gradient descent with backtracking (the sufficient-decrease test of the proximal
 * gradient method) brings x near the solution's face; then Newton's method on the face
 * {x_S >= 0, sum x_S = 1}, S the support, dropping a coordinate that a step would make
 * negative and adding the one whose KKT condition (g_i >= the face's multiplier) fails most,
 * until the Newton step moves nothing and every condition holds. Projected gradient alone
 * converges linearly and took ~10^5 iterations (350 ms) where the solution lies inside a face
 * of an ill-conditioned problem; the Newton phase takes a few steps. Whichever of the two ends
 * lower is returned, so the Newton phase can only improve on the descent it starts from.
 */
export function minimiseOnSimplex(fn: Smooth, start: readonly number[]): number[] {
  const descended = projectedGradient(fn, start, 200);
  const polished = newtonOnFaces(fn, descended);
  return polished !== null && fn.f(polished) <= fn.f(descended) ? polished : projectedGradient(fn, descended, 100_000);
}

/** The KKT residual on the simplex: max over i of |x_i (g_i - nu)| and max(0, nu - g_i), nu = min g. */
export function simplexKktResidual(x: readonly number[], g: readonly number[]): number {
  const support = x.map((v, i) => (v > 0 ? i : -1)).filter((i) => i >= 0);
  const nu = support.reduce((s, i) => s + g[i]!, 0) / Math.max(1, support.length);
  let residual = 0;
  for (let i = 0; i < x.length; i++) {
    residual = Math.max(residual, x[i]! > 0 ? Math.abs(g[i]! - nu) : Math.max(0, nu - g[i]!));
  }
  return residual;
}

function newtonOnFaces(fn: Smooth, start: readonly number[]): number[] | null {
  const n = start.length;
  let x = [...start];
  let support = x.map((v) => v > 0);
  for (let iter = 0; iter < 200; iter++) {
    const g = fn.grad(x);
    const scale = Math.max(1, ...g.map(Math.abs));
    const idx = support.flatMap((on, i) => (on ? [i] : []));
    const m = idx.length;
    const h = fn.hessian(x);
    // [H_SS 1; 1' 0] [d; mu] = [-g_S; 0], with a little damping where H_SS is singular (a Gram
    // matrix of dependent gradients).
    const trace = idx.reduce((s, i) => s + Math.abs(h[i]![i]!), 0) / Math.max(1, m);
    let step: number[] | null = null;
    for (
      let damping = 0;
      step === null && damping <= 1e-2 * trace + 1e-300;
      damping = damping === 0 ? 1e-14 * trace + 1e-300 : damping * 100
    ) {
      const kkt = Array.from({ length: m + 1 }, (_, r) =>
        Array.from({ length: m + 1 }, (_, c) =>
          r < m && c < m ? h[idx[r]!]![idx[c]!]! + (r === c ? damping : 0) : r === m && c === m ? 0 : 1,
        ),
      );
      step = solve(kkt, [...idx.map((i) => -g[i]!), 0]);
    }
    if (step === null) return null;
    const d = new Array<number>(n).fill(0);
    idx.forEach((i, k) => (d[i] = step![k]!));
    const moves = Math.max(...d.map(Math.abs));
    if (moves <= 1e-15) {
      // Converged on this face: the multiplier is the support's mean gradient; an index
      // outside the support whose gradient is below it would lower f.
      const nu = idx.reduce((s, i) => s + g[i]!, 0) / m;
      let worst = -1;
      for (let i = 0; i < n; i++)
        if (!support[i] && g[i]! - nu < -1e-13 * scale && (worst < 0 || g[i]! < g[worst]!)) worst = i;
      if (worst < 0) return x;
      support[worst] = true;
      continue;
    }
    // The largest step that keeps x >= 0, then backtracking on f.
    let limit = 1;
    let blocking = -1;
    for (const i of idx) {
      if (d[i]! < 0 && -x[i]! / d[i]! < limit) {
        limit = -x[i]! / d[i]!;
        blocking = i;
      }
    }
    const fx = fn.f(x);
    const slope = dot(g, d);
    let t = limit;
    let next = x;
    for (; t > 1e-12; t /= 2) {
      next = x.map((v, i) => Math.max(0, v + t * d[i]!));
      if (t === limit && blocking >= 0) next[blocking] = 0;
      if (fn.f(next) <= fx + 1e-4 * t * slope + 1e-15 * Math.abs(fx)) break;
    }
    if (t <= 1e-12) return null;
    const sum = next.reduce((s, v) => s + v, 0);
    x = next.map((v) => v / sum);
    if (t === limit && blocking >= 0) support[blocking] = false;
    support = support.map((on, i) => on && x[i]! > 0);
    if (!support.some((on) => on)) return null;
  }
  return null;
}

/**
 * Projected gradient descent with backtracking (the sufficient-decrease test of the proximal
 * gradient method) from `start`, until a step moves no coordinate by more than 1e-15 or after
 * `maxIterations`.
 */
function projectedGradient(fn: Smooth, start: readonly number[], maxIterations: number): number[] {
  const { f, grad } = fn;
  let x = [...start];
  let fx = f(x);
  let step = 1;
  for (let iter = 0; iter < maxIterations; iter++) {
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
