/**
 * The fused log-softmax (runtime/backend/log-softmax.ts) against `tf.logSoftmax` on the cpu
 * backend, on cpu and wasm, against values worked out in float64, and on onednn (its compiled
 * loops) through the segmentation loss that uses it.
 */
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";

import {
  LOG_SOFTMAX,
  logSoftmax2d,
  logSoftmaxGradRows,
  logSoftmaxRows,
  registerLogSoftmaxKernels,
} from "../../../runtime/backend/log-softmax.js";
import { selectBackend } from "../../../runtime/backend/select.js";
import { registerWasmTrainingKernels } from "../../../runtime/backend/wasm-training-kernels.js";
import { softmaxCrossEntropy } from "../../../runtime/losses.js";
import { onednn, skipReason } from "../onednn/available.js";
import { expectClose, onBackend, seeded } from "./helpers.js";

type LogSoftmax = (x: tf.Tensor2D) => tf.Tensor2D;
const fused: LogSoftmax = (x) => tf.engine().runKernel(LOG_SOFTMAX, { logits: x }) as tf.Tensor2D;
const composed: LogSoftmax = (x) => tf.logSoftmax(x);

/** The output, and the gradient of sum(y * r) in x. */
function withGradient(f: LogSoftmax, shape: [number, number], scale: number): tf.Tensor[] {
  // Scaled and shifted: rows far from zero, where a log-softmax without its max shift overflows.
  const x = tf.add(tf.mul(seeded(shape, 1), scale), 40) as tf.Tensor2D;
  const r = seeded(shape, 2);
  const [g] = tf.grads((a: tf.Tensor) => tf.sum(tf.mul(f(a as tf.Tensor2D), r)))([x]);
  return [f(x), g!];
}

describe("fused log-softmax", () => {
  beforeAll(async () => {
    registerWasmTrainingKernels();
    registerLogSoftmaxKernels();
    await tf.setBackend("cpu");
  });

  const cases: { shape: [number, number]; scale: number }[] = [
    { shape: [7, 5], scale: 1 },
    { shape: [300, 6], scale: 20 },
    { shape: [4, 1], scale: 3 }, // one class: log-softmax 0, gradient 0
    { shape: [3, 40], scale: 0.01 }, // nearly uniform rows
  ];
  for (const { shape, scale } of cases) {
    it(`${shape.join("x")} (scale ${scale}): output and gradient match tf.logSoftmax on cpu and wasm`, async () => {
      const reference = await onBackend("cpu", () => withGradient(composed, shape, scale));
      for (const backend of ["cpu", "wasm"]) {
        const actual = await onBackend(backend, () => withGradient(fused, shape, scale));
        expectClose(actual, reference, `${backend} ${shape.join("x")}`, 1e-5);
      }
    });
  }

  it("gives the float64 values worked out by hand", () => {
    // Row [1, 2, 3]: log(e + e^2 + e^3) = 3 + log(1 + e^-1 + e^-2).
    const lse = 3 + Math.log(1 + Math.exp(-1) + Math.exp(-2));
    const y = logSoftmaxRows(Float32Array.from([1, 2, 3, 5]), 2);
    // Two rows of two: [1, 2] and [3, 5].
    const lse01 = 2 + Math.log(1 + Math.exp(-1));
    const lse23 = 5 + Math.log(1 + Math.exp(-2));
    expect([...y]).toEqual([1 - lse01, 2 - lse01, 3 - lse23, 5 - lse23].map(Math.fround));
    const y3 = logSoftmaxRows(Float32Array.from([1, 2, 3]), 3);
    expect([...y3]).toEqual([1 - lse, 2 - lse, 3 - lse].map(Math.fround));
    // d/dx of y_0 (dy = [1, 0, 0]): [1 - p0, -p1, -p2], p = softmax.
    const p = [1, 2, 3].map((v) => Math.exp(v - lse));
    const dx = logSoftmaxGradRows(Float32Array.from([1, 0, 0]), y3, 3);
    [1 - p[0]!, -p[1]!, -p[2]!].forEach((v, i) => expect(dx[i]!).toBeCloseTo(v, 6));
  });

  it("is not used on the cpu reference, nor on wasm, whose JavaScript loops would be slower than the composed ops", async () => {
    for (const backend of ["cpu", "wasm"]) {
      await tf.setBackend(backend);
      const before = tf.memory().numTensors;
      const x = seeded([3, 4], 5) as tf.Tensor2D;
      const { kernelNames, result } = await tf.profile(() => logSoftmax2d(x));
      expect(kernelNames, backend).not.toContain(LOG_SOFTMAX);
      // There logSoftmax2d is tf.logSoftmax: equal to it bit for bit.
      tf.tidy(() => {
        expect(logSoftmax2d(x).dataSync()).toEqual(tf.logSoftmax(x).dataSync());
      });
      tf.dispose([x, result as tf.Tensor]);
      expect(tf.memory().numTensors, backend).toBe(before);
    }
    await tf.setBackend("cpu");
  });
});

describe.skipIf(onednn === null)(`fused log-softmax on onednn ${skipReason}`, () => {
  it("the segmentation loss and its gradient match the composed ops on cpu, at a size split across threads", async () => {
    await selectBackend("onednn");
    onednn!.setThreads(2);
    // 16 x 64 x 64 pixels, 6 classes: 393,216 logits, above the one-thread threshold.
    const run = (): tf.Tensor[] => {
      const logits = tf.mul(seeded([16, 64, 64, 6], 11), 4);
      const labels = tf.floor(tf.mul(tf.add(seeded([16, 64, 64], 12), 1.5), 2)); // 0..5, some out of range
      const { value, grad } = tf.valueAndGrad((x: tf.Tensor) => softmaxCrossEntropy(x, labels))(logits);
      return [value, grad];
    };
    const native = await onBackend("onednn", run);
    const reference = await onBackend("cpu", run);
    expectClose(native, reference, "ce on onednn vs cpu", 1e-5);
    // ... through the fused kernels, which onednn's compiled loops make worth using.
    await tf.setBackend("onednn");
    const x = seeded([3, 4], 5) as tf.Tensor2D;
    const { kernelNames, result } = await tf.profile(() => logSoftmax2d(x));
    tf.dispose([x, result as tf.Tensor]);
    expect(kernelNames).toContain(LOG_SOFTMAX);
  }, 60_000);
});
