/**
 * Generated from model Nyuv2 by mtslc; do not edit.
 *
 * The network as plain TensorFlow.js code: `forward` computes what the mtsl runtime's
 * interpreter computes from the same weights (keys as in its WeightStore).
 * Input [batch, 288, 384, 3] (NHWC); 10 stages in 50 instances; tasks:
 *   seg (segmentation) -> [batch, 288, 384, 13]
 *   depth (depth) -> [batch, 288, 384, 1]
 *   edge (edges) -> [batch, 288, 384, 1]
 *   normal (normals) -> [batch, 288, 384, 3]
 *   ae (reconstruction) -> [batch, 288, 384, 3]
 */
import * as tf from "@tensorflow/tfjs";

/** The model's name in its `.mtsl` file. */
export const modelName = "Nyuv2";

/** The input's shape without the batch dimension: [height, width, channels] (NHWC). */
export const inputShape = [288, 384, 3] as const;

/** The tasks in declaration order; `forward` returns one output for each. */
export const taskNames = ["seg", "depth", "edge", "normal", "ae"] as const;

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
  { key: "stem@seg/0.kernel", shape: [7, 7, 3, 64], trainable: true },
  { key: "stem@seg/1.gamma", shape: [64], trainable: true },
  { key: "stem@seg/1.beta", shape: [64], trainable: true },
  { key: "stem@seg/1.moving_mean", shape: [64], trainable: false },
  { key: "stem@seg/1.moving_variance", shape: [64], trainable: false },
  { key: "stem@depth/0.kernel", shape: [7, 7, 3, 64], trainable: true },
  { key: "stem@depth/1.gamma", shape: [64], trainable: true },
  { key: "stem@depth/1.beta", shape: [64], trainable: true },
  { key: "stem@depth/1.moving_mean", shape: [64], trainable: false },
  { key: "stem@depth/1.moving_variance", shape: [64], trainable: false },
  { key: "stem@edge/0.kernel", shape: [7, 7, 3, 64], trainable: true },
  { key: "stem@edge/1.gamma", shape: [64], trainable: true },
  { key: "stem@edge/1.beta", shape: [64], trainable: true },
  { key: "stem@edge/1.moving_mean", shape: [64], trainable: false },
  { key: "stem@edge/1.moving_variance", shape: [64], trainable: false },
  { key: "stem@normal/0.kernel", shape: [7, 7, 3, 64], trainable: true },
  { key: "stem@normal/1.gamma", shape: [64], trainable: true },
  { key: "stem@normal/1.beta", shape: [64], trainable: true },
  { key: "stem@normal/1.moving_mean", shape: [64], trainable: false },
  { key: "stem@normal/1.moving_variance", shape: [64], trainable: false },
  { key: "stem@ae/0.kernel", shape: [7, 7, 3, 64], trainable: true },
  { key: "stem@ae/1.gamma", shape: [64], trainable: true },
  { key: "stem@ae/1.beta", shape: [64], trainable: true },
  { key: "stem@ae/1.moving_mean", shape: [64], trainable: false },
  { key: "stem@ae/1.moving_variance", shape: [64], trainable: false },
  { key: "enc1@seg/0.conv1.kernel", shape: [3, 3, 64, 64], trainable: true },
  { key: "enc1@seg/0.bn1.gamma", shape: [64], trainable: true },
  { key: "enc1@seg/0.bn1.beta", shape: [64], trainable: true },
  { key: "enc1@seg/0.bn1.moving_mean", shape: [64], trainable: false },
  { key: "enc1@seg/0.bn1.moving_variance", shape: [64], trainable: false },
  { key: "enc1@seg/0.conv2.kernel", shape: [3, 3, 64, 64], trainable: true },
  { key: "enc1@seg/0.bn2.gamma", shape: [64], trainable: true },
  { key: "enc1@seg/0.bn2.beta", shape: [64], trainable: true },
  { key: "enc1@seg/0.bn2.moving_mean", shape: [64], trainable: false },
  { key: "enc1@seg/0.bn2.moving_variance", shape: [64], trainable: false },
  { key: "enc1@seg/1.conv1.kernel", shape: [3, 3, 64, 64], trainable: true },
  { key: "enc1@seg/1.bn1.gamma", shape: [64], trainable: true },
  { key: "enc1@seg/1.bn1.beta", shape: [64], trainable: true },
  { key: "enc1@seg/1.bn1.moving_mean", shape: [64], trainable: false },
  { key: "enc1@seg/1.bn1.moving_variance", shape: [64], trainable: false },
  { key: "enc1@seg/1.conv2.kernel", shape: [3, 3, 64, 64], trainable: true },
  { key: "enc1@seg/1.bn2.gamma", shape: [64], trainable: true },
  { key: "enc1@seg/1.bn2.beta", shape: [64], trainable: true },
  { key: "enc1@seg/1.bn2.moving_mean", shape: [64], trainable: false },
  { key: "enc1@seg/1.bn2.moving_variance", shape: [64], trainable: false },
  { key: "enc1@depth/0.conv1.kernel", shape: [3, 3, 64, 64], trainable: true },
  { key: "enc1@depth/0.bn1.gamma", shape: [64], trainable: true },
  { key: "enc1@depth/0.bn1.beta", shape: [64], trainable: true },
  { key: "enc1@depth/0.bn1.moving_mean", shape: [64], trainable: false },
  { key: "enc1@depth/0.bn1.moving_variance", shape: [64], trainable: false },
  { key: "enc1@depth/0.conv2.kernel", shape: [3, 3, 64, 64], trainable: true },
  { key: "enc1@depth/0.bn2.gamma", shape: [64], trainable: true },
  { key: "enc1@depth/0.bn2.beta", shape: [64], trainable: true },
  { key: "enc1@depth/0.bn2.moving_mean", shape: [64], trainable: false },
  { key: "enc1@depth/0.bn2.moving_variance", shape: [64], trainable: false },
  { key: "enc1@depth/1.conv1.kernel", shape: [3, 3, 64, 64], trainable: true },
  { key: "enc1@depth/1.bn1.gamma", shape: [64], trainable: true },
  { key: "enc1@depth/1.bn1.beta", shape: [64], trainable: true },
  { key: "enc1@depth/1.bn1.moving_mean", shape: [64], trainable: false },
  { key: "enc1@depth/1.bn1.moving_variance", shape: [64], trainable: false },
  { key: "enc1@depth/1.conv2.kernel", shape: [3, 3, 64, 64], trainable: true },
  { key: "enc1@depth/1.bn2.gamma", shape: [64], trainable: true },
  { key: "enc1@depth/1.bn2.beta", shape: [64], trainable: true },
  { key: "enc1@depth/1.bn2.moving_mean", shape: [64], trainable: false },
  { key: "enc1@depth/1.bn2.moving_variance", shape: [64], trainable: false },
  { key: "enc1@edge/0.conv1.kernel", shape: [3, 3, 64, 64], trainable: true },
  { key: "enc1@edge/0.bn1.gamma", shape: [64], trainable: true },
  { key: "enc1@edge/0.bn1.beta", shape: [64], trainable: true },
  { key: "enc1@edge/0.bn1.moving_mean", shape: [64], trainable: false },
  { key: "enc1@edge/0.bn1.moving_variance", shape: [64], trainable: false },
  { key: "enc1@edge/0.conv2.kernel", shape: [3, 3, 64, 64], trainable: true },
  { key: "enc1@edge/0.bn2.gamma", shape: [64], trainable: true },
  { key: "enc1@edge/0.bn2.beta", shape: [64], trainable: true },
  { key: "enc1@edge/0.bn2.moving_mean", shape: [64], trainable: false },
  { key: "enc1@edge/0.bn2.moving_variance", shape: [64], trainable: false },
  { key: "enc1@edge/1.conv1.kernel", shape: [3, 3, 64, 64], trainable: true },
  { key: "enc1@edge/1.bn1.gamma", shape: [64], trainable: true },
  { key: "enc1@edge/1.bn1.beta", shape: [64], trainable: true },
  { key: "enc1@edge/1.bn1.moving_mean", shape: [64], trainable: false },
  { key: "enc1@edge/1.bn1.moving_variance", shape: [64], trainable: false },
  { key: "enc1@edge/1.conv2.kernel", shape: [3, 3, 64, 64], trainable: true },
  { key: "enc1@edge/1.bn2.gamma", shape: [64], trainable: true },
  { key: "enc1@edge/1.bn2.beta", shape: [64], trainable: true },
  { key: "enc1@edge/1.bn2.moving_mean", shape: [64], trainable: false },
  { key: "enc1@edge/1.bn2.moving_variance", shape: [64], trainable: false },
  { key: "enc1@normal/0.conv1.kernel", shape: [3, 3, 64, 64], trainable: true },
  { key: "enc1@normal/0.bn1.gamma", shape: [64], trainable: true },
  { key: "enc1@normal/0.bn1.beta", shape: [64], trainable: true },
  { key: "enc1@normal/0.bn1.moving_mean", shape: [64], trainable: false },
  { key: "enc1@normal/0.bn1.moving_variance", shape: [64], trainable: false },
  { key: "enc1@normal/0.conv2.kernel", shape: [3, 3, 64, 64], trainable: true },
  { key: "enc1@normal/0.bn2.gamma", shape: [64], trainable: true },
  { key: "enc1@normal/0.bn2.beta", shape: [64], trainable: true },
  { key: "enc1@normal/0.bn2.moving_mean", shape: [64], trainable: false },
  { key: "enc1@normal/0.bn2.moving_variance", shape: [64], trainable: false },
  { key: "enc1@normal/1.conv1.kernel", shape: [3, 3, 64, 64], trainable: true },
  { key: "enc1@normal/1.bn1.gamma", shape: [64], trainable: true },
  { key: "enc1@normal/1.bn1.beta", shape: [64], trainable: true },
  { key: "enc1@normal/1.bn1.moving_mean", shape: [64], trainable: false },
  { key: "enc1@normal/1.bn1.moving_variance", shape: [64], trainable: false },
  { key: "enc1@normal/1.conv2.kernel", shape: [3, 3, 64, 64], trainable: true },
  { key: "enc1@normal/1.bn2.gamma", shape: [64], trainable: true },
  { key: "enc1@normal/1.bn2.beta", shape: [64], trainable: true },
  { key: "enc1@normal/1.bn2.moving_mean", shape: [64], trainable: false },
  { key: "enc1@normal/1.bn2.moving_variance", shape: [64], trainable: false },
  { key: "enc1@ae/0.conv1.kernel", shape: [3, 3, 64, 64], trainable: true },
  { key: "enc1@ae/0.bn1.gamma", shape: [64], trainable: true },
  { key: "enc1@ae/0.bn1.beta", shape: [64], trainable: true },
  { key: "enc1@ae/0.bn1.moving_mean", shape: [64], trainable: false },
  { key: "enc1@ae/0.bn1.moving_variance", shape: [64], trainable: false },
  { key: "enc1@ae/0.conv2.kernel", shape: [3, 3, 64, 64], trainable: true },
  { key: "enc1@ae/0.bn2.gamma", shape: [64], trainable: true },
  { key: "enc1@ae/0.bn2.beta", shape: [64], trainable: true },
  { key: "enc1@ae/0.bn2.moving_mean", shape: [64], trainable: false },
  { key: "enc1@ae/0.bn2.moving_variance", shape: [64], trainable: false },
  { key: "enc1@ae/1.conv1.kernel", shape: [3, 3, 64, 64], trainable: true },
  { key: "enc1@ae/1.bn1.gamma", shape: [64], trainable: true },
  { key: "enc1@ae/1.bn1.beta", shape: [64], trainable: true },
  { key: "enc1@ae/1.bn1.moving_mean", shape: [64], trainable: false },
  { key: "enc1@ae/1.bn1.moving_variance", shape: [64], trainable: false },
  { key: "enc1@ae/1.conv2.kernel", shape: [3, 3, 64, 64], trainable: true },
  { key: "enc1@ae/1.bn2.gamma", shape: [64], trainable: true },
  { key: "enc1@ae/1.bn2.beta", shape: [64], trainable: true },
  { key: "enc1@ae/1.bn2.moving_mean", shape: [64], trainable: false },
  { key: "enc1@ae/1.bn2.moving_variance", shape: [64], trainable: false },
  { key: "enc2@seg/0.conv1.kernel", shape: [3, 3, 64, 128], trainable: true },
  { key: "enc2@seg/0.bn1.gamma", shape: [128], trainable: true },
  { key: "enc2@seg/0.bn1.beta", shape: [128], trainable: true },
  { key: "enc2@seg/0.bn1.moving_mean", shape: [128], trainable: false },
  { key: "enc2@seg/0.bn1.moving_variance", shape: [128], trainable: false },
  { key: "enc2@seg/0.conv2.kernel", shape: [3, 3, 128, 128], trainable: true },
  { key: "enc2@seg/0.bn2.gamma", shape: [128], trainable: true },
  { key: "enc2@seg/0.bn2.beta", shape: [128], trainable: true },
  { key: "enc2@seg/0.bn2.moving_mean", shape: [128], trainable: false },
  { key: "enc2@seg/0.bn2.moving_variance", shape: [128], trainable: false },
  { key: "enc2@seg/0.shortcut.kernel", shape: [1, 1, 64, 128], trainable: true },
  { key: "enc2@seg/0.shortcut_bn.gamma", shape: [128], trainable: true },
  { key: "enc2@seg/0.shortcut_bn.beta", shape: [128], trainable: true },
  { key: "enc2@seg/0.shortcut_bn.moving_mean", shape: [128], trainable: false },
  { key: "enc2@seg/0.shortcut_bn.moving_variance", shape: [128], trainable: false },
  { key: "enc2@seg/1.conv1.kernel", shape: [3, 3, 128, 128], trainable: true },
  { key: "enc2@seg/1.bn1.gamma", shape: [128], trainable: true },
  { key: "enc2@seg/1.bn1.beta", shape: [128], trainable: true },
  { key: "enc2@seg/1.bn1.moving_mean", shape: [128], trainable: false },
  { key: "enc2@seg/1.bn1.moving_variance", shape: [128], trainable: false },
  { key: "enc2@seg/1.conv2.kernel", shape: [3, 3, 128, 128], trainable: true },
  { key: "enc2@seg/1.bn2.gamma", shape: [128], trainable: true },
  { key: "enc2@seg/1.bn2.beta", shape: [128], trainable: true },
  { key: "enc2@seg/1.bn2.moving_mean", shape: [128], trainable: false },
  { key: "enc2@seg/1.bn2.moving_variance", shape: [128], trainable: false },
  { key: "enc2@depth/0.conv1.kernel", shape: [3, 3, 64, 128], trainable: true },
  { key: "enc2@depth/0.bn1.gamma", shape: [128], trainable: true },
  { key: "enc2@depth/0.bn1.beta", shape: [128], trainable: true },
  { key: "enc2@depth/0.bn1.moving_mean", shape: [128], trainable: false },
  { key: "enc2@depth/0.bn1.moving_variance", shape: [128], trainable: false },
  { key: "enc2@depth/0.conv2.kernel", shape: [3, 3, 128, 128], trainable: true },
  { key: "enc2@depth/0.bn2.gamma", shape: [128], trainable: true },
  { key: "enc2@depth/0.bn2.beta", shape: [128], trainable: true },
  { key: "enc2@depth/0.bn2.moving_mean", shape: [128], trainable: false },
  { key: "enc2@depth/0.bn2.moving_variance", shape: [128], trainable: false },
  { key: "enc2@depth/0.shortcut.kernel", shape: [1, 1, 64, 128], trainable: true },
  { key: "enc2@depth/0.shortcut_bn.gamma", shape: [128], trainable: true },
  { key: "enc2@depth/0.shortcut_bn.beta", shape: [128], trainable: true },
  { key: "enc2@depth/0.shortcut_bn.moving_mean", shape: [128], trainable: false },
  { key: "enc2@depth/0.shortcut_bn.moving_variance", shape: [128], trainable: false },
  { key: "enc2@depth/1.conv1.kernel", shape: [3, 3, 128, 128], trainable: true },
  { key: "enc2@depth/1.bn1.gamma", shape: [128], trainable: true },
  { key: "enc2@depth/1.bn1.beta", shape: [128], trainable: true },
  { key: "enc2@depth/1.bn1.moving_mean", shape: [128], trainable: false },
  { key: "enc2@depth/1.bn1.moving_variance", shape: [128], trainable: false },
  { key: "enc2@depth/1.conv2.kernel", shape: [3, 3, 128, 128], trainable: true },
  { key: "enc2@depth/1.bn2.gamma", shape: [128], trainable: true },
  { key: "enc2@depth/1.bn2.beta", shape: [128], trainable: true },
  { key: "enc2@depth/1.bn2.moving_mean", shape: [128], trainable: false },
  { key: "enc2@depth/1.bn2.moving_variance", shape: [128], trainable: false },
  { key: "enc2@edge/0.conv1.kernel", shape: [3, 3, 64, 128], trainable: true },
  { key: "enc2@edge/0.bn1.gamma", shape: [128], trainable: true },
  { key: "enc2@edge/0.bn1.beta", shape: [128], trainable: true },
  { key: "enc2@edge/0.bn1.moving_mean", shape: [128], trainable: false },
  { key: "enc2@edge/0.bn1.moving_variance", shape: [128], trainable: false },
  { key: "enc2@edge/0.conv2.kernel", shape: [3, 3, 128, 128], trainable: true },
  { key: "enc2@edge/0.bn2.gamma", shape: [128], trainable: true },
  { key: "enc2@edge/0.bn2.beta", shape: [128], trainable: true },
  { key: "enc2@edge/0.bn2.moving_mean", shape: [128], trainable: false },
  { key: "enc2@edge/0.bn2.moving_variance", shape: [128], trainable: false },
  { key: "enc2@edge/0.shortcut.kernel", shape: [1, 1, 64, 128], trainable: true },
  { key: "enc2@edge/0.shortcut_bn.gamma", shape: [128], trainable: true },
  { key: "enc2@edge/0.shortcut_bn.beta", shape: [128], trainable: true },
  { key: "enc2@edge/0.shortcut_bn.moving_mean", shape: [128], trainable: false },
  { key: "enc2@edge/0.shortcut_bn.moving_variance", shape: [128], trainable: false },
  { key: "enc2@edge/1.conv1.kernel", shape: [3, 3, 128, 128], trainable: true },
  { key: "enc2@edge/1.bn1.gamma", shape: [128], trainable: true },
  { key: "enc2@edge/1.bn1.beta", shape: [128], trainable: true },
  { key: "enc2@edge/1.bn1.moving_mean", shape: [128], trainable: false },
  { key: "enc2@edge/1.bn1.moving_variance", shape: [128], trainable: false },
  { key: "enc2@edge/1.conv2.kernel", shape: [3, 3, 128, 128], trainable: true },
  { key: "enc2@edge/1.bn2.gamma", shape: [128], trainable: true },
  { key: "enc2@edge/1.bn2.beta", shape: [128], trainable: true },
  { key: "enc2@edge/1.bn2.moving_mean", shape: [128], trainable: false },
  { key: "enc2@edge/1.bn2.moving_variance", shape: [128], trainable: false },
  { key: "enc2@normal/0.conv1.kernel", shape: [3, 3, 64, 128], trainable: true },
  { key: "enc2@normal/0.bn1.gamma", shape: [128], trainable: true },
  { key: "enc2@normal/0.bn1.beta", shape: [128], trainable: true },
  { key: "enc2@normal/0.bn1.moving_mean", shape: [128], trainable: false },
  { key: "enc2@normal/0.bn1.moving_variance", shape: [128], trainable: false },
  { key: "enc2@normal/0.conv2.kernel", shape: [3, 3, 128, 128], trainable: true },
  { key: "enc2@normal/0.bn2.gamma", shape: [128], trainable: true },
  { key: "enc2@normal/0.bn2.beta", shape: [128], trainable: true },
  { key: "enc2@normal/0.bn2.moving_mean", shape: [128], trainable: false },
  { key: "enc2@normal/0.bn2.moving_variance", shape: [128], trainable: false },
  { key: "enc2@normal/0.shortcut.kernel", shape: [1, 1, 64, 128], trainable: true },
  { key: "enc2@normal/0.shortcut_bn.gamma", shape: [128], trainable: true },
  { key: "enc2@normal/0.shortcut_bn.beta", shape: [128], trainable: true },
  { key: "enc2@normal/0.shortcut_bn.moving_mean", shape: [128], trainable: false },
  { key: "enc2@normal/0.shortcut_bn.moving_variance", shape: [128], trainable: false },
  { key: "enc2@normal/1.conv1.kernel", shape: [3, 3, 128, 128], trainable: true },
  { key: "enc2@normal/1.bn1.gamma", shape: [128], trainable: true },
  { key: "enc2@normal/1.bn1.beta", shape: [128], trainable: true },
  { key: "enc2@normal/1.bn1.moving_mean", shape: [128], trainable: false },
  { key: "enc2@normal/1.bn1.moving_variance", shape: [128], trainable: false },
  { key: "enc2@normal/1.conv2.kernel", shape: [3, 3, 128, 128], trainable: true },
  { key: "enc2@normal/1.bn2.gamma", shape: [128], trainable: true },
  { key: "enc2@normal/1.bn2.beta", shape: [128], trainable: true },
  { key: "enc2@normal/1.bn2.moving_mean", shape: [128], trainable: false },
  { key: "enc2@normal/1.bn2.moving_variance", shape: [128], trainable: false },
  { key: "enc2@ae/0.conv1.kernel", shape: [3, 3, 64, 128], trainable: true },
  { key: "enc2@ae/0.bn1.gamma", shape: [128], trainable: true },
  { key: "enc2@ae/0.bn1.beta", shape: [128], trainable: true },
  { key: "enc2@ae/0.bn1.moving_mean", shape: [128], trainable: false },
  { key: "enc2@ae/0.bn1.moving_variance", shape: [128], trainable: false },
  { key: "enc2@ae/0.conv2.kernel", shape: [3, 3, 128, 128], trainable: true },
  { key: "enc2@ae/0.bn2.gamma", shape: [128], trainable: true },
  { key: "enc2@ae/0.bn2.beta", shape: [128], trainable: true },
  { key: "enc2@ae/0.bn2.moving_mean", shape: [128], trainable: false },
  { key: "enc2@ae/0.bn2.moving_variance", shape: [128], trainable: false },
  { key: "enc2@ae/0.shortcut.kernel", shape: [1, 1, 64, 128], trainable: true },
  { key: "enc2@ae/0.shortcut_bn.gamma", shape: [128], trainable: true },
  { key: "enc2@ae/0.shortcut_bn.beta", shape: [128], trainable: true },
  { key: "enc2@ae/0.shortcut_bn.moving_mean", shape: [128], trainable: false },
  { key: "enc2@ae/0.shortcut_bn.moving_variance", shape: [128], trainable: false },
  { key: "enc2@ae/1.conv1.kernel", shape: [3, 3, 128, 128], trainable: true },
  { key: "enc2@ae/1.bn1.gamma", shape: [128], trainable: true },
  { key: "enc2@ae/1.bn1.beta", shape: [128], trainable: true },
  { key: "enc2@ae/1.bn1.moving_mean", shape: [128], trainable: false },
  { key: "enc2@ae/1.bn1.moving_variance", shape: [128], trainable: false },
  { key: "enc2@ae/1.conv2.kernel", shape: [3, 3, 128, 128], trainable: true },
  { key: "enc2@ae/1.bn2.gamma", shape: [128], trainable: true },
  { key: "enc2@ae/1.bn2.beta", shape: [128], trainable: true },
  { key: "enc2@ae/1.bn2.moving_mean", shape: [128], trainable: false },
  { key: "enc2@ae/1.bn2.moving_variance", shape: [128], trainable: false },
  { key: "enc3@seg/0.conv1.kernel", shape: [3, 3, 128, 256], trainable: true },
  { key: "enc3@seg/0.bn1.gamma", shape: [256], trainable: true },
  { key: "enc3@seg/0.bn1.beta", shape: [256], trainable: true },
  { key: "enc3@seg/0.bn1.moving_mean", shape: [256], trainable: false },
  { key: "enc3@seg/0.bn1.moving_variance", shape: [256], trainable: false },
  { key: "enc3@seg/0.conv2.kernel", shape: [3, 3, 256, 256], trainable: true },
  { key: "enc3@seg/0.bn2.gamma", shape: [256], trainable: true },
  { key: "enc3@seg/0.bn2.beta", shape: [256], trainable: true },
  { key: "enc3@seg/0.bn2.moving_mean", shape: [256], trainable: false },
  { key: "enc3@seg/0.bn2.moving_variance", shape: [256], trainable: false },
  { key: "enc3@seg/0.shortcut.kernel", shape: [1, 1, 128, 256], trainable: true },
  { key: "enc3@seg/0.shortcut_bn.gamma", shape: [256], trainable: true },
  { key: "enc3@seg/0.shortcut_bn.beta", shape: [256], trainable: true },
  { key: "enc3@seg/0.shortcut_bn.moving_mean", shape: [256], trainable: false },
  { key: "enc3@seg/0.shortcut_bn.moving_variance", shape: [256], trainable: false },
  { key: "enc3@seg/1.conv1.kernel", shape: [3, 3, 256, 256], trainable: true },
  { key: "enc3@seg/1.bn1.gamma", shape: [256], trainable: true },
  { key: "enc3@seg/1.bn1.beta", shape: [256], trainable: true },
  { key: "enc3@seg/1.bn1.moving_mean", shape: [256], trainable: false },
  { key: "enc3@seg/1.bn1.moving_variance", shape: [256], trainable: false },
  { key: "enc3@seg/1.conv2.kernel", shape: [3, 3, 256, 256], trainable: true },
  { key: "enc3@seg/1.bn2.gamma", shape: [256], trainable: true },
  { key: "enc3@seg/1.bn2.beta", shape: [256], trainable: true },
  { key: "enc3@seg/1.bn2.moving_mean", shape: [256], trainable: false },
  { key: "enc3@seg/1.bn2.moving_variance", shape: [256], trainable: false },
  { key: "enc3@depth/0.conv1.kernel", shape: [3, 3, 128, 256], trainable: true },
  { key: "enc3@depth/0.bn1.gamma", shape: [256], trainable: true },
  { key: "enc3@depth/0.bn1.beta", shape: [256], trainable: true },
  { key: "enc3@depth/0.bn1.moving_mean", shape: [256], trainable: false },
  { key: "enc3@depth/0.bn1.moving_variance", shape: [256], trainable: false },
  { key: "enc3@depth/0.conv2.kernel", shape: [3, 3, 256, 256], trainable: true },
  { key: "enc3@depth/0.bn2.gamma", shape: [256], trainable: true },
  { key: "enc3@depth/0.bn2.beta", shape: [256], trainable: true },
  { key: "enc3@depth/0.bn2.moving_mean", shape: [256], trainable: false },
  { key: "enc3@depth/0.bn2.moving_variance", shape: [256], trainable: false },
  { key: "enc3@depth/0.shortcut.kernel", shape: [1, 1, 128, 256], trainable: true },
  { key: "enc3@depth/0.shortcut_bn.gamma", shape: [256], trainable: true },
  { key: "enc3@depth/0.shortcut_bn.beta", shape: [256], trainable: true },
  { key: "enc3@depth/0.shortcut_bn.moving_mean", shape: [256], trainable: false },
  { key: "enc3@depth/0.shortcut_bn.moving_variance", shape: [256], trainable: false },
  { key: "enc3@depth/1.conv1.kernel", shape: [3, 3, 256, 256], trainable: true },
  { key: "enc3@depth/1.bn1.gamma", shape: [256], trainable: true },
  { key: "enc3@depth/1.bn1.beta", shape: [256], trainable: true },
  { key: "enc3@depth/1.bn1.moving_mean", shape: [256], trainable: false },
  { key: "enc3@depth/1.bn1.moving_variance", shape: [256], trainable: false },
  { key: "enc3@depth/1.conv2.kernel", shape: [3, 3, 256, 256], trainable: true },
  { key: "enc3@depth/1.bn2.gamma", shape: [256], trainable: true },
  { key: "enc3@depth/1.bn2.beta", shape: [256], trainable: true },
  { key: "enc3@depth/1.bn2.moving_mean", shape: [256], trainable: false },
  { key: "enc3@depth/1.bn2.moving_variance", shape: [256], trainable: false },
  { key: "enc3@edge/0.conv1.kernel", shape: [3, 3, 128, 256], trainable: true },
  { key: "enc3@edge/0.bn1.gamma", shape: [256], trainable: true },
  { key: "enc3@edge/0.bn1.beta", shape: [256], trainable: true },
  { key: "enc3@edge/0.bn1.moving_mean", shape: [256], trainable: false },
  { key: "enc3@edge/0.bn1.moving_variance", shape: [256], trainable: false },
  { key: "enc3@edge/0.conv2.kernel", shape: [3, 3, 256, 256], trainable: true },
  { key: "enc3@edge/0.bn2.gamma", shape: [256], trainable: true },
  { key: "enc3@edge/0.bn2.beta", shape: [256], trainable: true },
  { key: "enc3@edge/0.bn2.moving_mean", shape: [256], trainable: false },
  { key: "enc3@edge/0.bn2.moving_variance", shape: [256], trainable: false },
  { key: "enc3@edge/0.shortcut.kernel", shape: [1, 1, 128, 256], trainable: true },
  { key: "enc3@edge/0.shortcut_bn.gamma", shape: [256], trainable: true },
  { key: "enc3@edge/0.shortcut_bn.beta", shape: [256], trainable: true },
  { key: "enc3@edge/0.shortcut_bn.moving_mean", shape: [256], trainable: false },
  { key: "enc3@edge/0.shortcut_bn.moving_variance", shape: [256], trainable: false },
  { key: "enc3@edge/1.conv1.kernel", shape: [3, 3, 256, 256], trainable: true },
  { key: "enc3@edge/1.bn1.gamma", shape: [256], trainable: true },
  { key: "enc3@edge/1.bn1.beta", shape: [256], trainable: true },
  { key: "enc3@edge/1.bn1.moving_mean", shape: [256], trainable: false },
  { key: "enc3@edge/1.bn1.moving_variance", shape: [256], trainable: false },
  { key: "enc3@edge/1.conv2.kernel", shape: [3, 3, 256, 256], trainable: true },
  { key: "enc3@edge/1.bn2.gamma", shape: [256], trainable: true },
  { key: "enc3@edge/1.bn2.beta", shape: [256], trainable: true },
  { key: "enc3@edge/1.bn2.moving_mean", shape: [256], trainable: false },
  { key: "enc3@edge/1.bn2.moving_variance", shape: [256], trainable: false },
  { key: "enc3@normal/0.conv1.kernel", shape: [3, 3, 128, 256], trainable: true },
  { key: "enc3@normal/0.bn1.gamma", shape: [256], trainable: true },
  { key: "enc3@normal/0.bn1.beta", shape: [256], trainable: true },
  { key: "enc3@normal/0.bn1.moving_mean", shape: [256], trainable: false },
  { key: "enc3@normal/0.bn1.moving_variance", shape: [256], trainable: false },
  { key: "enc3@normal/0.conv2.kernel", shape: [3, 3, 256, 256], trainable: true },
  { key: "enc3@normal/0.bn2.gamma", shape: [256], trainable: true },
  { key: "enc3@normal/0.bn2.beta", shape: [256], trainable: true },
  { key: "enc3@normal/0.bn2.moving_mean", shape: [256], trainable: false },
  { key: "enc3@normal/0.bn2.moving_variance", shape: [256], trainable: false },
  { key: "enc3@normal/0.shortcut.kernel", shape: [1, 1, 128, 256], trainable: true },
  { key: "enc3@normal/0.shortcut_bn.gamma", shape: [256], trainable: true },
  { key: "enc3@normal/0.shortcut_bn.beta", shape: [256], trainable: true },
  { key: "enc3@normal/0.shortcut_bn.moving_mean", shape: [256], trainable: false },
  { key: "enc3@normal/0.shortcut_bn.moving_variance", shape: [256], trainable: false },
  { key: "enc3@normal/1.conv1.kernel", shape: [3, 3, 256, 256], trainable: true },
  { key: "enc3@normal/1.bn1.gamma", shape: [256], trainable: true },
  { key: "enc3@normal/1.bn1.beta", shape: [256], trainable: true },
  { key: "enc3@normal/1.bn1.moving_mean", shape: [256], trainable: false },
  { key: "enc3@normal/1.bn1.moving_variance", shape: [256], trainable: false },
  { key: "enc3@normal/1.conv2.kernel", shape: [3, 3, 256, 256], trainable: true },
  { key: "enc3@normal/1.bn2.gamma", shape: [256], trainable: true },
  { key: "enc3@normal/1.bn2.beta", shape: [256], trainable: true },
  { key: "enc3@normal/1.bn2.moving_mean", shape: [256], trainable: false },
  { key: "enc3@normal/1.bn2.moving_variance", shape: [256], trainable: false },
  { key: "enc3@ae/0.conv1.kernel", shape: [3, 3, 128, 256], trainable: true },
  { key: "enc3@ae/0.bn1.gamma", shape: [256], trainable: true },
  { key: "enc3@ae/0.bn1.beta", shape: [256], trainable: true },
  { key: "enc3@ae/0.bn1.moving_mean", shape: [256], trainable: false },
  { key: "enc3@ae/0.bn1.moving_variance", shape: [256], trainable: false },
  { key: "enc3@ae/0.conv2.kernel", shape: [3, 3, 256, 256], trainable: true },
  { key: "enc3@ae/0.bn2.gamma", shape: [256], trainable: true },
  { key: "enc3@ae/0.bn2.beta", shape: [256], trainable: true },
  { key: "enc3@ae/0.bn2.moving_mean", shape: [256], trainable: false },
  { key: "enc3@ae/0.bn2.moving_variance", shape: [256], trainable: false },
  { key: "enc3@ae/0.shortcut.kernel", shape: [1, 1, 128, 256], trainable: true },
  { key: "enc3@ae/0.shortcut_bn.gamma", shape: [256], trainable: true },
  { key: "enc3@ae/0.shortcut_bn.beta", shape: [256], trainable: true },
  { key: "enc3@ae/0.shortcut_bn.moving_mean", shape: [256], trainable: false },
  { key: "enc3@ae/0.shortcut_bn.moving_variance", shape: [256], trainable: false },
  { key: "enc3@ae/1.conv1.kernel", shape: [3, 3, 256, 256], trainable: true },
  { key: "enc3@ae/1.bn1.gamma", shape: [256], trainable: true },
  { key: "enc3@ae/1.bn1.beta", shape: [256], trainable: true },
  { key: "enc3@ae/1.bn1.moving_mean", shape: [256], trainable: false },
  { key: "enc3@ae/1.bn1.moving_variance", shape: [256], trainable: false },
  { key: "enc3@ae/1.conv2.kernel", shape: [3, 3, 256, 256], trainable: true },
  { key: "enc3@ae/1.bn2.gamma", shape: [256], trainable: true },
  { key: "enc3@ae/1.bn2.beta", shape: [256], trainable: true },
  { key: "enc3@ae/1.bn2.moving_mean", shape: [256], trainable: false },
  { key: "enc3@ae/1.bn2.moving_variance", shape: [256], trainable: false },
  { key: "enc4@seg/0.conv1.kernel", shape: [3, 3, 256, 512], trainable: true },
  { key: "enc4@seg/0.bn1.gamma", shape: [512], trainable: true },
  { key: "enc4@seg/0.bn1.beta", shape: [512], trainable: true },
  { key: "enc4@seg/0.bn1.moving_mean", shape: [512], trainable: false },
  { key: "enc4@seg/0.bn1.moving_variance", shape: [512], trainable: false },
  { key: "enc4@seg/0.conv2.kernel", shape: [3, 3, 512, 512], trainable: true },
  { key: "enc4@seg/0.bn2.gamma", shape: [512], trainable: true },
  { key: "enc4@seg/0.bn2.beta", shape: [512], trainable: true },
  { key: "enc4@seg/0.bn2.moving_mean", shape: [512], trainable: false },
  { key: "enc4@seg/0.bn2.moving_variance", shape: [512], trainable: false },
  { key: "enc4@seg/0.shortcut.kernel", shape: [1, 1, 256, 512], trainable: true },
  { key: "enc4@seg/0.shortcut_bn.gamma", shape: [512], trainable: true },
  { key: "enc4@seg/0.shortcut_bn.beta", shape: [512], trainable: true },
  { key: "enc4@seg/0.shortcut_bn.moving_mean", shape: [512], trainable: false },
  { key: "enc4@seg/0.shortcut_bn.moving_variance", shape: [512], trainable: false },
  { key: "enc4@seg/1.conv1.kernel", shape: [3, 3, 512, 512], trainable: true },
  { key: "enc4@seg/1.bn1.gamma", shape: [512], trainable: true },
  { key: "enc4@seg/1.bn1.beta", shape: [512], trainable: true },
  { key: "enc4@seg/1.bn1.moving_mean", shape: [512], trainable: false },
  { key: "enc4@seg/1.bn1.moving_variance", shape: [512], trainable: false },
  { key: "enc4@seg/1.conv2.kernel", shape: [3, 3, 512, 512], trainable: true },
  { key: "enc4@seg/1.bn2.gamma", shape: [512], trainable: true },
  { key: "enc4@seg/1.bn2.beta", shape: [512], trainable: true },
  { key: "enc4@seg/1.bn2.moving_mean", shape: [512], trainable: false },
  { key: "enc4@seg/1.bn2.moving_variance", shape: [512], trainable: false },
  { key: "enc4@depth/0.conv1.kernel", shape: [3, 3, 256, 512], trainable: true },
  { key: "enc4@depth/0.bn1.gamma", shape: [512], trainable: true },
  { key: "enc4@depth/0.bn1.beta", shape: [512], trainable: true },
  { key: "enc4@depth/0.bn1.moving_mean", shape: [512], trainable: false },
  { key: "enc4@depth/0.bn1.moving_variance", shape: [512], trainable: false },
  { key: "enc4@depth/0.conv2.kernel", shape: [3, 3, 512, 512], trainable: true },
  { key: "enc4@depth/0.bn2.gamma", shape: [512], trainable: true },
  { key: "enc4@depth/0.bn2.beta", shape: [512], trainable: true },
  { key: "enc4@depth/0.bn2.moving_mean", shape: [512], trainable: false },
  { key: "enc4@depth/0.bn2.moving_variance", shape: [512], trainable: false },
  { key: "enc4@depth/0.shortcut.kernel", shape: [1, 1, 256, 512], trainable: true },
  { key: "enc4@depth/0.shortcut_bn.gamma", shape: [512], trainable: true },
  { key: "enc4@depth/0.shortcut_bn.beta", shape: [512], trainable: true },
  { key: "enc4@depth/0.shortcut_bn.moving_mean", shape: [512], trainable: false },
  { key: "enc4@depth/0.shortcut_bn.moving_variance", shape: [512], trainable: false },
  { key: "enc4@depth/1.conv1.kernel", shape: [3, 3, 512, 512], trainable: true },
  { key: "enc4@depth/1.bn1.gamma", shape: [512], trainable: true },
  { key: "enc4@depth/1.bn1.beta", shape: [512], trainable: true },
  { key: "enc4@depth/1.bn1.moving_mean", shape: [512], trainable: false },
  { key: "enc4@depth/1.bn1.moving_variance", shape: [512], trainable: false },
  { key: "enc4@depth/1.conv2.kernel", shape: [3, 3, 512, 512], trainable: true },
  { key: "enc4@depth/1.bn2.gamma", shape: [512], trainable: true },
  { key: "enc4@depth/1.bn2.beta", shape: [512], trainable: true },
  { key: "enc4@depth/1.bn2.moving_mean", shape: [512], trainable: false },
  { key: "enc4@depth/1.bn2.moving_variance", shape: [512], trainable: false },
  { key: "enc4@edge/0.conv1.kernel", shape: [3, 3, 256, 512], trainable: true },
  { key: "enc4@edge/0.bn1.gamma", shape: [512], trainable: true },
  { key: "enc4@edge/0.bn1.beta", shape: [512], trainable: true },
  { key: "enc4@edge/0.bn1.moving_mean", shape: [512], trainable: false },
  { key: "enc4@edge/0.bn1.moving_variance", shape: [512], trainable: false },
  { key: "enc4@edge/0.conv2.kernel", shape: [3, 3, 512, 512], trainable: true },
  { key: "enc4@edge/0.bn2.gamma", shape: [512], trainable: true },
  { key: "enc4@edge/0.bn2.beta", shape: [512], trainable: true },
  { key: "enc4@edge/0.bn2.moving_mean", shape: [512], trainable: false },
  { key: "enc4@edge/0.bn2.moving_variance", shape: [512], trainable: false },
  { key: "enc4@edge/0.shortcut.kernel", shape: [1, 1, 256, 512], trainable: true },
  { key: "enc4@edge/0.shortcut_bn.gamma", shape: [512], trainable: true },
  { key: "enc4@edge/0.shortcut_bn.beta", shape: [512], trainable: true },
  { key: "enc4@edge/0.shortcut_bn.moving_mean", shape: [512], trainable: false },
  { key: "enc4@edge/0.shortcut_bn.moving_variance", shape: [512], trainable: false },
  { key: "enc4@edge/1.conv1.kernel", shape: [3, 3, 512, 512], trainable: true },
  { key: "enc4@edge/1.bn1.gamma", shape: [512], trainable: true },
  { key: "enc4@edge/1.bn1.beta", shape: [512], trainable: true },
  { key: "enc4@edge/1.bn1.moving_mean", shape: [512], trainable: false },
  { key: "enc4@edge/1.bn1.moving_variance", shape: [512], trainable: false },
  { key: "enc4@edge/1.conv2.kernel", shape: [3, 3, 512, 512], trainable: true },
  { key: "enc4@edge/1.bn2.gamma", shape: [512], trainable: true },
  { key: "enc4@edge/1.bn2.beta", shape: [512], trainable: true },
  { key: "enc4@edge/1.bn2.moving_mean", shape: [512], trainable: false },
  { key: "enc4@edge/1.bn2.moving_variance", shape: [512], trainable: false },
  { key: "enc4@normal/0.conv1.kernel", shape: [3, 3, 256, 512], trainable: true },
  { key: "enc4@normal/0.bn1.gamma", shape: [512], trainable: true },
  { key: "enc4@normal/0.bn1.beta", shape: [512], trainable: true },
  { key: "enc4@normal/0.bn1.moving_mean", shape: [512], trainable: false },
  { key: "enc4@normal/0.bn1.moving_variance", shape: [512], trainable: false },
  { key: "enc4@normal/0.conv2.kernel", shape: [3, 3, 512, 512], trainable: true },
  { key: "enc4@normal/0.bn2.gamma", shape: [512], trainable: true },
  { key: "enc4@normal/0.bn2.beta", shape: [512], trainable: true },
  { key: "enc4@normal/0.bn2.moving_mean", shape: [512], trainable: false },
  { key: "enc4@normal/0.bn2.moving_variance", shape: [512], trainable: false },
  { key: "enc4@normal/0.shortcut.kernel", shape: [1, 1, 256, 512], trainable: true },
  { key: "enc4@normal/0.shortcut_bn.gamma", shape: [512], trainable: true },
  { key: "enc4@normal/0.shortcut_bn.beta", shape: [512], trainable: true },
  { key: "enc4@normal/0.shortcut_bn.moving_mean", shape: [512], trainable: false },
  { key: "enc4@normal/0.shortcut_bn.moving_variance", shape: [512], trainable: false },
  { key: "enc4@normal/1.conv1.kernel", shape: [3, 3, 512, 512], trainable: true },
  { key: "enc4@normal/1.bn1.gamma", shape: [512], trainable: true },
  { key: "enc4@normal/1.bn1.beta", shape: [512], trainable: true },
  { key: "enc4@normal/1.bn1.moving_mean", shape: [512], trainable: false },
  { key: "enc4@normal/1.bn1.moving_variance", shape: [512], trainable: false },
  { key: "enc4@normal/1.conv2.kernel", shape: [3, 3, 512, 512], trainable: true },
  { key: "enc4@normal/1.bn2.gamma", shape: [512], trainable: true },
  { key: "enc4@normal/1.bn2.beta", shape: [512], trainable: true },
  { key: "enc4@normal/1.bn2.moving_mean", shape: [512], trainable: false },
  { key: "enc4@normal/1.bn2.moving_variance", shape: [512], trainable: false },
  { key: "enc4@ae/0.conv1.kernel", shape: [3, 3, 256, 512], trainable: true },
  { key: "enc4@ae/0.bn1.gamma", shape: [512], trainable: true },
  { key: "enc4@ae/0.bn1.beta", shape: [512], trainable: true },
  { key: "enc4@ae/0.bn1.moving_mean", shape: [512], trainable: false },
  { key: "enc4@ae/0.bn1.moving_variance", shape: [512], trainable: false },
  { key: "enc4@ae/0.conv2.kernel", shape: [3, 3, 512, 512], trainable: true },
  { key: "enc4@ae/0.bn2.gamma", shape: [512], trainable: true },
  { key: "enc4@ae/0.bn2.beta", shape: [512], trainable: true },
  { key: "enc4@ae/0.bn2.moving_mean", shape: [512], trainable: false },
  { key: "enc4@ae/0.bn2.moving_variance", shape: [512], trainable: false },
  { key: "enc4@ae/0.shortcut.kernel", shape: [1, 1, 256, 512], trainable: true },
  { key: "enc4@ae/0.shortcut_bn.gamma", shape: [512], trainable: true },
  { key: "enc4@ae/0.shortcut_bn.beta", shape: [512], trainable: true },
  { key: "enc4@ae/0.shortcut_bn.moving_mean", shape: [512], trainable: false },
  { key: "enc4@ae/0.shortcut_bn.moving_variance", shape: [512], trainable: false },
  { key: "enc4@ae/1.conv1.kernel", shape: [3, 3, 512, 512], trainable: true },
  { key: "enc4@ae/1.bn1.gamma", shape: [512], trainable: true },
  { key: "enc4@ae/1.bn1.beta", shape: [512], trainable: true },
  { key: "enc4@ae/1.bn1.moving_mean", shape: [512], trainable: false },
  { key: "enc4@ae/1.bn1.moving_variance", shape: [512], trainable: false },
  { key: "enc4@ae/1.conv2.kernel", shape: [3, 3, 512, 512], trainable: true },
  { key: "enc4@ae/1.bn2.gamma", shape: [512], trainable: true },
  { key: "enc4@ae/1.bn2.beta", shape: [512], trainable: true },
  { key: "enc4@ae/1.bn2.moving_mean", shape: [512], trainable: false },
  { key: "enc4@ae/1.bn2.moving_variance", shape: [512], trainable: false },
  { key: "enc5@seg/0.conv1.kernel", shape: [1, 1, 512, 512], trainable: true },
  { key: "enc5@seg/0.bn1.gamma", shape: [512], trainable: true },
  { key: "enc5@seg/0.bn1.beta", shape: [512], trainable: true },
  { key: "enc5@seg/0.bn1.moving_mean", shape: [512], trainable: false },
  { key: "enc5@seg/0.bn1.moving_variance", shape: [512], trainable: false },
  { key: "enc5@seg/0.conv2.kernel", shape: [3, 3, 512, 512], trainable: true },
  { key: "enc5@seg/0.bn2.gamma", shape: [512], trainable: true },
  { key: "enc5@seg/0.bn2.beta", shape: [512], trainable: true },
  { key: "enc5@seg/0.bn2.moving_mean", shape: [512], trainable: false },
  { key: "enc5@seg/0.bn2.moving_variance", shape: [512], trainable: false },
  { key: "enc5@seg/0.conv3.kernel", shape: [1, 1, 512, 2048], trainable: true },
  { key: "enc5@seg/0.bn3.gamma", shape: [2048], trainable: true },
  { key: "enc5@seg/0.bn3.beta", shape: [2048], trainable: true },
  { key: "enc5@seg/0.bn3.moving_mean", shape: [2048], trainable: false },
  { key: "enc5@seg/0.bn3.moving_variance", shape: [2048], trainable: false },
  { key: "enc5@seg/0.shortcut.kernel", shape: [1, 1, 512, 2048], trainable: true },
  { key: "enc5@seg/0.shortcut_bn.gamma", shape: [2048], trainable: true },
  { key: "enc5@seg/0.shortcut_bn.beta", shape: [2048], trainable: true },
  { key: "enc5@seg/0.shortcut_bn.moving_mean", shape: [2048], trainable: false },
  { key: "enc5@seg/0.shortcut_bn.moving_variance", shape: [2048], trainable: false },
  { key: "enc5@seg/1.conv1.kernel", shape: [1, 1, 2048, 512], trainable: true },
  { key: "enc5@seg/1.bn1.gamma", shape: [512], trainable: true },
  { key: "enc5@seg/1.bn1.beta", shape: [512], trainable: true },
  { key: "enc5@seg/1.bn1.moving_mean", shape: [512], trainable: false },
  { key: "enc5@seg/1.bn1.moving_variance", shape: [512], trainable: false },
  { key: "enc5@seg/1.conv2.kernel", shape: [3, 3, 512, 512], trainable: true },
  { key: "enc5@seg/1.bn2.gamma", shape: [512], trainable: true },
  { key: "enc5@seg/1.bn2.beta", shape: [512], trainable: true },
  { key: "enc5@seg/1.bn2.moving_mean", shape: [512], trainable: false },
  { key: "enc5@seg/1.bn2.moving_variance", shape: [512], trainable: false },
  { key: "enc5@seg/1.conv3.kernel", shape: [1, 1, 512, 2048], trainable: true },
  { key: "enc5@seg/1.bn3.gamma", shape: [2048], trainable: true },
  { key: "enc5@seg/1.bn3.beta", shape: [2048], trainable: true },
  { key: "enc5@seg/1.bn3.moving_mean", shape: [2048], trainable: false },
  { key: "enc5@seg/1.bn3.moving_variance", shape: [2048], trainable: false },
  { key: "enc5@depth/0.conv1.kernel", shape: [1, 1, 512, 512], trainable: true },
  { key: "enc5@depth/0.bn1.gamma", shape: [512], trainable: true },
  { key: "enc5@depth/0.bn1.beta", shape: [512], trainable: true },
  { key: "enc5@depth/0.bn1.moving_mean", shape: [512], trainable: false },
  { key: "enc5@depth/0.bn1.moving_variance", shape: [512], trainable: false },
  { key: "enc5@depth/0.conv2.kernel", shape: [3, 3, 512, 512], trainable: true },
  { key: "enc5@depth/0.bn2.gamma", shape: [512], trainable: true },
  { key: "enc5@depth/0.bn2.beta", shape: [512], trainable: true },
  { key: "enc5@depth/0.bn2.moving_mean", shape: [512], trainable: false },
  { key: "enc5@depth/0.bn2.moving_variance", shape: [512], trainable: false },
  { key: "enc5@depth/0.conv3.kernel", shape: [1, 1, 512, 2048], trainable: true },
  { key: "enc5@depth/0.bn3.gamma", shape: [2048], trainable: true },
  { key: "enc5@depth/0.bn3.beta", shape: [2048], trainable: true },
  { key: "enc5@depth/0.bn3.moving_mean", shape: [2048], trainable: false },
  { key: "enc5@depth/0.bn3.moving_variance", shape: [2048], trainable: false },
  { key: "enc5@depth/0.shortcut.kernel", shape: [1, 1, 512, 2048], trainable: true },
  { key: "enc5@depth/0.shortcut_bn.gamma", shape: [2048], trainable: true },
  { key: "enc5@depth/0.shortcut_bn.beta", shape: [2048], trainable: true },
  { key: "enc5@depth/0.shortcut_bn.moving_mean", shape: [2048], trainable: false },
  { key: "enc5@depth/0.shortcut_bn.moving_variance", shape: [2048], trainable: false },
  { key: "enc5@depth/1.conv1.kernel", shape: [1, 1, 2048, 512], trainable: true },
  { key: "enc5@depth/1.bn1.gamma", shape: [512], trainable: true },
  { key: "enc5@depth/1.bn1.beta", shape: [512], trainable: true },
  { key: "enc5@depth/1.bn1.moving_mean", shape: [512], trainable: false },
  { key: "enc5@depth/1.bn1.moving_variance", shape: [512], trainable: false },
  { key: "enc5@depth/1.conv2.kernel", shape: [3, 3, 512, 512], trainable: true },
  { key: "enc5@depth/1.bn2.gamma", shape: [512], trainable: true },
  { key: "enc5@depth/1.bn2.beta", shape: [512], trainable: true },
  { key: "enc5@depth/1.bn2.moving_mean", shape: [512], trainable: false },
  { key: "enc5@depth/1.bn2.moving_variance", shape: [512], trainable: false },
  { key: "enc5@depth/1.conv3.kernel", shape: [1, 1, 512, 2048], trainable: true },
  { key: "enc5@depth/1.bn3.gamma", shape: [2048], trainable: true },
  { key: "enc5@depth/1.bn3.beta", shape: [2048], trainable: true },
  { key: "enc5@depth/1.bn3.moving_mean", shape: [2048], trainable: false },
  { key: "enc5@depth/1.bn3.moving_variance", shape: [2048], trainable: false },
  { key: "enc5@edge/0.conv1.kernel", shape: [1, 1, 512, 512], trainable: true },
  { key: "enc5@edge/0.bn1.gamma", shape: [512], trainable: true },
  { key: "enc5@edge/0.bn1.beta", shape: [512], trainable: true },
  { key: "enc5@edge/0.bn1.moving_mean", shape: [512], trainable: false },
  { key: "enc5@edge/0.bn1.moving_variance", shape: [512], trainable: false },
  { key: "enc5@edge/0.conv2.kernel", shape: [3, 3, 512, 512], trainable: true },
  { key: "enc5@edge/0.bn2.gamma", shape: [512], trainable: true },
  { key: "enc5@edge/0.bn2.beta", shape: [512], trainable: true },
  { key: "enc5@edge/0.bn2.moving_mean", shape: [512], trainable: false },
  { key: "enc5@edge/0.bn2.moving_variance", shape: [512], trainable: false },
  { key: "enc5@edge/0.conv3.kernel", shape: [1, 1, 512, 2048], trainable: true },
  { key: "enc5@edge/0.bn3.gamma", shape: [2048], trainable: true },
  { key: "enc5@edge/0.bn3.beta", shape: [2048], trainable: true },
  { key: "enc5@edge/0.bn3.moving_mean", shape: [2048], trainable: false },
  { key: "enc5@edge/0.bn3.moving_variance", shape: [2048], trainable: false },
  { key: "enc5@edge/0.shortcut.kernel", shape: [1, 1, 512, 2048], trainable: true },
  { key: "enc5@edge/0.shortcut_bn.gamma", shape: [2048], trainable: true },
  { key: "enc5@edge/0.shortcut_bn.beta", shape: [2048], trainable: true },
  { key: "enc5@edge/0.shortcut_bn.moving_mean", shape: [2048], trainable: false },
  { key: "enc5@edge/0.shortcut_bn.moving_variance", shape: [2048], trainable: false },
  { key: "enc5@edge/1.conv1.kernel", shape: [1, 1, 2048, 512], trainable: true },
  { key: "enc5@edge/1.bn1.gamma", shape: [512], trainable: true },
  { key: "enc5@edge/1.bn1.beta", shape: [512], trainable: true },
  { key: "enc5@edge/1.bn1.moving_mean", shape: [512], trainable: false },
  { key: "enc5@edge/1.bn1.moving_variance", shape: [512], trainable: false },
  { key: "enc5@edge/1.conv2.kernel", shape: [3, 3, 512, 512], trainable: true },
  { key: "enc5@edge/1.bn2.gamma", shape: [512], trainable: true },
  { key: "enc5@edge/1.bn2.beta", shape: [512], trainable: true },
  { key: "enc5@edge/1.bn2.moving_mean", shape: [512], trainable: false },
  { key: "enc5@edge/1.bn2.moving_variance", shape: [512], trainable: false },
  { key: "enc5@edge/1.conv3.kernel", shape: [1, 1, 512, 2048], trainable: true },
  { key: "enc5@edge/1.bn3.gamma", shape: [2048], trainable: true },
  { key: "enc5@edge/1.bn3.beta", shape: [2048], trainable: true },
  { key: "enc5@edge/1.bn3.moving_mean", shape: [2048], trainable: false },
  { key: "enc5@edge/1.bn3.moving_variance", shape: [2048], trainable: false },
  { key: "enc5@normal/0.conv1.kernel", shape: [1, 1, 512, 512], trainable: true },
  { key: "enc5@normal/0.bn1.gamma", shape: [512], trainable: true },
  { key: "enc5@normal/0.bn1.beta", shape: [512], trainable: true },
  { key: "enc5@normal/0.bn1.moving_mean", shape: [512], trainable: false },
  { key: "enc5@normal/0.bn1.moving_variance", shape: [512], trainable: false },
  { key: "enc5@normal/0.conv2.kernel", shape: [3, 3, 512, 512], trainable: true },
  { key: "enc5@normal/0.bn2.gamma", shape: [512], trainable: true },
  { key: "enc5@normal/0.bn2.beta", shape: [512], trainable: true },
  { key: "enc5@normal/0.bn2.moving_mean", shape: [512], trainable: false },
  { key: "enc5@normal/0.bn2.moving_variance", shape: [512], trainable: false },
  { key: "enc5@normal/0.conv3.kernel", shape: [1, 1, 512, 2048], trainable: true },
  { key: "enc5@normal/0.bn3.gamma", shape: [2048], trainable: true },
  { key: "enc5@normal/0.bn3.beta", shape: [2048], trainable: true },
  { key: "enc5@normal/0.bn3.moving_mean", shape: [2048], trainable: false },
  { key: "enc5@normal/0.bn3.moving_variance", shape: [2048], trainable: false },
  { key: "enc5@normal/0.shortcut.kernel", shape: [1, 1, 512, 2048], trainable: true },
  { key: "enc5@normal/0.shortcut_bn.gamma", shape: [2048], trainable: true },
  { key: "enc5@normal/0.shortcut_bn.beta", shape: [2048], trainable: true },
  { key: "enc5@normal/0.shortcut_bn.moving_mean", shape: [2048], trainable: false },
  { key: "enc5@normal/0.shortcut_bn.moving_variance", shape: [2048], trainable: false },
  { key: "enc5@normal/1.conv1.kernel", shape: [1, 1, 2048, 512], trainable: true },
  { key: "enc5@normal/1.bn1.gamma", shape: [512], trainable: true },
  { key: "enc5@normal/1.bn1.beta", shape: [512], trainable: true },
  { key: "enc5@normal/1.bn1.moving_mean", shape: [512], trainable: false },
  { key: "enc5@normal/1.bn1.moving_variance", shape: [512], trainable: false },
  { key: "enc5@normal/1.conv2.kernel", shape: [3, 3, 512, 512], trainable: true },
  { key: "enc5@normal/1.bn2.gamma", shape: [512], trainable: true },
  { key: "enc5@normal/1.bn2.beta", shape: [512], trainable: true },
  { key: "enc5@normal/1.bn2.moving_mean", shape: [512], trainable: false },
  { key: "enc5@normal/1.bn2.moving_variance", shape: [512], trainable: false },
  { key: "enc5@normal/1.conv3.kernel", shape: [1, 1, 512, 2048], trainable: true },
  { key: "enc5@normal/1.bn3.gamma", shape: [2048], trainable: true },
  { key: "enc5@normal/1.bn3.beta", shape: [2048], trainable: true },
  { key: "enc5@normal/1.bn3.moving_mean", shape: [2048], trainable: false },
  { key: "enc5@normal/1.bn3.moving_variance", shape: [2048], trainable: false },
  { key: "enc5@ae/0.conv1.kernel", shape: [1, 1, 512, 512], trainable: true },
  { key: "enc5@ae/0.bn1.gamma", shape: [512], trainable: true },
  { key: "enc5@ae/0.bn1.beta", shape: [512], trainable: true },
  { key: "enc5@ae/0.bn1.moving_mean", shape: [512], trainable: false },
  { key: "enc5@ae/0.bn1.moving_variance", shape: [512], trainable: false },
  { key: "enc5@ae/0.conv2.kernel", shape: [3, 3, 512, 512], trainable: true },
  { key: "enc5@ae/0.bn2.gamma", shape: [512], trainable: true },
  { key: "enc5@ae/0.bn2.beta", shape: [512], trainable: true },
  { key: "enc5@ae/0.bn2.moving_mean", shape: [512], trainable: false },
  { key: "enc5@ae/0.bn2.moving_variance", shape: [512], trainable: false },
  { key: "enc5@ae/0.conv3.kernel", shape: [1, 1, 512, 2048], trainable: true },
  { key: "enc5@ae/0.bn3.gamma", shape: [2048], trainable: true },
  { key: "enc5@ae/0.bn3.beta", shape: [2048], trainable: true },
  { key: "enc5@ae/0.bn3.moving_mean", shape: [2048], trainable: false },
  { key: "enc5@ae/0.bn3.moving_variance", shape: [2048], trainable: false },
  { key: "enc5@ae/0.shortcut.kernel", shape: [1, 1, 512, 2048], trainable: true },
  { key: "enc5@ae/0.shortcut_bn.gamma", shape: [2048], trainable: true },
  { key: "enc5@ae/0.shortcut_bn.beta", shape: [2048], trainable: true },
  { key: "enc5@ae/0.shortcut_bn.moving_mean", shape: [2048], trainable: false },
  { key: "enc5@ae/0.shortcut_bn.moving_variance", shape: [2048], trainable: false },
  { key: "enc5@ae/1.conv1.kernel", shape: [1, 1, 2048, 512], trainable: true },
  { key: "enc5@ae/1.bn1.gamma", shape: [512], trainable: true },
  { key: "enc5@ae/1.bn1.beta", shape: [512], trainable: true },
  { key: "enc5@ae/1.bn1.moving_mean", shape: [512], trainable: false },
  { key: "enc5@ae/1.bn1.moving_variance", shape: [512], trainable: false },
  { key: "enc5@ae/1.conv2.kernel", shape: [3, 3, 512, 512], trainable: true },
  { key: "enc5@ae/1.bn2.gamma", shape: [512], trainable: true },
  { key: "enc5@ae/1.bn2.beta", shape: [512], trainable: true },
  { key: "enc5@ae/1.bn2.moving_mean", shape: [512], trainable: false },
  { key: "enc5@ae/1.bn2.moving_variance", shape: [512], trainable: false },
  { key: "enc5@ae/1.conv3.kernel", shape: [1, 1, 512, 2048], trainable: true },
  { key: "enc5@ae/1.bn3.gamma", shape: [2048], trainable: true },
  { key: "enc5@ae/1.bn3.beta", shape: [2048], trainable: true },
  { key: "enc5@ae/1.bn3.moving_mean", shape: [2048], trainable: false },
  { key: "enc5@ae/1.bn3.moving_variance", shape: [2048], trainable: false },
  { key: "dec1@seg/0.conv1.kernel", shape: [1, 1, 2560, 64], trainable: true },
  { key: "dec1@seg/0.bn1.gamma", shape: [64], trainable: true },
  { key: "dec1@seg/0.bn1.beta", shape: [64], trainable: true },
  { key: "dec1@seg/0.bn1.moving_mean", shape: [64], trainable: false },
  { key: "dec1@seg/0.bn1.moving_variance", shape: [64], trainable: false },
  { key: "dec1@seg/0.conv2.kernel", shape: [3, 3, 64, 64], trainable: true },
  { key: "dec1@seg/0.bn2.gamma", shape: [64], trainable: true },
  { key: "dec1@seg/0.bn2.beta", shape: [64], trainable: true },
  { key: "dec1@seg/0.bn2.moving_mean", shape: [64], trainable: false },
  { key: "dec1@seg/0.bn2.moving_variance", shape: [64], trainable: false },
  { key: "dec1@seg/0.conv3.kernel", shape: [1, 1, 64, 256], trainable: true },
  { key: "dec1@seg/0.bn3.gamma", shape: [256], trainable: true },
  { key: "dec1@seg/0.bn3.beta", shape: [256], trainable: true },
  { key: "dec1@seg/0.bn3.moving_mean", shape: [256], trainable: false },
  { key: "dec1@seg/0.bn3.moving_variance", shape: [256], trainable: false },
  { key: "dec1@seg/0.projection.kernel", shape: [1, 1, 2048, 256], trainable: true },
  { key: "dec1@depth/0.conv1.kernel", shape: [1, 1, 2560, 64], trainable: true },
  { key: "dec1@depth/0.bn1.gamma", shape: [64], trainable: true },
  { key: "dec1@depth/0.bn1.beta", shape: [64], trainable: true },
  { key: "dec1@depth/0.bn1.moving_mean", shape: [64], trainable: false },
  { key: "dec1@depth/0.bn1.moving_variance", shape: [64], trainable: false },
  { key: "dec1@depth/0.conv2.kernel", shape: [3, 3, 64, 64], trainable: true },
  { key: "dec1@depth/0.bn2.gamma", shape: [64], trainable: true },
  { key: "dec1@depth/0.bn2.beta", shape: [64], trainable: true },
  { key: "dec1@depth/0.bn2.moving_mean", shape: [64], trainable: false },
  { key: "dec1@depth/0.bn2.moving_variance", shape: [64], trainable: false },
  { key: "dec1@depth/0.conv3.kernel", shape: [1, 1, 64, 256], trainable: true },
  { key: "dec1@depth/0.bn3.gamma", shape: [256], trainable: true },
  { key: "dec1@depth/0.bn3.beta", shape: [256], trainable: true },
  { key: "dec1@depth/0.bn3.moving_mean", shape: [256], trainable: false },
  { key: "dec1@depth/0.bn3.moving_variance", shape: [256], trainable: false },
  { key: "dec1@depth/0.projection.kernel", shape: [1, 1, 2048, 256], trainable: true },
  { key: "dec1@edge/0.conv1.kernel", shape: [1, 1, 2560, 64], trainable: true },
  { key: "dec1@edge/0.bn1.gamma", shape: [64], trainable: true },
  { key: "dec1@edge/0.bn1.beta", shape: [64], trainable: true },
  { key: "dec1@edge/0.bn1.moving_mean", shape: [64], trainable: false },
  { key: "dec1@edge/0.bn1.moving_variance", shape: [64], trainable: false },
  { key: "dec1@edge/0.conv2.kernel", shape: [3, 3, 64, 64], trainable: true },
  { key: "dec1@edge/0.bn2.gamma", shape: [64], trainable: true },
  { key: "dec1@edge/0.bn2.beta", shape: [64], trainable: true },
  { key: "dec1@edge/0.bn2.moving_mean", shape: [64], trainable: false },
  { key: "dec1@edge/0.bn2.moving_variance", shape: [64], trainable: false },
  { key: "dec1@edge/0.conv3.kernel", shape: [1, 1, 64, 256], trainable: true },
  { key: "dec1@edge/0.bn3.gamma", shape: [256], trainable: true },
  { key: "dec1@edge/0.bn3.beta", shape: [256], trainable: true },
  { key: "dec1@edge/0.bn3.moving_mean", shape: [256], trainable: false },
  { key: "dec1@edge/0.bn3.moving_variance", shape: [256], trainable: false },
  { key: "dec1@edge/0.projection.kernel", shape: [1, 1, 2048, 256], trainable: true },
  { key: "dec1@normal/0.conv1.kernel", shape: [1, 1, 2560, 64], trainable: true },
  { key: "dec1@normal/0.bn1.gamma", shape: [64], trainable: true },
  { key: "dec1@normal/0.bn1.beta", shape: [64], trainable: true },
  { key: "dec1@normal/0.bn1.moving_mean", shape: [64], trainable: false },
  { key: "dec1@normal/0.bn1.moving_variance", shape: [64], trainable: false },
  { key: "dec1@normal/0.conv2.kernel", shape: [3, 3, 64, 64], trainable: true },
  { key: "dec1@normal/0.bn2.gamma", shape: [64], trainable: true },
  { key: "dec1@normal/0.bn2.beta", shape: [64], trainable: true },
  { key: "dec1@normal/0.bn2.moving_mean", shape: [64], trainable: false },
  { key: "dec1@normal/0.bn2.moving_variance", shape: [64], trainable: false },
  { key: "dec1@normal/0.conv3.kernel", shape: [1, 1, 64, 256], trainable: true },
  { key: "dec1@normal/0.bn3.gamma", shape: [256], trainable: true },
  { key: "dec1@normal/0.bn3.beta", shape: [256], trainable: true },
  { key: "dec1@normal/0.bn3.moving_mean", shape: [256], trainable: false },
  { key: "dec1@normal/0.bn3.moving_variance", shape: [256], trainable: false },
  { key: "dec1@normal/0.projection.kernel", shape: [1, 1, 2048, 256], trainable: true },
  { key: "dec1@ae/0.conv1.kernel", shape: [1, 1, 2560, 64], trainable: true },
  { key: "dec1@ae/0.bn1.gamma", shape: [64], trainable: true },
  { key: "dec1@ae/0.bn1.beta", shape: [64], trainable: true },
  { key: "dec1@ae/0.bn1.moving_mean", shape: [64], trainable: false },
  { key: "dec1@ae/0.bn1.moving_variance", shape: [64], trainable: false },
  { key: "dec1@ae/0.conv2.kernel", shape: [3, 3, 64, 64], trainable: true },
  { key: "dec1@ae/0.bn2.gamma", shape: [64], trainable: true },
  { key: "dec1@ae/0.bn2.beta", shape: [64], trainable: true },
  { key: "dec1@ae/0.bn2.moving_mean", shape: [64], trainable: false },
  { key: "dec1@ae/0.bn2.moving_variance", shape: [64], trainable: false },
  { key: "dec1@ae/0.conv3.kernel", shape: [1, 1, 64, 256], trainable: true },
  { key: "dec1@ae/0.bn3.gamma", shape: [256], trainable: true },
  { key: "dec1@ae/0.bn3.beta", shape: [256], trainable: true },
  { key: "dec1@ae/0.bn3.moving_mean", shape: [256], trainable: false },
  { key: "dec1@ae/0.bn3.moving_variance", shape: [256], trainable: false },
  { key: "dec1@ae/0.projection.kernel", shape: [1, 1, 2048, 256], trainable: true },
  { key: "dec2@seg/0.conv1.kernel", shape: [1, 1, 512, 64], trainable: true },
  { key: "dec2@seg/0.bn1.gamma", shape: [64], trainable: true },
  { key: "dec2@seg/0.bn1.beta", shape: [64], trainable: true },
  { key: "dec2@seg/0.bn1.moving_mean", shape: [64], trainable: false },
  { key: "dec2@seg/0.bn1.moving_variance", shape: [64], trainable: false },
  { key: "dec2@seg/0.conv2.kernel", shape: [3, 3, 64, 64], trainable: true },
  { key: "dec2@seg/0.bn2.gamma", shape: [64], trainable: true },
  { key: "dec2@seg/0.bn2.beta", shape: [64], trainable: true },
  { key: "dec2@seg/0.bn2.moving_mean", shape: [64], trainable: false },
  { key: "dec2@seg/0.bn2.moving_variance", shape: [64], trainable: false },
  { key: "dec2@seg/0.conv3.kernel", shape: [1, 1, 64, 256], trainable: true },
  { key: "dec2@seg/0.bn3.gamma", shape: [256], trainable: true },
  { key: "dec2@seg/0.bn3.beta", shape: [256], trainable: true },
  { key: "dec2@seg/0.bn3.moving_mean", shape: [256], trainable: false },
  { key: "dec2@seg/0.bn3.moving_variance", shape: [256], trainable: false },
  { key: "dec2@depth/0.conv1.kernel", shape: [1, 1, 512, 64], trainable: true },
  { key: "dec2@depth/0.bn1.gamma", shape: [64], trainable: true },
  { key: "dec2@depth/0.bn1.beta", shape: [64], trainable: true },
  { key: "dec2@depth/0.bn1.moving_mean", shape: [64], trainable: false },
  { key: "dec2@depth/0.bn1.moving_variance", shape: [64], trainable: false },
  { key: "dec2@depth/0.conv2.kernel", shape: [3, 3, 64, 64], trainable: true },
  { key: "dec2@depth/0.bn2.gamma", shape: [64], trainable: true },
  { key: "dec2@depth/0.bn2.beta", shape: [64], trainable: true },
  { key: "dec2@depth/0.bn2.moving_mean", shape: [64], trainable: false },
  { key: "dec2@depth/0.bn2.moving_variance", shape: [64], trainable: false },
  { key: "dec2@depth/0.conv3.kernel", shape: [1, 1, 64, 256], trainable: true },
  { key: "dec2@depth/0.bn3.gamma", shape: [256], trainable: true },
  { key: "dec2@depth/0.bn3.beta", shape: [256], trainable: true },
  { key: "dec2@depth/0.bn3.moving_mean", shape: [256], trainable: false },
  { key: "dec2@depth/0.bn3.moving_variance", shape: [256], trainable: false },
  { key: "dec2@edge/0.conv1.kernel", shape: [1, 1, 512, 64], trainable: true },
  { key: "dec2@edge/0.bn1.gamma", shape: [64], trainable: true },
  { key: "dec2@edge/0.bn1.beta", shape: [64], trainable: true },
  { key: "dec2@edge/0.bn1.moving_mean", shape: [64], trainable: false },
  { key: "dec2@edge/0.bn1.moving_variance", shape: [64], trainable: false },
  { key: "dec2@edge/0.conv2.kernel", shape: [3, 3, 64, 64], trainable: true },
  { key: "dec2@edge/0.bn2.gamma", shape: [64], trainable: true },
  { key: "dec2@edge/0.bn2.beta", shape: [64], trainable: true },
  { key: "dec2@edge/0.bn2.moving_mean", shape: [64], trainable: false },
  { key: "dec2@edge/0.bn2.moving_variance", shape: [64], trainable: false },
  { key: "dec2@edge/0.conv3.kernel", shape: [1, 1, 64, 256], trainable: true },
  { key: "dec2@edge/0.bn3.gamma", shape: [256], trainable: true },
  { key: "dec2@edge/0.bn3.beta", shape: [256], trainable: true },
  { key: "dec2@edge/0.bn3.moving_mean", shape: [256], trainable: false },
  { key: "dec2@edge/0.bn3.moving_variance", shape: [256], trainable: false },
  { key: "dec2@normal/0.conv1.kernel", shape: [1, 1, 512, 64], trainable: true },
  { key: "dec2@normal/0.bn1.gamma", shape: [64], trainable: true },
  { key: "dec2@normal/0.bn1.beta", shape: [64], trainable: true },
  { key: "dec2@normal/0.bn1.moving_mean", shape: [64], trainable: false },
  { key: "dec2@normal/0.bn1.moving_variance", shape: [64], trainable: false },
  { key: "dec2@normal/0.conv2.kernel", shape: [3, 3, 64, 64], trainable: true },
  { key: "dec2@normal/0.bn2.gamma", shape: [64], trainable: true },
  { key: "dec2@normal/0.bn2.beta", shape: [64], trainable: true },
  { key: "dec2@normal/0.bn2.moving_mean", shape: [64], trainable: false },
  { key: "dec2@normal/0.bn2.moving_variance", shape: [64], trainable: false },
  { key: "dec2@normal/0.conv3.kernel", shape: [1, 1, 64, 256], trainable: true },
  { key: "dec2@normal/0.bn3.gamma", shape: [256], trainable: true },
  { key: "dec2@normal/0.bn3.beta", shape: [256], trainable: true },
  { key: "dec2@normal/0.bn3.moving_mean", shape: [256], trainable: false },
  { key: "dec2@normal/0.bn3.moving_variance", shape: [256], trainable: false },
  { key: "dec2@ae/0.conv1.kernel", shape: [1, 1, 512, 64], trainable: true },
  { key: "dec2@ae/0.bn1.gamma", shape: [64], trainable: true },
  { key: "dec2@ae/0.bn1.beta", shape: [64], trainable: true },
  { key: "dec2@ae/0.bn1.moving_mean", shape: [64], trainable: false },
  { key: "dec2@ae/0.bn1.moving_variance", shape: [64], trainable: false },
  { key: "dec2@ae/0.conv2.kernel", shape: [3, 3, 64, 64], trainable: true },
  { key: "dec2@ae/0.bn2.gamma", shape: [64], trainable: true },
  { key: "dec2@ae/0.bn2.beta", shape: [64], trainable: true },
  { key: "dec2@ae/0.bn2.moving_mean", shape: [64], trainable: false },
  { key: "dec2@ae/0.bn2.moving_variance", shape: [64], trainable: false },
  { key: "dec2@ae/0.conv3.kernel", shape: [1, 1, 64, 256], trainable: true },
  { key: "dec2@ae/0.bn3.gamma", shape: [256], trainable: true },
  { key: "dec2@ae/0.bn3.beta", shape: [256], trainable: true },
  { key: "dec2@ae/0.bn3.moving_mean", shape: [256], trainable: false },
  { key: "dec2@ae/0.bn3.moving_variance", shape: [256], trainable: false },
  { key: "dec3@seg/0.conv1.kernel", shape: [1, 1, 384, 64], trainable: true },
  { key: "dec3@seg/0.bn1.gamma", shape: [64], trainable: true },
  { key: "dec3@seg/0.bn1.beta", shape: [64], trainable: true },
  { key: "dec3@seg/0.bn1.moving_mean", shape: [64], trainable: false },
  { key: "dec3@seg/0.bn1.moving_variance", shape: [64], trainable: false },
  { key: "dec3@seg/0.conv2.kernel", shape: [3, 3, 64, 64], trainable: true },
  { key: "dec3@seg/0.bn2.gamma", shape: [64], trainable: true },
  { key: "dec3@seg/0.bn2.beta", shape: [64], trainable: true },
  { key: "dec3@seg/0.bn2.moving_mean", shape: [64], trainable: false },
  { key: "dec3@seg/0.bn2.moving_variance", shape: [64], trainable: false },
  { key: "dec3@seg/0.conv3.kernel", shape: [1, 1, 64, 256], trainable: true },
  { key: "dec3@seg/0.bn3.gamma", shape: [256], trainable: true },
  { key: "dec3@seg/0.bn3.beta", shape: [256], trainable: true },
  { key: "dec3@seg/0.bn3.moving_mean", shape: [256], trainable: false },
  { key: "dec3@seg/0.bn3.moving_variance", shape: [256], trainable: false },
  { key: "dec3@depth/0.conv1.kernel", shape: [1, 1, 384, 64], trainable: true },
  { key: "dec3@depth/0.bn1.gamma", shape: [64], trainable: true },
  { key: "dec3@depth/0.bn1.beta", shape: [64], trainable: true },
  { key: "dec3@depth/0.bn1.moving_mean", shape: [64], trainable: false },
  { key: "dec3@depth/0.bn1.moving_variance", shape: [64], trainable: false },
  { key: "dec3@depth/0.conv2.kernel", shape: [3, 3, 64, 64], trainable: true },
  { key: "dec3@depth/0.bn2.gamma", shape: [64], trainable: true },
  { key: "dec3@depth/0.bn2.beta", shape: [64], trainable: true },
  { key: "dec3@depth/0.bn2.moving_mean", shape: [64], trainable: false },
  { key: "dec3@depth/0.bn2.moving_variance", shape: [64], trainable: false },
  { key: "dec3@depth/0.conv3.kernel", shape: [1, 1, 64, 256], trainable: true },
  { key: "dec3@depth/0.bn3.gamma", shape: [256], trainable: true },
  { key: "dec3@depth/0.bn3.beta", shape: [256], trainable: true },
  { key: "dec3@depth/0.bn3.moving_mean", shape: [256], trainable: false },
  { key: "dec3@depth/0.bn3.moving_variance", shape: [256], trainable: false },
  { key: "dec3@edge/0.conv1.kernel", shape: [1, 1, 384, 64], trainable: true },
  { key: "dec3@edge/0.bn1.gamma", shape: [64], trainable: true },
  { key: "dec3@edge/0.bn1.beta", shape: [64], trainable: true },
  { key: "dec3@edge/0.bn1.moving_mean", shape: [64], trainable: false },
  { key: "dec3@edge/0.bn1.moving_variance", shape: [64], trainable: false },
  { key: "dec3@edge/0.conv2.kernel", shape: [3, 3, 64, 64], trainable: true },
  { key: "dec3@edge/0.bn2.gamma", shape: [64], trainable: true },
  { key: "dec3@edge/0.bn2.beta", shape: [64], trainable: true },
  { key: "dec3@edge/0.bn2.moving_mean", shape: [64], trainable: false },
  { key: "dec3@edge/0.bn2.moving_variance", shape: [64], trainable: false },
  { key: "dec3@edge/0.conv3.kernel", shape: [1, 1, 64, 256], trainable: true },
  { key: "dec3@edge/0.bn3.gamma", shape: [256], trainable: true },
  { key: "dec3@edge/0.bn3.beta", shape: [256], trainable: true },
  { key: "dec3@edge/0.bn3.moving_mean", shape: [256], trainable: false },
  { key: "dec3@edge/0.bn3.moving_variance", shape: [256], trainable: false },
  { key: "dec3@normal/0.conv1.kernel", shape: [1, 1, 384, 64], trainable: true },
  { key: "dec3@normal/0.bn1.gamma", shape: [64], trainable: true },
  { key: "dec3@normal/0.bn1.beta", shape: [64], trainable: true },
  { key: "dec3@normal/0.bn1.moving_mean", shape: [64], trainable: false },
  { key: "dec3@normal/0.bn1.moving_variance", shape: [64], trainable: false },
  { key: "dec3@normal/0.conv2.kernel", shape: [3, 3, 64, 64], trainable: true },
  { key: "dec3@normal/0.bn2.gamma", shape: [64], trainable: true },
  { key: "dec3@normal/0.bn2.beta", shape: [64], trainable: true },
  { key: "dec3@normal/0.bn2.moving_mean", shape: [64], trainable: false },
  { key: "dec3@normal/0.bn2.moving_variance", shape: [64], trainable: false },
  { key: "dec3@normal/0.conv3.kernel", shape: [1, 1, 64, 256], trainable: true },
  { key: "dec3@normal/0.bn3.gamma", shape: [256], trainable: true },
  { key: "dec3@normal/0.bn3.beta", shape: [256], trainable: true },
  { key: "dec3@normal/0.bn3.moving_mean", shape: [256], trainable: false },
  { key: "dec3@normal/0.bn3.moving_variance", shape: [256], trainable: false },
  { key: "dec3@ae/0.conv1.kernel", shape: [1, 1, 384, 64], trainable: true },
  { key: "dec3@ae/0.bn1.gamma", shape: [64], trainable: true },
  { key: "dec3@ae/0.bn1.beta", shape: [64], trainable: true },
  { key: "dec3@ae/0.bn1.moving_mean", shape: [64], trainable: false },
  { key: "dec3@ae/0.bn1.moving_variance", shape: [64], trainable: false },
  { key: "dec3@ae/0.conv2.kernel", shape: [3, 3, 64, 64], trainable: true },
  { key: "dec3@ae/0.bn2.gamma", shape: [64], trainable: true },
  { key: "dec3@ae/0.bn2.beta", shape: [64], trainable: true },
  { key: "dec3@ae/0.bn2.moving_mean", shape: [64], trainable: false },
  { key: "dec3@ae/0.bn2.moving_variance", shape: [64], trainable: false },
  { key: "dec3@ae/0.conv3.kernel", shape: [1, 1, 64, 256], trainable: true },
  { key: "dec3@ae/0.bn3.gamma", shape: [256], trainable: true },
  { key: "dec3@ae/0.bn3.beta", shape: [256], trainable: true },
  { key: "dec3@ae/0.bn3.moving_mean", shape: [256], trainable: false },
  { key: "dec3@ae/0.bn3.moving_variance", shape: [256], trainable: false },
  { key: "dec4@seg/0.conv1.kernel", shape: [1, 1, 320, 64], trainable: true },
  { key: "dec4@seg/0.bn1.gamma", shape: [64], trainable: true },
  { key: "dec4@seg/0.bn1.beta", shape: [64], trainable: true },
  { key: "dec4@seg/0.bn1.moving_mean", shape: [64], trainable: false },
  { key: "dec4@seg/0.bn1.moving_variance", shape: [64], trainable: false },
  { key: "dec4@seg/0.conv2.kernel", shape: [3, 3, 64, 64], trainable: true },
  { key: "dec4@seg/0.bn2.gamma", shape: [64], trainable: true },
  { key: "dec4@seg/0.bn2.beta", shape: [64], trainable: true },
  { key: "dec4@seg/0.bn2.moving_mean", shape: [64], trainable: false },
  { key: "dec4@seg/0.bn2.moving_variance", shape: [64], trainable: false },
  { key: "dec4@seg/0.conv3.kernel", shape: [1, 1, 64, 256], trainable: true },
  { key: "dec4@seg/0.bn3.gamma", shape: [256], trainable: true },
  { key: "dec4@seg/0.bn3.beta", shape: [256], trainable: true },
  { key: "dec4@seg/0.bn3.moving_mean", shape: [256], trainable: false },
  { key: "dec4@seg/0.bn3.moving_variance", shape: [256], trainable: false },
  { key: "dec4@depth/0.conv1.kernel", shape: [1, 1, 320, 64], trainable: true },
  { key: "dec4@depth/0.bn1.gamma", shape: [64], trainable: true },
  { key: "dec4@depth/0.bn1.beta", shape: [64], trainable: true },
  { key: "dec4@depth/0.bn1.moving_mean", shape: [64], trainable: false },
  { key: "dec4@depth/0.bn1.moving_variance", shape: [64], trainable: false },
  { key: "dec4@depth/0.conv2.kernel", shape: [3, 3, 64, 64], trainable: true },
  { key: "dec4@depth/0.bn2.gamma", shape: [64], trainable: true },
  { key: "dec4@depth/0.bn2.beta", shape: [64], trainable: true },
  { key: "dec4@depth/0.bn2.moving_mean", shape: [64], trainable: false },
  { key: "dec4@depth/0.bn2.moving_variance", shape: [64], trainable: false },
  { key: "dec4@depth/0.conv3.kernel", shape: [1, 1, 64, 256], trainable: true },
  { key: "dec4@depth/0.bn3.gamma", shape: [256], trainable: true },
  { key: "dec4@depth/0.bn3.beta", shape: [256], trainable: true },
  { key: "dec4@depth/0.bn3.moving_mean", shape: [256], trainable: false },
  { key: "dec4@depth/0.bn3.moving_variance", shape: [256], trainable: false },
  { key: "dec4@edge/0.conv1.kernel", shape: [1, 1, 320, 64], trainable: true },
  { key: "dec4@edge/0.bn1.gamma", shape: [64], trainable: true },
  { key: "dec4@edge/0.bn1.beta", shape: [64], trainable: true },
  { key: "dec4@edge/0.bn1.moving_mean", shape: [64], trainable: false },
  { key: "dec4@edge/0.bn1.moving_variance", shape: [64], trainable: false },
  { key: "dec4@edge/0.conv2.kernel", shape: [3, 3, 64, 64], trainable: true },
  { key: "dec4@edge/0.bn2.gamma", shape: [64], trainable: true },
  { key: "dec4@edge/0.bn2.beta", shape: [64], trainable: true },
  { key: "dec4@edge/0.bn2.moving_mean", shape: [64], trainable: false },
  { key: "dec4@edge/0.bn2.moving_variance", shape: [64], trainable: false },
  { key: "dec4@edge/0.conv3.kernel", shape: [1, 1, 64, 256], trainable: true },
  { key: "dec4@edge/0.bn3.gamma", shape: [256], trainable: true },
  { key: "dec4@edge/0.bn3.beta", shape: [256], trainable: true },
  { key: "dec4@edge/0.bn3.moving_mean", shape: [256], trainable: false },
  { key: "dec4@edge/0.bn3.moving_variance", shape: [256], trainable: false },
  { key: "dec4@normal/0.conv1.kernel", shape: [1, 1, 320, 64], trainable: true },
  { key: "dec4@normal/0.bn1.gamma", shape: [64], trainable: true },
  { key: "dec4@normal/0.bn1.beta", shape: [64], trainable: true },
  { key: "dec4@normal/0.bn1.moving_mean", shape: [64], trainable: false },
  { key: "dec4@normal/0.bn1.moving_variance", shape: [64], trainable: false },
  { key: "dec4@normal/0.conv2.kernel", shape: [3, 3, 64, 64], trainable: true },
  { key: "dec4@normal/0.bn2.gamma", shape: [64], trainable: true },
  { key: "dec4@normal/0.bn2.beta", shape: [64], trainable: true },
  { key: "dec4@normal/0.bn2.moving_mean", shape: [64], trainable: false },
  { key: "dec4@normal/0.bn2.moving_variance", shape: [64], trainable: false },
  { key: "dec4@normal/0.conv3.kernel", shape: [1, 1, 64, 256], trainable: true },
  { key: "dec4@normal/0.bn3.gamma", shape: [256], trainable: true },
  { key: "dec4@normal/0.bn3.beta", shape: [256], trainable: true },
  { key: "dec4@normal/0.bn3.moving_mean", shape: [256], trainable: false },
  { key: "dec4@normal/0.bn3.moving_variance", shape: [256], trainable: false },
  { key: "dec4@ae/0.conv1.kernel", shape: [1, 1, 320, 64], trainable: true },
  { key: "dec4@ae/0.bn1.gamma", shape: [64], trainable: true },
  { key: "dec4@ae/0.bn1.beta", shape: [64], trainable: true },
  { key: "dec4@ae/0.bn1.moving_mean", shape: [64], trainable: false },
  { key: "dec4@ae/0.bn1.moving_variance", shape: [64], trainable: false },
  { key: "dec4@ae/0.conv2.kernel", shape: [3, 3, 64, 64], trainable: true },
  { key: "dec4@ae/0.bn2.gamma", shape: [64], trainable: true },
  { key: "dec4@ae/0.bn2.beta", shape: [64], trainable: true },
  { key: "dec4@ae/0.bn2.moving_mean", shape: [64], trainable: false },
  { key: "dec4@ae/0.bn2.moving_variance", shape: [64], trainable: false },
  { key: "dec4@ae/0.conv3.kernel", shape: [1, 1, 64, 256], trainable: true },
  { key: "dec4@ae/0.bn3.gamma", shape: [256], trainable: true },
  { key: "dec4@ae/0.bn3.beta", shape: [256], trainable: true },
  { key: "dec4@ae/0.bn3.moving_mean", shape: [256], trainable: false },
  { key: "dec4@ae/0.bn3.moving_variance", shape: [256], trainable: false },
  { key: "head@seg/0.conv0.kernel", shape: [1, 1, 256, 64], trainable: true },
  { key: "head@seg/0.conv0.bias", shape: [64], trainable: true },
  { key: "head@seg/0.conv1.kernel", shape: [1, 1, 256, 64], trainable: true },
  { key: "head@seg/0.conv1.bias", shape: [64], trainable: true },
  { key: "head@seg/0.conv2.kernel", shape: [1, 1, 256, 64], trainable: true },
  { key: "head@seg/0.conv2.bias", shape: [64], trainable: true },
  { key: "head@seg/0.conv3.kernel", shape: [1, 1, 256, 64], trainable: true },
  { key: "head@seg/0.conv3.bias", shape: [64], trainable: true },
  { key: "head@seg/1.kernel", shape: [1, 1, 256, 13], trainable: true },
  { key: "head@seg/1.bias", shape: [13], trainable: true },
  { key: "head@depth/0.conv0.kernel", shape: [1, 1, 256, 64], trainable: true },
  { key: "head@depth/0.conv1.kernel", shape: [1, 1, 256, 64], trainable: true },
  { key: "head@depth/0.conv2.kernel", shape: [1, 1, 256, 64], trainable: true },
  { key: "head@depth/0.conv3.kernel", shape: [1, 1, 256, 64], trainable: true },
  { key: "head@depth/1.kernel", shape: [3, 3, 256, 1], trainable: true },
  { key: "head@depth/1.bias", shape: [1], trainable: true },
  { key: "head@edge/0.conv0.kernel", shape: [1, 1, 256, 64], trainable: true },
  { key: "head@edge/0.conv0.bias", shape: [64], trainable: true },
  { key: "head@edge/0.conv1.kernel", shape: [1, 1, 256, 64], trainable: true },
  { key: "head@edge/0.conv1.bias", shape: [64], trainable: true },
  { key: "head@edge/0.conv2.kernel", shape: [1, 1, 256, 64], trainable: true },
  { key: "head@edge/0.conv2.bias", shape: [64], trainable: true },
  { key: "head@edge/0.conv3.kernel", shape: [1, 1, 256, 64], trainable: true },
  { key: "head@edge/0.conv3.bias", shape: [64], trainable: true },
  { key: "head@edge/1.kernel", shape: [1, 1, 256, 1], trainable: true },
  { key: "head@edge/1.bias", shape: [1], trainable: true },
  { key: "head@normal/0.conv0.kernel", shape: [1, 1, 256, 64], trainable: true },
  { key: "head@normal/0.conv1.kernel", shape: [1, 1, 256, 64], trainable: true },
  { key: "head@normal/0.conv2.kernel", shape: [1, 1, 256, 64], trainable: true },
  { key: "head@normal/0.conv3.kernel", shape: [1, 1, 256, 64], trainable: true },
  { key: "head@normal/1.kernel", shape: [3, 3, 256, 3], trainable: true },
  { key: "head@normal/1.bias", shape: [3], trainable: true },
  { key: "head@ae/0.conv0.kernel", shape: [1, 1, 256, 64], trainable: true },
  { key: "head@ae/0.conv1.kernel", shape: [1, 1, 256, 64], trainable: true },
  { key: "head@ae/0.conv2.kernel", shape: [1, 1, 256, 64], trainable: true },
  { key: "head@ae/0.conv3.kernel", shape: [1, 1, 256, 64], trainable: true },
  { key: "head@ae/1.kernel", shape: [3, 3, 256, 3], trainable: true },
  { key: "head@ae/1.bias", shape: [3], trainable: true },
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

/** The outputs of Nyuv2: one tensor per task, batch first. */
export interface Nyuv2Outputs {
  /**
   * `[batch, 288, 384, 13]`: segmentation logits for 13 classes.
   * Task seg, kind segmentation, loss ce.
   */
  readonly seg: tf.Tensor4D;
  /**
   * `[batch, 288, 384, 1]`: depth per pixel.
   * Task depth, kind depth, loss rmse.
   */
  readonly depth: tf.Tensor4D;
  /**
   * `[batch, 288, 384, 1]`: semantic-edge logits per pixel.
   * Task edge, kind edges, loss bce.
   */
  readonly edge: tf.Tensor4D;
  /**
   * `[batch, 288, 384, 3]`: surface normals per pixel (x, y, z; not normalised).
   * Task normal, kind normals, loss l1_unit.
   */
  readonly normal: tf.Tensor4D;
  /**
   * `[batch, 288, 384, 3]`: reconstruction of the input image.
   * Task ae, kind reconstruction, loss mse.
   */
  readonly ae: tf.Tensor4D;
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
 * Runs Nyuv2 on a batch of images [batch, 288, 384, 3] and returns one output per task.
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
): Nyuv2Outputs {
  checkInput(input);
  const run = makeRun(weights, options);
  return tf.tidy(() => {
    // stem@seg: stage stem, tasks seg; reads input -> [batch, 72, 96, 64]
    const stem_seg = stage_stem(run, "stem@seg", input);
    // stem@depth: stage stem, tasks depth; reads input -> [batch, 72, 96, 64]
    const stem_depth = stage_stem(run, "stem@depth", input);
    // stem@edge: stage stem, tasks edge; reads input -> [batch, 72, 96, 64]
    const stem_edge = stage_stem(run, "stem@edge", input);
    // stem@normal: stage stem, tasks normal; reads input -> [batch, 72, 96, 64]
    const stem_normal = stage_stem(run, "stem@normal", input);
    // stem@ae: stage stem, tasks ae; reads input -> [batch, 72, 96, 64]
    const stem_ae = stage_stem(run, "stem@ae", input);
    // enc1@seg: stage enc1, tasks seg; reads stem@seg -> [batch, 72, 96, 64]
    const enc1_seg = stage_enc1(run, "enc1@seg", stem_seg);
    // enc1@depth: stage enc1, tasks depth; reads stem@depth -> [batch, 72, 96, 64]
    const enc1_depth = stage_enc1(run, "enc1@depth", stem_depth);
    // enc1@edge: stage enc1, tasks edge; reads stem@edge -> [batch, 72, 96, 64]
    const enc1_edge = stage_enc1(run, "enc1@edge", stem_edge);
    // enc1@normal: stage enc1, tasks normal; reads stem@normal -> [batch, 72, 96, 64]
    const enc1_normal = stage_enc1(run, "enc1@normal", stem_normal);
    // enc1@ae: stage enc1, tasks ae; reads stem@ae -> [batch, 72, 96, 64]
    const enc1_ae = stage_enc1(run, "enc1@ae", stem_ae);
    // enc2@seg: stage enc2, tasks seg; reads enc1@seg -> [batch, 36, 48, 128]
    const enc2_seg = stage_enc2(run, "enc2@seg", enc1_seg);
    // enc2@depth: stage enc2, tasks depth; reads enc1@depth -> [batch, 36, 48, 128]
    const enc2_depth = stage_enc2(run, "enc2@depth", enc1_depth);
    // enc2@edge: stage enc2, tasks edge; reads enc1@edge -> [batch, 36, 48, 128]
    const enc2_edge = stage_enc2(run, "enc2@edge", enc1_edge);
    // enc2@normal: stage enc2, tasks normal; reads enc1@normal -> [batch, 36, 48, 128]
    const enc2_normal = stage_enc2(run, "enc2@normal", enc1_normal);
    // enc2@ae: stage enc2, tasks ae; reads enc1@ae -> [batch, 36, 48, 128]
    const enc2_ae = stage_enc2(run, "enc2@ae", enc1_ae);
    // enc3@seg: stage enc3, tasks seg; reads enc2@seg -> [batch, 18, 24, 256]
    const enc3_seg = stage_enc3(run, "enc3@seg", enc2_seg);
    // enc3@depth: stage enc3, tasks depth; reads enc2@depth -> [batch, 18, 24, 256]
    const enc3_depth = stage_enc3(run, "enc3@depth", enc2_depth);
    // enc3@edge: stage enc3, tasks edge; reads enc2@edge -> [batch, 18, 24, 256]
    const enc3_edge = stage_enc3(run, "enc3@edge", enc2_edge);
    // enc3@normal: stage enc3, tasks normal; reads enc2@normal -> [batch, 18, 24, 256]
    const enc3_normal = stage_enc3(run, "enc3@normal", enc2_normal);
    // enc3@ae: stage enc3, tasks ae; reads enc2@ae -> [batch, 18, 24, 256]
    const enc3_ae = stage_enc3(run, "enc3@ae", enc2_ae);
    // enc4@seg: stage enc4, tasks seg; reads enc3@seg -> [batch, 9, 12, 512]
    const enc4_seg = stage_enc4(run, "enc4@seg", enc3_seg);
    // enc4@depth: stage enc4, tasks depth; reads enc3@depth -> [batch, 9, 12, 512]
    const enc4_depth = stage_enc4(run, "enc4@depth", enc3_depth);
    // enc4@edge: stage enc4, tasks edge; reads enc3@edge -> [batch, 9, 12, 512]
    const enc4_edge = stage_enc4(run, "enc4@edge", enc3_edge);
    // enc4@normal: stage enc4, tasks normal; reads enc3@normal -> [batch, 9, 12, 512]
    const enc4_normal = stage_enc4(run, "enc4@normal", enc3_normal);
    // enc4@ae: stage enc4, tasks ae; reads enc3@ae -> [batch, 9, 12, 512]
    const enc4_ae = stage_enc4(run, "enc4@ae", enc3_ae);
    // enc5@seg: stage enc5, tasks seg; reads enc4@seg -> [batch, 5, 6, 2048]
    const enc5_seg = stage_enc5(run, "enc5@seg", enc4_seg);
    // enc5@depth: stage enc5, tasks depth; reads enc4@depth -> [batch, 5, 6, 2048]
    const enc5_depth = stage_enc5(run, "enc5@depth", enc4_depth);
    // enc5@edge: stage enc5, tasks edge; reads enc4@edge -> [batch, 5, 6, 2048]
    const enc5_edge = stage_enc5(run, "enc5@edge", enc4_edge);
    // enc5@normal: stage enc5, tasks normal; reads enc4@normal -> [batch, 5, 6, 2048]
    const enc5_normal = stage_enc5(run, "enc5@normal", enc4_normal);
    // enc5@ae: stage enc5, tasks ae; reads enc4@ae -> [batch, 5, 6, 2048]
    const enc5_ae = stage_enc5(run, "enc5@ae", enc4_ae);
    // dec1@seg: stage dec1, tasks seg; reads enc5@seg + skip enc4@seg -> [batch, 9, 12, 256]
    const dec1_seg = stage_dec1(run, "dec1@seg", enc5_seg, enc4_seg);
    // dec1@depth: stage dec1, tasks depth; reads enc5@depth + skip enc4@depth -> [batch, 9, 12, 256]
    const dec1_depth = stage_dec1(run, "dec1@depth", enc5_depth, enc4_depth);
    // dec1@edge: stage dec1, tasks edge; reads enc5@edge + skip enc4@edge -> [batch, 9, 12, 256]
    const dec1_edge = stage_dec1(run, "dec1@edge", enc5_edge, enc4_edge);
    // dec1@normal: stage dec1, tasks normal; reads enc5@normal + skip enc4@normal -> [batch, 9, 12, 256]
    const dec1_normal = stage_dec1(run, "dec1@normal", enc5_normal, enc4_normal);
    // dec1@ae: stage dec1, tasks ae; reads enc5@ae + skip enc4@ae -> [batch, 9, 12, 256]
    const dec1_ae = stage_dec1(run, "dec1@ae", enc5_ae, enc4_ae);
    // dec2@seg: stage dec2, tasks seg; reads dec1@seg + skip enc3@seg -> [batch, 18, 24, 256]
    const dec2_seg = stage_dec2(run, "dec2@seg", dec1_seg, enc3_seg);
    // dec2@depth: stage dec2, tasks depth; reads dec1@depth + skip enc3@depth -> [batch, 18, 24, 256]
    const dec2_depth = stage_dec2(run, "dec2@depth", dec1_depth, enc3_depth);
    // dec2@edge: stage dec2, tasks edge; reads dec1@edge + skip enc3@edge -> [batch, 18, 24, 256]
    const dec2_edge = stage_dec2(run, "dec2@edge", dec1_edge, enc3_edge);
    // dec2@normal: stage dec2, tasks normal; reads dec1@normal + skip enc3@normal -> [batch, 18, 24, 256]
    const dec2_normal = stage_dec2(run, "dec2@normal", dec1_normal, enc3_normal);
    // dec2@ae: stage dec2, tasks ae; reads dec1@ae + skip enc3@ae -> [batch, 18, 24, 256]
    const dec2_ae = stage_dec2(run, "dec2@ae", dec1_ae, enc3_ae);
    // dec3@seg: stage dec3, tasks seg; reads dec2@seg + skip enc2@seg -> [batch, 36, 48, 256]
    const dec3_seg = stage_dec3(run, "dec3@seg", dec2_seg, enc2_seg);
    // dec3@depth: stage dec3, tasks depth; reads dec2@depth + skip enc2@depth -> [batch, 36, 48, 256]
    const dec3_depth = stage_dec3(run, "dec3@depth", dec2_depth, enc2_depth);
    // dec3@edge: stage dec3, tasks edge; reads dec2@edge + skip enc2@edge -> [batch, 36, 48, 256]
    const dec3_edge = stage_dec3(run, "dec3@edge", dec2_edge, enc2_edge);
    // dec3@normal: stage dec3, tasks normal; reads dec2@normal + skip enc2@normal -> [batch, 36, 48, 256]
    const dec3_normal = stage_dec3(run, "dec3@normal", dec2_normal, enc2_normal);
    // dec3@ae: stage dec3, tasks ae; reads dec2@ae + skip enc2@ae -> [batch, 36, 48, 256]
    const dec3_ae = stage_dec3(run, "dec3@ae", dec2_ae, enc2_ae);
    // dec4@seg: stage dec4, tasks seg; reads dec3@seg + skip enc1@seg -> [batch, 72, 96, 256]
    const dec4_seg = stage_dec4(run, "dec4@seg", dec3_seg, enc1_seg);
    // dec4@depth: stage dec4, tasks depth; reads dec3@depth + skip enc1@depth -> [batch, 72, 96, 256]
    const dec4_depth = stage_dec4(run, "dec4@depth", dec3_depth, enc1_depth);
    // dec4@edge: stage dec4, tasks edge; reads dec3@edge + skip enc1@edge -> [batch, 72, 96, 256]
    const dec4_edge = stage_dec4(run, "dec4@edge", dec3_edge, enc1_edge);
    // dec4@normal: stage dec4, tasks normal; reads dec3@normal + skip enc1@normal -> [batch, 72, 96, 256]
    const dec4_normal = stage_dec4(run, "dec4@normal", dec3_normal, enc1_normal);
    // dec4@ae: stage dec4, tasks ae; reads dec3@ae + skip enc1@ae -> [batch, 72, 96, 256]
    const dec4_ae = stage_dec4(run, "dec4@ae", dec3_ae, enc1_ae);
    // head@seg: task seg; reads dec4@seg + skip dec1@seg + skip dec2@seg + skip dec3@seg + skip dec4@seg -> [batch, 288, 384, 13]
    const out_seg = head_seg(run, "head@seg", dec4_seg, dec1_seg, dec2_seg, dec3_seg, dec4_seg);
    // head@depth: task depth; reads dec4@depth + skip dec1@depth + skip dec2@depth + skip dec3@depth + skip dec4@depth -> [batch, 288, 384, 1]
    const out_depth = head_depth(
      run,
      "head@depth",
      dec4_depth,
      dec1_depth,
      dec2_depth,
      dec3_depth,
      dec4_depth,
    );
    // head@edge: task edge; reads dec4@edge + skip dec1@edge + skip dec2@edge + skip dec3@edge + skip dec4@edge -> [batch, 288, 384, 1]
    const out_edge = head_edge(
      run,
      "head@edge",
      dec4_edge,
      dec1_edge,
      dec2_edge,
      dec3_edge,
      dec4_edge,
    );
    // head@normal: task normal; reads dec4@normal + skip dec1@normal + skip dec2@normal + skip dec3@normal + skip dec4@normal -> [batch, 288, 384, 3]
    const out_normal = head_normal(
      run,
      "head@normal",
      dec4_normal,
      dec1_normal,
      dec2_normal,
      dec3_normal,
      dec4_normal,
    );
    // head@ae: task ae; reads dec4@ae + skip dec1@ae + skip dec2@ae + skip dec3@ae + skip dec4@ae -> [batch, 288, 384, 3]
    const out_ae = head_ae(run, "head@ae", dec4_ae, dec1_ae, dec2_ae, dec3_ae, dec4_ae);
    return { seg: out_seg, depth: out_depth, edge: out_edge, normal: out_normal, ae: out_ae };
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
      `${modelName}: input must have shape [batch, 288, 384, 3], found [${shape.join(", ")}]`,
    );
  }
}

/**
 * Stage stem: conv(64, 7, stride: 2, padding: symmetric, bias: false) bn(momentum: 0.9, epsilon: 1e-5) relu maxpool(3, stride: 2, padding: symmetric).
 * [batch, 288, 384, 3] -> [batch, 72, 96, 64]; one call per instance.
 */
function stage_stem(run: Run, owner: string, x: tf.Tensor4D): tf.Tensor4D {
  // 0: conv(64, 7, stride: 2, padding: symmetric, bias: false) -> [batch, 144, 192, 64]
  const y0 = conv2d(x, run.weight(owner, 0, "kernel"), 2, 3, 1);
  // 1: bn(momentum: 0.9, epsilon: 1e-5) -> [batch, 144, 192, 64]
  const y1 = batchNorm(run, y0, owner, 1, "", 1e-5);
  // 2: relu -> [batch, 144, 192, 64]
  const y2 = tf.relu(y1);
  // 3: maxpool(3, stride: 2, padding: symmetric) -> [batch, 72, 96, 64]
  return tf.maxPool(y2, 3, 2, 1);
}

/**
 * Stage enc1: basic(64, stride: 1) basic(64, stride: 1).
 * [batch, 72, 96, 64] -> [batch, 72, 96, 64]; one call per instance.
 */
function stage_enc1(run: Run, owner: string, x: tf.Tensor4D): tf.Tensor4D {
  // 0: basic(64, stride: 1) -> [batch, 72, 96, 64]
  const y0 = basicBlock(run, x, owner, 0, 1, false, true);
  // 1: basic(64, stride: 1) -> [batch, 72, 96, 64]
  return basicBlock(run, y0, owner, 1, 1, false, true);
}

/**
 * Stage enc2: basic(128, stride: 2) basic(128, stride: 1).
 * [batch, 72, 96, 64] -> [batch, 36, 48, 128]; one call per instance.
 */
function stage_enc2(run: Run, owner: string, x: tf.Tensor4D): tf.Tensor4D {
  // 0: basic(128, stride: 2) -> [batch, 36, 48, 128]
  const y0 = basicBlock(run, x, owner, 0, 2, true, true);
  // 1: basic(128, stride: 1) -> [batch, 36, 48, 128]
  return basicBlock(run, y0, owner, 1, 1, false, true);
}

/**
 * Stage enc3: basic(256, stride: 2) basic(256, stride: 1).
 * [batch, 36, 48, 128] -> [batch, 18, 24, 256]; one call per instance.
 */
function stage_enc3(run: Run, owner: string, x: tf.Tensor4D): tf.Tensor4D {
  // 0: basic(256, stride: 2) -> [batch, 18, 24, 256]
  const y0 = basicBlock(run, x, owner, 0, 2, true, true);
  // 1: basic(256, stride: 1) -> [batch, 18, 24, 256]
  return basicBlock(run, y0, owner, 1, 1, false, true);
}

/**
 * Stage enc4: basic(512, stride: 2) basic(512, stride: 1).
 * [batch, 18, 24, 256] -> [batch, 9, 12, 512]; one call per instance.
 */
function stage_enc4(run: Run, owner: string, x: tf.Tensor4D): tf.Tensor4D {
  // 0: basic(512, stride: 2) -> [batch, 9, 12, 512]
  const y0 = basicBlock(run, x, owner, 0, 2, true, true);
  // 1: basic(512, stride: 1) -> [batch, 9, 12, 512]
  return basicBlock(run, y0, owner, 1, 1, false, true);
}

/**
 * Stage enc5: bottleneck(512, stride: 2, expansion: 4) bottleneck(512, stride: 1, expansion: 4).
 * [batch, 9, 12, 512] -> [batch, 5, 6, 2048]; one call per instance.
 */
function stage_enc5(run: Run, owner: string, x: tf.Tensor4D): tf.Tensor4D {
  // 0: bottleneck(512, stride: 2, expansion: 4) -> [batch, 5, 6, 2048]
  const y0 = bottleneckBlock(run, x, owner, 0, 2, true, true);
  // 1: bottleneck(512, stride: 1, expansion: 4) -> [batch, 5, 6, 2048]
  return bottleneckBlock(run, y0, owner, 1, 1, false, true);
}

/**
 * Stage dec1: decoder_bottleneck(64, skip: enc4, expansion: 4).
 * [batch, 5, 6, 2048] -> [batch, 9, 12, 256]; one call per instance.
 */
function stage_dec1(run: Run, owner: string, x: tf.Tensor4D, skip_enc4: tf.Tensor4D): tf.Tensor4D {
  // 0: decoder_bottleneck(64, skip: enc4, expansion: 4) -> [batch, 9, 12, 256]
  return decoderBlock(run, x, skip_enc4, owner, 0, true);
}

/**
 * Stage dec2: decoder_bottleneck(64, skip: enc3, expansion: 4).
 * [batch, 9, 12, 256] -> [batch, 18, 24, 256]; one call per instance.
 */
function stage_dec2(run: Run, owner: string, x: tf.Tensor4D, skip_enc3: tf.Tensor4D): tf.Tensor4D {
  // 0: decoder_bottleneck(64, skip: enc3, expansion: 4) -> [batch, 18, 24, 256]
  return decoderBlock(run, x, skip_enc3, owner, 0, false);
}

/**
 * Stage dec3: decoder_bottleneck(64, skip: enc2, expansion: 4).
 * [batch, 18, 24, 256] -> [batch, 36, 48, 256]; one call per instance.
 */
function stage_dec3(run: Run, owner: string, x: tf.Tensor4D, skip_enc2: tf.Tensor4D): tf.Tensor4D {
  // 0: decoder_bottleneck(64, skip: enc2, expansion: 4) -> [batch, 36, 48, 256]
  return decoderBlock(run, x, skip_enc2, owner, 0, false);
}

/**
 * Stage dec4: decoder_bottleneck(64, skip: enc1, expansion: 4).
 * [batch, 36, 48, 256] -> [batch, 72, 96, 256]; one call per instance.
 */
function stage_dec4(run: Run, owner: string, x: tf.Tensor4D, skip_enc1: tf.Tensor4D): tf.Tensor4D {
  // 0: decoder_bottleneck(64, skip: enc1, expansion: 4) -> [batch, 72, 96, 256]
  return decoderBlock(run, x, skip_enc1, owner, 0, false);
}

/**
 * Head of task seg: fuse([dec1, dec2, dec3, dec4], filters: 64) conv(13, 1) upsample(4, mode: bilinear).
 * [batch, 72, 96, 256] -> [batch, 288, 384, 13].
 */
function head_seg(
  run: Run,
  owner: string,
  x: tf.Tensor4D,
  skip_dec1: tf.Tensor4D,
  skip_dec2: tf.Tensor4D,
  skip_dec3: tf.Tensor4D,
  skip_dec4: tf.Tensor4D,
): tf.Tensor4D {
  // 0: fuse([dec1, dec2, dec3, dec4], filters: 64) -> [batch, 72, 96, 256]
  const y0 = tf.concat(
    [
      resizeTo(
        addBias(
          conv2d(skip_dec1, run.weight(owner, 0, "conv0.kernel"), 1, "same", 1),
          run.weight(owner, 0, "conv0.bias"),
        ),
        72,
        96,
      ),
      resizeTo(
        addBias(
          conv2d(skip_dec2, run.weight(owner, 0, "conv1.kernel"), 1, "same", 1),
          run.weight(owner, 0, "conv1.bias"),
        ),
        72,
        96,
      ),
      resizeTo(
        addBias(
          conv2d(skip_dec3, run.weight(owner, 0, "conv2.kernel"), 1, "same", 1),
          run.weight(owner, 0, "conv2.bias"),
        ),
        72,
        96,
      ),
      resizeTo(
        addBias(
          conv2d(skip_dec4, run.weight(owner, 0, "conv3.kernel"), 1, "same", 1),
          run.weight(owner, 0, "conv3.bias"),
        ),
        72,
        96,
      ),
    ],
    3,
  );
  // 1: conv(13, 1) -> [batch, 72, 96, 13]
  const y1 = addBias(
    conv2d(y0, run.weight(owner, 1, "kernel"), 1, "same", 1),
    run.weight(owner, 1, "bias"),
  );
  // 2: upsample(4, mode: bilinear) -> [batch, 288, 384, 13]
  return tf.image.resizeBilinear(y1, [288, 384], false, true);
}

/**
 * Head of task depth: fuse([dec1, dec2, dec3, dec4], filters: 64, bias: false) conv(1, 3) relu upsample(4, mode: bilinear).
 * [batch, 72, 96, 256] -> [batch, 288, 384, 1].
 */
function head_depth(
  run: Run,
  owner: string,
  x: tf.Tensor4D,
  skip_dec1: tf.Tensor4D,
  skip_dec2: tf.Tensor4D,
  skip_dec3: tf.Tensor4D,
  skip_dec4: tf.Tensor4D,
): tf.Tensor4D {
  // 0: fuse([dec1, dec2, dec3, dec4], filters: 64, bias: false) -> [batch, 72, 96, 256]
  const y0 = tf.concat(
    [
      resizeTo(conv2d(skip_dec1, run.weight(owner, 0, "conv0.kernel"), 1, "same", 1), 72, 96),
      resizeTo(conv2d(skip_dec2, run.weight(owner, 0, "conv1.kernel"), 1, "same", 1), 72, 96),
      resizeTo(conv2d(skip_dec3, run.weight(owner, 0, "conv2.kernel"), 1, "same", 1), 72, 96),
      resizeTo(conv2d(skip_dec4, run.weight(owner, 0, "conv3.kernel"), 1, "same", 1), 72, 96),
    ],
    3,
  );
  // 1: conv(1, 3) -> [batch, 72, 96, 1]
  const y1 = addBias(
    conv2d(y0, run.weight(owner, 1, "kernel"), 1, "same", 1),
    run.weight(owner, 1, "bias"),
  );
  // 2: relu -> [batch, 72, 96, 1]
  const y2 = tf.relu(y1);
  // 3: upsample(4, mode: bilinear) -> [batch, 288, 384, 1]
  return tf.image.resizeBilinear(y2, [288, 384], false, true);
}

/**
 * Head of task edge: fuse([dec1, dec2, dec3, dec4], filters: 64) conv(1, 1) upsample(4, mode: bilinear).
 * [batch, 72, 96, 256] -> [batch, 288, 384, 1].
 */
function head_edge(
  run: Run,
  owner: string,
  x: tf.Tensor4D,
  skip_dec1: tf.Tensor4D,
  skip_dec2: tf.Tensor4D,
  skip_dec3: tf.Tensor4D,
  skip_dec4: tf.Tensor4D,
): tf.Tensor4D {
  // 0: fuse([dec1, dec2, dec3, dec4], filters: 64) -> [batch, 72, 96, 256]
  const y0 = tf.concat(
    [
      resizeTo(
        addBias(
          conv2d(skip_dec1, run.weight(owner, 0, "conv0.kernel"), 1, "same", 1),
          run.weight(owner, 0, "conv0.bias"),
        ),
        72,
        96,
      ),
      resizeTo(
        addBias(
          conv2d(skip_dec2, run.weight(owner, 0, "conv1.kernel"), 1, "same", 1),
          run.weight(owner, 0, "conv1.bias"),
        ),
        72,
        96,
      ),
      resizeTo(
        addBias(
          conv2d(skip_dec3, run.weight(owner, 0, "conv2.kernel"), 1, "same", 1),
          run.weight(owner, 0, "conv2.bias"),
        ),
        72,
        96,
      ),
      resizeTo(
        addBias(
          conv2d(skip_dec4, run.weight(owner, 0, "conv3.kernel"), 1, "same", 1),
          run.weight(owner, 0, "conv3.bias"),
        ),
        72,
        96,
      ),
    ],
    3,
  );
  // 1: conv(1, 1) -> [batch, 72, 96, 1]
  const y1 = addBias(
    conv2d(y0, run.weight(owner, 1, "kernel"), 1, "same", 1),
    run.weight(owner, 1, "bias"),
  );
  // 2: upsample(4, mode: bilinear) -> [batch, 288, 384, 1]
  return tf.image.resizeBilinear(y1, [288, 384], false, true);
}

/**
 * Head of task normal: fuse([dec1, dec2, dec3, dec4], filters: 64, bias: false) conv(3, 3) tanh upsample(4, mode: bilinear).
 * [batch, 72, 96, 256] -> [batch, 288, 384, 3].
 */
function head_normal(
  run: Run,
  owner: string,
  x: tf.Tensor4D,
  skip_dec1: tf.Tensor4D,
  skip_dec2: tf.Tensor4D,
  skip_dec3: tf.Tensor4D,
  skip_dec4: tf.Tensor4D,
): tf.Tensor4D {
  // 0: fuse([dec1, dec2, dec3, dec4], filters: 64, bias: false) -> [batch, 72, 96, 256]
  const y0 = tf.concat(
    [
      resizeTo(conv2d(skip_dec1, run.weight(owner, 0, "conv0.kernel"), 1, "same", 1), 72, 96),
      resizeTo(conv2d(skip_dec2, run.weight(owner, 0, "conv1.kernel"), 1, "same", 1), 72, 96),
      resizeTo(conv2d(skip_dec3, run.weight(owner, 0, "conv2.kernel"), 1, "same", 1), 72, 96),
      resizeTo(conv2d(skip_dec4, run.weight(owner, 0, "conv3.kernel"), 1, "same", 1), 72, 96),
    ],
    3,
  );
  // 1: conv(3, 3) -> [batch, 72, 96, 3]
  const y1 = addBias(
    conv2d(y0, run.weight(owner, 1, "kernel"), 1, "same", 1),
    run.weight(owner, 1, "bias"),
  );
  // 2: tanh -> [batch, 72, 96, 3]
  const y2 = tf.tanh(y1);
  // 3: upsample(4, mode: bilinear) -> [batch, 288, 384, 3]
  return tf.image.resizeBilinear(y2, [288, 384], false, true);
}

/**
 * Head of task ae: fuse([dec1, dec2, dec3, dec4], filters: 64, bias: false) conv(3, 3) upsample(4, mode: bilinear).
 * [batch, 72, 96, 256] -> [batch, 288, 384, 3].
 */
function head_ae(
  run: Run,
  owner: string,
  x: tf.Tensor4D,
  skip_dec1: tf.Tensor4D,
  skip_dec2: tf.Tensor4D,
  skip_dec3: tf.Tensor4D,
  skip_dec4: tf.Tensor4D,
): tf.Tensor4D {
  // 0: fuse([dec1, dec2, dec3, dec4], filters: 64, bias: false) -> [batch, 72, 96, 256]
  const y0 = tf.concat(
    [
      resizeTo(conv2d(skip_dec1, run.weight(owner, 0, "conv0.kernel"), 1, "same", 1), 72, 96),
      resizeTo(conv2d(skip_dec2, run.weight(owner, 0, "conv1.kernel"), 1, "same", 1), 72, 96),
      resizeTo(conv2d(skip_dec3, run.weight(owner, 0, "conv2.kernel"), 1, "same", 1), 72, 96),
      resizeTo(conv2d(skip_dec4, run.weight(owner, 0, "conv3.kernel"), 1, "same", 1), 72, 96),
    ],
    3,
  );
  // 1: conv(3, 3) -> [batch, 72, 96, 3]
  const y1 = addBias(
    conv2d(y0, run.weight(owner, 1, "kernel"), 1, "same", 1),
    run.weight(owner, 1, "bias"),
  );
  // 2: upsample(4, mode: bilinear) -> [batch, 288, 384, 3]
  return tf.image.resizeBilinear(y1, [288, 384], false, true);
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

/**
 * ResNet basic block: conv3x3(stride) bn relu, conv3x3 bn, plus the input or, when the shape changes,
 * a 1x1 projection with batch norm; then relu. Batch norms use epsilon 1e-5.
 */
function basicBlock(
  run: Run,
  x: tf.Tensor4D,
  owner: string,
  layer: number,
  stride: number,
  projection: boolean,
  symmetric: boolean,
): tf.Tensor4D {
  const pad3 = symmetric ? 1 : "same";
  const pad1 = symmetric ? 0 : "same";
  let y = conv2d(x, run.weight(owner, layer, "conv1.kernel"), stride, pad3, 1);
  y = tf.relu(batchNorm(run, y, owner, layer, "bn1.", 1e-5));
  y = conv2d(y, run.weight(owner, layer, "conv2.kernel"), 1, pad3, 1);
  const main = batchNorm(run, y, owner, layer, "bn2.", 1e-5);
  const shortcut = projection
    ? batchNorm(
        run,
        conv2d(x, run.weight(owner, layer, "shortcut.kernel"), stride, pad1, 1),
        owner,
        layer,
        "shortcut_bn.",
        1e-5,
      )
    : x;
  return tf.relu(tf.add<tf.Tensor4D>(main, shortcut));
}

/**
 * A bottleneck's main path: conv1x1 bn relu, conv3x3(stride) bn relu, conv1x1 bn (the blocks add their
 * residual). `symmetric`: PyTorch's padding (1 for the 3x3), else TensorFlow's same. Batch norms use epsilon 1e-5.
 */
function bottleneckMain(
  run: Run,
  x: tf.Tensor4D,
  owner: string,
  layer: number,
  stride: number,
  symmetric: boolean,
): tf.Tensor4D {
  const pad3 = symmetric ? 1 : "same";
  const pad1 = symmetric ? 0 : "same";
  let y = conv2d(x, run.weight(owner, layer, "conv1.kernel"), 1, pad1, 1);
  y = tf.relu(batchNorm(run, y, owner, layer, "bn1.", 1e-5));
  y = conv2d(y, run.weight(owner, layer, "conv2.kernel"), stride, pad3, 1);
  y = tf.relu(batchNorm(run, y, owner, layer, "bn2.", 1e-5));
  y = conv2d(y, run.weight(owner, layer, "conv3.kernel"), 1, pad1, 1);
  return batchNorm(run, y, owner, layer, "bn3.", 1e-5);
}

/**
 * ResNet bottleneck block: conv1x1 bn relu, conv3x3(stride) bn relu, conv1x1 bn, plus the input or,
 * when the shape changes, a 1x1 projection with batch norm; then relu. Batch norms use epsilon 1e-5.
 */
function bottleneckBlock(
  run: Run,
  x: tf.Tensor4D,
  owner: string,
  layer: number,
  stride: number,
  projection: boolean,
  symmetric: boolean,
): tf.Tensor4D {
  const pad1 = symmetric ? 0 : "same";
  const main = bottleneckMain(run, x, owner, layer, stride, symmetric);
  const shortcut = projection
    ? batchNorm(
        run,
        conv2d(x, run.weight(owner, layer, "shortcut.kernel"), stride, pad1, 1),
        owner,
        layer,
        "shortcut_bn.",
        1e-5,
      )
    : x;
  return tf.relu(tf.add<tf.Tensor4D>(main, shortcut));
}

/** Bilinear resize to `height` x `width` with half-pixel centres (PyTorch's align_corners=False); the input itself when the size is already that. */
function resizeTo(x: tf.Tensor4D, height: number, width: number): tf.Tensor4D {
  if (x.shape[1] === height && x.shape[2] === width) return x;
  return tf.image.resizeBilinear(x, [height, width], false, true);
}

/**
 * The MTSL authors' decoder block: x resized to the skip's height and width, concatenated with the skip,
 * conv1x1 bn relu, conv3x3 bn relu, conv1x1 bn, plus the resized x (through a 1x1 projection without
 * batch norm when the channels change); then relu. Batch norms use epsilon 1e-5.
 */
function decoderBlock(
  run: Run,
  x: tf.Tensor4D,
  skip: tf.Tensor4D,
  owner: string,
  layer: number,
  projection: boolean,
): tf.Tensor4D {
  const resized = resizeTo(x, skip.shape[1], skip.shape[2]);
  const main = bottleneckMain(run, tf.concat([resized, skip], 3), owner, layer, 1, true);
  const residual = projection
    ? conv2d(resized, run.weight(owner, layer, "projection.kernel"), 1, "same", 1)
    : resized;
  return tf.relu(tf.add<tf.Tensor4D>(main, residual));
}
