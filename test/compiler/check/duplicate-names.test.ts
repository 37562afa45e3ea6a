import { describe, it } from "vitest";
import { at, expectDiagnostics, expectValid, model } from "./harness.js";

describe("duplicate-names", () => {
  it("accepts distinct task and stage names", () => {
    expectValid(model());
  });

  it("reports a second task of the same name at its name", () => {
    const src = model({
      tasks: [
        "task seg: segmentation(classes: 4) { head: conv(4, 1) }",
        "task depth: depth { head: conv(1, 1) }",
        "task seg: depth { head: conv(1, 1) }",
      ],
    });
    expectDiagnostics(src, [
      { code: "MTSL1004", ...at(src, "seg:", 2), length: 3, message: "task 'seg' is declared twice", hint: "line 4" },
    ]);
  });

  it("reports a second stage of the same name at its name", () => {
    const src = model({ stages: ["stem: conv(8)", "enc1: basic(8)", "stem: relu"] });
    expectDiagnostics(src, [
      {
        code: "MTSL1005",
        ...at(src, "stem: relu"),
        length: 4,
        message: "stage 'stem' is declared twice",
        hint: "line 7",
      },
    ]);
  });

  it("treats names like __proto__ and constructor as ordinary names", () => {
    const src = model({
      tasks: [
        "task __proto__: depth { head: conv(1, 1) }",
        "task constructor: depth { head: conv(1, 1) }",
        "task __proto__: depth { head: conv(1, 1) }",
      ],
    });
    expectDiagnostics(src, [
      { code: "MTSL1004", ...at(src, "__proto__", 2), message: "task '__proto__' is declared twice" },
    ]);
  });
});
