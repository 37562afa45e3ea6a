import { describe, expect, it } from "vitest";
import { compileSource } from "../../../compiler/compile.js";
import { at, checkSource, expectClean, expectDiagnostics, model } from "./harness.js";

describe("shapes", () => {
  it("accepts the default model: every layer fits, every head returns to the input", () => {
    expectClean(model({}));
  });

  it("reports every independent shape error of a file in one pass, as compile does", () => {
    // A kernel that empties the map (enc2), a skip of another size after it (dec1), and a
    // depth head whose channels no head layer sets (a concat last: 8 + 8).
    const src = model({
      tasks: ["task seg: segmentation(classes: 6) { head: conv(6, 1) }", "task depth: depth { head: concat(stem) }"],
      stages: [
        "stem: conv(8) bn relu",
        "enc1: basic(8, stride: 2)",
        "enc2: conv(8, 33, padding: valid)",
        "dec1: concat(stem) upsample(2) conv(8)",
      ],
    });
    // After enc2 the height and width are unknown: the concat in dec1 is not reported (no
    // cascade), but channels are still known, so the depth head's channel error is.
    expectDiagnostics(src, [
      { code: "MTSL2003", ...at(src, "conv(8, 33"), message: "stage 'enc2'" },
      { code: "MTSL2005", ...at(src, "concat(stem) }"), message: "outputs 16 channels; it needs 1" },
    ]);
    const independent = model({
      tasks: [
        "task seg: segmentation(classes: 6) { head: conv(6, 1) }",
        "task depth: depth { head: upsample(2) concat(stem) }",
      ],
      stages: ["stem: conv(8) bn relu", "enc1: basic(8, stride: 2)", "enc2: concat(stem) conv(8)"],
    });
    expectDiagnostics(independent, [
      { code: "MTSL2004", ...at(independent, "concat(stem) conv"), message: "stage 'enc2'" },
      { code: "MTSL2005", ...at(independent, "upsample(2) concat"), message: "outputs 16 channels; it needs 1" },
    ]);
    const compiled = compileSource(independent);
    expect(compiled.ir).toBeNull();
    expect(compiled.diagnostics.map((d) => d.code)).toEqual(["MTSL2005", "MTSL2004"]); // by position: tasks first
  });

  it("does not report size errors while sizes are unknown, and finds channel errors after them", () => {
    const src = model({
      tasks: ["task seg: segmentation(classes: 6) { head: conv(6, 1) }", "task depth: depth { head: concat(enc1) }"],
      stages: ["stem: conv(8, 40, padding: valid)", "enc1: basic(8, stride: 2)", "dec1: concat(stem) conv(8)"],
    });
    expectDiagnostics(src, [
      { code: "MTSL2003", ...at(src, "conv(8, 40"), message: "leaves nothing of a 32x32 map" },
      { code: "MTSL2005", ...at(src, "concat(enc1) }"), message: "outputs 16 channels; it needs 1" },
    ]);
  });

  it("reports a vector where a map is needed once, and nothing after it on that path", () => {
    const src = model({ stages: ["stem: conv(8) gap", "enc1: conv(8)", "dec1: conv(8)"] });
    expectDiagnostics(src, [{ code: "MTSL2001", ...at(src, "conv(8)", 2), message: "stage 'enc1'" }]);
  });

  it("reports a dense layer on a map, and a dense head at the wrong resolution", () => {
    const src = model({
      tasks: [
        "task seg: segmentation(classes: 6) { head: conv(6, 1) }",
        "task r: regression { head: dense(1); target: depth }",
      ],
      stages: ["stem: conv(8) bn relu", "enc1: basic(8, stride: 2)"],
    });
    expectDiagnostics(src, [
      { code: "MTSL2006", ...at(src, "conv(6, 1)"), message: "outputs 16x16 maps but the input is 32x32" },
      { code: "MTSL2002", ...at(src, "dense(1)"), message: "add flatten or gap" },
    ]);
  });

  it("leaves channel counts set by a head layer to head-channels (MTSL1063), not twice", () => {
    const src = model({
      tasks: ["task seg: segmentation(classes: 6) { head: conv(3, 1) }", "task depth: depth { head: conv(1, 1) }"],
    });
    expect(checkSource(src).map((d) => d.code)).toEqual(["MTSL1063"]);
  });
});
