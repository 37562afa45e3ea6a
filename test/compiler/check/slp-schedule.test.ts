import { describe, it } from "vitest";
import { expectDiagnostics, expectValid, model, within } from "./harness.js";

describe("slp-schedule", () => {
  it("accepts phases within training and one pass count per phase", () => {
    expectValid(
      model({
        extra: [
          "structural_learning { at_epochs: [2, 4, 6]; transfer: distill(passes: [1, 1, 2]) }",
          "train { epochs: 10 }",
        ],
      }),
    );
    // passes omitted: the defaults are cut to the number of phases
    expectValid(model({ extra: ["structural_learning { at_epochs: [2, 4, 6] }", "train { epochs: 10 }"] }));
  });

  it("reports the phases after the last training epoch once, over all of them", () => {
    const src = model({ extra: ["structural_learning { at_epochs: [2, 12, 15] }", "train { epochs: 10 }"] });
    expectDiagnostics(src, [
      {
        code: "MTSL1090",
        ...within(src, "[2, 12, 15]", "12"),
        length: "12, 15".length,
        message: "structural-learning phases after epochs 12, 15 never run: train has 10 epochs",
        hint: "raise train { epochs } above 15, or keep only phases up to epoch 10",
      },
    ]);
    const one = model({ extra: ["structural_learning { at_epochs: [2, 4] }", "train { epochs: 1 }"] });
    expectDiagnostics(one, [
      {
        code: "MTSL1090",
        ...within(one, "[2, 4]", "2"),
        message: "phases after epochs 2, 4 never run: train has 1 epoch",
      },
    ]);
  });

  it("measures against the default epochs when there is no train block", () => {
    const src = model({ extra: ["structural_learning { at_epochs: [2, 90] }"] });
    expectDiagnostics(src, [
      { code: "MTSL1090", ...within(src, "[2, 90]", "90"), message: "train has 80 epochs by default" },
    ]);
  });

  it("warns about a phase after the very last epoch", () => {
    const src = model({ extra: ["structural_learning { at_epochs: [5, 10] }", "train { epochs: 10 }"] });
    expectDiagnostics(src, [
      {
        code: "MTSL1091",
        ...within(src, "[5, 10]", "10"),
        length: 2,
        severity: "warning",
        message: "after epoch 10, the last one",
      },
    ]);
  });

  it("reports a passes list whose length differs from at_epochs, at the list", () => {
    const src = model({
      extra: [
        "structural_learning { at_epochs: [2, 4, 6]; transfer: distill(gate: none, passes: [1, 2]) }",
        "train { epochs: 10 }",
      ],
    });
    expectDiagnostics(src, [
      {
        code: "MTSL1092",
        ...within(src, "passes: [1, 2]", "[1, 2]"),
        length: 6,
        message: "distill: passes has 2 entries but at_epochs has 3",
      },
    ]);
  });
});
