import { format } from "../../grammar/format.js";
import { renderDiagnostic } from "../../grammar/render.js";
import { writeFileAtomic } from "../../runtime/io/atomic.js";
import { EXIT, readSource, useColor, type CliContext } from "../io.js";

export interface FmtOptions {
  check?: boolean;
  write?: boolean;
}

/**
 * `mtslc fmt`: prints the canonical layout (default), lists files that would
 * change (`--check`, exit 1 if any), or rewrites them in place (`--write`,
 * atomically). A file with syntax errors is never formatted: its errors are shown.
 */
export function runFmt(files: string[], options: FmtOptions, ctx: CliContext): number {
  let exit: number = EXIT.ok;
  const color = useColor(ctx, ctx.stderr);
  const unformatted: string[] = [];
  for (const file of files) {
    const read = readSource(file);
    if (!read.ok) {
      ctx.stderr.write(`mtslc: error: ${read.message}\n`);
      exit = EXIT.usage;
      continue;
    }
    const result = format(read.text, { file });
    if (result.text === null) {
      for (const d of result.diagnostics.filter((x) => x.severity === "error")) {
        ctx.stderr.write(renderDiagnostic(d, read.text, file, { color }) + "\n\n");
      }
      ctx.stderr.write(`mtslc: ${file}: not formatted: it has syntax errors\n`);
      if (exit === EXIT.ok) exit = EXIT.problems;
      continue;
    }
    if (options.check) {
      if (result.changed) unformatted.push(file);
    } else if (options.write) {
      if (result.changed) {
        try {
          writeFileAtomic(file, result.text);
          ctx.stdout.write(`formatted ${file}\n`);
        } catch (error) {
          ctx.stderr.write(`mtslc: error: cannot write '${file}': ${(error as Error).message}\n`);
          exit = EXIT.usage;
        }
      }
    } else {
      ctx.stdout.write(result.text);
    }
  }
  if (options.check) {
    for (const file of unformatted) ctx.stderr.write(`would reformat ${file}\n`);
    if (unformatted.length > 0) {
      ctx.stderr.write(
        `${unformatted.length} file${unformatted.length === 1 ? "" : "s"} would be reformatted; run mtslc fmt --write\n`,
      );
      if (exit === EXIT.ok) exit = EXIT.problems;
    }
  }
  return exit;
}
