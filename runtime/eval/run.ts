/**
 * Reading a run folder written by `mtslc train`: its final IR (from the
 * checkpoint header, without loading the weights), what kind of run it is, and
 * its history (metrics.jsonl, structure.jsonl, revisions, final.json,
 * eval.json). A missing or foreign folder is MTSL3202.
 */
import { closeSync, existsSync, openSync, readdirSync, readFileSync, readSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import type { IrModel } from "../../compiler/ir/types.js";
import { MtslError } from "../errors.js";
import type { SlpRecord } from "../structure/mtsl.js";
import type { EpochRecord } from "../train/trainer.js";

/** What trained a run: structural learning, a baseline of `mtslc train --baseline`, or a fixed tree. */
export type RunKind = "mtsl" | "stl" | "one" | "fixed";

export interface RunFolder {
  dir: string;
  /** The model name in the IR. */
  name: string;
  kind: RunKind;
  /** The architecture the run ended with. */
  ir: IrModel;
  /** Epochs completed. */
  epoch: number;
  checkpoint: string;
  /** run.json, when present. */
  info: Record<string, unknown> | null;
}

const MAGIC = "MTSLCKPT";

/** The JSON header of a checkpoint (IR and epoch) without reading its weights. */
export function readCheckpointHeader(path: string): { ir: IrModel; epoch: number } {
  const foreign = (why: string): MtslError =>
    new MtslError("MTSL3202", `not an mtsl checkpoint (${why})`, { file: path });
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch {
    throw new MtslError("MTSL3202", "no checkpoint here", { file: path });
  }
  try {
    const head = Buffer.alloc(12);
    if (readSync(fd, head, 0, 12, 0) < 12 || head.subarray(0, 8).toString("ascii") !== MAGIC)
      throw foreign("bad magic");
    const length = head.readUInt32LE(8);
    if (length > statSync(path).size - 12) throw foreign("truncated header");
    const json = Buffer.alloc(length);
    readSync(fd, json, 0, length, 12);
    let header: { format?: string; ir?: IrModel; epoch?: number };
    try {
      header = JSON.parse(json.toString("utf8")) as typeof header;
    } catch {
      throw foreign("corrupt header");
    }
    if (header.format !== "mtsl-checkpoint" || !header.ir || typeof header.epoch !== "number")
      throw foreign("unknown header");
    return { ir: header.ir, epoch: header.epoch };
  } finally {
    closeSync(fd);
  }
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

/**
 * Opens a run folder: MTSL3202 when the folder is missing, is not a folder, or
 * has no checkpoint.ckpt of mtsl (not a run of `mtslc train`).
 */
export function openRun(dir: string): RunFolder {
  const abs = resolve(dir);
  if (!existsSync(abs)) throw new MtslError("MTSL3202", "no such run folder", { file: dir });
  if (!statSync(abs).isDirectory())
    throw new MtslError("MTSL3202", "not a folder (give the run folder that mtslc train wrote)", { file: dir });
  const checkpoint = join(abs, "checkpoint.ckpt");
  if (!existsSync(checkpoint)) {
    throw new MtslError(
      "MTSL3202",
      `not a run folder of mtslc train: it has no checkpoint.ckpt (train into it with mtslc train FILE -o ${dir})`,
      { file: dir },
    );
  }
  const { ir, epoch } = readCheckpointHeader(checkpoint);
  const info = readJson(join(abs, "run.json"));
  const baseline = info?.["baseline"];
  const kind: RunKind = baseline === "stl" || baseline === "one" ? baseline : ir.structuralLearning ? "mtsl" : "fixed";
  return { dir: abs, name: ir.name, kind, ir, epoch, checkpoint, info };
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

function readJsonLines<T>(path: string): T[] {
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
  const revDir = join(run.dir, "revisions");
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
  const final = readJson(join(run.dir, "final.json")) as RunHistory["final"];
  return {
    epochs: readJsonLines<EpochRecord>(join(run.dir, "metrics.jsonl")),
    phases: readJsonLines<SlpRecord>(join(run.dir, "structure.jsonl")),
    revisions,
    final,
  };
}
