// @ts-check
/**
 * mtsl-onednn: importing this module registers the TensorFlow.js backend "onednn" (the
 * CPU backend with convolutions, matrix products and bilinear resizing run by oneDNN).
 * Importing it throws when the native addon was not built.
 */
import { native } from "./lib/addon.js";
import { BACKEND_NAME, NATIVE_KERNELS, registerOnednnBackend } from "./lib/register.js";

registerOnednnBackend();

// Threads: MTSL_ONEDNN_THREADS, else OpenMP's default (OMP_NUM_THREADS, or every core), or
// setThreads later. Never chosen from the machine's load, so a setting gives the same run.
const threadsFromEnv = process.env.MTSL_ONEDNN_THREADS;
if (threadsFromEnv !== undefined && threadsFromEnv !== "") {
  const threads = Number(threadsFromEnv);
  if (!Number.isInteger(threads) || threads < 1) {
    throw new RangeError(`mtsl-onednn: MTSL_ONEDNN_THREADS must be a positive integer, got '${threadsFromEnv}'`);
  }
  native.setThreads(threads);
}

/** The TensorFlow.js backend name to pass to `tf.setBackend`. */
export const backendName = BACKEND_NAME;

/** The kernels that run natively on this backend. */
export const nativeKernels = NATIVE_KERNELS.map((k) => k.kernelName);

/**
 * The oneDNN library in use: its version, threading runtime and thread count.
 * @returns {{version: string, runtime: string, threads: number}}
 */
export function onednnInfo() {
  const { version, runtime, threads } = native.info();
  return { version, runtime, threads };
}

/** A one-line description, e.g. "oneDNN 2.6.3 (OpenMP, 2 threads)". */
export function describe() {
  const i = onednnInfo();
  return `oneDNN ${i.version} (${i.runtime}, ${i.threads} thread${i.threads === 1 ? "" : "s"})`;
}

/**
 * Sets how many threads oneDNN and the addon's loops use (default: MTSL_ONEDNN_THREADS,
 * OMP_NUM_THREADS, or every core). On a machine busy with other work, fewer threads than
 * cores can be much faster: each parallel region waits for its slowest thread (see
 * docs/onednn.md).
 * @param {number} threads a positive integer
 */
export function setThreads(threads) {
  if (!Number.isInteger(threads) || threads < 1) {
    throw new RangeError(`mtsl-onednn: setThreads expects a positive integer, got ${threads}`);
  }
  native.setThreads(threads);
}

export { registerOnednnBackend };

/** The training step's host loops run natively (batch norm forward and backward, Adam) and their output buffers, for the mtsl runtime. */
export { hostKernels } from "./lib/training.js";

/**
 * Kernel-output recycling since start (lib/tensor-data.js): outputs served from the free
 * lists, freshly allocated, arrays recycled on dispose, arrays that escaped, free arrays
 * dropped to make room; bytes free now, and the most bytes of owned arrays live at once.
 * @returns {{reused: number, allocated: number, recycled: number, escaped: number, dropped: number, freeBytes: number, peakOwnedBytes: number}}
 */
export { recyclingStats } from "./lib/tensor-data.js";
