/**
 * The training loop for a fixed or changing architecture. A `Trainer` holds the
 * run's state (IR, weights, optimiser, epoch) so structural learning can change
 * the architecture between epochs while every other weight and optimiser slot
 * stays as it is.
 *
 * Determinism: the data order of epoch e depends only on (seed, e) and dropout
 * masks on (seed, epoch, step), so a run resumed from the checkpoint written
 * after epoch e continues exactly as an uninterrupted one would.
 */
import { existsSync, mkdirSync } from "node:fs";
import * as tf from "@tensorflow/tfjs";
import { irToJson } from "../../compiler/ir/json.js";
import { sharedRepresentation, type SharedRepresentation } from "../../compiler/ir/sharing-tree.js";
import type { IrModel } from "../../compiler/ir/types.js";
import { readScalars } from "../backend/read-values.js";
import { batchIndices } from "../data/dataset.js";
import { checkInputShape } from "../data/probe.js";
import type { Dataset } from "../data/types.js";
import { MtslError } from "../errors.js";
import { writeFileAtomic } from "../io/atomic.js";
import { failpoint } from "../io/failpoint.js";
import { readTimings, runFile, writeJsonLines } from "../run/folder.js";
import { forward, type ForwardResult } from "../model/network.js";
import type { StatUpdate } from "../model/ops.js";
import { WeightStore, type StartValues } from "../model/weights.js";
import { readCheckpoint, writeCheckpoint } from "./checkpoint.js";
import { evaluateSplit, type SplitScores } from "./evaluate.js";
import { createOptimizer, type Optimizer } from "./optimizer.js";
import { learningRate } from "./schedule.js";
import { bindTask, type BoundTask } from "./tasks.js";
import { weightingOf } from "../../compiler/ir/types.js";
import { sharedAndOwnKeys, TaskWeighting, type StepContext, type WeightingState } from "./weighting/task-weighting.js";

/**
 * What an epoch gave: the same values for the same seed, backend and threads (metrics.jsonl,
 * checkpoints). How long it took is a {@link TimingRecord}.
 */
export interface EpochRecord {
  epoch: number;
  lr: number;
  backend: string;
  train: SplitScores;
  val?: SplitScores;
  /** Extra per-epoch facts (e.g. the alignment loss). */
  extra?: Record<string, number>;
}

/**
 * How long an epoch (or the structural-learning phase after it) took: the one kind of fact,
 * besides run.json's record of invocations, that depends on the machine and its load rather
 * than on the seed, backend and threads. Kept in timing.jsonl, out of every other run file, so
 * a run resumed after a kill holds the same bytes as an uninterrupted one.
 */
export type TimingRecord =
  { epoch: number; seconds: number; samplesPerSecond: number } | { epoch: number; phase: number; seconds: number };

export type TrainEvent =
  | { type: "start"; epoch: number; epochs: number; stepsPerEpoch: number; resumed: boolean }
  | {
      type: "step";
      epoch: number;
      step: number;
      steps: number;
      losses: Record<string, number>;
      samplesPerSecond: number;
    }
  | { type: "epoch"; record: EpochRecord; seconds: number; samplesPerSecond: number }
  | { type: "checkpoint"; path: string; epoch: number }
  | { type: "message"; text: string };

/** Extension points used by structural learning. */
export interface TrainerHooks {
  /** An extra loss term added to the task losses in a training step (e.g. alignment). */
  extraLoss?(trainer: Trainer, result: ForwardResult): tf.Scalar | null;
  /**
   * Whether `extraLoss` may give a term at this point of training (alignment: only in its
   * epochs). False spares the gradient methods the extra loss's own forward and backward
   * pass; absent means it may.
   */
  extraLossActive?(trainer: Trainer): boolean;
  /** Runs after an epoch's training and validation, before its checkpoint. */
  afterEpoch?(trainer: Trainer, record: EpochRecord): Promise<void>;
  /** Runs after the epoch's checkpoint is written. */
  afterCheckpoint?(trainer: Trainer): Promise<void>;
  /**
   * Runs after a resume restored the latest checkpoint: what followed that checkpoint and a
   * kill may have cut short, again (so it must give the same files when it had finished).
   */
  afterResume?(trainer: Trainer): Promise<void>;
  /** State saved in (and restored from) checkpoints. */
  saveState?(): unknown;
  restoreState?(state: unknown): void;
}

export interface TrainOptions {
  outDir: string;
  dataset: Dataset;
  backend: string;
  resume?: boolean;
  /** Train at most this many epochs in this call (tests). */
  stopAfterEpochs?: number;
  /** Use at most this many training samples per epoch (tests, smoke runs). */
  trainLimit?: number;
  onEvent?: (event: TrainEvent) => void;
  hooks?: TrainerHooks;
  /** What stage copies and heads start from instead of their seeded draws (pretraining). */
  starts?: StartValues;
}

/** A step's total loss and each trainable variable's gradient, by variable name. */
interface StepGradients {
  value: tf.Scalar;
  grads: Record<string, tf.Tensor>;
}

export class Trainer {
  ir: IrModel;
  store: WeightStore;
  optimizer: Optimizer;
  readonly baseLr: number;
  /** Epochs completed. */
  epoch = 0;
  /** The step of the running epoch (1-based), for messages. */
  stepInEpoch = 0;
  tasks: BoundTask[];
  /** The file's `weighting`, bound to its tasks. */
  weighting: TaskWeighting;
  /** The shared-parameter layout of the gradient methods, for the IR it was made from. */
  private layout: SharedLayout | null = null;
  /** MGDA-UB's shared representation, for the IR it was read from (merges replace the IR). */
  private representation: { ir: IrModel; shared: SharedRepresentation } | null = null;
  /** The weights the method gave each task in the running epoch's steps (summed, and how many). */
  private weightSums: { sums: number[]; steps: number } | null = null;
  readonly records: EpochRecord[] = [];
  /** Epochs' and phases' durations (timing.jsonl), apart from the records. */
  readonly timings: TimingRecord[] = [];

  constructor(
    ir: IrModel,
    readonly options: TrainOptions,
  ) {
    this.ir = ir;
    this.store = WeightStore.forIr(ir, ir.train.seed, options.starts);
    const { optimizer, lr } = createOptimizer(ir.train.optimizer);
    this.optimizer = optimizer;
    this.baseLr = lr;
    this.tasks = ir.tasks.map((t) => bindTask(t, options.dataset.description));
    this.weighting = new TaskWeighting(
      weightingOf(ir.train),
      ir.tasks.map((t) => t.name),
    );
    checkInputShape(ir.input.shape, options.dataset.description);
  }

  get checkpointPath(): string {
    return runFile(this.options.outDir, "checkpoint");
  }

  private emit(event: TrainEvent): void {
    this.options.onEvent?.(event);
  }

  /** Restores the run from its latest checkpoint. */
  resume(path = this.checkpointPath, ir?: IrModel): void {
    const ckpt = readCheckpoint<{ records?: EpochRecord[]; hooks?: unknown; weighting?: WeightingState }>(path);
    // The checkpoint's architecture with the epoch count asked for now (the file's, or
    // --epochs): a finished run resumed with more epochs trains on.
    this.ir = ir ?? { ...ckpt.ir, train: { ...ckpt.ir.train, epochs: this.ir.train.epochs } };
    this.store.dispose();
    this.store = WeightStore.forIr(this.ir, this.ir.train.seed, this.options.starts);
    this.store.load(ckpt.weights);
    this.optimizer.restore(ckpt.optimizer.slots);
    this.epoch = ckpt.epoch;
    this.tasks = this.ir.tasks.map((t) => bindTask(t, this.options.dataset.description));
    this.records.splice(0, this.records.length, ...(ckpt.state.records ?? []));
    // The durations of the epochs the checkpoint holds (a kill can leave later ones in the file).
    const timings = path === this.checkpointPath ? readTimings(this.options.outDir) : [];
    this.timings.splice(0, this.timings.length, ...timings.filter((t) => t.epoch <= ckpt.epoch));
    this.options.hooks?.restoreState?.(ckpt.state.hooks);
    this.weighting.restoreState(ckpt.state.weighting);
  }

  async saveCheckpoint(path = this.checkpointPath): Promise<void> {
    writeCheckpoint(path, {
      ir: this.ir,
      epoch: this.epoch,
      weights: await this.store.snapshot(),
      optimizer: { name: this.optimizer.name, slots: await this.optimizer.serialize() },
      state: {
        records: this.records,
        hooks: this.options.hooks?.saveState?.(),
        ...(this.weighting.name === "ew" ? {} : { weighting: await this.weighting.saveState() }),
      },
    });
    this.emit({ type: "checkpoint", path, epoch: this.epoch });
  }

  /** Records how long an epoch or a phase took (written with the epoch's metrics). */
  recordTiming(timing: TimingRecord): void {
    this.timings.push(timing);
  }

  private writeMetrics(): void {
    writeJsonLines(runFile(this.options.outDir, "metrics"), this.records);
    writeJsonLines(runFile(this.options.outDir, "timing"), this.timings);
  }

  /**
   * One optimisation step on a batch; returns each task's loss. Reads back (losses, the
   * gradient methods' vectors) are asynchronous, so it runs on GPU backends too.
   */
  async step(
    batchIndicesList: ArrayLike<number>,
    lr: number,
    dropoutSeed: number,
    metrics?: Map<string, ReturnType<BoundTask["newMetrics"]>>,
  ): Promise<Record<string, number>> {
    const dataset = this.options.dataset;
    const batch = dataset.getBatch("train", batchIndicesList);
    const shape = this.ir.input.shape as [number, number, number];
    const updates: StatUpdate[] = [];
    const taskLosses = new Map<string, tf.Scalar>();
    const kept: tf.Tensor[] = [];
    const x = tf.tensor4d(batch.images, [batch.size, ...shape]);
    const targets = new Map(this.tasks.map((t) => [t.task.name, t.targetTensor(batch, shape)]));
    const context = this.stepContext(lr);
    const trainable = [
      ...this.store.trainableKeys().map((k) => this.store.get(k)),
      ...this.weighting.variableKeys().map((k) => this.weighting.variable(k)!),
    ];
    const inputs: StepInputs = {
      x,
      targets,
      trainable,
      updates,
      dropoutSeed,
      taskLosses,
      kept: metrics ? kept : null,
      context,
    };
    const { value, grads } = this.weighting.perTaskGradients
      ? await this.perTaskGradients(inputs)
      : this.weighting.onRepresentation
        ? await this.representationGradients(inputs)
        : await this.weightedGradients(inputs);
    // Everything this step made, on every way out of it.
    const release = (): void =>
      this.disposeAll([
        value,
        x,
        ...taskLosses.values(),
        ...targets.values(),
        ...kept,
        ...Object.values(grads),
        ...updates.map((u) => u.value),
      ]);
    const losses: Record<string, number> = {};
    const values = await readScalars([...taskLosses.values(), value]);
    for (const [index, name] of [...taskLosses.keys()].entries()) {
      const v = values[index]!;
      losses[name] = v;
      if (!Number.isFinite(v)) {
        release();
        throw new MtslError(
          "MTSL3201",
          `the loss of task '${name}' became ${v} at epoch ${this.epoch + 1}, step ${this.stepInEpoch}; training stopped, the last good checkpoint is kept`,
        );
      }
    }
    const total = values[taskLosses.size]!;
    if (!Number.isFinite(total)) {
      release();
      throw new MtslError(
        "MTSL3201",
        `the total loss became ${total} at epoch ${this.epoch + 1}, step ${this.stepInEpoch} (every task loss was finite, so an extra term such as the alignment loss did); training stopped, the last good checkpoint is kept`,
      );
    }
    this.optimizer.apply(this.store.rekey(grads), (k) => this.weighting.variable(k) ?? this.store.get(k), lr);
    for (const u of updates) this.store.assign(u.name, u.value);
    if (metrics) {
      for (const [i, t] of this.tasks.entries())
        await metrics.get(t.task.name)!.update(kept[i]!, targets.get(t.task.name)!);
    }
    release();
    return losses;
  }

  /** Where this step is, for the weighting methods. */
  private stepContext(lr: number): StepContext {
    const names = this.tasks.map((t) => t.task.name);
    return {
      seed: this.ir.train.seed,
      epoch: this.epoch,
      step: this.stepInEpoch,
      lr,
      history: this.records.map((r) => names.map((n) => r.train[n]?.["loss"] ?? Number.NaN)),
    };
  }

  /** Adds this step's task weights to the epoch's sums (metrics.jsonl's mean weights). */
  private noteWeights(weights: readonly number[]): void {
    if (this.weighting.name === "ew") return;
    this.weightSums ??= { sums: new Array<number>(weights.length).fill(0), steps: 0 };
    weights.forEach((w, t) => (this.weightSums!.sums[t]! += w));
    this.weightSums.steps++;
  }

  /**
   * Where each shared parameter sits in the task-gradient vectors, and each task's own keys:
   * computed once per IR and store (structural learning replaces the IR object when it
   * merges, a resume the store).
   */
  private sharedLayout(): SharedLayout {
    if (this.layout?.ir === this.ir && this.layout.store === this.store) return this.layout;
    const { shared, lastShared, own } = sharedAndOwnKeys(
      this.ir,
      (o) => this.store.keysOf(o),
      (k) => this.store.isTrainable(k),
    );
    const sizes = shared.map((k) => this.store.get(k).size);
    const offsets: number[] = [];
    const total = sizes.reduce((o, n) => (offsets.push(o), o + n), 0);
    const first = lastShared.length > 0 ? shared.indexOf(lastShared[0]!) : -1;
    this.layout = {
      ir: this.ir,
      store: this.store,
      shared,
      own,
      sizes,
      offsets,
      total,
      indexOfName: new Map(shared.map((k, i) => [this.store.get(k).name, i])),
      lastShared:
        first < 0
          ? null
          : {
              start: offsets[first]!,
              end: offsets[first]! + lastShared.reduce((n, k) => n + this.store.get(k).size, 0),
            },
    };
    return this.layout;
  }

  /**
   * Loss methods: one backward pass of sum_t weight_t lambda_t L_t (plus any extra loss).
   * With `sharedGradientScale` (MGDA-UB's update), the gradient each task sends into the
   * layers it shares is scaled by its factor, and the caller records the weights.
   */
  private async weightedGradients(
    inputs: StepInputs,
    sharedGradientScale?: ReadonlyMap<string, number>,
  ): Promise<StepGradients> {
    const { x, targets, trainable, updates, dropoutSeed, taskLosses, kept, context } = inputs;
    const lambdas = this.weighting.lossWeights(context);
    if (sharedGradientScale === undefined) this.noteWeights(await this.weighting.reportedLossWeights(context));
    return tf.variableGrads(() => {
      const result = forward(this.ir, this.store, x, {
        training: true,
        updates,
        dropoutSeed,
        ...(sharedGradientScale === undefined ? {} : { sharedGradientScale }),
      });
      let total: tf.Scalar = tf.scalar(0);
      this.tasks.forEach((t, i) => {
        const pred = result.outputs.get(t.task.name)!;
        const l = t.loss(pred, targets.get(t.task.name)!);
        taskLosses.set(t.task.name, tf.keep(l));
        if (kept) kept.push(tf.keep(pred));
        const term = this.weighting.taskLoss(i, l);
        total = tf.add(total, tf.mul(term, t.task.weight * lambdas[i]!));
      });
      const extra = this.options.hooks?.extraLoss?.(this, result);
      if (extra) total = tf.add(total, extra);
      return total;
    }, trainable);
  }

  /**
   * MGDA-UB (Sener and Koltun 2018, section 3.3): the stages every task shares run once; each
   * task's gradient on their outputs that later layers read (the shared representation Z,
   * compiler/ir/sharing-tree.ts `sharedRepresentation`) is taken by a forward and backward
   * pass through that task's layers only; the min-norm weights of those gradients then scale
   * what each task sends into the shared layers in one forward and backward pass of the
   * whole network, whose own layers get their task's unscaled gradient, as with `mgda` on
   * the parameters. Batch statistics and dropout masks are the same in every pass; the
   * running statistics are those of the last pass.
   */
  private async representationGradients(inputs: StepInputs): Promise<StepGradients> {
    const { x, targets, dropoutSeed } = inputs;
    if (this.representation?.ir !== this.ir)
      this.representation = { ir: this.ir, shared: sharedRepresentation(this.ir) };
    const { trunk, boundary, readBy } = this.representation.shared;
    const taskVectors: Float64Array[] = [];
    const branchLosses: number[] = [];
    if (boundary.length > 0) {
      const inTrunk = new Set(trunk);
      const z = tf.tidy(() => {
        const { features } = forward(this.ir, this.store, x, {
          training: true,
          updates: [],
          dropoutSeed,
          part: { instance: (inst) => inTrunk.has(inst.id), head: () => false },
        });
        return boundary.map((id) => features.get(id)!);
      });
      const offsets: number[] = [];
      const length = z.reduce((n, t) => (offsets.push(n), n + t.size), 0);
      try {
        for (const [i, t] of this.tasks.entries()) {
          const task = t.task.name;
          // The representation's tensors this task's layers read (the others get no gradient from it).
          const readIds = new Set(readBy.get(task));
          const read = boundary.map((id, k) => [id, k] as const).filter(([id]) => readIds.has(id));
          const { value, grads } = tf.valueAndGrads((...zs: tf.Tensor[]) => {
            const result = forward(this.ir, this.store, x, {
              training: true,
              updates: [],
              dropoutSeed,
              part: {
                given: new Map(read.map(([id], k) => [id, zs[k]!])),
                instance: (inst) => !inTrunk.has(inst.id) && inst.tasks.includes(task),
                head: (head) => head.task === task,
              },
            });
            const l = t.loss(result.outputs.get(task)!, targets.get(task)!);
            return tf.mul(this.weighting.taskLoss(i, l), t.task.weight) as tf.Scalar;
          })(read.map(([, k]) => z[k]!));
          const parts = await Promise.all(grads.map((g) => g.data()));
          const vector = new Float64Array(length);
          read.forEach(([, k], j) => vector.set(parts[j]!, offsets[k]!));
          taskVectors.push(vector);
          branchLosses.push((await readScalars([value]))[0]!);
          tf.dispose([value, ...grads]);
        }
      } finally {
        tf.dispose(z);
      }
    }
    const { weights, factors } = this.weighting.representationFactors(taskVectors, branchLosses);
    this.noteWeights(weights);
    // mgda's loss weights are ones: the update is sum_t L_t with the factors on the shared side.
    return this.weightedGradients(inputs, new Map(this.tasks.map((t, i) => [t.task.name, factors[i]!])));
  }

  /**
   * Gradient methods: one forward and backward pass per task (the same batch, dropout masks
   * and batch statistics; the first pass's running-statistics updates are kept), the shared
   * parameters' gradients combined by the method, each task's own gradients scaled by it.
   * An extra loss (alignment) gets a pass of its own, added as it is.
   */
  private async perTaskGradients(inputs: StepInputs): Promise<StepGradients> {
    const { x, targets, trainable, updates, dropoutSeed, taskLosses, kept, context } = inputs;
    const { shared, lastShared, own, offsets, sizes, total, indexOfName } = this.sharedLayout();
    const taskVectors: Float64Array[] = [];
    const ownGrads: Map<string, tf.Tensor>[] = [];
    const values: tf.Scalar[] = [];
    let extraGrads: Record<string, tf.Tensor> | null = null;
    for (const [i, t] of this.tasks.entries()) {
      const passUpdates: StatUpdate[] = i === 0 ? updates : [];
      const { value, grads } = tf.variableGrads(() => {
        const result = forward(this.ir, this.store, x, { training: true, updates: passUpdates, dropoutSeed });
        const pred = result.outputs.get(t.task.name)!;
        const l = t.loss(pred, targets.get(t.task.name)!);
        taskLosses.set(t.task.name, tf.keep(l));
        if (kept) kept.push(tf.keep(pred));
        return tf.mul(this.weighting.taskLoss(i, l), t.task.weight);
      }, trainable);
      for (const u of passUpdates === updates ? [] : passUpdates) u.value.dispose();
      values.push(value);
      const vector = new Float64Array(total);
      const mine = new Map<string, tf.Tensor>();
      const ownKeys = new Set(own.get(t.task.name) ?? []);
      const scaleKey = this.weighting.variableKeys()[i];
      const sharedReads: Promise<void>[] = [];
      for (const [name, g] of Object.entries(grads)) {
        const index = indexOfName.get(name);
        if (index !== undefined) {
          // Every shared gradient's read is started before any is awaited: on a GPU they overlap.
          sharedReads.push(g.data().then((data) => (vector.set(data, offsets[index]!), g.dispose())));
          continue;
        }
        const storeKey = this.store.keyOf(name) ?? name;
        if (ownKeys.has(storeKey) || storeKey === scaleKey) mine.set(name, g);
        else g.dispose();
      }
      await Promise.all(sharedReads);
      taskVectors.push(vector);
      ownGrads.push(mine);
    }
    const hooks = this.options.hooks;
    if (hooks?.extraLoss && (hooks.extraLossActive?.(this) ?? true)) {
      let none = false;
      const extra = tf.variableGrads(() => {
        const result = forward(this.ir, this.store, x, { training: true, updates: [], dropoutSeed });
        const term = hooks.extraLoss!(this, result);
        if (term) return term;
        // No term after all (a set's batch too small): a zero that reads a weight, so that the
        // gradient call has something to differentiate; its gradients are dropped.
        none = true;
        return tf.mul(tf.sum(trainable[0]!), 0) as tf.Scalar;
      }, trainable);
      extra.value.dispose();
      if (none) tf.dispose(Object.values(extra.grads));
      else extraGrads = extra.grads;
    }
    const losses = await readScalars(this.tasks.map((t) => taskLosses.get(t.task.name)!));
    const combined = this.weighting.combine(taskVectors, losses, context, lastShared);
    this.noteWeights(combined.weights);
    const out: Record<string, tf.Tensor> = {};
    shared.forEach((k, j) => {
      const v = this.store.get(k);
      const slice = Float32Array.from(combined.shared.subarray(offsets[j]!, offsets[j]! + sizes[j]!));
      out[v.name] = tf.tensor(slice, v.shape, "float32");
    });
    ownGrads.forEach((mine, i) => {
      for (const [name, g] of mine) {
        out[name] = combined.own[i] === 1 ? g : tf.tidy(() => tf.mul(g, combined.own[i]!));
        if (combined.own[i] !== 1) g.dispose();
      }
    });
    if (extraGrads) {
      for (const [name, g] of Object.entries(extraGrads)) {
        if (out[name] === undefined) {
          out[name] = g;
          continue;
        }
        const sum = tf.add(out[name]!, g);
        out[name]!.dispose();
        g.dispose();
        out[name] = sum;
      }
    }
    const value = tf.addN(values) as tf.Scalar;
    tf.dispose(values);
    return { value, grads: out };
  }

  private disposeAll(tensors: tf.Tensor[]): void {
    for (const t of tensors) if (!t.isDisposed) t.dispose();
  }

  /** Trains one epoch (the next one), validates, runs hooks, checkpoints. */
  async runEpoch(): Promise<EpochRecord> {
    const e = this.epoch;
    const { train } = this.ir;
    const dataset = this.options.dataset;
    const lr = learningRate(train.schedule, this.baseLr, e, train.epochs);
    const n = Math.min(dataset.splits.train.size, this.options.trainLimit ?? Infinity);
    const batches = batchIndices(n, train.batch, { shuffle: true, seed: train.seed, epoch: e });
    const metrics = new Map(this.tasks.map((t) => [t.task.name, t.newMetrics()]));
    const sums = new Map(this.tasks.map((t) => [t.task.name, 0]));
    const started = performance.now();
    this.weightSums = null;
    let samples = 0;
    for (const [s, indices] of batches.entries()) {
      this.stepInEpoch = s + 1;
      const losses = await this.step(indices, lr, train.seed * 1_000_003 + e * 100_003 + s, metrics);
      samples += indices.length;
      for (const [k, v] of Object.entries(losses)) sums.set(k, sums.get(k)! + v * indices.length);
      failpoint("step");
      await turnEventLoop();
      const elapsed = (performance.now() - started) / 1000;
      this.emit({
        type: "step",
        epoch: e + 1,
        step: s + 1,
        steps: batches.length,
        losses,
        samplesPerSecond: samples / elapsed,
      });
    }
    const seconds = (performance.now() - started) / 1000;
    const trainScores: SplitScores = {};
    for (const t of this.tasks) {
      const m = metrics.get(t.task.name)!.result();
      const scores: Record<string, number> = { loss: sums.get(t.task.name)! / Math.max(1, samples) };
      for (const name of t.task.metrics) if (name in m) scores[name] = m[name]!;
      trainScores[t.task.name] = scores;
    }
    this.epoch = e + 1;
    const record: EpochRecord = { epoch: this.epoch, lr, backend: this.options.backend, train: trainScores };
    if (this.weightSums !== null) {
      // The method's mean weight of each task over the epoch's steps.
      const { sums, steps } = this.weightSums;
      record.extra = Object.fromEntries(this.tasks.map((t, i) => [`weight/${t.task.name}`, sums[i]! / steps]));
      this.weightSums = null;
    }
    this.recordTiming({ epoch: this.epoch, seconds, samplesPerSecond: samples / seconds });
    if (this.epoch % train.valEvery === 0 || this.epoch === train.epochs) {
      record.val = await evaluateSplit(this.ir, this.store, dataset, "val", this.tasks, {
        batch: Math.max(train.batch, 32),
      });
      await turnEventLoop();
    }
    await this.options.hooks?.afterEpoch?.(this, record);
    this.records.push(record);
    this.emit({ type: "epoch", record, seconds, samplesPerSecond: samples / seconds });
    this.writeMetrics();
    await this.saveCheckpoint();
    // The IR the run is at, after the checkpoint that holds it (structural learning changes it).
    writeFileAtomic(runFile(this.options.outDir, "ir"), irToJson(this.ir));
    await this.options.hooks?.afterCheckpoint?.(this);
    return record;
  }

  /** Rebinds tasks after the IR changed (structural learning keeps the tasks, but this keeps it honest). */
  rebind(): void {
    this.tasks = this.ir.tasks.map((t) => bindTask(t, this.options.dataset.description));
  }

  /** Trains until the file's epoch count (or `stopAfterEpochs` more epochs). */
  async run(): Promise<EpochRecord[]> {
    mkdirSync(this.options.outDir, { recursive: true });
    let resumed = false;
    if (this.options.resume && existsSync(this.checkpointPath)) {
      this.resume();
      resumed = true;
    }
    const n = Math.min(this.options.dataset.splits.train.size, this.options.trainLimit ?? Infinity);
    this.emit({
      type: "start",
      epoch: this.epoch,
      epochs: this.ir.train.epochs,
      stepsPerEpoch: Math.ceil(n / this.ir.train.batch),
      resumed,
    });
    writeFileAtomic(runFile(this.options.outDir, "ir"), irToJson(this.ir));
    if (resumed) await this.options.hooks?.afterResume?.(this);
    let budget = this.options.stopAfterEpochs ?? Infinity;
    while (this.epoch < this.ir.train.epochs && budget-- > 0) await this.runEpoch();
    return this.records;
  }

  dispose(): void {
    this.store.dispose();
    this.optimizer.dispose();
    this.weighting.dispose();
  }
}

/** What a training step hands to its gradient computation. */
interface StepInputs {
  x: tf.Tensor4D;
  targets: Map<string, tf.Tensor>;
  trainable: tf.Variable[];
  updates: StatUpdate[];
  dropoutSeed: number;
  taskLosses: Map<string, tf.Scalar>;
  kept: tf.Tensor[] | null;
  context: StepContext;
}

/** The shared parameters' place in the task-gradient vectors (see Trainer.sharedLayout). */
interface SharedLayout {
  ir: IrModel;
  store: WeightStore;
  shared: string[];
  own: Map<string, string[]>;
  sizes: number[];
  offsets: number[];
  total: number;
  /** Engine variable name -> index into `shared`. */
  indexOfName: Map<string, number>;
  /** The entries of the last shared instance with weights (gradnorm's layer), or null. */
  lastShared: { start: number; end: number } | null;
}

/**
 * Lets the event loop run once (a macrotask, not a microtask). Node frees the memory of an
 * external buffer (the onednn backend's large kernel outputs that escaped to a reader) only
 * in a callback of the event loop, and an epoch is otherwise one synchronous loop: without
 * this, such buffers were measured to stay mapped until the epoch ended. Costs microseconds.
 */
function turnEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
