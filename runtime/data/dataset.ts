/**
 * Building and reading datasets: per-sample sizes, batch gathering, and
 * deterministic epoch orders for the trainer.
 */

import { MtslError } from "../errors.js";
import { Rng } from "../random.js";
import {
  SPLIT_NAMES,
  type Batch,
  type Dataset,
  type DatasetDescription,
  type Split,
  type SplitName,
  type TargetArray,
  type TargetSpec,
} from "./types.js";

/** Numbers stored per sample for a target of this spec on an `h` x `w` image. */
export function targetValuesPerSample(spec: TargetSpec, h: number, w: number): number {
  switch (spec.kind) {
    case "class":
      return 1;
    case "dense_class":
      return h * w;
    case "dense":
      return h * w * spec.channels;
  }
}

/** A zero-filled array of the right type for `n` samples of a target. */
export function allocateTarget(spec: TargetSpec, n: number, h: number, w: number): TargetArray {
  const len = n * targetValuesPerSample(spec, h, w);
  return spec.kind === "dense" ? new Float32Array(len) : new Int32Array(len);
}

/** Zero-filled arrays for a split of `n` samples of `description`. */
export function allocateSplit(description: DatasetDescription, n: number): Split {
  const [h, w, c] = description.inputShape;
  const targets: Record<string, TargetArray> = {};
  for (const [name, spec] of Object.entries(description.targets)) targets[name] = allocateTarget(spec, n, h, w);
  return { size: n, images: new Float32Array(n * h * w * c), targets };
}

/**
 * A {@link Dataset} over given arrays. Checks that every array has the length
 * its spec implies (MTSL3003 otherwise).
 */
export function makeDataset(name: string, description: DatasetDescription, splits: Record<SplitName, Split>): Dataset {
  const [h, w, c] = description.inputShape;
  for (const splitName of SPLIT_NAMES) {
    const split = splits[splitName];
    const wantImages = split.size * h * w * c;
    if (split.images.length !== wantImages) {
      throw new MtslError("MTSL3003", `${name}: ${splitName} images have the wrong length`, {
        expected: `${wantImages} values`,
        found: `${split.images.length}`,
      });
    }
    for (const [tname, spec] of Object.entries(description.targets)) {
      const arr = split.targets[tname];
      const want = split.size * targetValuesPerSample(spec, h, w);
      if (arr === undefined || arr.length !== want) {
        throw new MtslError("MTSL3003", `${name}: ${splitName} target '${tname}' has the wrong length`, {
          expected: `${want} values`,
          found: arr === undefined ? "no array" : `${arr.length}`,
        });
      }
    }
  }
  return {
    name,
    description,
    splits,
    getBatch: (split, indices) => gatherBatch(description, splits, split, indices),
  };
}

function gatherBatch(
  description: DatasetDescription,
  splits: Record<SplitName, Split>,
  splitName: SplitName,
  indices: ArrayLike<number>,
): Batch {
  const split = (splits as Partial<Record<string, Split>>)[splitName];
  if (split === undefined || !Object.prototype.hasOwnProperty.call(splits, splitName)) {
    throw new MtslError("MTSL3010", `unknown split '${String(splitName)}'`, { expected: "train, val or test" });
  }
  const [h, w, c] = description.inputShape;
  const b = indices.length;
  for (let k = 0; k < b; k++) {
    const i = indices[k] as number;
    if (!Number.isInteger(i) || i < 0 || i >= split.size) {
      throw new MtslError("MTSL3010", `sample index out of range in the ${splitName} split`, {
        expected: `an integer in [0, ${split.size})`,
        found: String(i),
      });
    }
  }
  const imgStride = h * w * c;
  const images = new Float32Array(b * imgStride);
  for (let k = 0; k < b; k++) {
    const i = indices[k] as number;
    images.set(split.images.subarray(i * imgStride, (i + 1) * imgStride), k * imgStride);
  }
  const targets: Record<string, TargetArray> = {};
  for (const [name, spec] of Object.entries(description.targets)) {
    const src = split.targets[name] as TargetArray;
    const stride = targetValuesPerSample(spec, h, w);
    const dst = spec.kind === "dense" ? new Float32Array(b * stride) : new Int32Array(b * stride);
    for (let k = 0; k < b; k++) {
      const i = indices[k] as number;
      dst.set(src.subarray(i * stride, (i + 1) * stride), k * stride);
    }
    targets[name] = dst;
  }
  return { size: b, images, targets };
}

/**
 * The sample order of one training epoch: a permutation of `0 .. n-1` that
 * depends only on `(seed, epoch)`, so a run resumed at any epoch sees the
 * same order as an uninterrupted one.
 */
export function epochOrder(n: number, seed: number, epoch: number): Int32Array {
  return Rng.fromSeed(seed).fork(`data/epoch/${epoch}`).permutation(n);
}

/** Options for {@link batchIndices}. */
export interface BatchPlan {
  /** Shuffle with {@link epochOrder}(n, seed, epoch); false keeps 0 .. n-1 in order (evaluation). */
  shuffle: boolean;
  seed?: number;
  epoch?: number;
  /** Drop a last, smaller batch. Default false. */
  dropLast?: boolean;
}

/**
 * The index lists of an epoch's batches over a split of `n` samples. Batch k
 * of epoch e is always the same list for the same seed, so a trainer can
 * resume from (epoch, batch) alone.
 */
export function batchIndices(n: number, batchSize: number, plan: BatchPlan): Int32Array[] {
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new MtslError("MTSL3006", "batch size must be a whole number >= 1", {
      option: "batch",
      expected: "an integer >= 1",
      found: String(batchSize),
    });
  }
  let order: Int32Array;
  if (plan.shuffle) {
    order = epochOrder(n, plan.seed ?? 0, plan.epoch ?? 0);
  } else {
    order = new Int32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
  }
  const out: Int32Array[] = [];
  for (let start = 0; start < n; start += batchSize) {
    const end = Math.min(n, start + batchSize);
    if (end - start < batchSize && plan.dropLast === true) break;
    out.push(order.slice(start, end));
  }
  return out;
}
