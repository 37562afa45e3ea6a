/**
 * Plain-data types shared by every data source.
 *
 * A dataset is arrays, not tensors: the trainer turns batches into tensors.
 * Images are NHWC float32 in [0, 1]. Each named *target* is described by a
 * {@link TargetSpec} so the compiler can match tasks to targets (kind, channels,
 * class count) from {@link DatasetDescription} alone, without generating data.
 */

/** The three splits every dataset has. */
export type SplitName = "train" | "val" | "test";

/** The split names in their canonical order. */
export const SPLIT_NAMES: readonly SplitName[] = ["train", "val", "test"];

/** What a target usually means; lets the compiler pair a task kind with a target. */
export type TargetRole =
  "classification" | "segmentation" | "depth" | "normals" | "edges" | "reconstruction" | "generic";

interface TargetSpecBase {
  role: TargetRole;
  /** One line for people. */
  description: string;
}

/** One integer class per sample; stored as Int32Array of length N. */
export interface ClassTargetSpec extends TargetSpecBase {
  kind: "class";
  classes: number;
  classNames?: string[];
}

/**
 * One integer class per pixel; stored as Int32Array of length N*H*W.
 * Pixels equal to `ignoreIndex` (always -1 when not null) carry no label.
 */
export interface DenseClassTargetSpec extends TargetSpecBase {
  kind: "dense_class";
  classes: number;
  classNames?: string[];
  /** -1 when some pixels may be unlabelled, null when every pixel has a class. */
  ignoreIndex: -1 | null;
}

/**
 * Floats per pixel; stored as Float32Array of length N*H*W*channels (NHWC).
 * `invalid` says how pixels without a value are marked.
 */
export interface DenseTargetSpec extends TargetSpecBase {
  kind: "dense";
  channels: number;
  /**
   * `"zero"`: a pixel whose channels are all 0 is invalid (depth 0, normal (0,0,0));
   * `"none"`: every pixel is valid.
   */
  invalid: "zero" | "none";
  /** The range values lie in when known (e.g. [0, 1] for edges, [-1, 1] for normals). */
  range?: [number, number];
}

export type TargetSpec = ClassTargetSpec | DenseClassTargetSpec | DenseTargetSpec;

/** Everything known about a dataset without its data. */
export interface DatasetDescription {
  /** The data source (`"scenes"`, `"multimnist"`, `"npy"`). */
  source: string;
  /** Input shape `[H, W, C]` of one image. */
  inputShape: [number, number, number];
  /** Targets by name, in a stable order. */
  targets: Record<string, TargetSpec>;
  /** Number of samples per split. */
  sizes: Record<SplitName, number>;
  /** Facts a user should know (e.g. "test split = val: no test folder"). */
  notes: string[];
}

/** The arrays for one target: Int32Array for class kinds, Float32Array for dense. */
export type TargetArray = Float32Array | Int32Array;

/** One split's samples. */
export interface Split {
  size: number;
  /** N*H*W*C floats in [0, 1]. */
  images: Float32Array;
  targets: Record<string, TargetArray>;
}

/** A mini-batch gathered from a split: the same layout with `size` = batch size. */
export interface Batch {
  size: number;
  images: Float32Array;
  targets: Record<string, TargetArray>;
}

/** A loaded dataset. */
export interface Dataset {
  name: string;
  description: DatasetDescription;
  splits: Record<SplitName, Split>;
  /** Gathers the samples at `indices` of `split` into new arrays, in that order. */
  getBatch(split: SplitName, indices: ArrayLike<number>): Batch;
}

/** A plain option value, as the compiler lowers them from a `.mtsl` data call. */
export type OptionValue = number | string | boolean | OptionValue[] | { [key: string]: OptionValue };

/** Options passed to a data source. */
export type DataOptions = Record<string, OptionValue>;
