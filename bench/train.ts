/**
 * `npm run bench:train`: the training step of the 32x32 scene network (bench/fixtures/scenes32.mtsl),
 * in one run, on every available TensorFlow.js backend and in PyTorch on the CPU.
 *
 * Two trees of the same file: its starting tree (one network per task) and hard
 * sharing (compiler/baseline.ts `baselineDocument(doc, "one")`). Each backend and
 * tree runs in a child process of its own (fresh engine, own memory high-water
 * mark) and times the runtime's own `Trainer.step` (forward, task losses,
 * backward, Adam update) on batches of the file's size read from the generated
 * scenes data. The PyTorch peer (bench/torch/step.py, Debian's python3-torch under
 * /usr/bin/python3, 2 threads) builds the same network from the IR JSON and times
 * the same step on random inputs of the same shape.
 *
 * Reported per backend: median ms per step after warm-up, samples/s, peak RSS,
 * peak tf.memory().numBytes, the ratio to PyTorch's step time in this run, and the
 * achieved GFLOP/s (3 x forward FLOPs per sample from the IR x batch / step time)
 * against the ~240 GFLOP/s sgemm ceiling of these 2 cores; plus the time of one
 * structural-learning phase. Figures are printed, never asserted.
 *
 * Options:
 *   --install          install python3-torch with apt-get when it is missing (root)
 *   --steps N          timed steps per backend after warm-up (default 10)
 *   --warmup N         warm-up steps, the first included (default 3)
 *   --cpu-steps N      timed steps on the slow pure-JS cpu backend (default 2)
 *   --skip-cpu         do not run the cpu backend
 *   --torch-steps N    timed PyTorch steps (default 20)
 *   --train N          training scenes generated for the step benchmark (default 64)
 *   --slp-train N      training scenes for the structural-learning phase (default 128)
 *   --json FILE        also write every measurement as JSON
 *   --file F           the network to measure (default bench/fixtures/scenes32.mtsl; the compute-bound
 *                      bench/fixtures/scenes64.mtsl and bench/fixtures/nyuv2-small.mtsl are
 *                      the issue-12 networks); its data source must generate its data
 *   --threads N        threads for PyTorch and the onednn backend (MTSL_ONEDNN_THREADS) in
 *                      this run (default 2)
 *   --rounds N         repeat every backend and PyTorch N times per tree, interleaved (default 1);
 *                      "x PyTorch" is then the median of the per-round ratios, each measured
 *                      minutes apart from its peer, so a machine whose speed drifts still gives a
 *                      fair ratio; the per-round ratios are printed beside it
 *   --backends LIST    only these TensorFlow.js backends, comma-separated (e.g. onednn,wasm)
 *   --skip-phase       do not time the structural-learning phase
 *   --weighting-steps N  timed steps per `train { weighting }` method (default 4): bench/weighting.ts
 *                      runs after the step tables, in a child of its own, on onednn and the
 *                      same file as hard sharing, every method against ew (issue 18)
 *   --skip-weighting   do not time the weighting methods
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

import { baselineDocument } from "../compiler/baseline.js";
import { compile } from "../compiler/compile.js";
import { irToJson } from "../compiler/ir/json.js";
import type { IrModel } from "../compiler/ir/types.js";
import { parse } from "../grammar/parse.js";
import { childArgs, isChild, runChild, runScript } from "./lib/child.js";
import { numberArg, stringArg } from "./lib/args.js";
import { loadLine, machineLines } from "./lib/machine.js";
import { fmt, median, mib } from "./lib/stats.js";
import { markdownTable } from "./lib/table.js";
import { DEBIAN_PYTHON, installTorch, torchEnv, torchStatus, UNSET_FOR_TORCH } from "./lib/torch.js";
import { measurePhase, measureSteps, type PhaseMeasurement, type StepMeasurement } from "./lib/train-child.js";

/** Practical compute ceiling of these 2 cores: numpy sgemm 2048^3 (TOOLCHAIN.md). */
const SGEMM_CEILING_GFLOPS = 240;
/** The cpu backend's timed steps are skipped when its first step takes longer than this. */
const CPU_SKIP_MS = 60_000;
/** Backends whose timed steps are skipped when their first step takes longer than CPU_SKIP_MS. */
const SLOW_BACKENDS = new Set(["cpu", "webgpu"]);

interface TorchMeasurement {
  torch: string;
  threads: number;
  batch: number;
  params: number;
  stepMs: number[];
  /** Process CPU time of each step (all threads), ms. */
  cpuMs: number[];
  peakRssBytes: number;
  firstLoss: number;
  lastLoss: number;
}

interface Tree {
  key: "separate" | "shared";
  label: string;
  ir: IrModel;
  irFile: string;
}

interface Row {
  backend: string;
  tree: Tree["key"];
  /** 1-based round of an interleaved run (--rounds). */
  round: number;
  steps?: StepMeasurement;
  torch?: TorchMeasurement;
  error?: string;
}

function errorText(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const lines = text.trim().split("\n");
  return lines.length > 6 ? [...lines.slice(0, 2), "...", ...lines.slice(-3)].join(" | ") : lines.join(" | ");
}

/** Whether an optional package can be imported here; the reason when not. */
async function importable(name: string): Promise<string | null> {
  try {
    const moduleName: string = name;
    await import(moduleName);
    return null;
  } catch (error) {
    return errorText(error).split(" | ")[0] ?? "cannot be imported";
  }
}

function compileTrees(file: string, dir: string): Tree[] {
  const parsed = parse(readFileSync(file, "utf8"), { file });
  const trees: Tree[] = [];
  const variants: [Tree["key"], string, typeof parsed.document][] = [
    ["separate", "one network per task (the file's starting tree)", parsed.document],
    ["shared", 'hard sharing (baselineDocument(doc, "one"))', baselineDocument(parsed.document, "one")],
  ];
  for (const [key, label, document] of variants) {
    const result = compile(document);
    if (!result.ir) throw new Error(`${file} (${key}) does not compile: ${result.diagnostics[0]?.message}`);
    const irFile = join(dir, `scenes-${key}.ir.json`);
    writeFileSync(irFile, irToJson(result.ir));
    trees.push({ key, label, ir: result.ir, irFile });
  }
  return trees;
}

function runTorch(root: string, tree: Tree, steps: number, threads: number): TorchMeasurement {
  const script = join(root, "bench", "torch", "step.py");
  const r = spawnSync(
    DEBIAN_PYTHON,
    [script, tree.irFile, "--steps", String(steps), "--warmup", "3", "--threads", String(threads)],
    {
      encoding: "utf8",
      env: torchEnv(),
      timeout: 20 * 60_000,
      killSignal: "SIGKILL",
    },
  );
  if (r.status !== 0) throw new Error(`bench/torch/step.py failed (exit ${r.status ?? r.signal}): ${r.stderr.trim()}`);
  const last = r.stdout.trim().split("\n").pop() ?? "";
  return JSON.parse(last) as TorchMeasurement;
}

function gflops(ir: IrModel, batch: number, ms: number): number {
  return (3 * ir.totals.flops * batch) / (ms / 1000) / 1e9;
}

/** Each backend's rows of one tree, in the order they first ran. */
function byBackend(rows: readonly Row[]): Map<string, Row[]> {
  const groups = new Map<string, Row[]>();
  for (const r of rows) groups.set(r.backend, [...(groups.get(r.backend) ?? []), r]);
  return groups;
}

/** Median of each round's ratio of `ms(row)` to PyTorch's median in the same round. */
function roundRatios(rows: readonly Row[], torchRows: readonly Row[], ms: (r: Row) => number): number[] {
  const ratios: number[] = [];
  for (const r of rows) {
    const peer = torchRows.find((t) => t.round === r.round && t.torch);
    if (peer?.torch && Number.isFinite(ms(r))) ratios.push(ms(r) / median(peer.torch.stepMs));
  }
  return ratios;
}

function printTree(tree: Tree, rows: Row[]): void {
  const mine = rows.filter((r) => r.tree === tree.key);
  const torchRows = mine.filter((r) => r.torch);
  const rounds = Math.max(1, ...mine.map((r) => r.round));
  const out: string[][] = [];
  for (const [backend, group] of byBackend(mine)) {
    const ok = group.filter((r) => !r.error);
    if (ok.length === 0) {
      out.push([backend, "failed", "", "", "", "", "", "", "", "", ""]);
      continue;
    }
    if (backend === "pytorch") {
      const t = ok.map((r) => r.torch!);
      const ms = median(t.map((x) => median(x.stepMs)));
      const batch = t[0]!.batch;
      out.push([
        `pytorch ${t[0]!.torch} (${t[0]!.threads} threads)`,
        fmt(ms, 1),
        fmt(Math.min(...t.flatMap((x) => x.stepMs)), 1),
        fmt(median(t.map((x) => median(x.cpuMs))), 1),
        fmt((batch / ms) * 1000, 1),
        mib(Math.max(...t.map((x) => x.peakRssBytes))),
        "-",
        "1.00",
        rounds > 1 ? "-" : "",
        fmt(gflops(tree.ir, batch, ms), 1),
        `${fmt((100 * gflops(tree.ir, batch, ms)) / SGEMM_CEILING_GFLOPS, 1)}%`,
      ]);
      continue;
    }
    const measured = ok.map((r) => r.steps!);
    const skipped = measured.find((m) => m.skipped);
    if (skipped) {
      out.push([
        backend,
        `(first ${fmt(skipped.firstStepMs, 0)})`,
        "",
        "",
        "",
        mib(skipped.peakRssBytes),
        mib(skipped.tfBytesAfterFirstStep),
        "",
        "",
        "",
        "",
      ]);
      continue;
    }
    const ms = median(measured.map((m) => median(m.stepMs)));
    const ratios = roundRatios(ok, torchRows, (r) => median(r.steps!.stepMs));
    const g = gflops(tree.ir, measured[0]!.batch, ms);
    out.push([
      backend,
      fmt(ms, 1),
      fmt(Math.min(...measured.flatMap((m) => m.stepMs)), 1),
      fmt(median(measured.map((m) => median(m.cpuMs))), 1),
      fmt((measured[0]!.batch / ms) * 1000, 1),
      mib(Math.max(...measured.map((m) => m.peakRssBytes))),
      mib(Math.max(...measured.map((m) => m.tfPeakBytes))),
      ratios.length > 0 ? fmt(median(ratios), 2) : "-",
      rounds > 1 ? ratios.map((x) => fmt(x, 2)).join(", ") : "",
      fmt(g, 1),
      `${fmt((100 * g) / SGEMM_CEILING_GFLOPS, 1)}%`,
    ]);
  }
  console.log("");
  console.log(
    `## ${tree.label}: ${fmt(tree.ir.totals.params)} parameters, ${fmt(tree.ir.totals.flops / 1e6, 1)} MFLOP forward per sample, ` +
      `batch ${tree.ir.train.batch} (${fmt((3 * tree.ir.totals.flops * tree.ir.train.batch) / 1e9, 2)} GFLOP per step at 3x forward)`,
  );
  const headers = [
    "backend",
    "median ms/step",
    "min ms",
    "CPU ms",
    "samples/s",
    "peak RSS",
    "peak tf bytes",
    "x PyTorch",
    "per round",
    "GFLOP/s",
    "of 240",
  ];
  const align = ["left", ...headers.slice(1).map(() => "right")] as ("left" | "right")[];
  const keep = headers.map((_, i) => rounds > 1 || i !== 8);
  console.log(
    markdownTable(
      headers.filter((_, i) => keep[i]),
      out.map((row) => row.filter((_, i) => keep[i])),
      align.filter((_, i) => keep[i]),
    ),
  );
  console.log(
    "ms/step and samples/s are wall time; CPU ms = median process CPU time per step (all threads), " +
      "which the machine's other jobs inflate less than wall time. GFLOP/s from the wall-time median" +
      (rounds > 1
        ? `; over ${rounds} interleaved rounds: the median of the round medians, and x PyTorch the median of the per-round ratios.`
        : "."),
  );
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const steps = numberArg(args, "--steps", 10);
  const warmup = numberArg(args, "--warmup", 3);
  const cpuSteps = numberArg(args, "--cpu-steps", 2);
  const torchSteps = numberArg(args, "--torch-steps", 20);
  const trainSize = numberArg(args, "--train", 64);
  const slpTrain = numberArg(args, "--slp-train", 128);
  const jsonOut = stringArg(args, "--json");
  const threads = numberArg(args, "--threads", 2);
  const rounds = numberArg(args, "--rounds", 1);
  const only =
    stringArg(args, "--backends")
      ?.split(",")
      .filter((x) => x !== "") ?? null;
  const root = fileURLToPath(new URL("..", import.meta.url));
  const file = stringArg(args, "--file") ?? join(root, "bench", "fixtures", "scenes32.mtsl");
  const script = fileURLToPath(import.meta.url);
  const tf = await import("@tensorflow/tfjs");

  let torch = torchStatus();
  if (!torch.available && args.includes("--install")) {
    const failed = await installTorch((l) => console.log(l));
    torch = failed ? { available: false, reason: failed } : torchStatus();
  }

  console.log(`# bench:train: training step of ${file} (${threads} threads for PyTorch and onednn)`);
  for (const l of machineLines({
    tfjs: tf.version.tfjs,
    torch: torch.available ? `${torch.version} (${DEBIAN_PYTHON})` : "not available",
  })) {
    console.log(l);
  }
  console.log(loadLine("start"));

  const dir = mkdtempSync(join(tmpdir(), "mtsl-bench-train-"));
  const trees = compileTrees(file, dir);
  const childEnv = { ...process.env, MTSL_ONEDNN_THREADS: String(threads) };
  const rows: Row[] = [];
  const phases: PhaseMeasurement[] = [];
  const notes: string[] = [];

  // Which backends can run here, in auto's order. A slow one (cpu; webgpu, whose device here
  // may be lavapipe, a software GPU: a correctness figure) gets cpuSteps after fewer warm-ups
  // (webgpu's first step compiles the shaders); a missing Vulkan device fails webgpu's row
  // with the reason.
  const fast = { steps, warmup, timeoutMs: 20 * 60_000 };
  const candidates: { name: string; pkg?: string; steps: number; warmup: number; timeoutMs: number }[] = [
    { name: "gpu", pkg: "@tensorflow/tfjs-node-gpu", ...fast },
    { name: "native", pkg: "@tensorflow/tfjs-node", ...fast },
    { name: "webgpu", pkg: "webgpu", steps: cpuSteps, warmup: 2, timeoutMs: 20 * 60_000 },
    { name: "onednn", pkg: "mtsl-onednn", ...fast },
    { name: "wasm", ...fast },
    { name: "cpu", steps: cpuSteps, warmup: 1, timeoutMs: 30 * 60_000 },
  ];
  const backends: typeof candidates = [];
  for (const c of candidates) {
    const why = c.pkg === undefined ? null : await importable(c.pkg);
    if (why !== null) notes.push(`backend ${c.name} skipped: package ${c.pkg} is not importable (${why})`);
    else if (c.name === "cpu" && args.includes("--skip-cpu")) notes.push("backend cpu skipped: --skip-cpu");
    else backends.push(c);
  }
  if (only) {
    const unknown = only.filter((n) => !candidates.some((c) => c.name === n));
    if (unknown.length > 0) throw new Error(`--backends: unknown backend ${unknown.join(", ")}`);
    for (const b of backends.filter((x) => !only.includes(x.name))) notes.push(`backend ${b.name} skipped: --backends`);
    backends.splice(0, backends.length, ...backends.filter((x) => only.includes(x.name)));
  }
  for (const n of notes) console.log(n);

  for (const tree of trees) {
    for (let round = 1; round <= rounds; round++) {
      for (const b of backends) {
        const label = `${b.name} / ${tree.key}${rounds > 1 ? ` (round ${round})` : ""}`;
        process.stdout.write(`running ${label} (${b.steps} timed steps)... `);
        try {
          const started = performance.now();
          const m = runChild<StepMeasurement>(
            script,
            ["steps", b.name, tree.irFile, String(b.steps), String(b.warmup), String(trainSize)],
            { timeoutMs: b.timeoutMs, env: childEnv },
          );
          rows.push({ backend: b.name, tree: tree.key, round, steps: m });
          console.log(
            `${m.skipped ?? `median ${fmt(median(m.stepMs), 1)} ms`} (first step ${fmt(m.firstStepMs, 0)} ms, ` +
              `data ${fmt(m.dataMs, 0)} ms, child ${fmt((performance.now() - started) / 1000, 1)} s)`,
          );
          if (m.leakedTensors !== 0) console.log(`  warning: ${m.leakedTensors} tensors leaked over the timed steps`);
        } catch (error) {
          rows.push({ backend: b.name, tree: tree.key, round, error: errorText(error) });
          console.log(`failed: ${errorText(error)}`);
        }
      }
      if (torch.available) {
        process.stdout.write(
          `running pytorch / ${tree.key}${rounds > 1 ? ` (round ${round})` : ""} (${torchSteps} timed steps)... `,
        );
        try {
          const m = runTorch(root, tree, torchSteps, threads);
          rows.push({ backend: "pytorch", tree: tree.key, round, torch: m });
          console.log(
            `median ${fmt(median(m.stepMs), 1)} ms (loss ${m.firstLoss.toFixed(3)} -> ${m.lastLoss.toFixed(3)})`,
          );
        } catch (error) {
          rows.push({ backend: "pytorch", tree: tree.key, round, error: errorText(error) });
          console.log(`failed: ${errorText(error)}`);
        }
      }
    }
  }
  if (!torch.available) {
    console.log(
      `PyTorch column skipped: ${torch.reason}. Install it with \`npm run bench:train -- --install\` ` +
        `(apt-get install -y python3-torch libopenblas0-pthread, as root).`,
    );
  }

  // One structural-learning phase on the file's starting tree, on the fast backends.
  const separate = trees.find((t) => t.key === "separate")!;
  for (const b of backends.filter((x) => x.name !== "cpu" && x.name !== "webgpu" && !args.includes("--skip-phase"))) {
    process.stdout.write(`running structural-learning phase on ${b.name} (train ${slpTrain})... `);
    try {
      const m = runChild<PhaseMeasurement>(script, ["phase", b.name, separate.irFile, String(slpTrain)], {
        timeoutMs: 30 * 60_000,
        env: childEnv,
      });
      phases.push(m);
      console.log(`${fmt(m.seconds, 2)} s`);
    } catch (error) {
      console.log(`failed: ${errorText(error)}`);
    }
  }

  console.log("");
  console.log(
    `Step = the runtime's Trainer.step (batch read from the scenes data, forward, losses, backward, Adam); ` +
      `median of ${steps} timed steps after ${warmup} warm-up steps (cpu: ${cpuSteps} after 1, webgpu: ${cpuSteps} after 2 (its first compiles shaders); skipped when its first step > ${CPU_SKIP_MS / 1000} s). ` +
      `PyTorch: bench/torch/step.py, ${torchSteps} steps after 3, torch.set_num_threads(${threads}), random inputs of the same shape, ` +
      `${UNSET_FOR_TORCH.join(" and ")} unset for the Python child only.`,
  );
  for (const tree of trees) printTree(tree, rows);
  for (const r of rows.filter((x) => x.error)) console.log(`${r.backend} / ${r.tree} failed: ${r.error}`);
  for (const r of rows.filter((x) => x.steps && x.steps.skipped)) {
    console.log(`${r.backend} / ${r.tree}: ${r.steps!.skipped}`);
  }
  const descriptions = new Map(rows.flatMap((r) => (r.steps ? [[r.backend, r.steps.description] as const] : [])));
  for (const [name, d] of descriptions) console.log(`backend ${name}: ${d}`);

  if (phases.length > 0) {
    console.log("");
    console.log(
      `## One structural-learning phase (StructuralLearningHooks.phase, first scheduled phase, after one training step), ` +
        `one network per task, ${slpTrain} training scenes`,
    );
    console.log(
      markdownTable(
        ["backend", "seconds", "CKA samples", "created", "removed", "transfer steps", "peak RSS"],
        phases.map((p) => [
          p.backend,
          fmt(p.seconds, 2),
          String(p.samples),
          p.created.join(", ") || "-",
          String(p.removed.length),
          p.transferSteps.join(", ") || "-",
          mib(p.peakRssBytes),
        ]),
        ["left", "right", "right", "left", "right", "right", "right"],
      ),
    );
  }
  // What each loss-weighting method costs per step against ew (bench/weighting.ts, its own process).
  if (!args.includes("--skip-weighting") && backends.some((b) => b.name === "onednn")) {
    console.log("");
    console.log(`## Loss weighting: step time per method against ew (bench/weighting.ts, onednn, hard sharing)`);
    const weighting = runScript(
      join(root, "bench", "weighting.ts"),
      [
        "--file",
        file,
        "--steps",
        String(numberArg(args, "--weighting-steps", 4)),
        "--rounds",
        "1",
        "--backend",
        "onednn",
      ],
      { env: childEnv, timeoutMs: 60 * 60_000 },
    );
    console.log(
      weighting.status === 0
        ? weighting.stdout.trimEnd()
        : `failed (exit ${weighting.status ?? weighting.signal}): ${weighting.stderr.trim().split("\n").slice(-3).join(" / ")}`,
    );
  }
  console.log(loadLine("end"));
  if (jsonOut) writeFileSync(jsonOut, JSON.stringify({ rows, phases, trees: trees.map((t) => t.key) }, null, 2) + "\n");
  rmSync(dir, { recursive: true, force: true });
}

if (isChild()) {
  const [mode, backend, irFile, a, b, c] = childArgs();
  if (backend === undefined || irFile === undefined) throw new Error("child mode needs a backend and an IR file");
  if (mode === "steps") {
    const m = await measureSteps({
      backend,
      irFile,
      steps: Number(a),
      warmup: Number(b),
      trainSize: Number(c),
      skipAboveMs: SLOW_BACKENDS.has(backend) ? CPU_SKIP_MS : Infinity,
    });
    console.log(JSON.stringify(m));
  } else if (mode === "phase") {
    console.log(JSON.stringify(await measurePhase({ backend, irFile, trainSize: Number(a) })));
  } else {
    throw new Error(`unknown child mode ${mode ?? ""}`);
  }
} else {
  await main();
}
