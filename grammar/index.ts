export type * from "./ast.js";
export type { Diagnostic, Severity } from "./diagnostics.js";
export { parse, positionAt, type ParseOptions, type ParseResult } from "./parse.js";
export { renderDiagnostic, diagnosticsToJson, summarize, type RenderOptions } from "./render.js";
export { SYNTAX_CODES } from "./codes.js";
export { KEYWORDS } from "./tokens.js";
