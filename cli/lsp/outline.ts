/**
 * The document's shape for an editor: symbols (the outline), folding ranges and semantic tokens
 * (from the lexer's tokens, each identifier classified by the document index).
 */
import type { TextDocument } from "vscode-languageserver-textdocument";
import {
  FoldingRangeKind,
  SemanticTokensBuilder,
  SymbolKind,
  type DocumentSymbol,
  type FoldingRange,
  type SemanticTokens,
  type SemanticTokensLegend,
} from "vscode-languageserver/node";
import type { Member, Span } from "../../grammar/ast.js";
import { KEYWORDS, lexer } from "../../grammar/tokens.js";
import { rangeOf, type Analysis } from "./analysis.js";

/** The token types and modifiers the server reports, in legend order. */
export const TOKEN_TYPES = [
  "namespace",
  "type",
  "variable",
  "function",
  "property",
  "enumMember",
  "keyword",
  "number",
  "string",
  "comment",
] as const;
export const TOKEN_MODIFIERS = ["declaration"] as const;
export const SEMANTIC_LEGEND: SemanticTokensLegend = {
  tokenTypes: [...TOKEN_TYPES],
  tokenModifiers: [...TOKEN_MODIFIERS],
};
type TokenType = (typeof TOKEN_TYPES)[number];

function symbol(
  doc: TextDocument,
  name: string,
  detail: string,
  kind: SymbolKind,
  span: Span,
  nameSpan: Span,
  children: DocumentSymbol[] = [],
): DocumentSymbol {
  const range = rangeOf(doc, span);
  const selection = rangeOf(doc, nameSpan);
  return { name: name === "" ? "(unnamed)" : name, detail, kind, range, selectionRange: selection, children };
}

function memberSymbol(doc: TextDocument, m: Member): DocumentSymbol {
  switch (m.kind) {
    case "Input":
      return symbol(
        doc,
        m.name.name,
        `input ${m.dtype.name}[${m.shape.map((n) => n.value).join(", ")}]`,
        SymbolKind.Field,
        m.span,
        m.name.span,
      );
    case "Data": {
      const callee = m.source.kind === "Call" ? m.source.callee : m.source;
      return symbol(doc, `data ${callee.name}`, "data source", SymbolKind.Field, m.span, callee.span);
    }
    case "Task": {
      const kind = m.taskKind.kind === "Call" ? m.taskKind.callee.name : m.taskKind.name;
      const settings = m.settings.map((s) => symbol(doc, s.key.name, "", SymbolKind.Property, s.span, s.key.span));
      return symbol(doc, m.name.name, `task ${kind}`, SymbolKind.Class, m.span, m.name.span, settings);
    }
    case "Backbone": {
      const stages = m.stages.map((s) =>
        symbol(
          doc,
          s.name.name,
          `${s.layers.length} layer${s.layers.length === 1 ? "" : "s"}`,
          SymbolKind.Function,
          s.span,
          s.name.span,
        ),
      );
      return symbol(doc, "backbone", `${m.stages.length} stages`, SymbolKind.Namespace, m.span, m.span, stages);
    }
    case "Sharing": {
      const rows = m.rows.map((r) =>
        symbol(
          doc,
          r.to ? `${r.from.name}..${r.to.name}` : r.from.name,
          `${r.groups.length} groups`,
          SymbolKind.Array,
          r.span,
          r.from.span,
        ),
      );
      return symbol(doc, "sharing", "", SymbolKind.Namespace, m.span, m.span, rows);
    }
    case "Block": {
      const settings = m.settings.map((s) => symbol(doc, s.key.name, "", SymbolKind.Property, s.span, s.key.span));
      return symbol(doc, m.keyword, "", SymbolKind.Namespace, m.span, m.keywordSpan, settings);
    }
  }
}

/** The outline: the model, its members, and their stages, tasks' settings and rows. */
export function documentSymbols(doc: TextDocument, analysis: Analysis): DocumentSymbol[] {
  const model = analysis.tree.model;
  if (model === null) return [];
  return [
    symbol(
      doc,
      model.name.name,
      "model",
      SymbolKind.Module,
      model.span,
      model.name.span,
      model.members.map((m) => memberSymbol(doc, m)),
    ),
  ];
}

/** Blocks over more than one line fold, and so do runs of comments. */
export function foldingRanges(analysis: Analysis): FoldingRange[] {
  const out: FoldingRange[] = [];
  const fold = (span: Span, kind?: FoldingRangeKind): void => {
    const start = span.start.line - 1;
    const end = span.end.line - 1;
    if (end > start) out.push(kind ? { startLine: start, endLine: end, kind } : { startLine: start, endLine: end });
  };
  const model = analysis.tree.model;
  if (model !== null) {
    fold(model.span);
    for (const m of model.members) if (m.kind !== "Input" && m.kind !== "Data") fold(m.span);
  }
  const { groups } = lexer.tokenize(analysis.text);
  for (const c of groups["comments"] ?? []) {
    if (c.image.startsWith("/*"))
      fold(
        {
          start: { offset: c.startOffset, line: c.startLine ?? 1, column: 1 },
          end: { offset: c.endOffset ?? c.startOffset, line: c.endLine ?? 1, column: 1 },
        },
        FoldingRangeKind.Comment,
      );
  }
  return out;
}

/** Semantic tokens of the whole document, one per lexer token (multi-line ones split per line). */
export function semanticTokens(doc: TextDocument, analysis: Analysis): SemanticTokens {
  const { index } = analysis;
  const byOffset = new Map<number, { type: TokenType; declaration?: boolean }>();
  for (const n of index.names)
    byOffset.set(n.span.start.offset, { type: n.kind === "stage" ? "variable" : "type", declaration: n.declaration });
  for (const w of index.words) byOffset.set(w.span.start.offset, { type: "function" });
  for (const k of index.keys) if (k.written) byOffset.set(k.span.start.offset, { type: "property" });
  for (const e of index.enums) byOffset.set(e.span.start.offset, { type: "enumMember" });
  if (index.model) byOffset.set(index.model.span.start.offset, { type: "namespace", declaration: true });

  const { tokens, groups } = lexer.tokenize(analysis.text);
  const all = [...tokens, ...(groups["comments"] ?? [])].sort((a, b) => a.startOffset - b.startOffset);
  const keywords: ReadonlySet<string> = new Set(KEYWORDS);
  const builder = new SemanticTokensBuilder();
  const push = (start: number, end: number, type: TokenType, declaration = false): void => {
    // one entry per line of the token
    let from = start;
    while (from < end) {
      const pos = doc.positionAt(from);
      const lineEnd = doc.offsetAt({ line: pos.line + 1, character: 0 });
      const to = Math.min(end, lineEnd > from ? lineEnd : end);
      const text = analysis.text.slice(from, to).replace(/[\r\n]+$/, "");
      if (text.length > 0)
        builder.push(pos.line, pos.character, text.length, TOKEN_TYPES.indexOf(type), declaration ? 1 : 0);
      from = to;
    }
  };
  for (const t of all) {
    const start = t.startOffset;
    const end = (t.endOffset ?? start) + 1;
    const known = byOffset.get(start);
    const name = t.tokenType.name;
    if (known) push(start, end, known.type, known.declaration === true);
    else if (name === "LineComment" || name === "BlockComment" || name === "UnterminatedBlockComment")
      push(start, end, "comment");
    else if (name === "NumberLiteral") push(start, end, "number");
    else if (name === "StringLiteral" || name === "UnterminatedString") push(start, end, "string");
    else if (keywords.has(t.image) && name !== "Identifier") push(start, end, "keyword");
  }
  return builder.build();
}
