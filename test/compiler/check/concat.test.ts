import { describe, it } from "vitest";
import { at, expectDiagnostics, expectValid, model, within } from "./harness.js";

describe("concat", () => {
  it("accepts concat of earlier stages in stages and of any stage in heads", () => {
    expectValid(
      model({
        tasks: [
          "task seg: segmentation(classes: 4) { head: concat(dec1) concat(stem) conv(4, 1) }",
          "task depth: depth { head: conv(1, 1) }",
        ],
        stages: ["stem: conv(8)", "enc1: basic(8, stride: 2)", "dec1: upsample concat(stem) concat(stem) conv(8)"],
      }),
    );
  });

  it("reports an unknown stage at the argument, with a suggestion", () => {
    const src = model({
      tasks: [
        "task seg: segmentation(classes: 4) { head: concat(dec2) conv(4, 1) }",
        "task depth: depth { head: conv(1, 1) }",
      ],
      stages: ["stem: conv(8)", "enc1: basic(8, stride: 2)", "dec1: upsample concat(enc) conv(8)"],
    });
    expectDiagnostics(src, [
      {
        code: "MTSL1070",
        ...within(src, "concat(dec2)", "dec2"),
        length: 4,
        message: "concat in the head of task 'seg' names unknown stage 'dec2'",
        hint: "did you mean 'dec1'?",
      },
      {
        code: "MTSL1070",
        ...within(src, "concat(enc)", "enc"),
        length: 3,
        message: "concat in stage 'dec1' names unknown stage 'enc'",
        hint: "did you mean 'enc1'?",
      },
    ]);
  });

  it("reports concat of the same or a later stage", () => {
    const src = model({ stages: ["stem: conv(8) concat(enc1)", "enc1: basic(8) concat(enc1)", "dec1: conv(8)"] });
    expectDiagnostics(src, [
      {
        code: "MTSL1071",
        ...within(src, "stem: conv(8) concat(enc1)", "enc1"),
        length: 4,
        message: "concat in stage 'stem' names stage 'enc1', which comes later",
      },
      {
        code: "MTSL1071",
        ...within(src, "basic(8) concat(enc1)", "enc1"),
        length: 4,
        message: "stage 'enc1' cannot concat its own output",
      },
    ]);
  });

  it("reports a concat without a stage as a missing argument only", () => {
    const src = model({ stages: ["stem: conv(8)", "enc1: concat", "dec1: conv(8)"] });
    expectDiagnostics(src, [{ code: "MTSL1042", ...at(src, "concat"), message: "concat needs argument 'stage'" }]);
  });

  it("checks the stages fuse and decoder_bottleneck read, each list item at its own span", () => {
    const src = model({
      tasks: [
        "task seg: segmentation(classes: 4) { head: fuse([dec1, enc2, stem], filters: 4) conv(4, 1) }",
        "task depth: depth { head: conv(1, 1) }",
      ],
      stages: [
        "stem: conv(8)",
        "enc1: basic(8, stride: 2) fuse([stem, dec1])",
        "dec1: decoder_bottleneck(2, skip: dec1)",
        "dec2: decoder_bottleneck(2, skip: stm)",
      ],
    });
    expectDiagnostics(src, [
      {
        code: "MTSL1070",
        ...within(src, "fuse([dec1, enc2", "enc2"),
        length: 4,
        message: "fuse in the head of task 'seg' names unknown stage 'enc2'",
        hint: "did you mean 'enc1'?",
      },
      {
        code: "MTSL1071",
        ...within(src, "fuse([stem, dec1])", "dec1"),
        length: 4,
        message: "fuse in stage 'enc1' names stage 'dec1', which comes later",
      },
      {
        code: "MTSL1071",
        ...within(src, "decoder_bottleneck(2, skip: dec1)", "dec1"),
        length: 4,
        message: "stage 'dec1' cannot read its own output",
      },
      {
        code: "MTSL1070",
        ...within(src, "skip: stm", "stm"),
        length: 3,
        message: "decoder_bottleneck in stage 'dec2' names unknown stage 'stm'",
        hint: "did you mean 'stem'?",
      },
    ]);
  });
});
