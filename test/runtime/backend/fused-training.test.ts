/**
 * The fused training path (runtime/backend/batch-norm-train.ts, the host Adam update in
 * runtime/train/optimizer.ts) against the composed TensorFlow.js ops it replaces, on the
 * CPU backend and on wasm; batch norm also against values worked out in float64.
 */
import * as tf from "@tensorflow/tfjs";
import { afterEach, beforeAll, describe, expect, it } from "vitest";

import {
  batchNormTrain,
  batchNormTrainBackward,
  batchNormTrainForward,
  compiledFusionEnabled,
  fusedTrainingEnabled,
} from "../../../runtime/backend/batch-norm-train.js";
import { selectBackend } from "../../../runtime/backend/select.js";
import { onednn } from "../onednn/available.js";
import { registerWasmTrainingKernels } from "../../../runtime/backend/wasm-training-kernels.js";
import { Adam } from "../../../runtime/train/optimizer.js";
import { expectClose, onBackend, seeded } from "./helpers.js";

const EPS = 1e-5;
const MOMENTUM = 0.9;

/** The composed ops of runtime/model/ops.ts: batch moments, tf.batchNorm, running update. */
function composed(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, mm: tf.Tensor, mv: tf.Tensor): tf.Tensor[] {
  const axes = x.shape.slice(0, -1).map((_, i) => i);
  const { mean, variance } = tf.moments(x, axes);
  const n = x.size / (x.shape[x.rank - 1] as number);
  const unbiased = tf.mul(variance, n > 1 ? n / (n - 1) : 1);
  return [
    tf.batchNorm(x, mean, variance, beta, gamma, EPS),
    tf.add(tf.mul(mm, MOMENTUM), tf.mul(mean, 1 - MOMENTUM)),
    tf.add(tf.mul(mv, MOMENTUM), tf.mul(unbiased, 1 - MOMENTUM)),
  ];
}

function fused(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, mm: tf.Tensor, mv: tf.Tensor): tf.Tensor[] {
  const r = batchNormTrain(x, gamma, beta, mm, mv, { epsilon: EPS, momentum: MOMENTUM });
  return [r.y, r.movingMean, r.movingVariance];
}

type Bn = typeof composed;

/** Outputs, running statistics, and the gradients of sum(y * r) in x, gamma and beta. */
function forwardAndGradients(bn: Bn, shape: number[]): tf.Tensor[] {
  const c = shape[shape.length - 1]!;
  const x = tf.add(tf.mul(seeded(shape, 1), 3), 0.5);
  const gamma = tf.add(1, tf.mul(seeded([c], 2), 0.5));
  const beta = tf.mul(seeded([c], 3), 0.2);
  const mm = seeded([c], 4);
  const mv = tf.abs(seeded([c], 5));
  const r = seeded(shape, 6);
  const [y, newMm, newMv] = bn(x, gamma, beta, mm, mv);
  const g = tf.grads((a: tf.Tensor, b: tf.Tensor, d: tf.Tensor) => tf.sum(tf.mul(bn(a, b, d, mm, mv)[0]!, r)));
  return [y!, newMm!, newMv!, ...g([x, gamma, beta])];
}

const shapes: number[][] = [
  [2, 5, 3, 7],
  [1, 3, 3, 2],
  [16, 4, 4, 8],
  [9, 4],
  [3, 1, 1, 5],
];

/** Runs `fn`, then restores MTSL_FUSED as it was and the cpu backend. */
async function keepingMtslFused(fn: () => Promise<void>): Promise<void> {
  const saved = process.env["MTSL_FUSED"];
  try {
    await fn();
  } finally {
    if (saved === undefined) delete process.env["MTSL_FUSED"];
    else process.env["MTSL_FUSED"] = saved;
    await tf.setBackend("cpu");
  }
}

describe("fused training-mode batch norm", () => {
  beforeAll(async () => {
    registerWasmTrainingKernels();
    await tf.setBackend("cpu");
  });

  for (const shape of shapes) {
    it(`${shape.join("x")}: output, running statistics and gradients match the composed ops on cpu and wasm`, async () => {
      const reference = await onBackend("cpu", () => forwardAndGradients(composed, shape));
      for (const backend of ["cpu", "wasm"]) {
        const actual = await onBackend(backend, () => forwardAndGradients(fused, shape));
        expectClose(actual, reference, `${backend} ${shape.join("x")}`);
      }
    });
  }

  /** bn, then the residual added and ReLU: composed ops, or the one kernel. */
  function epilogue(useResidual: boolean, bn: Bn) {
    return (x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, mm: tf.Tensor, mv: tf.Tensor, res: tf.Tensor) => {
      if (bn === fused) {
        const r = batchNormTrain(
          x,
          gamma,
          beta,
          mm,
          mv,
          { epsilon: EPS, momentum: MOMENTUM },
          { relu: true, ...(useResidual ? { residual: res } : {}) },
        );
        return [r.y, r.movingMean, r.movingVariance];
      }
      const [y, m, v] = composed(x, gamma, beta, mm, mv);
      return [tf.relu(useResidual ? tf.add(y!, res) : y!), m!, v!];
    };
  }

  /** Output and the gradients of sum(out * r) in x, gamma, beta (and the residual). */
  function epilogueGradients(useResidual: boolean, bn: Bn, shape: number[]): tf.Tensor[] {
    const c = shape[shape.length - 1]!;
    const x = tf.add(tf.mul(seeded(shape, 1), 3), 0.5);
    const gamma = tf.add(1, tf.mul(seeded([c], 2), 0.5));
    const beta = tf.mul(seeded([c], 3), 0.2);
    const mm = seeded([c], 4);
    const mv = tf.abs(seeded([c], 5));
    const res = seeded(shape, 7);
    const r = seeded(shape, 6);
    const f = epilogue(useResidual, bn);
    const [y] = f(x, gamma, beta, mm, mv, res);
    const g = tf.grads((a: tf.Tensor, b: tf.Tensor, d: tf.Tensor, e?: tf.Tensor) =>
      tf.sum(tf.mul(f(a, b, d, mm, mv, e ?? res)[0]!, r)),
    );
    const grads = g(useResidual ? [x, gamma, beta, res] : [x, gamma, beta]);
    // about half the outputs are zero (ReLU) and the mask matters
    const zeros = tf.sum(tf.cast(tf.equal(y!, 0), "float32")).dataSync()[0]!;
    expect(zeros / y!.size).toBeGreaterThan(0.2);
    expect(zeros / y!.size).toBeLessThan(0.8);
    return [y!, ...grads];
  }

  for (const useResidual of [false, true]) {
    for (const shape of [
      [2, 5, 3, 7],
      [16, 4, 4, 8],
    ]) {
      it(`bn${useResidual ? " + residual" : ""} + relu in one kernel, ${shape.join("x")}: output and gradients match the composed ops on cpu and wasm`, async () => {
        const reference = await onBackend("cpu", () => epilogueGradients(useResidual, composed, shape));
        for (const backend of ["cpu", "wasm"]) {
          const actual = await onBackend(backend, () => epilogueGradients(useResidual, fused, shape));
          expectClose(actual, reference, `${backend} ${shape.join("x")}`);
        }
      });
    }
  }

  it("the fused ReLU keeps NaN as the composed Relu does, and its gradient mask is step(y)", () => {
    // one channel, values chosen so that bn(x) = x exactly: mean 0, variance 1, gamma 1, beta 0
    const x = [1, -1, 1, -1];
    const residual = [Number.NaN, 0, -3, 2];
    const r = batchNormTrainForward(x, [1], [0], [0], [1], 1, { epsilon: 0, momentum: 0.9, relu: true }, residual);
    expect(Number.isNaN(r.y[0]!)).toBe(true);
    expect([...r.y.slice(1)]).toEqual([0, 0, 1]);
    const b = batchNormTrainBackward([2, 3, 4, 5], x, [1], [0], [1], 1, 0, r.y);
    expect(Number.isNaN(b.dz![0]!)).toBe(true);
    expect([...b.dz!.slice(1)]).toEqual([0, 0, 5]);
  });

  it("gives the float64 values worked out by hand (one channel, four rows)", () => {
    // x = 1, 2, 3, 4: mean 2.5, biased variance 1.25, unbiased 5/3.
    const x = [1, 2, 3, 4];
    const r = batchNormTrainForward(x, [2], [0.5], [1], [1], 1, { epsilon: 0, momentum: 0.9 });
    const s = Math.sqrt(1.25);
    expect([...r.y]).toEqual([...new Float32Array([-1.5, -0.5, 0.5, 1.5].map((d) => (2 * d) / s + 0.5))]);
    expect(r.mean[0]).toBe(2.5);
    expect(r.variance[0]).toBe(1.25);
    // Stored as float32: the float64 value rounded once.
    expect(r.movingMean[0]).toBe(Math.fround(0.9 + 0.1 * 2.5));
    expect(r.movingVariance[0]).toBe(Math.fround(0.9 + 0.1 * (5 / 3)));
    // dy = (1, 0, 0, 0): dbeta = 1, dgamma = xhat_0 = -1.5 / s, and
    // dx_i = gamma / s / 4 * (4 dy_i - 1 - xhat_i * xhat_0).
    const b = batchNormTrainBackward([1, 0, 0, 0], x, [2], [2.5], [1.25], 1, 0);
    expect(b.dbeta[0]).toBe(1);
    expect(b.dgamma[0]).toBeCloseTo(-1.5 / s, 6);
    const xhat = [-1.5, -0.5, 0.5, 1.5].map((d) => d / s);
    const want = xhat.map((h, i) => (2 / s / 4) * ((i === 0 ? 4 : 0) - 1 - h * xhat[0]!));
    b.dx.forEach((v, i) => expect(v).toBeCloseTo(want[i]!, 6));
    // The gradient sums to zero over the batch (the mean is subtracted).
    expect(Math.abs(b.dx.reduce((a, v) => a + v, 0))).toBeLessThan(1e-6);
  });

  it("fuses the ReLU epilogue only where the loops are compiled: onednn, not wasm (slower there) or cpu", async () => {
    await keepingMtslFused(async () => {
      delete process.env["MTSL_FUSED"];
      await tf.setBackend("wasm");
      expect(compiledFusionEnabled()).toBe(false);
      await tf.setBackend("cpu");
      expect(compiledFusionEnabled()).toBe(false);
      process.env["MTSL_FUSED"] = "1";
      expect(compiledFusionEnabled()).toBe(false);
      if (onednn !== null) {
        delete process.env["MTSL_FUSED"];
        await selectBackend("onednn");
        expect(compiledFusionEnabled()).toBe(true);
        process.env["MTSL_FUSED"] = "0";
        expect(compiledFusionEnabled()).toBe(false);
      }
    });
  });

  it("is what training uses on onednn and wasm, not on the cpu reference; MTSL_FUSED overrides", async () => {
    await keepingMtslFused(async () => {
      delete process.env["MTSL_FUSED"];
      await tf.setBackend("wasm");
      expect(fusedTrainingEnabled()).toBe(true);
      await tf.setBackend("cpu");
      expect(fusedTrainingEnabled()).toBe(false);
      process.env["MTSL_FUSED"] = "1";
      expect(fusedTrainingEnabled()).toBe(true);
      process.env["MTSL_FUSED"] = "0";
      await tf.setBackend("wasm");
      expect(fusedTrainingEnabled()).toBe(false);
    });
  });
});

describe("host Adam update", () => {
  const saved = process.env["MTSL_FUSED"];
  afterEach(() => {
    if (saved === undefined) delete process.env["MTSL_FUSED"];
    else process.env["MTSL_FUSED"] = saved;
  });

  /** Four Adam steps with weight decay on two weights; returns weights and moments. */
  async function run(backend: string, fusedSetting: "0" | "1"): Promise<Float32Array[]> {
    process.env["MTSL_FUSED"] = fusedSetting;
    await tf.setBackend(backend);
    const adam = new Adam(0.9, 0.999, 1e-8, 5e-2);
    const vars = new Map([
      ["a", tf.tidy(() => tf.variable(seeded([3, 3, 2, 4], 21)))],
      ["b", tf.tidy(() => tf.variable(seeded([4], 22)))],
    ]);
    for (let s = 0; s < 4; s++) {
      const grads = new Map([
        ["a", tf.tidy(() => tf.mul(seeded([3, 3, 2, 4], 30 + s), 0.1 * (s + 1)))],
        ["b", seeded([4], 40 + s)],
      ]);
      adam.apply(grads, (k) => vars.get(k)!, 1e-2 * (s + 1));
      tf.dispose([...grads.values()]);
    }
    const out = [...vars.keys()].flatMap((k) => [
      Float32Array.from(vars.get(k)!.dataSync()),
      Float32Array.from(adam.slot(k)!.m!.dataSync()),
      Float32Array.from(adam.slot(k)!.v!.dataSync()),
    ]);
    expect(adam.slot("a")!.step).toBe(4);
    adam.dispose();
    tf.dispose([...vars.values()]);
    return out;
  }

  it("matches the composed ops' update (weights, moments) on cpu and wasm, and leaks nothing", async () => {
    const reference = await run("cpu", "0");
    for (const backend of ["cpu", "wasm"]) {
      await tf.setBackend(backend);
      const before = tf.memory().numTensors;
      const actual = await run(backend, "1");
      expect(tf.memory().numTensors, `tensors leaked on ${backend}`).toBe(before);
      expectClose(actual, reference, `host Adam on ${backend}`, 1e-6);
    }
    await tf.setBackend("cpu");
  });
});
