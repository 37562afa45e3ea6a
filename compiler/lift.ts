/**
 * Lifting: IR back to an AST that the printer prints. With a template (the
 * document the IR was compiled from, or an earlier revision), every part of the
 * template that still means the same is kept as written, comments and all, and
 * only what changed is regenerated; so a revision written after a merge differs
 * from the file before it only in the lines of the merge.
 */
import type {
  Arg,
  BackboneDecl,
  Call,
  Comment,
  DataDecl,
  Document,
  Identifier,
  InputDecl,
  Layer,
  Member,
  Model,
  NumberLit,
  Setting,
  SettingsBlock,
  SharingDecl,
  SharingRow,
  Span,
  StageDecl,
  TaskDecl,
  Trivia,
  Value,
} from "../grammar/ast.js";
import { vocabularyEntry, type CallSpec, type ParamSpec, type VocabularyName } from "./catalog/index.js";
import { resolveDefault } from "./check/resolve-args.js";
import { compile } from "./compile.js";
import { irToJson } from "./ir/json.js";
import type { IrCall, IrLayerOp, IrModel, IrValue } from "./ir/types.js";
import { stagePartitions } from "./lower/lower.js";
import { partitionKey, partitionsOf } from "./ir/sharing-tree.js";
import { bindTarget } from "./lower/targets.js";

const ORIGIN = { offset: 0, line: 1, column: 1 };
const SPAN: Span = { start: ORIGIN, end: ORIGIN };

const trivia = (blankBefore = false): Trivia => ({ leading: [], trailing: null, blankBefore });
const ident = (name: string): Identifier => ({ kind: "Ident", name, span: SPAN });

function value(v: IrValue, asName = false): Value {
  if (Array.isArray(v)) return { kind: "List", items: v.map((x) => value(x, asName)), span: SPAN };
  if (typeof v === "number") return { kind: "Number", value: v, span: SPAN } satisfies NumberLit;
  if (typeof v === "boolean") return { kind: "Bool", value: v, span: SPAN };
  return asName && /^[A-Za-z_][A-Za-z0-9_]*$/.test(v) ? ident(v) : { kind: "String", value: v, span: SPAN };
}

const sameValue = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/**
 * A call written canonically: positional parameters positionally up to the last
 * one that differs from its default, then named ones that differ; a bare name
 * when nothing needs saying.
 */
function callOf(spec: CallSpec, options: Record<string, IrValue>): Layer {
  const bound: Record<string, IrValue> = {};
  const isDefault = (p: ParamSpec): boolean => {
    if (p.required || p.default === undefined) return options[p.name] === undefined;
    const def = resolveDefault(p.default, p.type, bound as never);
    return sameValue(def, options[p.name]);
  };
  const defaults = new Map<string, boolean>();
  for (const p of spec.params) {
    defaults.set(p.name, isDefault(p));
    if (options[p.name] !== undefined) bound[p.name] = options[p.name]!;
  }
  const positional = spec.params.filter((p) => p.positional);
  let lastPositional = -1;
  positional.forEach((p, i) => {
    if (!defaults.get(p.name)) lastPositional = i;
  });
  const args: Arg[] = [];
  const enumLike = (p: ParamSpec): boolean => p.type.kind !== "string";
  positional.slice(0, lastPositional + 1).forEach((p) => {
    args.push({ kind: "Arg", name: null, value: value(options[p.name]!, enumLike(p)), span: SPAN });
  });
  for (const p of spec.params) {
    if (positional.indexOf(p) <= lastPositional && p.positional) continue;
    if (defaults.get(p.name) || options[p.name] === undefined) continue;
    args.push({ kind: "Arg", name: ident(p.name), value: value(options[p.name]!, enumLike(p)), span: SPAN });
  }
  if (args.length === 0) return ident(spec.name);
  return { kind: "Call", callee: ident(spec.name), args, span: SPAN } satisfies Call;
}

function vocabCall(vocab: VocabularyName, call: IrCall): Layer {
  const spec = vocabularyEntry(vocab, call.name);
  if (!spec) throw new Error(`lift: unknown ${vocab} ${call.name}`);
  return callOf(spec, call.options);
}

/** An IR layer as the call that declares it. */
export function layerCall(op: IrLayerOp): Layer {
  switch (op.op) {
    case "conv":
      return vocabCall("layer", {
        name: "conv",
        options: {
          filters: op.filters,
          kernel: op.kernel,
          stride: op.stride,
          padding: op.padding,
          dilation: op.dilation,
          bias: op.bias,
          init: op.init,
        },
      });
    case "bn":
      return vocabCall("layer", { name: "bn", options: { momentum: op.momentum, epsilon: op.epsilon } });
    case "act":
      return vocabCall("layer", { name: op.fn, options: op.alpha === undefined ? {} : { alpha: op.alpha } });
    case "pool":
      return vocabCall("layer", {
        name: `${op.mode}pool`,
        options: { size: op.size, stride: op.stride, padding: op.padding },
      });
    case "gap":
    case "flatten":
      return ident(op.op);
    case "dense":
      return vocabCall("layer", { name: "dense", options: { units: op.units, bias: op.bias, init: op.init } });
    case "dropout":
      return vocabCall("layer", { name: "dropout", options: { rate: op.rate } });
    case "basic":
      return vocabCall("layer", {
        name: "basic",
        options: { filters: op.filters, stride: op.stride, ...(op.padding ? { padding: op.padding } : {}) },
      });
    case "bottleneck":
      return vocabCall("layer", {
        name: "bottleneck",
        options: {
          filters: op.filters,
          stride: op.stride,
          expansion: op.expansion,
          ...(op.padding ? { padding: op.padding } : {}),
        },
      });
    case "upsample":
      return vocabCall("layer", { name: "upsample", options: { factor: op.factor, mode: op.mode } });
    case "concat":
      return vocabCall("layer", { name: "concat", options: { stage: op.stage } });
    case "decoder_bottleneck":
      return vocabCall("layer", {
        name: "decoder_bottleneck",
        options: { filters: op.filters, skip: op.skip, expansion: op.expansion },
      });
    case "fuse":
      return vocabCall("layer", { name: "fuse", options: { stages: op.stages, filters: op.filters, bias: op.bias } });
  }
}

function layerValue(layers: Layer[]): Value {
  return layers.length === 1 ? layers[0]! : { kind: "Seq", items: layers, span: SPAN };
}

const setting = (key: string, v: Value): Setting => ({
  kind: "Setting",
  key: ident(key),
  value: v,
  trivia: trivia(),
  span: SPAN,
});

function liftInput(ir: IrModel): InputDecl {
  return {
    kind: "Input",
    name: ident(ir.input.name),
    dtype: ident(ir.input.dtype),
    shape: ir.input.shape.map((n) => ({ kind: "Number", value: n, span: SPAN })),
    trivia: trivia(),
    span: SPAN,
  };
}

function liftData(ir: IrModel): DataDecl {
  return { kind: "Data", source: vocabCall("data", ir.data), trivia: trivia(), span: SPAN };
}

function liftTask(ir: IrModel, name: string): TaskDecl {
  const task = ir.tasks.find((t) => t.name === name)!;
  const head = ir.heads.find((h) => h.task === name)!;
  const settings: Setting[] = [
    setting("head", layerValue(head.layers.map(layerCall))),
    setting("loss", vocabCall("loss", task.loss)),
    setting("metrics", { kind: "List", items: task.metrics.map(ident), span: SPAN }),
  ];
  if (task.weight !== 1) settings.push(setting("weight", value(task.weight)));
  const implied = bindTarget(ir.data.name, { name: task.name, kind: task.kind, target: null });
  if (task.target !== implied) settings.push(setting("target", value(task.target, true)));
  return {
    kind: "Task",
    name: ident(name),
    taskKind: vocabCall("taskKind", { name: task.kind, options: task.options }),
    settings,
    dangling: [],
    trivia: trivia(true),
    span: SPAN,
  };
}

function liftBackbone(ir: IrModel): BackboneDecl {
  const stages: StageDecl[] = ir.stages.map((s) => ({
    kind: "Stage",
    name: ident(s.name),
    layers: s.layers.map(layerCall),
    trivia: trivia(),
    span: SPAN,
  }));
  return { kind: "Backbone", stages, dangling: [], trivia: trivia(true), span: SPAN };
}

function row(from: string, to: string | null, groups: string[][], t: Trivia): SharingRow {
  return {
    kind: "SharingRow",
    from: ident(from),
    to: to === null || to === from ? null : ident(to),
    groups: groups.map((g) => ({ kind: "TaskGroup", tasks: g.map(ident), span: SPAN })),
    trivia: t,
    span: SPAN,
  };
}

/**
 * `groups` in the order a template row wrote its tasks: groups by the first place any of their
 * tasks has there, tasks within a group likewise; tasks the template does not name keep their
 * order, after the named ones. So a row split by a merge keeps the user's group order.
 */
function orderLike(groups: string[][], order: readonly string[] | undefined): string[][] {
  if (!order || order.length === 0) return groups;
  const place = (t: string): number => {
    const i = order.indexOf(t);
    return i < 0 ? order.length : i;
  };
  const sorted = groups.map((g) => [...g].sort((a, b) => place(a) - place(b)));
  return sorted
    .map((g, i) => ({ g, i }))
    .sort((a, b) => place(a.g[0]!) - place(b.g[0]!) || a.i - b.i)
    .map((x) => x.g);
}

/** Rows for a run of stages: one row per maximal run of equal partitions (groups ordered like `order`). */
function rowsFor(
  stages: string[],
  parts: Map<string, string[][]>,
  first: Trivia,
  order?: readonly string[],
): SharingRow[] {
  const rows: SharingRow[] = [];
  let start = 0;
  for (let i = 1; i <= stages.length; i++) {
    const end =
      i === stages.length || partitionKey(parts.get(stages[i]!)!) !== partitionKey(parts.get(stages[start]!)!);
    if (!end) continue;
    rows.push(
      row(
        stages[start]!,
        stages[i - 1]!,
        orderLike(parts.get(stages[start]!)!, order),
        rows.length === 0 ? first : trivia(),
      ),
    );
    start = i;
  }
  return rows;
}

function liftSharing(ir: IrModel, template?: SharingDecl): SharingDecl {
  const parts = partitionsOf(ir);
  const names = ir.stages.map((s) => s.name);
  if (!template) {
    return { kind: "Sharing", rows: rowsFor(names, parts, trivia()), dangling: [], trivia: trivia(true), span: SPAN };
  }
  const index = new Map(names.map((n, i) => [n, i]));
  const rows: SharingRow[] = [];
  const covered = new Set<string>();
  const templateParts = stagePartitions(
    template,
    names,
    ir.tasks.map((t) => t.name),
  );
  for (const r of template.rows) {
    const from = index.get(r.from.name);
    const to = r.to ? index.get(r.to.name) : from;
    if (from === undefined || to === undefined || to < from) continue;
    const stages = names.slice(from, to + 1);
    stages.forEach((s) => covered.add(s));
    const unchanged = stages.every((s) => partitionKey(parts.get(s)!) === partitionKey(templateParts.get(s)!));
    if (unchanged) rows.push(r);
    else
      rows.push(
        ...rowsFor(
          stages,
          parts,
          r.trivia,
          r.groups.flatMap((g) => g.tasks.map((t) => t.name)),
        ),
      );
  }
  const missing = names.filter((n) => !covered.has(n));
  if (missing.length > 0) rows.push(...rowsFor(missing, parts, trivia()));
  return { ...template, rows };
}

function liftStructural(ir: IrModel): SettingsBlock | null {
  const sl = ir.structuralLearning;
  if (!sl) return null;
  const settings: Setting[] = [
    setting("at_epochs", value(sl.atEpochs)),
    setting(
      "similarity",
      vocabCall("similarity", {
        name: "cka",
        options: {
          debiased: sl.similarity.debiased,
          pool: sl.similarity.pool,
          samples: sl.similarity.samples,
          resample: sl.similarity.resample,
          ...(sl.similarity.calibrate ? { calibrate: true } : {}),
        },
      }),
    ),
    setting("threshold", value(sl.threshold)),
    setting("init", ident(sl.init)),
    ...(sl.randomFrom === null ? [] : [setting("random_from", ident(sl.randomFrom))]),
    setting(
      "transfer",
      vocabCall("transfer", {
        name: "distill",
        options: {
          gate: sl.transfer.gate,
          passes: sl.transfer.passes,
          ...(sl.transfer.per === "phase" ? {} : { per: sl.transfer.per }),
          ...(sl.transfer.lr === null ? {} : { lr: sl.transfer.lr }),
          ...(sl.transfer.joint ? { optimizer: "joint" } : {}),
        },
      }),
    ),
    setting("alignment", value(sl.alignment)),
    // Printed only when set, so files and revisions from before this setting print as they did.
    ...(sl.alignmentPause > 0 ? [setting("alignment_pause", value(sl.alignmentPause))] : []),
    setting("handoff", ident(sl.handoff)),
  ];
  return {
    kind: "Block",
    keyword: "structural_learning",
    keywordSpan: SPAN,
    settings,
    dangling: [],
    trivia: trivia(true),
    span: SPAN,
  };
}

function liftTrain(ir: IrModel): SettingsBlock {
  const t = ir.train;
  const settings: Setting[] = [
    setting("epochs", value(t.epochs)),
    setting("batch", value(t.batch)),
    setting("optimizer", vocabCall("optimizer", t.optimizer)),
    setting("schedule", vocabCall("schedule", t.schedule)),
    ...(t.weighting === undefined ? [] : [setting("weighting", vocabCall("weighting", t.weighting))]),
    setting("seed", value(t.seed)),
    setting("backend", ident(t.backend)),
  ];
  if (t.valEvery !== 1) settings.push(setting("val_every", value(t.valEvery)));
  if (t.pretrain !== 0) settings.push(setting("pretrain", value(t.pretrain)));
  if (t.warmStart !== undefined)
    settings.push(setting("warm_start", { kind: "String", value: t.warmStart, span: SPAN }));
  return {
    kind: "Block",
    keyword: "train",
    keywordSpan: SPAN,
    settings,
    dangling: [],
    trivia: trivia(true),
    span: SPAN,
  };
}

/** Keeps `kept`'s comments and layout on a regenerated node. */
function withTrivia<T extends Member>(node: T, kept: Member): T {
  return {
    ...node,
    trivia: kept.trivia,
    ...("dangling" in kept && "dangling" in node ? { dangling: kept.dangling } : {}),
  };
}

/** A template document with its IR, compiled once and lifted against many times. */
export interface LiftTemplate {
  readonly kind: "LiftTemplate";
  readonly document: Document;
  /** Null when the document does not compile (then lifting prints the canonical layout). */
  readonly ir: IrModel | null;
}

/** Compiles `document` once, for any number of {@link lift}s against it. */
export function liftTemplate(document: Document): LiftTemplate {
  return { kind: "LiftTemplate", document, ir: compile(document).ir };
}

/**
 * Lifts `ir` to a document; see the module comment for what `template` does.
 * A plain document is compiled on every call: pass a {@link LiftTemplate} to lift
 * repeatedly against one file.
 */
export function lift(ir: IrModel, templateOrDocument?: Document | LiftTemplate): Document {
  const prepared =
    templateOrDocument === undefined || templateOrDocument.kind === "LiftTemplate"
      ? templateOrDocument
      : liftTemplate(templateOrDocument);
  const template = prepared?.document;
  const templateModel = template?.model ?? null;
  const templateIr = prepared?.ir ?? null;
  if (!templateModel || !templateIr) return canonicalDocument(ir);

  const same = (a: unknown, b: unknown): boolean => sameValue(a, b);
  const members: Member[] = [];
  const emittedTasks = new Set<string>();
  let sawSharing = false;
  let sawStructural = false;
  for (const m of templateModel.members) {
    switch (m.kind) {
      case "Input":
        members.push(same(ir.input, templateIr.input) ? m : withTrivia(liftInput(ir), m));
        break;
      case "Data":
        members.push(same(ir.data, templateIr.data) ? m : withTrivia(liftData(ir), m));
        break;
      case "Task": {
        const name = m.name.name;
        if (!ir.tasks.some((t) => t.name === name)) break;
        emittedTasks.add(name);
        const now = [ir.tasks.find((t) => t.name === name), ir.heads.find((h) => h.task === name)?.layers];
        const before = [
          templateIr.tasks.find((t) => t.name === name),
          templateIr.heads.find((h) => h.task === name)?.layers,
        ];
        members.push(same(now, before) ? m : withTrivia(liftTask(ir, name), m));
        break;
      }
      case "Backbone":
        for (const t of ir.tasks)
          if (!emittedTasks.has(t.name)) {
            members.push(liftTask(ir, t.name));
            emittedTasks.add(t.name);
          }
        members.push(same(ir.stages, templateIr.stages) ? m : withTrivia(liftBackbone(ir), m));
        break;
      case "Sharing":
        sawSharing = true;
        members.push(liftSharing(ir, m));
        break;
      case "Block":
        if (m.keyword === "structural_learning") {
          sawStructural = true;
          const lifted = liftStructural(ir);
          if (lifted)
            members.push(same(ir.structuralLearning, templateIr.structuralLearning) ? m : withTrivia(lifted, m));
        } else {
          if (!sawSharing) {
            members.push(liftSharing(ir));
            sawSharing = true;
          }
          if (!sawStructural) {
            const lifted = liftStructural(ir);
            if (lifted) members.push(lifted);
            sawStructural = true;
          }
          members.push(same(ir.train, templateIr.train) ? m : withTrivia(liftTrain(ir), m));
        }
        break;
    }
  }
  if (!sawSharing) members.push(liftSharing(ir));
  if (!sawStructural) {
    const lifted = liftStructural(ir);
    if (lifted) members.push(lifted);
  }
  if (!templateModel.members.some((m) => m.kind === "Block" && m.keyword === "train")) members.push(liftTrain(ir));
  const model: Model = {
    ...templateModel,
    name: ir.name === templateModel.name.name ? templateModel.name : ident(ir.name),
    members,
  };
  return { ...template!, model };
}

function canonicalDocument(ir: IrModel): Document {
  const members: Member[] = [liftInput(ir), liftData(ir)];
  for (const t of ir.tasks) members.push(liftTask(ir, t.name));
  members.push(liftBackbone(ir), liftSharing(ir));
  const sl = liftStructural(ir);
  if (sl) members.push(sl);
  members.push(liftTrain(ir));
  const model: Model = { kind: "Model", name: ident(ir.name), members, dangling: [], trivia: trivia(), span: SPAN };
  return { kind: "Document", model, dangling: [] as Comment[], span: SPAN };
}

/** True when two IRs describe the same network and settings (canonical JSON equal). */
export function sameIr(a: IrModel, b: IrModel): boolean {
  return irToJson(a) === irToJson(b);
}
