/**
 * The Sum and Mean gradients (runtime/backend/reduction-gradients.ts) against TensorFlow.js's
 * own formulas, dy * ones(x.shape) (divided by the count for a mean), bit for bit on cpu and
 * wasm, for full and partial reductions, with and without keepDims; and that selecting a
 * backend installs them.
 */
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";

import { selectBackend } from "../../../runtime/backend/select.js";
import { meanGradient, registerReductionGradients, sumGradient } from "../../../runtime/backend/reduction-gradients.js";
import { registerWasmTrainingKernels } from "../../../runtime/backend/wasm-training-kernels.js";
import { expectSameBits, onBackend, seeded } from "./helpers.js";

const cases: { shape: number[]; axis?: number | number[]; keepDims?: boolean }[] = [
  { shape: [16, 8, 8, 1] },
  { shape: [4, 5, 6], axis: 1 },
  { shape: [4, 5, 6], axis: [0, 2], keepDims: true },
  { shape: [7, 3], axis: -1 },
  { shape: [9] },
];

const reductions = { sum: tf.sum, mean: tf.mean } as const;

describe("Sum and Mean gradients", () => {
  beforeAll(() => {
    registerWasmTrainingKernels();
    registerReductionGradients();
  });

  for (const [name, reduce] of Object.entries(reductions)) {
    for (const { shape, axis, keepDims } of cases) {
      it(`${name} of [${shape}] over ${JSON.stringify(axis ?? "all")}${keepDims ? ", keepDims" : ""}: dy broadcast, bit for bit TensorFlow.js's formula`, async () => {
        const run = (ours: boolean) => () => {
          const x = seeded(shape, 1);
          const y = reduce(x, axis, keepDims);
          const w = seeded(y.shape, 2);
          if (ours) return tf.grads((a: tf.Tensor) => tf.sum(tf.mul(reduce(a, axis, keepDims), w)))([x]);
          // TensorFlow.js 4.22's gradient, written out: reshape dy to keep the reduced axes, times
          // ones (and for a mean, divided by the count of reduced values)
          const axes = tf.util.parseAxisParam(axis ?? shape.map((_, i) => i), shape);
          const expanded = shape.map((d, i) => (axes.includes(i) ? 1 : d));
          const broadcast = tf.mul(tf.reshape(w, expanded), tf.ones(shape));
          const count = axes.reduce((p, a) => p * shape[a]!, 1);
          return [name === "sum" ? broadcast : tf.div(broadcast, count)];
        };
        for (const backend of ["cpu", "wasm"]) {
          expectSameBits(await onBackend(backend, run(true)), await onBackend(backend, run(false)), backend);
        }
      });
    }
  }

  it("are the gradients every backend trains with after selectBackend", async () => {
    await selectBackend("cpu");
    const x = tf.tensor([1, 2, 3, 4], [2, 2]);
    const [g] = tf.grads((a: tf.Tensor) => tf.sum(tf.mul(tf.sum(a, 0), tf.tensor([3, 5]))))([x]);
    expect([...g!.dataSync()]).toEqual([3, 5, 3, 5]);
    const [h] = tf.grads((a: tf.Tensor) => tf.sum(tf.mul(tf.mean(a, 1), tf.tensor([4, 8]))))([x]);
    expect([...h!.dataSync()]).toEqual([2, 2, 4, 4]);
    expect(tf.getGradient(tf.Sum)?.gradFunc).toBe(sumGradient);
    expect(tf.getGradient(tf.Mean)?.gradFunc).toBe(meanGradient);
  });
});
