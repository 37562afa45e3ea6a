// @ts-check
/**
 * mtsl-onednn: importing this module registers the TensorFlow.js backend "onednn" (the
 * CPU backend with convolutions, matrix products and bilinear resizing run by oneDNN).
 * Importing it throws when the native addon was not built.
 */
import { availableParallelism, loadavg } from "node:os";
import { native } from "./lib/addon.js";
import { BACKEND_NAME, NATIVE_KERNELS, registerOnednnBackend } from "./lib/register.js";

registerOnednnBackend();

const threadsFromEnv = process.env.MTSL_ONEDNN_THREADS;
if (threadsFromEnv !== undefined && threadsFromEnv !== "") {
  const threads = Number(threadsFromEnv);
  if (!Number.isInteger(threads) || threads < 1) {
    throw new RangeError(`mtsl-onednn: MTSL_ONEDNN_THREADS must be a positive integer, got '${threadsFromEnv}'`);
  }
  native.setThreads(threads);
} else if (!process.env.OMP_NUM_THREADS) {
  // Every core by default; but on a machine already busy with other work (the 1-minute load
  // average at least the cores less half of one), one thread: parallel regions that wait for a
  // descheduled second thread were measured 3.5x slower than one thread (docs/onednn.md).
  const cores = availableParallelism();
  if (cores > 1 && loadavg()[0] >= cores - 0.5) native.setThreads(1);
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
 * Sets how many threads oneDNN and the addon's loops use (default: OMP_NUM_THREADS, or
 * every core). On a machine busy with other work, fewer threads than cores can be much
 * faster: each parallel region waits for its slowest thread (see docs/onednn.md).
 * @param {number} threads a positive integer
 */
export function setThreads(threads) {
  if (!Number.isInteger(threads) || threads < 1) {
    throw new RangeError(`mtsl-onednn: setThreads expects a positive integer, got ${threads}`);
  }
  native.setThreads(threads);
}

export { registerOnednnBackend };

/** The training step's host loops run natively (batch norm forward and backward, Adam), for the mtsl runtime. */
export { hostKernels } from "./lib/training.js";

/**
 * Kernel-output recycling since start (lib/tensor-data.js): outputs served from the free
 * lists, freshly allocated, arrays recycled on dispose, arrays that escaped; bytes free now.
 * @returns {{reused: number, allocated: number, recycled: number, escaped: number, freeBytes: number}}
 */
export { recyclingStats } from "./lib/tensor-data.js";
