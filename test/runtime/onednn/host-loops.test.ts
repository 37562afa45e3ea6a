/**
 * The onednn backend's native host loops and kernel-output recycling:
 * - batch norm forward / backward and the Adam update (mtsl-onednn `hostKernels`) give
 *   bit for bit the runtime's JavaScript loops on one thread, and agree to 1e-6 on two
 *   (per-thread partial sums), above and below the parallel threshold;
 * - Concat and SplitV (native row copies) equal the CPU backend's;
 * - a recycled output array never changes values someone still holds: a dataSync result,
 *   or a CPU kernel's view of a disposed tensor.
 */
import * as tf from "@tensorflow/tfjs";
import { afterAll, describe, expect, it } from "vitest";

import { batchNormTrainBackward, batchNormTrainForward } from "../../../runtime/backend/batch-norm-train.js";
import type { HostKernels } from "../../../runtime/backend/host-kernels.js";
import { adamLoop } from "../../../runtime/train/optimizer.js";
import { expectClose, onBackend, seeded, seededValues } from "../backend/helpers.js";
import { onednn, skipReason } from "./available.js";

interface RecyclingStats {
  reused: number;
  allocated: number;
  recycled: number;
  escaped: number;
}
const module = onednn as unknown as
  (typeof onednn & { hostKernels: HostKernels; recyclingStats(): RecyclingStats }) | null;

/** Largest |a - b| over largest |b|. */
function relativeError(a: Float32Array, b: Float32Array): number {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < b.length; i++) {
    diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  return diff / scale;
}

function expectBits(a: Float32Array, b: Float32Array, label: string): void {
  expect(a.length, label).toBe(b.length);
  let mismatches = 0;
  for (let i = 0; i < b.length; i++) if (!Object.is(a[i], b[i])) mismatches++;
  expect(mismatches, `${label}: elements that differ`).toBe(0);
}

/** Inputs with a channel mean far from zero (where a one-pass variance would lose digits). */
function bnInputs(rows: number, channels: number, seed: number) {
  const x = seededValues(rows * channels, seed).map((v, i) => 3 * v + (i % channels) * 0.5 + 10);
  return {
    x,
    dy: seededValues(rows * channels, seed + 1),
    gamma: seededValues(channels, seed + 2).map((v) => 1 + v),
    beta: seededValues(channels, seed + 3),
    movingMean: seededValues(channels, seed + 4),
    movingVariance: seededValues(channels, seed + 5).map((v) => 1 + Math.abs(v)),
  };
}

const attrs = { epsilon: 1e-5, momentum: 0.9 };
const cases = [
  { rows: 7, channels: 3, label: "21 elements" },
  { rows: 16 * 32 * 32, channels: 32, label: "2^19 elements (parallel on 2 threads)" },
];

describe.skipIf(module === null)(`onednn host loops ${skipReason}`, () => {
  afterAll(() => module?.setThreads(1));

  for (const threads of [1, 2]) {
    for (const c of cases) {
      for (const epilogue of ["", "relu", "residual + relu"]) {
        it(`batch norm${epilogue ? ` + ${epilogue}` : ""} forward and backward, ${c.label}, ${threads} thread(s)`, () => {
          module!.setThreads(threads);
          const k = module!.hostKernels;
          const i = bnInputs(c.rows, c.channels, 7);
          const a = { ...attrs, relu: epilogue !== "" };
          const res = epilogue === "residual + relu" ? seededValues(c.rows * c.channels, 11) : undefined;
          const js = batchNormTrainForward(i.x, i.gamma, i.beta, i.movingMean, i.movingVariance, c.channels, a, res);
          const nat = k.batchNormTrainForward(i.x, i.gamma, i.beta, i.movingMean, i.movingVariance, c.channels, a, res);
          const y = a.relu ? js.y : undefined;
          const jsB = batchNormTrainBackward(i.dy, i.x, i.gamma, js.mean, js.variance, c.channels, attrs.epsilon, y);
          const natB = k.batchNormTrainBackward(
            i.dy,
            i.x,
            i.gamma,
            js.mean,
            js.variance,
            c.channels,
            attrs.epsilon,
            y,
            res !== undefined,
          );
          const pairs: [string, Float32Array, Float32Array][] = [
            ["y", nat.y, js.y],
            ["mean", nat.mean, js.mean],
            ["variance", nat.variance, js.variance],
            ["movingMean", nat.movingMean, js.movingMean],
            ["movingVariance", nat.movingVariance, js.movingVariance],
            ["dx", natB.dx, jsB.dx],
            ["dgamma", natB.dgamma, jsB.dgamma],
            ["dbeta", natB.dbeta, jsB.dbeta],
          ];
          if (res !== undefined) pairs.push(["dz", natB.dz!, jsB.dz!]);
          else expect(natB.dz).toBeUndefined();
          if (a.relu) {
            // the mask is applied: some outputs are zero, and their rows' gradient is masked
            expect(js.y.filter((v) => v === 0).length).toBeGreaterThan(js.y.length / 5);
          }
          const parallel = threads > 1 && c.rows * c.channels >= 1 << 18;
          for (const [name, p, q] of pairs) {
            if (parallel) expect(relativeError(p, q), name).toBeLessThan(1e-6);
            else expectBits(p, q, name);
          }
        });
      }
    }

    it(`the fused ReLU's gradient on special values (NaN, +-0, +-Infinity, denormals) is the JavaScript one, ${threads} thread(s)`, () => {
      module!.setThreads(threads);
      const specials = [Number.NaN, -Number.NaN, 0, -0, Infinity, -Infinity, 1e-45, -1e-45, 2.5, -2.5, 3e38];
      const rows = 8;
      const channels = 9; // not a multiple of the vector width
      const n = rows * channels;
      const y = Float32Array.from({ length: n }, (_, i) => specials[i % specials.length]!);
      const dy = Float32Array.from({ length: n }, (_, i) => specials[(i * 5 + 3) % specials.length]!);
      const i = bnInputs(rows, channels, 5);
      const stats = batchNormTrainForward(i.x, i.gamma, i.beta, i.movingMean, i.movingVariance, channels, attrs);
      const js = batchNormTrainBackward(dy, i.x, i.gamma, stats.mean, stats.variance, channels, attrs.epsilon, y);
      const nat = module!.hostKernels.batchNormTrainBackward(
        dy,
        i.x,
        i.gamma,
        stats.mean,
        stats.variance,
        channels,
        attrs.epsilon,
        y,
        true,
      );
      expectBits(nat.dz!, js.dz!, "dz");
      // NaN where y or dy is NaN, or dy is infinite where y is not positive (Infinity * 0)
      expect(js.dz!.filter((v) => Number.isNaN(v)).length).toBeGreaterThan(0);
      expectBits(nat.dx, js.dx, "dx");
      expectBits(nat.dgamma, js.dgamma, "dgamma");
    });

    it(`Adam update, ${threads} thread(s), first and later steps, with and without weight decay`, () => {
      module!.setThreads(threads);
      const n = (1 << 18) + 5;
      const w = seededValues(n, 1);
      const g = seededValues(n, 2);
      const m0 = seededValues(n, 3);
      const v0 = seededValues(n, 4).map(Math.abs);
      for (const [hasMoments, weightDecay] of [
        [false, 0],
        [true, 0],
        [true, 5e-5],
      ] as const) {
        const out = () => [new Float32Array(n), new Float32Array(n), new Float32Array(n)] as const;
        const [w1, m1, v1] = out();
        const [w2, m2, v2] = out();
        const args = [0.9, 0.999, 1e-8, weightDecay, Math.sqrt(1 - 0.999 ** 3), 1e-3 / (1 - 0.9 ** 3)] as const;
        adamLoop(w, g, m0, v0, hasMoments, w1, m1, v1, ...args);
        module!.hostKernels.adamLoop(w, g, m0, v0, hasMoments, w2, m2, v2, ...args);
        const label = `moments ${hasMoments}, decay ${weightDecay}`;
        expectBits(w2, w1, `${label}: w`);
        expectBits(m2, m1, `${label}: m`);
        expectBits(v2, v1, `${label}: v`);
        expect(
          w1.some((v, i) => v !== w[i]),
          `${label}: the update changes weights`,
        ).toBe(true);
      }
    });
  }

  it("Concat and SplitV equal the CPU backend's on every axis, uneven pieces", async () => {
    const fn = () => {
      const a = seeded([2, 5, 4, 3], 1);
      const b = seeded([2, 5, 4, 6], 2);
      const c = seeded([2, 5, 1, 3], 3);
      const d = seeded([3, 5, 4, 3], 4);
      const results = [
        tf.concat([a, b], 3),
        tf.concat([a, c, a], 2),
        tf.concat([a, d], 0),
        tf.concat([a, seeded([2, 0, 4, 3], 5), a], 1),
        ...tf.split(b, [1, 4, 1], 3),
        ...tf.split(d, [2, 1], 0),
        ...tf.split(a, [1, 3, 1], 1),
      ];
      for (const t of [a, b, c, d]) t.dispose();
      return results;
    };
    expectClose(await onBackend("onednn", fn), await onBackend("cpu", fn), "concat / split", 0);
  });

  it("recycles disposed outputs, and never changes values someone still holds", async () => {
    await tf.setBackend("onednn");
    const shape = [4, 32, 32, 8]; // 32,768 elements: recycled
    const x = seeded(shape, 1);
    const y = seeded(shape, 2);
    const expected = tf.tidy(() => (tf.add(x, y).dataSync() as Float32Array).slice());

    // A dataSync result outlives its tensor.
    const sum = tf.add(x, y);
    const held = sum.dataSync() as Float32Array;
    sum.dispose();
    const other = tf.mul(x, y);
    expectBits(held, expected, "dataSync result after dispose");

    // A CPU-backend kernel's result (a simple slice can be a view) outlives its input.
    const source = tf.add(x, y);
    const sliced = tf.stridedSlice(source, [1, 0, 0, 0], [3, 32, 32, 8]);
    source.dispose();
    const again = tf.sub(x, y);
    expectBits(
      sliced.dataSync() as Float32Array,
      expected.subarray(32 * 32 * 8, 3 * 32 * 32 * 8),
      "slice after its input's dispose",
    );

    // Arrays that only native kernels saw are reused.
    const before = module!.recyclingStats();
    for (let i = 0; i < 5; i++) {
      tf.tidy(() => {
        tf.relu(tf.add(x, y));
      });
    }
    const after = module!.recyclingStats();
    expect(after.reused - before.reused, "outputs served from recycled arrays").toBeGreaterThanOrEqual(8);
    for (const t of [x, y, other, sliced, again]) t.dispose();
  });
});
