/**
 * Whether `mtslc train` may write into a run folder, decided before anything loads or is
 * written: a folder that holds a run is continued only with `--resume` and replaced only with
 * `--force`; `--resume` refuses a folder with nothing to resume, a run of another model (what
 * differs, in the words of `mtslc diff`), and a finished run unless `--epochs` extends it. A run
 * killed before its first checkpoint resumes from the start; one killed after its last
 * checkpoint, before its test scores, resumes to them. The run's tree.mtsl (its latest
 * revision) resumes it too.
 */
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";

import { trainedDocument, type Baseline } from "../../compiler/baseline.js";
import { compile } from "../../compiler/compile.js";
import { describeDiff, diff } from "../../compiler/diff/index.js";
import type { IrModel } from "../../compiler/ir/types.js";
import { parse } from "../../grammar/parse.js";
import { MtslError } from "../errors.js";
import { readCheckpointHeader } from "../train/checkpoint.js";
import { RUN_FILES, runFile } from "./folder.js";

export interface RunTarget {
  outDir: string;
  /** The file being trained, for messages. */
  file: string;
  resume: boolean;
  force: boolean;
  baseline?: Baseline;
  tasks?: readonly string[];
  /** The file's IR as compiled now (before --epochs and --seed). */
  ir: IrModel;
  /** The epoch count this training runs to (--epochs, else the file's). */
  epochs: number;
  /** Resuming a finished run is allowed (it evaluates again): `mtslc affinity` finishing a study. */
  finishedIsOk?: boolean;
}

/** The run files present in `dir` (names from RUN_FILES, the pretraining folder included). */
export function runFilesIn(dir: string): string[] {
  return Object.values(RUN_FILES).filter((name) => existsSync(join(dir, name)));
}

/**
 * Checks the folder against the request and, with `force`, removes the old run's files (only
 * those: anything else the folder holds stays). Throws MTSL3203 (a run is there), MTSL3202 (no
 * checkpoint to resume, or a run of another model) or MTSL3204 (the run is finished).
 */
export function prepareRunFolder(target: RunTarget): void {
  const { outDir, file } = target;
  const present = runFilesIn(outDir);
  if (!target.resume) {
    if (present.length === 0) return;
    if (!target.force) {
      throw new MtslError(
        "MTSL3203",
        `already holds a run (${present.join(", ")}): add --resume to continue it or --force to replace it, ` +
          `or choose another folder with -o`,
        { file: outDir },
      );
    }
    for (const name of present) rmSync(join(outDir, name), { recursive: true, force: true });
    return;
  }
  const checkpoint = runFile(outDir, "checkpoint");
  const started = runFile(outDir, "model");
  if (!existsSync(checkpoint) && !existsSync(started)) {
    throw new MtslError(
      "MTSL3202",
      `nothing to resume: no ${RUN_FILES.checkpoint} here` +
        (present.length > 0 ? ` (it holds ${present.join(", ")})` : "") +
        `; train without --resume to start a run there`,
      { file: outDir },
    );
  }
  // The run's own latest architecture (its tree.mtsl: what `train --git FILE` writes into FILE)
  // resumes it as well as the file it started from.
  const tree = runFile(outDir, "tree");
  const isTree = existsSync(tree) && existsSync(file) && readFileSync(tree, "utf8") === readFileSync(file, "utf8");
  if (existsSync(started) && !isTree) {
    const before = compiledAs(started, target);
    if (before) {
      const changes = diff(normalised(before), normalised(target.ir));
      if (changes.length > 0) {
        throw new MtslError(
          "MTSL3202",
          `is not the model the run in ${outDir} was trained from (${started}); what differs:\n` +
            indent(describeDiff(changes)) +
            `\ntrain it into another folder, or resume with the run's own file`,
          { file },
        );
      }
    }
  }
  // A run stopped before its first checkpoint (its model.mtsl is there) starts again from epoch 0.
  if (!existsSync(checkpoint)) return;
  const { epoch } = readCheckpointHeader(checkpoint);
  // Finished means tested: a run stopped after its last checkpoint, before final.json, resumes
  // to its test scores.
  if (epoch >= target.epochs && existsSync(runFile(outDir, "final")) && !target.finishedIsOk) {
    throw new MtslError(
      "MTSL3204",
      `the run is finished (epoch ${epoch} of ${target.epochs}): nothing to resume; ` +
        `--epochs ${epoch + 1} or more trains it on`,
      { file: outDir },
    );
  }
}

/** The IR of the run's own file, transformed as this training is (baseline, task subset); null when it does not compile. */
function compiledAs(path: string, target: RunTarget): IrModel | null {
  const parsed = parse(readFileSync(path, "utf8"), { file: path });
  if (!parsed.checkable) return null;
  return compile(trainedDocument(parsed.document, target.baseline, target.tasks)).ir ?? null;
}

/** The IR with what a resume may change left out: the epoch count (extending a run is allowed). */
function normalised(ir: IrModel): IrModel {
  return { ...ir, train: { ...ir.train, epochs: 0 } };
}

function indent(text: string): string {
  return text
    .trimEnd()
    .split("\n")
    .map((l) => `  ${l}`)
    .join("\n");
}
