/**
 * Generated from model MultiMnist by mtslc; do not edit.
 *
 * The network as plain TensorFlow.js code: `forward` computes what the mtsl runtime's
 * interpreter computes from the same weights (keys as in its WeightStore).
 * Input [batch, 28, 28, 1] (NHWC); 6 stages in 12 instances; tasks:
 *   left (classification) -> [batch, 10]
 *   right (classification) -> [batch, 10]
 */
import * as tf from "@tensorflow/tfjs";

/** The model's name in its `.mtsl` file. */
export const modelName = "MultiMnist";

/** The input's shape without the batch dimension: [height, width, channels] (NHWC). */
export const inputShape = [28, 28, 1] as const;

/** The tasks in declaration order; `forward` returns one output for each. */
export const taskNames = ["left", "right"] as const;

/** One weight tensor the network reads. */
export interface WeightSpec {
  /** `owner/layer.weight`, as in the mtsl runtime's WeightStore: `enc2@seg+depth/0.conv1.kernel`. */
  readonly key: string;
  readonly shape: readonly number[];
  /** False for batch-norm running statistics (state, not learned by gradients). */
  readonly trainable: boolean;
}

/** Every weight of the network: stage instances in IR order, then heads; layers and weights in order. */
export const weightSpecs: readonly WeightSpec[] = [
  { key: "conv1@left/0.kernel", shape: [3, 3, 1, 16], trainable: true },
  { key: "conv1@left/0.bias", shape: [16], trainable: true },
  { key: "conv1@left/1.gamma", shape: [16], trainable: true },
  { key: "conv1@left/1.beta", shape: [16], trainable: true },
  { key: "conv1@left/1.moving_mean", shape: [16], trainable: false },
  { key: "conv1@left/1.moving_variance", shape: [16], trainable: false },
  { key: "conv1@right/0.kernel", shape: [3, 3, 1, 16], trainable: true },
  { key: "conv1@right/0.bias", shape: [16], trainable: true },
  { key: "conv1@right/1.gamma", shape: [16], trainable: true },
  { key: "conv1@right/1.beta", shape: [16], trainable: true },
  { key: "conv1@right/1.moving_mean", shape: [16], trainable: false },
  { key: "conv1@right/1.moving_variance", shape: [16], trainable: false },
  { key: "conv2@left/0.kernel", shape: [3, 3, 16, 32], trainable: true },
  { key: "conv2@left/0.bias", shape: [32], trainable: true },
  { key: "conv2@left/1.gamma", shape: [32], trainable: true },
  { key: "conv2@left/1.beta", shape: [32], trainable: true },
  { key: "conv2@left/1.moving_mean", shape: [32], trainable: false },
  { key: "conv2@left/1.moving_variance", shape: [32], trainable: false },
  { key: "conv2@right/0.kernel", shape: [3, 3, 16, 32], trainable: true },
  { key: "conv2@right/0.bias", shape: [32], trainable: true },
  { key: "conv2@right/1.gamma", shape: [32], trainable: true },
  { key: "conv2@right/1.beta", shape: [32], trainable: true },
  { key: "conv2@right/1.moving_mean", shape: [32], trainable: false },
  { key: "conv2@right/1.moving_variance", shape: [32], trainable: false },
  { key: "conv3@left/0.kernel", shape: [3, 3, 32, 32], trainable: true },
  { key: "conv3@left/0.bias", shape: [32], trainable: true },
  { key: "conv3@left/1.gamma", shape: [32], trainable: true },
  { key: "conv3@left/1.beta", shape: [32], trainable: true },
  { key: "conv3@left/1.moving_mean", shape: [32], trainable: false },
  { key: "conv3@left/1.moving_variance", shape: [32], trainable: false },
  { key: "conv3@right/0.kernel", shape: [3, 3, 32, 32], trainable: true },
  { key: "conv3@right/0.bias", shape: [32], trainable: true },
  { key: "conv3@right/1.gamma", shape: [32], trainable: true },
  { key: "conv3@right/1.beta", shape: [32], trainable: true },
  { key: "conv3@right/1.moving_mean", shape: [32], trainable: false },
  { key: "conv3@right/1.moving_variance", shape: [32], trainable: false },
  { key: "conv4@left/0.kernel", shape: [3, 3, 32, 64], trainable: true },
  { key: "conv4@left/0.bias", shape: [64], trainable: true },
  { key: "conv4@left/1.gamma", shape: [64], trainable: true },
  { key: "conv4@left/1.beta", shape: [64], trainable: true },
  { key: "conv4@left/1.moving_mean", shape: [64], trainable: false },
  { key: "conv4@left/1.moving_variance", shape: [64], trainable: false },
  { key: "conv4@right/0.kernel", shape: [3, 3, 32, 64], trainable: true },
  { key: "conv4@right/0.bias", shape: [64], trainable: true },
  { key: "conv4@right/1.gamma", shape: [64], trainable: true },
  { key: "conv4@right/1.beta", shape: [64], trainable: true },
  { key: "conv4@right/1.moving_mean", shape: [64], trainable: false },
  { key: "conv4@right/1.moving_variance", shape: [64], trainable: false },
  { key: "fc1@left/0.kernel", shape: [64, 64], trainable: true },
  { key: "fc1@left/0.bias", shape: [64], trainable: true },
  { key: "fc1@right/0.kernel", shape: [64, 64], trainable: true },
  { key: "fc1@right/0.bias", shape: [64], trainable: true },
  { key: "fc2@left/0.kernel", shape: [64, 64], trainable: true },
  { key: "fc2@left/0.bias", shape: [64], trainable: true },
  { key: "fc2@right/0.kernel", shape: [64, 64], trainable: true },
  { key: "fc2@right/0.bias", shape: [64], trainable: true },
  { key: "head@left/0.kernel", shape: [64, 10], trainable: true },
  { key: "head@left/0.bias", shape: [10], trainable: true },
  { key: "head@right/0.kernel", shape: [64, 10], trainable: true },
  { key: "head@right/0.bias", shape: [10], trainable: true },
];

/**
 * The weights, by key (see `weightSpecs`): a record, or a lookup function such as
 * `(key) => store.get(key)` for an mtsl WeightStore. A record is read by own keys only.
 */
export type Weights =
  Readonly<Record<string, tf.Tensor>> | ((key: string) => tf.Tensor | undefined);

/** Options of `forward`. */
export interface ForwardOptions {
  /** Batch norm normalises with the batch's statistics and dropout is active. Default false (inference). */
  readonly training?: boolean;
  /** Seed of the dropout masks in training: layer j of every owner uses `dropoutSeed + j`, as the mtsl runtime does. */
  readonly dropoutSeed?: number | undefined;
}

/** The outputs of MultiMnist: one tensor per task, batch first. */
export interface MultiMnistOutputs {
  /**
   * `[batch, 10]`: classification logits for 10 classes.
   * Task left, kind classification, loss ce.
   */
  readonly left: tf.Tensor2D;
  /**
   * `[batch, 10]`: classification logits for 10 classes.
   * Task right, kind classification, loss ce.
   */
  readonly right: tf.Tensor2D;
}

/** A weight whose shape differs from its spec. */
export interface WrongShape {
  readonly key: string;
  readonly expected: readonly number[];
  readonly found: readonly number[];
}

/** The weights do not fit the network: lists every missing key and every wrong shape. */
export class WeightsError extends Error {
  readonly missing: readonly string[];
  readonly wrongShapes: readonly WrongShape[];

  constructor(missing: readonly string[], wrongShapes: readonly WrongShape[]) {
    super(weightsMessage(missing, wrongShapes));
    this.name = "WeightsError";
    this.missing = missing;
    this.wrongShapes = wrongShapes;
  }
}

/**
 * Checks that `weights` holds every weight of `weightSpecs` with its shape; throws a
 * `WeightsError` naming every missing key and every wrong shape. Extra keys are ignored.
 */
export function checkWeights(weights: Weights): void {
  const missing: string[] = [];
  const wrongShapes: WrongShape[] = [];
  for (const spec of weightSpecs) {
    const tensor = findWeight(weights, spec.key);
    if (tensor === undefined) missing.push(spec.key);
    else if (!sameShape(tensor.shape, spec.shape)) {
      wrongShapes.push({ key: spec.key, expected: spec.shape, found: [...tensor.shape] });
    }
  }

  if (missing.length > 0 || wrongShapes.length > 0) throw new WeightsError(missing, wrongShapes);
}

/**
 * The weights of `mtslc export RUN --format tfjs -o DIR`: TensorFlow.js's weights manifest (DIR/weights.json)
 * and its binary (DIR/weights.bin, an ArrayBuffer or a Node Buffer), decoded and checked with `checkWeights`.
 * The caller owns (and disposes) the tensors.
 */
export function weightsFromTfjs(
  manifest: tf.io.WeightsManifestConfig,
  data: ArrayBuffer | Uint8Array,
): Record<string, tf.Tensor> {
  const buffer =
    data instanceof Uint8Array
      ? data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength)
      : data;
  const weights = tf.io.decodeWeights(
    buffer as ArrayBuffer,
    manifest.flatMap((group) => group.weights),
  );
  checkWeights(weights);
  return weights;
}

/** The tensor under `key`, or undefined when it is absent, not a tensor, or the lookup throws. */
function findWeight(weights: Weights, key: string): tf.Tensor | undefined {
  let value: unknown;
  if (typeof weights === "function") {
    try {
      value = weights(key);
    } catch {
      return undefined;
    }
  } else {
    value = Object.prototype.hasOwnProperty.call(weights, key) ? weights[key] : undefined;
  }

  const shape =
    typeof value === "object" && value !== null ? (value as { shape?: unknown }).shape : undefined;
  return Array.isArray(shape) ? (value as tf.Tensor) : undefined;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

function weightsMessage(missing: readonly string[], wrongShapes: readonly WrongShape[]): string {
  const list = (items: readonly string[]): string =>
    items.slice(0, 10).join(", ") + (items.length > 10 ? `, and ${items.length - 10} more` : "");
  const parts: string[] = [];
  if (missing.length > 0) parts.push(`${missing.length} missing: ${list(missing)}`);
  if (wrongShapes.length > 0) {
    const shapes = wrongShapes.map(
      (w) => `${w.key} (expected [${w.expected.join(", ")}], found [${w.found.join(", ")}])`,
    );
    parts.push(`${wrongShapes.length} of the wrong shape: ${list(shapes)}`);
  }

  return `${modelName}: the weights do not fit the network: ${parts.join("; ")}`;
}

/**
 * Runs MultiMnist on a batch of images [batch, 28, 28, 1] and returns one output per task.
 * Inference (the default): batch norm uses its running statistics and dropout is the identity.
 * `training: true`: batch norm uses the statistics of this batch and dropout drops values; the
 * running statistics are NOT updated here (the mtsl runtime does that when it trains).
 * Intermediate tensors are disposed; the caller owns (and disposes) the outputs.
 * Throws a `WeightsError` when a weight is missing (call `checkWeights` first for a full report).
 */
export function forward(
  weights: Weights,
  input: tf.Tensor4D,
  options: ForwardOptions = {},
): MultiMnistOutputs {
  checkInput(input);
  const run = makeRun(weights, options);
  return tf.tidy(() => {
    // conv1@left: stage conv1, tasks left; reads input -> [batch, 14, 14, 16]
    const conv1_left = stage_conv1(run, "conv1@left", input);
    // conv1@right: stage conv1, tasks right; reads input -> [batch, 14, 14, 16]
    const conv1_right = stage_conv1(run, "conv1@right", input);
    // conv2@left: stage conv2, tasks left; reads conv1@left -> [batch, 14, 14, 32]
    const conv2_left = stage_conv2(run, "conv2@left", conv1_left);
    // conv2@right: stage conv2, tasks right; reads conv1@right -> [batch, 14, 14, 32]
    const conv2_right = stage_conv2(run, "conv2@right", conv1_right);
    // conv3@left: stage conv3, tasks left; reads conv2@left -> [batch, 7, 7, 32]
    const conv3_left = stage_conv3(run, "conv3@left", conv2_left);
    // conv3@right: stage conv3, tasks right; reads conv2@right -> [batch, 7, 7, 32]
    const conv3_right = stage_conv3(run, "conv3@right", conv2_right);
    // conv4@left: stage conv4, tasks left; reads conv3@left -> [batch, 64]
    const conv4_left = stage_conv4(run, "conv4@left", conv3_left);
    // conv4@right: stage conv4, tasks right; reads conv3@right -> [batch, 64]
    const conv4_right = stage_conv4(run, "conv4@right", conv3_right);
    // fc1@left: stage fc1, tasks left; reads conv4@left -> [batch, 64]
    const fc1_left = stage_fc1(run, "fc1@left", conv4_left);
    // fc1@right: stage fc1, tasks right; reads conv4@right -> [batch, 64]
    const fc1_right = stage_fc1(run, "fc1@right", conv4_right);
    // fc2@left: stage fc2, tasks left; reads fc1@left -> [batch, 64]
    const fc2_left = stage_fc2(run, "fc2@left", fc1_left);
    // fc2@right: stage fc2, tasks right; reads fc1@right -> [batch, 64]
    const fc2_right = stage_fc2(run, "fc2@right", fc1_right);
    // head@left: task left; reads fc2@left -> [batch, 10]
    const out_left = head_left(run, "head@left", fc2_left);
    // head@right: task right; reads fc2@right -> [batch, 10]
    const out_right = head_right(run, "head@right", fc2_right);
    return { left: out_left, right: out_right };
  });
}

/** What every layer of one forward pass reads. */
interface Run {
  /** The weight `owner/layer.name`. */
  readonly weight: (owner: string, layer: number, name: string) => tf.Tensor;
  readonly training: boolean;
  readonly dropoutSeed: number | undefined;
}

function makeRun(weights: Weights, options: ForwardOptions): Run {
  return {
    training: options.training === true,
    dropoutSeed: options.dropoutSeed,
    weight: (owner, layer, name) => {
      const key = `${owner}/${layer}.${name}`;
      const tensor =
        typeof weights === "function"
          ? weights(key)
          : Object.prototype.hasOwnProperty.call(weights, key)
            ? weights[key]
            : undefined;
      if (tensor === undefined) throw new WeightsError([key], []);
      return tensor;
    },
  };
}

/** Throws unless `input` is a batch of images of the model's input shape. */
function checkInput(input: tf.Tensor4D): void {
  const shape = input.shape;
  if (
    shape.length !== 4 ||
    shape[1] !== inputShape[0] ||
    shape[2] !== inputShape[1] ||
    shape[3] !== inputShape[2]
  ) {
    throw new Error(
      `${modelName}: input must have shape [batch, 28, 28, 1], found [${shape.join(", ")}]`,
    );
  }
}

/**
 * Stage conv1: conv(16, 3, stride: 2) bn(momentum: 0.9, epsilon: 1e-5) relu.
 * [batch, 28, 28, 1] -> [batch, 14, 14, 16]; one call per instance.
 */
function stage_conv1(run: Run, owner: string, x: tf.Tensor4D): tf.Tensor4D {
  // 0: conv(16, 3, stride: 2) -> [batch, 14, 14, 16]
  const y0 = addBias(
    conv2d(x, run.weight(owner, 0, "kernel"), 2, "same", 1),
    run.weight(owner, 0, "bias"),
  );
  // 1: bn(momentum: 0.9, epsilon: 1e-5) -> [batch, 14, 14, 16]
  const y1 = batchNorm(run, y0, owner, 1, "", 1e-5);
  // 2: relu -> [batch, 14, 14, 16]
  return tf.relu(y1);
}

/**
 * Stage conv2: conv(32, 3) bn(momentum: 0.9, epsilon: 1e-5) relu.
 * [batch, 14, 14, 16] -> [batch, 14, 14, 32]; one call per instance.
 */
function stage_conv2(run: Run, owner: string, x: tf.Tensor4D): tf.Tensor4D {
  // 0: conv(32, 3) -> [batch, 14, 14, 32]
  const y0 = addBias(
    conv2d(x, run.weight(owner, 0, "kernel"), 1, "same", 1),
    run.weight(owner, 0, "bias"),
  );
  // 1: bn(momentum: 0.9, epsilon: 1e-5) -> [batch, 14, 14, 32]
  const y1 = batchNorm(run, y0, owner, 1, "", 1e-5);
  // 2: relu -> [batch, 14, 14, 32]
  return tf.relu(y1);
}

/**
 * Stage conv3: conv(32, 3, stride: 2) bn(momentum: 0.9, epsilon: 1e-5) relu.
 * [batch, 14, 14, 32] -> [batch, 7, 7, 32]; one call per instance.
 */
function stage_conv3(run: Run, owner: string, x: tf.Tensor4D): tf.Tensor4D {
  // 0: conv(32, 3, stride: 2) -> [batch, 7, 7, 32]
  const y0 = addBias(
    conv2d(x, run.weight(owner, 0, "kernel"), 2, "same", 1),
    run.weight(owner, 0, "bias"),
  );
  // 1: bn(momentum: 0.9, epsilon: 1e-5) -> [batch, 7, 7, 32]
  const y1 = batchNorm(run, y0, owner, 1, "", 1e-5);
  // 2: relu -> [batch, 7, 7, 32]
  return tf.relu(y1);
}

/**
 * Stage conv4: conv(64, 3) bn(momentum: 0.9, epsilon: 1e-5) relu gap.
 * [batch, 7, 7, 32] -> [batch, 64]; one call per instance.
 */
function stage_conv4(run: Run, owner: string, x: tf.Tensor4D): tf.Tensor2D {
  // 0: conv(64, 3) -> [batch, 7, 7, 64]
  const y0 = addBias(
    conv2d(x, run.weight(owner, 0, "kernel"), 1, "same", 1),
    run.weight(owner, 0, "bias"),
  );
  // 1: bn(momentum: 0.9, epsilon: 1e-5) -> [batch, 7, 7, 64]
  const y1 = batchNorm(run, y0, owner, 1, "", 1e-5);
  // 2: relu -> [batch, 7, 7, 64]
  const y2 = tf.relu(y1);
  // 3: gap -> [batch, 64]
  return tf.mean<tf.Tensor2D>(y2, [1, 2]);
}

/**
 * Stage fc1: dense(64) relu.
 * [batch, 64] -> [batch, 64]; one call per instance.
 */
function stage_fc1(run: Run, owner: string, x: tf.Tensor2D): tf.Tensor2D {
  // 0: dense(64) -> [batch, 64]
  const y0 = addBias(
    tf.matMul<tf.Tensor2D>(x, run.weight(owner, 0, "kernel")),
    run.weight(owner, 0, "bias"),
  );
  // 1: relu -> [batch, 64]
  return tf.relu(y0);
}

/**
 * Stage fc2: dense(64) relu.
 * [batch, 64] -> [batch, 64]; one call per instance.
 */
function stage_fc2(run: Run, owner: string, x: tf.Tensor2D): tf.Tensor2D {
  // 0: dense(64) -> [batch, 64]
  const y0 = addBias(
    tf.matMul<tf.Tensor2D>(x, run.weight(owner, 0, "kernel")),
    run.weight(owner, 0, "bias"),
  );
  // 1: relu -> [batch, 64]
  return tf.relu(y0);
}

/**
 * Head of task left: dense(10).
 * [batch, 64] -> [batch, 10].
 */
function head_left(run: Run, owner: string, x: tf.Tensor2D): tf.Tensor2D {
  // 0: dense(10) -> [batch, 10]
  return addBias(
    tf.matMul<tf.Tensor2D>(x, run.weight(owner, 0, "kernel")),
    run.weight(owner, 0, "bias"),
  );
}

/**
 * Head of task right: dense(10).
 * [batch, 64] -> [batch, 10].
 */
function head_right(run: Run, owner: string, x: tf.Tensor2D): tf.Tensor2D {
  // 0: dense(10) -> [batch, 10]
  return addBias(
    tf.matMul<tf.Tensor2D>(x, run.weight(owner, 0, "kernel")),
    run.weight(owner, 0, "bias"),
  );
}

/** 2-D convolution, NHWC. */
function conv2d(
  x: tf.Tensor4D,
  kernel: tf.Tensor,
  stride: number,
  padding: "same" | "valid" | number,
  dilation: number,
): tf.Tensor4D {
  return tf.conv2d(x, kernel as tf.Tensor4D, stride, padding, "NHWC", dilation);
}

/** Adds a bias along the last axis. */
function addBias<T extends tf.Tensor>(y: T, bias: tf.Tensor): T {
  return tf.add<T>(y, bias);
}

/**
 * Batch normalisation of layer `layer` of `owner` (weights `prefix` + gamma, beta, moving_mean, moving_variance).
 * Inference: the running statistics. Training: the batch's mean and biased variance over every axis but
 * the channels. The running statistics are never updated here: the mtsl runtime does that when it trains.
 */
function batchNorm<T extends tf.Tensor4D | tf.Tensor2D>(
  run: Run,
  x: T,
  owner: string,
  layer: number,
  prefix: string,
  epsilon: number,
): T {
  const gamma = run.weight(owner, layer, `${prefix}gamma`) as tf.Tensor1D;
  const beta = run.weight(owner, layer, `${prefix}beta`) as tf.Tensor1D;
  if (!run.training) {
    const mean = run.weight(owner, layer, `${prefix}moving_mean`) as tf.Tensor1D;
    const variance = run.weight(owner, layer, `${prefix}moving_variance`) as tf.Tensor1D;
    return tf.batchNorm(x as tf.Tensor, mean, variance, beta, gamma, epsilon) as T;
  }

  const { mean, variance } = tf.moments(x, x.rank === 4 ? [0, 1, 2] : [0]);
  return tf.batchNorm(
    x as tf.Tensor,
    mean as tf.Tensor1D,
    variance as tf.Tensor1D,
    beta,
    gamma,
    epsilon,
  ) as T;
}
