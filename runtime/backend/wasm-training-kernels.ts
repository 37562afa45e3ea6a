/**
 * Kernels that make training work (and run fast) on the WebAssembly backend of
 * TensorFlow.js 4.22.
 *
 * - `Conv2DBackpropFilter`: missing on wasm; added as a forward conv2d over the batch.
 * - `Conv2DBackpropInput`: the built-in wasm kernel is a scalar loop (5-10x slower);
 *   replaced by a forward conv2d of dy with the flipped filter (XNNPACK), strided
 *   convolutions split into stride^2 phases computed by one convolution.
 * - `ResizeBilinearGrad`: the built-in kernel ignores `halfPixelCenters`; replaced by
 *   an exact adjoint of the forward resize.
 * - `MaxPoolGrad`: the built-in kernel loses the gradient of all-negative windows;
 *   replaced by the CPU backend's rule (first maximum of each window).
 * - `ResizeNearestNeighborGrad`: the built-in kernel is wrong when the resize shrinks;
 *   replaced by the exact adjoint (resize-nearest-grad.ts, also the CPU backend's fix).
 * - The global Conv2D gradient gains support for dilated convolutions.
 */
import * as tf from "@tensorflow/tfjs";
// Imported for its side effect: the backend registers its own kernels at import time,
// which must happen before ours replace some of them.
import "@tensorflow/tfjs-backend-wasm";

import { registerDilatedConv2DGradient } from "./conv2d-gradient.js";
import { conv2dBackpropFilterViaConv, conv2dBackpropInputViaConv, requireNhwc } from "./conv-via-forward.js";
import { maxPoolGradKernel } from "./max-pool-grad.js";
import { resizeBilinearGradKernel } from "./resize-bilinear-grad.js";
import { installKernel } from "./resize-grad.js";
import { resizeNearestGradKernel } from "./resize-nearest-grad.js";

const WASM = "wasm";

/** Wraps a kernel input as a Tensor; `owned` tells whether the caller must dispose it. */
function asTensor<R extends tf.Rank>(info: tf.TensorInfo): { tensor: tf.Tensor<R>; owned: boolean } {
  if (info instanceof tf.Tensor) return { tensor: info as tf.Tensor<R>, owned: false };
  return { tensor: tf.engine().makeTensorFromTensorInfo(info) as tf.Tensor<R>, owned: true };
}

/** Runs `body` on the kernel inputs as Tensors, disposing any wrappers it had to make. */
function withTensors<T>(infos: tf.TensorInfo[], body: (tensors: tf.Tensor4D[]) => T): T {
  const wrapped = infos.map((info) => asTensor<tf.Rank.R4>(info));
  try {
    return body(wrapped.map((w) => w.tensor));
  } finally {
    for (const w of wrapped) if (w.owned) w.tensor.dispose();
  }
}

function input(inputs: tf.NamedTensorInfoMap, name: string): tf.TensorInfo {
  const info = inputs[name];
  if (info === undefined) throw new Error(`kernel input '${name}' is missing`);
  return info;
}

/** `Conv2DBackpropFilter` (inputs x, dy) as one forward convolution. */
export const conv2dBackpropFilterKernel: tf.KernelFunc = ({ inputs, attrs }) => {
  const a = attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  requireNhwc(a.dataFormat);
  return withTensors([input(inputs, "x"), input(inputs, "dy")], ([x, dy]) =>
    conv2dBackpropFilterViaConv(x as tf.Tensor4D, dy as tf.Tensor4D, a.filterShape, {
      strides: a.strides,
      dilations: 1,
      pad: a.pad,
      dimRoundingMode: a.dimRoundingMode,
    }),
  );
};

/** `Conv2DBackpropInput` (inputs dy, filter) as one forward convolution. */
export const conv2dBackpropInputKernel: tf.KernelFunc = ({ inputs, attrs }) => {
  const a = attrs as unknown as tf.Conv2DBackpropInputAttrs;
  requireNhwc(a.dataFormat);
  return withTensors([input(inputs, "dy"), input(inputs, "filter")], ([dy, filter]) =>
    conv2dBackpropInputViaConv(dy as tf.Tensor4D, filter as tf.Tensor4D, a.inputShape, {
      strides: a.strides,
      dilations: 1,
      pad: a.pad,
      dimRoundingMode: a.dimRoundingMode,
    }),
  );
};

/** The kernels this module installs on a backend, by kernel name. */
export const WASM_TRAINING_KERNELS: ReadonlyArray<{
  kernelName: string;
  kernelFunc: tf.KernelFunc;
  replaces: boolean;
}> = [
  { kernelName: tf.Conv2DBackpropFilter, kernelFunc: conv2dBackpropFilterKernel, replaces: false },
  { kernelName: tf.Conv2DBackpropInput, kernelFunc: conv2dBackpropInputKernel, replaces: true },
  { kernelName: tf.ResizeBilinearGrad, kernelFunc: resizeBilinearGradKernel, replaces: true },
  { kernelName: tf.MaxPoolGrad, kernelFunc: maxPoolGradKernel, replaces: true },
  { kernelName: tf.ResizeNearestNeighborGrad, kernelFunc: resizeNearestGradKernel, replaces: true },
];

/**
 * Registers the wasm training kernels listed in {@link WASM_TRAINING_KERNELS} and the
 * dilation-aware Conv2D gradient. Idempotent; safe to call before or after
 * `tf.setBackend("wasm")`.
 */
export function registerWasmTrainingKernels(): void {
  for (const k of WASM_TRAINING_KERNELS) installKernel(k.kernelName, WASM, k.kernelFunc);
  registerDilatedConv2DGradient();
}

/**
 * Fixes for the pure-JS CPU backend: the half-pixel-correct ResizeBilinearGrad, the
 * batch-correct ResizeNearestNeighborGrad and the dilation-aware Conv2D gradient. Idempotent.
 */
export function registerCpuTrainingFixes(): void {
  installKernel(tf.ResizeBilinearGrad, "cpu", resizeBilinearGradKernel);
  installKernel(tf.ResizeNearestNeighborGrad, "cpu", resizeNearestGradKernel);
  registerDilatedConv2DGradient();
}

/**
 * Fixes for backends that reuse the CPU backend's kernels (mtsl-onednn copies them when it
 * loads): the batch-correct ResizeNearestNeighborGrad, and MaxPoolGrad as one typed loop
 * (the CPU backend's, generic TensorBuffer code, took 333 ms per call for the ResNet stem's
 * pool of bench/fixtures/nyuv2-small.mtsl, half of the whole training step), except where
 * the backend has a native kernel of its own (`nativeKernels`). Idempotent.
 */
export function registerCpuKernelFixesOn(backendName: string, nativeKernels: ReadonlySet<string> = new Set()): void {
  for (const [kernelName, kernelFunc] of [
    [tf.ResizeNearestNeighborGrad, resizeNearestGradKernel],
    [tf.MaxPoolGrad, maxPoolGradKernel],
  ] as const) {
    if (!nativeKernels.has(kernelName)) installKernel(kernelName, backendName, kernelFunc);
  }
}
