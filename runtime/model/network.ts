/**
 * The interpreter: runs an IR network forward. Instances run in the IR's
 * topological order; each reads its input instance and, for layers that read other stages
 * (concat, decoder_bottleneck, fuse), its skip instances; every head reads the last stage's
 * instance holding its task, and its own skips.
 */
import type * as tf from "@tensorflow/tfjs";
import { weightKey } from "../../compiler/ir/lint.js";
import { layerStages, type IrModel } from "../../compiler/ir/types.js";
import { applyLayer, type StatUpdate } from "./ops.js";
import type { WeightStore } from "./weights.js";

export interface ForwardOptions {
  training: boolean;
  /** Collects batch-norm running-statistics updates (training mode), keyed by full weight name. */
  updates?: StatUpdate[];
  /** Seed for dropout masks. */
  dropoutSeed?: number;
}

export interface ForwardResult {
  /** One output per task, in the IR's task order. */
  outputs: Map<string, tf.Tensor>;
  /** The output of every stage instance (and `input`). */
  features: Map<string, tf.Tensor>;
}

/** Where an owner's weights come from: the store, or (for null copies) fresh values. */
export interface WeightSource {
  get(key: string): tf.Tensor;
}

/** Runs the layers of one owner (instance or head) on `x`. */
export function runOwner(
  ownerId: string,
  layers: IrModel["stages"][number]["layers"],
  x: tf.Tensor,
  store: WeightSource,
  skips: tf.Tensor[],
  options: ForwardOptions,
): tf.Tensor {
  let y = x;
  let skipIndex = 0;
  layers.forEach((layer, j) => {
    const local: StatUpdate[] = [];
    const count = layerStages(layer).length;
    const layerSkips = skips.slice(skipIndex, skipIndex + count);
    skipIndex += count;
    y = applyLayer(layer, y, (name) => store.get(weightKey(ownerId, j, name)), {
      training: options.training,
      ...(count > 0 ? { skips: layerSkips } : {}),
      updates: local,
      ...(options.dropoutSeed === undefined ? {} : { dropoutSeed: options.dropoutSeed + j }),
    });
    if (options.updates)
      for (const u of local) options.updates.push({ name: weightKey(ownerId, j, u.name), value: u.value });
  });
  return y;
}

export function forward(ir: IrModel, store: WeightStore, input: tf.Tensor, options: ForwardOptions): ForwardResult {
  const features = new Map<string, tf.Tensor>([["input", input]]);
  const stages = new Map(ir.stages.map((s) => [s.name, s]));
  for (const inst of ir.instances) {
    const x = features.get(inst.input)!;
    const skips = inst.skips.map((s) => features.get(s)!);
    features.set(inst.id, runOwner(inst.id, stages.get(inst.stage)!.layers, x, store, skips, options));
  }
  const outputs = new Map<string, tf.Tensor>();
  for (const head of ir.heads) {
    const skips = head.skips.map((s) => features.get(s)!);
    outputs.set(head.task, runOwner(head.id, head.layers, features.get(head.input)!, store, skips, options));
  }
  return { outputs, features };
}
