/**
 * The weighting methods of runtime/train/weighting/ against LibMTL, run on recorded per-task
 * losses and gradients in float64 (fixtures/libmtl.json, written by
 * scripts/fixtures/libmtl_weighting.py from LibMTL's own classes), and against float64
 * references of the papers where we follow the paper rather than LibMTL: CAGrad's inner
 * problem solved to convergence (scipy SLSQP at 1e-15), Nash-MTL's exact bargaining solution
 * (LibMTL's module needs cvxpy), GradNorm's update as the paper writes it.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

import { cagrad } from "../../../runtime/train/weighting/cagrad.js";
import { imtlGradient, imtlScaledLoss } from "../../../runtime/train/weighting/imtl.js";
import {
  dwaWeights,
  gradnormStep,
  randomWeights,
  uncertaintyTerm,
} from "../../../runtime/train/weighting/loss-weights.js";
import { Rng } from "../../../runtime/random.js";
import { combine, norm } from "../../../runtime/train/weighting/linalg.js";
import { mgda, type MgdaNormalisation } from "../../../runtime/train/weighting/mgda.js";
import { nashMtl } from "../../../runtime/train/weighting/nash-mtl.js";
import { pcgrad } from "../../../runtime/train/weighting/pcgrad.js";

interface Case {
  name: string;
  grads: number[][];
  losses: number[];
  [method: string]: unknown;
}
const fixture = JSON.parse(readFileSync(new URL("fixtures/libmtl.json", import.meta.url), "utf8")) as {
  cases: Case[];
};
const vectors = (c: Case): Float64Array[] => c.grads.map((g) => Float64Array.from(g));
const field = <T>(c: Case, name: string): T => c[name] as T;

/** max |a - b| / max(1, max |b|). */
function expectNear(actual: ArrayLike<number>, expected: readonly number[], tolerance: number, label: string): void {
  expect(actual.length, label).toBe(expected.length);
  let diff = 0;
  let scale = 1;
  for (let i = 0; i < expected.length; i++) {
    diff = Math.max(diff, Math.abs(actual[i]! - expected[i]!));
    scale = Math.max(scale, Math.abs(expected[i]!));
  }
  expect(diff / scale, `${label}: ${Array.from(actual).join(", ")} against ${expected.join(", ")}`).toBeLessThan(
    tolerance,
  );
}

describe.each(fixture.cases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
  const grads = vectors(c);

  it("pcgrad equals LibMTL's, in LibMTL's task orders", () => {
    const ref = field<{ orders: number[][]; grad: number[]; weights: number[] }>(c, "pcgrad");
    const out = pcgrad(grads, (i) => ref.orders[i]!);
    expectNear(out.grad, ref.grad, 1e-12, "grad");
    expectNear(out.weights, ref.weights, 1e-12, "weights");
  });

  it.each([0.4, 0.5])("cagrad(c: %s) reaches the converged optimum, and LibMTL's SLSQP answer", (calpha) => {
    const ref = field<{ grad: number[]; weights: number[]; libmtl_grad: number[] }>(c, `cagrad_c${calpha}`);
    const out = cagrad(grads, calpha, 1);
    expectNear(out.grad, ref.grad, 1e-6, "grad against the converged reference");
    expectNear(out.grad, ref.libmtl_grad, 1e-3, "grad against LibMTL (SLSQP at its default tolerance)");
    expect(out.weights.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(Math.min(...out.weights)).toBeGreaterThanOrEqual(0);
  });

  it.each(["none", "l2", "loss", "loss+"] as const)("mgda(normalise: %s) equals LibMTL's", (gn: MgdaNormalisation) => {
    const ref = field<{ grad: number[]; weights: number[] }>(c, `mgda_${gn}`);
    const out = mgda(grads, c.losses, gn);
    expectNear(out.weights, ref.weights, 1e-9, "weights");
    expectNear(out.grad, ref.grad, 1e-9, "grad");
  });

  it("imtl equals LibMTL's (gradient weights, and the loss scales' gradient at s = 0)", () => {
    const ref = field<{ grad: number[]; weights: number[]; scale_grad: number[] }>(c, "imtl");
    const out = imtlGradient(grads);
    expectNear(out.weights, ref.weights, 1e-9, "weights");
    expectNear(out.grad, ref.grad, 1e-9, "grad");
    expectNear(
      c.losses.map((l) => imtlScaledLoss(l, 0).scaleGrad),
      ref.scale_grad,
      1e-12,
      "loss-scale grad",
    );
  });

  it("uw equals LibMTL's weights, combined gradient and log-variance gradient", () => {
    const ref = field<{ log_variance: number[]; weights: number[]; grad: number[]; log_variance_grad: number[] }>(
      c,
      "uw",
    );
    const terms = c.losses.map((l, t) => uncertaintyTerm(l, ref.log_variance[t]!));
    expectNear(
      terms.map((t) => t.weight),
      ref.weights,
      1e-12,
      "weights",
    );
    expectNear(
      combine(
        terms.map((t) => t.weight),
        grads,
      ),
      ref.grad,
      1e-12,
      "grad",
    );
    expectNear(
      terms.map((t) => t.logVarianceGrad),
      ref.log_variance_grad,
      1e-12,
      "log-variance grad",
    );
  });

  it.each([1, 2, 3])("dwa at epoch %s equals LibMTL's", (epoch) => {
    const ref = field<{ history: number[][]; weights: number[] }>(c, `dwa_epoch${epoch}`);
    expectNear(dwaWeights(ref.history, c.losses.length, 2), ref.weights, 1e-12, "weights");
  });

  it("gradnorm makes the paper's update", () => {
    const ref = field<{
      initial: number[];
      weights_before: number[];
      alpha: number;
      lr: number;
      l_grad: number;
      grad: number[];
      weights: number[];
    }>(c, "gradnorm");
    const out = gradnormStep(ref.weights_before, grads.map(norm), c.losses, ref.initial, ref.alpha, ref.lr);
    expect(out.lGrad).toBeCloseTo(ref.l_grad, 10);
    expectNear(out.grad, ref.grad, 1e-12, "dL_grad/dw");
    expectNear(out.weights, ref.weights, 1e-12, "weights");
  });

  it("nash_mtl reaches the bargaining solution, from ones and from a warm start", () => {
    const ref = field<{ weights: number[]; grad: number[]; grad_unclipped: number[] }>(c, "nash_mtl");
    const cold = nashMtl(grads, null, 1);
    expect(cold.residual).toBeLessThan(1e-12);
    expectNear(cold.weights, ref.weights, 1e-9, "weights");
    expectNear(cold.grad, ref.grad, 1e-9, "clipped grad");
    expectNear(nashMtl(grads, null, 0).grad, ref.grad_unclipped, 1e-9, "unclipped grad");
    const warm = nashMtl(
      grads,
      ref.weights.map((w) => w * 1.3),
      1,
    );
    expectNear(warm.weights, ref.weights, 1e-9, "warm-started weights");
  });
});

describe("hand cases from the papers", () => {
  it("pcgrad leaves agreeing gradients alone and removes the conflicting component", () => {
    const a = Float64Array.from([1, 0]);
    const b = Float64Array.from([0, 1]);
    expectNear(pcgrad([a, b], () => [0, 1]).grad, [1, 1], 1e-15, "orthogonal");
    // g2 = (-1, 1) conflicts with g1 = (1, 0): g1 -> g1 - (g1.g2/|g2|^2) g2 = (0.5, 0.5), g2 -> (0, 1).
    const out = pcgrad([a, Float64Array.from([-1, 1])], () => [0, 1]).grad;
    expectNear(out, [0.5, 1.5], 1e-8, "conflicting");
  });

  it("mgda of two gradients is the min-norm point of their segment", () => {
    // (1, 0) and (0, 2): the min-norm point of the segment is (0.8, 0.4), gamma 0.8.
    const out = mgda([Float64Array.from([1, 0]), Float64Array.from([0, 2])], [1, 1], "none");
    expectNear(out.weights, [0.8, 0.2], 1e-12, "weights");
    expectNear(out.grad, [0.8, 0.4], 1e-12, "grad");
  });

  it("imtl's update has equal projections on every unit task gradient", () => {
    const grads = [Float64Array.from([3, 0, 1]), Float64Array.from([0, 1, 0.5]), Float64Array.from([-1, 2, 2])];
    const { grad, weights } = imtlGradient(grads);
    expect(weights.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    const projections = grads.map((g) => {
      const n = norm(g);
      return grad.reduce((s, v, k) => s + (v * g[k]!) / n, 0);
    });
    expect(projections[1]).toBeCloseTo(projections[0]!, 12);
    expect(projections[2]).toBeCloseTo(projections[0]!, 12);
  });

  it("nash_mtl on orthogonal gradients weights each by the inverse of its norm", () => {
    // G diagonal: alpha_t^2 |g_t|^2 / |G|_F = 1, so alpha_t = sqrt(|G|_F) / |g_t|.
    const grads = [Float64Array.from([2, 0]), Float64Array.from([0, 0.5])];
    const frob = Math.sqrt(16 + 0.0625);
    const { weights } = nashMtl(grads, null, 0);
    expectNear(weights, [Math.sqrt(frob) / 2, Math.sqrt(frob) / 0.5], 1e-12, "weights");
  });

  it("random (RLW) is a softmax of standard normals: on two tasks, logit(w_1) = z_1 - z_2 ~ N(0, 2)", () => {
    const rng = Rng.fromSeed(12345);
    const n = 20_000;
    const logits: number[] = [];
    for (let i = 0; i < n; i++) {
      const w = randomWeights(rng, i % 2 === 0 ? 2 : 4);
      expect(w.every((v) => v > 0)).toBe(true);
      expect(Math.abs(w.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-12);
      if (w.length === 2) logits.push(Math.log(w[0]! / w[1]!));
    }
    const mean = logits.reduce((a, b) => a + b, 0) / logits.length;
    const variance = logits.reduce((a, b) => a + (b - mean) ** 2, 0) / (logits.length - 1);
    // Standard errors at n = 10,000: mean sqrt(2/n) = 0.014; variance 2 sqrt(2/n) = 0.028.
    expect(Math.abs(mean)).toBeLessThan(0.06);
    expect(Math.abs(variance - 2)).toBeLessThan(0.12);
    expect(randomWeights(Rng.fromSeed(7), 3)).toEqual(randomWeights(Rng.fromSeed(7), 3));
  });

  it("dwa gives equal weights until two epochs are known, and more weight to the task whose loss fell least", () => {
    expect(dwaWeights([], 3, 2)).toEqual([1, 1, 1]);
    expect(dwaWeights([[1, 2, 3]], 3, 2)).toEqual([1, 1, 1]);
    const w = dwaWeights(
      [
        [1, 1, 1],
        [0.5, 1, 0.9],
      ],
      3,
      2,
    );
    expect(w.reduce((a, b) => a + b, 0)).toBeCloseTo(3, 12);
    expect(w[1]).toBeGreaterThan(w[2]!);
    expect(w[2]).toBeGreaterThan(w[0]!);
  });
});
