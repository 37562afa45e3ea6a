/**
 * A MaxPoolGrad kernel that routes every window's gradient to its maximum.
 *
 * The WebAssembly kernel of TensorFlow.js 4.22 drops the gradient of windows whose
 * values are all negative (it appears to start its running maximum at 0), so a max pool
 * after anything but a ReLU trains wrongly. This kernel follows the CPU backend: each
 * output's gradient goes to the first maximum of its window in row-major order, and
 * padding never wins. It works on any backend whose data can be read synchronously.
 */
import * as tf from "@tensorflow/tfjs";

import { BackendError, BackendErrorCode } from "./backend-error.js";
import { readKernelInput } from "./read-kernel-input.js";

/** Pooling geometry: the fields of `tf.backend_util.Conv2DInfo` this kernel reads. */
export type PoolGeometry = Pick<
  tf.backend_util.Conv2DInfo,
  | "batchSize"
  | "inHeight"
  | "inWidth"
  | "inChannels"
  | "outHeight"
  | "outWidth"
  | "strideHeight"
  | "strideWidth"
  | "filterHeight"
  | "filterWidth"
  | "padInfo"
>;

/**
 * Scatters `dy` ([batch, outH, outW, C]) onto the position of each window's maximum in
 * `x` ([batch, inH, inW, C]): the gradient of an undilated 2-D max pool.
 */
export function maxPoolBackward(x: ArrayLike<number>, dy: ArrayLike<number>, g: PoolGeometry): Float32Array {
  const { batchSize, inHeight, inWidth, inChannels: channels, outHeight, outWidth } = g;
  const dx = new Float32Array(batchSize * inHeight * inWidth * channels);
  const rowStride = inWidth * channels;
  let src = 0;
  for (let b = 0; b < batchSize; b++) {
    const batchOffset = b * inHeight * rowStride;
    for (let yR = 0; yR < outHeight; yR++) {
      const rCorner = yR * g.strideHeight - g.padInfo.top;
      const rMin = Math.max(0, rCorner);
      const rMax = Math.min(inHeight, rCorner + g.filterHeight);
      for (let yC = 0; yC < outWidth; yC++) {
        const cCorner = yC * g.strideWidth - g.padInfo.left;
        const cMin = Math.max(0, cCorner);
        const cMax = Math.min(inWidth, cCorner + g.filterWidth);
        for (let d = 0; d < channels; d++) {
          let best = Number.NEGATIVE_INFINITY;
          let bestIndex = -1;
          for (let r = rMin; r < rMax; r++) {
            for (let c = cMin; c < cMax; c++) {
              const index = batchOffset + r * rowStride + c * channels + d;
              const value = x[index] as number;
              if (value > best) {
                best = value;
                bestIndex = index;
              }
            }
          }
          const grad = dy[src++] as number;
          if (bestIndex >= 0) dx[bestIndex] = (dx[bestIndex] as number) + grad;
        }
      }
    }
  }
  return dx;
}

/** Kernel function for `MaxPoolGrad` (inputs `dy`, `input`, `output`). */
export const maxPoolGradKernel: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { dy, input } = inputs as { dy?: tf.TensorInfo; input?: tf.TensorInfo };
  const a = attrs as unknown as tf.MaxPoolGradAttrs;
  if (dy === undefined || input === undefined || input.shape.length !== 4 || dy.shape.length !== 4) {
    throw new BackendError("MaxPoolGrad needs 4-D `dy` and `input` tensors", BackendErrorCode.unsupportedKernelArgs);
  }
  const geometry = tf.backend_util.computePool2DInfo(
    input.shape as [number, number, number, number],
    a.filterSize,
    a.strides,
    1,
    a.pad,
    a.dimRoundingMode,
  );
  const dx = maxPoolBackward(readKernelInput(backend, input), readKernelInput(backend, dy), geometry);
  const [batch = 0, height = 0, width = 0, channels = 0] = input.shape;
  return tf.tensor4d(dx, [batch, height, width, channels], "float32");
};
