import { describe, it } from "vitest";
import { at, expectDiagnostics, expectValid, model } from "./harness.js";

describe("slp-nothing-to-learn", () => {
  it("accepts structural learning with tasks still apart somewhere", () => {
    expectValid(model({ extra: ["structural_learning { at_epochs: [1] }"] }));
    expectValid(
      model({
        extra: ["sharing { stem..enc1: {seg depth}; dec1: {seg} {depth} }", "structural_learning { at_epochs: [1] }"],
      }),
    );
  });

  it("warns when every stage is already shared by all tasks", () => {
    const src = model({
      extra: ["sharing { stem: {seg depth}; enc1..dec1: {depth seg} }", "structural_learning { at_epochs: [1] }"],
    });
    expectDiagnostics(src, [
      {
        code: "MTSL1093",
        ...at(src, "structural_learning"),
        length: 19,
        severity: "warning",
        message: "every stage is already shared by all tasks",
      },
    ]);
  });

  it("warns when the model has a single task", () => {
    const src = model({
      tasks: ["task depth: depth { head: conv(1, 1) }"],
      extra: ["structural_learning { at_epochs: [1] }"],
    });
    expectDiagnostics(src, [
      { code: "MTSL1093", ...at(src, "structural_learning"), severity: "warning", message: "the model has one task" },
    ]);
  });
});
