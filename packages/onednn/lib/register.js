// @ts-check
/**
 * The "onednn" TensorFlow.js backend: a MathBackendCPU with every CPU kernel, and the
 * heavy ones replaced by native ones (oneDNN primitives, OpenMP loops) or faster
 * JavaScript on the same Float32Array storage.
 */
import * as tf from "@tensorflow/tfjs";

import { conv2dBackpropFilterKernel, conv2dBackpropInputKernel, conv2dKernel, registerConv2dGradient } from "./conv.js";
import { BINARY_OPS, binaryKernel, meanKernel, sliceKernel, splitVKernel, sumKernel } from "./elementwise.js";
import { batchMatMulKernel } from "./matmul.js";
import { castKernel, fusedBatchNormKernel, tileKernel, UNARY_OPS, unaryKernel } from "./pointwise.js";
import { resizeBilinearGradKernel, resizeBilinearKernel } from "./resize.js";

/** The TensorFlow.js name of the backend. */
export const BACKEND_NAME = "onednn";

/** The kernels run by oneDNN, by TensorFlow.js kernel name. */
export const NATIVE_KERNELS = /** @type {ReadonlyArray<{kernelName: string, kernelFunc: tf.KernelFunc}>} */ ([
  { kernelName: tf.Conv2D, kernelFunc: conv2dKernel },
  { kernelName: tf.Conv2DBackpropInput, kernelFunc: conv2dBackpropInputKernel },
  { kernelName: tf.Conv2DBackpropFilter, kernelFunc: conv2dBackpropFilterKernel },
  { kernelName: tf.BatchMatMul, kernelFunc: batchMatMulKernel },
  { kernelName: tf.ResizeBilinear, kernelFunc: resizeBilinearKernel },
  { kernelName: tf.ResizeBilinearGrad, kernelFunc: resizeBilinearGradKernel },
  ...Object.keys(BINARY_OPS).map((kernelName) => ({ kernelName, kernelFunc: binaryKernel(kernelName) })),
  { kernelName: tf.Sum, kernelFunc: sumKernel },
  { kernelName: tf.Mean, kernelFunc: meanKernel },
  { kernelName: tf.Slice, kernelFunc: sliceKernel },
  { kernelName: tf.SplitV, kernelFunc: splitVKernel },
  ...Object.keys(UNARY_OPS).map((kernelName) => ({ kernelName, kernelFunc: unaryKernel(kernelName) })),
  { kernelName: tf.FusedBatchNorm, kernelFunc: fusedBatchNormKernel },
  { kernelName: tf.Tile, kernelFunc: tileKernel },
  { kernelName: tf.Cast, kernelFunc: castKernel },
]);

/**
 * Registers the backend (priority 0: it is used only when asked for by name), copies
 * every CPU kernel to it, installs the native kernels over them and the dilation-aware
 * Conv2D gradient. Idempotent.
 */
export function registerOnednnBackend() {
  if (tf.findBackendFactory(BACKEND_NAME) === null) {
    tf.registerBackend(BACKEND_NAME, () => new tf.MathBackendCPU(), 0);
  }
  const native = new Map(NATIVE_KERNELS.map((k) => [k.kernelName, k.kernelFunc]));
  for (const kernel of tf.getKernelsForBackend("cpu")) {
    if (native.has(kernel.kernelName) || tf.getKernel(kernel.kernelName, BACKEND_NAME) !== undefined) continue;
    tf.registerKernel({ ...kernel, backendName: BACKEND_NAME });
  }
  for (const [kernelName, kernelFunc] of native) {
    const existing = tf.getKernel(kernelName, BACKEND_NAME);
    if (existing?.kernelFunc === kernelFunc) continue;
    if (existing !== undefined) tf.unregisterKernel(kernelName, BACKEND_NAME);
    tf.registerKernel({ kernelName, backendName: BACKEND_NAME, kernelFunc });
  }
  registerConv2dGradient();
}
