import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { digitPool, loadMnistDigits, DIGIT_PIXELS } from "../../../runtime/data/mnist-digits.js";
import { generateMultiMnist, LEFT_OFFSETS, RIGHT_OFFSETS } from "../../../runtime/data/multimnist.js";
import { SPLIT_NAMES } from "../../../runtime/data/types.js";

const small = { train: 60, val: 20, test: 20, seed: 5 };

function bytes(a: ArrayBufferView): Buffer {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

/**
 * Independent reference for one composed image, in float64: paste both
 * digits on a 36x36 canvas (max where they overlap), upsample the canvas by
 * 7 (nearest), and average 9x9 blocks: exactly the area resampling 36 -> 28.
 */
function reference28(left: Float32Array, right: Float32Array, o: ArrayLike<number>): Float64Array {
  const canvas = new Float64Array(36 * 36);
  const paste = (d: Float32Array, oy: number, ox: number): void => {
    for (let y = 0; y < 28; y++)
      for (let x = 0; x < 28; x++) {
        const q = (y + oy) * 36 + x + ox;
        canvas[q] = Math.max(canvas[q]!, d[y * 28 + x]!);
      }
  };
  paste(left, o[0]!, o[1]!);
  paste(right, o[2]!, o[3]!);
  const out = new Float64Array(28 * 28);
  for (let i = 0; i < 28; i++)
    for (let j = 0; j < 28; j++) {
      let s = 0;
      for (let a = 0; a < 9; a++)
        for (let b = 0; b < 9; b++) {
          const fy = Math.floor((i * 9 + a) / 7);
          const fx = Math.floor((j * 9 + b) / 7);
          s += canvas[fy * 36 + fx]!;
        }
      out[i * 28 + j] = s / 81;
    }
  return out;
}

describe("multimnist", () => {
  const classes = loadMnistDigits();

  it("loads the 10,000 digits of the mnist package", () => {
    expect(classes.length).toBe(10);
    expect(classes.reduce((a, c) => a + c.count, 0)).toBe(10_000);
    for (const c of classes) expect(c.pixels.length).toBe(c.count * DIGIT_PIXELS);
  });

  it("is deterministic from the seed", () => {
    const a = generateMultiMnist(small).dataset;
    const b = generateMultiMnist(small).dataset;
    const c = generateMultiMnist({ ...small, seed: 6 }).dataset;
    for (const s of SPLIT_NAMES) {
      expect(bytes(a.splits[s].images).equals(bytes(b.splits[s].images))).toBe(true);
      expect(bytes(a.splits[s].targets["left"]!).equals(bytes(b.splits[s].targets["left"]!))).toBe(true);
      expect(bytes(a.splits[s].images).equals(bytes(c.splits[s].images))).toBe(false);
    }
  });

  it("has the described shapes and ranges", () => {
    for (const size of [28, 36, 20]) {
      const { dataset } = generateMultiMnist({ ...small, size });
      expect(dataset.description.inputShape).toEqual([size, size, 1]);
      for (const s of SPLIT_NAMES) {
        const sp = dataset.splits[s];
        expect(sp.images.length).toBe(sp.size * size * size);
        expect(Math.min(...sp.images)).toBeGreaterThanOrEqual(0);
        expect(Math.max(...sp.images)).toBeLessThanOrEqual(1);
        for (const t of ["left", "right"]) {
          const y = sp.targets[t] as Int32Array;
          expect(y).toBeInstanceOf(Int32Array);
          expect(y.length).toBe(sp.size);
          expect([...y].every((v) => v >= 0 && v <= 9)).toBe(true);
        }
      }
    }
  });

  it("draws each split from its own disjoint digit pool", () => {
    const { provenance } = generateMultiMnist({ train: 3000, val: 500, test: 500, seed: 1 });
    for (const s of SPLIT_NAMES) {
      for (const id of [...provenance[s].left, ...provenance[s].right]) expect(digitPool(id % 10000)).toBe(s);
    }
    // And by content: no test digit image equals a training digit image.
    const hashOf = (d: number, i: number): string =>
      createHash("sha1")
        .update(bytes(classes[d]!.pixels.subarray(i * DIGIT_PIXELS, (i + 1) * DIGIT_PIXELS)))
        .digest("hex");
    const trainHashes = new Set<string>();
    const testHashes: string[] = [];
    classes.forEach((c, d) => {
      for (let i = 0; i < c.count; i++) {
        if (digitPool(i) === "train") trainHashes.add(hashOf(d, i));
        else if (digitPool(i) === "test") testHashes.push(hashOf(d, i));
      }
    });
    expect(testHashes.length).toBe(classes.reduce((a, c) => a + Math.floor(c.count / 10), 0)); // index mod 10 = 9
    expect(testHashes.filter((h) => trainHashes.has(h))).toEqual([]);
  });

  it("labels are the digits composed, and the image is their overlay (float64 reference)", () => {
    const { dataset, provenance } = generateMultiMnist({ train: 40, val: 5, test: 5, seed: 11 });
    const sp = dataset.splits.train;
    const px = 28 * 28;
    let maxErr = 0;
    for (let k = 0; k < sp.size; k++) {
      const a = provenance.train.left[k]!;
      const b = provenance.train.right[k]!;
      expect(sp.targets["left"]![k]).toBe(Math.floor(a / 10000));
      expect(sp.targets["right"]![k]).toBe(Math.floor(b / 10000));
      const o = provenance.train.offsets.subarray(4 * k, 4 * k + 4);
      expect(
        o[0]! >= LEFT_OFFSETS[0] && o[0]! <= LEFT_OFFSETS[1] && o[1]! >= LEFT_OFFSETS[0] && o[1]! <= LEFT_OFFSETS[1],
      ).toBe(true);
      expect(
        o[2]! >= RIGHT_OFFSETS[0] &&
          o[2]! <= RIGHT_OFFSETS[1] &&
          o[3]! >= RIGHT_OFFSETS[0] &&
          o[3]! <= RIGHT_OFFSETS[1],
      ).toBe(true);
      const digit = (id: number): Float32Array => {
        const d = Math.floor(id / 10000);
        const i = id % 10000;
        return classes[d]!.pixels.subarray(i * DIGIT_PIXELS, (i + 1) * DIGIT_PIXELS);
      };
      const ref = reference28(digit(a), digit(b), o);
      for (let p = 0; p < px; p++) maxErr = Math.max(maxErr, Math.abs(ref[p]! - sp.images[k * px + p]!));
    }
    expect(maxErr).toBeLessThan(1e-5);
  });

  it("at size 36 the canvas is kept: the left digit sits unchanged where the right one is blank", () => {
    const { dataset, provenance } = generateMultiMnist({ train: 10, val: 1, test: 1, seed: 2, size: 36 });
    const sp = dataset.splits.train;
    for (let k = 0; k < sp.size; k++) {
      const a = provenance.train.left[k]!;
      const [ly, lx] = provenance.train.offsets.subarray(4 * k, 4 * k + 2);
      const d = classes[Math.floor(a / 10000)]!.pixels.subarray((a % 10000) * 784, ((a % 10000) + 1) * 784);
      // Rows above the right digit's top (offset >= 5) only hold the left digit.
      for (let y = 0; y < 5 - ly!; y++) {
        for (let x = 0; x < 28; x++) expect(sp.images[k * 1296 + (y + ly!) * 36 + x + lx!]).toBe(d[y * 28 + x]);
      }
    }
  });

  it("generates 12,000 images quickly", () => {
    const t = performance.now();
    generateMultiMnist({ train: 10_000, val: 1_000, test: 1_000 });
    const ms = performance.now() - t;
    console.log(`multimnist: 12000 images of 28x28 in ${ms.toFixed(0)} ms`);
    expect(ms).toBeLessThan(20_000);
  });
});
