/**
 * Datasets as plain arrays: built-in sources (`multimnist`, `scenes`), a
 * `.npy` folder loader (`npy`), a registry, and batch helpers for training.
 */

export type {
  Batch,
  ClassTargetSpec,
  DataOptions,
  Dataset,
  DatasetDescription,
  DenseClassTargetSpec,
  DenseTargetSpec,
  OptionValue,
  Split,
  SplitName,
  TargetArray,
  TargetRole,
  TargetSpec,
} from "./types.js";
export { SPLIT_NAMES } from "./types.js";
export {
  allocateSplit,
  batchIndices,
  epochOrder,
  makeDataset,
  targetValuesPerSample,
  type BatchPlan,
} from "./dataset.js";
export { declaredOptions, resolveOptions, type ResolvedOptions } from "./options.js";
export { dataSourceNames, getDataSource, type DataSource } from "./registry.js";
export {
  describeMultiMnist,
  generateMultiMnist,
  MULTIMNIST_OPTIONS,
  MultiMnistComposer,
  type MultiMnistOptions,
  type MultiMnistProvenance,
} from "./multimnist.js";
export { digitPool, loadMnistDigits } from "./mnist-digits.js";
export {
  describeScenes,
  generateScenes,
  SCENE_CLASSES,
  SCENES_OPTIONS,
  sceneAt,
  sceneBuffers,
} from "./scenes/index.js";
export { renderScene, type SceneBuffers } from "./scenes/render.js";
export type { Scene, SceneObject } from "./scenes/scene.js";
export { describeNpy, loadNpy, NPY_OPTIONS, planNpy } from "./npy/source.js";
export { decodeNpy, parseNpyHeader, readNpy, readNpyHeaderSync, type NpyHeader } from "./npy/npy-file.js";
