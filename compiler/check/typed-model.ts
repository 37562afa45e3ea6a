/**
 * The model with every value checked against the catalogue: task kinds,
 * layers, settings and their arguments bound to parameters with defaults.
 * Diagnostics found on the way (unknown words, arguments, types, ranges) are
 * collected; rules report them and read the typed values to check more.
 * Unknown, duplicate and missing settings are left to the settings rule.
 */
import type {
  DataDecl,
  Identifier,
  InputDecl,
  Model,
  Setting,
  SettingsBlock,
  StageDecl,
  TaskDecl,
} from "../../grammar/ast.js";
import type { Diagnostic } from "../../grammar/diagnostics.js";
import { type BlockName, blockSpec, type TaskKindSpec } from "../catalog/index.js";
import type { TaskKind } from "../ir/types.js";
import { bindTarget } from "../lower/targets.js";
import { resolveCall, resolveDefault, resolveValue, type ResolvedCall, type ResolvedValue } from "./resolve-args.js";

/** Settings of a block (or task) by name: the first occurrence of each known one, and defaults. */
export interface TypedSettings {
  /** Checked values, with catalogue defaults for omitted settings. */
  readonly values: ReadonlyMap<string, ResolvedValue>;
  /** The setting as written, for each setting the source gave (first occurrence). */
  readonly nodes: ReadonlyMap<string, Setting>;
}

export interface TypedTask {
  readonly decl: TaskDecl;
  readonly name: string;
  /** The task kind with its arguments, or undefined when unknown. */
  readonly kind: ResolvedCall | undefined;
  readonly kindSpec: TaskKindSpec | undefined;
  readonly settings: TypedSettings;
  /** The head's layers, when valid. */
  readonly head: readonly ResolvedCall[] | undefined;
  /** The loss as written, or the kind's default. */
  readonly loss: ResolvedCall | undefined;
  /** The metrics as written, or the kind's defaults. */
  readonly metrics: readonly ResolvedCall[] | undefined;
  readonly weight: number;
  /**
   * Which data target the task learns: its `target:`, else the data source's
   * default for its name and kind (compiler/lower/targets.ts `bindTarget`).
   */
  readonly target: string;
}

export interface TypedStage {
  readonly decl: StageDecl;
  readonly name: string;
  /** One entry per layer as written; undefined where a layer is unknown. */
  readonly layers: readonly (ResolvedCall | undefined)[];
}

export interface TypedBlock {
  /** The block as written; null when the file has none (defaults apply). */
  readonly decl: SettingsBlock | null;
  readonly settings: TypedSettings;
}

export interface TypedInput {
  readonly decl: InputDecl;
}

export interface TypedModel {
  /** The first input, data, backbone... (duplicates are reported elsewhere). */
  readonly input: InputDecl | undefined;
  readonly data: { readonly decl: DataDecl; readonly source: ResolvedCall | undefined } | undefined;
  readonly tasks: readonly TypedTask[];
  readonly stages: readonly TypedStage[];
  readonly structuralLearning: TypedBlock | undefined;
  /** The train block, or all train defaults when the file has none. */
  readonly train: TypedBlock;
}

export interface TypedModelResult {
  model: TypedModel;
  diagnostics: Diagnostic[];
}

function resolveSettings(
  settings: readonly Setting[],
  block: BlockName,
  owner: string,
  out: Diagnostic[],
): TypedSettings {
  const spec = blockSpec(block);
  const values = new Map<string, ResolvedValue>();
  const nodes = new Map<string, Setting>();
  for (const setting of settings) {
    const name = setting.key.name;
    const param = spec.settings.find((s) => s.name === name);
    if (param === undefined || nodes.has(name)) continue;
    nodes.set(name, setting);
    const v = resolveValue(setting.value, param.type, `setting '${name}' of ${owner}`, out);
    if (v !== undefined) values.set(name, v);
  }
  for (const param of spec.settings) {
    if (nodes.has(param.name) || param.default === undefined) continue;
    const v = resolveDefault(param.default, param.type);
    if (v !== undefined) values.set(param.name, v);
  }
  return { values, nodes };
}

function isCall(v: ResolvedValue | undefined): v is ResolvedCall {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function callList(v: ResolvedValue | undefined): ResolvedCall[] | undefined {
  if (!Array.isArray(v)) return undefined;
  const list = v as readonly ResolvedValue[];
  return list.every(isCall) ? (list as ResolvedCall[]) : undefined;
}

function typeTask(decl: TaskDecl, out: Diagnostic[]): TypedTask {
  const kindResult = resolveCall(decl.taskKind, "taskKind");
  out.push(...kindResult.diagnostics);
  const kind = kindResult.value;
  const kindSpec = kind?.spec as TaskKindSpec | undefined;
  const settings = resolveSettings(decl.settings, "task", `task '${decl.name.name}'`, out);
  const given = settings.values;
  const loss = settings.nodes.has("loss")
    ? isCall(given.get("loss"))
      ? (given.get("loss") as ResolvedCall)
      : undefined
    : kindSpec === undefined
      ? undefined
      : (resolveDefault({ call: kindSpec.defaultLoss }, { kind: "call", vocabulary: "loss" }) as
          ResolvedCall | undefined);
  const metrics = settings.nodes.has("metrics")
    ? callList(given.get("metrics"))
    : kindSpec?.defaultMetrics.map(
        (m) => resolveDefault({ call: m }, { kind: "call", vocabulary: "metric" }) as ResolvedCall,
      );
  const weight = given.get("weight");
  const target = given.get("target");
  return {
    decl,
    name: decl.name.name,
    kind,
    kindSpec,
    settings,
    head: callList(given.get("head")),
    loss,
    metrics,
    weight: typeof weight === "number" ? weight : 1,
    target: typeof target === "string" ? target : decl.name.name,
  };
}

function typeStage(decl: StageDecl, out: Diagnostic[]): TypedStage {
  const layers = decl.layers.map((layer) => {
    const r = resolveCall(layer, "layer");
    out.push(...r.diagnostics);
    return r.value;
  });
  return { decl, name: decl.name.name, layers };
}

function typeBlock(decl: SettingsBlock | null, block: BlockName, out: Diagnostic[]): TypedBlock {
  return { decl, settings: resolveSettings(decl?.settings ?? [], block, block, out) };
}

/** Checks every value of `model` against the catalogue. Never throws. */
export function typeModel(model: Model): TypedModelResult {
  const out: Diagnostic[] = [];
  let input: InputDecl | undefined;
  let data: TypedModel["data"];
  const tasks: TypedTask[] = [];
  const stages: TypedStage[] = [];
  let structuralLearning: TypedBlock | undefined;
  let train: TypedBlock | undefined;
  let sawBackbone = false;
  for (const member of model.members) {
    switch (member.kind) {
      case "Input":
        input ??= member;
        break;
      case "Data": {
        if (data !== undefined) break;
        const r = resolveCall(member.source, "data");
        out.push(...r.diagnostics);
        data = { decl: member, source: r.value };
        break;
      }
      case "Task":
        tasks.push(typeTask(member, out));
        break;
      case "Backbone":
        if (sawBackbone) break;
        sawBackbone = true;
        for (const stage of member.stages) stages.push(typeStage(stage, out));
        break;
      case "Sharing":
        break;
      case "Block":
        if (member.keyword === "structural_learning")
          structuralLearning ??= typeBlock(member, "structural_learning", out);
        else train ??= typeBlock(member, "train", out);
        break;
    }
  }
  train ??= typeBlock(null, "train", out);
  // The data member may follow the tasks: targets are bound once everything is read.
  const source = data?.source?.name;
  const bound = tasks.map((t) =>
    source === undefined || t.kind === undefined || t.settings.nodes.has("target")
      ? t
      : { ...t, target: bindTarget(source, { name: t.name, kind: t.kind.name as TaskKind, target: null }) },
  );
  return { model: { input, data, tasks: bound, stages, structuralLearning, train }, diagnostics: out };
}

/** The callee identifier of a layer or call as written. */
export function calleeName(node: Identifier | { kind: "Call"; callee: Identifier }): Identifier {
  return node.kind === "Call" ? node.callee : node;
}
