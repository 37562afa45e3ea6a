/**
 * A ResizeBilinearGrad kernel that honours `halfPixelCenters`.
 *
 * The CPU and WebAssembly kernels of TensorFlow.js 4.22 read only `alignCorners` and
 * compute the gradient of the corner-aligned sampling grid even when the forward resize
 * used half-pixel centres, so their gradients are wrong for `halfPixelCenters: true`.
 * This kernel is the exact adjoint of the CPU forward kernel for every combination.
 * It works on any backend whose data can be read synchronously (cpu, wasm).
 */
import * as tf from "@tensorflow/tfjs";

import { hostResizeGradKernel, resizeScale } from "./resize-grad.js";

/** One output coordinate's two source taps and the weight of the second tap. */
export interface Taps {
  low: Int32Array;
  high: Int32Array;
  frac: Float32Array;
}

/** Source taps along one axis, computed as the CPU forward kernel computes them. */
export function axisTaps(inSize: number, outSize: number, alignCorners: boolean, halfPixelCenters: boolean): Taps {
  const ratio = resizeScale(inSize, outSize, alignCorners);
  const low = new Int32Array(outSize);
  const high = new Int32Array(outSize);
  const frac = new Float32Array(outSize);
  for (let o = 0; o < outSize; o++) {
    const source = halfPixelCenters ? ratio * (o + 0.5) - 0.5 : ratio * o;
    const floor = Math.max(0, Math.floor(source));
    low[o] = floor;
    high[o] = Math.min(inSize - 1, Math.ceil(source));
    frac[o] = source - floor;
  }
  return { low, high, frac };
}

/**
 * Scatters `dy` ([batch, outH, outW, C]) back onto an image of shape `imageShape`
 * with bilinear weights: the gradient of `tf.image.resizeBilinear`.
 */
export function resizeBilinearBackward(
  dy: ArrayLike<number>,
  dyShape: readonly number[],
  imageShape: readonly number[],
  alignCorners: boolean,
  halfPixelCenters: boolean,
): Float32Array {
  const [batch = 0, inHeight = 0, inWidth = 0, channels = 0] = imageShape;
  const [, outHeight = 0, outWidth = 0] = dyShape;
  const rows = axisTaps(inHeight, outHeight, alignCorners, halfPixelCenters);
  const cols = axisTaps(inWidth, outWidth, alignCorners, halfPixelCenters);
  const dx = new Float32Array(batch * inHeight * inWidth * channels);
  const rowStride = inWidth * channels;
  let src = 0;
  for (let b = 0; b < batch; b++) {
    const batchOffset = b * inHeight * rowStride;
    for (let r = 0; r < outHeight; r++) {
      const rowFrac = rows.frac[r] as number;
      const top = batchOffset + (rows.low[r] as number) * rowStride;
      const bottom = batchOffset + (rows.high[r] as number) * rowStride;
      for (let c = 0; c < outWidth; c++) {
        const colFrac = cols.frac[c] as number;
        const left = (cols.low[c] as number) * channels;
        const right = (cols.high[c] as number) * channels;
        const wTopLeft = (1 - rowFrac) * (1 - colFrac);
        const wTopRight = (1 - rowFrac) * colFrac;
        const wBottomLeft = rowFrac * (1 - colFrac);
        const wBottomRight = rowFrac * colFrac;
        for (let d = 0; d < channels; d++) {
          const g = dy[src++] as number;
          dx[top + left + d] = (dx[top + left + d] as number) + g * wTopLeft;
          dx[top + right + d] = (dx[top + right + d] as number) + g * wTopRight;
          dx[bottom + left + d] = (dx[bottom + left + d] as number) + g * wBottomLeft;
          dx[bottom + right + d] = (dx[bottom + right + d] as number) + g * wBottomRight;
        }
      }
    }
  }
  return dx;
}

/** Kernel function for `ResizeBilinearGrad` (inputs `images`, `dy`) on host-memory backends. */
export const resizeBilinearGradKernel = hostResizeGradKernel(tf.ResizeBilinearGrad, resizeBilinearBackward);
