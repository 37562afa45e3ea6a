/**
 * `parse(source)`: the entry point of the language front end. It never throws:
 * it returns the AST it could build and every diagnostic it found in one pass
 * (lexing errors, syntax errors with recovery).
 */
import type { IRecognitionException, IToken } from "chevrotain";
import type { Comment, Document, Position, Span } from "./ast.js";
import { AstBuilder, tokenSpan } from "./build-ast.js";
import { attachComments } from "./comments.js";
import type { Diagnostic } from "./diagnostics.js";
import { parser } from "./parser.js";
import { correctMemberKeywords } from "./member-typos.js";
import { lexer, UnterminatedBlockComment } from "./tokens.js";

export interface ParseOptions {
  /** The file name, for messages only. */
  file?: string;
}

export interface ParseResult {
  document: Document;
  diagnostics: Diagnostic[];
  /**
   * True when the document says what the source most likely means: no syntax
   * error, or only errors the parser repaired with certainty of intent (a
   * misspelt member keyword read as the keyword). Semantic checks run on a
   * checkable document, so one pass reports the file's other errors too.
   */
  checkable: boolean;
}

/** Syntax errors after which the document is still what the user meant (see `ParseResult.checkable`). */
const REPAIRED_SYNTAX_CODES: ReadonlySet<string> = new Set(["MTSL0009"]);

/**
 * Converts an offset of `source` to a 1-based line and column. Line breaks are
 * `\n`, `\r\n` and a lone `\r`, as the lexer counts them.
 */
export function positionAt(source: string, offset: number): Position {
  const clamped = Math.max(0, Math.min(offset, source.length));
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < clamped; i++) {
    const c = source.charCodeAt(i);
    if (c === 10 || (c === 13 && source.charCodeAt(i + 1) !== 10)) {
      line++;
      lineStart = i + 1;
    }
  }
  return { offset: clamped, line, column: clamped - lineStart + 1 };
}

function spanAt(source: string, offset: number, length: number): Span {
  return { start: positionAt(source, offset), end: positionAt(source, offset + length) };
}

const syntaxCodes: Record<string, string> = {
  MismatchedTokenException: "MTSL0004",
  NoViableAltException: "MTSL0005",
  EarlyExitException: "MTSL0005",
  NotAllInputParsedException: "MTSL0006",
};

function errorSpan(source: string, token: IToken): Span {
  if (!Number.isFinite(token.startOffset)) return spanAt(source, source.length, 0);
  return tokenSpan(token);
}

function show(text: string): string {
  const ch = text.codePointAt(0) ?? 0;
  if (ch < 32 || ch === 127 || (ch >= 0x80 && ch <= 0x9f)) return `U+${ch.toString(16).toUpperCase().padStart(4, "0")}`;
  return `'${String.fromCodePoint(ch)}'`;
}

/**
 * The deepest bracket nesting a file may have: the language itself needs about five levels
 * (model { task { head: f(list: [ ... ]) } }); the recursive parser, the AST builder, the
 * printer and the checker each recurse once per level, so a limit keeps a hostile input from
 * overflowing the stack.
 */
export const MAX_NESTING = 32;

const OPENERS = new Set(["LBrace", "LParen", "LBracket"]);
const CLOSERS = new Set(["RBrace", "RParen", "RBracket"]);

/**
 * The tokens up to the first bracket that opens level MAX_NESTING + 1, with an MTSL0010
 * diagnostic at it; all the tokens when the nesting stays within the limit.
 */
function withinNestingLimit(tokens: IToken[], diagnostics: Diagnostic[]): IToken[] {
  let depth = 0;
  for (let i = 0; i < tokens.length; i++) {
    const name = tokens[i]!.tokenType.name;
    if (OPENERS.has(name)) {
      depth++;
      if (depth > MAX_NESTING) {
        diagnostics.push({
          code: "MTSL0010",
          severity: "error",
          message: `brackets nested deeper than ${MAX_NESTING} levels; the rest of the file is not read`,
          span: tokenSpan(tokens[i]!),
        });
        return tokens.slice(0, i);
      }
    } else if (CLOSERS.has(name)) {
      depth = Math.max(0, depth - 1);
    }
  }
  return tokens;
}

export function parse(source: string, _options: ParseOptions = {}): ParseResult {
  const diagnostics: Diagnostic[] = [];
  const lexed = lexer.tokenize(source);

  for (const e of lexed.errors) {
    const length = Math.max(1, e.length);
    diagnostics.push({
      code: "MTSL0001",
      severity: "error",
      message: `unexpected character ${show(source.slice(e.offset, e.offset + length))}`,
      span: spanAt(source, e.offset, length),
    });
  }
  for (const t of lexed.groups["errors"] ?? []) {
    const isComment = t.tokenType === UnterminatedBlockComment;
    diagnostics.push({
      code: isComment ? "MTSL0003" : "MTSL0002",
      severity: "error",
      message: isComment
        ? "block comment is never closed (missing '*/')"
        : t.image.endsWith('"') && t.image.length > 1
          ? 'string has an invalid escape sequence (use JSON escapes: \\" \\\\ \\n \\t \\uXXXX)'
          : "string is never closed (missing '\"' before the end of the line)",
      span: isComment ? spanAt(source, t.startOffset, 2) : tokenSpan(t),
    });
  }

  diagnostics.push(...correctMemberKeywords(lexed.tokens));
  parser.input = withinNestingLimit(lexed.tokens, diagnostics);
  const cst = parser.file();
  const seen = new Set<string>();
  for (const e of parser.errors as IRecognitionException[]) {
    const span = errorSpan(source, e.token);
    const code = syntaxCodes[e.name] ?? "MTSL0005";
    const key = `${span.start.offset}:${code}`;
    if (seen.has(key)) continue;
    seen.add(key);
    diagnostics.push({ code, severity: "error", message: e.message, span });
  }

  const builder = new AstBuilder(diagnostics);
  const modelNode = cst.children["model"]?.[0];
  const model = modelNode && "children" in modelNode ? builder.model(modelNode) : null;
  if (!model && diagnostics.length === 0) {
    diagnostics.push({
      code: "MTSL0007",
      severity: "error",
      message: "the file has no model; it should contain `model Name { ... }`",
      span: spanAt(source, 0, 0),
    });
  }

  const document: Document = {
    kind: "Document",
    model,
    dangling: [],
    span: { start: positionAt(source, 0), end: positionAt(source, source.length) },
  };
  const comments: Comment[] = (lexed.groups["comments"] ?? []).map((t) => ({
    kind: t.image.startsWith("//") ? "line" : "block",
    text: t.image,
    span: tokenSpan(t),
  }));
  attachComments(document, comments, source);

  diagnostics.sort((a, b) => a.span.start.offset - b.span.start.offset || a.code.localeCompare(b.code));
  const checkable = diagnostics.every((d) => d.severity !== "error" || REPAIRED_SYNTAX_CODES.has(d.code));
  return { document, diagnostics, checkable };
}
