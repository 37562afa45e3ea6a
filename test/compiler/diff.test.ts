import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { compileSource } from "../../compiler/compile.js";
import { categoryOf, describeDiff, diff, taskCost, type ArchitectureChange } from "../../compiler/diff/index.js";
import { compareLayers } from "../../compiler/diff/layers.js";
import type { IrLayer, IrModel } from "../../compiler/ir/types.js";
import { formatNumber } from "../../grammar/numbers.js";

const scenes = readFileSync(new URL("../fixtures/models/scenes64.mtsl", import.meta.url), "utf8");

function ir(source: string): IrModel {
  const result = compileSource(source, { file: "test.mtsl" });
  const errors = result.diagnostics.filter((d) => d.severity === "error").map((d) => `${d.code} ${d.message}`);
  expect(errors).toEqual([]);
  return result.ir!;
}

/** `source` with `from` replaced by `to`; fails when `from` is not there, so a test cannot silently compare a file with itself. */
function edit(source: string, from: string | RegExp, to: string): string {
  const out = source.replace(from, to);
  expect(out, `edit did not apply: ${String(from)}`).not.toBe(source);
  return out;
}

const types = (changes: readonly ArchitectureChange[]): string[] => changes.map((c) => c.type);
const descriptions = (changes: readonly ArchitectureChange[]): string[] => changes.map((c) => c.description);
const SEPARATE = "stem..dec4: {seg} {depth} {normal} {edge} {ae}";

/** A two-task model small enough to count by hand. */
const TINY = `model Tiny {
  input image: f32[28, 28, 1]
  data multimnist(size: 28, train: 100, val: 10, test: 10, seed: 1)

  task left: classification(classes: 10) {
    head: dense(10)
    loss: ce
    metrics: [accuracy]
  }

  task right: classification(classes: 10) {
    head: dense(10)
    loss: ce
    metrics: [accuracy]
  }

  backbone {
    conv1: conv(4, 3) relu gap
    fc: dense(8) relu
  }

  sharing {
    conv1..fc: {left} {right}
  }

  train {
    epochs: 1
  }
}
`;

describe("diff: equal architectures", () => {
  it("finds no change when only comments, blank lines and spacing differ", () => {
    const noisy = edit(
      edit(
        edit(scenes, "model Scenes {", "// a new comment\nmodel   Scenes   {\n\n"),
        "  train {",
        "  /* block */ train {",
      ),
      "epochs: 16",
      "epochs:16 // sixteen",
    );
    const changes = diff(ir(scenes), ir(noisy));
    expect(changes).toEqual([]);
    expect(describeDiff(changes)).toBe("no architecture changes\n");
  });

  it("finds no change when a setting is written out at its default value", () => {
    expect(diff(ir(TINY), ir(edit(TINY, "epochs: 1", "epochs: 1\n    batch: 16\n    seed: 0")))).toEqual([]);
  });
});

describe("diff: sharing", () => {
  const base = edit(
    scenes,
    SEPARATE,
    "stem..enc2: {seg depth normal edge ae}\n    enc3..dec4: {seg} {depth} {normal} {edge} {ae}",
  );
  const merged = edit(
    base,
    "enc3..dec4: {seg} {depth} {normal} {edge} {ae}",
    "enc3: {seg edge} {depth} {normal} {ae}\n    enc4..dec4: {seg} {depth} {normal} {edge} {ae}",
  );

  it("reports the merge of two groups of one stage, with the instance ids that went and came", () => {
    const changes = diff(ir(base), ir(merged));
    const sharing = changes.filter((c) => categoryOf(c) === "sharing");
    expect(sharing).toEqual([
      {
        type: "GROUPS_MERGED",
        stage: "enc3",
        before: [["seg"], ["edge"]],
        after: [["seg", "edge"]],
        removedInstances: ["enc3@seg", "enc3@edge"],
        addedInstances: ["enc3@seg+edge"],
        description: "enc3: {seg} {edge} merged into {seg edge} (instances enc3@seg, enc3@edge -> enc3@seg+edge)",
      },
    ]);
    // A merge changes nothing else but the cost: one enc3 instance (17,088 parameters) fewer.
    expect(types(changes)).toEqual(["GROUPS_MERGED", "MODEL_COST_CHANGED"]);
    const cost = changes[1] as Extract<ArchitectureChange, { type: "MODEL_COST_CHANGED" }>;
    expect(cost.params.delta).toBe(-17088);
    expect(cost.flops.delta).toBe(-2181120);
  });

  it("reports the reverse edit as a split", () => {
    const changes = diff(ir(merged), ir(base));
    expect(changes[0]).toMatchObject({
      type: "GROUPS_SPLIT",
      stage: "enc3",
      before: [["seg", "edge"]],
      after: [["seg"], ["edge"]],
      removedInstances: ["enc3@seg+edge"],
      addedInstances: ["enc3@seg", "enc3@edge"],
    });
    expect(changes[0]!.description).toBe(
      "enc3: {seg edge} split into {seg} {edge} (instances enc3@seg+edge -> enc3@seg, enc3@edge)",
    );
  });

  it("reports one change per stage and per merged set, in stage order", () => {
    const deeper = edit(
      base,
      "enc3..dec4: {seg} {depth} {normal} {edge} {ae}",
      "enc3..enc4: {seg edge} {depth normal} {ae}\n    enc5..dec4: {seg} {depth} {normal} {edge} {ae}",
    );
    const changes = diff(ir(base), ir(deeper)).filter((c) => categoryOf(c) === "sharing");
    expect(changes.map((c) => [c.type, (c as { stage: string }).stage, (c as { after: string[][] }).after])).toEqual([
      ["GROUPS_MERGED", "enc3", [["seg", "edge"]]],
      ["GROUPS_MERGED", "enc3", [["depth", "normal"]]],
      ["GROUPS_MERGED", "enc4", [["seg", "edge"]]],
      ["GROUPS_MERGED", "enc4", [["depth", "normal"]]],
    ]);
  });

  it("reports tasks moving between groups as a regrouping", () => {
    const a = edit(
      base,
      "enc3..dec4: {seg} {depth} {normal} {edge} {ae}",
      "enc3: {seg edge} {depth normal} {ae}\n    enc4..dec4: {seg} {depth} {normal} {edge} {ae}",
    );
    const b = edit(
      base,
      "enc3..dec4: {seg} {depth} {normal} {edge} {ae}",
      "enc3: {seg depth} {edge normal} {ae}\n    enc4..dec4: {seg} {depth} {normal} {edge} {ae}",
    );
    const changes = diff(ir(a), ir(b)).filter((c) => categoryOf(c) === "sharing");
    expect(changes).toHaveLength(1);
    expect(changes[0]).toMatchObject({
      type: "GROUPS_REGROUPED",
      before: [
        ["seg", "edge"],
        ["depth", "normal"],
      ],
      after: [
        ["seg", "depth"],
        ["normal", "edge"],
      ],
      removedInstances: ["enc3@seg+edge", "enc3@depth+normal"],
      addedInstances: ["enc3@seg+depth", "enc3@normal+edge"],
    });
  });
});

describe("diff: backbone and heads", () => {
  it("reports a layer parameter with its old and new value, and the stage's new output shape", () => {
    const changes = diff(ir(scenes), ir(edit(scenes, "enc2: basic(24, stride: 2)", "enc2: basic(32, stride: 2)")));
    expect(descriptions(changes.filter((c) => categoryOf(c) === "backbone"))).toEqual([
      "enc2 layer 1 basic: filters 24 -> 32",
      "enc2 output shape: [16, 16, 24] -> [16, 16, 32]",
    ]);
    expect(changes[0]).toMatchObject({
      type: "LAYER_CHANGED",
      owner: { kind: "stage", name: "enc2" },
      position: 1,
      param: "filters",
      before: 24,
      after: 32,
    });
  });

  it("aligns layers by name: an inserted layer is an addition, not a change of every later layer", () => {
    const changes = diff(
      ir(scenes),
      ir(
        edit(
          scenes,
          "dec1: upsample(2) concat(enc4) conv(48, 3) bn relu",
          "dec1: upsample(2) concat(enc4) conv(48, 3) bn relu dropout(0.1)",
        ),
      ),
    );
    expect(descriptions(changes.filter((c) => categoryOf(c) === "backbone"))).toEqual([
      "dec1 layer 6 added: dropout(0.1)",
    ]);
  });

  it("reports a layer put in another's place as a replacement", () => {
    const b = edit(scenes, "stem: conv(16, 3, stride: 2) bn relu", "stem: conv(16, 3, stride: 2) bn gelu");
    const changes = diff(ir(scenes), ir(edit(b, "dec2: upsample(2)", "dec2: upsample(2, mode: nearest)")));
    expect(descriptions(changes.filter((c) => categoryOf(c) === "backbone"))).toEqual([
      "stem layer 3: relu replaced by gelu",
      "dec2 layer 1 upsample: mode bilinear -> nearest",
    ]);
    expect(changes[0]).toMatchObject({
      type: "LAYER_REPLACED",
      position: 3,
      oldPosition: 3,
      before: "relu",
      after: "gelu",
    });
  });

  it("follows a renamed stage into the skips that read it", () => {
    const b = edit(edit(scenes, "enc4: basic(48", "mid4: basic(48"), "concat(enc4)", "concat(mid4)");
    expect(descriptions(diff(ir(scenes), ir(b)))).toEqual(["stage enc4 renamed to mid4"]);
    // A skip that points at another stage is a change of the concat layer; one that follows a rename is not.
    const concat = (stage: string): IrLayer => ({
      op: "concat",
      stage,
      inShape: [4, 4, 8],
      outShape: [4, 4, 16],
      params: 0,
      flops: 0,
      weights: [],
    });
    const owner = { kind: "stage", name: "dec1" } as const;
    expect(compareLayers(owner, [concat("enc4")], [concat("mid4")], new Map([["enc4", "mid4"]]))).toEqual([]);
    expect(descriptions(compareLayers(owner, [concat("enc4")], [concat("enc3")], new Map([["enc4", "mid4"]])))).toEqual(
      ["dec1 layer 1 concat: stage enc4 -> enc3"],
    );
  });

  it("reports head layers under heads, by task", () => {
    const changes = diff(
      ir(scenes),
      ir(edit(scenes, "head: upsample(2) conv(6, 1)", "head: upsample(2) conv(6, 3) relu")),
    );
    expect(descriptions(changes.filter((c) => categoryOf(c) === "heads"))).toEqual([
      "head seg layer 2 conv: kernel 1 -> 3",
      "head seg layer 3 added: relu",
    ]);
  });

  it("reports stages added and removed, and a rename when the layers stayed the same", () => {
    const added = edit(
      edit(TINY, "fc: dense(8) relu", "fc: dense(8) relu\n    fc2: dense(8) relu"),
      "conv1..fc: {left} {right}",
      "conv1..fc2: {left} {right}",
    );
    const grown = diff(ir(TINY), ir(added));
    expect(grown[0]).toMatchObject({
      type: "STAGE_ADDED",
      stage: "fc2",
      position: 3,
      layers: ["dense(8)", "relu"],
      instances: ["fc2@left", "fc2@right"],
    });
    expect(grown[0]!.description).toBe("stage fc2 added at position 3: dense(8) relu; groups {left} {right}");
    expect(diff(ir(added), ir(TINY))[0]).toMatchObject({ type: "STAGE_REMOVED", stage: "fc2" });

    const renamed = edit(edit(TINY, "fc: dense(8) relu", "dense1: dense(8) relu"), "conv1..fc:", "conv1..dense1:");
    const changes = diff(ir(TINY), ir(renamed));
    expect(changes).toEqual([
      { type: "STAGE_RENAMED", before: "fc", after: "dense1", description: "stage fc renamed to dense1" },
    ]);
  });

  it("reports a change of stage order", () => {
    const a = edit(TINY, "fc: dense(8) relu", "fc: dense(8) relu\n    fc2: dense(8)");
    const b = edit(TINY, "fc: dense(8) relu", "fc2: dense(8)\n    fc: dense(8) relu");
    const changes = diff(ir(edit(a, "conv1..fc:", "conv1..fc2:")), ir(b));
    expect(changes.find((c) => c.type === "STAGE_ORDER_CHANGED")?.description).toBe(
      "stage order: conv1 fc fc2 -> conv1 fc2 fc",
    );
  });
});

describe("diff: tasks", () => {
  it("reports an added task, where it sits in the tree and what its path costs", () => {
    const withThird = edit(
      edit(
        TINY,
        "  backbone {",
        "  task again: classification(classes: 10) {\n    head: dense(10)\n    loss: ce\n    metrics: [accuracy]\n    target: left\n  }\n\n  backbone {",
      ),
      "conv1..fc: {left} {right}",
      "conv1: {left again} {right}\n    fc: {left} {again} {right}",
    );
    const changes = diff(ir(TINY), ir(withThird));
    expect(changes[0]).toEqual({
      type: "TASK_ADDED",
      task: "again",
      kind: "classification",
      path: ["conv1@left+again", "fc@again", "head@again"],
      cost: { params: 170, flops: 66106 },
      description:
        "task again added (classification): shares conv1, own branch from fc; 170 parameters and 66,106 FLOPs on its path",
    });
    // `left` now shares conv1 with `again`: the same groups over the common tasks, other members.
    expect(changes[1]).toMatchObject({
      type: "GROUP_MEMBERS_CHANGED",
      stage: "conv1",
      before: [["left"]],
      after: [["left", "again"]],
    });
    expect(changes[1]!.description).toBe("conv1: {left} -> {left again} (instances conv1@left -> conv1@left+again)");
    const removed = diff(ir(withThird), ir(TINY));
    expect(removed[0]).toMatchObject({ type: "TASK_REMOVED", task: "again" });
  });

  it("reports task kind options, loss options, metrics and weight", () => {
    const b = edit(
      edit(
        edit(scenes, "segmentation(classes: 6)", "segmentation(classes: 6, ignore: 0)"),
        "loss: ce(balanced: true)",
        "loss: ce(balanced: false)\n    weight: 2",
      ),
      "metrics: [miou, pixel_acc]",
      "metrics: [miou]",
    );
    const changes = diff(ir(scenes), ir(b));
    expect(descriptions(changes.filter((c) => c.type === "TASK_CHANGED"))).toEqual([
      "task seg ignore: -1 -> 0",
      "task seg loss.balanced: true -> false",
      "task seg metrics: [miou, pixel_acc] -> [miou]",
      "task seg weight: 1 -> 2",
    ]);
  });

  it("reports a change of loss function as one change of the whole call", () => {
    const changes = diff(ir(scenes), ir(edit(scenes, "loss: rmse", "loss: l1")));
    expect(changes.filter((c) => c.type === "TASK_CHANGED")).toEqual([
      {
        type: "TASK_CHANGED",
        task: "depth",
        field: "loss",
        before: { name: "rmse", options: { valid: "positive" } },
        after: expect.objectContaining({ name: "l1" }),
        description: expect.stringMatching(/^task depth loss: rmse\(valid: positive\) -> l1/),
      },
    ]);
  });
});

describe("diff: model, data, training and structural learning", () => {
  it("reports input, data and model name changes", () => {
    const b = edit(edit(TINY, "model Tiny", "model Tiny2"), "train: 100", "train: 200");
    expect(descriptions(diff(ir(TINY), ir(b)))).toEqual(["model renamed: Tiny -> Tiny2", "data train: 100 -> 200"]);
  });

  it("reports training settings with old and new values", () => {
    const b = edit(
      scenes,
      "optimizer: adam(lr: 1e-3, weight_decay: 5e-5)",
      "optimizer: adam(lr: 0.05, weight_decay: 5e-5)\n    val_every: 2",
    );
    const changes = diff(ir(scenes), ir(edit(b, "epochs: 16", "epochs: 20")));
    expect(changes).toEqual([
      { type: "TRAINING_CHANGED", field: "epochs", before: 16, after: 20, description: "train epochs: 16 -> 20" },
      {
        type: "TRAINING_CHANGED",
        field: "optimizer.lr",
        before: 0.001,
        after: 0.05,
        description: `train optimizer.lr: ${formatNumber(0.001)} -> 0.05`,
      },
      { type: "TRAINING_CHANGED", field: "val_every", before: 1, after: 2, description: "train val_every: 1 -> 2" },
    ]);
  });

  it("reports a change of optimizer as the whole call", () => {
    const changes = diff(ir(TINY), ir(edit(TINY, "epochs: 1", "epochs: 1\n    optimizer: sgd(lr: 0.1)")));
    expect(changes).toHaveLength(1);
    expect(changes[0]!.description).toBe(
      "train optimizer: adam(lr: 1e-4, weight_decay: 5e-5, beta1: 0.9, beta2: 0.999, epsilon: 1e-8) -> sgd(lr: 0.1, momentum: 0.9, weight_decay: 0, nesterov: false)",
    );
  });

  it("reports structural-learning settings, and the block coming or going", () => {
    const b = edit(edit(scenes, "threshold: 0.8", "threshold: 0.85"), "samples: 400", "samples: 200");
    expect(descriptions(diff(ir(scenes), ir(b)))).toEqual([
      "structural_learning similarity.samples: 400 -> 200",
      "structural_learning threshold: 0.8 -> 0.85",
    ]);
    const fixed = edit(scenes, /\n {2}structural_learning \{[^}]*\}\n/, "\n");
    expect(diff(ir(scenes), ir(fixed))).toEqual([
      {
        type: "STRUCTURAL_LEARNING_REMOVED",
        description: "structural_learning removed: the sharing tree is now fixed",
      },
    ]);
    expect(diff(ir(fixed), ir(scenes))[0]!.description).toBe(
      "structural_learning added: 10 phases at epochs [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], threshold 0.8",
    );
  });
});

describe("diff: cost", () => {
  // Counted by hand (conv: 2*k*k*cin*cout*h*w + bias, act/gap: one per element, dense: 2*in*out + bias):
  // conv1 = conv(4, 3) on 28x28x1: 9*4 + 4 = 40 params; 2*9*4*784 + 3136 = 59,584 FLOPs; relu 3,136; gap 3,136 -> 65,856
  // fc = dense(8) on [4]: 32 + 8 = 40 params; 64 + 8 + relu 8 = 80 FLOPs
  // head dense(10) on [8]: 80 + 10 = 90 params; 160 + 10 = 170 FLOPs
  it("gives the model's and each task's parameters and FLOPs, absolute and in percent", () => {
    const a = ir(TINY);
    expect(taskCost(a, "left")).toEqual({ params: 40 + 40 + 90, flops: 65856 + 80 + 170 });
    // conv(6, 3): 9*6 + 6 = 60 params, 2*9*6*784 + 4704 + 4704 + 4704 = 98,784 FLOPs;
    // fc on [6]: 48 + 8 = 56 params, 96 + 8 + 8 = 112 FLOPs.
    const changes = diff(a, ir(edit(TINY, "conv(4, 3)", "conv(6, 3)")));
    const cost = changes.filter((c) => categoryOf(c) === "cost");
    expect(cost[0]).toMatchObject({
      type: "MODEL_COST_CHANGED",
      before: { params: 340, flops: 132212 },
      after: { params: 412, flops: 198132 },
      params: { delta: 72 },
      flops: { delta: 65920 },
    });
    const model = cost[0] as Extract<ArchitectureChange, { type: "MODEL_COST_CHANGED" }>;
    expect(model.params.percent).toBeCloseTo((72 / 340) * 100, 10);
    expect(model.flops.percent).toBeCloseTo((65920 / 132212) * 100, 10);
    expect(model.description).toBe(
      "model: parameters 340 -> 412 (+72, +21.18%); FLOPs 132,212 -> 198,132 (+65,920, +49.86%)",
    );
    expect(cost[1]).toMatchObject({
      type: "TASK_COST_CHANGED",
      task: "left",
      before: { params: 170, flops: 66106 },
      after: { params: 206, flops: 99066 },
    });
    expect(cost[1]!.description).toBe(
      "task left (its path, shared instances counted fully): parameters 170 -> 206 (+36, +21.18%); FLOPs 66,106 -> 99,066 (+32,960, +49.86%)",
    );
  });

  it("counts a shared instance fully for each task: a merge leaves task costs alone and lowers the model's", () => {
    const shared = edit(TINY, "conv1..fc: {left} {right}", "conv1: {left right}\n    fc: {left} {right}");
    const changes = diff(ir(TINY), ir(shared));
    expect(types(changes)).toEqual(["GROUPS_MERGED", "MODEL_COST_CHANGED"]);
    expect(changes[1]).toMatchObject({ before: { params: 340, flops: 132212 }, after: { params: 300, flops: 66356 } });
    expect(taskCost(ir(shared), "left")).toEqual(taskCost(ir(TINY), "left"));
  });
});

describe("diff: order and completeness", () => {
  it("is deterministic and JSON-ready", () => {
    const b = edit(
      edit(scenes, SEPARATE, "stem..enc4: {seg depth normal edge ae}\n    enc5..dec4: {seg edge} {depth normal} {ae}"),
      "threshold: 0.8",
      "threshold: 0.7",
    );
    const first = diff(ir(scenes), ir(b));
    expect(diff(ir(scenes), ir(b))).toEqual(first);
    expect(JSON.parse(JSON.stringify(first))).toEqual(first);
    const order = first.map(categoryOf);
    expect(order).toEqual([...order].sort((x, y) => CATEGORY_ORDER.indexOf(x) - CATEGORY_ORDER.indexOf(y)));
  });

  it("renders grouped sections", () => {
    const changes = diff(
      ir(TINY),
      ir(
        edit(
          edit(TINY, "conv1..fc: {left} {right}", "conv1: {left right}\n    fc: {left} {right}"),
          "epochs: 1",
          "epochs: 2",
        ),
      ),
    );
    expect(describeDiff(changes)).toBe(
      [
        "sharing:",
        "  conv1: {left} {right} merged into {left right} (instances conv1@left, conv1@right -> conv1@left+right)",
        "training:",
        "  train epochs: 1 -> 2",
        "cost:",
        "  model: parameters 340 -> 300 (-40, -11.76%); FLOPs 132,212 -> 66,356 (-65,856, -49.81%)",
        "",
      ].join("\n"),
    );
  });

  it("falls back to an OTHER_CHANGED change for a difference no other type covers", () => {
    const a = ir(TINY);
    const b: IrModel = { ...a, totals: { ...a.totals, separateParams: a.totals.separateParams + 1 } };
    expect(diff(a, b)).toEqual([
      {
        type: "OTHER_CHANGED",
        path: "totals.separateParams",
        before: 340,
        after: 341,
        description: "totals.separateParams: 340 -> 341",
      },
    ]);
  });
});

const CATEGORY_ORDER = [
  "model",
  "tasks",
  "sharing",
  "backbone",
  "heads",
  "structural learning",
  "training",
  "cost",
  "other",
];
