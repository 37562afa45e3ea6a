/**
 * `lint(ir)`: the invariants every IR must hold, checked apart from user
 * diagnostics (like torch.fx's `Graph.lint()`). An empty list means sound.
 * The compiler lints what it produces in tests; the runtime lints the IR it
 * holds after every structural change.
 */
import { IR_VERSION, layerStages, type IrModel } from "./types.js";

export const INPUT_NODE = "input";

/** The stable id of the instance of `stage` owned by `tasks` (in declaration order). */
export function instanceId(stage: string, tasks: readonly string[]): string {
  return `${stage}@${tasks.join("+")}`;
}

export function headId(task: string): string {
  return `head@${task}`;
}

const sameShape = (a: readonly number[], b: readonly number[]): boolean =>
  a.length === b.length && a.every((x, i) => x === b[i]);

export function lint(ir: IrModel): string[] {
  const problems: string[] = [];
  const say = (m: string): void => void problems.push(m);
  if (ir.version !== IR_VERSION) say(`version is ${String(ir.version)}, expected ${IR_VERSION}`);

  const taskOrder = new Map(ir.tasks.map((t, i) => [t.name, i]));
  if (taskOrder.size !== ir.tasks.length) say("task names are not unique");
  const stageIndex = new Map(ir.stages.map((s, i) => [s.name, i]));
  if (stageIndex.size !== ir.stages.length) say("stage names are not unique");
  ir.stages.forEach((s, i) => {
    if (s.index !== i) say(`stage ${s.name} has index ${s.index}, expected ${i}`);
    const previous = i === 0 ? ir.input.shape : ir.stages[i - 1]!.outShape;
    if (!sameShape(s.inShape, previous)) say(`stage ${s.name} expects [${s.inShape}] but receives [${previous}]`);
    const last = s.layers[s.layers.length - 1];
    if (!last || !sameShape(last.outShape, s.outShape)) say(`stage ${s.name}: outShape differs from its last layer`);
    const reads = s.layers.flatMap(layerStages);
    if (reads.join("\n") !== s.skips.join("\n"))
      say(
        `stage ${s.name}: skips [${s.skips.join(", ")}] differ from the stages its layers read [${reads.join(", ")}]`,
      );
  });

  const seen = new Map<string, { stage: number; tasks: string[] }>();
  let lastStage = -1;
  for (const inst of ir.instances) {
    if (seen.has(inst.id)) say(`instance id ${inst.id} is not unique`);
    const k = stageIndex.get(inst.stage);
    if (k === undefined) {
      say(`instance ${inst.id} names an unknown stage ${inst.stage}`);
      continue;
    }
    if (inst.id !== instanceId(inst.stage, inst.tasks))
      say(`instance ${inst.id} should be named ${instanceId(inst.stage, inst.tasks)}`);
    const order = inst.tasks.map((t) => taskOrder.get(t) ?? -1);
    if (order.some((o) => o < 0)) say(`instance ${inst.id} names an unknown task`);
    if (order.some((o, i) => i > 0 && o <= order[i - 1]!))
      say(`instance ${inst.id}: tasks are not in declaration order`);
    if (inst.tasks.length === 0) say(`instance ${inst.id} has no tasks`);
    if (k < lastStage) say(`instance ${inst.id} comes after an instance of a later stage (not topological)`);
    lastStage = k;
    if (k === 0) {
      if (inst.input !== INPUT_NODE) say(`instance ${inst.id} of the first stage must read the input`);
    } else {
      const parent = seen.get(inst.input);
      if (!parent) say(`instance ${inst.id} reads ${inst.input}, which is not an earlier instance`);
      else if (parent.stage !== k - 1)
        say(`instance ${inst.id} reads ${inst.input}, which is not of the previous stage`);
      else if (!inst.tasks.every((t) => parent.tasks.includes(t))) {
        say(`instance ${inst.id} reads ${inst.input}, which does not hold all its tasks (partitions must refine)`);
      }
    }
    const stage = ir.stages[k]!;
    if (inst.skips.length !== stage.skips.length)
      say(`instance ${inst.id} has ${inst.skips.length} skips, its stage ${stage.skips.length}`);
    inst.skips.forEach((skipId, j) => {
      const src = seen.get(skipId);
      const want = stage.skips[j];
      if (!src) say(`instance ${inst.id} takes a skip from ${skipId}, which is not an earlier instance`);
      else if (ir.stages[src.stage]?.name !== want)
        say(`instance ${inst.id} takes skip ${j} from ${skipId}, expected an instance of ${want}`);
      else if (!inst.tasks.every((t) => src.tasks.includes(t)))
        say(`instance ${inst.id} takes a skip from ${skipId}, which its tasks do not all share`);
    });
    seen.set(inst.id, { stage: k, tasks: inst.tasks });
  }

  // every stage partitions the tasks (instances grouped by stage once: linear in their count)
  const byStage = new Map<string, string[][]>();
  for (const inst of ir.instances) {
    const groups = byStage.get(inst.stage);
    if (groups) groups.push(inst.tasks);
    else byStage.set(inst.stage, [inst.tasks]);
  }
  for (const stage of ir.stages) {
    const owners = new Map<string, number>();
    for (const tasks of byStage.get(stage.name) ?? []) {
      for (const t of tasks) owners.set(t, (owners.get(t) ?? 0) + 1);
    }
    for (const t of ir.tasks) {
      const n = owners.get(t.name) ?? 0;
      if (n !== 1) say(`task ${t.name} is in ${n} instances of stage ${stage.name}, expected exactly 1`);
    }
  }

  // heads: one per task, reading the last stage's instance that holds it
  const lastName = ir.stages[ir.stages.length - 1]?.name;
  const headTasks = new Map<string, number>();
  for (const head of ir.heads) {
    headTasks.set(head.task, (headTasks.get(head.task) ?? 0) + 1);
    if (head.id !== headId(head.task)) say(`head ${head.id} should be named ${headId(head.task)}`);
    const src = seen.get(head.input);
    if (!src || ir.stages[src.stage]?.name !== lastName || !src.tasks.includes(head.task)) {
      say(`head ${head.id} must read the last stage's instance that holds ${head.task}`);
    }
    const wanted = head.layers.flatMap(layerStages);
    if (head.skips.length !== wanted.length)
      say(`head ${head.id} has ${head.skips.length} skips, its layers ${wanted.length}`);
    head.skips.forEach((skipId, j) => {
      const from = seen.get(skipId);
      if (!from || ir.stages[from.stage]?.name !== wanted[j] || !from.tasks.includes(head.task))
        say(
          `head ${head.id} takes skip ${j} from ${skipId}, expected the instance of ${wanted[j]} that holds ${head.task}`,
        );
    });
  }
  for (const t of ir.tasks) {
    const n = headTasks.get(t.name) ?? 0;
    if (n !== 1) say(`task ${t.name} reaches ${n} heads, expected exactly 1`);
  }
  return problems;
}

/**
 * The key of one weight tensor: `owner/layer.weight`, e.g. `enc2@seg/0.conv1.kernel`
 * or `head@depth/1.bias`. Weights, optimizer state and checkpoints are keyed by it.
 */
export function weightKey(owner: string, layerIndex: number, weight: string): string {
  return `${owner}/${layerIndex}.${weight}`;
}

/**
 * Every weight of `ir` in one fixed order: stage instances in IR order, then heads; layers and
 * their weights in order. The generated module's `weightSpecs` and `mtslc export` use it.
 */
export function weightEntries(ir: IrModel): { key: string; shape: number[]; trainable: boolean }[] {
  const stages = new Map(ir.stages.map((s) => [s.name, s]));
  const owners = [
    ...ir.instances.map((i) => ({ id: i.id, layers: stages.get(i.stage)!.layers })),
    ...ir.heads.map((h) => ({ id: h.id, layers: h.layers })),
  ];
  return owners.flatMap((o) =>
    o.layers.flatMap((l, j) =>
      l.weights.map((w) => ({ key: weightKey(o.id, j, w.name), shape: w.shape, trainable: w.trainable })),
    ),
  );
}
