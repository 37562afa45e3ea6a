/**
 * `npm run bench:weighting -- [--file F] [--tree shared|separate] [--steps N] [--rounds R] [--backend B]`
 *
 * What each `train { weighting }` method costs per training step against `ew`, on the scene
 * example (default) as hard sharing (every stage shared: the gradient methods' worst case, one
 * forward and backward pass per task over the whole network) or as the file's own tree. Each
 * round runs every method for 2 warm-up and N timed steps, methods interleaved, so the
 * machine's drift enters every ratio alike; printed: median ms per step and the median of the
 * per-round ratios to ew. Figures are printed, never asserted.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";

import { baselineDocument } from "../compiler/baseline.js";
import { compile } from "../compiler/compile.js";
import { WEIGHTINGS } from "../compiler/catalog/index.js";
import { parse } from "../grammar/parse.js";
import { selectBackend } from "../runtime/backend/select.js";
import { batchIndices } from "../runtime/data/dataset.js";
import { getDataSource } from "../runtime/data/registry.js";
import { Trainer } from "../runtime/train/trainer.js";
import { numberArg, stringArg } from "./lib/args.js";
import { loadLine, machineLines } from "./lib/machine.js";
import { median } from "./lib/stats.js";
import { markdownTable } from "./lib/table.js";

const args = process.argv.slice(2);
const file = stringArg(args, "--file") ?? "bench/fixtures/scenes32.mtsl";
const tree = stringArg(args, "--tree") ?? "shared";
const steps = numberArg(args, "--steps", 10);
const rounds = numberArg(args, "--rounds", 2);
const backend = stringArg(args, "--backend") ?? "onednn";

const doc = parse(readFileSync(file, "utf8"), { file }).document!;
const base = compile(tree === "shared" ? baselineDocument(doc, "one") : doc).ir!;
tf.enableProdMode();
const info = await selectBackend(backend as never);
const train = 64;
const dataset = await getDataSource(base.data.name).load({ ...base.data.options, train, val: 16, test: 16 } as never);
const batches = batchIndices(train, base.train.batch, { shuffle: true, seed: 1, epoch: 0 });
/** Every method with its defaults, and MGDA-UB (an option of mgda that changes the step's passes). */
const variants: Record<string, { name: string; options: Record<string, boolean> }> = Object.fromEntries([
  ...WEIGHTINGS.map((w) => [w.name, { name: w.name, options: {} }] as const),
  ["mgda(upper_bound)", { name: "mgda", options: { upper_bound: true } }] as const,
]);
const methods = Object.keys(variants);

console.log(
  `${file} (${tree === "shared" ? "hard sharing" : "its tree"}), ${base.tasks.length} tasks, batch ${base.train.batch}`,
);
for (const line of machineLines({ backend: info.description })) console.log(line);
console.log(loadLine("start"));
const times = new Map(methods.map((m) => [m, [] as number[]]));
const ratios = new Map(methods.map((m) => [m, [] as number[]]));
for (let r = 0; r < rounds; r++) {
  const round = new Map<string, number>();
  for (const method of methods) {
    const ir = {
      ...base,
      train: { ...base.train, ...(method === "ew" ? {} : { weighting: variants[method]! }) },
    };
    const outDir = mkdtempSync(join(tmpdir(), "mtsl-weighting-bench-"));
    const trainer = new Trainer(ir, { outDir, dataset, backend: info.name, trainLimit: train });
    for (let i = 0; i < 2; i++) await trainer.step(batches[i % batches.length]!, trainer.baseLr, i);
    const t0 = performance.now();
    for (let i = 0; i < steps; i++) await trainer.step(batches[i % batches.length]!, trainer.baseLr, i + 2);
    const ms = (performance.now() - t0) / steps;
    trainer.dispose();
    rmSync(outDir, { recursive: true, force: true });
    round.set(method, ms);
    times.get(method)!.push(ms);
  }
  for (const m of methods) ratios.get(m)!.push(round.get(m)! / round.get("ew")!);
}
console.log(
  markdownTable(
    ["weighting", "median ms per step", "x ew (per-round ratios)"],
    methods.map((m) => [
      m,
      median(times.get(m)!).toFixed(1),
      `${median(ratios.get(m)!).toFixed(2)}x (${ratios
        .get(m)!
        .map((x) => x.toFixed(2))
        .join(", ")})`,
    ]),
    ["left", "right", "right"],
  ),
);
console.log(loadLine("end"));
