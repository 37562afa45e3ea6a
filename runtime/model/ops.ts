/**
 * What every IR layer computes, in TensorFlow.js (NHWC, float32). The generated
 * TypeScript model (compiler/codegen) emits the same computations; tests check
 * that both give the same outputs from the same weights.
 *
 * Batch norm: in training mode it normalises with the batch's mean and biased
 * variance and records an update of the running statistics (applied by the
 * caller after the step): running = momentum * running + (1 - momentum) * batch,
 * with the unbiased batch variance as PyTorch does. In inference mode it uses the
 * running statistics. On the onednn and wasm backends training mode runs as one fused
 * kernel each way (runtime/backend/batch-norm-train.ts), tested against these ops.
 */
import * as tf from "@tensorflow/tfjs";
import { symmetricPad, type IrLayer, type Padding } from "../../compiler/ir/types.js";
import {
  type BatchNormEpilogue,
  batchNormTrain,
  compiledFusionEnabled,
  fusedTrainingEnabled,
} from "../backend/batch-norm-train.js";

export type WeightLookup = (name: string) => tf.Tensor;

/** A running-statistics update produced by batch norm in training mode. */
export interface StatUpdate {
  name: string;
  value: tf.Tensor;
}

export interface LayerContext {
  training: boolean;
  /** The skip tensors of a layer that reads other stages (concat, decoder_bottleneck, fuse), in order. */
  skips?: tf.Tensor[];
  /** Collects batch-norm running-statistics updates in training mode. */
  updates?: StatUpdate[];
  /** Seed for dropout masks in training mode. */
  dropoutSeed?: number;
}

/**
 * Batch norm, optionally followed by a residual added and ReLU: `relu(bn(x) + residual)`.
 * In training on the fused path the three are one kernel (runtime/backend/batch-norm-train.ts);
 * elsewhere they are composed from the same ops in the same order.
 */
function batchNorm(
  x: tf.Tensor,
  w: WeightLookup,
  prefix: string,
  momentum: number,
  epsilon: number,
  ctx: LayerContext,
  epilogue: BatchNormEpilogue = {},
): tf.Tensor {
  const gamma = w(`${prefix}gamma`);
  const beta = w(`${prefix}beta`);
  const { relu = false, residual } = epilogue;
  /** The epilogue composed: what the fused kernel computes in one pass. */
  const then = (y: tf.Tensor): tf.Tensor => {
    const z = residual === undefined ? y : tf.add(y, residual);
    return relu ? tf.relu(z) : z;
  };
  if (!ctx.training) {
    return then(tf.batchNorm(x, w(`${prefix}moving_mean`), w(`${prefix}moving_variance`), beta, gamma, epsilon));
  }
  if (fusedTrainingEnabled()) {
    const m = w(`${prefix}moving_mean`);
    const v = w(`${prefix}moving_variance`);
    const fuse = relu && compiledFusionEnabled();
    const r = batchNormTrain(x, gamma, beta, m, v, { epsilon, momentum }, fuse ? epilogue : {});
    if (ctx.updates) {
      ctx.updates.push({ name: `${prefix}moving_mean`, value: tf.keep(r.movingMean) });
      ctx.updates.push({ name: `${prefix}moving_variance`, value: tf.keep(r.movingVariance) });
    }
    return fuse ? r.y : then(r.y);
  }
  const axes = x.rank === 4 ? [0, 1, 2] : [0];
  const { mean, variance } = tf.moments(x, axes);
  if (ctx.updates) {
    const n = axes.reduce((p, a) => p * (x.shape[a] as number), 1);
    const unbiased = n > 1 ? tf.mul(variance, n / (n - 1)) : variance;
    const m = w(`${prefix}moving_mean`);
    const v = w(`${prefix}moving_variance`);
    ctx.updates.push({
      name: `${prefix}moving_mean`,
      value: tf.keep(tf.add(tf.mul(m, momentum), tf.mul(mean, 1 - momentum))),
    });
    ctx.updates.push({
      name: `${prefix}moving_variance`,
      value: tf.keep(tf.add(tf.mul(v, momentum), tf.mul(unbiased, 1 - momentum))),
    });
  }
  return then(tf.batchNorm(x, mean, variance, beta, gamma, epsilon));
}

function gelu(x: tf.Tensor): tf.Tensor {
  return tf.mul(tf.mul(x, 0.5), tf.add(1, tf.erf(tf.div(x, Math.SQRT2))));
}

/** TensorFlow's padding, or PyTorch's `padding=k_eff//2` on every side for `symmetric`. */
function tfPadding(padding: Padding, kernel: number, dilation = 1): "same" | "valid" | number {
  return padding === "symmetric" ? symmetricPad(kernel, dilation) : padding;
}

function conv(x: tf.Tensor4D, kernel: tf.Tensor, stride: number, padding: Padding, dilation = 1): tf.Tensor4D {
  const k = kernel.shape[0] as number;
  return tf.conv2d(x, kernel as tf.Tensor4D, stride, tfPadding(padding, k, dilation), "NHWC", dilation);
}

const BN_MOMENTUM = 0.9;
const BN_EPSILON = 1e-5;

/** How a residual block's convolutions pad. */
function blockPadding(layer: IrLayer): Padding {
  return "padding" in layer && layer.padding === "symmetric" ? "symmetric" : "same";
}

/** A residual block's shortcut: the input, or a strided 1x1 conv + bn when the shape changes. */
function residualShortcut(
  layer: IrLayer & { stride: number },
  x4: tf.Tensor4D,
  w: WeightLookup,
  ctx: LayerContext,
): tf.Tensor {
  if (layer.outShape[2] === layer.inShape[2] && layer.stride === 1) return x4;
  return batchNorm(
    conv(x4, w("shortcut.kernel"), layer.stride, blockPadding(layer)),
    w,
    "shortcut_bn.",
    BN_MOMENTUM,
    BN_EPSILON,
    ctx,
  );
}

/** `x` resized bilinearly (half-pixel centres: PyTorch's `align_corners=False`) to the height and width of `shape`. */
function resizeTo(x: tf.Tensor4D, shape: readonly number[]): tf.Tensor4D {
  const size: [number, number] = [shape[0]!, shape[1]!];
  if (x.shape[1] === size[0] && x.shape[2] === size[1]) return x;
  return tf.image.resizeBilinear(x, size, false, true);
}

/** A bottleneck block: 1x1 conv-bn-relu, 3x3 (stride) conv-bn-relu, 1x1 conv-bn, `residual` added, ReLU. */
function bottleneck(
  x: tf.Tensor4D,
  w: WeightLookup,
  stride: number,
  padding: Padding,
  ctx: LayerContext,
  residual: tf.Tensor,
): tf.Tensor {
  let y = batchNorm(conv(x, w("conv1.kernel"), 1, padding), w, "bn1.", BN_MOMENTUM, BN_EPSILON, ctx, {
    relu: true,
  }) as tf.Tensor4D;
  y = batchNorm(conv(y, w("conv2.kernel"), stride, padding), w, "bn2.", BN_MOMENTUM, BN_EPSILON, ctx, {
    relu: true,
  }) as tf.Tensor4D;
  const main = conv(y, w("conv3.kernel"), 1, padding);
  return batchNorm(main, w, "bn3.", BN_MOMENTUM, BN_EPSILON, ctx, { relu: true, residual });
}

/**
 * Whether `layer` and the layer after it run as one: a `bn` followed by `relu` (in training
 * on the fused path, one kernel each way). Then {@link applyLayer} is called on the `bn`
 * with `reluAfter` and the `relu` is not applied again.
 */
export function fusesWithNext(layer: IrLayer, next: IrLayer | undefined): boolean {
  return layer.op === "bn" && next?.op === "act" && next.fn === "relu";
}

/**
 * Applies one IR layer. `w(name)` returns the layer's weight of that name. `reluAfter`: the
 * next layer is a ReLU applied here (see {@link fusesWithNext}).
 */
export function applyLayer(
  layer: IrLayer,
  x: tf.Tensor,
  w: WeightLookup,
  ctx: LayerContext,
  reluAfter = false,
): tf.Tensor {
  if (reluAfter && layer.op !== "bn") throw new Error(`a ReLU is fused only after bn, not after ${layer.op}`);
  switch (layer.op) {
    case "conv": {
      const y = conv(x as tf.Tensor4D, w("kernel"), layer.stride, layer.padding, layer.dilation);
      return layer.bias ? tf.add(y, w("bias")) : y;
    }
    case "bn":
      return batchNorm(x, w, "", layer.momentum, layer.epsilon, ctx, { relu: reluAfter });
    case "act":
      switch (layer.fn) {
        case "relu":
          return tf.relu(x);
        case "leaky_relu":
          return tf.leakyRelu(x, layer.alpha ?? 0.2);
        case "elu":
          return tf.elu(x);
        case "gelu":
          return gelu(x);
        case "sigmoid":
          return tf.sigmoid(x);
        case "tanh":
          return tf.tanh(x);
      }
      break;
    case "pool":
      return layer.mode === "max"
        ? tf.maxPool(x as tf.Tensor4D, layer.size, layer.stride, tfPadding(layer.padding, layer.size))
        : tf.avgPool(x as tf.Tensor4D, layer.size, layer.stride, tfPadding(layer.padding, layer.size));
    case "gap":
      return tf.mean(x, [1, 2]);
    case "flatten":
      return tf.reshape(x, [x.shape[0] as number, -1]);
    case "dense": {
      const y = tf.matMul(x as tf.Tensor2D, w("kernel") as tf.Tensor2D);
      return layer.bias ? tf.add(y, w("bias")) : y;
    }
    case "dropout":
      return ctx.training && layer.rate > 0 ? tf.dropout(x, layer.rate, undefined, ctx.dropoutSeed) : x;
    case "basic": {
      const x4 = x as tf.Tensor4D;
      const pad = blockPadding(layer);
      let y = conv(x4, w("conv1.kernel"), layer.stride, pad);
      y = batchNorm(y, w, "bn1.", BN_MOMENTUM, BN_EPSILON, ctx, { relu: true }) as tf.Tensor4D;
      y = conv(y, w("conv2.kernel"), 1, pad);
      const residual = residualShortcut(layer, x4, w, ctx);
      return batchNorm(y, w, "bn2.", BN_MOMENTUM, BN_EPSILON, ctx, { relu: true, residual });
    }
    case "bottleneck": {
      const x4 = x as tf.Tensor4D;
      return bottleneck(x4, w, layer.stride, blockPadding(layer), ctx, residualShortcut(layer, x4, w, ctx));
    }
    case "upsample": {
      const size: [number, number] = [layer.outShape[0]!, layer.outShape[1]!];
      return layer.mode === "bilinear"
        ? tf.image.resizeBilinear(x as tf.Tensor4D, size, false, true)
        : tf.image.resizeNearestNeighbor(x as tf.Tensor4D, size, false, true);
    }
    case "concat": {
      const skip = ctx.skips?.[0];
      if (!skip) throw new Error(`concat(${layer.stage}) applied without its skip tensor`);
      return tf.concat([x, skip], 3);
    }
    case "decoder_bottleneck": {
      const skip = ctx.skips?.[0] as tf.Tensor4D | undefined;
      if (!skip) throw new Error(`decoder_bottleneck(skip: ${layer.skip}) applied without its skip tensor`);
      const resized = resizeTo(x as tf.Tensor4D, layer.outShape);
      // the authors' 3x3 pads 1 (PyTorch's), the same as `same` at stride 1
      const residual =
        layer.inShape[2] === layer.outShape[2] ? resized : conv(resized, w("projection.kernel"), 1, "same");
      return bottleneck(tf.concat([resized, skip], 3), w, 1, "symmetric", ctx, residual);
    }
    case "fuse": {
      const parts = layer.stages.map((stage, i) => {
        const skip = ctx.skips?.[i] as tf.Tensor4D | undefined;
        if (!skip) throw new Error(`fuse applied without the output of '${stage}'`);
        const y = conv(skip, w(`conv${i}.kernel`), 1, "same");
        return resizeTo(layer.bias ? tf.add(y, w(`conv${i}.bias`)) : y, layer.outShape);
      });
      return parts.length === 1 ? parts[0]! : tf.concat(parts, 3);
    }
  }
  throw new Error(`unknown layer op ${(layer as { op: string }).op}`);
}
