/**
 * `evaluateRun`: a run's final checkpoint (and its baselines') evaluated on a
 * split: every task's metrics, Delta_m against the single-task baselines'
 * own evaluation, robustness under the 15 common corruptions, and model size.
 * The result is the plain JSON written to RUN_DIR/eval.json.
 */
import * as tf from "@tensorflow/tfjs";
import { getDataSource } from "../data/registry.js";
import type { Dataset, SplitName } from "../data/types.js";
import { MtslError } from "../errors.js";
import { WeightStore } from "../model/weights.js";
import { readCheckpoint } from "../train/checkpoint.js";
import { evaluateSplit } from "../train/evaluate.js";
import { bindTask } from "../train/tasks.js";
import { CORRUPTION_NAMES, SEVERITIES, corrupt, type CorruptionName } from "./corruptions.js";
import { DELTA_M_CONVENTION, deltaM, direction, keyMetric, meanScores, type Gain, type Scores } from "./gain.js";
import { isSingleTaskLayout, openRun, type RunFolder, type RunKind } from "../run/folder.js";
import { modelSize, type ModelSize } from "./size.js";

export interface EvaluateRunOptions {
  split?: "test" | "val";
  /** Baseline run folders (single-task ones are the Delta_m reference). */
  baselines?: string[];
  /** Evaluate under corruptions. */
  corruptions?: boolean;
  /** Which corruptions (default all 15) and severities (default 1..5). */
  corruptionNames?: readonly CorruptionName[];
  severities?: readonly number[];
  /** Evaluate only the first `limit` samples of the split. */
  limit?: number;
  /** Evaluation batch size (default 64). */
  batch?: number;
  /** Seed of the corruptions' random draws (default 0). */
  seed?: number;
  /** Called after every evaluated batch: `done` of `total` batches overall. */
  onProgress?(done: number, total: number, what: string): void;
}

export interface TaskResult {
  kind: string;
  key: string | null;
  direction: "higher" | "lower" | null;
  scores: Record<string, number>;
}

export interface Robustness {
  /** task -> corruption -> severity -> key metric. */
  table: Record<string, Record<string, Record<string, number>>>;
  /** task -> the key metric's mean over every corruption and severity. */
  mean: Record<string, number>;
  /** task -> severity -> mean over corruptions. */
  perSeverity: Record<string, Record<string, number>>;
  /** task -> corruption -> mean over severities. */
  perCorruption: Record<string, Record<string, number>>;
  /** Delta_m of the corrupted means against the single-task baseline's corrupted means. */
  deltaM: Gain | null;
}

export interface ModelResult {
  role: "run" | "baseline";
  dir: string;
  name: string;
  kind: RunKind;
  /** The epoch of the checkpoint evaluated, and the epochs the run trains for (more: unfinished). */
  epoch: number;
  epochs: number;
  tasks: Record<string, TaskResult>;
  deltaM: Gain | null;
  robustness: Robustness | null;
  size: ModelSize;
}

export interface EvalReport {
  format: "mtsl-eval";
  version: 1;
  split: SplitName;
  samples: number;
  data: { name: string; options: unknown };
  convention: string;
  /** The single-task baseline runs that Delta_m compares against, and their averaged key scores. */
  reference: { dirs: string[]; scores: Scores } | null;
  /** Why there is no Delta_m, when there is none. */
  note: string | null;
  corruptions: { names: string[]; severities: number[]; seed: number } | null;
  models: ModelResult[];
}

const sameJson = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/** Baselines must be of the same data and input, and share at least one task (MTSL3202 otherwise). */
function checkCompatible(run: RunFolder, other: RunFolder): void {
  if (!sameJson(run.ir.data, other.ir.data) || !sameJson(run.ir.input.shape, other.ir.input.shape)) {
    throw new MtslError(
      "MTSL3202",
      `baseline ${other.dir} was trained on other data (${other.ir.data.name} ${JSON.stringify(other.ir.data.options)}) than ${run.dir} (${run.ir.data.name} ${JSON.stringify(run.ir.data.options)})`,
      { file: other.dir },
    );
  }
  const tasks = new Set(run.ir.tasks.map((t) => t.name));
  const shared = other.ir.tasks.filter((t) => tasks.has(t.name));
  if (shared.length === 0) {
    throw new MtslError("MTSL3202", `baseline ${other.dir} has none of the tasks of ${run.dir}`, { file: other.dir });
  }
  for (const t of shared) {
    const mine = run.ir.tasks.find((x) => x.name === t.name)!;
    if (mine.kind !== t.kind || mine.target !== t.target) {
      throw new MtslError(
        "MTSL3202",
        `baseline ${other.dir}: task '${t.name}' is a ${t.kind} of '${t.target}', not a ${mine.kind} of '${mine.target}'`,
        {
          file: other.dir,
        },
      );
    }
  }
}

/** Evaluates a run folder and its baselines; see {@link EvalReport}. */
export async function evaluateRun(dir: string, options: EvaluateRunOptions = {}): Promise<EvalReport> {
  const split: SplitName = options.split ?? "test";
  const run = openRun(dir);
  const baselines = (options.baselines ?? []).map((d) => openRun(d));
  for (const b of baselines) checkCompatible(run, b);
  const names = options.corruptions ? [...(options.corruptionNames ?? CORRUPTION_NAMES)] : [];
  const severities = options.corruptions ? [...(options.severities ?? SEVERITIES)] : [];
  for (const s of severities) {
    if (!Number.isInteger(s) || s < 1 || s > 5)
      throw new MtslError("MTSL3006", "severities must be whole numbers 1..5", {
        option: "severities",
        found: String(s),
      });
  }
  const seed = options.seed ?? 0;
  const batch = options.batch ?? 64;
  const dataset: Dataset = await getDataSource(run.ir.data.name).load(run.ir.data.options as never, run.ir.tasks);
  const samples = Math.min(dataset.splits[split].size, options.limit ?? Infinity);
  const batchesPerPass = Math.ceil(samples / batch);
  const models = [run, ...baselines];
  const total = models.length * (1 + names.length * severities.length) * batchesPerPass;
  let done = 0;

  const results: ModelResult[] = [];
  const corruptedKeys: Scores[] = [];
  for (const [m, folder] of models.entries()) {
    const ckpt = readCheckpoint(folder.checkpoint);
    const ir = ckpt.ir;
    const store = WeightStore.forIr(ir, ir.train.seed);
    try {
      store.load(ckpt.weights);
      const tasks = ir.tasks.map((t) => bindTask(t, dataset.description));
      const pass = (what: string, transform?: (x: tf.Tensor4D, b: number) => Promise<tf.Tensor4D>): Promise<Scores> =>
        evaluateSplit(ir, store, dataset, split, tasks, {
          batch,
          ...(options.limit === undefined ? {} : { limit: options.limit }),
          ...(transform ? { transformImages: transform } : {}),
          onBatch: () => options.onProgress?.(++done, total, what),
        });
      const label = m === 0 ? "run" : `baseline ${m}`;
      const clean = await pass(`${label}: clean`);
      const taskResults: Record<string, TaskResult> = {};
      for (const t of ir.tasks) {
        const key = keyMetric(t);
        taskResults[t.name] = {
          kind: t.kind,
          key,
          direction: key ? direction(key) : null,
          scores: clean[t.name] ?? {},
        };
      }
      let robustness: Robustness | null = null;
      if (names.length > 0) {
        const table: Robustness["table"] = {};
        for (const name of names) {
          for (const s of severities) {
            const scores = await pass(`${label}: ${name} ${s}`, (x, b) =>
              corrupt(x, name, s, { seed, offset: b * batch }),
            );
            for (const t of ir.tasks) {
              const key = keyMetric(t);
              const v = key ? scores[t.name]?.[key] : undefined;
              if (v === undefined) continue;
              ((table[t.name] ??= {})[name] ??= {})[String(s)] = v;
            }
          }
        }
        const mean: Record<string, number> = {};
        const perSeverity: Robustness["perSeverity"] = {};
        const perCorruption: Robustness["perCorruption"] = {};
        for (const [task, byName] of Object.entries(table)) {
          const all = Object.values(byName).flatMap((bySev) => Object.values(bySev));
          mean[task] = all.reduce((a, b) => a + b, 0) / all.length;
          perCorruption[task] = Object.fromEntries(
            Object.entries(byName).map(([n, bySev]) => {
              const v = Object.values(bySev);
              return [n, v.reduce((a, b) => a + b, 0) / v.length];
            }),
          );
          perSeverity[task] = Object.fromEntries(
            severities.map((s) => {
              const v = Object.values(byName).map((bySev) => bySev[String(s)]!);
              return [String(s), v.reduce((a, b) => a + b, 0) / v.length];
            }),
          );
        }
        robustness = { table, mean, perSeverity, perCorruption, deltaM: null };
        const corrupted: Scores = {};
        for (const t of ir.tasks) {
          const key = keyMetric(t);
          if (key && mean[t.name] !== undefined) corrupted[t.name] = { [key]: mean[t.name]! };
        }
        corruptedKeys.push(corrupted);
      }
      results.push({
        role: m === 0 ? "run" : "baseline",
        dir: folder.dir,
        name: folder.name,
        kind: folder.kind,
        epoch: ckpt.epoch,
        epochs: ckpt.ir.train.epochs,
        tasks: taskResults,
        deltaM: null,
        robustness,
        size: modelSize(ir),
      });
    } finally {
      store.dispose();
    }
  }

  // The Delta_m reference: the single-task baselines' own evaluation (several are averaged, e.g. seeds).
  const singles = results.filter(
    (r, i) => r.role === "baseline" && (r.kind === "stl" || isSingleTaskLayout(models[i]!.ir)),
  );
  const keys = Object.fromEntries(run.ir.tasks.map((t) => [t.name, keyMetric(t)]));
  let reference: EvalReport["reference"] = null;
  let note: string | null = null;
  if (singles.length === 0) {
    note =
      "no Delta_m: give a single-task baseline run with --baseline (train one with mtslc train FILE --baseline stl)";
  } else {
    const scores = meanScores(
      singles.map((r) => Object.fromEntries(Object.entries(r.tasks).map(([t, x]) => [t, x.scores]))),
    );
    reference = { dirs: singles.map((s) => s.dir), scores };
    const corruptedRef = meanScores(
      singles.map((s) => corruptedKeys[results.indexOf(s)]).filter((x): x is Scores => x !== undefined),
    );
    for (const [i, r] of results.entries()) {
      const mine = Object.fromEntries(Object.entries(r.tasks).map(([t, x]) => [t, x.scores]));
      r.deltaM = deltaM(mine, scores, keys);
      if (r.robustness && corruptedKeys[i]) r.robustness.deltaM = deltaM(corruptedKeys[i]!, corruptedRef, keys);
    }
    if (Object.values(keys).every((k) => k === null))
      note = "no Delta_m: no task lists a metric with a known direction";
  }
  return {
    format: "mtsl-eval",
    version: 1,
    split,
    samples,
    data: { name: run.ir.data.name, options: run.ir.data.options },
    convention: DELTA_M_CONVENTION,
    reference,
    note,
    corruptions: names.length > 0 ? { names, severities, seed } : null,
    models: results,
  };
}
