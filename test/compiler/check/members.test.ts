import { describe, it } from "vitest";
import { at, expectDiagnostics, expectValid, model } from "./harness.js";

describe("members", () => {
  it("accepts a model with exactly one input, data and backbone and some tasks", () => {
    expectValid(model());
  });

  it("reports each missing required member at the model's name", () => {
    const src = "model Empty {\n}\n";
    expectDiagnostics(src, [
      {
        code: "MTSL1001",
        line: 1,
        column: 7,
        length: 5,
        message: "model 'Empty' has no input",
        hint: "input image: f32",
      },
      { code: "MTSL1001", line: 1, column: 7, length: 5, message: "has no data" },
      { code: "MTSL1001", line: 1, column: 7, length: 5, message: "has no backbone" },
      { code: "MTSL1001", line: 1, column: 7, length: 5, message: "has no task" },
    ]);
  });

  it("says only one input is supported, at the second input's name", () => {
    const src = model({ input: "input image: f32[32, 32, 3]\n  input extra: f32[32, 32, 3]" });
    expectDiagnostics(src, [
      {
        code: "MTSL1003",
        ...at(src, "extra"),
        length: 5,
        message: "only one input is supported; 'extra' is a second input",
      },
    ]);
  });

  it("reports a second data, backbone, sharing, structural_learning or train at its keyword", () => {
    const src = model({
      data: "data scenes(size: 32)\n  data scenes(size: 32)",
      extra: [
        "backbone { more: relu }",
        "train { epochs: 2 }",
        "train { epochs: 3 }",
        "sharing { stem..dec1: {seg depth} }",
        "sharing { stem..dec1: {seg depth} }",
        "structural_learning { at_epochs: [1] }",
        "structural_learning { at_epochs: [1] }",
      ],
    });
    const out = expectDiagnostics(src, [
      { code: "MTSL1002", ...at(src, "data", 2), length: 4, message: "more than one data block", hint: "line 3" },
      { code: "MTSL1002", ...at(src, "backbone", 2), length: 8, message: "more than one backbone block" },
      { code: "MTSL1002", ...at(src, "train", 2), length: 5, message: "more than one train block" },
      { code: "MTSL1002", ...at(src, "sharing", 2), length: 7, message: "more than one sharing block" },
      // the first structural_learning block: everything is shared by all tasks
      { code: "MTSL1093", ...at(src, "structural_learning", 1), severity: "warning" },
      {
        code: "MTSL1002",
        ...at(src, "structural_learning", 2),
        length: 19,
        message: "more than one structural_learning block",
      },
    ]);
    void out;
  });

  it("reports an empty backbone at its keyword", () => {
    const src =
      "model M {\n  input image: f32[32, 32, 3]\n  data scenes(size: 32)\n  task depth: depth { head: conv(1, 1) }\n  backbone {\n  }\n}\n";
    expectDiagnostics(src, [
      { code: "MTSL1006", line: 5, column: 3, length: 8, message: "the backbone has no stages" },
    ]);
  });
});
