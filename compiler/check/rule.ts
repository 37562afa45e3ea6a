/** The shape of a semantic rule and the context every rule reads. */
import type { Document, Model } from "../../grammar/ast.js";
import type { Diagnostic } from "../../grammar/diagnostics.js";
import type { CheckCode } from "./codes.js";
import type { ShapeInference } from "./infer-shapes.js";
import type { SharingTable } from "./sharing-table.js";
import type { TypedModelResult } from "./typed-model.js";

/** What a rule sees: the model, its typed form, the sharing table and the inferred shapes (each computed once). */
export interface CheckContext {
  readonly document: Document;
  readonly model: Model;
  /** Every value checked against the catalogue, with its diagnostics. */
  readonly typed: TypedModelResult;
  /** The sharing block's rows resolved to stage indices; null without a sharing block. */
  readonly sharing: SharingTable | null;
  /** Every stage's and head's shapes, with the shape errors; lowering reuses them. */
  readonly shapes: ShapeInference;
}

/** One semantic rule: it reports only the codes it owns. */
export interface Rule {
  /** Kebab-case name, the same as its file. */
  readonly name: string;
  readonly description: string;
  readonly codes: readonly CheckCode[];
  run(context: CheckContext): Diagnostic[];
}

/** A rule that reports the typed model's diagnostics with the given codes. */
export function typedDiagnosticsRule(name: string, description: string, codes: readonly CheckCode[]): Rule {
  const owned = new Set<string>(codes);
  return {
    name,
    description,
    codes,
    run: (context) => context.typed.diagnostics.filter((d) => owned.has(d.code)),
  };
}
