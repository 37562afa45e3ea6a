/**
 * `mtslc explain CODE` (and `mtslc check --explain`): the long description of a diagnostic
 * code. For the checker's and the parser's codes (MTSL0xxx, MTSL1xxx, MTSL2xxx) it is the
 * code's section of docs/diagnostics.md, read from the installed package, so the command and
 * the docs are one text (with its bad example and the fix); for runtime (MTSL3xxx) and code
 * generation (MTSL6xxx) codes, the one-line description their registries hold.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { CHECK_CODES } from "../../compiler/check/codes.js";
import { CODEGEN_ERROR_CODES } from "../../compiler/codegen/errors.js";
import { SYNTAX_CODES } from "../../grammar/codes.js";
import { didYouMean } from "../../grammar/suggest.js";
import { RUNTIME_ERROR_CODES } from "../../runtime/errors.js";
import { EXIT, type CliContext } from "../io.js";
import { packageRoot } from "../version.js";

/** Every code with its one-line description and where the long one lives. */
function registry(): Map<string, { line: string; kind: string }> {
  const out = new Map<string, { line: string; kind: string }>();
  for (const [code, text] of Object.entries(SYNTAX_CODES)) out.set(code, { line: text, kind: "syntax error" });
  for (const [code, info] of Object.entries(CHECK_CODES)) out.set(code, { line: info.title, kind: info.severity });
  for (const [code, text] of Object.entries(RUNTIME_ERROR_CODES)) out.set(code, { line: text, kind: "runtime error" });
  for (const [code, text] of Object.entries(CODEGEN_ERROR_CODES))
    out.set(code, { line: text, kind: "code generation error" });
  return out;
}

/** The section `## CODE` of docs/diagnostics.md, without its heading; null when there is none. */
function docsSection(code: string): string | null {
  const root = packageRoot();
  const path = root === null ? null : join(root, "docs", "diagnostics.md");
  if (path === null || !existsSync(path)) return null;
  const text = readFileSync(path, "utf8");
  const start = text.indexOf(`\n## ${code}\n`);
  if (start < 0) return null;
  const body = text.slice(start + code.length + 5);
  const end = body.search(/\n#{1,2} /);
  return (end < 0 ? body : body.slice(0, end)).trim();
}

/** The explanation of `code` (case-insensitive), or null for a code mtsl does not have. */
export function explanation(code: string): string | null {
  const upper = code.toUpperCase();
  const info = registry().get(upper);
  if (info === undefined) return null;
  const section = docsSection(upper);
  return section !== null ? `${upper}: ${section}\n` : `${upper} (${info.kind}): ${info.line}.\n`;
}

export function runExplain(code: string, ctx: CliContext): number {
  const text = explanation(code);
  if (text === null) {
    const hint = didYouMean(code.toUpperCase(), registry().keys());
    ctx.stderr.write(`mtslc explain: no code ${code}${hint ? `; ${hint}` : ""} (codes look like MTSL1004)\n`);
    return EXIT.usage;
  }
  ctx.stdout.write(text);
  return EXIT.ok;
}
