/**
 * `npm run bench:kernels -- [--backend onednn|wasm|cpu] [--tree separate|shared] [--steps N] [--file F]`
 *
 * Where a training step of bench/fixtures/scenes32.mtsl (the 32x32 scene network; or `--file F`, e.g. the compute-bound
 * bench/fixtures/scenes64.mtsl) spends its time, kernel by kernel: every
 * kernel registered on the backend is wrapped to count its calls and time them, then
 * `Trainer.step` runs 3 warm-up steps and N profiled ones (default 5). Printed per step:
 * wall time, kernel count, the kernels by total time (calls, ms, µs per call), the bytes of
 * kernel outputs, and V8's garbage-collection pauses (count and ms, by kind).
 *
 * Kernel times nest: a kernel written with TensorFlow.js ops (the wasm backend's
 * convolution gradients) also counts the kernels it calls, so the column can add up to
 * more than the step. Figures are printed, never asserted; this is a diagnostic for the
 * numbers in docs/onednn.md ("What made the difference"), not a benchmark of record.
 */
import { readFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PerformanceObserver } from "node:perf_hooks";
import * as tf from "@tensorflow/tfjs";

import { baselineDocument } from "../compiler/baseline.js";
import { compile } from "../compiler/compile.js";
import { parse } from "../grammar/parse.js";
import { selectBackend } from "../runtime/backend/select.js";
import { batchIndices } from "../runtime/data/dataset.js";
import { getDataSource } from "../runtime/data/registry.js";
import { Trainer } from "../runtime/train/trainer.js";
import { numberArg, stringArg } from "./lib/args.js";
import { markdownTable } from "./lib/table.js";

const args = process.argv.slice(2);
const backend = stringArg(args, "--backend") ?? "onednn";
const tree = stringArg(args, "--tree") ?? "separate";
const steps = numberArg(args, "--steps", 5);
const file = stringArg(args, "--file") ?? "bench/fixtures/scenes32.mtsl";
const GC_KINDS: Record<number, string> = {
  1: "scavenge",
  2: "minor mark-sweep",
  4: "mark-compact",
  8: "incremental",
  16: "weak callbacks",
};

const doc = parse(readFileSync(file, "utf8"), { file }).document!;
const ir = compile(tree === "shared" ? baselineDocument(doc, "one") : doc).ir!;
tf.enableProdMode();
const info = await selectBackend(backend as never);
const name = tf.getBackend();

let recording = false;
const gc = new Map<string, { n: number; ms: number }>();
new PerformanceObserver((list) => {
  if (!recording) return;
  for (const e of list.getEntries()) {
    const kind = GC_KINDS[(e as unknown as { detail?: { kind?: number } }).detail?.kind ?? 0] ?? "other";
    const s = gc.get(kind) ?? { n: 0, ms: 0 };
    s.n++;
    s.ms += e.duration;
    gc.set(kind, s);
  }
}).observe({ entryTypes: ["gc"] });

const calls = new Map<string, { n: number; ms: number; bytes: number }>();
/** Times every kernel registered for the backend, the runtime's own (batch norm, log-softmax, ...) included: call after the trainer exists. */
function wrapKernels(): void {
  for (const k of tf.getKernelsForBackend(name)) {
    const inner = k.kernelFunc;
    tf.unregisterKernel(k.kernelName, name);
    tf.registerKernel({
      ...k,
      kernelFunc: (args) => {
        const t0 = performance.now();
        const result = inner(args);
        if (recording) {
          const s = calls.get(k.kernelName) ?? { n: 0, ms: 0, bytes: 0 };
          s.n++;
          s.ms += performance.now() - t0;
          for (const o of Array.isArray(result) ? result : [result]) s.bytes += 4 * o.shape.reduce((a, b) => a * b, 1);
          calls.set(k.kernelName, s);
        }
        return result;
      },
    });
  }
}

const train = 64;
const dataset = await getDataSource(ir.data.name).load({ ...ir.data.options, train, val: 16, test: 16 } as never);
const outDir = mkdtempSync(join(tmpdir(), "mtsl-kernels-"));
const trainer = new Trainer(ir, { outDir, dataset, backend: info.name, trainLimit: train });
const batches = batchIndices(train, ir.train.batch, { shuffle: true, seed: ir.train.seed, epoch: 0 });
for (let i = 0; i < 3; i++) await trainer.step(batches[i % batches.length]!, trainer.baseLr, i);
wrapKernels();
recording = true;
const t0 = performance.now();
for (let i = 0; i < steps; i++) await trainer.step(batches[i % batches.length]!, trainer.baseLr, i + 3);
const stepMs = (performance.now() - t0) / steps;
const recycling =
  name === "onednn"
    ? ((await import("mtsl-onednn")) as { recyclingStats?: () => unknown }).recyclingStats?.()
    : undefined;
await new Promise((resolve) => setTimeout(resolve, 50)); // let the last GC entries arrive
recording = false;
trainer.dispose();
rmSync(outDir, { recursive: true, force: true });

let kernels = 0;
let bytes = 0;
for (const s of calls.values()) {
  kernels += s.n;
  bytes += s.bytes;
}
console.log(`${file}: ${info.description}; tree ${tree}; ${steps} profiled steps`);
console.log(
  `per step: ${stepMs.toFixed(1)} ms, ${(kernels / steps).toFixed(0)} kernels, ${(bytes / steps / 1e6).toFixed(1)} MB of kernel outputs`,
);
console.log(
  `garbage collection per step: ${[...gc.entries()].map(([k, s]) => `${k} ${(s.n / steps).toFixed(1)}x ${(s.ms / steps).toFixed(1)} ms`).join(", ") || "none"}\n`,
);
if (recycling !== undefined)
  console.log(`kernel-output recycling since start (mtsl-onednn): ${JSON.stringify(recycling)}\n`);
const rows = [...calls.entries()]
  .sort((a, b) => b[1].ms - a[1].ms)
  .slice(0, 30)
  .map(([k, s]) => [
    k,
    (s.n / steps).toFixed(0),
    (s.ms / steps).toFixed(2),
    ((s.ms * 1000) / s.n).toFixed(1),
    (s.bytes / steps / 1e6).toFixed(1),
  ]);
console.log(
  markdownTable(["kernel", "calls per step", "ms per step", "µs per call", "output MB per step"], rows, [
    "left",
    "right",
    "right",
    "right",
    "right",
  ]),
);
