/**
 * Every "did you mean 'x'?" leads to a file that checks: in each example, each
 * name is misspelt in turn (two neighbouring letters swapped); where a
 * diagnostic on that word suggests a name, the suggestion is applied and the
 * file must then check as clean as the example itself.
 */
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { check } from "../../../compiler/check/index.js";
import type { Diagnostic } from "../../../grammar/diagnostics.js";
import { parse } from "../../../grammar/parse.js";
import { lexer } from "../../../grammar/tokens.js";

function diagnose(source: string): Diagnostic[] {
  const parsed = parse(source);
  return parsed.checkable ? [...parsed.diagnostics, ...check(parsed.document)] : parsed.diagnostics;
}

const errors = (ds: readonly Diagnostic[]): string[] =>
  ds.filter((d) => d.severity === "error").map((d) => `${d.code} ${d.message}`);

describe("did-you-mean hints", () => {
  for (const file of readdirSync("examples").filter((f) => f.endsWith(".mtsl"))) {
    it(`lead back to a clean file in ${file}`, () => {
      const source = readFileSync(`examples/${file}`, "utf8");
      expect(errors(diagnose(source))).toEqual([]);
      let suggested = 0;
      let words = 0;
      const failures: string[] = [];
      for (const token of lexer.tokenize(source).tokens) {
        const word = token.image;
        if (!/^[A-Za-z_]\w{3,}$/.test(word)) continue;
        const swapped = word.slice(0, 1) + word[2] + word[1] + word.slice(3);
        if (swapped === word) continue;
        words++;
        const start = token.startOffset;
        const end = start + word.length;
        const mutated = source.slice(0, start) + swapped + source.slice(end);
        const hints = diagnose(mutated).flatMap((d) => {
          const m = /^did you mean '([^']+)'\?$/.exec(d.hint ?? "");
          return m && d.span.start.offset === start && d.span.end.offset === end ? [{ d, to: m[1]! }] : [];
        });
        for (const { d, to } of hints) {
          suggested++;
          const fixed = mutated.slice(0, start) + to + mutated.slice(end);
          const left = errors(diagnose(fixed));
          if (left.length > 0) failures.push(`${word} -> ${swapped} (${d.code}) -> ${to}: ${left.join("; ")}`);
        }
      }
      expect(failures).toEqual([]);
      // Most misspelt words are caught with a suggestion (not only a few).
      expect(suggested, `${suggested} of ${words} words`).toBeGreaterThan(words / 2);
    });
  }
});
