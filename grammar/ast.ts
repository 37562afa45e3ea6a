/**
 * The abstract syntax tree of a `.mtsl` file.
 *
 * Plain data: every node has a `kind` and a `span`. Statement-like nodes
 * (the model, its members, settings, backbone stages, sharing rows) carry
 * {@link Trivia}: the comments around them and whether a blank line preceded
 * them, so the printer can keep both.
 */

/** A point in the source. `line` and `column` are 1-based; `offset` is 0-based. */
export interface Position {
  offset: number;
  line: number;
  column: number;
}

/** A half-open range `[start, end)` of the source. */
export interface Span {
  start: Position;
  end: Position;
}

export interface Comment {
  kind: "line" | "block";
  /** The full text, delimiters included: `// note` or `/* note *\/`. */
  text: string;
  span: Span;
}

/** Comments and layout attached to a statement. */
export interface Trivia {
  /** Comments on the lines before the statement (and any found inside it). */
  leading: Comment[];
  /** A comment after the statement on its last line. */
  trailing: Comment | null;
  /** True when the source had a blank line before the statement (or its leading comments). */
  blankBefore: boolean;
}

// ---------------------------------------------------------------- values

export interface Identifier {
  kind: "Ident";
  name: string;
  span: Span;
}

export interface NumberLit {
  kind: "Number";
  value: number;
  span: Span;
}

export interface StringLit {
  kind: "String";
  value: string;
  span: Span;
}

export interface BoolLit {
  kind: "Bool";
  value: boolean;
  span: Span;
}

/** `name(arg, key: value, ...)`. */
export interface Call {
  kind: "Call";
  callee: Identifier;
  args: Arg[];
  span: Span;
}

/** A positional (`name === null`) or named argument of a call. */
export interface Arg {
  kind: "Arg";
  name: Identifier | null;
  value: Value;
  span: Span;
}

/** `[a, b, c]`, or a bare comma list `a, b, c` as a setting's value. */
export interface ListLit {
  kind: "List";
  items: Value[];
  span: Span;
}

/** Two or more layers written one after another: `conv(16, 3) bn relu`. */
export interface Seq {
  kind: "Seq";
  items: Layer[];
  span: Span;
}

/** A layer is written as a bare name (`relu`) or a call (`conv(16, 3)`). */
export type Layer = Identifier | Call;

export type Value = Identifier | NumberLit | StringLit | BoolLit | Call | ListLit | Seq;

// ---------------------------------------------------------------- statements

export interface Document {
  kind: "Document";
  /** The model; null only when the file has none (an error is reported). */
  model: Model | null;
  /** Comments after the model, at the end of the file. */
  dangling: Comment[];
  span: Span;
}

export interface Model {
  kind: "Model";
  name: Identifier;
  members: Member[];
  /** Comments after the last member, before the closing brace. */
  dangling: Comment[];
  trivia: Trivia;
  span: Span;
}

export type Member = InputDecl | DataDecl | TaskDecl | BackboneDecl | SharingDecl | SettingsBlock;

/** `input image: f32[64, 64, 3]` (height, width, channels). */
export interface InputDecl {
  kind: "Input";
  name: Identifier;
  dtype: Identifier;
  shape: NumberLit[];
  trivia: Trivia;
  span: Span;
}

/** `data scenes(size: 64, seed: 3)` or `data npy(dir: "data/nyuv2")`. */
export interface DataDecl {
  kind: "Data";
  source: Call | Identifier;
  trivia: Trivia;
  span: Span;
}

/** `task seg: segmentation(classes: 6) { head: ...; loss: ...; metrics: [...]; weight: 1 }`. */
export interface TaskDecl {
  kind: "Task";
  name: Identifier;
  taskKind: Call | Identifier;
  settings: Setting[];
  dangling: Comment[];
  trivia: Trivia;
  span: Span;
}

/** `backbone { stem: conv(16, 3, stride: 2) bn relu; ... }`. */
export interface BackboneDecl {
  kind: "Backbone";
  stages: StageDecl[];
  dangling: Comment[];
  trivia: Trivia;
  span: Span;
}

/** `enc1: basic(16)`: a named stage, the unit of sharing. */
export interface StageDecl {
  kind: "Stage";
  name: Identifier;
  layers: Layer[];
  trivia: Trivia;
  span: Span;
}

/** `sharing { stem..enc2: {seg depth} {edge}; ... }`. */
export interface SharingDecl {
  kind: "Sharing";
  rows: SharingRow[];
  dangling: Comment[];
  trivia: Trivia;
  span: Span;
}

/** `from..to: {a b} {c}`; `to` is null for a single stage. */
export interface SharingRow {
  kind: "SharingRow";
  from: Identifier;
  to: Identifier | null;
  groups: TaskGroup[];
  trivia: Trivia;
  span: Span;
}

/** `{a b c}`: tasks that share one instance of the stage. */
export interface TaskGroup {
  kind: "TaskGroup";
  tasks: Identifier[];
  span: Span;
}

export type BlockKeyword = "structural_learning" | "train";

/** `structural_learning { ... }` or `train { ... }`: a block of settings. */
export interface SettingsBlock {
  kind: "Block";
  keyword: BlockKeyword;
  keywordSpan: Span;
  settings: Setting[];
  dangling: Comment[];
  trivia: Trivia;
  span: Span;
}

/** `key: value`. */
export interface Setting {
  kind: "Setting";
  key: Identifier;
  value: Value;
  trivia: Trivia;
  span: Span;
}

export type Statement = Model | Member | StageDecl | SharingRow | Setting;
export type Node = Document | Statement | Value | Arg | TaskGroup;
