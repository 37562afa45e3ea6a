// @ts-check
/**
 * ResizeBilinear and ResizeBilinearGrad (every alignCorners / halfPixelCenters mode) in
 * the addon's OpenMP loops; the gradient is the exact adjoint of the forward resize
 * (TensorFlow.js 4.22's CPU gradient ignores halfPixelCenters).
 */
import * as tf from "@tensorflow/tfjs";

import { native } from "./addon.js";
import { floatOutput, floatValues, outputArray, runCpuKernel, sizeOf } from "./tensor-data.js";

/**
 * The addon's shape vector.
 * @param {readonly number[]} imageShape
 * @param {number} oh
 * @param {number} ow
 * @param {{alignCorners: boolean, halfPixelCenters: boolean}} attrs
 */
function resizeShape(imageShape, oh, ow, attrs) {
  const [n = 0, h = 0, w = 0, c = 0] = imageShape;
  return Int32Array.from([n, h, w, c, oh, ow, attrs.alignCorners ? 1 : 0, attrs.halfPixelCenters ? 1 : 0]);
}

/** @type {tf.KernelFunc} */
export const resizeBilinearKernel = (args) => {
  const backend = /** @type {tf.MathBackendCPU} */ (args.backend);
  const attrs = /** @type {tf.ResizeBilinearAttrs} */ (/** @type {unknown} */ (args.attrs));
  const images = args.inputs.images;
  if (images === undefined) throw new Error("mtsl-onednn: ResizeBilinear needs input images");
  const values = floatValues(backend, images);
  if (images.shape.length !== 4 || values === null) return runCpuKernel(tf.ResizeBilinear, args);
  const [n, , , c] = /** @type {[number, number, number, number]} */ (images.shape);
  const [oh, ow] = attrs.size;
  const outShape = [n, oh, ow, c];
  const y = outputArray(sizeOf(outShape));
  native.resizeBilinearForward(values, y, resizeShape(images.shape, oh, ow, attrs));
  return floatOutput(backend, outShape, y);
};

/** @type {tf.KernelFunc} */
export const resizeBilinearGradKernel = (args) => {
  const backend = /** @type {tf.MathBackendCPU} */ (args.backend);
  const attrs = /** @type {tf.ResizeBilinearGradAttrs} */ (/** @type {unknown} */ (args.attrs));
  const { images, dy } = args.inputs;
  if (images === undefined || dy === undefined) {
    throw new Error("mtsl-onednn: ResizeBilinearGrad needs inputs images and dy");
  }
  const dyValues = floatValues(backend, dy);
  if (images.shape.length !== 4 || dyValues === null || dy.shape.length !== 4) {
    return runCpuKernel(tf.ResizeBilinearGrad, args);
  }
  const [n, h, w, c] = /** @type {[number, number, number, number]} */ (images.shape);
  const [, oh = 0, ow = 0] = dy.shape;
  const dx = outputArray(n * h * w * c);
  native.resizeBilinearBackward(dyValues, dx, resizeShape(images.shape, oh, ow, attrs));
  return floatOutput(backend, [n, h, w, c], dx);
};
