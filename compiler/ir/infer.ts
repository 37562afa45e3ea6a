/**
 * Shape inference, parameter and FLOP counts for one layer of the IR.
 *
 * FLOPs are forward floating-point operations per sample: a multiply-add counts
 * 2 (convolution, dense), batch norm 2 per element, an activation or a pooling
 * window element 1, bilinear upsampling 8 per output element, dropout, concat,
 * flatten and nearest upsampling 0. Parameters count trainable weights only
 * (batch-norm running statistics are state, as in PyTorch's `parameters()`).
 */
import { symmetricPad, type IrLayer, type IrLayerOp, type IrWeight, type Padding, type Shape } from "./types.js";

export type InferResult = { ok: true; layer: IrLayer } | { ok: false; code: ShapeCode; message: string };

export const SHAPE_CODES = {
  MTSL2001: "a layer that needs a feature map [H, W, C] receives a vector",
  MTSL2002: "a dense layer receives a feature map (add flatten or gap first)",
  MTSL2003: "a kernel, window or stride shrinks the feature map to nothing",
  MTSL2004: "a skip concatenation joins feature maps of different height or width",
  MTSL2005: "a head's output does not fit its task",
  MTSL2006: "a dense task's head does not return to the input's height and width",
  MTSL2008: "a task's target is not one the data source provides",
  MTSL2009: "a task's class count differs from its data target's",
} as const;

export type ShapeCode = keyof typeof SHAPE_CODES;

const product = (xs: number[]): number => xs.reduce((a, b) => a * b, 1);

function fail(code: ShapeCode, message: string): InferResult {
  return { ok: false, code, message };
}

function spatialOut(size: number, kernel: number, stride: number, dilation: number, padding: Padding): number {
  if (padding === "same") return Math.ceil(size / stride);
  const effective = (kernel - 1) * dilation + 1;
  const pad = padding === "symmetric" ? 2 * symmetricPad(kernel, dilation) : 0;
  return Math.floor((size + pad - effective) / stride) + 1;
}

function bnWeights(prefix: string, channels: number): IrWeight[] {
  return [
    { name: `${prefix}gamma`, shape: [channels], trainable: true, init: "ones" },
    { name: `${prefix}beta`, shape: [channels], trainable: true, init: "zeros" },
    { name: `${prefix}moving_mean`, shape: [channels], trainable: false, init: "zeros" },
    { name: `${prefix}moving_variance`, shape: [channels], trainable: false, init: "ones" },
  ];
}

function trainableCount(weights: IrWeight[]): number {
  return weights.filter((w) => w.trainable).reduce((n, w) => n + product(w.shape), 0);
}

function finish(op: IrLayerOp, inShape: Shape, outShape: Shape, weights: IrWeight[], flops: number): InferResult {
  return {
    ok: true,
    layer: { ...op, inShape: [...inShape], outShape, params: trainableCount(weights), flops, weights },
  };
}

function needMap(op: string, input: Shape): InferResult | null {
  if (input.length === 3) return null;
  return fail(
    "MTSL2001",
    `${op} needs a feature map [height, width, channels] but receives a vector [${input.join(", ")}]`,
  );
}

/** One 3x3-or-1x1 convolution inside a residual block: out shape and FLOPs. */
function blockConv(h: number, w: number, cin: number, cout: number, k: number, stride: number) {
  const ho = Math.ceil(h / stride);
  const wo = Math.ceil(w / stride);
  return { ho, wo, flops: 2 * k * k * cin * cout * ho * wo };
}

function residual(op: Extract<IrLayerOp, { op: "basic" | "bottleneck" }>, input: Shape): InferResult {
  const bad = needMap(op.op, input);
  if (bad) return bad;
  const [h, w, c] = input as [number, number, number];
  if (Math.ceil(h / op.stride) < 1 || Math.ceil(w / op.stride) < 1) {
    return fail("MTSL2003", `${op.op} with stride ${op.stride} leaves nothing of a ${h}x${w} map`);
  }
  const f = op.filters;
  const weights: IrWeight[] = [];
  let flops = 0;
  let out: Shape;
  if (op.op === "basic") {
    const c1 = blockConv(h, w, c, f, 3, op.stride);
    const c2 = blockConv(c1.ho, c1.wo, f, f, 3, 1);
    weights.push({ name: "conv1.kernel", shape: [3, 3, c, f], trainable: true, init: "he_normal" });
    weights.push(...bnWeights("bn1.", f));
    weights.push({ name: "conv2.kernel", shape: [3, 3, f, f], trainable: true, init: "he_normal" });
    weights.push(...bnWeights("bn2.", f));
    const elems = c1.ho * c1.wo * f;
    flops += c1.flops + c2.flops + 2 * 2 * elems + 2 * elems /* relu x2 */ + elems; /* add */
    out = [c1.ho, c1.wo, f];
  } else {
    const e = f * op.expansion;
    const c1 = blockConv(h, w, c, f, 1, 1);
    const c2 = blockConv(h, w, f, f, 3, op.stride);
    const c3 = blockConv(c2.ho, c2.wo, f, e, 1, 1);
    weights.push({ name: "conv1.kernel", shape: [1, 1, c, f], trainable: true, init: "he_normal" });
    weights.push(...bnWeights("bn1.", f));
    weights.push({ name: "conv2.kernel", shape: [3, 3, f, f], trainable: true, init: "he_normal" });
    weights.push(...bnWeights("bn2.", f));
    weights.push({ name: "conv3.kernel", shape: [1, 1, f, e], trainable: true, init: "he_normal" });
    weights.push(...bnWeights("bn3.", e));
    const e1 = h * w * f;
    const e2 = c2.ho * c2.wo * f;
    const e3 = c2.ho * c2.wo * e;
    flops += c1.flops + c2.flops + c3.flops + 3 * e1 + 3 * e2 + 4 * e3;
    out = [c2.ho, c2.wo, e];
  }
  const outC = out[2] as number;
  if (op.stride !== 1 || c !== outC) {
    const sc = blockConv(h, w, c, outC, 1, op.stride);
    weights.push({ name: "shortcut.kernel", shape: [1, 1, c, outC], trainable: true, init: "he_normal" });
    weights.push(...bnWeights("shortcut_bn.", outC));
    flops += sc.flops + 2 * sc.ho * sc.wo * outC;
  }
  return finish(op, input, out, weights, flops);
}

/** FLOPs of a bilinear resize of an h x w x c map to ho x wo (none when the size stays). */
function resizeFlops(h: number, w: number, ho: number, wo: number, c: number): number {
  return h === ho && w === wo ? 0 : 8 * ho * wo * c;
}

/** The authors' decoder block: see {@link IrLayerOp} `decoder_bottleneck`. */
function decoderBottleneck(
  op: Extract<IrLayerOp, { op: "decoder_bottleneck" }>,
  input: Shape,
  skip: Shape | undefined,
): InferResult {
  const bad = needMap("decoder_bottleneck", input);
  if (bad) return bad;
  if (!skip || skip.length !== 3) {
    return fail(
      "MTSL2001",
      `decoder_bottleneck(skip: ${op.skip}) needs a feature map from '${op.skip}', which outputs a vector`,
    );
  }
  const [h, w, c] = input as [number, number, number];
  const [ho, wo, cs] = skip as [number, number, number];
  const f = op.filters;
  const e = f * op.expansion;
  const weights: IrWeight[] = [
    { name: "conv1.kernel", shape: [1, 1, c + cs, f], trainable: true, init: "he_normal" },
    ...bnWeights("bn1.", f),
    { name: "conv2.kernel", shape: [3, 3, f, f], trainable: true, init: "he_normal" },
    ...bnWeights("bn2.", f),
    { name: "conv3.kernel", shape: [1, 1, f, e], trainable: true, init: "he_normal" },
    ...bnWeights("bn3.", e),
  ];
  const pixels = ho * wo;
  let flops =
    resizeFlops(h, w, ho, wo, c) +
    2 * pixels * ((c + cs) * f + 9 * f * f + f * e) +
    3 * pixels * f * 2 /* bn + relu, twice */ +
    4 * pixels * e; /* bn, add, relu */
  if (c !== e) {
    weights.push({ name: "projection.kernel", shape: [1, 1, c, e], trainable: true, init: "he_normal" });
    flops += 2 * pixels * c * e;
  }
  return finish(op, input, [ho, wo, e], weights, flops);
}

/** A multi-scale fusion: see {@link IrLayerOp} `fuse`. */
function fuse(op: Extract<IrLayerOp, { op: "fuse" }>, input: Shape, skips: readonly Shape[]): InferResult {
  const bad = needMap("fuse", input);
  if (bad) return bad;
  const [h, w] = input as [number, number, number];
  const weights: IrWeight[] = [];
  let flops = 0;
  for (let i = 0; i < op.stages.length; i++) {
    const s = skips[i];
    if (!s || s.length !== 3) {
      return fail("MTSL2001", `fuse needs a feature map from '${op.stages[i]}', which outputs a vector`);
    }
    const [sh, sw, sc] = s as [number, number, number];
    weights.push({ name: `conv${i}.kernel`, shape: [1, 1, sc, op.filters], trainable: true, init: "he_normal" });
    if (op.bias) weights.push({ name: `conv${i}.bias`, shape: [op.filters], trainable: true, init: "zeros" });
    flops += 2 * sh * sw * sc * op.filters + (op.bias ? sh * sw * op.filters : 0);
    flops += resizeFlops(sh, sw, h, w, op.filters);
  }
  return finish(op, input, [h, w, op.filters * op.stages.length], weights, flops);
}

/**
 * Infers the output of `op` applied to `input`. `skips` are the output shapes of
 * the stages the layer reads ({@link layerStages}), in order.
 */
export function inferLayer(op: IrLayerOp, input: Shape, skips: readonly Shape[] = []): InferResult {
  const elems = product(input);
  const skip = skips[0];
  switch (op.op) {
    case "conv": {
      const bad = needMap("conv", input);
      if (bad) return bad;
      const [h, w, c] = input as [number, number, number];
      const ho = spatialOut(h, op.kernel, op.stride, op.dilation, op.padding);
      const wo = spatialOut(w, op.kernel, op.stride, op.dilation, op.padding);
      if (ho < 1 || wo < 1) {
        const reach = (op.kernel - 1) * op.dilation + 1;
        return fail(
          "MTSL2003",
          `conv with a ${reach}x${reach} reach and ${op.padding} padding leaves nothing of a ${h}x${w} map`,
        );
      }
      const weights: IrWeight[] = [
        { name: "kernel", shape: [op.kernel, op.kernel, c, op.filters], trainable: true, init: op.init },
      ];
      if (op.bias) weights.push({ name: "bias", shape: [op.filters], trainable: true, init: "zeros" });
      const flops = 2 * op.kernel * op.kernel * c * op.filters * ho * wo + (op.bias ? ho * wo * op.filters : 0);
      return finish(op, input, [ho, wo, op.filters], weights, flops);
    }
    case "bn": {
      const c = input[input.length - 1] as number;
      return finish(op, input, [...input], bnWeights("", c), 2 * elems);
    }
    case "act":
      return finish(op, input, [...input], [], elems);
    case "dropout":
      return finish(op, input, [...input], [], 0);
    case "pool": {
      const bad = needMap(`${op.mode}pool`, input);
      if (bad) return bad;
      const [h, w, c] = input as [number, number, number];
      const ho = spatialOut(h, op.size, op.stride, 1, op.padding);
      const wo = spatialOut(w, op.size, op.stride, 1, op.padding);
      if (ho < 1 || wo < 1) {
        return fail(
          "MTSL2003",
          `${op.mode}pool(${op.size}) with ${op.padding} padding leaves nothing of a ${h}x${w} map`,
        );
      }
      return finish(op, input, [ho, wo, c], [], op.size * op.size * ho * wo * c);
    }
    case "gap": {
      const bad = needMap("gap", input);
      if (bad) return bad;
      return finish(op, input, [input[2] as number], [], elems);
    }
    case "flatten":
      return finish(op, input, [elems], [], 0);
    case "dense": {
      if (input.length !== 1) {
        return fail(
          "MTSL2002",
          `dense needs a vector but receives a feature map [${input.join(", ")}]; add flatten or gap before it`,
        );
      }
      const f = input[0] as number;
      const weights: IrWeight[] = [{ name: "kernel", shape: [f, op.units], trainable: true, init: op.init }];
      if (op.bias) weights.push({ name: "bias", shape: [op.units], trainable: true, init: "zeros" });
      return finish(op, input, [op.units], weights, 2 * f * op.units + (op.bias ? op.units : 0));
    }
    case "basic":
    case "bottleneck":
      return residual(op, input);
    case "upsample": {
      const bad = needMap("upsample", input);
      if (bad) return bad;
      const [h, w, c] = input as [number, number, number];
      const out: Shape = [h * op.factor, w * op.factor, c];
      return finish(op, input, out, [], op.mode === "bilinear" ? 8 * product(out) : 0);
    }
    case "concat": {
      const bad = needMap("concat", input);
      if (bad) return bad;
      if (!skip || skip.length !== 3) {
        // Unreachable from a file (no layer turns a vector back into a map, so a stage before a
        // map outputs a map); MTSL2007, once its code, is retired.
        return fail("MTSL2001", `concat(${op.stage}) needs a feature map from '${op.stage}', which outputs a vector`);
      }
      const [h, w, c] = input as [number, number, number];
      const [sh, sw, sc] = skip as [number, number, number];
      if (sh !== h || sw !== w) {
        return fail(
          "MTSL2004",
          `concat(${op.stage}) joins a ${h}x${w} map with the ${sh}x${sw} output of '${op.stage}'; their height and width must match`,
        );
      }
      return finish(op, input, [h, w, c + sc], [], 0);
    }
    case "decoder_bottleneck":
      return decoderBottleneck(op, input, skip);
    case "fuse":
      return fuse(op, input, skips);
  }
}
