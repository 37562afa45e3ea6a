/**
 * `compile(document)`: semantic checks, then lowering to the graph IR with
 * shape inference. Returns the IR only when there is no error.
 */
import type { Document } from "../grammar/ast.js";
import type { Diagnostic } from "../grammar/diagnostics.js";
import { parse } from "../grammar/parse.js";
import { checkContext, runRules } from "./check/index.js";
import { orderDiagnostics } from "./check/diagnostic.js";
import { lint } from "./ir/lint.js";
import type { IrModel } from "./ir/types.js";
import { lower } from "./lower/lower.js";

export interface CompileResult {
  ir: IrModel | null;
  diagnostics: Diagnostic[];
}

const hasError = (ds: readonly Diagnostic[]): boolean => ds.some((d) => d.severity === "error");

export function compile(document: Document): CompileResult {
  // One context for the checks and the lowering: the model is typed and its shapes inferred once.
  const context = checkContext(document);
  if (context === null) return { ir: null, diagnostics: [] };
  const diagnostics = runRules(context);
  if (hasError(diagnostics)) return { ir: null, diagnostics };
  const lowered = lower(context.model, context.typed.model, context.shapes);
  const all = [...diagnostics, ...lowered.diagnostics];
  if (lowered.ir) {
    const problems = lint(lowered.ir);
    if (problems.length > 0) {
      throw new Error(`compiler produced an unsound IR (a compiler bug):\n${problems.join("\n")}`);
    }
  }
  return { ir: lowered.ir, diagnostics: orderDiagnostics(all) };
}

/** A compiled source text, with the document it was parsed into. */
export interface SourceCompileResult extends CompileResult {
  /** Null when the parse found no model. */
  document: Document | null;
}

/**
 * Parse and compile a source text. Syntax errors stop before the checks,
 * except those the parser repaired (`ParseResult.checkable`): then the checks
 * run too, so every error appears in one pass, and no IR is made.
 */
export function compileSource(source: string, options: { file?: string } = {}): SourceCompileResult {
  const parsed = parse(source, options);
  const document = parsed.document.model === null ? null : parsed.document;
  if (!parsed.checkable) return { ir: null, diagnostics: parsed.diagnostics, document };
  const compiled = compile(parsed.document);
  const diagnostics = orderDiagnostics([...parsed.diagnostics, ...compiled.diagnostics]);
  return { ir: hasError(parsed.diagnostics) ? null : compiled.ir, diagnostics, document };
}
