/**
 * The mutations of the parser's fuzz test (test/grammar/fuzz.test.ts), shared with the language
 * server's fuzz test (test/cli/lsp.test.ts) so both are broken the same ways: tokens deleted,
 * duplicated, swapped or replaced; odd characters; truncation; stray braces; unterminated strings
 * and comments; deep nesting; huge lines and counts.
 */

// ---------------------------------------------------------------- seeded randomness

/** mulberry32: a tiny seeded PRNG with uniform [0, 1) output. */
export function rng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function pick<T>(random: () => number, items: readonly T[]): T {
  const item = items[Math.floor(random() * items.length)];
  if (item === undefined) throw new Error("pick from an empty list");
  return item;
}

// ---------------------------------------------------------------- mutations

/** A rough tokenisation that keeps every character: words, numbers, strings, comments, punctuation, space. */
function roughTokens(source: string): string[] {
  return (
    source.match(
      /\/\/[^\n]*|\/\*[\s\S]*?\*\/|"(?:[^"\\\n]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|[A-Za-z_]\w*|\.\.|\s+|[\s\S]/g,
    ) ?? []
  );
}

const ODD_TEXT = [
  "\0",
  "\u0001",
  "\u007f",
  "\u0085",
  "\u00a0",
  "\u2028",
  "\ufeff",
  "\ud800",
  "\udc00",
  "😀",
  "é",
  "日本",
  "\r",
  "\r\n",
  "\n",
  "\t",
  "\v",
  "{",
  "}",
  "{{",
  "}}",
  "(",
  ")",
  "[",
  "]",
  '"',
  '"abc',
  '"\\q"',
  '"\\u12"',
  "\\",
  "/*",
  "*/",
  "/* unterminated",
  "//",
  "..",
  ".",
  "...",
  ":",
  ";",
  ",",
  "-",
  "--1",
  "1e",
  "1e999",
  "-1e400",
  "0x10",
  "1.",
  ".5",
  "9".repeat(400),
  "model",
  "task",
  "backbone",
  "sharing",
  "train",
  "input",
  "data",
  "structural_learning",
  "true",
  "false",
  "model M {",
  "task t: k {",
  "x: ",
  "a..b: {",
];

type Mutation = (tokens: string[], random: () => number) => string[];

const mutations: Array<[string, Mutation]> = [
  [
    "delete",
    (tokens, random) => {
      const i = Math.floor(random() * tokens.length);
      return [...tokens.slice(0, i), ...tokens.slice(i + 1)];
    },
  ],
  [
    "duplicate",
    (tokens, random) => {
      const i = Math.floor(random() * tokens.length);
      return [...tokens.slice(0, i + 1), ...tokens.slice(i)];
    },
  ],
  [
    "swap",
    (tokens, random) => {
      const out = [...tokens];
      const i = Math.floor(random() * out.length);
      const j = Math.floor(random() * out.length);
      const a = out[i];
      const b = out[j];
      if (a !== undefined && b !== undefined) {
        out[i] = b;
        out[j] = a;
      }
      return out;
    },
  ],
  [
    "replace",
    (tokens, random) => {
      const out = [...tokens];
      out[Math.floor(random() * out.length)] = random() < 0.5 ? pick(random, tokens) : pick(random, ODD_TEXT);
      return out;
    },
  ],
  [
    "insert",
    (tokens, random) => {
      const i = Math.floor(random() * (tokens.length + 1));
      return [...tokens.slice(0, i), pick(random, ODD_TEXT), ...tokens.slice(i)];
    },
  ],
  [
    "random-bytes",
    (tokens, random) => {
      const i = Math.floor(random() * (tokens.length + 1));
      let junk = "";
      const n = 1 + Math.floor(random() * 6);
      for (let k = 0; k < n; k++) junk += String.fromCharCode(Math.floor(random() * 0x10000));
      return [...tokens.slice(0, i), junk, ...tokens.slice(i)];
    },
  ],
  [
    "truncate",
    (tokens, random) => {
      const text = tokens.join("");
      return [text.slice(0, Math.floor(random() * text.length))];
    },
  ],
  [
    "drop-closing-brace",
    (tokens, random) => {
      const braces = tokens.flatMap((t, i) => (t === "}" ? [i] : []));
      if (braces.length === 0) return tokens;
      const i = pick(random, braces);
      return [...tokens.slice(0, i), ...tokens.slice(i + 1)];
    },
  ],
  [
    "unterminate",
    (tokens, random) => {
      const candidates = tokens.flatMap((t, i) => (t.startsWith('"') || t.startsWith("/*") ? [i] : []));
      if (candidates.length === 0) return [...tokens, pick(random, ['"open', "/* open"])];
      const out = [...tokens];
      const i = pick(random, candidates);
      out[i] = (out[i] ?? "").slice(0, -1);
      return out;
    },
  ],
  [
    // Deep nesting (issue 19): 20-400 opening brackets or calls, closed or not; without the
    // parser's nesting limit ~100 overflow the stack.
    "deep-nesting",
    (tokens, random) => {
      const i = Math.floor(random() * (tokens.length + 1));
      const [open, close] = pick(random, [
        ["[", "]"],
        ["(", ")"],
        ["{", "}"],
        ["f(", ")"],
      ] as const);
      const n = 20 + Math.floor(random() * 380);
      const nest = open.repeat(n) + (random() < 0.5 ? "1" + close.repeat(n) : "");
      return [...tokens.slice(0, i), nest, ...tokens.slice(i)];
    },
  ],
];

/**
 * Size mutations (issue 19): a huge line (the file's newlines gone, or one token repeated into
 * a line of 5,000-40,000 characters) or a huge count (a task block, a backbone line, a sharing
 * group or a list element repeated 50-500 times). Rarer than the others (3% of mutants), so
 * the test's time stays flat; the per-input time limit catches a slow path.
 */
const sizeMutations: Array<[string, Mutation]> = [
  ["one-line", (tokens) => tokens.map((t) => (t.startsWith("//") ? "" : t.replace(/[\r\n]+/g, " ")))],
  [
    "huge-line",
    (tokens, random) => {
      const i = Math.floor(random() * tokens.length);
      const token = tokens[i] ?? "x";
      const copies = Math.ceil((5_000 + random() * 35_000) / Math.max(1, token.length));
      return [...tokens.slice(0, i), (token.replace(/[\r\n]/g, "") + " ").repeat(copies), ...tokens.slice(i + 1)];
    },
  ],
  [
    "huge-count",
    (tokens, random) => {
      const text = tokens.join("");
      const units = [
        ...text.matchAll(/\n {2}task [^\n]*\{[\s\S]*?\n {2}\}/g), // a whole task block
        ...text.matchAll(/\n {4}\w+: [^\n]*/g), // a stage, a sharing row, a setting
        ...text.matchAll(/\{[\w ]+\}/g), // a sharing group
        ...text.matchAll(/(?<=[[,] ?)[\w.]+(?=,)/g), // a list element
      ];
      if (units.length === 0) return tokens;
      const unit = pick(random, units);
      const at = unit.index + unit[0].length;
      const sep = unit[0].startsWith("\n") ? "" : unit[0].startsWith("{") ? " " : ", ";
      const copies = 50 + Math.floor(random() * 450);
      return [text.slice(0, at) + (sep + unit[0]).repeat(copies) + text.slice(at)];
    },
  ],
];

/** Applies one to four random mutations; returns the mutant and the names of the mutations. */
export function mutate(source: string, random: () => number): { text: string; applied: string[] } {
  let tokens = roughTokens(source);
  const applied: string[] = [];
  if (random() < 0.03) {
    const [name, mutation] = pick(random, sizeMutations);
    tokens = mutation(tokens, random);
    applied.push(name);
  }
  const count = 1 + Math.floor(random() * 4);
  for (let k = 0; k < count; k++) {
    const [name, mutation] = pick(random, mutations);
    tokens = mutation(tokens.length === 0 ? [""] : tokens, random);
    applied.push(name);
  }
  return { text: tokens.join(""), applied };
}
