import { describe, expect, it } from "vitest";
import type { IrStructuralLearning } from "../../compiler/ir/types.js";
import { StructuralLearningHooks } from "../../runtime/structure/mtsl.js";

const sl = (atEpochs: number[], alignment: number, alignmentPause: number): IrStructuralLearning => ({
  atEpochs,
  similarity: { measure: "cka", debiased: true, pool: "gap", samples: 64, resample: false },
  threshold: 0.8,
  init: "fresh",
  randomFrom: null,
  transfer: { method: "distill", gate: "channel", passes: atEpochs.map(() => 1), per: "phase", lr: null },
  alignment,
  alignmentPause,
  handoff: "mean",
});

/** The 1-based epochs trained with the alignment loss, out of `epochs`. */
const aligned = (hooks: StructuralLearningHooks, epochs: number): number[] =>
  Array.from({ length: epochs }, (_, done) => done)
    .filter((done) => hooks.aligning(done))
    .map((done) => done + 1);

describe("when the alignment loss is on", () => {
  it("on every epoch before the last phase by default, as the authors do", () => {
    expect(aligned(new StructuralLearningHooks(sl([4, 8, 12], 0.2, 0)), 16)).toEqual([
      1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12,
    ]);
  });

  it("off in the alignment_pause epochs just before each phase", () => {
    expect(aligned(new StructuralLearningHooks(sl([4, 8, 12], 0.2, 1)), 16)).toEqual([1, 2, 3, 5, 6, 7, 9, 10, 11]);
    expect(aligned(new StructuralLearningHooks(sl([4, 8, 12], 0.2, 2)), 16)).toEqual([1, 2, 5, 6, 9, 10]);
    // a phase after every epoch leaves no epoch to align in
    expect(aligned(new StructuralLearningHooks(sl([1, 2, 3], 0.2, 1)), 4)).toEqual([]);
  });

  it("never at weight 0", () => {
    expect(aligned(new StructuralLearningHooks(sl([4, 8], 0, 0)), 10)).toEqual([]);
  });
});
