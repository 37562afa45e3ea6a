/**
 * Training kernels the webgpu backend of TensorFlow.js 4.22 gets wrong, replaced.
 *
 * - `ResizeBilinearGrad`: the built-in shader reads only `alignCorners` and computes the
 *   gradient of the corner-aligned grid even when the forward resize used half-pixel
 *   centres (the same bug as the CPU and wasm kernels; resize-bilinear-grad.ts). The
 *   replacement is a WGSL program that gathers, for each input pixel, the output pixels
 *   whose bilinear taps reach it: the taps per axis are computed on the host exactly as
 *   the CPU forward kernel computes them, and sent as two small tables.
 *
 * Checked against the CPU backend (itself checked against float64 adjoints) in
 * test/runtime/backend/webgpu.test.ts.
 */
import * as tf from "@tensorflow/tfjs";

import { axisTaps } from "./resize-bilinear-grad.js";
import { installKernel, resizeGradArgs } from "./resize-grad.js";

const WEBGPU = "webgpu";

/** The part of tfjs-backend-webgpu's program interface this file uses. */
interface Program {
  outputShape: number[];
  shaderKey: string;
  dispatchLayout: { x: number[] };
  dispatch: [number, number, number];
  variableNames: string[];
  uniforms: string;
  workgroupSize: [number, number, number];
  size: boolean;
  getUserCode(): string;
}

interface WebgpuBackend {
  makeTensorInfo(shape: number[], dtype: tf.DataType, values?: Float32Array): tf.TensorInfo;
  disposeData(dataId: tf.DataId): boolean;
  runWebGPUProgram(
    program: Program,
    inputs: tf.TensorInfo[],
    outputDtype: tf.DataType,
    uniforms: { type: string; data: number[] }[],
  ): tf.TensorInfo;
}

/**
 * tfjs-backend-webgpu's `webgpu_util` (dispatch layouts within WebGPU's limits), handed over
 * by the loader: the package is optional, so nothing here imports it.
 */
export interface WebgpuUtil {
  flatDispatchLayout(shape: number[]): { x: number[] };
  computeDispatch(
    layout: { x: number[] },
    outputShape: number[],
    workgroupSize: [number, number, number],
  ): [number, number, number];
}

/**
 * For each input index along one axis, the output indices whose taps reach it and their
 * weights, as a [inSize, width, 2] table (index, weight), zero-weight padded; and `width`.
 */
export function gatherTable(
  inSize: number,
  outSize: number,
  alignCorners: boolean,
  halfPixelCenters: boolean,
): { table: Float32Array; width: number } {
  const taps = axisTaps(inSize, outSize, alignCorners, halfPixelCenters);
  const lists: [number, number][][] = Array.from({ length: inSize }, () => []);
  for (let o = 0; o < outSize; o++) {
    const frac = taps.frac[o]!;
    lists[taps.low[o]!]!.push([o, 1 - frac]);
    lists[taps.high[o]!]!.push([o, frac]);
  }
  const width = Math.max(1, ...lists.map((l) => l.length));
  const table = new Float32Array(inSize * width * 2);
  lists.forEach((list, i) =>
    list.forEach(([o, w], k) => {
      table[(i * width + k) * 2] = o;
      table[(i * width + k) * 2 + 1] = w;
    }),
  );
  return { table, width };
}

function resizeBilinearGradProgram(imageShape: number[], util: WebgpuUtil): Program {
  const outputShape = [...imageShape];
  const dispatchLayout = util.flatDispatchLayout(outputShape);
  const workgroupSize: [number, number, number] = [64, 1, 1];
  return {
    outputShape,
    shaderKey: "mtslResizeBilinearGrad",
    dispatchLayout,
    dispatch: util.computeDispatch(dispatchLayout, outputShape, workgroupSize),
    variableNames: ["dy", "rows", "cols"],
    uniforms: "rowTaps : i32, colTaps : i32,",
    workgroupSize,
    size: true,
    getUserCode: () => `
      fn main(index : i32) {
        if (index < uniforms.size) {
          let coords = getOutputCoords();
          let b = coords[0];
          let r = coords[1];
          let c = coords[2];
          let d = coords[3];
          var acc = 0.0;
          for (var i = 0; i < uniforms.rowTaps; i++) {
            let wr = getRows(r, i, 1);
            if (wr == 0.0) {
              continue;
            }
            let dyR = i32(getRows(r, i, 0));
            for (var j = 0; j < uniforms.colTaps; j++) {
              let wc = getCols(c, j, 1);
              if (wc == 0.0) {
                continue;
              }
              acc += getDy(b, dyR, i32(getCols(c, j, 0)), d) * wr * wc;
            }
          }
          setOutputAtIndex(index, acc);
        }
      }
    `,
  };
}

/** Kernel function for `ResizeBilinearGrad` on webgpu (inputs `images`, `dy`). */
function resizeBilinearGradKernel(util: WebgpuUtil): tf.KernelFunc {
  return (args) => {
    const { images, dy, alignCorners, halfPixelCenters } = resizeGradArgs(tf.ResizeBilinearGrad, args);
    const gpu = args.backend as unknown as WebgpuBackend;
    const [, inHeight = 0, inWidth = 0] = images.shape;
    const [, outHeight = 0, outWidth = 0] = dy.shape;
    const rows = gatherTable(inHeight, outHeight, alignCorners, halfPixelCenters);
    const cols = gatherTable(inWidth, outWidth, alignCorners, halfPixelCenters);
    const rowInfo = gpu.makeTensorInfo([inHeight, rows.width, 2], "float32", rows.table);
    const colInfo = gpu.makeTensorInfo([inWidth, cols.width, 2], "float32", cols.table);
    try {
      const program = resizeBilinearGradProgram([...images.shape], util);
      return gpu.runWebGPUProgram(program, [dy, rowInfo, colInfo], "float32", [
        { type: "int32", data: [rows.width] },
        { type: "int32", data: [cols.width] },
      ]);
    } finally {
      gpu.disposeData(rowInfo.dataId);
      gpu.disposeData(colInfo.dataId);
    }
  };
}

let installed: { util: WebgpuUtil; kernel: tf.KernelFunc } | null = null;

/** Registers the webgpu replacements (idempotent; the backend package must be loaded). */
export function registerWebgpuTrainingKernels(util: WebgpuUtil): void {
  if (installed?.util !== util) installed = { util, kernel: resizeBilinearGradKernel(util) };
  installKernel(tf.ResizeBilinearGrad, WEBGPU, installed.kernel);
}
