/** `mtslc report RUN_DIR`: writes a self-contained HTML report of a run (default RUN_DIR/report.html). */
import { join } from "node:path";
import { EXIT, reportRuntimeError, type CliContext } from "../io.js";

export interface ReportCliOptions {
  baseline?: string[];
  output?: string;
  quiet?: boolean;
}

export async function runReport(dir: string, options: ReportCliOptions, ctx: CliContext): Promise<number> {
  const { MtslError } = await import("../../runtime/errors.js");
  const { buildReport } = await import("../../runtime/report/build.js");
  const { writeFileAtomic } = await import("../../runtime/io/atomic.js");
  const { checkOutputFile } = await import("../../runtime/io/output-path.js");
  const out = options.output ?? join(dir, "report.html");
  if (options.output !== undefined) {
    try {
      checkOutputFile(out, "-o");
    } catch (error) {
      return reportRuntimeError(ctx, error) ?? EXIT.usage;
    }
  }
  try {
    const html = await buildReport(dir, options.baseline ? { baselines: options.baseline } : {});
    writeFileAtomic(out, html);
    if (!options.quiet) ctx.stderr.write(`wrote ${out} (${Math.round(html.length / 1024)} KB)\n`);
    return EXIT.ok;
  } catch (error) {
    if (error instanceof MtslError) {
      ctx.stderr.write(`mtslc: error ${error.code}: ${error.message.replace(/^MTSL\d{4}: /, "")}\n`);
      return EXIT.problems;
    }
    throw error;
  }
}
