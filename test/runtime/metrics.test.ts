import { beforeAll, describe, expect, it } from "vitest";
import * as tf from "@tensorflow/tfjs";
import {
  AccuracyAccumulator,
  createMetricAccumulator,
  DepthAccumulator,
  EdgeAccumulator,
  isMetricName,
  METRIC_DIRECTIONS,
  METRIC_FAMILIES,
  METRIC_NAMES,
  MetricError,
  multiTaskGain,
  NormalsAccumulator,
  ReconstructionAccumulator,
  SegmentationAccumulator,
} from "../../runtime/metrics.js";
import { binaryCrossEntropy } from "../../runtime/losses.js";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

function errorCode(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(MetricError);
    return (e as MetricError).code;
  }
  return "no error";
}

describe("classification accuracy", () => {
  it("counts argmax hits over labelled samples", async () => {
    // argmax rows: 1, 0, 0 (tie -> first), 2; labels 1, 1, -1 (ignored), 2 -> 2 of 3 correct.
    const acc = new AccuracyAccumulator();
    await acc.update(
      tf.tensor2d([
        [1, 2, 0],
        [3, 0, 0],
        [0, 0, 0],
        [0, 1, 5],
      ]),
      tf.tensor1d([1, 1, -1, 2]),
    );
    expect(acc.result().accuracy).toBeCloseTo(2 / 3, 15);
    await acc.update(tf.tensor2d([[0, 0, 1]]), tf.tensor1d([0]));
    expect(acc.result().accuracy).toBeCloseTo(2 / 4, 15);
  });

  it("is NaN before any data and after a reset", async () => {
    const acc = new AccuracyAccumulator();
    expect(acc.result().accuracy).toBeNaN();
    await acc.update(tf.tensor2d([[1, 0]]), tf.tensor1d([0]));
    acc.reset();
    expect(acc.result().accuracy).toBeNaN();
  });
});

describe("segmentation", () => {
  // 3 classes (4 declared; class 3 never appears). Targets [0, 0, 1, 1, 2, -1], predicted
  // classes [0, 1, 1, 1, 0, 2]. Confusion (row target, column prediction), labelled pixels:
  //   (0,0) 1, (0,1) 1, (1,1) 2, (2,0) 1.
  // IoU_0 = 1 / (2 + 2 - 1) = 1/3, IoU_1 = 2 / (2 + 3 - 2) = 2/3, IoU_2 = 0 / (1 + 0 - 0) = 0,
  // class 3: absent from both, left out. mIoU = (1/3 + 2/3 + 0) / 3 = 1/3; pixel acc = 3/5.
  const predClasses = [0, 1, 1, 1, 0, 2];
  const logits = predClasses.flatMap((c) => [0, 1, 2, 3].map((k) => (k === c ? 5 : 0)));
  const target = [0, 0, 1, 1, 2, -1];

  it("computes mIoU over present classes and pixel accuracy", async () => {
    const seg = new SegmentationAccumulator(4);
    await seg.update(tf.tensor4d(logits, [1, 2, 3, 4]), tf.tensor3d(target, [1, 2, 3]));
    const r = seg.result();
    expect(r.miou).toBeCloseTo(1 / 3, 15);
    expect(r.pixel_acc).toBeCloseTo(3 / 5, 15);
    expect(seg.classIoU()[3]).toBeNaN();
    expect(seg.confusionMatrix()[0]).toEqual([1, 1, 0, 0]);
  });

  it("does not depend on how the data is split into batches, and merges", () => {
    const a = new SegmentationAccumulator(4);
    const b = new SegmentationAccumulator(4);
    a.updateData(logits.slice(0, 12), target.slice(0, 3), [3, 4], [3]);
    b.updateData(logits.slice(12), target.slice(3), [3, 4], [3, 1]);
    a.merge(b);
    expect(a.result().miou).toBeCloseTo(1 / 3, 15);
    expect(a.result().pixel_acc).toBeCloseTo(3 / 5, 15);
  });

  it("rejects mismatched shapes, class counts and merges", () => {
    expect(errorCode(() => new SegmentationAccumulator(4).updateData(logits, target, [6, 4], [5]))).toBe(
      "METRIC_SHAPE_MISMATCH",
    );
    expect(errorCode(() => new SegmentationAccumulator(3).updateData(logits, target, [6, 4], [6]))).toBe(
      "METRIC_SHAPE_MISMATCH",
    );
    expect(errorCode(() => new SegmentationAccumulator(4).updateData(logits.slice(1), target, [6, 4], [6]))).toBe(
      "METRIC_SHAPE_MISMATCH",
    );
    expect(errorCode(() => new SegmentationAccumulator(4).merge(new SegmentationAccumulator(3)))).toBe(
      "METRIC_MERGE_MISMATCH",
    );
    expect(errorCode(() => new SegmentationAccumulator(4).merge(new DepthAccumulator()))).toBe("METRIC_MERGE_MISMATCH");
    expect(errorCode(() => new SegmentationAccumulator(0))).toBe("METRIC_BAD_OPTION");
  });
});

describe("depth", () => {
  it("computes rmse, abs_rel and delta1 over valid pixels", async () => {
    // pred [1, 2, 3, 10], target [1, 0 (invalid), 2, 8]. Valid errors: 0, 1, 2.
    // rmse = sqrt(5 / 3); abs_rel = (0 + 1/2 + 2/8) / 3 = 0.25;
    // ratios 1, 1.5, 1.25 -> only 1 < 1.25 (1.25 itself is not): delta1 = 1/3.
    const d = new DepthAccumulator();
    await d.update(tf.tensor4d([1, 2, 3, 10], [1, 2, 2, 1]), tf.tensor4d([1, 0, 2, 8], [1, 2, 2, 1]));
    const r = d.result();
    expect(r.rmse).toBeCloseTo(Math.sqrt(5 / 3), 15);
    expect(r.abs_rel).toBeCloseTo(0.25, 15);
    expect(r.delta1).toBeCloseTo(1 / 3, 15);
  });

  it("pools over all pixels, not per batch, and never counts a non-positive prediction as within", () => {
    // Batch 1: one pixel, error 3. Batch 2: three pixels, error 0 (target 2, pred 2) but one
    // predicted -2 (error 4, ratio undefined -> not within).
    // rmse = sqrt((9 + 0 + 0 + 16) / 4) = 2.5, not the mean of per-batch RMSEs.
    const d = new DepthAccumulator();
    d.updateData([4], [1], [1], [1]);
    d.updateData([2, 2, -2], [2, 2, 2], [3], [3]);
    expect(d.result().rmse).toBeCloseTo(2.5, 15);
    expect(d.result().delta1).toBeCloseTo(2 / 4, 15);
  });
});

describe("normals", () => {
  it("computes the mean angle and the within-X percentages", async () => {
    const c = Math.cos((20 * Math.PI) / 180);
    const s = Math.sin((20 * Math.PI) / 180);
    // Angles: 0, 45, 90 (zero prediction), 20 degrees; the fifth pixel has an all-zero target.
    const pred = [2, 0, 0, 1, 1, 0, 0, 0, 0, c, s, 0, 1, 1, 1];
    const target = [1, 0, 0, 1, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0];
    const n = new NormalsAccumulator();
    await n.update(tf.tensor4d(pred, [1, 1, 5, 3]), tf.tensor4d(target, [1, 1, 5, 3]));
    const r = n.result();
    expect(r.mean_angle).toBeCloseTo((0 + 45 + 90 + 20) / 4, 6);
    expect(r.within_11_25).toBeCloseTo(25, 12);
    expect(r.within_22_5).toBeCloseTo(50, 12);
    expect(r.within_30).toBeCloseTo(50, 12);
  });

  it("clamps the cosine (no NaN for parallel vectors) and rejects a wrong channel count", () => {
    const n = new NormalsAccumulator();
    n.updateData([0.1, 0.2, 0.3], [1, 2, 3], [3], [3]);
    expect(n.result().mean_angle).toBeCloseTo(0, 5);
    expect(errorCode(() => n.updateData([1, 2], [1, 2], [2], [2]))).toBe("METRIC_SHAPE_MISMATCH");
  });
});

describe("edges", () => {
  // Logits [0, ln 3, -ln 3, 2], targets [1, 1, 0, -1 (ignored)].
  // Per element BCE: ln 2, ln(4/3), ln(4/3). Predicted positive when logit > 0: 0, 1, 0.
  const logits = [0, Math.log(3), -Math.log(3), 2];
  const target = [1, 1, 0, -1];

  it("computes BCE and accuracy at threshold 0.5", () => {
    const e = new EdgeAccumulator();
    e.updateData(logits, target, [4], [4]);
    const r = e.result();
    expect(r.bce).toBeCloseTo((Math.log(2) + 2 * Math.log(4 / 3)) / 3, 12);
    expect(r.accuracy).toBeCloseTo(2 / 3, 15);
  });

  it("matches the bce loss with pos_weight", async () => {
    const e = new EdgeAccumulator(0.95);
    await e.update(tf.tensor1d(logits), tf.tensor1d(target));
    const loss = binaryCrossEntropy(tf.tensor1d(logits), tf.tensor1d(target), { posWeight: 0.95 }).dataSync()[0]!;
    expect(e.result().bce).toBeCloseTo(loss, 6);
    expect(errorCode(() => new EdgeAccumulator(0.95).merge(new EdgeAccumulator()))).toBe("METRIC_MERGE_MISMATCH");
  });

  it("is finite for extreme logits", () => {
    const e = new EdgeAccumulator();
    e.updateData([1000, -1000], [0, 1], [2], [2]);
    expect(e.result().bce).toBeCloseTo(1000, 9);
  });
});

describe("reconstruction", () => {
  it("computes the MSE over all elements", async () => {
    const m = new ReconstructionAccumulator();
    await m.update(tf.tensor2d([[1, 2]]), tf.tensor2d([[0, 4]]));
    m.updateData([3], [3], [1], [1]);
    expect(m.result().mse).toBeCloseTo((1 + 4 + 0) / 3, 15);
    expect(errorCode(() => m.updateData([1, 2], [1], [2], [1]))).toBe("METRIC_SHAPE_MISMATCH");
  });
});

describe("metric registry and Delta_m", () => {
  it("gives every metric a direction and every family its names", () => {
    expect([...METRIC_NAMES].sort()).toEqual(
      [
        "abs_rel",
        "accuracy",
        "bce",
        "delta1",
        "mean_angle",
        "miou",
        "mse",
        "pixel_acc",
        "rmse",
        "within_11_25",
        "within_22_5",
        "within_30",
      ].sort(),
    );
    const lower = METRIC_NAMES.filter((n) => METRIC_DIRECTIONS[n] === "lower").sort();
    expect(lower).toEqual(["abs_rel", "bce", "mean_angle", "mse", "rmse"]);
    for (const [family, names] of Object.entries(METRIC_FAMILIES)) {
      const acc = createMetricAccumulator(family as keyof typeof METRIC_FAMILIES, { classes: 3 });
      expect(Object.keys(acc.result()).sort()).toEqual([...names].sort());
      expect(acc.names).toEqual(names);
    }
    expect(isMetricName("miou")).toBe(true);
    expect(isMetricName("__proto__")).toBe(false);
    expect(errorCode(() => createMetricAccumulator("segmentation"))).toBe("METRIC_BAD_OPTION");
  });

  it("computes Delta_m with the sign of each metric's direction", () => {
    // miou 0.5 vs 0.4: +25 %; rmse 0.9 vs 1.0: lower is better, +10 %; mean = +17.5 %.
    expect(
      multiTaskGain([
        { metric: "miou", value: 0.5, baseline: 0.4 },
        { metric: "rmse", value: 0.9, baseline: 1.0 },
      ]),
    ).toBeCloseTo(17.5, 12);
    // A worse rmse counts against: 1.2 vs 1.0 -> -20 %.
    expect(multiTaskGain([{ metric: "rmse", value: 1.2, baseline: 1.0 }])).toBeCloseTo(-20, 12);
    expect(errorCode(() => multiTaskGain([]))).toBe("METRIC_BAD_BASELINE");
    expect(errorCode(() => multiTaskGain([{ metric: "mse", value: 1, baseline: 0 }]))).toBe("METRIC_BAD_BASELINE");
  });
});
