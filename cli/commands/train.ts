/**
 * `mtslc train FILE`: `trainFile` (cli/train-run.ts) with a progress bar on
 * terminals (one line per epoch otherwise) and the test metrics at the end.
 */
import cliProgress from "cli-progress";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Baseline } from "../../compiler/baseline.js";
import { renderDiagnostic } from "../../grammar/render.js";
import type { BackendPreference } from "../../runtime/backend/select.js";
import type { WrittenRevision } from "../../runtime/run/train-file.js";
import type { TrainEvent } from "../../runtime/train/trainer.js";
import { commitFile, ensureRepository, trackedTarget } from "../git.js";
import { writeFileAtomic } from "../../runtime/io/atomic.js";
import { EXIT, progressPrinter, readSource, reportRuntimeError, useColor, type CliContext } from "../io.js";
import { formatTable } from "../table.js";
import { packageVersion } from "../version.js";

export interface TrainCliOptions {
  out?: string;
  backend?: BackendPreference;
  threads?: number;
  resume?: boolean;
  force?: boolean;
  baseline?: Baseline;
  epochs?: number;
  seed?: number;
  trainLimit?: number;
  quiet?: boolean;
  json?: boolean;
  /** Commit each revision: true, the run's tree.mtsl; a path, that file (a model file the user tracks). */
  git?: boolean | string;
}

function scoresTable(scores: Record<string, Record<string, number>>): string {
  const rows: string[][] = [];
  for (const [task, s] of Object.entries(scores)) {
    for (const [metric, value] of Object.entries(s)) rows.push([task, metric, value.toFixed(4)]);
  }
  return formatTable(["task", "metric", "value"], rows, ["left", "left", "right"]);
}

function describeVal(val: Record<string, Record<string, number>> | undefined): string {
  if (!val) return "";
  return Object.entries(val)
    .map(([t, s]) => {
      const metrics = Object.entries(s).filter(([k]) => k !== "loss");
      return `${t} ${metrics.map(([k, v]) => `${k}=${v.toFixed(3)}`).join(",")}`;
    })
    .join("  ");
}

export async function runTrain(file: string, options: TrainCliOptions, ctx: CliContext): Promise<number> {
  const read = readSource(file);
  if (!read.ok) {
    ctx.stderr.write(`mtslc: error: ${read.message}\n`);
    return EXIT.usage;
  }
  let onRevision: ((revision: WrittenRevision) => void) | undefined;
  if (options.git !== undefined && options.git !== false) {
    const target = typeof options.git === "string" ? trackedTarget(resolve(ctx.cwd, options.git)) : null;
    if (target !== null && "refusal" in target) {
      ctx.stderr.write(`mtslc: error: --git ${options.git}: ${target.refusal}\n`);
      return EXIT.usage;
    }
    onRevision = commitRevision(target);
  }
  const color = useColor(ctx, ctx.stderr);
  const say = progressPrinter(ctx, options);
  const tty = ctx.stderr.isTTY === true && !options.quiet && !options.json;
  const bar = tty
    ? new cliProgress.SingleBar(
        {
          format: "epoch {epoch}/{epochs} |{bar}| {value}/{total} | {losses} | {sps} samples/s | ETA {eta_formatted}",
          hideCursor: true,
          clearOnComplete: true,
          stream: process.stderr,
        },
        cliProgress.Presets.shades_classic,
      )
    : null;
  let epochs = 0;
  let outDir = "";
  const onEvent = (e: TrainEvent): void => {
    if (e.type === "start") {
      epochs = e.epochs;
      if (e.resumed) say(`resumed after epoch ${e.epoch}`);
    } else if (e.type === "step" && bar) {
      const losses = Object.entries(e.losses)
        .map(([k, v]) => `${k} ${v.toFixed(3)}`)
        .join(" ");
      if (e.step === 1) bar.start(e.steps, 0, { epoch: e.epoch, epochs, losses, sps: "-" });
      bar.update(e.step, { epoch: e.epoch, losses, sps: e.samplesPerSecond.toFixed(1) });
    } else if (e.type === "epoch") {
      bar?.stop();
      const r = e.record;
      say(
        `epoch ${r.epoch}/${epochs}  ${e.seconds.toFixed(1)} s  ${e.samplesPerSecond.toFixed(1)} samples/s  val: ${describeVal(r.val)}`,
      );
    } else if (e.type === "checkpoint") {
      outDir = join(e.path, "..");
    } else if (e.type === "message") {
      say(e.text);
    }
  };
  // Loaded here, as `mtslc eval` loads the runtime: TensorFlow.js and the trainer cost about
  // a second of start-up that `mtslc check` and `fmt` should not pay.
  const { trainFile } = await import("../../runtime/run/train-file.js");
  try {
    const result = await trainFile({
      file,
      source: read.text,
      ...(options.out === undefined ? {} : { out: options.out }),
      ...(options.backend === undefined ? {} : { backend: options.backend }),
      ...(options.threads === undefined ? {} : { threads: options.threads }),
      ...(options.resume ? { resume: true } : {}),
      ...(options.force ? { force: true } : {}),
      ...(options.baseline === undefined ? {} : { baseline: options.baseline }),
      ...(options.epochs === undefined ? {} : { epochs: options.epochs }),
      ...(options.seed === undefined ? {} : { seed: options.seed }),
      ...(options.trainLimit === undefined ? {} : { trainLimit: options.trainLimit }),
      ...(onRevision ? { onRevision } : {}),
      invocation: { command: ["mtslc", ...(ctx.argv ?? ["train", file])], mtsl: packageVersion() },
      onEvent,
      log: say,
    });
    bar?.stop();
    for (const d of result.diagnostics) ctx.stderr.write(renderDiagnostic(d, read.text, file, { color }) + "\n\n");
    if (!result.ok) return EXIT.problems;
    if (options.json) {
      ctx.stdout.write(
        JSON.stringify(
          { outDir: result.outDir, backend: result.backend.name, epochs: result.epochs, test: result.test },
          null,
          2,
        ) + "\n",
      );
    } else {
      ctx.stdout.write(`test metrics after ${result.epochs} epochs (${result.outDir}):\n` + scoresTable(result.test));
    }
    return EXIT.ok;
  } catch (error) {
    bar?.stop();
    const code = reportRuntimeError(ctx, error);
    if (code !== null) {
      if (outDir) ctx.stderr.write(`mtslc: the run folder ${outDir} keeps the last good checkpoint\n`);
      return code;
    }
    if (error instanceof Error && "code" in error && typeof error.code === "string" && /^MTSL\d{4}$/.test(error.code)) {
      ctx.stderr.write(`mtslc: error ${error.code}: ${error.message}\n`);
      return EXIT.problems;
    }
    throw error;
  }
}

/**
 * `--git`: commits each revision, as the run's tree.mtsl in the repository holding the run
 * folder (made on the first when there is none), or as `target` in its repository.
 */
function commitRevision(target: { repo: string; path: string } | null): (revision: WrittenRevision) => void {
  let repo: string | null = null;
  return (revision) => {
    if (target === null) {
      repo ??= ensureRepository(revision.outDir);
      commitFile(repo, revision.tree, revision.message);
      return;
    }
    writeFileAtomic(target.path, readFileSync(revision.tree));
    commitFile(target.repo, target.path, revision.message);
  };
}
