import { basename, join } from "node:path";
import { irToJson } from "../../compiler/ir/json.js";
import { printIr } from "../../compiler/ir/print.js";
import { summarize } from "../../compiler/summary.js";
import { diagnosticsToJson, renderDiagnostic } from "../../grammar/render.js";
import { writeFileAtomic } from "../../runtime/io/atomic.js";
import { checkOutputFolder, ensureOutputFolder } from "../../runtime/io/output-path.js";
import { diagnoseSource } from "../diagnose.js";
import { EXIT, readSource, reportRuntimeError, useColor, type CliContext } from "../io.js";
import { formatTable, humanCount } from "../table.js";

export type Emit = "ir" | "text" | "ts" | "summary";

export interface CompileOptions {
  out: string;
  emit: Emit[];
  json?: boolean;
  quiet?: boolean;
}

/** The summary table of an IR, as printed by `mtslc compile`. */
export function summaryTable(ir: Parameters<typeof summarize>[0]): string {
  const s = summarize(ir);
  const rows = s.rows.map((r) => [
    r.id,
    r.tasks.join(" "),
    `[${r.outShape.join(", ")}]`,
    humanCount(r.params),
    humanCount(r.flops),
  ]);
  const table = formatTable(["instance", "tasks", "output", "params", "FLOPs"], rows, [
    "left",
    "left",
    "left",
    "right",
    "right",
  ]);
  const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;
  return (
    table +
    `\ntotal: ${humanCount(s.totals.params)} parameters, ${humanCount(s.totals.flops)} FLOPs per sample\n` +
    `one network per task: ${humanCount(s.totals.separateParams)} parameters, ${humanCount(s.totals.separateFlops)} FLOPs ` +
    `(this model: ${pct(s.paramRatio)} of the parameters, ${pct(s.flopRatio)} of the FLOPs)\n`
  );
}

export async function runCompile(file: string, options: CompileOptions, ctx: CliContext): Promise<number> {
  const read = readSource(file);
  if (!read.ok) {
    ctx.stderr.write(`mtslc: error: ${read.message}\n`);
    return EXIT.usage;
  }
  // The output folder is checked before any work (created only once the file compiles).
  try {
    checkOutputFolder(options.out, "-o");
  } catch (error) {
    return reportRuntimeError(ctx, error) ?? EXIT.usage;
  }
  const result = await diagnoseSource(read.text, file);
  const color = useColor(ctx, ctx.stderr);
  const diagnostics = diagnosticsToJson(result.diagnostics, file);
  if (options.json) {
    // An editor reads every diagnostic from stdout, whether or not the file compiles.
    if (!result.ir) ctx.stdout.write(JSON.stringify({ written: [], diagnostics }, null, 2) + "\n");
  } else {
    for (const d of result.diagnostics) ctx.stderr.write(renderDiagnostic(d, read.text, file, { color }) + "\n\n");
  }
  if (!result.ir) return EXIT.problems;
  const ir = result.ir;
  const name = basename(file).replace(/\.mtsl$/, "");
  const written: string[] = [];
  try {
    ensureOutputFolder(options.out, "-o");
    if (options.emit.includes("ir")) {
      const path = join(options.out, `${name}.ir.json`);
      writeFileAtomic(path, irToJson(ir));
      written.push(path);
    }
    if (options.emit.includes("text")) {
      const path = join(options.out, `${name}.ir.txt`);
      writeFileAtomic(path, printIr(ir));
      written.push(path);
    }
    if (options.emit.includes("ts")) {
      const { generateModelModule } = await import("../../compiler/codegen/generate.js");
      const path = join(options.out, `${name}.model.ts`);
      writeFileAtomic(path, await generateModelModule(ir));
      written.push(path);
    }
  } catch (error) {
    const code = reportRuntimeError(ctx, error);
    if (code !== null) return code;
    ctx.stderr.write(`mtslc: error: cannot write to '${options.out}': ${(error as Error).message}\n`);
    return EXIT.usage;
  }
  if (options.json) {
    ctx.stdout.write(JSON.stringify({ written, diagnostics, summary: summarize(ir) }, null, 2) + "\n");
  } else if (!options.quiet) {
    if (options.emit.includes("summary")) ctx.stdout.write(summaryTable(ir));
    for (const p of written) ctx.stdout.write(`wrote ${p}\n`);
  }
  return EXIT.ok;
}
