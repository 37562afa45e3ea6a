/**
 * The vocabulary catalogue: the single place that names every word of the
 * language (layers, task kinds, losses, metrics, data sources, settings,
 * optimisers, schedules), as plain data with typed accessors, and
 * `resolveArgs`, which binds a call's arguments to its parameters.
 */
export type * from "./types.js";
export { DATA_SOURCES, INPUT_DTYPES, INPUT_RANK } from "./data.js";
export { INITIALIZERS, LAYERS } from "./layers.js";
export { DEFAULT_PASSES, defaultPasses, SIMILARITIES, STRUCTURAL_LEARNING_BLOCK, TRANSFERS } from "./learning.js";
export { LOSSES, METRICS, TASK_BLOCK, TASK_KINDS } from "./tasks.js";
export { BACKENDS, OPTIMIZERS, SCHEDULES, TRAIN_BLOCK } from "./training.js";
export * from "./lookup.js";
export * from "./resolve.js";
