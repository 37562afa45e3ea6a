/**
 * `mtslc affinity FILE`: the pairwise ground truth of which tasks should share
 * (runtime/run/affinity-file.ts): every task alone, every pair with hard sharing, then the
 * transfer matrix and the best partition of the tasks for each number of groups.
 */
import { renderDiagnostic } from "../../grammar/render.js";
import type { BackendPreference } from "../../runtime/backend/select.js";
import { partitionKey } from "../../compiler/ir/sharing-tree.js";
import {
  bestOf,
  compareWithGroundTruth,
  sharedWithinGroupText,
  type SetComparison,
} from "../../runtime/eval/affinity.js";
import type { AffinityResult } from "../../runtime/run/affinity-file.js";
import { openRun, readRunHistory } from "../../runtime/run/folder.js";
import type { SlpRecord } from "../../runtime/structure/mtsl.js";
import type { TrainEvent } from "../../runtime/train/trainer.js";
import { EXIT, progressPrinter, readSource, reportRuntimeError, useColor, type CliContext } from "../io.js";
import { formatTable } from "../table.js";

export interface AffinityCliOptions {
  out?: string;
  tasks?: string[];
  backend?: BackendPreference;
  threads?: number;
  epochs?: number;
  seed?: number;
  trainLimit?: number;
  quiet?: boolean;
  json?: boolean;
  /** Run folders of structural learning to set beside the ground truth. */
  compare?: string[];
  partitionEpoch?: "last" | "best";
  /** The last stage each pair shares (default: every stage). */
  through?: string;
}

const signed = (v: number | null | undefined): string => {
  if (v === null || v === undefined) return "n/a";
  const text = v.toFixed(2);
  return Number(text) === 0 ? "0.00" : `${v > 0 ? "+" : ""}${text}`;
};

/** How the pairs of a study share. */
const sharingText = (through: string | null): string =>
  through === null ? "hard sharing" : `sharing the stages through ${through}, the rest per task`;

const groupText = (groups: readonly (readonly string[])[]): string => groups.map((g) => `{${g.join(",")}}`).join(" ");

/** The text the command prints: the transfer matrix and the best partitions. */
export function affinityText(result: AffinityResult): string {
  const { tasks, keys, transfer, split } = result;
  const best = result.partitions.flatMap((p, i) => (p ? [{ k: i + 1, p }] : []));
  const top = bestOf(result.partitions);
  const partitions = formatTable(
    ["groups", "partition", "estimated %", "file"],
    best.map(({ k, p }) => [
      String(k),
      groupText(p.groups) + (p === top ? "  (best)" : ""),
      signed(p.value),
      result.groupFiles[k - 1] ?? "-",
    ]),
    ["right", "left", "right", "left"],
  );
  const matrixOf = (m: AffinityResult["transfer"]): string =>
    formatTable(
      ["task", "key metric", ...tasks.map((t) => `+${t}`)],
      tasks.map((t) => [t, keys[t] ?? "-", ...tasks.map((o) => (o === t ? "" : signed(m[t]?.[o])))]),
      ["left", "left", ...tasks.map(() => "right" as const)],
    );
  let early = "";
  const bestEpoch = result.bestEpochTransfer;
  if (bestEpoch) {
    const flips = tasks.flatMap((t) =>
      tasks.flatMap((o) => {
        const last = transfer[t]?.[o];
        const best = bestEpoch[t]?.[o];
        return o !== t && typeof last === "number" && typeof best === "number" && Math.sign(last) !== Math.sign(best)
          ? [`${t} with ${o}: ${signed(last)} at the last epoch, ${signed(best)} at the best`]
          : [];
      }),
    );
    early =
      `\nthe same at each run's best validation epoch of each task's key metric (what early stopping would keep)\n` +
      matrixOf(bestEpoch) +
      (flips.length === 0
        ? ""
        : `\nsign changes: ${flips.join("; ")}: there the change at the last epoch comes from when each network peaks and overfits, not from what the partner gives\n`);
  }
  return (
    `transfer on the ${split} split: percent change of each row task's key metric when it is trained with the ` +
    `column's task (${sharingText(result.through)}) instead of alone; positive = the pair helps it\n` +
    matrixOf(transfer) +
    early +
    `\nbest partition for each number of groups, by the transfer ${result.partitionEpoch === "best" ? "at each run's best validation epoch" : "after the last epoch"} (Standley et al. 2020's pairwise estimate: a task's change in a ` +
    `group = the mean of its pairwise changes there; a task alone = 0; estimated % = the mean over tasks)\n` +
    partitions +
    `\neach file is the model with that partition as its sharing tree (${sharedWithinGroupText(result.through)}, no ` +
    `structural learning): train it with mtslc train FILE\n`
  );
}

/** The structural-learning phases of each run given to --compare, read before any training. */
interface ComparedRun {
  dir: string;
  phases: SlpRecord[];
}

/** Each run's sibling sets beside the ground truth, and per run the mean rank correlation. */
export function comparisonText(runs: readonly { dir: string; sets: readonly SetComparison[] }[]): string {
  const rows: string[][] = [];
  const notes: string[] = [];
  for (const run of runs) {
    for (const c of run.sets) {
      rows.push([
        run.dir,
        String(c.epoch),
        c.stage,
        c.tasks.join(","),
        c.rankCorrelation === null ? "n/a" : c.rankCorrelation.toFixed(2),
        groupText(c.chosen),
        signed(c.chosenEstimate),
        c.best ? groupText(c.best.groups) : "n/a",
        signed(c.best?.value),
      ]);
    }
    const rhos = run.sets.flatMap((c) => (c.rankCorrelation === null ? [] : [c.rankCorrelation]));
    notes.push(
      run.sets.length === 0
        ? `${run.dir}: no sibling set of the study's tasks was compared`
        : `${run.dir}: ${run.sets.length} sets; mean rho ${rhos.length === 0 ? "n/a" : (rhos.reduce((a, b) => a + b, 0) / rhos.length).toFixed(2)} over the ${rhos.length} with three pairs or more; ` +
            `the chosen partition was the best one in ${run.sets.filter((c) => c.best && partitionKey(c.chosen) === partitionKey(c.best.groups)).length}`,
    );
  }
  const table = formatTable(
    ["run", "epoch", "stage", "tasks", "rho", "chosen", "estimated %", "best", "estimated %"],
    rows,
    ["left", "right", "left", "left", "right", "left", "right", "left", "right"],
  );
  return (
    `similarity against the ground truth: rho = Spearman's correlation, over each compared set's pairs, of their CKA ` +
    `with their pairwise affinity (the mean of the two tasks' transfer to each other); chosen = the groups the phase ` +
    `merged, every other task alone; estimated % = the pairwise estimate of a partition of the set's tasks\n` +
    table +
    "\n" +
    notes.join("\n") +
    "\n"
  );
}

export async function runAffinity(file: string, options: AffinityCliOptions, ctx: CliContext): Promise<number> {
  const read = readSource(file);
  if (!read.ok) {
    ctx.stderr.write(`mtslc: error: ${read.message}\n`);
    return EXIT.usage;
  }
  const color = useColor(ctx, ctx.stderr);
  const say = progressPrinter(ctx, options);
  let label = "";
  const onEvent = (e: TrainEvent): void => {
    if (e.type === "epoch") {
      const r = e.record;
      say(`  ${label} epoch ${r.epoch}  ${e.seconds.toFixed(1)} s  ${e.samplesPerSecond.toFixed(1)} samples/s`);
    }
  };
  const { affinityFile } = await import("../../runtime/run/affinity-file.js");
  try {
    // The runs to compare are read first: a wrong folder fails before hours of training.
    const compared: ComparedRun[] = (options.compare ?? []).map((dir) => ({
      dir,
      phases: readRunHistory(openRun(dir)).phases,
    }));
    const result = await affinityFile({
      file,
      source: read.text,
      ...(options.out === undefined ? {} : { out: options.out }),
      ...(options.tasks === undefined ? {} : { tasks: options.tasks }),
      ...(options.backend === undefined ? {} : { backend: options.backend }),
      ...(options.threads === undefined ? {} : { threads: options.threads }),
      ...(options.epochs === undefined ? {} : { epochs: options.epochs }),
      ...(options.seed === undefined ? {} : { seed: options.seed }),
      ...(options.trainLimit === undefined ? {} : { trainLimit: options.trainLimit }),
      ...(options.partitionEpoch === undefined ? {} : { partitionEpoch: options.partitionEpoch }),
      ...(options.through === undefined ? {} : { through: options.through }),
      onRun: (tasks, index, total, reused) => {
        label = tasks.join("+");
        say(
          `[${index}/${total}] ${tasks.length === 1 ? `${label} alone` : label}${reused ? ": finished before, read back" : ""}`,
        );
      },
      onEvent,
      // trainFile's own lines (backend, data) once per training are noise here; warnings still show.
      log: (text) => {
        if (text.startsWith("warning:")) say(text);
      },
    });
    if (!result.ok) {
      for (const d of result.diagnostics) ctx.stderr.write(renderDiagnostic(d, read.text, file, { color }) + "\n\n");
      return EXIT.problems;
    }
    const comparisons = compared.map((run) => ({
      dir: run.dir,
      sets: compareWithGroundTruth(run.phases, result.transfer, result.through),
    }));
    if (options.json) {
      const { ok: _ok, ...rest } = result;
      const out = options.compare === undefined ? rest : { ...rest, comparisons };
      ctx.stdout.write(JSON.stringify(out, null, 2) + "\n");
    } else {
      ctx.stdout.write(
        `${result.outDir}/affinity.json\n\n` +
          affinityText(result) +
          (comparisons.length === 0 ? "" : "\n" + comparisonText(comparisons)),
      );
    }
    return EXIT.ok;
  } catch (error) {
    const code = reportRuntimeError(ctx, error);
    if (code !== null) return code;
    throw error;
  }
}
