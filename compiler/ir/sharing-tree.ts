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

/** The representation every task shares: see {@link sharedRepresentation}. */
export interface SharedRepresentation {
  /** The instances that hold all of the model's tasks, in IR order. */
  trunk: string[];
  /** Those of them whose output a layer of fewer tasks or a head reads, as input or skip. */
  boundary: string[];
  /** Per task, the boundary instances its own layers (and its head) read, in boundary order. */
  readBy: Map<string, string[]>;
}

/**
 * The representation every task shares (MGDA-UB's Z). Trunk and boundary are empty when no
 * stage is shared by every task.
 */
export function sharedRepresentation(ir: IrModel): SharedRepresentation {
  const all = ir.tasks.length;
  const trunk = ir.instances.filter((i) => i.tasks.length === all).map((i) => i.id);
  const inTrunk = new Set(trunk);
  const reads = new Map(ir.tasks.map((t) => [t.name, new Set<string>()]));
  const consumers = [
    ...ir.instances.filter((i) => !inTrunk.has(i.id)),
    ...ir.heads.map((h) => ({ ...h, tasks: [h.task] })),
  ];
  for (const consumer of consumers)
    for (const id of [consumer.input, ...consumer.skips])
      if (inTrunk.has(id)) for (const task of consumer.tasks) reads.get(task)?.add(id);
  const read = new Set([...reads.values()].flatMap((r) => [...r]));
  const boundary = trunk.filter((id) => read.has(id));
  const readBy = new Map([...reads].map(([task, r]) => [task, boundary.filter((id) => r.has(id))]));
  return { trunk, boundary, readBy };
}
