/**
 * The vocabulary of the architecture diff: every change is a plain object with a
 * `type`, a structured payload and a one-line `description` in words (after
 * graphql-js `findBreakingChanges`). Payloads are JSON-ready.
 */
import type { IrCall, IrValue, Shape } from "../ir/types.js";

export const ChangeType = {
  MODEL_RENAMED: "MODEL_RENAMED",
  INPUT_CHANGED: "INPUT_CHANGED",
  DATA_CHANGED: "DATA_CHANGED",
  TASK_ADDED: "TASK_ADDED",
  TASK_REMOVED: "TASK_REMOVED",
  TASK_CHANGED: "TASK_CHANGED",
  GROUPS_MERGED: "GROUPS_MERGED",
  GROUPS_SPLIT: "GROUPS_SPLIT",
  GROUPS_REGROUPED: "GROUPS_REGROUPED",
  GROUP_MEMBERS_CHANGED: "GROUP_MEMBERS_CHANGED",
  STAGE_RENAMED: "STAGE_RENAMED",
  STAGE_REMOVED: "STAGE_REMOVED",
  STAGE_ADDED: "STAGE_ADDED",
  STAGE_ORDER_CHANGED: "STAGE_ORDER_CHANGED",
  STAGE_SHAPE_CHANGED: "STAGE_SHAPE_CHANGED",
  LAYER_REMOVED: "LAYER_REMOVED",
  LAYER_ADDED: "LAYER_ADDED",
  LAYER_REPLACED: "LAYER_REPLACED",
  LAYER_CHANGED: "LAYER_CHANGED",
  STRUCTURAL_LEARNING_ADDED: "STRUCTURAL_LEARNING_ADDED",
  STRUCTURAL_LEARNING_REMOVED: "STRUCTURAL_LEARNING_REMOVED",
  STRUCTURAL_LEARNING_CHANGED: "STRUCTURAL_LEARNING_CHANGED",
  TRAINING_CHANGED: "TRAINING_CHANGED",
  MODEL_COST_CHANGED: "MODEL_COST_CHANGED",
  TASK_COST_CHANGED: "TASK_COST_CHANGED",
  /** A safety net: the IRs differ in a way none of the other types covers (the JSON path says where). */
  OTHER_CHANGED: "OTHER_CHANGED",
} as const;
export type ChangeType = (typeof ChangeType)[keyof typeof ChangeType];

/** A value before or after a change; `null` when absent (or left to its default). */
export type DiffValue = IrValue | IrCall | null;

/** Where a layer lives: a backbone stage or the head of a task. */
export type LayerOwner = { kind: "stage"; name: string } | { kind: "head"; name: string };

/** Parameter and FLOP counts (FLOPs per sample). */
export interface Cost {
  params: number;
  flops: number;
}

/** Old and new cost with the difference; `percent` is null when the old value is 0. */
export interface CostChange {
  before: Cost;
  after: Cost;
  params: { delta: number; percent: number | null };
  flops: { delta: number; percent: number | null };
}

interface Base<T extends ChangeType> {
  type: T;
  description: string;
}

/** A setting-like change: `field` names it as the language writes it (`loss.balanced`, `optimizer.lr`). */
interface FieldChange {
  field: string;
  before: DiffValue;
  after: DiffValue;
}

export type ModelRenamed = Base<"MODEL_RENAMED"> & { before: string; after: string };
export type InputChanged = Base<"INPUT_CHANGED"> & FieldChange;
export type DataChanged = Base<"DATA_CHANGED"> & FieldChange;

/** A task and where it sits in the tree: the instances on its path (then its head). */
export type TaskAddedOrRemoved = Base<"TASK_ADDED" | "TASK_REMOVED"> & {
  task: string;
  kind: string;
  path: string[];
  /** Sum over its path, shared instances counted fully. */
  cost: Cost;
};
export type TaskChanged = Base<"TASK_CHANGED"> & FieldChange & { task: string };

/** Task groups of one stage that merged, split or were regrouped; instance ids that disappeared and appeared. */
export type SharingChange = Base<"GROUPS_MERGED" | "GROUPS_SPLIT" | "GROUPS_REGROUPED" | "GROUP_MEMBERS_CHANGED"> & {
  stage: string;
  before: string[][];
  after: string[][];
  removedInstances: string[];
  addedInstances: string[];
};

export type StageRenamed = Base<"STAGE_RENAMED"> & { before: string; after: string };
export type StageAddedOrRemoved = Base<"STAGE_ADDED" | "STAGE_REMOVED"> & {
  stage: string;
  /** Position in its model's stage list, from 1. */
  position: number;
  layers: string[];
  instances: string[];
};
export type StageOrderChanged = Base<"STAGE_ORDER_CHANGED"> & { before: string[]; after: string[] };
export type StageShapeChanged = Base<"STAGE_SHAPE_CHANGED"> & { stage: string; before: Shape; after: Shape };

/** Layer positions count from 1: `position` in the new model, `oldPosition` in the old one. */
export type LayerAddedOrRemoved = Base<"LAYER_ADDED" | "LAYER_REMOVED"> & {
  owner: LayerOwner;
  position: number;
  layer: string;
};
export type LayerReplaced = Base<"LAYER_REPLACED"> & {
  owner: LayerOwner;
  position: number;
  oldPosition: number;
  before: string;
  after: string;
};
export type LayerChanged = Base<"LAYER_CHANGED"> & {
  owner: LayerOwner;
  position: number;
  oldPosition: number;
  /** The layer's name as written (`conv`, `basic`, `relu`...). */
  layer: string;
  param: string;
  before: DiffValue;
  after: DiffValue;
};

export type StructuralLearningToggled = Base<"STRUCTURAL_LEARNING_ADDED" | "STRUCTURAL_LEARNING_REMOVED">;
export type StructuralLearningChanged = Base<"STRUCTURAL_LEARNING_CHANGED"> & FieldChange;
export type TrainingChanged = Base<"TRAINING_CHANGED"> & FieldChange;

export type ModelCostChanged = Base<"MODEL_COST_CHANGED"> & CostChange;
export type TaskCostChanged = Base<"TASK_COST_CHANGED"> & CostChange & { task: string };

export type OtherChanged = Base<"OTHER_CHANGED"> & { path: string; before: unknown; after: unknown };

/** One semantic difference between two architectures. */
export type ArchitectureChange =
  | ModelRenamed
  | InputChanged
  | DataChanged
  | TaskAddedOrRemoved
  | TaskChanged
  | SharingChange
  | StageRenamed
  | StageAddedOrRemoved
  | StageOrderChanged
  | StageShapeChanged
  | LayerAddedOrRemoved
  | LayerReplaced
  | LayerChanged
  | StructuralLearningToggled
  | StructuralLearningChanged
  | TrainingChanged
  | ModelCostChanged
  | TaskCostChanged
  | OtherChanged;

/** The sections of the text rendering, in order. */
export const CATEGORIES = [
  "model",
  "tasks",
  "sharing",
  "backbone",
  "heads",
  "structural learning",
  "training",
  "cost",
  "other",
] as const;
export type ChangeCategory = (typeof CATEGORIES)[number];

/** The section a change is listed under. */
export function categoryOf(change: ArchitectureChange): ChangeCategory {
  switch (change.type) {
    case "MODEL_RENAMED":
    case "INPUT_CHANGED":
    case "DATA_CHANGED":
      return "model";
    case "TASK_ADDED":
    case "TASK_REMOVED":
    case "TASK_CHANGED":
      return "tasks";
    case "GROUPS_MERGED":
    case "GROUPS_SPLIT":
    case "GROUPS_REGROUPED":
    case "GROUP_MEMBERS_CHANGED":
      return "sharing";
    case "STAGE_RENAMED":
    case "STAGE_REMOVED":
    case "STAGE_ADDED":
    case "STAGE_ORDER_CHANGED":
    case "STAGE_SHAPE_CHANGED":
      return "backbone";
    case "LAYER_ADDED":
    case "LAYER_REMOVED":
    case "LAYER_REPLACED":
    case "LAYER_CHANGED":
      return change.owner.kind === "stage" ? "backbone" : "heads";
    case "STRUCTURAL_LEARNING_ADDED":
    case "STRUCTURAL_LEARNING_REMOVED":
    case "STRUCTURAL_LEARNING_CHANGED":
      return "structural learning";
    case "TRAINING_CHANGED":
      return "training";
    case "MODEL_COST_CHANGED":
    case "TASK_COST_CHANGED":
      return "cost";
    case "OTHER_CHANGED":
      return "other";
  }
}
