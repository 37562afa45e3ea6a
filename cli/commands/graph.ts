/**
 * `mtslc graph FILE [--format svg|dot|mermaid] [-o OUT]`: the sharing tree as a
 * picture. Without `--format` the format follows the extension of OUT (`.svg`,
 * `.dot`/`.gv`, `.mmd`/`.mermaid`; another extension such as `.png` is refused), else
 * SVG. Without `-o` the picture goes to
 * stdout. Exit 0 written, 1 the file has errors, 2 unreadable file, bad format
 * or unwritable output.
 */
import { extname } from "node:path";
import { compileSource } from "../../compiler/compile.js";
import { graphDot } from "../../compiler/graph/dot.js";
import { graphMermaid } from "../../compiler/graph/mermaid.js";
import { graphSvg } from "../../compiler/graph/svg.js";
import type { IrModel } from "../../compiler/ir/types.js";
import { renderDiagnostic } from "../../grammar/render.js";
import { writeFileAtomic } from "../../runtime/io/atomic.js";
import { checkOutputFile } from "../../runtime/io/output-path.js";
import { EXIT, readSource, useColor, type CliContext, reportRuntimeError } from "../io.js";

export type GraphFormat = "svg" | "dot" | "mermaid";
export const GRAPH_FORMATS: readonly GraphFormat[] = ["svg", "dot", "mermaid"];

export interface GraphOptions {
  format?: GraphFormat;
  /** Output file (`-o`); stdout when absent. */
  output?: string;
}

const BY_EXTENSION: Record<string, GraphFormat> = {
  ".svg": "svg",
  ".dot": "dot",
  ".gv": "dot",
  ".mmd": "mermaid",
  ".mermaid": "mermaid",
};

/**
 * The format to write: `--format`, else the output file's extension, else (no extension, or
 * stdout) SVG; null for an extension that names another format (`x.png`): refused, not
 * written as SVG under a name that says otherwise.
 */
export function graphFormat(options: GraphOptions): GraphFormat | null {
  if (options.format) return options.format;
  const ext = options.output ? extname(options.output).toLowerCase() : "";
  return ext === "" ? "svg" : (BY_EXTENSION[ext] ?? null);
}

/** The picture of `ir` in `format`. */
export async function renderGraph(ir: IrModel, format: GraphFormat): Promise<string> {
  switch (format) {
    case "dot":
      return graphDot(ir);
    case "mermaid":
      return graphMermaid(ir);
    case "svg":
      return graphSvg(ir);
  }
}

export async function runGraph(file: string, options: GraphOptions, ctx: CliContext): Promise<number> {
  if (options.format !== undefined && !GRAPH_FORMATS.includes(options.format)) {
    ctx.stderr.write(
      `mtslc graph: unknown format '${String(options.format)}' (expected ${GRAPH_FORMATS.join(", ")})\n`,
    );
    return EXIT.usage;
  }
  const format = graphFormat(options);
  if (format === null) {
    ctx.stderr.write(
      `mtslc graph: cannot tell a format from the name '${options.output}': graph writes SVG (.svg), ` +
        `Graphviz DOT (.dot, .gv) and Mermaid (.mmd, .mermaid); name the file so, or choose one with --format\n`,
    );
    return EXIT.usage;
  }
  const read = readSource(file);
  if (!read.ok) {
    ctx.stderr.write(`mtslc: error: ${read.message}\n`);
    return EXIT.usage;
  }
  if (options.output !== undefined) {
    try {
      checkOutputFile(options.output, "-o");
    } catch (error) {
      return reportRuntimeError(ctx, error) ?? EXIT.usage;
    }
  }
  const result = compileSource(read.text, { file });
  const color = useColor(ctx, ctx.stderr);
  for (const d of result.diagnostics) ctx.stderr.write(renderDiagnostic(d, read.text, file, { color }) + "\n\n");
  if (!result.ir) return EXIT.problems;
  const picture = await renderGraph(result.ir, format);
  if (options.output === undefined) {
    ctx.stdout.write(picture);
    return EXIT.ok;
  }
  try {
    writeFileAtomic(options.output, picture);
  } catch (error) {
    ctx.stderr.write(`mtslc: error: cannot write '${options.output}': ${(error as Error).message}\n`);
    return EXIT.usage;
  }
  ctx.stdout.write(`wrote ${options.output}\n`);
  return EXIT.ok;
}
