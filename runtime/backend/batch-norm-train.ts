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
 * The kernel can also add a residual and apply ReLU after the normalisation, the ends of
 * a residual block and of every `conv bn relu`: `y = relu(bn(x) + residual)`, each step
 * rounded to float32 as the composed `tf.add` and `tf.relu` round it (ReLU keeps NaN and
 * -0 as the onednn backend's Relu does). The backward pass then takes the output y and
 * masks dy by `y > 0` as ReLU's gradient does (`dy * step(y)`, NaN where y is NaN), and
 * returns the masked gradient as the residual's. Each fused pair saves a pass over the map
 * each way and three kernels (Relu; Step and Multiply).
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
/** Batch norm, then (a residual added and) ReLU, in one kernel. */
export const BN_RELU_TRAIN = "MtslBatchNormReluTrain";

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

/**
 * Whether training uses the fused kernels that pay only with compiled loops: where the fused
 * path is on and the backend has compiled host loops (onednn). In JavaScript loops they were
 * slower than the backend's own kernels on wasm: the batch-norm ReLU epilogue (34-56 against
 * 19-30 ms for a batch norm + ReLU forward and backward on [16, 32, 32, 32]) and log-softmax
 * (26-30 against 21-23 ms for the segmentation loss and gradient of [16, 64, 64, 6]).
 */
export function compiledFusionEnabled(): boolean {
  return fusedTrainingEnabled() && nativeHostKernels() !== undefined;
}

export interface BatchNormTrainAttrs {
  epsilon: number;
  momentum: number;
  /** ReLU after the normalisation (and after the residual, when there is one). */
  relu?: boolean;
}

/** ReLU as the composed path computes it (the onednn backend's Relu): NaN and -0 pass. */
function reluValue(v: number): number {
  return v < 0 ? 0 : v;
}

/** ReLU's gradient mask from its output, as `step(y)` computes it: NaN stays NaN. */
function reluMask(y: number): number {
  return y !== y ? y : y > 0 ? 1 : 0;
}

export interface BatchNormTrainResult {
  y: Float32Array;
  mean: Float32Array;
  /** Biased batch variance. */
  variance: Float32Array;
  movingMean: Float32Array;
  movingVariance: Float32Array;
}

/**
 * Forward pass on `rows x channels` values (channels last): `y = bn(x)`, or with a
 * residual and `relu`, `relu(bn(x) + residual)`.
 */
export function batchNormTrainForward(
  x: ArrayLike<number>,
  gamma: ArrayLike<number>,
  beta: ArrayLike<number>,
  movingMean: ArrayLike<number>,
  movingVariance: ArrayLike<number>,
  channels: number,
  { epsilon, momentum, relu = false }: BatchNormTrainAttrs,
  residual?: ArrayLike<number>,
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
  if (residual !== undefined || relu) {
    for (let i = 0; i < n; i++) {
      // y[i] is already rounded to float32, the sum is rounded as tf.add rounds it
      const v = residual === undefined ? y[i]! : Math.fround(y[i]! + residual[i]!);
      y[i] = relu ? reluValue(v) : v;
    }
  }
  return { y, mean, variance, movingMean: newMean, movingVariance: newVariance };
}

export interface BatchNormTrainGradient {
  dx: Float32Array;
  dgamma: Float32Array;
  dbeta: Float32Array;
  /** With `y` (a fused ReLU): dy masked by ReLU's gradient, the gradient of the normalised sum (and of the residual). */
  dz?: Float32Array;
}

/**
 * Backward pass: dx, dgamma, dbeta from dy and the forward's input and batch statistics.
 * With `y`, the output of a fused ReLU, dy is first masked by `step(y)` (returned as dz).
 */
export function batchNormTrainBackward(
  dyIn: ArrayLike<number>,
  x: ArrayLike<number>,
  gamma: ArrayLike<number>,
  mean: ArrayLike<number>,
  variance: ArrayLike<number>,
  channels: number,
  epsilon: number,
  y?: ArrayLike<number>,
): BatchNormTrainGradient {
  let dy = dyIn;
  let dz: Float32Array | undefined;
  if (y !== undefined) {
    dz = new Float32Array(dyIn.length);
    for (let i = 0; i < dz.length; i++) dz[i] = dyIn[i]! * reluMask(y[i]!);
    dy = dz;
  }
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
  return dz === undefined ? { dx, dgamma, dbeta } : { dx, dgamma, dbeta, dz };
}

function channelsOf(x: tf.TensorInfo): number {
  return x.shape[x.shape.length - 1]!;
}

const forwardKernel: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, gamma, beta, movingMean, movingVariance, residual } = inputs as Record<string, tf.TensorInfo | undefined>;
  const c = channelsOf(x!);
  // Read every input before any output exists: a wasm heap view dies with the next allocation.
  const v = [x!, gamma!, beta!, movingMean!, movingVariance!, ...(residual ? [residual] : [])].map((t) =>
    readKernelInput(backend, t),
  );
  const a = attrs as unknown as BatchNormTrainAttrs;
  const native = nativeHostKernels();
  const r =
    native !== undefined && allFloat32(v)
      ? native.batchNormTrainForward(v[0]!, v[1]!, v[2]!, v[3]!, v[4]!, c, a, v[5])
      : batchNormTrainForward(v[0]!, v[1]!, v[2]!, v[3]!, v[4]!, c, a, v[5]);
  return [
    kernelOutput(backend, r.y, [...x!.shape]),
    kernelOutput(backend, r.mean, [c]),
    kernelOutput(backend, r.variance, [c]),
    kernelOutput(backend, r.movingMean, [c]),
    kernelOutput(backend, r.movingVariance, [c]),
  ];
};

/** Inputs dy, x, gamma, mean, variance, and y with a fused ReLU; outputs dx, dgamma, dbeta, and dz with `withDz`. */
const backwardKernel: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { dy, x, gamma, mean, variance, y } = inputs as Record<string, tf.TensorInfo | undefined>;
  const c = channelsOf(x!);
  const v = [dy!, x!, gamma!, mean!, variance!, ...(y ? [y] : [])].map((t) => readKernelInput(backend, t));
  const { epsilon, withDz } = attrs as unknown as BatchNormTrainGradAttrs;
  const native = nativeHostKernels();
  const r =
    native !== undefined && allFloat32(v)
      ? native.batchNormTrainBackward(v[0]!, v[1]!, v[2]!, v[3]!, v[4]!, c, epsilon, v[5], withDz)
      : batchNormTrainBackward(v[0]!, v[1]!, v[2]!, v[3]!, v[4]!, c, epsilon, v[5]);
  const outputs = [
    kernelOutput(backend, r.dx, [...x!.shape]),
    kernelOutput(backend, r.dgamma, [c]),
    kernelOutput(backend, r.dbeta, [c]),
  ];
  if (withDz) {
    if (r.dz === undefined) throw new Error(`${BN_TRAIN_GRAD}: dz asked for without the output y`);
    outputs.push(kernelOutput(backend, r.dz, [...x!.shape]));
  }
  return outputs;
};

interface BatchNormTrainGradAttrs {
  epsilon: number;
  /** Return dz, the masked gradient (the residual's), as a fourth output. */
  withDz?: boolean;
}

let registered = false;

/** The gradient of {@link BN_TRAIN} (`relu: false`) or {@link BN_RELU_TRAIN}: saved x, gamma, [y,] mean, variance. */
function batchNormGradient(relu: boolean): tf.GradConfig["gradFunc"] {
  return (dys, saved, attrs) => {
    const dy = Array.isArray(dys) ? dys[0]! : dys;
    const [x, gamma, ...rest] = saved as tf.Tensor[];
    const [y, mean, variance] = relu ? rest : [undefined, ...rest];
    const { epsilon, residual } = attrs as unknown as BatchNormTrainAttrs & { residual?: boolean };
    const [dx, dgamma, dbeta, dz] = tf
      .engine()
      .runKernel(
        BN_TRAIN_GRAD,
        { dy, x: x!, gamma: gamma!, mean: mean!, variance: variance!, ...(y === undefined ? {} : { y }) },
        { epsilon, withDz: residual === true } as never,
      ) as tf.Tensor[];
    return {
      x: () => dx!,
      gamma: () => dgamma!,
      beta: () => dbeta!,
      movingMean: () => tf.zerosLike(mean!),
      movingVariance: () => tf.zerosLike(variance!),
      ...(residual === true ? { residual: () => dz! } : {}),
    };
  };
}

/** Registers the kernels on every host-memory backend, and the forward kernels' gradients. Idempotent. */
export function registerBatchNormTrainKernels(): void {
  if (registered) return;
  registered = true;
  registerOnHostBackends(BN_TRAIN, forwardKernel);
  registerOnHostBackends(BN_RELU_TRAIN, forwardKernel);
  registerOnHostBackends(BN_TRAIN_GRAD, backwardKernel);
  tf.registerGradient({
    kernelName: BN_TRAIN,
    inputsToSave: ["x", "gamma"],
    outputsToSave: [false, true, true, false, false],
    gradFunc: batchNormGradient(false),
  });
  // The ReLU's gradient needs the output: saved only by this kernel, so a plain batch norm's
  // output is not kept for the backward pass.
  tf.registerGradient({
    kernelName: BN_RELU_TRAIN,
    inputsToSave: ["x", "gamma"],
    outputsToSave: [true, true, true, false, false],
    gradFunc: batchNormGradient(true),
  });
}

/** What follows the normalisation in one kernel: a residual added, then ReLU. */
export interface BatchNormEpilogue {
  relu?: boolean;
  /** Added after the normalisation, before the ReLU; only with `relu` (the shape of x). */
  residual?: tf.Tensor;
}

/**
 * Training-mode batch norm over the last axis of `x`: the output, and the updated running
 * statistics (momentum as in runtime/model/ops.ts). Differentiable in x, gamma and beta
 * (and the residual). With an epilogue the output is `relu(bn(x) + residual)`.
 */
export function batchNormTrain(
  x: tf.Tensor,
  gamma: tf.Tensor,
  beta: tf.Tensor,
  movingMean: tf.Tensor,
  movingVariance: tf.Tensor,
  attrs: BatchNormTrainAttrs,
  { relu = false, residual }: BatchNormEpilogue = {},
): { y: tf.Tensor; movingMean: tf.Tensor; movingVariance: tf.Tensor } {
  registerBatchNormTrainKernels();
  if (residual !== undefined && !relu) throw new Error("batchNormTrain: a residual is fused only before a ReLU");
  if (residual !== undefined && residual.shape.join() !== x.shape.join()) {
    throw new Error(`batchNormTrain: residual of shape [${residual.shape}] for x of shape [${x.shape}]`);
  }
  const [y, , , mm, mv] = tf
    .engine()
    .runKernel(
      relu ? BN_RELU_TRAIN : BN_TRAIN,
      { x, gamma, beta, movingMean, movingVariance, ...(residual === undefined ? {} : { residual }) },
      { ...attrs, relu, residual: residual !== undefined } as never,
    ) as tf.Tensor[];
  return { y: y!, movingMean: mm!, movingVariance: mv! };
}
