/**
 * Generated from model Scenes by mtslc; do not edit.
 *
 * The network as plain TensorFlow.js code: `forward` computes what the mtsl runtime's
 * interpreter computes from the same weights (keys as in its WeightStore).
 * Input [batch, 64, 64, 3] (NHWC); 10 stages in 50 instances; tasks:
 *   seg (segmentation) -> [batch, 64, 64, 6]
 *   depth (depth) -> [batch, 64, 64, 1]
 *   normal (normals) -> [batch, 64, 64, 3]
 *   edge (edges) -> [batch, 64, 64, 1]
 *   ae (reconstruction) -> [batch, 64, 64, 3]
 */
import * as tf from "@tensorflow/tfjs";

/** The model's name in its `.mtsl` file. */
export const modelName = "Scenes";

/** The input's shape without the batch dimension: [height, width, channels] (NHWC). */
export const inputShape = [64, 64, 3] as const;

/** The tasks in declaration order; `forward` returns one output for each. */
export const taskNames = ["seg", "depth", "normal", "edge", "ae"] as const;

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
  { key: "stem@seg/0.kernel", shape: [3, 3, 3, 16], trainable: true },
  { key: "stem@seg/0.bias", shape: [16], trainable: true },
  { key: "stem@seg/1.gamma", shape: [16], trainable: true },
  { key: "stem@seg/1.beta", shape: [16], trainable: true },
  { key: "stem@seg/1.moving_mean", shape: [16], trainable: false },
  { key: "stem@seg/1.moving_variance", shape: [16], trainable: false },
  { key: "stem@depth/0.kernel", shape: [3, 3, 3, 16], trainable: true },
  { key: "stem@depth/0.bias", shape: [16], trainable: true },
  { key: "stem@depth/1.gamma", shape: [16], trainable: true },
  { key: "stem@depth/1.beta", shape: [16], trainable: true },
  { key: "stem@depth/1.moving_mean", shape: [16], trainable: false },
  { key: "stem@depth/1.moving_variance", shape: [16], trainable: false },
  { key: "stem@normal/0.kernel", shape: [3, 3, 3, 16], trainable: true },
  { key: "stem@normal/0.bias", shape: [16], trainable: true },
  { key: "stem@normal/1.gamma", shape: [16], trainable: true },
  { key: "stem@normal/1.beta", shape: [16], trainable: true },
  { key: "stem@normal/1.moving_mean", shape: [16], trainable: false },
  { key: "stem@normal/1.moving_variance", shape: [16], trainable: false },
  { key: "stem@edge/0.kernel", shape: [3, 3, 3, 16], trainable: true },
  { key: "stem@edge/0.bias", shape: [16], trainable: true },
  { key: "stem@edge/1.gamma", shape: [16], trainable: true },
  { key: "stem@edge/1.beta", shape: [16], trainable: true },
  { key: "stem@edge/1.moving_mean", shape: [16], trainable: false },
  { key: "stem@edge/1.moving_variance", shape: [16], trainable: false },
  { key: "stem@ae/0.kernel", shape: [3, 3, 3, 16], trainable: true },
  { key: "stem@ae/0.bias", shape: [16], trainable: true },
  { key: "stem@ae/1.gamma", shape: [16], trainable: true },
  { key: "stem@ae/1.beta", shape: [16], trainable: true },
  { key: "stem@ae/1.moving_mean", shape: [16], trainable: false },
  { key: "stem@ae/1.moving_variance", shape: [16], trainable: false },
  { key: "enc1@seg/0.conv1.kernel", shape: [3, 3, 16, 16], trainable: true },
  { key: "enc1@seg/0.bn1.gamma", shape: [16], trainable: true },
  { key: "enc1@seg/0.bn1.beta", shape: [16], trainable: true },
  { key: "enc1@seg/0.bn1.moving_mean", shape: [16], trainable: false },
  { key: "enc1@seg/0.bn1.moving_variance", shape: [16], trainable: false },
  { key: "enc1@seg/0.conv2.kernel", shape: [3, 3, 16, 16], trainable: true },
  { key: "enc1@seg/0.bn2.gamma", shape: [16], trainable: true },
  { key: "enc1@seg/0.bn2.beta", shape: [16], trainable: true },
  { key: "enc1@seg/0.bn2.moving_mean", shape: [16], trainable: false },
  { key: "enc1@seg/0.bn2.moving_variance", shape: [16], trainable: false },
  { key: "enc1@depth/0.conv1.kernel", shape: [3, 3, 16, 16], trainable: true },
  { key: "enc1@depth/0.bn1.gamma", shape: [16], trainable: true },
  { key: "enc1@depth/0.bn1.beta", shape: [16], trainable: true },
  { key: "enc1@depth/0.bn1.moving_mean", shape: [16], trainable: false },
  { key: "enc1@depth/0.bn1.moving_variance", shape: [16], trainable: false },
  { key: "enc1@depth/0.conv2.kernel", shape: [3, 3, 16, 16], trainable: true },
  { key: "enc1@depth/0.bn2.gamma", shape: [16], trainable: true },
  { key: "enc1@depth/0.bn2.beta", shape: [16], trainable: true },
  { key: "enc1@depth/0.bn2.moving_mean", shape: [16], trainable: false },
  { key: "enc1@depth/0.bn2.moving_variance", shape: [16], trainable: false },
  { key: "enc1@normal/0.conv1.kernel", shape: [3, 3, 16, 16], trainable: true },
  { key: "enc1@normal/0.bn1.gamma", shape: [16], trainable: true },
  { key: "enc1@normal/0.bn1.beta", shape: [16], trainable: true },
  { key: "enc1@normal/0.bn1.moving_mean", shape: [16], trainable: false },
  { key: "enc1@normal/0.bn1.moving_variance", shape: [16], trainable: false },
  { key: "enc1@normal/0.conv2.kernel", shape: [3, 3, 16, 16], trainable: true },
  { key: "enc1@normal/0.bn2.gamma", shape: [16], trainable: true },
  { key: "enc1@normal/0.bn2.beta", shape: [16], trainable: true },
  { key: "enc1@normal/0.bn2.moving_mean", shape: [16], trainable: false },
  { key: "enc1@normal/0.bn2.moving_variance", shape: [16], trainable: false },
  { key: "enc1@edge/0.conv1.kernel", shape: [3, 3, 16, 16], trainable: true },
  { key: "enc1@edge/0.bn1.gamma", shape: [16], trainable: true },
  { key: "enc1@edge/0.bn1.beta", shape: [16], trainable: true },
  { key: "enc1@edge/0.bn1.moving_mean", shape: [16], trainable: false },
  { key: "enc1@edge/0.bn1.moving_variance", shape: [16], trainable: false },
  { key: "enc1@edge/0.conv2.kernel", shape: [3, 3, 16, 16], trainable: true },
  { key: "enc1@edge/0.bn2.gamma", shape: [16], trainable: true },
  { key: "enc1@edge/0.bn2.beta", shape: [16], trainable: true },
  { key: "enc1@edge/0.bn2.moving_mean", shape: [16], trainable: false },
  { key: "enc1@edge/0.bn2.moving_variance", shape: [16], trainable: false },
  { key: "enc1@ae/0.conv1.kernel", shape: [3, 3, 16, 16], trainable: true },
  { key: "enc1@ae/0.bn1.gamma", shape: [16], trainable: true },
  { key: "enc1@ae/0.bn1.beta", shape: [16], trainable: true },
  { key: "enc1@ae/0.bn1.moving_mean", shape: [16], trainable: false },
  { key: "enc1@ae/0.bn1.moving_variance", shape: [16], trainable: false },
  { key: "enc1@ae/0.conv2.kernel", shape: [3, 3, 16, 16], trainable: true },
  { key: "enc1@ae/0.bn2.gamma", shape: [16], trainable: true },
  { key: "enc1@ae/0.bn2.beta", shape: [16], trainable: true },
  { key: "enc1@ae/0.bn2.moving_mean", shape: [16], trainable: false },
  { key: "enc1@ae/0.bn2.moving_variance", shape: [16], trainable: false },
  { key: "enc2@seg/0.conv1.kernel", shape: [3, 3, 16, 32], trainable: true },
  { key: "enc2@seg/0.bn1.gamma", shape: [32], trainable: true },
  { key: "enc2@seg/0.bn1.beta", shape: [32], trainable: true },
  { key: "enc2@seg/0.bn1.moving_mean", shape: [32], trainable: false },
  { key: "enc2@seg/0.bn1.moving_variance", shape: [32], trainable: false },
  { key: "enc2@seg/0.conv2.kernel", shape: [3, 3, 32, 32], trainable: true },
  { key: "enc2@seg/0.bn2.gamma", shape: [32], trainable: true },
  { key: "enc2@seg/0.bn2.beta", shape: [32], trainable: true },
  { key: "enc2@seg/0.bn2.moving_mean", shape: [32], trainable: false },
  { key: "enc2@seg/0.bn2.moving_variance", shape: [32], trainable: false },
  { key: "enc2@seg/0.shortcut.kernel", shape: [1, 1, 16, 32], trainable: true },
  { key: "enc2@seg/0.shortcut_bn.gamma", shape: [32], trainable: true },
  { key: "enc2@seg/0.shortcut_bn.beta", shape: [32], trainable: true },
  { key: "enc2@seg/0.shortcut_bn.moving_mean", shape: [32], trainable: false },
  { key: "enc2@seg/0.shortcut_bn.moving_variance", shape: [32], trainable: false },
  { key: "enc2@depth/0.conv1.kernel", shape: [3, 3, 16, 32], trainable: true },
  { key: "enc2@depth/0.bn1.gamma", shape: [32], trainable: true },
  { key: "enc2@depth/0.bn1.beta", shape: [32], trainable: true },
  { key: "enc2@depth/0.bn1.moving_mean", shape: [32], trainable: false },
  { key: "enc2@depth/0.bn1.moving_variance", shape: [32], trainable: false },
  { key: "enc2@depth/0.conv2.kernel", shape: [3, 3, 32, 32], trainable: true },
  { key: "enc2@depth/0.bn2.gamma", shape: [32], trainable: true },
  { key: "enc2@depth/0.bn2.beta", shape: [32], trainable: true },
  { key: "enc2@depth/0.bn2.moving_mean", shape: [32], trainable: false },
  { key: "enc2@depth/0.bn2.moving_variance", shape: [32], trainable: false },
  { key: "enc2@depth/0.shortcut.kernel", shape: [1, 1, 16, 32], trainable: true },
  { key: "enc2@depth/0.shortcut_bn.gamma", shape: [32], trainable: true },
  { key: "enc2@depth/0.shortcut_bn.beta", shape: [32], trainable: true },
  { key: "enc2@depth/0.shortcut_bn.moving_mean", shape: [32], trainable: false },
  { key: "enc2@depth/0.shortcut_bn.moving_variance", shape: [32], trainable: false },
  { key: "enc2@normal/0.conv1.kernel", shape: [3, 3, 16, 32], trainable: true },
  { key: "enc2@normal/0.bn1.gamma", shape: [32], trainable: true },
  { key: "enc2@normal/0.bn1.beta", shape: [32], trainable: true },
  { key: "enc2@normal/0.bn1.moving_mean", shape: [32], trainable: false },
  { key: "enc2@normal/0.bn1.moving_variance", shape: [32], trainable: false },
  { key: "enc2@normal/0.conv2.kernel", shape: [3, 3, 32, 32], trainable: true },
  { key: "enc2@normal/0.bn2.gamma", shape: [32], trainable: true },
  { key: "enc2@normal/0.bn2.beta", shape: [32], trainable: true },
  { key: "enc2@normal/0.bn2.moving_mean", shape: [32], trainable: false },
  { key: "enc2@normal/0.bn2.moving_variance", shape: [32], trainable: false },
  { key: "enc2@normal/0.shortcut.kernel", shape: [1, 1, 16, 32], trainable: true },
  { key: "enc2@normal/0.shortcut_bn.gamma", shape: [32], trainable: true },
  { key: "enc2@normal/0.shortcut_bn.beta", shape: [32], trainable: true },
  { key: "enc2@normal/0.shortcut_bn.moving_mean", shape: [32], trainable: false },
  { key: "enc2@normal/0.shortcut_bn.moving_variance", shape: [32], trainable: false },
  { key: "enc2@edge/0.conv1.kernel", shape: [3, 3, 16, 32], trainable: true },
  { key: "enc2@edge/0.bn1.gamma", shape: [32], trainable: true },
  { key: "enc2@edge/0.bn1.beta", shape: [32], trainable: true },
  { key: "enc2@edge/0.bn1.moving_mean", shape: [32], trainable: false },
  { key: "enc2@edge/0.bn1.moving_variance", shape: [32], trainable: false },
  { key: "enc2@edge/0.conv2.kernel", shape: [3, 3, 32, 32], trainable: true },
  { key: "enc2@edge/0.bn2.gamma", shape: [32], trainable: true },
  { key: "enc2@edge/0.bn2.beta", shape: [32], trainable: true },
  { key: "enc2@edge/0.bn2.moving_mean", shape: [32], trainable: false },
  { key: "enc2@edge/0.bn2.moving_variance", shape: [32], trainable: false },
  { key: "enc2@edge/0.shortcut.kernel", shape: [1, 1, 16, 32], trainable: true },
  { key: "enc2@edge/0.shortcut_bn.gamma", shape: [32], trainable: true },
  { key: "enc2@edge/0.shortcut_bn.beta", shape: [32], trainable: true },
  { key: "enc2@edge/0.shortcut_bn.moving_mean", shape: [32], trainable: false },
  { key: "enc2@edge/0.shortcut_bn.moving_variance", shape: [32], trainable: false },
  { key: "enc2@ae/0.conv1.kernel", shape: [3, 3, 16, 32], trainable: true },
  { key: "enc2@ae/0.bn1.gamma", shape: [32], trainable: true },
  { key: "enc2@ae/0.bn1.beta", shape: [32], trainable: true },
  { key: "enc2@ae/0.bn1.moving_mean", shape: [32], trainable: false },
  { key: "enc2@ae/0.bn1.moving_variance", shape: [32], trainable: false },
  { key: "enc2@ae/0.conv2.kernel", shape: [3, 3, 32, 32], trainable: true },
  { key: "enc2@ae/0.bn2.gamma", shape: [32], trainable: true },
  { key: "enc2@ae/0.bn2.beta", shape: [32], trainable: true },
  { key: "enc2@ae/0.bn2.moving_mean", shape: [32], trainable: false },
  { key: "enc2@ae/0.bn2.moving_variance", shape: [32], trainable: false },
  { key: "enc2@ae/0.shortcut.kernel", shape: [1, 1, 16, 32], trainable: true },
  { key: "enc2@ae/0.shortcut_bn.gamma", shape: [32], trainable: true },
  { key: "enc2@ae/0.shortcut_bn.beta", shape: [32], trainable: true },
  { key: "enc2@ae/0.shortcut_bn.moving_mean", shape: [32], trainable: false },
  { key: "enc2@ae/0.shortcut_bn.moving_variance", shape: [32], trainable: false },
  { key: "enc3@seg/0.conv1.kernel", shape: [3, 3, 32, 64], trainable: true },
  { key: "enc3@seg/0.bn1.gamma", shape: [64], trainable: true },
  { key: "enc3@seg/0.bn1.beta", shape: [64], trainable: true },
  { key: "enc3@seg/0.bn1.moving_mean", shape: [64], trainable: false },
  { key: "enc3@seg/0.bn1.moving_variance", shape: [64], trainable: false },
  { key: "enc3@seg/0.conv2.kernel", shape: [3, 3, 64, 64], trainable: true },
  { key: "enc3@seg/0.bn2.gamma", shape: [64], trainable: true },
  { key: "enc3@seg/0.bn2.beta", shape: [64], trainable: true },
  { key: "enc3@seg/0.bn2.moving_mean", shape: [64], trainable: false },
  { key: "enc3@seg/0.bn2.moving_variance", shape: [64], trainable: false },
  { key: "enc3@seg/0.shortcut.kernel", shape: [1, 1, 32, 64], trainable: true },
  { key: "enc3@seg/0.shortcut_bn.gamma", shape: [64], trainable: true },
  { key: "enc3@seg/0.shortcut_bn.beta", shape: [64], trainable: true },
  { key: "enc3@seg/0.shortcut_bn.moving_mean", shape: [64], trainable: false },
  { key: "enc3@seg/0.shortcut_bn.moving_variance", shape: [64], trainable: false },
  { key: "enc3@depth/0.conv1.kernel", shape: [3, 3, 32, 64], trainable: true },
  { key: "enc3@depth/0.bn1.gamma", shape: [64], trainable: true },
  { key: "enc3@depth/0.bn1.beta", shape: [64], trainable: true },
  { key: "enc3@depth/0.bn1.moving_mean", shape: [64], trainable: false },
  { key: "enc3@depth/0.bn1.moving_variance", shape: [64], trainable: false },
  { key: "enc3@depth/0.conv2.kernel", shape: [3, 3, 64, 64], trainable: true },
  { key: "enc3@depth/0.bn2.gamma", shape: [64], trainable: true },
  { key: "enc3@depth/0.bn2.beta", shape: [64], trainable: true },
  { key: "enc3@depth/0.bn2.moving_mean", shape: [64], trainable: false },
  { key: "enc3@depth/0.bn2.moving_variance", shape: [64], trainable: false },
  { key: "enc3@depth/0.shortcut.kernel", shape: [1, 1, 32, 64], trainable: true },
  { key: "enc3@depth/0.shortcut_bn.gamma", shape: [64], trainable: true },
  { key: "enc3@depth/0.shortcut_bn.beta", shape: [64], trainable: true },
  { key: "enc3@depth/0.shortcut_bn.moving_mean", shape: [64], trainable: false },
  { key: "enc3@depth/0.shortcut_bn.moving_variance", shape: [64], trainable: false },
  { key: "enc3@normal/0.conv1.kernel", shape: [3, 3, 32, 64], trainable: true },
  { key: "enc3@normal/0.bn1.gamma", shape: [64], trainable: true },
  { key: "enc3@normal/0.bn1.beta", shape: [64], trainable: true },
  { key: "enc3@normal/0.bn1.moving_mean", shape: [64], trainable: false },
  { key: "enc3@normal/0.bn1.moving_variance", shape: [64], trainable: false },
  { key: "enc3@normal/0.conv2.kernel", shape: [3, 3, 64, 64], trainable: true },
  { key: "enc3@normal/0.bn2.gamma", shape: [64], trainable: true },
  { key: "enc3@normal/0.bn2.beta", shape: [64], trainable: true },
  { key: "enc3@normal/0.bn2.moving_mean", shape: [64], trainable: false },
  { key: "enc3@normal/0.bn2.moving_variance", shape: [64], trainable: false },
  { key: "enc3@normal/0.shortcut.kernel", shape: [1, 1, 32, 64], trainable: true },
  { key: "enc3@normal/0.shortcut_bn.gamma", shape: [64], trainable: true },
  { key: "enc3@normal/0.shortcut_bn.beta", shape: [64], trainable: true },
  { key: "enc3@normal/0.shortcut_bn.moving_mean", shape: [64], trainable: false },
  { key: "enc3@normal/0.shortcut_bn.moving_variance", shape: [64], trainable: false },
  { key: "enc3@edge/0.conv1.kernel", shape: [3, 3, 32, 64], trainable: true },
  { key: "enc3@edge/0.bn1.gamma", shape: [64], trainable: true },
  { key: "enc3@edge/0.bn1.beta", shape: [64], trainable: true },
  { key: "enc3@edge/0.bn1.moving_mean", shape: [64], trainable: false },
  { key: "enc3@edge/0.bn1.moving_variance", shape: [64], trainable: false },
  { key: "enc3@edge/0.conv2.kernel", shape: [3, 3, 64, 64], trainable: true },
  { key: "enc3@edge/0.bn2.gamma", shape: [64], trainable: true },
  { key: "enc3@edge/0.bn2.beta", shape: [64], trainable: true },
  { key: "enc3@edge/0.bn2.moving_mean", shape: [64], trainable: false },
  { key: "enc3@edge/0.bn2.moving_variance", shape: [64], trainable: false },
  { key: "enc3@edge/0.shortcut.kernel", shape: [1, 1, 32, 64], trainable: true },
  { key: "enc3@edge/0.shortcut_bn.gamma", shape: [64], trainable: true },
  { key: "enc3@edge/0.shortcut_bn.beta", shape: [64], trainable: true },
  { key: "enc3@edge/0.shortcut_bn.moving_mean", shape: [64], trainable: false },
  { key: "enc3@edge/0.shortcut_bn.moving_variance", shape: [64], trainable: false },
  { key: "enc3@ae/0.conv1.kernel", shape: [3, 3, 32, 64], trainable: true },
  { key: "enc3@ae/0.bn1.gamma", shape: [64], trainable: true },
  { key: "enc3@ae/0.bn1.beta", shape: [64], trainable: true },
  { key: "enc3@ae/0.bn1.moving_mean", shape: [64], trainable: false },
  { key: "enc3@ae/0.bn1.moving_variance", shape: [64], trainable: false },
  { key: "enc3@ae/0.conv2.kernel", shape: [3, 3, 64, 64], trainable: true },
  { key: "enc3@ae/0.bn2.gamma", shape: [64], trainable: true },
  { key: "enc3@ae/0.bn2.beta", shape: [64], trainable: true },
  { key: "enc3@ae/0.bn2.moving_mean", shape: [64], trainable: false },
  { key: "enc3@ae/0.bn2.moving_variance", shape: [64], trainable: false },
  { key: "enc3@ae/0.shortcut.kernel", shape: [1, 1, 32, 64], trainable: true },
  { key: "enc3@ae/0.shortcut_bn.gamma", shape: [64], trainable: true },
  { key: "enc3@ae/0.shortcut_bn.beta", shape: [64], trainable: true },
  { key: "enc3@ae/0.shortcut_bn.moving_mean", shape: [64], trainable: false },
  { key: "enc3@ae/0.shortcut_bn.moving_variance", shape: [64], trainable: false },
  { key: "enc4@seg/0.conv1.kernel", shape: [3, 3, 64, 128], trainable: true },
  { key: "enc4@seg/0.bn1.gamma", shape: [128], trainable: true },
  { key: "enc4@seg/0.bn1.beta", shape: [128], trainable: true },
  { key: "enc4@seg/0.bn1.moving_mean", shape: [128], trainable: false },
  { key: "enc4@seg/0.bn1.moving_variance", shape: [128], trainable: false },
  { key: "enc4@seg/0.conv2.kernel", shape: [3, 3, 128, 128], trainable: true },
  { key: "enc4@seg/0.bn2.gamma", shape: [128], trainable: true },
  { key: "enc4@seg/0.bn2.beta", shape: [128], trainable: true },
  { key: "enc4@seg/0.bn2.moving_mean", shape: [128], trainable: false },
  { key: "enc4@seg/0.bn2.moving_variance", shape: [128], trainable: false },
  { key: "enc4@seg/0.shortcut.kernel", shape: [1, 1, 64, 128], trainable: true },
  { key: "enc4@seg/0.shortcut_bn.gamma", shape: [128], trainable: true },
  { key: "enc4@seg/0.shortcut_bn.beta", shape: [128], trainable: true },
  { key: "enc4@seg/0.shortcut_bn.moving_mean", shape: [128], trainable: false },
  { key: "enc4@seg/0.shortcut_bn.moving_variance", shape: [128], trainable: false },
  { key: "enc4@depth/0.conv1.kernel", shape: [3, 3, 64, 128], trainable: true },
  { key: "enc4@depth/0.bn1.gamma", shape: [128], trainable: true },
  { key: "enc4@depth/0.bn1.beta", shape: [128], trainable: true },
  { key: "enc4@depth/0.bn1.moving_mean", shape: [128], trainable: false },
  { key: "enc4@depth/0.bn1.moving_variance", shape: [128], trainable: false },
  { key: "enc4@depth/0.conv2.kernel", shape: [3, 3, 128, 128], trainable: true },
  { key: "enc4@depth/0.bn2.gamma", shape: [128], trainable: true },
  { key: "enc4@depth/0.bn2.beta", shape: [128], trainable: true },
  { key: "enc4@depth/0.bn2.moving_mean", shape: [128], trainable: false },
  { key: "enc4@depth/0.bn2.moving_variance", shape: [128], trainable: false },
  { key: "enc4@depth/0.shortcut.kernel", shape: [1, 1, 64, 128], trainable: true },
  { key: "enc4@depth/0.shortcut_bn.gamma", shape: [128], trainable: true },
  { key: "enc4@depth/0.shortcut_bn.beta", shape: [128], trainable: true },
  { key: "enc4@depth/0.shortcut_bn.moving_mean", shape: [128], trainable: false },
  { key: "enc4@depth/0.shortcut_bn.moving_variance", shape: [128], trainable: false },
  { key: "enc4@normal/0.conv1.kernel", shape: [3, 3, 64, 128], trainable: true },
  { key: "enc4@normal/0.bn1.gamma", shape: [128], trainable: true },
  { key: "enc4@normal/0.bn1.beta", shape: [128], trainable: true },
  { key: "enc4@normal/0.bn1.moving_mean", shape: [128], trainable: false },
  { key: "enc4@normal/0.bn1.moving_variance", shape: [128], trainable: false },
  { key: "enc4@normal/0.conv2.kernel", shape: [3, 3, 128, 128], trainable: true },
  { key: "enc4@normal/0.bn2.gamma", shape: [128], trainable: true },
  { key: "enc4@normal/0.bn2.beta", shape: [128], trainable: true },
  { key: "enc4@normal/0.bn2.moving_mean", shape: [128], trainable: false },
  { key: "enc4@normal/0.bn2.moving_variance", shape: [128], trainable: false },
  { key: "enc4@normal/0.shortcut.kernel", shape: [1, 1, 64, 128], trainable: true },
  { key: "enc4@normal/0.shortcut_bn.gamma", shape: [128], trainable: true },
  { key: "enc4@normal/0.shortcut_bn.beta", shape: [128], trainable: true },
  { key: "enc4@normal/0.shortcut_bn.moving_mean", shape: [128], trainable: false },
  { key: "enc4@normal/0.shortcut_bn.moving_variance", shape: [128], trainable: false },
  { key: "enc4@edge/0.conv1.kernel", shape: [3, 3, 64, 128], trainable: true },
  { key: "enc4@edge/0.bn1.gamma", shape: [128], trainable: true },
  { key: "enc4@edge/0.bn1.beta", shape: [128], trainable: true },
  { key: "enc4@edge/0.bn1.moving_mean", shape: [128], trainable: false },
  { key: "enc4@edge/0.bn1.moving_variance", shape: [128], trainable: false },
  { key: "enc4@edge/0.conv2.kernel", shape: [3, 3, 128, 128], trainable: true },
  { key: "enc4@edge/0.bn2.gamma", shape: [128], trainable: true },
  { key: "enc4@edge/0.bn2.beta", shape: [128], trainable: true },
  { key: "enc4@edge/0.bn2.moving_mean", shape: [128], trainable: false },
  { key: "enc4@edge/0.bn2.moving_variance", shape: [128], trainable: false },
  { key: "enc4@edge/0.shortcut.kernel", shape: [1, 1, 64, 128], trainable: true },
  { key: "enc4@edge/0.shortcut_bn.gamma", shape: [128], trainable: true },
  { key: "enc4@edge/0.shortcut_bn.beta", shape: [128], trainable: true },
  { key: "enc4@edge/0.shortcut_bn.moving_mean", shape: [128], trainable: false },
  { key: "enc4@edge/0.shortcut_bn.moving_variance", shape: [128], trainable: false },
  { key: "enc4@ae/0.conv1.kernel", shape: [3, 3, 64, 128], trainable: true },
  { key: "enc4@ae/0.bn1.gamma", shape: [128], trainable: true },
  { key: "enc4@ae/0.bn1.beta", shape: [128], trainable: true },
  { key: "enc4@ae/0.bn1.moving_mean", shape: [128], trainable: false },
  { key: "enc4@ae/0.bn1.moving_variance", shape: [128], trainable: false },
  { key: "enc4@ae/0.conv2.kernel", shape: [3, 3, 128, 128], trainable: true },
  { key: "enc4@ae/0.bn2.gamma", shape: [128], trainable: true },
  { key: "enc4@ae/0.bn2.beta", shape: [128], trainable: true },
  { key: "enc4@ae/0.bn2.moving_mean", shape: [128], trainable: false },
  { key: "enc4@ae/0.bn2.moving_variance", shape: [128], trainable: false },
  { key: "enc4@ae/0.shortcut.kernel", shape: [1, 1, 64, 128], trainable: true },
  { key: "enc4@ae/0.shortcut_bn.gamma", shape: [128], trainable: true },
  { key: "enc4@ae/0.shortcut_bn.beta", shape: [128], trainable: true },
  { key: "enc4@ae/0.shortcut_bn.moving_mean", shape: [128], trainable: false },
  { key: "enc4@ae/0.shortcut_bn.moving_variance", shape: [128], trainable: false },
  { key: "enc5@seg/0.conv1.kernel", shape: [3, 3, 128, 128], trainable: true },
  { key: "enc5@seg/0.bn1.gamma", shape: [128], trainable: true },
  { key: "enc5@seg/0.bn1.beta", shape: [128], trainable: true },
  { key: "enc5@seg/0.bn1.moving_mean", shape: [128], trainable: false },
  { key: "enc5@seg/0.bn1.moving_variance", shape: [128], trainable: false },
  { key: "enc5@seg/0.conv2.kernel", shape: [3, 3, 128, 128], trainable: true },
  { key: "enc5@seg/0.bn2.gamma", shape: [128], trainable: true },
  { key: "enc5@seg/0.bn2.beta", shape: [128], trainable: true },
  { key: "enc5@seg/0.bn2.moving_mean", shape: [128], trainable: false },
  { key: "enc5@seg/0.bn2.moving_variance", shape: [128], trainable: false },
  { key: "enc5@seg/0.shortcut.kernel", shape: [1, 1, 128, 128], trainable: true },
  { key: "enc5@seg/0.shortcut_bn.gamma", shape: [128], trainable: true },
  { key: "enc5@seg/0.shortcut_bn.beta", shape: [128], trainable: true },
  { key: "enc5@seg/0.shortcut_bn.moving_mean", shape: [128], trainable: false },
  { key: "enc5@seg/0.shortcut_bn.moving_variance", shape: [128], trainable: false },
  { key: "enc5@depth/0.conv1.kernel", shape: [3, 3, 128, 128], trainable: true },
  { key: "enc5@depth/0.bn1.gamma", shape: [128], trainable: true },
  { key: "enc5@depth/0.bn1.beta", shape: [128], trainable: true },
  { key: "enc5@depth/0.bn1.moving_mean", shape: [128], trainable: false },
  { key: "enc5@depth/0.bn1.moving_variance", shape: [128], trainable: false },
  { key: "enc5@depth/0.conv2.kernel", shape: [3, 3, 128, 128], trainable: true },
  { key: "enc5@depth/0.bn2.gamma", shape: [128], trainable: true },
  { key: "enc5@depth/0.bn2.beta", shape: [128], trainable: true },
  { key: "enc5@depth/0.bn2.moving_mean", shape: [128], trainable: false },
  { key: "enc5@depth/0.bn2.moving_variance", shape: [128], trainable: false },
  { key: "enc5@depth/0.shortcut.kernel", shape: [1, 1, 128, 128], trainable: true },
  { key: "enc5@depth/0.shortcut_bn.gamma", shape: [128], trainable: true },
  { key: "enc5@depth/0.shortcut_bn.beta", shape: [128], trainable: true },
  { key: "enc5@depth/0.shortcut_bn.moving_mean", shape: [128], trainable: false },
  { key: "enc5@depth/0.shortcut_bn.moving_variance", shape: [128], trainable: false },
  { key: "enc5@normal/0.conv1.kernel", shape: [3, 3, 128, 128], trainable: true },
  { key: "enc5@normal/0.bn1.gamma", shape: [128], trainable: true },
  { key: "enc5@normal/0.bn1.beta", shape: [128], trainable: true },
  { key: "enc5@normal/0.bn1.moving_mean", shape: [128], trainable: false },
  { key: "enc5@normal/0.bn1.moving_variance", shape: [128], trainable: false },
  { key: "enc5@normal/0.conv2.kernel", shape: [3, 3, 128, 128], trainable: true },
  { key: "enc5@normal/0.bn2.gamma", shape: [128], trainable: true },
  { key: "enc5@normal/0.bn2.beta", shape: [128], trainable: true },
  { key: "enc5@normal/0.bn2.moving_mean", shape: [128], trainable: false },
  { key: "enc5@normal/0.bn2.moving_variance", shape: [128], trainable: false },
  { key: "enc5@normal/0.shortcut.kernel", shape: [1, 1, 128, 128], trainable: true },
  { key: "enc5@normal/0.shortcut_bn.gamma", shape: [128], trainable: true },
  { key: "enc5@normal/0.shortcut_bn.beta", shape: [128], trainable: true },
  { key: "enc5@normal/0.shortcut_bn.moving_mean", shape: [128], trainable: false },
  { key: "enc5@normal/0.shortcut_bn.moving_variance", shape: [128], trainable: false },
  { key: "enc5@edge/0.conv1.kernel", shape: [3, 3, 128, 128], trainable: true },
  { key: "enc5@edge/0.bn1.gamma", shape: [128], trainable: true },
  { key: "enc5@edge/0.bn1.beta", shape: [128], trainable: true },
  { key: "enc5@edge/0.bn1.moving_mean", shape: [128], trainable: false },
  { key: "enc5@edge/0.bn1.moving_variance", shape: [128], trainable: false },
  { key: "enc5@edge/0.conv2.kernel", shape: [3, 3, 128, 128], trainable: true },
  { key: "enc5@edge/0.bn2.gamma", shape: [128], trainable: true },
  { key: "enc5@edge/0.bn2.beta", shape: [128], trainable: true },
  { key: "enc5@edge/0.bn2.moving_mean", shape: [128], trainable: false },
  { key: "enc5@edge/0.bn2.moving_variance", shape: [128], trainable: false },
  { key: "enc5@edge/0.shortcut.kernel", shape: [1, 1, 128, 128], trainable: true },
  { key: "enc5@edge/0.shortcut_bn.gamma", shape: [128], trainable: true },
  { key: "enc5@edge/0.shortcut_bn.beta", shape: [128], trainable: true },
  { key: "enc5@edge/0.shortcut_bn.moving_mean", shape: [128], trainable: false },
  { key: "enc5@edge/0.shortcut_bn.moving_variance", shape: [128], trainable: false },
  { key: "enc5@ae/0.conv1.kernel", shape: [3, 3, 128, 128], trainable: true },
  { key: "enc5@ae/0.bn1.gamma", shape: [128], trainable: true },
  { key: "enc5@ae/0.bn1.beta", shape: [128], trainable: true },
  { key: "enc5@ae/0.bn1.moving_mean", shape: [128], trainable: false },
  { key: "enc5@ae/0.bn1.moving_variance", shape: [128], trainable: false },
  { key: "enc5@ae/0.conv2.kernel", shape: [3, 3, 128, 128], trainable: true },
  { key: "enc5@ae/0.bn2.gamma", shape: [128], trainable: true },
  { key: "enc5@ae/0.bn2.beta", shape: [128], trainable: true },
  { key: "enc5@ae/0.bn2.moving_mean", shape: [128], trainable: false },
  { key: "enc5@ae/0.bn2.moving_variance", shape: [128], trainable: false },
  { key: "enc5@ae/0.shortcut.kernel", shape: [1, 1, 128, 128], trainable: true },
  { key: "enc5@ae/0.shortcut_bn.gamma", shape: [128], trainable: true },
  { key: "enc5@ae/0.shortcut_bn.beta", shape: [128], trainable: true },
  { key: "enc5@ae/0.shortcut_bn.moving_mean", shape: [128], trainable: false },
  { key: "enc5@ae/0.shortcut_bn.moving_variance", shape: [128], trainable: false },
  { key: "dec1@seg/2.kernel", shape: [3, 3, 256, 128], trainable: true },
  { key: "dec1@seg/2.bias", shape: [128], trainable: true },
  { key: "dec1@seg/3.gamma", shape: [128], trainable: true },
  { key: "dec1@seg/3.beta", shape: [128], trainable: true },
  { key: "dec1@seg/3.moving_mean", shape: [128], trainable: false },
  { key: "dec1@seg/3.moving_variance", shape: [128], trainable: false },
  { key: "dec1@depth/2.kernel", shape: [3, 3, 256, 128], trainable: true },
  { key: "dec1@depth/2.bias", shape: [128], trainable: true },
  { key: "dec1@depth/3.gamma", shape: [128], trainable: true },
  { key: "dec1@depth/3.beta", shape: [128], trainable: true },
  { key: "dec1@depth/3.moving_mean", shape: [128], trainable: false },
  { key: "dec1@depth/3.moving_variance", shape: [128], trainable: false },
  { key: "dec1@normal/2.kernel", shape: [3, 3, 256, 128], trainable: true },
  { key: "dec1@normal/2.bias", shape: [128], trainable: true },
  { key: "dec1@normal/3.gamma", shape: [128], trainable: true },
  { key: "dec1@normal/3.beta", shape: [128], trainable: true },
  { key: "dec1@normal/3.moving_mean", shape: [128], trainable: false },
  { key: "dec1@normal/3.moving_variance", shape: [128], trainable: false },
  { key: "dec1@edge/2.kernel", shape: [3, 3, 256, 128], trainable: true },
  { key: "dec1@edge/2.bias", shape: [128], trainable: true },
  { key: "dec1@edge/3.gamma", shape: [128], trainable: true },
  { key: "dec1@edge/3.beta", shape: [128], trainable: true },
  { key: "dec1@edge/3.moving_mean", shape: [128], trainable: false },
  { key: "dec1@edge/3.moving_variance", shape: [128], trainable: false },
  { key: "dec1@ae/2.kernel", shape: [3, 3, 256, 128], trainable: true },
  { key: "dec1@ae/2.bias", shape: [128], trainable: true },
  { key: "dec1@ae/3.gamma", shape: [128], trainable: true },
  { key: "dec1@ae/3.beta", shape: [128], trainable: true },
  { key: "dec1@ae/3.moving_mean", shape: [128], trainable: false },
  { key: "dec1@ae/3.moving_variance", shape: [128], trainable: false },
  { key: "dec2@seg/2.kernel", shape: [3, 3, 192, 64], trainable: true },
  { key: "dec2@seg/2.bias", shape: [64], trainable: true },
  { key: "dec2@seg/3.gamma", shape: [64], trainable: true },
  { key: "dec2@seg/3.beta", shape: [64], trainable: true },
  { key: "dec2@seg/3.moving_mean", shape: [64], trainable: false },
  { key: "dec2@seg/3.moving_variance", shape: [64], trainable: false },
  { key: "dec2@depth/2.kernel", shape: [3, 3, 192, 64], trainable: true },
  { key: "dec2@depth/2.bias", shape: [64], trainable: true },
  { key: "dec2@depth/3.gamma", shape: [64], trainable: true },
  { key: "dec2@depth/3.beta", shape: [64], trainable: true },
  { key: "dec2@depth/3.moving_mean", shape: [64], trainable: false },
  { key: "dec2@depth/3.moving_variance", shape: [64], trainable: false },
  { key: "dec2@normal/2.kernel", shape: [3, 3, 192, 64], trainable: true },
  { key: "dec2@normal/2.bias", shape: [64], trainable: true },
  { key: "dec2@normal/3.gamma", shape: [64], trainable: true },
  { key: "dec2@normal/3.beta", shape: [64], trainable: true },
  { key: "dec2@normal/3.moving_mean", shape: [64], trainable: false },
  { key: "dec2@normal/3.moving_variance", shape: [64], trainable: false },
  { key: "dec2@edge/2.kernel", shape: [3, 3, 192, 64], trainable: true },
  { key: "dec2@edge/2.bias", shape: [64], trainable: true },
  { key: "dec2@edge/3.gamma", shape: [64], trainable: true },
  { key: "dec2@edge/3.beta", shape: [64], trainable: true },
  { key: "dec2@edge/3.moving_mean", shape: [64], trainable: false },
  { key: "dec2@edge/3.moving_variance", shape: [64], trainable: false },
  { key: "dec2@ae/2.kernel", shape: [3, 3, 192, 64], trainable: true },
  { key: "dec2@ae/2.bias", shape: [64], trainable: true },
  { key: "dec2@ae/3.gamma", shape: [64], trainable: true },
  { key: "dec2@ae/3.beta", shape: [64], trainable: true },
  { key: "dec2@ae/3.moving_mean", shape: [64], trainable: false },
  { key: "dec2@ae/3.moving_variance", shape: [64], trainable: false },
  { key: "dec3@seg/2.kernel", shape: [3, 3, 96, 32], trainable: true },
  { key: "dec3@seg/2.bias", shape: [32], trainable: true },
  { key: "dec3@seg/3.gamma", shape: [32], trainable: true },
  { key: "dec3@seg/3.beta", shape: [32], trainable: true },
  { key: "dec3@seg/3.moving_mean", shape: [32], trainable: false },
  { key: "dec3@seg/3.moving_variance", shape: [32], trainable: false },
  { key: "dec3@depth/2.kernel", shape: [3, 3, 96, 32], trainable: true },
  { key: "dec3@depth/2.bias", shape: [32], trainable: true },
  { key: "dec3@depth/3.gamma", shape: [32], trainable: true },
  { key: "dec3@depth/3.beta", shape: [32], trainable: true },
  { key: "dec3@depth/3.moving_mean", shape: [32], trainable: false },
  { key: "dec3@depth/3.moving_variance", shape: [32], trainable: false },
  { key: "dec3@normal/2.kernel", shape: [3, 3, 96, 32], trainable: true },
  { key: "dec3@normal/2.bias", shape: [32], trainable: true },
  { key: "dec3@normal/3.gamma", shape: [32], trainable: true },
  { key: "dec3@normal/3.beta", shape: [32], trainable: true },
  { key: "dec3@normal/3.moving_mean", shape: [32], trainable: false },
  { key: "dec3@normal/3.moving_variance", shape: [32], trainable: false },
  { key: "dec3@edge/2.kernel", shape: [3, 3, 96, 32], trainable: true },
  { key: "dec3@edge/2.bias", shape: [32], trainable: true },
  { key: "dec3@edge/3.gamma", shape: [32], trainable: true },
  { key: "dec3@edge/3.beta", shape: [32], trainable: true },
  { key: "dec3@edge/3.moving_mean", shape: [32], trainable: false },
  { key: "dec3@edge/3.moving_variance", shape: [32], trainable: false },
  { key: "dec3@ae/2.kernel", shape: [3, 3, 96, 32], trainable: true },
  { key: "dec3@ae/2.bias", shape: [32], trainable: true },
  { key: "dec3@ae/3.gamma", shape: [32], trainable: true },
  { key: "dec3@ae/3.beta", shape: [32], trainable: true },
  { key: "dec3@ae/3.moving_mean", shape: [32], trainable: false },
  { key: "dec3@ae/3.moving_variance", shape: [32], trainable: false },
  { key: "dec4@seg/2.kernel", shape: [3, 3, 48, 16], trainable: true },
  { key: "dec4@seg/2.bias", shape: [16], trainable: true },
  { key: "dec4@seg/3.gamma", shape: [16], trainable: true },
  { key: "dec4@seg/3.beta", shape: [16], trainable: true },
  { key: "dec4@seg/3.moving_mean", shape: [16], trainable: false },
  { key: "dec4@seg/3.moving_variance", shape: [16], trainable: false },
  { key: "dec4@depth/2.kernel", shape: [3, 3, 48, 16], trainable: true },
  { key: "dec4@depth/2.bias", shape: [16], trainable: true },
  { key: "dec4@depth/3.gamma", shape: [16], trainable: true },
  { key: "dec4@depth/3.beta", shape: [16], trainable: true },
  { key: "dec4@depth/3.moving_mean", shape: [16], trainable: false },
  { key: "dec4@depth/3.moving_variance", shape: [16], trainable: false },
  { key: "dec4@normal/2.kernel", shape: [3, 3, 48, 16], trainable: true },
  { key: "dec4@normal/2.bias", shape: [16], trainable: true },
  { key: "dec4@normal/3.gamma", shape: [16], trainable: true },
  { key: "dec4@normal/3.beta", shape: [16], trainable: true },
  { key: "dec4@normal/3.moving_mean", shape: [16], trainable: false },
  { key: "dec4@normal/3.moving_variance", shape: [16], trainable: false },
  { key: "dec4@edge/2.kernel", shape: [3, 3, 48, 16], trainable: true },
  { key: "dec4@edge/2.bias", shape: [16], trainable: true },
  { key: "dec4@edge/3.gamma", shape: [16], trainable: true },
  { key: "dec4@edge/3.beta", shape: [16], trainable: true },
  { key: "dec4@edge/3.moving_mean", shape: [16], trainable: false },
  { key: "dec4@edge/3.moving_variance", shape: [16], trainable: false },
  { key: "dec4@ae/2.kernel", shape: [3, 3, 48, 16], trainable: true },
  { key: "dec4@ae/2.bias", shape: [16], trainable: true },
  { key: "dec4@ae/3.gamma", shape: [16], trainable: true },
  { key: "dec4@ae/3.beta", shape: [16], trainable: true },
  { key: "dec4@ae/3.moving_mean", shape: [16], trainable: false },
  { key: "dec4@ae/3.moving_variance", shape: [16], trainable: false },
  { key: "head@seg/1.kernel", shape: [1, 1, 16, 6], trainable: true },
  { key: "head@seg/1.bias", shape: [6], trainable: true },
  { key: "head@depth/1.kernel", shape: [1, 1, 16, 1], trainable: true },
  { key: "head@depth/1.bias", shape: [1], trainable: true },
  { key: "head@normal/1.kernel", shape: [1, 1, 16, 3], trainable: true },
  { key: "head@normal/1.bias", shape: [3], trainable: true },
  { key: "head@edge/1.kernel", shape: [1, 1, 16, 1], trainable: true },
  { key: "head@edge/1.bias", shape: [1], trainable: true },
  { key: "head@ae/1.kernel", shape: [1, 1, 16, 3], trainable: true },
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

/** The outputs of Scenes: one tensor per task, batch first. */
export interface ScenesOutputs {
  /**
   * `[batch, 64, 64, 6]`: segmentation logits for 6 classes.
   * Task seg, kind segmentation, loss ce.
   */
  readonly seg: tf.Tensor4D;
  /**
   * `[batch, 64, 64, 1]`: depth per pixel.
   * Task depth, kind depth, loss rmse.
   */
  readonly depth: tf.Tensor4D;
  /**
   * `[batch, 64, 64, 3]`: surface normals per pixel (x, y, z; not normalised).
   * Task normal, kind normals, loss l1_unit.
   */
  readonly normal: tf.Tensor4D;
  /**
   * `[batch, 64, 64, 1]`: semantic-edge logits per pixel.
   * Task edge, kind edges, loss bce.
   */
  readonly edge: tf.Tensor4D;
  /**
   * `[batch, 64, 64, 3]`: reconstruction of the input image.
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
 * Runs Scenes on a batch of images [batch, 64, 64, 3] and returns one output per task.
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
): ScenesOutputs {
  checkInput(input);
  const run = makeRun(weights, options);
  return tf.tidy(() => {
    // stem@seg: stage stem, tasks seg; reads input -> [batch, 32, 32, 16]
    const stem_seg = stage_stem(run, "stem@seg", input);
    // stem@depth: stage stem, tasks depth; reads input -> [batch, 32, 32, 16]
    const stem_depth = stage_stem(run, "stem@depth", input);
    // stem@normal: stage stem, tasks normal; reads input -> [batch, 32, 32, 16]
    const stem_normal = stage_stem(run, "stem@normal", input);
    // stem@edge: stage stem, tasks edge; reads input -> [batch, 32, 32, 16]
    const stem_edge = stage_stem(run, "stem@edge", input);
    // stem@ae: stage stem, tasks ae; reads input -> [batch, 32, 32, 16]
    const stem_ae = stage_stem(run, "stem@ae", input);
    // enc1@seg: stage enc1, tasks seg; reads stem@seg -> [batch, 32, 32, 16]
    const enc1_seg = stage_enc1(run, "enc1@seg", stem_seg);
    // enc1@depth: stage enc1, tasks depth; reads stem@depth -> [batch, 32, 32, 16]
    const enc1_depth = stage_enc1(run, "enc1@depth", stem_depth);
    // enc1@normal: stage enc1, tasks normal; reads stem@normal -> [batch, 32, 32, 16]
    const enc1_normal = stage_enc1(run, "enc1@normal", stem_normal);
    // enc1@edge: stage enc1, tasks edge; reads stem@edge -> [batch, 32, 32, 16]
    const enc1_edge = stage_enc1(run, "enc1@edge", stem_edge);
    // enc1@ae: stage enc1, tasks ae; reads stem@ae -> [batch, 32, 32, 16]
    const enc1_ae = stage_enc1(run, "enc1@ae", stem_ae);
    // enc2@seg: stage enc2, tasks seg; reads enc1@seg -> [batch, 16, 16, 32]
    const enc2_seg = stage_enc2(run, "enc2@seg", enc1_seg);
    // enc2@depth: stage enc2, tasks depth; reads enc1@depth -> [batch, 16, 16, 32]
    const enc2_depth = stage_enc2(run, "enc2@depth", enc1_depth);
    // enc2@normal: stage enc2, tasks normal; reads enc1@normal -> [batch, 16, 16, 32]
    const enc2_normal = stage_enc2(run, "enc2@normal", enc1_normal);
    // enc2@edge: stage enc2, tasks edge; reads enc1@edge -> [batch, 16, 16, 32]
    const enc2_edge = stage_enc2(run, "enc2@edge", enc1_edge);
    // enc2@ae: stage enc2, tasks ae; reads enc1@ae -> [batch, 16, 16, 32]
    const enc2_ae = stage_enc2(run, "enc2@ae", enc1_ae);
    // enc3@seg: stage enc3, tasks seg; reads enc2@seg -> [batch, 8, 8, 64]
    const enc3_seg = stage_enc3(run, "enc3@seg", enc2_seg);
    // enc3@depth: stage enc3, tasks depth; reads enc2@depth -> [batch, 8, 8, 64]
    const enc3_depth = stage_enc3(run, "enc3@depth", enc2_depth);
    // enc3@normal: stage enc3, tasks normal; reads enc2@normal -> [batch, 8, 8, 64]
    const enc3_normal = stage_enc3(run, "enc3@normal", enc2_normal);
    // enc3@edge: stage enc3, tasks edge; reads enc2@edge -> [batch, 8, 8, 64]
    const enc3_edge = stage_enc3(run, "enc3@edge", enc2_edge);
    // enc3@ae: stage enc3, tasks ae; reads enc2@ae -> [batch, 8, 8, 64]
    const enc3_ae = stage_enc3(run, "enc3@ae", enc2_ae);
    // enc4@seg: stage enc4, tasks seg; reads enc3@seg -> [batch, 4, 4, 128]
    const enc4_seg = stage_enc4(run, "enc4@seg", enc3_seg);
    // enc4@depth: stage enc4, tasks depth; reads enc3@depth -> [batch, 4, 4, 128]
    const enc4_depth = stage_enc4(run, "enc4@depth", enc3_depth);
    // enc4@normal: stage enc4, tasks normal; reads enc3@normal -> [batch, 4, 4, 128]
    const enc4_normal = stage_enc4(run, "enc4@normal", enc3_normal);
    // enc4@edge: stage enc4, tasks edge; reads enc3@edge -> [batch, 4, 4, 128]
    const enc4_edge = stage_enc4(run, "enc4@edge", enc3_edge);
    // enc4@ae: stage enc4, tasks ae; reads enc3@ae -> [batch, 4, 4, 128]
    const enc4_ae = stage_enc4(run, "enc4@ae", enc3_ae);
    // enc5@seg: stage enc5, tasks seg; reads enc4@seg -> [batch, 2, 2, 128]
    const enc5_seg = stage_enc5(run, "enc5@seg", enc4_seg);
    // enc5@depth: stage enc5, tasks depth; reads enc4@depth -> [batch, 2, 2, 128]
    const enc5_depth = stage_enc5(run, "enc5@depth", enc4_depth);
    // enc5@normal: stage enc5, tasks normal; reads enc4@normal -> [batch, 2, 2, 128]
    const enc5_normal = stage_enc5(run, "enc5@normal", enc4_normal);
    // enc5@edge: stage enc5, tasks edge; reads enc4@edge -> [batch, 2, 2, 128]
    const enc5_edge = stage_enc5(run, "enc5@edge", enc4_edge);
    // enc5@ae: stage enc5, tasks ae; reads enc4@ae -> [batch, 2, 2, 128]
    const enc5_ae = stage_enc5(run, "enc5@ae", enc4_ae);
    // dec1@seg: stage dec1, tasks seg; reads enc5@seg + skip enc4@seg -> [batch, 4, 4, 128]
    const dec1_seg = stage_dec1(run, "dec1@seg", enc5_seg, enc4_seg);
    // dec1@depth: stage dec1, tasks depth; reads enc5@depth + skip enc4@depth -> [batch, 4, 4, 128]
    const dec1_depth = stage_dec1(run, "dec1@depth", enc5_depth, enc4_depth);
    // dec1@normal: stage dec1, tasks normal; reads enc5@normal + skip enc4@normal -> [batch, 4, 4, 128]
    const dec1_normal = stage_dec1(run, "dec1@normal", enc5_normal, enc4_normal);
    // dec1@edge: stage dec1, tasks edge; reads enc5@edge + skip enc4@edge -> [batch, 4, 4, 128]
    const dec1_edge = stage_dec1(run, "dec1@edge", enc5_edge, enc4_edge);
    // dec1@ae: stage dec1, tasks ae; reads enc5@ae + skip enc4@ae -> [batch, 4, 4, 128]
    const dec1_ae = stage_dec1(run, "dec1@ae", enc5_ae, enc4_ae);
    // dec2@seg: stage dec2, tasks seg; reads dec1@seg + skip enc3@seg -> [batch, 8, 8, 64]
    const dec2_seg = stage_dec2(run, "dec2@seg", dec1_seg, enc3_seg);
    // dec2@depth: stage dec2, tasks depth; reads dec1@depth + skip enc3@depth -> [batch, 8, 8, 64]
    const dec2_depth = stage_dec2(run, "dec2@depth", dec1_depth, enc3_depth);
    // dec2@normal: stage dec2, tasks normal; reads dec1@normal + skip enc3@normal -> [batch, 8, 8, 64]
    const dec2_normal = stage_dec2(run, "dec2@normal", dec1_normal, enc3_normal);
    // dec2@edge: stage dec2, tasks edge; reads dec1@edge + skip enc3@edge -> [batch, 8, 8, 64]
    const dec2_edge = stage_dec2(run, "dec2@edge", dec1_edge, enc3_edge);
    // dec2@ae: stage dec2, tasks ae; reads dec1@ae + skip enc3@ae -> [batch, 8, 8, 64]
    const dec2_ae = stage_dec2(run, "dec2@ae", dec1_ae, enc3_ae);
    // dec3@seg: stage dec3, tasks seg; reads dec2@seg + skip enc2@seg -> [batch, 16, 16, 32]
    const dec3_seg = stage_dec3(run, "dec3@seg", dec2_seg, enc2_seg);
    // dec3@depth: stage dec3, tasks depth; reads dec2@depth + skip enc2@depth -> [batch, 16, 16, 32]
    const dec3_depth = stage_dec3(run, "dec3@depth", dec2_depth, enc2_depth);
    // dec3@normal: stage dec3, tasks normal; reads dec2@normal + skip enc2@normal -> [batch, 16, 16, 32]
    const dec3_normal = stage_dec3(run, "dec3@normal", dec2_normal, enc2_normal);
    // dec3@edge: stage dec3, tasks edge; reads dec2@edge + skip enc2@edge -> [batch, 16, 16, 32]
    const dec3_edge = stage_dec3(run, "dec3@edge", dec2_edge, enc2_edge);
    // dec3@ae: stage dec3, tasks ae; reads dec2@ae + skip enc2@ae -> [batch, 16, 16, 32]
    const dec3_ae = stage_dec3(run, "dec3@ae", dec2_ae, enc2_ae);
    // dec4@seg: stage dec4, tasks seg; reads dec3@seg + skip enc1@seg -> [batch, 32, 32, 16]
    const dec4_seg = stage_dec4(run, "dec4@seg", dec3_seg, enc1_seg);
    // dec4@depth: stage dec4, tasks depth; reads dec3@depth + skip enc1@depth -> [batch, 32, 32, 16]
    const dec4_depth = stage_dec4(run, "dec4@depth", dec3_depth, enc1_depth);
    // dec4@normal: stage dec4, tasks normal; reads dec3@normal + skip enc1@normal -> [batch, 32, 32, 16]
    const dec4_normal = stage_dec4(run, "dec4@normal", dec3_normal, enc1_normal);
    // dec4@edge: stage dec4, tasks edge; reads dec3@edge + skip enc1@edge -> [batch, 32, 32, 16]
    const dec4_edge = stage_dec4(run, "dec4@edge", dec3_edge, enc1_edge);
    // dec4@ae: stage dec4, tasks ae; reads dec3@ae + skip enc1@ae -> [batch, 32, 32, 16]
    const dec4_ae = stage_dec4(run, "dec4@ae", dec3_ae, enc1_ae);
    // head@seg: task seg; reads dec4@seg -> [batch, 64, 64, 6]
    const out_seg = head_seg(run, "head@seg", dec4_seg);
    // head@depth: task depth; reads dec4@depth -> [batch, 64, 64, 1]
    const out_depth = head_depth(run, "head@depth", dec4_depth);
    // head@normal: task normal; reads dec4@normal -> [batch, 64, 64, 3]
    const out_normal = head_normal(run, "head@normal", dec4_normal);
    // head@edge: task edge; reads dec4@edge -> [batch, 64, 64, 1]
    const out_edge = head_edge(run, "head@edge", dec4_edge);
    // head@ae: task ae; reads dec4@ae -> [batch, 64, 64, 3]
    const out_ae = head_ae(run, "head@ae", dec4_ae);
    return { seg: out_seg, depth: out_depth, normal: out_normal, edge: out_edge, ae: out_ae };
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
      `${modelName}: input must have shape [batch, 64, 64, 3], found [${shape.join(", ")}]`,
    );
  }
}

/**
 * Stage stem: conv(16, 3, stride: 2) bn(momentum: 0.9, epsilon: 1e-5) relu.
 * [batch, 64, 64, 3] -> [batch, 32, 32, 16]; one call per instance.
 */
function stage_stem(run: Run, owner: string, x: tf.Tensor4D): tf.Tensor4D {
  // 0: conv(16, 3, stride: 2) -> [batch, 32, 32, 16]
  const y0 = addBias(
    conv2d(x, run.weight(owner, 0, "kernel"), 2, "same", 1),
    run.weight(owner, 0, "bias"),
  );
  // 1: bn(momentum: 0.9, epsilon: 1e-5) -> [batch, 32, 32, 16]
  const y1 = batchNorm(run, y0, owner, 1, "", 1e-5);
  // 2: relu -> [batch, 32, 32, 16]
  return tf.relu(y1);
}

/**
 * Stage enc1: basic(16, stride: 1).
 * [batch, 32, 32, 16] -> [batch, 32, 32, 16]; one call per instance.
 */
function stage_enc1(run: Run, owner: string, x: tf.Tensor4D): tf.Tensor4D {
  // 0: basic(16, stride: 1) -> [batch, 32, 32, 16]
  return basicBlock(run, x, owner, 0, 1, false, false);
}

/**
 * Stage enc2: basic(32, stride: 2).
 * [batch, 32, 32, 16] -> [batch, 16, 16, 32]; one call per instance.
 */
function stage_enc2(run: Run, owner: string, x: tf.Tensor4D): tf.Tensor4D {
  // 0: basic(32, stride: 2) -> [batch, 16, 16, 32]
  return basicBlock(run, x, owner, 0, 2, true, false);
}

/**
 * Stage enc3: basic(64, stride: 2).
 * [batch, 16, 16, 32] -> [batch, 8, 8, 64]; one call per instance.
 */
function stage_enc3(run: Run, owner: string, x: tf.Tensor4D): tf.Tensor4D {
  // 0: basic(64, stride: 2) -> [batch, 8, 8, 64]
  return basicBlock(run, x, owner, 0, 2, true, false);
}

/**
 * Stage enc4: basic(128, stride: 2).
 * [batch, 8, 8, 64] -> [batch, 4, 4, 128]; one call per instance.
 */
function stage_enc4(run: Run, owner: string, x: tf.Tensor4D): tf.Tensor4D {
  // 0: basic(128, stride: 2) -> [batch, 4, 4, 128]
  return basicBlock(run, x, owner, 0, 2, true, false);
}

/**
 * Stage enc5: basic(128, stride: 2).
 * [batch, 4, 4, 128] -> [batch, 2, 2, 128]; one call per instance.
 */
function stage_enc5(run: Run, owner: string, x: tf.Tensor4D): tf.Tensor4D {
  // 0: basic(128, stride: 2) -> [batch, 2, 2, 128]
  return basicBlock(run, x, owner, 0, 2, true, false);
}

/**
 * Stage dec1: upsample(2, mode: bilinear) concat(enc4) conv(128, 3) bn(momentum: 0.9, epsilon: 1e-5) relu.
 * [batch, 2, 2, 128] -> [batch, 4, 4, 128]; one call per instance.
 */
function stage_dec1(run: Run, owner: string, x: tf.Tensor4D, skip_enc4: tf.Tensor4D): tf.Tensor4D {
  // 0: upsample(2, mode: bilinear) -> [batch, 4, 4, 128]
  const y0 = tf.image.resizeBilinear(x, [4, 4], false, true);
  // 1: concat(enc4) -> [batch, 4, 4, 256]
  const y1 = tf.concat([y0, skip_enc4], 3);
  // 2: conv(128, 3) -> [batch, 4, 4, 128]
  const y2 = addBias(
    conv2d(y1, run.weight(owner, 2, "kernel"), 1, "same", 1),
    run.weight(owner, 2, "bias"),
  );
  // 3: bn(momentum: 0.9, epsilon: 1e-5) -> [batch, 4, 4, 128]
  const y3 = batchNorm(run, y2, owner, 3, "", 1e-5);
  // 4: relu -> [batch, 4, 4, 128]
  return tf.relu(y3);
}

/**
 * Stage dec2: upsample(2, mode: bilinear) concat(enc3) conv(64, 3) bn(momentum: 0.9, epsilon: 1e-5) relu.
 * [batch, 4, 4, 128] -> [batch, 8, 8, 64]; one call per instance.
 */
function stage_dec2(run: Run, owner: string, x: tf.Tensor4D, skip_enc3: tf.Tensor4D): tf.Tensor4D {
  // 0: upsample(2, mode: bilinear) -> [batch, 8, 8, 128]
  const y0 = tf.image.resizeBilinear(x, [8, 8], false, true);
  // 1: concat(enc3) -> [batch, 8, 8, 192]
  const y1 = tf.concat([y0, skip_enc3], 3);
  // 2: conv(64, 3) -> [batch, 8, 8, 64]
  const y2 = addBias(
    conv2d(y1, run.weight(owner, 2, "kernel"), 1, "same", 1),
    run.weight(owner, 2, "bias"),
  );
  // 3: bn(momentum: 0.9, epsilon: 1e-5) -> [batch, 8, 8, 64]
  const y3 = batchNorm(run, y2, owner, 3, "", 1e-5);
  // 4: relu -> [batch, 8, 8, 64]
  return tf.relu(y3);
}

/**
 * Stage dec3: upsample(2, mode: bilinear) concat(enc2) conv(32, 3) bn(momentum: 0.9, epsilon: 1e-5) relu.
 * [batch, 8, 8, 64] -> [batch, 16, 16, 32]; one call per instance.
 */
function stage_dec3(run: Run, owner: string, x: tf.Tensor4D, skip_enc2: tf.Tensor4D): tf.Tensor4D {
  // 0: upsample(2, mode: bilinear) -> [batch, 16, 16, 64]
  const y0 = tf.image.resizeBilinear(x, [16, 16], false, true);
  // 1: concat(enc2) -> [batch, 16, 16, 96]
  const y1 = tf.concat([y0, skip_enc2], 3);
  // 2: conv(32, 3) -> [batch, 16, 16, 32]
  const y2 = addBias(
    conv2d(y1, run.weight(owner, 2, "kernel"), 1, "same", 1),
    run.weight(owner, 2, "bias"),
  );
  // 3: bn(momentum: 0.9, epsilon: 1e-5) -> [batch, 16, 16, 32]
  const y3 = batchNorm(run, y2, owner, 3, "", 1e-5);
  // 4: relu -> [batch, 16, 16, 32]
  return tf.relu(y3);
}

/**
 * Stage dec4: upsample(2, mode: bilinear) concat(enc1) conv(16, 3) bn(momentum: 0.9, epsilon: 1e-5) relu.
 * [batch, 16, 16, 32] -> [batch, 32, 32, 16]; one call per instance.
 */
function stage_dec4(run: Run, owner: string, x: tf.Tensor4D, skip_enc1: tf.Tensor4D): tf.Tensor4D {
  // 0: upsample(2, mode: bilinear) -> [batch, 32, 32, 32]
  const y0 = tf.image.resizeBilinear(x, [32, 32], false, true);
  // 1: concat(enc1) -> [batch, 32, 32, 48]
  const y1 = tf.concat([y0, skip_enc1], 3);
  // 2: conv(16, 3) -> [batch, 32, 32, 16]
  const y2 = addBias(
    conv2d(y1, run.weight(owner, 2, "kernel"), 1, "same", 1),
    run.weight(owner, 2, "bias"),
  );
  // 3: bn(momentum: 0.9, epsilon: 1e-5) -> [batch, 32, 32, 16]
  const y3 = batchNorm(run, y2, owner, 3, "", 1e-5);
  // 4: relu -> [batch, 32, 32, 16]
  return tf.relu(y3);
}

/**
 * Head of task seg: upsample(2, mode: bilinear) conv(6, 1).
 * [batch, 32, 32, 16] -> [batch, 64, 64, 6].
 */
function head_seg(run: Run, owner: string, x: tf.Tensor4D): tf.Tensor4D {
  // 0: upsample(2, mode: bilinear) -> [batch, 64, 64, 16]
  const y0 = tf.image.resizeBilinear(x, [64, 64], false, true);
  // 1: conv(6, 1) -> [batch, 64, 64, 6]
  return addBias(
    conv2d(y0, run.weight(owner, 1, "kernel"), 1, "same", 1),
    run.weight(owner, 1, "bias"),
  );
}

/**
 * Head of task depth: upsample(2, mode: bilinear) conv(1, 1).
 * [batch, 32, 32, 16] -> [batch, 64, 64, 1].
 */
function head_depth(run: Run, owner: string, x: tf.Tensor4D): tf.Tensor4D {
  // 0: upsample(2, mode: bilinear) -> [batch, 64, 64, 16]
  const y0 = tf.image.resizeBilinear(x, [64, 64], false, true);
  // 1: conv(1, 1) -> [batch, 64, 64, 1]
  return addBias(
    conv2d(y0, run.weight(owner, 1, "kernel"), 1, "same", 1),
    run.weight(owner, 1, "bias"),
  );
}

/**
 * Head of task normal: upsample(2, mode: bilinear) conv(3, 1).
 * [batch, 32, 32, 16] -> [batch, 64, 64, 3].
 */
function head_normal(run: Run, owner: string, x: tf.Tensor4D): tf.Tensor4D {
  // 0: upsample(2, mode: bilinear) -> [batch, 64, 64, 16]
  const y0 = tf.image.resizeBilinear(x, [64, 64], false, true);
  // 1: conv(3, 1) -> [batch, 64, 64, 3]
  return addBias(
    conv2d(y0, run.weight(owner, 1, "kernel"), 1, "same", 1),
    run.weight(owner, 1, "bias"),
  );
}

/**
 * Head of task edge: upsample(2, mode: bilinear) conv(1, 1).
 * [batch, 32, 32, 16] -> [batch, 64, 64, 1].
 */
function head_edge(run: Run, owner: string, x: tf.Tensor4D): tf.Tensor4D {
  // 0: upsample(2, mode: bilinear) -> [batch, 64, 64, 16]
  const y0 = tf.image.resizeBilinear(x, [64, 64], false, true);
  // 1: conv(1, 1) -> [batch, 64, 64, 1]
  return addBias(
    conv2d(y0, run.weight(owner, 1, "kernel"), 1, "same", 1),
    run.weight(owner, 1, "bias"),
  );
}

/**
 * Head of task ae: upsample(2, mode: bilinear) conv(3, 1) sigmoid.
 * [batch, 32, 32, 16] -> [batch, 64, 64, 3].
 */
function head_ae(run: Run, owner: string, x: tf.Tensor4D): tf.Tensor4D {
  // 0: upsample(2, mode: bilinear) -> [batch, 64, 64, 16]
  const y0 = tf.image.resizeBilinear(x, [64, 64], false, true);
  // 1: conv(3, 1) -> [batch, 64, 64, 3]
  const y1 = addBias(
    conv2d(y0, run.weight(owner, 1, "kernel"), 1, "same", 1),
    run.weight(owner, 1, "bias"),
  );
  // 2: sigmoid -> [batch, 64, 64, 3]
  return tf.sigmoid(y1);
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
