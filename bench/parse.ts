/**
 * `npm run bench:parse`: throughput of the language front end (grammar/parse.ts
 * `parse`) and the semantic checks (compiler/check `check`) on a generated,
 * valid `.mtsl` file of 10,000+ lines, in lines per second.
 *
 * Cold: the first call in a fresh Node process (a child process per sample;
 * module loading is timed separately and not included). Warm: the median of
 * repeated calls in this process after warm-up calls. Figures are printed,
 * never asserted.
 *
 * Scaling: parse + check of files growing along one axis at a time (tasks, stages, sharing
 * groups, one long line, many errors; bench/lib/scaling.ts) at 1x, 10x and 100x a base size,
 * warm, as time per 1,000 characters: linear cost is the same figure at every size.
 *
 * Options: --repeats N (warm samples, default 15), --cold N (fresh processes, default 3),
 *          --stages N, --tasks N (size of the generated model), --skip-scaling,
 *          --scaling-only.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

import { childArgs, isChild, runChild } from "./lib/child.js";
import { numberArg } from "./lib/args.js";
import { generateModelSource, lineCount } from "./lib/generate.js";
import { loadLine, machineLines } from "./lib/machine.js";
import { fmt, median } from "./lib/stats.js";
import { SCALING_AXES } from "./lib/scaling.js";
import { markdownTable } from "./lib/table.js";

interface ColdSample {
  /** Time to import the parser and the checker, ms. */
  importMs: number;
  parseMs: number;
  checkMs: number;
  diagnostics: number;
}

/** Child mode: import, then one parse and one check of the file, timed. */
async function child(file: string): Promise<void> {
  const source = readFileSync(file, "utf8");
  const t0 = performance.now();
  const { parse } = await import("../grammar/parse.js");
  const { check } = await import("../compiler/check/index.js");
  const t1 = performance.now();
  const parsed = parse(source, { file });
  const t2 = performance.now();
  const checked = check(parsed.document);
  const t3 = performance.now();
  const sample: ColdSample = {
    importMs: t1 - t0,
    parseMs: t2 - t1,
    checkMs: t3 - t2,
    diagnostics: parsed.diagnostics.length + checked.length,
  };
  console.log(JSON.stringify(sample));
}

/** The scaling table: per axis, the warm time per 1,000 characters at 1x, 10x and 100x. */
async function scaling(): Promise<void> {
  const { parse } = await import("../grammar/parse.js");
  const { check } = await import("../compiler/check/index.js");
  const rows: string[][] = [];
  for (const axis of SCALING_AXES) {
    let perKiloBase = NaN;
    for (const n of [1, 10, 100]) {
      const source = axis.source(n);
      const samples: number[] = [];
      let diagnostics = 0;
      for (let i = 0; i < (n === 100 ? 3 : 7); i++) {
        const t0 = performance.now();
        const parsed = parse(source);
        const checked = parsed.checkable ? check(parsed.document) : [];
        samples.push(performance.now() - t0);
        diagnostics = parsed.diagnostics.length + checked.length;
      }
      const ms = median(samples.slice(1));
      const perKilo = (ms / source.length) * 1000;
      if (n === 1) perKiloBase = perKilo;
      rows.push([
        n === 1 ? axis.name : "",
        `${n}x: ${axis.describe(n)}`,
        fmt(source.length),
        fmt(diagnostics),
        fmt(ms, 1),
        fmt(perKilo * 1000, 0),
        `${fmt(perKilo / perKiloBase, 2)}x`,
      ]);
    }
  }
  console.log("");
  console.log("## scaling: parse + check, warm (median of the repeats after the first)");
  console.log(
    markdownTable(["axis", "size", "characters", "diagnostics", "ms", "µs per 1,000 chars", "vs 1x"], rows, [
      "left",
      "left",
      "right",
      "right",
      "right",
      "right",
      "right",
    ]),
  );
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args.includes("--scaling-only")) {
    console.log("# bench:parse: scaling");
    for (const l of machineLines()) console.log(l);
    console.log(loadLine("start"));
    await scaling();
    console.log(loadLine("end"));
    return;
  }
  const repeats = numberArg(args, "--repeats", 15);
  const colds = numberArg(args, "--cold", 3);
  const stages = numberArg(args, "--stages", 4000);
  const tasks = numberArg(args, "--tasks", 40);

  console.log("# bench:parse: parse + check throughput");
  for (const l of machineLines()) console.log(l);
  console.log(loadLine("start"));

  const source = generateModelSource({ name: "ParseBench", tasks, stages, commentEvery: 3, rowPerStage: true });
  const lines = lineCount(source);
  const dir = mkdtempSync(join(tmpdir(), "mtsl-bench-parse-"));
  const file = join(dir, "parse-bench.mtsl");
  writeFileSync(file, source);
  console.log(
    `input: generated model, ${fmt(lines)} lines, ${fmt(source.length)} characters, ${tasks} tasks, ${stages} stages ` +
      `(line comments every 3 stages and rows, one sharing row per stage)`,
  );

  const { parse } = await import("../grammar/parse.js");
  const { check } = await import("../compiler/check/index.js");
  const first = parse(source, { file });
  const firstChecks = check(first.document);
  if (first.diagnostics.length + firstChecks.length > 0) {
    const d = [...first.diagnostics, ...firstChecks][0]!;
    throw new Error(`the generated file is not clean: ${d.code} ${d.message} at line ${d.span.start.line}`);
  }

  // Cold: fresh processes, one after another.
  const script = fileURLToPath(import.meta.url);
  const cold: ColdSample[] = [];
  for (let i = 0; i < colds; i++) cold.push(runChild<ColdSample>(script, [file]));
  rmSync(dir, { recursive: true, force: true });

  // Warm: this process, after two warm-up rounds.
  const parseMs: number[] = [];
  const checkMs: number[] = [];
  const bothMs: number[] = [];
  for (let i = 0; i < repeats + 2; i++) {
    const t0 = performance.now();
    const parsed = parse(source, { file });
    const t1 = performance.now();
    check(parsed.document);
    const t2 = performance.now();
    if (i < 2) continue;
    parseMs.push(t1 - t0);
    checkMs.push(t2 - t1);
    bothMs.push(t2 - t0);
  }

  const coldParse = median(cold.map((c) => c.parseMs));
  const coldCheck = median(cold.map((c) => c.checkMs));
  const coldBoth = median(cold.map((c) => c.parseMs + c.checkMs));
  const row = (what: string, coldMs: number, warm: number[]): string[] => [
    what,
    fmt(coldMs, 1),
    fmt((lines / coldMs) * 1000),
    fmt(median(warm), 1),
    fmt(Math.min(...warm), 1),
    fmt((lines / median(warm)) * 1000),
  ];
  console.log("");
  console.log(
    markdownTable(
      ["phase", "cold ms", "cold lines/s", "warm median ms", "warm min ms", "warm lines/s"],
      [row("parse", coldParse, parseMs), row("check", coldCheck, checkMs), row("parse + check", coldBoth, bothMs)],
      ["left", "right", "right", "right", "right", "right"],
    ),
  );
  console.log(
    `cold = median of ${colds} fresh processes (first call; importing the parser and checker took a median ` +
      `${fmt(median(cold.map((c) => c.importMs)), 0)} ms more, not counted); warm = ${repeats} calls after 2 warm-up calls.`,
  );
  if (!args.includes("--skip-scaling")) await scaling();
  console.log(loadLine("end"));
}

if (isChild()) {
  const [file] = childArgs();
  if (file === undefined) throw new Error("child mode needs a file");
  await child(file);
} else {
  await main();
}
