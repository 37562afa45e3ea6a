/**
 * Deep nesting (issue 19, point 1): a file whose brackets nest deeper than MAX_NESTING gets
 * one located MTSL0010 diagnostic, never a stack overflow, from parse, check, compile and
 * format; nesting up to the limit parses as before.
 */
import { describe, expect, it } from "vitest";
import { compileSource } from "../../compiler/compile.js";
import { format } from "../../grammar/format.js";
import { MAX_NESTING, parse } from "../../grammar/parse.js";
import { mtslc } from "../cli/helpers.js";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** `model M { train { epochs: <value> } }`: the value sits at depth 2. */
const wrap = (value: string): string => `model M { train { epochs: ${value} } }`;
const kinds: [string, (n: number) => string][] = [
  ["lists", (n) => `${"[".repeat(n)}1${"]".repeat(n)}`],
  ["calls", (n) => `${"f(".repeat(n)}1${")".repeat(n)}`],
  ["unclosed lists", (n) => "[".repeat(n)],
  ["unclosed calls", (n) => "f(".repeat(n)],
];

describe("nesting limit", () => {
  for (const [kind, value] of kinds) {
    it(`${kind} up to the limit parse without MTSL0010`, () => {
      const r = parse(wrap(value(MAX_NESTING - 2)));
      expect(r.diagnostics.map((d) => d.code)).not.toContain("MTSL0010");
    });

    for (const n of [MAX_NESTING - 1, 1_000, 100_000]) {
      it(`${kind} ${n} deep: one MTSL0010 at the bracket past the limit, and no stack overflow anywhere`, () => {
        const source = wrap(value(n));
        const r = parse(source);
        const deep = r.diagnostics.filter((d) => d.code === "MTSL0010");
        expect(deep.length).toBe(1);
        // the 33rd opening bracket: model's '{', train's '{', then the value's
        const opener = kind.includes("lists") ? "[" : "(";
        let seen = 2;
        let offset = source.indexOf(opener);
        while (++seen <= MAX_NESTING) offset = source.indexOf(opener, offset + 1);
        expect(deep[0]!.span.start.offset).toBe(offset);
        expect(r.checkable).toBe(false);
        expect(() => compileSource(source)).not.toThrow();
        expect(() => format(source)).not.toThrow();
        expect(compileSource(source).ir).toBeNull();
      });
    }
  }

  it("mtslc check reports it with its location, exit code 1, not an internal error", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mtsl-nesting-"));
    try {
      const file = join(dir, "deep.mtsl");
      writeFileSync(file, `model M{train{e:${"[".repeat(100)}`);
      const r = await mtslc(["check", file]);
      expect(r.code).toBe(1);
      expect(r.stderr + r.stdout).toContain("MTSL0010");
      expect(r.stderr + r.stdout).toContain(`${file}:1:`);
      expect(r.stderr).not.toContain("internal error");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
