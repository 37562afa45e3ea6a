/**
 * Sibling sets: for every parent (an instance, or the input), the tasks whose
 * next stage is still task-specific. These are the layers MTSL compares in a
 * structural-learning phase and pulls together with the alignment loss. A task
 * alone under its parent is finished.
 */
import { INPUT_NODE } from "../../compiler/ir/lint.js";
import type { IrModel } from "../../compiler/ir/types.js";

export interface SiblingSet {
  /** The parent instance id, or `input`. */
  parent: string;
  /** The stage whose task-specific instances are compared. */
  stage: string;
  stageIndex: number;
  /** Tasks in declaration order. */
  tasks: string[];
  /** The task-specific instance of each task at `stage`, in the same order. */
  instances: string[];
}

export function siblingSets(ir: IrModel): SiblingSet[] {
  const stageIndex = new Map(ir.stages.map((s, i) => [s.name, i]));
  const order = new Map(ir.tasks.map((t, i) => [t.name, i]));
  const byParent = new Map<string, { stage: string; children: { id: string; task: string }[] }>();
  for (const inst of ir.instances) {
    if (inst.tasks.length !== 1) continue;
    const parent = inst.input;
    const entry = byParent.get(parent) ?? { stage: inst.stage, children: [] };
    entry.children.push({ id: inst.id, task: inst.tasks[0]! });
    byParent.set(parent, entry);
  }
  const sets: SiblingSet[] = [];
  for (const [parent, { stage, children }] of byParent) {
    if (children.length < 2) continue;
    children.sort((a, b) => order.get(a.task)! - order.get(b.task)!);
    sets.push({
      parent,
      stage,
      stageIndex: stageIndex.get(stage)!,
      tasks: children.map((c) => c.task),
      instances: children.map((c) => c.id),
    });
  }
  const parentOrder = new Map([[INPUT_NODE, -1], ...ir.instances.map((i, k) => [i.id, k] as [string, number])]);
  return sets.sort((a, b) => a.stageIndex - b.stageIndex || parentOrder.get(a.parent)! - parentOrder.get(b.parent)!);
}
