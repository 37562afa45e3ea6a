/**
 * The VS Code extension's TextMate grammar (editors/vscode/syntaxes/mtsl.tmLanguage.json),
 * run by vscode-textmate with the Oniguruma engine (vscode-oniguruma) as VS Code runs it: every
 * example's tokens against a golden file (`UPDATE_GOLDEN=1` rewrites them), and the scopes of the
 * words that matter checked by hand, so a golden file written from a broken grammar cannot pass.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import * as oniguruma from "vscode-oniguruma";
import * as textmate from "vscode-textmate";

const GRAMMAR = "editors/vscode/syntaxes/mtsl.tmLanguage.json";
const GOLDEN = "test/golden/textmate";
const UPDATE = process.env["UPDATE_GOLDEN"] === "1";
const examples = readdirSync("examples")
  .filter((f) => f.endsWith(".mtsl"))
  .sort();
let grammar: textmate.IGrammar;

beforeAll(async () => {
  const require = createRequire(import.meta.url);
  const wasm = readFileSync(join(require.resolve("vscode-oniguruma"), "..", "onig.wasm"));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  const registry = new textmate.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (patterns: string[]) => new oniguruma.OnigScanner(patterns),
      createOnigString: (s: string) => new oniguruma.OnigString(s),
    }),
    loadGrammar: async (scope) =>
      scope === "source.mtsl" ? textmate.parseRawGrammar(readFileSync(GRAMMAR, "utf8"), GRAMMAR) : null,
  });
  grammar = (await registry.loadGrammar("source.mtsl"))!;
});

interface Token {
  line: number;
  text: string;
  scopes: string[];
}

function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let stack = textmate.INITIAL;
  text.split(/\r?\n/).forEach((line, i) => {
    const r = grammar.tokenizeLine(line, stack);
    for (const t of r.tokens) {
      const piece = line.slice(t.startIndex, t.endIndex);
      if (piece.trim() === "") continue;
      out.push({ line: i + 1, text: piece, scopes: t.scopes.slice(1) });
    }
    stack = r.ruleStack;
  });
  return out;
}

/** One line per token: `line | text | innermost scope`. */
const golden = (tokens: Token[]): string =>
  tokens.map((t) => `${t.line} | ${JSON.stringify(t.text)} | ${t.scopes.at(-1) ?? "source.mtsl"}`).join("\n") + "\n";

describe("the TextMate grammar", () => {
  it.each(examples)("tokenises %s as its golden file says", (file) => {
    const tokens = tokenize(readFileSync(join("examples", file), "utf8"));
    const path = join(GOLDEN, file.replace(/\.mtsl$/, ".tokens"));
    if (UPDATE || !existsSync(path)) {
      mkdirSync(GOLDEN, { recursive: true });
      writeFileSync(path, golden(tokens));
      if (!UPDATE) throw new Error(`wrote the missing golden file ${path}; review it and run again`);
    }
    expect(golden(tokens)).toBe(readFileSync(path, "utf8"));
  });

  it("gives the words of a file their scopes", () => {
    const text = readFileSync("examples/nyuv2.mtsl", "utf8");
    const tokens = tokenize(text);
    const scopeOf = (word: string, nth = 0): string | undefined =>
      tokens.filter((t) => t.text === word)[nth]?.scopes.at(-1);
    expect(scopeOf("model")).toBe("keyword.other.model.mtsl");
    expect(scopeOf("Nyuv2")).toBe("entity.name.type.model.mtsl");
    expect(scopeOf("f32")).toBe("storage.type.dtype.mtsl");
    expect(scopeOf("npy")).toBe("support.function.data-source.mtsl");
    expect(scopeOf("seg")).toBe("entity.name.type.task.mtsl");
    expect(scopeOf("segmentation")).toBe("support.type.task-kind.mtsl");
    expect(scopeOf("head")).toBe("variable.other.property.setting.mtsl");
    expect(scopeOf("fuse")).toBe("entity.name.function.call.mtsl");
    expect(scopeOf("filters")).toBe("variable.parameter.mtsl");
    expect(scopeOf("stem")).toBe("entity.name.function.stage.mtsl");
    expect(scopeOf("enc5")).toBe("entity.name.function.stage.mtsl");
    expect(scopeOf("relu")).toBe("entity.name.function.layer.mtsl"); // a bare layer in the backbone
    expect(scopeOf("tanh")).toBe("entity.name.function.layer.mtsl"); // and in a head
    expect(scopeOf("mse")).toBe("variable.other.word.mtsl"); // a loss is not a layer
    expect(scopeOf("symmetric")).toBe("variable.other.word.mtsl");
    expect(scopeOf("..")).toBe("keyword.operator.range.mtsl");
    expect(scopeOf("depth", 3)).toBe("variable.other.task.mtsl"); // in the sharing group
    expect(scopeOf("0.8")).toBe("constant.numeric.mtsl");
    expect(tokens.find((t) => t.text.startsWith(" NYUv2 with"))?.scopes.at(-1)).toBe("comment.line.double-slash.mtsl");
    expect(tokens.find((t) => t.text === "data/nyuv2")?.scopes.at(-1)).toBe("string.quoted.double.mtsl");
  });

  it("scopes block comments, booleans and sharing rows, and recovers after a broken line", () => {
    const tokens = tokenize(
      "model M {\n  /* a\n  block */ task t: depth { head: conv(1, 1, bias: false) }\n  sharing {\n    a..b: {t} {u\n  }\n  train { epochs: 2 }\n}\n",
    );
    const scope = (text: string): string | undefined => tokens.find((t) => t.text === text)?.scopes.at(-1);
    expect(tokens.filter((t) => t.scopes.at(-1) === "comment.block.mtsl").map((t) => t.line)).toEqual([2, 3]);
    expect(scope("false")).toBe("constant.language.boolean.mtsl");
    expect(scope("a")).toBe("variable.other.stage.mtsl");
    expect(scope("t")).toBe("entity.name.type.task.mtsl");
    expect(tokens.filter((t) => t.text === "t").map((t) => t.scopes.at(-1))).toEqual([
      "entity.name.type.task.mtsl",
      "variable.other.task.mtsl",
    ]);
  });
});
