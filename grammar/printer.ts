/**
 * The canonical printer of `.mtsl` files: AST in, text out.
 *
 * Layout (deterministic, never wraps lines, so that a change to one statement
 * is a one-line git diff):
 * - 2-space indentation, one statement per line, no trailing spaces, and the
 *   file ends with exactly one newline;
 * - a statement whose source had a blank line before it gets exactly one blank
 *   line, except the first statement of a block (and of the file); never a
 *   blank line before `}`;
 * - leading comments on their own lines at the statement's indent, a trailing
 *   comment one space after the statement (after its `}` for a block), dangling
 *   comments on their own lines before the closing `}`; block comments are
 *   printed as they were written, line comments without trailing whitespace;
 * - values: calls `f(a, key: v)`, lists always in brackets `[a, b]` (a bare comma
 *   list in the source gets brackets), except a setting's list that holds a layer
 *   sequence, which only a bare comma list can express; strings as JSON; numbers
 *   by {@link formatNumber}.
 *
 * For any AST the parser can produce, `parse(print(ast))` gives the same AST back
 * (spans aside), and `print` of that is the same text.
 */
import type {
  Arg,
  BackboneDecl,
  Call,
  Comment,
  DataDecl,
  Document,
  InputDecl,
  Layer,
  Member,
  Model,
  SettingsBlock,
  Setting,
  SharingDecl,
  SharingRow,
  StageDecl,
  TaskDecl,
  TaskGroup,
  Trivia,
  Value,
} from "./ast.js";
import { formatNumber } from "./numbers.js";

const INDENT = "  ";

/** Prints a document in the canonical layout. Pure and deterministic. */
export function print(document: Document): string {
  const out = new LineWriter();
  if (document.model !== null) {
    printModel(out, document.model);
  }
  for (const comment of document.dangling) {
    out.line(0, commentText(comment));
  }
  return out.text();
}

/** Prints one value (a setting's right-hand side, an argument, a list item) on one line. */
export function printValue(value: Value): string {
  switch (value.kind) {
    case "Ident":
      return value.name;
    case "Number":
      return formatNumber(value.value);
    case "String":
      return JSON.stringify(value.value);
    case "Bool":
      return value.value ? "true" : "false";
    case "Call":
      return printCall(value);
    case "List":
      return `[${value.items.map(printValue).join(", ")}]`;
    case "Seq":
      return printLayers(value.items);
  }
}

/** Collects output lines; knows the blank-line rules. */
class LineWriter {
  private readonly lines: string[] = [];

  /** Appends one line at the given depth; an empty `text` is a blank line. */
  line(depth: number, text: string): void {
    this.lines.push(text === "" ? "" : INDENT.repeat(depth) + text);
  }

  /** Appends a blank line unless the output is empty or already ends with one. */
  blank(): void {
    if (this.lines.length > 0 && this.lines[this.lines.length - 1] !== "") {
      this.lines.push("");
    }
  }

  text(): string {
    return this.lines.length === 0 ? "" : `${this.lines.join("\n")}\n`;
  }
}

/**
 * Prints a statement: its blank line, its leading comments, its first line (`head`),
 * and, for a block statement, the block's body and closing brace. The trailing
 * comment goes on the statement's last line.
 */
function printStatement(
  out: LineWriter,
  depth: number,
  trivia: Trivia,
  isFirstInBlock: boolean,
  head: string,
  body: ((depth: number) => void) | null,
  dangling: readonly Comment[] = [],
  hasContent = false,
): void {
  if (trivia.blankBefore && !isFirstInBlock) {
    out.blank();
  }
  for (const comment of trivia.leading) {
    out.line(depth, commentText(comment));
  }
  const trailing = trivia.trailing === null ? "" : ` ${commentText(trivia.trailing)}`;
  if (body === null) {
    out.line(depth, head + trailing);
    return;
  }
  if (!hasContent && dangling.length === 0) {
    out.line(depth, `${head} {}${trailing}`);
    return;
  }
  out.line(depth, `${head} {`);
  body(depth + 1);
  for (const comment of dangling) {
    out.line(depth + 1, commentText(comment));
  }
  out.line(depth, `}${trailing}`);
}

function printModel(out: LineWriter, model: Model): void {
  printStatement(
    out,
    0,
    model.trivia,
    true,
    `model ${model.name.name}`,
    (depth) => model.members.forEach((member, i) => printMember(out, depth, member, i === 0)),
    model.dangling,
    model.members.length > 0,
  );
}

function printMember(out: LineWriter, depth: number, member: Member, first: boolean): void {
  switch (member.kind) {
    case "Input":
      return printInput(out, depth, member, first);
    case "Data":
      return printData(out, depth, member, first);
    case "Task":
      return printTask(out, depth, member, first);
    case "Backbone":
      return printBackbone(out, depth, member, first);
    case "Sharing":
      return printSharing(out, depth, member, first);
    case "Block":
      return printSettingsBlock(out, depth, member, first);
  }
}

function printInput(out: LineWriter, depth: number, input: InputDecl, first: boolean): void {
  const shape = input.shape.map((n) => formatNumber(n.value)).join(", ");
  const head = `input ${input.name.name}: ${input.dtype.name}[${shape}]`;
  printStatement(out, depth, input.trivia, first, head, null);
}

function printData(out: LineWriter, depth: number, data: DataDecl, first: boolean): void {
  printStatement(out, depth, data.trivia, first, `data ${printLayer(data.source)}`, null);
}

function printTask(out: LineWriter, depth: number, task: TaskDecl, first: boolean): void {
  const head = `task ${task.name.name}: ${printLayer(task.taskKind)}`;
  printStatement(
    out,
    depth,
    task.trivia,
    first,
    head,
    (inner) => printSettings(out, inner, task.settings),
    task.dangling,
    task.settings.length > 0,
  );
}

function printBackbone(out: LineWriter, depth: number, backbone: BackboneDecl, first: boolean): void {
  printStatement(
    out,
    depth,
    backbone.trivia,
    first,
    "backbone",
    (inner) => backbone.stages.forEach((stage, i) => printStage(out, inner, stage, i === 0)),
    backbone.dangling,
    backbone.stages.length > 0,
  );
}

function printStage(out: LineWriter, depth: number, stage: StageDecl, first: boolean): void {
  const head = `${stage.name.name}: ${printLayers(stage.layers)}`;
  printStatement(out, depth, stage.trivia, first, head, null);
}

function printSharing(out: LineWriter, depth: number, sharing: SharingDecl, first: boolean): void {
  printStatement(
    out,
    depth,
    sharing.trivia,
    first,
    "sharing",
    (inner) => sharing.rows.forEach((row, i) => printSharingRow(out, inner, row, i === 0)),
    sharing.dangling,
    sharing.rows.length > 0,
  );
}

function printSharingRow(out: LineWriter, depth: number, row: SharingRow, first: boolean): void {
  const range = row.to === null ? row.from.name : `${row.from.name}..${row.to.name}`;
  const head = `${range}: ${row.groups.map(printTaskGroup).join(" ")}`;
  printStatement(out, depth, row.trivia, first, head, null);
}

function printTaskGroup(group: TaskGroup): string {
  return `{${group.tasks.map((task) => task.name).join(" ")}}`;
}

function printSettingsBlock(out: LineWriter, depth: number, block: SettingsBlock, first: boolean): void {
  printStatement(
    out,
    depth,
    block.trivia,
    first,
    block.keyword,
    (inner) => printSettings(out, inner, block.settings),
    block.dangling,
    block.settings.length > 0,
  );
}

function printSettings(out: LineWriter, depth: number, settings: readonly Setting[]): void {
  settings.forEach((setting, i) => {
    const head = `${setting.key.name}: ${printSettingValue(setting.value)}`;
    printStatement(out, depth, setting.trivia, i === 0, head, null);
  });
}

/**
 * A setting's value. A list is printed in brackets, except a list holding a layer
 * sequence (`head: conv(8) relu, dense(2)`): brackets hold only single terms, so
 * that list stays a bare comma list.
 */
function printSettingValue(value: Value): string {
  if (value.kind === "List" && value.items.some((item) => item.kind === "Seq")) {
    return value.items.map(printValue).join(", ");
  }
  return printValue(value);
}

function printCall(call: Call): string {
  return `${call.callee.name}(${call.args.map(printArg).join(", ")})`;
}

function printArg(arg: Arg): string {
  const value = printValue(arg.value);
  return arg.name === null ? value : `${arg.name.name}: ${value}`;
}

function printLayer(layer: Layer): string {
  return layer.kind === "Call" ? printCall(layer) : layer.name;
}

function printLayers(layers: readonly Layer[]): string {
  return layers.map(printLayer).join(" ");
}

/**
 * A comment's text as printed: block comments as written (line endings made `\n`),
 * line comments without trailing whitespace.
 */
function commentText(comment: Comment): string {
  return comment.kind === "line" ? comment.text.trimEnd() : comment.text.replace(/\r\n?/g, "\n");
}
