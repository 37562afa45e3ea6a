/** The `structural_learning` block: when and how the sharing structure is learned. */
import {
  bool,
  call,
  int,
  listOf,
  named,
  nonNegativeNum,
  oneOf,
  positiveNum,
  requiredNamed,
  unitInterval,
  stage,
} from "./build.js";
import type { BlockSpec, CallSpec } from "./types.js";

/** Distillation passes per structural-learning phase in the MTSL code. */
export const DEFAULT_PASSES: readonly number[] = [1, 1, 2, 2, 2, 2, 4, 4, 8, 8];

/**
 * Passes used for `n` phases when `passes` is omitted: the first `n` of
 * {@link DEFAULT_PASSES}, repeating its last value beyond ten phases.
 */
export function defaultPasses(n: number): number[] {
  const last = DEFAULT_PASSES[DEFAULT_PASSES.length - 1] ?? 1;
  return Array.from({ length: Math.max(0, n) }, (_, i) => DEFAULT_PASSES[i] ?? last);
}

export const SIMILARITIES: readonly CallSpec[] = [
  {
    name: "cka",
    vocabulary: "similarity",
    doc: "Linear centred kernel alignment between task features.",
    params: [
      named("debiased", bool, true, "Unbiased HSIC estimator (true) or the biased 1/n centring (false)."),
      named("pool", oneOf("pooling", ["gap"]), "gap", "How feature maps become one vector per sample."),
      named("samples", int({ min: 4 }), 800, "Training images used to measure similarity."),
      named(
        "resample",
        bool,
        false,
        "`false`: the first `samples` training images at every phase, as the authors' code; `true`: a new random draw per phase.",
      ),
      named(
        "calibrate",
        bool,
        false,
        "`true`: each pairwise CKA is rescaled against the set's null CKA (the same stage freshly initialised per task, on the same input), `(CKA - null) / (1 - null)`, before grouping, so the threshold applies to the similarity that learning added; `false`: raw CKA, as the authors' code.",
      ),
    ],
  },
];

export const TRANSFERS: readonly CallSpec[] = [
  {
    name: "distill",
    vocabulary: "transfer",
    doc: "Distil the removed task layers into the new group layer.",
    params: [
      named(
        "gate",
        oneOf("gate", ["channel", "none"]),
        "channel",
        "Per-teacher channel gate on the student's output, or none.",
      ),
      named(
        "passes",
        listOf(int({ min: 0 })),
        DEFAULT_PASSES,
        "Passes over the training data per phase; one entry per at_epochs entry (per: phase) or per merge (per: merge).",
      ),
      named(
        "per",
        oneOf("passes_per", ["phase", "merge"]),
        "phase",
        "What the k-th entry of passes is for: the k-th phase, or the k-th phase that merges something (the authors' code; the last entry is reused).",
      ),
      named(
        "lr",
        positiveNum,
        undefined,
        "Learning rate of the distillation optimiser; the training optimiser's when omitted.",
      ),
      named(
        "optimizer",
        oneOf("distill_optimizer", ["per_group", "joint"]),
        "per_group",
        "One Adam per group layer on its own batch order, or one Adam for all group layers of a phase stepped on the sum of their losses on the same batch, the trunk run once per batch (the authors' code).",
      ),
    ],
  },
];

export const STRUCTURAL_LEARNING_BLOCK: BlockSpec = {
  name: "structural_learning",
  settings: [
    requiredNamed(
      "at_epochs",
      listOf(int({ min: 1 }), { increasing: true, minLength: 1 }),
      "Epochs after which a structural-learning phase runs.",
    ),
    named("similarity", call("similarity"), { call: "cka" }, "How task layers are compared."),
    named("threshold", unitInterval, 0.8, "Similarity above which task layers merge (tau), in [0, 1]."),
    named(
      "init",
      oneOf("initialisation", ["fresh", "random", "average"]),
      "fresh",
      "A group layer starts from the stage's initial weights (where every copy started), a new random draw (the authors' decoder stages), or the average of the merged layers.",
    ),
    named(
      "random_from",
      stage,
      undefined,
      "Group layers of this stage and every later one start from a new random draw, whatever init says (the authors': the copies' start for the encoder, a new draw from its extra stage on).",
    ),
    named(
      "transfer",
      call("transfer"),
      { call: "distill" },
      "How merged layers hand their knowledge to the group layer.",
    ),
    named("alignment", nonNegativeNum, 0.2, "Weight of the CKA alignment loss between sibling tasks; 0 disables it."),
    named(
      "alignment_pause",
      int({ min: 0 }),
      0,
      "Epochs before each phase without the alignment loss, so the layers compared show what the tasks learned; 0 keeps it on throughout, as the authors do.",
    ),
    named(
      "handoff",
      oneOf("optimiser hand-off", ["mean", "reset"]),
      "mean",
      "Group layer's Adam moments: mean of the merged layers' or fresh.",
    ),
  ],
};
