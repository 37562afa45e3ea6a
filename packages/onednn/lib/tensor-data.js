// @ts-check
/**
 * Reading and writing the CPU backend's tensor storage, which the "onednn" backend
 * shares: every tensor is a Float32Array (or Int32Array, ...) in `backend.data`.
 */
import * as tf from "@tensorflow/tfjs";

import { native } from "./addon.js";
import { FreeLists } from "./free-lists.js";

/**
 * Outputs of at least this many elements (2 MiB) that no recycled array serves are mapped
 * by the addon on 2 MiB boundaries with transparent huge pages (pool.cc). Measured: a 4 MiB
 * array allocated and filled once costs 0.17 ms mapped so against 0.65-0.73 ms as a plain
 * Float32Array (a page fault per 4 KiB; the fill alone is 0.09 ms); below 2 MiB a plain
 * array is cheaper (earlier: a 128 KiB one ~0.25 ms against ~0.8 ms for an external buffer).
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
/**
 * How many bytes of free arrays are kept: at least this, and at least the most bytes of
 * owned arrays ever live at once. A training step allocates and disposes the same lengths
 * every time, so free lists as large as its peak serve every output of the next step
 * (measured on bench/fixtures/scenes64.mtsl: with a fixed 512 MiB cap a step allocated
 * ~700 fresh arrays, ran 14 full collections and peaked at 2.4 GB RSS; sized by the peak it
 * allocates none, runs 5 and peaks at 1.2 GB). Beyond the limit the arrays free the longest
 * go first (free-lists.js says why).
 */
const MIN_FREE_BYTES = 256 * 2 ** 20;

/** @type {WeakSet<Float32Array>} */
const owned = new WeakSet();
let ownedBytes = 0;
let peakOwnedBytes = 0;
const stats = { reused: 0, allocated: 0, recycled: 0, escaped: 0, dropped: 0 };
const free = new FreeLists(drop);

/**
 * A Float32Array for a kernel's output, with unspecified contents: the kernel must
 * write every element. A recycled array when one of this length is free; else large ones
 * are mapped by the addon.
 * @param {number} length
 * @returns {Float32Array}
 */
export function outputArray(length) {
  if (length < RECYCLED_MIN) return new Float32Array(length);
  let out = free.take(length);
  if (out !== undefined) stats.reused++;
  else {
    out = length >= POOLED_MIN ? native.allocFloat32(length) : new Float32Array(length);
    stats.allocated++;
  }
  owned.add(out);
  ownedBytes += 4 * length;
  if (ownedBytes > peakOwnedBytes) peakOwnedBytes = ownedBytes;
  return out;
}

/**
 * Marks `values` as seen outside the native kernels: never recycled.
 * @param {unknown} values
 */
export function escape(values) {
  if (values instanceof Float32Array && owned.delete(values)) {
    stats.escaped++;
    ownedBytes -= 4 * values.length;
  }
}

/**
 * An owned array evicted from the free lists: nothing reads it again, so the addon's mapped
 * memory is unmapped now. Left to the garbage collector, it would wait for the event loop
 * to turn (pool.cc says why), and a training epoch is one synchronous loop.
 * @param {Float32Array} values
 */
function drop(values) {
  stats.dropped++;
  if (values.length >= POOLED_MIN) native.releaseFloat32(values);
}

/**
 * Called when the tensor holding `values` is disposed: an owned array goes to the free
 * lists (it has no other holder).
 * @param {unknown} values
 */
export function recycle(values) {
  if (!(values instanceof Float32Array) || !owned.delete(values)) return;
  ownedBytes -= 4 * values.length;
  stats.recycled++;
  free.put(values, Math.max(MIN_FREE_BYTES, peakOwnedBytes));
}

/**
 * Counts since start: outputs served from the free lists, freshly allocated, recycled,
 * escaped, free arrays dropped to make room; bytes free now, and the most bytes of owned
 * arrays live at once.
 */
export function recyclingStats() {
  return { ...stats, freeBytes: free.bytes, peakOwnedBytes };
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
 * "onednn" backend is a CPU backend, so its tensors are valid there). Its inputs' arrays
 * escape, unless `sharesInputs` says this call only adds a reference to their data.
 * @param {string} kernelName
 * @param {{inputs: tf.NamedTensorInfoMap, attrs?: tf.NamedAttrMap, backend: object}} args
 * @param {{sharesInputs?: boolean}} [how]
 * @returns {tf.TensorInfo | tf.TensorInfo[]}
 */
export function runCpuKernel(kernelName, args, how) {
  const kernel = tf.getKernel(kernelName, "cpu");
  if (kernel === undefined) throw new Error(`mtsl-onednn: the CPU backend has no '${kernelName}' kernel`);
  if (how?.sharesInputs !== true) escapeInputs(/** @type {tf.MathBackendCPU} */ (args.backend), args.inputs);
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

/**
 * A float32 element-wise kernel `kernelName`: `loop(x, out, args)` fills a recycled output of
 * x's shape; inputs that are not float32 run the CPU backend's kernel.
 * @param {string} kernelName
 * @param {(x: Float32Array, out: Float32Array, args: Parameters<tf.KernelFunc>[0]) => void} loop
 * @returns {tf.KernelFunc}
 */
export function floatMapKernel(kernelName, loop) {
  return (args) => {
    const backend = /** @type {tf.MathBackendCPU} */ (args.backend);
    const x = args.inputs.x;
    if (x === undefined) throw new Error(`mtsl-onednn: ${kernelName} needs input x`);
    const xv = floatValues(backend, x);
    if (xv === null) return runCpuKernel(kernelName, args);
    const out = outputArray(xv.length);
    if (out.length > 0) loop(xv, out, args);
    return floatOutput(backend, [...x.shape], out);
  };
}

/**
 * The output shape and element count of a binary op on `a` and `b`, with each side's index
 * step (1, or 0 for a one-element side), when the two have the same shape or one has a single
 * element; null for any other broadcast (those run the CPU backend's kernel).
 * @param {tf.TensorInfo} a
 * @param {tf.TensorInfo} b
 * @returns {{ outShape: number[], n: number, sa: number, sb: number } | null}
 */
export function pairedOperands(a, b) {
  const sizeA = sizeOf(a.shape);
  const sizeB = sizeOf(b.shape);
  const outShape = tf.backend_util.assertAndGetBroadcastShape(a.shape, b.shape);
  const n = sizeOf(outShape);
  if (!((sizeA === n || sizeA === 1) && (sizeB === n || sizeB === 1))) return null;
  return { outShape, n, sa: sizeA === 1 ? 0 : 1, sb: sizeB === 1 ? 0 : 1 };
}
