/**
 * Every op our layers use for training, forward and gradient, on the wasm backend
 * (with the training kernels registered) against the CPU backend; the bilinear resize
 * gradient against a float64 adjoint of the forward resize; whole-network gradients;
 * optimizer updates; and tensor leaks across training steps.
 */
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";

import {
  registerCpuTrainingFixes,
  registerWasmTrainingKernels,
} from "../../../runtime/backend/wasm-training-kernels.js";
import { selectBackend } from "../../../runtime/backend/select.js";
import { expectClose, onBackend, relativeError, seeded, seededValues } from "./helpers.js";

type Op = (x: tf.Tensor4D) => tf.Tensor;

const gelu: Op = (x) => tf.mul(tf.mul(x, 0.5), tf.add(1, tf.erf(tf.div(x, Math.SQRT2))));
const batchNorm: Op = (x) => {
  const { mean, variance } = tf.moments(x, [0, 1, 2], true);
  return tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-5)));
};

const ops: Record<string, Op> = {
  relu: (x) => tf.relu(x),
  leakyRelu: (x) => tf.leakyRelu(x, 0.1),
  elu: (x) => tf.elu(x),
  gelu,
  sigmoid: (x) => tf.sigmoid(x),
  tanh: (x) => tf.tanh(x),
  "maxPool 2x2 valid": (x) => tf.maxPool(x, 2, 2, "valid"),
  "maxPool 3x3 s2 same": (x) => tf.maxPool(x, 3, 2, "same"),
  "maxPool 3x3 s2 valid": (x) => tf.maxPool(x, 3, 2, "valid"),
  "maxPool 2x2 of all-negative windows": (x) => tf.maxPool(tf.sub(x, 3) as tf.Tensor4D, 2, 2, "same"),
  "avgPool 2x2 valid": (x) => tf.avgPool(x, 2, 2, "valid"),
  "avgPool 3x3 s2 same": (x) => tf.avgPool(x, 3, 2, "same"),
  "avgPool 3x3 s2 valid": (x) => tf.avgPool(x, 3, 2, "valid"),
  "global average pool": (x) => tf.mean(x, [1, 2]),
  "batch norm (moments)": batchNorm,
  "tf.batchNorm with batch moments": (x) => {
    const { mean, variance } = tf.moments(x, [0, 1, 2]);
    return tf.batchNorm(x, mean, variance, tf.mul(0.1, seeded([3], 12)), tf.add(1, seeded([3], 13)), 1e-5);
  },
  "dense (matMul)": (x) =>
    tf.matMul(tf.reshape(x, [x.shape[0], -1]), seeded([x.size / x.shape[0], 6], 9) as tf.Tensor2D),
  "dense transposed": (x) =>
    tf.matMul(seeded([x.shape[0], 6], 9) as tf.Tensor2D, tf.reshape(x, [x.shape[0], -1]), true, false),
  dropout: (x) => tf.dropout(x, 0.3, undefined, 17),
  "flatten + reshape": (x) => tf.reshape(tf.reshape(x, [x.shape[0], -1]), [x.shape[0], x.shape[2], x.shape[1], -1]),
  "resizeBilinear up": (x) => tf.image.resizeBilinear(x, [13, 17], false, false),
  "resizeBilinear half-pixel up": (x) => tf.image.resizeBilinear(x, [13, 17], false, true),
  "resizeBilinear half-pixel down": (x) => tf.image.resizeBilinear(x, [4, 3], false, true),
  "resizeBilinear align-corners": (x) => tf.image.resizeBilinear(x, [12, 8], true, false),
  concat: (x) => tf.concat([x, tf.relu(x), tf.slice(x, [0, 0, 0, 1], [-1, -1, -1, 2])], 3),
  add: (x) => tf.add(x, tf.tanh(x)),
  "sqrt, abs, square": (x) => tf.sqrt(tf.add(tf.abs(x), tf.square(x))),
  "sum and mean": (x) => tf.add(tf.sum(x, [1, 3]), tf.mean(x, 1).sum(2)),
  "softmax cross-entropy": (x) =>
    tf.losses.softmaxCrossEntropy(tf.oneHot(tf.tensor1d([1, 4], "int32"), 7 * 6 * 3), tf.reshape(x, [2, -1])),
  "sigmoid binary cross-entropy": (x) => tf.losses.sigmoidCrossEntropy(tf.greater(seeded(x.shape, 11), 0), x),
  "logSoftmax NLL": (x) =>
    tf.neg(tf.sum(tf.mul(tf.logSoftmax(tf.reshape(x, [6, -1])), tf.oneHot([1, 0, 2, 5, 40, 6], 42)))),
  "softplus BCE": (x) => tf.sub(tf.softplus(x), tf.mul(x, tf.cast(tf.greater(seeded(x.shape, 14), 0), "float32"))),
  "where, maximum, rsqrt (normals)": (x) => {
    const sq = tf.sum(tf.square(x), 3, true);
    const unit = tf.mul(x, tf.rsqrt(tf.maximum(sq, 1e-24)));
    return tf.where(tf.greater(seeded(unit.shape, 15), 0), unit, tf.zerosLike(unit));
  },
  "squaredDifference, stack, minimum": (x) =>
    tf.stack([tf.squaredDifference(x, tf.tanh(x)), tf.minimum(x, tf.sigmoid(x))], 1),
};

/** The op's output and its gradient for a seeded cotangent. */
function forwardAndGradient(op: Op): tf.Tensor[] {
  const x = seeded([2, 7, 6, 3], 21) as tf.Tensor4D;
  const y = op(x);
  const g = seeded(y.shape, 22);
  const dx = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(op(a as tf.Tensor4D), g)))(x);
  return [y, dx];
}

/** Jacobian-transpose of the CPU forward resize applied to `g`, accumulated in float64. */
function resizeAdjointReference(
  height: number,
  width: number,
  size: [number, number],
  alignCorners: boolean,
  halfPixelCenters: boolean,
  g: Float32Array,
): Float64Array {
  // Column j of the Jacobian: the resize of the j-th one-hot image (one channel).
  const pixels = height * width;
  const basis = tf.reshape(tf.oneHot(tf.range(0, pixels, 1, "int32"), pixels), [pixels, height, width, 1]);
  const columns = tf.image.resizeBilinear(basis as tf.Tensor4D, size, alignCorners, halfPixelCenters).dataSync();
  const outPixels = size[0] * size[1];
  const dx = new Float64Array(pixels);
  for (let j = 0; j < pixels; j++) {
    for (let i = 0; i < outPixels; i++)
      dx[j] = (dx[j] as number) + (columns[j * outPixels + i] as number) * (g[i] as number);
  }
  tf.dispose([basis]);
  return dx;
}

describe("training ops on wasm", () => {
  beforeAll(async () => {
    registerWasmTrainingKernels();
    registerCpuTrainingFixes();
    await tf.setBackend("wasm");
    await tf.ready();
  });

  for (const [name, op] of Object.entries(ops)) {
    it(`${name}: forward and gradient match the CPU backend`, async () => {
      const reference = await onBackend("cpu", () => forwardAndGradient(op));
      const wasm = await onBackend("wasm", () => forwardAndGradient(op));
      expectClose(wasm, reference, name);
    });
  }

  const resizeCases: Array<[number, number, [number, number], boolean, boolean]> = [
    [5, 4, [9, 11], false, true],
    [5, 4, [3, 2], false, true],
    [6, 7, [11, 5], false, false],
    [6, 7, [11, 5], true, false],
    [1, 3, [4, 6], false, true],
  ];
  for (const [h, w, size, align, half] of resizeCases) {
    it(`resizeBilinear gradient ${h}x${w}->${size.join("x")} align=${align} half=${half} is the float64 adjoint`, async () => {
      const g = seededValues(size[0] * size[1], 31);
      await tf.setBackend("cpu");
      const reference = resizeAdjointReference(h, w, size, align, half, g);
      for (const backend of ["wasm", "cpu"]) {
        const [dx] = await onBackend(backend, () => [
          tf.grad((x: tf.Tensor) =>
            tf.sum(
              tf.mul(
                tf.image.resizeBilinear(x as tf.Tensor4D, size, align, half),
                tf.tensor4d(g, [1, size[0], size[1], 1]),
              ),
            ),
          )(tf.zeros([1, h, w, 1])),
        ]);
        expect(relativeError(dx as Float32Array, reference), backend).toBeLessThanOrEqual(1e-6);
      }
    });
  }

  it("Adam and SGD-momentum updates match the CPU backend", async () => {
    const train = (): tf.Tensor[] => {
      const w = tf.variable(seeded([3, 3, 3, 4], 41));
      const x = seeded([2, 6, 6, 3], 42) as tf.Tensor4D;
      const target = seeded([2, 6, 6, 4], 43);
      const loss = (): tf.Scalar => tf.mean(tf.square(tf.sub(tf.conv2d(x, w as tf.Tensor4D, 1, "same"), target)));
      const results: tf.Tensor[] = [];
      for (const optimizer of [tf.train.adam(0.01), tf.train.momentum(0.05, 0.9)]) {
        for (let i = 0; i < 3; i++) tf.dispose(optimizer.minimize(loss, true, [w]) ?? []);
        results.push(w.clone());
        optimizer.dispose();
      }
      w.dispose();
      return results;
    };
    // TensorFlow.js optimizers keep their learning-rate scalars after dispose() (1-2
    // tensors per optimizer, on every backend); per-step leaks are tested below.
    const options = { checkLeaks: false };
    expectClose(await onBackend("wasm", train, options), await onBackend("cpu", train, options), "optimizer updates");
  });
});

/** A small network of every kind of layer; returns the loss and the gradients of all weights. */
function networkGradients(): tf.Tensor[] {
  const params = {
    c1: seeded([3, 3, 3, 8], 51),
    c2: seeded([3, 3, 8, 8], 52),
    c3: seeded([1, 1, 8, 4], 53),
    c4: seeded([3, 3, 12, 6], 54),
    gamma: tf.add(1, tf.mul(0.1, seeded([8], 55))),
    beta: tf.mul(0.1, seeded([8], 56)),
    dense: tf.mul(0.1, seeded([6, 5], 57)),
  };
  const x = seeded([2, 11, 9, 3], 58) as tf.Tensor4D;
  const labels = tf.oneHot(tf.tensor1d([3, 1], "int32"), 5);
  const loss = (p: typeof params): tf.Scalar => {
    let h = tf.conv2d(x, p.c1 as tf.Tensor4D, 1, "same");
    const { mean, variance } = tf.moments(h, [0, 1, 2], true);
    h = tf.add(tf.mul(tf.div(tf.sub(h, mean), tf.sqrt(tf.add(variance, 1e-5))), p.gamma), p.beta);
    h = tf.relu(h);
    const pooled = tf.maxPool(h as tf.Tensor4D, 3, 2, "same");
    const deep = tf.relu(tf.conv2d(pooled, p.c2 as tf.Tensor4D, 2, "same"));
    const up = tf.image.resizeBilinear(deep, [pooled.shape[1], pooled.shape[2]], false, true);
    const skip = tf.conv2d(pooled, p.c3 as tf.Tensor4D, 1, "valid");
    const merged = tf.concat([up, skip], 3);
    const dilated = tf.elu(tf.conv2d(merged as tf.Tensor4D, p.c4 as tf.Tensor4D, 1, "same", "NHWC", 2));
    const logits = tf.matMul(tf.mean(dilated, [1, 2]) as tf.Tensor2D, p.dense as tf.Tensor2D);
    return tf.losses.softmaxCrossEntropy(labels, logits) as tf.Scalar;
  };
  const names = Object.keys(params) as Array<keyof typeof params>;
  const { value, grads } = tf.valueAndGrads((...ts: tf.Tensor[]) =>
    loss(Object.fromEntries(names.map((n, i) => [n, ts[i]])) as typeof params),
  )(names.map((n) => params[n]));
  return [value, ...grads];
}

describe("nearest-neighbour resize gradient", () => {
  const backends = ["cpu", "wasm"];
  beforeAll(async () => {
    registerWasmTrainingKernels();
    registerCpuTrainingFixes();
    // onednn reuses the CPU backend's kernel, whose dy offsets are wrong past the first image.
    const onednn = await selectBackend("onednn").catch(() => null);
    if (onednn) backends.push(onednn.name);
  });

  /**
   * The float64 adjoint of the forward resize, found without any gradient kernel: each
   * input pixel's gradient is the sum of dy over the outputs the forward kernel copies it to
   * (probed with one-hot images).
   */
  async function adjointByProbing(
    shape: [number, number, number, number],
    size: [number, number],
    halfPixelCenters: boolean,
    dy: Float32Array,
  ): Promise<Float64Array> {
    const [n, h, w, c] = shape;
    const count = n * h * w * c;
    const out = new Float64Array(count);
    await tf.setBackend("cpu");
    for (let i = 0; i < count; i++) {
      const oneHot = new Float32Array(count);
      oneHot[i] = 1;
      const y = tf.tidy(() =>
        tf.image.resizeNearestNeighbor(tf.tensor4d(oneHot, shape), size, false, halfPixelCenters),
      );
      const values = await y.data();
      y.dispose();
      for (let k = 0; k < values.length; k++) out[i] = out[i]! + values[k]! * dy[k]!;
    }
    return out;
  }

  const cases: Array<[[number, number, number, number], [number, number], boolean]> = [
    [[2, 4, 3, 2], [8, 6], true],
    [[3, 3, 3, 1], [12, 12], true],
    [[2, 4, 4, 2], [8, 8], false],
    [[2, 8, 6, 1], [4, 3], true],
  ];
  for (const [shape, size, half] of cases) {
    it(`${shape.join("x")} -> ${size.join("x")} half=${half}: every backend gives the adjoint, for every image of the batch`, async () => {
      const dy = seededValues(shape[0] * size[0] * size[1] * shape[3], 41);
      const reference = await adjointByProbing(shape, size, half, dy);
      for (const backend of backends) {
        const [dx] = await onBackend(backend, () => [
          tf.grad((x: tf.Tensor) =>
            tf.sum(
              tf.mul(
                tf.image.resizeNearestNeighbor(x as tf.Tensor4D, size, false, half),
                tf.tensor4d(dy, [shape[0], size[0], size[1], shape[3]]),
              ),
            ),
          )(tf.zeros(shape)),
        ]);
        expect(relativeError(dx as Float32Array, reference), backend).toBeLessThanOrEqual(1e-6);
      }
    });
  }
});

describe("max pool gradient", () => {
  it("sends each window's gradient to its maximum, also when all values are negative (hand-worked)", async () => {
    // Windows (2x2, stride 2): [-5 -2 / -3 -4] max -2; [-1 -7 / -6 -8] max -1;
    // [4 -1 / 2 3] max 4; [-9 -3 / -3 -2] max -2.
    const x = [-5, -2, -1, -7, -3, -4, -6, -8, 4, -1, -9, -3, 2, 3, -3, -2];
    const dy = [10, 20, 30, 40];
    const expected = [0, 10, 20, 0, 0, 0, 0, 0, 30, 0, 0, 0, 0, 0, 0, 40];
    for (const backend of ["wasm", "cpu"]) {
      const [dx] = await onBackend(backend, () => [
        tf.grad((t: tf.Tensor) =>
          tf.sum(tf.mul(tf.maxPool(t as tf.Tensor4D, 2, 2, "valid"), tf.tensor4d(dy, [1, 2, 2, 1]))),
        )(tf.tensor4d(x, [1, 4, 4, 1])),
      ]);
      expect(Array.from(dx as Float32Array), backend).toEqual(expected);
    }
  });
});

describe("a whole network on wasm", () => {
  beforeAll(async () => {
    registerWasmTrainingKernels();
    registerCpuTrainingFixes();
    await tf.setBackend("wasm");
    await tf.ready();
  });

  it("has the CPU backend's loss and gradients (conv, bn, relu, pool, resize, concat, dilation, dense)", async () => {
    const reference = await onBackend("cpu", networkGradients);
    const wasm = await onBackend("wasm", networkGradients);
    expectClose(wasm, reference, "network");
  });

  it("leaks no tensors across training steps", async () => {
    await tf.setBackend("wasm");
    const w1 = tf.variable(seeded([3, 3, 3, 8], 61));
    const w2 = tf.variable(seeded([3, 3, 8, 8], 62));
    const x = seeded([2, 12, 12, 3], 63) as tf.Tensor4D;
    const optimizer = tf.train.adam(1e-3);
    const step = (): void => {
      tf.dispose(
        optimizer.minimize(() => {
          const h = tf.relu(tf.conv2d(x, w1 as tf.Tensor4D, 2, "same"));
          const y = tf.conv2d(tf.maxPool(h, 3, 1, "same"), w2 as tf.Tensor4D, 1, "same", "NHWC", 2);
          return tf.mean(tf.square(tf.image.resizeBilinear(y, [12, 12], false, true)));
        }, true) ?? [],
      );
    };
    step();
    const before = tf.memory().numTensors;
    const bytesBefore = tf.memory().numBytes;
    for (let i = 0; i < 4; i++) step();
    expect(tf.memory().numTensors).toBe(before);
    expect(tf.memory().numBytes).toBe(bytesBefore);
    optimizer.dispose();
    tf.dispose([w1, w2, x]);
  });
});
