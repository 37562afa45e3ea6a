/**
 * Median time of one training step of a small conv net on the WebAssembly backend.
 *
 * Network (TOOLCHAIN.md): batch 16 of 64x64x3; conv3x3 32 + relu, conv3x3 64 stride 2 +
 * relu, conv3x3 64 + relu, global average pool, dense 10; softmax cross-entropy; Adam.
 *
 * Run: npx tsx bench/wasm-step.ts [--steps N] [--compare]
 *   --compare  also times the step with two other Conv2DBackpropInput kernels: the
 *              built-in wasm loop, and the plain conv-based one (a forward conv of the
 *              zero-spread dy, as measured in TOOLCHAIN.md), to compare under equal load.
 */
import * as tf from "@tensorflow/tfjs";

import { selectBackend } from "../runtime/backend/select.js";
import { numberArg } from "./lib/args.js";

const BATCH = 16;
const SIZE = 64;
const CLASSES = 10;

interface Net {
  variables: tf.Variable[];
  loss: (x: tf.Tensor4D, labels: tf.Tensor2D) => tf.Scalar;
}

function buildNet(): Net {
  const he = (shape: number[], fanIn: number): tf.Variable =>
    tf.variable(tf.randomNormal(shape, 0, Math.sqrt(2 / fanIn), "float32", 7));
  const w1 = he([3, 3, 3, 32], 27);
  const b1 = tf.variable(tf.zeros([32]));
  const w2 = he([3, 3, 32, 64], 288);
  const b2 = tf.variable(tf.zeros([64]));
  const w3 = he([3, 3, 64, 64], 576);
  const b3 = tf.variable(tf.zeros([64]));
  const w4 = he([64, CLASSES], 64);
  const b4 = tf.variable(tf.zeros([CLASSES]));
  const loss = (x: tf.Tensor4D, labels: tf.Tensor2D): tf.Scalar => {
    let h = tf.relu(tf.add(tf.conv2d(x, w1 as tf.Tensor4D, 1, "same"), b1));
    h = tf.relu(tf.add(tf.conv2d(h as tf.Tensor4D, w2 as tf.Tensor4D, 2, "same"), b2));
    h = tf.relu(tf.add(tf.conv2d(h as tf.Tensor4D, w3 as tf.Tensor4D, 1, "same"), b3));
    const pooled = tf.mean(h, [1, 2]);
    const logits = tf.add(tf.matMul(pooled as tf.Tensor2D, w4 as tf.Tensor2D), b4);
    return tf.losses.softmaxCrossEntropy(labels, logits) as tf.Scalar;
  };
  return { variables: [w1, b1, w2, b2, w3, b3, w4, b4], loss };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** Wall-clock and process CPU time of each step, in ms. */
interface StepTimes {
  wall: number[];
  cpu: number[];
}

/**
 * Times `steps` Adam steps (after 3 warm-up steps). The wasm backend runs on one thread,
 * so the process CPU time per step is what the wall time would be on an idle machine;
 * both are reported because the benchmark machines are shared.
 */
async function timeSteps(steps: number): Promise<StepTimes> {
  const net = buildNet();
  const optimizer = tf.train.adam(1e-3);
  const x = tf.randomUniform([BATCH, SIZE, SIZE, 3], 0, 1, "float32", 1) as tf.Tensor4D;
  const labels = tf.oneHot(
    tf.tensor1d(
      Array.from({ length: BATCH }, (_, i) => i % CLASSES),
      "int32",
    ),
    CLASSES,
  );
  const step = async (): Promise<void> => {
    const cost = optimizer.minimize(() => net.loss(x, labels as tf.Tensor2D), true, net.variables);
    await cost?.data();
    cost?.dispose();
  };
  for (let i = 0; i < 3; i++) await step();
  const before = tf.memory().numTensors;
  const times: StepTimes = { wall: [], cpu: [] };
  for (let i = 0; i < steps; i++) {
    const start = performance.now();
    const cpuStart = process.cpuUsage();
    await step();
    const cpu = process.cpuUsage(cpuStart);
    times.wall.push(performance.now() - start);
    times.cpu.push((cpu.user + cpu.system) / 1000);
  }
  const leaked = tf.memory().numTensors - before;
  if (leaked !== 0) console.warn(`warning: ${leaked} tensors leaked over ${steps} steps`);
  tf.dispose([x, labels, ...net.variables]);
  optimizer.dispose();
  return times;
}

/**
 * Conv2DBackpropInput as one forward conv of the zero-spread, padded dy with the flipped
 * filter (the straightforward conv-based formulation; NHWC, undilated).
 */
const zeroSpreadBackpropInput: tf.KernelFunc = ({ inputs, attrs }) => {
  const { dy, filter } = inputs as unknown as { dy: tf.Tensor4D; filter: tf.Tensor4D };
  const a = attrs as unknown as tf.Conv2DBackpropInputAttrs;
  const info = tf.backend_util.computeConv2DInfo(a.inputShape, filter.shape, a.strides, 1, a.pad, a.dimRoundingMode);
  const [batch, outH, outW, outC] = dy.shape;
  const { strideHeight: sh, strideWidth: sw, filterHeight: fh, filterWidth: fw, inHeight, inWidth } = info;
  return tf.tidy(() => {
    const spread = tf.reshape(
      tf.pad(tf.reshape(dy, [batch, outH, 1, outW, 1, outC]), [
        [0, 0],
        [0, 0],
        [0, sh - 1],
        [0, 0],
        [0, sw - 1],
        [0, 0],
      ]),
      [batch, outH * sh, outW * sw, outC],
    );
    const top = fh - 1 - info.padInfo.top;
    const left = fw - 1 - info.padInfo.left;
    const bottom = inHeight + fh - 1 - top - outH * sh;
    const right = inWidth + fw - 1 - left - outW * sw;
    const cropped = tf.slice(
      spread,
      [0, 0, 0, 0],
      [batch, outH * sh + Math.min(0, bottom), outW * sw + Math.min(0, right), outC],
    );
    const flipped = tf.transpose(tf.reverse(filter, [0, 1]), [0, 1, 3, 2]);
    const pads: tf.backend_util.ExplicitPadding = [
      [0, 0],
      [top, Math.max(0, bottom)],
      [left, Math.max(0, right)],
      [0, 0],
    ];
    return tf.conv2d(cropped as tf.Tensor4D, flipped as tf.Tensor4D, 1, pads);
  });
};

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const steps = numberArg(args, "--steps", 15);
  const builtInBackpropInput = tf.getKernel(tf.Conv2DBackpropInput, "wasm");
  const info = await selectBackend("wasm");
  console.log(`backend: ${info.name} (${info.description}), tfjs ${info.tfVersion}`);
  const times = await timeSteps(steps);
  console.log(
    `wasm training step, batch ${BATCH}x${SIZE}x${SIZE}x3, ${steps} steps: ` +
      `median ${median(times.wall).toFixed(1)} ms wall (min ${Math.min(...times.wall).toFixed(1)}), ` +
      `median ${median(times.cpu).toFixed(1)} ms CPU (min ${Math.min(...times.cpu).toFixed(1)})`,
  );
  if (args.includes("--compare") && builtInBackpropInput !== undefined) {
    const ours = tf.getKernel(tf.Conv2DBackpropInput, "wasm");
    tf.unregisterKernel(tf.Conv2DBackpropInput, "wasm");
    tf.registerKernel(builtInBackpropInput);
    // Registered after the backend started, so its one-time setup has not run yet.
    await builtInBackpropInput.setupFunc?.(tf.backend());
    const builtIn = await timeSteps(steps);
    console.log(
      `same step with the built-in wasm Conv2DBackpropInput: median ${median(builtIn.wall).toFixed(1)} ms wall, ` +
        `${median(builtIn.cpu).toFixed(1)} ms CPU`,
    );
    tf.unregisterKernel(tf.Conv2DBackpropInput, "wasm");
    tf.registerKernel({ kernelName: tf.Conv2DBackpropInput, backendName: "wasm", kernelFunc: zeroSpreadBackpropInput });
    const zeroSpread = await timeSteps(steps);
    console.log(
      `same step with the zero-spread conv Conv2DBackpropInput: median ${median(zeroSpread.wall).toFixed(1)} ms wall, ` +
        `${median(zeroSpread.cpu).toFixed(1)} ms CPU`,
    );
    tf.unregisterKernel(tf.Conv2DBackpropInput, "wasm");
    if (ours !== undefined) tf.registerKernel(ours);
  }
}

await main();
