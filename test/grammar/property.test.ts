/**
 * Property tests of the printer and of formatNumber:
 * - any valid AST prints to text that parses without diagnostics back to the same
 *   AST (spans aside; comments and blank lines included), and printing that parse
 *   gives the same text again;
 * - every finite double's canonical spelling reads back to the same double.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type {
  Arg,
  BackboneDecl,
  BlockKeyword,
  Call,
  Comment,
  DataDecl,
  Document,
  Identifier,
  InputDecl,
  Layer,
  ListLit,
  Member,
  Model,
  NumberLit,
  Seq,
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
} from "../../grammar/ast.js";
import { formatNumber } from "../../grammar/numbers.js";
import { parse } from "../../grammar/parse.js";
import { print } from "../../grammar/printer.js";
import { strip } from "./strip.js";

/** Generated nodes have no source; the comparison ignores spans. */
const SPAN: Span = { start: { offset: 0, line: 1, column: 1 }, end: { offset: 0, line: 1, column: 1 } };

// ---------------------------------------------------------------- names, literals, comments

/** Member keywords are ordinary names outside member position, so they are fair game; true/false are not names. */
const KEYWORD_NAMES = ["model", "input", "data", "task", "backbone", "sharing", "structural_learning", "train"];
const NOT_NAMES = new Set(["true", "false"]);

const nameText: fc.Arbitrary<string> = fc
  .oneof(
    { weight: 6, arbitrary: fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,11}$/) },
    { weight: 1, arbitrary: fc.constantFrom(...KEYWORD_NAMES, "True", "False_", "_", "__proto__", "constructor") },
  )
  .filter((name) => !NOT_NAMES.has(name));

const ident: fc.Arbitrary<Identifier> = nameText.map((name) => ({ kind: "Ident", name, span: SPAN }));

/** Any finite double; -0 is excluded because `-0` and `0` are one number to the parser. */
const finiteNumber: fc.Arbitrary<number> = fc
  .oneof(
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.integer({ min: -1_000_000, max: 1_000_000 }),
    fc.constantFrom(0.1, 1e-4, 5e-5, 0.001, 0.00099, 1e6, 1e21, 2.5e6, Number.MAX_VALUE, Number.MIN_VALUE),
  )
  .map((n) => (Object.is(n, -0) ? 0 : n));

const numberLit: fc.Arbitrary<NumberLit> = finiteNumber.map((value) => ({ kind: "Number", value, span: SPAN }));

/** Strings with quotes, backslashes, control characters, non-ASCII and lone surrogates. */
const stringValue: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: "binary", maxLength: 12 }),
  fc.string({
    unit: fc.constantFrom('"', "\\", "\n", "\r", "\t", "\0", "\u2028", "é", "日", "😀", "\ud800", "/", "*", "a", " "),
    maxLength: 12,
  }),
);

const lineComment: fc.Arbitrary<Comment> = fc
  .string({ unit: "binary", maxLength: 20 })
  .map((text) => ({ kind: "line" as const, text: `//${text.replace(/[\r\n]/g, "")}`.trimEnd(), span: SPAN }));

const blockComment: fc.Arbitrary<Comment> = fc
  .string({ unit: fc.constantFrom("a", " ", "*", "/", "\n", "é", "x", "{", "}", '"'), maxLength: 20 })
  .filter((text) => !`${text}*/`.slice(0, -2).includes("*/") && !text.endsWith("*"))
  .map((text) => ({ kind: "block" as const, text: `/*${text}*/`, span: SPAN }));

const comment: fc.Arbitrary<Comment> = fc.oneof(lineComment, blockComment);
const comments: fc.Arbitrary<Comment[]> = fc.array(comment, { maxLength: 2 });

/** Trivia for a statement; the first statement of a block cannot keep a blank line before it. */
function trivia(first: boolean): fc.Arbitrary<Trivia> {
  return fc.record({
    leading: comments,
    trailing: fc.option(comment, { freq: 3 }),
    blankBefore: first ? fc.constant(false) : fc.boolean(),
  });
}

/** A list of statements where only the first gets `first = true`. */
function statements<T>(make: (first: boolean) => fc.Arbitrary<T>, maxLength: number): fc.Arbitrary<T[]> {
  return fc.oneof(
    fc.constant<T[]>([]),
    fc.tuple(make(true), fc.array(make(false), { maxLength: maxLength - 1 })).map(([head, tail]) => [head, ...tail]),
  );
}

// ---------------------------------------------------------------- values

type ValueArbs = {
  term: Value;
  call: Call;
  list: ListLit;
};

const values = fc.letrec<ValueArbs>((tie) => ({
  term: fc.oneof(
    { depthSize: "small", maxDepth: 3, withCrossShrink: true },
    numberLit,
    stringValue.map((value): Value => ({ kind: "String", value, span: SPAN })),
    fc.boolean().map((value): Value => ({ kind: "Bool", value, span: SPAN })),
    ident,
    tie("call"),
    tie("list"),
  ),
  call: fc.record({
    kind: fc.constant("Call" as const),
    callee: ident,
    args: fc.array(
      fc.record({
        kind: fc.constant("Arg" as const),
        name: fc.option(ident),
        value: tie("term"),
        span: fc.constant(SPAN),
      }) as fc.Arbitrary<Arg>,
      { maxLength: 3, depthIdentifier: "values" },
    ),
    span: fc.constant(SPAN),
  }),
  list: fc.record({
    kind: fc.constant("List" as const),
    items: fc.array(tie("term"), { maxLength: 3, depthIdentifier: "values" }),
    span: fc.constant(SPAN),
  }),
}));

const layer: fc.Arbitrary<Layer> = fc.oneof(ident, values.call);
const layers: fc.Arbitrary<Layer[]> = fc.array(layer, { minLength: 1, maxLength: 4 });
const seq: fc.Arbitrary<Seq> = fc
  .array(layer, { minLength: 2, maxLength: 4 })
  .map((items) => ({ kind: "Seq", items, span: SPAN }));

/** What may follow `key:` in a setting: a term, a layer sequence, or a bare comma list of either. */
const settingValue: fc.Arbitrary<Value> = fc.oneof(
  { weight: 4, arbitrary: values.term },
  { weight: 1, arbitrary: seq },
  {
    weight: 1,
    arbitrary: fc
      .array(fc.oneof(values.term, seq), { minLength: 2, maxLength: 3 })
      .map((items): ListLit => ({ kind: "List", items, span: SPAN })),
  },
);

// ---------------------------------------------------------------- statements

function setting(first: boolean): fc.Arbitrary<Setting> {
  return fc.record({
    kind: fc.constant("Setting" as const),
    key: ident,
    value: settingValue,
    trivia: trivia(first),
    span: fc.constant(SPAN),
  });
}

const settings = statements(setting, 4);

function input(first: boolean): fc.Arbitrary<InputDecl> {
  return fc.record({
    kind: fc.constant("Input" as const),
    name: ident,
    dtype: ident,
    shape: fc.array(numberLit, { minLength: 1, maxLength: 4 }),
    trivia: trivia(first),
    span: fc.constant(SPAN),
  });
}

function data(first: boolean): fc.Arbitrary<DataDecl> {
  return fc.record({
    kind: fc.constant("Data" as const),
    source: layer,
    trivia: trivia(first),
    span: fc.constant(SPAN),
  });
}

function task(first: boolean): fc.Arbitrary<TaskDecl> {
  return fc.record({
    kind: fc.constant("Task" as const),
    name: ident,
    taskKind: layer,
    settings,
    dangling: comments,
    trivia: trivia(first),
    span: fc.constant(SPAN),
  });
}

function stage(first: boolean): fc.Arbitrary<StageDecl> {
  return fc.record({
    kind: fc.constant("Stage" as const),
    name: ident,
    layers,
    trivia: trivia(first),
    span: fc.constant(SPAN),
  });
}

function backbone(first: boolean): fc.Arbitrary<BackboneDecl> {
  return fc.record({
    kind: fc.constant("Backbone" as const),
    stages: statements(stage, 4),
    dangling: comments,
    trivia: trivia(first),
    span: fc.constant(SPAN),
  });
}

const taskGroup: fc.Arbitrary<TaskGroup> = fc.record({
  kind: fc.constant("TaskGroup" as const),
  tasks: fc.array(ident, { maxLength: 4 }),
  span: fc.constant(SPAN),
});

function sharingRow(first: boolean): fc.Arbitrary<SharingRow> {
  return fc.record({
    kind: fc.constant("SharingRow" as const),
    from: ident,
    to: fc.option(ident),
    groups: fc.array(taskGroup, { minLength: 1, maxLength: 3 }),
    trivia: trivia(first),
    span: fc.constant(SPAN),
  });
}

function sharing(first: boolean): fc.Arbitrary<SharingDecl> {
  return fc.record({
    kind: fc.constant("Sharing" as const),
    rows: statements(sharingRow, 4),
    dangling: comments,
    trivia: trivia(first),
    span: fc.constant(SPAN),
  });
}

function settingsBlock(first: boolean): fc.Arbitrary<SettingsBlock> {
  return fc.record({
    kind: fc.constant("Block" as const),
    keyword: fc.constantFrom<BlockKeyword>("structural_learning", "train"),
    keywordSpan: fc.constant(SPAN),
    settings,
    dangling: comments,
    trivia: trivia(first),
    span: fc.constant(SPAN),
  });
}

function member(first: boolean): fc.Arbitrary<Member> {
  return fc.oneof(input(first), data(first), task(first), backbone(first), sharing(first), settingsBlock(first));
}

const model: fc.Arbitrary<Model> = fc.record({
  kind: fc.constant("Model" as const),
  name: ident,
  members: statements(member, 6),
  dangling: comments,
  trivia: trivia(true),
  span: fc.constant(SPAN),
});

const documentArb: fc.Arbitrary<Document> = fc.record({
  kind: fc.constant("Document" as const),
  model,
  dangling: fc.array(comment, { maxLength: 2 }),
  span: fc.constant(SPAN),
});

// ---------------------------------------------------------------- properties

describe("print then parse", () => {
  it("gives back any valid AST, comments and blank lines included", () => {
    fc.assert(
      fc.property(documentArb, (document) => {
        const text = print(document);
        const reparsed = parse(text);
        expect(reparsed.diagnostics).toEqual([]);
        expect(strip(reparsed.document, { keepTrivia: true })).toEqual(strip(document, { keepTrivia: true }));
        expect(print(reparsed.document)).toBe(text);
      }),
      { numRuns: 300, seed: 20230723 },
    );
  });

  it("prints canonical text: no tabs, no trailing spaces outside block comments, one final newline", () => {
    const noComments = documentArb.map((document) => stripComments(document));
    fc.assert(
      fc.property(noComments, (document) => {
        const text = print(document);
        expect(text.endsWith("\n")).toBe(true);
        expect(text.endsWith("\n\n")).toBe(false);
        for (const line of text.slice(0, -1).split("\n")) {
          if (line === "") continue;
          expect(line).toBe(line.trimEnd());
          expect(line).toMatch(/^( {2})*\S/);
        }
      }),
      { numRuns: 100, seed: 7 },
    );
  });
});

/** A copy of a document without comments (string values may still contain anything, escaped). */
function stripComments(document: Document): Document {
  const visit = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(visit);
    if (value === null || typeof value !== "object") return value;
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(value)) {
      if (key === "dangling") out[key] = [];
      else if (key === "trivia") out[key] = { ...(child as Trivia), leading: [], trailing: null };
      else out[key] = visit(child);
    }
    return out;
  };
  return visit(document) as Document;
}

describe("formatNumber", () => {
  it("spells the documented examples canonically", () => {
    const cases: Array<[number, string]> = [
      [0, "0"],
      [-0, "0"],
      [16, "16"],
      [-3, "-3"],
      [1, "1"],
      [1000000, "1000000"],
      [2.5e6, "2500000"],
      [123456789012345680000, "123456789012345680000"],
      [1e21, "1e21"],
      [-1e21, "-1e21"],
      [1.5e300, "1.5e300"],
      [0.8, "0.8"],
      [0.1 + 0.2, "0.30000000000000004"],
      [0.001, "1e-3"],
      [-0.001, "-1e-3"],
      [0.01, "0.01"],
      [0.005, "5e-3"],
      [0.0099, "9.9e-3"],
      [0.00099, "9.9e-4"],
      [1e-4, "1e-4"],
      [5e-5, "5e-5"],
      [-5e-5, "-5e-5"],
      [1.5e-7, "1.5e-7"],
      [1234567.5, "1.2345675e6"],
      [999999.5, "999999.5"],
      [Number.MIN_VALUE, "5e-324"],
      [Number.MAX_VALUE, "1.7976931348623157e308"],
    ];
    for (const [value, text] of cases) {
      expect(formatNumber(value), String(value)).toBe(text);
    }
  });

  it("rejects non-finite numbers", () => {
    expect(() => formatNumber(Number.NaN)).toThrow(RangeError);
    expect(() => formatNumber(Number.POSITIVE_INFINITY)).toThrow(RangeError);
  });

  it("reads back to the same double for every finite double, in the lexer's number syntax", () => {
    const numberSyntax = /^-?\d+(?:\.\d+)?(?:e-?\d+)?$/;
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (n) => {
        const text = formatNumber(n);
        expect(Number(text)).toBe(Object.is(n, -0) ? 0 : n);
        expect(text).toMatch(numberSyntax);
      }),
      { numRuns: 20_000, seed: 42 },
    );
  });

  it("reads back through the parser for random doubles", () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (n) => {
        const { document, diagnostics } = parse(`model M {\n  train {\n    x: ${formatNumber(n)}\n  }\n}\n`);
        expect(diagnostics).toEqual([]);
        const member = document.model?.members[0];
        const value = member?.kind === "Block" ? member.settings[0]?.value : undefined;
        expect(value).toMatchObject({ kind: "Number", value: Object.is(n, -0) ? 0 : n });
      }),
      { numRuns: 500, seed: 43 },
    );
  });

  it("is the shortest of the exact spellings in its form", () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (n) => {
        const text = formatNumber(n);
        const mantissa = text.replace(/^-/, "").split("e")[0] ?? "";
        const digits = mantissa.replace(".", "").replace(/^0+/, "").replace(/0+$/, "");
        if (digits.length <= 1 || Number.isInteger(n)) return;
        // Dropping the last significant digit (rounding either way) no longer reads back.
        const precision = digits.length - 1;
        expect(Number(n.toPrecision(precision))).not.toBe(n);
      }),
      { numRuns: 5_000, seed: 44 },
    );
  });
});
