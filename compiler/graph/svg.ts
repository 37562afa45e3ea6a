/** The sharing tree as SVG: the DOT text laid out by Graphviz (compiled to WebAssembly, offline). */
import { instance, type Viz } from "@viz-js/viz";
import type { IrModel } from "../ir/types.js";
import { graphDot } from "./dot.js";

let viz: Promise<Viz> | null = null;

/** Renders DOT text to SVG with the bundled Graphviz; throws on invalid DOT. */
export async function dotToSvg(dot: string): Promise<string> {
  viz ??= instance();
  return (await viz).renderString(dot, { format: "svg", engine: "dot" });
}

/** The sharing tree of `ir` as an SVG document (see {@link graphDot} for what it shows). */
export async function graphSvg(ir: IrModel): Promise<string> {
  return dotToSvg(graphDot(ir));
}
