// @ts-check
/**
 * Reading and writing the CPU backend's tensor storage, which the "onednn" backend
 * shares: every tensor is a Float32Array (or Int32Array, ...) in `backend.data`.
 */
import * as tf from "@tensorflow/tfjs";

import { native } from "./addon.js";

/**
 * Outputs of at least this many elements (2 MiB) that no recycled array serves come from
 * the addon's buffer pool. Measured: a 4 MiB output costs ~1 ms from the pool against ~7 ms
 * freshly allocated (page faults), while a 128 KiB one costs ~0.25 ms plainly against ~0.8
 * ms from the pool (external ArrayBuffer and finaliser overhead).
 */
const POOLED_MIN = 1 << 19;

/**
 * Recycling. Every kernel output of at least RECYCLED_MIN elements is "owned": its array
 * belongs to exactly one tensor, and nothing outside the native kernels has seen it. When
 * that tensor is disposed (backend.disposeData), its array goes to a free list by length
 * and is the next output of that length: a training step then allocates almost nothing,
 * and V8 no longer runs a full garbage collection every ~100 MB of kernel outputs to find
 * the arrays it could free. An array stops being owned ("escapes") as soon as anything
 * else could hold it: a read (dataSync, data, arraySync, bufferSync: backend.readSync),
 * or any CPU-backend kernel given it as input (some return views of their inputs, e.g. a
 * simple slice), except the ones known to only add a reference to the same data (Reshape
 * and the like). Escaped arrays are left to the garbage collector, as before.
 */
const RECYCLED_MIN = 1 << 12;
/** Free arrays kept at most (bytes); beyond it a disposed array is left to the collector. */
const MAX_FREE_BYTES = 512 * 2 ** 20;

/** @type {WeakSet<Float32Array>} */
const owned = new WeakSet();
/** @type {Map<number, Float32Array[]>} */
const freeLists = new Map();
let freeBytes = 0;
const stats = { reused: 0, allocated: 0, recycled: 0, escaped: 0 };

/**
 * A Float32Array for a kernel's output, with unspecified contents: the kernel must
 * write every element. A recycled array when one of this length is free; else large ones
 * come from the addon's pool of already-mapped memory.
 * @param {number} length
 * @returns {Float32Array}
 */
export function outputArray(length) {
  if (length < RECYCLED_MIN) return new Float32Array(length);
  const free = freeLists.get(length);
  /** @type {Float32Array | undefined} */
  let out = free?.pop();
  if (out !== undefined) {
    freeBytes -= 4 * length;
    stats.reused++;
  } else {
    out = length >= POOLED_MIN ? native.allocFloat32(length) : new Float32Array(length);
    stats.allocated++;
  }
  owned.add(out);
  return out;
}

/**
 * Marks `values` as seen outside the native kernels: never recycled.
 * @param {unknown} values
 */
export function escape(values) {
  if (values instanceof Float32Array && owned.delete(values)) stats.escaped++;
}

/**
 * Called when the tensor holding `values` is disposed: an owned array goes to the free
 * lists (it has no other holder).
 * @param {unknown} values
 */
export function recycle(values) {
  if (!(values instanceof Float32Array) || !owned.delete(values)) return;
  const bytes = 4 * values.length;
  if (freeBytes + bytes > MAX_FREE_BYTES) return;
  let free = freeLists.get(values.length);
  if (free === undefined) freeLists.set(values.length, (free = []));
  free.push(values);
  freeBytes += bytes;
  stats.recycled++;
}

/** Drops every free array (they go to the garbage collector). */
export function dropFreeArrays() {
  freeLists.clear();
  freeBytes = 0;
}

/** Counts since start: outputs served from the free lists, freshly allocated, recycled, escaped; bytes free now. */
export function recyclingStats() {
  return { ...stats, freeBytes };
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
  escapeInputs(/** @type {tf.MathBackendCPU} */ (args.backend), args.inputs);
  return kernel.kernelFunc(/** @type {any} */ (args));
}

/**
 * Marks the arrays of every input as escaped (see {@link outputArray}): a CPU-backend
 * kernel may return a view of them.
 * @param {tf.MathBackendCPU} backend
 * @param {tf.NamedTensorInfoMap | tf.TensorInfo[]} inputs
 */
export function escapeInputs(backend, inputs) {
  // for...in, not Object.values: this runs before every CPU-backend kernel call.
  for (const key in inputs) {
    const info = /** @type {Record<string, tf.TensorInfo | undefined>} */ (inputs)[key];
    if (info === undefined || info === null) continue;
    const data = backend.data.get(info.dataId);
    if (data !== undefined) escape(data.values);
  }
}
