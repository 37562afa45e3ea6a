/**
 * Lowering: a checked model (see compiler/check/typed-model.ts) to the graph IR,
 * with the stages and heads that shape inference (compiler/check/infer-shapes.ts) found.
 */
import type { Identifier, Model, SharingDecl } from "../../grammar/ast.js";
import type { Diagnostic } from "../../grammar/diagnostics.js";
import type { ShapeInference } from "../check/infer-shapes.js";
import type { ResolvedCall, ResolvedValue } from "../check/resolve-args.js";
import type { TypedModel, TypedSettings } from "../check/typed-model.js";
import { headId } from "../ir/lint.js";
import { withPartitions } from "../ir/rebuild.js";
import {
  IR_VERSION,
  type IrCall,
  type IrHead,
  type IrModel,
  type IrStage,
  type IrStructuralLearning,
  type IrTask,
  type IrTrain,
  type IrValue,
  type Shape,
  type TaskKind,
} from "../ir/types.js";

function toIrValue(v: ResolvedValue): IrValue {
  if (Array.isArray(v)) return (v as readonly ResolvedValue[]).map(toIrValue);
  if (typeof v === "object") return (v as ResolvedCall).name;
  return v as IrValue;
}

/** A resolved call as `{name, options}` with every known option (defaults filled). */
export function irCall(call: ResolvedCall): IrCall {
  const options: Record<string, IrValue> = {};
  for (const p of call.spec.params) {
    const v = call.args[p.name];
    if (v !== undefined) options[p.name] = toIrValue(v);
  }
  return { name: call.name, options };
}

function settingCall(settings: TypedSettings, name: string): ResolvedCall {
  const v = settings.values.get(name);
  if (typeof v !== "object" || Array.isArray(v)) throw new Error(`lowering: setting ${name} is not a call`);
  return v as ResolvedCall;
}

function settingNumber(settings: TypedSettings, name: string): number {
  const v = settings.values.get(name);
  if (typeof v !== "number") throw new Error(`lowering: setting ${name} is not a number`);
  return v;
}

function settingName<T extends string>(settings: TypedSettings, name: string): T {
  const v = settings.values.get(name);
  if (typeof v !== "string") throw new Error(`lowering: setting ${name} is not a name`);
  return v as T;
}

function settingInts(settings: TypedSettings, name: string): number[] {
  const v = settings.values.get(name);
  if (!Array.isArray(v)) throw new Error(`lowering: setting ${name} is not a list`);
  return (v as readonly ResolvedValue[]).map((x) => x as number);
}

/** The partition of tasks at every stage, from the sharing block (or one group per task). */
export function stagePartitions(
  sharing: SharingDecl | undefined,
  stageNames: readonly string[],
  taskNames: readonly string[],
): Map<string, string[][]> {
  const order = new Map(taskNames.map((t, i) => [t, i]));
  const byTask = (a: string, b: string): number => (order.get(a) ?? 0) - (order.get(b) ?? 0);
  const out = new Map<string, string[][]>();
  for (const s of stageNames)
    out.set(
      s,
      taskNames.map((t) => [t]),
    );
  if (!sharing) return out;
  const index = new Map(stageNames.map((s, i) => [s, i]));
  for (const row of sharing.rows) {
    const from = index.get(row.from.name);
    const to = row.to ? index.get(row.to.name) : from;
    if (from === undefined || to === undefined) continue;
    const groups = row.groups
      .map((g) => g.tasks.map((t: Identifier) => t.name).sort(byTask))
      .filter((g) => g.length > 0)
      .sort((a, b) => byTask(a[0]!, b[0]!));
    for (let k = from; k <= to; k++)
      out.set(
        stageNames[k]!,
        groups.map((g) => [...g]),
      );
  }
  return out;
}

export interface LowerResult {
  ir: IrModel | null;
  diagnostics: Diagnostic[];
}

/**
 * Lowers a model that passed `check` to the IR. Shape inference is the
 * checker's (compiler/check/infer-shapes.ts); a model with shape errors lowers
 * to null with those errors.
 */
export function lower(model: Model, typed: TypedModel, inferred: ShapeInference): LowerResult {
  const inputDecl = typed.input!;
  const inputShape: Shape = inputDecl.shape.map((n) => n.value);
  const data = irCall(typed.data!.source!);
  const tasks: IrTask[] = typed.tasks.map((t) => {
    return {
      name: t.name,
      kind: t.kind!.name as TaskKind,
      options: irCall(t.kind!).options,
      target: t.target,
      loss: irCall(t.loss!),
      metrics: t.metrics!.map((m) => m.name),
      weight: t.weight,
    };
  });
  if (inferred.stages === null || inferred.heads === null) return { ir: null, diagnostics: inferred.diagnostics };
  const stages: IrStage[] = inferred.stages.map((s, index) => ({ ...s, index }));
  const stageParams = new Map(stages.map((s) => [s.name, s.layers.reduce((n, l) => n + l.params, 0)]));
  const stageFlops = new Map(stages.map((s) => [s.name, s.layers.reduce((n, l) => n + l.flops, 0)]));
  const heads: IrHead[] = inferred.heads.map((h) => ({
    id: headId(h.task),
    task: h.task,
    input: "", // set by withPartitions from the sharing tree
    skips: [], // likewise, from h.layers
    layers: h.layers,
    inShape: h.inShape,
    outShape: h.outShape,
    params: h.layers.reduce((n, l) => n + l.params, 0),
    flops: h.layers.reduce((n, l) => n + l.flops, 0),
  }));

  // instances from the sharing tree
  const sharing = model.members.find((m): m is SharingDecl => m.kind === "Sharing");
  const partitions = stagePartitions(
    sharing,
    stages.map((s) => s.name),
    tasks.map((t) => t.name),
  );
  const structuralLearning = typed.structuralLearning ? lowerStructural(typed.structuralLearning.settings) : null;
  const train = lowerTrain(typed.train.settings);
  const headParams = heads.reduce((n, h) => n + h.params, 0);
  const headFlops = heads.reduce((n, h) => n + h.flops, 0);
  const allStageParams = stages.reduce((n, s) => n + stageParams.get(s.name)!, 0);
  const allStageFlops = stages.reduce((n, s) => n + stageFlops.get(s.name)!, 0);
  // Instances (and each head's input) come from the sharing tree, derived once for the
  // compiler and the runtime's structural changes alike.
  const skeleton: IrModel = {
    version: IR_VERSION,
    name: model.name.name,
    input: { name: inputDecl.name.name, dtype: "f32", shape: inputShape },
    data,
    tasks,
    stages,
    instances: [],
    heads,
    structuralLearning,
    train,
    totals: {
      params: 0,
      flops: 0,
      separateParams: tasks.length * allStageParams + headParams,
      separateFlops: tasks.length * allStageFlops + headFlops,
    },
  };
  const ir = withPartitions(skeleton, partitions);
  return { ir, diagnostics: [] };
}

function lowerStructural(settings: TypedSettings): IrStructuralLearning {
  const similarity = settingCall(settings, "similarity");
  const transfer = settingCall(settings, "transfer");
  const passes = transfer.args["passes"];
  const lr = transfer.args["lr"];
  return {
    atEpochs: settingInts(settings, "at_epochs"),
    similarity: {
      measure: "cka",
      debiased: similarity.args["debiased"] as boolean,
      pool: "gap",
      samples: similarity.args["samples"] as number,
      resample: similarity.args["resample"] as boolean,
      ...(similarity.args["calibrate"] === true ? { calibrate: true as const } : {}),
    },
    threshold: settingNumber(settings, "threshold"),
    init: settingName(settings, "init"),
    randomFrom:
      typeof settings.values.get("random_from") === "string" ? (settings.values.get("random_from") as string) : null,
    transfer: {
      method: "distill",
      gate: transfer.args["gate"] as "channel" | "none",
      passes: Array.isArray(passes) ? (passes as readonly ResolvedValue[]).map((p) => p as number) : [],
      per: transfer.args["per"] as "phase" | "merge",
      lr: typeof lr === "number" ? lr : null,
      ...(transfer.args["optimizer"] === "joint" ? { joint: true as const } : {}),
    },
    alignment: settingNumber(settings, "alignment"),
    alignmentPause: settingNumber(settings, "alignment_pause"),
    handoff: settingName(settings, "handoff"),
  };
}

/** `weighting`, unless it is `ew` (which has no options): absent means ew, so older IR reads the same. */
function weightingOf(settings: TypedSettings): { weighting?: IrCall } {
  const weighting = irCall(settingCall(settings, "weighting"));
  return weighting.name === "ew" ? {} : { weighting };
}

function lowerTrain(settings: TypedSettings): IrTrain {
  return {
    epochs: settingNumber(settings, "epochs"),
    batch: settingNumber(settings, "batch"),
    optimizer: irCall(settingCall(settings, "optimizer")),
    schedule: irCall(settingCall(settings, "schedule")),
    ...weightingOf(settings),
    seed: settingNumber(settings, "seed"),
    backend: settingName(settings, "backend"),
    valEvery: settingNumber(settings, "val_every"),
    pretrain: settingNumber(settings, "pretrain"),
    ...(typeof settings.values.get("warm_start") === "string"
      ? { warmStart: settings.values.get("warm_start") as string }
      : {}),
  };
}
