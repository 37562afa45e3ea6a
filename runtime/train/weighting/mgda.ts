/**
 * MGDA (Sener and Koltun 2018, "Multi-Task Learning as Multi-Objective Optimization"): the
 * minimum-norm point of the convex hull of the task gradients, by the authors' Frank-Wolfe
 * solver (their MultiObjectiveOptimization code, as LibMTL copies it: the best pair first,
 * then at most 250 steps, stopping when the weights move by less than 1e-5 in L1). Gradients
 * are first divided by a normaliser: none, their L2 norm, the task's loss, or both (`loss+`).
 * With MGDA-UB (`mgda(upper_bound: true)`) the gradients are those of the shared
 * representation, not of the parameters (the caller's choice of vectors: runtime/train/trainer.ts).
 */
import { combine, gram, type Vector } from "./linalg.js";

export type MgdaNormalisation = "none" | "l2" | "loss" | "loss+";

export interface MgdaResult {
  /** The combination of the *normalised* gradients, as the authors apply it. */
  grad: Vector;
  weights: number[];
  /** What each task's gradient was divided by before the solver (1 without normalisation). */
  normalisers: number[];
}

export function mgda(grads: readonly Vector[], losses: readonly number[], normalise: MgdaNormalisation): MgdaResult {
  const normalisers = grads.map((g, i) => {
    const n = Math.sqrt(g.reduce((s, v) => s + v * v, 0));
    return normalise === "l2" ? n : normalise === "loss" ? losses[i]! : normalise === "loss+" ? losses[i]! * n : 1;
  });
  const scaled = grads.map((g, i) => g.map((v) => v / normalisers[i]!));
  const weights = minNormElement(gram(scaled));
  return { grad: combine(weights, scaled), weights, normalisers };
}

/** min-norm of two points: [gamma, cost] for gamma v1 + (1 - gamma) v2. */
function minNorm2(v1v1: number, v1v2: number, v2v2: number): [number, number] {
  if (v1v2 >= v1v1) return [0.999, v1v1];
  if (v1v2 >= v2v2) return [0.001, v2v2];
  const gamma = -1 * ((v1v2 - v2v2) / (v1v1 + v2v2 - 2 * v1v2));
  return [gamma, v2v2 + gamma * (v1v2 - v2v2)];
}

/** The authors' projection onto the simplex (their loop, kept for bit-level agreement). */
function projection2simplex(y: readonly number[]): number[] {
  const m = y.length;
  const sorted = [...y].sort((a, b) => b - a);
  let tmpsum = 0;
  let tmaxF = (y.reduce((a, b) => a + b, 0) - 1) / m;
  for (let i = 0; i < m - 1; i++) {
    tmpsum += sorted[i]!;
    const tmax = (tmpsum - 1) / (i + 1);
    if (tmax > sorted[i + 1]!) {
      tmaxF = tmax;
      break;
    }
  }
  return y.map((v) => Math.max(v - tmaxF, 0));
}

function nextPoint(cur: readonly number[], grad: readonly number[], n: number): number[] {
  const mean = grad.reduce((a, b) => a + b, 0) / n;
  const proj = grad.map((g) => g - mean);
  const tm1 = proj.flatMap((p, i) => (p < 0 ? [(-1 * cur[i]!) / p] : []));
  const tm2 = proj.flatMap((p, i) => (p > 0 ? [(1 - cur[i]!) / p] : []));
  let t = 1;
  const big1 = tm1.filter((v) => v > 1e-7);
  if (big1.length > 0) t = Math.min(...big1);
  const big2 = tm2.filter((v) => v > 1e-7);
  if (big2.length > 0) t = Math.min(t, Math.min(...big2));
  return projection2simplex(proj.map((p, i) => p * t + cur[i]!));
}

function quad(a: readonly number[], m: readonly (readonly number[])[], b: readonly number[]): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) for (let j = 0; j < b.length; j++) s += a[i]! * b[j]! * m[i]![j]!;
  return s;
}

function minNormElement(g: readonly (readonly number[])[]): number[] {
  const n = g.length;
  if (n === 1) return [1];
  let best: { i: number; j: number; gamma: number } | undefined;
  let dmin = 1e8;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const [gamma, d] = minNorm2(g[i]![i]!, g[i]![j]!, g[j]![j]!);
      if (d < dmin) {
        dmin = d;
        best = { i, j, gamma };
      }
    }
  }
  let sol = new Array<number>(n).fill(0);
  if (best === undefined) return sol.map(() => 1 / n); // every pair's cost >= 1e8: equal weights
  sol[best.i] = best.gamma;
  sol[best.j] = 1 - best.gamma;
  if (n < 3) return sol;
  for (let iter = 0; iter < 250; iter++) {
    const gradDir = g.map((row) => -1 * row.reduce((s, v, k) => s + v * sol[k]!, 0));
    const newPoint = nextPoint(sol, gradDir, n);
    const [nc] = minNorm2(quad(sol, g, sol), quad(sol, g, newPoint), quad(newPoint, g, newPoint));
    const next = sol.map((v, k) => nc * v + (1 - nc) * newPoint[k]!);
    const change = next.reduce((s, v, k) => s + Math.abs(v - sol[k]!), 0);
    if (change < 1e-5) return sol;
    sol = next;
  }
  return sol;
}
