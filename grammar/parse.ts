/**
 * `parse(source)`: the entry point of the language front end. It never throws:
 * it returns the AST it could build and every diagnostic it found in one pass
 * (lexing errors, syntax errors with recovery).
 */
import type { CstNode, IRecognitionException, IToken } from "chevrotain";
import type { Comment, Document, Position, Span } from "./ast.js";
import { AstBuilder, tokenSpan } from "./build-ast.js";
import { attachComments } from "./comments.js";
import type { Diagnostic } from "./diagnostics.js";
import { MAX_SYNTAX_ERRORS, parser, TooManySyntaxErrors } from "./parser.js";
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
  const starts = lineStarts(source);
  // the last line start at or before the offset
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= clamped) lo = mid;
    else hi = mid - 1;
  }
  return { offset: clamped, line: lo + 1, column: clamped - starts[lo]! + 1 };
}

/** The offsets where the lines of the last source asked about start (one scan per source). */
let cached: { source: string; starts: number[] } | null = null;

function lineStarts(source: string): number[] {
  if (cached?.source === source) return cached.starts;
  const starts = [0];
  for (let i = 0; i < source.length; i++) {
    const c = source.charCodeAt(i);
    if (c === 10 || (c === 13 && source.charCodeAt(i + 1) !== 10)) starts.push(i + 1);
  }
  cached = { source, starts };
  return starts;
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

/**
 * The longest source the front end reads, in characters (UTF-16 code units): 4 Mi. Parse and
 * check cost grows linearly with a file's size (bench:parse), about 1-2 s per million characters;
 * the largest real models are a few thousand. A longer input is MTSL0011, unread.
 */
export const MAX_SOURCE_LENGTH = 4 * 1024 * 1024;

/**
 * Parses `tokens` into a CST, adding its syntax errors to `diagnostics`; null when it stopped
 * at MAX_SYNTAX_ERRORS (then with an MTSL0012 where it stopped).
 */
function syntax(source: string, tokens: IToken[], diagnostics: Diagnostic[]): CstNode | null {
  parser.input = withinNestingLimit(tokens, diagnostics);
  // Chevrotain raises an exception object per syntax error; without stack traces (never shown)
  // each costs less; the parse stops at MAX_SYNTAX_ERRORS.
  const stackTraceLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  let cst: CstNode | null = null;
  try {
    cst = parser.file();
  } catch (error) {
    if (!(error instanceof TooManySyntaxErrors)) throw error;
  } finally {
    Error.stackTraceLimit = stackTraceLimit;
  }
  const stopped = cst === null;
  // A parse that stopped also reports the unread rest as "input after the end of the model": not so.
  const errors = (parser.errors as IRecognitionException[]).filter(
    (e) => !stopped || e.name !== "NotAllInputParsedException",
  );
  const seen = new Set<string>();
  for (const e of errors) {
    const span = errorSpan(source, e.token);
    const code = syntaxCodes[e.name] ?? "MTSL0005";
    const key = `${span.start.offset}:${code}`;
    if (seen.has(key)) continue;
    seen.add(key);
    diagnostics.push({ code, severity: "error", message: e.message, span });
  }
  if (stopped) {
    const last = errors.at(-1);
    diagnostics.push({
      code: "MTSL0012",
      severity: "error",
      message: `${MAX_SYNTAX_ERRORS} syntax errors: the parser stopped here, the rest of the file is not read`,
      span: last ? errorSpan(source, last.token) : spanAt(source, 0, 0),
    });
  }
  return cst;
}

export function parse(source: string, _options: ParseOptions = {}): ParseResult {
  const diagnostics: Diagnostic[] = [];
  if (source.length > MAX_SOURCE_LENGTH) {
    const origin = { offset: 0, line: 1, column: 1 };
    diagnostics.push({
      code: "MTSL0011",
      severity: "error",
      message: `the file is ${source.length.toLocaleString("en-US")} characters long, more than the ${MAX_SOURCE_LENGTH.toLocaleString("en-US")} a .mtsl file may have; it is not read`,
      span: { start: origin, end: origin },
    });
    return {
      document: { kind: "Document", model: null, dangling: [], span: { start: origin, end: origin } },
      diagnostics,
      checkable: false,
    };
  }
  const lexed = lexer.tokenize(source);

  // Lexer errors in source order; past MAX_SYNTAX_ERRORS the rest of the file is not read.
  const lexErrors: { offset: number; diagnostic: () => Diagnostic }[] = [
    ...lexed.errors.map((e) => ({
      offset: e.offset,
      diagnostic: (): Diagnostic => {
        const length = Math.max(1, e.length);
        return {
          code: "MTSL0001",
          severity: "error",
          message: `unexpected character ${show(source.slice(e.offset, e.offset + length))}`,
          span: spanAt(source, e.offset, length),
        };
      },
    })),
    ...(lexed.groups["errors"] ?? []).map((t) => ({
      offset: t.startOffset,
      diagnostic: (): Diagnostic => {
        const isComment = t.tokenType === UnterminatedBlockComment;
        return {
          code: isComment ? "MTSL0003" : "MTSL0002",
          severity: "error",
          message: isComment
            ? "block comment is never closed (missing '*/')"
            : t.image.endsWith('"') && t.image.length > 1
              ? 'string has an invalid escape sequence (use JSON escapes: \\" \\\\ \\n \\t \\uXXXX)'
              : "string is never closed (missing '\"' before the end of the line)",
          span: isComment ? spanAt(source, t.startOffset, 2) : tokenSpan(t),
        };
      },
    })),
  ].sort((x, y) => x.offset - y.offset);
  for (const e of lexErrors.slice(0, MAX_SYNTAX_ERRORS)) diagnostics.push(e.diagnostic());
  let tokens = lexed.tokens;
  let comments = lexed.groups["comments"] ?? [];
  const stop = lexErrors[MAX_SYNTAX_ERRORS];
  if (stop !== undefined) {
    diagnostics.push({
      code: "MTSL0012",
      severity: "error",
      message: `${MAX_SYNTAX_ERRORS} lexical errors: the rest of the file is not read`,
      span: spanAt(source, stop.offset, 0),
    });
    tokens = tokens.filter((t) => t.startOffset < stop.offset);
    comments = comments.filter((t) => t.startOffset < stop.offset);
  }

  diagnostics.push(...correctMemberKeywords(tokens));
  // After the lexer stopped, the tokens end mid-file: parsing them would only report the cut.
  const cst = stop === undefined ? syntax(source, tokens, diagnostics) : null;

  const builder = new AstBuilder(diagnostics);
  const modelNode = cst?.children["model"]?.[0];
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
  const attached: Comment[] = comments.map((t) => ({
    kind: t.image.startsWith("//") ? "line" : "block",
    text: t.image,
    span: tokenSpan(t),
  }));
  attachComments(document, attached, source);

  diagnostics.sort((a, b) => a.span.start.offset - b.span.start.offset || a.code.localeCompare(b.code));
  const checkable = diagnostics.every((d) => d.severity !== "error" || REPAIRED_SYNTAX_CODES.has(d.code));
  return { document, diagnostics, checkable };
}
