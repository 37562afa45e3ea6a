/** docs/diagnostics.md documents every code, and each bad example there produces its code. */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { CHECK_CODES } from "../../../compiler/check/codes.js";
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

  it("has a section with a bad example for exactly the codes of CHECK_CODES", () => {
    expect([...documented.keys()].sort()).toEqual(Object.keys(CHECK_CODES).sort());
  });

  for (const [code, source] of documented) {
    it(`${code}: the bad example produces ${code} and nothing else`, () => {
      const diagnostics = checkSource(source);
      expect(diagnostics.length).toBeGreaterThan(0);
      expect(diagnostics.map((d) => d.code)).toEqual(diagnostics.map(() => code));
      for (const d of diagnostics) expect(d.severity).toBe(CHECK_CODES[code as keyof typeof CHECK_CODES].severity);
    });
  }
});
