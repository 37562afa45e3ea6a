/**
 * `npm run bench:memory -- [--file F] [--baseline stl|one] [--epochs N] [--train N] [--val N] [--backend B]`
 *
 * Whether memory stays flat over epochs: trains the file's tree (or a baseline of it) with
 * `Trainer.runEpoch`, validation included (at its own batch size, as in a real run), and
 * prints every 10 steps and at each epoch's end the resident set, V8's heap and external
 * memory, live tensors, and on onednn the kernel-output recycling counters and the addon's
 * mapped bytes. A leak shows as RSS or fresh allocations growing step after step within an
 * epoch; the free lists' churn after a validation shows as dropped arrays, then none.
 * Defaults: examples/scenes.mtsl as one network per task, 3 epochs of 400
 * scenes, 300 validation scenes, onednn. Figures are printed, never asserted.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";

import { baselineDocument } from "../compiler/baseline.js";
import { compile } from "../compiler/compile.js";
import { parse } from "../grammar/parse.js";
import { selectBackend } from "../runtime/backend/select.js";
import { getDataSource } from "../runtime/data/registry.js";
import { Trainer } from "../runtime/train/trainer.js";
import { numberArg, stringArg } from "./lib/args.js";

const args = process.argv.slice(2);
const file = stringArg(args, "--file") ?? "examples/scenes.mtsl";
const baseline = stringArg(args, "--baseline") ?? "stl";
const epochs = numberArg(args, "--epochs", 3);
const train = numberArg(args, "--train", 400);
const val = numberArg(args, "--val", 300);
const backend = stringArg(args, "--backend") ?? "onednn";

const doc = parse(readFileSync(file, "utf8"), { file }).document!;
const ir = compile(baseline === "none" ? doc : baselineDocument(doc, baseline as "stl" | "one")).ir!;
tf.enableProdMode();
const info = await selectBackend(backend as never);
type Counters = Record<string, number>;
let recycling: () => Counters | undefined = () => undefined;
let mapped: () => Counters | undefined = () => undefined;
if (info.name === "onednn") {
  const module = (await import("mtsl-onednn")) as { recyclingStats: () => Counters };
  recycling = module.recyclingStats;
  const addonPath: string = "../packages/onednn/lib/addon.js";
  const { native } = (await import(addonPath)) as { native: { poolStats: () => Counters } };
  mapped = native.poolStats;
}

const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(0);
function report(tag: string): void {
  const m = process.memoryUsage();
  const r = recycling();
  const p = mapped();
  const parts = [
    tag.padEnd(14),
    `rss ${mib(m.rss)} MiB`,
    `heap ${mib(m.heapUsed)}`,
    `external ${mib(m.external)}`,
    `tensors ${tf.memory().numTensors}`,
  ];
  if (r) parts.push(`fresh ${r.allocated} reused ${r.reused} dropped ${r.dropped} free ${mib(r.freeBytes!)} MiB`);
  if (p) parts.push(`mapped ${mib(p.mappedBytes!)} MiB (peak ${mib(p.peakMappedBytes!)})`);
  console.log(parts.join("  "));
}

console.log(`${file} (${baseline === "none" ? "its tree" : baseline}): ${info.description}`);
const dataset = await getDataSource(ir.data.name).load({ ...ir.data.options, train, val, test: 16 } as never);
const outDir = mkdtempSync(join(tmpdir(), "mtsl-memory-"));
const trainer = new Trainer(ir, {
  outDir,
  dataset,
  backend: info.name,
  trainLimit: train,
  onEvent: (event) => {
    if (event.type === "step" && event.step % 10 === 0) report(`epoch ${event.epoch} step ${event.step}`);
    else if (event.type === "epoch") report(`epoch ${event.record.epoch} end`);
  },
});
for (let e = 0; e < epochs; e++) await trainer.runEpoch();
trainer.dispose();
rmSync(outDir, { recursive: true, force: true });
