/** Model size: parameters and FLOPs per task and in total, against one network per task. */
import { taskCost } from "../../compiler/diff/cost.js";
import type { IrModel } from "../../compiler/ir/types.js";

export interface TaskSize {
  /** Everything on the task's path (shared instances counted fully): what one task's prediction costs. */
  params: number;
  flops: number;
  /** Its share: each instance's cost divided by the number of tasks sharing it (shares add up to the total). */
  sharedParams: number;
  sharedFlops: number;
}

export interface ModelSize {
  tasks: Record<string, TaskSize>;
  /** The model as built: every instance and head once. FLOPs per image, forward pass. */
  total: { params: number; flops: number };
  /** The same stages with one instance per task (no sharing): the single-task layout. */
  separate: { params: number; flops: number };
  /** total / separate. */
  ratio: { params: number; flops: number };
}

/** Sizes of `ir` (counts from the IR's shape inference). */
export function modelSize(ir: IrModel): ModelSize {
  const tasks: Record<string, TaskSize> = {};
  for (const t of ir.tasks) {
    const path = taskCost(ir, t.name);
    let sharedParams = 0;
    let sharedFlops = 0;
    for (const i of ir.instances) {
      if (!i.tasks.includes(t.name)) continue;
      sharedParams += i.params / i.tasks.length;
      sharedFlops += i.flops / i.tasks.length;
    }
    for (const h of ir.heads) {
      if (h.task !== t.name) continue;
      sharedParams += h.params;
      sharedFlops += h.flops;
    }
    tasks[t.name] = { params: path.params, flops: path.flops, sharedParams, sharedFlops };
  }
  const total = { params: ir.totals.params, flops: ir.totals.flops };
  const separate = { params: ir.totals.separateParams, flops: ir.totals.separateFlops };
  const ratio = {
    params: separate.params > 0 ? total.params / separate.params : 1,
    flops: separate.flops > 0 ? total.flops / separate.flops : 1,
  };
  return { tasks, total, separate, ratio };
}
