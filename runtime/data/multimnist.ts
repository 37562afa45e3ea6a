/**
 * MultiMNIST (Sener and Koltun, 2018): two MNIST digits overlaid in one image,
 * the first shifted towards the top-left, the second towards the bottom-right,
 * overlapping; tasks: classify the left and the right digit.
 *
 * Composition: a 36x36 canvas; the left digit's 28x28 image is placed at a
 * random offset (dy, dx) in [0, 3]^2, the right one's at [5, 8]^2; overlapping
 * pixels take the maximum; the canvas is area-resized to `size` x `size`.
 * Digits come from three disjoint pools (see {@link digitPool}), so test
 * images are made of digits never seen in training.
 */

import { Rng } from "../random.js";
import { allocateSplit, makeDataset } from "./dataset.js";
import { DIGIT_SIDE, digitPixels, loadMnistDigits, poolDigitIds, type DigitClass } from "./mnist-digits.js";
import type { ParamSpec } from "../../compiler/catalog/index.js";
import { declaredOptions, intOption, resolveOptions } from "./options.js";
import { areaWeights, resampleSquare, type AreaWeights } from "./resample.js";
import {
  SPLIT_NAMES,
  type DataOptions,
  type Dataset,
  type DatasetDescription,
  type Split,
  type SplitName,
} from "./types.js";

/** Side of the composition canvas, as in the original MultiMNIST. */
export const MULTIMNIST_CANVAS = 36;
/** Offsets (per axis) of the left digit: [0, 3]; of the right digit: [5, 8]. */
export const LEFT_OFFSETS: readonly [number, number] = [0, 3];
export const RIGHT_OFFSETS: readonly [number, number] = [5, 8];

/** The options of `multimnist`, with defaults. */
/** The options of `multimnist`, as the catalogue declares them (compiler/catalog/data.ts). */
export const MULTIMNIST_OPTIONS: readonly ParamSpec[] = declaredOptions("multimnist");

/** Resolved MultiMNIST options. */
export interface MultiMnistOptions {
  size: number;
  train: number;
  val: number;
  test: number;
  seed: number;
}

/** Checks options (MTSL3006 on a bad one) and fills defaults. */
export function multiMnistOptions(options: DataOptions): MultiMnistOptions {
  const o = resolveOptions("multimnist", MULTIMNIST_OPTIONS, options);
  return {
    size: intOption(o, "size"),
    train: intOption(o, "train"),
    val: intOption(o, "val"),
    test: intOption(o, "test"),
    seed: intOption(o, "seed"),
  };
}

/** The dataset description, without loading any digit. */
export function describeMultiMnist(options: DataOptions): DatasetDescription {
  const o = multiMnistOptions(options);
  return {
    source: "multimnist",
    inputShape: [o.size, o.size, 1],
    targets: {
      left: { kind: "class", classes: 10, role: "classification", description: "the digit shifted to the top-left" },
      right: {
        kind: "class",
        classes: 10,
        role: "classification",
        description: "the digit shifted to the bottom-right",
      },
    },
    sizes: { train: o.train, val: o.val, test: o.test },
    notes: [
      "digit pools are disjoint: index mod 10 in 0..7 -> train, 8 -> val, 9 -> test (per class file of the mnist package)",
    ],
  };
}

/** Where each composed image came from: digit ids (class*10000 + index) and offsets. */
export interface MultiMnistProvenance {
  left: Int32Array;
  right: Int32Array;
  /** Per image: left dy, left dx, right dy, right dx. */
  offsets: Int32Array;
}

/** A composer reusing its resampling weights and scratch buffers. */
export class MultiMnistComposer {
  private readonly canvas = new Float32Array(MULTIMNIST_CANVAS * MULTIMNIST_CANVAS);
  private readonly scratch: Float32Array;
  private readonly weights: AreaWeights;

  constructor(readonly size: number) {
    this.weights = areaWeights(MULTIMNIST_CANVAS, size);
    this.scratch = new Float32Array(MULTIMNIST_CANVAS * size);
  }

  /**
   * Writes into `out` (size*size floats) the overlay of `left` at (ly, lx)
   * and `right` at (ry, rx) on the 36x36 canvas, resized to size x size.
   */
  compose(
    left: Float32Array,
    right: Float32Array,
    ly: number,
    lx: number,
    ry: number,
    rx: number,
    out: Float32Array,
  ): void {
    const C = MULTIMNIST_CANVAS;
    const canvas = this.canvas;
    canvas.fill(0);
    for (let y = 0; y < DIGIT_SIDE; y++) {
      const row = (y + ly) * C + lx;
      for (let x = 0; x < DIGIT_SIDE; x++) canvas[row + x] = left[y * DIGIT_SIDE + x] as number;
    }
    for (let y = 0; y < DIGIT_SIDE; y++) {
      const row = (y + ry) * C + rx;
      for (let x = 0; x < DIGIT_SIDE; x++) {
        const v = right[y * DIGIT_SIDE + x] as number;
        if (v > (canvas[row + x] as number)) canvas[row + x] = v;
      }
    }
    if (this.size === C) out.set(canvas);
    else resampleSquare(canvas, C, out, this.size, this.weights, this.scratch);
  }
}

function composeSplit(
  classes: DigitClass[],
  split: SplitName,
  n: number,
  o: MultiMnistOptions,
  target: Split,
): MultiMnistProvenance {
  const rng = Rng.fromSeed(o.seed).fork(`multimnist/${split}`);
  const pool = poolDigitIds(classes, split);
  const composer = new MultiMnistComposer(o.size);
  const px = o.size * o.size;
  const left = target.targets["left"] as Int32Array;
  const right = target.targets["right"] as Int32Array;
  const prov: MultiMnistProvenance = {
    left: new Int32Array(n),
    right: new Int32Array(n),
    offsets: new Int32Array(4 * n),
  };
  const span = (r: readonly [number, number]): number => r[1] - r[0] + 1;
  for (let i = 0; i < n; i++) {
    const a = pool[rng.int(pool.length)] as number;
    const b = pool[rng.int(pool.length)] as number;
    const ly = LEFT_OFFSETS[0] + rng.int(span(LEFT_OFFSETS));
    const lx = LEFT_OFFSETS[0] + rng.int(span(LEFT_OFFSETS));
    const ry = RIGHT_OFFSETS[0] + rng.int(span(RIGHT_OFFSETS));
    const rx = RIGHT_OFFSETS[0] + rng.int(span(RIGHT_OFFSETS));
    composer.compose(
      digitPixels(classes, a),
      digitPixels(classes, b),
      ly,
      lx,
      ry,
      rx,
      target.images.subarray(i * px, (i + 1) * px),
    );
    left[i] = Math.floor(a / 10000);
    right[i] = Math.floor(b / 10000);
    prov.left[i] = a;
    prov.right[i] = b;
    prov.offsets.set([ly, lx, ry, rx], 4 * i);
  }
  return prov;
}

/** Generates MultiMNIST and also returns each image's provenance (for tests and audits). */
export function generateMultiMnist(options: DataOptions): {
  dataset: Dataset;
  provenance: Record<SplitName, MultiMnistProvenance>;
} {
  const o = multiMnistOptions(options);
  const description = describeMultiMnist(options);
  const classes = loadMnistDigits();
  const splits = {} as Record<SplitName, Split>;
  const provenance = {} as Record<SplitName, MultiMnistProvenance>;
  for (const s of SPLIT_NAMES) {
    const split = allocateSplit(description, o[s]);
    provenance[s] = composeSplit(classes, s, o[s], o, split);
    splits[s] = split;
  }
  return { dataset: makeDataset("multimnist", description, splits), provenance };
}
