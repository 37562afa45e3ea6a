import { describe, it } from "vitest";
import { at, expectDiagnostics, expectValid, model, within } from "./harness.js";

describe("head-channels", () => {
  it("accepts heads that end with the channels each kind needs", () => {
    expectValid(
      model({
        tasks: [
          "task seg: segmentation(classes: 4) { head: conv(16) relu conv(4, 1) }",
          "task depth: depth { head: conv(1, 1) relu }",
          "task normal: normals { head: conv(3, 1) }",
          "task ae: reconstruction { head: conv(3, 1) sigmoid }",
          "task count: regression(outputs: 2) { head: gap dense(2) }",
          "task cls: classification(10) { head: gap dense(10) }",
          "task edge: edges { head: bottleneck(1, expansion: 1) }",
        ],
      }),
    );
  });

  it("reports a head with the wrong channel count at the argument that sets it", () => {
    const src = model({
      tasks: [
        "task seg: segmentation(classes: 4) { head: conv(5, 1) }",
        "task depth: depth { head: conv(3, 1) relu }",
        "task normal: normals { head: dense(1) }",
        "task ae: reconstruction { head: conv(1, 1) }",
        "task count: regression(outputs: 2) { head: gap dense(1) }",
      ],
    });
    expectDiagnostics(src, [
      {
        code: "MTSL1063",
        ...within(src, "conv(5, 1)", "5"),
        length: 1,
        message: "head of task 'seg' outputs 5 channels (conv), but segmentation(classes: 4) needs 4",
        hint: "make the head's last conv output 4",
      },
      {
        code: "MTSL1063",
        ...within(src, "conv(3, 1) relu", "3"),
        message: "head of task 'depth' outputs 3 channels (conv), but depth needs 1",
      },
      { code: "MTSL1063", ...within(src, "dense(1)", "1"), message: "but normals needs 3" },
      {
        code: "MTSL1063",
        ...within(src, "reconstruction { head: conv(1", "1"),
        message: "but reconstruction needs the input's 3",
      },
      { code: "MTSL1063", ...within(src, "gap dense(1)", "1"), message: "but regression(outputs: 2) needs 2" },
    ]);
  });

  it("counts a bottleneck's expansion (filters x expansion)", () => {
    const src = model({
      tasks: ["task seg: segmentation(classes: 4) { head: bottleneck(4) }", "task depth: depth { head: conv(1, 1) }"],
    });
    expectDiagnostics(src, [
      {
        code: "MTSL1063",
        ...within(src, "bottleneck(4)", "4"),
        message: "outputs 16 channels (bottleneck), but segmentation(classes: 4) needs 4",
      },
    ]);
  });

  it("leaves heads to shape inference when a concat comes last or no layer sets channels", () => {
    expectValid(
      model({
        tasks: [
          "task seg: segmentation(classes: 4) { head: conv(7) concat(stem) }",
          "task depth: depth { head: relu }",
        ],
      }),
    );
  });

  it("does not report channels for a head whose layers are invalid", () => {
    const src = model({
      tasks: ["task seg: segmentation(classes: 4) { head: conv(5) foo }", "task depth: depth { head: conv(1, 1) }"],
    });
    expectDiagnostics(src, [{ code: "MTSL1031", ...at(src, "foo") }]);
  });
});
