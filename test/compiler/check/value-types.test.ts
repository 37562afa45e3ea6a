import { describe, it } from "vitest";
import { at, expectDiagnostics, expectValid, model, within } from "./harness.js";

describe("value-types", () => {
  it("accepts values of the right type at the edges of their ranges", () => {
    expectValid(
      model({
        stages: [
          "stem: conv(1, 1) bn(momentum: 0, epsilon: 1e-9) dropout(0)",
          "enc1: basic(8)",
          "dec1: leaky_relu(alpha: 0) conv(8)",
        ],
        extra: [
          "structural_learning { at_epochs: 1, 2; threshold: 1; alignment: 0; transfer: distill(passes: [0, 0], gate: none, lr: 1e-3) }",
          "train { epochs: 3; seed: 0; optimizer: adam(beta1: 0, epsilon: 1e-12) }",
        ],
      }),
    );
    expectValid(model({ extra: ["structural_learning { at_epochs: [1]; threshold: 0 }"] }));
  });

  it("reports a value of the wrong type at the value", () => {
    const src = model({
      tasks: [
        'task seg: segmentation(classes: "4") { head: conv(4, 1); weight: true }',
        "task depth: depth { head: 3 }",
      ],
      stages: ['stem: conv(8, bias: 1) concat("x")', "enc1: basic(8)", "dec1: conv(8)"],
    });
    expectDiagnostics(src, [
      {
        code: "MTSL1050",
        ...at(src, '"4"'),
        length: 3,
        message: "argument 'classes' of segmentation expects an integer >= 2, got \"4\"",
      },
      {
        code: "MTSL1050",
        ...at(src, "true"),
        length: 4,
        message: "setting 'weight' of task 'seg' expects a number >= 0, got true",
      },
      {
        code: "MTSL1050",
        ...within(src, "head: 3", "3"),
        message: "setting 'head' of task 'depth' expects a layer or a sequence of layers, got 3",
      },
      {
        code: "MTSL1050",
        ...within(src, "bias: 1)", "1"),
        message: "argument 'bias' of conv expects true or false, got 1",
      },
      { code: "MTSL1050", ...at(src, '"x"'), message: "argument 'stage' of concat expects a stage name" },
    ]);
  });

  it("reports a fraction where an integer is expected", () => {
    const src = model({ stages: ["stem: conv(8.5)", "enc1: basic(8)", "dec1: conv(8)"] });
    expectDiagnostics(src, [
      { code: "MTSL1050", ...at(src, "8.5"), length: 3, message: "expects an integer >= 1, got 8.5" },
    ]);
  });

  it("reports values out of range: negative weights, tau outside [0, 1], zero epochs", () => {
    const src = model({
      tasks: [
        "task seg: segmentation(classes: 4) { head: conv(4, 1); weight: -0.5 }",
        "task depth: depth { head: conv(1, 1) }",
      ],
      stages: ["stem: conv(0) dropout(1)", "enc1: basic(8)", "dec1: conv(8)"],
      extra: [
        "structural_learning { at_epochs: [1]; threshold: 1.5; alignment: -1 }",
        "train { epochs: 0; optimizer: adam(lr: 0) }",
      ],
    });
    expectDiagnostics(src, [
      {
        code: "MTSL1051",
        ...at(src, "-0.5"),
        length: 4,
        message: "setting 'weight' of task 'seg' expects a number >= 0, got -0.5",
      },
      {
        code: "MTSL1051",
        ...within(src, "conv(0)", "0"),
        length: 1,
        message: "argument 'filters' of conv expects an integer >= 1, got 0",
      },
      {
        code: "MTSL1051",
        ...within(src, "dropout(1)", "1"),
        message: "argument 'rate' of dropout expects a number in [0, 1), got 1",
      },
      {
        code: "MTSL1051",
        ...at(src, "1.5"),
        message: "setting 'threshold' of structural_learning expects a number in [0, 1], got 1.5",
      },
      {
        code: "MTSL1051",
        ...within(src, "alignment: -1", "-1"),
        message: "setting 'alignment' of structural_learning expects a number >= 0",
      },
      {
        code: "MTSL1051",
        ...within(src, "epochs: 0", "0"),
        message: "setting 'epochs' of train expects an integer >= 1, got 0",
      },
      { code: "MTSL1051", ...within(src, "lr: 0", "0"), message: "argument 'lr' of adam expects a number > 0, got 0" },
    ]);
  });

  it("reports list items of the wrong type or range with their position", () => {
    const src = model({ extra: ['structural_learning { at_epochs: [0, "2"]; transfer: distill(passes: [1, -1]) }'] });
    expectDiagnostics(src, [
      {
        code: "MTSL1051",
        ...within(src, "[0,", "0"),
        length: 1,
        message: "item 1 of setting 'at_epochs' of structural_learning expects an integer >= 1, got 0",
      },
      { code: "MTSL1050", ...at(src, '"2"'), message: "item 2 of setting 'at_epochs'" },
      {
        code: "MTSL1051",
        ...within(src, "[1, -1]", "-1"),
        message: "item 2 of argument 'passes' of distill expects an integer >= 0, got -1",
      },
    ]);
  });

  it("reports SLP epochs and milestones that do not strictly increase, at the offending item", () => {
    const src = model({
      extra: ["structural_learning { at_epochs: [2, 4, 3, 3] }", "train { schedule: step([5, 5]) }"],
    });
    expectDiagnostics(src, [
      {
        code: "MTSL1052",
        ...within(src, "[2, 4, 3, 3]", "3"),
        length: 1,
        message: "setting 'at_epochs' of structural_learning must be strictly increasing, but 3 follows 4",
      },
      { code: "MTSL1052", ...within(src, "[2, 4, 3, 3]", "3]"), length: 1, message: "but 3 follows 3" },
      {
        code: "MTSL1052",
        ...within(src, "[5, 5]", "5]"),
        length: 1,
        message: "argument 'milestones' of step must be strictly increasing, but 5 follows 5",
      },
    ]);
  });

  it("reports an empty at_epochs", () => {
    const src = model({ extra: ["structural_learning { at_epochs: [] }"] });
    expectDiagnostics(src, [
      {
        code: "MTSL1053",
        ...at(src, "[]"),
        length: 2,
        message: "setting 'at_epochs' of structural_learning needs at least 1 item",
      },
    ]);
  });

  it("accepts one metric without brackets but not a layer sequence as a list", () => {
    expectValid(
      model({
        tasks: [
          "task seg: segmentation(classes: 4) { head: conv(4, 1); metrics: miou }",
          "task depth: depth { head: conv(1, 1) }",
        ],
      }),
    );
    const src = model({
      tasks: [
        "task seg: segmentation(classes: 4) { head: conv(4, 1); metrics: miou pixel_acc }",
        "task depth: depth { head: conv(1, 1) }",
      ],
    });
    expectDiagnostics(src, [
      {
        code: "MTSL1050",
        ...at(src, "miou"),
        message: "setting 'metrics' of task 'seg' expects a list of metrics, got a sequence of layers",
      },
    ]);
  });
});
