import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DATA_SOURCES, LAYERS, LOSSES, METRICS, TASK_KINDS } from "../compiler/catalog/index.js";
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
