/**
 * Renders diagnostics like a compiler does:
 *
 *     model.mtsl:6:10: error MTSL0004: expected ':' but found 'ce'
 *         6 |     loss ce(balanced: true)
 *           |          ^~
 *
 * and as JSON for editors.
 */
import { styleText } from "node:util";
import type { Diagnostic } from "./diagnostics.js";

export interface RenderOptions {
  /** Use ANSI colours. */
  color?: boolean;
}

type Style = Parameters<typeof styleText>[0];

function paint(on: boolean, style: Style, text: string): string {
  return on ? styleText(style, text) : text;
}

/** One diagnostic with its source line and a caret/tilde underline. */
export function renderDiagnostic(d: Diagnostic, source: string, file: string, options: RenderOptions = {}): string {
  const color = options.color ?? false;
  const { line, column } = d.span.start;
  const severityStyle: Style = d.severity === "error" ? "red" : d.severity === "warning" ? "yellow" : "cyan";
  const head =
    `${paint(color, "bold", `${file}:${line}:${column}:`)} ` +
    `${paint(color, severityStyle, `${d.severity} ${d.code}`)}: ${paint(color, "bold", d.message)}`;
  const lines = source.split("\n");
  const text = (lines[line - 1] ?? "").replace(/\r$/, "").replace(/\t/g, " ");
  const gutter = String(line).length;
  const out = [head];
  if (line - 1 < lines.length) {
    const sameLine = d.span.end.line === line;
    const endColumn = sameLine ? d.span.end.column : text.length + 1;
    const width = Math.max(1, endColumn - column);
    const underline = "^" + "~".repeat(width - 1);
    out.push(`${" ".repeat(gutter + 1)}${paint(color, "dim", "|")}`);
    out.push(`${paint(color, "dim", `${line} |`)} ${sanitize(text)}`);
    out.push(
      `${" ".repeat(gutter + 1)}${paint(color, "dim", "|")} ${" ".repeat(Math.max(0, column - 1))}${paint(color, severityStyle, underline)}`,
    );
  }
  if (d.hint) out.push(`${" ".repeat(gutter + 1)}${paint(color, "dim", "=")} help: ${d.hint}`);
  return out.join("\n");
}

/** Control characters in a source line are shown as `?` so they cannot disturb the terminal. */
function sanitize(text: string): string {
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, "?");
}

export interface JsonDiagnostic extends Diagnostic {
  file: string;
}

/** Diagnostics of one file as plain JSON-ready objects. */
export function diagnosticsToJson(diagnostics: Diagnostic[], file: string): JsonDiagnostic[] {
  return diagnostics.map((d) => ({ file, ...d }));
}

/** `N errors, M warnings` summary line. */
export function summarize(diagnostics: Diagnostic[]): string {
  const errors = diagnostics.filter((d) => d.severity === "error").length;
  const warnings = diagnostics.filter((d) => d.severity === "warning").length;
  const plural = (n: number, w: string): string => `${n} ${w}${n === 1 ? "" : "s"}`;
  return `${plural(errors, "error")}, ${plural(warnings, "warning")}`;
}
