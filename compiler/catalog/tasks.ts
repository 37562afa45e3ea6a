/** Task kinds, losses, metrics and the settings of a `task` block. */
import {
  bool,
  call,
  fraction,
  int,
  layers,
  listOf,
  name,
  named,
  nonNegativeNum,
  oneOf,
  positiveInt,
  requiredNamed,
  required,
  unitInterval,
} from "./build.js";
import type { BlockSpec, LossSpec, MetricSpec, TaskKindSpec } from "./types.js";

const TASK_KINDS_LITERAL = [
  {
    name: "classification",
    vocabulary: "taskKind",
    doc: "One label per image.",
    params: [required("classes", int({ min: 2 }), "Number of classes.")],
    defaultLoss: "ce",
    defaultMetrics: ["accuracy"],
    headChannels: { from: "param", param: "classes" },
  },
  {
    name: "segmentation",
    vocabulary: "taskKind",
    doc: "One label per pixel.",
    params: [
      required("classes", int({ min: 2 }), "Number of classes."),
      {
        name: "ignore",
        type: int({ min: -1 }),
        positional: false,
        required: false,
        default: -1,
        doc: "Label value excluded from loss and metrics; -1 for none.",
      },
    ],
    defaultLoss: "ce",
    defaultMetrics: ["miou", "pixel_acc"],
    headChannels: { from: "param", param: "classes" },
  },
  {
    name: "depth",
    vocabulary: "taskKind",
    doc: "Per-pixel depth; zero or negative marks a missing value.",
    params: [],
    defaultLoss: "rmse",
    defaultMetrics: ["rmse", "abs_rel", "delta1"],
    headChannels: { from: "fixed", channels: 1 },
  },
  {
    name: "normals",
    vocabulary: "taskKind",
    doc: "Per-pixel unit surface normal (x, y, z).",
    params: [],
    defaultLoss: "l1_unit",
    defaultMetrics: ["mean_angle", "within_11_25", "within_22_5", "within_30"],
    headChannels: { from: "fixed", channels: 3 },
  },
  {
    name: "edges",
    vocabulary: "taskKind",
    doc: "Per-pixel edge probability.",
    params: [],
    defaultLoss: "bce",
    defaultMetrics: ["bce"],
    headChannels: { from: "fixed", channels: 1 },
  },
  {
    name: "reconstruction",
    vocabulary: "taskKind",
    doc: "Reproduce the input image (autoencoder).",
    params: [],
    defaultLoss: "mse",
    defaultMetrics: ["mse"],
    headChannels: { from: "input" },
  },
  {
    name: "regression",
    vocabulary: "taskKind",
    doc: "One or more real values per image.",
    params: [
      { name: "outputs", type: positiveInt, positional: false, required: false, default: 1, doc: "Number of values." },
    ],
    defaultLoss: "mse",
    defaultMetrics: ["mse"],
    headChannels: { from: "param", param: "outputs" },
  },
] as const satisfies readonly TaskKindSpec[];
export const TASK_KINDS: readonly TaskKindSpec[] = TASK_KINDS_LITERAL;

const validPixels = oneOf("valid-pixel rule", ["positive", "all"]);

const LOSSES_LITERAL = [
  {
    name: "ce",
    vocabulary: "loss",
    doc: "Softmax cross-entropy.",
    kinds: ["classification", "segmentation"],
    params: [
      named("balanced", bool, false, "Weight classes by inverse frequency in the batch."),
      named("label_smoothing", fraction, 0, "Mass moved from the true class to the others, in [0, 1)."),
    ],
  },
  {
    name: "bce",
    vocabulary: "loss",
    doc: "Balanced binary cross-entropy on logits: pos_weight for positives, 1 - pos_weight for negatives.",
    kinds: ["edges"],
    params: [named("pos_weight", unitInterval, 0.95, "Weight of positive pixels, in [0, 1].")],
  },
  {
    name: "rmse",
    vocabulary: "loss",
    doc: "Root mean squared error over valid pixels.",
    kinds: ["depth", "regression"],
    params: [named("valid", validPixels, "positive", "`positive`: pixels whose target is > 0; `all`: every pixel.")],
  },
  {
    name: "l1",
    vocabulary: "loss",
    doc: "Mean absolute error over valid pixels.",
    kinds: ["depth", "normals", "reconstruction", "regression"],
    params: [named("valid", validPixels, "positive", "`positive`: pixels whose target is > 0; `all`: every pixel.")],
  },
  {
    name: "l1_unit",
    vocabulary: "loss",
    doc: "L1 between the L2-normalised prediction and the unit target normal.",
    kinds: ["normals"],
    params: [],
  },
  {
    name: "mse",
    vocabulary: "loss",
    doc: "Mean squared error.",
    kinds: ["depth", "normals", "reconstruction", "regression"],
    params: [],
  },
] as const satisfies readonly LossSpec[];
export const LOSSES: readonly LossSpec[] = LOSSES_LITERAL;

function metric<N extends string>(
  metricName: N,
  kinds: readonly string[],
  higherIsBetter: boolean,
  doc: string,
): MetricSpec & { readonly name: N } {
  return { name: metricName, vocabulary: "metric", kinds, higherIsBetter, doc, params: [] };
}

const METRICS_LITERAL = [
  metric(
    "accuracy",
    ["classification", "edges"],
    true,
    "Fraction of correct labels (edges: of pixels thresholded at 0.5).",
  ),
  metric("miou", ["segmentation"], true, "Mean intersection over union across classes."),
  metric("pixel_acc", ["segmentation"], true, "Fraction of correctly labelled pixels."),
  metric("rmse", ["depth"], false, "Root mean squared error over valid pixels."),
  metric("abs_rel", ["depth"], false, "Mean of |pred - gt| / gt over valid pixels."),
  metric("delta1", ["depth"], true, "Fraction of valid pixels with max(pred/gt, gt/pred) < 1.25."),
  metric("mean_angle", ["normals"], false, "Mean angle between predicted and true normals, in degrees."),
  metric("within_11_25", ["normals"], true, "Fraction of pixels with angle error below 11.25 degrees."),
  metric("within_22_5", ["normals"], true, "Fraction of pixels with angle error below 22.5 degrees."),
  metric("within_30", ["normals"], true, "Fraction of pixels with angle error below 30 degrees."),
  metric("bce", ["edges"], false, "Binary cross-entropy."),
  metric("mse", ["reconstruction", "regression"], false, "Mean squared error."),
] as const satisfies readonly MetricSpec[];
export const METRICS: readonly MetricSpec[] = METRICS_LITERAL;

/** The settings inside `task NAME: KIND { ... }`. */
export const TASK_BLOCK: BlockSpec = {
  name: "task",
  settings: [
    requiredNamed("head", layers, "The task's own layers after the last stage; never shared."),
    named("loss", call("loss"), undefined, "The training loss; defaults by task kind."),
    named("metrics", listOf(call("metric"), { single: true }), undefined, "Metrics to report; default by task kind."),
    named("weight", nonNegativeNum, 1, "Multiplies the task's loss in the total loss."),
    named("target", name, undefined, "Which target of the data this task learns; defaults to the task's name."),
  ],
};

/** The words of each vocabulary as types: the IR's and the runtime's unions are these. */
export type TaskKindWord = (typeof TASK_KINDS_LITERAL)[number]["name"];
export type LossWord = (typeof LOSSES_LITERAL)[number]["name"];
export type MetricWord = (typeof METRICS_LITERAL)[number]["name"];
