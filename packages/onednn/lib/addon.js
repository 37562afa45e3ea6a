// @ts-check
/**
 * Loads the compiled oneDNN addon (build/Release/mtsl_onednn.node). Importing this
 * module throws a clear error when the addon was not built (no oneDNN or no compiler
 * at install time), so `import("mtsl-onednn")` fails and callers can fall back.
 */
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

/**
 * @typedef {object} NativeAddon
 * @property {() => {version: string, runtime: string, threads: number, isa: number}} info
 * @property {(x: Float32Array, filter: Float32Array, y: Float32Array, geometry: Int32Array) => void} conv2dForward
 * @property {(dy: Float32Array, filter: Float32Array, dx: Float32Array, geometry: Int32Array) => void} conv2dBackwardData
 * @property {(x: Float32Array, dy: Float32Array, dw: Float32Array, geometry: Int32Array) => void} conv2dBackwardWeights
 * @property {(a: Float32Array, b: Float32Array, c: Float32Array, shape: Int32Array) => void} matMul
 * @property {(x: Float32Array, y: Float32Array, shape: Int32Array) => void} resizeBilinearForward
 * @property {(dy: Float32Array, dx: Float32Array, shape: Int32Array) => void} resizeBilinearBackward
 * @property {(op: number, a: Float32Array, b: Float32Array, out: Float32Array, layout: Int32Array) => void} binary
 * @property {(x: Float32Array, out: Float32Array, blocks: Int32Array) => void} reduceSum
 * @property {(op: number, x: Float32Array, out: Float32Array, alpha: number) => void} unary
 * @property {(x: Float32Array, mean: Float32Array, scale: Float32Array, offset: Float32Array, out: Float32Array) => void} channelAffine
 * @property {(x: Float32Array, gamma: Float32Array, beta: Float32Array, movingMean: Float32Array, movingVariance: Float32Array, y: Float32Array, mean: Float32Array, variance: Float32Array, newMean: Float32Array, newVariance: Float32Array, momentum: number, epsilon: number, residual?: Float32Array | null, relu?: boolean) => void} batchNormTrainForward
 * @property {(dy: Float32Array, x: Float32Array, gamma: Float32Array, mean: Float32Array, variance: Float32Array, dx: Float32Array, dgamma: Float32Array, dbeta: Float32Array, epsilon: number, y?: Float32Array | null, dz?: Float32Array | null) => void} batchNormTrainBackward
 * @property {(w: Float32Array, g: Float32Array, m0: Float32Array | null, v0: Float32Array | null, w1: Float32Array, m1: Float32Array, v1: Float32Array, hyper: Float64Array) => void} adamUpdate
 * @property {(src: Float32Array, srcStride: number, srcOffset: number, dst: Float32Array, dstStride: number, dstOffset: number, rows: number, run: number) => void} copyRows
 * @property {(length: number) => Float32Array} allocFloat32
 * @property {(threads: number) => void} setThreads
 * @property {(values: Float32Array) => boolean} releaseFloat32
 * @property {() => {mappedBytes: number, peakMappedBytes: number, released: number, finalised: number}} poolStats
 */

/** @returns {NativeAddon} */
function load() {
  try {
    return require("../build/Release/mtsl_onednn.node");
  } catch (error) {
    const cause = error instanceof Error ? error.message.split("\n")[0] : String(error);
    // Not built (no build/Release), or built and unable to load (oneDNN's library missing):
    // the cause says which; the runtime words the remedy (runtime/backend/onednn-hint.ts).
    const err = new Error(`mtsl-onednn: the native oneDNN addon cannot be loaded (${cause})`);
    /** @type {any} */ (err).code = "MTSL_ONEDNN_NOT_BUILT";
    throw err;
  }
}

/**
 * With MTSL_ONEDNN_TRACE=1 every native call is written to stderr (with its shape
 * vector) before it runs: a debugging aid for crashes inside oneDNN.
 * @param {NativeAddon} addon
 * @returns {NativeAddon}
 */
function traced(addon) {
  if (process.env.MTSL_ONEDNN_TRACE !== "1") return addon;
  /** @type {Record<string, Function>} */
  const wrapped = {};
  for (const [name, fn] of Object.entries(addon)) {
    wrapped[name] = (/** @type {unknown[]} */ ...args) => {
      const shape = args[args.length - 1];
      process.stderr.write(`mtsl-onednn: ${name} ${shape instanceof Int32Array ? Array.from(shape).join(",") : ""}\n`);
      return fn(...args);
    };
  }
  return /** @type {NativeAddon} */ (/** @type {unknown} */ (wrapped));
}

/** The native functions. */
export const native = traced(load());
