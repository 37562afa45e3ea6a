/**
 * The fixed helper functions of a generated model module. Each mirrors one
 * piece of runtime/model/ops.ts call for call; the generator emits only the
 * helpers a model uses. Their text holds no name from the IR.
 */
import type { HelperName } from "./layers.js";

export interface HelperFunction {
  name: HelperName;
  docs: string;
  typeParameters?: string[];
  parameters: { name: string; type: string }[];
  returnType: string;
  statements: string[];
  /** Other helpers this one calls. */
  needs: HelperName[];
}

/** Batch-norm epsilon inside residual blocks (fixed, as in ops.ts). */
export const BLOCK_EPSILON = "1e-5";

const HELPERS: Record<HelperName, HelperFunction> = {
  conv2d: {
    name: "conv2d",
    docs: "2-D convolution, NHWC.",
    parameters: [
      { name: "x", type: "tf.Tensor4D" },
      { name: "kernel", type: "tf.Tensor" },
      { name: "stride", type: "number" },
      { name: "padding", type: '"same" | "valid" | number' },
      { name: "dilation", type: "number" },
    ],
    returnType: "tf.Tensor4D",
    statements: ['return tf.conv2d(x, kernel as tf.Tensor4D, stride, padding, "NHWC", dilation);'],
    needs: [],
  },
  addBias: {
    name: "addBias",
    docs: "Adds a bias along the last axis.",
    typeParameters: ["T extends tf.Tensor"],
    parameters: [
      { name: "y", type: "T" },
      { name: "bias", type: "tf.Tensor" },
    ],
    returnType: "T",
    statements: ["return tf.add<T>(y, bias);"],
    needs: [],
  },
  batchNorm: {
    name: "batchNorm",
    docs:
      "Batch normalisation of layer `layer` of `owner` (weights `prefix` + gamma, beta, moving_mean, moving_variance).\n" +
      "Inference: the running statistics. Training: the batch's mean and biased variance over every axis but\n" +
      "the channels. The running statistics are never updated here: the mtsl runtime does that when it trains.",
    typeParameters: ["T extends tf.Tensor4D | tf.Tensor2D"],
    parameters: [
      { name: "run", type: "Run" },
      { name: "x", type: "T" },
      { name: "owner", type: "string" },
      { name: "layer", type: "number" },
      { name: "prefix", type: "string" },
      { name: "epsilon", type: "number" },
    ],
    returnType: "T",
    statements: [
      "const gamma = run.weight(owner, layer, `${prefix}gamma`) as tf.Tensor1D;",
      "const beta = run.weight(owner, layer, `${prefix}beta`) as tf.Tensor1D;",
      "if (!run.training) {",
      "  const mean = run.weight(owner, layer, `${prefix}moving_mean`) as tf.Tensor1D;",
      "  const variance = run.weight(owner, layer, `${prefix}moving_variance`) as tf.Tensor1D;",
      "  return tf.batchNorm(x as tf.Tensor, mean, variance, beta, gamma, epsilon) as T;",
      "}",
      "const { mean, variance } = tf.moments(x, x.rank === 4 ? [0, 1, 2] : [0]);",
      "return tf.batchNorm(x as tf.Tensor, mean as tf.Tensor1D, variance as tf.Tensor1D, beta, gamma, epsilon) as T;",
    ],
    needs: [],
  },
  gelu: {
    name: "gelu",
    docs: "GELU, exact form: x / 2 * (1 + erf(x / sqrt(2))).",
    typeParameters: ["T extends tf.Tensor"],
    parameters: [{ name: "x", type: "T" }],
    returnType: "T",
    statements: ["return tf.mul<T>(tf.mul(x, 0.5), tf.add(1, tf.erf(tf.div(x, Math.SQRT2))));"],
    needs: [],
  },
  dropout: {
    name: "dropout",
    docs:
      "Dropout of layer `layer`: the identity unless training; in training the mask's seed is\n" +
      "`dropoutSeed + layer` (as in the mtsl runtime), or random when no seed is given.",
    typeParameters: ["T extends tf.Tensor"],
    parameters: [
      { name: "run", type: "Run" },
      { name: "x", type: "T" },
      { name: "rate", type: "number" },
      { name: "layer", type: "number" },
    ],
    returnType: "T",
    statements: [
      "if (!run.training || rate <= 0) return x;",
      "const seed = run.dropoutSeed === undefined ? undefined : run.dropoutSeed + layer;",
      "return tf.dropout(x, rate, undefined, seed) as T;",
    ],
    needs: [],
  },
  basicBlock: {
    name: "basicBlock",
    docs:
      "ResNet basic block: conv3x3(stride) bn relu, conv3x3 bn, plus the input or, when the shape changes,\n" +
      `a 1x1 projection with batch norm; then relu. Batch norms use epsilon ${BLOCK_EPSILON}.`,
    parameters: [
      { name: "run", type: "Run" },
      { name: "x", type: "tf.Tensor4D" },
      { name: "owner", type: "string" },
      { name: "layer", type: "number" },
      { name: "stride", type: "number" },
      { name: "projection", type: "boolean" },
      { name: "symmetric", type: "boolean" },
    ],
    returnType: "tf.Tensor4D",
    statements: [
      'const pad3 = symmetric ? 1 : "same";',
      'const pad1 = symmetric ? 0 : "same";',
      'let y = conv2d(x, run.weight(owner, layer, "conv1.kernel"), stride, pad3, 1);',
      `y = tf.relu(batchNorm(run, y, owner, layer, "bn1.", ${BLOCK_EPSILON}));`,
      'y = conv2d(y, run.weight(owner, layer, "conv2.kernel"), 1, pad3, 1);',
      `const main = batchNorm(run, y, owner, layer, "bn2.", ${BLOCK_EPSILON});`,
      "const shortcut = projection",
      `  ? batchNorm(run, conv2d(x, run.weight(owner, layer, "shortcut.kernel"), stride, pad1, 1), owner, layer, "shortcut_bn.", ${BLOCK_EPSILON})`,
      "  : x;",
      "return tf.relu(tf.add<tf.Tensor4D>(main, shortcut));",
    ],
    needs: ["conv2d", "batchNorm"],
  },
  bottleneckMain: {
    name: "bottleneckMain",
    docs:
      "A bottleneck's main path: conv1x1 bn relu, conv3x3(stride) bn relu, conv1x1 bn (the blocks add their\n" +
      `residual). \`symmetric\`: PyTorch's padding (1 for the 3x3), else TensorFlow's same. Batch norms use epsilon ${BLOCK_EPSILON}.`,
    parameters: [
      { name: "run", type: "Run" },
      { name: "x", type: "tf.Tensor4D" },
      { name: "owner", type: "string" },
      { name: "layer", type: "number" },
      { name: "stride", type: "number" },
      { name: "symmetric", type: "boolean" },
    ],
    returnType: "tf.Tensor4D",
    statements: [
      'const pad3 = symmetric ? 1 : "same";',
      'const pad1 = symmetric ? 0 : "same";',
      'let y = conv2d(x, run.weight(owner, layer, "conv1.kernel"), 1, pad1, 1);',
      `y = tf.relu(batchNorm(run, y, owner, layer, "bn1.", ${BLOCK_EPSILON}));`,
      'y = conv2d(y, run.weight(owner, layer, "conv2.kernel"), stride, pad3, 1);',
      `y = tf.relu(batchNorm(run, y, owner, layer, "bn2.", ${BLOCK_EPSILON}));`,
      'y = conv2d(y, run.weight(owner, layer, "conv3.kernel"), 1, pad1, 1);',
      `return batchNorm(run, y, owner, layer, "bn3.", ${BLOCK_EPSILON});`,
    ],
    needs: ["conv2d", "batchNorm"],
  },
  bottleneckBlock: {
    name: "bottleneckBlock",
    docs:
      "ResNet bottleneck block: conv1x1 bn relu, conv3x3(stride) bn relu, conv1x1 bn, plus the input or,\n" +
      `when the shape changes, a 1x1 projection with batch norm; then relu. Batch norms use epsilon ${BLOCK_EPSILON}.`,
    parameters: [
      { name: "run", type: "Run" },
      { name: "x", type: "tf.Tensor4D" },
      { name: "owner", type: "string" },
      { name: "layer", type: "number" },
      { name: "stride", type: "number" },
      { name: "projection", type: "boolean" },
      { name: "symmetric", type: "boolean" },
    ],
    returnType: "tf.Tensor4D",
    statements: [
      'const pad1 = symmetric ? 0 : "same";',
      "const main = bottleneckMain(run, x, owner, layer, stride, symmetric);",
      "const shortcut = projection",
      `  ? batchNorm(run, conv2d(x, run.weight(owner, layer, "shortcut.kernel"), stride, pad1, 1), owner, layer, "shortcut_bn.", ${BLOCK_EPSILON})`,
      "  : x;",
      "return tf.relu(tf.add<tf.Tensor4D>(main, shortcut));",
    ],
    needs: ["conv2d", "batchNorm", "bottleneckMain"],
  },
  resizeTo: {
    name: "resizeTo",
    docs: "Bilinear resize to `height` x `width` with half-pixel centres (PyTorch's align_corners=False); the input itself when the size is already that.",
    parameters: [
      { name: "x", type: "tf.Tensor4D" },
      { name: "height", type: "number" },
      { name: "width", type: "number" },
    ],
    returnType: "tf.Tensor4D",
    statements: [
      "if (x.shape[1] === height && x.shape[2] === width) return x;",
      "return tf.image.resizeBilinear(x, [height, width], false, true);",
    ],
    needs: [],
  },
  decoderBlock: {
    name: "decoderBlock",
    docs:
      "The MTSL authors' decoder block: x resized to the skip's height and width, concatenated with the skip,\n" +
      "conv1x1 bn relu, conv3x3 bn relu, conv1x1 bn, plus the resized x (through a 1x1 projection without\n" +
      `batch norm when the channels change); then relu. Batch norms use epsilon ${BLOCK_EPSILON}.`,
    parameters: [
      { name: "run", type: "Run" },
      { name: "x", type: "tf.Tensor4D" },
      { name: "skip", type: "tf.Tensor4D" },
      { name: "owner", type: "string" },
      { name: "layer", type: "number" },
      { name: "projection", type: "boolean" },
    ],
    returnType: "tf.Tensor4D",
    statements: [
      "const resized = resizeTo(x, skip.shape[1], skip.shape[2]);",
      "const main = bottleneckMain(run, tf.concat([resized, skip], 3), owner, layer, 1, true);",
      "const residual = projection",
      '  ? conv2d(resized, run.weight(owner, layer, "projection.kernel"), 1, "same", 1)',
      "  : resized;",
      "return tf.relu(tf.add<tf.Tensor4D>(main, residual));",
    ],
    needs: ["conv2d", "resizeTo", "bottleneckMain"],
  },
};

/** Every helper name, in the order they appear in a module. */
export const HELPER_ORDER: readonly HelperName[] = [
  "conv2d",
  "addBias",
  "batchNorm",
  "gelu",
  "dropout",
  "basicBlock",
  "bottleneckMain",
  "bottleneckBlock",
  "resizeTo",
  "decoderBlock",
];

/** The helpers `used` need (transitively), in module order. */
export function helpersFor(used: Iterable<HelperName>): HelperFunction[] {
  const wanted = new Set<HelperName>();
  const add = (name: HelperName): void => {
    if (wanted.has(name)) return;
    wanted.add(name);
    HELPERS[name].needs.forEach(add);
  };
  for (const name of used) add(name);
  return HELPER_ORDER.filter((name) => wanted.has(name)).map((name) => HELPERS[name]);
}
