/**
 * `trainFile`: everything `mtslc train` does, as a library function (exported
 * as `train`): compile the file (or its baseline), pick a backend, load the
 * data, train (with structural learning when the file asks for it), write the
 * run folder (runtime/run/folder.ts: metrics, checkpoints, structure log,
 * revisions, final scores) and evaluate on the test split. The CLI adds only
 * the terminal output and, with `--git`, a commit per revision (`onRevision`).
 */
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { trainedDocument, type Baseline } from "../../compiler/baseline.js";
import { orderDiagnostics } from "../../compiler/check/diagnostic.js";
import { compile } from "../../compiler/compile.js";
import { sameSharingTree } from "../../compiler/ir/sharing-tree.js";
import type { IrModel } from "../../compiler/ir/types.js";
import { lift, liftTemplate, type LiftTemplate } from "../../compiler/lift.js";
import { revisionFileText, revisionText, type RevisionInfo } from "../../compiler/revision.js";
import type { Diagnostic } from "../../grammar/diagnostics.js";
import { parse } from "../../grammar/parse.js";
import { selectBackend, type BackendInfo, type BackendPreference } from "../backend/select.js";
import { getDataSource } from "../data/registry.js";
import { MtslError } from "../errors.js";
import { asWasmAbort } from "../backend/wasm-abort.js";
import { removeStaleTemporaries, writeFileAtomic } from "../io/atomic.js";
import { StructuralLearningHooks, type SlpRecord } from "../structure/mtsl.js";
import { readCheckpoint, readCheckpointHeader } from "../train/checkpoint.js";
import { evaluateSplit, type SplitScores } from "../train/evaluate.js";
import { Trainer, type EpochRecord, type TrainEvent } from "../train/trainer.js";
import { pretrainedStarts } from "./pretrain.js";
import { warmStartValues } from "./warm-start.js";
import type { StartValues } from "../model/weights.js";
import { prepareRunFolder } from "./run-target.js";
import { checkOutputFolder, ensureOutputFolder } from "../io/output-path.js";
import { readRunInfo, revisionOf, revisionPaths, RUN_FILES, runFile, writeJsonFile, writeJsonLines } from "./folder.js";

export interface TrainFileOptions {
  /** The `.mtsl` file (a revision file with `resume` branches from its checkpoint). */
  file: string;
  /** Its text, when already read. */
  source?: string;
  /** Run folder; default `runs/NAME` (or `RUN/from-NNN` when resuming from a revision). */
  out?: string;
  backend?: BackendPreference;
  /**
   * Threads to compute with (onednn; see BackendOptions). Default: MTSL_ONEDNN_THREADS, or,
   * when resuming, the count the run recorded in run.json, else every core.
   */
  threads?: number;
  resume?: boolean;
  /** Replace the run an existing folder holds (its run files only). */
  force?: boolean;
  /** With `resume`: a finished run is evaluated again instead of refused (`mtslc affinity`). */
  finishedIsOk?: boolean;
  baseline?: Baseline;
  /** With `baseline`: train only these of the file's tasks (`mtslc affinity`). */
  tasks?: readonly string[];
  /** Override the file's epoch count. */
  epochs?: number;
  /** Override the training seed (initialisation, data order, structural decisions); the data keeps its own seed. */
  seed?: number;
  /** Use only the first n training samples per epoch. */
  trainLimit?: number;
  /** Who started this training, for run.json's history (the CLI gives its command line and version). */
  invocation?: { command: readonly string[]; mtsl: string };
  /** Called after each revision file is written (`mtslc train --git` commits it). */
  onRevision?: (revision: WrittenRevision) => void;
  onEvent?: (event: TrainEvent) => void;
  /** One-line progress messages (backend, data, revisions written). */
  log?: (text: string) => void;
}

/** A revision just written into the run folder. */
export interface WrittenRevision {
  readonly outDir: string;
  readonly number: number;
  /** revisions/NNN.mtsl */
  readonly path: string;
  /** RUN/tree.mtsl, the same text, rewritten in place at every revision. */
  readonly tree: string;
  /** `mtsl: start NAME`, or the merges in words (`merge dec2 {seg,edge} (CKA 0.91)`). */
  readonly message: string;
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

/** `merge dec2 {seg,edge} (CKA 0.91)`: the commit message of a revision. */
export function mergeMessage(record: SlpRecord): string {
  const merges = record.sets.flatMap((set) =>
    set.merged.map((g) => {
      const idx = g.map((t) => set.tasks.indexOf(t));
      const pairs = idx.flatMap((a, i) => idx.slice(i + 1).map((b) => set.similarity[a]![b]!));
      const cka = pairs.reduce((x, y) => x + y, 0) / Math.max(1, pairs.length);
      return `${set.stage} {${g.join(",")}} (${set.exact ? "parameter-free" : `CKA ${cka.toFixed(2)}`})`;
    }),
  );
  return `merge ${merges.join("; ")}`;
}

/**
 * The template revision `upTo` was lifted against the one before it: revisions 1..upTo
 * replayed from `start` (the user's file), each from its checkpoint's IR, found in the first
 * of `folders` that has it (a branch's own revisions, then its run's).
 */
function templateAfter(
  upTo: number,
  start: LiftTemplate,
  folders: readonly (string | null)[],
  asFile: (ir: IrModel) => IrModel,
): LiftTemplate {
  let template = start;
  for (let k = 1; k <= upTo; k++) {
    const paths = folders.flatMap((f) => (f === null ? [] : [revisionPaths(f, k).ckpt]));
    const path = paths.find((p) => existsSync(p));
    if (path === undefined)
      throw new MtslError("MTSL3202", `revision ${k} of the run is missing (${paths.join(", ")})`);
    template = liftTemplate(lift(asFile(readCheckpointHeader(path).ir), template));
  }
  return template;
}

/** `train { warm_start }`: the start values from another run, said in one line. */
function warmStart(path: string, ir: IrModel, log: (text: string) => void): StartValues {
  const w = warmStartValues(path, ir);
  log(
    `warm start from ${w.checkpoint}: ${w.served.length} stage instances and heads` +
      (w.missing.length > 0 ? `; not in it, so drawn as always: ${w.missing.join(", ")}` : ""),
  );
  return w.starts;
}

/** The thread count a run folder's run.json records, if any. */
function recordedThreadCount(outDir: string): number | undefined {
  const threads = readRunInfo(outDir)?.["threads"];
  return typeof threads === "number" && Number.isInteger(threads) && threads >= 1 ? threads : undefined;
}

/** Trains a `.mtsl` file; throws MtslError for runtime problems (data, backend, NaN). */
export async function trainFile(options: TrainFileOptions): Promise<TrainFileResult> {
  const { file } = options;
  const log = options.log ?? (() => undefined);
  const source = options.source ?? readFileSync(file, "utf8");
  const parsed = parse(source, { file });
  if (!parsed.checkable) return { ok: false, diagnostics: parsed.diagnostics, source };
  const document = trainedDocument(parsed.document, options.baseline, options.tasks);
  const compiled = compile(document);
  const syntaxErrors = parsed.diagnostics.some((d) => d.severity === "error");
  if (!compiled.ir || syntaxErrors) {
    const diagnostics = orderDiagnostics([...parsed.diagnostics, ...compiled.diagnostics]);
    return { ok: false, diagnostics, source };
  }
  let ir: IrModel = compiled.ir;
  // Revisions print the file's own epoch count and seed: --epochs and --seed are settings of
  // this invocation (run.json records them), and a revision must compile as the file does
  // (`--epochs 2` with phases scheduled after epoch 3 would not).
  const fileTrain = compiled.ir.train;
  const asFile = (at: IrModel): IrModel => ({
    ...at,
    train: { ...at.train, epochs: fileTrain.epochs, seed: fileTrain.seed },
  });
  if (options.epochs !== undefined) ir = { ...ir, train: { ...ir.train, epochs: options.epochs } };
  if (options.seed !== undefined) ir = { ...ir, train: { ...ir.train, seed: options.seed } };

  const name =
    basename(file).replace(/\.mtsl$/, "") +
    (options.baseline ? `-${options.baseline}` : "") +
    (options.seed !== undefined ? `-seed${options.seed}` : "");
  // Resuming from a revision file (runs/x/revisions/003.mtsl) branches into runs/x/from-003.
  const revision = options.resume && !options.baseline ? revisionOf(file) : null;
  const fromRevision = revision?.checkpoint ?? null;
  const runOfRevision = revision?.run ?? null;
  const outDir = options.out ?? (runOfRevision ? join(runOfRevision, `from-${name}`) : join("runs", name));
  // Revisions are printed with the user's original file as the template.
  // (compiled once: the file's own IR is the one just compiled, unless a baseline replaced it).
  let start: LiftTemplate = options.baseline
    ? liftTemplate(parsed.document)
    : { kind: "LiftTemplate", document: parsed.document, ir: compiled.ir };
  // A branch, and a resume, print against the file the run started from (a resume may be given
  // the run's tree.mtsl instead: `train --git FILE` rewrites FILE with each revision).
  const original = runOfRevision
    ? runFile(runOfRevision, "model")
    : options.resume && !options.baseline
      ? runFile(outDir, "model")
      : null;
  if (original && existsSync(original)) {
    const p = parse(readFileSync(original, "utf8"), { file: original });
    if (!p.diagnostics.some((d) => d.severity === "error")) start = liftTemplate(p.document);
  }
  // Each revision is lifted against the one before it (so a merge rewrites only its own row):
  // `template` is revision `templateNumber`'s document.
  let template = start;
  let templateNumber = 0;

  // Before anything loads or is written: can this folder be written, and may it be trained into?
  checkOutputFolder(outDir, "-o");
  if (!fromRevision) {
    prepareRunFolder({
      outDir,
      file,
      resume: options.resume === true,
      force: options.force === true,
      ...(options.baseline ? { baseline: options.baseline } : {}),
      ...(options.tasks ? { tasks: options.tasks } : {}),
      ir: compiled.ir,
      epochs: ir.train.epochs,
      ...(options.finishedIsOk ? { finishedIsOk: true } : {}),
    });
  }
  const tf = await import("@tensorflow/tfjs");
  tf.enableProdMode(); // no console banners from the backends; losses are checked by the trainer
  // A resumed run keeps the thread count it was trained with (a different count can change
  // the last bits of reductions), unless a flag or MTSL_ONEDNN_THREADS says otherwise.
  const recordedThreads = options.resume ? recordedThreadCount(runOfRevision ?? outDir) : undefined;
  const threadsFromEnv = (process.env["MTSL_ONEDNN_THREADS"] ?? "") !== "";
  const threads = options.threads ?? (threadsFromEnv ? undefined : recordedThreads);
  const backend = await selectBackend(options.backend ?? ir.train.backend, threads === undefined ? {} : { threads });
  log(`backend: ${backend.name} (${backend.description}), tfjs ${backend.tfVersion}`);
  if (options.threads !== undefined && backend.threads !== options.threads) {
    log(
      `warning: --threads ${options.threads} has no effect on backend ${backend.name} ` +
        `(${backend.threads === null ? "its library chooses its threads" : `it computes on ${backend.threads}`})`,
    );
  }
  if (recordedThreads !== undefined && backend.threads !== recordedThreads) {
    log(
      `warning: the run was trained with ${recordedThreads} thread${recordedThreads === 1 ? "" : "s"} and resumes with ` +
        `${backend.threads ?? "an unknown number of"}; the result can differ in the last bits from an uninterrupted run`,
    );
  }
  const started = performance.now();
  const dataset = await getDataSource(ir.data.name).load(ir.data.options as never, ir.tasks);
  const sizes = dataset.description.sizes;
  log(
    `data: ${ir.data.name} train ${sizes.train}, val ${sizes.val}, test ${sizes.test} (${((performance.now() - started) / 1000).toFixed(1)} s)`,
  );

  ensureOutputFolder(outDir, "-o");
  // Writes that a kill -9 caught between their temp file and its rename leave the temp file.
  for (const folder of [outDir, join(outDir, RUN_FILES.revisions), join(outDir, RUN_FILES.pretrain)]) {
    for (const name of removeStaleTemporaries(folder))
      log(`removed ${join(folder, name)}, left by an interrupted write`);
  }
  if (!existsSync(runFile(outDir, "model")))
    writeFileAtomic(runFile(outDir, "model"), readFileSync(original && existsSync(original) ? original : file));
  const sl = ir.structuralLearning;
  const writeRevision = async (text: string, number: number, message: string, trainer: Trainer): Promise<void> => {
    const paths = revisionPaths(outDir, number);
    mkdirSync(dirname(paths.mtsl), { recursive: true });
    writeFileAtomic(paths.mtsl, text);
    await trainer.saveCheckpoint(paths.ckpt);
    writeFileAtomic(runFile(outDir, "tree"), text);
    log(`wrote ${paths.mtsl}`);
    options.onRevision?.({ outDir, number, path: paths.mtsl, tree: runFile(outDir, "tree"), message });
  };
  const hooks = sl
    ? new StructuralLearningHooks(sl, {
        log,
        ...(options.trainLimit === undefined ? {} : { trainLimit: options.trainLimit }),
        onPhase: () => {
          writeJsonLines(runFile(outDir, "structure"), hooks!.state.history);
        },
        onMerge: async (record, trainer) => {
          const number = hooks!.state.history.filter((r) => r.created.length > 0).length;
          const info: RevisionInfo = {
            number,
            epoch: record.epoch,
            phase: record.index,
            phases: sl.atEpochs.length,
            sets: record.sets,
          };
          // A resumed run (or a branch) rebuilds the chain from the revisions' checkpoints.
          if (templateNumber !== number - 1)
            template = templateAfter(number - 1, start, [outDir, runOfRevision], asFile);
          const lifted = lift(asFile(trainer.ir), template);
          await writeRevision(revisionFileText(lifted, info), number, mergeMessage(record), trainer);
          // The next revision splits this one's sharing rows, so each merge rewrites only its own
          // row; the one compile of a merge is this template's.
          template = liftTemplate(lifted);
          templateNumber = number;
        },
      })
    : undefined;
  // run.json keeps every invocation that trained into the folder: the first run and each resume.
  const previous = readRunInfo(outDir);
  const runInfo = {
    file,
    baseline: options.baseline ?? null,
    // The tasks this run trains (a baseline's subset, or the file's own): `mtslc affinity`
    // recognises its finished runs by them.
    tasks: ir.tasks.map((t) => t.name),
    backend: backend.name,
    backendDescription: backend.description,
    ...(backend.adapter ? { adapter: backend.adapter } : {}),
    threads: backend.threads,
    tfjs: backend.tfVersion,
    node: process.version,
    seed: ir.train.seed,
    history: [
      ...(options.resume && Array.isArray(previous?.["history"]) ? (previous["history"] as unknown[]) : []),
      {
        startedAt: new Date().toISOString(),
        resumed: options.resume === true,
        command: options.invocation ? [...options.invocation.command] : null,
        mtsl: options.invocation?.mtsl ?? null,
        backend: backend.name,
        backendDescription: backend.description,
        ...(backend.adapter ? { adapter: backend.adapter } : {}),
        threads: backend.threads,
        tfjs: backend.tfVersion,
        node: process.version,
      },
    ],
  };
  writeJsonFile(runFile(outDir, "info"), runInfo);

  // Pretraining: read back (or finished) on resume too, so later `init: fresh` merges start from it.
  const guarded = <T>(work: () => Promise<T>): Promise<T> => asWasmAbort(backend.name, ir.totals.params, work);
  const starts =
    ir.train.pretrain > 0
      ? await guarded(() =>
          pretrainedStarts({
            document,
            ir,
            // a branch from a revision starts from its run's pretraining
            outDir: runOfRevision ?? outDir,
            dataset,
            backend: backend.name,
            log,
            ...(options.trainLimit === undefined ? {} : { trainLimit: options.trainLimit }),
            ...(options.onEvent ? { onEvent: options.onEvent } : {}),
          }),
        )
      : ir.train.warmStart !== undefined
        ? warmStart(ir.train.warmStart, ir, log)
        : undefined;
  if (options.resume && !fromRevision && !existsSync(runFile(outDir, "checkpoint")))
    log(`${outDir} has no checkpoint yet (the run stopped in its first epoch): training it from the start`);
  const trainer = new Trainer(ir, {
    outDir,
    dataset,
    backend: backend.name,
    ...(starts ? { starts } : {}),
    resume: options.resume === true && !fromRevision,
    ...(hooks ? { hooks } : {}),
    ...(options.trainLimit === undefined ? {} : { trainLimit: options.trainLimit }),
    ...(options.onEvent ? { onEvent: options.onEvent } : {}),
  });
  try {
    if (fromRevision) {
      const ckpt = readCheckpoint(fromRevision);
      if (!sameSharingTree(ckpt.ir, ir)) {
        throw new MtslError(
          "MTSL3202",
          `${file} no longer matches its checkpoint ${fromRevision}: its sharing tree was edited`,
          { file },
        );
      }
      trainer.resume(fromRevision, ir);
      log(`resuming from revision ${file} (after epoch ${trainer.epoch}) into ${outDir}`);
    } else if (sl && !(options.resume && existsSync(runFile(outDir, "checkpoint")))) {
      const info: RevisionInfo = { number: 0, epoch: 0, phase: 0, phases: sl.atEpochs.length, sets: [] };
      await writeRevision(revisionText(asFile(ir), template, info), 0, `mtsl: start ${name}`, trainer);
    }
    await guarded(() => trainer.run());
    const test = await evaluateSplit(trainer.ir, trainer.store, dataset, "test", trainer.tasks, {
      batch: Math.max(32, ir.train.batch),
    });
    writeJsonFile(runFile(outDir, "final"), { epoch: trainer.epoch, test });
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
