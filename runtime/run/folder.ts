/**
 * The run folder of `mtslc train`, read and written here only: its layout
 * ({@link RUN_FILES}, {@link revisionPaths}), its JSON files, and reading a run
 * back: its final IR (from the checkpoint header, without loading the weights),
 * what kind of run it is, and its history (metrics, structure log, revisions,
 * final scores). A missing or foreign folder is MTSL3202. Every write is atomic.
 * `mtslc report` also reads the run folder of the PyTorch export's train.py
 * ({@link OpenRunOptions}).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { writeFileAtomic } from "../io/atomic.js";
import { IrFormatError, irFromJson } from "../../compiler/ir/json.js";
import type { IrModel } from "../../compiler/ir/types.js";
import { MtslError } from "../errors.js";
import type { SlpRecord } from "../structure/mtsl.js";
import { readCheckpointHeader } from "../train/checkpoint.js";
import type { EpochRecord, TimingRecord } from "../train/trainer.js";

/** The files of a run folder. */
export const RUN_FILES = {
  /** The latest checkpoint: IR, epoch, weights, optimiser and structural-learning state. */
  checkpoint: "checkpoint.ckpt",
  /** One JSON line per epoch: losses, metrics, learning rate. */
  metrics: "metrics.jsonl",
  /**
   * One JSON line per epoch and per structural-learning phase: how long it took. With run.json
   * (who trained the folder, when, with what), the only run files that depend on the machine
   * and its load: every other one is the same bytes for the same file, seed, backend and
   * threads, whether or not the run was killed and resumed.
   */
  timing: "timing.jsonl",
  /** One JSON line per structural-learning phase. */
  structure: "structure.jsonl",
  /** How the run was made: file, baseline, backend, versions, seed. */
  info: "run.json",
  /** Test scores after the last epoch. */
  final: "final.json",
  /** The user's file as training started. */
  model: "model.mtsl",
  /** The IR the run is at. */
  ir: "model.ir.json",
  /**
   * The architecture the run is at: the latest revision's text, rewritten in place at every
   * merge. `mtslc train --git` commits this one file, so `git log -p` shows each merge as a
   * change of it.
   */
  tree: "tree.mtsl",
  /** revisions/NNN.mtsl and NNN.ckpt, one pair per merge (000 is the start). */
  revisions: "revisions",
  /** Scores of `mtslc eval`. */
  eval: "eval.json",
  /** The run folder of `train { pretrain: N }`'s hard-shared network. */
  pretrain: "pretrain",
} as const;

/** `mtslc affinity`'s record in its output folder (a folder of runs: alone-TASK, pair-A+B). */
export const AFFINITY_FILE = "affinity.json";

/** The path of one of a run's files. */
export const runFile = (dir: string, file: keyof typeof RUN_FILES): string => join(dir, RUN_FILES[file]);

/** The revision file and its checkpoint: `revisions/NNN.mtsl` and `revisions/NNN.ckpt`. */
export function revisionPaths(dir: string, number: number): { mtsl: string; ckpt: string } {
  const base = join(dir, RUN_FILES.revisions, String(number).padStart(3, "0"));
  return { mtsl: `${base}.mtsl`, ckpt: `${base}.ckpt` };
}

/**
 * When `file` is a revision of a run (`RUN/revisions/NNN.mtsl` beside its
 * `NNN.ckpt`), the run folder and that checkpoint; else null.
 */
export function revisionOf(file: string): { run: string; checkpoint: string } | null {
  if (!/\.mtsl$/.test(file)) return null;
  const checkpoint = file.replace(/\.mtsl$/, ".ckpt");
  if (!existsSync(checkpoint)) return null;
  return { run: dirname(dirname(file)), checkpoint };
}

/** Writes `value` as indented JSON, atomically, creating the folder. */
export function writeJsonFile(path: string, value: unknown): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileAtomic(path, JSON.stringify(value, null, 2) + "\n");
}

/** Writes JSON lines (one record per line), atomically. */
export function writeJsonLines(path: string, records: readonly unknown[]): void {
  writeFileAtomic(path, records.map((r) => JSON.stringify(r)).join("\n") + (records.length > 0 ? "\n" : ""));
}

/** What trained a run: structural learning, a baseline of `mtslc train --baseline`, or a fixed tree. */
export type RunKind = "mtsl" | "stl" | "one" | "fixed";

/**
 * What trained a run folder: `mtslc train` (checkpoint.ckpt), or the PyTorch export's train.py
 * (runtime/pytorch/train.py: run.json's `"trainer": "pytorch"`, model.ir.json, checkpoint.pt,
 * metrics.jsonl with losses only, no final.json).
 */
export type RunTrainer = "mtsl" | "pytorch";

/** The PyTorch export's train.py's checkpoint (PyTorch's own format, not mtsl's). */
export const PYTORCH_CHECKPOINT = "checkpoint.pt";

export interface RunFolder {
  dir: string;
  trainer: RunTrainer;
  /** The model name in the IR. */
  name: string;
  kind: RunKind;
  /** The architecture the run ended with. */
  ir: IrModel;
  /** Epochs completed. */
  epoch: number;
  /** checkpoint.ckpt; for a PyTorch run, its checkpoint.pt (which mtsl does not read). */
  checkpoint: string;
  /** run.json, when present. */
  info: Record<string, unknown> | null;
}

function readJson(path: string): Record<string, unknown> | null {
  if (!existsSync(path)) return null;
  try {
    const value = JSON.parse(readFileSync(path, "utf8")) as unknown;
    return value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    throw new MtslError("MTSL3202", "not valid JSON", { file: path });
  }
}

/** A run folder's run.json, or null when it is absent or unreadable (a run being replaced). */
export function readRunInfo(dir: string): Record<string, unknown> | null {
  try {
    return readJson(runFile(dir, "info"));
  } catch {
    return null;
  }
}

export interface OpenRunOptions {
  /**
   * Also open a run folder of the PyTorch export's train.py (what `mtslc report` shows): its IR
   * from model.ir.json, its epochs from metrics.jsonl, the kind `fixed` (train.py learns no
   * structure). Without it such a folder is MTSL3202, saying so.
   */
  pytorch?: boolean;
}

/**
 * Opens a run folder: MTSL3202 when the folder is missing, is not a folder, or
 * has no checkpoint.ckpt of mtsl (not a run of `mtslc train`; a run of the
 * PyTorch export's train.py only with {@link OpenRunOptions.pytorch}).
 */
export function openRun(dir: string, options: OpenRunOptions = {}): RunFolder {
  const abs = resolve(dir);
  if (!existsSync(abs)) throw new MtslError("MTSL3202", "no such run folder", { file: dir });
  if (!statSync(abs).isDirectory())
    throw new MtslError("MTSL3202", "not a folder (give the run folder that mtslc train wrote)", { file: dir });
  const checkpoint = runFile(abs, "checkpoint");
  if (!existsSync(checkpoint) && readRunInfo(abs)?.["trainer"] === "pytorch") {
    if (options.pytorch) return openPytorchRun(dir, abs);
    throw new MtslError(
      "MTSL3202",
      "a run of the PyTorch export's train.py, not of mtslc train: it has no checkpoint.ckpt (mtslc report shows it; load its weights with mtsl_torch.load)",
      { file: dir },
    );
  }
  if (!existsSync(checkpoint)) {
    throw new MtslError(
      "MTSL3202",
      `not a run folder of mtslc train: it has no checkpoint.ckpt (train into it with mtslc train FILE -o ${dir})`,
      { file: dir },
    );
  }
  const { ir, epoch } = readCheckpointHeader(checkpoint);
  const info = readJson(runFile(abs, "info"));
  const baseline = info?.["baseline"];
  const kind: RunKind = baseline === "stl" || baseline === "one" ? baseline : ir.structuralLearning ? "mtsl" : "fixed";
  return { dir: abs, trainer: "mtsl", name: ir.name, kind, ir, epoch, checkpoint, info };
}

/** A run folder of the PyTorch export's train.py (run.json's trainer is "pytorch"). */
function openPytorchRun(dir: string, abs: string): RunFolder {
  const irPath = runFile(abs, "ir");
  if (!existsSync(irPath))
    throw new MtslError("MTSL3202", "a run of the PyTorch export's train.py without its model.ir.json", { file: dir });
  let ir: IrModel;
  try {
    ir = irFromJson(readFileSync(irPath, "utf8"));
  } catch (error) {
    if (!(error instanceof IrFormatError)) throw error;
    throw new MtslError("MTSL3202", `not a readable IR: ${error.message}`, { file: irPath });
  }
  const records = readJsonLines<{ epoch: number }>(runFile(abs, "metrics"));
  return {
    dir: abs,
    trainer: "pytorch",
    name: ir.name,
    kind: "fixed",
    ir,
    epoch: records.at(-1)?.epoch ?? 0,
    checkpoint: join(abs, PYTORCH_CHECKPOINT),
    info: readJson(runFile(abs, "info")),
  };
}

/** True when no stage instance of `ir` serves more than one task (one network per task). */
export function isSingleTaskLayout(ir: IrModel): boolean {
  return ir.instances.every((i) => i.tasks.length === 1);
}

/** One revision of the architecture: `revisions/NNN.mtsl` with its checkpoint's IR. */
export interface Revision {
  number: number;
  mtsl: string;
  ir: IrModel;
  epoch: number;
}

/** Everything a run folder records about its training. */
export interface RunHistory {
  epochs: EpochRecord[];
  phases: SlpRecord[];
  revisions: Revision[];
  /** final.json's test scores. */
  final: { epoch: number; test: Record<string, Record<string, number>> } | null;
}

/** Reads a JSON-lines file (empty when absent); a broken line is MTSL3202 with its line number. */
export function readJsonLines<T>(path: string): T[] {
  if (!existsSync(path)) return [];
  const lines = readFileSync(path, "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "");
  return lines.map((line, i) => {
    try {
      return JSON.parse(line) as T;
    } catch {
      throw new MtslError("MTSL3202", `${path}:${i + 1} is not a JSON line`, { file: path });
    }
  });
}

/** Reads a run's history; absent files give empty parts. */
export function readRunHistory(run: RunFolder): RunHistory {
  const revDir = runFile(run.dir, "revisions");
  const revisions: Revision[] = [];
  if (existsSync(revDir)) {
    for (const file of readdirSync(revDir)
      .filter((f) => /^\d{3,}\.mtsl$/.test(f))
      .sort()) {
      const ckpt = join(revDir, file.replace(/\.mtsl$/, ".ckpt"));
      if (!existsSync(ckpt)) continue;
      const { ir, epoch } = readCheckpointHeader(ckpt);
      revisions.push({ number: Number(file.slice(0, -5)), mtsl: join(revDir, file), ir, epoch });
    }
  }
  const final = readJson(runFile(run.dir, "final")) as RunHistory["final"];
  return {
    epochs: readJsonLines<EpochRecord>(runFile(run.dir, "metrics")),
    phases: readJsonLines<SlpRecord>(runFile(run.dir, "structure")),
    revisions,
    final,
  };
}

/** The epoch records of a run folder (metrics.jsonl). */
export function readMetrics(dir: string): EpochRecord[] {
  return readJsonLines<EpochRecord>(runFile(dir, "metrics"));
}

/** The durations of a run's epochs and phases (timing.jsonl). */
export function readTimings(dir: string): TimingRecord[] {
  return readJsonLines<TimingRecord>(runFile(dir, "timing"));
}

/**
 * The checkpoint a model argument of predict and export names: a run folder's last, a revision
 * file's (`RUN/revisions/NNN.mtsl` -> `NNN.ckpt`), or a checkpoint file itself.
 */
export function checkpointOf(model: string): string {
  if (!existsSync(model))
    throw new MtslError("MTSL3202", "no such run folder, revision or checkpoint", { file: model });
  if (statSync(model).isDirectory()) return openRun(model).checkpoint;
  if (model.endsWith(".ckpt")) return model;
  if (model.endsWith(".mtsl")) {
    const ckpt = model.replace(/\.mtsl$/, ".ckpt");
    if (!existsSync(ckpt)) {
      throw new MtslError(
        "MTSL3202",
        `has no checkpoint beside it (${basename(ckpt)}): give a run folder or a revision file of one (RUN/revisions/NNN.mtsl)`,
        { file: model },
      );
    }
    return ckpt;
  }
  throw new MtslError("MTSL3202", "is not a run folder, a revision file (.mtsl) or a checkpoint (.ckpt)", {
    file: model,
  });
}
