/**
 * The measurements bench/train.ts runs in child processes, one per backend and
 * tree, so that each gets a fresh TensorFlow.js engine and its own process
 * high-water mark of resident memory.
 *
 * - {@link measureSteps}: the runtime's own `Trainer.step` (forward, task losses,
 *   backward, Adam update; batches read from the scenes dataset) timed over
 *   several steps after warm-up.
 * - {@link measurePhase}: one structural-learning phase
 *   (`StructuralLearningHooks.phase`) on a Trainer with a small training set.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { irFromJson } from "../../compiler/ir/json.js";
import type { IrModel } from "../../compiler/ir/types.js";
import { peakRssBytes } from "./machine.js";

export interface StepMeasurement {
  kind: "steps";
  backend: string;
  description: string;
  tfVersion: string;
  /** Time to generate the dataset, ms. */
  dataMs: number;
  trainSize: number;
  batch: number;
  /** The first step (includes kernel compilation and warm-up), ms. */
  firstStepMs: number;
  /** Timed steps after warm-up, ms each. */
  stepMs: number[];
  /** Process CPU time of each timed step (user + system), ms. */
  cpuMs: number[];
  peakRssBytes: number;
  /** tf.memory().numBytes after the first step (weights, optimiser state). */
  tfBytesAfterFirstStep: number;
  /** Largest tf.memory().numBytes seen between steps. */
  tfPeakBytes: number;
  /** Tensors more after the timed steps than before them. */
  leakedTensors: number;
  losses: Record<string, number>;
  /** Set when the timed steps were skipped (too slow). */
  skipped: string | null;
}

export interface PhaseMeasurement {
  kind: "phase";
  backend: string;
  trainSize: number;
  seconds: number;
  samples: number;
  created: string[];
  removed: string[];
  /** Knowledge-transfer optimisation steps per created group instance. */
  transferSteps: number[];
  peakRssBytes: number;
}

interface Prepared {
  tf: typeof import("@tensorflow/tfjs");
  trainer: import("../../runtime/train/trainer.js").Trainer;
  info: import("../../runtime/backend/select.js").BackendInfo;
  dataMs: number;
  outDir: string;
}

/** Selects the backend, generates the scenes data with `trainSize` training scenes, builds a Trainer. */
async function prepare(
  backend: string,
  ir: IrModel,
  trainSize: number,
  hooks?: import("../../runtime/train/trainer.js").TrainerHooks,
): Promise<Prepared> {
  const tf = await import("@tensorflow/tfjs");
  tf.enableProdMode();
  const { selectBackend } = await import("../../runtime/backend/select.js");
  const { getDataSource } = await import("../../runtime/data/registry.js");
  const { Trainer } = await import("../../runtime/train/trainer.js");
  const info = await selectBackend(backend as never);
  const started = performance.now();
  const options = { ...ir.data.options, train: trainSize, val: 16, test: 16 };
  const dataset = await getDataSource(ir.data.name).load(options as never);
  const dataMs = performance.now() - started;
  const outDir = mkdtempSync(join(tmpdir(), "mtsl-bench-train-"));
  const trainer = new Trainer(ir, {
    outDir,
    dataset,
    backend: info.name,
    trainLimit: trainSize,
    ...(hooks ? { hooks } : {}),
  });
  return { tf, trainer, info, dataMs, outDir };
}

/** Reads an IR JSON file written by the parent. */
export function readIr(file: string): IrModel {
  return irFromJson(readFileSync(file, "utf8"));
}

export interface StepOptions {
  backend: string;
  irFile: string;
  steps: number;
  warmup: number;
  trainSize: number;
  /** Skip the timed steps when the first step takes longer than this, ms. */
  skipAboveMs: number;
}

/** Times `steps` training steps after `warmup` steps (the first of which is reported on its own). */
export async function measureSteps(o: StepOptions): Promise<StepMeasurement> {
  const ir = readIr(o.irFile);
  const { tf, trainer, info, dataMs, outDir } = await prepare(o.backend, ir, o.trainSize);
  const { batchIndices } = await import("../../runtime/data/dataset.js");
  const batch = ir.train.batch;
  const lr = trainer.baseLr;
  let epoch = 0;
  let queue: Int32Array[] = [];
  const nextBatch = (): Int32Array => {
    if (queue.length === 0)
      queue = batchIndices(o.trainSize, batch, { shuffle: true, seed: ir.train.seed, epoch: epoch++ });
    return queue.shift()!;
  };
  let step = 0;
  const t0 = performance.now();
  let losses = await trainer.step(nextBatch(), lr, step++);
  const firstStepMs = performance.now() - t0;
  const tfBytesAfterFirstStep = tf.memory().numBytes;
  let tfPeakBytes = tfBytesAfterFirstStep;
  const result: StepMeasurement = {
    kind: "steps",
    backend: info.name,
    description: info.description,
    tfVersion: info.tfVersion,
    dataMs,
    trainSize: o.trainSize,
    batch,
    firstStepMs,
    stepMs: [],
    cpuMs: [],
    peakRssBytes: 0,
    tfBytesAfterFirstStep,
    tfPeakBytes,
    leakedTensors: 0,
    losses,
    skipped: null,
  };
  if (firstStepMs > o.skipAboveMs) {
    result.skipped = `the first step took ${(firstStepMs / 1000).toFixed(1)} s (> ${(o.skipAboveMs / 1000).toFixed(0)} s): timed steps skipped`;
  } else {
    for (let i = 1; i < o.warmup; i++) losses = await trainer.step(nextBatch(), lr, step++);
    const before = tf.memory().numTensors;
    for (let i = 0; i < o.steps; i++) {
      const indices = nextBatch();
      const cpu0 = process.cpuUsage();
      const start = performance.now();
      losses = await trainer.step(indices, lr, step++);
      result.stepMs.push(performance.now() - start);
      const cpu = process.cpuUsage(cpu0);
      result.cpuMs.push((cpu.user + cpu.system) / 1000);
      tfPeakBytes = Math.max(tfPeakBytes, tf.memory().numBytes);
    }
    result.leakedTensors = tf.memory().numTensors - before;
    result.losses = losses;
    result.tfPeakBytes = tfPeakBytes;
  }
  result.peakRssBytes = peakRssBytes();
  trainer.dispose();
  rmSync(outDir, { recursive: true, force: true });
  return result;
}

export interface PhaseOptions {
  backend: string;
  irFile: string;
  trainSize: number;
}

/**
 * Times the first structural-learning phase of the file's schedule on a fresh Trainer
 * (one training step first, so weights and optimiser state exist as after training).
 */
export async function measurePhase(o: PhaseOptions): Promise<PhaseMeasurement> {
  const ir = readIr(o.irFile);
  if (!ir.structuralLearning) throw new Error("the model has no structural_learning block");
  const { StructuralLearningHooks } = await import("../../runtime/structure/mtsl.js");
  const hooks = new StructuralLearningHooks(ir.structuralLearning, { trainLimit: o.trainSize });
  const { trainer, info, outDir } = await prepare(o.backend, ir, o.trainSize, hooks);
  const { batchIndices } = await import("../../runtime/data/dataset.js");
  const first = batchIndices(o.trainSize, ir.train.batch, { shuffle: true, seed: ir.train.seed, epoch: 0 })[0]!;
  await trainer.step(first, trainer.baseLr, 0);
  trainer.epoch = ir.structuralLearning.atEpochs[0] ?? 1;
  const started = performance.now();
  const record = await hooks.phase(trainer, 0);
  const seconds = (performance.now() - started) / 1000;
  const result: PhaseMeasurement = {
    kind: "phase",
    backend: info.name,
    trainSize: o.trainSize,
    seconds,
    samples: record.samples,
    created: record.created,
    removed: record.removed,
    transferSteps: record.transfers.map((t) => t.steps),
    peakRssBytes: peakRssBytes(),
  };
  trainer.dispose();
  rmSync(outDir, { recursive: true, force: true });
  return result;
}
