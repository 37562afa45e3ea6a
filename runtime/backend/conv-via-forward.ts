/**
 * Both backward passes of a 2-D convolution written as forward `conv2d` calls.
 *
 * On the WebAssembly backend a forward convolution runs on XNNPACK, which is far faster
 * than the backend's loop kernels for the backward passes (and the backend has no
 * filter-gradient kernel at all). The same formulas also give gradients for dilated
 * convolutions, which TensorFlow.js does not provide on any backend.
 *
 * Layout is NHWC; filters are [filterHeight, filterWidth, inChannels, outChannels].
 */
import * as tf from "@tensorflow/tfjs";

import { BackendError, BackendErrorCode } from "./backend-error.js";
import { onHostMemory } from "./read-kernel-input.js";

/** The padding forms accepted by `tf.conv2d`. */
export type ConvPadding = "same" | "valid" | number | tf.backend_util.ExplicitPadding;

/** Stride, dilation and padding of the forward convolution whose gradient is wanted. */
export interface ConvGeometry {
  strides: number | [number, number];
  dilations: number | [number, number];
  pad: ConvPadding;
  dimRoundingMode?: "floor" | "round" | "ceil";
}

type Shape4D = [number, number, number, number];

/**
 * How to turn `size` positions into a window that starts `before` positions early and
 * ends `after` positions late: negative amounts crop instead of pad.
 */
interface Window1D {
  start: number;
  length: number;
  padBefore: number;
  padAfter: number;
}

function window1D(size: number, before: number, after: number): Window1D {
  const start = before < 0 ? -before : 0;
  const end = after < 0 ? size + after : size;
  return { start, length: end - start, padBefore: Math.max(0, before), padAfter: Math.max(0, after) };
}

/** Crops `t` spatially where the windows ask for it; returns `t` itself when nothing is cropped. */
function cropSpatial(t: tf.Tensor4D, rows: Window1D, cols: Window1D): tf.Tensor4D {
  const [, height, width] = t.shape;
  if (rows.start === 0 && rows.length === height && cols.start === 0 && cols.length === width) return t;
  return tf.slice(t, [0, rows.start, cols.start, 0], [-1, rows.length, cols.length, -1]);
}

function explicitPadding(rows: Window1D, cols: Window1D): tf.backend_util.ExplicitPadding {
  return [
    [0, 0],
    [rows.padBefore, rows.padAfter],
    [cols.padBefore, cols.padAfter],
    [0, 0],
  ];
}

/** Throws unless the data format is NHWC (the only layout these gradients implement). */
export function requireNhwc(dataFormat: string | undefined): void {
  if (dataFormat !== undefined && dataFormat !== "NHWC") {
    throw new BackendError(
      `convolution gradients support only NHWC data, got ${dataFormat}`,
      BackendErrorCode.unsupportedKernelArgs,
    );
  }
}

function convInfo(xShape: Shape4D, filterShape: Shape4D, g: ConvGeometry): tf.backend_util.Conv2DInfo {
  return tf.backend_util.computeConv2DInfo(xShape, filterShape, g.strides, g.dilations, g.pad, g.dimRoundingMode);
}

function checkDyShape(dy: tf.Tensor4D, info: tf.backend_util.Conv2DInfo): void {
  const want = [info.batchSize, info.outHeight, info.outWidth, info.outChannels];
  if (dy.shape.some((d, i) => d !== want[i])) {
    throw new BackendError(
      `convolution gradient: dy has shape [${dy.shape.join(", ")}], expected [${want.join(", ")}]`,
      BackendErrorCode.unsupportedKernelArgs,
    );
  }
}

/**
 * Gradient of `conv2d(x, filter)` with respect to the filter, as one forward convolution
 * over the batch dimension: the input is `x` with channels as the batch and the batch as
 * channels ([inC, H, W, B]), the "filter" is `dy` laid out as [outH, outW, B, outC], the
 * stride is the forward dilation and the dilation the forward stride.
 *
 * (Making `x` the filter instead, with `dy` flipped as the input, was measured 3x slower
 * for a 3-channel first layer although XNNPACK then repacks a smaller filter.)
 */
export function conv2dBackpropFilterViaConv(
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  filterShape: Shape4D,
  geometry: ConvGeometry,
): tf.Tensor4D {
  const info = convInfo(x.shape, filterShape, geometry);
  checkDyShape(dy, info);
  const [filterHeight, filterWidth] = filterShape;
  const { strideHeight, strideWidth, dilationHeight, dilationWidth, outHeight, outWidth, padInfo } = info;
  const [, inHeight, inWidth] = x.shape;
  // Input rows [-padTop, neededHeight - padTop) are read by the forward convolution.
  const neededHeight = (outHeight - 1) * strideHeight + (filterHeight - 1) * dilationHeight + 1;
  const neededWidth = (outWidth - 1) * strideWidth + (filterWidth - 1) * dilationWidth + 1;
  const rows = window1D(inHeight, padInfo.top, neededHeight - padInfo.top - inHeight);
  const cols = window1D(inWidth, padInfo.left, neededWidth - padInfo.left - inWidth);
  return tf.tidy(() => {
    const xT = tf.transpose(cropSpatial(x, rows, cols), [3, 1, 2, 0]);
    const dyT = tf.transpose(dy, [1, 2, 0, 3]);
    const grad = tf.conv2d(xT, dyT, [dilationHeight, dilationWidth], explicitPadding(rows, cols), "NHWC", [
      strideHeight,
      strideWidth,
    ]);
    return tf.transpose(grad, [1, 2, 0, 3]);
  });
}

/** The filter flipped in space with its channel axes swapped: [fh, fw, inC, outC] -> [fh, fw, outC, inC]. */
export function flippedFilterValues(
  f: ArrayLike<number>,
  filterHeight: number,
  filterWidth: number,
  inChannels: number,
  outChannels: number,
): Float32Array {
  const out = new Float32Array(filterHeight * filterWidth * inChannels * outChannels);
  for (let i = 0; i < filterHeight; i++)
    for (let j = 0; j < filterWidth; j++) {
      const src = ((filterHeight - 1 - i) * filterWidth + (filterWidth - 1 - j)) * inChannels * outChannels;
      const dst = (i * filterWidth + j) * outChannels * inChannels;
      for (let c = 0; c < inChannels; c++)
        for (let o = 0; o < outChannels; o++) out[dst + o * inChannels + c] = f[src + c * outChannels + o]!;
    }
  return out;
}

/**
 * The filter flipped in space with its channel axes swapped. In host memory this is one
 * loop over the filter's values (reverse and transpose kernels cost far more than the loop
 * on a 3x3 filter); elsewhere, where reading values back would stall, tensor ops.
 */
export function flippedFilter(filter: tf.Tensor4D, host = onHostMemory()): tf.Tensor4D {
  if (!host) return tf.transpose(tf.reverse(filter, [0, 1]), [0, 1, 3, 2]);
  const [fh, fw, inC, outC] = filter.shape;
  return tf.tensor4d(flippedFilterValues(filter.dataSync(), fh, fw, inC, outC), [fh, fw, outC, inC]);
}

/** {@link phaseFilters} as one loop over the filter's values. */
export function phaseFilterValues(
  f: ArrayLike<number>,
  filterShape: Shape4D,
  strideHeight: number,
  strideWidth: number,
): { values: Float32Array; shape: Shape4D } {
  const [filterHeight, filterWidth, inChannels, outChannels] = filterShape;
  const rowsPerPhase = Math.ceil(filterHeight / strideHeight);
  const colsPerPhase = Math.ceil(filterWidth / strideWidth);
  const phases = strideHeight * strideWidth;
  const out = new Float32Array(rowsPerPhase * colsPerPhase * outChannels * phases * inChannels);
  for (let r = 0; r < strideHeight; r++) {
    const rowTaps = phaseTaps(filterHeight, strideHeight, r, rowsPerPhase);
    for (let sc = 0; sc < strideWidth; sc++) {
      const colTaps = phaseTaps(filterWidth, strideWidth, sc, colsPerPhase);
      const phase = r * strideWidth + sc;
      for (let m = 0; m < rowsPerPhase; m++) {
        const tapRow = rowTaps[m]!;
        if (tapRow === filterHeight) continue; // a zero tap
        for (let n = 0; n < colsPerPhase; n++) {
          const tapCol = colTaps[n]!;
          if (tapCol === filterWidth) continue;
          const src = (tapRow * filterWidth + tapCol) * inChannels * outChannels;
          const dst = (m * colsPerPhase + n) * outChannels * phases * inChannels;
          for (let c = 0; c < inChannels; c++)
            for (let o = 0; o < outChannels; o++)
              out[dst + (o * phases + phase) * inChannels + c] = f[src + c * outChannels + o]!;
        }
      }
    }
  }
  return { values: out, shape: [rowsPerPhase, colsPerPhase, outChannels, phases * inChannels] };
}

function phaseFiltersOnHost(filter: tf.Tensor4D, strideHeight: number, strideWidth: number): tf.Tensor4D {
  const { values, shape } = phaseFilterValues(filter.dataSync(), filter.shape, strideHeight, strideWidth);
  return tf.tensor4d(values, shape);
}

/**
 * Indices into a filter axis for the flipped sub-filter of one phase: taps
 * `phase, phase + stride, ...` below `size` in reverse order, front-filled up to `length`
 * with `size` (the index of an appended zero slice).
 */
function phaseTaps(size: number, stride: number, phase: number, length: number): number[] {
  const taps: number[] = [];
  for (let p = phase; p < size; p += stride) taps.unshift(p);
  while (taps.length < length) taps.unshift(size);
  return taps;
}

/**
 * The flipped sub-filters of all `strideHeight * strideWidth` phases, zero-filled to a
 * common size and stacked along the output axis in (row phase, column phase) order:
 * shape [ceil(fh / sh), ceil(fw / sw), outC, sh * sw * inC].
 */
export function phaseFilters(
  filter: tf.Tensor4D,
  strideHeight: number,
  strideWidth: number,
  host = onHostMemory(),
): tf.Tensor4D {
  if (host) return phaseFiltersOnHost(filter, strideHeight, strideWidth);
  const [filterHeight, filterWidth] = filter.shape;
  const rowsPerPhase = Math.ceil(filterHeight / strideHeight);
  const colsPerPhase = Math.ceil(filterWidth / strideWidth);
  const rowIndex: number[] = [];
  const colIndex: number[] = [];
  for (let r = 0; r < strideHeight; r++) rowIndex.push(...phaseTaps(filterHeight, strideHeight, r, rowsPerPhase));
  for (let c = 0; c < strideWidth; c++) colIndex.push(...phaseTaps(filterWidth, strideWidth, c, colsPerPhase));
  const zeroPadded = tf.pad(filter, [
    [0, 1],
    [0, 1],
    [0, 0],
    [0, 0],
  ]);
  // [sh * Mh, sw * Mw, inC, outC] -> [sh, Mh, sw, Mw, inC, outC] -> [Mh, Mw, outC, sh, sw, inC]
  const gathered = tf.gather(
    tf.gather(zeroPadded, tf.tensor1d(rowIndex, "int32"), 0),
    tf.tensor1d(colIndex, "int32"),
    1,
  );
  const [, , inChannels, outChannels] = filter.shape;
  const split = tf.reshape(gathered, [strideHeight, rowsPerPhase, strideWidth, colsPerPhase, inChannels, outChannels]);
  return tf.reshape(tf.transpose(split, [1, 3, 5, 0, 2, 4]), [
    rowsPerPhase,
    colsPerPhase,
    outChannels,
    strideHeight * strideWidth * inChannels,
  ]);
}

/**
 * Gradient of `conv2d(x, filter)` with respect to `x` (shape `inputShape`), as a forward
 * convolution of `dy` with the filter flipped in space and its channel axes swapped.
 *
 * For strided (hence undilated) convolutions, input rows `u` with
 * `(u + padTop) % stride == r` receive only the filter taps `r, r + stride, ...`. Each such
 * phase is a stride-1 convolution of `dy` with a sub-filter; all phases run as one
 * convolution whose output channels are (phase, channel), and are then interleaved. This
 * does about `ceil(k / s)^2 * s^2 / k^2` times the forward work (16/9 for k3 s2), where
 * convolving a zero-spread `dy` would do `s^2` times (4x).
 */
export function conv2dBackpropInputViaConv(
  dy: tf.Tensor4D,
  filter: tf.Tensor4D,
  inputShape: Shape4D,
  geometry: ConvGeometry,
): tf.Tensor4D {
  const info = convInfo(inputShape, filter.shape, geometry);
  checkDyShape(dy, info);
  const [filterHeight, filterWidth, inChannels] = filter.shape;
  const { strideHeight, strideWidth, dilationHeight, dilationWidth, padInfo, outHeight, outWidth } = info;
  const [batch, inHeight, inWidth] = inputShape;
  return tf.tidy(() => {
    if (strideHeight === 1 && strideWidth === 1) {
      const effectiveHeight = (filterHeight - 1) * dilationHeight + 1;
      const effectiveWidth = (filterWidth - 1) * dilationWidth + 1;
      const top = effectiveHeight - 1 - padInfo.top;
      const left = effectiveWidth - 1 - padInfo.left;
      const rows = window1D(outHeight, top, inHeight + effectiveHeight - 1 - top - outHeight);
      const cols = window1D(outWidth, left, inWidth + effectiveWidth - 1 - left - outWidth);
      const flipped = flippedFilter(filter);
      return tf.conv2d(cropSpatial(dy, rows, cols), flipped, 1, explicitPadding(rows, cols), "NHWC", [
        dilationHeight,
        dilationWidth,
      ]);
    }
    // Phase grid: padded input row u + padTop = k * stride + r for k in [k0, k0 + K).
    const k0 = Math.floor(padInfo.top / strideHeight);
    const rowCount = Math.floor((padInfo.top + inHeight - 1) / strideHeight) - k0 + 1;
    const l0 = Math.floor(padInfo.left / strideWidth);
    const colCount = Math.floor((padInfo.left + inWidth - 1) / strideWidth) - l0 + 1;
    const rowsPerPhase = Math.ceil(filterHeight / strideHeight);
    const colsPerPhase = Math.ceil(filterWidth / strideWidth);
    const rows = window1D(outHeight, rowsPerPhase - 1 - k0, k0 + rowCount - outHeight);
    const cols = window1D(outWidth, colsPerPhase - 1 - l0, l0 + colCount - outWidth);
    const phases = tf.conv2d(
      cropSpatial(dy, rows, cols),
      phaseFilters(filter, strideHeight, strideWidth),
      1,
      explicitPadding(rows, cols),
    );
    // [B, K, L, sh, sw, C] -> [B, K, sh, L, sw, C] -> [B, K * sh, L * sw, C]
    const interleaved = tf.reshape(
      tf.transpose(
        tf.reshape(phases, [batch, rowCount, colCount, strideHeight, strideWidth, inChannels]),
        [0, 1, 3, 2, 4, 5],
      ),
      [batch, rowCount * strideHeight, colCount * strideWidth, inChannels],
    ) as tf.Tensor4D;
    const top = padInfo.top - k0 * strideHeight;
    const left = padInfo.left - l0 * strideWidth;
    if (top === 0 && left === 0 && rowCount * strideHeight === inHeight && colCount * strideWidth === inWidth) {
      return interleaved;
    }
    return tf.slice(interleaved, [0, top, left, 0], [batch, inHeight, inWidth, inChannels]);
  });
}
