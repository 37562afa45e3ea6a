import { describe, it } from "vitest";
import { at, expectDiagnostics, expectValid, model, within } from "./harness.js";

const sharing = (...rows: string[]): string => `sharing {\n${rows.map((r) => `  ${r}`).join("\n")}\n}`;

describe("sharing-groups", () => {
  it("accepts groups that partition the tasks", () => {
    expectValid(model({ extra: [sharing("stem..enc1: {depth seg}", "dec1: {depth} {seg}")] }));
  });

  it("reports an unknown task at its name, with a suggestion", () => {
    const src = model({ extra: [sharing("stem..dec1: {seg depth dpeth}")] });
    expectDiagnostics(src, [
      {
        code: "MTSL1084",
        ...at(src, "dpeth"),
        length: 5,
        message: "sharing row 'stem..dec1' names unknown task 'dpeth'",
        hint: "did you mean 'depth'?",
      },
    ]);
  });

  it("does not also report a task missing when the row names an unknown task", () => {
    const src = model({ extra: [sharing("stem..dec1: {seg dpeth}")] });
    expectDiagnostics(src, [{ code: "MTSL1084", ...at(src, "dpeth") }]);
  });

  it("reports a task in two groups, or twice in one, at the repeat", () => {
    const src = model({ extra: [sharing("stem..enc1: {seg depth} {seg}", "dec1: {seg seg} {depth}")] });
    expectDiagnostics(src, [
      {
        code: "MTSL1085",
        ...within(src, "{seg depth} {seg}", "seg}"),
        length: 3,
        message: "task 'seg' is in two groups of sharing row 'stem..enc1'",
      },
      {
        code: "MTSL1085",
        ...within(src, "{seg seg}", "seg}"),
        length: 3,
        message: "task 'seg' is listed twice in one group of sharing row 'dec1'",
      },
    ]);
  });

  it("reports tasks left out of a row, at the row's stages", () => {
    const src = model({
      tasks: [
        "task seg: segmentation(classes: 4) { head: conv(4, 1) }",
        "task depth: depth { head: conv(1, 1) }",
        "task ae: reconstruction { head: conv(3, 1) }",
      ],
      extra: [sharing("stem..enc1: {seg depth ae}", "dec1: {seg}")],
    });
    expectDiagnostics(src, [
      {
        code: "MTSL1086",
        ...at(src, "dec1: {seg}"),
        length: 4,
        message: "sharing row 'dec1' leaves out tasks 'depth', 'ae'",
      },
    ]);
  });

  it("reports an empty group at its braces", () => {
    const src = model({ extra: [sharing("stem..dec1: {seg depth} {}")] });
    expectDiagnostics(src, [
      { code: "MTSL1087", ...at(src, "{}"), length: 2, message: "sharing row 'stem..dec1' has an empty group" },
    ]);
  });
});
