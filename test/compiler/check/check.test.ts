/** The registry, the ordering of results and robustness of `check` on any input. */
import { existsSync, readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parse } from "../../../grammar/parse.js";
import { check, CHECK_CODES, RULES } from "../../../compiler/check/index.js";
import { checkSource, model } from "./harness.js";

describe("rule registry", () => {
  it("owns every code exactly once, with unique rule names that match their files", () => {
    const owners = new Map<string, string>();
    for (const rule of RULES) {
      expect(rule.name).toMatch(/^[a-z]+(-[a-z]+)*$/);
      expect(existsSync(new URL(`../../../compiler/check/rules/${rule.name}.ts`, import.meta.url)), rule.name).toBe(
        true,
      );
      for (const code of rule.codes) {
        expect(owners.get(code), `${code} owned by ${owners.get(code)} and ${rule.name}`).toBeUndefined();
        owners.set(code, rule.name);
      }
    }
    expect(new Set(RULES.map((r) => r.name)).size).toBe(RULES.length);
    expect([...owners.keys()].sort()).toEqual(Object.keys(CHECK_CODES).sort());
  });

  it("has a test file per rule", () => {
    for (const rule of RULES) {
      expect(existsSync(new URL(`./${rule.name}.test.ts`, import.meta.url)), rule.name).toBe(true);
    }
  });

  it("reports only codes a rule owns, with the code's severity", () => {
    const src = readFileSync(new URL("../../../docs/diagnostics.md", import.meta.url), "utf8");
    const blocks = [...src.matchAll(/```mtsl\n([\s\S]*?)```/g)].map((m) => m[1] ?? "");
    for (const block of blocks) {
      for (const rule of RULES) {
        const { document } = parse(block);
        for (const d of check(document, [rule])) {
          expect(rule.codes as readonly string[]).toContain(d.code);
          expect(d.severity).toBe(CHECK_CODES[d.code as keyof typeof CHECK_CODES].severity);
        }
      }
    }
  });
});

describe("check", () => {
  it("returns diagnostics sorted by position", () => {
    const src = model({
      input: "input image: f64[32, 32, 3]",
      tasks: [
        "task seg: segmentaton(classes: 4) { head: conv(4, 1); wieght: 2 }",
        "task depth: depth { head: conv(1, 1) reluu }",
      ],
      stages: ["stem: conv(8, paddng: same)", "enc1: basic(0)", "dec1: concat(dec2)"],
      extra: ["sharing { stem..dec1: {seg depht} }", "train { epochs: 0 }"],
    });
    const out = checkSource(src);
    expect(out.length).toBeGreaterThanOrEqual(8);
    const offsets = out.map((d) => d.span.start.offset);
    expect(offsets).toEqual([...offsets].sort((a, b) => a - b));
  });

  it("returns nothing for a document without a model", () => {
    const { document } = parse("// nothing here\n");
    expect(document.model).toBeNull();
    expect(check(document)).toEqual([]);
  });

  it("never throws, and every diagnostic has a code, message and a span inside the source", () => {
    const words = [
      "model",
      "M",
      "{",
      "}",
      "input",
      "image",
      ":",
      "f32",
      "[",
      "]",
      "32",
      "3",
      ",",
      "data",
      "scenes",
      "(",
      ")",
      "size",
      "task",
      "seg",
      "depth",
      "segmentation",
      "classes",
      "head",
      "conv",
      "concat",
      "stem",
      "enc1",
      "loss",
      "ce",
      "metrics",
      "backbone",
      "sharing",
      "..",
      "structural_learning",
      "at_epochs",
      "train",
      "epochs",
      "-1",
      "0.5",
      '"x"',
      "true",
      ";",
      "\n",
      "__proto__",
      "constructor",
      "weight",
      "transfer",
      "distill",
      "passes",
      "step",
    ];
    const sources = fc.array(fc.constantFrom(...words), { maxLength: 80 }).map((ws) => ws.join(" "));
    const mutated = fc
      .tuple(fc.integer({ min: 0, max: 2000 }), fc.integer({ min: 0, max: 40 }), fc.constantFrom(...words))
      .map(([at, cut, insert]) => {
        const base = model({
          extra: [
            "sharing { stem..enc1: {seg depth}; dec1: {seg} {depth} }",
            "structural_learning { at_epochs: [1, 2] }",
            "train { epochs: 4; schedule: step([2]) }",
          ],
        });
        const i = at % (base.length + 1);
        return base.slice(0, i) + " " + insert + " " + base.slice(i + cut);
      });
    fc.assert(
      fc.property(fc.oneof(sources, mutated), (source) => {
        const { document } = parse(source);
        const out = check(document);
        for (const d of out) {
          expect(d.code).toMatch(/^MTSL[12]\d{3}$/);
          expect(d.message.length).toBeGreaterThan(0);
          expect(d.span.start.offset).toBeGreaterThanOrEqual(0);
          expect(d.span.end.offset).toBeLessThanOrEqual(source.length);
          expect(d.span.end.offset).toBeGreaterThanOrEqual(d.span.start.offset);
        }
      }),
      { numRuns: 400, seed: 7 },
    );
  });
});
