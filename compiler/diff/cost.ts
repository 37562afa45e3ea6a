/**
 * Parameter and FLOP counts of a whole model and of each task's path through
 * the sharing tree.
 */
import type { IrModel } from "../ir/types.js";
import type { Cost, CostChange } from "./types.js";
import { groupDigits, signedCount, signedPercent } from "./values.js";

/** The instance ids on a task's path, root first, then its head id. */
export function taskPath(ir: IrModel, task: string): string[] {
  const path = ir.instances.filter((i) => i.tasks.includes(task)).map((i) => i.id);
  const head = ir.heads.find((h) => h.task === task);
  return head ? [...path, head.id] : path;
}

/**
 * What one task computes: the sum over the instances on its path and its head.
 * A shared instance is counted fully for every task that uses it, so the task
 * costs of a model with sharing add up to more than the model's total.
 */
export function taskCost(ir: IrModel, task: string): Cost {
  let params = 0;
  let flops = 0;
  for (const i of ir.instances) {
    if (!i.tasks.includes(task)) continue;
    params += i.params;
    flops += i.flops;
  }
  for (const h of ir.heads) {
    if (h.task !== task) continue;
    params += h.params;
    flops += h.flops;
  }
  return { params, flops };
}

/** The whole model's cost: every instance and head once. */
export const modelCost = (ir: IrModel): Cost => ({ params: ir.totals.params, flops: ir.totals.flops });

const percent = (before: number, after: number): number | null =>
  before === 0 ? null : ((after - before) / before) * 100;

/** Old and new cost with absolute and relative differences; null when equal. */
export function costChange(before: Cost, after: Cost): CostChange | null {
  if (before.params === after.params && before.flops === after.flops) return null;
  return {
    before,
    after,
    params: { delta: after.params - before.params, percent: percent(before.params, after.params) },
    flops: { delta: after.flops - before.flops, percent: percent(before.flops, after.flops) },
  };
}

/** `parameters 1,000 -> 1,200 (+200, +20.00%); FLOPs 5,000 -> 5,000 (0, 0.00%)` */
export function showCostChange(c: CostChange): string {
  const part = (what: string, b: number, a: number, d: { delta: number; percent: number | null }): string =>
    `${what} ${groupDigits(b)} -> ${groupDigits(a)} (${signedCount(d.delta)}, ${signedPercent(d.percent)})`;
  return `${part("parameters", c.before.params, c.after.params, c.params)}; ${part("FLOPs", c.before.flops, c.after.flops, c.flops)}`;
}
