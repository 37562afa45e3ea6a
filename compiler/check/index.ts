/**
 * `check(document)`: the semantic checks behind `mtslc check`. Every rule in
 * the registry runs over the model; the result is every diagnostic, sorted by
 * position. Diagnostics are data: nothing here throws on any document.
 */
import type { Document } from "../../grammar/ast.js";
import type { Diagnostic } from "../../grammar/diagnostics.js";
import { orderDiagnostics } from "./diagnostic.js";
import { RULES } from "./registry.js";
import type { CheckContext, Rule } from "./rule.js";
import { buildSharingTable } from "./sharing-table.js";
import { inferShapes } from "./infer-shapes.js";
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
  const typed = typeModel(model);
  return { document, model, typed, sharing: buildSharingTable(model), shapes: inferShapes(typed.model) };
}

/**
 * Runs `rules` (by default all of them) over `document` and returns their
 * diagnostics sorted by position. A document without a model yields none
 * (the parser has reported it).
 */
export function check(document: Document, rules: readonly Rule[] = RULES): Diagnostic[] {
  const context = checkContext(document);
  return context === null ? [] : runRules(context, rules);
}

/** Runs `rules` over a context already built (compile lowers from the same one). */
export function runRules(context: CheckContext, rules: readonly Rule[] = RULES): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const rule of rules) out.push(...rule.run(context));
  return orderDiagnostics(out);
}
