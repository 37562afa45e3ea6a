import { describe, it } from "vitest";
import { at, expectDiagnostics, expectValid, model } from "./harness.js";

describe("unknown-names", () => {
  it("accepts every word of the catalogue where it belongs", () => {
    expectValid(
      model({
        data: "data scenes(size: 32, train: 10, val: 2, test: 2, seed: 1)",
        tasks: [
          "task seg: segmentation(classes: 4, ignore: 255) { head: conv(8, 3, padding: valid, init: glorot_normal) leaky_relu(alpha: 0.1) conv(4, 1); loss: ce(balanced: true); metrics: miou, pixel_acc }",
          "task depth: depth { head: conv(1, 1); loss: l1(valid: all); metrics: [rmse, abs_rel, delta1] }",
          "task normal: normals { head: conv(3, 1) tanh; loss: l1_unit; metrics: mean_angle, within_11_25, within_22_5, within_30 }",
          "task edge: edges { head: conv(1, 1) sigmoid; loss: bce(pos_weight: 0.9); metrics: bce, accuracy }",
          "task ae: reconstruction { head: conv(3, 1); loss: mse; metrics: mse }",
          "task count: regression(outputs: 2) { head: gap dense(2); loss: rmse; metrics: mse }",
        ],
        stages: [
          "stem: conv(8) bn elu gelu maxpool avgpool(2, stride: 1, padding: same) dropout(0.1)",
          "enc1: bottleneck(4, stride: 2, expansion: 2)",
          "dec1: upsample(2, mode: nearest) concat(stem) basic(8)",
        ],
        extra: ["train { optimizer: adam; schedule: step([2], 0.5); backend: cpu }"],
      }),
    );
  });

  it("reports an unknown task kind at its name, with a suggestion", () => {
    const src = model({
      tasks: ["task seg: segmentaton(classes: 4) { head: conv(4, 1) }", "task depth: dpeth { head: conv(1, 1) }"],
    });
    expectDiagnostics(src, [
      {
        code: "MTSL1030",
        ...at(src, "segmentaton"),
        length: 11,
        message: "unknown task kind 'segmentaton'",
        hint: "did you mean 'segmentation'?",
      },
      { code: "MTSL1030", ...at(src, "dpeth"), length: 5, hint: "did you mean 'depth'?" },
    ]);
  });

  it("reports an unknown layer in a stage and in a head", () => {
    const src = model({
      tasks: [
        "task seg: segmentation(classes: 4) { head: conv(4, 1) softmax }",
        "task depth: depth { head: conv(1, 1) }",
      ],
      stages: ["stem: conv(8) batchnorm ReLU", "enc1: basic(8)", "dec1: conv(8)"],
    });
    expectDiagnostics(src, [
      {
        code: "MTSL1031",
        ...at(src, "softmax"),
        length: 7,
        message: "unknown layer 'softmax'",
        hint: "known layers: conv, bn",
      },
      // Another framework's name for a word: the word, not the list of all layers.
      {
        code: "MTSL1031",
        ...at(src, "batchnorm"),
        length: 9,
        message: "unknown layer 'batchnorm'",
        hint: "did you mean 'bn'?",
      },
      { code: "MTSL1031", ...at(src, "ReLU"), length: 4, hint: "did you mean 'relu'?" },
    ]);
  });

  it("reports unknown losses, metrics and data sources", () => {
    const src = model({
      data: "data scenez(size: 32)",
      tasks: [
        "task seg: segmentation(classes: 4) { head: conv(4, 1); loss: cee; metrics: mIoU, iou }",
        "task depth: depth { head: conv(1, 1) }",
      ],
    });
    expectDiagnostics(src, [
      {
        code: "MTSL1034",
        ...at(src, "scenez"),
        length: 6,
        message: "unknown data source 'scenez'",
        hint: "did you mean 'scenes'?",
      },
      { code: "MTSL1032", ...at(src, "cee"), length: 3, message: "unknown loss 'cee'", hint: "did you mean 'ce'?" },
      {
        code: "MTSL1033",
        ...at(src, "mIoU"),
        length: 4,
        message: "unknown metric 'mIoU'",
        hint: "did you mean 'miou'?",
      },
      { code: "MTSL1033", ...at(src, "iou"), length: 3, hint: "did you mean 'miou'?" },
    ]);
  });

  it("reports unknown enum values with the allowed list and a suggestion", () => {
    const src = model({
      stages: ["stem: conv(8, padding: vaild, init: he)", "enc1: basic(8)", "dec1: upsample(mode: linear)"],
      extra: ["train { backend: gpus }"],
    });
    expectDiagnostics(src, [
      {
        code: "MTSL1035",
        ...at(src, "vaild"),
        length: 5,
        message: "unknown padding 'vaild' for argument 'padding' of conv; expected one of same, valid",
        hint: "did you mean 'valid'?",
      },
      { code: "MTSL1035", ...at(src, "he)"), length: 2, message: "unknown initialiser 'he'", hint: null },
      { code: "MTSL1035", ...at(src, "linear"), message: "expected one of bilinear, nearest" },
      {
        code: "MTSL1035",
        ...at(src, "gpus"),
        message: "unknown backend 'gpus' for setting 'backend' of train",
        hint: "did you mean 'gpu'?",
      },
    ]);
  });

  it("reports unknown similarities, transfers, optimizers and schedules", () => {
    const src = model({
      extra: [
        "structural_learning { at_epochs: [1]; similarity: ckaa(samples: 10); transfer: distil }",
        "train { optimizer: adamw(lr: 0.1); schedule: exp }",
      ],
    });
    expectDiagnostics(src, [
      {
        code: "MTSL1036",
        ...at(src, "ckaa"),
        length: 4,
        message: "unknown similarity 'ckaa'",
        hint: "did you mean 'cka'?",
      },
      { code: "MTSL1036", ...at(src, "distil"), message: "unknown transfer 'distil'", hint: "did you mean 'distill'?" },
      { code: "MTSL1036", ...at(src, "adamw"), message: "unknown optimizer 'adamw'", hint: "did you mean 'adam'?" },
      {
        code: "MTSL1036",
        ...at(src, "exp"),
        message: "unknown schedule 'exp'",
        hint: "known schedules: constant, step, cosine",
      },
    ]);
  });

  it("does not treat prototype property names as known words", () => {
    const src = model({ stages: ["stem: constructor toString", "enc1: __proto__", "dec1: conv(8)"] });
    expectDiagnostics(src, [
      { code: "MTSL1031", ...at(src, "constructor"), message: "unknown layer 'constructor'" },
      { code: "MTSL1031", ...at(src, "toString"), message: "unknown layer 'toString'" },
      { code: "MTSL1031", ...at(src, "__proto__"), message: "unknown layer '__proto__'" },
    ]);
  });
});
