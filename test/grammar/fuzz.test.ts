/**
 * Mutation fuzzing of the parser and the formatter. Real files (examples and
 * formatter fixtures) are broken by thousands of seeded random edits: tokens
 * deleted, duplicated, swapped or replaced; random characters (non-ASCII, NUL,
 * lone surrogates, line breaks) inserted; truncation; stray braces; unterminated
 * strings and comments; brackets and calls nested hundreds deep. For every mutant:
 * - `parse` and `format` return (no exception) within a time limit;
 * - every diagnostic, and every node and comment of the AST, has a span inside the
 *   source whose line and column agree with its offset;
 * - when `format` accepts the mutant, its output parses without errors and is a
 *   fixed point.
 * A failure names the seed and prints the mutant, so it can be replayed.
 * 20,000 mutants (every tenth also compiled: checks and lowering) take about 25 s here.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import type { Position, Span } from "../../grammar/ast.js";
import { compileSource } from "../../compiler/compile.js";
import { format } from "../../grammar/format.js";
import { parse } from "../../grammar/parse.js";
import { mutate, rng } from "./mutations.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
/**
 * Mutants per file: about 3,000 in all, spread over the files, so the test's time stays
 * flat as examples are added. `FUZZ_MUTANTS=2000 FUZZ_SEED=7 npx vitest run
 * test/grammar/fuzz.test.ts` runs a long campaign with other seeds.
 */
const SEED_BASE = Number(process.env["FUZZ_SEED"] ?? 0) * 10_000_000;
/**
 * Per-input limit for parse + format. Inputs are a few KB and take 1-20 ms; the limit
 * is there to catch pathological (e.g. exponential) recovery, not to benchmark.
 */
const TIME_LIMIT_MS = 1000;

function mtslFiles(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true, recursive: true })
      .filter((entry) => entry.isFile() && entry.name.endsWith(".mtsl"))
      .map((entry) => join(entry.parentPath, entry.name))
      .sort();
  } catch {
    return [];
  }
}

const sources = [...mtslFiles(join(ROOT, "examples")), ...mtslFiles(join(ROOT, "test", "fixtures", "format"))];
const MUTANTS_PER_FILE = Number(process.env["FUZZ_MUTANTS"] ?? Math.ceil(20_000 / Math.max(1, sources.length)));
/** Every this many mutants also go through the compiler (check, lowering): slower, so a sample. */
const COMPILE_EVERY = 10;

// ---------------------------------------------------------------- span checks

/** Line and column of an offset, counting `\n`, `\r\n` and a lone `\r` as line breaks. */
function lineIndex(source: string): number[] {
  const starts = [0];
  for (let i = 0; i < source.length; i++) {
    const ch = source.charCodeAt(i);
    if (ch === 10) starts.push(i + 1);
    else if (ch === 13 && source.charCodeAt(i + 1) !== 10) starts.push(i + 1);
  }
  return starts;
}

function expectedPosition(starts: number[], offset: number): { line: number; column: number } {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((starts[mid] ?? 0) <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo + 1, column: offset - (starts[lo] ?? 0) + 1 };
}

/** Problems with one span, or an empty list; lines and columns are checked unless `starts` is null. */
function spanProblems(source: string, starts: number[] | null, span: Span, what: string): string[] {
  const problems: string[] = [];
  const check = (p: Position, which: string): void => {
    if (!Number.isInteger(p.offset) || p.offset < 0 || p.offset > source.length) {
      problems.push(`${what}: ${which} offset ${p.offset} outside [0, ${source.length}]`);
      return;
    }
    if (starts === null) return;
    const want = expectedPosition(starts, p.offset);
    if (p.line !== want.line || p.column !== want.column) {
      problems.push(
        `${what}: ${which} offset ${p.offset} at ${p.line}:${p.column}, expected ${want.line}:${want.column}`,
      );
    }
  };
  check(span.start, "start");
  check(span.end, "end");
  if (span.start.offset > span.end.offset) problems.push(`${what}: start after end`);
  return problems;
}

/** Checks every `span` (and `keywordSpan`) in the AST; comment texts must match the source. */
function astSpanProblems(source: string, starts: number[] | null, node: unknown, path: string, out: string[]): void {
  if (Array.isArray(node)) {
    node.forEach((child, i) => astSpanProblems(source, starts, child, `${path}[${i}]`, out));
    return;
  }
  if (node === null || typeof node !== "object") return;
  const record = node as Record<string, unknown>;
  for (const [key, value] of Object.entries(record)) {
    if (key === "span" || key === "keywordSpan") {
      out.push(...spanProblems(source, starts, value as Span, `${path}.${key}`));
    } else {
      astSpanProblems(source, starts, value, `${path}.${key}`, out);
    }
  }
  if ((record["kind"] === "line" || record["kind"] === "block") && typeof record["text"] === "string") {
    const span = record["span"] as Span;
    if (source.slice(span.start.offset, span.end.offset) !== record["text"]) {
      out.push(`${path}: comment text is not the source under its span`);
    }
  }
}

// ---------------------------------------------------------------- the test

function timeParseAndFormat(text: string): number {
  const started = performance.now();
  parse(text);
  format(text);
  return performance.now() - started;
}

interface Failure {
  seed: number;
  file: string;
  applied: string[];
  input: string;
  problem: string;
}

function describeFailure(f: Failure): string {
  return `seed ${f.seed} (${f.file}; ${f.applied.join(", ")}): ${f.problem}\ninput: ${JSON.stringify(f.input)}`;
}

describe("mutation fuzzing of parse and format", () => {
  it("has inputs", () => {
    expect(sources.length).toBeGreaterThan(0);
  });

  it(
    `survives ${MUTANTS_PER_FILE} seeded mutants of each file`,
    () => {
      const failures: Failure[] = [];
      let slowest = 0;
      let mutants = 0;
      let accepted = 0;
      sources.forEach((file, fileIndex) => {
        const original = readFileSync(file, "utf8");
        const name = relative(ROOT, file);
        for (let k = 0; k < MUTANTS_PER_FILE; k++) {
          const seed = SEED_BASE + fileIndex * 100_000 + k;
          const { text, applied } = mutate(original, rng(seed));
          mutants++;
          const fail = (problem: string): void => {
            failures.push({ seed, file: name, applied, input: text, problem });
          };
          const started = performance.now();
          let parsed;
          let formatted;
          try {
            parsed = parse(text, { file: name });
            formatted = format(text, { file: name });
          } catch (error) {
            fail(`threw ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
            continue;
          }
          let elapsed = performance.now() - started;
          if (elapsed > TIME_LIMIT_MS) {
            // A shared, loaded machine stalls now and then: only a repeatable slowness counts.
            elapsed = Math.min(elapsed, timeParseAndFormat(text), timeParseAndFormat(text));
            if (elapsed > TIME_LIMIT_MS) fail(`took ${elapsed.toFixed(0)} ms`);
          }
          slowest = Math.max(slowest, elapsed);
          if (k % COMPILE_EVERY === 0) {
            try {
              compileSource(text, { file: name });
            } catch (error) {
              fail(`compileSource threw ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
            }
          }

          const starts = lineIndex(text);
          const problems: string[] = [];
          parsed.diagnostics.forEach((d, i) => {
            problems.push(...spanProblems(text, starts, d.span, `diagnostic ${i} ${d.code} "${d.message}"`));
            if (!/^MTSL\d{4}$/.test(d.code)) problems.push(`diagnostic ${i}: bad code ${d.code}`);
            if (d.message.trim() === "") problems.push(`diagnostic ${i}: empty message`);
          });
          astSpanProblems(text, starts, parsed.document, "document", problems);
          for (const problem of problems) fail(problem);

          if (formatted.text !== null) {
            accepted++;
            const again = format(formatted.text);
            if (again.text !== formatted.text)
              fail(`format is not idempotent; first output ${JSON.stringify(formatted.text)}`);
          } else if (!formatted.diagnostics.some((d) => d.severity === "error")) {
            fail("format refused without an error diagnostic");
          }
        }
      });
      // FUZZ_DUMP=DIR writes each failing input to DIR/SEED.mtsl, to replay outside the test.
      const dump = process.env["FUZZ_DUMP"];
      if (dump) {
        mkdirSync(dump, { recursive: true });
        for (const f of failures) writeFileSync(join(dump, `${f.seed}.mtsl`), f.input);
      }
      // Ten of the first failures are enough to see what is wrong.
      expect(failures.slice(0, 10).map(describeFailure)).toEqual([]);
      expect(mutants).toBe(sources.length * MUTANTS_PER_FILE);
      // Some mutants (e.g. a duplicated comment) stay valid: the accepting path is exercised too.
      expect(accepted).toBeGreaterThan(0);
      if (process.env["FUZZ_MUTANTS"] !== undefined) {
        console.log(`${mutants} mutants, ${accepted} accepted by format, slowest ${slowest.toFixed(1)} ms`);
      }
      expect(slowest).toBeLessThan(TIME_LIMIT_MS);
    },
    Math.max(60_000, sources.length * MUTANTS_PER_FILE * 5),
  );
});

describe("line breaks", () => {
  // Token positions (Chevrotain) and positionAt (lexer errors, end of file) both count
  // \n, \r\n and a lone \r as line breaks, so a file has one line numbering.
  it("positions agree on line numbers after a lone CR", () => {
    const text = "model M {\r  input image: f32[8, 8, 1]\r  ?\r";
    const { document, diagnostics } = parse(text);
    const starts = lineIndex(text);
    const problems: string[] = [];
    diagnostics.forEach((d, i) => problems.push(...spanProblems(text, starts, d.span, `diagnostic ${i}`)));
    astSpanProblems(text, starts, document, "document", problems);
    expect(problems).toEqual([]);
  });
});
