import { describe, expect, it } from "vitest";
import { compileSource } from "../../../compiler/compile.js";
import { format } from "../../../grammar/format.js";
import { lift } from "../../../compiler/lift.js";
import { print } from "../../../grammar/printer.js";
import { expectDiagnostics, expectValid, model, within } from "./harness.js";

const withTrain = (settings: string): string =>
  model({ extra: ["sharing { stem..dec1: {seg depth} }", `train { epochs: 4; ${settings} }`] });

describe("train-warm-start", () => {
  it("accepts warm_start alone, lowers it, and lifts it back", () => {
    const src = withTrain('warm_start: "runs/pre"');
    expectValid(src);
    const ir = compileSource(src).ir!;
    expect(ir.train.warmStart).toBe("runs/pre");
    expect(compileSource(withTrain("pretrain: 2")).ir!.train.warmStart).toBeUndefined();
    const again = compileSource(print(lift(ir))).ir!;
    expect(again.train.warmStart).toBe("runs/pre");
    expect(format(src).text).toContain('warm_start: "runs/pre"');
  });

  it("rejects warm_start with pretrain, at the warm_start value", () => {
    const src = withTrain('pretrain: 2; warm_start: "runs/pre"');
    expectDiagnostics(src, [
      {
        code: "MTSL1096",
        ...within(src, 'warm_start: "runs/pre"', '"runs/pre"'),
        severity: "error",
        message: "warm_start and pretrain: 2 both decide where the weights start",
      },
    ]);
  });
});
