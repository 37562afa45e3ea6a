/** The architecture diff: typed changes between two IRs, and their text. */
export { diff, matchStages } from "./diff.js";
export { describeDiff, countChanges } from "./describe.js";
export { taskCost, taskPath, modelCost, costChange } from "./cost.js";
export { ChangeType, CATEGORIES, categoryOf } from "./types.js";
export type {
  ArchitectureChange,
  ChangeCategory,
  Cost,
  CostChange,
  DiffValue,
  LayerOwner,
  SharingChange,
} from "./types.js";
