/** The sharing tree as Mermaid `flowchart TD` text. */
import type { IrModel } from "../ir/types.js";
import { edgeWidth, sharingTree, type ShareStyle, type TreeNode } from "./tree.js";

/** Text for inside a Mermaid `"..."` label: quotes and markup characters as entities, lines joined by `<br/>`. */
export function mermaidText(lines: readonly string[]): string {
  const escape = (s: string): string =>
    s.replace(/&/g, "#amp;").replace(/"/g, "#quot;").replace(/</g, "#lt;").replace(/>/g, "#gt;");
  return lines
    .filter((l) => l !== "")
    .map(escape)
    .join("<br/>");
}

/**
 * The sharing tree of `ir` as a Mermaid flowchart (top down). Node ids are
 * positional (`input`, `n0`, `n1`..., `h0`...) since instance ids hold `@` and
 * `+`; each instance gets the class `shareK` (K = how many tasks share it),
 * styled wider-bordered and darker as K grows; skip connections are dotted
 * links. Deterministic: the same IR gives the same text.
 */
export function graphMermaid(ir: IrModel): string {
  const tree = sharingTree(ir);
  const total = ir.tasks.length;
  const ids = new Map<string, string>([["input", "input"]]);
  let instances = 0;
  let heads = 0;
  for (const n of tree.nodes) {
    if (n.kind === "instance") ids.set(n.id, `n${instances++}`);
    if (n.kind === "head") ids.set(n.id, `h${heads++}`);
  }
  const idOf = (id: string): string => ids.get(id) ?? "input";
  const shape = (n: TreeNode): string => {
    const text = `"${mermaidText(n.lines)}"`;
    if (n.kind === "input") return `[/${text}\\]`;
    if (n.kind === "head") return `([${text}])`;
    return `[${text}]`;
  };
  const lines = ["flowchart TD"];
  for (const n of tree.nodes) lines.push(`  ${idOf(n.id)}${shape(n)}`);
  tree.edges.forEach((e) => lines.push(`  ${idOf(e.from)} ${e.kind === "skip" ? "-.->" : "-->"} ${idOf(e.to)}`));

  const styles = new Map<number, { style: ShareStyle; members: string[] }>();
  for (const n of tree.nodes) {
    if (n.kind !== "instance") continue;
    const entry = styles.get(n.style.tasks) ?? { style: n.style, members: [] };
    entry.members.push(idOf(n.id));
    styles.set(n.style.tasks, entry);
  }
  for (const [k, { style, members }] of [...styles].sort((x, y) => x[0] - y[0])) {
    lines.push(
      `  classDef share${k} fill:${style.fill},stroke:${style.stroke},color:${style.font},stroke-width:${style.penwidth}px`,
    );
    lines.push(`  class ${members.join(",")} share${k}`);
  }
  lines.push("  classDef head fill:#fff6e0,stroke:#b07d12");
  const headIds = tree.nodes.filter((n) => n.kind === "head").map((n) => idOf(n.id));
  if (headIds.length > 0) lines.push(`  class ${headIds.join(",")} head`);

  const byWidth = new Map<string, number[]>();
  tree.edges.forEach((e, i) => {
    const key = e.kind === "skip" ? "skip" : `${edgeWidth(e.tasks, total)}`;
    byWidth.set(key, [...(byWidth.get(key) ?? []), i]);
  });
  for (const [key, indices] of [...byWidth].sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0))) {
    const style = key === "skip" ? "stroke:#8a9bb0,stroke-dasharray:4 3" : `stroke-width:${key}px`;
    lines.push(`  linkStyle ${indices.join(",")} ${style}`);
  }
  return lines.join("\n") + "\n";
}
