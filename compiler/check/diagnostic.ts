/** Building semantic diagnostics and the spans they point at. */
import type { Position, Span } from "../../grammar/ast.js";
import type { Diagnostic } from "../../grammar/diagnostics.js";
import { type CheckCode, severityOf } from "./codes.js";

/** A diagnostic with the code's fixed severity; `hint` only when given. */
export function diagnostic(code: CheckCode, message: string, span: Span, hint?: string): Diagnostic {
  const d: Diagnostic = { code, severity: severityOf(code), message, span };
  if (hint !== undefined) d.hint = hint;
  return d;
}

function advance(p: Position, chars: number): Position {
  return { offset: p.offset + chars, line: p.line, column: p.column + chars };
}

/**
 * The span of a keyword at the start of a statement (`sharing`, `backbone`):
 * the first `word.length` characters of `span`, on its first line.
 */
export function keywordSpan(span: Span, word: string): Span {
  return { start: span.start, end: advance(span.start, word.length) };
}

/** The span from the start of `a` to the end of `b`. */
export function joinSpans(a: Span, b: Span): Span {
  return { start: a.start, end: b.end };
}

/** "1 epoch", "20 epochs": how messages count training epochs. */
export function epochCount(n: number): string {
  return `${n} epoch${n === 1 ? "" : "s"}`;
}

/** Orders diagnostics by position, then code, then message. */
export function compareDiagnostics(a: Diagnostic, b: Diagnostic): number {
  return (
    a.span.start.offset - b.span.start.offset ||
    a.span.end.offset - b.span.end.offset ||
    (a.code < b.code ? -1 : a.code > b.code ? 1 : 0) ||
    (a.message < b.message ? -1 : a.message > b.message ? 1 : 0)
  );
}

/**
 * The diagnostics in reading order, each said once: two with the same code,
 * span and message (one mistake reached by two rules or two passes) are one.
 */
export function orderDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  const out: Diagnostic[] = [];
  for (const d of [...diagnostics].sort(compareDiagnostics)) {
    const key = `${d.code}\u0000${d.span.start.offset}\u0000${d.span.end.offset}\u0000${d.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(d);
  }
  return out;
}
