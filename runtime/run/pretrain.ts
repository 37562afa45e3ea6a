/**
 * `train { pretrain: N }`: before a run trains, N epochs of its hard-shared network (every
 * stage one instance shared by all tasks: `baselineDocument(doc, "one")`, with the file's
 * heads, losses, data, optimiser at its base rate and seed), whose weights every stage copy
 * and head of the run then starts from: our stand-in for the ImageNet-pretrained encoder of
 * the authors' setting, which we cannot download. The pretraining is a run folder of its own,
 * `RUN/pretrain`, so it resumes like any run and is read back, not redone, when the run resumes.
 */
import { join } from "node:path";

import { baselineDocument } from "../../compiler/baseline.js";
import { compile } from "../../compiler/compile.js";
import type { IrModel } from "../../compiler/ir/types.js";
import type { Document } from "../../grammar/ast.js";
import type { Dataset } from "../data/types.js";
import { startValuesOf, type StartValues } from "../model/weights.js";
import { Trainer, type TrainEvent } from "../train/trainer.js";
import { RUN_FILES } from "./folder.js";

export interface PretrainOptions {
  /** The document the run trains (a baseline's or a task subset's included). */
  document: Document;
  /** The run's IR (its train settings, with any overrides of epochs and seed). */
  ir: IrModel;
  outDir: string;
  dataset: Dataset;
  backend: string;
  trainLimit?: number;
  onEvent?: (event: TrainEvent) => void;
  log?: (text: string) => void;
}

/** The IR of the pretraining: the run's tasks on one shared network, `pretrain` epochs at a constant rate. */
export function pretrainIr(document: Document, ir: IrModel): IrModel {
  const compiled = compile(baselineDocument(document, "one"));
  if (!compiled.ir) throw new Error("the hard-shared network of a compiled model does not compile");
  return {
    ...compiled.ir,
    train: { ...ir.train, epochs: ir.train.pretrain, pretrain: 0, schedule: { name: "constant", options: {} } },
  };
}

/** Trains (or resumes, or reads back) the pretraining of a run and returns the start values it gives. */
export async function pretrainedStarts(options: PretrainOptions): Promise<StartValues> {
  const ir = pretrainIr(options.document, options.ir);
  const outDir = join(options.outDir, RUN_FILES.pretrain);
  options.log?.(`pretraining: ${ir.train.epochs} epochs of the hard-shared network into ${outDir}`);
  const trainer = new Trainer(ir, {
    outDir,
    dataset: options.dataset,
    backend: options.backend,
    resume: true,
    ...(options.trainLimit === undefined ? {} : { trainLimit: options.trainLimit }),
    ...(options.onEvent ? { onEvent: options.onEvent } : {}),
  });
  try {
    await trainer.run();
    return startValuesOf(trainer.ir, await trainer.store.snapshot());
  } finally {
    trainer.dispose();
  }
}
