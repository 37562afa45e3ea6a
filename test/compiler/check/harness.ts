/**
 * The test harness of the semantic checks: parse a source (which must be free
 * of syntax errors), run the checks, and compare the diagnostics with the
 * expected ones: code, exact start (line, column), optionally the exact end,
 * a message substring, a hint substring and the severity.
 */
import { expect } from "vitest";
import type { Diagnostic } from "../../../grammar/diagnostics.js";
import { parse } from "../../../grammar/parse.js";
import { renderDiagnostic } from "../../../grammar/render.js";
import { check } from "../../../compiler/check/index.js";
import type { Rule } from "../../../compiler/check/rule.js";

export interface ExpectedDiagnostic {
  code: string;
  line: number;
  column: number;
  /** A substring of the message. */
  message?: string;
  /** The span's length on its line (end column - start column). */
  length?: number;
  endLine?: number;
  endColumn?: number;
  /** A substring of the hint; `null` asserts there is no hint. */
  hint?: string | null;
  severity?: "error" | "warning" | "info";
}

/** Parses `source`, failing the test on syntax errors, and runs the checks. */
export function checkSource(source: string, rules?: readonly Rule[]): Diagnostic[] {
  const parsed = parse(source, { file: "test.mtsl" });
  const syntax = parsed.diagnostics.filter((d) => d.severity === "error");
  expect(
    syntax.map((d) => renderDiagnostic(d, source, "test.mtsl")),
    "the test source has syntax errors",
  ).toEqual([]);
  return check(parsed.document, rules);
}

function view(actual: Diagnostic, want: ExpectedDiagnostic): ExpectedDiagnostic {
  const v: ExpectedDiagnostic = { code: actual.code, line: actual.span.start.line, column: actual.span.start.column };
  if (want.message !== undefined) v.message = actual.message.includes(want.message) ? want.message : actual.message;
  if (want.length !== undefined) {
    v.length = actual.span.end.line === actual.span.start.line ? actual.span.end.column - actual.span.start.column : -1;
  }
  if (want.endLine !== undefined) v.endLine = actual.span.end.line;
  if (want.endColumn !== undefined) v.endColumn = actual.span.end.column;
  if (want.hint !== undefined) {
    v.hint =
      want.hint === null ? (actual.hint ?? null) : actual.hint?.includes(want.hint) ? want.hint : (actual.hint ?? null);
  }
  if (want.severity !== undefined) v.severity = actual.severity;
  return v;
}

function summary(d: Diagnostic): string {
  const s = d.span;
  return `${d.code} ${s.start.line}:${s.start.column}-${s.end.line}:${s.end.column} ${d.severity}: ${d.message}${d.hint ? ` (hint: ${d.hint})` : ""}`;
}

/**
 * Asserts that checking `source` yields exactly `expected`, in any order:
 * each expectation must match its own diagnostic (code, line, column, and the
 * optional fields it gives), and no diagnostic may be left over. Returns the
 * diagnostics for further assertions.
 */
export function expectDiagnostics(
  source: string,
  expected: ExpectedDiagnostic[],
  rules?: readonly Rule[],
): Diagnostic[] {
  // A rule's test judges the rules' own codes (MTSL1xxx): shape and binding codes
  // (MTSL2xxx) count only where the test expects one (their own rule tests do).
  const wantsShapes = expected.some((e) => e.code.startsWith("MTSL2"));
  const actual = checkSource(source, rules).filter((d) => wantsShapes || !d.code.startsWith("MTSL2"));
  const unused = new Set(actual.keys());
  const unmatched: ExpectedDiagnostic[] = [];
  for (const want of expected) {
    const i = [...unused].find((k) => {
      const d = actual[k];
      return d !== undefined && JSON.stringify(sortKeys(view(d, want))) === JSON.stringify(sortKeys(want));
    });
    if (i === undefined) unmatched.push(want);
    else unused.delete(i);
  }
  if (unmatched.length > 0 || unused.size > 0) {
    expect({
      actual: actual.map(summary),
      unmatchedExpectations: unmatched,
      unexpected: [...unused].map((k) => summary(actual[k] as Diagnostic)),
    }).toEqual({ actual: actual.map(summary), unmatchedExpectations: [], unexpected: [] });
  }
  return actual;
}

function sortKeys(o: ExpectedDiagnostic): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** Asserts that `source` has no rule diagnostic (shape and binding codes aside: see expectDiagnostics). */
export function expectValid(source: string): void {
  expectDiagnostics(source, []);
}

/** Asserts that `source` checks entirely clean: no diagnostic of any code, shapes and binding included. */
export function expectClean(source: string): void {
  const actual = checkSource(source);
  expect(actual.map((d) => `${d.code} ${d.message}`)).toEqual([]);
}

/**
 * The 1-based line and column of the `nth` (1-based) occurrence of `needle`
 * in `source`, for exact span assertions without counting by hand.
 */
export function at(source: string, needle: string, nth = 1): { line: number; column: number } {
  let offset = -1;
  for (let i = 0; i < nth; i++) {
    offset = source.indexOf(needle, offset + 1);
    if (offset < 0) throw new Error(`'${needle}' occurs fewer than ${nth} times in the test source`);
  }
  const before = source.slice(0, offset);
  const line = before.split("\n").length;
  return { line, column: offset - before.lastIndexOf("\n") };
}

export interface ModelParts {
  input?: string;
  data?: string;
  /** Task lines, each one member. */
  tasks?: string[];
  /** Stage lines inside `backbone { }`. */
  stages?: string[];
  /** Further members (sharing, structural_learning, train...), each a chunk of lines. */
  extra?: string[];
}

/**
 * A valid two-task model with parts replaced. The default:
 *
 *     model M {
 *       input image: f32[32, 32, 3]
 *       data scenes(size: 32)
 *       task seg: segmentation(classes: 6) { head: conv(6, 1) }
 *       task depth: depth { head: conv(1, 1) }
 *       backbone {
 *         stem: conv(8) bn relu
 *         enc1: basic(8, stride: 2)
 *         dec1: upsample(2) concat(stem) conv(8)
 *       }
 *     }
 */
export function model(parts: ModelParts = {}): string {
  const lines = [
    "model M {",
    `  ${parts.input ?? "input image: f32[32, 32, 3]"}`,
    `  ${parts.data ?? "data scenes(size: 32)"}`,
    ...(
      parts.tasks ?? [
        "task seg: segmentation(classes: 6) { head: conv(6, 1) }",
        "task depth: depth { head: conv(1, 1) }",
      ]
    ).map((t) => `  ${t}`),
    "  backbone {",
    ...(
      parts.stages ?? ["stem: conv(8) bn relu", "enc1: basic(8, stride: 2)", "dec1: upsample(2) concat(stem) conv(8)"]
    ).map((s) => `    ${s}`),
    "  }",
    ...(parts.extra ?? []).map((chunk) =>
      chunk
        .split("\n")
        .map((l) => `  ${l}`)
        .join("\n"),
    ),
    "}",
    "",
  ];
  return lines.join("\n");
}

/** The line and column of `needle` inside the first occurrence of `context` in `source`. */
export function within(source: string, context: string, needle: string): { line: number; column: number } {
  const start = source.indexOf(context);
  const inner = context.indexOf(needle);
  if (start < 0 || inner < 0) throw new Error(`'${needle}' in '${context}' is not in the test source`);
  const offset = start + inner;
  const before = source.slice(0, offset);
  return { line: before.split("\n").length, column: offset - before.lastIndexOf("\n") };
}
