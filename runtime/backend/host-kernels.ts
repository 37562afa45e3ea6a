/**
 * Native versions of the runtime's own host loops (training-mode batch norm, the Adam
 * update, log-softmax), installed by a backend package and used while that backend is current.
 *
 * The loops are written in JavaScript (runtime/backend/batch-norm-train.ts,
 * runtime/train/optimizer.ts) and run on every host-memory backend; on a network whose
 * activations are megabytes they cost more than its convolutions. `mtsl-onednn` exports
 * the same loops compiled (`hostKernels`, OpenMP, bit for bit the JavaScript results on
 * one thread), and the backend selection installs them for the `onednn` backend.
 * `MTSL_NATIVE_LOOPS=0` keeps the JavaScript loops (for comparisons).
 */
import * as tf from "@tensorflow/tfjs";

import type { BatchNormTrainAttrs, BatchNormTrainGradient, BatchNormTrainResult } from "./batch-norm-train.js";

export interface HostKernels {
  batchNormTrainForward(
    x: Float32Array,
    gamma: Float32Array,
    beta: Float32Array,
    movingMean: Float32Array,
    movingVariance: Float32Array,
    channels: number,
    attrs: BatchNormTrainAttrs,
    residual?: Float32Array,
  ): BatchNormTrainResult;
  /** With `y` (a fused ReLU's output) dy is masked first; the masked gradient is returned as dz with `withDz`. */
  batchNormTrainBackward(
    dy: Float32Array,
    x: Float32Array,
    gamma: Float32Array,
    mean: Float32Array,
    variance: Float32Array,
    channels: number,
    epsilon: number,
    y?: Float32Array,
    withDz?: boolean,
  ): BatchNormTrainGradient;
  adamLoop: AdamLoop;
  /** runtime/backend/log-softmax.ts `logSoftmaxRows`, compiled. */
  logSoftmaxRows(x: Float32Array, classes: number): Float32Array;
  /** runtime/backend/log-softmax.ts `logSoftmaxGradRows`, compiled. */
  logSoftmaxGradRows(dy: Float32Array, y: Float32Array, classes: number): Float32Array;
  /**
   * An array for a tensor the runtime fills and then makes with `tf.tensor` (the Adam
   * update's new weight and moments): the backend recycles it when that tensor is disposed,
   * so it must not be kept elsewhere. Contents unspecified: every element must be written.
   */
  outputBuffer(length: number): Float32Array;
}

/**
 * The Adam update of one weight over host memory (runtime/train/optimizer.ts `adamLoop`,
 * the JavaScript one): w1, m1, v1 from w, its gradient g and the moments m0, v0 (read
 * only when `hasMoments`), with the bias corrections folded into sqrtC2 and stepSize.
 */
export type AdamLoop = (
  w: Float32Array,
  g: Float32Array,
  m0: Float32Array,
  v0: Float32Array,
  hasMoments: boolean,
  w1: Float32Array,
  m1: Float32Array,
  v1: Float32Array,
  beta1: number,
  beta2: number,
  epsilon: number,
  weightDecay: number,
  sqrtC2: number,
  stepSize: number,
) => void;

const installed = new Map<string, HostKernels>();

/** Uses `kernels` whenever `backendName` is the current backend (unless `MTSL_NATIVE_LOOPS=0`). */
export function installHostKernels(backendName: string, kernels: HostKernels): void {
  if (process.env["MTSL_NATIVE_LOOPS"] === "0") return;
  installed.set(backendName, kernels);
}

/** The native loops of the current backend, or undefined (JavaScript loops then). */
export function nativeHostKernels(): HostKernels | undefined {
  return installed.get(tf.getBackend());
}

/** Whether every value is a Float32Array (what the native loops take). */
export function allFloat32(values: ArrayLike<number>[]): values is Float32Array[] {
  return values.every((v) => v instanceof Float32Array);
}

/** Whether a package's export looks like {@link HostKernels} (its six functions). */
export function isHostKernels(value: unknown): value is HostKernels {
  if (typeof value !== "object" || value === null) return false;
  const k = value as Record<string, unknown>;
  return [
    "batchNormTrainForward",
    "batchNormTrainBackward",
    "adamLoop",
    "logSoftmaxRows",
    "logSoftmaxGradRows",
    "outputBuffer",
  ].every((name) => typeof k[name] === "function");
}
