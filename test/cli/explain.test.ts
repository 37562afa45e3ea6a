/**
 * `mtslc explain CODE` and `check --explain` (issue 16, point 3): the checker's codes explained
 * by their section of docs/diagnostics.md (one source: the command prints the doc's text,
 * bad example included), the other codes by their registries' lines; an unknown code is a
 * usage error with a did-you-mean.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CHECK_CODES } from "../../compiler/check/codes.js";
import { CODEGEN_ERROR_CODES } from "../../compiler/codegen/errors.js";
import { SYNTAX_CODES } from "../../grammar/codes.js";
import { RUNTIME_ERROR_CODES } from "../../runtime/errors.js";
import { mtslc } from "./helpers.js";

const dir = mkdtempSync(join(tmpdir(), "mtsl-explain-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const docs = readFileSync("docs/diagnostics.md", "utf8");

describe("mtslc explain", () => {
  it("prints a checker or parser code's section of docs/diagnostics.md, its bad example included", async () => {
    for (const code of [...Object.keys(SYNTAX_CODES), ...Object.keys(CHECK_CODES)]) {
      const r = await mtslc(["explain", code.toLowerCase()]);
      expect(r.code, code).toBe(0);
      const section = docs
        .split(`\n## ${code}\n`)[1]!
        .split(/\n#{1,2} /)[0]!
        .trim();
      expect(r.stdout).toBe(`${code}: ${section}\n`);
      if (code !== "MTSL0011" && code !== "MTSL0012") expect(r.stdout, code).toContain("```mtsl");
    }
  });

  it("gives every other code its one-line description", async () => {
    const others = { ...RUNTIME_ERROR_CODES, ...CODEGEN_ERROR_CODES } as Record<string, string>;
    for (const [code, line] of Object.entries(others)) {
      const r = await mtslc(["explain", code]);
      expect(r.code, code).toBe(0);
      expect(r.stdout).toContain(line);
    }
  });

  it("refuses an unknown code with the closest one", async () => {
    const r = await mtslc(["explain", "MTSL1O96"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("did you mean 'MTSL1096'?");
  });

  it("check --explain explains each code of the diagnostics once", async () => {
    const file = join(dir, "bad.mtsl");
    const example = docs.split("\n## MTSL1084\n")[1]!.split("```mtsl\n")[1]!.split("```")[0]!;
    writeFileSync(file, example.replace("model M {", "model M {\n  junk junk").replace("depth", "dpth"));
    const r = await mtslc(["check", file, "--explain"]);
    expect(r.code).toBe(1);
    const codes = [...r.stderr.matchAll(/error (MTSL\d{4})/g)].map((m) => m[1]!);
    expect(codes.length).toBeGreaterThan(0);
    for (const code of new Set(codes)) expect(r.stdout.split(`\n${code}`).length - 1, code).toBe(1);
  });
});
