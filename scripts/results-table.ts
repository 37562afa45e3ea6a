/**
 * Prints the tables of docs/results.md from the run folders scripts/results.sh
 * wrote: per example and method, mean and standard deviation over seeds of every
 * task's test metrics, Delta_m against the same seed's single-task run, the mean
 * key metric under corruptions, parameters, and the final sharing tree of MTSL.
 * Usage: npx tsx scripts/results-table.ts [runs/results]
 */
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import type { EvalReport } from "../runtime/eval/evaluate-run.js";
import { readCheckpoint } from "../runtime/train/checkpoint.js";
import { partitionsOf } from "../compiler/ir/sharing-tree.js";

const root = process.argv[2] ?? "runs/results";
const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
const std = (xs: number[]): number =>
  xs.length < 2 ? 0 : Math.sqrt(xs.reduce((a, x) => a + (x - mean(xs)) ** 2, 0) / (xs.length - 1));
const fmt = (xs: number[], digits = 3): string =>
  xs.length === 0
    ? "—"
    : xs.length === 1
      ? xs[0]!.toFixed(digits)
      : `${mean(xs).toFixed(digits)} ± ${std(xs).toFixed(digits)}`;

const runs = existsSync(root) ? readdirSync(root).filter((d) => existsSync(join(root, d, "final.json"))) : [];
// Folders are EXAMPLE-METHOD-seedN; an example's name may hold dashes (a file's base name).
const examples = [...new Set(runs.map((d) => d.replace(/-[a-z_]+-seed\d+$/, "")))].sort();
for (const ex of examples) {
  console.log(`\n### ${ex}\n`);
  // mtsl_ten, mtsl_ten_average, mtsl_ten_passes: the scene runs of docs/results.md with
  // the example's earlier ten-phase schedule, as it was and with `init: average` or the
  // authors' transfer passes.
  const methods = ["stl", "one", "mtsl", "mtsl_ten", "mtsl_ten_average", "mtsl_ten_passes"];
  const evals = new Map<string, EvalReport[]>();
  const seedsOf = new Map<string, number[]>();
  for (const m of methods) {
    const dirs = runs.filter((d) => d.startsWith(`${ex}-${m}-seed`)).sort();
    seedsOf.set(
      m,
      dirs.map((d) => Number(/seed(\d+)/.exec(d)![1])),
    );
    evals.set(
      m,
      dirs
        .filter((d) => existsSync(join(root, d, "eval.json")))
        .map((d) => JSON.parse(readFileSync(join(root, d, "eval.json"), "utf8")) as EvalReport),
    );
  }
  const any = [...evals.values()].flat()[0];
  if (!any) {
    console.log("(no evaluated runs)");
    continue;
  }
  const tasks = Object.keys(any.models[0]!.tasks);
  const header = [
    "method",
    "seeds",
    ...tasks.flatMap((t) =>
      Object.keys(any.models[0]!.tasks[t]!.scores)
        .filter((k) => k !== "loss")
        .map((k) => `${t} ${k}`),
    ),
    "Δm (%)",
    "Δm corrupted (%)",
    "params",
  ];
  console.log(`| ${header.join(" | ")} |`);
  console.log(`|${header.map(() => " --- ").join("|")}|`);
  for (const m of methods) {
    const reports = evals.get(m)!;
    if (reports.length === 0) continue;
    const models = reports.map((r) => r.models.find((x) => x.role === "run")!);
    const cells = [m, seedsOf.get(m)!.join(",")];
    for (const t of tasks) {
      for (const k of Object.keys(models[0]!.tasks[t]!.scores).filter((x) => x !== "loss"))
        cells.push(fmt(models.map((x) => x.tasks[t]!.scores[k]!)));
    }
    const gains = models.map((x) => x.deltaM?.value).filter((v): v is number => v !== undefined);
    const robust = models.map((x) => x.robustness?.deltaM?.value).filter((v): v is number => v !== undefined);
    cells.push(
      m === "stl" ? "0 (reference)" : fmt(gains, 2),
      m === "stl" ? "0 (reference)" : fmt(robust, 2),
      fmt(
        models.map((x) => x.size.total.params),
        0,
      ),
    );
    console.log(`| ${cells.join(" | ")} |`);
  }
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
