/**
 * Completion from the tokens before the cursor: which bracket the cursor is in (a call's
 * parentheses, a list, a block or a sharing group), the statement it is in, and what the
 * catalogue allows there: member keywords, layer / loss / metric / data-source words and their
 * options, setting keys, enumeration values, stage names (in concat, fuse, decoder_bottleneck,
 * sharing rows, random_from) and task names (in sharing groups).
 */
import { CompletionItemKind, type CompletionItem } from "vscode-languageserver/node";
import type { IToken } from "chevrotain";
import {
  blockSpec,
  lossesForKind,
  metricsForKind,
  vocabulary,
  vocabularyEntry,
  type BlockName,
  type CallSpec,
  type ParamSpec,
  type ValueType,
  type VocabularyName,
} from "../../compiler/catalog/index.js";
import { positionAt } from "../../grammar/parse.js";
import { lexer } from "../../grammar/tokens.js";
import type { Analysis } from "./analysis.js";

const MEMBERS = ["input", "data", "task", "backbone", "sharing", "structural_learning", "train"];
/** Where a called word is looked up when its vocabulary is not known from the context. */
const CALL_ORDER: VocabularyName[] = [
  "layer",
  "loss",
  "data",
  "taskKind",
  "optimizer",
  "schedule",
  "weighting",
  "similarity",
  "transfer",
  "metric",
];

interface Open {
  bracket: "{" | "(" | "[";
  /** The tokens of the statement the bracket opened in, up to the bracket. */
  before: IToken[];
  /** Tokens since the bracket opened, at its own depth (nested brackets left out). */
  inside: IToken[];
}

/** The stack of brackets open at `offset` (innermost last), from the lexer's tokens. */
function openBrackets(text: string, offset: number): Open[] {
  const tokens = lexer.tokenize(text.slice(0, offset)).tokens;
  const stack: Open[] = [];
  const top: IToken[] = [];
  const current = (): IToken[] => stack.at(-1)?.inside ?? top;
  for (const t of tokens) {
    const image = t.image;
    if (image === "{" || image === "(" || image === "[") {
      stack.push({ bracket: image, before: statementOf(current(), t.startLine ?? 0), inside: [] });
    } else if (image === "}" || image === ")" || image === "]") {
      stack.pop();
      // a closed bracket's contents stand for one value in its parent statement
      current().push(t);
    } else current().push(t);
  }
  return stack;
}

/** The statement of `tokens` on line `line`: its tokens on that line after the last `;`. */
function statementOf(tokens: IToken[], line: number): IToken[] {
  let i = tokens.length;
  while (i > 0 && tokens[i - 1]!.image !== ";" && tokens[i - 1]!.startLine === line) i--;
  return tokens.slice(i).filter((t) => t.startLine === line);
}

/** The tokens of the current argument of a call or item of a list: since the last comma. */
function currentItem(tokens: IToken[]): IToken[] {
  let i = tokens.length;
  while (i > 0 && tokens[i - 1]!.image !== ",") i--;
  return tokens.slice(i);
}

/** `key:` at the start of `tokens`, if that is how they start. */
const keyOf = (tokens: IToken[]): string | undefined =>
  tokens.length >= 2 && tokens[1]!.image === ":" ? tokens[0]!.image : undefined;

function stageNames(analysis: Analysis): string[] {
  const seen = new Set<string>();
  for (const n of analysis.index.names) if (n.kind === "stage" && n.declaration) seen.add(n.name);
  return [...seen];
}

function taskNames(analysis: Analysis): string[] {
  const seen = new Set<string>();
  for (const n of analysis.index.names) if (n.kind === "task" && n.declaration) seen.add(n.name);
  return [...seen];
}

const item = (label: string, kind: CompletionItemKind, detail?: string, insertText?: string): CompletionItem => ({
  label,
  kind,
  ...(detail ? { detail } : {}),
  ...(insertText ? { insertText } : {}),
});

function words(specs: Iterable<CallSpec>): CompletionItem[] {
  return [...specs].map((s) => item(s.name, CompletionItemKind.Function, s.doc));
}

/** What may be written as a value of `type`. */
function valuesOf(type: ValueType, analysis: Analysis, kind: string | undefined): CompletionItem[] {
  switch (type.kind) {
    case "enum":
      return type.values.map((v) => item(v, CompletionItemKind.EnumMember));
    case "bool":
      return ["true", "false"].map((v) => item(v, CompletionItemKind.Keyword));
    case "stage":
      return stageNames(analysis).map((s) => item(s, CompletionItemKind.Variable, "stage"));
    case "list":
      return valuesOf(type.item, analysis, kind);
    case "layers":
      return words(vocabulary("layer").values());
    case "call":
      if (type.vocabulary === "loss" && kind) return words(lossesForKind(kind));
      if (type.vocabulary === "metric" && kind) return words(metricsForKind(kind));
      return words(vocabulary(type.vocabulary).values());
    default:
      return [];
  }
}

function keys(params: readonly ParamSpec[], given: ReadonlySet<string>): CompletionItem[] {
  return params
    .filter((p) => !given.has(p.name))
    .map((p) => item(p.name, CompletionItemKind.Property, p.doc, `${p.name}: `));
}

function callSpecOf(name: string, preferred?: VocabularyName): CallSpec | undefined {
  for (const v of preferred ? [preferred, ...CALL_ORDER] : CALL_ORDER) {
    const spec = vocabularyEntry(v, name);
    if (spec) return spec;
  }
  return undefined;
}

/** The block a `{` opened: what the tokens before it say. */
function blockOf(
  before: IToken[],
): { block: "model" | "backbone" | "sharing" | "group" | BlockName; kind?: string } | undefined {
  const first = before[0]?.image;
  if (first === "model") return { block: "model" };
  if (first === "backbone") return { block: "backbone" };
  if (first === "sharing") return { block: "sharing" };
  if (first === "structural_learning" || first === "train") return { block: first };
  if (first === "task") return { block: "task", ...(before[3] ? { kind: before[3].image } : {}) };
  return undefined;
}

/** Completion items at `offset`. */
export function completionsAt(analysis: Analysis, offset: number): CompletionItem[] {
  const text = analysis.text;
  let start = offset;
  while (start > 0 && /[A-Za-z0-9_]/.test(text[start - 1]!)) start--;
  const stack = openBrackets(text, start);
  const inner = stack.at(-1);
  if (inner === undefined) return [item("model", CompletionItemKind.Keyword)];

  // the task kind of the enclosing task block, for its losses and metrics
  const taskBlock = stack.find((o) => o.bracket === "{" && o.before[0]?.image === "task");
  const kind = taskBlock?.before[3]?.image;

  if (inner.bracket === "(" || (inner.bracket === "[" && stack.at(-2)?.bracket === "(")) {
    const call = inner.bracket === "(" ? inner : stack.at(-2)!;
    const callee = call.before.at(-1)?.image;
    const spec = callee === undefined ? undefined : callSpecOf(callee);
    if (spec === undefined) return [];
    const argument = currentItem(call.inside);
    const key = keyOf(argument);
    if (key !== undefined) {
      const param = spec.params.find((p) => p.name === key);
      return param ? valuesOf(param.type, analysis, kind) : [];
    }
    if (inner.bracket === "[") return [];
    const given = new Set(call.inside.filter((_, i, a) => a[i + 1]?.image === ":").map((t) => t.image));
    // the parameters already given by position are not offered again
    const index = call.inside.filter((t) => t.image === ",").length;
    const positionals = spec.params.filter((p) => p.positional);
    // a positional argument comes before any named one
    const positional = given.size === 0 ? positionals[index] : undefined;
    for (const p of positionals.slice(0, index)) given.add(p.name);
    return [...(positional ? valuesOf(positional.type, analysis, kind) : []), ...keys(spec.params, given)];
  }

  if (inner.bracket === "[") {
    const setting = keyOf(inner.before);
    const block = stack.at(-2) && blockOf(stack.at(-2)!.before);
    if (
      setting === undefined ||
      block === undefined ||
      block.block === "model" ||
      block.block === "backbone" ||
      block.block === "sharing" ||
      block.block === "group"
    )
      return [];
    const param = blockSpec(block.block).settings.find((p) => p.name === setting);
    return param ? valuesOf(param.type, analysis, kind) : [];
  }

  // inside braces
  const block = blockOf(inner.before);
  const statement = statementOf(inner.inside, positionAt(text, start).line);
  const parent = stack.at(-2);
  if (block === undefined && parent && blockOf(parent.before)?.block === "sharing") {
    return taskNames(analysis).map((t) => item(t, CompletionItemKind.Class, "task"));
  }
  if (block === undefined) return [];
  switch (block.block) {
    case "model": {
      if (statement.length === 0) return MEMBERS.map((m) => item(m, CompletionItemKind.Keyword));
      const head = statement[0]!.image;
      // `data |`: the data sources; `task name: |`: the task kinds
      if (head === "data" && statement.length === 1) return words(vocabulary("data").values());
      if (head === "task" && statement.length === 3 && statement[2]!.image === ":")
        return words(vocabulary("taskKind").values());
      return [];
    }
    case "backbone":
      return statement.length >= 2 && statement[1]!.image === ":" ? words(vocabulary("layer").values()) : [];
    case "sharing":
      return statement.some((t) => t.image === ":")
        ? []
        : stageNames(analysis).map((s) => item(s, CompletionItemKind.Variable, "stage"));
    case "group":
      return [];
    default: {
      const settings = blockSpec(block.block).settings;
      const key = keyOf(statement);
      if (key === undefined) {
        if (statement.length > 0) return [];
        const given = new Set(inner.inside.filter((_, i, a) => a[i + 1]?.image === ":").map((t) => t.image));
        return keys(settings, given);
      }
      const param = settings.find((p) => p.name === key);
      return param ? valuesOf(param.type, analysis, block.kind ?? kind) : [];
    }
  }
}
