/**
 * `check` refuses exactly what `compile` refuses, with the same codes at the
 * same places, and accepts exactly what it compiles: tried on every example
 * with each of its lines deleted in turn (a missing task, a stage a sharing
 * row or a concat names, a half block, ...).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { mtslc } from "./helpers.js";

const dir = mkdtempSync(join(tmpdir(), "mtsl-check-compile-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface JsonDiagnostic {
  code: string;
  severity: string;
  span: { start: { offset: number } };
}

const key = (d: JsonDiagnostic): string => `${d.span.start.offset} ${d.severity} ${d.code}`;

describe("check and compile agree", () => {
  for (const example of readdirSync("examples").filter((f) => f.endsWith(".mtsl"))) {
    it(`on ${example} with each line deleted`, async () => {
      const lines = readFileSync(join("examples", example), "utf8").split("\n");
      let refused = 0;
      for (let i = 0; i < lines.length; i++) {
        if (lines[i]!.trim() === "" || lines[i]!.trim().startsWith("//")) continue;
        const file = join(dir, `${example}-${i}.mtsl`);
        writeFileSync(file, [...lines.slice(0, i), ...lines.slice(i + 1)].join("\n"));
        const checked = await mtslc(["check", "--format", "json", file]);
        const compiled = await mtslc(["compile", file, "-o", join(dir, "out"), "--emit", "ir", "--json"]);
        const fromCheck = (JSON.parse(checked.stdout) as JsonDiagnostic[]).map(key);
        const json = JSON.parse(compiled.stdout) as { written: string[]; diagnostics: JsonDiagnostic[] };
        const fromCompile = json.diagnostics.map(key);
        expect(fromCompile, `line ${i + 1}: ${lines[i]}`).toEqual(fromCheck);
        expect(compiled.code, `line ${i + 1}: ${lines[i]}`).toBe(checked.code);
        expect(json.written.length > 0, `line ${i + 1}`).toBe(checked.code === 0);
        if (checked.code !== 0) refused++;
      }
      expect(refused).toBeGreaterThan(5);
    }, 60_000);
  }
});
