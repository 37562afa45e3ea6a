// @ts-check
/**
 * MaxPool (2-D, NHWC, float32) in the addon's OpenMP loop: the CPU backend's values (the
 * same window bounds; padding and NaN never win), without its per-element buffer indexing.
 */
import * as tf from "@tensorflow/tfjs";

import { native } from "./addon.js";
import { floatOutput, floatValues, outputArray, runCpuKernel, sizeOf } from "./tensor-data.js";

/**
 * The pooling geometry of an NHWC input under `attrs` (TensorFlow.js's own computation), and
 * the 14 integers the addon's loops take: [batch, inH, inW, channels, outH, outW, strideH,
 * strideW, effectiveFilterH, effectiveFilterW, dilationH, dilationW, padTop, padLeft].
 * @param {readonly number[]} shape
 * @param {{filterSize: tf.MaxPoolAttrs["filterSize"], strides: tf.MaxPoolAttrs["strides"], pad: tf.MaxPoolAttrs["pad"], dimRoundingMode?: tf.MaxPoolAttrs["dimRoundingMode"]}} attrs
 */
function poolGeometry(shape, attrs) {
  const info = tf.backend_util.computePool2DInfo(
    /** @type {[number, number, number, number]} */ ([...shape]),
    attrs.filterSize,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
  );
  const geometry = Int32Array.from([
    info.batchSize,
    info.inHeight,
    info.inWidth,
    info.inChannels,
    info.outHeight,
    info.outWidth,
    info.strideHeight,
    info.strideWidth,
    info.effectiveFilterHeight,
    info.effectiveFilterWidth,
    info.dilationHeight,
    info.dilationWidth,
    info.padInfo.top,
    info.padInfo.left,
  ]);
  return { info, geometry };
}

/** @type {tf.KernelFunc} */
export const maxPoolKernel = (args) => {
  const backend = /** @type {tf.MathBackendCPU} */ (args.backend);
  const x = args.inputs.x;
  if (x === undefined) throw new Error("mtsl-onednn: MaxPool needs input x");
  const values = floatValues(backend, x);
  if (x.shape.length !== 4 || values === null) return runCpuKernel(tf.MaxPool, args);
  const { info, geometry } = poolGeometry(
    x.shape,
    /** @type {tf.MaxPoolAttrs} */ (/** @type {unknown} */ (args.attrs)),
  );
  if (sizeOf(info.outShape) === 0 || sizeOf(x.shape) === 0) return runCpuKernel(tf.MaxPool, args);
  const out = outputArray(sizeOf(info.outShape));
  native.maxPoolForward(values, out, geometry);
  return floatOutput(backend, [...info.outShape], out);
};

/**
 * MaxPoolGrad (2-D, NHWC, float32, undilated) in the addon's OpenMP loop: each output's
 * gradient to the first maximum of its window in row-major order, padding and NaN never
 * winning, as the runtime's typed loop (runtime/backend/max-pool-grad.ts) does.
 * @type {tf.KernelFunc}
 */
export const maxPoolGradKernel = (args) => {
  const backend = /** @type {tf.MathBackendCPU} */ (args.backend);
  const { dy, input } = args.inputs;
  if (dy === undefined || input === undefined) throw new Error("mtsl-onednn: MaxPoolGrad needs inputs dy and input");
  const x = floatValues(backend, input);
  const g = floatValues(backend, dy);
  if (input.shape.length !== 4 || dy.shape.length !== 4 || x === null || g === null) {
    return runCpuKernel(tf.MaxPoolGrad, args);
  }
  // MaxPoolGrad has no dilations: the geometry's effective filter is the filter.
  const { info, geometry } = poolGeometry(
    input.shape,
    /** @type {tf.MaxPoolGradAttrs} */ (/** @type {unknown} */ (args.attrs)),
  );
  const size = sizeOf(input.shape);
  if (size === 0 || sizeOf(info.outShape) === 0) return runCpuKernel(tf.MaxPoolGrad, args);
  if (sizeOf(dy.shape) !== sizeOf(info.outShape)) {
    throw new Error(`mtsl-onednn: MaxPoolGrad dy of shape [${dy.shape}] for an output of shape [${info.outShape}]`);
  }
  const dx = outputArray(size);
  native.maxPoolBackward(x, g, dx, geometry);
  return floatOutput(backend, [...input.shape], dx);
};
