/**
 * `mtslc export MODEL --format onnx -o FILE`: a trained model as an ONNX graph (opset 17), written
 * with onnx-proto's protobuf classes. The graph takes the file's input as it is, `[batch, H, W, C]`
 * float32 (the batch dimension symbolic), and gives one output per task named after it, maps as
 * `[batch, H, W, C]` and vectors as `[batch, C]`: exactly what the runtime's forward pass gives in
 * inference (batch norm with running statistics, dropout off). Inside, the layers run NCHW, as ONNX
 * operators do; every layer of the IR maps to standard operators (runtime/model/ops.ts is the
 * reference each mapping follows).
 */
import onnxProto, { type onnx } from "onnx-proto";
import { float32LittleEndian, hwioToOihw } from "../model/kernel-layout.js";
import { layerStages, symmetricPad, type IrLayer, type IrModel, type Padding } from "../../compiler/ir/types.js";
import { weightKey } from "../../compiler/ir/lint.js";
import { existsSync } from "node:fs";
import { MtslError } from "../errors.js";
import { writeFileAtomic } from "../io/atomic.js";
import { checkOutputFile } from "../io/output-path.js";
import { readCheckpoint } from "../train/checkpoint.js";
import { checkpointOf } from "./folder.js";

// onnx-proto is CommonJS: its namespace's values come through the default export
const O = onnxProto.onnx;

export const ONNX_OPSET = 17;

type Weights = ReadonlyMap<string, { shape: number[]; values: Float32Array }>;

/** Builds the graph's nodes and initialisers with unique names. */
class GraphBuilder {
  readonly nodes: onnx.INodeProto[] = [];
  readonly initializers: onnx.ITensorProto[] = [];
  /** The [H, W, C] shape of each feature a layer gives (fuse resizes each stage's map from its own). */
  readonly shapes = new Map<string, readonly number[]>();
  private count = 0;

  fresh(hint: string): string {
    return `${hint.replace(/[^A-Za-z0-9_]/g, "_")}_${this.count++}`;
  }

  node(op: string, inputs: string[], attributes: onnx.IAttributeProto[] = [], hint = op): string {
    const output = this.fresh(hint);
    this.nodes.push({ opType: op, input: inputs, output: [output], name: output, attribute: attributes });
    return output;
  }

  constant(values: Float32Array | number[], dims: number[], hint: string): string {
    const name = this.fresh(hint);
    this.initializers.push({
      name,
      dims,
      dataType: O.TensorProto.DataType.FLOAT,
      // raw little-endian float32 bytes (a number per value would be eight times the memory)
      rawData: float32LittleEndian(values),
    });
    return name;
  }

  int64(values: number[], hint: string): string {
    const name = this.fresh(hint);
    this.initializers.push({
      name,
      dims: [values.length],
      dataType: O.TensorProto.DataType.INT64,
      int64Data: values,
    });
    return name;
  }
}

const ints = (name: string, values: number[]): onnx.IAttributeProto => ({
  name,
  type: O.AttributeProto.AttributeType.INTS,
  ints: values,
});
const int = (name: string, value: number): onnx.IAttributeProto => ({
  name,
  type: O.AttributeProto.AttributeType.INT,
  i: value,
});
const float = (name: string, value: number): onnx.IAttributeProto => ({
  name,
  type: O.AttributeProto.AttributeType.FLOAT,
  f: value,
});
const str = (name: string, value: string): onnx.IAttributeProto => ({
  name,
  type: O.AttributeProto.AttributeType.STRING,
  s: new TextEncoder().encode(value),
});

/** ONNX pads `[top, left, bottom, right]` for a window of `kernel` taps at `stride` on an h x w map. */
function pads(padding: Padding, h: number, w: number, kernel: number, stride: number, dilation = 1): number[] {
  if (padding === "valid") return [0, 0, 0, 0];
  if (padding === "symmetric") {
    const p = symmetricPad(kernel, dilation);
    return [p, p, p, p];
  }
  // TensorFlow's `same`: the output is ceil(size / stride), the extra row and column at the bottom and right
  const reach = (kernel - 1) * dilation + 1;
  const total = (size: number): number => Math.max((Math.ceil(size / stride) - 1) * stride + reach - size, 0);
  const th = total(h);
  const tw = total(w);
  return [Math.floor(th / 2), Math.floor(tw / 2), th - Math.floor(th / 2), tw - Math.floor(tw / 2)];
}

const BN_EPSILON = 1e-5;

/** Maps every layer of an owner onto the graph. */
class OwnerEmitter {
  constructor(
    private readonly g: GraphBuilder,
    private readonly owner: string,
    private readonly weights: Weights,
  ) {}

  private w(j: number, name: string): { shape: number[]; values: Float32Array } {
    const key = weightKey(this.owner, j, name);
    const v = this.weights.get(key);
    if (!v) throw new Error(`export: the checkpoint has no weight ${key}`);
    return v;
  }

  private conv(x: string, j: number, name: string, stride: number, p: number[], dilation = 1, bias?: string): string {
    const kernel = this.w(j, name);
    const [kh, kw, ci, co] = kernel.shape as [number, number, number, number];
    const inputs = [
      x,
      this.g.constant(hwioToOihw(kernel.values, kernel.shape), [co, ci, kh, kw], `${this.owner}_${j}_${name}`),
    ];
    if (bias !== undefined)
      inputs.push(this.g.constant(this.w(j, bias).values, this.w(j, bias).shape, `${this.owner}_${j}_${bias}`));
    return this.g.node("Conv", inputs, [
      ints("kernel_shape", [kh, kw]),
      ints("strides", [stride, stride]),
      ints("pads", p),
      ints("dilations", [dilation, dilation]),
    ]);
  }

  private bn(x: string, j: number, prefix: string, epsilon: number): string {
    const c = (n: string): string =>
      this.g.constant(this.w(j, prefix + n).values, this.w(j, prefix + n).shape, `${this.owner}_${j}_${prefix}${n}`);
    return this.g.node(
      "BatchNormalization",
      [x, c("gamma"), c("beta"), c("moving_mean"), c("moving_variance")],
      [float("epsilon", epsilon)],
    );
  }

  private resize(x: string, h: number, w: number, mode: "linear" | "nearest", batchAndChannels: string): string {
    // sizes = [N, C, h, w]: N and C from the input's own shape
    const size = this.g.node("Concat", [batchAndChannels, this.g.int64([h, w], "hw")], [int("axis", 0)]);
    return this.g.node(
      "Resize",
      [x, "", "", size],
      [
        str("mode", mode),
        str("coordinate_transformation_mode", "half_pixel"),
        ...(mode === "nearest" ? [str("nearest_mode", "round_prefer_ceil")] : []),
      ],
    );
  }

  private nc(x: string): string {
    const shape = this.g.node("Shape", [x]);
    return this.g.node("Slice", [shape, this.g.int64([0], "s"), this.g.int64([2], "e")]);
  }

  private resizeTo(x: string, from: readonly number[], to: readonly number[]): string {
    if (from[0] === to[0] && from[1] === to[1]) return x;
    return this.resize(x, to[0]!, to[1]!, "linear", this.nc(x));
  }

  private shortcut(x: string, j: number, layer: IrLayer & { stride: number }, p: "same" | "symmetric"): string {
    if (layer.outShape[2] === layer.inShape[2] && layer.stride === 1) return x;
    const [h, w] = layer.inShape as [number, number];
    const y = this.conv(x, j, "shortcut.kernel", layer.stride, pads(p, h, w, 1, layer.stride));
    return this.bn(y, j, "shortcut_bn.", BN_EPSILON);
  }

  /** A bottleneck's main path (ops.ts `bottleneckMain`): 1x1, 3x3 at `stride`, 1x1, each conv-bn, relu after the first two. */
  private bottleneckMain(
    x: string,
    j: number,
    stride: number,
    p: "same" | "symmetric",
    [h, w]: readonly number[],
    [ho, wo]: readonly number[],
  ): string {
    const g = this.g;
    let y = g.node("Relu", [this.bn(this.conv(x, j, "conv1.kernel", 1, pads(p, h!, w!, 1, 1)), j, "bn1.", BN_EPSILON)]);
    y = g.node("Relu", [
      this.bn(this.conv(y, j, "conv2.kernel", stride, pads(p, h!, w!, 3, stride)), j, "bn2.", BN_EPSILON),
    ]);
    return this.bn(this.conv(y, j, "conv3.kernel", 1, pads(p, ho!, wo!, 1, 1)), j, "bn3.", BN_EPSILON);
  }

  /** Layer `j` on `x` (NCHW, or [N, F] for vectors); `skips` the stages it reads. */
  layer(layer: IrLayer, j: number, x: string, skips: string[]): string {
    const g = this.g;
    switch (layer.op) {
      case "conv": {
        const [h, w] = layer.inShape as [number, number];
        const p = pads(layer.padding, h, w, layer.kernel, layer.stride, layer.dilation);
        return this.conv(x, j, "kernel", layer.stride, p, layer.dilation, layer.bias ? "bias" : undefined);
      }
      case "bn":
        return this.bn(x, j, "", layer.epsilon);
      case "act":
        switch (layer.fn) {
          case "relu":
            return g.node("Relu", [x]);
          case "leaky_relu":
            return g.node("LeakyRelu", [x], [float("alpha", layer.alpha ?? 0.2)]);
          case "elu":
            return g.node("Elu", [x], [float("alpha", 1)]);
          case "sigmoid":
            return g.node("Sigmoid", [x]);
          case "tanh":
            return g.node("Tanh", [x]);
          case "gelu": {
            // 0.5 x (1 + erf(x / sqrt 2)), as ops.ts
            const e = g.node("Erf", [g.node("Div", [x, g.constant([Math.SQRT2], [], "sqrt2")])]);
            return g.node("Mul", [
              g.node("Mul", [x, g.constant([0.5], [], "half")]),
              g.node("Add", [e, g.constant([1], [], "one")]),
            ]);
          }
        }
        break;
      case "pool": {
        const [h, w] = layer.inShape as [number, number];
        const attrs = [
          ints("kernel_shape", [layer.size, layer.size]),
          ints("strides", [layer.stride, layer.stride]),
          ints("pads", pads(layer.padding, h, w, layer.size, layer.stride)),
        ];
        // TensorFlow's average pool counts only the cells inside the map, as count_include_pad 0
        return layer.mode === "max"
          ? g.node("MaxPool", [x], attrs)
          : g.node("AveragePool", [x], [...attrs, int("count_include_pad", 0)]);
      }
      case "gap":
        return g.node("Flatten", [g.node("GlobalAveragePool", [x])], [int("axis", 1)]);
      case "flatten":
        // our maps are NHWC: flatten in that order
        return g.node("Flatten", [g.node("Transpose", [x], [ints("perm", [0, 2, 3, 1])])], [int("axis", 1)]);
      case "dense": {
        const k = this.w(j, "kernel");
        const inputs = [x, g.constant(k.values, k.shape, `${this.owner}_${j}_kernel`)];
        if (layer.bias)
          inputs.push(g.constant(this.w(j, "bias").values, this.w(j, "bias").shape, `${this.owner}_${j}_bias`));
        return g.node("Gemm", inputs);
      }
      case "dropout":
        return x;
      case "basic": {
        const p = layer.padding === "symmetric" ? "symmetric" : "same";
        const [h, w] = layer.inShape as [number, number];
        const [ho, wo] = layer.outShape as [number, number];
        let y = g.node("Relu", [
          this.bn(this.conv(x, j, "conv1.kernel", layer.stride, pads(p, h, w, 3, layer.stride)), j, "bn1.", BN_EPSILON),
        ]);
        y = this.bn(this.conv(y, j, "conv2.kernel", 1, pads(p, ho, wo, 3, 1)), j, "bn2.", BN_EPSILON);
        return g.node("Relu", [g.node("Add", [y, this.shortcut(x, j, layer, p)])]);
      }
      case "bottleneck": {
        const p = layer.padding === "symmetric" ? "symmetric" : "same";
        const [h, w] = layer.inShape as [number, number];
        const [ho, wo] = layer.outShape as [number, number];
        const y = this.bottleneckMain(x, j, layer.stride, p, [h, w], [ho, wo]);
        return g.node("Relu", [g.node("Add", [y, this.shortcut(x, j, layer, p)])]);
      }
      case "upsample": {
        const [ho, wo] = layer.outShape as [number, number];
        return this.resize(x, ho, wo, layer.mode === "bilinear" ? "linear" : "nearest", this.nc(x));
      }
      case "concat":
        return g.node("Concat", [x, skips[0]!], [int("axis", 1)]);
      case "decoder_bottleneck": {
        const [ho, wo] = layer.outShape as [number, number];
        const resized = this.resizeTo(x, layer.inShape, layer.outShape);
        const joined = g.node("Concat", [resized, skips[0]!], [int("axis", 1)]);
        const y = this.bottleneckMain(joined, j, 1, "symmetric", [ho, wo], [ho, wo]);
        const residual =
          layer.inShape[2] === layer.outShape[2]
            ? resized
            : this.conv(resized, j, "projection.kernel", 1, [0, 0, 0, 0]);
        return g.node("Relu", [g.node("Add", [y, residual])]);
      }
      case "fuse": {
        const parts = layer.stages.map((_, i) => {
          const y = this.conv(
            skips[i]!,
            j,
            `conv${i}.kernel`,
            1,
            [0, 0, 0, 0],
            1,
            layer.bias ? `conv${i}.bias` : undefined,
          );
          return this.resizeTo(y, g.shapes.get(skips[i]!)!, layer.outShape);
        });
        return parts.length === 1 ? parts[0]! : g.node("Concat", parts, [int("axis", 1)]);
      }
    }
    throw new Error(`export: no ONNX mapping for layer op ${(layer as { op: string }).op}`);
  }
}

/** The ONNX model of `ir` with `weights`, as bytes. */
export function onnxModel(ir: IrModel, weights: Weights, producerVersion: string): Uint8Array {
  const g = new GraphBuilder();
  const inputName = "input";
  const features = new Map<string, string>([
    ["input", g.node("Transpose", [inputName], [ints("perm", [0, 3, 1, 2])], "to_nchw")],
  ]);
  g.shapes.set(features.get("input")!, ir.input.shape);
  const stages = new Map(ir.stages.map((s) => [s.name, s]));
  const run = (owner: string, layers: IrLayer[], x: string, skips: string[]): string => {
    const emit = new OwnerEmitter(g, owner, weights);
    let y = x;
    let k = 0;
    layers.forEach((layer, j) => {
      const n = layerStages(layer).length;
      y = emit.layer(layer, j, y, skips.slice(k, k + n));
      k += n;
      g.shapes.set(y, layer.outShape);
    });
    return y;
  };
  for (const inst of ir.instances) {
    const out = run(
      inst.id,
      stages.get(inst.stage)!.layers,
      features.get(inst.input)!,
      inst.skips.map((s) => features.get(s)!),
    );
    features.set(inst.id, out);
  }
  const outputs: onnx.IValueInfoProto[] = [];
  for (const task of ir.tasks) {
    const head = ir.heads.find((h) => h.task === task.name)!;
    let y = run(
      head.id,
      head.layers,
      features.get(head.input)!,
      head.skips.map((s) => features.get(s)!),
    );
    if (head.outShape.length === 3) y = g.node("Transpose", [y], [ints("perm", [0, 2, 3, 1])], "to_nhwc");
    g.nodes.push({ opType: "Identity", input: [y], output: [task.name], name: `output_${task.name}` });
    outputs.push(valueInfo(task.name, head.outShape));
  }
  const model: onnx.IModelProto = {
    irVersion: 8,
    opsetImport: [{ domain: "", version: ONNX_OPSET }],
    producerName: "mtsl",
    producerVersion,
    graph: {
      name: ir.name,
      node: g.nodes,
      initializer: g.initializers,
      input: [valueInfo(inputName, ir.input.shape)],
      output: outputs,
    },
  };
  return O.ModelProto.encode(O.ModelProto.create(model)).finish();
}

/** A float32 tensor value of shape [batch, ...shape] (batch symbolic). */
function valueInfo(name: string, shape: readonly number[]): onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: O.TensorProto.DataType.FLOAT,
        shape: { dim: [{ dimParam: "batch" }, ...shape.map((d) => ({ dimValue: d }))] },
      },
    },
  };
}

/** `mtslc export MODEL --format onnx -o FILE`: the checkpoint's model as an ONNX file (atomically). */
export function exportOnnx(
  model: string,
  outFile: string,
  options: { force?: boolean; version?: string } = {},
): { model: string; checkpoint: string; epoch: number; bytes: number } {
  const checkpoint = checkpointOf(model);
  if (existsSync(outFile) && !options.force) {
    throw new MtslError("MTSL3203", "already exists: add --force to replace it, or choose another file with -o", {
      file: outFile,
    });
  }
  checkOutputFile(outFile, "-o");
  const ckpt = readCheckpoint(checkpoint);
  const bytes = onnxModel(ckpt.ir, ckpt.weights, options.version ?? "unknown");
  writeFileAtomic(outFile, bytes);
  return { model: ckpt.ir.name, checkpoint, epoch: ckpt.epoch, bytes: bytes.length };
}
