/**
 * CST to AST. Tolerant of the holes that error recovery leaves: a node whose
 * required parts are missing is dropped (its syntax error is already reported),
 * so the builder never throws.
 */
import type { CstNode, IToken } from "chevrotain";
import type {
  Arg,
  BackboneDecl,
  BlockKeyword,
  Call,
  DataDecl,
  Identifier,
  InputDecl,
  Layer,
  ListLit,
  Member,
  Model,
  NumberLit,
  Position,
  Setting,
  SettingsBlock,
  SharingDecl,
  SharingRow,
  Span,
  StageDecl,
  TaskDecl,
  TaskGroup,
  Trivia,
  Value,
} from "./ast.js";
import type { Diagnostic } from "./diagnostics.js";

type Child = CstNode | IToken;

function isToken(c: Child): c is IToken {
  return (c as IToken).image !== undefined;
}

function present(t: IToken | undefined): t is IToken {
  return t !== undefined && !t.isInsertedInRecovery && Number.isFinite(t.startOffset);
}

function tokens(node: CstNode, key: string): IToken[] {
  return ((node.children[key] ?? []) as Child[]).filter(isToken).filter(present);
}

function tok(node: CstNode, key: string, index = 0): IToken | undefined {
  return tokens(node, key)[index];
}

function nodes(node: CstNode, key: string): CstNode[] {
  return ((node.children[key] ?? []) as Child[]).filter((c): c is CstNode => !isToken(c));
}

function sub(node: CstNode, key: string, index = 0): CstNode | undefined {
  return nodes(node, key)[index];
}

export function startOf(t: IToken): Position {
  return { offset: t.startOffset, line: t.startLine ?? 1, column: t.startColumn ?? 1 };
}

export function endOf(t: IToken): Position {
  return { offset: (t.endOffset ?? t.startOffset) + 1, line: t.endLine ?? 1, column: (t.endColumn ?? 0) + 1 };
}

export function tokenSpan(t: IToken): Span {
  return { start: startOf(t), end: endOf(t) };
}

function join(a: Span, b: Span): Span {
  return { start: a.start, end: b.end };
}

/** Span from the first to the last real token under a CST node. */
function nodeSpan(node: CstNode): Span | null {
  const loc = node.location;
  if (
    loc &&
    !node.recoveredNode &&
    Number.isFinite(loc.startOffset) &&
    Number.isFinite(loc.endOffset) &&
    Number.isFinite(loc.startLine) &&
    Number.isFinite(loc.endLine) &&
    Number.isFinite(loc.startColumn) &&
    Number.isFinite(loc.endColumn)
  ) {
    return {
      start: { offset: loc.startOffset, line: loc.startLine!, column: loc.startColumn! },
      end: { offset: loc.endOffset! + 1, line: loc.endLine!, column: loc.endColumn! + 1 },
    };
  }
  return walkSpan(node);
}

function walkSpan(node: CstNode): Span | null {
  let first: IToken | undefined;
  let last: IToken | undefined;
  const visit = (n: CstNode): void => {
    for (const list of Object.values(n.children) as Child[][]) {
      for (const c of list) {
        if (isToken(c)) {
          if (!present(c)) continue;
          if (!first || c.startOffset < first.startOffset) first = c;
          if (!last || c.startOffset > last.startOffset) last = c;
        } else visit(c);
      }
    }
  };
  visit(node);
  return first && last ? join(tokenSpan(first), tokenSpan(last)) : null;
}

function noTrivia(): Trivia {
  return { leading: [], trailing: null, blankBefore: false };
}

export class AstBuilder {
  constructor(private readonly diagnostics: Diagnostic[]) {}

  private ident(t: IToken | undefined): Identifier | null {
    if (!present(t)) return null;
    return { kind: "Ident", name: t.image, span: tokenSpan(t) };
  }

  model(node: CstNode): Model | null {
    const name = this.ident(tok(node, "Identifier"));
    const span = nodeSpan(node);
    if (!name || !span) return null;
    const members: Member[] = [];
    for (const m of nodes(node, "member")) {
      const member = this.member(m);
      if (member) members.push(member);
    }
    return { kind: "Model", name, members, dangling: [], trivia: noTrivia(), span };
  }

  private member(node: CstNode): Member | null {
    const [first] = Object.keys(node.children);
    const child = first ? sub(node, first) : undefined;
    if (!child) return null;
    switch (child.name) {
      case "inputDecl":
        return this.input(child);
      case "dataDecl":
        return this.data(child);
      case "taskDecl":
        return this.task(child);
      case "backboneDecl":
        return this.backbone(child);
      case "sharingDecl":
        return this.sharing(child);
      case "blockDecl":
        return this.block(child);
      default:
        return null;
    }
  }

  private input(node: CstNode): InputDecl | null {
    const name = this.ident(tok(node, "name"));
    const dtype = this.ident(tok(node, "dtype"));
    const span = nodeSpan(node);
    if (!name || !dtype || !span) return null;
    const shape: NumberLit[] = [];
    for (const t of tokens(node, "NumberLiteral")) {
      const n = this.number(t);
      if (n) shape.push(n);
    }
    return { kind: "Input", name, dtype, shape, trivia: noTrivia(), span };
  }

  private data(node: CstNode): DataDecl | null {
    const layer = sub(node, "layer");
    const source = layer ? this.layer(layer) : null;
    const span = nodeSpan(node);
    if (!source || !span) return null;
    return { kind: "Data", source, trivia: noTrivia(), span };
  }

  private task(node: CstNode): TaskDecl | null {
    const name = this.ident(tok(node, "Identifier"));
    const kindNode = sub(node, "layer");
    const taskKind = kindNode ? this.layer(kindNode) : null;
    const body = sub(node, "settingsBody");
    const span = nodeSpan(node);
    if (!name || !taskKind || !span) return null;
    const settings = body ? this.settings(body) : [];
    return { kind: "Task", name, taskKind, settings, dangling: [], trivia: noTrivia(), span };
  }

  private settings(body: CstNode): Setting[] {
    const out: Setting[] = [];
    for (const s of nodes(body, "setting")) {
      const setting = this.setting(s);
      if (setting) out.push(setting);
    }
    return out;
  }

  private setting(node: CstNode): Setting | null {
    const key = this.ident(tok(node, "Identifier"));
    const valueNode = sub(node, "value");
    const value = valueNode ? this.value(valueNode) : null;
    const span = nodeSpan(node);
    if (!key || !value || !span) return null;
    return { kind: "Setting", key, value, trivia: noTrivia(), span };
  }

  private backbone(node: CstNode): BackboneDecl | null {
    const span = nodeSpan(node);
    if (!span) return null;
    const stages: StageDecl[] = [];
    for (const s of nodes(node, "stage")) {
      const name = this.ident(tok(s, "Identifier"));
      const layers = nodes(s, "layer")
        .map((l) => this.layer(l))
        .filter((l): l is Layer => l !== null);
      const stageSpan = nodeSpan(s);
      if (name && layers.length > 0 && stageSpan) {
        stages.push({ kind: "Stage", name, layers, trivia: noTrivia(), span: stageSpan });
      }
    }
    return { kind: "Backbone", stages, dangling: [], trivia: noTrivia(), span };
  }

  private sharing(node: CstNode): SharingDecl | null {
    const span = nodeSpan(node);
    if (!span) return null;
    const rows: SharingRow[] = [];
    for (const r of nodes(node, "row")) {
      const from = this.ident(tok(r, "from"));
      const hasRange = tokens(r, "DotDot").length > 0;
      const to = hasRange ? this.ident(tok(r, "to")) : null;
      const rowSpan = nodeSpan(r);
      if (!from || (hasRange && !to) || !rowSpan) continue;
      const groups: TaskGroup[] = [];
      for (const g of nodes(r, "group")) {
        const open = tok(g, "LBrace");
        const close = tok(g, "RBrace");
        if (!open || !close) continue;
        const tasks = tokens(g, "Identifier")
          .map((t) => this.ident(t))
          .filter((t): t is Identifier => t !== null);
        groups.push({ kind: "TaskGroup", tasks, span: join(tokenSpan(open), tokenSpan(close)) });
      }
      if (groups.length === 0) continue;
      rows.push({ kind: "SharingRow", from, to, groups, trivia: noTrivia(), span: rowSpan });
    }
    return { kind: "Sharing", rows, dangling: [], trivia: noTrivia(), span };
  }

  private block(node: CstNode): SettingsBlock | null {
    const train = tok(node, "Train");
    const kw = tok(node, "StructuralLearning") ?? train;
    const body = sub(node, "settingsBody");
    const span = nodeSpan(node);
    if (!kw || !span) return null;
    // By token, not by spelling: a misspelt `trian` is read as `train` (grammar/member-typos.ts).
    const keyword: BlockKeyword = kw === train ? "train" : "structural_learning";
    return {
      kind: "Block",
      keyword,
      keywordSpan: tokenSpan(kw),
      settings: body ? this.settings(body) : [],
      dangling: [],
      trivia: noTrivia(),
      span,
    };
  }

  private value(node: CstNode): Value | null {
    const items = nodes(node, "item")
      .map((i) => this.item(i))
      .filter((v): v is Value => v !== null);
    const span = nodeSpan(node);
    if (items.length === 0 || !span) return null;
    if (tokens(node, "Comma").length === 0 && items.length === 1) return items[0] ?? null;
    return { kind: "List", items, span };
  }

  private item(node: CstNode): Value | null {
    const literal = sub(node, "literal");
    if (literal) return this.literal(literal);
    const list = sub(node, "list");
    if (list) return this.list(list);
    const layers = nodes(node, "layer")
      .map((l) => this.layer(l))
      .filter((l): l is Layer => l !== null);
    const span = nodeSpan(node);
    if (layers.length === 0 || !span) return null;
    if (layers.length === 1) return layers[0] ?? null;
    return { kind: "Seq", items: layers, span };
  }

  private term(node: CstNode): Value | null {
    const literal = sub(node, "literal");
    if (literal) return this.literal(literal);
    const list = sub(node, "list");
    if (list) return this.list(list);
    const layer = sub(node, "layer");
    return layer ? this.layer(layer) : null;
  }

  private literal(node: CstNode): Value | null {
    const num = tok(node, "NumberLiteral");
    if (num) return this.number(num);
    const str = tok(node, "StringLiteral");
    if (str) return { kind: "String", value: decodeString(str.image), span: tokenSpan(str) };
    const t = tok(node, "True") ?? tok(node, "False");
    if (t) return { kind: "Bool", value: t.image === "true", span: tokenSpan(t) };
    return null;
  }

  private number(t: IToken): NumberLit | null {
    const value = Number(t.image);
    if (!Number.isFinite(value)) {
      this.diagnostics.push({
        code: "MTSL0008",
        severity: "error",
        message: `number ${t.image} is out of range`,
        span: tokenSpan(t),
      });
      return null;
    }
    return { kind: "Number", value: Object.is(value, -0) ? 0 : value, span: tokenSpan(t) };
  }

  private list(node: CstNode): ListLit | null {
    const span = nodeSpan(node);
    if (!span) return null;
    const items = nodes(node, "term")
      .map((t) => this.term(t))
      .filter((v): v is Value => v !== null);
    return { kind: "List", items, span };
  }

  layer(node: CstNode): Layer | null {
    const callee = this.ident(tok(node, "Identifier"));
    if (!callee) return null;
    if (tokens(node, "LParen").length === 0) return callee;
    const span = nodeSpan(node);
    if (!span) return null;
    const args: Arg[] = [];
    for (const a of nodes(node, "arg")) {
      const termNode = sub(a, "term");
      const value = termNode ? this.term(termNode) : null;
      const argSpan = nodeSpan(a);
      if (!value || !argSpan) continue;
      const hasName = tokens(a, "Colon").length > 0;
      const name = hasName ? this.ident(tok(a, "Identifier")) : null;
      if (hasName && !name) continue;
      args.push({ kind: "Arg", name, value, span: argSpan });
    }
    const call: Call = { kind: "Call", callee, args, span };
    return call;
  }
}

function decodeString(image: string): string {
  try {
    const value: unknown = JSON.parse(image);
    return typeof value === "string" ? value : image.slice(1, -1);
  } catch {
    return image.slice(1, -1);
  }
}
