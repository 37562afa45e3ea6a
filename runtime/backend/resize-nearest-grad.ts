/**
 * A ResizeNearestNeighborGrad kernel for host-memory backends that is right for batches.
 *
 * The CPU kernel of TensorFlow.js 4.22 (which mtsl-onednn reuses) offsets its reads of
 * `dy` by the batch stride of the *image*, so every image after the first gets the
 * gradient of the wrong pixels whenever the resize changes the size (an upsample): its
 * gradients are wrong for any batch of more than one image. This kernel is the exact
 * adjoint of the CPU forward kernel: each output pixel's gradient is added to the source
 * pixel the forward pass copied it from.
 */
import * as tf from "@tensorflow/tfjs";

import { hostResizeGradKernel, resizeScale } from "./resize-grad.js";

/** The source index of each output index along one axis, as the CPU forward kernel picks it. */
export function nearestSources(
  inSize: number,
  outSize: number,
  alignCorners: boolean,
  halfPixelCenters: boolean,
): Int32Array {
  const ratio = resizeScale(inSize, outSize, alignCorners);
  const sources = new Int32Array(outSize);
  for (let o = 0; o < outSize; o++) {
    const fraction = halfPixelCenters ? ratio * (o + 0.5) : ratio * o;
    let source = Math.min(inSize - 1, alignCorners ? Math.round(fraction) : Math.floor(fraction));
    if (halfPixelCenters) source = Math.max(0, source);
    sources[o] = source;
  }
  return sources;
}

/** The gradient of `tf.image.resizeNearestNeighbor`: `dy` scattered back onto `imageShape`. */
export function resizeNearestBackward(
  dy: ArrayLike<number>,
  dyShape: readonly number[],
  imageShape: readonly number[],
  alignCorners: boolean,
  halfPixelCenters: boolean,
): Float32Array {
  const [batch = 0, inHeight = 0, inWidth = 0, channels = 0] = imageShape;
  const [, outHeight = 0, outWidth = 0] = dyShape;
  const rows = nearestSources(inHeight, outHeight, alignCorners, halfPixelCenters);
  const cols = nearestSources(inWidth, outWidth, alignCorners, halfPixelCenters);
  const dx = new Float32Array(batch * inHeight * inWidth * channels);
  let src = 0;
  for (let b = 0; b < batch; b++) {
    for (let r = 0; r < outHeight; r++) {
      const row = (b * inHeight + rows[r]!) * inWidth;
      for (let c = 0; c < outWidth; c++) {
        const to = (row + cols[c]!) * channels;
        for (let d = 0; d < channels; d++) dx[to + d] = dx[to + d]! + (dy[src++] as number);
      }
    }
  }
  return dx;
}

/** Kernel function for `ResizeNearestNeighborGrad` (inputs `images`, `dy`) on host-memory backends. */
export const resizeNearestGradKernel = hostResizeGradKernel(tf.ResizeNearestNeighborGrad, resizeNearestBackward);
