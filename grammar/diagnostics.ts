import type { Span } from "./ast.js";

export type Severity = "error" | "warning" | "info";

/** A message about a place in a file. Diagnostics are data: nothing here throws. */
export interface Diagnostic {
  /** Stable code, `MTSL` and four digits; see docs/language.md. */
  code: string;
  severity: Severity;
  message: string;
  span: Span;
  /** Optional help line, e.g. `did you mean 'depth'?`. */
  hint?: string;
}
