import { beforeAll, describe, expect, it } from "vitest";
import * as tf from "@tensorflow/tfjs";
import {
  binaryCrossEntropy,
  classBalancedWeights,
  getLoss,
  isLossName,
  l1Loss,
  LossError,
  LOSSES,
  mseLoss,
  rmseLoss,
  softmaxCrossEntropy,
  unitL1Loss,
} from "../../runtime/losses.js";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

const value = (t: tf.Scalar): number => {
  const v = t.dataSync()[0]!;
  t.dispose();
  return v;
};
const LN2 = Math.log(2);
const LN3 = Math.log(3);
const LN43 = Math.log(4 / 3);

function errorCode(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(LossError);
    return (e as LossError).code;
  }
  return "no error";
}

describe("softmaxCrossEntropy (ce)", () => {
  // Logits [ln 3, 0]: softmax [3/4, 1/4]; logits [0, 0]: [1/2, 1/2].
  it("is the mean NLL for classification", () => {
    const pred = tf.tensor2d([
      [LN3, 0],
      [0, 0],
    ]);
    // -ln(3/4) = ln(4/3) for label 0; -ln(1/2) = ln 2 for label 1.
    expect(value(softmaxCrossEntropy(pred, tf.tensor1d([0, 1], "int32")))).toBeCloseTo((LN43 + LN2) / 2, 6);
    // Label 1 on the first row: -ln(1/4) = ln 4.
    expect(value(softmaxCrossEntropy(pred, tf.tensor1d([1, 1])))).toBeCloseTo((Math.log(4) + LN2) / 2, 6);
  });

  it("ignores -1, out-of-range and non-integer labels", () => {
    const pred = tf.tensor2d([
      [LN3, 0],
      [0, 0],
      [5, -5],
      [1, 2],
    ]);
    expect(value(softmaxCrossEntropy(pred, tf.tensor1d([-1, 1, 2, 0.5])))).toBeCloseTo(LN2, 6);
    expect(value(softmaxCrossEntropy(pred, tf.tensor1d([0, 255, 7, -3]), { ignoreIndex: 255 }))).toBeCloseTo(LN43, 6);
    // No valid label: 0, not NaN.
    expect(value(softmaxCrossEntropy(pred, tf.tensor1d([-1, -1, -1, -1])))).toBe(0);
  });

  it("computes the class-balanced weights of the MTSL code", () => {
    // Counts over the batch: class 0: 3, class 1: 1, class 2: 0 (absent).
    const oneHot = tf.tensor2d([
      [1, 0, 0],
      [1, 0, 0],
      [1, 0, 0],
      [0, 1, 0],
    ]);
    const w = classBalancedWeights(oneHot, 0.999).arraySync();
    // w_c = (1 - beta) / (1 - beta^n_c): 0.001 / (1 - 0.999^3) = 0.001 / 0.002997001, 0.001 / 0.001 = 1.
    expect(w[0]).toBeCloseTo(0.001 / 0.002997001, 6);
    expect(w[1]).toBeCloseTo(1, 6);
    expect(w[2]).toBe(0);
  });

  it("is the weighted mean with balanced weights on an NHWC segmentation map", () => {
    // 1 x 2 x 2 pixels, 3 classes. Labels [[0, 0], [0, 1]]: counts 3, 1, 0.
    // Pixel logits: [ln 3, 0, 0] -> p = [3/5, 1/5, 1/5]; [0, 0, 0] -> 1/3 each.
    const pred = tf.tensor4d([
      [
        [
          [LN3, 0, 0],
          [0, 0, 0],
        ],
        [
          [0, 0, 0],
          [0, 0, 0],
        ],
      ],
    ]);
    const labels = tf.tensor3d([
      [
        [0, 0],
        [0, 1],
      ],
    ]);
    const nll = [Math.log(5 / 3), Math.log(3), Math.log(3), Math.log(3)];
    const w0 = 0.001 / (1 - 0.999 ** 3);
    const w1 = 1;
    const weights = [w0, w0, w0, w1];
    const expected = nll.reduce((s, v, i) => s + v * weights[i]!, 0) / weights.reduce((a, b) => a + b, 0);
    expect(value(softmaxCrossEntropy(pred, labels, { balanced: true }))).toBeCloseTo(expected, 5);
    // Plain CE is the unweighted mean, which differs.
    const plain = nll.reduce((a, b) => a + b, 0) / 4;
    expect(value(softmaxCrossEntropy(pred, labels))).toBeCloseTo(plain, 5);
    expect(Math.abs(plain - expected)).toBeGreaterThan(0.02);
    // Labels with a trailing axis of 1 are accepted.
    expect(value(softmaxCrossEntropy(pred, labels.reshape([1, 2, 2, 1]), { balanced: true }))).toBeCloseTo(expected, 5);
  });

  it("has the softmax-minus-one-hot gradient", () => {
    const pred = tf.tensor2d([[LN3, 0]]);
    const g = tf
      .grad((x: tf.Tensor) => softmaxCrossEntropy(x, tf.tensor1d([0])))(pred)
      .arraySync() as number[][];
    expect(g[0]![0]).toBeCloseTo(0.75 - 1, 6);
    expect(g[0]![1]).toBeCloseTo(0.25, 6);
  });

  it("is stable for large logits", () => {
    const v = value(softmaxCrossEntropy(tf.tensor2d([[1000, -1000]]), tf.tensor1d([1])));
    expect(v).toBeCloseTo(2000, 0);
  });

  it("rejects labels that do not fit and bad options", () => {
    expect(errorCode(() => softmaxCrossEntropy(tf.zeros([2, 3]), tf.zeros([3])))).toBe("LOSS_SHAPE_MISMATCH");
    expect(errorCode(() => softmaxCrossEntropy(tf.zeros([2, 3]), tf.zeros([2, 2])))).toBe("LOSS_SHAPE_MISMATCH");
    expect(errorCode(() => softmaxCrossEntropy(tf.zeros([2, 3]), tf.zeros([2]), { beta: 1 }))).toBe("LOSS_BAD_OPTION");
  });
});

describe("binaryCrossEntropy (bce)", () => {
  // Logits [0, ln 3, -ln 3, 2], targets [1, 1, 0, -1 (ignored)]:
  // l = softplus(x) - x z: ln 2; ln 4 - ln 3 = ln(4/3); ln(1 + 1/3) = ln(4/3).
  const logits = tf.tensor4d([0, LN3, -LN3, 2], [1, 2, 2, 1]);
  const target = tf.tensor4d([1, 1, 0, -1], [1, 2, 2, 1]);

  it("is the mean over kept elements without pos_weight", () => {
    expect(value(binaryCrossEntropy(logits, target))).toBeCloseTo((LN2 + 2 * LN43) / 3, 6);
  });

  it("weights positives by pos_weight and negatives by 1 - pos_weight", () => {
    const expected = (0.95 * (LN2 + LN43) + 0.05 * LN43) / 3;
    expect(value(binaryCrossEntropy(logits, target, { posWeight: 0.95 }))).toBeCloseTo(expected, 6);
  });

  it("is stable for large logits and has gradient sigmoid(x) - z at 0", () => {
    const big = value(binaryCrossEntropy(tf.tensor1d([100, -100]), tf.tensor1d([0, 1])));
    expect(big).toBeCloseTo(100, 3);
    const g = tf
      .grad((x: tf.Tensor) => binaryCrossEntropy(x, tf.tensor1d([1, 0])))(tf.tensor1d([0, 0]))
      .arraySync() as number[];
    // d/dx mean = (sigmoid(0) - z) / 2 = (0.5 - 1) / 2 and (0.5 - 0) / 2.
    expect(g[0]).toBeCloseTo(-0.25, 6);
    expect(g[1]).toBeCloseTo(0.25, 6);
  });

  it("rejects mismatched shapes and bad pos_weight", () => {
    expect(errorCode(() => binaryCrossEntropy(tf.zeros([2, 2]), tf.zeros([4])))).toBe("LOSS_SHAPE_MISMATCH");
    expect(errorCode(() => binaryCrossEntropy(tf.zeros([2]), tf.zeros([2]), { posWeight: 1.5 }))).toBe(
      "LOSS_BAD_OPTION",
    );
  });
});

describe("regression losses", () => {
  // pred [1, 2, 3, 4], target [1, 0, 5, 2]: differences 0, 2, -2, 2; target 0 is invalid depth.
  const pred = tf.tensor4d([1, 2, 3, 4], [1, 2, 2, 1]);
  const target = tf.tensor4d([1, 0, 5, 2], [1, 2, 2, 1]);

  it("rmse is over valid depth (target > 0) by default", () => {
    // valid: 0, -2, 2 -> sqrt(8 / 3)
    expect(value(rmseLoss(pred, target))).toBeCloseTo(Math.sqrt(8 / 3), 6);
    expect(value(rmseLoss(pred, target, { valid: "all" }))).toBeCloseTo(Math.sqrt(12 / 4), 6);
  });

  it("rmse has a zero (not NaN) gradient at a perfect prediction", () => {
    const t = tf.tensor1d([1, 2, 3]);
    const g = tf
      .grad((x: tf.Tensor) => rmseLoss(x, t))(tf.tensor1d([1, 2, 3]))
      .dataSync();
    expect(Array.from(g)).toEqual([0, 0, 0]);
    expect(value(rmseLoss(tf.tensor1d([1]), tf.tensor1d([0])))).toBe(0); // no valid pixel
  });

  it("l1 is over valid depth by default, as the language's l1 (catalogue), over all elements on request", () => {
    expect(value(l1Loss(pred, target))).toBeCloseTo(4 / 3, 6);
    expect(value(l1Loss(pred, target, { valid: "positive" }))).toBeCloseTo(4 / 3, 6);
    expect(value(l1Loss(pred, target, { valid: "all" }))).toBeCloseTo(6 / 4, 6);
  });

  it("mse is over all elements", () => {
    expect(value(mseLoss(pred, target))).toBeCloseTo(12 / 4, 6);
    expect(value(mseLoss(pred, target, { valid: "positive" }))).toBeCloseTo(8 / 3, 6);
  });

  it("rejects mismatched shapes and bad valid options", () => {
    expect(errorCode(() => rmseLoss(tf.zeros([2]), tf.zeros([3])))).toBe("LOSS_SHAPE_MISMATCH");
    expect(errorCode(() => l1Loss(tf.zeros([2]), tf.zeros([2]), { valid: "depth" as never }))).toBe("LOSS_BAD_OPTION");
  });
});

describe("unitL1Loss (l1_unit)", () => {
  it("normalises the prediction and skips pixels with an all-zero target", () => {
    // Pixel 1: [3, 0, 4] -> [0.6, 0, 0.8] vs [0, 0, 1]: 0.6 + 0 + 0.2 = 0.8.
    // Pixel 2: [0, 0, 0] stays 0 vs [0, 0, 1]: 1.
    // Pixel 3: target all zero: skipped. Mean over 2 pixels x 3 components: 1.8 / 6 = 0.3.
    const pred = tf.tensor4d([3, 0, 4, 0, 0, 0, 1, 1, 1], [1, 1, 3, 3]);
    const target = tf.tensor4d([0, 0, 1, 0, 0, 1, 0, 0, 0], [1, 1, 3, 3]);
    expect(value(unitL1Loss(pred, target))).toBeCloseTo(0.3, 6);
    const g = tf
      .grad((x: tf.Tensor) => unitL1Loss(x, target))(pred)
      .dataSync();
    for (const v of g) expect(Number.isFinite(v)).toBe(true);
  });

  it("is invariant to the prediction's length", () => {
    const target = tf.tensor2d([[0.6, 0.8, 0]]);
    const a = value(unitL1Loss(tf.tensor2d([[1, 2, 3]]), target));
    const b = value(unitL1Loss(tf.tensor2d([[10, 20, 30]]), target));
    expect(a).toBeCloseTo(b, 6);
  });
});

describe("loss registry", () => {
  it("names every loss", () => {
    expect(Object.keys(LOSSES).sort()).toEqual(["bce", "ce", "l1", "l1_unit", "mse", "rmse"]);
    expect(getLoss("rmse")).toBe(rmseLoss);
    expect(getLoss("l1_unit")).toBe(unitL1Loss);
    expect(isLossName("__proto__")).toBe(false);
    expect(errorCode(() => getLoss("__proto__"))).toBe("LOSS_UNKNOWN");
    expect(errorCode(() => getLoss("hinge"))).toBe("LOSS_UNKNOWN");
  });

  it("does not leak tensors", () => {
    const p = tf.randomNormal([2, 4, 4, 3]);
    const t = tf.randomUniform([2, 4, 4, 3]);
    const labels = tf.randomUniform([2, 4, 4], -1, 3, "int32");
    const before = tf.memory().numTensors;
    const losses = [
      softmaxCrossEntropy(p, labels, { balanced: true }),
      binaryCrossEntropy(p, t, { posWeight: 0.95 }),
      rmseLoss(p, t),
      l1Loss(p, t),
      mseLoss(p, t),
      unitL1Loss(p, t),
    ];
    expect(tf.memory().numTensors).toBe(before + losses.length);
    for (const l of losses) expect(Number.isFinite(l.dataSync()[0]!)).toBe(true);
    tf.dispose(losses);
  });
});

describe("ce with label smoothing", () => {
  it("mixes the NLL with the mean negative log-probability, as PyTorch does", async () => {
    await tf.setBackend("cpu");
    // logits [ln 1, ln 2, ln 1] -> p = [0.25, 0.5, 0.25]; label 1.
    const logits = tf.tensor2d([[0, Math.log(2), 0]]);
    const labels = tf.tensor1d([1], "int32");
    const e = 0.1;
    const nll = -Math.log(0.5);
    const uniform = -(Math.log(0.25) + Math.log(0.5) + Math.log(0.25)) / 3;
    const got = softmaxCrossEntropy(logits, labels, { labelSmoothing: e }).dataSync()[0]!;
    expect(got).toBeCloseTo((1 - e) * nll + e * uniform, 6);
    expect(softmaxCrossEntropy(logits, labels).dataSync()[0]!).toBeCloseTo(nll, 6);
    expect(() => softmaxCrossEntropy(logits, labels, { labelSmoothing: 1 })).toThrow(/label_smoothing/);
  });
});
