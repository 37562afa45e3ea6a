// @ts-check
/**
 * Reading and writing the CPU backend's tensor storage, which the "onednn" backend
 * shares: every tensor is a Float32Array (or Int32Array, ...) in `backend.data`.
 */
import * as tf from "@tensorflow/tfjs";

import { native } from "./addon.js";

/**
 * Outputs of at least this many elements (2 MiB) come from the addon's buffer pool.
 * Measured: a 4 MiB output costs ~1 ms from the pool against ~7 ms freshly allocated
 * (page faults), while a 128 KiB one costs ~0.25 ms plainly against ~0.8 ms from the
 * pool (external ArrayBuffer and finaliser overhead).
 */
const POOLED_MIN = 1 << 19;

/**
 * A Float32Array for a kernel's output, with unspecified contents: the kernel must
 * write every element. Large ones come from the addon's pool of already-mapped memory.
 * @param {number} length
 * @returns {Float32Array}
 */
export function outputArray(length) {
  return length >= POOLED_MIN ? native.allocFloat32(length) : new Float32Array(length);
}

/**
 * The float32 values of a kernel input, or null when it is not a plain float32 tensor (the
 * kernel then runs the CPU backend's). A float32 tensor holding another typed array comes
 * from the CPU backend's Cast, which shares the source's storage; the onednn Cast
 * (pointwise.js) copies into a Float32Array instead, so these stay rare.
 * @param {tf.MathBackendCPU} backend
 * @param {tf.TensorInfo} info
 * @returns {Float32Array | null}
 */
export function floatValues(backend, info) {
  if (info.dtype !== "float32") return null;
  const values = backend.data.get(info.dataId).values;
  return values instanceof Float32Array ? values : null;
}

/**
 * Makes a float32 output tensor of `shape` from `values`, owned by the backend.
 * @param {tf.MathBackendCPU} backend
 * @param {number[]} shape
 * @param {Float32Array} values
 * @returns {tf.TensorInfo}
 */
export function floatOutput(backend, shape, values) {
  return backend.makeTensorInfo(shape, "float32", values);
}

/**
 * Number of elements of a shape.
 * @param {readonly number[]} shape
 */
export function sizeOf(shape) {
  return shape.reduce((a, b) => a * b, 1);
}

/**
 * Runs the pure-JS CPU backend's kernel `kernelName` on the same inputs (the
 * "onednn" backend is a CPU backend, so its tensors are valid there).
 * @param {string} kernelName
 * @param {{inputs: tf.NamedTensorInfoMap, attrs?: tf.NamedAttrMap, backend: object}} args
 * @returns {tf.TensorInfo | tf.TensorInfo[]}
 */
export function runCpuKernel(kernelName, args) {
  const kernel = tf.getKernel(kernelName, "cpu");
  if (kernel === undefined) throw new Error(`mtsl-onednn: the CPU backend has no '${kernelName}' kernel`);
  return kernel.kernelFunc(/** @type {any} */ (args));
}
