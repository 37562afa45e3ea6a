/**
 * The targets that built-in data sources provide, so the compiler can bind each
 * task to one and check its head before any data is generated. A `npy` folder's
 * targets are only known from its files: the runtime checks those.
 */
import type { TaskKind } from "../ir/types.js";

export interface BuiltinTarget {
  name: string;
  /** Task kinds that can learn it. */
  kinds: TaskKind[];
  /** Classes of a class or per-pixel class target. */
  classes?: number;
}

export const BUILTIN_TARGETS: Readonly<Record<string, readonly BuiltinTarget[]>> = {
  multimnist: [
    { name: "left", kinds: ["classification"], classes: 10 },
    { name: "right", kinds: ["classification"], classes: 10 },
  ],
  scenes: [
    { name: "segmentation", kinds: ["segmentation", "edges"], classes: 6 },
    { name: "depth", kinds: ["depth", "regression"] },
    { name: "normals", kinds: ["normals", "regression"] },
    { name: "edges", kinds: ["edges"] },
    { name: "image", kinds: ["reconstruction", "regression"] },
  ],
};

/**
 * The target a task learns: its `target:` setting, else its own name when the
 * source has a target of that name, else the one target made for its kind.
 */
export function bindTarget(source: string, task: { name: string; kind: TaskKind; target: string | null }): string {
  if (task.target !== null) return task.target;
  const targets = BUILTIN_TARGETS[source];
  if (!targets) return task.name;
  if (targets.some((t) => t.name === task.name)) return task.name;
  const primary = targets.filter((t) => t.kinds[0] === task.kind);
  if (primary.length === 1) return primary[0]!.name;
  return task.name;
}
