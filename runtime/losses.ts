/**
 * Task losses of the task learning phase (TensorFlow.js, NHWC tensors).
 *
 * Every loss is `(pred, target, options) => tf.Scalar`, differentiable in `pred`, and
 * numerically stable: cross-entropies work on logits (log-softmax, softplus), square roots
 * and normalisations are guarded so that no NaN or infinite gradient appears at 0. A loss
 * over zero valid elements is 0 (the MTSL code would give NaN there).
 *
 * Definitions follow the MTSL code (NeurAI-Lab/MTSL, `encoding_custom/losses`); see
 * docs/algorithms.md for the formulas and where we differ.
 */
import * as tf from "@tensorflow/tfjs";
import { vocabularyEntry, type LossWord } from "../compiler/catalog/index.js";
import { logSoftmax2d } from "./backend/log-softmax.js";
import { pickColumns } from "./backend/pick-columns.js";

/** Stable error codes of this module. */
export type LossErrorCode = "LOSS_SHAPE_MISMATCH" | "LOSS_BAD_OPTION" | "LOSS_UNKNOWN";

/** Bad input to a loss; `code` is stable. */
export class LossError extends Error {
  readonly code: LossErrorCode;
  constructor(code: LossErrorCode, message: string) {
    super(`${code}: ${message}`);
    this.name = "LossError";
    this.code = code;
  }
}

/** Which target elements a regression loss averages over. */
export type ValidMask = "all" | "positive";

/** Options of all losses; each loss reads only the fields its doc comment names. */
export interface LossOptions {
  /** `ce`: class-balanced weights (effective number of samples, as the MTSL code). Default false. */
  balanced?: boolean;
  /** `ce` with `balanced`: the beta of the effective number of samples. Default 1 - 1e-3. */
  beta?: number;
  /** `ce`: a label to ignore besides labels outside [0, classes). Default -1. */
  ignoreIndex?: number;
  /** `ce`: label smoothing e in [0, 1), as PyTorch: (1 - e) * nll + e * mean_c(-log p_c). Default 0. */
  labelSmoothing?: number;
  /** `bce`: weight of positive elements; negatives get 1 - posWeight. Default: unweighted mean. */
  posWeight?: number;
  /** `rmse`, `l1`, `mse`: average over all elements or where target > 0 (valid depth). */
  valid?: ValidMask;
}

/** A task loss. `pred` holds logits or values; see each loss for shapes. */
export type LossFn = (pred: tf.Tensor, target: tf.Tensor, options?: LossOptions) => tf.Scalar;

function shapeText(t: tf.Tensor): string {
  return `[${t.shape.join(", ")}]`;
}

function requireSameShape(pred: tf.Tensor, target: tf.Tensor, loss: string): void {
  if (pred.rank !== target.rank || pred.shape.some((d, i) => d !== target.shape[i])) {
    throw new LossError(
      "LOSS_SHAPE_MISMATCH",
      `${loss}: prediction ${shapeText(pred)} and target ${shapeText(target)} differ`,
    );
  }
}

/**
 * x > 0 as a bool tensor. Built from `step` because the gradient tape needs a gradient for
 * every op between a variable and the loss, and tfjs registers one for Step but not Greater.
 */
function isPositive(x: tf.Tensor): tf.Tensor {
  return tf.cast(tf.step(x), "bool");
}

/** sum(values) / sum(weights), or 0 when the weights sum to 0; differentiable in `values`. */
function safeWeightedMean(weightedSum: tf.Scalar, weightSum: tf.Scalar): tf.Scalar {
  const some = isPositive(weightSum);
  const denom = tf.where(some, weightSum, tf.onesLike(weightSum));
  return tf.where(some, tf.div(weightedSum, denom), tf.zerosLike(weightedSum)) as tf.Scalar;
}

/**
 * Per-class weights of the MTSL code's class-balanced CE: counts n_c of each class over the
 * whole batch, w_c = (1 - beta) / (1 - beta^n_c), and 0 for a class absent from the batch.
 * (Cui et al. 2019, "class-balanced loss based on effective number of samples".)
 * `oneHotValid`: [..., C] one-hot rows of the kept labels (all-zero rows for ignored ones).
 * Computed as (1 - beta) / -expm1(n_c ln beta) so that float32 keeps its precision.
 */
export function classBalancedWeights(oneHotValid: tf.Tensor, beta: number): tf.Tensor1D {
  return tf.tidy(() => {
    const classes = oneHotValid.shape[oneHotValid.rank - 1]!;
    const counts = tf.reshape(oneHotValid, [-1, classes]).sum(0);
    const present = isPositive(counts);
    const denom = tf.neg(tf.expm1(tf.mul(counts, Math.log(beta))));
    const safeDenom = tf.where(present, denom, tf.onesLike(denom));
    return tf.where(present, tf.div(1 - beta, safeDenom), tf.zerosLike(denom)) as tf.Tensor1D;
  });
}

/**
 * Softmax cross-entropy (`ce`) for classification and segmentation.
 * `pred`: logits [..., C] (e.g. [N, C] or NHWC [N, H, W, C]); `target`: integer labels with
 * the shape of `pred` without its last axis, or with a last axis of 1. Labels outside
 * [0, C) and labels equal to `ignoreIndex` (default -1) are ignored. Plain: mean NLL over
 * the kept elements. `balanced: true`: weighted mean sum_i w_{y_i} nll_i / sum_i w_{y_i} with
 * the class weights of `classBalancedWeights` (`beta`, default 1 - 1e-3), exactly as
 * PyTorch's `cross_entropy(weight=...)` in the MTSL code.
 */
export function softmaxCrossEntropy(pred: tf.Tensor, target: tf.Tensor, options: LossOptions = {}): tf.Scalar {
  const classes = pred.shape[pred.rank - 1];
  if (pred.rank < 1 || classes === undefined || classes < 1) {
    throw new LossError("LOSS_SHAPE_MISMATCH", `ce: prediction ${shapeText(pred)} needs a last axis of classes`);
  }
  const lead = pred.shape.slice(0, -1);
  const labelsShapeOk =
    (target.rank === pred.rank - 1 && lead.every((d, i) => d === target.shape[i])) ||
    (target.rank === pred.rank && lead.every((d, i) => d === target.shape[i]) && target.shape[target.rank - 1] === 1);
  if (!labelsShapeOk) {
    throw new LossError(
      "LOSS_SHAPE_MISMATCH",
      `ce: labels ${shapeText(target)} do not fit logits ${shapeText(pred)} (expected [${lead.join(", ")}])`,
    );
  }
  const beta = options.beta ?? 1 - 1e-3;
  if (!(beta > 0 && beta < 1)) throw new LossError("LOSS_BAD_OPTION", `ce: beta must be in (0, 1), got ${beta}`);
  const ignoreIndex = options.ignoreIndex ?? -1;
  const smoothing = options.labelSmoothing ?? 0;
  if (!(smoothing >= 0 && smoothing < 1)) {
    throw new LossError("LOSS_BAD_OPTION", `ce: label_smoothing must be in [0, 1), got ${smoothing}`);
  }
  return tf.tidy(() => {
    const labels = tf.reshape(target, [-1]);
    const intLabels = tf.cast(labels, "int32");
    // A label counts only if it is a whole number in range (a float target of 2.5 is ignored).
    const kept = tf.logicalAnd(
      tf.logicalAnd(tf.greaterEqual(labels, 0), tf.less(labels, classes)),
      tf.logicalAnd(tf.equal(tf.cast(intLabels, labels.dtype), labels), tf.notEqual(labels, ignoreIndex)),
    );
    const safeLabels = tf.where(kept, intLabels, tf.zerosLike(intLabels)) as tf.Tensor1D;
    const keptF = tf.cast(kept, "float32");
    const logits = tf.reshape(pred, [-1, classes]);
    const logp = logSoftmax2d(logits as tf.Tensor2D);
    // each element's log-probability of its label (0 where the label is ignored)
    let nll: tf.Tensor = tf.neg(tf.mul(pickColumns(logp, safeLabels), keptF));
    if (smoothing > 0) {
      // PyTorch's label_smoothing: (1 - e) * nll + e * mean over classes of -log p.
      const uniform = tf.neg(tf.mean(logp, 1));
      nll = tf.add(tf.mul(nll, 1 - smoothing), tf.mul(uniform, smoothing));
    }
    let weights: tf.Tensor = keptF;
    if (options.balanced ?? false) {
      const oneHot = tf.mul(tf.oneHot(safeLabels, classes), tf.reshape(keptF, [-1, 1]));
      const classWeights = classBalancedWeights(oneHot, beta);
      weights = tf.mul(pickColumns(tf.reshape(classWeights, [1, classes]) as tf.Tensor2D, safeLabels), keptF);
    }
    return safeWeightedMean(tf.sum(tf.mul(nll, weights)) as tf.Scalar, tf.sum(weights) as tf.Scalar);
  });
}

/**
 * Binary cross-entropy on logits (`bce`), e.g. semantic edges [N, H, W, 1].
 * `target`: same shape, an element is positive when target >= 0.5, negative when
 * 0 <= target < 0.5, and ignored when target < 0 (padding). Per element
 * l = softplus(x) - x z (stable for any logit). Without `posWeight`: the mean of l over the
 * kept elements. With `posWeight` p (MTSL: 0.95): (p sum_pos l + (1 - p) sum_neg l) / kept,
 * the MTSL code's HED-style balanced BCE.
 */
export function binaryCrossEntropy(pred: tf.Tensor, target: tf.Tensor, options: LossOptions = {}): tf.Scalar {
  requireSameShape(pred, target, "bce");
  const p = options.posWeight;
  if (p !== undefined && !(p >= 0 && p <= 1))
    throw new LossError("LOSS_BAD_OPTION", `bce: pos_weight must be in [0, 1], got ${p}`);
  return tf.tidy(() => {
    const x = tf.cast(pred, "float32");
    const t = tf.cast(target, "float32");
    const kept = tf.cast(tf.greaterEqual(t, 0), "float32");
    const z = tf.cast(tf.greaterEqual(t, 0.5), "float32");
    const perElement = tf.sub(tf.softplus(x), tf.mul(x, z));
    const weights = p === undefined ? kept : tf.mul(kept, tf.add(tf.mul(z, p), tf.mul(tf.sub(1, z), 1 - p)));
    return safeWeightedMean(tf.sum(tf.mul(perElement, weights)) as tf.Scalar, tf.sum(kept) as tf.Scalar);
  });
}

/** The catalogue's default `valid` of a loss ("all" for a loss that declares no such option). */
function defaultValid(loss: string): ValidMask {
  const declared = vocabularyEntry("loss", loss)?.params.find((p) => p.name === "valid")?.default;
  return declared === "positive" ? "positive" : "all";
}

function validMask(target: tf.Tensor, valid: ValidMask): tf.Tensor {
  return valid === "positive" ? tf.cast(tf.greater(target, 0), "float32") : tf.onesLike(target);
}

function checkValid(valid: ValidMask | undefined, loss: string): void {
  if (valid !== undefined && valid !== "all" && valid !== "positive") {
    throw new LossError("LOSS_BAD_OPTION", `${loss}: valid must be "all" or "positive", got ${String(valid)}`);
  }
}

/** Mean of `perElement` over the mask (0 when the mask is empty). */
function maskedMean(perElement: tf.Tensor, mask: tf.Tensor): tf.Scalar {
  return safeWeightedMean(tf.sum(tf.mul(perElement, mask)) as tf.Scalar, tf.sum(mask) as tf.Scalar);
}

/**
 * Root mean squared error (`rmse`), the MTSL depth loss: sqrt(mean (p - t)^2) over valid
 * elements; `valid` defaults to "positive" (target > 0). Same shapes. The gradient at a
 * perfect prediction is 0 (not NaN).
 */
export function rmseLoss(pred: tf.Tensor, target: tf.Tensor, options: LossOptions = {}): tf.Scalar {
  requireSameShape(pred, target, "rmse");
  checkValid(options.valid, "rmse");
  return tf.tidy(() => {
    const t = tf.cast(target, "float32");
    const mse = maskedMean(tf.square(tf.sub(pred, t)), validMask(t, options.valid ?? defaultValid("rmse")));
    const positive = isPositive(mse);
    const safe = tf.where(positive, mse, tf.onesLike(mse));
    return tf.where(positive, tf.sqrt(safe), tf.zerosLike(mse)) as tf.Scalar;
  });
}

/**
 * Mean absolute error (`l1`): mean |p - t| over valid elements; `valid` defaults to the
 * catalogue's ("positive": target > 0, as for depth; "all" for every element). Same shapes.
 */
export function l1Loss(pred: tf.Tensor, target: tf.Tensor, options: LossOptions = {}): tf.Scalar {
  requireSameShape(pred, target, "l1");
  checkValid(options.valid, "l1");
  return tf.tidy(() => {
    const t = tf.cast(target, "float32");
    return maskedMean(tf.abs(tf.sub(pred, t)), validMask(t, options.valid ?? defaultValid("l1")));
  });
}

/** Mean squared error (`mse`, reconstruction): mean (p - t)^2; `valid` defaults to "all". */
export function mseLoss(pred: tf.Tensor, target: tf.Tensor, options: LossOptions = {}): tf.Scalar {
  requireSameShape(pred, target, "mse");
  checkValid(options.valid, "mse");
  return tf.tidy(() => {
    const t = tf.cast(target, "float32");
    return maskedMean(tf.square(tf.sub(pred, t)), validMask(t, options.valid ?? defaultValid("mse")));
  });
}

/**
 * L1 on unit normals (`l1_unit`), the MTSL surface-normal loss. `pred`, `target`: [..., 3].
 * The prediction is normalised along the last axis, p / max(||p||, 1e-12) (as
 * `F.normalize`); a pixel whose target vector is all zero is invalid. The loss is the mean
 * of |p^ - t| over the components of valid pixels (the MTSL code's masked element mean).
 */
export function unitL1Loss(pred: tf.Tensor, target: tf.Tensor, options: LossOptions = {}): tf.Scalar {
  void options;
  requireSameShape(pred, target, "l1_unit");
  return tf.tidy(() => {
    const t = tf.cast(target, "float32");
    const sq = tf.sum(tf.square(pred), -1, true);
    const unit = tf.mul(pred, tf.rsqrt(tf.maximum(sq, 1e-24)));
    const validPixel = tf.cast(tf.greater(tf.sum(tf.abs(t), -1, true), 0), "float32");
    const mask = tf.mul(validPixel, tf.onesLike(t));
    return maskedMean(tf.abs(tf.sub(unit, t)), mask);
  });
}

/** Loss names accepted in a `.mtsl` task's `loss:` setting. */
export type LossName = LossWord;

/** Every loss by name. */
export const LOSSES: Readonly<Record<LossName, LossFn>> = Object.freeze({
  ce: softmaxCrossEntropy,
  bce: binaryCrossEntropy,
  rmse: rmseLoss,
  l1: l1Loss,
  l1_unit: unitL1Loss,
  mse: mseLoss,
});

/** The option fields each loss reads (for checking a `.mtsl` file's loss arguments). */
export const LOSS_OPTION_KEYS: Readonly<Record<LossName, readonly (keyof LossOptions)[]>> = Object.freeze({
  ce: ["balanced", "beta", "ignoreIndex", "labelSmoothing"],
  bce: ["posWeight"],
  rmse: ["valid"],
  l1: ["valid"],
  l1_unit: [],
  mse: ["valid"],
});

/** True when `name` is a known loss name (own key only: `__proto__` is not a loss). */
export function isLossName(name: string): name is LossName {
  return Object.prototype.hasOwnProperty.call(LOSSES, name);
}

/** The loss called `name`; throws `LossError` LOSS_UNKNOWN otherwise. */
export function getLoss(name: string): LossFn {
  if (!isLossName(name)) {
    throw new LossError("LOSS_UNKNOWN", `unknown loss '${name}'; known: ${Object.keys(LOSSES).join(", ")}`);
  }
  return LOSSES[name];
}
