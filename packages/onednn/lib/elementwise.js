// @ts-check
/**
 * Broadcasting binary operations (Add, Sub, Multiply, RealDiv, SquaredDifference,
 * Maximum, Minimum, Pow), Sum and Mean over any axes, and Slice / SplitV / Concat, for float32
 * tensors. The CPU backend computes broadcasts and reductions over outer axes with
 * per-element index arithmetic and transposes; these run in the addon (OpenMP) or as
 * contiguous block copies.
 */
import * as tf from "@tensorflow/tfjs";

import { native } from "./addon.js";
import { floatOutput, floatValues, outputArray, runCpuKernel, sizeOf } from "./tensor-data.js";

const MAX_RANK = 6;

/** Addon op codes, by kernel name. */
export const BINARY_OPS = /** @type {Record<string, number>} */ ({
  [tf.Add]: 0,
  [tf.Sub]: 1,
  [tf.Multiply]: 2,
  [tf.RealDiv]: 3,
  [tf.SquaredDifference]: 4,
  [tf.Maximum]: 5,
  [tf.Minimum]: 6,
  // In double precision, as the CPU backend's Math.pow: the same values bit for bit.
  [tf.Pow]: 7,
});

/**
 * The addon's layout vector for a broadcast of `aShape` and `bShape` to `outShape`
 * (NumPy rules), with size-1 axes dropped and mergeable axes merged; null when the
 * rank stays above 6.
 * @param {readonly number[]} aShape
 * @param {readonly number[]} bShape
 * @param {readonly number[]} outShape
 * @returns {Int32Array | null}
 */
export function broadcastLayout(aShape, bShape, outShape) {
  const rank = outShape.length;
  /** @param {readonly number[]} shape */
  const stridesFor = (shape) => {
    const padded = [...Array(rank - shape.length).fill(1), ...shape];
    const strides = new Array(rank).fill(0);
    let s = 1;
    for (let d = rank - 1; d >= 0; d--) {
      strides[d] = padded[d] === 1 ? 0 : s;
      s *= padded[d];
    }
    return strides;
  };
  const as = stridesFor(aShape);
  const bs = stridesFor(bShape);
  /** @type {number[]} */ const shape = [];
  /** @type {number[]} */ const sa = [];
  /** @type {number[]} */ const sb = [];
  for (let d = 0; d < rank; d++) {
    const n = /** @type {number} */ (outShape[d]);
    if (n === 1) continue;
    const last = shape.length - 1;
    if (last >= 0 && sa[last] === as[d] * n && sb[last] === bs[d] * n) {
      shape[last] = /** @type {number} */ (shape[last]) * n;
      sa[last] = as[d];
      sb[last] = bs[d];
    } else {
      shape.push(n);
      sa.push(as[d]);
      sb.push(bs[d]);
    }
  }
  if (
    shape.length === 0 ||
    /** @type {number} */ (sa[sa.length - 1]) > 1 ||
    /** @type {number} */ (sb[sb.length - 1]) > 1
  ) {
    // The addon wants the last axis contiguous or broadcast: add a unit axis.
    shape.push(1);
    sa.push(0);
    sb.push(0);
  }
  if (shape.length > MAX_RANK) return null;
  const layout = new Int32Array(1 + 3 * MAX_RANK);
  layout[0] = shape.length;
  shape.forEach((v, d) => {
    layout[1 + d] = v;
    layout[1 + MAX_RANK + d] = /** @type {number} */ (sa[d]);
    layout[1 + 2 * MAX_RANK + d] = /** @type {number} */ (sb[d]);
  });
  return layout;
}

/**
 * A kernel for one of {@link BINARY_OPS}.
 * @param {string} kernelName
 * @returns {tf.KernelFunc}
 */
export function binaryKernel(kernelName) {
  const op = BINARY_OPS[kernelName];
  if (op === undefined) throw new Error(`mtsl-onednn: no native binary op ${kernelName}`);
  return (args) => {
    const backend = /** @type {tf.MathBackendCPU} */ (args.backend);
    const { a, b } = args.inputs;
    if (a === undefined || b === undefined) throw new Error(`mtsl-onednn: ${kernelName} needs inputs a and b`);
    const av = floatValues(backend, a);
    const bv = floatValues(backend, b);
    if (av === null || bv === null) return runCpuKernel(kernelName, args);
    const outShape = tf.backend_util.assertAndGetBroadcastShape(a.shape, b.shape);
    const layout = broadcastLayout(a.shape, b.shape, outShape);
    if (layout === null) return runCpuKernel(kernelName, args);
    const out = outputArray(sizeOf(outShape));
    if (out.length > 0) native.binary(op, av, bv, out, layout);
    return floatOutput(backend, outShape, out);
  };
}

/**
 * Groups a reduction as (outer kept, reduced, inner kept) blocks, or null when the
 * reduced axes are not contiguous once size-1 axes are dropped.
 * @param {readonly number[]} shape
 * @param {readonly number[]} axes
 * @returns {Int32Array | null}
 */
export function reductionBlocks(shape, axes) {
  const reduced = new Set(axes.map((a) => (a < 0 ? a + shape.length : a)));
  const live = shape.map((n, d) => ({ n, r: reduced.has(d) })).filter((x) => x.n !== 1);
  const prod = (/** @type {{n: number}[]} */ xs) => xs.reduce((p, x) => p * x.n, 1);
  const first = live.findIndex((x) => x.r);
  if (first < 0) return Int32Array.from([prod(live), 1, 1]);
  let end = first;
  while (end < live.length && /** @type {{r: boolean}} */ (live[end]).r) end++;
  if (live.slice(end).some((x) => x.r)) return null;
  return Int32Array.from([prod(live.slice(0, first)), prod(live.slice(first, end)), prod(live.slice(end))]);
}

/**
 * Sum (mean = false) or Mean (mean = true).
 * @param {boolean} mean
 * @returns {tf.KernelFunc}
 */
function reductionKernel(mean) {
  const name = mean ? tf.Mean : tf.Sum;
  return (args) => {
    const backend = /** @type {tf.MathBackendCPU} */ (args.backend);
    const x = args.inputs.x;
    if (x === undefined) throw new Error(`mtsl-onednn: ${name} needs input x`);
    const { axis, keepDims } = /** @type {tf.SumAttrs} */ (/** @type {unknown} */ (args.attrs));
    const xv = floatValues(backend, x);
    const axes = tf.util.parseAxisParam(axis, x.shape);
    const blocks = xv === null ? null : reductionBlocks(x.shape, axes);
    if (xv === null || blocks === null || sizeOf(x.shape) === 0) return runCpuKernel(name, args);
    // Like the CPU backend, the mean is the float32 sum divided by the count.
    const count = axes.reduce((p, a) => p * /** @type {number} */ (x.shape[a]), 1);
    const out = outputArray(/** @type {number} */ (blocks[0]) * /** @type {number} */ (blocks[2]));
    native.reduceSum(xv, out, blocks);
    if (mean) for (let i = 0; i < out.length; i++) out[i] = /** @type {number} */ (out[i]) / count;
    const [reducedShape] = tf.backend_util.computeOutAndReduceShapes(x.shape, axes);
    const outShape = keepDims ? tf.backend_util.expandShapeToKeepDim(reducedShape, axes) : reducedShape;
    return floatOutput(backend, outShape, out);
  };
}

/** @type {tf.KernelFunc} */
export const sumKernel = reductionKernel(false);
/** @type {tf.KernelFunc} */
export const meanKernel = reductionKernel(true);

/**
 * Copies the box [begin, begin + size) of a row-major array of `shape` as contiguous
 * runs (the innermost axes taken whole plus the first partial axis before them).
 * @param {Float32Array} x
 * @param {readonly number[]} shape
 * @param {readonly number[]} begin
 * @param {readonly number[]} size
 * @returns {Float32Array}
 */
export function sliceValues(x, shape, begin, size) {
  const rank = shape.length;
  const out = outputArray(sizeOf(size));
  if (out.length === 0) return out;
  if (rank === 0) {
    out[0] = /** @type {number} */ (x[0]);
    return out;
  }
  let runAxis = rank - 1;
  while (runAxis > 0 && size[runAxis] === shape[runAxis]) runAxis--;
  let run = 1;
  for (let d = runAxis; d < rank; d++) run *= /** @type {number} */ (size[d]);
  const strides = new Array(rank).fill(1);
  for (let d = rank - 2; d >= 0; d--) strides[d] = strides[d + 1] * /** @type {number} */ (shape[d + 1]);
  let offset = 0;
  for (let d = 0; d < rank; d++) offset += /** @type {number} */ (begin[d]) * strides[d];
  const idx = new Array(runAxis).fill(0);
  // Short runs (e.g. the channels of a split along the last axis) copy faster element by
  // element than through a subarray view per run.
  const short = run < 64;
  for (let o = 0; o < out.length; o += run) {
    if (short) for (let i = 0; i < run; i++) out[o + i] = /** @type {number} */ (x[offset + i]);
    else out.set(x.subarray(offset, offset + run), o);
    for (let d = runAxis - 1; d >= 0; d--) {
      offset += strides[d];
      if (++idx[d] < /** @type {number} */ (size[d])) break;
      offset -= strides[d] * /** @type {number} */ (size[d]);
      idx[d] = 0;
    }
  }
  return out;
}

/** @type {tf.KernelFunc} */
export const sliceKernel = (args) => {
  const backend = /** @type {tf.MathBackendCPU} */ (args.backend);
  const x = args.inputs.x;
  if (x === undefined) throw new Error("mtsl-onednn: Slice needs input x");
  const { begin, size } = /** @type {tf.SliceAttrs} */ (/** @type {unknown} */ (args.attrs));
  const xv = floatValues(backend, x);
  if (xv === null) return runCpuKernel(tf.Slice, args);
  const xt = /** @type {tf.Tensor} */ (/** @type {unknown} */ (x));
  const [b, s] = tf.slice_util.parseSliceParams(xt, begin, size);
  tf.slice_util.assertParamsValid(xt, b, s);
  return floatOutput(backend, s, sliceValues(xv, x.shape, b, s));
};

/**
 * A tensor of `shape` seen as `outer` rows around axis `axis`: `outer` = product of the
 * axes before it, `inner` = product of the axes after it.
 * @param {readonly number[]} shape
 * @param {number} axis
 */
function aroundAxis(shape, axis) {
  let outer = 1;
  for (let d = 0; d < axis; d++) outer *= /** @type {number} */ (shape[d]);
  let inner = 1;
  for (let d = axis + 1; d < shape.length; d++) inner *= /** @type {number} */ (shape[d]);
  return { outer, inner };
}

/** @type {tf.KernelFunc} */
export const splitVKernel = (args) => {
  const backend = /** @type {tf.MathBackendCPU} */ (args.backend);
  const x = args.inputs.x;
  if (x === undefined) throw new Error("mtsl-onednn: SplitV needs input x");
  const { numOrSizeSplits, axis } = /** @type {tf.SplitVAttrs} */ (/** @type {unknown} */ (args.attrs));
  const xv = floatValues(backend, x);
  if (xv === null) return runCpuKernel(tf.SplitV, args);
  const $axis = tf.util.parseAxisParam(axis, x.shape)[0] ?? 0;
  const xt = /** @type {tf.Tensor} */ (/** @type {unknown} */ (x));
  const sizes = tf.backend_util.prepareSplitSize(xt, numOrSizeSplits, $axis);
  const { outer, inner } = aroundAxis(x.shape, $axis);
  const srcStride = /** @type {number} */ (x.shape[$axis]) * inner;
  const size = [...x.shape];
  let offset = 0;
  return sizes.map((s) => {
    size[$axis] = s;
    const run = s * inner;
    const out = outputArray(outer * run);
    native.copyRows(xv, srcStride, offset, out, run, 0, outer, run);
    offset += run;
    return floatOutput(backend, [...size], out);
  });
};

/** @type {tf.KernelFunc} */
export const concatKernel = (args) => {
  const backend = /** @type {tf.MathBackendCPU} */ (args.backend);
  const inputs = /** @type {tf.TensorInfo[]} */ (/** @type {unknown} */ (args.inputs));
  const { axis } = /** @type {tf.ConcatAttrs} */ (/** @type {unknown} */ (args.attrs));
  const values = inputs.map((t) => floatValues(backend, t));
  if (inputs.length === 0 || values.some((v) => v === null)) return runCpuKernel(tf.Concat, args);
  const first = /** @type {tf.TensorInfo} */ (inputs[0]);
  const $axis = tf.util.parseAxisParam(axis, first.shape)[0] ?? 0;
  const shapes = inputs.map((t) => t.shape);
  tf.backend_util.assertParamsConsistent(shapes, $axis);
  const outShape = tf.backend_util.computeOutShape(shapes, $axis);
  const { outer, inner } = aroundAxis(outShape, $axis);
  const dstStride = /** @type {number} */ (outShape[$axis]) * inner;
  const out = outputArray(sizeOf(outShape));
  let offset = 0;
  inputs.forEach((t, i) => {
    const run = /** @type {number} */ (t.shape[$axis]) * inner;
    native.copyRows(/** @type {Float32Array} */ (values[i]), run, 0, out, dstStride, offset, outer, run);
    offset += run;
  });
  return floatOutput(backend, outShape, out);
};
