/** The sharing tree as Graphviz DOT text. */
import type { IrModel } from "../ir/types.js";
import { edgeWidth, sharingTree, type TreeNode } from "./tree.js";

/** A DOT double-quoted string. */
export function dotString(text: string): string {
  return `"${text.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\r?\n/g, "\\n")}"`;
}

const attrs = (pairs: [string, string | number][]): string =>
  `[${pairs.map(([k, v]) => `${k}=${typeof v === "number" ? String(v) : dotString(v)}`).join(", ")}]`;

function nodeLine(node: TreeNode): string {
  const label = node.lines.join("\n");
  switch (node.kind) {
    case "input":
      return `  ${dotString(node.id)} ${attrs([
        ["label", label],
        ["shape", "invtrapezium"],
        ["style", "filled"],
        ["fillcolor", "#f4f4f4"],
      ])};`;
    case "head":
      return `  ${dotString(node.id)} ${attrs([
        ["label", label],
        ["shape", "ellipse"],
        ["style", "filled"],
        ["fillcolor", "#fff6e0"],
        ["color", "#b07d12"],
      ])};`;
    case "instance": {
      const s = node.style;
      return (
        `  ${dotString(node.id)} ` +
        attrs([
          ["label", label],
          ["fillcolor", s.fill],
          ["color", s.stroke],
          ["fontcolor", s.font],
          ["width", s.width],
          ["penwidth", s.penwidth],
        ]) +
        ";"
      );
    }
  }
}

/**
 * The sharing tree of `ir` in DOT: the input at the root, a box per stage
 * instance (wider, darker and with a thicker border the more tasks share it),
 * heads as leaves, skip connections as dashed edges that do not affect the
 * ranking. Deterministic: the same IR gives the same text.
 */
export function graphDot(ir: IrModel): string {
  const tree = sharingTree(ir);
  const total = ir.tasks.length;
  const lines = [
    `digraph ${dotString(tree.name)} {`,
    `  graph ${attrs([
      ["rankdir", "TB"],
      ["ordering", "out"],
      ["nodesep", 0.25],
      ["ranksep", 0.35],
      ["fontname", "Helvetica"],
    ])};`,
    `  node ${attrs([
      ["shape", "box"],
      ["style", "rounded,filled"],
      ["fontname", "Helvetica"],
      ["fontsize", 11],
    ])};`,
    `  edge ${attrs([
      ["color", "#4a5d73"],
      ["arrowsize", 0.6],
    ])};`,
    ...tree.nodes.map(nodeLine),
    ...tree.edges.map((e) => {
      const style: [string, string | number][] =
        e.kind === "skip"
          ? [
              ["style", "dashed"],
              ["color", "#8a9bb0"],
              ["constraint", "false"],
            ]
          : [["penwidth", edgeWidth(e.tasks, total)]];
      return `  ${dotString(e.from)} -> ${dotString(e.to)} ${attrs(style)};`;
    }),
    "}",
  ];
  return lines.join("\n") + "\n";
}
