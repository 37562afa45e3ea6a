/**
 * The one-way dependencies of the source tree: grammar <- compiler <- runtime
 * <- cli. A module may import from its own layer and the layers below it,
 * never above (statically or with a dynamic import).
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const LAYERS = ["grammar", "compiler", "runtime", "cli"] as const;

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return name.endsWith(".ts") ? [path] : [];
  });
}

const IMPORT = /(?:from\s+|import\s*\(\s*)["'](\.{1,2}\/[^"']+)["']/g;

describe("layering", () => {
  it("grammar <- compiler <- runtime <- cli: no module imports from a layer above its own", () => {
    const wrong: string[] = [];
    let imports = 0;
    for (const [rank, layer] of LAYERS.entries()) {
      for (const file of sources(layer)) {
        const text = readFileSync(file, "utf8");
        for (const m of text.matchAll(IMPORT)) {
          const target = relative(".", resolve(dirname(file), m[1]!)).split(/[\\/]/)[0]!;
          const targetRank = LAYERS.indexOf(target as (typeof LAYERS)[number]);
          imports++;
          if (targetRank > rank) wrong.push(`${file} imports ${m[1]} (${target} is above ${layer})`);
        }
      }
    }
    expect(imports).toBeGreaterThan(300);
    expect(wrong).toEqual([]);
  });
});
