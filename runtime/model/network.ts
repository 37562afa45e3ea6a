/**
 * The interpreter: runs an IR network forward. Instances run in the IR's
 * topological order; each reads its input instance and, for layers that read other stages
 * (concat, decoder_bottleneck, fuse), its skip instances; every head reads the last stage's
 * instance holding its task, and its own skips.
 */
import * as tf from "@tensorflow/tfjs";
import { weightKey } from "../../compiler/ir/lint.js";
import { layerStages, type IrHead, type IrInstance, type IrModel } from "../../compiler/ir/types.js";
import { applyLayer, fusesWithNext, type StatUpdate } from "./ops.js";
import type { WeightStore } from "./weights.js";

export interface ForwardOptions {
  training: boolean;
  /** Collects batch-norm running-statistics updates (training mode), keyed by full weight name. */
  updates?: StatUpdate[];
  /** Seed for dropout masks. */
  dropoutSeed?: number;
  /** Run part of the network only (default: all of it). */
  part?: ForwardPart;
  /**
   * Per task, a factor on the gradient that leaves the task's own layers (instances of that
   * task alone, and its head) for the layers it shares: forward values are unchanged; in
   * the backward pass the shared layers receive sum_t factor_t dL_t instead of sum_t dL_t,
   * while each task's own layers keep their unscaled gradient (MGDA-UB's update).
   */
  sharedGradientScale?: ReadonlyMap<string, number>;
}

/** Which part of the network a forward pass runs. */
export interface ForwardPart {
  /** Outputs already computed, by instance id: those instances do not run. */
  given?: ReadonlyMap<string, tf.Tensor>;
  /** Which of the other instances run (default all). */
  instance?: (inst: IrInstance) => boolean;
  /** Which heads run (default all). */
  head?: (head: IrHead) => boolean;
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
  for (let j = 0; j < layers.length; j++) {
    const layer = layers[j]!;
    const local: StatUpdate[] = [];
    const count = layerStages(layer).length;
    const layerSkips = skips.slice(skipIndex, skipIndex + count);
    skipIndex += count;
    // a bn followed by relu runs as one layer; the relu (no weights, no skips) is skipped
    const reluAfter = fusesWithNext(layer, layers[j + 1]);
    y = applyLayer(
      layer,
      y,
      (name) => store.get(weightKey(ownerId, j, name)),
      {
        training: options.training,
        ...(count > 0 ? { skips: layerSkips } : {}),
        updates: local,
        ...(options.dropoutSeed === undefined ? {} : { dropoutSeed: options.dropoutSeed + j }),
      },
      reluAfter,
    );
    if (options.updates)
      for (const u of local) options.updates.push({ name: weightKey(ownerId, j, u.name), value: u.value });
    if (reluAfter) j++;
  }
  return y;
}

export function forward(ir: IrModel, store: WeightStore, input: tf.Tensor, options: ForwardOptions): ForwardResult {
  const features = new Map<string, tf.Tensor>([["input", input]]);
  const stages = new Map(ir.stages.map((s) => [s.name, s]));
  const part = options.part ?? {};
  const scale = options.sharedGradientScale;
  const sharedIds = scale ? new Set(ir.instances.filter((i) => i.tasks.length > 1).map((i) => i.id)) : null;
  /** A feature as task `task`'s own layer reads it: through the gradient factor if it is shared. */
  const readAs = (id: string, task: string | null): tf.Tensor => {
    const t = features.get(id)!;
    const factor = task === null ? undefined : scale?.get(task);
    return factor === undefined || factor === 1 || !sharedIds?.has(id) ? t : scaleGradient(t, factor);
  };
  for (const inst of ir.instances) {
    const given = part.given?.get(inst.id);
    if (given !== undefined) {
      features.set(inst.id, given);
      continue;
    }
    if (part.instance && !part.instance(inst)) continue;
    const own = inst.tasks.length === 1 ? inst.tasks[0]! : null;
    const x = readAs(inst.input, own);
    const skips = inst.skips.map((s) => readAs(s, own));
    features.set(inst.id, runOwner(inst.id, stages.get(inst.stage)!.layers, x, store, skips, options));
  }
  const outputs = new Map<string, tf.Tensor>();
  for (const head of ir.heads) {
    if (part.head && !part.head(head)) continue;
    const skips = head.skips.map((s) => readAs(s, head.task));
    outputs.set(head.task, runOwner(head.id, head.layers, readAs(head.input, head.task), store, skips, options));
  }
  return { outputs, features };
}

/** The part of `ir` up to stage index `last` (inclusive): no later stage, no head. */
export function stagesThrough(ir: IrModel, last: number): ForwardPart {
  const index = new Map(ir.stages.map((s) => [s.name, s.index]));
  return { instance: (inst) => index.get(inst.stage)! <= last, head: () => false };
}

/** The identity forward; `factor` times the gradient backward. */
function scaleGradient(x: tf.Tensor, factor: number): tf.Tensor {
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => ({
    value: tf.clone(args[0] as tf.Tensor),
    gradFunc: (dy: tf.Tensor | tf.Tensor[]) => tf.mul(dy as tf.Tensor, factor),
  }));
  return op(x);
}
