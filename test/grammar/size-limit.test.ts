/**
 * The size limit (issue 19, point 2): parse and check cost grows linearly with a file's size
 * (measured in bench:parse), and a file longer than MAX_SOURCE_LENGTH characters is one
 * MTSL0011 diagnostic, unread; the CLI refuses a file too large to be within the limit before
 * reading it. Past MAX_SYNTAX_ERRORS lexical or syntax errors the rest of a file is not read
 * (MTSL0012), so no input costs more than its first thousand errors.
 */
import { closeSync, mkdtempSync, openSync, rmSync, ftruncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { compileSource } from "../../compiler/compile.js";
import { format } from "../../grammar/format.js";
import { MAX_SOURCE_LENGTH, parse, positionAt } from "../../grammar/parse.js";
import { MAX_SYNTAX_ERRORS } from "../../grammar/parser.js";
import { mtslc } from "../cli/helpers.js";

const dir = mkdtempSync(join(tmpdir(), "mtsl-size-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const model = "model M {\n  train {\n    epochs: 1\n  }\n}\n";
/** `model` followed by a line comment that makes it exactly `length` characters long. */
const padded = (length: number): string => model + "//" + "x".repeat(length - model.length - 2);

describe("source size limit", () => {
  it("reads a file of exactly the limit", () => {
    const r = parse(padded(MAX_SOURCE_LENGTH));
    expect(r.diagnostics.map((d) => d.code)).not.toContain("MTSL0011");
    expect(r.document.model?.name.name).toBe("M");
  });

  it("gives one MTSL0011 for a file one character longer, from parse, format and compile", () => {
    const source = padded(MAX_SOURCE_LENGTH + 1);
    const r = parse(source);
    expect(r.diagnostics.map((d) => d.code)).toEqual(["MTSL0011"]);
    expect(r.diagnostics[0]!.message).toContain("4,194,305 characters");
    expect(r.checkable).toBe(false);
    expect(format(source).text).toBeNull();
    expect(compileSource(source).diagnostics.map((d) => d.code)).toEqual(["MTSL0011"]);
  });

  it("mtslc check reports it with exit code 1", async () => {
    const file = join(dir, "long.mtsl");
    writeFileSync(file, padded(MAX_SOURCE_LENGTH + 10));
    const r = await mtslc(["check", file]);
    expect(r.code).toBe(1);
    expect(r.stderr + r.stdout).toContain("MTSL0011");
    expect(r.stderr).not.toContain("internal error");
  });

  it("mtslc refuses a file too large to be within the limit without reading it", async () => {
    const file = join(dir, "huge.mtsl");
    const fd = openSync(file, "w");
    ftruncateSync(fd, 3 * MAX_SOURCE_LENGTH + 1); // sparse: no disk, no memory
    closeSync(fd);
    const r = await mtslc(["check", file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("more than a .mtsl file may have");
  });

  it("stops after MAX_SYNTAX_ERRORS syntax errors with one MTSL0012 where it stopped", () => {
    const source = `model M {\n  train {\n    lr: adam(lr: 1, ${", ".repeat(5000)}beta: 1)\n  }\n}\n`;
    const r = parse(source);
    const codes = r.diagnostics.map((d) => d.code);
    expect(codes.filter((c) => c === "MTSL0012")).toEqual(["MTSL0012"]);
    expect(codes.filter((c) => c.startsWith("MTSL000")).length).toBe(MAX_SYNTAX_ERRORS);
    const stop = r.diagnostics.find((d) => d.code === "MTSL0012")!;
    expect(stop.span.start.line).toBe(3);
    expect(stop.span.start.offset).toBeLessThan(source.length / 2); // it did stop, well before the end
    expect(r.checkable).toBe(false);
  });

  it("stops after MAX_SYNTAX_ERRORS lexical errors and reads no token past them", () => {
    const source = `model M {\n${"@\n".repeat(MAX_SYNTAX_ERRORS + 5)}  train { epochs: [[[[ }\n}\n`;
    const r = parse(source);
    const codes = r.diagnostics.map((d) => d.code);
    expect(codes.filter((c) => c === "MTSL0001").length).toBe(MAX_SYNTAX_ERRORS);
    const stop = r.diagnostics.find((d) => d.code === "MTSL0012")!;
    expect(stop.span.start.line).toBe(MAX_SYNTAX_ERRORS + 2);
    // nothing after the stop is parsed: no error from the brackets of the last lines
    expect(r.diagnostics.filter((d) => d.span.start.line > MAX_SYNTAX_ERRORS + 2)).toEqual([]);
  });

  it("finds lines and columns by the line index, as the lexer counts line breaks", () => {
    const source = "a\nbc\r\nd\re";
    const expected = [
      [1, 1],
      [1, 2],
      [2, 1],
      [2, 2],
      [2, 3],
      [2, 4],
      [3, 1],
      [3, 2],
      [4, 1],
      [4, 2],
    ];
    expected.forEach(([line, column], offset) => {
      expect(positionAt(source, offset), `offset ${offset}`).toEqual({ offset, line, column });
    });
    expect(positionAt("x\ny", 1)).toEqual({ offset: 1, line: 1, column: 2 }); // a second source
  });
});
