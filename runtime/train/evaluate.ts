/**
 * Evaluation of a network on a split, in inference mode: every task's loss
 * (mean over batches, weighted by batch size) and its metrics over the split.
 */
import * as tf from "@tensorflow/tfjs";
import type { IrModel } from "../../compiler/ir/types.js";
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
  transformImages?: (images: tf.Tensor4D, batchIndex: number) => tf.Tensor4D;
  onBatch?: (done: number, total: number) => void;
}

export function evaluateSplit(
  ir: IrModel,
  store: WeightStore,
  dataset: Dataset,
  split: SplitName,
  tasks: BoundTask[],
  options: EvaluateOptions,
): SplitScores {
  const shape = ir.input.shape as [number, number, number];
  const size = Math.min(dataset.splits[split].size, options.limit ?? Infinity);
  const batches = batchIndices(size, options.batch, { shuffle: false });
  const metrics = new Map(tasks.map((t) => [t.task.name, t.newMetrics()]));
  const lossSums = new Map(tasks.map((t) => [t.task.name, 0]));
  let seen = 0;
  batches.forEach((indices, b) => {
    const batch = dataset.getBatch(split, indices);
    tf.tidy(() => {
      let x = tf.tensor4d(batch.images, [batch.size, ...shape]);
      if (options.transformImages) x = options.transformImages(x, b);
      const { outputs } = forward(ir, store, x, { training: false });
      for (const t of tasks) {
        const pred = outputs.get(t.task.name)!;
        const target = t.targetTensor(batch, shape);
        const loss = t.loss(pred, target).dataSync()[0]!;
        lossSums.set(t.task.name, lossSums.get(t.task.name)! + loss * batch.size);
        metrics.get(t.task.name)!.update(pred, target);
      }
    });
    seen += batch.size;
    options.onBatch?.(b + 1, batches.length);
  });
  const out: SplitScores = {};
  for (const t of tasks) {
    const all = metrics.get(t.task.name)!.result();
    const scores: TaskScores = { loss: seen > 0 ? lossSums.get(t.task.name)! / seen : Number.NaN };
    for (const m of t.task.metrics) if (m in all) scores[m] = all[m]!;
    out[t.task.name] = scores;
  }
  return out;
}
