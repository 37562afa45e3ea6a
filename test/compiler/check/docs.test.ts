/** docs/diagnostics.md documents every code, and each bad example there produces its code. */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { CHECK_CODES } from "../../../compiler/check/codes.js";
import { SYNTAX_CODES } from "../../../grammar/codes.js";
import { parse } from "../../../grammar/parse.js";
import { checkSource } from "./harness.js";

const docs = readFileSync(new URL("../../../docs/diagnostics.md", import.meta.url), "utf8");

/** Code to the first ```mtsl block of its section. */
function examples(): Map<string, string> {
  const out = new Map<string, string>();
  const sections = docs.split(/^## /m).slice(1);
  for (const section of sections) {
    const code = section.slice(0, 8);
    const block = /```mtsl\n([\s\S]*?)```/.exec(section);
    if (block?.[1] !== undefined) out.set(code, block[1]);
  }
  return out;
}

describe("docs/diagnostics.md", () => {
  const documented = examples();

  // MTSL0011 (4 MB) and MTSL0012 (1,000 errors) are described without an example
  const noExample = ["MTSL0011", "MTSL0012"];

  it("has a section with a bad example for exactly the codes of CHECK_CODES and SYNTAX_CODES", () => {
    const expected = [...Object.keys(CHECK_CODES), ...Object.keys(SYNTAX_CODES).filter((c) => !noExample.includes(c))];
    expect([...documented.keys()].sort()).toEqual(expected.sort());
    for (const code of noExample) expect(docs).toContain(`\n## ${code}\n`);
  });

  for (const [code, source] of documented) {
    if (code.startsWith("MTSL0")) {
      it(`${code}: the bad example's first diagnostic is ${code}`, () => {
        const diagnostics = parse(source).diagnostics;
        expect(diagnostics[0]?.code).toBe(code);
      });
      continue;
    }
    it(`${code}: the bad example produces ${code} and nothing else`, () => {
      const diagnostics = checkSource(source);
      expect(diagnostics.length).toBeGreaterThan(0);
      expect(diagnostics.map((d) => d.code)).toEqual(diagnostics.map(() => code));
      for (const d of diagnostics) expect(d.severity).toBe(CHECK_CODES[code as keyof typeof CHECK_CODES].severity);
    });
  }
});
