/**
 * Shape inference over a typed model: every stage's and head's layers, with
 * parameters and FLOPs, and every shape error (MTSL2001-MTSL2006) in one pass.
 *
 * Inference goes on past an error, as a type checker's error type does: after
 * a layer that shrinks a map to nothing or joins maps of different sizes, the
 * height and width are unknown (a stand-in size that nothing shrinks) and
 * errors about height and width are not reported until a skip or the input
 * fixes them again; the channels stay known, so channel errors downstream are
 * still found. After a rank error (a vector where a map is needed, a map where
 * a vector is) the rest of that path is unknown. Parts the typed model could not resolve (an unknown
 * layer, a bad argument: the rules report those) are unknown too.
 */
import type { Span } from "../../grammar/ast.js";
import type { Diagnostic } from "../../grammar/diagnostics.js";
import { inferLayer, type ShapeCode } from "../ir/infer.js";
import { layerStages, type IrLayer, type IrLayerOp, type Shape, type TaskKind } from "../ir/types.js";
import { layerOp } from "./layer-op.js";
import { expectedHeadChannels, headChannels } from "./rules/head-channels.js";
import type { ResolvedCall } from "./resolve-args.js";
import type { TypedModel, TypedTask } from "./typed-model.js";

/** A feature map's shape as inference knows it; `exact: false` when height and width are unknown. */
interface Flow {
  readonly shape: Shape;
  readonly exact: boolean;
  /** The layer that produced it, when inferred exactly. */
  readonly layer?: IrLayer;
}

/** Height and width used where they are unknown: large enough that no kernel or stride empties them. */
const STAND_IN = 1 << 16;

/** Codes about height and width, not reported while those are unknown. */
const SPATIAL: ReadonlySet<ShapeCode> = new Set(["MTSL2003", "MTSL2004", "MTSL2006"]);

export interface InferredStage {
  readonly name: string;
  readonly layers: IrLayer[];
  readonly skips: string[];
  readonly inShape: Shape;
  readonly outShape: Shape;
}

export interface InferredHead {
  readonly task: string;
  readonly layers: IrLayer[];
  readonly inShape: Shape;
  readonly outShape: Shape;
}

export interface ShapeInference {
  /** Every stage, when all of them were inferred exactly and without error; else null. */
  readonly stages: InferredStage[] | null;
  /** Every head, when all of them were inferred exactly and without error; else null. */
  readonly heads: InferredHead[] | null;
  readonly diagnostics: Diagnostic[];
}

/** `shape` with its height and width replaced by the stand-in (a vector is left alone). */
function standIn(shape: Shape): Shape {
  return shape.length === 3 ? [STAND_IN, STAND_IN, shape[2]!] : shape;
}

/** The layer's IR operation, or undefined when the typed model could not resolve it. */
function opOf(call: ResolvedCall | undefined): IrLayerOp | undefined {
  if (call === undefined) return undefined;
  try {
    return layerOp(call);
  } catch {
    return undefined; // an argument the rules reported (missing, mistyped)
  }
}

/** The input's shape, when it is three positive whole numbers (the input rule reports the rest). */
function inputShapeOf(typed: TypedModel): Shape | null {
  const dims = typed.input?.shape.map((d) => d.value);
  if (dims === undefined || dims.length !== 3 || !dims.every((d) => Number.isInteger(d) && d > 0)) return null;
  return dims;
}

type Report = (code: ShapeCode, message: string, span: Span) => void;

/** Runs one layer on `flow`; reports its error (unless about sizes that are unknown) and recovers. */
function step(
  op: IrLayerOp,
  flow: Flow,
  skips: readonly Flow[],
  where: string,
  span: Span,
  report: Report,
): Flow | null {
  // Unknown sizes on either side of a skip: compare none.
  const exact = flow.exact && skips.every((s) => s.exact);
  const inShape = exact ? flow.shape : standIn(flow.shape);
  const skipShapes = skips.map((s) => (exact ? s.shape : standIn(s.shape)));
  const r = inferLayer(op, inShape, skipShapes);
  if (r.ok) return { shape: r.layer.outShape, exact, layer: r.layer };
  if (!(SPATIAL.has(r.code) && !exact)) report(r.code, `${where}: ${r.message}`, span);
  if (r.code !== "MTSL2003" && r.code !== "MTSL2004") return null;
  // Carry on with unknown height and width.
  const again = inferLayer(op, standIn(inShape), skipShapes.map(standIn));
  return again.ok ? { shape: again.layer.outShape, exact: false } : null;
}

/**
 * Runs `calls` from `from`: the flow after the last layer and the layers inferred
 * exactly, or null once the path is unknown (an unresolved layer, a rank error, a
 * read of a stage not in `stageOut` or of unknown shape).
 */
function walk(
  calls: readonly (ResolvedCall | undefined)[],
  from: Flow,
  stageOut: ReadonlyMap<string, Flow | null>,
  where: string,
  fallback: Span,
  report: Report,
): { flow: Flow; layers: IrLayer[]; skips: string[] } | null {
  let flow: Flow | null = from;
  const layers: IrLayer[] = [];
  const skips: string[] = [];
  for (const call of calls) {
    const op = opOf(call);
    if (op === undefined) return null;
    const reads: Flow[] = [];
    for (const name of layerStages(op)) {
      skips.push(name);
      const skip = stageOut.get(name) ?? undefined;
      if (skip === undefined) return null; // the stage-reference rule reports an unknown or later stage
      reads.push(skip);
    }
    flow = step(op, flow, reads, where, call?.node?.span ?? fallback, report);
    if (flow === null) return null;
    if (flow.layer) layers.push(flow.layer);
  }
  return { flow, layers, skips };
}

/** Infers every stage and head of `typed`; see the module comment for how errors are carried on. */
export function inferShapes(typed: TypedModel): ShapeInference {
  const diagnostics: Diagnostic[] = [];
  const input = inputShapeOf(typed);
  if (input === null || typed.stages.length === 0) return { stages: null, heads: null, diagnostics };
  let complete = true;
  const report: Report = (code, message, span) => {
    complete = false;
    diagnostics.push({ code, severity: "error", message, span });
  };

  const stages: InferredStage[] = [];
  const stageOut = new Map<string, Flow | null>();
  let flow: Flow | null = { shape: input, exact: true };
  for (const ts of typed.stages) {
    const inFlow: Flow | null = flow;
    const r: ReturnType<typeof walk> =
      inFlow === null ? null : walk(ts.layers, inFlow, stageOut, `stage '${ts.name}'`, ts.decl.name.span, report);
    flow = r?.flow ?? null;
    stageOut.set(ts.name, flow);
    if (r && inFlow?.exact && r.flow.exact) {
      stages.push({ name: ts.name, layers: r.layers, skips: r.skips, inShape: inFlow.shape, outShape: r.flow.shape });
    } else complete = false;
  }

  const heads: InferredHead[] = [];
  for (const t of typed.tasks) {
    const head = flow === null ? null : inferHead(t, flow, input, stageOut, report);
    if (head) heads.push(head);
    else complete = false;
  }
  return complete ? { stages, heads, diagnostics } : { stages: null, heads: null, diagnostics };
}

/** One task's head and the check that its output fits the task (MTSL2005, MTSL2006). */
function inferHead(
  t: TypedTask,
  from: Flow,
  input: Shape,
  stageOut: ReadonlyMap<string, Flow | null>,
  report: Report,
): InferredHead | null {
  if (t.head === undefined || t.kind === undefined) return null;
  const r = walk(t.head, from, stageOut, `head of task '${t.name}'`, t.decl.name.span, report);
  const want = expectedHeadChannels(t, input[2]!)?.channels;
  if (r === null || want === undefined) return null;
  const { flow, layers } = r;
  const kind = t.kind.name as TaskKind;
  const span = t.settings.nodes.get("head")?.value.span ?? t.decl.name.span;
  const out = flow.shape;
  // Channels set by a layer of the head itself are the head-channels rule's to report (MTSL1063).
  const staticChannels = headChannels(t.head);
  const ruleOwnsChannels = staticChannels !== undefined && staticChannels.channels !== want;
  let fits = !ruleOwnsChannels;
  const fail = (code: ShapeCode, message: string): void => {
    fits = false;
    report(code, message, span);
  };
  if (kind === "classification") {
    if (out.length !== 1 || (out[0] !== want && !ruleOwnsChannels)) {
      fail(
        "MTSL2005",
        `head of classification task '${t.name}' outputs [${out.join(", ")}]; it needs a vector of ${want} class scores (end with gap or flatten and dense(${want}))`,
      );
    }
  } else if (kind === "regression") {
    if (out[out.length - 1] !== want && !ruleOwnsChannels) {
      fail("MTSL2005", `head of regression task '${t.name}' outputs [${out.join(", ")}]; it needs ${want} values`);
    }
  } else if (out.length !== 3) {
    fail(
      "MTSL2005",
      `head of ${kind} task '${t.name}' outputs a vector [${out.join(", ")}]; a dense task needs a map [${input[0]}, ${input[1]}, ${want}]`,
    );
  } else {
    if (flow.exact && (out[0] !== input[0] || out[1] !== input[1])) {
      fail(
        "MTSL2006",
        `head of task '${t.name}' outputs ${out[0]}x${out[1]} maps but the input is ${input[0]}x${input[1]}; upsample to the input size`,
      );
    }
    if (out[2] !== want && !ruleOwnsChannels) {
      fail("MTSL2005", `head of ${kind} task '${t.name}' outputs ${out[2]} channels; it needs ${want}`);
    }
  }
  if (!fits || !flow.exact) return null;
  return { task: t.name, layers, inShape: from.shape, outShape: out };
}
