/**
 * `npm run bench:lsp`: how long the language server (`mtslc lsp`) takes to publish diagnostics
 * after an edit, warm, as an editor sees it: a real client over stdio sends an incremental
 * change (one number of a stage, alternately 8 and 9 channels) and waits for the
 * publishDiagnostics of that version. examples/nyuv2.mtsl, examples/scenes.mtsl and the parse
 * benchmark's generated 11,000-line file. Median and 95th percentile; figures are printed, never
 * asserted. Target (issue 16): <= 50 ms for the example.
 *
 * Options: --edits N (timed edits per file, default 40), --warmup N (default 5).
 */
import { readFileSync } from "node:fs";
import { numberArg } from "./lib/args.js";
import { generateModelSource, lineCount } from "./lib/generate.js";
import { loadLine, machineLines } from "./lib/machine.js";
import { fmt, median } from "./lib/stats.js";
import { markdownTable } from "./lib/table.js";
import { startClient, positionOf, type LspClient } from "../test/cli/lsp-client.js";

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

/** Times `edits` edits of `text`: the digits of `needle`'s first number toggled in place. */
async function timeEdits(
  client: LspClient,
  uri: string,
  text: string,
  needle: string,
  edits: number,
  warmup: number,
): Promise<{ times: number[]; diagnostics: number }> {
  const opened = await client.open(uri, text);
  const at = positionOf(text, needle, needle.indexOf("(") + 1);
  const range = { start: at, end: { line: at.line, character: at.character + 1 } };
  let version = 1;
  const times: number[] = [];
  for (let k = 0; k < warmup + edits; k++) {
    version++;
    const digit = k % 2 === 0 ? "9" : text.slice(text.indexOf(needle) + needle.indexOf("(") + 1)[0]!;
    const t0 = performance.now();
    await client.change(uri, version, [{ range, text: digit }]);
    const ms = performance.now() - t0;
    if (k >= warmup) times.push(ms);
  }
  return { times, diagnostics: opened.diagnostics.length };
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const edits = numberArg(args, "--edits", 40);
  const warmup = numberArg(args, "--warmup", 5);
  const generated = generateModelSource({
    name: "ParseBench",
    tasks: 40,
    stages: 4000,
    commentEvery: 3,
    rowPerStage: true,
  });
  const files: { name: string; text: string; needle: string }[] = [
    {
      name: "examples/nyuv2.mtsl",
      text: readFileSync("examples/nyuv2.mtsl", "utf8"),
      needle: "decoder_bottleneck(64, skip: enc3)",
    },
    {
      name: "examples/scenes.mtsl",
      text: readFileSync("examples/scenes.mtsl", "utf8"),
      needle: "conv(8, 3, stride: 2)",
    },
    { name: "generated (bench:parse)", text: generated, needle: "conv(" },
  ];
  for (const line of machineLines({ edits: `${edits} timed after ${warmup} warm-up edits per file` }))
    console.log(line);
  console.log(loadLine("start"));
  const client = await startClient();
  const rows: string[][] = [];
  try {
    for (const f of files) {
      const { times, diagnostics } = await timeEdits(
        client,
        `file:///bench/${rows.length}.mtsl`,
        f.text,
        f.needle,
        edits,
        warmup,
      );
      rows.push([
        f.name,
        fmt(lineCount(f.text)),
        String(diagnostics),
        fmt(median(times), 1),
        fmt(percentile(times, 95), 1),
        fmt(Math.max(...times), 1),
      ]);
    }
  } finally {
    await client.stop();
  }
  console.log(loadLine("end"));
  console.log();
  console.log(markdownTable(["file", "lines", "diagnostics", "median ms", "p95 ms", "max ms"], rows));
}

await main();
