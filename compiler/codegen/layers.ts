/**
 * One IR layer as a TypeScript expression of the generated module: the same
 * TensorFlow.js calls, in the same order and with the same constants, as
 * runtime/model/ops.ts `applyLayer`, so both compute identical values. Every
 * option was checked by `validateForCodegen`; numbers still go through
 * {@link numberLiteral} and words through fixed tables, so nothing from the IR
 * reaches the code as raw text.
 */
import { symmetricPad, type IrLayer, type Shape } from "../ir/types.js";
import { CodegenError } from "./errors.js";
import { commentText, stringLiteral } from "./names.js";

/** Helper functions of the generated module's prelude (see prelude.ts). */
export type HelperName =
  | "conv2d"
  | "addBias"
  | "batchNorm"
  | "gelu"
  | "dropout"
  | "basicBlock"
  | "bottleneckMain"
  | "bottleneckBlock"
  | "resizeTo"
  | "decoderBlock";

/** A finite number as its shortest exact literal (`0.9`, `1e-5`); anything else is refused. */
export function numberLiteral(value: unknown): string {
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw new CodegenError("MTSL6003", [`expected a finite number, found ${String(value)}`]);
  }
  if (Object.is(value, -0)) return "0";
  const plain = String(value);
  const exponent = value.toExponential().replace("e+", "e");
  return exponent.length < plain.length ? exponent : plain;
}

/** The tensor type of a feature (batch dimension added). */
export function tensorType(shape: Shape): "tf.Tensor4D" | "tf.Tensor2D" {
  return shape.length === 3 ? "tf.Tensor4D" : "tf.Tensor2D";
}

/** `[batch, 32, 32, 16]`. */
export function shapeText(shape: Shape): string {
  return `[batch, ${shape.map((d) => numberLiteral(d)).join(", ")}]`;
}

const PADDING: Record<string, string> = { same: '"same"', valid: '"valid"' };

/** The padding argument of tf.conv2d / tf.maxPool: a word, or for `symmetric` PyTorch's k_eff//2 on every side. */
function padding(value: string, kernel: number, dilation = 1): string {
  if (value === "symmetric") return numberLiteral(symmetricPad(kernel, dilation));
  const literal = PADDING[value];
  if (literal === undefined) throw new CodegenError("MTSL6003", [`unknown padding ${stringLiteral(value)}`]);
  return literal;
}

/** The layer as it reads in a `.mtsl` file, for comments. */
export function describeLayer(layer: IrLayer): string {
  const n = numberLiteral;
  switch (layer.op) {
    case "conv": {
      const extra = [
        layer.stride !== 1 ? `stride: ${n(layer.stride)}` : "",
        layer.padding !== "same" ? `padding: ${commentText(layer.padding)}` : "",
        layer.dilation !== 1 ? `dilation: ${n(layer.dilation)}` : "",
        layer.bias ? "" : "bias: false",
      ].filter((s) => s !== "");
      return `conv(${[n(layer.filters), n(layer.kernel), ...extra].join(", ")})`;
    }
    case "bn":
      return `bn(momentum: ${n(layer.momentum)}, epsilon: ${n(layer.epsilon)})`;
    case "act":
      return layer.fn === "leaky_relu" ? `leaky_relu(alpha: ${n(layer.alpha ?? 0.2)})` : commentText(layer.fn);
    case "pool":
      return `${layer.mode === "max" ? "maxpool" : "avgpool"}(${n(layer.size)}, stride: ${n(layer.stride)}, padding: ${commentText(layer.padding)})`;
    case "gap":
    case "flatten":
      return layer.op;
    case "dense":
      return `dense(${n(layer.units)}${layer.bias ? "" : ", bias: false"})`;
    case "dropout":
      return `dropout(${n(layer.rate)})`;
    case "basic":
      return `basic(${n(layer.filters)}, stride: ${n(layer.stride)})`;
    case "bottleneck":
      return `bottleneck(${n(layer.filters)}, stride: ${n(layer.stride)}, expansion: ${n(layer.expansion)})`;
    case "upsample":
      return `upsample(${n(layer.factor)}, mode: ${commentText(layer.mode)})`;
    case "concat":
      return `concat(${commentText(layer.stage)})`;
    case "decoder_bottleneck":
      return `decoder_bottleneck(${n(layer.filters)}, skip: ${commentText(layer.skip)}, expansion: ${n(layer.expansion)})`;
    case "fuse":
      return `fuse([${layer.stages.map(commentText).join(", ")}], filters: ${n(layer.filters)}${layer.bias ? "" : ", bias: false"})`;
  }
  throw new CodegenError("MTSL6003", [`unknown layer op ${stringLiteral(String((layer as { op: unknown }).op))}`]);
}

/** Whether a residual block needs its projection shortcut (as ops.ts decides it). */
function hasProjection(layer: Extract<IrLayer, { op: "basic" | "bottleneck" }>): boolean {
  return layer.outShape[2] !== layer.inShape[2] || layer.stride !== 1;
}

export interface LayerCode {
  /** The expression computing the layer's output. */
  expression: string;
  /** Prelude helpers the expression calls. */
  helpers: HelperName[];
}

/**
 * The expression for layer `j` of an owner, reading `x` (an identifier of the
 * right tensor type) and `skips`, the identifiers of the stages the layer reads
 * (`layerStages`). Inside it, `run` is the forward pass's context and `owner` the owner id.
 */
export function layerExpression(layer: IrLayer, j: number, x: string, skips: readonly string[] = []): LayerCode {
  const skip = skips[0];
  const n = numberLiteral;
  const weight = (name: string): string => `run.weight(owner, ${n(j)}, ${stringLiteral(name)})`;
  const helpers: HelperName[] = [];
  const use = (h: HelperName): string => (helpers.push(h), h);
  const expression = ((): string => {
    switch (layer.op) {
      case "conv": {
        const conv = `${use("conv2d")}(${x}, ${weight("kernel")}, ${n(layer.stride)}, ${padding(layer.padding, layer.kernel, layer.dilation)}, ${n(layer.dilation)})`;
        return layer.bias ? `${use("addBias")}(${conv}, ${weight("bias")})` : conv;
      }
      case "bn":
        return `${use("batchNorm")}(run, ${x}, owner, ${n(j)}, "", ${n(layer.epsilon)})`;
      case "act":
        switch (layer.fn) {
          case "relu":
            return `tf.relu(${x})`;
          case "leaky_relu":
            return `tf.leakyRelu(${x}, ${n(layer.alpha ?? 0.2)})`;
          case "elu":
            return `tf.elu(${x})`;
          case "gelu":
            return `${use("gelu")}(${x})`;
          case "sigmoid":
            return `tf.sigmoid(${x})`;
          case "tanh":
            return `tf.tanh(${x})`;
        }
        break;
      case "pool":
        return `tf.${layer.mode === "max" ? "maxPool" : "avgPool"}(${x}, ${n(layer.size)}, ${n(layer.stride)}, ${padding(layer.padding, layer.size)})`;
      case "gap":
        return `tf.mean<tf.Tensor2D>(${x}, [1, 2])`;
      case "flatten":
        return `tf.reshape(${x}, [${x}.shape[0], -1]) as tf.Tensor2D`;
      case "dense": {
        const product = `tf.matMul<tf.Tensor2D>(${x}, ${weight("kernel")})`;
        return layer.bias ? `${use("addBias")}(${product}, ${weight("bias")})` : product;
      }
      case "dropout":
        return `${use("dropout")}(run, ${x}, ${n(layer.rate)}, ${n(j)})`;
      case "basic":
        helpers.push("conv2d", "batchNorm");
        return `${use("basicBlock")}(run, ${x}, owner, ${n(j)}, ${n(layer.stride)}, ${String(hasProjection(layer))}, ${String(layer.padding === "symmetric")})`;
      case "bottleneck":
        helpers.push("conv2d", "batchNorm");
        return `${use("bottleneckBlock")}(run, ${x}, owner, ${n(j)}, ${n(layer.stride)}, ${String(hasProjection(layer))}, ${String(layer.padding === "symmetric")})`;
      case "upsample": {
        const size = `[${n(layer.outShape[0])}, ${n(layer.outShape[1])}]`;
        return layer.mode === "bilinear"
          ? `tf.image.resizeBilinear(${x}, ${size}, false, true)`
          : `tf.image.resizeNearestNeighbor(${x}, ${size}, false, true)`;
      }
      case "concat":
        if (skip === undefined) throw new CodegenError("MTSL6003", [`concat layer ${j} has no skip input`]);
        return `tf.concat([${x}, ${skip}], 3)`;
      case "decoder_bottleneck":
        if (skip === undefined) throw new CodegenError("MTSL6003", [`decoder_bottleneck layer ${j} has no skip input`]);
        helpers.push("conv2d", "batchNorm", "resizeTo");
        return `${use("decoderBlock")}(run, ${x}, ${skip}, owner, ${n(j)}, ${String(layer.inShape[2] !== layer.outShape[2])})`;
      case "fuse": {
        if (skips.length !== layer.stages.length)
          throw new CodegenError("MTSL6003", [
            `fuse layer ${j} has ${skips.length} inputs for ${layer.stages.length} stages`,
          ]);
        const [h, w] = [n(layer.outShape[0]), n(layer.outShape[1])];
        const parts = skips.map((s, i) => {
          const conv = `${use("conv2d")}(${s}, ${weight(`conv${i}.kernel`)}, 1, "same", 1)`;
          const biased = layer.bias ? `${use("addBias")}(${conv}, ${weight(`conv${i}.bias`)})` : conv;
          return `${use("resizeTo")}(${biased}, ${h}, ${w})`;
        });
        return parts.length === 1 ? parts[0]! : `tf.concat([${parts.join(", ")}], 3)`;
      }
    }
    throw new CodegenError("MTSL6003", [`unknown layer op ${stringLiteral(String((layer as { op: unknown }).op))}`]);
  })();
  return { expression, helpers };
}
