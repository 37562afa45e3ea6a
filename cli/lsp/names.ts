/**
 * What each word of a `.mtsl` document is, from its syntax tree (recovered trees included, so a
 * half-typed file still has them): stage and task names where they are declared and where they
 * are used (concat / decoder_bottleneck / fuse arguments, sharing rows and groups, `random_from`),
 * the words of the catalogue (layers, losses, metrics, ...) and the option and setting keys. One
 * index serves hover, go to definition, references, rename, semantic tokens and completion.
 */
import type { Call, Document, Identifier, Setting, Span, Value } from "../../grammar/ast.js";
import { bindArgParams } from "../../compiler/check/resolve-args.js";
import {
  blockSpec,
  vocabularyEntry,
  type BlockName,
  type CallSpec,
  type ParamSpec,
  type ValueType,
  type VocabularyName,
} from "../../compiler/catalog/index.js";

/** A stage or task name at one place of the file. */
export interface NameOccurrence {
  kind: "stage" | "task";
  name: string;
  span: Span;
  declaration: boolean;
}

/** A word of the catalogue as written (a layer, loss, metric, data source, optimiser...). */
export interface WordOccurrence {
  span: Span;
  spec: CallSpec;
}

/** A parameter or setting, at its key (or at its value when given positionally). */
export interface KeyOccurrence {
  span: Span;
  param: ParamSpec;
  /** The call it belongs to, or the block ("task", "train", "structural_learning"). */
  owner: string;
  /** True for a key written out (`stride:`), false for a positional value. */
  written: boolean;
}

/** A bare word that is one value of an enumeration (`padding: symmetric`). */
export interface EnumOccurrence {
  span: Span;
  param: ParamSpec;
}

export interface DocumentIndex {
  names: NameOccurrence[];
  words: WordOccurrence[];
  keys: KeyOccurrence[];
  enums: EnumOccurrence[];
  /** The model's name. */
  model: Identifier | null;
}

/** Whether `offset` falls in `span` (its end included, so a cursor just after a word is on it). */
export function contains(span: Span, offset: number): boolean {
  return span.start.offset <= offset && offset <= span.end.offset;
}

const isStageType = (t: ValueType): boolean => t.kind === "stage" || (t.kind === "list" && t.item.kind === "stage");

/** Builds the index of a parsed document. Never throws on a partial tree. */
export function indexDocument(document: Document): DocumentIndex {
  const index: DocumentIndex = { names: [], words: [], keys: [], enums: [], model: null };
  const model = document.model;
  if (model === null) return index;
  index.model = model.name;
  const name = (kind: "stage" | "task", id: Identifier, declaration: boolean): void => {
    if (id.name !== "") index.names.push({ kind, name: id.name, span: id.span, declaration });
  };

  /** A value of type `type` (a word of a vocabulary, a layer sequence, a stage, an enum...). */
  const value = (v: Value, type: ValueType | undefined): void => {
    if (type === undefined) return;
    switch (type.kind) {
      case "call":
        if (v.kind === "Ident" || v.kind === "Call") word(v, type.vocabulary);
        return;
      case "layers": {
        const items = v.kind === "Seq" ? v.items : [v];
        for (const item of items) if (item.kind === "Ident" || item.kind === "Call") word(item, "layer");
        return;
      }
      case "stage":
        if (v.kind === "Ident") name("stage", v, false);
        return;
      case "list": {
        const items = v.kind === "List" ? v.items : [v];
        for (const item of items) value(item, type.item);
        return;
      }
      default: // enums are recorded with their parameter (enumValue); numbers, strings, names need nothing
        return;
    }
  };

  /** A word of `vocabulary`, bare or called, with its arguments. */
  const word = (v: Identifier | Call, vocabulary: VocabularyName): void => {
    const callee = v.kind === "Call" ? v.callee : v;
    const spec = vocabularyEntry(vocabulary, callee.name);
    if (spec === undefined) return;
    index.words.push({ span: callee.span, spec });
    if (v.kind !== "Call") return;
    for (const { arg, param } of bindArgParams(v, spec)) {
      if (param === undefined) continue;
      index.keys.push({ span: arg.name?.span ?? arg.value.span, param, owner: spec.name, written: arg.name !== null });
      enumValue(arg.value, param);
      if (isStageType(param.type) || param.type.kind === "call" || param.type.kind === "layers")
        value(arg.value, param.type);
    }
  };

  const enumValue = (v: Value, param: ParamSpec): void => {
    if (param.type.kind === "enum" && v.kind === "Ident" && param.type.values.includes(v.name))
      index.enums.push({ span: v.span, param });
  };

  const settings = (list: readonly Setting[], block: BlockName): void => {
    const spec = blockSpec(block);
    for (const s of list) {
      const param = spec.settings.find((p) => p.name === s.key.name);
      if (param === undefined) continue;
      index.keys.push({ span: s.key.span, param, owner: block, written: true });
      enumValue(s.value, param);
      value(s.value, param.type);
    }
  };

  for (const member of model.members) {
    switch (member.kind) {
      case "Data":
        word(member.source, "data");
        break;
      case "Task":
        name("task", member.name, true);
        word(member.taskKind, "taskKind");
        settings(member.settings, "task");
        break;
      case "Backbone":
        for (const stage of member.stages) {
          name("stage", stage.name, true);
          for (const layer of stage.layers) word(layer, "layer");
        }
        break;
      case "Sharing":
        for (const row of member.rows) {
          name("stage", row.from, false);
          if (row.to) name("stage", row.to, false);
          for (const group of row.groups) for (const t of group.tasks) name("task", t, false);
        }
        break;
      case "Block":
        settings(member.settings, member.keyword);
        break;
      case "Input":
        break;
    }
  }
  return index;
}

/** The stage or task name at `offset`, if any. */
export function nameAt(index: DocumentIndex, offset: number): NameOccurrence | undefined {
  return index.names.find((n) => contains(n.span, offset));
}

/** Every occurrence of the same stage or task as `target` (declarations first). */
export function occurrencesOf(
  index: DocumentIndex,
  target: { kind: "stage" | "task"; name: string },
): NameOccurrence[] {
  return index.names
    .filter((n) => n.kind === target.kind && n.name === target.name)
    .sort((a, b) => Number(b.declaration) - Number(a.declaration) || a.span.start.offset - b.span.start.offset);
}
