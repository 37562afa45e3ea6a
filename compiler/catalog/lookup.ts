/**
 * Typed accessors over the catalogue's data. Entries are indexed by `Map`,
 * so names like `__proto__` or `constructor` are simply unknown.
 */
import { DATA_SOURCES } from "./data.js";
import { LAYERS } from "./layers.js";
import { SIMILARITIES, STRUCTURAL_LEARNING_BLOCK, TRANSFERS } from "./learning.js";
import { LOSSES, METRICS, TASK_BLOCK, TASK_KINDS } from "./tasks.js";
import { OPTIMIZERS, SCHEDULES, TRAIN_BLOCK, WEIGHTINGS } from "./training.js";
import type {
  BlockSpec,
  CallSpec,
  DataSourceSpec,
  LayerSpec,
  LossSpec,
  MetricSpec,
  ParamSpec,
  TaskKindSpec,
  VocabularyName,
} from "./types.js";

function byName<T extends { readonly name: string }>(entries: readonly T[]): ReadonlyMap<string, T> {
  return new Map(entries.map((e) => [e.name, e]));
}

const VOCABULARIES: { readonly [V in VocabularyName]: ReadonlyMap<string, CallSpec> } = {
  layer: byName(LAYERS),
  taskKind: byName(TASK_KINDS),
  loss: byName(LOSSES),
  metric: byName(METRICS),
  data: byName(DATA_SOURCES),
  similarity: byName(SIMILARITIES),
  transfer: byName(TRANSFERS),
  optimizer: byName(OPTIMIZERS),
  schedule: byName(SCHEDULES),
  weighting: byName(WEIGHTINGS),
};

/** How messages name a word of each vocabulary. */
export const VOCABULARY_NOUNS: { readonly [V in VocabularyName]: string } = {
  layer: "layer",
  taskKind: "task kind",
  loss: "loss",
  metric: "metric",
  data: "data source",
  similarity: "similarity",
  transfer: "transfer",
  optimizer: "optimizer",
  schedule: "schedule",
  weighting: "weighting",
};

/** Every entry of a vocabulary, by name. */
export function vocabulary(v: VocabularyName): ReadonlyMap<string, CallSpec> {
  return VOCABULARIES[v];
}

/** The entry `name` of vocabulary `v`, or undefined. */
export function vocabularyEntry(v: VocabularyName, name: string): CallSpec | undefined {
  return VOCABULARIES[v].get(name);
}

/** The layer `name` (`conv`, `basic`, ...), or undefined. */
export function layerSpec(name: string): LayerSpec | undefined {
  return VOCABULARIES.layer.get(name) as LayerSpec | undefined;
}

/** The task kind `name` (`segmentation`, `depth`, ...), or undefined. */
export function taskKindSpec(name: string): TaskKindSpec | undefined {
  return VOCABULARIES.taskKind.get(name) as TaskKindSpec | undefined;
}

/** The loss `name` (`ce`, `rmse`, ...), or undefined. */
export function lossSpec(name: string): LossSpec | undefined {
  return VOCABULARIES.loss.get(name) as LossSpec | undefined;
}

/** The metric `name` (`miou`, `delta1`, ...), or undefined. */
export function metricSpec(name: string): MetricSpec | undefined {
  return VOCABULARIES.metric.get(name) as MetricSpec | undefined;
}

/** The data source `name` (`scenes`, `npy`, ...), or undefined. */
export function dataSourceSpec(name: string): DataSourceSpec | undefined {
  return VOCABULARIES.data.get(name) as DataSourceSpec | undefined;
}

/** The similarity measure `name` (`cka`), or undefined. */
export function similaritySpec(name: string): CallSpec | undefined {
  return VOCABULARIES.similarity.get(name);
}

/** The knowledge-transfer method `name` (`distill`), or undefined. */
export function transferSpec(name: string): CallSpec | undefined {
  return VOCABULARIES.transfer.get(name);
}

/** The optimiser `name` (`adam`, `sgd`), or undefined. */
export function optimizerSpec(name: string): CallSpec | undefined {
  return VOCABULARIES.optimizer.get(name);
}

/** The learning-rate schedule `name` (`constant`, `step`, `cosine`), or undefined. */
export function scheduleSpec(name: string): CallSpec | undefined {
  return VOCABULARIES.schedule.get(name);
}

/** Losses that may train a task of kind `kind`, in catalogue order. */
export function lossesForKind(kind: string): LossSpec[] {
  return LOSSES.filter((l) => l.kinds.includes(kind));
}

/** Metrics that may evaluate a task of kind `kind`, in catalogue order. */
export function metricsForKind(kind: string): MetricSpec[] {
  return METRICS.filter((m) => m.kinds.includes(kind));
}

export type BlockName = "task" | "structural_learning" | "train";

const BLOCKS: { readonly [B in BlockName]: BlockSpec } = {
  task: TASK_BLOCK,
  structural_learning: STRUCTURAL_LEARNING_BLOCK,
  train: TRAIN_BLOCK,
};

/** The settings accepted by a task block, `structural_learning` or `train`. */
export function blockSpec(block: BlockName): BlockSpec {
  return BLOCKS[block];
}

/** The setting `name` of `block`, or undefined. */
export function settingSpec(block: BlockName, name: string): ParamSpec | undefined {
  return BLOCKS[block].settings.find((s) => s.name === name);
}

/** The parameter `name` of a call spec, or undefined. */
export function paramSpec(spec: CallSpec, name: string): ParamSpec | undefined {
  return spec.params.find((p) => p.name === name);
}
