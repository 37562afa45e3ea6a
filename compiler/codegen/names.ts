/**
 * How names from an IR reach generated TypeScript (DESIGN.md, "A .mtsl file is
 * data"): only as validated identifiers, quoted property names or escaped string
 * literals, never as raw text. Task and stage names come from a `.mtsl` file or
 * from hand-edited IR JSON, so any string may arrive here.
 */

/** A name that may appear bare in generated code (before the reserved-word check). */
export const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** ECMAScript and TypeScript reserved and contextual words that never become bare names. */
const RESERVED = new Set([
  "arguments",
  "await",
  "break",
  "case",
  "catch",
  "class",
  "const",
  "continue",
  "debugger",
  "default",
  "delete",
  "do",
  "else",
  "enum",
  "eval",
  "export",
  "extends",
  "false",
  "finally",
  "for",
  "function",
  "if",
  "implements",
  "import",
  "in",
  "instanceof",
  "interface",
  "let",
  "new",
  "null",
  "package",
  "private",
  "protected",
  "public",
  "return",
  "static",
  "super",
  "switch",
  "this",
  "throw",
  "true",
  "try",
  "typeof",
  "var",
  "void",
  "while",
  "with",
  "yield",
  "any",
  "as",
  "async",
  "boolean",
  "constructor",
  "declare",
  "get",
  "infer",
  "is",
  "keyof",
  "module",
  "namespace",
  "never",
  "number",
  "object",
  "of",
  "readonly",
  "require",
  "set",
  "string",
  "symbol",
  "type",
  "undefined",
  "unique",
  "unknown",
  "from",
  "global",
  "satisfies",
  "accessor",
  "asserts",
  "out",
  "override",
  "bigint",
  "NaN",
  "Infinity",
]);

/** Property names that reach into `Object.prototype` and so are never written bare. */
const PROTOTYPE_NAMES = new Set([
  ...Object.getOwnPropertyNames(Object.prototype),
  "__proto__",
  "prototype",
  "constructor",
]);

/** True when `name` is a plain identifier that is neither reserved nor a prototype member. */
export function isPlainName(name: string): boolean {
  return IDENTIFIER.test(name) && !RESERVED.has(name) && !PROTOTYPE_NAMES.has(name);
}

/**
 * A string literal for `value`: JSON escaping, plus the two line terminators
 * JSON leaves raw, so the text is one line in every JavaScript version.
 */
export function stringLiteral(value: string): string {
  return JSON.stringify(value)
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}

/**
 * A property name for an interface member or an object type: bare when plain,
 * otherwise a quoted string literal (`"__proto__"`, `"x\"; process.exit(1); \""`).
 */
export function propertyName(name: string): string {
  return isPlainName(name) ? name : stringLiteral(name);
}

/**
 * A property name for an object literal. `__proto__` written bare or quoted in
 * an object literal sets the prototype instead of defining a property, so
 * every non-plain name is written computed (`["__proto__"]: value`), which
 * always defines an own property.
 */
export function objectLiteralKey(name: string): string {
  return isPlainName(name) ? name : `[${stringLiteral(name)}]`;
}

/**
 * Text safe inside a `//` or `/* *\/` comment: plain names as they are,
 * anything else as an escaped string literal with `*\/` broken up, so a name
 * can neither end the comment nor start a new line.
 */
export function commentText(text: string): string {
  if (/^[A-Za-z0-9_@+.\-/ ,:[\]()]*$/.test(text) && !text.includes("*/")) return text;
  return stringLiteral(text).replace(/\*\//g, "*\\/");
}

/**
 * Allocates identifiers in one scope: every name is sanitised to
 * {@link IDENTIFIER}, kept off reserved words and names already taken, and
 * de-duplicated with a numeric suffix (`enc2_seg_depth`, `enc2_seg_depth_2`).
 */
export class NameScope {
  private readonly taken = new Set<string>();

  constructor(reserved: Iterable<string> = []) {
    for (const name of reserved) this.taken.add(name);
  }

  /** Marks a name as used (a fixed name the generator writes itself). */
  reserve(name: string): void {
    this.taken.add(name);
  }

  /** A fresh identifier derived from `hint`. */
  allocate(hint: string): string {
    const base = sanitise(hint);
    let name = base;
    for (let n = 2; this.taken.has(name) || !isPlainName(name); n++) name = `${base}_${n}`;
    this.taken.add(name);
    return name;
  }
}

/** `enc2@seg+depth` -> `enc2_seg_depth`; never empty, never starts with a digit. */
export function sanitise(hint: string): string {
  let s = hint.replace(/[^A-Za-z0-9_]+/g, "_").replace(/^_+|_+$/g, "");
  if (s === "") s = "v";
  if (/^[0-9]/.test(s)) s = `_${s}`;
  return s.length > 64 ? s.slice(0, 64) : s;
}
