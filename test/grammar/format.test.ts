/**
 * Golden tests of the formatter: every folder `test/fixtures/format/<case>/` holds
 * `input.mtsl` and `expected.mtsl`; `format(input)` must equal `expected`, and
 * `expected` must be a fixed point. Run with `UPDATE_GOLDEN=1` to rewrite the
 * expected files (then read every changed one before committing it).
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { format } from "../../grammar/format.js";
import { parse } from "../../grammar/parse.js";
import { print } from "../../grammar/printer.js";

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), "..", "fixtures", "format");
const UPDATE = process.env["UPDATE_GOLDEN"] === "1";

const cases = readdirSync(FIXTURES, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort();

describe("golden formatting", () => {
  it("finds the golden cases", () => {
    expect(cases.length).toBeGreaterThanOrEqual(12);
  });

  for (const name of cases) {
    const dir = join(FIXTURES, name);
    const inputPath = join(dir, "input.mtsl");
    const expectedPath = join(dir, "expected.mtsl");

    it(`${name}: format(input) === expected`, () => {
      const input = readFileSync(inputPath, "utf8");
      const result = format(input, { file: inputPath });
      expect(result.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
      expect(result.text).not.toBeNull();
      if (UPDATE) writeFileSync(expectedPath, result.text ?? "");
      expect(existsSync(expectedPath)).toBe(true);
      const expected = readFileSync(expectedPath, "utf8");
      expect(result.text).toBe(expected);
      expect(result.changed).toBe(input !== expected);
    });

    it(`${name}: expected is a fixed point`, () => {
      const expected = readFileSync(expectedPath, "utf8");
      const result = format(expected, { file: expectedPath });
      expect(result.text).toBe(expected);
      expect(result.changed).toBe(false);
    });
  }
});

describe("canonical layout invariants on the golden outputs", () => {
  for (const name of cases) {
    it(`${name}: indentation, trailing spaces, blank lines, final newline`, () => {
      const text = readFileSync(join(FIXTURES, name, "expected.mtsl"), "utf8");
      expect(text.endsWith("\n")).toBe(true);
      expect(text.endsWith("\n\n")).toBe(false);
      expect(text.startsWith("\n")).toBe(false);
      const lines = text.slice(0, -1).split("\n");
      let inBlockComment = false;
      lines.forEach((line, i) => {
        const previous = lines[i - 1];
        const next = lines[i + 1];
        if (!inBlockComment) {
          expect(line, `line ${i + 1} has trailing spaces`).toBe(line.trimEnd());
          expect((line.length - line.trimStart().length) % 2, `line ${i + 1} indent`).toBe(0);
          if (line === "") {
            expect(previous, `blank line ${i + 1} after another blank or an opening brace`).not.toMatch(/(^$|\{$)/);
            expect(next?.trim().startsWith("}"), `blank line ${i + 1} before a closing brace`).toBe(false);
          }
        }
        // Multi-line block comments are kept verbatim, so their inner lines are not checked.
        const opens = line.lastIndexOf("/*");
        const closes = line.lastIndexOf("*/");
        if (opens > closes) inBlockComment = true;
        else if (closes > opens && closes >= 0) inBlockComment = false;
      });
    });
  }
});

describe("print", () => {
  const span = { start: { offset: 0, line: 1, column: 1 }, end: { offset: 0, line: 1, column: 1 } };

  it("prints a document without a model as its comments only", () => {
    const comment = { kind: "line" as const, text: "// only a comment   ", span };
    expect(print({ kind: "Document", model: null, dangling: [comment], span })).toBe("// only a comment\n");
    expect(print({ kind: "Document", model: null, dangling: [], span })).toBe("");
  });

  it("keeps a list holding a layer sequence as a bare comma list (brackets hold single terms)", () => {
    const source = "model M {\n  train {\n    head: conv(8) relu, [dense(2)], gap\n  }\n}\n";
    const { document, diagnostics } = parse(source);
    expect(diagnostics).toEqual([]);
    expect(print(document)).toBe(source);
  });
});

describe("format", () => {
  it("refuses input with errors and returns the diagnostics", () => {
    const result = format("model M {\n  input image: f32[64, 64\n}\n", { file: "broken.mtsl" });
    expect(result.text).toBeNull();
    expect(result.changed).toBe(false);
    expect(result.diagnostics.some((d) => d.severity === "error")).toBe(true);
  });

  it("refuses an unterminated string and an unterminated block comment", () => {
    expect(format('model M {\n  data d(path: "abc)\n}\n').text).toBeNull();
    expect(format("model M {\n  /* never closed\n}\n").text).toBeNull();
  });

  it("reports changed: false for already canonical text", () => {
    const text = "model M {\n  input image: f32[8, 8, 1]\n}\n";
    expect(format(text)).toMatchObject({ text, changed: false });
  });

  it("is the printer applied to the parse", () => {
    const source = "model  M{input image:f32[8,8,1];data d}";
    expect(format(source).text).toBe(print(parse(source).document));
    expect(format(source).text).toBe("model M {\n  input image: f32[8, 8, 1]\n  data d\n}\n");
  });

  it("normalises CRLF line endings and tabs", () => {
    const source = "model M {\r\n\tinput image: f32[8, 8, 1] // a\r\n\r\n\tdata d\r\n}\r\n";
    expect(format(source).text).toBe("model M {\n  input image: f32[8, 8, 1] // a\n\n  data d\n}\n");
  });
});
