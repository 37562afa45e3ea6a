import { diagnosticsToJson, renderDiagnostic, summarize, type JsonDiagnostic } from "../../grammar/render.js";
import type { Diagnostic } from "../../grammar/diagnostics.js";
import { diagnoseSource } from "../diagnose.js";
import { EXIT, readSource, useColor, type CliContext } from "../io.js";
import { explanation } from "./explain.js";

export interface CheckOptions {
  format: "text" | "json";
  quiet?: boolean;
  /** After the diagnostics, the long description of each code they carry (text format). */
  explain?: boolean;
}

/** Every diagnostic of one source text: what `compile` would report, data binding included. */
export async function diagnose(source: string, file: string): Promise<Diagnostic[]> {
  return (await diagnoseSource(source, file)).diagnostics;
}

export async function runCheck(files: string[], options: CheckOptions, ctx: CliContext): Promise<number> {
  let exit: number = EXIT.ok;
  const json: JsonDiagnostic[] = [];
  const color = useColor(ctx, ctx.stderr);
  const codes = new Set<string>();
  for (const file of files) {
    const read = readSource(file);
    if (!read.ok) {
      ctx.stderr.write(`mtslc: error: ${read.message}\n`);
      exit = EXIT.usage;
      continue;
    }
    const diagnostics = await diagnose(read.text, file);
    if (diagnostics.some((d) => d.severity === "error") && exit === EXIT.ok) exit = EXIT.problems;
    if (options.format === "json") {
      json.push(...diagnosticsToJson(diagnostics, file));
      continue;
    }
    for (const d of diagnostics) {
      ctx.stderr.write(renderDiagnostic(d, read.text, file, { color }) + "\n\n");
      codes.add(d.code);
    }
    if (!options.quiet) {
      const verdict = diagnostics.length === 0 ? "ok" : summarize(diagnostics);
      ctx.stdout.write(`${file}: ${verdict}\n`);
    }
  }
  if (options.format === "json") ctx.stdout.write(JSON.stringify(json, null, 2) + "\n");
  else if (options.explain) {
    for (const code of [...codes].sort()) ctx.stdout.write(`\n${explanation(code) ?? `${code}: no description\n`}`);
  }
  return exit;
}
