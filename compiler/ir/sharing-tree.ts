/**
 * The sharing tree of an IR, read one way everywhere: which task groups each
 * stage has, in the IR's instance order, and canonical keys to compare them.
 * The lowering, the revision printer (lift), structural learning, `diff` and
 * `train` all read the tree through these.
 */
import type { IrInstance, IrModel } from "./types.js";

/** The partition of every stage (stage name -> groups of task names). */
export type Partitions = Map<string, string[][]>;

/** The instances of one stage, in the IR's order. */
export function instancesOf(ir: IrModel, stage: string): IrInstance[] {
  return ir.instances.filter((i) => i.stage === stage);
}

/** The partition of every stage, as lists of task names. */
export function partitionsOf(ir: IrModel): Partitions {
  const out: Partitions = new Map();
  for (const s of ir.stages)
    out.set(
      s.name,
      instancesOf(ir, s.name).map((i) => [...i.tasks]),
    );
  return out;
}

/** A key equal for two groups with the same tasks, in any order. */
export const groupKey = (tasks: readonly string[]): string => [...tasks].sort().join(" ");

/** A key equal for two partitions with the same groups, in any order. */
export const partitionKey = (groups: readonly (readonly string[])[]): string => groups.map(groupKey).sort().join(" | ");

/** Whether two IRs have the same sharing tree (stage by stage, groups in any order). */
export function sameSharingTree(a: IrModel, b: IrModel): boolean {
  const pa = partitionsOf(a);
  const pb = partitionsOf(b);
  if (pa.size !== pb.size) return false;
  for (const [stage, groups] of pa) {
    const other = pb.get(stage);
    if (other === undefined || partitionKey(other) !== partitionKey(groups)) return false;
  }
  return true;
}

/**
 * The representation every task shares (MGDA-UB's Z): the instances that hold all of the
 * model's tasks (`trunk`, in IR order), and those of them whose output a layer of fewer tasks
 * or a head reads, as input or skip (`boundary`, in IR order). Both are empty when no stage
 * is shared by every task.
 */
export function sharedRepresentation(ir: IrModel): { trunk: string[]; boundary: string[] } {
  const all = ir.tasks.length;
  const trunk = ir.instances.filter((i) => i.tasks.length === all).map((i) => i.id);
  const inTrunk = new Set(trunk);
  const read = new Set<string>();
  for (const consumer of [...ir.instances.filter((i) => !inTrunk.has(i.id)), ...ir.heads])
    for (const id of [consumer.input, ...consumer.skips]) if (inTrunk.has(id)) read.add(id);
  return { trunk, boundary: trunk.filter((id) => read.has(id)) };
}
