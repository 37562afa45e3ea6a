/** The `train` block: epochs, batches, optimisers, schedules, backend. */
import {
  bool,
  num,
  call,
  fraction,
  int,
  listOf,
  named,
  nonNegativeNum,
  oneOf,
  positional,
  positiveInt,
  positiveNum,
  required,
  str,
} from "./build.js";
import type { BlockSpec, CallSpec } from "./types.js";

/**
 * Backends `train { backend: ... }` and `--backend` may ask for, in the order "auto" tries
 * them (webgpu only on a hardware adapter): runtime/backend/select.ts loads them.
 */
export const BACKENDS = ["auto", "gpu", "native", "webgpu", "onednn", "wasm", "cpu"] as const;

export const OPTIMIZERS: readonly CallSpec[] = [
  {
    name: "adam",
    vocabulary: "optimizer",
    doc: "Adam; weight_decay is an L2 penalty added to the gradient, as in PyTorch's Adam.",
    params: [
      named("lr", positiveNum, 1e-4, "Learning rate."),
      named("weight_decay", nonNegativeNum, 5e-5, "L2 penalty added to the gradient."),
      named("beta1", fraction, 0.9, "Decay of the first-moment estimate, in [0, 1)."),
      named("beta2", fraction, 0.999, "Decay of the second-moment estimate, in [0, 1)."),
      named("epsilon", positiveNum, 1e-8, "Added to the denominator."),
    ],
  },
  {
    name: "sgd",
    vocabulary: "optimizer",
    doc: "Stochastic gradient descent with momentum.",
    params: [
      required("lr", positiveNum, "Learning rate."),
      named("momentum", fraction, 0.9, "Momentum, in [0, 1)."),
      named("weight_decay", nonNegativeNum, 0, "L2 penalty added to the gradient."),
      named("nesterov", bool, false, "Nesterov momentum."),
    ],
  },
];

export const SCHEDULES: readonly CallSpec[] = [
  { name: "constant", vocabulary: "schedule", doc: "The optimiser's learning rate throughout.", params: [] },
  {
    name: "step",
    vocabulary: "schedule",
    doc: "Multiply the learning rate by gamma after each milestone epoch.",
    params: [
      required("milestones", listOf(positiveInt, { increasing: true }), "Epochs after which the rate drops."),
      positional(
        "gamma",
        { kind: "number", min: 0, max: 1, minExclusive: true },
        0.1,
        "Factor per milestone, in (0, 1].",
      ),
    ],
  },
  {
    name: "cosine",
    vocabulary: "schedule",
    doc: "Cosine decay from the optimiser's rate to min_lr over all epochs.",
    params: [named("min_lr", nonNegativeNum, 0, "Rate at the last epoch.")],
  },
];

/**
 * How task losses and gradients are combined into one update (issue 18; the methods are
 * runtime/train/weighting/, their references docs/algorithms.md "Loss weighting").
 */
export const WEIGHTINGS: readonly CallSpec[] = [
  {
    name: "ew",
    vocabulary: "weighting",
    doc: "Each task's loss times its fixed weight, summed: the default.",
    params: [],
  },
  {
    name: "uw",
    vocabulary: "weighting",
    doc: "Uncertainty weighting (Kendall et al. 2018): L / (2 sigma^2) + log sigma per task, sigma learned.",
    params: [named("init", num(), -0.5, "Starting log sigma^2 of every task (LibMTL's; the paper gives none).")],
  },
  {
    name: "dwa",
    vocabulary: "weighting",
    doc: "Dynamic weight average (Liu et al. 2019): weights from each task's loss ratio over the two epochs before.",
    params: [positional("temperature", positiveNum, 2, "Softmax temperature.")],
  },
  {
    name: "gradnorm",
    vocabulary: "weighting",
    doc: "GradNorm (Chen et al. 2018): weights learned so the tasks' gradient norms on the shared parameters train at a common rate.",
    params: [
      positional("alpha", nonNegativeNum, 1.5, "Strength of the pull back to a common training rate."),
      named("lr", positiveNum, undefined, "Learning rate of the weights (absent: the optimiser's rate at the step)."),
    ],
  },
  {
    name: "pcgrad",
    vocabulary: "weighting",
    doc: "PCGrad (Yu et al. 2020): each task's shared gradient loses its components along the task gradients it conflicts with.",
    params: [],
  },
  {
    name: "cagrad",
    vocabulary: "weighting",
    doc: "CAGrad (Liu et al. 2021): the shared update that improves the worst task most within a ball around the average gradient.",
    params: [
      positional("c", nonNegativeNum, 0.5, "Radius of the ball, relative to the average gradient's norm."),
      named(
        "rescale",
        int({ min: 0, max: 2 }),
        1,
        "Divide the update by 1 + c^2 (1, the authors'), 1 + c (2) or nothing (0).",
      ),
    ],
  },
  {
    name: "mgda",
    vocabulary: "weighting",
    doc: "MGDA (Sener and Koltun 2018): the minimum-norm convex combination of the task gradients on the shared parameters.",
    params: [
      named(
        "normalize",
        oneOf("normalisation", ["none", "l2", "loss", "loss_l2"]),
        "none",
        "Divide each task gradient first by nothing, its L2 norm, its loss, or both (the authors' loss+).",
      ),
      named(
        "upper_bound",
        bool,
        false,
        "MGDA-UB: take the task gradients on the shared representation (the outputs of the stages all tasks share that later layers read) instead of the shared parameters: one backward pass per task through its own layers only, then one through the whole network.",
      ),
    ],
  },
  {
    name: "imtl",
    vocabulary: "weighting",
    doc: "IMTL (Liu et al. 2021): learned loss scales, and the shared update with equal projections on every task gradient.",
    params: [],
  },
  {
    name: "nash_mtl",
    vocabulary: "weighting",
    doc: "Nash-MTL (Navon et al. 2022): the shared update of the bargaining solution, weights alpha with G alpha = 1 / alpha.",
    params: [
      named("max_norm", nonNegativeNum, 1, "Clip the shared gradient to this norm (0: no clipping)."),
      named("update_every", positiveInt, 1, "Solve for new weights every this many steps."),
    ],
  },
  {
    name: "random",
    vocabulary: "weighting",
    doc: "Random loss weighting (Lin et al. 2022): a softmax of standard normal draws, new at every step.",
    params: [],
  },
];

export const TRAIN_BLOCK: BlockSpec = {
  name: "train",
  settings: [
    named("epochs", positiveInt, 80, "Training epochs (structural-learning passes do not count)."),
    named("batch", positiveInt, 16, "Samples per training step."),
    named("optimizer", call("optimizer"), { call: "adam" }, "Optimiser of the task-learning phase."),
    named("schedule", call("schedule"), { call: "constant" }, "Learning-rate schedule over epochs."),
    named(
      "weighting",
      call("weighting"),
      { call: "ew" },
      "How task losses and their gradients combine into one update; gradient methods act on the parameters shared by more than one task.",
    ),
    named("seed", int({ min: 0 }), 0, "Fixes data order, initialisation and structural decisions."),
    named(
      "backend",
      oneOf("backend", BACKENDS),
      "auto",
      "TensorFlow.js backend; auto takes the first that works of gpu, native, webgpu (a real GPU only), onednn, wasm, cpu.",
    ),
    named("val_every", positiveInt, 1, "Validate after every this many epochs."),
    named(
      "pretrain",
      int({ min: 0 }),
      0,
      "Epochs of the hard-shared network (every stage shared by all tasks) before training; every stage copy and head then starts from its weights, and init: fresh merges start from them too. The stand-in for a pretrained encoder.",
    ),
    named(
      "warm_start",
      str,
      undefined,
      "A run folder, revision file or checkpoint (relative to the working directory) whose weights every stage and head of the same name and shapes starts from: a stage copy from the instance of the source whose tasks include its own; stages and heads the source lacks start as always. Not with pretrain.",
    ),
  ],
};
