/**
 * Lowering: a checked model (see compiler/check/typed-model.ts) to the graph IR,
 * with shape inference. Shape errors are reported at the layer that causes them.
 */
import type { Identifier, Model, SharingDecl, Span } from "../../grammar/ast.js";
import type { Diagnostic } from "../../grammar/diagnostics.js";
import type { ResolvedCall, ResolvedValue } from "../check/resolve-args.js";
import type { TypedModel, TypedSettings } from "../check/typed-model.js";
import { inferLayer, type ShapeCode } from "../ir/infer.js";
import { headId } from "../ir/lint.js";
import { withPartitions } from "../ir/rebuild.js";
import {
  IR_VERSION,
  type Activation,
  type Initializer,
  type IrCall,
  type IrHead,
  type IrLayer,
  type IrLayerOp,
  type IrModel,
  type IrStage,
  type IrStructuralLearning,
  type IrTask,
  type IrTrain,
  type IrValue,
  type Padding,
  type Shape,
  type TaskKind,
} from "../ir/types.js";
import { bindTarget, builtinTargets } from "./targets.js";

const ACTIVATIONS: readonly string[] = ["relu", "leaky_relu", "elu", "gelu", "sigmoid", "tanh"];

function num(call: ResolvedCall, name: string): number {
  const v = call.args[name];
  if (typeof v !== "number") throw new Error(`lowering: ${call.name}.${name} is not a number`);
  return v;
}

function str<T extends string>(call: ResolvedCall, name: string): T {
  const v = call.args[name];
  if (typeof v !== "string") throw new Error(`lowering: ${call.name}.${name} is not a name`);
  return v as T;
}

function bool(call: ResolvedCall, name: string): boolean {
  const v = call.args[name];
  if (typeof v !== "boolean") throw new Error(`lowering: ${call.name}.${name} is not a boolean`);
  return v;
}

/** A resolved layer call as an IR operation. */
export function layerOp(call: ResolvedCall): IrLayerOp {
  const n = call.name;
  if (ACTIVATIONS.includes(n)) {
    return n === "leaky_relu"
      ? { op: "act", fn: "leaky_relu", alpha: num(call, "alpha") }
      : { op: "act", fn: n as Activation };
  }
  switch (n) {
    case "conv":
      return {
        op: "conv",
        filters: num(call, "filters"),
        kernel: num(call, "kernel"),
        stride: num(call, "stride"),
        padding: str<Padding>(call, "padding"),
        dilation: num(call, "dilation"),
        bias: bool(call, "bias"),
        init: str<Initializer>(call, "init"),
      };
    case "bn":
      return { op: "bn", momentum: num(call, "momentum"), epsilon: num(call, "epsilon") };
    case "maxpool":
    case "avgpool":
      return {
        op: "pool",
        mode: n === "maxpool" ? "max" : "avg",
        size: num(call, "size"),
        stride: num(call, "stride"),
        padding: str<Padding>(call, "padding"),
      };
    case "gap":
      return { op: "gap" };
    case "flatten":
      return { op: "flatten" };
    case "dense":
      return { op: "dense", units: num(call, "units"), bias: bool(call, "bias"), init: str<Initializer>(call, "init") };
    case "dropout":
      return { op: "dropout", rate: num(call, "rate") };
    case "basic":
      return { op: "basic", filters: num(call, "filters"), stride: num(call, "stride") };
    case "bottleneck":
      return {
        op: "bottleneck",
        filters: num(call, "filters"),
        stride: num(call, "stride"),
        expansion: num(call, "expansion"),
      };
    case "upsample":
      return { op: "upsample", factor: num(call, "factor"), mode: str<"bilinear" | "nearest">(call, "mode") };
    case "concat":
      return { op: "concat", stage: str(call, "stage") };
    default:
      throw new Error(`lowering: unknown layer ${n}`);
  }
}

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

interface Located {
  code: ShapeCode;
  message: string;
  span: Span;
}

export interface LowerResult {
  ir: IrModel | null;
  diagnostics: Diagnostic[];
}

function expectedHeadChannels(kind: TaskKind, options: Record<string, IrValue>, inputChannels: number): number {
  switch (kind) {
    case "classification":
    case "segmentation":
      return options["classes"] as number;
    case "depth":
    case "edges":
      return 1;
    case "normals":
      return 3;
    case "reconstruction":
      return inputChannels;
    case "regression":
      return (options["outputs"] as number | undefined) ?? 1;
  }
}

/** Lowers a model that passed `check` to the IR. */
export function lower(model: Model, typed: TypedModel): LowerResult {
  const errors: Located[] = [];
  const fail = (code: ShapeCode, message: string, span: Span): void => void errors.push({ code, message, span });

  const inputDecl = typed.input!;
  const inputShape: Shape = inputDecl.shape.map((n) => n.value);
  const dataCall = typed.data!.source!;
  const data = irCall(dataCall);

  // tasks
  const tasks: IrTask[] = typed.tasks.map((t) => {
    const kind = t.kind!.name as TaskKind;
    const options = irCall(t.kind!).options;
    const explicit = t.settings.nodes.has("target") ? t.target : null;
    return {
      name: t.name,
      kind,
      options,
      target: bindTarget(data.name, { name: t.name, kind, target: explicit }),
      loss: irCall(t.loss!),
      metrics: t.metrics!.map((m) => m.name),
      weight: t.weight,
    };
  });
  const builtin = builtinTargets(data.name);
  if (builtin) {
    typed.tasks.forEach((t, i) => {
      const task = tasks[i]!;
      const where = t.settings.nodes.get("target")?.value.span ?? t.decl.name.span;
      const target = builtin.find((b) => b.name === task.target);
      if (!target) {
        const names = builtin.map((b) => b.name).join(", ");
        fail(
          "MTSL2008",
          `task '${task.name}' learns target '${task.target}', which ${data.name} does not provide (it has ${names}); set 'target:'`,
          where,
        );
      } else if (!target.kinds.includes(task.kind)) {
        fail("MTSL2008", `target '${target.name}' of ${data.name} cannot be learned by a ${task.kind} task`, where);
      } else if (
        task.kind === target.kinds[0] &&
        target.classes !== undefined &&
        task.options["classes"] !== undefined &&
        task.options["classes"] !== target.classes
      ) {
        fail(
          "MTSL2009",
          `task '${task.name}' declares ${String(task.options["classes"])} classes but ${data.name}'s '${target.name}' has ${target.classes}`,
          t.kind!.node?.span ?? t.decl.name.span,
        );
      }
    });
  }

  // stages and shapes
  const stages: IrStage[] = [];
  let shape = inputShape;
  const stageOut = new Map<string, Shape>();
  for (const [index, ts] of typed.stages.entries()) {
    const layers: IrLayer[] = [];
    const skips: string[] = [];
    const inShape = shape;
    let ok = true;
    for (const call of ts.layers) {
      const op = layerOp(call!);
      let skipShape: Shape | undefined;
      if (op.op === "concat") {
        skips.push(op.stage);
        skipShape = stageOut.get(op.stage);
      }
      const r = inferLayer(op, shape, skipShape);
      if (!r.ok) {
        fail(r.code, `stage '${ts.name}': ${r.message}`, call!.node?.span ?? ts.decl.name.span);
        ok = false;
        break;
      }
      layers.push(r.layer);
      shape = r.layer.outShape;
    }
    if (!ok) return { ir: null, diagnostics: located(errors) };
    stages.push({ name: ts.name, index, layers, inShape, outShape: shape, skips });
    stageOut.set(ts.name, shape);
  }
  const stageParams = new Map(stages.map((s) => [s.name, s.layers.reduce((n, l) => n + l.params, 0)]));
  const stageFlops = new Map(stages.map((s) => [s.name, s.layers.reduce((n, l) => n + l.flops, 0)]));

  // instances from the sharing tree
  const sharing = model.members.find((m): m is SharingDecl => m.kind === "Sharing");
  const stageNames = stages.map((s) => s.name);
  const partitions = stagePartitions(
    sharing,
    stageNames,
    tasks.map((t) => t.name),
  );
  // heads
  const last = stages[stages.length - 1]!;
  const heads: IrHead[] = [];
  for (const [i, t] of typed.tasks.entries()) {
    const task = tasks[i]!;
    let hshape = last.outShape;
    const layers: IrLayer[] = [];
    let ok = true;
    for (const call of t.head!) {
      const r = inferLayer(layerOp(call), hshape);
      if (!r.ok) {
        fail(r.code, `head of task '${task.name}': ${r.message}`, call.node?.span ?? t.decl.name.span);
        ok = false;
        break;
      }
      layers.push(r.layer);
      hshape = r.layer.outShape;
    }
    if (!ok) continue;
    const headSpan = t.settings.nodes.get("head")?.value.span ?? t.decl.name.span;
    const want = expectedHeadChannels(task.kind, task.options, inputShape[2]!);
    const dense = task.kind !== "classification" && task.kind !== "regression";
    if (dense) {
      if (hshape.length !== 3) {
        fail(
          "MTSL2005",
          `head of ${task.kind} task '${task.name}' outputs a vector [${hshape.join(", ")}]; a dense task needs a map [${inputShape[0]}, ${inputShape[1]}, ${want}]`,
          headSpan,
        );
      } else if (hshape[0] !== inputShape[0] || hshape[1] !== inputShape[1]) {
        fail(
          "MTSL2006",
          `head of task '${task.name}' outputs ${hshape[0]}x${hshape[1]} maps but the input is ${inputShape[0]}x${inputShape[1]}; upsample to the input size`,
          headSpan,
        );
      } else if (hshape[2] !== want) {
        fail(
          "MTSL2005",
          `head of ${task.kind} task '${task.name}' outputs ${hshape[2]} channels; it needs ${want}`,
          headSpan,
        );
      }
    } else if (task.kind === "classification" && (hshape.length !== 1 || hshape[0] !== want)) {
      fail(
        "MTSL2005",
        `head of classification task '${task.name}' outputs [${hshape.join(", ")}]; it needs a vector of ${want} class scores (end with gap or flatten and dense(${want}))`,
        headSpan,
      );
    } else if (task.kind === "regression" && hshape[hshape.length - 1] !== want) {
      fail(
        "MTSL2005",
        `head of regression task '${task.name}' outputs [${hshape.join(", ")}]; it needs ${want} values`,
        headSpan,
      );
    }
    heads.push({
      id: headId(task.name),
      task: task.name,
      input: "", // set by withPartitions from the sharing tree
      layers,
      inShape: last.outShape,
      outShape: hshape,
      params: layers.reduce((n, l) => n + l.params, 0),
      flops: layers.reduce((n, l) => n + l.flops, 0),
    });
  }
  if (errors.length > 0) return { ir: null, diagnostics: located(errors) };

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
    },
    threshold: settingNumber(settings, "threshold"),
    init: settingName(settings, "init"),
    transfer: {
      method: "distill",
      gate: transfer.args["gate"] as "channel" | "none",
      passes: Array.isArray(passes) ? (passes as readonly ResolvedValue[]).map((p) => p as number) : [],
      lr: typeof lr === "number" ? lr : null,
    },
    alignment: settingNumber(settings, "alignment"),
    handoff: settingName(settings, "handoff"),
  };
}

function lowerTrain(settings: TypedSettings): IrTrain {
  return {
    epochs: settingNumber(settings, "epochs"),
    batch: settingNumber(settings, "batch"),
    optimizer: irCall(settingCall(settings, "optimizer")),
    schedule: irCall(settingCall(settings, "schedule")),
    seed: settingNumber(settings, "seed"),
    backend: settingName(settings, "backend"),
    valEvery: settingNumber(settings, "val_every"),
  };
}

function located(errors: Located[]): Diagnostic[] {
  return errors.map((e) => ({ code: e.code, severity: "error", message: e.message, span: e.span }));
}
