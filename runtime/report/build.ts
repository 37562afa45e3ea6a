/**
 * `buildReport`: one self-contained HTML page about a run folder (inline SVG
 * and CSS, no scripts, nothing fetched at view time): training curves per
 * task with the structural-learning epochs marked, the CKA matrix of every
 * structural-learning phase, the sharing tree after every revision with the
 * merged instances highlighted, the metrics and Delta_m tables, robustness and
 * model size. Deterministic: the same folders give the same bytes. A run of the PyTorch
 * export's train.py (runtime/pytorch/train.py) is shown too: its loss curves, tree and size, and
 * "not evaluated" where it has no scores.
 */
import { existsSync, readFileSync } from "node:fs";
import { basename } from "node:path";
import type { IrModel } from "../../compiler/ir/types.js";
import { MtslError } from "../errors.js";
import type { EvalReport, ModelResult } from "../eval/evaluate-run.js";
import { DELTA_M_CONVENTION, deltaM, direction, keyMetric, meanScores, type Scores } from "../eval/gain.js";
import {
  isSingleTaskLayout,
  openRun,
  readRunHistory,
  runFile,
  type RunFolder,
  type RunHistory,
} from "../run/folder.js";
import { modelSize } from "../eval/size.js";
import { heatmap, lineChart, type LinePoint } from "./charts.js";
import { escapeHtml, figure, htmlTable, page, para, section } from "./html.js";
import { inlineSvg } from "./svg.js";
import { createdInstances, MERGE_COLOUR, treeSvg } from "./trees.js";

export interface ReportOptions {
  /** Baseline run folders; default: the baselines named in the run's eval.json that still exist. */
  baselines?: string[];
}

/** The section ids of the report, in order (tests count figures per section). */
export const REPORT_SECTIONS = ["overview", "curves", "cka", "trees", "metrics", "robustness", "size"] as const;

const num = (v: number | undefined, digits = 4): string =>
  v === undefined || !Number.isFinite(v) ? "-" : v.toFixed(digits);
const pct = (v: number | undefined | null): string =>
  v === undefined || v === null || !Number.isFinite(v) ? "-" : `${v >= 0 ? "+" : ""}${v.toFixed(2)}%`;
const count = (n: number): string => n.toLocaleString("en-US");

interface Model {
  folder: RunFolder;
  history: RunHistory;
  label: string;
}

function label(folder: RunFolder, role: "run" | "baseline"): string {
  return role === "run" ? `run (${folder.kind})` : `${folder.kind} baseline (${basename(folder.dir)})`;
}

/** Who trained the run, as the overview says it. */
function trainedBy(folder: RunFolder): string {
  if (folder.trainer === "mtsl") return "mtslc train";
  const info = folder.info ?? {};
  const processes = Number(info["worldSize"] ?? 1);
  const group = typeof info["processGroup"] === "string" ? `, ${info["processGroup"]}` : "";
  return (
    `the PyTorch export's train.py (torch ${String(info["torch"] ?? "?")}, ` +
    `${processes} process${processes === 1 ? "" : "es"} on ${String(info["device"] ?? "?")}${group})`
  );
}

/** Why a model has no scores. */
function notEvaluated(folder: RunFolder): string {
  return folder.trainer === "pytorch"
    ? "not evaluated: the PyTorch export's train.py records each task's loss only (the curves), no test scores"
    : "not evaluated yet: the run has no final.json or eval.json";
}

function readEval(dir: string): EvalReport | null {
  const path = runFile(dir, "eval");
  if (!existsSync(path)) return null;
  try {
    const report = JSON.parse(readFileSync(path, "utf8")) as EvalReport;
    return report.format === "mtsl-eval" && Array.isArray(report.models) ? report : null;
  } catch {
    throw new MtslError("MTSL3202", `${path} is not a readable eval.json (run mtslc eval again)`, { file: path });
  }
}

let figureCounter = 0;
const svgFigure = (svg: string, caption: string): string => figure(inlineSvg(svg, `f${++figureCounter}`), caption);

async function overview(run: Model, baselines: Model[], evalReport: EvalReport | null): Promise<string> {
  const ir = run.folder.ir;
  const rows = [
    ["model", ir.name],
    ["kind", run.folder.kind],
    ["trained by", trainedBy(run.folder)],
    ["data", `${ir.data.name} ${JSON.stringify(ir.data.options)}`],
    ["tasks", ir.tasks.map((t) => `${t.name} (${t.kind})`).join(", ")],
    ["epochs trained", String(run.folder.epoch)],
    ["structural-learning phases", String(run.history.phases.length)],
    ["revisions", String(run.history.revisions.length)],
    ["backend", String(run.folder.info?.["backend"] ?? "-")],
    ["seed", String(ir.train.seed)],
    ["baselines", baselines.length > 0 ? baselines.map((b) => b.label).join(", ") : "none"],
    [
      "evaluation",
      evalReport
        ? `eval.json (${evalReport.split}, ${evalReport.samples} samples)`
        : run.history.final
          ? "final.json (run mtslc eval for more)"
          : notEvaluated(run.folder),
    ],
  ];
  return section("overview", "Overview", htmlTable(["", ""], rows));
}

async function curves(run: Model, baselines: Model[]): Promise<string> {
  const records = run.history.epochs;
  if (records.length === 0) return section("curves", "Training curves", para("metrics.jsonl has no epochs.", "note"));
  const marks = run.history.phases.map((p) => ({ x: p.epoch, label: `SLP ${p.index + 1}` }));
  const parts: string[] = [];
  for (const task of run.folder.ir.tasks) {
    const key = keyMetric(task);
    const loss: LinePoint[] = [];
    const metric: LinePoint[] = [];
    for (const r of records) {
      loss.push({ x: r.epoch, y: r.train[task.name]?.["loss"] ?? Number.NaN, series: "train" });
      if (r.val) loss.push({ x: r.epoch, y: r.val[task.name]?.["loss"] ?? Number.NaN, series: "val" });
      if (key) {
        metric.push({ x: r.epoch, y: r.train[task.name]?.[key] ?? Number.NaN, series: "train" });
        if (r.val) metric.push({ x: r.epoch, y: r.val[task.name]?.[key] ?? Number.NaN, series: "val" });
      }
    }
    const dashed: string[] = [];
    for (const b of baselines) {
      const name = `${b.folder.kind} val`;
      dashed.push(name);
      for (const r of b.history.epochs) {
        if (!r.val?.[task.name]) continue;
        loss.push({ x: r.epoch, y: r.val[task.name]!["loss"] ?? Number.NaN, series: name });
        if (key) metric.push({ x: r.epoch, y: r.val[task.name]![key] ?? Number.NaN, series: name });
      }
    }
    const figs = [
      svgFigure(
        await lineChart({
          title: `${task.name}: loss`,
          xTitle: "epoch",
          yTitle: "loss",
          points: loss,
          marks,
          dashed,
          integerX: true,
        }),
        `${task.name} (${task.kind}): training and validation loss per epoch; red lines: structural-learning phases.`,
      ),
    ];
    // a run of the PyTorch export's train.py records losses only: no metric curve
    if (key && metric.some((p) => Number.isFinite(p.y))) {
      figs.push(
        svgFigure(
          await lineChart({
            title: `${task.name}: ${key}`,
            xTitle: "epoch",
            yTitle: key,
            points: metric,
            marks,
            dashed,
            integerX: true,
          }),
          `${task.name}: key metric ${key} per epoch (${direction(key)} is better); red lines: structural-learning phases.`,
        ),
      );
    }
    parts.push(`<h3>${escapeHtml(task.name)}</h3><div class="figs">${figs.join("")}</div>`);
  }
  // The weighting method's mean weight of each task per epoch (absent with ew).
  const weights: LinePoint[] = [];
  for (const r of records)
    for (const [k, v] of Object.entries(r.extra ?? {}))
      if (k.startsWith("weight/")) weights.push({ x: r.epoch, y: v, series: k.slice("weight/".length) });
  if (weights.length > 0) {
    const method = run.folder.ir.train.weighting?.name ?? "ew";
    const chart = await lineChart({
      title: `task weights (${method})`,
      xTitle: "epoch",
      yTitle: "weight",
      points: weights,
      marks,
      integerX: true,
    });
    parts.push(
      `<h3>Task weights</h3><div class="figs">${svgFigure(chart, `The mean weight ${escapeHtml(method)} gave each task over each epoch's steps; red lines: structural-learning phases.`)}</div>`,
    );
  }
  return section("curves", "Training curves", parts.join(""));
}

async function cka(run: Model): Promise<string> {
  const phases = run.history.phases;
  if (phases.length === 0)
    return section("cka", "Task similarity (CKA)", para("No structural-learning phase in this run.", "note"));
  const figs: string[] = [];
  const threshold = run.folder.ir.structuralLearning?.threshold ?? 1;
  for (const p of phases) {
    for (const set of p.sets) {
      if (set.exact) {
        figs.push(
          para(
            `SLP ${p.index + 1} (after epoch ${p.epoch}): ${set.stage} under ${set.parent} is parameter-free and its copies read the same input: merged {${set.tasks.join(" ")}} without comparing.`,
            "note",
          ),
        );
        continue;
      }
      const merged = set.merged.map((g) => `{${g.join(" ")}}`).join(" ") || "nothing";
      // Runs before these fields were recorded have none of them.
      const trust =
        set.nullSimilarity === undefined
          ? ""
          : ` Min ${set.min.toFixed(3)}, mean ${set.mean.toFixed(3)}; null CKA (fresh, independent copies) ${set.nullSimilarity.toFixed(3)}` +
            (set.nullSimilarity >= threshold
              ? ` — at or above the threshold ${threshold}: CKA cannot separate these tasks at this stage`
              : "") +
            `; effective rank ${set.effectiveRank.map((r, i) => `${set.tasks[i]} ${r.toFixed(1)}`).join(", ")}.` +
            (set.calibrated
              ? ` Grouped on the CKA calibrated against the null, (CKA − null) / (1 − null): ` +
                set.tasks
                  .flatMap((a, i) =>
                    set.tasks.slice(i + 1).map((b, k) => `${a}–${b} ${set.calibrated![i]![i + 1 + k]!.toFixed(3)}`),
                  )
                  .join(", ") +
                "."
              : "");
      figs.push(
        svgFigure(
          await heatmap(`SLP ${p.index + 1} (after epoch ${p.epoch}): ${set.stage}`, set.tasks, set.similarity),
          `Linear CKA of the tasks' ${set.stage} outputs under ${set.parent} on ${p.samples} training images; ` +
            `best partition ${set.partition.map((g) => `{${g.join(" ")}}`).join(" ")} (value ${set.value.toFixed(3)}); merged: ${merged}.` +
            trust,
        ),
      );
    }
  }
  return section(
    "cka",
    "Task similarity (CKA) per structural-learning phase",
    figs.length > 0 ? `<div class="figs">${figs.join("")}</div>` : para("No phase compared any tasks.", "note"),
  );
}

async function trees(run: Model): Promise<string> {
  const revisions = run.history.revisions;
  const figs: string[] = [];
  if (revisions.length === 0) {
    figs.push(
      svgFigure(
        await treeSvg(run.folder.ir, []),
        `The sharing tree of ${run.folder.ir.name} (no revisions: a fixed architecture).`,
      ),
    );
  } else {
    let previous: IrModel | null = null;
    for (const rev of revisions) {
      const created = createdInstances(previous, rev.ir);
      const what = created.length > 0 ? `merged into ${created.join(", ")} (orange)` : "the starting architecture";
      figs.push(
        svgFigure(
          await treeSvg(rev.ir, created),
          `Revision ${String(rev.number).padStart(3, "0")} after epoch ${rev.epoch}: ${what}.`,
        ),
      );
      previous = rev.ir;
    }
  }
  return section(
    "trees",
    "Sharing tree after every revision",
    para(
      `Boxes are stage instances, darker and wider when more tasks share them; instances created by the revision's merge have an orange border (${MERGE_COLOUR}).`,
    ) + `<div class="figs">${figs.join("")}</div>`,
  );
}

/** Scores per model: from eval.json when it covers the model, else final.json's test scores. */
function scoresOf(model: Model, evalReport: EvalReport | null): { scores: Scores; from: string } | null {
  const fromEval = evalReport?.models.find((m) => m.dir === model.folder.dir);
  if (fromEval)
    return {
      scores: Object.fromEntries(Object.entries(fromEval.tasks).map(([t, r]) => [t, r.scores])),
      from: `eval.json (${evalReport!.split})`,
    };
  if (model.history.final) return { scores: model.history.final.test, from: "final.json (test)" };
  return null;
}

function metrics(run: Model, baselines: Model[], evalReport: EvalReport | null): string {
  const models = [run, ...baselines];
  const scored = models.map((m) => scoresOf(m, evalReport));
  if (scored.every((s) => s === null))
    return section("metrics", "Metrics and Delta_m", para(`No scores: ${notEvaluated(run.folder)}.`, "note"));
  const ir = run.folder.ir;
  const rows: string[][] = [];
  for (const t of ir.tasks) {
    const metricsOf = Object.keys(scored[0]?.scores[t.name] ?? {});
    for (const metric of metricsOf) {
      rows.push([
        t.name,
        metric + (metric === keyMetric(t) ? " *" : ""),
        ...scored.map((s) => num(s?.scores[t.name]?.[metric])),
      ]);
    }
  }
  const header = ["task", "metric", ...models.map((m) => m.label)];
  const numeric = models.map((_, i) => i + 2);
  let body = htmlTable(header, rows, {
    numeric,
    caption: `Per-task metrics (* = key metric; from ${scored.map((s) => s?.from ?? "-").join(", ")})`,
  });
  // Delta_m against the single-task baselines' own evaluation.
  const singles = baselines.filter((b) => b.folder.kind === "stl" || isSingleTaskLayout(b.folder.ir));
  const refScores = singles.map((b) => scored[models.indexOf(b)]?.scores).filter((s): s is Scores => s !== undefined);
  if (refScores.length > 0) {
    const reference = meanScores(refScores);
    const keys = Object.fromEntries(ir.tasks.map((t) => [t.name, keyMetric(t)]));
    const gains = scored.map((s) => (s ? deltaM(s.scores, reference, keys) : null));
    const dRows = ir.tasks.map((t) => [
      `${t.name} (${keys[t.name] ?? "-"})`,
      ...gains.map((g) => pct(g?.perTask[t.name])),
    ]);
    dRows.push(["Delta_m", ...gains.map((g) => pct(g?.value))]);
    dRows.push(["Delta_m (all metrics)", ...gains.map((g) => pct(g?.allMetrics))]);
    body += htmlTable(["task", ...models.map((m) => m.label)], dRows, {
      numeric: models.map((_, i) => i + 1),
      caption: "Gain over the single-task baseline",
    });
    body += para(DELTA_M_CONVENTION);
  } else {
    body += para(
      "No Delta_m: no single-task baseline (give one with --baseline; train it with mtslc train FILE --baseline stl).",
      "note",
    );
  }
  return section("metrics", "Metrics and Delta_m", body);
}

async function robustness(evalReport: EvalReport | null, models: Model[]): Promise<string> {
  const title = "Robustness under common corruptions";
  if (!evalReport?.corruptions)
    return section("robustness", title, para("No robustness results: run mtslc eval RUN --corruptions first.", "note"));
  const { names, severities } = evalReport.corruptions;
  const results = evalReport.models.filter((m) => m.robustness);
  const lab = (m: ModelResult): string =>
    models.find((x) => x.folder.dir === m.dir)?.label ?? `${m.kind} (${basename(m.dir)})`;
  const run = results[0]!;
  let body = "";
  const figs: string[] = [];
  for (const [task, t] of Object.entries(run.tasks)) {
    const key = t.key;
    if (!key) continue;
    // Per-corruption table for each model: rows corruptions, columns severities and mean.
    for (const m of results) {
      const table = m.robustness!.table[task] ?? {};
      const rows = names.map((n) => [
        n,
        ...severities.map((s) => num(table[n]?.[String(s)])),
        num(m.robustness!.perCorruption[task]?.[n]),
      ]);
      rows.push([
        "mean",
        ...severities.map((s) => num(m.robustness!.perSeverity[task]?.[String(s)])),
        num(m.robustness!.mean[task]),
      ]);
      body += htmlTable(["corruption", ...severities.map((s) => `severity ${s}`), "mean"], rows, {
        numeric: [...severities.map((_, i) => i + 1), severities.length + 1],
        caption: `${task}: ${key} under corruption, ${lab(m)} (clean ${num(m.tasks[task]?.scores[key])})`,
      });
    }
    const points: LinePoint[] = [];
    for (const m of results) {
      points.push({ x: 0, y: m.tasks[task]?.scores[key] ?? Number.NaN, series: lab(m) });
      for (const s of severities)
        points.push({ x: s, y: m.robustness!.perSeverity[task]?.[String(s)] ?? Number.NaN, series: lab(m) });
    }
    figs.push(
      svgFigure(
        await lineChart({
          title: `${task}: ${key} vs severity`,
          xTitle: "severity (0 = clean)",
          yTitle: key,
          points,
          integerX: true,
          dashed: results.slice(1).map(lab),
        }),
        `${task}: ${key} averaged over ${names.length} corruptions at each severity, every model.`,
      ),
    );
  }
  const summary = results.map((m) => [
    lab(m),
    ...Object.keys(run.tasks).map((t) => num(m.robustness!.mean[t])),
    pct(m.robustness!.deltaM?.value),
  ]);
  const head = htmlTable(
    ["model", ...Object.keys(run.tasks).map((t) => `${t} mean corrupted`), "Delta_m corrupted"],
    summary,
    {
      numeric: [...Object.keys(run.tasks).map((_, i) => i + 1), Object.keys(run.tasks).length + 1],
      caption: `Mean key metric over ${names.length} corruptions x severities ${severities.join(", ")} (seed ${evalReport.corruptions.seed})`,
    },
  );
  return section("robustness", title, head + `<div class="figs">${figs.join("")}</div>` + body);
}

function size(models: Model[]): string {
  const rows: string[][] = [];
  for (const m of models) {
    const s = modelSize(m.folder.ir);
    for (const [task, t] of Object.entries(s.tasks))
      rows.push([m.label, task, count(t.params), count(t.flops), count(Math.round(t.sharedParams))]);
    rows.push([m.label, "total", count(s.total.params), count(s.total.flops), ""]);
    rows.push([
      m.label,
      "one network per task",
      count(s.separate.params),
      count(s.separate.flops),
      `${(s.ratio.params * 100).toFixed(1)}% of its params`,
    ]);
  }
  return section(
    "size",
    "Model size",
    htmlTable(["model", "task", "path params", "path FLOPs", "own share"], rows, {
      numeric: [2, 3, 4],
      caption:
        "Parameters and FLOPs (per image, forward). Path: everything a task runs through; own share: shared instances divided among their tasks.",
    }),
  );
}

/** Builds the report page of the run folder `dir`. */
export async function buildReport(dir: string, options: ReportOptions = {}): Promise<string> {
  figureCounter = 0;
  const folder = openRun(dir, { pytorch: true });
  const evalReport = readEval(folder.dir);
  const baselineDirs =
    options.baselines ??
    evalReport?.models
      .filter((m) => m.role === "baseline" && existsSync(runFile(m.dir, "checkpoint")))
      .map((m) => m.dir) ??
    [];
  const run: Model = { folder, history: readRunHistory(folder), label: label(folder, "run") };
  const baselines: Model[] = baselineDirs.map((d) => {
    const f = openRun(d, { pytorch: true });
    return { folder: f, history: readRunHistory(f), label: label(f, "baseline") };
  });
  const models = [run, ...baselines];
  const sections = [
    await overview(run, baselines, evalReport),
    await curves(run, baselines),
    await cka(run),
    await trees(run),
    metrics(run, baselines, evalReport),
    await robustness(evalReport, models),
    size(models),
  ];
  const titles: Record<(typeof REPORT_SECTIONS)[number], string> = {
    overview: "Overview",
    curves: "Curves",
    cka: "CKA",
    trees: "Sharing trees",
    metrics: "Metrics",
    robustness: "Robustness",
    size: "Size",
  };
  return page(
    `mtsl report: ${folder.ir.name}`,
    `${folder.kind} run${folder.trainer === "pytorch" ? " trained with PyTorch" : ""}, ${folder.epoch} epochs, data ${folder.ir.data.name}; ${folder.ir.tasks.length} tasks`,
    REPORT_SECTIONS.map((id) => ({ id, title: titles[id] })),
    sections.join("\n"),
  );
}
