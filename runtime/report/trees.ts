/** Pictures of the sharing tree after every revision, with the instances a merge created highlighted. */
import { dotString, dotToSvg, graphDot } from "../../compiler/graph/index.js";
import type { IrModel } from "../../compiler/ir/types.js";

/** The colour of merged instances in the tree pictures. */
export const MERGE_COLOUR = "#d35400";

/**
 * The DOT text of `ir`'s sharing tree with the instances `highlight` drawn with
 * a thick orange border (later node statements add attributes in DOT).
 */
export function highlightedDot(ir: IrModel, highlight: readonly string[]): string {
  const dot = graphDot(ir).trimEnd();
  if (highlight.length === 0) return dot + "\n";
  const known = new Set(ir.instances.map((i) => i.id));
  const extra = highlight
    .filter((id) => known.has(id))
    .map((id) => `  ${dotString(id)} [color=${dotString(MERGE_COLOUR)}, penwidth=3.5];`);
  return dot.replace(/\}$/, `${extra.join("\n")}\n}`) + "\n";
}

/** Instance ids of `next` that `previous` did not have: what a revision created. */
export function createdInstances(previous: IrModel | null, next: IrModel): string[] {
  const before = new Set(previous?.instances.map((i) => i.id) ?? []);
  return previous ? next.instances.map((i) => i.id).filter((id) => !before.has(id)) : [];
}

/** The tree of `ir` as SVG with `highlight` marked. */
export async function treeSvg(ir: IrModel, highlight: readonly string[]): Promise<string> {
  return dotToSvg(highlightedDot(ir, highlight));
}
