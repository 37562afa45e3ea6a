/**
 * PCGrad (Yu et al. 2020, "Gradient Surgery for Multi-Task Learning"): each task's gradient,
 * visiting the other tasks in a random order, loses its component along every task gradient
 * it conflicts with (negative dot product); the shared gradient is the sum of the projected
 * gradients. As the paper and LibMTL: the projection is onto the *original* gradient g_j,
 * with 1e-8 added to |g_j|^2.
 */
import { dot, type Vector } from "./linalg.js";

export interface PcgradResult {
  grad: Vector;
  /** The weight each original task gradient ends with in the sum (LibMTL's `batch_weight`). */
  weights: number[];
}

/** `order(i)`: the order in which task i visits the tasks (a permutation of 0..T-1). */
export function pcgrad(grads: readonly Vector[], order: (task: number) => readonly number[]): PcgradResult {
  const n = grads.length;
  const weights = new Array<number>(n).fill(1);
  const squared = grads.map((g) => dot(g, g) + 1e-8);
  const out = new Float64Array(grads[0]?.length ?? 0);
  for (let i = 0; i < n; i++) {
    const pc = Float64Array.from(grads[i]!);
    for (const j of order(i)) {
      const gij = dot(pc, grads[j]!);
      if (gij < 0) {
        const f = gij / squared[j]!;
        const gj = grads[j]!;
        for (let k = 0; k < pc.length; k++) pc[k]! -= f * gj[k]!;
        weights[j]! -= f;
      }
    }
    for (let k = 0; k < out.length; k++) out[k]! += pc[k]!;
  }
  return { grad: out, weights };
}
