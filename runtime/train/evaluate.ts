/**
 * Evaluation of a network on a split, in inference mode: every task's loss
 * (mean over batches, weighted by batch size) and its metrics over the split.
 */
import * as tf from "@tensorflow/tfjs";
import type { IrModel } from "../../compiler/ir/types.js";
import { readScalars } from "../backend/read-values.js";
import { batchIndices } from "../data/dataset.js";
import type { Dataset, SplitName } from "../data/types.js";
import { forward } from "../model/network.js";
import type { WeightStore } from "../model/weights.js";
import type { BoundTask } from "./tasks.js";

export type TaskScores = Record<string, number>;

/** Per task: `loss` and the task's metrics. */
export type SplitScores = Record<string, TaskScores>;

export interface EvaluateOptions {
  batch: number;
  /** Evaluate only the first `limit` samples. */
  limit?: number;
  /** Transform applied to each batch of images before the forward pass (corruptions). */
  transformImages?: (images: tf.Tensor4D, batchIndex: number) => tf.Tensor4D | Promise<tf.Tensor4D>;
  onBatch?: (done: number, total: number) => void;
}

export async function evaluateSplit(
  ir: IrModel,
  store: WeightStore,
  dataset: Dataset,
  split: SplitName,
  tasks: BoundTask[],
  options: EvaluateOptions,
): Promise<SplitScores> {
  const shape = ir.input.shape as [number, number, number];
  const size = Math.min(dataset.splits[split].size, options.limit ?? Infinity);
  const batches = batchIndices(size, options.batch, { shuffle: false });
  const metrics = new Map(tasks.map((t) => [t.task.name, t.newMetrics()]));
  const lossSums = new Map(tasks.map((t) => [t.task.name, 0]));
  let seen = 0;
  for (const [b, indices] of batches.entries()) {
    const batch = dataset.getBatch(split, indices);
    // Each task's prediction, target and loss, kept out of the tidy and read back after it.
    const images = tf.tensor4d(batch.images, [batch.size, ...shape]);
    let x = images;
    try {
      if (options.transformImages) x = await options.transformImages(images, b);
    } finally {
      if (x !== images) images.dispose();
    }
    const kept = tf.tidy(() => {
      const { outputs } = forward(ir, store, x, { training: false });
      return tasks.map((t) => {
        const pred = outputs.get(t.task.name)!;
        const target = t.targetTensor(batch, shape);
        return { pred, target, loss: t.loss(pred, target) };
      });
    });
    x.dispose();
    try {
      const losses = await readScalars(kept.map((k) => k.loss));
      for (const [i, t] of tasks.entries()) {
        lossSums.set(t.task.name, lossSums.get(t.task.name)! + losses[i]! * batch.size);
        await metrics.get(t.task.name)!.update(kept[i]!.pred, kept[i]!.target);
      }
    } finally {
      tf.dispose(kept.flatMap((k) => [k.pred, k.target, k.loss]));
    }
    seen += batch.size;
    options.onBatch?.(b + 1, batches.length);
  }
  const out: SplitScores = {};
  for (const t of tasks) {
    const all = metrics.get(t.task.name)!.result();
    const scores: TaskScores = { loss: seen > 0 ? lossSums.get(t.task.name)! / seen : Number.NaN };
    for (const m of t.task.metrics) if (m in all) scores[m] = all[m]!;
    out[t.task.name] = scores;
  }
  return out;
}
