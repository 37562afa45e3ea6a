/**
 * `mtslc affinity FILE`: the pairwise ground truth of which tasks should share
 * (runtime/run/affinity-file.ts): every task alone, every pair with hard sharing, then the
 * transfer matrix and the best partition of the tasks for each number of groups.
 */
import { renderDiagnostic } from "../../grammar/render.js";
import type { BackendPreference } from "../../runtime/backend/select.js";
import type { AffinityResult } from "../../runtime/run/affinity-file.js";
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
}

const signed = (v: number | null | undefined): string => {
  if (v === null || v === undefined) return "n/a";
  const text = v.toFixed(2);
  return Number(text) === 0 ? "0.00" : `${v > 0 ? "+" : ""}${text}`;
};

const groupText = (groups: readonly (readonly string[])[]): string => groups.map((g) => `{${g.join(",")}}`).join(" ");

/** The text the command prints: the transfer matrix and the best partitions. */
export function affinityText(result: AffinityResult): string {
  const { tasks, keys, transfer, split } = result;
  const matrix = formatTable(
    ["task", "key metric", ...tasks.map((t) => `+${t}`)],
    tasks.map((t) => [t, keys[t] ?? "-", ...tasks.map((o) => (o === t ? "" : signed(transfer[t]?.[o])))]),
    ["left", "left", ...tasks.map(() => "right" as const)],
  );
  const best = result.partitions.flatMap((p, i) => (p ? [{ k: i + 1, p }] : []));
  const top = best.reduce<(typeof best)[number] | null>((a, b) => (a === null || b.p.value > a.p.value ? b : a), null);
  const partitions = formatTable(
    ["groups", "partition", "estimated %", "file"],
    best.map(({ k, p }) => [
      String(k),
      groupText(p.groups) + (p === top?.p ? "  (best)" : ""),
      signed(p.value),
      result.groupFiles[k - 1] ?? "-",
    ]),
    ["right", "left", "right", "left"],
  );
  return (
    `transfer on the ${split} split: percent change of each row task's key metric when it is trained with the ` +
    `column's task (hard sharing) instead of alone; positive = the pair helps it\n` +
    matrix +
    `\nbest partition for each number of groups (Standley et al. 2020's pairwise estimate: a task's change in a ` +
    `group = the mean of its pairwise changes there; a task alone = 0; estimated % = the mean over tasks)\n` +
    partitions +
    `\neach file is the model with that partition as its sharing tree (every stage shared within a group, no ` +
    `structural learning): train it with mtslc train FILE\n`
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
    if (options.json) {
      const { ok: _ok, ...rest } = result;
      ctx.stdout.write(JSON.stringify(rest, null, 2) + "\n");
    } else {
      ctx.stdout.write(`${result.outDir}/affinity.json\n\n` + affinityText(result));
    }
    return EXIT.ok;
  } catch (error) {
    const code = reportRuntimeError(ctx, error);
    if (code !== null) return code;
    throw error;
  }
}
