/**
 * `mtslc eval RUN_DIR`: evaluates a run's final checkpoint (and its
 * baselines'), prints the metrics, Delta_m, robustness and size tables (or
 * JSON) and writes RUN_DIR/eval.json atomically (a --limit evaluation does not replace a
 * larger one of the same split). An unfinished run is evaluated at its last checkpoint, with a
 * warning and its epoch in the tables.
 */
import cliProgress from "cli-progress";
import { existsSync, readFileSync } from "node:fs";
import { EXIT, type CliContext } from "../io.js";
import { formatTable, humanCount } from "../table.js";
import type { EvalReport } from "../../runtime/eval/evaluate-run.js";

export interface EvalCliOptions {
  split?: "test" | "val";
  baseline?: string[];
  corruptions?: boolean;
  severities?: number[];
  limit?: number;
  backend?: string;
  threads?: number;
  quiet?: boolean;
  json?: boolean;
}

const fmt = (v: number | undefined): string => (v === undefined || !Number.isFinite(v) ? "-" : v.toFixed(4));
const pct = (v: number | undefined | null): string =>
  v === undefined || v === null || !Number.isFinite(v) ? "-" : `${v >= 0 ? "+" : ""}${v.toFixed(2)}%`;

/** A short label for a model of the report: its role, kind and folder. */
export function modelLabel(m: EvalReport["models"][number]): string {
  const label = m.role === "run" ? `run (${m.kind})` : `${m.kind} baseline`;
  return m.epochs !== undefined && m.epoch < m.epochs ? `${label}, epoch ${m.epoch} of ${m.epochs}` : label;
}

/** The text tables of an eval report. */
export function evalTables(report: EvalReport): string {
  const out: string[] = [];
  const header = ["task", "metric", ...report.models.map(modelLabel)];
  const rows: string[][] = [];
  const run = report.models[0]!;
  for (const [task, r] of Object.entries(run.tasks)) {
    for (const metric of Object.keys(r.scores)) {
      const star = metric === r.key ? "*" : "";
      rows.push([task, metric + star, ...report.models.map((m) => fmt(m.tasks[task]?.scores[metric]))]);
    }
  }
  out.push(
    `${report.split} metrics (${report.samples} samples; * = key metric):\n` +
      formatTable(header, rows, ["left", "left", ...report.models.map(() => "right" as const)]),
  );
  if (report.reference) {
    const dRows = Object.keys(run.tasks).map((task) => [
      task,
      ...report.models.map((m) => pct(m.deltaM?.perTask[task])),
    ]);
    dRows.push(["Delta_m", ...report.models.map((m) => pct(m.deltaM?.value))]);
    dRows.push(["Delta_m (all metrics)", ...report.models.map((m) => pct(m.deltaM?.allMetrics))]);
    out.push(
      "gain over the single-task baseline (positive = better):\n" +
        formatTable(["task", ...report.models.map(modelLabel)], dRows, [
          "left",
          ...report.models.map(() => "right" as const),
        ]),
    );
  } else if (report.note) {
    out.push(report.note + "\n");
  }
  if (report.corruptions) {
    const rRows: string[][] = [];
    for (const task of Object.keys(run.tasks)) {
      const key = run.tasks[task]!.key ?? "-";
      rRows.push([task, `${key} clean`, ...report.models.map((m) => fmt(m.tasks[task]?.scores[key]))]);
      for (const s of report.corruptions.severities) {
        rRows.push([
          task,
          `severity ${s}`,
          ...report.models.map((m) => fmt(m.robustness?.perSeverity[task]?.[String(s)])),
        ]);
      }
      rRows.push([task, "mean corrupted", ...report.models.map((m) => fmt(m.robustness?.mean[task]))]);
    }
    if (report.reference)
      rRows.push(["Delta_m", "corrupted", ...report.models.map((m) => pct(m.robustness?.deltaM?.value))]);
    out.push(
      `robustness (${report.corruptions.names.length} corruptions, mean over them per severity):\n` +
        formatTable(["task", "", ...report.models.map(modelLabel)], rRows, [
          "left",
          "left",
          ...report.models.map(() => "right" as const),
        ]),
    );
  }
  const sRows: string[][] = [];
  for (const m of report.models) {
    for (const [task, s] of Object.entries(m.size.tasks)) {
      sRows.push([
        modelLabel(m),
        task,
        humanCount(s.params),
        humanCount(s.flops),
        humanCount(Math.round(s.sharedParams)),
      ]);
    }
    sRows.push([modelLabel(m), "total", humanCount(m.size.total.params), humanCount(m.size.total.flops), ""]);
    sRows.push([
      modelLabel(m),
      "one network per task",
      humanCount(m.size.separate.params),
      humanCount(m.size.separate.flops),
      `${(m.size.ratio.params * 100).toFixed(0)}% params`,
    ]);
  }
  out.push(
    "model size (FLOPs per image, forward; path = everything a task runs through):\n" +
      formatTable(["model", "task", "path params", "path FLOPs", "own share"], sRows, [
        "left",
        "left",
        "right",
        "right",
        "right",
      ]),
  );
  if (report.reference) out.push(`Delta_m: ${report.convention}.\n`);
  return out.join("\n");
}

/** The sample count of the evaluation at `path` when it is of `report`'s split and larger; else null. */
function largerEvaluation(path: string, report: EvalReport): number | null {
  if (!existsSync(path)) return null;
  try {
    const old = JSON.parse(readFileSync(path, "utf8")) as Partial<EvalReport>;
    return old.split === report.split && typeof old.samples === "number" && old.samples > report.samples
      ? old.samples
      : null;
  } catch {
    return null;
  }
}

export async function runEval(dir: string, options: EvalCliOptions, ctx: CliContext): Promise<number> {
  const { MtslError } = await import("../../runtime/errors.js");
  const { evaluateRun } = await import("../../runtime/eval/evaluate-run.js");
  const { openRun, runFile, writeJsonFile } = await import("../../runtime/run/folder.js");
  const { selectBackend } = await import("../../runtime/backend/select.js");
  const say = (text: string): void => {
    if (!options.quiet && !options.json) ctx.stderr.write(text + "\n");
  };
  const tty = ctx.stderr.isTTY === true && !options.quiet && !options.json;
  const bar = tty
    ? new cliProgress.SingleBar(
        {
          format: "eval |{bar}| {value}/{total} batches | {what} | ETA {eta_formatted}",
          hideCursor: true,
          clearOnComplete: true,
          stream: process.stderr,
        },
        cliProgress.Presets.shades_classic,
      )
    : null;
  try {
    const run = openRun(dir);
    const tf = await import("@tensorflow/tfjs");
    tf.enableProdMode();
    const backend = await selectBackend(
      (options.backend ?? run.ir.train.backend) as never,
      options.threads === undefined ? {} : { threads: options.threads },
    );
    say(`backend: ${backend.name} (${backend.description})`);
    let started = false;
    let lastLine = 0;
    const report = await evaluateRun(dir, {
      split: options.split ?? "test",
      baselines: options.baseline ?? [],
      corruptions: options.corruptions === true,
      ...(options.severities ? { severities: options.severities } : {}),
      ...(options.limit === undefined ? {} : { limit: options.limit }),
      onProgress: (done, total, what) => {
        if (bar) {
          if (!started) {
            bar.start(total, 0, { what });
            started = true;
          }
          bar.update(done, { what });
        } else if (!options.quiet && !options.json) {
          // Without a terminal: one line per tenth of the work.
          const tenth = Math.floor((done * 10) / total);
          if (tenth > lastLine) {
            lastLine = tenth;
            if (tenth > 0) ctx.stderr.write(`eval: ${tenth * 10}% (${what})\n`);
          }
        }
      },
    });
    bar?.stop();
    // An interrupted run (or baseline) is evaluated at its last checkpoint: say so.
    for (const m of report.models) {
      if (m.epoch < m.epochs && !options.json) {
        ctx.stderr.write(
          `mtslc: warning: ${m.dir} is unfinished: its checkpoint is after epoch ${m.epoch} of ${m.epochs}; ` +
            `these are that checkpoint's scores (mtslc train FILE -o ${m.dir} --resume finishes it)\n`,
        );
      }
    }
    const path = runFile(run.dir, "eval");
    // A --limit evaluation is a quick look: it does not replace a larger evaluation of the same
    // split, the one the report shows.
    const larger = options.limit === undefined ? null : largerEvaluation(path, report);
    if (larger === null) writeJsonFile(path, report);
    if (options.json) ctx.stdout.write(JSON.stringify(report, null, 2) + "\n");
    else {
      ctx.stdout.write(evalTables(report));
      say(
        larger === null
          ? `wrote ${path}`
          : `not written: ${path} holds an evaluation of ${larger} samples, --limit evaluated ${report.samples} (use --json to keep these)`,
      );
    }
    return EXIT.ok;
  } catch (error) {
    bar?.stop();
    if (error instanceof MtslError) {
      ctx.stderr.write(`mtslc: error ${error.code}: ${error.message.replace(/^MTSL\d{4}: /, "")}\n`);
      return EXIT.problems;
    }
    throw error;
  }
}
