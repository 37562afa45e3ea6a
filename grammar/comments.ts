/**
 * Attaches comments to statements, so the printer can keep them:
 * a comment on the line after a statement's end is its trailing comment; other
 * comments lead the next statement; comments before a closing brace dangle in
 * their container. A comment inside a statement that is not a container (between
 * a call's arguments, say) moves in front of that statement.
 */
import type { Comment, Document, Statement, Trivia } from "./ast.js";

type Container = { children: Statement[]; dangling: Comment[] };

function childrenOf(s: Statement): Container | null {
  switch (s.kind) {
    case "Model":
      return { children: s.members, dangling: s.dangling };
    case "Task":
      return { children: s.settings, dangling: s.dangling };
    case "Backbone":
      return { children: s.stages, dangling: s.dangling };
    case "Sharing":
      return { children: s.rows, dangling: s.dangling };
    case "Block":
      return { children: s.settings, dangling: s.dangling };
    default:
      return null;
  }
}

function triviaOf(s: Statement): Trivia {
  return s.trivia;
}

/** Index of the last child starting at or before `offset` (children are in source order), or -1. */
function lastStartingAtOrBefore(children: Statement[], offset: number): number {
  let lo = 0;
  let hi = children.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (children[mid]!.span.start.offset <= offset) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

function attach(container: Container, comments: Comment[]): void {
  const { children, dangling } = container;
  const inner = new Map<Statement, Comment[]>();
  for (const c of comments) {
    const at = c.span.start.offset;
    const i = lastStartingAtOrBefore(children, at);
    const candidate = i >= 0 ? children[i] : undefined;
    if (candidate && at < candidate.span.end.offset) {
      if (childrenOf(candidate)) {
        const list = inner.get(candidate) ?? [];
        list.push(c);
        inner.set(candidate, list);
      } else {
        triviaOf(candidate).leading.push(c);
      }
      continue;
    }
    // `prev` ends before the comment; `next` starts after it.
    const prev = candidate;
    const next = children[i + 1];
    if (prev && prev.span.end.line === c.span.start.line && triviaOf(prev).trailing === null) {
      triviaOf(prev).trailing = c;
    } else if (next) {
      triviaOf(next).leading.push(c);
    } else {
      dangling.push(c);
    }
  }
  for (const s of children) {
    triviaOf(s).leading.sort((a, b) => a.span.start.offset - b.span.start.offset);
    const nested = childrenOf(s);
    if (nested) attach(nested, inner.get(s) ?? []);
  }
}

/** Fills `trivia` and `dangling` of every statement of the document from its comments. */
export function attachComments(document: Document, comments: Comment[], source: string): void {
  const sorted = [...comments].sort((a, b) => a.span.start.offset - b.span.start.offset);
  const top: Container = { children: document.model ? [document.model] : [], dangling: document.dangling };
  attach(top, sorted);
  if (document.model) markBlankLines(document.model, source);
}

function markBlankLines(s: Statement, source: string): void {
  const first = Math.min(s.span.start.offset, ...s.trivia.leading.map((c) => c.span.start.offset));
  s.trivia.blankBefore = blankLineBefore(source, first);
  const nested = childrenOf(s);
  if (nested) for (const child of nested.children) markBlankLines(child, source);
}

function blankLineBefore(source: string, offset: number): boolean {
  let newlines = 0;
  for (let i = offset - 1; i >= 0; i--) {
    const ch = source[i];
    if (ch === "\n") newlines++;
    else if (ch !== " " && ch !== "\t" && ch !== "\r") break;
  }
  return newlines >= 2;
}
