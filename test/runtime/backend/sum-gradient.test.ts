/**
 * The Sum gradient (runtime/backend/sum-gradient.ts) against TensorFlow.js's own formula,
 * dy * ones(x.shape), bit for bit on cpu and wasm, for full and partial reductions, with and
 * without keepDims; and that selecting a backend installs it.
 */
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";

import { selectBackend } from "../../../runtime/backend/select.js";
import { registerSumGradient, sumGradient } from "../../../runtime/backend/sum-gradient.js";
import { registerWasmTrainingKernels } from "../../../runtime/backend/wasm-training-kernels.js";
import { expectSameBits, onBackend, seeded } from "./helpers.js";

const cases: { shape: number[]; axis?: number | number[]; keepDims?: boolean }[] = [
  { shape: [16, 8, 8, 1] },
  { shape: [4, 5, 6], axis: 1 },
  { shape: [4, 5, 6], axis: [0, 2], keepDims: true },
  { shape: [7, 3], axis: -1 },
  { shape: [9] },
];

describe("Sum gradient", () => {
  beforeAll(() => {
    registerWasmTrainingKernels();
    registerSumGradient();
  });

  for (const { shape, axis, keepDims } of cases) {
    it(`sum of [${shape}] over ${JSON.stringify(axis ?? "all")}${keepDims ? ", keepDims" : ""}: dy broadcast, bit for bit TensorFlow.js's formula`, async () => {
      const run = (ours: boolean) => () => {
        const x = seeded(shape, 1);
        const y = tf.sum(x, axis, keepDims);
        const w = seeded(y.shape, 2);
        if (ours) return tf.grads((a: tf.Tensor) => tf.sum(tf.mul(tf.sum(a, axis, keepDims), w)))([x]);
        // TensorFlow.js 4.22's Sum gradient, written out: reshape dy to keep the reduced axes, times ones
        const axes = tf.util.parseAxisParam(axis ?? shape.map((_, i) => i), shape);
        const expanded = shape.map((d, i) => (axes.includes(i) ? 1 : d));
        return [tf.mul(tf.reshape(w, expanded), tf.ones(shape))];
      };
      for (const backend of ["cpu", "wasm"]) {
        expectSameBits(await onBackend(backend, run(true)), await onBackend(backend, run(false)), backend);
      }
    });
  }

  it("is the gradient every backend trains with after selectBackend", async () => {
    await selectBackend("cpu");
    const x = tf.tensor([1, 2, 3, 4], [2, 2]);
    const [g] = tf.grads((a: tf.Tensor) => tf.sum(tf.mul(tf.sum(a, 0), tf.tensor([3, 5]))))([x]);
    expect([...g!.dataSync()]).toEqual([3, 5, 3, 5]);
    expect(tf.getGradient(tf.Sum)?.gradFunc).toBe(sumGradient);
  });
});
