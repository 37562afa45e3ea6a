// @ts-check
/**
 * The training step's host loops, native: training-mode batch norm (forward and backward
 * over the last axis), the Adam update of one weight and log-softmax over rows. They take and return plain
 * Float32Arrays with the signatures of the mtsl runtime's JavaScript versions
 * (runtime/backend/batch-norm-train.ts, runtime/train/optimizer.ts), which use these on
 * the onednn backend; on one thread the results are bit for bit the JavaScript ones.
 */
import { native } from "./addon.js";
import { outputArray } from "./tensor-data.js";

/**
 * @param {Float32Array} x rows x channels, channels last
 * @param {Float32Array} gamma
 * @param {Float32Array} beta
 * @param {Float32Array} movingMean
 * @param {Float32Array} movingVariance
 * @param {number} channels
 * @param {{epsilon: number, momentum: number, relu?: boolean}} attrs relu: ReLU after the normalisation (and the residual)
 * @param {Float32Array} [residual] added after the normalisation, before the ReLU
 */
export function batchNormTrainForward(x, gamma, beta, movingMean, movingVariance, channels, attrs, residual) {
  const y = outputArray(x.length);
  const mean = new Float32Array(channels);
  const variance = new Float32Array(channels);
  const newMean = new Float32Array(channels);
  const newVariance = new Float32Array(channels);
  native.batchNormTrainForward(
    x,
    gamma,
    beta,
    movingMean,
    movingVariance,
    y,
    mean,
    variance,
    newMean,
    newVariance,
    attrs.momentum,
    attrs.epsilon,
    residual ?? null,
    attrs.relu === true,
  );
  return { y, mean, variance, movingMean: newMean, movingVariance: newVariance };
}

/**
 * @param {Float32Array} dy
 * @param {Float32Array} x
 * @param {Float32Array} gamma
 * @param {Float32Array} mean
 * @param {Float32Array} variance
 * @param {number} channels
 * @param {number} epsilon
 * @param {Float32Array} [y] the output of a fused ReLU: dy is masked by its gradient first
 * @param {boolean} [withDz] return the masked gradient as dz (the residual's gradient)
 * @returns {{dx: Float32Array, dgamma: Float32Array, dbeta: Float32Array, dz?: Float32Array}}
 */
export function batchNormTrainBackward(dy, x, gamma, mean, variance, channels, epsilon, y, withDz) {
  const dx = outputArray(x.length);
  const dgamma = new Float32Array(channels);
  const dbeta = new Float32Array(channels);
  const dz = y !== undefined && withDz === true ? outputArray(x.length) : null;
  native.batchNormTrainBackward(dy, x, gamma, mean, variance, dx, dgamma, dbeta, epsilon, y ?? null, dz);
  return dz === null ? { dx, dgamma, dbeta } : { dx, dgamma, dbeta, dz };
}

const hyper = new Float64Array(6);

/**
 * One Adam step of one weight into w1, m1, v1 (see the addon's adamUpdate).
 * @param {Float32Array} w
 * @param {Float32Array} g
 * @param {Float32Array} m0
 * @param {Float32Array} v0
 * @param {boolean} hasMoments false at the first step (m0 and v0 are then not read)
 * @param {Float32Array} w1
 * @param {Float32Array} m1
 * @param {Float32Array} v1
 * @param {number} beta1
 * @param {number} beta2
 * @param {number} epsilon
 * @param {number} weightDecay
 * @param {number} sqrtC2
 * @param {number} stepSize
 */
export function adamLoop(w, g, m0, v0, hasMoments, w1, m1, v1, beta1, beta2, epsilon, weightDecay, sqrtC2, stepSize) {
  hyper[0] = beta1;
  hyper[1] = beta2;
  hyper[2] = epsilon;
  hyper[3] = weightDecay;
  hyper[4] = sqrtC2;
  hyper[5] = stepSize;
  native.adamUpdate(w, g, hasMoments ? m0 : null, hasMoments ? v0 : null, w1, m1, v1, hyper);
}

/**
 * A Float32Array of `length` (contents unspecified) for a tensor the caller fills and then
 * makes (`tf.tensor(values, ...)` on this backend): recycled, like a kernel output, when that
 * tensor is disposed. The caller must keep no other reference to it.
 * @param {number} length
 */
export function outputBuffer(length) {
  return outputArray(length);
}

/**
 * Log-softmax of each row of `classes` values (runtime/backend/log-softmax.ts `logSoftmaxRows`).
 * @param {Float32Array} x
 * @param {number} classes
 */
export function logSoftmaxRows(x, classes) {
  const y = outputArray(x.length);
  if (x.length > 0) native.logSoftmaxRows(x, y, classes);
  return y;
}

/**
 * Its gradient from the output y: dy - exp(y) * sum(dy) per row (`logSoftmaxGradRows`).
 * @param {Float32Array} dy
 * @param {Float32Array} y
 * @param {number} classes
 */
export function logSoftmaxGradRows(dy, y, classes) {
  const dx = outputArray(dy.length);
  if (dy.length > 0) native.logSoftmaxGradRows(dy, y, dx, classes);
  return dx;
}

/** The host loops, as one object (what the mtsl runtime installs). */
export const hostKernels = Object.freeze({
  batchNormTrainForward,
  batchNormTrainBackward,
  adamLoop,
  logSoftmaxRows,
  logSoftmaxGradRows,
  outputBuffer,
});
