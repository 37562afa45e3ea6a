// @ts-check
/**
 * The "onednn" TensorFlow.js backend: a MathBackendCPU with every CPU kernel, and the
 * heavy ones replaced by native ones (oneDNN primitives, OpenMP loops) or faster
 * JavaScript on the same Float32Array storage.
 */
import * as tf from "@tensorflow/tfjs";

import { conv2dBackpropFilterKernel, conv2dBackpropInputKernel, conv2dKernel, registerConv2dGradient } from "./conv.js";
import {
  BINARY_OPS,
  binaryKernel,
  concatKernel,
  meanKernel,
  sliceKernel,
  splitVKernel,
  sumKernel,
} from "./elementwise.js";
import { COMPARE_OPS, compareKernel } from "./compare.js";
import { batchMatMulKernel } from "./matmul.js";
import { maxPoolGradKernel, maxPoolKernel } from "./max-pool.js";
import { castKernel, fusedBatchNormKernel, tileKernel, UNARY_OPS, unaryKernel } from "./pointwise.js";
import { resizeBilinearGradKernel, resizeBilinearKernel } from "./resize.js";
import { escape, escapeInputs, recycle } from "./tensor-data.js";

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
  { kernelName: tf.Concat, kernelFunc: concatKernel },
  ...Object.keys(UNARY_OPS).map((kernelName) => ({ kernelName, kernelFunc: unaryKernel(kernelName) })),
  { kernelName: tf.FusedBatchNorm, kernelFunc: fusedBatchNormKernel },
  { kernelName: tf.Tile, kernelFunc: tileKernel },
  { kernelName: tf.MaxPool, kernelFunc: maxPoolKernel },
  { kernelName: tf.MaxPoolGrad, kernelFunc: maxPoolGradKernel },
  { kernelName: tf.Cast, kernelFunc: castKernel },
  ...COMPARE_OPS.map((kernelName) => ({ kernelName, kernelFunc: compareKernel(kernelName) })),
]);

/**
 * CPU-backend kernels that only add a reference to their input's data (same dataId, no
 * view of its array): running them does not make the input's array escape.
 */
const REFERENCE_ONLY_KERNELS = new Set([tf.Reshape, tf.Identity, tf.ExpandDims, tf.Squeeze]);

/**
 * The CPU backend, with kernel outputs recycled on dispose (tensor-data.js, outputArray):
 * reads make an array escape, and a disposed tensor's owned array goes to the free lists.
 */
export class OnednnBackend extends tf.MathBackendCPU {
  /**
   * @param {tf.DataId} dataId
   * @returns {tf.backend_util.BackendValues}
   */
  readSync(dataId) {
    escape(this.data.get(dataId)?.values);
    return super.readSync(dataId);
  }

  /**
   * A kernel input's values without making them escape: for kernels outside this package
   * (the mtsl runtime's batch norm, pooling and resizing gradients) that read their inputs
   * during the call only and never return or keep them.
   * @param {tf.DataId} dataId
   */
  kernelValues(dataId) {
    return this.data.get(dataId)?.values;
  }

  /**
   * @param {tf.DataId} dataId
   * @param {boolean} [force]
   */
  disposeData(dataId, force = false) {
    const values = this.data.get(dataId)?.values;
    const disposed = super.disposeData(dataId, force);
    if (disposed && values !== undefined && !this.data.has(dataId)) recycle(values);
    return disposed;
  }
}

/**
 * A CPU-backend kernel that first marks its inputs' arrays as escaped.
 * @param {tf.KernelFunc} kernelFunc
 * @returns {tf.KernelFunc}
 */
function escapingInputs(kernelFunc) {
  return (args) => {
    escapeInputs(/** @type {tf.MathBackendCPU} */ (args.backend), args.inputs);
    return kernelFunc(args);
  };
}

/**
 * Registers the backend (priority 0: it is used only when asked for by name), copies
 * every CPU kernel to it, installs the native kernels over them and the dilation-aware
 * Conv2D gradient. Idempotent.
 */
export function registerOnednnBackend() {
  if (tf.findBackendFactory(BACKEND_NAME) === null) {
    tf.registerBackend(BACKEND_NAME, () => new OnednnBackend(), 0);
  }
  const native = new Map(NATIVE_KERNELS.map((k) => [k.kernelName, k.kernelFunc]));
  for (const kernel of tf.getKernelsForBackend("cpu")) {
    if (native.has(kernel.kernelName) || tf.getKernel(kernel.kernelName, BACKEND_NAME) !== undefined) continue;
    const kernelFunc = REFERENCE_ONLY_KERNELS.has(kernel.kernelName)
      ? kernel.kernelFunc
      : escapingInputs(kernel.kernelFunc);
    tf.registerKernel({ ...kernel, backendName: BACKEND_NAME, kernelFunc });
  }
  for (const [kernelName, kernelFunc] of native) {
    const existing = tf.getKernel(kernelName, BACKEND_NAME);
    if (existing?.kernelFunc === kernelFunc) continue;
    if (existing !== undefined) tf.unregisterKernel(kernelName, BACKEND_NAME);
    tf.registerKernel({ kernelName, backendName: BACKEND_NAME, kernelFunc });
  }
  registerConv2dGradient();
}
