/** The `train` block: epochs, batches, optimisers, schedules, backend. */
import {
  bool,
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

/** Backends `train { backend: ... }` may ask for. */
export const BACKENDS = ["auto", "gpu", "native", "onednn", "wasm", "cpu"] as const;

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

export const TRAIN_BLOCK: BlockSpec = {
  name: "train",
  settings: [
    named("epochs", positiveInt, 80, "Training epochs (structural-learning passes do not count)."),
    named("batch", positiveInt, 16, "Samples per training step."),
    named("optimizer", call("optimizer"), { call: "adam" }, "Optimiser of the task-learning phase."),
    named("schedule", call("schedule"), { call: "constant" }, "Learning-rate schedule over epochs."),
    named("seed", int({ min: 0 }), 0, "Fixes data order, initialisation and structural decisions."),
    named("backend", oneOf("backend", BACKENDS), "auto", "TensorFlow.js backend; auto picks the fastest available."),
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
