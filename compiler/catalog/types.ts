/**
 * The shapes of catalogue entries. The catalogue is plain data: every word the
 * language knows (layers, task kinds, losses, metrics, data sources, settings,
 * optimisers, schedules...) is described once, with its parameters, their
 * types, defaults, ranges and a one-line doc.
 */

/** An inclusive (unless marked exclusive) numeric range. */
export interface Range {
  readonly min?: number;
  readonly max?: number;
  readonly minExclusive?: boolean;
  readonly maxExclusive?: boolean;
}

/** The names of the call vocabularies: families of words that may take arguments. */
export type VocabularyName =
  | "layer"
  | "taskKind"
  | "loss"
  | "metric"
  | "data"
  | "similarity"
  | "transfer"
  | "optimizer"
  | "schedule"
  | "weighting";

/** What a parameter or setting accepts. */
export type ValueType =
  | ({ readonly kind: "int" } & Range)
  | ({ readonly kind: "number" } & Range)
  | { readonly kind: "bool" }
  | { readonly kind: "string" }
  /** A bare name from a fixed list; `what` names the list in messages ("padding"). */
  | { readonly kind: "enum"; readonly what: string; readonly values: readonly string[] }
  /**
   * `[a, b]` (or a bare comma list). `single`: a lone item is accepted as a
   * one-item list. `increasing`: items must be strictly increasing numbers.
   */
  | {
      readonly kind: "list";
      readonly item: ValueType;
      readonly increasing?: boolean;
      readonly minLength?: number;
      readonly single?: boolean;
    }
  /** The name of a backbone stage. */
  | { readonly kind: "stage" }
  /** A free-form name, written bare or as a string. */
  | { readonly kind: "name" }
  /** A word of a vocabulary, bare (`relu`) or called (`adam(lr: 1e-3)`). */
  | { readonly kind: "call"; readonly vocabulary: VocabularyName }
  /** One layer or a sequence of layers (`conv(6, 1)` or `conv(16) bn relu`). */
  | { readonly kind: "layers" };

/** A default written in the catalogue. */
export type DefaultValue =
  | number
  | string
  | boolean
  | readonly number[]
  /** The value bound to another parameter of the same call (maxpool's stride = size). */
  | { readonly sameAs: string }
  /** A call of the parameter's vocabulary with all its own defaults (`adam()`). */
  | { readonly call: string };

/** A parameter of a call, or a setting of a block. */
export interface ParamSpec {
  readonly name: string;
  readonly type: ValueType;
  /** May be given without its name, in declaration order. */
  readonly positional: boolean;
  /** Must be given. Required parameters have no default. */
  readonly required: boolean;
  /** Used when the parameter is omitted; absent for required or truly optional ones. */
  readonly default?: DefaultValue;
  readonly doc: string;
}

/** A word of a vocabulary and its parameters (in positional order first). */
export interface CallSpec {
  readonly name: string;
  readonly vocabulary: VocabularyName;
  /**
   * What other frameworks call this word (`batchnorm` for `bn`): an unknown name
   * equal to one, case aside, is answered "did you mean" this word.
   */
  readonly aliases?: readonly string[];
  readonly params: readonly ParamSpec[];
  readonly doc: string;
}

/** How many output channels a task's head must produce. */
export type HeadChannels =
  /** The value of one of the task kind's parameters (classes, outputs). */
  | { readonly from: "param"; readonly param: string }
  /** A fixed count (depth: 1, normals: 3). */
  | { readonly from: "fixed"; readonly channels: number }
  /** The channel count of the model's input (reconstruction). */
  | { readonly from: "input" };

export interface TaskKindSpec extends CallSpec {
  readonly vocabulary: "taskKind";
  readonly defaultLoss: string;
  readonly defaultMetrics: readonly string[];
  readonly headChannels: HeadChannels;
}

export interface LossSpec extends CallSpec {
  readonly vocabulary: "loss";
  /** Task kinds this loss may train. */
  readonly kinds: readonly string[];
}

export interface MetricSpec extends CallSpec {
  readonly vocabulary: "metric";
  /** Task kinds this metric may evaluate. */
  readonly kinds: readonly string[];
  /** True when a larger value is better (accuracy); false for errors (rmse). */
  readonly higherIsBetter: boolean;
}

/** A target that a built-in data source provides. */
export interface DataTargetSpec {
  readonly name: string;
  /** Task kinds that can learn it; the first is the kind it is made for. */
  readonly kinds: readonly string[];
  /** Classes of a class or per-pixel class target. */
  readonly classes?: number;
  readonly doc: string;
}

export interface DataSourceSpec extends CallSpec {
  readonly vocabulary: "data";
  /** Channels of the images the source yields; null when it depends on the files. */
  readonly channels: number | null;
  /**
   * The targets a built-in source provides; null when the targets are folders of
   * the user's files, named by each task's `target:` (npy).
   */
  readonly targets: readonly DataTargetSpec[] | null;
  /**
   * For a source whose targets are folders: the folder a task of each kind reads
   * when it sets no `target:` (kinds not listed read the folder of the task's name).
   */
  readonly defaultTargets?: Readonly<Record<string, string>>;
}

/** How a layer changes the channel count, for cheap checks before shape inference. */
export type ChannelEffect =
  /** Keeps the input's channels. */
  | { readonly kind: "keep" }
  /** Sets the channels to a parameter's value, times another's when given. */
  | { readonly kind: "set"; readonly param: string; readonly times?: string }
  /** Adds another tensor's channels (concat); unknown without shape inference. */
  | { readonly kind: "add" };

export interface LayerSpec extends CallSpec {
  readonly vocabulary: "layer";
  readonly channels: ChannelEffect;
}

/** The settings a block (or a task) accepts. */
export interface BlockSpec {
  /** How messages name the block: "task", "structural_learning", "train". */
  readonly name: string;
  readonly settings: readonly ParamSpec[];
}
