/**
 * The sharing tree of an IR as plain nodes and edges, with the styling that all
 * picture formats share: the input at the root, one node per stage instance,
 * heads as leaves, skip connections as separate (dashed) edges. How many tasks
 * share an instance sets how wide and how dark it is drawn.
 */
import type { IrModel } from "../ir/types.js";

export type TreeNode =
  | { kind: "input"; id: "input"; lines: string[] }
  | { kind: "instance"; id: string; stage: string; tasks: string[]; lines: string[]; style: ShareStyle }
  | { kind: "head"; id: string; task: string; lines: string[] };

export interface TreeEdge {
  from: string;
  to: string;
  /** `main`: an instance's (or head's) input; `skip`: a concatenated skip connection. */
  kind: "main" | "skip";
  /** How many tasks flow along the edge (the tasks of the node it enters). */
  tasks: number;
}

/** The look of an instance shared by `tasks` of the model's `total` tasks. */
export interface ShareStyle {
  tasks: number;
  /** 0 for a single-task instance, 1 for one shared by every task. */
  share: number;
  fill: string;
  stroke: string;
  font: string;
  /** Minimum node width in inches (Graphviz). */
  width: number;
  /** Border width in points. */
  penwidth: number;
}

export interface SharingTree {
  name: string;
  nodes: TreeNode[];
  edges: TreeEdge[];
}

/** Blends two `#rrggbb` colours: `t` = 0 gives `from`, 1 gives `to`. */
export function blend(from: string, to: string, t: number): string {
  const channel = (hex: string, i: number): number => parseInt(hex.slice(1 + 2 * i, 3 + 2 * i), 16);
  const out = [0, 1, 2].map((i) => Math.round(channel(from, i) + (channel(to, i) - channel(from, i)) * t));
  return `#${out.map((c) => c.toString(16).padStart(2, "0")).join("")}`;
}

const LIGHT = "#e3eefa";
const DARK = "#17457a";

/** The style of an instance shared by `tasks` tasks out of `total`. */
export function shareStyle(tasks: number, total: number): ShareStyle {
  const share = total <= 1 ? 1 : (tasks - 1) / (total - 1);
  return {
    tasks,
    share,
    fill: blend(LIGHT, DARK, share),
    stroke: blend("#5b7fa8", "#0b2545", share),
    font: share > 0.45 ? "#ffffff" : "#10243e",
    width: round2(1.2 + 0.6 * (tasks - 1)),
    penwidth: round2(1 + 2 * share),
  };
}

const round2 = (x: number): number => Math.round(x * 100) / 100;

/** Edge width in points for an edge that carries `tasks` of `total` tasks. */
export const edgeWidth = (tasks: number, total: number): number =>
  round2(1 + 3 * (total <= 1 ? 1 : (tasks - 1) / (total - 1)));

/** The sharing tree of `ir`, nodes and edges in the IR's order. */
export function sharingTree(ir: IrModel): SharingTree {
  const total = ir.tasks.length;
  const kinds = new Map(ir.tasks.map((t) => [t.name, t.kind]));
  const nodes: TreeNode[] = [
    { kind: "input", id: "input", lines: [ir.input.name, `${ir.input.dtype}[${ir.input.shape.join(", ")}]`] },
  ];
  const edges: TreeEdge[] = [];
  for (const i of ir.instances) {
    nodes.push({
      kind: "instance",
      id: i.id,
      stage: i.stage,
      tasks: [...i.tasks],
      lines: [i.stage, i.tasks.join(" ")],
      style: shareStyle(i.tasks.length, total),
    });
    edges.push({ from: i.input, to: i.id, kind: "main", tasks: i.tasks.length });
  }
  for (const i of ir.instances) {
    for (const s of i.skips) edges.push({ from: s, to: i.id, kind: "skip", tasks: i.tasks.length });
  }
  for (const h of ir.heads) {
    nodes.push({ kind: "head", id: h.id, task: h.task, lines: [h.task, kinds.get(h.task) ?? ""] });
    edges.push({ from: h.input, to: h.id, kind: "main", tasks: 1 });
  }
  for (const h of ir.heads) {
    for (const s of new Set(h.skips)) if (s !== h.input) edges.push({ from: s, to: h.id, kind: "skip", tasks: 1 });
  }
  return { name: ir.name, nodes, edges };
}
