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
 * The float32 values of a kernel input, or null when it is not a float32 tensor.
 * A float32 tensor can hold another typed array: the CPU backend casts bool and int32 to
 * float32 without copying (`tf.cast(mask, "float32")` keeps the Uint8Array); the onednn
 * Cast kernel (pointwise.js) copies instead, and any other such input is converted here
 * rather than sending the kernel to the CPU backend, whose broadcasting allocates index
 * arrays per element (tens of MB of garbage per training step).
 * @param {tf.MathBackendCPU} backend
 * @param {tf.TensorInfo} info
 * @returns {Float32Array | null}
 */
export function floatValues(backend, info) {
  if (info.dtype !== "float32") return null;
  const entry = backend.data.get(info.dataId);
  const values = entry.values;
  if (values instanceof Float32Array) return values;
  if (values instanceof Uint8Array || values instanceof Int32Array) {
    // Not stored back: the data id may be shared with the bool or int32 source tensor.
    return Float32Array.from(values);
  }
  return null;
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
