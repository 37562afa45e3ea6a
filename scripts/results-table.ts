/**
 * Prints the tables of docs/results.md from the run folders scripts/results.sh
 * wrote: per example and method, mean and standard deviation over seeds of every
 * task's test metrics, Delta_m against the same seed's single-task run, the mean
 * key metric under corruptions, parameters, and the final sharing tree of MTSL.
 * The main table is on the whole test split (final.json); the corruption table on the
 * first N test images that `mtslc eval --limit N` evaluated (eval.json).
 * Usage: npx tsx scripts/results-table.ts [runs/results]
 */
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import type { EvalReport } from "../runtime/eval/evaluate-run.js";
import { readCheckpoint } from "../runtime/train/checkpoint.js";
import { partitionsOf } from "../compiler/ir/sharing-tree.js";
import { deltaM, keyMetric, type Scores } from "../runtime/eval/gain.js";

const root = process.argv[2] ?? "runs/results";
const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
const std = (xs: number[]): number =>
  xs.length < 2 ? 0 : Math.sqrt(xs.reduce((a, x) => a + (x - mean(xs)) ** 2, 0) / (xs.length - 1));
// Three decimals, or three significant digits for small values (an MSE of 0.0045).
const fmt = (xs: number[], fixed?: number): string => {
  const m = Math.abs(mean(xs));
  const digits = fixed ?? (m > 0 && m < 0.1 ? 2 - Math.floor(Math.log10(m)) : 3);
  return fmtDigits(xs, digits);
};
const fmtDigits = (xs: number[], digits: number): string =>
  xs.length === 0
    ? "—"
    : xs.length === 1
      ? xs[0]!.toFixed(digits)
      : `${mean(xs).toFixed(digits)} ± ${std(xs).toFixed(digits)}`;

/** final.json's test scores: the whole test split, as the run measured it at its end. */
const testScores = (d: string): Scores =>
  (JSON.parse(readFileSync(join(root, d, "final.json"), "utf8")) as { test: Scores }).test;
/** Each task's key metric, from the run's last architecture. */
const keysOf = (d: string): Record<string, ReturnType<typeof keyMetric>> =>
  Object.fromEntries(readCheckpoint(join(root, d, "checkpoint.ckpt")).ir.tasks.map((t) => [t.name, keyMetric(t)]));

const runs = existsSync(root) ? readdirSync(root).filter((d) => existsSync(join(root, d, "final.json"))) : [];
// Folders are EXAMPLE-METHOD-seedN; an example's name may hold dashes (a file's base name).
const examples = [...new Set(runs.map((d) => d.replace(/-[a-z_0-9]+-seed\d+$/, "")))].sort();
for (const ex of examples) {
  console.log(`\n### ${ex}\n`);
  // mtsl_ten, mtsl_ten_average, mtsl_ten_passes: the scene runs of docs/results.md with
  // the example's earlier ten-phase schedule, as it was and with `init: average` or the
  // authors' transfer passes.
  // Any other method in a folder's name (e.g. groups_3, a tree `mtslc affinity` suggested)
  // follows them, in name order.
  const known = ["stl", "one", "mtsl", "mtsl_ten", "mtsl_ten_average", "mtsl_ten_passes"];
  const found = runs
    .filter((d) => d.startsWith(`${ex}-`))
    .map((d) => d.slice(ex.length + 1).replace(/-seed\d+$/, ""))
    .filter((m) => /^[a-z_0-9]+$/.test(m));
  const methods = [...known, ...[...new Set(found)].filter((m) => !known.includes(m)).sort()];
  const evals = new Map<string, EvalReport[]>();
  const seedsOf = new Map<string, number[]>();
  const finals = new Map<string, Scores[]>();
  const gains = new Map<string, number[]>();
  for (const m of methods) {
    const dirs = runs.filter((d) => d.startsWith(`${ex}-${m}-seed`)).sort();
    const seeds = dirs.map((d) => Number(/seed(\d+)/.exec(d)![1]));
    seedsOf.set(m, seeds);
    finals.set(
      m,
      dirs.map((d) => testScores(d)),
    );
    // Delta_m on the whole test split, against the same seed's single-task run
    gains.set(
      m,
      dirs.flatMap((d, i) => {
        const stl = `${ex}-stl-seed${seeds[i]}`;
        if (!runs.includes(stl)) return [];
        const gain = deltaM(testScores(d), testScores(stl), keysOf(d));
        return gain ? [gain.value] : [];
      }),
    );
    evals.set(
      m,
      dirs
        .filter((d) => existsSync(join(root, d, "eval.json")))
        .map((d) => JSON.parse(readFileSync(join(root, d, "eval.json"), "utf8")) as EvalReport),
    );
  }
  const first = [...finals.values()].flat()[0];
  if (!first) {
    console.log("(no finished runs)");
    continue;
  }
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
  console.log("Test split (all of it, from each run's final.json); Δm against the same seed's stl run:\n");
  console.log(`| ${header.join(" | ")} |`);
  console.log(`|${header.map(() => " --- ").join("|")}|`);
  for (const m of methods) {
    const scores = finals.get(m)!;
    if (scores.length === 0) continue;
    const models = evals.get(m)!.map((r) => r.models.find((x) => x.role === "run")!);
    const cells = [m, seedsOf.get(m)!.join(",")];
    for (const t of tasks) for (const k of metricsOf(t)) cells.push(fmt(scores.map((x) => x[t]![k]!)));
    const robust = models.map((x) => x.robustness?.deltaM?.value).filter((v): v is number => v !== undefined);
    cells.push(
      m === "stl" ? "0 (reference)" : fmt(gains.get(m)!, 2),
      m === "stl" ? (robust.length ? "0 (reference)" : "—") : fmt(robust, 2),
      fmt(
        models.map((x) => x.size.total.params),
        0,
      ),
    );
    console.log(`| ${cells.join(" | ")} |`);
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
  for (const d of runs.filter((x) => x.startsWith(`${ex}-`) && /^[a-z]+-mtsl(_[a-z_]+)?-seed/.test(x)).sort()) {
    const ir = readCheckpoint(join(root, d, "checkpoint.ckpt")).ir;
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
