/**
 * The weighting methods that only rescale task losses (no per-task gradients of the shared
 * parameters, except GradNorm's norms on one layer).
 */
import type { Rng } from "../../random.js";
import { softmax } from "./linalg.js";

/**
 * Uncertainty weighting (Kendall et al. 2018): L_t / (2 e^s_t) + s_t / 2 with s_t = log
 * sigma_t^2 learned (start -0.5, as LibMTL; the paper gives none). Returns the term, its
 * derivative in s_t, and the task's effective weight 1 / (2 e^s_t).
 */
export function uncertaintyTerm(loss: number, s: number): { loss: number; logVarianceGrad: number; weight: number } {
  const weight = 1 / (2 * Math.exp(s));
  return { loss: loss * weight + s / 2, logVarianceGrad: -loss * weight + 0.5, weight };
}

/**
 * Dynamic weight average (Liu et al. 2019): from the third epoch, w_t = T softmax(r / temperature)_t
 * with r_t = L_t(e-1) / L_t(e-2), the mean training losses of the two epochs before; 1 before.
 * `history[e][t]`: task t's mean training loss in completed epoch e (0-based).
 */
export function dwaWeights(history: readonly (readonly number[])[], tasks: number, temperature: number): number[] {
  const e = history.length;
  if (e < 2) return new Array<number>(tasks).fill(1);
  const last = history[e - 1]!;
  const before = history[e - 2]!;
  return softmax(last.map((l, t) => l / before[t]! / temperature)).map((w) => w * tasks);
}

/** Random loss weighting (Lin et al. 2022): softmax of T standard normals, new at every step. */
export function randomWeights(rng: Rng, tasks: number): number[] {
  return softmax(Array.from({ length: tasks }, () => rng.normal()));
}

export interface GradnormStep {
  /** The loss weights after the step, renormalised to sum T. */
  weights: number[];
  /** L_grad = sum_t |G_t - target_t| before the step. */
  lGrad: number;
  /** dL_grad / dw_t. */
  grad: number[];
}

/**
 * One GradNorm update of the loss weights (Chen et al. 2018, Algorithm 1): G_t = w_t |g_t|
 * with g_t task t's gradient on the last shared layer's weights, r_t = (L_t / L_t(0)) over its
 * mean, target_t = mean(G) r_t^alpha held constant, w <- w - lr dL_grad/dw, then rescaled so
 * the weights sum to T. (LibMTL differs: softmax-parametrised weights and every shared
 * parameter instead of the last layer; docs/algorithms.md.)
 */
export function gradnormStep(
  weights: readonly number[],
  gradNorms: readonly number[],
  losses: readonly number[],
  initialLosses: readonly number[],
  alpha: number,
  lr: number,
): GradnormStep {
  const tasks = weights.length;
  const g = weights.map((w, t) => w * gradNorms[t]!);
  const ratio = losses.map((l, t) => l / initialLosses[t]!);
  const meanRatio = ratio.reduce((a, b) => a + b, 0) / tasks;
  const meanG = g.reduce((a, b) => a + b, 0) / tasks;
  const target = ratio.map((r) => meanG * (r / meanRatio) ** alpha);
  const grad = g.map((v, t) => Math.sign(v - target[t]!) * gradNorms[t]!);
  const stepped = weights.map((w, t) => w - lr * grad[t]!);
  const sum = stepped.reduce((a, b) => a + b, 0);
  return {
    weights: stepped.map((w) => (w * tasks) / sum),
    lGrad: g.reduce((s, v, t) => s + Math.abs(v - target[t]!), 0),
    grad,
  };
}
