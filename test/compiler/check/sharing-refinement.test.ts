import { describe, it } from "vitest";
import { expectDiagnostics, expectValid, model, within } from "./harness.js";

const sharing = (...rows: string[]): string => `sharing {\n${rows.map((r) => `  ${r}`).join("\n")}\n}`;
const threeTasks = [
  "task seg: segmentation(classes: 4) { head: conv(4, 1) }",
  "task depth: depth { head: conv(1, 1) }",
  "task ae: reconstruction { head: conv(3, 1) }",
];

describe("sharing-refinement", () => {
  it("accepts partitions that only split with depth", () => {
    expectValid(
      model({
        tasks: threeTasks,
        extra: [sharing("stem: {seg depth ae}", "enc1: {seg ae} {depth}", "dec1: {seg} {ae} {depth}")],
      }),
    );
    expectValid(
      model({ tasks: threeTasks, extra: [sharing("dec1: {seg} {ae} {depth}", "stem..enc1: {seg ae} {depth}")] }),
    );
  });

  it("reports a group that merges tasks apart at the stage before, at the group", () => {
    const src = model({
      tasks: threeTasks,
      extra: [sharing("stem: {seg depth ae}", "enc1: {seg} {depth ae}", "dec1: {seg depth} {ae}")],
    });
    expectDiagnostics(src, [
      {
        code: "MTSL1088",
        ...within(src, "dec1: {seg depth}", "{seg depth}"),
        length: 11,
        message: "group at stage 'dec1' merges tasks 'seg' and 'depth', which stage 'enc1' keeps apart",
      },
    ]);
  });

  it("compares against the row covering the previous stage, whatever the row order", () => {
    const src = model({
      tasks: threeTasks,
      extra: [sharing("enc1..dec1: {seg depth ae}", "stem: {seg} {depth} {ae}")],
    });
    expectDiagnostics(src, [
      {
        code: "MTSL1088",
        ...within(src, "enc1..dec1: {seg depth ae}", "{seg depth ae}"),
        message: "stage 'enc1' merges tasks 'seg' and 'depth', which stage 'stem' keeps apart",
      },
    ]);
  });
});
