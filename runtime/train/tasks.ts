/**
 * Binds each IR task to the data: which target array it learns, how a batch of
 * it becomes a tensor, its loss (with the file's options) and its metrics.
 */
import * as tf from "@tensorflow/tfjs";
import { IMAGE_TARGET } from "../../compiler/catalog/index.js";
import type { IrTask } from "../../compiler/ir/types.js";
import type { Batch, DatasetDescription, TargetSpec } from "../data/types.js";
import { MtslError } from "../errors.js";
import { getLoss, type LossFn, type LossOptions } from "../losses.js";
import { createMetricAccumulator, type MetricAccumulator, type MetricFamily } from "../metrics.js";

export interface BoundTask {
  task: IrTask;
  /** The dataset target it reads, or "image" for the input images. */
  target: string;
  spec: TargetSpec | null;
  /** The batch's target as a tensor shaped for the loss and the metrics. */
  targetTensor(batch: Batch, imageShape: [number, number, number]): tf.Tensor;
  loss(pred: tf.Tensor, target: tf.Tensor): tf.Scalar;
  newMetrics(): MetricAccumulator;
}

/** Semantic boundaries of per-pixel labels: 1 where a pixel's label differs from its right or lower neighbour's. */
export function semanticEdges(labels: Int32Array, n: number, h: number, w: number): Float32Array {
  const out = new Float32Array(n * h * w);
  for (let b = 0; b < n; b++) {
    const base = b * h * w;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const i = base + y * w + x;
        const l = labels[i]!;
        if ((x + 1 < w && labels[i + 1] !== l) || (y + 1 < h && labels[i + w] !== l)) {
          out[i] = 1;
          if (x + 1 < w) out[i + 1] = 1;
          if (y + 1 < h) out[i + w] = 1;
        }
      }
    }
  }
  return out;
}

/** The metric family that evaluates a task of the IR (regression is scored as reconstruction). */
export function metricFamily(task: Pick<IrTask, "kind">): MetricFamily {
  switch (task.kind) {
    case "classification":
      return "classification";
    case "segmentation":
      return "segmentation";
    case "depth":
      return "depth";
    case "normals":
      return "normals";
    case "edges":
      return "edges";
    case "reconstruction":
    case "regression":
      return "reconstruction";
  }
}

function lossOptions(task: IrTask): LossOptions {
  const o = task.loss.options;
  const out: LossOptions = {};
  if (task.loss.name === "ce") {
    out.balanced = o["balanced"] === true;
    if (typeof task.options["ignore"] === "number") out.ignoreIndex = task.options["ignore"];
    if (typeof o["label_smoothing"] === "number") out.labelSmoothing = o["label_smoothing"];
  }
  if (task.loss.name === "bce" && typeof o["pos_weight"] === "number") out.posWeight = o["pos_weight"];
  if (o["valid"] === "positive" || o["valid"] === "all") out.valid = o["valid"];
  return out;
}

export function bindTask(task: IrTask, description: DatasetDescription): BoundTask {
  const spec = description.targets[task.target] ?? null;
  if (!spec && task.target !== IMAGE_TARGET) {
    const names = Object.keys(description.targets).join(", ");
    throw new MtslError(
      "MTSL3006",
      `task '${task.name}' learns target '${task.target}', which the data does not have (it has ${names})`,
      {
        option: "target",
      },
    );
  }
  const lossFn: LossFn = getLoss(task.loss.name);
  const options = lossOptions(task);
  const derivedEdges = task.kind === "edges" && spec?.kind === "dense_class";
  const classes = typeof task.options["classes"] === "number" ? task.options["classes"] : undefined;
  if (
    spec &&
    (spec.kind === "class" || spec.kind === "dense_class") &&
    classes !== undefined &&
    spec.classes !== classes
  ) {
    throw new MtslError(
      "MTSL3004",
      `task '${task.name}' declares ${classes} classes but target '${task.target}' has ${spec.classes}`,
      {
        expected: `${classes} classes`,
        found: `${spec.classes}`,
      },
    );
  }
  return {
    task,
    target: task.target,
    spec,
    targetTensor(batch, [h, w, c]) {
      const n = batch.size;
      if (!spec) return tf.tensor4d(batch.images, [n, h, w, c]);
      const data = batch.targets[task.target]!;
      switch (spec.kind) {
        case "class":
          return tf.tensor1d(data as Int32Array, "int32");
        case "dense_class":
          if (derivedEdges) return tf.tensor4d(semanticEdges(data as Int32Array, n, h, w), [n, h, w, 1]);
          return tf.tensor3d(data as Int32Array, [n, h, w], "int32");
        case "dense":
          return tf.tensor4d(data as Float32Array, [n, h, w, spec.channels]);
      }
    },
    loss: (pred, target) => lossFn(pred, target, options),
    newMetrics: () =>
      createMetricAccumulator(metricFamily(task), {
        ...(classes === undefined ? {} : { classes }),
        ...(options.posWeight === undefined ? {} : { posWeight: options.posWeight }),
      }),
  };
}
