/**
 * The per-row column pick (runtime/backend/pick-columns.ts) against the composed one-hot
 * product it replaces, on cpu and wasm, value for value; its index checks; and the
 * cross-entropy loss that uses it, with and without class balancing and ignored labels,
 * against the cpu reference on wasm (the fused training path).
 */
import * as tf from "@tensorflow/tfjs";
import { afterEach, beforeAll, describe, expect, it } from "vitest";

import {
  PICK_COLUMNS,
  pickColumnsGradRows,
  pickColumnsRows,
  registerPickColumnsKernels,
} from "../../../runtime/backend/pick-columns.js";
import { registerWasmTrainingKernels } from "../../../runtime/backend/wasm-training-kernels.js";
import { softmaxCrossEntropy } from "../../../runtime/losses.js";
import { expectClose, onBackend, seeded } from "./helpers.js";

type Pick = (x: tf.Tensor2D, index: tf.Tensor1D) => tf.Tensor1D;
const kernel: Pick = (x, index) => tf.engine().runKernel(PICK_COLUMNS, { x, index }) as tf.Tensor1D;
const composed: Pick = (x, index) => tf.sum(tf.mul(x, tf.oneHot(index, x.shape[1])), 1);

/** The picked values and the gradient of sum(y * r) in x. */
function withGradient(pick: Pick, rows: number, columns: number): tf.Tensor[] {
  const x = seeded([rows, columns], 1) as tf.Tensor2D;
  const index = tf.tensor1d(
    Array.from({ length: rows }, (_, r) => (r * 7 + 3) % columns),
    "int32",
  );
  const r = seeded([rows], 2);
  const [g] = tf.grads((a: tf.Tensor) => tf.sum(tf.mul(pick(a as tf.Tensor2D, index), r)))([x]);
  return [pick(x, index), g!];
}

/** Equal value for value (-0 equals 0: the composed gradient is dy * 0 off the picked column). */
function expectSameValues(actual: Float32Array[], reference: Float32Array[], label: string): void {
  expect(actual.length).toBe(reference.length);
  actual.forEach((a, i) => {
    const b = reference[i]!;
    expect(a.length, label).toBe(b.length);
    let differing = 0;
    for (let j = 0; j < a.length; j++) if (a[j] !== b[j]) differing++;
    expect(differing, `${label} [output ${i}]`).toBe(0);
  });
}

describe("column pick", () => {
  const saved = process.env["MTSL_FUSED"];
  beforeAll(async () => {
    registerWasmTrainingKernels();
    registerPickColumnsKernels();
    await tf.setBackend("cpu");
  });
  afterEach(() => {
    if (saved === undefined) delete process.env["MTSL_FUSED"];
    else process.env["MTSL_FUSED"] = saved;
  });

  for (const [rows, columns] of [
    [9, 6],
    [65536, 6],
    [5, 2],
  ] as const) {
    it(`${rows}x${columns}: values and gradient equal the composed ops' on cpu and wasm`, async () => {
      const reference = await onBackend("cpu", () => withGradient(composed, rows, columns));
      for (const backend of ["cpu", "wasm"]) {
        const actual = await onBackend(backend, () => withGradient(kernel, rows, columns));
        expectSameValues(actual, reference, `${backend} ${rows}x${columns}`);
      }
    });
  }

  it("one row of x is a lookup table for every index: output of the index's length, gradient summed per column", async () => {
    const run = (pick: Pick) => () => {
      const table = seeded([1, 6], 4) as tf.Tensor2D;
      const index = tf.tensor1d([5, 0, 5, 2, 3], "int32");
      const r = seeded([5], 5);
      const [g] = tf.grads((a: tf.Tensor) => tf.sum(tf.mul(pick(a as tf.Tensor2D, index), r)))([table]);
      const y = pick(table, index);
      expect(y.shape).toEqual([5]);
      return [y, g!];
    };
    const reference = await onBackend("cpu", run(composed));
    for (const backend of ["cpu", "wasm"]) {
      expectClose(await onBackend(backend, run(kernel)), reference, `${backend} lookup`, 1e-7);
    }
  });

  it("writes dy at the picked column and zeros elsewhere; refuses indices outside the row", () => {
    expect([...pickColumnsRows([1, 2, 3, 4, 5, 6], [2, 0], 3)]).toEqual([3, 4]);
    expect([...pickColumnsGradRows([7, 8], [2, 0], 3)]).toEqual([0, 0, 7, 8, 0, 0]);
    // one row of x is a lookup table for every index; its gradient sums per column
    expect([...pickColumnsRows([10, 20, 30], [2, 0, 2], 3)]).toEqual([30, 10, 30]);
    expect([...pickColumnsGradRows([1, 2, 4], [2, 0, 2], 3, 1)]).toEqual([2, 0, 5]);
    expect(() => pickColumnsRows([1, 2, 3, 4], [0, 2], 2)).toThrow(/row 1 picks column 2, outside \[0, 2\)/);
    expect(() => pickColumnsRows([1, 2], [-1], 2)).toThrow(/outside/);
    expect(() => pickColumnsGradRows([1], [0.5], 2)).toThrow(/outside/);
  });

  for (const balanced of [false, true]) {
    it(`the ${balanced ? "class-balanced " : ""}cross-entropy and its gradient, with ignored labels, match the cpu reference on the fused path`, async () => {
      const run = () => {
        const pred = tf.mul(seeded([4, 8, 8, 5], 3), 3);
        // labels 0..4, some ignored (-1) and one out of range (7)
        const labels = tf.tensor(
          Array.from({ length: 4 * 8 * 8 }, (_, i) => (i % 11 === 0 ? -1 : i % 13 === 0 ? 7 : (i * 3) % 5)),
          [4, 8, 8],
        );
        const f = (p: tf.Tensor) => softmaxCrossEntropy(p, labels, { balanced });
        const [g] = tf.grads(f)([pred]);
        return [f(pred), g!];
      };
      process.env["MTSL_FUSED"] = "0";
      const reference = await onBackend("cpu", run);
      process.env["MTSL_FUSED"] = "1";
      for (const backend of ["cpu", "wasm"]) {
        const actual = await onBackend(backend, run);
        expectClose(actual, reference, `${backend} balanced=${balanced}`, 1e-6);
      }
    });
  }
});
