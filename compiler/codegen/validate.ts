/**
 * `validateForCodegen(ir)`: everything the generator relies on, checked before
 * a line is emitted. The IR may come from hand-edited JSON, so nothing is
 * taken on trust: the fields it reads must have the right types (MTSL6002),
 * the graph must pass `lint` (MTSL6001), every layer option that reaches code
 * must be a number, boolean or known word of the right range (MTSL6003), and
 * every layer's shapes and weights must be what its op computes (MTSL6004), so
 * that the types, comments and weight specs of the generated module are true.
 */
import { inferLayer } from "../ir/infer.js";
import { lint } from "../ir/lint.js";
import { layerStages, type IrLayer, type IrModel, type Shape } from "../ir/types.js";
import { CodegenError } from "./errors.js";

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const isPosInt = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v) && v > 0;
const isShape = (v: unknown): v is Shape => Array.isArray(v) && v.every(isPosInt);
const isStringArray = (v: unknown): v is string[] => Array.isArray(v) && v.every((s) => typeof s === "string");
const isFiniteNumber = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);
const sameShape = (a: readonly number[], b: readonly number[]): boolean =>
  a.length === b.length && a.every((x, i) => x === b[i]);
const show = (v: unknown): string => {
  const text = JSON.stringify(v);
  return text === undefined ? String(v) : text.length > 60 ? `${text.slice(0, 57)}...` : text;
};

/** Checks the field types the generator reads; returns one line per problem. */
function structuralProblems(ir: unknown): string[] {
  const out: string[] = [];
  const need = (ok: boolean, where: string, what: string, value: unknown): void => {
    if (!ok) out.push(`${where}: expected ${what}, found ${show(value)}`);
  };
  if (!isObj(ir)) return [`the IR is not an object (found ${show(ir)})`];
  need(typeof ir.name === "string", "name", "a string", ir.name);
  const input = ir.input;
  need(
    isObj(input) && isShape(input.shape) && input.shape.length === 3,
    "input.shape",
    "[height, width, channels] of positive integers",
    isObj(input) ? input.shape : input,
  );
  const checkLayers = (where: string, owner: Obj): void => {
    need(isShape(owner.inShape), `${where}.inShape`, "a shape", owner.inShape);
    need(isShape(owner.outShape), `${where}.outShape`, "a shape", owner.outShape);
    if (!Array.isArray(owner.layers) || owner.layers.length === 0) {
      out.push(`${where}.layers: expected a non-empty list, found ${show(owner.layers)}`);
      return;
    }
    owner.layers.forEach((layer: unknown, j) => {
      const at = `${where}.layers[${j}]`;
      if (!isObj(layer)) return void out.push(`${at}: expected an object, found ${show(layer)}`);
      need(typeof layer.op === "string", `${at}.op`, "a string", layer.op);
      need(
        isShape(layer.inShape) && (layer.inShape.length === 1 || layer.inShape.length === 3),
        `${at}.inShape`,
        "a shape of rank 1 or 3",
        layer.inShape,
      );
      need(
        isShape(layer.outShape) && (layer.outShape.length === 1 || layer.outShape.length === 3),
        `${at}.outShape`,
        "a shape of rank 1 or 3",
        layer.outShape,
      );
      if (!Array.isArray(layer.weights))
        return void out.push(`${at}.weights: expected a list, found ${show(layer.weights)}`);
      layer.weights.forEach((w: unknown, k) => {
        const wat = `${at}.weights[${k}]`;
        if (!isObj(w)) return void out.push(`${wat}: expected an object, found ${show(w)}`);
        need(typeof w.name === "string", `${wat}.name`, "a string", w.name);
        need(isShape(w.shape), `${wat}.shape`, "a list of positive integers", w.shape);
        need(typeof w.trainable === "boolean", `${wat}.trainable`, "true or false", w.trainable);
      });
    });
  };
  const list = (key: string): Obj[] => {
    const v = ir[key];
    if (!Array.isArray(v)) {
      out.push(`${key}: expected a list, found ${show(v)}`);
      return [];
    }
    return v.filter((item: unknown, i) => {
      if (!isObj(item)) out.push(`${key}[${i}]: expected an object, found ${show(item)}`);
      return isObj(item);
    }) as Obj[];
  };
  list("tasks").forEach((t, i) => {
    need(typeof t.name === "string", `tasks[${i}].name`, "a string", t.name);
    need(typeof t.kind === "string", `tasks[${i}].kind`, "a string", t.kind);
    need(isObj(t.options), `tasks[${i}].options`, "an object", t.options);
    need(isObj(t.loss) && typeof t.loss.name === "string", `tasks[${i}].loss`, "{ name, options }", t.loss);
  });
  list("stages").forEach((s, i) => {
    need(typeof s.name === "string", `stages[${i}].name`, "a string", s.name);
    need(s.index === i, `stages[${i}].index`, String(i), s.index);
    need(isStringArray(s.skips), `stages[${i}].skips`, "a list of stage names", s.skips);
    checkLayers(`stages[${i}]`, s);
  });
  list("instances").forEach((inst, i) => {
    for (const key of ["id", "stage", "input"])
      need(typeof inst[key] === "string", `instances[${i}].${key}`, "a string", inst[key]);
    need(isStringArray(inst.tasks), `instances[${i}].tasks`, "a list of task names", inst.tasks);
    need(isStringArray(inst.skips), `instances[${i}].skips`, "a list of instance ids", inst.skips);
  });
  list("heads").forEach((h, i) => {
    for (const key of ["id", "task", "input"])
      need(typeof h[key] === "string", `heads[${i}].${key}`, "a string", h[key]);
    need(isStringArray(h.skips), `heads[${i}].skips`, "a list of instance ids", h.skips);
    checkLayers(`heads[${i}]`, h);
  });
  return out;
}

const PADDINGS = ["same", "valid", "symmetric"];
const ACTIVATIONS = ["relu", "leaky_relu", "elu", "gelu", "sigmoid", "tanh"];

/** Checks the options of one layer that the generator writes into code. */
function optionProblems(layer: Obj, at: string): string[] {
  const out: string[] = [];
  const posInt = (key: string): void => {
    if (!isPosInt(layer[key]))
      out.push(`${at}: ${String(layer.op)}.${key} must be a positive integer, found ${show(layer[key])}`);
  };
  const oneOf = (key: string, words: string[]): void => {
    if (!words.includes(layer[key] as string))
      out.push(`${at}: ${String(layer.op)}.${key} must be one of ${words.join(", ")}, found ${show(layer[key])}`);
  };
  const bool = (key: string): void => {
    if (typeof layer[key] !== "boolean")
      out.push(`${at}: ${String(layer.op)}.${key} must be true or false, found ${show(layer[key])}`);
  };
  const finite = (key: string, ok: (x: number) => boolean, range: string): void => {
    const v = layer[key];
    if (!isFiniteNumber(v) || !ok(v))
      out.push(`${at}: ${String(layer.op)}.${key} must be a number ${range}, found ${show(v)}`);
  };
  switch (layer.op) {
    case "conv":
      ["filters", "kernel", "stride", "dilation"].forEach(posInt);
      oneOf("padding", PADDINGS);
      bool("bias");
      break;
    case "bn":
      finite("momentum", (x) => x >= 0 && x <= 1, "in [0, 1]");
      finite("epsilon", (x) => x > 0, "above 0");
      break;
    case "act":
      oneOf("fn", ACTIVATIONS);
      if (layer.alpha !== undefined) finite("alpha", () => true, "(finite)");
      break;
    case "pool":
      oneOf("mode", ["max", "avg"]);
      ["size", "stride"].forEach(posInt);
      oneOf("padding", PADDINGS);
      break;
    case "gap":
    case "flatten":
      break;
    case "dense":
      posInt("units");
      bool("bias");
      break;
    case "dropout":
      finite("rate", (x) => x >= 0 && x < 1, "in [0, 1)");
      break;
    case "basic":
      ["filters", "stride"].forEach(posInt);
      break;
    case "bottleneck":
      ["filters", "stride", "expansion"].forEach(posInt);
      break;
    case "upsample":
      posInt("factor");
      oneOf("mode", ["bilinear", "nearest"]);
      break;
    case "concat":
      if (typeof layer.stage !== "string")
        out.push(`${at}: concat.stage must be a stage name, found ${show(layer.stage)}`);
      break;
    case "decoder_bottleneck":
      ["filters", "expansion"].forEach(posInt);
      if (typeof layer.skip !== "string")
        out.push(`${at}: decoder_bottleneck.skip must be a stage name, found ${show(layer.skip)}`);
      break;
    case "fuse":
      posInt("filters");
      bool("bias");
      if (!isStringArray(layer.stages) || layer.stages.length === 0)
        out.push(`${at}: fuse.stages must be a non-empty list of stage names, found ${show(layer.stages)}`);
      break;
    default:
      out.push(`${at}: unknown layer op ${show(layer.op)}`);
  }
  return out;
}

/** Re-infers every layer of an owner and compares shapes and weights with the IR's. */
function consistencyProblems(
  where: string,
  layers: IrLayer[],
  inShape: Shape,
  skipShape: (stage: string) => Shape | undefined,
): string[] {
  const out: string[] = [];
  let shape = inShape;
  layers.forEach((layer, j) => {
    const at = `${where} layer ${j} (${layer.op})`;
    if (!sameShape(layer.inShape, shape))
      out.push(`${at}: inShape [${layer.inShape.join(", ")}] but receives [${shape.join(", ")}]`);
    const skips = layerStages(layer).map(skipShape);
    const missing = layerStages(layer).filter((_, i) => skips[i] === undefined);
    if (missing.length > 0) {
      out.push(`${at}: reads unknown stage${missing.length === 1 ? "" : "s"} ${missing.join(", ")}`);
      shape = layer.outShape;
      return;
    }
    const inferred = inferLayer(layer, layer.inShape, skips as Shape[]);
    if (!inferred.ok) {
      out.push(`${at}: ${inferred.message}`);
    } else {
      const got = inferred.layer;
      if (!sameShape(got.outShape, layer.outShape))
        out.push(`${at}: outShape [${layer.outShape.join(", ")}] but the op computes [${got.outShape.join(", ")}]`);
      const describe = (ws: IrLayer["weights"]): string =>
        ws.map((w) => `${w.name}[${w.shape.join(",")}]${w.trainable ? "" : "(state)"}`).join(" ");
      if (describe(got.weights) !== describe(layer.weights)) {
        out.push(
          `${at}: weights ${describe(layer.weights) || "(none)"} but the op needs ${describe(got.weights) || "(none)"}`,
        );
      }
    }
    shape = layer.outShape;
  });
  return out;
}

/**
 * Throws a {@link CodegenError} unless `ir` is safe and sound to generate code
 * from. Returns the same IR, now known to be well-typed.
 */
export function validateForCodegen(ir: unknown): IrModel {
  const structural = structuralProblems(ir);
  if (structural.length > 0) throw new CodegenError("MTSL6002", structural);
  const model = ir as IrModel;
  const options: string[] = [];
  const owners = [
    ...model.stages.map((s) => ({ where: `stage ${s.name}`, layers: s.layers })),
    ...model.heads.map((h) => ({ where: `head ${h.id}`, layers: h.layers })),
  ];
  for (const { where, layers } of owners) {
    layers.forEach((layer, j) => options.push(...optionProblems(layer as unknown as Obj, `${where} layer ${j}`)));
  }
  if (options.length > 0) throw new CodegenError("MTSL6003", options);
  const problems = lint(model);
  if (problems.length > 0) throw new CodegenError("MTSL6001", problems);

  const stageOut = new Map(model.stages.map((s) => [s.name, s.outShape]));
  const consistency: string[] = [];
  for (const stage of model.stages) {
    const reads = stage.layers.flatMap(layerStages);
    if (reads.join("\n") !== stage.skips.join("\n")) {
      consistency.push(
        `stage ${stage.name}: skips [${stage.skips.join(", ")}] differ from the stages its layers read [${reads.join(", ")}]`,
      );
    }
    consistency.push(
      ...consistencyProblems(`stage ${stage.name}`, stage.layers, stage.inShape, (s) => stageOut.get(s)),
    );
  }
  const lastOut = model.stages[model.stages.length - 1]?.outShape ?? [];
  for (const head of model.heads) {
    if (!sameShape(head.inShape, lastOut))
      consistency.push(
        `head ${head.id}: inShape [${head.inShape.join(", ")}] but the last stage gives [${lastOut.join(", ")}]`,
      );
    const last = head.layers[head.layers.length - 1]!;
    if (!sameShape(head.outShape, last.outShape))
      consistency.push(`head ${head.id}: outShape differs from its last layer`);
    consistency.push(...consistencyProblems(`head ${head.id}`, head.layers, head.inShape, (s) => stageOut.get(s)));
  }
  if (consistency.length > 0) throw new CodegenError("MTSL6004", consistency);
  return model;
}
