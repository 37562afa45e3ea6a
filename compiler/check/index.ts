/**
 * `check(document)`: the semantic checks behind `mtslc check`. Every rule in
 * the registry runs over the model; the result is every diagnostic, sorted by
 * position. Diagnostics are data: nothing here throws on any document.
 */
import type { Document } from "../../grammar/ast.js";
import type { Diagnostic } from "../../grammar/diagnostics.js";
import { compareDiagnostics } from "./diagnostic.js";
import { RULES } from "./registry.js";
import type { CheckContext, Rule } from "./rule.js";
import { buildSharingTable } from "./sharing-table.js";
import { typeModel } from "./typed-model.js";

export { CHECK_CODES, type CheckCode, type CodeInfo } from "./codes.js";
export { RULES } from "./registry.js";
export type { CheckContext, Rule } from "./rule.js";
export {
  typeModel,
  type TypedModel,
  type TypedModelResult,
  type TypedTask,
  type TypedStage,
  type TypedBlock,
  type TypedSettings,
} from "./typed-model.js";

/** The context rules read: the typed model and sharing table, computed once. */
export function checkContext(document: Document): CheckContext | null {
  const model = document.model;
  if (model === null) return null;
  return { document, model, typed: typeModel(model), sharing: buildSharingTable(model) };
}

/**
 * Runs `rules` (by default all of them) over `document` and returns their
 * diagnostics sorted by position. A document without a model yields none
 * (the parser has reported it).
 */
export function check(document: Document, rules: readonly Rule[] = RULES): Diagnostic[] {
  const context = checkContext(document);
  if (context === null) return [];
  const out: Diagnostic[] = [];
  for (const rule of rules) out.push(...rule.run(context));
  return out.sort(compareDiagnostics);
}
