/** The shape of a semantic rule and the context every rule reads. */
import type { Document, Model } from "../../grammar/ast.js";
import type { Diagnostic } from "../../grammar/diagnostics.js";
import type { CheckCode } from "./codes.js";
import type { SharingTable } from "./sharing-table.js";
import type { TypedModelResult } from "./typed-model.js";

/** What a rule sees: the model, its typed form and the sharing table (both computed once). */
export interface CheckContext {
  readonly document: Document;
  readonly model: Model;
  /** Every value checked against the catalogue, with its diagnostics. */
  readonly typed: TypedModelResult;
  /** The sharing block's rows resolved to stage indices; null without a sharing block. */
  readonly sharing: SharingTable | null;
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
