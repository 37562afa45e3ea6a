/**
 * `distill(passes: [...], per: phase | merge)`: which entry of passes a phase distils for.
 * `per: merge` is the authors' counting (one entry popped per phase that merged something,
 * the last entry reused); the file checks and prints it back.
 */
import { describe, expect, it } from "vitest";
import { compileSource } from "../../compiler/compile.js";
import type { IrStructuralLearning } from "../../compiler/ir/types.js";
import { lift } from "../../compiler/lift.js";
import { print } from "../../grammar/printer.js";
import { distillPasses } from "../../runtime/structure/mtsl.js";
import { readFileSync } from "node:fs";

const transfer = (per: "phase" | "merge", passes: number[]): IrStructuralLearning["transfer"] => ({
  method: "distill",
  gate: "channel",
  passes,
  per,
  lr: null,
});
type Phase = Parameters<typeof distillPasses>[1][number];
const merged = { transfers: [{}] } as unknown as Omit<Phase, "index">;
const none = { transfers: [] } as Omit<Phase, "index">;

describe("distillPasses", () => {
  it("per phase: the phase's own entry, 1 when the list is shorter", () => {
    const t = transfer("phase", [1, 2, 4]);
    expect([0, 1, 2, 3].map((i) => distillPasses(t, [], i))).toEqual([1, 2, 4, 1]);
  });

  it("per merge: counts only earlier phases that distilled, and reuses the last entry", () => {
    const t = transfer("merge", [1, 2, 4]);
    // phases 0 and 1 merged nothing, 2 and 3 merged, 4 merged, 5 asks
    const history: Phase[] = [
      { index: 0, ...none },
      { index: 1, ...none },
      { index: 2, ...merged },
      { index: 3, ...merged },
      { index: 4, ...merged },
    ];
    expect(distillPasses(t, history.slice(0, 2), 2)).toBe(1); // first merge: first entry
    expect(distillPasses(t, history.slice(0, 3), 3)).toBe(2);
    expect(distillPasses(t, history.slice(0, 4), 4)).toBe(4);
    expect(distillPasses(t, history, 5)).toBe(4); // list exhausted: the last entry again
    // per phase the same history would have given passes[2] = 4 to the first merge
    expect(distillPasses(transfer("phase", [1, 2, 4]), history.slice(0, 2), 2)).toBe(4);
    expect(distillPasses(transfer("merge", []), history, 5)).toBe(1);
  });
});

describe("per: merge in a file", () => {
  const base = readFileSync("test/fixtures/models/tiny.mtsl", "utf8");
  it("needs no entry per phase, compiles to the IR and prints back", () => {
    const source = base.replace("passes: [1, 1, 1]", "passes: [1, 2], per: merge");
    const r = compileSource(source);
    expect(r.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    expect(r.ir!.structuralLearning!.transfer).toMatchObject({ passes: [1, 2], per: "merge" });
    const printed = print(lift(r.ir!));
    expect(printed).toContain("per: merge");
    expect(compileSource(printed).ir!.structuralLearning).toEqual(r.ir!.structuralLearning);
  });

  it("per phase (the default) still wants one entry per phase", () => {
    const r = compileSource(base.replace("passes: [1, 1, 1]", "passes: [1, 2]"));
    expect(r.diagnostics.map((d) => d.code)).toContain("MTSL1092");
    expect(compileSource(base).ir!.structuralLearning!.transfer.per).toBe("phase");
  });
});
