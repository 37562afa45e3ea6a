/**
 * Test helper: copies of AST nodes without source positions (and optionally
 * without comments and layout), so that two parses of differently laid-out
 * text can be compared with `toEqual`.
 */

export interface StripOptions {
  /**
   * Keep trivia and dangling comments (their text, without spans).
   * Line comments are compared without trailing whitespace, which the printer drops.
   */
  keepTrivia?: boolean;
}

const POSITION_KEYS = new Set(["span", "keywordSpan"]);
const TRIVIA_KEYS = new Set(["trivia", "dangling"]);

/** A deep copy of `node` without spans (and, unless `keepTrivia`, without trivia and dangling comments). */
export function strip(node: unknown, options: StripOptions = {}): unknown {
  if (Array.isArray(node)) {
    return node.map((item) => strip(item, options));
  }
  if (node === null || typeof node !== "object") {
    return node;
  }
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if (POSITION_KEYS.has(key)) continue;
    if (!options.keepTrivia && TRIVIA_KEYS.has(key)) continue;
    out[key] = strip(value, options);
  }
  if (out["kind"] === "line" && typeof out["text"] === "string") {
    out["text"] = out["text"].trimEnd();
  }
  return out;
}

/** Every comment text under `node`, in tree order (leading, then the node, then trailing/dangling). */
export function commentTexts(node: unknown): string[] {
  const texts: string[] = [];
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) {
      value.forEach(visit);
      return;
    }
    if (value === null || typeof value !== "object") return;
    const record = value as Record<string, unknown>;
    if ((record["kind"] === "line" || record["kind"] === "block") && typeof record["text"] === "string") {
      texts.push(record["kind"] === "line" ? record["text"].trimEnd() : record["text"]);
      return;
    }
    for (const [key, child] of Object.entries(record)) {
      if (!POSITION_KEYS.has(key)) visit(child);
    }
  };
  visit(node);
  return texts.sort();
}
