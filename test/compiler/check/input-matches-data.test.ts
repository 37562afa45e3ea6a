import { describe, expect, it } from "vitest";
import { at, checkSource, expectDiagnostics, expectValid, model } from "./harness.js";

describe("input-matches-data", () => {
  it("accepts an input that matches the data's size and channels", () => {
    expectValid(model({ input: "input image: f32[32, 32, 3]", data: "data scenes(size: 32)" }));
    expectValid(
      model({
        input: "input digits: f32[28, 28, 1]",
        data: "data multimnist",
        tasks: [
          "task left: classification(10) { head: gap dense(10) }",
          "task right: classification(10) { head: gap dense(10) }",
        ],
      }),
    );
  });

  it("reports a height and width that differ from the data's size, at each dimension", () => {
    const src = model({ input: "input image: f32[64, 48, 3]", data: "data scenes(size: 32)" });
    expectDiagnostics(src, [
      {
        code: "MTSL1013",
        line: 2,
        column: 20,
        length: 2,
        message: "has height 64, but data scenes yields 32x32 images (size: 32)",
        hint: "[32, 32, 3]",
      },
      { code: "MTSL1013", line: 2, column: 24, length: 2, message: "has width 48" },
    ]);
  });

  it("uses the source's default size when none is given", () => {
    const src = model({ input: "input image: f32[32, 32, 3]", data: "data scenes" });
    expectDiagnostics(src, [
      { code: "MTSL1013", line: 2, column: 20, message: "yields 64x64 images (size 64 by default)" },
      { code: "MTSL1013", line: 2, column: 24, message: "width 32" },
    ]);
  });

  it("reports channels that differ from the source's", () => {
    const src = model({ input: "input image: f32[28, 28, 3]", data: "data multimnist(size: 28)" });
    expectDiagnostics(src, [
      { code: "MTSL1013", ...at(src, "3]"), length: 1, message: "has 3 channels, but data multimnist yields 1" },
    ]);
  });

  it("accepts any channels for npy data and any size when npy has none", () => {
    expectValid(model({ input: "input image: f32[288, 384, 3]", data: 'data npy(dir: "data/nyuv2")' }));
  });

  it("helps towards a file that checks: the whole shape, and size: only where it fits", () => {
    const cases: [string, string, string, string][] = [
      // input, data, the help expected, the fixed input
      ["f32[64, 48, 3]", "scenes(size: 32)", "make the input [32, 32, 3]", "f32[32, 32, 3]"],
      ["f32[3, 32, 32]", "scenes(size: 32)", "make the input [32, 32, 3]", "f32[32, 32, 3]"],
      [
        "f32[48, 48, 3]",
        "scenes(size: 32)",
        "make the input [32, 32, 3] or set size: 48 in data scenes",
        "f32[32, 32, 3]",
      ],
      ["f32[600, 600, 3]", "scenes(size: 32)", "make the input [32, 32, 3]", "f32[32, 32, 3]"],
    ];
    for (const [input, data, hint, fixed] of cases) {
      const src = model({ input: `input image: ${input}`, data: `data ${data}` });
      const found = checkSource(src).filter((d) => d.code === "MTSL1013");
      expect(found.length, input).toBeGreaterThan(0);
      for (const d of found) expect(d.hint, `${input}: ${d.message}`).toBe(hint);
      expectValid(model({ input: `input image: ${fixed}`, data: `data ${data}` }));
    }
    const sized = model({ input: "input image: f32[48, 48, 3]", data: "data scenes(size: 48)" });
    expectValid(sized);
  });

  it("says when the channels look first", () => {
    const src = model({ input: "input image: f32[3, 32, 32]", data: "data scenes(size: 32)" });
    expectDiagnostics(src, [
      { code: "MTSL1013", line: 2, column: 20, message: "has height 3" },
      { code: "MTSL1013", ...at(src, "32]"), message: "yields 3 (channels come last: [height, width, channels])" },
    ]);
  });
});
