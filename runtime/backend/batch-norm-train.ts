/**
 * Training-mode batch norm as one kernel forward and one kernel backward.
 *
 * Composed from TensorFlow.js ops (moments, batchNorm, the running-statistics
 * update) a training-mode batch norm costs about ten kernels forward and thirty
 * backward, each a few microseconds of work behind tens of microseconds of engine
 * overhead on these small tensors. `MtslBatchNormTrain` computes the normalised
 * output, the batch statistics and the updated running statistics in one pass;
 * `MtslBatchNormTrainGrad` gives dx, dgamma and dbeta in one pass with the closed-form
 * gradient of batch norm through its own batch statistics:
 *
 *   xhat = (x - mean) / sqrt(var + eps)           (var: biased, over every axis but the last)
 *   dbeta = sum(dy),  dgamma = sum(dy * xhat)
 *   dx = gamma / sqrt(var + eps) / M * (M * dy - dbeta - xhat * dgamma)   (M rows per channel)
 *
 * Running statistics follow runtime/model/ops.ts: running = momentum * running +
 * (1 - momentum) * batch, with the unbiased batch variance (PyTorch's convention).
 *
 * The kernels run on host memory (the cpu and onednn backends' Float32Arrays, the wasm
 * backend's heap) with float64 accumulators; on onednn the same loops run compiled
 * (runtime/backend/host-kernels.ts). {@link fusedTrainingEnabled} says where the
 * runtime uses them; the pure-JS cpu backend keeps the composed ops as the reference the
 * fused path is tested against.
 */
import * as tf from "@tensorflow/tfjs";

import { allFloat32, nativeHostKernels } from "./host-kernels.js";
import { kernelOutput, onHostMemory, readKernelInput, registerOnHostBackends } from "./read-kernel-input.js";

export const BN_TRAIN = "MtslBatchNormTrain";
export const BN_TRAIN_GRAD = "MtslBatchNormTrainGrad";

/** Backends on which the runtime uses the fused training path (not cpu: the reference). */
const FUSED_BACKENDS = new Set(["onednn", "wasm"]);

/**
 * Whether training on the current backend uses the fused kernels (batch norm here, the
 * host Adam update in runtime/train/optimizer.ts): on onednn and wasm by default;
 * `MTSL_FUSED=0` turns them off everywhere, `MTSL_FUSED=1` on for every host backend
 * (cpu included, which is how the tests compare both paths on one backend).
 */
export function fusedTrainingEnabled(): boolean {
  const setting = process.env["MTSL_FUSED"];
  if (setting === "0") return false;
  if (setting === "1") return onHostMemory();
  return FUSED_BACKENDS.has(tf.getBackend());
}

export interface BatchNormTrainAttrs {
  epsilon: number;
  momentum: number;
}

export interface BatchNormTrainResult {
  y: Float32Array;
  mean: Float32Array;
  /** Biased batch variance. */
  variance: Float32Array;
  movingMean: Float32Array;
  movingVariance: Float32Array;
}

/** Forward pass on `rows x channels` values (channels last). */
export function batchNormTrainForward(
  x: ArrayLike<number>,
  gamma: ArrayLike<number>,
  beta: ArrayLike<number>,
  movingMean: ArrayLike<number>,
  movingVariance: ArrayLike<number>,
  channels: number,
  { epsilon, momentum }: BatchNormTrainAttrs,
): BatchNormTrainResult {
  const n = x.length;
  const rows = n / channels;
  const mean = new Float32Array(channels);
  const variance = new Float32Array(channels);
  const newMean = new Float32Array(channels);
  const newVariance = new Float32Array(channels);
  const y = new Float32Array(n);
  // Channel by channel with a stride: accumulators stay in registers.
  for (let c = 0; c < channels; c++) {
    let sum = 0;
    for (let i = c; i < n; i += channels) sum += x[i]!;
    const mu = sum / rows;
    let sq = 0;
    for (let i = c; i < n; i += channels) {
      const d = x[i]! - mu;
      sq += d * d;
    }
    const v = sq / rows;
    const unbiased = rows > 1 ? sq / (rows - 1) : v;
    mean[c] = mu;
    variance[c] = v;
    newMean[c] = momentum * movingMean[c]! + (1 - momentum) * mu;
    newVariance[c] = momentum * movingVariance[c]! + (1 - momentum) * unbiased;
    const scale = gamma[c]! / Math.sqrt(v + epsilon);
    const shift = beta[c]! - mu * scale;
    for (let i = c; i < n; i += channels) y[i] = x[i]! * scale + shift;
  }
  return { y, mean, variance, movingMean: newMean, movingVariance: newVariance };
}

/** Backward pass: dx, dgamma, dbeta from dy and the forward's input and batch statistics. */
export function batchNormTrainBackward(
  dy: ArrayLike<number>,
  x: ArrayLike<number>,
  gamma: ArrayLike<number>,
  mean: ArrayLike<number>,
  variance: ArrayLike<number>,
  channels: number,
  epsilon: number,
): { dx: Float32Array; dgamma: Float32Array; dbeta: Float32Array } {
  const n = x.length;
  const rows = n / channels;
  const dgamma = new Float32Array(channels);
  const dbeta = new Float32Array(channels);
  const dx = new Float32Array(n);
  for (let c = 0; c < channels; c++) {
    const mu = mean[c]!;
    const invStd = 1 / Math.sqrt(variance[c]! + epsilon);
    let sumDy = 0;
    let sumDyXhat = 0;
    for (let i = c; i < n; i += channels) {
      const g = dy[i]!;
      sumDy += g;
      sumDyXhat += g * (x[i]! - mu);
    }
    sumDyXhat *= invStd;
    dgamma[c] = sumDyXhat;
    dbeta[c] = sumDy;
    const k = gamma[c]! * invStd;
    const meanDy = sumDy / rows;
    const meanDyXhat = sumDyXhat / rows;
    for (let i = c; i < n; i += channels) {
      const xhat = (x[i]! - mu) * invStd;
      dx[i] = k * (dy[i]! - meanDy - xhat * meanDyXhat);
    }
  }
  return { dx, dgamma, dbeta };
}

function channelsOf(x: tf.TensorInfo): number {
  return x.shape[x.shape.length - 1]!;
}

const forwardKernel: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, gamma, beta, movingMean, movingVariance } = inputs as Record<string, tf.TensorInfo>;
  const c = channelsOf(x!);
  // Read every input before any output exists: a wasm heap view dies with the next allocation.
  const v = [x!, gamma!, beta!, movingMean!, movingVariance!].map((t) => readKernelInput(backend, t));
  const native = nativeHostKernels();
  const r =
    native !== undefined && allFloat32(v)
      ? native.batchNormTrainForward(v[0]!, v[1]!, v[2]!, v[3]!, v[4]!, c, attrs as unknown as BatchNormTrainAttrs)
      : batchNormTrainForward(v[0]!, v[1]!, v[2]!, v[3]!, v[4]!, c, attrs as unknown as BatchNormTrainAttrs);
  return [
    kernelOutput(backend, r.y, [...x!.shape]),
    kernelOutput(backend, r.mean, [c]),
    kernelOutput(backend, r.variance, [c]),
    kernelOutput(backend, r.movingMean, [c]),
    kernelOutput(backend, r.movingVariance, [c]),
  ];
};

const backwardKernel: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { dy, x, gamma, mean, variance } = inputs as Record<string, tf.TensorInfo>;
  const c = channelsOf(x!);
  const v = [dy!, x!, gamma!, mean!, variance!].map((t) => readKernelInput(backend, t));
  const { epsilon } = attrs as unknown as BatchNormTrainAttrs;
  const native = nativeHostKernels();
  const r =
    native !== undefined && allFloat32(v)
      ? native.batchNormTrainBackward(v[0]!, v[1]!, v[2]!, v[3]!, v[4]!, c, epsilon)
      : batchNormTrainBackward(v[0]!, v[1]!, v[2]!, v[3]!, v[4]!, c, epsilon);
  return [
    kernelOutput(backend, r.dx, [...x!.shape]),
    kernelOutput(backend, r.dgamma, [c]),
    kernelOutput(backend, r.dbeta, [c]),
  ];
};

let registered = false;

/** Registers both kernels on every host-memory backend, and the forward kernel's gradient. Idempotent. */
export function registerBatchNormTrainKernels(): void {
  if (registered) return;
  registered = true;
  registerOnHostBackends(BN_TRAIN, forwardKernel);
  registerOnHostBackends(BN_TRAIN_GRAD, backwardKernel);
  tf.registerGradient({
    kernelName: BN_TRAIN,
    inputsToSave: ["x", "gamma"],
    outputsToSave: [false, true, true, false, false],
    gradFunc: (dys, saved, attrs) => {
      const dy = Array.isArray(dys) ? dys[0]! : dys;
      const [x, gamma, mean, variance] = saved as tf.Tensor[];
      const [dx, dgamma, dbeta] = tf
        .engine()
        .runKernel(
          BN_TRAIN_GRAD,
          { dy, x: x!, gamma: gamma!, mean: mean!, variance: variance! },
          attrs as never,
        ) as tf.Tensor[];
      return {
        x: () => dx!,
        gamma: () => dgamma!,
        beta: () => dbeta!,
        movingMean: () => tf.zerosLike(mean!),
        movingVariance: () => tf.zerosLike(variance!),
      };
    },
  });
}

/**
 * Training-mode batch norm over the last axis of `x`: the output, and the updated running
 * statistics (momentum as in runtime/model/ops.ts). Differentiable in x, gamma and beta.
 */
export function batchNormTrain(
  x: tf.Tensor,
  gamma: tf.Tensor,
  beta: tf.Tensor,
  movingMean: tf.Tensor,
  movingVariance: tf.Tensor,
  attrs: BatchNormTrainAttrs,
): { y: tf.Tensor; movingMean: tf.Tensor; movingVariance: tf.Tensor } {
  registerBatchNormTrainKernels();
  const [y, , , mm, mv] = tf
    .engine()
    .runKernel(BN_TRAIN, { x, gamma, beta, movingMean, movingVariance }, attrs as never) as tf.Tensor[];
  return { y: y!, movingMean: mm!, movingVariance: mv! };
}
