import { parse } from "../../grammar/parse.js";
import { diagnosticsToJson, renderDiagnostic, summarize, type JsonDiagnostic } from "../../grammar/render.js";
import type { Diagnostic } from "../../grammar/diagnostics.js";
import { check } from "../../compiler/check/index.js";
import { orderDiagnostics } from "../../compiler/check/diagnostic.js";
import { EXIT, readSource, useColor, type CliContext } from "../io.js";

export interface CheckOptions {
  format: "text" | "json";
  quiet?: boolean;
}

/** Parse and semantic diagnostics of one source text. */
export function diagnose(source: string, file: string): Diagnostic[] {
  const parsed = parse(source, { file });
  if (!parsed.checkable) return parsed.diagnostics;
  return orderDiagnostics([...parsed.diagnostics, ...check(parsed.document)]);
}

export function runCheck(files: string[], options: CheckOptions, ctx: CliContext): number {
  let exit: number = EXIT.ok;
  const json: JsonDiagnostic[] = [];
  const color = useColor(ctx, ctx.stderr);
  for (const file of files) {
    const read = readSource(file);
    if (!read.ok) {
      ctx.stderr.write(`mtslc: error: ${read.message}\n`);
      exit = EXIT.usage;
      continue;
    }
    const diagnostics = diagnose(read.text, file);
    if (diagnostics.some((d) => d.severity === "error") && exit === EXIT.ok) exit = EXIT.problems;
    if (options.format === "json") {
      json.push(...diagnosticsToJson(diagnostics, file));
      continue;
    }
    for (const d of diagnostics) ctx.stderr.write(renderDiagnostic(d, read.text, file, { color }) + "\n\n");
    if (!options.quiet) {
      const verdict = diagnostics.length === 0 ? "ok" : summarize(diagnostics);
      ctx.stdout.write(`${file}: ${verdict}\n`);
    }
  }
  if (options.format === "json") ctx.stdout.write(JSON.stringify(json, null, 2) + "\n");
  return exit;
}
