/**
 * Convolution gradients on the wasm backend against independent references:
 * the CPU backend's built-in Conv2DBackprop* kernels for undilated convolutions, and an
 * explicitly dilated (zero-filled) filter for dilated ones.
 */
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";

import {
  conv2dBackpropFilterKernel,
  conv2dBackpropInputKernel,
  registerWasmTrainingKernels,
} from "../../../runtime/backend/wasm-training-kernels.js";
import { flippedFilter, phaseFilters } from "../../../runtime/backend/conv-via-forward.js";
import { type ConvCase, expectClose, onBackend, seeded } from "./helpers.js";

const cases: ConvCase[] = [];
for (const k of [1, 3, 5, 7]) {
  for (const stride of [1, 2]) {
    for (const pad of ["same", "valid"] as const) {
      cases.push({ batch: k === 3 ? 1 : 2, height: 11, width: 9, inC: 3, outC: 5, k, stride, dilation: 1, pad });
    }
  }
}
for (const k of [1, 3, 5]) {
  for (const pad of ["same", "valid"] as const) {
    cases.push({ batch: 2, height: 13, width: 10, inC: 4, outC: 3, k, stride: 1, dilation: 2, pad });
  }
}
// Even sizes with stride 2 (padding split unevenly) and a 1x1 stride-2 case with one channel.
cases.push({ batch: 1, height: 8, width: 12, inC: 2, outC: 6, k: 3, stride: 2, dilation: 1, pad: "same" });
cases.push({ batch: 3, height: 6, width: 7, inC: 1, outC: 1, k: 1, stride: 2, dilation: 1, pad: "valid" });
cases.push({ batch: 1, height: 10, width: 10, inC: 2, outC: 3, k: 4, stride: 2, dilation: 1, pad: "same" });

// Explicit (asymmetric) and numeric padding.
cases.push({
  batch: 2,
  height: 9,
  width: 8,
  inC: 3,
  outC: 4,
  k: 3,
  stride: 2,
  dilation: 1,
  pad: [
    [0, 0],
    [2, 0],
    [0, 3],
    [0, 0],
  ],
});
cases.push({ batch: 1, height: 7, width: 9, inC: 2, outC: 3, k: 5, stride: 1, dilation: 1, pad: 1 });
cases.push({
  batch: 2,
  height: 9,
  width: 9,
  inC: 2,
  outC: 3,
  k: 3,
  stride: 1,
  dilation: 2,
  pad: [
    [0, 0],
    [1, 3],
    [2, 0],
    [0, 0],
  ],
});

const label = (c: ConvCase): string =>
  `b${c.batch} ${c.height}x${c.width}x${c.inC}->${c.outC} k${c.k} s${c.stride} d${c.dilation} ${JSON.stringify(c.pad)}`;

/** Output, dx and dw of sum(conv2d(x, w) * g) via tf.grads. */
function convWithGrads(c: ConvCase): tf.Tensor[] {
  const x = seeded([c.batch, c.height, c.width, c.inC], 1) as tf.Tensor4D;
  const w = seeded([c.k, c.k, c.inC, c.outC], 2) as tf.Tensor4D;
  const y = tf.conv2d(x, w, c.stride, c.pad, "NHWC", c.dilation);
  const g = seeded(y.shape, 3);
  const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
    tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.stride, c.pad, "NHWC", c.dilation), g)),
  )([x, w]);
  return [y, dx as tf.Tensor, dw as tf.Tensor];
}

/**
 * The same three results computed without dilation: the filter is spread with zeros,
 * the gradient taken with the CPU backend's built-in kernels, and dw read at the taps.
 */
function dilatedReference(c: ConvCase): tf.Tensor[] {
  const x = seeded([c.batch, c.height, c.width, c.inC], 1) as tf.Tensor4D;
  const w = seeded([c.k, c.k, c.inC, c.outC], 2) as tf.Tensor4D;
  const span = (c.k - 1) * c.dilation + 1;
  const taps = Array.from({ length: c.k }, (_, i) => i * c.dilation);
  const spreadIndex = Array.from({ length: span }, (_, i) => (i % c.dilation === 0 ? i / c.dilation : c.k));
  // Row/column c.k of the zero-extended filter is all zeros.
  const padded = tf.pad(w, [
    [0, 1],
    [0, 1],
    [0, 0],
    [0, 0],
  ]);
  const idx = tf.tensor1d(spreadIndex, "int32");
  const spread = tf.gather(tf.gather(padded, idx, 0), idx, 1) as tf.Tensor4D;
  const y = tf.conv2d(x, spread, 1, c.pad);
  const g = seeded(y.shape, 3);
  const [dx, dSpread] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
    tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, c.pad), g)),
  )([x, spread]);
  const tapIdx = tf.tensor1d(taps, "int32");
  const dw = tf.gather(tf.gather(dSpread as tf.Tensor, tapIdx, 0), tapIdx, 1);
  return [y, dx as tf.Tensor, dw];
}

describe("convolution gradients on wasm", () => {
  beforeAll(async () => {
    registerWasmTrainingKernels();
    await tf.setBackend("wasm");
    await tf.ready();
  });

  for (const c of cases.filter((x) => x.dilation === 1)) {
    it(`matches the CPU backend: ${label(c)}`, async () => {
      const reference = await onBackend("cpu", () => convWithGrads(c));
      const wasm = await onBackend("wasm", () => convWithGrads(c));
      expectClose(wasm, reference, label(c));
    });
  }

  for (const c of cases.filter((x) => x.dilation > 1)) {
    it(`matches a zero-spread filter: ${label(c)}`, async () => {
      const reference = await onBackend("cpu", () => dilatedReference(c));
      expectClose(await onBackend("wasm", () => convWithGrads(c)), reference, `wasm ${label(c)}`);
      expectClose(await onBackend("cpu", () => convWithGrads(c)), reference, `cpu ${label(c)}`);
    });
  }

  it("runs the kernels directly with TensorInfo inputs and matches CPU", async () => {
    const c = { strides: [2, 2] as [number, number], pad: "same" as const, dataFormat: "NHWC" as const };
    const run = (): tf.Tensor[] => {
      const x = seeded([2, 9, 7, 3], 4);
      const w = seeded([3, 3, 3, 4], 5);
      const dy = seeded([2, 5, 4, 4], 6);
      const dw = tf.engine().runKernel(tf.Conv2DBackpropFilter, { x, dy }, { ...c, filterShape: [3, 3, 3, 4] });
      const dx = tf.engine().runKernel(tf.Conv2DBackpropInput, { dy, filter: w }, { ...c, inputShape: [2, 9, 7, 3] });
      return [dw as tf.Tensor, dx as tf.Tensor];
    };
    expectClose(await onBackend("wasm", run), await onBackend("cpu", run), "direct kernels");
  });

  it("registers idempotently", () => {
    const gradient = tf.getGradient(tf.Conv2D);
    registerWasmTrainingKernels();
    registerWasmTrainingKernels();
    expect(tf.getKernel(tf.Conv2DBackpropFilter, "wasm")?.kernelFunc).toBe(conv2dBackpropFilterKernel);
    expect(tf.getKernel(tf.Conv2DBackpropInput, "wasm")?.kernelFunc).toBe(conv2dBackpropInputKernel);
    expect(tf.getGradient(tf.Conv2D)?.gradFunc).toBe(gradient?.gradFunc);
  });

  it("rejects NCHW data with a coded error", async () => {
    await tf.setBackend("wasm");
    const x = tf.zeros([1, 3, 5, 5]);
    const dy = tf.zeros([1, 4, 5, 5]);
    expect(() =>
      tf
        .engine()
        .runKernel(
          tf.Conv2DBackpropFilter,
          { x, dy },
          { strides: 1, pad: "same", dataFormat: "NCHW", filterShape: [3, 3, 3, 4] },
        ),
    ).toThrow(/MTSL3103/);
    tf.dispose([x, dy]);
  });
});

describe("filter rearrangements of the backward convolutions", () => {
  // The host loops (cpu, onednn, wasm) and the tensor-op versions (other backends) agree.
  const shapes: Array<[number, number, number, number]> = [
    [3, 3, 2, 5],
    [1, 1, 1, 3],
    [4, 5, 3, 2],
    [5, 3, 1, 1],
  ];
  for (const shape of shapes) {
    it(`${shape.join("x")}: flipped and per-phase filters, strides 1-3, host loop = tensor ops`, async () => {
      await tf.setBackend("cpu");
      tf.tidy(() => {
        const filter = seeded(shape, 5) as tf.Tensor4D;
        expect(flippedFilter(filter, true).shape).toEqual([shape[0], shape[1], shape[3], shape[2]]);
        expect([...flippedFilter(filter, true).dataSync()]).toEqual([...flippedFilter(filter, false).dataSync()]);
        for (const [sh, sw] of [
          [2, 2],
          [2, 1],
          [3, 2],
        ] as const) {
          const host = phaseFilters(filter, sh, sw, true);
          const ops = phaseFilters(filter, sh, sw, false);
          expect(host.shape, `${sh}x${sw}`).toEqual(ops.shape);
          expect([...host.dataSync()], `${sh}x${sw}`).toEqual([...ops.dataSync()]);
        }
      });
    });
  }
});
