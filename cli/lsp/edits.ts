/**
 * Edits the server offers: the canonical layout (as `mtslc fmt`, refused on syntax errors),
 * renaming a stage or task everywhere it is named, and the quick fix of a "did you mean".
 */
import type { TextDocument } from "vscode-languageserver-textdocument";
import {
  CodeActionKind,
  type CodeAction,
  type Diagnostic as LspDiagnostic,
  type TextEdit,
} from "vscode-languageserver/node";
import { format } from "../../grammar/format.js";
import { KEYWORDS } from "../../grammar/tokens.js";
import { rangeOf, type Analysis } from "./analysis.js";
import { nameAt, occurrencesOf } from "./names.js";

/** The whole-document edit to the canonical layout, or the reason it is refused. */
export function formatEdits(doc: TextDocument): { edits: TextEdit[] } | { refused: string } {
  const text = doc.getText();
  const result = format(text);
  if (result.text === null) {
    const first = result.diagnostics.find((d) => d.severity === "error")!;
    return {
      refused: `mtsl: not formatted: line ${first.span.start.line}: ${first.code} ${first.message} (fix the syntax errors first, as mtslc fmt does)`,
    };
  }
  if (!result.changed) return { edits: [] };
  return { edits: [{ range: { start: doc.positionAt(0), end: doc.positionAt(text.length) }, newText: result.text }] };
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The name at `offset` that can be renamed, with its range. */
export function renameTarget(analysis: Analysis, offset: number): { kind: "stage" | "task"; name: string } | undefined {
  const n = nameAt(analysis.index, offset);
  return n === undefined ? undefined : { kind: n.kind, name: n.name };
}

/** The edits renaming the stage or task at `offset` to `newName`, or why not. */
export function renameEdits(
  doc: TextDocument,
  analysis: Analysis,
  offset: number,
  newName: string,
): { edits: TextEdit[] } | { refused: string } {
  const target = renameTarget(analysis, offset);
  if (target === undefined) return { refused: "only a stage or a task can be renamed" };
  if (!IDENTIFIER.test(newName))
    return { refused: `'${newName}' is not a name (letters, digits and _, not starting with a digit)` };
  if ((KEYWORDS as readonly string[]).includes(newName)) return { refused: `'${newName}' is a keyword` };
  const clash = analysis.index.names.find((n) => n.kind === target.kind && n.declaration && n.name === newName);
  if (clash && newName !== target.name) return { refused: `there is already a ${target.kind} named '${newName}'` };
  return {
    edits: occurrencesOf(analysis.index, target).map((o) => ({ range: rangeOf(doc, o.span), newText: newName })),
  };
}

const DID_YOU_MEAN = /did you mean '([^']+)'\?/;

/** A quick fix for each diagnostic of `diagnostics` whose help is a "did you mean". */
export function quickFixes(uri: string, diagnostics: readonly LspDiagnostic[]): CodeAction[] {
  const out: CodeAction[] = [];
  for (const d of diagnostics) {
    const hint = d.relatedInformation?.map((r) => r.message).find((m) => DID_YOU_MEAN.test(m));
    const suggestion = hint === undefined ? undefined : DID_YOU_MEAN.exec(hint)![1]!;
    if (suggestion === undefined) continue;
    out.push({
      title: `Change to '${suggestion}'`,
      kind: CodeActionKind.QuickFix,
      diagnostics: [d],
      isPreferred: true,
      edit: { changes: { [uri]: [{ range: d.range, newText: suggestion }] } },
    });
  }
  return out;
}
