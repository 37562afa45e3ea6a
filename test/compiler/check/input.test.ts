import { describe, it } from "vitest";
import { at, expectDiagnostics, expectValid, model } from "./harness.js";

describe("input", () => {
  it("accepts f32 with three positive integer dimensions", () => {
    expectValid(model({ input: "input image: f32[32, 32, 3]" }));
  });

  it("reports an unknown element type at the type, with a suggestion", () => {
    const src = model({ input: "input image: F32[32, 32, 3]" });
    expectDiagnostics(src, [
      {
        code: "MTSL1010",
        line: 2,
        column: 16,
        length: 3,
        message: "unknown element type 'F32' of input 'image'",
        hint: "did you mean 'f32'?",
      },
    ]);
  });

  it("gives no suggestion for an element type that is far from any", () => {
    const src = model({ input: "input image: uint8[32, 32, 3]" });
    expectDiagnostics(src, [{ code: "MTSL1010", line: 2, column: 16, length: 5, hint: null }]);
  });

  it("reports a shape that is not three dimensions, spanning the dimensions", () => {
    const src = model({ input: "input image: f32[32, 32]" });
    expectDiagnostics(src, [
      { code: "MTSL1011", line: 2, column: 20, endLine: 2, endColumn: 26, message: "has 2 dimensions; expected 3" },
    ]);
    const four = model({ input: "input image: f32[1, 32, 32, 3]" });
    expectDiagnostics(four, [{ code: "MTSL1011", line: 2, column: 20, length: 12, message: "has 4 dimensions" }]);
  });

  it("reports each dimension that is not a positive integer", () => {
    const src = model({ input: "input image: f32[32, 0, 2.5]" });
    expectDiagnostics(src, [
      {
        code: "MTSL1012",
        ...at(src, "0,"),
        length: 1,
        message: "dimension 0 of input 'image' is not a positive integer",
      },
      { code: "MTSL1012", ...at(src, "2.5"), length: 3, message: "dimension 2.5" },
    ]);
  });
});
