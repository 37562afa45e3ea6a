import { describe, it } from "vitest";
import { at, expectDiagnostics, expectValid, model } from "./harness.js";

describe("settings", () => {
  it("accepts every known setting once", () => {
    expectValid(
      model({
        tasks: [
          'task seg: segmentation(classes: 4) { head: conv(4, 1); loss: ce; metrics: miou; weight: 2; target: "labels" }',
          "task depth: depth { head: conv(1, 1) }",
        ],
        extra: [
          "structural_learning { at_epochs: [1, 2]; similarity: cka; threshold: 0.5; init: average; transfer: distill(passes: [1, 1]); alignment: 0; handoff: reset }",
          "train { epochs: 4; batch: 2; optimizer: sgd(0.1); schedule: cosine; seed: 7; backend: wasm; val_every: 2 }",
        ],
      }),
    );
  });

  it("reports an unknown task setting at its key, with a suggestion", () => {
    const src = model({
      tasks: [
        "task seg: segmentation(classes: 4) { head: conv(4, 1); los: ce }",
        "task depth: depth { head: conv(1, 1) }",
      ],
    });
    expectDiagnostics(src, [
      {
        code: "MTSL1020",
        ...at(src, "los:"),
        length: 3,
        message: "unknown setting 'los' in task 'seg'",
        hint: "did you mean 'loss'?",
      },
    ]);
  });

  it("says which block a misplaced setting belongs in", () => {
    const src = model({ extra: ["train { epochs: 4; threshold: 0.5 }"] });
    expectDiagnostics(src, [
      {
        code: "MTSL1020",
        ...at(src, "threshold"),
        length: 9,
        message: "unknown setting 'threshold' in the train block",
        hint: "belongs in the structural_learning block",
      },
    ]);
  });

  it("lists the accepted settings when nothing is close", () => {
    const src = model({ extra: ["train { epochs: 4; colour: 3 }"] });
    expectDiagnostics(src, [
      { code: "MTSL1020", ...at(src, "colour"), hint: "the train block accepts epochs, batch, optimizer" },
    ]);
  });

  it("reports a setting given twice at the second key", () => {
    const src = model({ extra: ["train {\n  epochs: 4\n  epochs: 5\n}"] });
    expectDiagnostics(src, [
      {
        code: "MTSL1021",
        ...at(src, "epochs", 2),
        length: 6,
        message: "setting 'epochs' is given twice in the train block",
        hint: "the first is on line 12",
      },
    ]);
  });

  it("reports a task without a head at the task's name", () => {
    const src = model({
      tasks: ["task seg: segmentation(classes: 4) { loss: ce }", "task depth: depth { head: conv(1, 1) }"],
    });
    expectDiagnostics(src, [
      { code: "MTSL1022", ...at(src, "seg"), length: 3, message: "task 'seg' needs setting 'head'" },
    ]);
  });

  it("reports structural_learning without at_epochs at its keyword", () => {
    const src = model({ extra: ["structural_learning { threshold: 0.5 }"] });
    expectDiagnostics(src, [
      {
        code: "MTSL1022",
        ...at(src, "structural_learning"),
        length: 19,
        message: "the structural_learning block needs setting 'at_epochs'",
      },
    ]);
  });
});
