import { describe, it } from "vitest";
import { at, expectDiagnostics, expectValid, model, within } from "./harness.js";

describe("arguments", () => {
  it("binds positional then named arguments, and names for positional parameters", () => {
    expectValid(
      model({
        tasks: [
          "task seg: segmentation(4) { head: conv(filters: 4, kernel: 1) }",
          "task depth: depth { head: conv(1, 1, stride: 1, dilation: 1, bias: false) }",
        ],
        extra: ["train { schedule: step(milestones: [10], gamma: 0.5) }"],
      }),
    );
  });

  it("reports an unknown argument at its name, with a suggestion", () => {
    const src = model({ stages: ["stem: conv(8, strides: 2)", "enc1: basic(8)", "dec1: conv(8)"] });
    expectDiagnostics(src, [
      {
        code: "MTSL1040",
        ...at(src, "strides"),
        length: 7,
        message: "unknown argument 'strides' of conv",
        hint: "did you mean 'stride'?",
      },
    ]);
  });

  it("lists the accepted arguments when nothing is close, and says when there are none", () => {
    const src = model({ stages: ["stem: conv(8, colour: 2) relu(inplace: true)", "enc1: basic(8)", "dec1: conv(8)"] });
    expectDiagnostics(src, [
      {
        code: "MTSL1040",
        ...at(src, "colour"),
        hint: "conv accepts filters, kernel, stride, padding, dilation, bias, init",
      },
      { code: "MTSL1040", ...at(src, "inplace"), hint: "relu takes no arguments" },
    ]);
  });

  it("reports an argument given twice, by name or by position and name", () => {
    const src = model({
      stages: ["stem: conv(8, stride: 1, stride: 2)", "enc1: basic(8, filters: 16)", "dec1: conv(8)"],
    });
    expectDiagnostics(src, [
      { code: "MTSL1041", ...at(src, "stride", 2), length: 6, message: "argument 'stride' of conv is given twice" },
      { code: "MTSL1041", ...at(src, "filters"), length: 7, message: "argument 'filters' of basic is given twice" },
    ]);
  });

  it("reports a missing required argument at the callee, for calls and bare words", () => {
    const src = model({
      tasks: ["task seg: segmentation { head: conv(4, 1) }", "task depth: depth { head: conv(kernel: 1) }"],
      stages: ["stem: conv(8) dropout", "enc1: basic(8)", "dec1: conv(8)"],
      extra: ["train { optimizer: sgd(momentum: 0.5) }"],
    });
    expectDiagnostics(src, [
      {
        code: "MTSL1042",
        ...at(src, "segmentation"),
        length: 12,
        message: "segmentation needs argument 'classes' (an integer >= 2)",
      },
      { code: "MTSL1042", ...at(src, "conv(kernel"), length: 4, message: "conv needs argument 'filters'" },
      { code: "MTSL1042", ...at(src, "dropout"), length: 7, message: "dropout needs argument 'rate'" },
      { code: "MTSL1042", ...at(src, "sgd"), length: 3, message: "sgd needs argument 'lr'" },
    ]);
  });

  it("reports each surplus positional argument at its value", () => {
    const src = model({ stages: ["stem: conv(8, 3, 2) relu(1)", "enc1: basic(8)", "dec1: conv(8)"] });
    expectDiagnostics(src, [
      {
        code: "MTSL1043",
        ...within(src, "conv(8, 3, 2)", "2"),
        length: 1,
        message: "too many positional arguments: conv takes 2 positional arguments (filters, kernel)",
        hint: "also accepts stride",
      },
      {
        code: "MTSL1043",
        ...within(src, "relu(1)", "1"),
        length: 1,
        message: "relu takes no positional arguments",
        hint: null,
      },
    ]);
  });

  it("reports a positional argument after a named one", () => {
    const src = model({ stages: ["stem: conv(stride: 2, 8)", "enc1: basic(8)", "dec1: conv(8)"] });
    expectDiagnostics(src, [
      {
        code: "MTSL1044",
        ...within(src, "conv(stride: 2, 8)", "8"),
        length: 1,
        message: "positional argument after a named one in conv(...)",
      },
    ]);
  });

  it("still binds a late positional argument to the first free positional parameter", () => {
    const src = model({ stages: ["stem: conv(kernel: 1, 8)", "enc1: basic(8)", "dec1: conv(8)"] });
    expectDiagnostics(src, [{ code: "MTSL1044", ...within(src, "conv(kernel: 1, 8)", "8") }]);
  });
});
