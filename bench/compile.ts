/**
 * `npm run bench:compile`: throughput of `compileSource` (compiler/compile.ts:
 * parse, checks, lowering to the IR with shape inference, IR lint) on a large
 * generated model (200 stages x 20 tasks, partly shared) and on every
 * examples/*.mtsl, and the time of the TypeScript code generator
 * (`generateModelModule`, ts-morph + prettier) for examples/scenes.mtsl.
 *
 * Cold: the first call in a fresh Node process (one child process per sample;
 * module loading is not included). Warm: the median of repeated calls in this
 * process after warm-up calls. Figures are printed, never asserted.
 *
 * Options: --repeats N (warm samples, default 15; codegen uses a third of it, at least 3),
 *          --cold N (fresh processes per input, default 3).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";

import { childArgs, isChild, runChild } from "./lib/child.js";
import { numberArg } from "./lib/args.js";
import { generateModelSource, lineCount } from "./lib/generate.js";
import { loadLine, machineLines } from "./lib/machine.js";
import { fmt, median } from "./lib/stats.js";
import { markdownTable } from "./lib/table.js";

interface ColdSample {
  importMs: number;
  compileMs: number;
  /** First codegen call, when asked for. */
  codegenMs: number | null;
}

/** Child mode: the first compile (and, with "codegen", the first code generation) in this process. */
async function child(file: string, withCodegen: boolean): Promise<void> {
  const source = readFileSync(file, "utf8");
  const t0 = performance.now();
  const { compileSource } = await import("../compiler/compile.js");
  const { generateModelModule } = withCodegen
    ? await import("../compiler/codegen/generate.js")
    : { generateModelModule: null };
  const t1 = performance.now();
  const result = compileSource(source, { file });
  const t2 = performance.now();
  if (!result.ir) throw new Error(`${file} does not compile: ${result.diagnostics[0]?.message ?? "?"}`);
  let codegenMs: number | null = null;
  if (generateModelModule) {
    const t3 = performance.now();
    await generateModelModule(result.ir);
    codegenMs = performance.now() - t3;
  }
  const sample: ColdSample = { importMs: t1 - t0, compileMs: t2 - t1, codegenMs };
  console.log(JSON.stringify(sample));
}

interface Input {
  label: string;
  file: string;
  source: string;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const repeats = numberArg(args, "--repeats", 15);
  const colds = numberArg(args, "--cold", 3);
  const root = fileURLToPath(new URL("..", import.meta.url));
  const script = fileURLToPath(import.meta.url);

  console.log("# bench:compile: compileSource and code generation");
  for (const l of machineLines()) console.log(l);
  console.log(loadLine("start"));

  const dir = mkdtempSync(join(tmpdir(), "mtsl-bench-compile-"));
  const generated = generateModelSource({ name: "CompileBench", tasks: 20, stages: 200, commentEvery: 10 });
  const generatedFile = join(dir, "compile-bench.mtsl");
  writeFileSync(generatedFile, generated);
  const inputs: Input[] = [{ label: "generated 200 stages x 20 tasks", file: generatedFile, source: generated }];
  const examplesDir = join(root, "examples");
  for (const name of readdirSync(examplesDir)
    .filter((f) => f.endsWith(".mtsl"))
    .sort()) {
    const file = join(examplesDir, name);
    inputs.push({ label: `examples/${name}`, file, source: readFileSync(file, "utf8") });
  }

  const { compileSource } = await import("../compiler/compile.js");
  const { generateModelModule } = await import("../compiler/codegen/generate.js");

  const rows: string[][] = [];
  const notes: string[] = [];
  for (const input of inputs) {
    const first = compileSource(input.source, { file: input.file });
    if (!first.ir) {
      const d = first.diagnostics.find((x) => x.severity === "error");
      console.log(`skipped ${input.label}: it does not compile (${d?.code ?? "?"} ${d?.message ?? ""})`);
      continue;
    }
    const ir = first.ir;
    const lines = lineCount(input.source);
    if (input.file === generatedFile) {
      notes.push(
        `generated model: ${ir.stages.length} stages, ${ir.tasks.length} tasks, ${ir.instances.length} stage instances, ` +
          `${fmt(ir.totals.params)} parameters (one network per task: ${fmt(ir.totals.separateParams)})`,
      );
    }
    const cold: ColdSample[] = [];
    for (let i = 0; i < colds; i++) cold.push(runChild<ColdSample>(script, [input.file]));
    const warm: number[] = [];
    for (let i = 0; i < repeats + 2; i++) {
      const t0 = performance.now();
      compileSource(input.source, { file: input.file });
      const ms = performance.now() - t0;
      if (i >= 2) warm.push(ms);
    }
    const coldMs = median(cold.map((c) => c.compileMs));
    rows.push([
      input.label,
      fmt(lines),
      String(ir.instances.length),
      fmt(coldMs, 1),
      fmt((lines / coldMs) * 1000),
      fmt(median(warm), 2),
      fmt(Math.min(...warm), 2),
      fmt((lines / median(warm)) * 1000),
    ]);
  }
  console.log("");
  console.log("compileSource (parse + check + lower + shape inference + lint):");
  console.log(
    markdownTable(
      ["input", "lines", "instances", "cold ms", "cold lines/s", "warm median ms", "warm min ms", "warm lines/s"],
      rows,
      ["left", "right", "right", "right", "right", "right", "right", "right"],
    ),
  );
  for (const n of notes) console.log(n);

  // Code generation for examples/scenes.mtsl.
  const scenesFile = join(examplesDir, "scenes.mtsl");
  const scenes = compileSource(readFileSync(scenesFile, "utf8"), { file: scenesFile });
  if (!scenes.ir) {
    console.log("codegen skipped: examples/scenes.mtsl does not compile");
  } else {
    const cold: ColdSample[] = [];
    for (let i = 0; i < colds; i++) cold.push(runChild<ColdSample>(script, [scenesFile, "codegen"]));
    const codegenRepeats = Math.max(3, Math.floor(repeats / 3));
    const warm: number[] = [];
    let size = 0;
    for (let i = 0; i < codegenRepeats + 1; i++) {
      const t0 = performance.now();
      const text = await generateModelModule(scenes.ir);
      const ms = performance.now() - t0;
      size = text.length;
      if (i >= 1) warm.push(ms);
    }
    console.log("");
    console.log("generateModelModule (ts-morph + prettier) for examples/scenes.mtsl:");
    console.log(
      markdownTable(
        ["input", "module chars", "cold ms", "warm median ms", "warm min ms"],
        [
          [
            basename(scenesFile),
            fmt(size),
            fmt(median(cold.map((c) => c.codegenMs ?? NaN)), 1),
            fmt(median(warm), 1),
            fmt(Math.min(...warm), 1),
          ],
        ],
        ["left", "right", "right", "right", "right"],
      ),
    );
    console.log(
      `codegen cold = first call in a fresh process after one compile (median of ${colds}); warm = ${codegenRepeats} calls after 1 warm-up.`,
    );
  }
  rmSync(dir, { recursive: true, force: true });
  console.log(
    `compile cold = median of ${colds} fresh processes (first call; module import not counted); warm = ${repeats} calls after 2 warm-up calls.`,
  );
  console.log(loadLine("end"));
}

if (isChild()) {
  const [file, mode] = childArgs();
  if (file === undefined) throw new Error("child mode needs a file");
  await child(file, mode === "codegen");
} else {
  await main();
}
