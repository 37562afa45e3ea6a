/**
 * `trainFile`: everything `mtslc train` does, as a library function: compile the
 * file (or its baseline), pick a backend, load the data, train (with structural
 * learning when the file asks for it), write the run folder (metrics.jsonl,
 * checkpoints, structure.jsonl, revisions/NNN.mtsl + .ckpt, final.json), and
 * evaluate on the test split. The CLI adds only the terminal output.
 *
 * It lives beside the CLI, above compiler/ and runtime/, because writing
 * revisions prints `.mtsl` text (grammar) from the runtime's IR.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { baselineDocument, type Baseline } from "../compiler/baseline.js";
import { orderDiagnostics } from "../compiler/check/diagnostic.js";
import { compile } from "../compiler/compile.js";
import { partitionsOf } from "../compiler/ir/rebuild.js";
import type { IrModel } from "../compiler/ir/types.js";
import { lift } from "../compiler/lift.js";
import { revisionText, type RevisionInfo } from "../compiler/revision.js";
import type { Document } from "../grammar/ast.js";
import type { Diagnostic } from "../grammar/diagnostics.js";
import { parse } from "../grammar/parse.js";
import { selectBackend, type BackendInfo, type BackendPreference } from "../runtime/backend/select.js";
import { getDataSource } from "../runtime/data/registry.js";
import { MtslError } from "../runtime/errors.js";
import { writeFileAtomic } from "../runtime/io/atomic.js";
import { StructuralLearningHooks, type SlpRecord } from "../runtime/structure/mtsl.js";
import { readCheckpoint } from "../runtime/train/checkpoint.js";
import { evaluateSplit, type SplitScores } from "../runtime/train/evaluate.js";
import { Trainer, type EpochRecord, type TrainEvent } from "../runtime/train/trainer.js";
import { commitFile, ensureRepository } from "./git.js";

export interface TrainFileOptions {
  /** The `.mtsl` file (a revision file with `resume` branches from its checkpoint). */
  file: string;
  /** Its text, when already read. */
  source?: string;
  /** Run folder; default `runs/NAME` (or `RUN/from-NNN` when resuming from a revision). */
  out?: string;
  backend?: BackendPreference;
  resume?: boolean;
  baseline?: Baseline;
  /** Override the file's epoch count. */
  epochs?: number;
  /** Override the training seed (initialisation, data order, structural decisions); the data keeps its own seed. */
  seed?: number;
  /** Use only the first n training samples per epoch. */
  trainLimit?: number;
  /** Commit each revision in the run folder's git repository. */
  git?: boolean;
  onEvent?: (event: TrainEvent) => void;
  /** One-line progress messages (backend, data, revisions written). */
  log?: (text: string) => void;
}

export type TrainFileResult =
  | { ok: false; diagnostics: Diagnostic[]; source: string }
  | {
      ok: true;
      diagnostics: Diagnostic[];
      outDir: string;
      backend: BackendInfo;
      ir: IrModel;
      epochs: number;
      records: EpochRecord[];
      structure: SlpRecord[];
      test: SplitScores;
    };

const pad3 = (n: number): string => String(n).padStart(3, "0");

/** A revision file's checkpoint: `NNN.ckpt` beside `NNN.mtsl`. */
function revisionCheckpoint(file: string): string | null {
  const ckpt = file.replace(/\.mtsl$/, ".ckpt");
  return ckpt !== file && existsSync(ckpt) ? ckpt : null;
}

const samePartitions = (a: IrModel, b: IrModel): boolean =>
  JSON.stringify([...partitionsOf(a)]) === JSON.stringify([...partitionsOf(b)]);

/** `merge dec2 {seg,edge} (CKA 0.91)`: the commit message of a revision. */
export function mergeMessage(record: SlpRecord): string {
  const merges = record.sets.flatMap((set) =>
    set.merged.map((g) => {
      const idx = g.map((t) => set.tasks.indexOf(t));
      const pairs = idx.flatMap((a, i) => idx.slice(i + 1).map((b) => set.similarity[a]![b]!));
      const cka = pairs.reduce((x, y) => x + y, 0) / Math.max(1, pairs.length);
      return `${set.stage} {${g.join(",")}} (CKA ${cka.toFixed(2)})`;
    }),
  );
  return `merge ${merges.join("; ")}`;
}

/** Trains a `.mtsl` file; throws MtslError for runtime problems (data, backend, NaN). */
export async function trainFile(options: TrainFileOptions): Promise<TrainFileResult> {
  const { file } = options;
  const log = options.log ?? (() => undefined);
  const source = options.source ?? readFileSync(file, "utf8");
  const parsed = parse(source, { file });
  if (!parsed.checkable) return { ok: false, diagnostics: parsed.diagnostics, source };
  const document = options.baseline ? baselineDocument(parsed.document, options.baseline) : parsed.document;
  const compiled = compile(document);
  const syntaxErrors = parsed.diagnostics.some((d) => d.severity === "error");
  if (!compiled.ir || syntaxErrors) {
    const diagnostics = orderDiagnostics([...parsed.diagnostics, ...compiled.diagnostics]);
    return { ok: false, diagnostics, source };
  }
  let ir: IrModel = compiled.ir;
  if (options.epochs !== undefined) ir = { ...ir, train: { ...ir.train, epochs: options.epochs } };
  if (options.seed !== undefined) ir = { ...ir, train: { ...ir.train, seed: options.seed } };

  const name =
    basename(file).replace(/\.mtsl$/, "") +
    (options.baseline ? `-${options.baseline}` : "") +
    (options.seed !== undefined ? `-seed${options.seed}` : "");
  // Resuming from a revision file (runs/x/revisions/003.mtsl) branches into runs/x/from-003.
  const fromRevision = options.resume && !options.baseline ? revisionCheckpoint(file) : null;
  const runOfRevision = fromRevision ? dirname(dirname(file)) : null;
  const outDir = options.out ?? (runOfRevision ? join(runOfRevision, `from-${name}`) : join("runs", name));
  // Revisions are printed with the user's original file as the template.
  let template: Document = parsed.document;
  const original = runOfRevision ? join(runOfRevision, "model.mtsl") : null;
  if (original && existsSync(original)) {
    const p = parse(readFileSync(original, "utf8"), { file: original });
    if (!p.diagnostics.some((d) => d.severity === "error")) template = p.document;
  }

  const tf = await import("@tensorflow/tfjs");
  tf.enableProdMode(); // no console banners from the backends; losses are checked by the trainer
  const backend = await selectBackend(options.backend ?? ir.train.backend);
  log(`backend: ${backend.name} (${backend.description}), tfjs ${backend.tfVersion}`);
  const started = performance.now();
  const dataset = await getDataSource(ir.data.name).load(ir.data.options as never, ir.tasks);
  const sizes = dataset.description.sizes;
  log(
    `data: ${ir.data.name} train ${sizes.train}, val ${sizes.val}, test ${sizes.test} (${((performance.now() - started) / 1000).toFixed(1)} s)`,
  );

  mkdirSync(outDir, { recursive: true });
  if (!existsSync(join(outDir, "model.mtsl")))
    copyFileSync(original && existsSync(original) ? original : file, join(outDir, "model.mtsl"));
  const repo = options.git ? ensureRepository(outDir) : null;
  const revisionsDir = join(outDir, "revisions");
  const sl = ir.structuralLearning;
  const writeRevision = (text: string, number: number, message: string, trainer: Trainer): void => {
    mkdirSync(revisionsDir, { recursive: true });
    const path = join(revisionsDir, `${pad3(number)}.mtsl`);
    writeFileAtomic(path, text);
    trainer.saveCheckpoint(join(revisionsDir, `${pad3(number)}.ckpt`));
    log(`wrote ${path}`);
    if (repo) commitFile(repo, path, message);
  };
  const hooks = sl
    ? new StructuralLearningHooks(sl, {
        log,
        ...(options.trainLimit === undefined ? {} : { trainLimit: options.trainLimit }),
        onPhase: () => {
          const lines = hooks!.state.history.map((r) => JSON.stringify(r)).join("\n") + "\n";
          writeFileAtomic(join(outDir, "structure.jsonl"), lines);
        },
        onMerge: (record, trainer) => {
          const number = hooks!.state.history.filter((r) => r.created.length > 0).length;
          const info: RevisionInfo = {
            number,
            epoch: record.epoch,
            phase: record.index,
            phases: sl.atEpochs.length,
            sets: record.sets,
          };
          writeRevision(revisionText(trainer.ir, template, info), number, mergeMessage(record), trainer);
          // The next revision splits this one's sharing rows, so each merge rewrites only its own row.
          template = lift(trainer.ir, template);
        },
      })
    : undefined;
  const runInfo = {
    file,
    baseline: options.baseline ?? null,
    backend: backend.name,
    tfjs: backend.tfVersion,
    node: process.version,
    seed: ir.train.seed,
  };
  writeFileAtomic(join(outDir, "run.json"), JSON.stringify(runInfo, null, 2) + "\n");

  const trainer = new Trainer(ir, {
    outDir,
    dataset,
    backend: backend.name,
    resume: options.resume === true && !fromRevision,
    ...(hooks ? { hooks } : {}),
    ...(options.trainLimit === undefined ? {} : { trainLimit: options.trainLimit }),
    ...(options.onEvent ? { onEvent: options.onEvent } : {}),
  });
  try {
    if (fromRevision) {
      const ckpt = readCheckpoint(fromRevision);
      if (!samePartitions(ckpt.ir, ir)) {
        throw new MtslError(
          "MTSL3202",
          `${file} no longer matches its checkpoint ${fromRevision}: its sharing tree was edited`,
          { file },
        );
      }
      trainer.resume(fromRevision, ir);
      log(`resuming from revision ${file} (after epoch ${trainer.epoch}) into ${outDir}`);
    } else if (sl && !(options.resume && existsSync(join(outDir, "checkpoint.ckpt")))) {
      const info: RevisionInfo = { number: 0, epoch: 0, phase: 0, phases: sl.atEpochs.length, sets: [] };
      writeRevision(revisionText(ir, template, info), 0, `mtsl: start ${name}`, trainer);
    }
    await trainer.run();
    const test = evaluateSplit(trainer.ir, trainer.store, dataset, "test", trainer.tasks, {
      batch: Math.max(32, ir.train.batch),
    });
    writeFileAtomic(join(outDir, "final.json"), JSON.stringify({ epoch: trainer.epoch, test }, null, 2) + "\n");
    return {
      ok: true,
      diagnostics: compiled.diagnostics,
      outDir,
      backend,
      ir: trainer.ir,
      epochs: trainer.epoch,
      records: [...trainer.records],
      structure: hooks ? [...hooks.state.history] : [],
      test,
    };
  } finally {
    trainer.dispose();
  }
}
