// @ts-check
/**
 * Comparisons (Greater, GreaterEqual, Less, LessEqual, Equal, NotEqual) and LogicalAnd /
 * LogicalOr as one typed loop each, for inputs of the same shape or with a one-element
 * operand: the masks of the losses (valid labels, valid pixels, thresholds) on every training
 * step. The CPU backend computes them through a per-element closure with modulo indexing,
 * 5-15 ns per element; broadcasts of other shapes still run there. Results are bool, as the
 * CPU backend's (the same values: JavaScript's comparison operators on the stored numbers).
 */
import * as tf from "@tensorflow/tfjs";

import { pairedOperands, runCpuKernel } from "./tensor-data.js";

/** @typedef {Float32Array | Int32Array | Uint8Array} NumericArray */

/**
 * The loop of each kernel: out[i] = op(a[i or 0], b[i or 0]).
 * @type {Record<string, (a: NumericArray, b: NumericArray, out: Uint8Array, sa: number, sb: number) => void>}
 */
const LOOPS = {
  [tf.Greater]: (a, b, out, sa, sb) => {
    for (let i = 0; i < out.length; i++)
      out[i] = /** @type {number} */ (a[i * sa]) > /** @type {number} */ (b[i * sb]) ? 1 : 0;
  },
  [tf.GreaterEqual]: (a, b, out, sa, sb) => {
    for (let i = 0; i < out.length; i++)
      out[i] = /** @type {number} */ (a[i * sa]) >= /** @type {number} */ (b[i * sb]) ? 1 : 0;
  },
  [tf.Less]: (a, b, out, sa, sb) => {
    for (let i = 0; i < out.length; i++)
      out[i] = /** @type {number} */ (a[i * sa]) < /** @type {number} */ (b[i * sb]) ? 1 : 0;
  },
  [tf.LessEqual]: (a, b, out, sa, sb) => {
    for (let i = 0; i < out.length; i++)
      out[i] = /** @type {number} */ (a[i * sa]) <= /** @type {number} */ (b[i * sb]) ? 1 : 0;
  },
  [tf.Equal]: (a, b, out, sa, sb) => {
    for (let i = 0; i < out.length; i++) out[i] = a[i * sa] === b[i * sb] ? 1 : 0;
  },
  [tf.NotEqual]: (a, b, out, sa, sb) => {
    for (let i = 0; i < out.length; i++) out[i] = a[i * sa] !== b[i * sb] ? 1 : 0;
  },
  [tf.LogicalAnd]: (a, b, out, sa, sb) => {
    for (let i = 0; i < out.length; i++) out[i] = a[i * sa] && b[i * sb] ? 1 : 0;
  },
  [tf.LogicalOr]: (a, b, out, sa, sb) => {
    for (let i = 0; i < out.length; i++) out[i] = a[i * sa] || b[i * sb] ? 1 : 0;
  },
};

/** The kernels of this module, by name. */
export const COMPARE_OPS = Object.keys(LOOPS);

/**
 * The stored values of a numeric tensor, or null (strings, complex, or not held here).
 * @param {tf.MathBackendCPU} backend
 * @param {tf.TensorInfo} info
 * @returns {NumericArray | null}
 */
function numericValues(backend, info) {
  const values = backend.data.get(info.dataId)?.values;
  return values instanceof Float32Array || values instanceof Int32Array || values instanceof Uint8Array ? values : null;
}

/**
 * A kernel for one of {@link COMPARE_OPS}.
 * @param {string} kernelName
 * @returns {tf.KernelFunc}
 */
export function compareKernel(kernelName) {
  const loop = LOOPS[kernelName];
  if (loop === undefined) throw new Error(`mtsl-onednn: no comparison ${kernelName}`);
  return (args) => {
    const backend = /** @type {tf.MathBackendCPU} */ (args.backend);
    const { a, b } = args.inputs;
    if (a === undefined || b === undefined) throw new Error(`mtsl-onednn: ${kernelName} needs inputs a and b`);
    const av = numericValues(backend, a);
    const bv = numericValues(backend, b);
    if (av === null || bv === null) return runCpuKernel(kernelName, args);
    const paired = pairedOperands(a, b);
    if (paired === null) return runCpuKernel(kernelName, args);
    const { outShape, n, sa, sb } = paired;
    const out = new Uint8Array(n);
    if (n > 0) loop(av, bv, out, sa, sb);
    return backend.makeTensorInfo(outShape, "bool", out);
  };
}
