/**
 * The vocabulary catalogue: the single place that names every word of the
 * language (layers, task kinds, losses, metrics, data sources, settings,
 * optimisers, schedules), as plain data with typed accessors. Binding a
 * file's arguments to it (`resolveArgs`) is the checker's: compiler/check/resolve-args.ts.
 */
export type * from "./types.js";
export {
  DATA_SOURCES,
  IMAGE_TARGET,
  INPUT_DTYPES,
  INPUT_RANK,
  MAX_GENERATED_SAMPLES,
  NPY_DEFAULT_TARGETS,
} from "./data.js";
export { INITIALIZERS, LAYERS } from "./layers.js";
export { DEFAULT_PASSES, defaultPasses, SIMILARITIES, STRUCTURAL_LEARNING_BLOCK, TRANSFERS } from "./learning.js";
export { LOSSES, METRICS, TASK_BLOCK, TASK_KINDS, type LossWord, type MetricWord, type TaskKindWord } from "./tasks.js";
export { BACKENDS, OPTIMIZERS, SCHEDULES, TRAIN_BLOCK, WEIGHTINGS } from "./training.js";
export * from "./lookup.js";
export * from "./describe.js";
