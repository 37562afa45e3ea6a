// @ts-check
/**
 * Unary element-wise kernels (Relu, Step, Sqrt, Rsqrt, Square, Neg, Exp, Abs, Sigmoid, and
 * Log and Softplus in double precision like the CPU backend's, so bit for bit the same),
 * FusedBatchNorm's per-channel affine map, and Tile as block copies. The CPU backend
 * runs these through per-element closures and index arithmetic.
 */
import * as tf from "@tensorflow/tfjs";

import { native } from "./addon.js";
import { floatMapKernel, floatOutput, floatValues, outputArray, runCpuKernel, sizeOf } from "./tensor-data.js";

/** Addon op codes, by kernel name. */
export const UNARY_OPS = /** @type {Record<string, number>} */ ({
  [tf.Relu]: 0,
  [tf.Step]: 1,
  [tf.Sqrt]: 2,
  [tf.Rsqrt]: 3,
  [tf.Square]: 4,
  [tf.Neg]: 5,
  [tf.Exp]: 6,
  [tf.Abs]: 7,
  [tf.Sigmoid]: 8,
  [tf.Log]: 9,
  [tf.Softplus]: 10,
});

/**
 * A kernel for one of {@link UNARY_OPS}.
 * @param {string} kernelName
 * @returns {tf.KernelFunc}
 */
export function unaryKernel(kernelName) {
  const op = UNARY_OPS[kernelName];
  if (op === undefined) throw new Error(`mtsl-onednn: no native unary op ${kernelName}`);
  return floatMapKernel(kernelName, (xv, out, args) => {
    const alpha =
      kernelName === tf.Step ? Number(/** @type {tf.StepAttrs} */ (/** @type {unknown} */ (args.attrs)).alpha ?? 0) : 0;
    native.unary(op, xv, out, alpha);
  });
}

/**
 * A per-channel parameter of batch norm as `channels` float64-exact values, or null
 * when its length is neither 1 nor `channels`.
 * @param {Float32Array | null} values
 * @param {number} channels
 * @param {number} missing the value when the parameter is absent
 */
function perChannel(values, channels, missing) {
  if (values === null) return new Float64Array(channels).fill(missing);
  if (values.length === channels) return Float64Array.from(values);
  if (values.length === 1) return new Float64Array(channels).fill(/** @type {number} */ (values[0]));
  return null;
}

/** @type {tf.KernelFunc} */
export const fusedBatchNormKernel = (args) => {
  const backend = /** @type {tf.MathBackendCPU} */ (args.backend);
  const { x, mean, variance, offset, scale } = args.inputs;
  if (x === undefined || mean === undefined || variance === undefined) {
    throw new Error("mtsl-onednn: FusedBatchNorm needs inputs x, mean and variance");
  }
  const eps = Number(
    /** @type {tf.FusedBatchNormAttrs} */ (/** @type {unknown} */ (args.attrs)).varianceEpsilon ?? 0.001,
  );
  const xv = floatValues(backend, x);
  const channels = x.shape[x.shape.length - 1] ?? 1;
  const m = perChannel(floatValues(backend, mean), channels, 0);
  const v = perChannel(floatValues(backend, variance), channels, 1);
  const s =
    scale === undefined ? new Float64Array(channels).fill(1) : perChannel(floatValues(backend, scale), channels, 1);
  const o =
    offset === undefined ? new Float64Array(channels).fill(0) : perChannel(floatValues(backend, offset), channels, 0);
  if (xv === null || m === null || v === null || s === null || o === null || xv.length % channels !== 0) {
    return runCpuKernel(tf.FusedBatchNorm, args);
  }
  const factor = new Float32Array(channels);
  for (let c = 0; c < channels; c++)
    factor[c] = /** @type {number} */ (s[c]) / Math.sqrt(/** @type {number} */ (v[c]) + eps);
  const out = outputArray(xv.length);
  if (out.length > 0) native.channelAffine(xv, Float32Array.from(m), factor, Float32Array.from(o), out);
  return floatOutput(backend, [...x.shape], out);
};

/**
 * Tiles a row-major array: one pass per repeated axis, each a sequence of block copies.
 * @param {Float32Array} x
 * @param {readonly number[]} shape
 * @param {readonly number[]} reps
 * @returns {Float32Array}
 */
export function tileValues(x, shape, reps) {
  let current = x;
  const cur = [...shape];
  for (let d = shape.length - 1; d >= 0; d--) {
    const r = /** @type {number} */ (reps[d]);
    if (r === 1) continue;
    const outer = sizeOf(cur.slice(0, d));
    const block = sizeOf(cur.slice(d));
    const next = outputArray(outer * block * r);
    for (let o = 0; o < outer; o++) {
      const src = current.subarray(o * block, (o + 1) * block);
      for (let k = 0; k < r; k++) next.set(src, (o * r + k) * block);
    }
    current = next;
    cur[d] = /** @type {number} */ (cur[d]) * r;
  }
  return current === x ? Float32Array.from(x) : current;
}

/** @type {tf.KernelFunc} */
export const tileKernel = (args) => {
  const backend = /** @type {tf.MathBackendCPU} */ (args.backend);
  const x = args.inputs.x;
  if (x === undefined) throw new Error("mtsl-onednn: Tile needs input x");
  const { reps } = /** @type {tf.TileAttrs} */ (/** @type {unknown} */ (args.attrs));
  const xv = floatValues(backend, x);
  if (xv === null || reps.length !== x.shape.length) return runCpuKernel(tf.Tile, args);
  const outShape = x.shape.map((n, d) => n * /** @type {number} */ (reps[d]));
  if (sizeOf(outShape) === 0) return runCpuKernel(tf.Tile, args);
  return floatOutput(backend, outShape, tileValues(xv, x.shape, reps));
};

/**
 * Cast: bool or int32 to float32 as a copy into a Float32Array. The CPU backend's Cast
 * shares the source's Uint8Array or Int32Array instead, which the native kernels cannot
 * read (relu's gradient casts its step mask this way on every training step). A cast to the
 * input's own dtype shares its data, as on the CPU backend; every other cast is the CPU
 * backend's.
 * @type {tf.KernelFunc}
 */
export const castKernel = (args) => {
  const backend = /** @type {tf.MathBackendCPU} */ (args.backend);
  const x = args.inputs.x;
  if (x === undefined) throw new Error("mtsl-onednn: Cast needs input x");
  const { dtype } = /** @type {tf.CastAttrs} */ (/** @type {unknown} */ (args.attrs));
  if (dtype === "float32" && (x.dtype === "bool" || x.dtype === "int32")) {
    const values = backend.data.get(x.dataId).values;
    if (values instanceof Uint8Array || values instanceof Int32Array) {
      const out = outputArray(values.length);
      // TypedArray#set converts element by element as the loop `out[i] = values[i]` would
      // (the same float32 rounding), in the engine: 5-10 µs for 65,536 values against 70-100.
      out.set(values);
      return floatOutput(backend, [...x.shape], out);
    }
  }
  // A cast to the same dtype only adds a reference to the input's data (the CPU backend's
  // identity): the array stays owned.
  if (dtype === x.dtype) return runCpuKernel(tf.Cast, args, { sharesInputs: true });
  return runCpuKernel(tf.Cast, args);
};
