/**
 * Rebuilding an IR for a new sharing tree: the stages, heads and settings stay;
 * the instances are derived from the partition of every stage exactly as the
 * lowering derives them. Instances whose tasks did not change keep their ids,
 * so their weights and optimiser state carry over untouched.
 */
import { headId, INPUT_NODE, instanceId, lint } from "./lint.js";
import type { Partitions } from "./sharing-tree.js";
import { layerStages, type IrInstance, type IrModel } from "./types.js";

/** `ir` with the sharing tree given by `partitions` (groups in any order; tasks are sorted into declaration order). */
export function withPartitions(ir: IrModel, partitions: Partitions): IrModel {
  const order = new Map(ir.tasks.map((t, i) => [t.name, i]));
  const byTask = (a: string, b: string): number => order.get(a)! - order.get(b)!;
  const instances: IrInstance[] = [];
  const holder = new Map<string, Map<string, string>>();
  const stageParams = new Map<string, { params: number; flops: number }>();
  for (const s of ir.stages) {
    stageParams.set(s.name, {
      params: s.layers.reduce((n, l) => n + l.params, 0),
      flops: s.layers.reduce((n, l) => n + l.flops, 0),
    });
  }
  for (const stage of ir.stages) {
    const groups = (partitions.get(stage.name) ?? [])
      .map((g) => [...g].sort(byTask))
      .sort((a, b) => byTask(a[0]!, b[0]!));
    const owners = new Map<string, string>();
    for (const group of groups) {
      const id = instanceId(stage.name, group);
      const first = group[0]!;
      const input = stage.index === 0 ? INPUT_NODE : holder.get(ir.stages[stage.index - 1]!.name)!.get(first)!;
      const skips = stage.skips.map((s) => holder.get(s)!.get(first)!);
      const cost = stageParams.get(stage.name)!;
      instances.push({ id, stage: stage.name, tasks: group, input, skips, params: cost.params, flops: cost.flops });
      for (const t of group) owners.set(t, id);
    }
    holder.set(stage.name, owners);
  }
  const last = ir.stages[ir.stages.length - 1]!;
  const heads = ir.heads.map((h) => ({
    ...h,
    id: headId(h.task),
    input: holder.get(last.name)!.get(h.task)!,
    skips: h.layers.flatMap(layerStages).map((s) => holder.get(s)!.get(h.task)!),
  }));
  const headCost = heads.reduce((n, h) => n + h.params, 0);
  const headFlops = heads.reduce((n, h) => n + h.flops, 0);
  const out: IrModel = {
    ...ir,
    instances,
    heads,
    totals: {
      ...ir.totals,
      params: instances.reduce((n, i) => n + i.params, 0) + headCost,
      flops: instances.reduce((n, i) => n + i.flops, 0) + headFlops,
    },
  };
  const problems = lint(out);
  if (problems.length > 0) throw new Error(`the new sharing tree is not valid:\n${problems.join("\n")}`);
  return out;
}
