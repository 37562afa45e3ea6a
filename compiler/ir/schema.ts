/**
 * The JSON Schema of the IR (`model.ir.json`, and the IR inside every
 * checkpoint), matching compiler/ir/types.ts. {@link irFromJson} validates
 * against it before the IR's own invariants ({@link lint}), so a hand-edited or
 * damaged file is refused with the path of what is wrong, never half-read.
 */
import { BACKENDS } from "../catalog/training.js";
import { IR_VERSION } from "./types.js";

const int = { type: "integer", minimum: 0 } as const;
const positiveInt = { type: "integer", minimum: 1 } as const;
const num = { type: "number" } as const;
const str = { type: "string" } as const;
const bool = { type: "boolean" } as const;
const shape = { type: "array", items: positiveInt } as const;
const strings = { type: "array", items: str } as const;
const padding = { enum: ["same", "valid", "symmetric"] } as const;
const initializer = {
  enum: ["he_normal", "he_uniform", "glorot_normal", "glorot_uniform", "lecun_normal", "zeros"],
} as const;

/** An object with exactly these properties, all required except `optional`. */
function object(properties: Record<string, unknown>, optional: readonly string[] = []): Record<string, unknown> {
  return {
    type: "object",
    properties,
    required: Object.keys(properties).filter((k) => !optional.includes(k)),
    additionalProperties: false,
  };
}

const value = { $ref: "#/$defs/value" };
const call = object({ name: str, options: { type: "object", additionalProperties: value } });

const layerCommon = {
  inShape: shape,
  outShape: shape,
  params: int,
  flops: int,
  weights: {
    type: "array",
    items: object({
      name: str,
      shape,
      trainable: bool,
      init: { enum: [...initializer.enum, "ones"] },
    }),
  },
};

const layerOps: Record<string, Record<string, unknown>> = {
  conv: {
    filters: positiveInt,
    kernel: positiveInt,
    stride: positiveInt,
    padding,
    dilation: positiveInt,
    bias: bool,
    init: initializer,
  },
  bn: { momentum: num, epsilon: num },
  act: { fn: { enum: ["relu", "leaky_relu", "elu", "gelu", "sigmoid", "tanh"] }, alpha: num },
  pool: { mode: { enum: ["max", "avg"] }, size: positiveInt, stride: positiveInt, padding },
  gap: {},
  dense: { units: positiveInt, bias: bool, init: initializer },
  dropout: { rate: num },
  flatten: {},
  basic: { filters: positiveInt, stride: positiveInt, padding: { const: "symmetric" } },
  bottleneck: { filters: positiveInt, stride: positiveInt, expansion: positiveInt, padding: { const: "symmetric" } },
  upsample: { factor: positiveInt, mode: { enum: ["bilinear", "nearest"] } },
  concat: { stage: str },
  decoder_bottleneck: { filters: positiveInt, skip: str, expansion: positiveInt },
  fuse: { stages: { type: "array", items: str, minItems: 1 }, filters: positiveInt, bias: bool },
};

const layer = {
  type: "object",
  properties: { op: { enum: Object.keys(layerOps) } },
  required: ["op"],
  discriminator: { propertyName: "op" },
  oneOf: Object.entries(layerOps).map(([op, fields]) =>
    object(
      { op: { const: op }, ...fields, ...layerCommon },
      op === "act" ? ["alpha"] : op === "basic" || op === "bottleneck" ? ["padding"] : [],
    ),
  ),
};

export const IR_SCHEMA = {
  $schema: "http://json-schema.org/draft-07/schema#",
  $id: "https://mtsl.dev/schema/ir.json",
  title: "mtsl IR",
  $defs: {
    value: { anyOf: [num, str, bool, { type: "array", items: { $ref: "#/$defs/value" } }] },
    layer,
  },
  ...object({
    version: { const: IR_VERSION },
    name: str,
    input: object({ name: str, dtype: { const: "f32" }, shape }),
    data: call,
    tasks: {
      type: "array",
      items: object({
        name: str,
        kind: {
          enum: ["classification", "segmentation", "depth", "normals", "edges", "reconstruction", "regression"],
        },
        options: { type: "object", additionalProperties: value },
        target: str,
        loss: call,
        metrics: strings,
        weight: num,
      }),
    },
    stages: {
      type: "array",
      items: object({
        name: str,
        index: int,
        layers: { type: "array", items: { $ref: "#/$defs/layer" } },
        inShape: shape,
        outShape: shape,
        skips: strings,
      }),
    },
    instances: {
      type: "array",
      items: object({ id: str, stage: str, tasks: strings, input: str, skips: strings, params: int, flops: int }),
    },
    heads: {
      type: "array",
      items: object({
        id: str,
        task: str,
        input: str,
        skips: strings,
        layers: { type: "array", items: { $ref: "#/$defs/layer" } },
        inShape: shape,
        outShape: shape,
        params: int,
        flops: int,
      }),
    },
    structuralLearning: {
      anyOf: [
        { type: "null" },
        object({
          atEpochs: { type: "array", items: positiveInt },
          similarity: object(
            {
              measure: { const: "cka" },
              debiased: bool,
              pool: { const: "gap" },
              samples: positiveInt,
              resample: bool,
              calibrate: { const: true },
            },
            ["calibrate"],
          ),
          threshold: num,
          init: { enum: ["fresh", "random", "average"] },
          randomFrom: { anyOf: [{ type: "string" }, { type: "null" }] },
          transfer: object(
            {
              method: { const: "distill" },
              gate: { enum: ["channel", "none"] },
              passes: { type: "array", items: int },
              per: { enum: ["phase", "merge"] },
              lr: { anyOf: [num, { type: "null" }] },
              joint: { const: true },
            },
            ["joint"],
          ),
          alignment: num,
          alignmentPause: int,
          handoff: { enum: ["mean", "reset"] },
        }),
      ],
    },
    train: object(
      {
        epochs: positiveInt,
        batch: positiveInt,
        optimizer: call,
        schedule: call,
        weighting: call,
        seed: int,
        backend: { enum: BACKENDS },
        valEvery: positiveInt,
        pretrain: int,
        warmStart: str,
      },
      ["warmStart", "weighting"],
    ),
    totals: object({ params: int, flops: int, separateParams: int, separateFlops: int }),
  }),
} as const;
