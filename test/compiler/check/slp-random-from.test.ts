import { describe, expect, it } from "vitest";
import { compileSource } from "../../../compiler/compile.js";
import { expectDiagnostics, expectValid, model, within } from "./harness.js";

const withSl = (setting: string): string =>
  model({
    extra: [
      "sharing { stem..dec1: {seg} {depth} }",
      `structural_learning { at_epochs: [1]; ${setting} }`,
      "train { epochs: 4 }",
    ],
  });

describe("slp-random-from", () => {
  it("accepts a stage of the backbone, and lowers it", () => {
    const src = withSl("random_from: enc1");
    expectValid(src);
    expect(compileSource(src).ir!.structuralLearning!.randomFrom).toBe("enc1");
    expect(compileSource(withSl("init: random")).ir!.structuralLearning!.randomFrom).toBeNull();
  });

  it("rejects an unknown stage at its name, with a did-you-mean", () => {
    const src = withSl("random_from: enc2");
    expectDiagnostics(src, [
      {
        code: "MTSL1095",
        ...within(src, "random_from: enc2", "enc2"),
        severity: "error",
        message: "random_from names unknown stage 'enc2'",
        hint: "enc1",
      },
    ]);
  });
});
