import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { selectBackend } from "../../../runtime/backend/select.js";
import {
  gaussianWeights,
  boxResampleMatrix,
  reflectCoordinate,
  translate,
} from "../../../runtime/eval/corrupt/filters.js";
import { normalQuantile, poissonQuantile, plasmaFractal } from "../../../runtime/eval/corrupt/fields.js";
import { blockDct, quantTable } from "../../../runtime/eval/corrupt/digital.js";
import { glassPermutation, motionTaps } from "../../../runtime/eval/corrupt/blur.js";
import { CORRUPTION_NAMES, corrupt, type CorruptionName } from "../../../runtime/eval/corruptions.js";
import { Rng } from "../../../runtime/random.js";
import { isMtslError } from "../../../runtime/errors.js";
import { dataImages } from "./images.js";

let grey: tf.Tensor4D; // MultiMNIST 16 x 16 x 1
let rgb: tf.Tensor4D; // scenes 32 x 32 x 3

beforeAll(async () => {
  tf.enableProdMode();
  await selectBackend("wasm");
  grey = await dataImages("multimnist", 16, 6);
  rgb = await dataImages("scenes", 32, 6);
}, 60_000);

afterAll(() => {
  grey.dispose();
  rgb.dispose();
});

const meanAbsChange = (a: tf.Tensor, b: tf.Tensor): number =>
  tf.tidy(() => tf.mean(tf.abs(tf.sub(a, b))).dataSync()[0]!);

describe("translate (motion blur, snow)", () => {
  it("shifts every image of a batch by its own offset, on the cpu and wasm backends (hand-worked, reflected borders)", async () => {
    // Two 1 x 4 images, shifted right by one pixel (out(x) = in(x + 1)) and left by half a pixel.
    const images = [0, 1, 2, 3, 10, 11, 12, 13];
    const expected = [1, 2, 3, 3, 10, 10.5, 11.5, 12.5];
    for (const backend of ["cpu", "wasm"]) {
      await tf.setBackend(backend);
      const y = translate(tf.tensor4d(images, [2, 1, 4, 1]), [
        [0, 1],
        [0, -0.5],
      ]);
      expect(Array.from(await y.data()), backend).toEqual(expected);
      y.dispose();
    }
    await tf.setBackend("wasm");
  });
});

describe("every corruption", () => {
  for (const name of CORRUPTION_NAMES) {
    it(`${name}: shape and [0, 1] kept, effect grows with severity, deterministic, no leaks`, async () => {
      for (const [label, x] of [
        ["grey", grey],
        ["rgb", rgb],
      ] as const) {
        const before = tf.memory().numTensors;
        const changes: number[] = [];
        for (let s = 1; s <= 5; s++) {
          const y = await corrupt(x, name, s, { seed: 11 });
          expect(y.shape).toEqual(x.shape);
          const [lo, hi] = tf.tidy(() => [tf.min(y).dataSync()[0]!, tf.max(y).dataSync()[0]!]);
          expect(lo).toBeGreaterThanOrEqual(0);
          expect(hi).toBeLessThanOrEqual(1);
          changes.push(meanAbsChange(y, x));
          y.dispose();
        }
        expect(tf.memory().numTensors).toBe(before);
        expect(changes[0], `${name} ${label} severity 1 changes the images`).toBeGreaterThan(1e-3);
        // Glass blur on near-binary digits: severity 2's stronger blur hides severity 1's pixel swaps
        // (the reference's own parameters); from severity 2 on it grows.
        const from = name === "glass_blur" && label === "grey" ? 1 : 0;
        for (let s = from + 1; s < 5; s++) {
          expect(
            changes[s],
            `${name} ${label} severity ${s + 1} vs ${s}: ${changes.map((c) => c.toFixed(4))}`,
          ).toBeGreaterThan(changes[s - 1]!);
        }
        expect(changes[4]).toBeGreaterThan(changes[0]!);
      }
    });
  }

  it("is deterministic from the seed and the image index, not from the batch", async () => {
    const names: CorruptionName[] = [
      "gaussian_noise",
      "shot_noise",
      "glass_blur",
      "motion_blur",
      "snow",
      "frost",
      "fog",
      "elastic_transform",
    ];
    for (const name of names) {
      const a = await corrupt(rgb, name, 3, { seed: 5 });
      const b = await corrupt(rgb, name, 3, { seed: 5 });
      const c = await corrupt(rgb, name, 3, { seed: 6 });
      expect(meanAbsChange(a, b)).toBe(0);
      expect(meanAbsChange(a, c), name).toBeGreaterThan(0);
      // Images 2..5 corrupted as their own batch (offset 2) equal the same images inside the full batch.
      const tail = rgb.slice([2, 0, 0, 0], [4, -1, -1, -1]);
      const d = await corrupt(tail, name, 3, { seed: 5, offset: 2 });
      const aTail = a.slice([2, 0, 0, 0], [4, -1, -1, -1]);
      expect(meanAbsChange(d, aTail), name).toBeLessThan(1e-6);
      tf.dispose([a, b, c, d, tail, aTail]);
    }
  });

  it("rejects unknown names, bad severities and non-batches with MTSL3006", async () => {
    await expect(corrupt(rgb, "rain" as CorruptionName, 1)).rejects.toThrow(/MTSL3006.*unknown corruption 'rain'/);
    for (const s of [0, 6, 2.5]) {
      try {
        await corrupt(rgb, "fog", s);
        expect.unreachable();
      } catch (e) {
        expect(isMtslError(e, "MTSL3006")).toBe(true);
      }
    }
    const flat = tf.zeros([4, 4]) as unknown as tf.Tensor4D;
    await expect(corrupt(flat, "fog", 1)).rejects.toThrow(/MTSL3006/);
    flat.dispose();
  });
});

describe("reference values of the building blocks", () => {
  it("shot noise quantiles match the Poisson CDF", () => {
    // P(X <= 2 | lambda 1.5) = e^-1.5 (1 + 1.5 + 1.125) = 0.808847...
    expect(poissonQuantile(1.5, 0.8088)).toBe(2);
    expect(poissonQuantile(1.5, 0.8089)).toBe(3);
    expect(poissonQuantile(0, 0.99)).toBe(0);
    // Normal regime: the median of Poisson(100) is 100.
    expect(poissonQuantile(100, 0.5)).toBe(100);
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963985, 7);
    expect(normalQuantile(0.01)).toBeCloseTo(-2.326347874, 7);
  });

  it("the 8-point DCT is orthonormal and matches DCT-II by hand", () => {
    const d = blockDct(8).values;
    for (let i = 0; i < 8; i++)
      for (let j = 0; j < 8; j++) {
        let dot = 0;
        for (let k = 0; k < 8; k++) dot += d[i * 8 + k]! * d[j * 8 + k]!;
        expect(dot).toBeCloseTo(i === j ? 1 : 0, 12);
      }
    expect(d[0]).toBeCloseTo(1 / Math.sqrt(8), 12);
    expect(d[8 + 0]).toBeCloseTo(0.5 * Math.cos(Math.PI / 16), 12);
  });

  it("JPEG tables scale as libjpeg", () => {
    // quality 50 keeps the base table; 25 doubles it; 75 halves it.
    expect(quantTable([16, 11, 255], 50)).toEqual([16, 11, 255]);
    expect(quantTable([16, 11, 200], 25)).toEqual([32, 22, 255]);
    expect(quantTable([16, 11, 1], 75)).toEqual([8, 6, 1]);
  });

  it("box resampling averages covered pixels and keeps constants", () => {
    const m = boxResampleMatrix(4, 2).values;
    expect([...m]).toEqual([0.5, 0.5, 0, 0, 0, 0, 0.5, 0.5]);
    const up = boxResampleMatrix(3, 5);
    for (let r = 0; r < 5; r++) {
      let s = 0;
      for (let c = 0; c < 3; c++) s += up.values[r * 3 + c]!;
      expect(s).toBeCloseTo(1, 12);
    }
    expect(reflectCoordinate(-1, 4)).toBe(0);
    expect(reflectCoordinate(4.5, 4)).toBe(2.5);
    expect(reflectCoordinate(5, 4)).toBe(2);
  });

  it("Gaussian weights keep their variance, also below a pixel", () => {
    for (const sigma of [0.3, 0.7, 1.5, 3]) {
      const w = gaussianWeights(sigma);
      const r = (w.length - 1) / 2;
      let sum = 0;
      let variance = 0;
      w.forEach((v, i) => {
        sum += v;
        variance += v * (i - r) ** 2;
      });
      expect(sum).toBeCloseTo(1, 12);
      expect(variance).toBeCloseTo(sigma * sigma, 2);
    }
  });

  it("motion taps are one-sided along the angle; glass swaps stay local", () => {
    const taps = motionTaps(10, 2, 0, 1);
    expect(taps[0]).toEqual([0, 0, expect.any(Number)]);
    for (const [dy, dx] of taps) {
      expect(dy).toBeCloseTo(0, 12);
      expect(dx).toBeGreaterThanOrEqual(0);
    }
    expect(taps.reduce((s, t) => s + t[2], 0)).toBeCloseTo(1, 12);
    const perm = glassPermutation(8, 8, 2, 1, Rng.fromSeed(1));
    expect([...perm].sort((a, b) => a - b)).toEqual([...Array(64).keys()]);
    perm.forEach((src, p) => {
      expect(Math.abs(Math.floor(src / 8) - Math.floor(p / 8))).toBeLessThanOrEqual(8);
    });
  });

  it("the plasma fractal is in [0, 1], reaches both ends and is seeded", () => {
    const a = plasmaFractal(16, 2, Rng.fromSeed(3));
    const b = plasmaFractal(16, 2, Rng.fromSeed(3));
    expect([...a]).toEqual([...b]);
    expect(Math.min(...a)).toBe(0);
    expect(Math.max(...a)).toBe(1);
  });
});
