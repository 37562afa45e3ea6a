/**
 * Round trips on every real file we have (examples/*.mtsl and every formatter
 * fixture): parse -> print -> parse gives the same AST (spans and layout aside),
 * keeps every comment, and printing the second parse gives the same text.
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { format } from "../../grammar/format.js";
import { parse } from "../../grammar/parse.js";
import { print } from "../../grammar/printer.js";
import { commentTexts, strip } from "./strip.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const EXAMPLES = join(ROOT, "examples");
const FIXTURES = join(ROOT, "test", "fixtures", "format");

function mtslFiles(dir: string): string[] {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true, recursive: true });
  } catch {
    return [];
  }
  return entries
    .filter((entry) => entry.isFile() && entry.name.endsWith(".mtsl"))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

const examples = mtslFiles(EXAMPLES);
const fixtures = mtslFiles(FIXTURES);

function errorsOf(source: string): string[] {
  return parse(source)
    .diagnostics.filter((d) => d.severity === "error")
    .map((d) => `${d.code} ${d.span.start.line}:${d.span.start.column} ${d.message}`);
}

describe("round trip", () => {
  it("has files to round-trip", () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(24);
  });

  for (const file of [...examples, ...fixtures]) {
    it(relative(ROOT, file), () => {
      const source = readFileSync(file, "utf8");
      const first = parse(source, { file });
      expect(errorsOf(source)).toEqual([]);

      const printed = print(first.document);
      const second = parse(printed);
      expect(second.diagnostics).toEqual([]);
      expect(strip(second.document)).toEqual(strip(first.document));
      expect(commentTexts(second.document)).toEqual(commentTexts(first.document));

      const reprinted = print(second.document);
      expect(reprinted).toBe(printed);
      // From the first print on, comments and blank lines stay exactly where they are.
      expect(strip(parse(reprinted).document, { keepTrivia: true })).toEqual(
        strip(second.document, { keepTrivia: true }),
      );
    });
  }
});

describe("examples are in canonical form", () => {
  for (const file of examples) {
    it(relative(ROOT, file), () => {
      const source = readFileSync(file, "utf8");
      const result = format(source, { file });
      expect(result.text).toBe(source);
      expect(result.changed).toBe(false);
    });
  }
});
