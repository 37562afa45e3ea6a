/**
 * The graph IR: plain serialisable data, the single source of truth that the
 * runtime trains, the code generator emits and the printer prints (through
 * lifting). Keep it free of classes and of source positions, so that a revision
 * file written after a merge compiles back to exactly the same IR.
 *
 * Shapes leave out the batch dimension: `[H, W, C]` for feature maps (NHWC) and
 * `[F]` for vectors.
 */

import type { INITIALIZERS } from "../catalog/layers.js";
import type { TaskKindWord } from "../catalog/tasks.js";
import type { BACKENDS } from "../catalog/training.js";

export const IR_VERSION = 1;

export type Shape = number[];

/** JSON-compatible option values (data source options, loss options). */
export type IrValue = number | string | boolean | IrValue[];

/**
 * `same` keeps ceil(H/stride) with TensorFlow's placement (the extra row and column at the
 * bottom and right); `symmetric` pads floor(k_eff/2) on every side, PyTorch's `padding=k//2`;
 * `valid` pads nothing.
 */
export type Padding = "same" | "valid" | "symmetric";

/** The pad on every side of `padding: symmetric` for a kernel of `kernel` taps `dilation` apart: PyTorch's k_eff // 2. */
export function symmetricPad(kernel: number, dilation = 1): number {
  return Math.floor(((kernel - 1) * dilation + 1) / 2);
}
/** A weight initialiser: a word of the catalogue (compiler/catalog/layers.ts). */
export type Initializer = (typeof INITIALIZERS)[number];
export type Activation = "relu" | "leaky_relu" | "elu" | "gelu" | "sigmoid" | "tanh";

/** A parameter or state tensor of a layer. */
export interface IrWeight {
  /** Unique within the layer: `kernel`, `bias`, `gamma`, `beta`, `moving_mean`, `conv1.kernel`... */
  name: string;
  shape: number[];
  /** False for batch-norm running statistics (state, not learned by gradients). */
  trainable: boolean;
  init: Initializer | "ones" | "zeros";
}

export type IrLayerOp =
  | {
      op: "conv";
      filters: number;
      kernel: number;
      stride: number;
      padding: Padding;
      dilation: number;
      bias: boolean;
      init: Initializer;
    }
  | { op: "bn"; momentum: number; epsilon: number }
  | { op: "act"; fn: Activation; alpha?: number }
  | { op: "pool"; mode: "max" | "avg"; size: number; stride: number; padding: Padding }
  | { op: "gap" }
  | { op: "dense"; units: number; bias: boolean; init: Initializer }
  | { op: "dropout"; rate: number }
  | { op: "flatten" }
  /** `padding: "symmetric"` pads the block's convolutions as PyTorch does; absent: `same`. */
  | { op: "basic"; filters: number; stride: number; padding?: "symmetric" }
  | { op: "bottleneck"; filters: number; stride: number; expansion: number; padding?: "symmetric" }
  | { op: "upsample"; factor: number; mode: "bilinear" | "nearest" }
  /** Concatenates, along channels, the output of the instance of `stage` that holds this instance's tasks. */
  | { op: "concat"; stage: string }
  /**
   * The MTSL authors' decoder block (their `DecoderBlock`): the input resized bilinearly to the
   * height and width of `skip`'s output (half-pixel centres, PyTorch's `align_corners=False`),
   * concatenated with it, then a bottleneck (1x1, 3x3, 1x1 conv-bn, PyTorch's padding) whose
   * residual is the resized input alone, through a 1x1 convolution (no bias, no batch norm)
   * when its channels differ from `filters * expansion`.
   */
  | { op: "decoder_bottleneck"; filters: number; skip: string; expansion: number }
  /**
   * A multi-scale fusion (the authors' task heads): for each of `stages`, in order, a 1x1
   * convolution of its output to `filters` channels, resized bilinearly to this layer's input's
   * height and width; the results concatenated along channels. The input gives only the size.
   */
  | { op: "fuse"; stages: string[]; filters: number; bias: boolean };

/**
 * The stages a layer reads besides its input, in order: one skip tensor each, supplied by the
 * instance of that stage that holds the owner's tasks. The one list the compiler, the runtime
 * and the generated code read skips from.
 */
export function layerStages(op: IrLayerOp): string[] {
  switch (op.op) {
    case "concat":
      return [op.stage];
    case "decoder_bottleneck":
      return [op.skip];
    case "fuse":
      return [...op.stages];
    default:
      return [];
  }
}

export type IrLayer = IrLayerOp & {
  inShape: Shape;
  outShape: Shape;
  params: number;
  flops: number;
  weights: IrWeight[];
};

/** A backbone stage as declared: the same layers for every instance of it. */
export interface IrStage {
  name: string;
  index: number;
  layers: IrLayer[];
  inShape: Shape;
  outShape: Shape;
  /** Stages whose output this stage's layers read (skips: {@link layerStages}), in layer order. */
  skips: string[];
}

/** One instance of a stage, owned by a group of tasks. */
export interface IrInstance {
  /** Stable id: `stage@task+task` with tasks in declaration order, e.g. `dec2@depth+normal`. */
  id: string;
  stage: string;
  tasks: string[];
  /** The instance (or `input`) whose output feeds this one. */
  input: string;
  /** For each of the stage's skips ({@link IrStage.skips}), the instance that supplies it. */
  skips: string[];
  params: number;
  flops: number;
}

/** A task kind: a word of the catalogue (compiler/catalog/tasks.ts). */
export type TaskKind = TaskKindWord;

export interface IrCall {
  name: string;
  options: Record<string, IrValue>;
}

export interface IrTask {
  name: string;
  kind: TaskKind;
  /** The kind's options: `classes` for classification and segmentation, `ignore`, `outputs`... */
  options: Record<string, IrValue>;
  /** The data target the task learns. */
  target: string;
  loss: IrCall;
  metrics: string[];
  weight: number;
}

export interface IrHead {
  /** `head@task`. */
  id: string;
  task: string;
  /** The instance of the last stage that holds the task. */
  input: string;
  /** For each stage its layers read ({@link layerStages}, in layer order), the instance holding the task. */
  skips: string[];
  layers: IrLayer[];
  inShape: Shape;
  outShape: Shape;
  params: number;
  flops: number;
}

export interface IrStructuralLearning {
  atEpochs: number[];
  /**
   * `resample: false`: the same first `samples` training images at every phase. `calibrate`:
   * CKA rescaled against the set's null CKA before grouping (absent when false, so IR written
   * before the option reads back unchanged).
   */
  similarity: { measure: "cka"; debiased: boolean; pool: "gap"; samples: number; resample: boolean; calibrate?: true };
  threshold: number;
  /** The group layer's start: the copies' start, a new random draw, or the copies' average. */
  init: "fresh" | "random" | "average";
  /** From this stage on (by stage order), group layers start from a new random draw; null: init decides everywhere. */
  randomFrom: string | null;
  transfer: {
    method: "distill";
    gate: "channel" | "none";
    passes: number[];
    /** `passes[k]` is for the k-th phase, or the k-th phase that merges something. */
    per: "phase" | "merge";
    lr: number | null;
    /** Present: one Adam for all group layers of a phase on the sum of their losses; absent: one per group layer. */
    joint?: true;
  };
  alignment: number;
  /** Epochs before each phase in which the alignment loss is off (0: on throughout). */
  alignmentPause: number;
  handoff: "mean" | "reset";
}

export interface IrTrain {
  epochs: number;
  batch: number;
  optimizer: IrCall;
  schedule: IrCall;
  /** How task losses and gradients combine (runtime/train/weighting/); absent: `ew`. */
  weighting?: IrCall;
  seed: number;
  backend: (typeof BACKENDS)[number];
  valEvery: number;
  /** Epochs of the hard-shared network before training, whose weights every copy starts from (0: none). */
  pretrain: number;
  /** A run folder, revision or checkpoint whose weights stages and heads of the same name start from (absent: none). */
  warmStart?: string;
}

export interface IrTotals {
  params: number;
  flops: number;
  /** The same network with one instance of every stage per task (no sharing). */
  separateParams: number;
  separateFlops: number;
}

export interface IrModel {
  version: typeof IR_VERSION;
  name: string;
  input: { name: string; dtype: "f32"; shape: Shape };
  data: IrCall;
  tasks: IrTask[];
  stages: IrStage[];
  /** In topological order: by stage, then by first task in declaration order. */
  instances: IrInstance[];
  heads: IrHead[];
  structuralLearning: IrStructuralLearning | null;
  train: IrTrain;
  totals: IrTotals;
}

/** The train block's weighting, `ew` when the IR leaves it out (what older IR and `ew` files do). */
export function weightingOf(train: IrTrain): IrCall {
  return train.weighting ?? { name: "ew", options: {} };
}
