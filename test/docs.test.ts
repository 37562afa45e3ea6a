import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DATA_SOURCES, LAYERS, LOSSES, METRICS, TASK_KINDS, type ParamSpec } from "../compiler/catalog/index.js";
import { compileSource } from "../compiler/compile.js";
import { SHAPE_CODES } from "../compiler/ir/infer.js";
import { SYNTAX_CODES } from "../grammar/codes.js";

const reference = readFileSync("docs/language.md", "utf8");

describe("docs/language.md", () => {
  it("documents every word of the vocabulary", () => {
    for (const spec of [...LAYERS, ...TASK_KINDS, ...LOSSES, ...METRICS, ...DATA_SOURCES]) {
      expect(reference, spec.name).toContain(`\`${spec.name}\``);
    }
  });

  it("lists every syntax and shape diagnostic code", () => {
    for (const code of [...Object.keys(SYNTAX_CODES), ...Object.keys(SHAPE_CODES)])
      expect(reference, code).toContain(`\`${code}\``);
  });
});

describe("README", () => {
  it("starts with the install-and-train command and the test command", () => {
    const readme = readFileSync("README.md", "utf8");
    const block = /```sh\n([\s\S]*?)```/.exec(readme)![1]!;
    expect(block).toContain("npm ci && npm run build && node bin/mtslc.js train examples/multimnist.mtsl");
    expect(block).toContain("npm test");
  });
});

describe("docs/results/*.mtsl", () => {
  it("the model files the results were trained from still compile without diagnostics", () => {
    const files = readdirSync("docs/results").filter((f) => f.endsWith(".mtsl"));
    expect(files.length).toBeGreaterThanOrEqual(3);
    for (const f of files) {
      const result = compileSource(readFileSync(join("docs/results", f), "utf8"));
      expect(result.diagnostics, f).toEqual([]);
      expect(result.ir, f).toBeDefined();
    }
  });
});

/** A default as the docs' tables show it. */
function shownDefault(p: ParamSpec): string {
  if (p.required) return "required";
  if (p.default === undefined) return "optional";
  if (typeof p.default === "string") return p.default;
  return JSON.stringify(p.default);
}

describe("docs tables generated from the catalogue", () => {
  it("language.md lists every data source with the catalogue's parameters, defaults and doc", () => {
    for (const spec of DATA_SOURCES) {
      const params = spec.params.map((p) => `\`${p.name}\`: ${shownDefault(p)}`).join(", ");
      expect(reference, spec.name).toContain(`| \`${spec.name}\` | ${params} | ${spec.doc} |`);
    }
  });

  it("data.md's option tables are the catalogue's options of each source", () => {
    const data = readFileSync("docs/data.md", "utf8");
    for (const spec of DATA_SOURCES) {
      const section = data.split(/^## /m).find((s) => s.startsWith(`\`${spec.name}\``));
      expect(section, spec.name).toBeDefined();
      const table = /\| option \| default \| meaning \|\n[\s\S]*?\n\n/.exec(section!)?.[0] ?? "";
      const rows = [...table.matchAll(/^\| `([a-z_]+)` \| ([^|]*) \| ([^|]*) \|$/gm)].map((m) => [m[1], m[2]]);
      expect(rows, spec.name).toEqual(spec.params.map((p) => [p.name, shownDefault(p)]));
    }
  });
});
