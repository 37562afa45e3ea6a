/**
 * Evaluation metrics as streaming accumulators.
 *
 * An accumulator takes batches (`update(pred, target)` with tensors, or `updateData` with
 * flat arrays), keeps float64 sums, and reports dataset-level values (`result()`): sums over
 * all valid elements of all batches divided once at the end, so the result does not depend
 * on how the data was split into batches. (The MTSL code averages per-batch values for
 * depth, normals, edges and reconstruction; that differs when batches differ in size or in
 * valid pixels.) Accumulators of the same kind merge (`merge`), e.g. across workers.
 * With no data seen, every value is NaN.
 *
 * Units: accuracy, miou, pixel_acc and delta1 are fractions in [0, 1]; within_* are percent
 * (0..100); mean_angle is in degrees; rmse, abs_rel, bce and mse are in the data's units.
 */
import type * as tf from "@tensorflow/tfjs";
import { METRICS, type MetricWord } from "../compiler/catalog/index.js";

/** Stable error codes of this module. */
export type MetricErrorCode =
  "METRIC_SHAPE_MISMATCH" | "METRIC_BAD_OPTION" | "METRIC_MERGE_MISMATCH" | "METRIC_BAD_BASELINE";

/** Bad input to a metric; `code` is stable. */
export class MetricError extends Error {
  readonly code: MetricErrorCode;
  constructor(code: MetricErrorCode, message: string) {
    super(`${code}: ${message}`);
    this.name = "MetricError";
    this.code = code;
  }
}

/** Every metric name a task may list: the catalogue's words (compiler/catalog/tasks.ts). */
export type MetricName = MetricWord;

/** Whether a larger or a smaller value of a metric is better. */
export type MetricDirection = "higher" | "lower";

/** The direction of every metric (l_i = 1 in Delta_m when "lower"), from the catalogue's `higherIsBetter`. */
export const METRIC_DIRECTIONS: Readonly<Record<MetricName, MetricDirection>> = Object.freeze(
  Object.fromEntries(METRICS.map((m) => [m.name, m.higherIsBetter ? "higher" : "lower"])) as Record<
    MetricName,
    MetricDirection
  >,
);

/** All metric names, in a fixed order. */
export const METRIC_NAMES: readonly MetricName[] = Object.freeze(Object.keys(METRIC_DIRECTIONS) as MetricName[]);

/** True when `name` is a known metric (own key only). */
export function isMetricName(name: string): name is MetricName {
  return Object.prototype.hasOwnProperty.call(METRIC_DIRECTIONS, name);
}

/** The kinds of accumulator, one per kind of task output. */
export type MetricFamily = "classification" | "segmentation" | "depth" | "normals" | "edges" | "reconstruction";

/** The metrics each family reports. */
export const METRIC_FAMILIES: Readonly<Record<MetricFamily, readonly MetricName[]>> = Object.freeze({
  classification: ["accuracy"],
  segmentation: ["miou", "pixel_acc"],
  depth: ["rmse", "abs_rel", "delta1"],
  normals: ["mean_angle", "within_11_25", "within_22_5", "within_30"],
  edges: ["bce", "accuracy"],
  reconstruction: ["mse"],
});

/** A streaming metric accumulator. */
export interface MetricAccumulator {
  readonly family: MetricFamily;
  readonly names: readonly MetricName[];
  /** Adds one batch of predictions and targets (read back asynchronously; not disposed). */
  update(pred: tf.Tensor, target: tf.Tensor): Promise<void>;
  /** Adds one batch given as flat row-major arrays with the prediction's shape. */
  updateData(
    pred: ArrayLike<number>,
    target: ArrayLike<number>,
    predShape: readonly number[],
    targetShape: readonly number[],
  ): void;
  /** Dataset-level values of `names` (NaN before any data). */
  result(): Record<string, number>;
  /** Adds another accumulator's sums (same family and settings) into this one. */
  merge(other: MetricAccumulator): void;
  /** Forgets all data. */
  reset(): void;
}

function shapeText(shape: readonly number[]): string {
  return `[${shape.join(", ")}]`;
}

function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

function checkLength(data: ArrayLike<number>, shape: readonly number[], what: string): void {
  if (data.length !== sizeOf(shape)) {
    throw new MetricError("METRIC_SHAPE_MISMATCH", `${what} has ${data.length} values for shape ${shapeText(shape)}`);
  }
}

function requireSameShape(predShape: readonly number[], targetShape: readonly number[], what: string): void {
  if (predShape.length !== targetShape.length || predShape.some((d, i) => d !== targetShape[i])) {
    throw new MetricError(
      "METRIC_SHAPE_MISMATCH",
      `${what}: prediction ${shapeText(predShape)} and target ${shapeText(targetShape)} differ`,
    );
  }
}

/** Labels must be pred's shape without the class axis, or with a class axis of 1. */
function requireLabelShape(predShape: readonly number[], targetShape: readonly number[], what: string): void {
  const lead = predShape.slice(0, -1);
  const fits =
    (targetShape.length === lead.length && lead.every((d, i) => d === targetShape[i])) ||
    (targetShape.length === predShape.length &&
      lead.every((d, i) => d === targetShape[i]) &&
      targetShape[targetShape.length - 1] === 1);
  if (!fits || predShape.length < 1) {
    throw new MetricError(
      "METRIC_SHAPE_MISMATCH",
      `${what}: labels ${shapeText(targetShape)} do not fit scores ${shapeText(predShape)}`,
    );
  }
}

/** Index of the largest of `data[offset .. offset + n)`; the first one on ties, NaN never wins. */
function argmax(data: ArrayLike<number>, offset: number, n: number): number {
  let best = 0;
  let bestValue = -Infinity;
  for (let c = 0; c < n; c++) {
    const v = data[offset + c]!;
    if (v > bestValue) {
      bestValue = v;
      best = c;
    }
  }
  return best;
}

/** A label that is a whole number in [0, classes), else -1 (ignored). */
function validLabel(v: number, classes: number): number {
  return Number.isInteger(v) && v >= 0 && v < classes ? v : -1;
}

abstract class BaseAccumulator implements MetricAccumulator {
  abstract readonly family: MetricFamily;
  get names(): readonly MetricName[] {
    return METRIC_FAMILIES[this.family];
  }
  async update(pred: tf.Tensor, target: tf.Tensor): Promise<void> {
    const [p, t] = await Promise.all([pred.data(), target.data()]);
    this.updateData(p, t, pred.shape, target.shape);
  }
  abstract updateData(
    pred: ArrayLike<number>,
    target: ArrayLike<number>,
    predShape: readonly number[],
    targetShape: readonly number[],
  ): void;
  abstract result(): Record<string, number>;
  abstract reset(): void;
  protected abstract addFrom(other: this): void;
  /** A key of the settings that must agree for a merge. */
  protected settingsKey(): string {
    return "";
  }
  merge(other: MetricAccumulator): void {
    if (
      !(other instanceof BaseAccumulator) ||
      other.constructor !== this.constructor ||
      other.settingsKey() !== this.settingsKey()
    ) {
      throw new MetricError(
        "METRIC_MERGE_MISMATCH",
        `cannot merge a ${other.family} accumulator into a ${this.family} accumulator with other settings`,
      );
    }
    this.addFrom(other as this);
  }
}

/**
 * Classification accuracy: `pred` scores/logits [..., C] (argmax, first maximum on ties),
 * `target` integer labels; labels outside [0, C) are ignored.
 */
export class AccuracyAccumulator extends BaseAccumulator {
  readonly family = "classification" as const;
  private correct = 0;
  private total = 0;
  updateData(
    pred: ArrayLike<number>,
    target: ArrayLike<number>,
    predShape: readonly number[],
    targetShape: readonly number[],
  ): void {
    requireLabelShape(predShape, targetShape, "accuracy");
    checkLength(pred, predShape, "prediction");
    checkLength(target, targetShape, "target");
    const classes = predShape[predShape.length - 1]!;
    for (let i = 0; i < target.length; i++) {
      const label = validLabel(target[i]!, classes);
      if (label < 0) continue;
      this.total++;
      if (argmax(pred, i * classes, classes) === label) this.correct++;
    }
  }
  result(): Record<string, number> {
    return { accuracy: this.total > 0 ? this.correct / this.total : NaN };
  }
  reset(): void {
    this.correct = 0;
    this.total = 0;
  }
  protected addFrom(other: this): void {
    this.correct += other.correct;
    this.total += other.total;
  }
}

/**
 * Semantic segmentation: a confusion matrix (rows: target class, columns: predicted class)
 * over pixels whose label is in [0, classes). `pred` is NHWC scores [..., classes].
 * miou = mean IoU over the classes present in the target or the prediction (on labelled
 * pixels): a class that appears in neither has no defined IoU and is left out (the MTSL code
 * would average a NaN). pixel_acc = correct / labelled pixels.
 */
export class SegmentationAccumulator extends BaseAccumulator {
  readonly family = "segmentation" as const;
  readonly classes: number;
  private confusion: Float64Array;
  constructor(classes: number) {
    super();
    if (!Number.isInteger(classes) || classes < 1)
      throw new MetricError(
        "METRIC_BAD_OPTION",
        `segmentation needs a positive whole number of classes, got ${classes}`,
      );
    this.classes = classes;
    this.confusion = new Float64Array(classes * classes);
  }
  protected override settingsKey(): string {
    return String(this.classes);
  }
  updateData(
    pred: ArrayLike<number>,
    target: ArrayLike<number>,
    predShape: readonly number[],
    targetShape: readonly number[],
  ): void {
    requireLabelShape(predShape, targetShape, "segmentation");
    const c = this.classes;
    if (predShape[predShape.length - 1] !== c) {
      throw new MetricError(
        "METRIC_SHAPE_MISMATCH",
        `segmentation: scores ${shapeText(predShape)} have no last axis of ${c} classes`,
      );
    }
    checkLength(pred, predShape, "prediction");
    checkLength(target, targetShape, "target");
    for (let i = 0; i < target.length; i++) {
      const label = validLabel(target[i]!, c);
      if (label < 0) continue;
      const p = argmax(pred, i * c, c);
      this.confusion[label * c + p] = this.confusion[label * c + p]! + 1;
    }
  }
  /** A copy of the confusion matrix, rows = target class, columns = predicted class. */
  confusionMatrix(): number[][] {
    const c = this.classes;
    return Array.from({ length: c }, (_, r) => Array.from(this.confusion.subarray(r * c, (r + 1) * c)));
  }
  /** IoU of each class, NaN for a class absent from both target and prediction. */
  classIoU(): number[] {
    const c = this.classes;
    const out: number[] = [];
    for (let k = 0; k < c; k++) {
      let row = 0;
      let col = 0;
      for (let j = 0; j < c; j++) {
        row += this.confusion[k * c + j]!;
        col += this.confusion[j * c + k]!;
      }
      const tp = this.confusion[k * c + k]!;
      const union = row + col - tp;
      out.push(union > 0 ? tp / union : NaN);
    }
    return out;
  }
  result(): Record<string, number> {
    const c = this.classes;
    let total = 0;
    let correct = 0;
    for (let k = 0; k < c; k++) {
      correct += this.confusion[k * c + k]!;
      for (let j = 0; j < c; j++) total += this.confusion[k * c + j]!;
    }
    const ious = this.classIoU().filter((v) => !Number.isNaN(v));
    return {
      miou: ious.length > 0 ? ious.reduce((a, b) => a + b, 0) / ious.length : NaN,
      pixel_acc: total > 0 ? correct / total : NaN,
    };
  }
  reset(): void {
    this.confusion.fill(0);
  }
  protected addFrom(other: this): void {
    for (let i = 0; i < this.confusion.length; i++) this.confusion[i] = this.confusion[i]! + other.confusion[i]!;
  }
}

/**
 * Depth over valid pixels (target > 0), `pred` and `target` of the same shape:
 * rmse = sqrt(mean (p - t)^2), abs_rel = mean |p - t| / t, delta1 = fraction of pixels with
 * max(p / t, t / p) < 1.25 (a prediction <= 0 never counts as within).
 */
export class DepthAccumulator extends BaseAccumulator {
  readonly family = "depth" as const;
  private sqErr = 0;
  private absRel = 0;
  private within = 0;
  private count = 0;
  updateData(
    pred: ArrayLike<number>,
    target: ArrayLike<number>,
    predShape: readonly number[],
    targetShape: readonly number[],
  ): void {
    requireSameShape(predShape, targetShape, "depth");
    checkLength(pred, predShape, "prediction");
    checkLength(target, targetShape, "target");
    for (let i = 0; i < target.length; i++) {
      const t = target[i]!;
      if (!(t > 0)) continue;
      const p = pred[i]!;
      const d = p - t;
      this.sqErr += d * d;
      this.absRel += Math.abs(d) / t;
      if (p > 0 && Math.max(p / t, t / p) < 1.25) this.within++;
      this.count++;
    }
  }
  result(): Record<string, number> {
    const n = this.count;
    return n > 0
      ? { rmse: Math.sqrt(this.sqErr / n), abs_rel: this.absRel / n, delta1: this.within / n }
      : { rmse: NaN, abs_rel: NaN, delta1: NaN };
  }
  reset(): void {
    this.sqErr = this.absRel = this.within = this.count = 0;
  }
  protected addFrom(other: this): void {
    this.sqErr += other.sqErr;
    this.absRel += other.absRel;
    this.within += other.within;
    this.count += other.count;
  }
}

const DEGREES_PER_RADIAN = 180 / Math.PI;

/**
 * Surface normals [..., 3] over valid pixels (target vector not all zero). Prediction and
 * target are normalised, the angle is acos(clamp(p^ . t^, -1, 1)) in degrees (a zero
 * prediction is 90 degrees off); mean_angle is its mean and within_X the percentage of
 * pixels with angle < X (strict, as the MTSL code).
 */
export class NormalsAccumulator extends BaseAccumulator {
  readonly family = "normals" as const;
  private angleSum = 0;
  private w11 = 0;
  private w22 = 0;
  private w30 = 0;
  private count = 0;
  updateData(
    pred: ArrayLike<number>,
    target: ArrayLike<number>,
    predShape: readonly number[],
    targetShape: readonly number[],
  ): void {
    requireSameShape(predShape, targetShape, "normals");
    if (predShape[predShape.length - 1] !== 3) {
      throw new MetricError("METRIC_SHAPE_MISMATCH", `normals: shape ${shapeText(predShape)} has no last axis of 3`);
    }
    checkLength(pred, predShape, "prediction");
    checkLength(target, targetShape, "target");
    for (let i = 0; i < target.length; i += 3) {
      const tx = target[i]!,
        ty = target[i + 1]!,
        tz = target[i + 2]!;
      const tn = Math.hypot(tx, ty, tz);
      if (!(tn > 0)) continue;
      const px = pred[i]!,
        py = pred[i + 1]!,
        pz = pred[i + 2]!;
      const pn = Math.hypot(px, py, pz);
      const cos = pn > 0 ? (px * tx + py * ty + pz * tz) / (pn * tn) : 0;
      const angle = Math.acos(Math.min(1, Math.max(-1, cos))) * DEGREES_PER_RADIAN;
      this.angleSum += angle;
      if (angle < 11.25) this.w11++;
      if (angle < 22.5) this.w22++;
      if (angle < 30) this.w30++;
      this.count++;
    }
  }
  result(): Record<string, number> {
    const n = this.count;
    if (n === 0) return { mean_angle: NaN, within_11_25: NaN, within_22_5: NaN, within_30: NaN };
    return {
      mean_angle: this.angleSum / n,
      within_11_25: (100 * this.w11) / n,
      within_22_5: (100 * this.w22) / n,
      within_30: (100 * this.w30) / n,
    };
  }
  reset(): void {
    this.angleSum = this.w11 = this.w22 = this.w30 = this.count = 0;
  }
  protected addFrom(other: this): void {
    this.angleSum += other.angleSum;
    this.w11 += other.w11;
    this.w22 += other.w22;
    this.w30 += other.w30;
    this.count += other.count;
  }
}

/** softplus(x) = log(1 + e^x) without overflow. */
function softplus(x: number): number {
  return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
}

/**
 * Edges: `pred` logits, `target` of the same shape (positive when >= 0.5, ignored when < 0).
 * bce: the same value as the `bce` loss (with `posWeight` if given) over all data;
 * accuracy: fraction of kept elements where (sigmoid(logit) > 0.5) equals the label.
 */
export class EdgeAccumulator extends BaseAccumulator {
  readonly family = "edges" as const;
  readonly posWeight: number | undefined;
  private lossSum = 0;
  private correct = 0;
  private count = 0;
  constructor(posWeight?: number) {
    super();
    if (posWeight !== undefined && !(posWeight >= 0 && posWeight <= 1)) {
      throw new MetricError("METRIC_BAD_OPTION", `edges: pos_weight must be in [0, 1], got ${posWeight}`);
    }
    this.posWeight = posWeight;
  }
  protected override settingsKey(): string {
    return String(this.posWeight);
  }
  updateData(
    pred: ArrayLike<number>,
    target: ArrayLike<number>,
    predShape: readonly number[],
    targetShape: readonly number[],
  ): void {
    requireSameShape(predShape, targetShape, "edges");
    checkLength(pred, predShape, "prediction");
    checkLength(target, targetShape, "target");
    const p = this.posWeight;
    for (let i = 0; i < target.length; i++) {
      const t = target[i]!;
      if (!(t >= 0)) continue;
      const x = pred[i]!;
      const z = t >= 0.5 ? 1 : 0;
      const l = softplus(x) - x * z;
      this.lossSum += p === undefined ? l : (z === 1 ? p : 1 - p) * l;
      if ((x > 0 ? 1 : 0) === z) this.correct++;
      this.count++;
    }
  }
  result(): Record<string, number> {
    const n = this.count;
    return n > 0 ? { bce: this.lossSum / n, accuracy: this.correct / n } : { bce: NaN, accuracy: NaN };
  }
  reset(): void {
    this.lossSum = this.correct = this.count = 0;
  }
  protected addFrom(other: this): void {
    this.lossSum += other.lossSum;
    this.correct += other.correct;
    this.count += other.count;
  }
}

/** Reconstruction: mse = mean (p - t)^2 over all elements, same shapes. */
export class ReconstructionAccumulator extends BaseAccumulator {
  readonly family = "reconstruction" as const;
  private sqErr = 0;
  private count = 0;
  updateData(
    pred: ArrayLike<number>,
    target: ArrayLike<number>,
    predShape: readonly number[],
    targetShape: readonly number[],
  ): void {
    requireSameShape(predShape, targetShape, "reconstruction");
    checkLength(pred, predShape, "prediction");
    checkLength(target, targetShape, "target");
    for (let i = 0; i < target.length; i++) {
      const d = pred[i]! - target[i]!;
      this.sqErr += d * d;
    }
    this.count += target.length;
  }
  result(): Record<string, number> {
    return { mse: this.count > 0 ? this.sqErr / this.count : NaN };
  }
  reset(): void {
    this.sqErr = this.count = 0;
  }
  protected addFrom(other: this): void {
    this.sqErr += other.sqErr;
    this.count += other.count;
  }
}

/** Settings an accumulator may need. */
export interface MetricOptions {
  /** Segmentation: number of classes (required). */
  classes?: number;
  /** Edges: positive weight of the BCE (as the loss). */
  posWeight?: number;
}

/** A fresh accumulator for one family of task outputs. */
export function createMetricAccumulator(family: MetricFamily, options: MetricOptions = {}): MetricAccumulator {
  switch (family) {
    case "classification":
      return new AccuracyAccumulator();
    case "segmentation":
      if (options.classes === undefined)
        throw new MetricError("METRIC_BAD_OPTION", "segmentation metrics need the number of classes");
      return new SegmentationAccumulator(options.classes);
    case "depth":
      return new DepthAccumulator();
    case "normals":
      return new NormalsAccumulator();
    case "edges":
      return new EdgeAccumulator(options.posWeight);
    case "reconstruction":
      return new ReconstructionAccumulator();
    default: {
      const never: never = family;
      throw new MetricError("METRIC_BAD_OPTION", `unknown metric family '${String(never)}'`);
    }
  }
}

/** One metric of one task, measured on the multi-task model and on its single-task baseline. */
export interface GainEntry {
  metric: MetricName;
  value: number;
  baseline: number;
}

/**
 * Multi-task gain Delta_m in percent (Maninis et al. 2019):
 * (100 / T) sum_i (-1)^{l_i} (M_i - B_i) / B_i with l_i = 1 when lower is better, over the
 * T entries given (one key metric per task, or several: the caller chooses). Positive means
 * better than the baselines. Throws `MetricError` for no entries or a zero/non-finite baseline.
 */
export function multiTaskGain(entries: ReadonlyArray<GainEntry>): number {
  if (entries.length === 0) throw new MetricError("METRIC_BAD_BASELINE", "Delta_m needs at least one metric");
  let sum = 0;
  for (const { metric, value, baseline } of entries) {
    if (!isMetricName(metric)) throw new MetricError("METRIC_BAD_OPTION", `unknown metric '${String(metric)}'`);
    if (!Number.isFinite(baseline) || baseline === 0) {
      throw new MetricError("METRIC_BAD_BASELINE", `baseline of ${metric} is ${baseline}; Delta_m divides by it`);
    }
    const sign = METRIC_DIRECTIONS[metric] === "lower" ? -1 : 1;
    sum += (sign * (value - baseline)) / baseline;
  }
  return (100 * sum) / entries.length;
}
