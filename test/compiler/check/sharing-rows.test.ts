import { describe, it } from "vitest";
import { at, expectDiagnostics, expectValid, model, within } from "./harness.js";

const sharing = (...rows: string[]): string => `sharing {\n${rows.map((r) => `  ${r}`).join("\n")}\n}`;

describe("sharing-rows", () => {
  it("accepts rows that cover every stage once, in any order, and no sharing block at all", () => {
    expectValid(model({ extra: [sharing("dec1: {seg} {depth}", "stem..enc1: {seg depth}")] }));
    expectValid(model({ extra: [sharing("stem: {seg depth}", "enc1..enc1: {seg depth}", "dec1: {seg} {depth}")] }));
    expectValid(model());
  });

  it("reports an unknown stage at its name, with a suggestion", () => {
    const src = model({ extra: [sharing("stem..enc2: {seg depth}", "dec1: {seg depth}")] });
    expectDiagnostics(src, [
      {
        code: "MTSL1080",
        ...at(src, "enc2"),
        length: 4,
        message: "sharing names unknown stage 'enc2'",
        hint: "did you mean 'enc1'?",
      },
    ]);
  });

  it("reports a range that runs backwards, spanning the range", () => {
    const src = model({ extra: [sharing("enc1..stem: {seg depth}", "dec1: {seg depth}")] });
    expectDiagnostics(src, [
      {
        code: "MTSL1081",
        ...at(src, "enc1..stem"),
        length: 10,
        message: "sharing range 'enc1..stem' runs backwards: 'stem' comes before 'enc1'",
        hint: "write stem..enc1",
      },
    ]);
  });

  it("reports a stage covered twice at the later row", () => {
    const src = model({ extra: [sharing("stem..enc1: {seg depth}", "enc1..dec1: {seg} {depth}")] });
    expectDiagnostics(src, [
      {
        code: "MTSL1082",
        ...at(src, "enc1..dec1"),
        length: 10,
        message: "sharing row 'enc1..dec1' covers stage 'enc1' again",
        hint: "row on line 12",
      },
    ]);
  });

  it("reports stages without a row at the sharing keyword, once", () => {
    const src = model({ extra: [sharing("enc1: {seg depth}")] });
    expectDiagnostics(src, [
      { code: "MTSL1083", ...at(src, "sharing"), length: 7, message: "sharing has no row for stages 'stem', 'dec1'" },
    ]);
  });

  it("does not report coverage when a row is already wrong", () => {
    const src = model({ extra: [sharing("stem: {seg depth}", "enc1..dec2: {seg depth}")] });
    expectDiagnostics(src, [{ code: "MTSL1080", ...within(src, "enc1..dec2", "dec2"), length: 4 }]);
  });
});
