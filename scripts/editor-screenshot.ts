/**
 * `npx tsx scripts/editor-screenshot.ts [OUT.png]`: the picture in docs/editor.md. A part of
 * examples/nyuv2.mtsl with one stage name misspelt, coloured by the extension's TextMate grammar
 * (editors/vscode/syntaxes) in VS Code's Dark+ colours, with the language server's own
 * diagnostic (squiggle and message) and its hover text for `dec2`, laid out as an editor shows
 * them and captured by headless Chromium. A rendering of what the extension shows, not a capture
 * of VS Code (which this machine cannot run).
 */
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import * as onigurumaModule from "vscode-oniguruma";
import * as textmateModule from "vscode-textmate";
import { TextDocument } from "vscode-languageserver-textdocument";
import { analyse, diagnose } from "../cli/lsp/analysis.js";
import { hoverAt } from "../cli/lsp/hover.js";

/** The CommonJS packages as tsx's loader hands them over (under `default`) or as ESM namespaces. */
const cjs = <T extends object>(m: T): T => ("default" in m ? (m.default as T) : m);
const oniguruma = cjs(onigurumaModule);
const textmate = cjs(textmateModule);

const OUT = process.argv[2] ?? "docs/img/editor.png";
const GRAMMAR = "editors/vscode/syntaxes/mtsl.tmLanguage.json";

/** Dark+ colours by scope prefix (the first that matches the innermost scope wins). */
const COLOURS: [string, string][] = [
  ["comment", "#6a9955"],
  ["keyword", "#569cd6"],
  ["storage", "#569cd6"],
  ["constant.language", "#569cd6"],
  ["constant.numeric", "#b5cea8"],
  ["string", "#ce9178"],
  ["entity.name.type", "#4ec9b0"],
  ["support.type", "#4ec9b0"],
  ["entity.name.function", "#dcdcaa"],
  ["support.function", "#dcdcaa"],
  ["variable.parameter", "#9cdcfe"],
  ["variable.other.property", "#9cdcfe"],
  ["variable", "#9cdcfe"],
  ["punctuation", "#d4d4d4"],
];

const escape = (s: string): string => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

async function main(): Promise<void> {
  const require = createRequire(import.meta.url);
  const wasm = readFileSync(join(require.resolve("vscode-oniguruma"), "..", "onig.wasm"));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  const registry = new textmate.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (p: string[]) => new oniguruma.OnigScanner(p),
      createOnigString: (s: string) => new oniguruma.OnigString(s),
    }),
    loadGrammar: async (scope) =>
      scope === "source.mtsl" ? textmate.parseRawGrammar(readFileSync(GRAMMAR, "utf8"), GRAMMAR) : null,
  });
  const grammar = (await registry.loadGrammar("source.mtsl"))!;

  // the example as it is, then an edit that misspells a task in the sharing row (hover keeps the
  // shapes of the last version that compiled, as the server does while a file is being edited)
  const good = readFileSync("examples/nyuv2.mtsl", "utf8");
  const text = good.replace("{edge}", "{egde}");
  const before = analyse(TextDocument.create("file:///nyuv2.mtsl", "mtsl", 1, good), "examples/nyuv2.mtsl");
  const doc = TextDocument.create("file:///nyuv2.mtsl", "mtsl", 2, text);
  const analysis = analyse(doc, "examples/nyuv2.mtsl", before);
  const diagnostic = (await diagnose(analysis)).find((d) => d.severity === "error")!;
  const hoverOffset = text.indexOf("dec1: decoder_bottleneck") + 1;
  const shown = hoverAt(analysis, hoverOffset)!.markdown;

  const lines = text.split("\n");
  const first = lines.findIndex((l) => l.includes("backbone {")) - 1;
  const last = Math.min(lines.length - 1, first + 30);
  let stack = textmate.INITIAL;
  const rows: string[] = [];
  lines.forEach((line, i) => {
    const r = grammar.tokenizeLine(line, stack);
    stack = r.ruleStack;
    if (i < first || i > last) return;
    let html = "";
    for (const t of r.tokens) {
      const piece = line.slice(t.startIndex, t.endIndex);
      const scope = t.scopes.at(-1) ?? "";
      const colour = COLOURS.find(([p]) => scope.startsWith(p))?.[1] ?? "#d4d4d4";
      let body = escape(piece);
      const d = diagnostic.span;
      if (d.start.line === i + 1 && t.startIndex <= d.start.column - 1 && d.end.column - 1 <= t.endIndex) {
        const a = d.start.column - 1 - t.startIndex;
        const b = d.end.column - 1 - t.startIndex;
        body = `${escape(piece.slice(0, a))}<span class="squiggle">${escape(piece.slice(a, b))}</span>${escape(piece.slice(b))}`;
      }
      html += `<span style="color:${colour}">${body}</span>`;
    }
    rows.push(`<div class="line"><span class="no">${i + 1}</span>${html || " "}</div>`);
  });
  const hoverHtml = shown
    .split("\n\n")
    .map((p) =>
      escape(p)
        .replace(/\*\*(.+?)\*\*/g, "<b>$1</b>")
        .replace(/`([^`]+)`/g, "<code>$1</code>")
        .replace(/^_(.+)_$/, "<i>$1</i>")
        .replace(/\n/g, "<br>"),
    )
    .map((p) => `<p>${p}</p>`)
    .join("");
  const hoverLine = text.slice(0, hoverOffset).split("\n").length - 1 - first;
  const page = `<!doctype html><meta charset="utf-8"><style>
    body { margin: 0; background: #1e1e1e; font: 13px/19px "DejaVu Sans Mono", monospace; color: #d4d4d4; }
    .tab { background: #252526; color: #cccccc; padding: 6px 14px; font-family: "DejaVu Sans", sans-serif; font-size: 12px; border-bottom: 1px solid #333; }
    .code { padding: 8px 0; white-space: pre; position: relative; }
    .no { display: inline-block; width: 42px; text-align: right; margin-right: 18px; color: #858585; }
    .squiggle { text-decoration: underline wavy #f14c4c; text-underline-offset: 3px; }
    .hover { position: absolute; left: 540px; top: ${8 + 19 * (hoverLine + 1)}px; width: 540px; white-space: normal;
      background: #252526; border: 1px solid #454545; padding: 4px 10px; font-family: "DejaVu Sans", sans-serif; font-size: 12px; }
    .hover code { font-family: "DejaVu Sans Mono", monospace; color: #ce9178; }
    .problem { background: #252526; border-top: 1px solid #333; padding: 6px 14px; font-family: "DejaVu Sans", sans-serif; font-size: 12px; }
    .problem .e { color: #f14c4c; }
  </style>
  <div class="tab">nyuv2.mtsl — mtsl</div>
  <div class="code">${rows.join("")}<div class="hover">${hoverHtml}</div></div>
  <div class="problem"><span class="e">⊗</span> ${escape(diagnostic.message)} mtsl(${diagnostic.code}) [Ln ${diagnostic.span.start.line}, Col ${diagnostic.span.start.column}] — ${escape(diagnostic.hint ?? "")}</div>`;

  const dir = mkdtempSync(join(tmpdir(), "mtsl-editor-shot-"));
  try {
    const file = join(dir, "editor.html");
    writeFileSync(file, page);
    const { chromium } = await import("playwright-core");
    const browser = await chromium.launch({
      executablePath: "/usr/bin/chromium",
      args: ["--no-sandbox", "--disable-gpu"],
    });
    try {
      const p = await browser.newPage({ viewport: { width: 1100, height: 560 }, deviceScaleFactor: 1 });
      await p.goto(pathToFileURL(file).href);
      await p.screenshot({ path: OUT, fullPage: true });
    } finally {
      await browser.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(`wrote ${OUT}`);
}

await main();
