/**
 * `mtslc train FILE`: compiles the file, picks a backend, loads the data and
 * trains, with a progress bar on terminals (one line per epoch otherwise), a
 * metrics.jsonl line per epoch, atomic checkpoints and `--resume`.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import cliProgress from "cli-progress";
import { baselineDocument, type Baseline } from "../../compiler/baseline.js";
import { compile } from "../../compiler/compile.js";
import { partitionsOf } from "../../compiler/ir/rebuild.js";
import { lift } from "../../compiler/lift.js";
import { revisionText, type RevisionInfo } from "../../compiler/revision.js";
import type { Document } from "../../grammar/ast.js";
import type { IrModel } from "../../compiler/ir/types.js";
import { parse } from "../../grammar/parse.js";
import { renderDiagnostic } from "../../grammar/render.js";
import { writeFileAtomic } from "../../runtime/io/atomic.js";
import { commitFile, ensureRepository } from "../git.js";
import { EXIT, readSource, useColor, type CliContext } from "../io.js";
import { formatTable } from "../table.js";

export interface TrainCliOptions {
  out?: string;
  backend?: string;
  resume?: boolean;
  baseline?: Baseline;
  epochs?: number;
  trainLimit?: number;
  quiet?: boolean;
  json?: boolean;
  git?: boolean;
}

/** A revision file's checkpoint: `NNN.ckpt` beside `NNN.mtsl`. */
function revisionCheckpoint(file: string): string | null {
  const ckpt = file.replace(/\.mtsl$/, ".ckpt");
  return ckpt !== file && existsSync(ckpt) ? ckpt : null;
}

const samePartitions = (a: IrModel, b: IrModel): boolean =>
  JSON.stringify([...partitionsOf(a)]) === JSON.stringify([...partitionsOf(b)]);

function pad3(n: number): string {
  return String(n).padStart(3, "0");
}

function scoresTable(scores: Record<string, Record<string, number>>): string {
  const rows: string[][] = [];
  for (const [task, s] of Object.entries(scores)) {
    for (const [metric, value] of Object.entries(s)) rows.push([task, metric, value.toFixed(4)]);
  }
  return formatTable(["task", "metric", "value"], rows, ["left", "left", "right"]);
}

export async function runTrain(file: string, options: TrainCliOptions, ctx: CliContext): Promise<number> {
  const read = readSource(file);
  if (!read.ok) {
    ctx.stderr.write(`mtslc: error: ${read.message}\n`);
    return EXIT.usage;
  }
  const color = useColor(ctx, ctx.stderr);
  const parsed = parse(read.text, { file });
  const syntaxErrors = parsed.diagnostics.filter((d) => d.severity === "error");
  const document = options.baseline ? baselineDocument(parsed.document, options.baseline) : parsed.document;
  const compiled = syntaxErrors.length > 0 ? { ir: null, diagnostics: parsed.diagnostics } : compile(document);
  for (const d of compiled.diagnostics) ctx.stderr.write(renderDiagnostic(d, read.text, file, { color }) + "\n\n");
  if (!compiled.ir) return EXIT.problems;
  let ir: IrModel = compiled.ir;
  if (options.epochs !== undefined) ir = { ...ir, train: { ...ir.train, epochs: options.epochs } };

  const name = basename(file).replace(/\.mtsl$/, "") + (options.baseline ? `-${options.baseline}` : "");
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
  const say = (text: string): void => {
    if (!options.quiet && !options.json) ctx.stderr.write(text + "\n");
  };

  // Heavy modules load only for training, so check/fmt/compile stay fast.
  const { selectBackend } = await import("../../runtime/backend/select.js");
  const { getDataSource } = await import("../../runtime/data/registry.js");
  const { Trainer } = await import("../../runtime/train/trainer.js");
  const { evaluateSplit } = await import("../../runtime/train/evaluate.js");
  const { MtslError } = await import("../../runtime/errors.js");
  const { StructuralLearningHooks } = await import("../../runtime/structure/mtsl.js");
  const { readCheckpoint } = await import("../../runtime/train/checkpoint.js");

  try {
    const tf = await import("@tensorflow/tfjs");
    tf.enableProdMode(); // no console banners from the backends; numbers are checked by the trainer
    const backend = await selectBackend((options.backend ?? ir.train.backend) as never);
    say(`backend: ${backend.name} (${backend.description}), tfjs ${backend.tfVersion}`);
    const started = performance.now();
    const dataset = await getDataSource(ir.data.name).load(ir.data.options as never);
    const sizes = dataset.description.sizes;
    say(
      `data: ${ir.data.name} train ${sizes.train}, val ${sizes.val}, test ${sizes.test} (${((performance.now() - started) / 1000).toFixed(1)} s)`,
    );
    mkdirSync(outDir, { recursive: true });
    if (!existsSync(join(outDir, "model.mtsl"))) {
      if (original && existsSync(original)) copyFileSync(original, join(outDir, "model.mtsl"));
      else copyFileSync(file, join(outDir, "model.mtsl"));
    }
    const repo = options.git ? ensureRepository(outDir) : null;
    const revisionsDir = join(outDir, "revisions");
    const sl = ir.structuralLearning;
    const writeRevision = (
      text: string,
      number: number,
      message: string,
      trainer: { saveCheckpoint(path: string): void },
    ): void => {
      mkdirSync(revisionsDir, { recursive: true });
      const path = join(revisionsDir, `${pad3(number)}.mtsl`);
      writeFileAtomic(path, text);
      trainer.saveCheckpoint(join(revisionsDir, `${pad3(number)}.ckpt`));
      say(`wrote ${path}`);
      if (repo) commitFile(repo, path, message);
    };
    const hooks = sl
      ? new StructuralLearningHooks(sl, {
          log: say,
          ...(options.trainLimit === undefined ? {} : { trainLimit: options.trainLimit }),
          onPhase: (_record, trainer) => {
            const lines = hooks!.state.history.map((r) => JSON.stringify(r)).join("\n") + "\n";
            writeFileAtomic(join(outDir, "structure.jsonl"), lines);
            void trainer;
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
            const merges = record.sets.flatMap((set) =>
              set.merged.map((g) => {
                const idx = g.map((t) => set.tasks.indexOf(t));
                const pairs = idx.flatMap((a, i) => idx.slice(i + 1).map((b) => set.similarity[a]![b]!));
                const cka = pairs.reduce((x, y) => x + y, 0) / Math.max(1, pairs.length);
                return `${set.stage} {${g.join(",")}} (CKA ${cka.toFixed(2)})`;
              }),
            );
            writeRevision(revisionText(trainer.ir, template, info), number, `merge ${merges.join("; ")}`, trainer);
            // The next revision splits this one's sharing rows, so each merge rewrites only its own row.
            template = lift(trainer.ir, template);
          },
        })
      : undefined;
    writeFileAtomic(
      join(outDir, "run.json"),
      JSON.stringify(
        {
          file,
          baseline: options.baseline ?? null,
          backend: backend.name,
          tfjs: backend.tfVersion,
          node: process.version,
          seed: ir.train.seed,
        },
        null,
        2,
      ) + "\n",
    );

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
    let epochs = ir.train.epochs;
    const trainer = new Trainer(ir, {
      outDir,
      dataset,
      backend: backend.name,
      resume: options.resume === true && !fromRevision,
      ...(hooks ? { hooks } : {}),
      ...(options.trainLimit === undefined ? {} : { trainLimit: options.trainLimit }),
      onEvent: (e) => {
        if (e.type === "start") {
          epochs = e.epochs;
          if (e.resumed) say(`resumed from ${join(outDir, "checkpoint.ckpt")} after epoch ${e.epoch}`);
          bar?.start(e.stepsPerEpoch, 0, { epoch: e.epoch + 1, epochs, losses: "", sps: "-" });
        } else if (e.type === "step") {
          const losses = Object.entries(e.losses)
            .map(([k, v]) => `${k} ${v.toFixed(3)}`)
            .join(" ");
          if (bar) {
            if (e.step === 1) bar.start(e.steps, 0, { epoch: e.epoch, epochs, losses, sps: "-" });
            bar.update(e.step, { epoch: e.epoch, losses, sps: e.samplesPerSecond.toFixed(1) });
          }
        } else if (e.type === "epoch") {
          bar?.stop();
          const r = e.record;
          const val = r.val
            ? Object.entries(r.val)
                .map(
                  ([t, s]) =>
                    `${t} ${Object.entries(s)
                      .filter(([k]) => k !== "loss")
                      .map(([k, v]) => `${k}=${v.toFixed(3)}`)
                      .join(",")}`,
                )
                .join("  ")
            : "";
          say(
            `epoch ${r.epoch}/${epochs}  ${r.seconds.toFixed(1)} s  ${r.samplesPerSecond.toFixed(1)} samples/s  val: ${val}`,
          );
        } else if (e.type === "message") {
          say(e.text);
        }
      },
    });
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
      say(`resuming from revision ${file} (after epoch ${trainer.epoch}) into ${outDir}`);
    } else if (sl && !(options.resume && existsSync(join(outDir, "checkpoint.ckpt")))) {
      const info: RevisionInfo = { number: 0, epoch: 0, phase: 0, phases: sl.atEpochs.length, sets: [] };
      writeRevision(revisionText(ir, template, info), 0, `mtsl: start ${name}`, trainer);
    }
    await trainer.run();
    bar?.stop();
    const test = evaluateSplit(trainer.ir, trainer.store, dataset, "test", trainer.tasks, {
      batch: Math.max(32, ir.train.batch),
    });
    writeFileAtomic(join(outDir, "final.json"), JSON.stringify({ epoch: trainer.epoch, test }, null, 2) + "\n");
    if (options.json) ctx.stdout.write(JSON.stringify({ outDir, epochs: trainer.epoch, test }, null, 2) + "\n");
    else ctx.stdout.write(`test metrics after ${trainer.epoch} epochs (${outDir}):\n` + scoresTable(test));
    trainer.dispose();
    return EXIT.ok;
  } catch (error) {
    if (error instanceof MtslError) {
      ctx.stderr.write(`mtslc: error ${error.code}: ${error.message.replace(/^MTSL\d{4}: /, "")}\n`);
      return EXIT.problems;
    }
    throw error;
  }
}
