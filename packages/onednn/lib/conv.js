// @ts-check
/**
 * Conv2D, Conv2DBackpropInput and Conv2DBackpropFilter on oneDNN (NHWC, HWIO filters,
 * any strides, dilations and paddings, including TensorFlow's asymmetric 'same'), and a
 * Conv2D gradient that passes the dilations on to the backprop kernels on this backend.
 */
import * as tf from "@tensorflow/tfjs";

import { native } from "./addon.js";
import { floatOutput, floatValues, outputArray, runCpuKernel, sizeOf } from "./tensor-data.js";

/**
 * The addon's geometry vector for a convolution, or null when oneDNN cannot run it
 * as described (NCHW data, or an output size that a rounding mode changed).
 * @param {tf.backend_util.Conv2DInfo} info
 * @returns {Int32Array | null}
 */
export function convGeometry(info) {
  if (info.dataFormat !== "channelsLast") return null;
  const { top, left, bottom, right } = info.padInfo;
  const g = [
    info.batchSize,
    info.inHeight,
    info.inWidth,
    info.inChannels,
    info.outChannels,
    info.filterHeight,
    info.filterWidth,
    info.outHeight,
    info.outWidth,
    info.strideHeight,
    info.strideWidth,
    info.dilationHeight,
    info.dilationWidth,
    top,
    left,
    bottom,
    right,
  ];
  if (g.some((v) => !Number.isInteger(v)) || g.slice(0, 13).some((v) => v <= 0) || g.slice(13).some((v) => v < 0)) {
    return null;
  }
  for (const [inSize, k, out, s, d, p0, p1] of [
    [info.inHeight, info.filterHeight, info.outHeight, info.strideHeight, info.dilationHeight, top, bottom],
    [info.inWidth, info.filterWidth, info.outWidth, info.strideWidth, info.dilationWidth, left, right],
  ]) {
    const span = inSize + p0 + p1 - ((k - 1) * d + 1);
    if (span < 0 || Math.floor(span / s) + 1 !== out) return null;
  }
  return Int32Array.from(g);
}

/** @param {number | [number, number] | undefined} d */
function isUndilated(d) {
  return d === undefined || (typeof d === "number" ? d === 1 : d.every((v) => v === 1));
}

/** @param {string | undefined} dataFormat */
function layout(dataFormat) {
  return tf.backend_util.convertConv2DDataFormat(/** @type {"NHWC" | "NCHW"} */ (dataFormat ?? "NHWC"));
}

/**
 * @param {tf.NamedTensorInfoMap} inputs
 * @param {string} name
 * @returns {tf.TensorInfo}
 */
function input(inputs, name) {
  const info = inputs[name];
  if (info === undefined) throw new Error(`mtsl-onednn: kernel input '${name}' is missing`);
  return info;
}

/**
 * Throws for a dilated convolution the CPU backend would silently compute undilated.
 * @param {string} kernelName
 * @param {unknown} dilations
 */
function refuseDilatedFallback(kernelName, dilations) {
  if (!isUndilated(/** @type {any} */ (dilations))) {
    const err = new Error(`mtsl-onednn: ${kernelName} with dilations supports only float32 NHWC tensors`);
    /** @type {any} */ (err).code = "MTSL3103";
    throw err;
  }
}

/**
 * The convolution's geometry from its input and filter shapes and the kernel's attributes
 * (Conv2D, Conv2DBackpropInput and Conv2DBackpropFilter share these).
 * @param {readonly number[]} xShape
 * @param {readonly number[]} filterShape
 * @param {{strides: number | [number, number], dilations?: number | [number, number], pad: any, dimRoundingMode?: "floor" | "round" | "ceil", dataFormat?: string}} a
 * @returns {tf.backend_util.Conv2DInfo}
 */
function convInfo(xShape, filterShape, a) {
  return tf.backend_util.computeConv2DInfo(
    /** @type {[number, number, number, number]} */ ([...xShape]),
    /** @type {[number, number, number, number]} */ ([...filterShape]),
    a.strides,
    a.dilations ?? 1,
    a.pad,
    a.dimRoundingMode,
    false,
    layout(a.dataFormat),
  );
}

/** @type {tf.KernelFunc} */
export const conv2dKernel = (args) => {
  const { inputs, attrs } = args;
  const backend = /** @type {tf.MathBackendCPU} */ (args.backend);
  const a = /** @type {tf.Conv2DAttrs} */ (/** @type {unknown} */ (attrs));
  const x = input(inputs, "x");
  const filter = input(inputs, "filter");
  const info = convInfo(x.shape, filter.shape, a);
  const geometry = convGeometry(info);
  const xv = floatValues(backend, x);
  const wv = floatValues(backend, filter);
  if (geometry === null || xv === null || wv === null) return runCpuKernel(tf.Conv2D, args);
  const y = outputArray(sizeOf(info.outShape));
  native.conv2dForward(xv, wv, y, geometry);
  return floatOutput(backend, info.outShape, y);
};

/** @type {tf.KernelFunc} */
export const conv2dBackpropInputKernel = (args) => {
  const { inputs, attrs } = args;
  const backend = /** @type {tf.MathBackendCPU} */ (args.backend);
  const a = /** @type {tf.Conv2DBackpropInputAttrs & {dilations?: number | [number, number]}} */ (
    /** @type {unknown} */ (attrs)
  );
  const dy = input(inputs, "dy");
  const filter = input(inputs, "filter");
  const info = convInfo(a.inputShape, filter.shape, a);
  const geometry = convGeometry(info);
  const dyv = floatValues(backend, dy);
  const wv = floatValues(backend, filter);
  if (geometry === null || dyv === null || wv === null) {
    refuseDilatedFallback(tf.Conv2DBackpropInput, a.dilations);
    return runCpuKernel(tf.Conv2DBackpropInput, args);
  }
  const dx = outputArray(sizeOf(info.inShape));
  native.conv2dBackwardData(dyv, wv, dx, geometry);
  return floatOutput(backend, [...a.inputShape], dx);
};

/** @type {tf.KernelFunc} */
export const conv2dBackpropFilterKernel = (args) => {
  const { inputs, attrs } = args;
  const backend = /** @type {tf.MathBackendCPU} */ (args.backend);
  const a = /** @type {tf.Conv2DBackpropFilterAttrs & {dilations?: number | [number, number]}} */ (
    /** @type {unknown} */ (attrs)
  );
  const x = input(inputs, "x");
  const dy = input(inputs, "dy");
  const info = convInfo(x.shape, a.filterShape, a);
  const geometry = convGeometry(info);
  const xv = floatValues(backend, x);
  const dyv = floatValues(backend, dy);
  if (geometry === null || xv === null || dyv === null) {
    refuseDilatedFallback(tf.Conv2DBackpropFilter, a.dilations);
    return runCpuKernel(tf.Conv2DBackpropFilter, args);
  }
  const dw = outputArray(sizeOf(a.filterShape));
  native.conv2dBackwardWeights(xv, dyv, dw, geometry);
  return floatOutput(backend, [...a.filterShape], dw);
};

/** @type {tf.GradConfig | undefined} */
let previousGradient;
let gradientRegistered = false;

/**
 * Conv2D's gradient: on the "onednn" backend both backprop kernels receive the
 * dilations (which TensorFlow.js's own gradient refuses); elsewhere the gradient that
 * was registered before this one runs unchanged.
 * @type {tf.GradFunc}
 */
const conv2dGradient = (dy, saved, attrs) => {
  if (tf.getBackend() !== "onednn" && previousGradient !== undefined) {
    return previousGradient.gradFunc(dy, saved, attrs);
  }
  const [x, filter] = /** @type {[tf.Tensor4D, tf.Tensor4D]} */ (saved);
  const a = /** @type {tf.Conv2DAttrs} */ (/** @type {unknown} */ (attrs));
  const common = {
    strides: a.strides,
    pad: a.pad,
    dataFormat: a.dataFormat,
    dimRoundingMode: a.dimRoundingMode,
    dilations: a.dilations,
  };
  const dy4 = /** @type {tf.Tensor4D} */ (dy);
  return {
    x: () =>
      /** @type {tf.Tensor} */ (
        tf.engine().runKernel(tf.Conv2DBackpropInput, { dy: dy4, filter }, { ...common, inputShape: x.shape })
      ),
    filter: () =>
      /** @type {tf.Tensor} */ (
        tf.engine().runKernel(tf.Conv2DBackpropFilter, { x, dy: dy4 }, { ...common, filterShape: filter.shape })
      ),
  };
};

/** Registers {@link conv2dGradient} as Conv2D's gradient (idempotent). */
export function registerConv2dGradient() {
  // Once per process: a gradient registered after this one delegates to it, and wrapping that
  // one again would make the two call each other for ever.
  if (gradientRegistered) return;
  gradientRegistered = true;
  const current = tf.getGradient(tf.Conv2D);
  if (current?.gradFunc === conv2dGradient) return;
  previousGradient = current;
  tf.registerGradient({ kernelName: tf.Conv2D, inputsToSave: ["x", "filter"], gradFunc: conv2dGradient });
}
