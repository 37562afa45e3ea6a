// @ts-check
/**
 * Log, Softplus and Pow (same-shape or one-element operands) on float32 data as one loop
 * each, with the CPU backend's arithmetic (Math.log, its softplus thresholds, Math.pow), so
 * the values are the same bit for bit; the CPU backend runs them through per-element closures
 * (Pow with modulo indexing). They are the losses' element-wise ops on every training step.
 */
import * as tf from "@tensorflow/tfjs";

import { floatMapKernel, floatOutput, floatValues, outputArray, pairedOperands, runCpuKernel } from "./tensor-data.js";

// tfjs-backend-cpu's Softplus: epsilon = 2^-23, threshold = log(epsilon) + 2.
const SOFTPLUS_THRESHOLD = Math.log(1.1920928955078125e-7) + 2.0;

/**
 * @type {Record<string, (x: Float32Array, out: Float32Array) => void>}
 */
const UNARY = {
  [tf.Log]: (x, out) => {
    for (let i = 0; i < out.length; i++) out[i] = Math.log(/** @type {number} */ (x[i]));
  },
  [tf.Softplus]: (x, out) => {
    for (let i = 0; i < out.length; i++) {
      const xi = /** @type {number} */ (x[i]);
      const expX = Math.exp(xi);
      out[i] = xi < SOFTPLUS_THRESHOLD ? expX : xi > -SOFTPLUS_THRESHOLD ? xi : Math.log(1.0 + expX);
    }
  },
};

/** The unary kernels of this module, by name. */
export const MATH_UNARY_OPS = Object.keys(UNARY);

/**
 * A kernel for one of {@link MATH_UNARY_OPS}.
 * @param {string} kernelName
 * @returns {tf.KernelFunc}
 */
export function mathUnaryKernel(kernelName) {
  const loop = UNARY[kernelName];
  if (loop === undefined) throw new Error(`mtsl-onednn: no math op ${kernelName}`);
  return floatMapKernel(kernelName, loop);
}

/**
 * Pow of float32 tensors of the same shape, or with a one-element side (the usual `x ** c`).
 * @type {tf.KernelFunc}
 */
export const powKernel = (args) => {
  const backend = /** @type {tf.MathBackendCPU} */ (args.backend);
  const { a, b } = args.inputs;
  if (a === undefined || b === undefined) throw new Error("mtsl-onednn: Pow needs inputs a and b");
  const av = floatValues(backend, a);
  const bv = floatValues(backend, b);
  if (av === null || bv === null) return runCpuKernel(tf.Pow, args);
  const paired = pairedOperands(a, b);
  if (paired === null) return runCpuKernel(tf.Pow, args);
  const { outShape, n, sa, sb } = paired;
  const out = outputArray(n);
  for (let i = 0; i < n; i++) out[i] = Math.pow(/** @type {number} */ (av[i * sa]), /** @type {number} */ (bv[i * sb]));
  return floatOutput(backend, outShape, out);
};
