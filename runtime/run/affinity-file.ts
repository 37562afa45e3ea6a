/**
 * `affinityFile`: everything `mtslc affinity` does, as a library function. Trains every task
 * of a file alone and every pair of tasks with hard sharing (the file's backbone, data, budget
 * and seed; no structural learning), each into a run folder of its own under the output folder,
 * and scores the pairwise transfer between the tasks (runtime/eval/affinity.ts).
 *
 * The folder can be resumed: a finished run is read back, not retrained, and an interrupted one
 * continues from its checkpoint. `affinity.json` records the file's text hash and the budget, so
 * a folder made from another file or budget is refused instead of mixed in.
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";

import { baselineDocument, groupedDocument } from "../../compiler/baseline.js";
import { compile } from "../../compiler/compile.js";
import type { Diagnostic } from "../../grammar/diagnostics.js";
import { parse } from "../../grammar/parse.js";
import { print } from "../../grammar/printer.js";
import type { Document } from "../../grammar/ast.js";
import { orderDiagnostics } from "../../compiler/check/diagnostic.js";
import type { BackendPreference } from "../backend/select.js";
import { MtslError } from "../errors.js";
import {
  sharedWithinGroupText,
  bestEpochScores,
  bestPartitions,
  subsetKey,
  taskPairs,
  transferMatrix,
  type PartitionEstimate,
  type TransferMatrix,
} from "../eval/affinity.js";
import { keyMetric, type Scores } from "../eval/gain.js";
import type { MetricName } from "../metrics.js";
import type { TrainEvent } from "../train/trainer.js";
import { AFFINITY_FILE, readMetrics, readRunInfo, runFile, writeJsonFile } from "./folder.js";
import { trainFile } from "./train-file.js";
import { checkOutputFolder, ensureOutputFolder } from "../io/output-path.js";
import { writeFileAtomic } from "../io/atomic.js";

export interface AffinityOptions {
  file: string;
  source?: string;
  /** Output folder; default `runs/NAME-affinity`. */
  out?: string;
  /** Only these tasks (at least two; default every task of the file). */
  tasks?: readonly string[];
  backend?: BackendPreference;
  threads?: number;
  epochs?: number;
  seed?: number;
  trainLimit?: number;
  /**
   * Which transfer the partitions (and the group files) are chosen by: `last`, after the
   * budget's last epoch (default), or `best`, at each run's best validation epoch of each
   * task's key metric (what early stopping would keep; needs a validation split).
   */
  partitionEpoch?: "last" | "best";
  /**
   * A stage of the backbone: each pair shares the stages up to and including it and keeps
   * every later stage per task (the ground truth for MTSL's partial trees, whose decision at
   * a stage is whether to share it on top of the stages before). Default: every stage shared
   * (Standley et al.'s hard sharing). Each pair's file is written as `DIR/pair-A+B.mtsl`.
   */
  through?: string;
  /** Before each training: its task set, 1-based index and the number of trainings. */
  onRun?: (tasks: readonly string[], index: number, total: number, reused: boolean) => void;
  onEvent?: (event: TrainEvent) => void;
  log?: (text: string) => void;
}

/** One training of the affinity study: a task alone or a pair. */
export interface AffinityRun {
  tasks: string[];
  dir: string;
  /** Validation scores after the last epoch (task -> metric -> value); null when the data has no validation split. */
  val: Scores | null;
  /** Each of its tasks' key metric at its best validation epoch; null without a validation split. */
  bestVal: Scores | null;
  test: Scores;
  /** True when the run was finished before and read back. */
  reused: boolean;
}

export interface AffinityResult {
  ok: true;
  outDir: string;
  tasks: string[];
  keys: Record<string, MetricName | null>;
  /** The split the transfer is measured on: validation when every run has one, else test. */
  split: "val" | "test";
  runs: AffinityRun[];
  transfer: TransferMatrix;
  /** The transfer measured on the test split (for reporting; decisions use `split`). */
  testTransfer: TransferMatrix;
  /**
   * The transfer between each run's best validation epoch of each task's key metric (what an
   * early stopping per task would keep), for reporting; null without a validation split. Where
   * it and `transfer` differ in sign, the pair's gain at the budget's end is one network
   * overfitting less, not the partner's help.
   */
  bestEpochTransfer: TransferMatrix | null;
  /** The transfer the partitions were chosen by: `transfer` (last) or `bestEpochTransfer` (best). */
  partitionEpoch: "last" | "best";
  /** The last stage the pairs shared (`--through`); null: every stage (hard sharing). */
  through: string | null;
  /** Index k-1: the best partition into k groups by the pairwise estimate. */
  partitions: (PartitionEstimate | null)[];
  /**
   * Index k-1: the file with that partition as its sharing tree (each group one network, no
   * structural learning), written as `DIR/groups-K.mtsl` to train with `mtslc train`; null
   * where the partition could not be estimated.
   */
  groupFiles: (string | null)[];
}

/** What `affinity.json` records to recognise its own folder. */
interface AffinityIdentity {
  file: string;
  sourceSha256: string;
  tasks: string[];
  epochs: number;
  seed: number;
  trainLimit: number | null;
  through: string | null;
}

export async function affinityFile(
  options: AffinityOptions,
): Promise<AffinityResult | { ok: false; diagnostics: Diagnostic[]; source: string }> {
  const { file } = options;
  const log = options.log ?? (() => undefined);
  const source = options.source ?? readFileSync(file, "utf8");
  const parsed = parse(source, { file });
  if (!parsed.checkable) return { ok: false, diagnostics: parsed.diagnostics, source };
  const compiled = compile(baselineDocument(parsed.document, "one"));
  if (!compiled.ir || parsed.diagnostics.some((d) => d.severity === "error")) {
    return { ok: false, diagnostics: orderDiagnostics([...parsed.diagnostics, ...compiled.diagnostics]), source };
  }
  const ir = compiled.ir;
  const declared = ir.tasks.map((t) => t.name);
  const tasks = options.tasks ? declared.filter((t) => options.tasks!.includes(t)) : declared;
  const unknown = (options.tasks ?? []).filter((t) => !declared.includes(t));
  if (unknown.length > 0) {
    throw new MtslError(
      "MTSL3006",
      `--tasks: ${file} has no task ${unknown.map((t) => `'${t}'`).join(", ")} (its tasks: ${declared.join(", ")})`,
      { file, option: "tasks" },
    );
  }
  if (tasks.length < 2) {
    throw new MtslError(
      "MTSL3006",
      `affinity needs at least two tasks; ${tasks.length === 1 ? "one is" : "none are"} given`,
      {
        file,
        option: "tasks",
      },
    );
  }
  const stages = ir.stages.map((s) => s.name);
  const through = options.through ?? null;
  if (through !== null && !stages.includes(through)) {
    throw new MtslError("MTSL3006", `--through: ${file} has no stage '${through}' (its stages: ${stages.join(", ")})`, {
      file,
      option: "through",
    });
  }
  // Sharing through the last stage is hard sharing: the same study as without --through.
  const partial = through !== null && through !== stages.at(-1) ? through : null;
  const keys: Record<string, MetricName | null> = {};
  for (const t of ir.tasks) if (tasks.includes(t.name)) keys[t.name] = keyMetric(t);

  const outDir = options.out ?? join("runs", `${basename(file).replace(/\.mtsl$/, "")}-affinity`);
  const identity: AffinityIdentity = {
    file,
    sourceSha256: createHash("sha256").update(source).digest("hex"),
    tasks,
    epochs: options.epochs ?? ir.train.epochs,
    seed: options.seed ?? ir.train.seed,
    trainLimit: options.trainLimit ?? null,
    through: partial,
  };
  checkOutputFolder(outDir, "-o");
  checkIdentity(outDir, identity);
  ensureOutputFolder(outDir, "-o");
  writeJsonFile(join(outDir, AFFINITY_FILE), { ...identity, finished: false });

  const subsets: string[][] = [...tasks.map((t) => [t]), ...taskPairs(tasks)];
  const runs: AffinityRun[] = [];
  for (const [i, subset] of subsets.entries()) {
    const dir = join(outDir, subset.length === 1 ? `alone-${subsetKey(subset)}` : `pair-${subsetKey(subset)}`);
    const done = finishedRun(dir, subset, keys);
    options.onRun?.(subset, i + 1, subsets.length, done !== null);
    if (done) {
      runs.push({ tasks: subset, dir, ...done, reused: true });
      continue;
    }
    log(`training ${subset.join(" + ")} (${i + 1}/${subsets.length}) into ${dir}`);
    // The sub-run folders are the study's own: continue one with a checkpoint, start the others afresh.
    const resume = existsSync(runFile(dir, "checkpoint"));
    // A pair sharing only some stages trains its own file (written beside its folder); a task
    // alone, and a pair under hard sharing, is the file's hard-sharing baseline of those tasks.
    const pairFile =
      subset.length === 2 && partial !== null ? writePairFile(outDir, parsed.document, subset, partial, file) : null;
    const result = await trainFile({
      ...(pairFile === null
        ? { file, source, baseline: "one" as const, tasks: subset }
        : { file: pairFile, source: readFileSync(pairFile, "utf8") }),
      out: dir,
      resume,
      force: !resume,
      finishedIsOk: true,
      ...(options.backend === undefined ? {} : { backend: options.backend }),
      ...(options.threads === undefined ? {} : { threads: options.threads }),
      ...(options.epochs === undefined ? {} : { epochs: options.epochs }),
      ...(options.seed === undefined ? {} : { seed: options.seed }),
      ...(options.trainLimit === undefined ? {} : { trainLimit: options.trainLimit }),
      ...(options.onEvent ? { onEvent: options.onEvent } : {}),
      log,
    });
    if (!result.ok) return { ok: false, diagnostics: result.diagnostics, source: result.source };
    runs.push({
      tasks: subset,
      dir,
      val: result.records.at(-1)?.val ?? null,
      bestVal: bestValOf(result.records, keys),
      test: result.test,
      reused: false,
    });
  }

  const split = runs.every((r) => r.val !== null) ? "val" : "test";
  const scoresOf = (r: AffinityRun): Scores => (split === "val" ? r.val! : r.test);
  const alone = (pick: (r: AffinityRun) => Scores): Scores =>
    Object.fromEntries(runs.filter((r) => r.tasks.length === 1).map((r) => [r.tasks[0]!, pick(r)[r.tasks[0]!] ?? {}]));
  const pairs = (pick: (r: AffinityRun) => Scores): Record<string, Scores> =>
    Object.fromEntries(runs.filter((r) => r.tasks.length === 2).map((r) => [subsetKey(r.tasks), pick(r)]));
  const transfer = transferMatrix(tasks, keys, alone(scoresOf), pairs(scoresOf));
  const testTransfer = transferMatrix(
    tasks,
    keys,
    alone((r) => r.test),
    pairs((r) => r.test),
  );
  const bestEpochTransfer =
    split === "val"
      ? transferMatrix(
          tasks,
          keys,
          alone((r) => r.bestVal ?? {}),
          pairs((r) => r.bestVal ?? {}),
        )
      : null;
  const partitionEpoch = options.partitionEpoch ?? "last";
  if (partitionEpoch === "best" && bestEpochTransfer === null) {
    throw new MtslError(
      "MTSL3006",
      `--partition-epoch best needs validation scores, and the data of ${file} has no validation split`,
      { file, option: "partition-epoch" },
    );
  }
  const partitions = bestPartitions(tasks, partitionEpoch === "best" ? bestEpochTransfer! : transfer);
  const groupFiles = partitions.map((p) =>
    p ? writeGroupFile(outDir, parsed.document, p.groups, file, partitionEpoch, partial) : null,
  );
  const result: AffinityResult = {
    ok: true,
    outDir,
    tasks,
    keys,
    split,
    runs,
    transfer,
    testTransfer,
    bestEpochTransfer,
    partitionEpoch,
    through: partial,
    partitions,
    groupFiles,
  };
  writeJsonFile(join(outDir, AFFINITY_FILE), {
    ...identity,
    finished: true,
    keys,
    split,
    transfer,
    testTransfer,
    bestEpochTransfer,
    partitionEpoch,
    partitions,
    groupFiles: groupFiles.map((f) => (f === null ? null : basename(f))),
    runs: runs.map((r) => ({ tasks: r.tasks, dir: basename(r.dir), val: r.val, bestVal: r.bestVal, test: r.test })),
  });
  return result;
}

/**
 * Writes `DIR/groups-K.mtsl`: the file with `groups` as its sharing tree, every stage shared
 * within each group, no structural learning (the tree the ground truth suggests, for
 * `mtslc train`). A data folder in the file stays relative to the working directory, as in
 * the file itself.
 */
function writeGroupFile(
  outDir: string,
  document: Document,
  groups: readonly string[][],
  file: string,
  epoch: "last" | "best",
  through: string | null,
): string {
  const path = join(outDir, `groups-${groups.length}.mtsl`);
  const header =
    `// ${basename(file)} with the best partition into ${groups.length} group${groups.length === 1 ? "" : "s"} ` +
    `by the pairwise ground truth of \`mtslc affinity\` (${outDir}/affinity.json` +
    `${epoch === "best" ? ", transfer at each run's best validation epoch" : ""}):\n` +
    `// ${groups.map((g) => `{${g.join(" ")}}`).join(" ")}, ${sharedWithinGroupText(through)}, no structural learning.\n`;
  writeFileAtomic(
    path,
    header + print(groupedDocument(document, groups, `groups${groups.length}`, through ?? undefined)),
  );
  return path;
}

/**
 * Writes `DIR/pair-A+B.mtsl`: the file with only tasks A and B, sharing the stages through
 * `through` and one network per task after it, no structural learning; returns its path.
 */
function writePairFile(
  outDir: string,
  document: Document,
  pair: readonly string[],
  through: string,
  file: string,
): string {
  const path = join(outDir, `pair-${subsetKey(pair)}.mtsl`);
  const header =
    `// ${basename(file)}: tasks ${pair.join(" and ")} sharing the stages through ${through}, ` +
    `one network per task after it (\`mtslc affinity --through ${through}\`).\n`;
  writeFileAtomic(path, header + print(groupedDocument(document, [pair], "pair", through)));
  return path;
}

/** Refuses a folder that holds an affinity study of another file, task set or budget. */
function checkIdentity(outDir: string, identity: AffinityIdentity): void {
  const path = join(outDir, AFFINITY_FILE);
  if (!existsSync(path)) return;
  let recorded: Partial<AffinityIdentity>;
  try {
    recorded = JSON.parse(readFileSync(path, "utf8")) as Partial<AffinityIdentity>;
  } catch {
    throw new MtslError("MTSL3202", `${path} is not readable; choose another output folder`, { file: path });
  }
  // A study from before --through existed shared every stage.
  const normalised = { ...recorded, through: recorded.through ?? null };
  const differs = (Object.keys(identity) as (keyof AffinityIdentity)[]).filter(
    (k) => k !== "file" && JSON.stringify(normalised[k]) !== JSON.stringify(identity[k]),
  );
  if (differs.length > 0) {
    throw new MtslError(
      "MTSL3202",
      `${outDir} holds an affinity study of another ${differs.map((k) => (k === "sourceSha256" ? "file text" : k === "through" ? "--through stage" : k)).join(", ")}; ` +
        `choose another output folder (-o) or remove it`,
      { file: outDir },
    );
  }
}

/** The scores of a finished run of exactly `tasks` in `dir`, or null (absent, unfinished or another task set). */
function finishedRun(
  dir: string,
  tasks: readonly string[],
  keys: Record<string, MetricName | null>,
): { val: Scores | null; bestVal: Scores | null; test: Scores } | null {
  const final = runFile(dir, "final");
  if (!existsSync(final) || JSON.stringify(readRunInfo(dir)?.["tasks"]) !== JSON.stringify(tasks)) return null;
  try {
    const { test } = JSON.parse(readFileSync(final, "utf8")) as { test: Scores };
    const epochs = readMetrics(dir);
    return { val: epochs.at(-1)?.val ?? null, bestVal: bestValOf(epochs, keys), test };
  } catch {
    return null;
  }
}

/** The best validation epoch's key metrics of a run's epochs; null when they have no validation scores. */
function bestValOf(epochs: readonly { val?: Scores | null }[], keys: Record<string, MetricName | null>): Scores | null {
  return epochs.some((e) => e.val) ? bestEpochScores(epochs, keys) : null;
}
