/**
 * Prints the tables of docs/results.md from the run folders scripts/results.sh
 * wrote: per example and method, mean and standard deviation over seeds of every
 * task's test metrics, Delta_m against the same seed's single-task run, the mean
 * key metric under corruptions, parameters, and the final sharing tree of MTSL.
 * The main table is on the whole test split (final.json); the corruption table on the
 * first N test images that `mtslc eval --limit N` evaluated (eval.json). With `--split val`
 * the main table and Delta_m are on the validation split instead, as each run scored it after
 * its last epoch (metrics.jsonl): the split a choice between settings may be made on.
 * Usage: npx tsx scripts/results-table.ts [runs/results] [--split val]
 */
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import type { IrModel } from "../compiler/ir/types.js";
import type { EvalReport } from "../runtime/eval/evaluate-run.js";
import { openRun, readMetrics, readRunHistory, runFile } from "../runtime/run/folder.js";
import { partitionsOf } from "../compiler/ir/sharing-tree.js";
import { deltaM, keyMetric, type Gain, type Scores } from "../runtime/eval/gain.js";

const args = process.argv.slice(2);
const splitAt = args.indexOf("--split");
const split = splitAt >= 0 ? args.splice(splitAt, 2)[1] : "test";
if (split !== "test" && split !== "val") throw new Error(`--split must be test or val, not ${split}`);
const root = args[0] ?? "runs/results";
const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
const std = (xs: number[]): number =>
  xs.length < 2 ? 0 : Math.sqrt(xs.reduce((a, x) => a + (x - mean(xs)) ** 2, 0) / (xs.length - 1));
/** Mean ± sd with `digits` decimals; by default three, or three significant digits below 0.1 (an MSE of 0.0045). */
const fmt = (xs: number[], digits?: number): string => {
  if (xs.length === 0) return "—";
  const m = Math.abs(mean(xs));
  const d = digits ?? (m > 0 && m < 0.1 ? 2 - Math.floor(Math.log10(m)) : 3);
  return xs.length === 1 ? xs[0]!.toFixed(d) : `${mean(xs).toFixed(d)} ± ${std(xs).toFixed(d)}`;
};
const signed = (x: number): string => `${x >= 0 ? "+" : ""}${x.toFixed(2)}`;

/** What the tables need of one finished run folder, read once. */
interface Run {
  seed: number;
  /** The architecture it ended with (the checkpoint's header; the weights are not read). */
  ir: IrModel;
  /** final.json's test scores (the whole test split), or with `--split val` the last epoch's validation scores. */
  test: Scores;
  eval: EvalReport | null;
}
/** The validation scores of a run's last epoch that has them (metrics.jsonl). */
const lastValidation = (dir: string): Scores => {
  const val = readMetrics(dir).findLast((r) => r.val !== undefined)?.val;
  if (!val) throw new Error(`${dir}: no epoch with validation scores`);
  return val;
};
const runs = new Map<string, Run>();
for (const d of existsSync(root) ? readdirSync(root).sort() : []) {
  const seed = /-seed(\d+)$/.exec(d);
  if (!seed || !existsSync(runFile(join(root, d), "final"))) continue;
  const folder = openRun(join(root, d));
  const evalPath = runFile(folder.dir, "eval");
  runs.set(d, {
    seed: Number(seed[1]),
    ir: folder.ir,
    test: split === "val" ? lastValidation(folder.dir) : readRunHistory(folder).final!.test,
    eval: existsSync(evalPath) ? (JSON.parse(readFileSync(evalPath, "utf8")) as EvalReport) : null,
  });
}
/** Delta_m of a run against the same seed's single-task run of its example, on the whole test split. */
const gainOf = (ex: string, d: string): Gain | null => {
  const run = runs.get(d)!;
  const stl = runs.get(`${ex}-stl-seed${run.seed}`);
  if (!stl) return null;
  return deltaM(run.test, stl.test, Object.fromEntries(run.ir.tasks.map((t) => [t.name, keyMetric(t)])));
};

// Folders are EXAMPLE-METHOD-seedN; an example's name may hold dashes (a file's base name).
const examples = [...new Set([...runs.keys()].map((d) => d.replace(/-[a-z_0-9]+-seed\d+$/, "")))].sort();
for (const ex of examples) {
  console.log(`\n### ${ex}\n`);
  // mtsl_ten, mtsl_ten_average, mtsl_ten_passes: the scene runs of docs/results.md with
  // the example's earlier ten-phase schedule, as it was and with `init: average` or the
  // authors' transfer passes. Any other method in a folder's name (e.g. groups_3, a tree
  // `mtslc affinity` suggested) follows them, in name order.
  const known = ["stl", "one", "mtsl", "mtsl_ten", "mtsl_ten_average", "mtsl_ten_passes"];
  const mine = [...runs.keys()].filter((d) => d.startsWith(`${ex}-`));
  const found = mine.map((d) => d.slice(ex.length + 1).replace(/-seed\d+$/, "")).filter((m) => /^[a-z_0-9]+$/.test(m));
  const methods = [...known, ...[...new Set(found)].filter((m) => !known.includes(m)).sort()].filter((m) =>
    mine.some((d) => d.startsWith(`${ex}-${m}-seed`)),
  );
  const dirsOf = new Map(methods.map((m) => [m, mine.filter((d) => d.startsWith(`${ex}-${m}-seed`))]));
  const evals = new Map(
    methods.map((m) => [m, dirsOf.get(m)!.flatMap((d) => (runs.get(d)!.eval ? [runs.get(d)!.eval!] : []))]),
  );
  const gains = new Map(
    methods.map((m) => [m, dirsOf.get(m)!.flatMap((d) => [gainOf(ex, d)].filter((g): g is Gain => g !== null))]),
  );
  const first = runs.get(mine[0]!)!.test;
  const tasks = Object.keys(first);
  const metricsOf = (t: string): string[] => Object.keys(first[t]!).filter((k) => k !== "loss");
  const header = [
    "method",
    "seeds",
    ...tasks.flatMap((t) => metricsOf(t).map((k) => `${t} ${k}`)),
    "Δm (%)",
    "Δm corrupted (%)",
    "params",
  ];
  console.log(
    split === "val"
      ? "Validation split (all of it, after each run's last epoch, from metrics.jsonl); Δm against the same seed's stl run:\n"
      : "Test split (all of it, from each run's final.json); Δm against the same seed's stl run:\n",
  );
  console.log(`| ${header.join(" | ")} |`);
  console.log(`|${header.map(() => " --- ").join("|")}|`);
  for (const m of methods) {
    const scores = dirsOf.get(m)!.map((d) => runs.get(d)!.test);
    const models = evals.get(m)!.map((r) => r.models.find((x) => x.role === "run")!);
    const cells = [
      m,
      dirsOf
        .get(m)!
        .map((d) => runs.get(d)!.seed)
        .join(","),
    ];
    for (const t of tasks) for (const k of metricsOf(t)) cells.push(fmt(scores.map((x) => x[t]![k]!)));
    const robust = models.map((x) => x.robustness?.deltaM?.value).filter((v): v is number => v !== undefined);
    cells.push(
      m === "stl"
        ? "0 (reference)"
        : fmt(
            gains.get(m)!.map((g) => g.value),
            2,
          ),
      m === "stl" ? (robust.length ? "0 (reference)" : "—") : fmt(robust, 2),
      fmt(
        models.map((x) => x.size.total.params),
        0,
      ),
    );
    console.log(`| ${cells.join(" | ")} |`);
  }
  // each task's part of Delta_m
  console.log("\nEach task's change of its key metric against stl (percent, positive = better), and Δm per seed:\n");
  console.log(`| method | ${tasks.join(" | ")} | Δm (%) per seed |`);
  console.log(`|${[0, ...tasks, 0].map(() => " --- ").join("|")}|`);
  for (const m of methods.filter((x) => x !== "stl" && gains.get(x)!.length > 0)) {
    const g = gains.get(m)!;
    const perTask = tasks.map((t) =>
      fmt(
        g.map((x) => x.perTask[t]!),
        1,
      ),
    );
    console.log(`| ${m} | ${perTask.join(" | ")} | ${g.map((x) => signed(x.value)).join(", ")} |`);
  }
  const any = [...evals.values()].flat()[0];
  if (!any) continue;
  // robustness: mean key metric under corruptions
  console.log(
    `\nMean key metric over the corruptions and severities evaluated (${any.corruptions ? any.corruptions.severities.join(", ") : "none"}; first ${any.samples} test images):\n`,
  );
  console.log(
    `| method | ${tasks.map((t) => `${t} clean`).join(" | ")} | ${tasks.map((t) => `${t} corrupted`).join(" | ")} |`,
  );
  console.log(`|${[0, ...tasks, ...tasks].map(() => " --- ").join("|")}|`);
  for (const m of methods) {
    const models = evals.get(m)!.map((r) => r.models.find((x) => x.role === "run")!);
    if (models.length === 0 || !models[0]!.robustness) continue;
    const clean = tasks.map((t) => fmt(models.map((x) => x.tasks[t]!.scores[x.tasks[t]!.key!]!)));
    const corrupted = tasks.map((t) => fmt(models.map((x) => x.robustness!.mean[t]!)));
    console.log(`| ${m} | ${clean.join(" | ")} | ${corrupted.join(" | ")} |`);
  }
  // final trees
  console.log(`\nFinal sharing trees of the MTSL runs:\n`);
  for (const d of mine.filter((x) => /^[a-z]+-mtsl(_[a-z_]+)?-seed/.test(x))) {
    const ir = runs.get(d)!.ir;
    const rows: string[] = [];
    let prev = "";
    let start = "";
    const parts = partitionsOf(ir);
    const names = ir.stages.map((s) => s.name);
    names.forEach((s, i) => {
      const key = parts
        .get(s)!
        .map((g) => `{${g.join(" ")}}`)
        .join(" ");
      if (key !== prev) {
        if (prev) rows.push(`${start}${start === names[i - 1] ? "" : ".." + names[i - 1]}: ${prev}`);
        prev = key;
        start = s;
      }
    });
    rows.push(`${start}${start === names[names.length - 1] ? "" : ".." + names[names.length - 1]}: ${prev}`);
    console.log(`- ${d}: \`${rows.join("; ")}\``);
  }
}
