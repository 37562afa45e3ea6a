/**
 * IMTL (Liu et al. 2021, "Towards Impartial Multi-task Learning"), both halves as the paper
 * combines them:
 * - IMTL-L: each task's loss is scaled to e^s L - s with a learned s (start 0), trained by
 *   the optimiser with the gradient e^s L - 1;
 * - IMTL-G: the shared gradient sum_t alpha_t g_t whose projections on every unit task
 *   gradient u_t are equal: alpha_2..T = g_1 U^T (D U^T)^-1 with D = g_1 - g_t and
 *   U = u_1 - u_t (rows t = 2..T), alpha_1 = 1 - sum(alpha_2..T). The g_t are the gradients of
 *   the scaled losses.
 */
import { combine, dot, norm, solve, type Vector } from "./linalg.js";

export interface ImtlResult {
  grad: Vector;
  weights: number[];
}

export function imtlGradient(grads: readonly Vector[]): ImtlResult {
  const n = grads.length;
  if (n === 1) return { grad: Float64Array.from(grads[0]!), weights: [1] };
  const units = grads.map((g) => {
    const l = norm(g);
    return g.map((v) => v / l);
  });
  const rows = n - 1;
  const d = Array.from({ length: rows }, (_, r) => grads[0]!.map((v, k) => v - grads[r + 1]![k]!));
  const u = Array.from({ length: rows }, (_, r) => units[0]!.map((v, k) => v - units[r + 1]![k]!));
  // alpha (row vector) = (g_1 U^T) (D U^T)^-1, i.e. (D U^T)^T alpha^T = (g_1 U^T)^T.
  const gu = u.map((ur) => dot(grads[0]!, ur));
  const duT = d.map((dr) => u.map((ur) => dot(dr, ur)));
  const transposed = duT[0]!.map((_, c) => duT.map((row) => row[c]!));
  const rest = solve(transposed, gu) ?? new Array<number>(rows).fill(1 / n);
  const weights = [1 - rest.reduce((a, b) => a + b, 0), ...rest];
  return { grad: combine(weights, grads), weights };
}

/** IMTL-L: the scaled loss e^s L - s and its derivative in s. */
export function imtlScaledLoss(loss: number, s: number): { loss: number; scaleGrad: number } {
  return { loss: Math.exp(s) * loss - s, scaleGrad: Math.exp(s) * loss - 1 };
}
