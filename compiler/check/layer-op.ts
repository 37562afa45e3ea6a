/** A resolved layer call (`conv(16, 3)`) as the IR operation it stands for. */
import type { Activation, Initializer, IrLayerOp, Padding } from "../ir/types.js";
import type { ResolvedCall } from "./resolve-args.js";

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
      return {
        op: "basic",
        filters: num(call, "filters"),
        stride: num(call, "stride"),
        ...(str(call, "padding") === "symmetric" ? { padding: "symmetric" as const } : {}),
      };
    case "bottleneck":
      return {
        op: "bottleneck",
        filters: num(call, "filters"),
        stride: num(call, "stride"),
        expansion: num(call, "expansion"),
        ...(str(call, "padding") === "symmetric" ? { padding: "symmetric" as const } : {}),
      };
    case "upsample":
      return { op: "upsample", factor: num(call, "factor"), mode: str<"bilinear" | "nearest">(call, "mode") };
    case "concat":
      return { op: "concat", stage: str(call, "stage") };
    case "decoder_bottleneck":
      return {
        op: "decoder_bottleneck",
        filters: num(call, "filters"),
        skip: str(call, "skip"),
        expansion: num(call, "expansion"),
      };
    case "fuse": {
      const stages = call.args["stages"];
      if (!Array.isArray(stages) || !stages.every((x) => typeof x === "string"))
        throw new Error("lowering: fuse.stages is not a list of stage names");
      return { op: "fuse", stages: [...(stages as string[])], filters: num(call, "filters"), bias: bool(call, "bias") };
    }
    default:
      throw new Error(`lowering: unknown layer ${n}`);
  }
}
