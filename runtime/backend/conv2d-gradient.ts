/**
 * A gradient for `Conv2D` that also covers dilated convolutions.
 *
 * TensorFlow.js 4.22's gradient for Conv2D refuses dilation rates above 1 on every
 * backend ("dilation rates greater than 1 are not yet supported in gradients"), and the
 * Conv2DBackprop* kernels take no dilation attribute. This gradient keeps the original
 * one for undilated convolutions (so each backend's backprop kernels still run) and
 * writes the dilated case as forward convolutions (see conv-via-forward.ts).
 */
import * as tf from "@tensorflow/tfjs";

import { BackendError, BackendErrorCode } from "./backend-error.js";
import { conv2dBackpropFilterViaConv, conv2dBackpropInputViaConv, type ConvPadding } from "./conv-via-forward.js";

interface Conv2DAttrsSeen {
  strides: number | [number, number];
  dilations: number | [number, number];
  pad: ConvPadding;
  dataFormat?: "NHWC" | "NCHW";
  dimRoundingMode?: "floor" | "round" | "ceil";
}

let originalGradient: tf.GradConfig | undefined;
let registered = false;

function isUndilated(dilations: number | [number, number] | undefined): boolean {
  if (dilations === undefined) return true;
  return typeof dilations === "number" ? dilations === 1 : dilations.every((d) => d === 1);
}

const dilatedConv2DGradient: tf.GradFunc = (dy, saved, attrs) => {
  const a = attrs as unknown as Conv2DAttrsSeen;
  const fallback = originalGradient?.gradFunc;
  if (isUndilated(a.dilations) && fallback !== undefined) return fallback(dy, saved, attrs);
  const [x, filter] = saved as [tf.Tensor4D, tf.Tensor4D];
  if (a.dataFormat !== undefined && a.dataFormat !== "NHWC") {
    throw new BackendError(
      `gradient of a dilated conv2d supports only NHWC data, got ${a.dataFormat}`,
      BackendErrorCode.unsupportedKernelArgs,
    );
  }
  const geometry = { strides: a.strides, dilations: a.dilations, pad: a.pad, dimRoundingMode: a.dimRoundingMode };
  const dy4 = dy as tf.Tensor4D;
  return {
    x: () => conv2dBackpropInputViaConv(dy4, filter, x.shape, geometry),
    filter: () => conv2dBackpropFilterViaConv(x, dy4, filter.shape, geometry),
  };
};

/**
 * Replaces the global Conv2D gradient with one that supports dilations (idempotent).
 * Affects every backend; undilated convolutions keep TensorFlow.js's own gradient.
 */
export function registerDilatedConv2DGradient(): void {
  // Once per process: a gradient registered after this one (mtsl-onednn's) delegates to it, and
  // wrapping that one again would make the two call each other for ever.
  if (registered) return;
  const current = tf.getGradient(tf.Conv2D);
  if (current?.gradFunc === dilatedConv2DGradient) return;
  registered = true;
  originalGradient = current;
  tf.registerGradient({
    kernelName: tf.Conv2D,
    inputsToSave: ["x", "filter"],
    gradFunc: dilatedConv2DGradient,
  });
}
