import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { compileSource } from "../../compiler/compile.js";
import { MEMBER_WORDS } from "../../grammar/member-typos.js";
import { parse } from "../../grammar/parse.js";
import { print } from "../../grammar/printer.js";

const examples = readdirSync("examples")
  .filter((f) => f.endsWith(".mtsl"))
  .map((f) => ({ name: f, source: readFileSync(`examples/${f}`, "utf8") }));

/** One-edit misspellings of a word: each neighbour pair swapped, each letter dropped. */
function typos(word: string): string[] {
  const out = new Set<string>();
  for (let i = 0; i + 1 < word.length; i++) out.add(word.slice(0, i) + word[i + 1] + word[i] + word.slice(i + 2));
  for (let i = 1; i < word.length; i++) out.add(word.slice(0, i) + word.slice(i + 1));
  out.delete(word);
  return [...out].filter((t) => !MEMBER_WORDS.includes(t));
}

describe("misspelt member keywords", () => {
  it("reads each as the keyword it means, says so once, and parses the rest", () => {
    const source = [
      "model M {",
      "  inptu image: f32[32, 32, 3]",
      "  dat scenes(size: 32)",
      "  tsak seg: segmentation { head: conv(5, 1); loss: ce }",
      "  backbon {",
      "    s1: conv(8, 3) bn relu",
      "  }",
      "  shareing {",
      "    s1: {seg}",
      "  }",
      "  structural_lerning { at_epochs: [1] }",
      "  trian { epochs: 2 }",
      "}",
    ].join("\n");
    const { document, diagnostics, checkable } = parse(source);
    expect(checkable).toBe(true);
    expect(diagnostics.map((d) => `${d.span.start.line}:${d.span.start.column} ${d.code} ${d.hint}`)).toEqual([
      "2:3 MTSL0009 did you mean 'input'?",
      "3:3 MTSL0009 did you mean 'data'?",
      "4:3 MTSL0009 did you mean 'task'?",
      "5:3 MTSL0009 did you mean 'backbone'?",
      "8:3 MTSL0009 did you mean 'sharing'?",
      "11:3 MTSL0009 did you mean 'structural_learning'?",
      "12:3 MTSL0009 did you mean 'train'?",
    ]);
    const members = document.model!.members.map((m) => (m.kind === "Block" ? m.keyword : m.kind));
    expect(members).toEqual(["Input", "Data", "Task", "Backbone", "Sharing", "structural_learning", "train"]);
  });

  it("gives every example, with any member keyword misspelt, the example's own document", () => {
    let tried = 0;
    for (const { name, source } of examples) {
      const expected = print(parse(source).document);
      for (const word of MEMBER_WORDS) {
        const at = new RegExp(`^(\\s*)${word}\\b`, "m").exec(source);
        if (!at) continue;
        for (const typo of typos(word)) {
          const start = at.index + at[1]!.length;
          const mutated = source.slice(0, start) + typo + source.slice(start + word.length);
          const parsed = parse(mutated);
          expect(
            parsed.diagnostics.map((d) => d.code),
            `${name}: ${typo}`,
          ).toEqual(["MTSL0009"]);
          expect(print(parsed.document), `${name}: ${typo}`).toBe(expected);
          tried++;
        }
      }
    }
    expect(tried).toBeGreaterThan(100);
  });

  it("reports the file's semantic errors in the same pass, and makes no IR", () => {
    const source =
      "model M {\n  input x: f32[32, 32, 3]\n  data scenes(size: 32)\n  tsak seg: segmentation(classes: 6) { head: conv(6, 1); loss: cee }\n  backbone { s1: conv(8, 3) }\n  train { epochs: 1 }\n}\n";
    const result = compileSource(source);
    expect(result.ir).toBeNull();
    expect(result.diagnostics.map((d) => `${d.code} ${d.hint ?? ""}`)).toEqual([
      "MTSL0009 did you mean 'task'?",
      "MTSL1032 did you mean 'ce'?",
    ]);
  });

  it("leaves names alone that are not where a member starts, or not close to a member keyword", () => {
    const sources = [
      // a task named like a keyword, a stage named `tain`, a data source on the next line
      "model M { input x: f32[8, 8, 1]; data scenes(size: 8); task trian: depth { head: conv(1, 1) }\n backbone {\n tain: conv(4, 3) } }",
      // an unknown word far from every member keyword keeps the parser's own error
      "model M { input x: f32[8, 8, 1]\n  layers { a: 1 } }",
    ];
    expect(parse(sources[0]!).diagnostics).toEqual([]);
    expect(parse(sources[1]!).diagnostics.map((d) => d.code)).not.toContain("MTSL0009");
  });
});
