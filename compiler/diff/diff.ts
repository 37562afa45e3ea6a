/**
 * `diff(a, b)`: the semantic difference between two architectures as a list of
 * typed changes, in a fixed order: model (name, input, data), tasks, sharing,
 * backbone, heads, structural learning, training, cost. Two IRs give an empty
 * list exactly when they are equal (whitespace, comments and spelling that
 * compile to the same IR are no change).
 */
import { instancesOf } from "../ir/sharing-tree.js";
import { weightingOf, type IrModel, type IrStage } from "../ir/types.js";
import { costChange, modelCost, showCostChange, taskCost, taskPath } from "./cost.js";
import { compareLayers, layerText } from "./layers.js";
import { compareGroups, showGroup, type StageGroups } from "./sharing.js";
import type { ArchitectureChange } from "./types.js";
import { compareFields, groupDigits, sameValue, showShape, showValue } from "./values.js";

/** The architecture changes from `a` (old) to `b` (new); empty when they are the same. */
export function diff(a: IrModel, b: IrModel): ArchitectureChange[] {
  const renamed = matchStages(a, b);
  const changes: ArchitectureChange[] = [
    ...modelChanges(a, b),
    ...taskChanges(a, b),
    ...sharingChanges(a, b, renamed),
    ...backboneChanges(a, b, renamed),
    ...headChanges(a, b, renamed),
    ...structuralLearningChanges(a, b),
    ...trainingChanges(a, b),
  ];
  const other = changes.length === 0 ? firstDifference(a, b, "") : null;
  if (other) {
    changes.push({
      type: "OTHER_CHANGED",
      path: other.path,
      before: other.before,
      after: other.after,
      description: `${other.path}: ${JSON.stringify(other.before)} -> ${JSON.stringify(other.after)}`,
    });
  }
  if (changes.length > 0) changes.push(...costChanges(a, b));
  return changes;
}

function modelChanges(a: IrModel, b: IrModel): ArchitectureChange[] {
  const out: ArchitectureChange[] = [];
  if (a.name !== b.name)
    out.push({
      type: "MODEL_RENAMED",
      before: a.name,
      after: b.name,
      description: `model renamed: ${a.name} -> ${b.name}`,
    });
  const input = (ir: IrModel): Record<string, unknown> => ({
    name: ir.input.name,
    dtype: ir.input.dtype,
    shape: ir.input.shape,
  });
  for (const d of compareFields("", input(a), input(b))) {
    out.push({
      type: "INPUT_CHANGED",
      ...d,
      description: `input ${d.field}: ${showValue(d.before)} -> ${showValue(d.after)}`,
    });
  }
  const data =
    a.data.name === b.data.name
      ? compareFields("", a.data.options, b.data.options)
      : [{ field: "source", before: a.data, after: b.data }];
  for (const d of data) {
    out.push({
      type: "DATA_CHANGED",
      ...d,
      description: `data ${d.field}: ${showValue(d.before)} -> ${showValue(d.after)}`,
    });
  }
  return out;
}

/** Where a task sits: `shares stem..enc2, own branch from enc3`. */
function placement(ir: IrModel, task: string): string {
  const shared = ir.stages.filter((s) =>
    ir.instances.some((i) => i.stage === s.name && i.tasks.length > 1 && i.tasks.includes(task)),
  );
  if (ir.stages.length === 0) return "no backbone stages";
  if (shared.length === 0) return "own branch from the input";
  const first = shared[0]!.name;
  const last = shared[shared.length - 1]!.name;
  const span = first === last ? first : `${first}..${last}`;
  const next = ir.stages.find((s) => s.index > shared[shared.length - 1]!.index);
  return next ? `shares ${span}, own branch from ${next.name}` : `shares ${span} (every stage)`;
}

function taskChanges(a: IrModel, b: IrModel): ArchitectureChange[] {
  const out: ArchitectureChange[] = [];
  const inA = new Set(a.tasks.map((t) => t.name));
  const inB = new Set(b.tasks.map((t) => t.name));
  const whole = (ir: IrModel, name: string, type: "TASK_ADDED" | "TASK_REMOVED"): ArchitectureChange => {
    const task = ir.tasks.find((t) => t.name === name)!;
    const cost = taskCost(ir, name);
    const verb = type === "TASK_ADDED" ? "added" : "removed";
    return {
      type,
      task: name,
      kind: task.kind,
      path: taskPath(ir, name),
      cost,
      description:
        `task ${name} ${verb} (${task.kind}): ${placement(ir, name)}; ` +
        `${groupDigits(cost.params)} parameters and ${groupDigits(cost.flops)} FLOPs on its path`,
    };
  };
  for (const t of a.tasks) if (!inB.has(t.name)) out.push(whole(a, t.name, "TASK_REMOVED"));
  for (const t of b.tasks) if (!inA.has(t.name)) out.push(whole(b, t.name, "TASK_ADDED"));
  for (const tb of b.tasks) {
    const ta = a.tasks.find((t) => t.name === tb.name);
    if (!ta) continue;
    const diffs = [
      ...compareFields("kind", ta.kind, tb.kind),
      ...compareFields("", ta.options, tb.options),
      ...compareFields("target", ta.target, tb.target),
      ...compareFields("loss", ta.loss, tb.loss),
      ...compareFields("metrics", ta.metrics, tb.metrics),
      ...compareFields("weight", ta.weight, tb.weight),
    ];
    for (const d of diffs) {
      out.push({
        type: "TASK_CHANGED",
        task: tb.name,
        ...d,
        description: `task ${tb.name} ${d.field}: ${showValue(d.before)} -> ${showValue(d.after)}`,
      });
    }
  }
  return out;
}

/**
 * Old stage name -> new stage name for every stage in both models: the same
 * name, or a rename (a stage that disappeared and one that appeared at the same
 * position with the same layers).
 */
export function matchStages(a: IrModel, b: IrModel): Map<string, string> {
  const map = new Map<string, string>();
  const namesB = new Set(b.stages.map((s) => s.name));
  const namesA = new Set(a.stages.map((s) => s.name));
  for (const s of a.stages) if (namesB.has(s.name)) map.set(s.name, s.name);
  const taken = new Set<string>();
  for (const s of a.stages) {
    if (namesB.has(s.name)) continue;
    const candidate = b.stages[s.index];
    if (!candidate || namesA.has(candidate.name) || taken.has(candidate.name)) continue;
    const owner = { kind: "stage", name: candidate.name } as const;
    if (compareLayers(owner, s.layers, candidate.layers, map).length > 0) continue;
    map.set(s.name, candidate.name);
    taken.add(candidate.name);
  }
  return map;
}

function stageGroups(ir: IrModel, stage: string): StageGroups {
  return { stage, groups: instancesOf(ir, stage).map((i) => ({ tasks: i.tasks, id: i.id })) };
}

function sharingChanges(a: IrModel, b: IrModel, renamed: ReadonlyMap<string, string>): ArchitectureChange[] {
  const common = new Set(a.tasks.map((t) => t.name).filter((n) => b.tasks.some((t) => t.name === n)));
  const back = new Map([...renamed].map(([x, y]) => [y, x]));
  const out: ArchitectureChange[] = [];
  for (const s of b.stages) {
    const old = back.get(s.name);
    if (old === undefined) continue;
    out.push(...compareGroups(stageGroups(a, old), stageGroups(b, s.name), common));
  }
  return out;
}

function stageSummary(ir: IrModel, s: IrStage, type: "STAGE_ADDED" | "STAGE_REMOVED"): ArchitectureChange {
  const layers = s.layers.map(layerText);
  const instances = instancesOf(ir, s.name).map((i) => i.id);
  const groups = instancesOf(ir, s.name).map((i) => showGroup(i.tasks));
  const verb = type === "STAGE_ADDED" ? "added" : "removed";
  return {
    type,
    stage: s.name,
    position: s.index + 1,
    layers,
    instances,
    description: `stage ${s.name} ${verb} at position ${s.index + 1}: ${layers.join(" ")}; groups ${groups.join(" ")}`,
  };
}

function backboneChanges(a: IrModel, b: IrModel, renamed: ReadonlyMap<string, string>): ArchitectureChange[] {
  const out: ArchitectureChange[] = [];
  for (const s of a.stages) {
    const to = renamed.get(s.name);
    if (to !== undefined && to !== s.name) {
      out.push({ type: "STAGE_RENAMED", before: s.name, after: to, description: `stage ${s.name} renamed to ${to}` });
    }
  }
  const matchedB = new Set(renamed.values());
  for (const s of a.stages) if (!renamed.has(s.name)) out.push(stageSummary(a, s, "STAGE_REMOVED"));
  for (const s of b.stages) if (!matchedB.has(s.name)) out.push(stageSummary(b, s, "STAGE_ADDED"));

  const orderA = a.stages.filter((s) => renamed.has(s.name)).map((s) => renamed.get(s.name)!);
  const orderB = b.stages.filter((s) => matchedB.has(s.name)).map((s) => s.name);
  if (!sameValue(orderA, orderB)) {
    const before = a.stages.map((s) => s.name);
    const after = b.stages.map((s) => s.name);
    out.push({
      type: "STAGE_ORDER_CHANGED",
      before,
      after,
      description: `stage order: ${before.join(" ")} -> ${after.join(" ")}`,
    });
  }

  const back = new Map([...renamed].map(([x, y]) => [y, x]));
  for (const sb of b.stages) {
    const old = back.get(sb.name);
    const sa = old === undefined ? undefined : a.stages.find((s) => s.name === old);
    if (!sa) continue;
    out.push(...compareLayers({ kind: "stage", name: sb.name }, sa.layers, sb.layers, renamed));
    if (!sameValue(sa.outShape, sb.outShape)) {
      out.push({
        type: "STAGE_SHAPE_CHANGED",
        stage: sb.name,
        before: sa.outShape,
        after: sb.outShape,
        description: `${sb.name} output shape: ${showShape(sa.outShape)} -> ${showShape(sb.outShape)}`,
      });
    }
  }
  return out;
}

function headChanges(a: IrModel, b: IrModel, renamed: ReadonlyMap<string, string>): ArchitectureChange[] {
  const out: ArchitectureChange[] = [];
  for (const hb of b.heads) {
    const ha = a.heads.find((h) => h.task === hb.task);
    if (ha) out.push(...compareLayers({ kind: "head", name: hb.task }, ha.layers, hb.layers, renamed));
  }
  return out;
}

function structuralLearningChanges(a: IrModel, b: IrModel): ArchitectureChange[] {
  const sa = a.structuralLearning;
  const sb = b.structuralLearning;
  if (sa === null && sb === null) return [];
  if (sa === null || sb === null) {
    const type = sa === null ? "STRUCTURAL_LEARNING_ADDED" : "STRUCTURAL_LEARNING_REMOVED";
    const now = (sb ?? sa)!;
    const what =
      sa === null
        ? `structural_learning added: ${now.atEpochs.length} phases at epochs ${showValue(now.atEpochs)}, threshold ${showValue(now.threshold)}`
        : "structural_learning removed: the sharing tree is now fixed";
    return [{ type, description: what }];
  }
  return compareFields("", sa, sb).map((d) => ({
    type: "STRUCTURAL_LEARNING_CHANGED",
    ...d,
    description: `structural_learning ${d.field}: ${showValue(d.before)} -> ${showValue(d.after)}`,
  }));
}

function trainingChanges(a: IrModel, b: IrModel): ArchitectureChange[] {
  const withWeighting = (t: IrModel["train"]) => ({ ...t, weighting: weightingOf(t) });
  return compareFields("", withWeighting(a.train), withWeighting(b.train)).map((d) => ({
    type: "TRAINING_CHANGED",
    ...d,
    description: `train ${d.field}: ${showValue(d.before)} -> ${showValue(d.after)}`,
  }));
}

function costChanges(a: IrModel, b: IrModel): ArchitectureChange[] {
  const out: ArchitectureChange[] = [];
  const whole = costChange(modelCost(a), modelCost(b));
  if (whole) out.push({ type: "MODEL_COST_CHANGED", ...whole, description: `model: ${showCostChange(whole)}` });
  for (const t of b.tasks) {
    if (!a.tasks.some((x) => x.name === t.name)) continue;
    const c = costChange(taskCost(a, t.name), taskCost(b, t.name));
    if (c) {
      out.push({
        type: "TASK_COST_CHANGED",
        task: t.name,
        ...c,
        description: `task ${t.name} (its path, shared instances counted fully): ${showCostChange(c)}`,
      });
    }
  }
  return out;
}

/** The first place two JSON-like values differ, as a dotted path; null when equal. */
function firstDifference(
  a: unknown,
  b: unknown,
  path: string,
): { path: string; before: unknown; after: unknown } | null {
  if (sameValue(a, b)) return null;
  const bothObjects = a !== null && b !== null && typeof a === "object" && typeof b === "object";
  if (bothObjects && Array.isArray(a) === Array.isArray(b)) {
    const ao = a as Record<string, unknown>;
    const bo = b as Record<string, unknown>;
    const keys = [...new Set([...Object.keys(ao), ...Object.keys(bo)])];
    for (const k of keys) {
      const found = firstDifference(
        ao[k],
        bo[k],
        path === "" ? k : Array.isArray(a) ? `${path}[${k}]` : `${path}.${k}`,
      );
      if (found) return found;
    }
  }
  return { path: path === "" ? "(model)" : path, before: a ?? null, after: b ?? null };
}
