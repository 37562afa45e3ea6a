import { mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { shrunkNyuv2Example, writeNyuv2Layout } from "../fixtures/nyuv2-layout.js";
import { mtslc } from "./helpers.js";

/**
 * `check` binds a folder source to its data from the .npy headers alone, and
 * `compile` reports the same: an input that does not fit the images, a
 * missing target folder, too few samples. An absent folder is a warning.
 */
const dir = mkdtempSync(join(tmpdir(), "mtsl-npy-check-"));
const data = join(dir, "nyuv2");
const file = (name: string, text: string): string => {
  const path = join(dir, `${name}.mtsl`);
  writeFileSync(path, text);
  return path;
};

interface JsonDiagnostic {
  code: string;
  severity: string;
  message: string;
  span: { start: { line: number; offset: number } };
}

async function checkJson(path: string): Promise<{ code: number; diagnostics: JsonDiagnostic[] }> {
  const r = await mtslc(["check", "--format", "json", path]);
  return { code: r.code, diagnostics: JSON.parse(r.stdout) as JsonDiagnostic[] };
}

beforeAll(() => {
  writeNyuv2Layout(data, { size: 32, train: 3, val: 2 });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("check binds .npy data from its headers", () => {
  it("accepts a model that fits its data", async () => {
    const r = await mtslc(["check", file("fits", shrunkNyuv2Example(data, { size: 32 }))]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
  });

  it("refuses an input that is not the images' shape, at the data folder, in check and compile", async () => {
    const text = shrunkNyuv2Example(data, { size: 64 });
    const path = file("input", text);
    const checked = await checkJson(path);
    expect(checked.code).toBe(1);
    const dataLine = text.split("\n").findIndex((l) => l.trim().startsWith("data npy(")) + 1;
    expect(checked.diagnostics.map((d) => [d.code, d.severity, d.span.start.line])).toEqual([
      ["MTSL3003", "error", dataLine],
    ]);
    expect(checked.diagnostics[0]!.message).toContain("[64, 64, 3] but the data's images are [32, 32, 3]");
    const compiled = await mtslc(["compile", path, "-o", join(dir, "out"), "--json"]);
    expect(compiled.code).toBe(1);
    const json = JSON.parse(compiled.stdout) as { written: string[]; diagnostics: JsonDiagnostic[] };
    expect(json.written).toEqual([]);
    expect(json.diagnostics.map((d) => d.code)).toEqual(["MTSL3003"]);
  });

  it("refuses a folder a task reads that is not there, naming it", async () => {
    renameSync(join(data, "val", "normal"), join(data, "val", "normals"));
    try {
      const checked = await checkJson(file("missing", shrunkNyuv2Example(data, { size: 32 })));
      expect(checked.code).toBe(1);
      expect(checked.diagnostics.map((d) => d.code)).toEqual(["MTSL3001"]);
      expect(checked.diagnostics[0]!.message).toContain("neither normal/ nor normal.npy exists");
    } finally {
      renameSync(join(data, "val", "normals"), join(data, "val", "normal"));
    }
  });

  it("refuses more samples than the split holds, at that option", async () => {
    const text = shrunkNyuv2Example(data, { size: 32 }).replace(
      `data npy(dir: ${JSON.stringify(data)})`,
      `data npy(dir: ${JSON.stringify(data)}, train: 5)`,
    );
    const checked = await checkJson(file("count", text));
    expect(checked.code).toBe(1);
    expect(checked.diagnostics.map((d) => [d.code, d.message.includes("fewer samples")])).toEqual([["MTSL3003", true]]);
    const at = text.indexOf("train: 5") + "train: ".length;
    expect(checked.diagnostics[0]!.span.start).toMatchObject({ offset: at });
  });

  it("only warns when the folder is absent, and compile still writes", async () => {
    const path = file("absent", shrunkNyuv2Example(join(dir, "elsewhere"), { size: 32 }));
    const checked = await checkJson(path);
    expect(checked.code).toBe(0);
    expect(checked.diagnostics.map((d) => [d.code, d.severity])).toEqual([["MTSL3001", "warning"]]);
    const compiled = await mtslc(["compile", path, "-o", join(dir, "out"), "-q"]);
    expect(compiled.code).toBe(0);
    expect(compiled.stderr).toContain("warning MTSL3001");
  });
});
