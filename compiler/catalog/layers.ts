/** Layers: the words of backbone stages and task heads. */
import {
  bool,
  fraction,
  listOf,
  named,
  num,
  oneOf,
  positional,
  positiveInt,
  positiveNum,
  required,
  requiredNamed,
  stage,
} from "./build.js";
import type { LayerSpec, ParamSpec } from "./types.js";

/** Weight initialisers a layer may name in `init:`. */
export const INITIALIZERS = [
  "he_normal",
  "he_uniform",
  "glorot_normal",
  "glorot_uniform",
  "lecun_normal",
  "zeros",
] as const;

const initializer = oneOf("initialiser", INITIALIZERS);

function poolParams(kind: string): ParamSpec[] {
  return [
    positional("size", positiveInt, 2, `Window height and width of the ${kind} pool.`),
    named("stride", positiveInt, { sameAs: "size" }, "Step between windows; defaults to the window size."),
    named(
      "padding",
      oneOf("padding", ["valid", "same", "symmetric"]),
      "valid",
      "`valid` drops the border; `same` pads to keep ceil(H/stride) (TensorFlow's placement: the extra row at the bottom); `symmetric` pads size/2 on every side (PyTorch's padding=size//2).",
    ),
  ];
}

export const LAYERS: readonly LayerSpec[] = [
  {
    name: "conv",
    vocabulary: "layer",
    aliases: ["conv2d", "convolution"],
    doc: "2-D convolution.",
    channels: { kind: "set", param: "filters" },
    params: [
      required("filters", positiveInt, "Output channels."),
      positional("kernel", positiveInt, 3, "Kernel height and width."),
      named("stride", positiveInt, 1, "Step of the kernel."),
      named(
        "padding",
        oneOf("padding", ["same", "valid", "symmetric"]),
        "same",
        "`same` keeps ceil(H/stride) (TensorFlow's placement: the extra row and column at the bottom and right); `symmetric` pads kernel/2 on every side (PyTorch's padding=kernel//2: the same shape for odd kernels); `valid` drops the border.",
      ),
      named("dilation", positiveInt, 1, "Spacing between kernel taps."),
      named("bias", bool, true, "Add a learned bias per output channel."),
      named("init", initializer, "he_normal", "Initialiser of the kernel."),
    ],
  },
  {
    name: "bn",
    vocabulary: "layer",
    aliases: ["batchnorm", "batch_norm", "batchnorm2d", "batchnormalization"],
    doc: "Batch normalisation over the channel axis.",
    channels: { kind: "keep" },
    params: [
      named("momentum", fraction, 0.9, "Weight of the old running statistics in each update."),
      named("epsilon", positiveNum, 1e-5, "Added to the variance before the square root."),
    ],
  },
  { name: "relu", vocabulary: "layer", doc: "max(x, 0).", channels: { kind: "keep" }, params: [] },
  {
    name: "leaky_relu",
    vocabulary: "layer",
    doc: "x for x > 0, alpha * x otherwise.",
    channels: { kind: "keep" },
    params: [named("alpha", num({ min: 0 }), 0.2, "Slope for negative inputs.")],
  },
  { name: "elu", vocabulary: "layer", doc: "Exponential linear unit.", channels: { kind: "keep" }, params: [] },
  { name: "gelu", vocabulary: "layer", doc: "Gaussian error linear unit.", channels: { kind: "keep" }, params: [] },
  { name: "sigmoid", vocabulary: "layer", doc: "1 / (1 + exp(-x)).", channels: { kind: "keep" }, params: [] },
  { name: "tanh", vocabulary: "layer", doc: "Hyperbolic tangent.", channels: { kind: "keep" }, params: [] },
  {
    name: "maxpool",
    vocabulary: "layer",
    aliases: ["max_pool", "maxpool2d", "max_pool2d"],
    doc: "Max pooling.",
    channels: { kind: "keep" },
    params: poolParams("max"),
  },
  {
    name: "avgpool",
    vocabulary: "layer",
    doc: "Average pooling.",
    channels: { kind: "keep" },
    params: poolParams("average"),
  },
  {
    name: "gap",
    vocabulary: "layer",
    aliases: ["globalaveragepooling2d", "global_avg_pool", "adaptiveavgpool2d"],
    doc: "Global average pooling: [H, W, C] to [C].",
    channels: { kind: "keep" },
    params: [],
  },
  {
    name: "dense",
    vocabulary: "layer",
    aliases: ["linear", "fc", "fully_connected"],
    doc: "Fully connected layer on a vector.",
    channels: { kind: "set", param: "units" },
    params: [
      required("units", positiveInt, "Output units."),
      named("bias", bool, true, "Add a learned bias per unit."),
      named("init", initializer, "glorot_uniform", "Initialiser of the weights."),
    ],
  },
  {
    name: "dropout",
    vocabulary: "layer",
    doc: "Drops each value with probability `rate` while training.",
    channels: { kind: "keep" },
    params: [required("rate", fraction, "Probability of dropping a value, in [0, 1).")],
  },
  { name: "flatten", vocabulary: "layer", doc: "[H, W, C] to [H*W*C].", channels: { kind: "keep" }, params: [] },
  {
    name: "basic",
    vocabulary: "layer",
    doc: "ResNet basic block: two 3x3 conv-bn with a residual; projection shortcut when the shape changes.",
    channels: { kind: "set", param: "filters" },
    params: [
      required("filters", positiveInt, "Output channels."),
      named("stride", positiveInt, 1, "Stride of the first convolution (and of the projection)."),
      named(
        "padding",
        oneOf("padding", ["same", "symmetric"]),
        "same",
        "How its 3x3 convolutions pad: `same` (TensorFlow's placement) or `symmetric` (PyTorch's, as torchvision's ResNets).",
      ),
    ],
  },
  {
    name: "bottleneck",
    vocabulary: "layer",
    doc: "ResNet bottleneck block: 1x1, 3x3, 1x1 conv-bn with a residual; outputs filters * expansion channels.",
    channels: { kind: "set", param: "filters", times: "expansion" },
    params: [
      required("filters", positiveInt, "Channels of the inner 3x3 convolution."),
      named("stride", positiveInt, 1, "Stride of the 3x3 convolution (and of the projection)."),
      named("expansion", positiveInt, 4, "Output channels = filters * expansion."),
      named(
        "padding",
        oneOf("padding", ["same", "symmetric"]),
        "same",
        "How its 3x3 convolution pads: `same` (TensorFlow's placement) or `symmetric` (PyTorch's, as torchvision's ResNets).",
      ),
    ],
  },
  {
    name: "upsample",
    vocabulary: "layer",
    aliases: ["upsampling2d", "interpolate", "resize"],
    doc: "Spatial upsampling by an integer factor.",
    channels: { kind: "keep" },
    params: [
      positional("factor", positiveInt, 2, "Scale of height and width."),
      named("mode", oneOf("upsampling mode", ["bilinear", "nearest"]), "bilinear", "Interpolation."),
    ],
  },
  {
    name: "concat",
    vocabulary: "layer",
    doc: "Concatenates the output of a named earlier stage along channels (a skip connection).",
    channels: { kind: "add" },
    params: [required("stage", stage, "The earlier stage whose output is appended.")],
  },
  {
    name: "decoder_bottleneck",
    vocabulary: "layer",
    aliases: ["decoderblock", "decoder_block"],
    doc: "The MTSL authors' decoder block: resizes its input to the size of the skip stage's output, concatenates the two, and runs a bottleneck (1x1, 3x3, 1x1 conv-bn) whose residual is the resized input, projected by a 1x1 convolution when its channels differ; outputs filters * expansion channels.",
    channels: { kind: "set", param: "filters", times: "expansion" },
    params: [
      required("filters", positiveInt, "Channels of the inner 3x3 convolution."),
      requiredNamed(
        "skip",
        stage,
        "The earlier stage whose output is concatenated (its size is the block's output size).",
      ),
      named("expansion", positiveInt, 4, "Output channels = filters * expansion."),
    ],
  },
  {
    name: "fuse",
    vocabulary: "layer",
    aliases: ["multiscale", "multi_scale"],
    doc: "Multi-scale fusion (the MTSL authors' task heads): a 1x1 convolution of each listed stage's output to `filters` channels, resized bilinearly to the input's height and width, all concatenated; outputs filters * (number of stages) channels.",
    channels: { kind: "add" },
    params: [
      required(
        "stages",
        listOf(stage, { minLength: 1 }),
        "The stages whose outputs are fused, in order (in a head: any stage; in a stage: earlier ones).",
      ),
      named("filters", positiveInt, 64, "Channels of each stage's 1x1 convolution."),
      named("bias", bool, true, "Give each 1x1 convolution a learned bias."),
    ],
  },
];
