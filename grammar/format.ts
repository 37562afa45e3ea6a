/**
 * `format`: source text in, canonical source text out (what `mtslc fmt` does).
 */
import type { Diagnostic } from "./diagnostics.js";
import { parse } from "./parse.js";
import { print } from "./printer.js";

export interface FormatOptions {
  /** The file name, used in diagnostics. */
  file?: string;
}

export interface FormatResult {
  /** The formatted text, or null when the source has errors (nothing is formatted then). */
  text: string | null;
  /** Everything the parser reported (errors, warnings, infos). */
  diagnostics: Diagnostic[];
  /** True when `text` differs from the source; false when refused. */
  changed: boolean;
}

/**
 * Formats `.mtsl` source in the canonical layout (see printer.ts).
 * Refuses (text null) when parsing reports any error; never throws for any input.
 * Idempotent: formatting the result again returns it unchanged.
 */
export function format(source: string, options: FormatOptions = {}): FormatResult {
  const { document, diagnostics } = parse(source, options.file === undefined ? {} : { file: options.file });
  if (diagnostics.some((d) => d.severity === "error")) {
    return { text: null, diagnostics, changed: false };
  }
  const text = print(document);
  return { text, diagnostics, changed: text !== source };
}
