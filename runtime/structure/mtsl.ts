/**
 * Multi-Task Structural Learning in the trainer (MTSL.md): the alignment loss
 * during task learning, and a structural-learning phase after every scheduled
 * epoch (similarity, grouping, neuron creation, knowledge transfer, neuron
 * removal, optimiser hand-off). Plugged into the Trainer through its hooks.
 */
import * as tf from "@tensorflow/tfjs";
import { withPartitions } from "../../compiler/ir/rebuild.js";
import { partitionsOf } from "../../compiler/ir/sharing-tree.js";
import { instanceId, weightKey } from "../../compiler/ir/lint.js";
import type { IrModel, IrStructuralLearning } from "../../compiler/ir/types.js";
import type { ForwardResult } from "../model/network.js";
import { forward, runOwner, stagesThrough, type WeightSource } from "../model/network.js";
import { initialValues } from "../model/init.js";
import { weightOwners } from "../model/weights.js";
import { Rng } from "../random.js";
import type { EpochRecord, Trainer, TrainerHooks } from "../train/trainer.js";
import { learningRate } from "../train/schedule.js";
import { calibrateAgainstNull, ckaAlignmentLoss, ckaMatrix, participationRatio } from "./cka.js";
import { failpoint } from "../io/failpoint.js";
import { groupTasksDetailed } from "./grouping.js";
import { siblingSets, type SiblingSet } from "./siblings.js";
import { transferKnowledge, transferKnowledgeJointly, type TransferResult } from "./transfer.js";

export interface SetDecision {
  parent: string;
  stage: string;
  tasks: string[];
  /** CKA matrix in the order of `tasks`. */
  similarity: number[][];
  /** The smallest and the mean off-diagonal CKA. */
  min: number;
  mean: number;
  /**
   * Participation ratio of each task's pooled features (order of `tasks`): how many
   * directions they vary in; near 1, CKA compares little more than the channel mean.
   */
  effectiveRank: number[];
  /**
   * The mean off-diagonal CKA of the same stage freshly and independently initialised for
   * each task, run on the same input: the value CKA takes before any learning. At or above
   * the threshold, CKA cannot tell these tasks apart at this stage.
   */
  nullSimilarity: number;
  /**
   * With `cka(calibrate: true)`: the matrix the grouping used, each off-diagonal CKA rescaled
   * against the null, `(CKA - null) / (1 - null)` (1 on the diagonal); absent otherwise.
   */
  calibrated?: number[][];
  /**
   * A parameter-free stage (`gap`, pooling, activations only) whose copies read the same
   * input and skips: they compute the same function, so they were merged without comparing
   * (and without spending the phase on them). Its similarity is 1 by construction.
   */
  exact?: boolean;
  /** The best partition found and its value. */
  partition: string[][];
  value: number;
  groupScores: number[];
  /** The groups merged (two or more tasks each). */
  merged: string[][];
}

export interface SlpRecord {
  /** 0-based index into at_epochs. */
  index: number;
  /** The epoch after which it ran (1-based). */
  epoch: number;
  samples: number;
  sets: SetDecision[];
  transfers: TransferResult[];
  /** Instance ids created and removed. */
  created: string[];
  removed: string[];
}

export interface MtslState {
  done: number;
  finished: boolean;
  history: SlpRecord[];
}

export interface MtslHooksOptions {
  /** Called after a phase that changed the architecture, once its checkpoint exists. */
  onMerge?(record: SlpRecord, trainer: Trainer): void | Promise<void>;
  /** Called after every phase (merged or not). */
  onPhase?(record: SlpRecord, trainer: Trainer): void | Promise<void>;
  log?(text: string): void;
  trainLimit?: number;
}

/** The smallest and the mean entry off the diagonal of a square matrix (1 for a 1 x 1 matrix). */
function offDiagonal(matrix: number[][]): { min: number; mean: number } {
  let min = Infinity;
  let sum = 0;
  let count = 0;
  matrix.forEach((row, i) =>
    row.forEach((v, j) => {
      if (i === j) return;
      min = Math.min(min, v);
      sum += v;
      count++;
    }),
  );
  return count === 0 ? { min: 1, mean: 1 } : { min, mean: sum / count };
}

const nullOwner = (task: string): string => `null@${task}`;

/**
 * Fresh weights of a set's stage, one independent draw per task (seeded by the stage and
 * the task, never by the copies' shared start), for the null similarity.
 */
function nullWeights(ir: IrModel, set: SiblingSet, seed: number): WeightSource & { dispose(): void } {
  const layers = ir.stages.find((s) => s.name === set.stage)!.layers;
  const tensors = new Map<string, tf.Tensor>();
  for (const task of set.tasks) {
    layers.forEach((layer, j) => {
      for (const w of layer.weights) {
        const values = initialValues(seed, `${set.stage}#null#${task}`, j, w);
        tensors.set(weightKey(nullOwner(task), j, w.name), tf.tensor(values, w.shape, "float32"));
      }
    });
  }
  return {
    get: (key) => tensors.get(key)!,
    dispose: () => tensors.forEach((t) => t.dispose()),
  };
}

/** The mean of several equally shaped tensors. */
function mean(tensors: tf.Tensor[]): tf.Tensor {
  return tf.tidy(() => tf.div(tf.addN(tensors), tensors.length));
}

/**
 * Distillation passes of the phase at `at_epochs[index]`: `passes[index]` (1 when absent), or
 * with `per: merge` the entry for the number of earlier phases that distilled something (the
 * authors' code pops one entry per merging phase and reuses the last one).
 */
export function distillPasses(
  transfer: IrStructuralLearning["transfer"],
  history: readonly Pick<SlpRecord, "index" | "transfers">[],
  index: number,
): number {
  if (transfer.per === "phase") return transfer.passes[index] ?? 1;
  const merges = history.filter((r) => r.index < index && r.transfers.length > 0).length;
  return transfer.passes.length === 0 ? 1 : transfer.passes[Math.min(merges, transfer.passes.length - 1)]!;
}

export class StructuralLearningHooks implements TrainerHooks {
  state: MtslState = { done: 0, finished: false, history: [] };
  private pendingMerge: SlpRecord | null = null;
  /** Sibling sets of the IR they were computed for: the IR changes only at a merge, not per step. */
  private siblingCache: { ir: IrModel; sets: SiblingSet[] } | null = null;

  private siblingsOf(ir: IrModel): SiblingSet[] {
    if (this.siblingCache?.ir !== ir) this.siblingCache = { ir, sets: siblingSets(ir) };
    return this.siblingCache.sets;
  }

  constructor(
    readonly sl: IrStructuralLearning,
    readonly options: MtslHooksOptions = {},
  ) {}

  /** True while phases remain: the alignment loss is on. */
  active(epochsDone: number): boolean {
    const last = this.sl.atEpochs[this.sl.atEpochs.length - 1] ?? 0;
    return !this.state.finished && epochsDone < last;
  }

  /**
   * Whether the alignment loss is on while training the epoch after `epochsDone`: while
   * phases remain, except in the `alignment_pause` epochs just before a phase.
   */
  aligning(epochsDone: number): boolean {
    if (this.sl.alignment <= 0 || !this.active(epochsDone)) return false;
    const next = this.sl.atEpochs.find((e) => e > epochsDone);
    return next === undefined || next - (epochsDone + 1) >= this.sl.alignmentPause;
  }

  extraLossActive(trainer: Trainer): boolean {
    return this.aligning(trainer.epoch);
  }

  extraLoss(trainer: Trainer, result: ForwardResult): tf.Scalar | null {
    if (!this.aligning(trainer.epoch)) return null;
    const sets = this.siblingsOf(trainer.ir);
    let total: tf.Scalar | null = null;
    for (const set of sets) {
      const feats = set.instances.map((id) => {
        const f = result.features.get(id)!;
        return (f.rank === 4 ? tf.mean(f, [1, 2]) : f) as tf.Tensor2D;
      });
      if ((feats[0]?.shape[0] ?? 0) < 4) continue;
      const loss = ckaAlignmentLoss(feats, { debiased: this.sl.similarity.debiased });
      total = total ? (tf.add(total, loss) as tf.Scalar) : loss;
    }
    return total ? (tf.mul(total, this.sl.alignment) as tf.Scalar) : null;
  }

  saveState(): unknown {
    return this.state;
  }

  restoreState(state: unknown): void {
    if (state && typeof state === "object") this.state = state as MtslState;
  }

  async afterEpoch(trainer: Trainer, _record: EpochRecord): Promise<void> {
    const index = this.sl.atEpochs.indexOf(trainer.epoch);
    if (index < 0 || this.state.finished) return;
    const started = performance.now();
    const record = await this.phase(trainer, index);
    trainer.recordTiming({ epoch: trainer.epoch, phase: index, seconds: (performance.now() - started) / 1000 });
    this.state.done = index + 1;
    this.state.history.push(record);
    if (index === this.sl.atEpochs.length - 1 || siblingSets(trainer.ir).length === 0) this.state.finished = true;
    await this.options.onPhase?.(record, trainer);
    if (record.created.length > 0) this.pendingMerge = record;
  }

  async afterCheckpoint(trainer: Trainer): Promise<void> {
    if (!this.pendingMerge) return;
    const record = this.pendingMerge;
    this.pendingMerge = null;
    await this.options.onMerge?.(record, trainer);
  }

  /**
   * A checkpoint written right after a merge is followed by that merge's revision; a kill can
   * come between the two, so a run resumed from such a checkpoint hands the merge on again
   * (onMerge writes the same revision, byte for byte, where it was already written).
   */
  async afterResume(trainer: Trainer): Promise<void> {
    const last = this.state.history.at(-1);
    if (last && last.epoch === trainer.epoch && last.created.length > 0) await this.options.onMerge?.(last, trainer);
  }

  /**
   * Features (GAP over height and width) of every instance in `sets`, over `indices` of the
   * training split, and of each set's null copies: its stage freshly initialised once per task
   * (independent draws) and run on the set's first instance's inputs.
   */
  private async features(
    trainer: Trainer,
    sets: SiblingSet[],
    indices: Int32Array,
  ): Promise<{ real: Map<string, Float64Array[]>; nulls: Float64Array[][][] }> {
    const ir = trainer.ir;
    const shape = ir.input.shape as [number, number, number];
    const wanted = new Set(sets.flatMap((s) => s.instances));
    const real = new Map<string, Float64Array[]>([...wanted].map((id) => [id, []]));
    const nulls: Float64Array[][][] = sets.map((s) => s.tasks.map(() => []));
    const stages = new Map(ir.stages.map((s) => [s.name, s]));
    const instances = new Map(ir.instances.map((i) => [i.id, i]));
    const fresh = sets.map((set) => nullWeights(ir, set, trainer.ir.train.seed));
    // Each batch's pooled features are kept out of its tidy and read back after it.
    let pending: { pooled: tf.Tensor2D; into: Float64Array[] }[] = [];
    const pooledRows = (f: tf.Tensor, into: Float64Array[]): void => {
      const pooled = tf.keep((f.rank === 4 ? tf.mean(f, [1, 2]) : f.clone()) as tf.Tensor2D);
      pending.push({ pooled, into });
    };
    const readPending = async (): Promise<void> => {
      try {
        const read = await Promise.all(pending.map((p) => p.pooled.data()));
        pending.forEach(({ pooled, into }, k) => {
          const [n, c] = pooled.shape;
          const data = read[k]!;
          for (let i = 0; i < n; i++) into.push(Float64Array.from(data.subarray(i * c, (i + 1) * c)));
        });
      } finally {
        tf.dispose(pending.map((p) => p.pooled));
        pending = [];
      }
    };
    const batch = 64;
    // Only the stages up to the deepest compared one run (no later stage, no head): at an
    // early phase of one network per task that is a small part of the network, whose every
    // intermediate the batch's tidy holds until it ends.
    const part = stagesThrough(ir, Math.max(...sets.map((s) => stages.get(s.stage)!.index)));
    try {
      for (let start = 0; start < indices.length; start += batch) {
        const b = trainer.options.dataset.getBatch("train", indices.subarray(start, start + batch));
        tf.tidy(() => {
          const x = tf.tensor4d(b.images, [b.size, ...shape]);
          const { features } = forward(ir, trainer.store, x, { training: false, part });
          for (const id of wanted) pooledRows(features.get(id)!, real.get(id)!);
          sets.forEach((set, k) => {
            const first = instances.get(set.instances[0]!)!;
            const input = features.get(first.input)!;
            const skips = first.skips.map((id) => features.get(id)!);
            set.tasks.forEach((task, t) => {
              const y = runOwner(nullOwner(task), stages.get(set.stage)!.layers, input, fresh[k]!, skips, {
                training: false,
              });
              pooledRows(y, nulls[k]![t]!);
            });
          });
        });
        await readPending();
      }
    } finally {
      tf.dispose(pending.map((p) => p.pooled));
      for (const source of fresh) source.dispose();
    }
    return { real, nulls };
  }

  /**
   * Merges, repeatedly, every sibling set whose stage has no weights and whose copies read
   * the same skips: its copies compute the same function of the same input, so merging them
   * is exact, needs no transfer and changes no output. The phase then compares the stage below.
   */
  private mergeParameterFree(trainer: Trainer, record: SlpRecord): void {
    for (;;) {
      const ir = trainer.ir;
      const stages = new Map(ir.stages.map((s) => [s.name, s]));
      const instances = new Map(ir.instances.map((i) => [i.id, i]));
      const exact = siblingSets(ir).filter((set) => {
        if (stages.get(set.stage)!.layers.some((l) => l.weights.length > 0)) return false;
        const skips = set.instances.map((id) => instances.get(id)!.skips.join(" "));
        return skips.every((s) => s === skips[0]);
      });
      if (exact.length === 0) return;
      const partitions = partitionsOf(ir);
      for (const set of exact) {
        const group = [...set.tasks];
        const rest = partitions.get(set.stage)!.filter((g) => !(g.length === 1 && group.includes(g[0]!)));
        partitions.set(set.stage, [...rest, group]);
        record.sets.push({
          parent: set.parent,
          stage: set.stage,
          tasks: set.tasks,
          similarity: set.tasks.map(() => set.tasks.map(() => 1)),
          min: 1,
          mean: 1,
          effectiveRank: [],
          nullSimilarity: 1,
          exact: true,
          partition: [group],
          value: 1,
          groupScores: [1],
          merged: [group],
        });
        record.created.push(instanceId(set.stage, group));
        record.removed.push(...set.instances);
      }
      trainer.ir = withPartitions(ir, partitions);
      trainer.rebind();
      this.options.log?.(`structural learning: merged parameter-free ${exact.map((s) => s.stage).join(", ")} (exact)`);
    }
  }

  /** One structural-learning phase. */
  async phase(trainer: Trainer, index: number): Promise<SlpRecord> {
    const started = performance.now();
    const record: SlpRecord = {
      index,
      epoch: trainer.epoch,
      samples: 0,
      sets: [],
      transfers: [],
      created: [],
      removed: [],
    };
    this.mergeParameterFree(trainer, record);
    const ir = trainer.ir;
    const sets = siblingSets(ir);
    if (sets.length === 0) return record;
    const dataset = trainer.options.dataset;
    const trainSize = Math.min(dataset.splits.train.size, trainer.options.trainLimit ?? Infinity);
    const n = Math.min(this.sl.similarity.samples, trainSize);
    // The authors' fixed set (the first n training images, the same at every phase), or a new draw per phase.
    const indices = this.sl.similarity.resample
      ? Rng.fromSeed(ir.train.seed).fork(`slp/${index}`).permutation(trainSize).subarray(0, n)
      : Int32Array.from({ length: n }, (_, i) => i);
    record.samples = n;
    const { real: feats, nulls } = await this.features(trainer, sets, indices);

    const partitions = partitionsOf(ir);
    const jobs: { set: SiblingSet; group: string[] }[] = [];
    for (const [k, set] of sets.entries()) {
      const options = { debiased: this.sl.similarity.debiased };
      const matrix = ckaMatrix(
        set.instances.map((id) => feats.get(id)!),
        options,
      );
      const nullSimilarity = offDiagonal(ckaMatrix(nulls[k]!, options)).mean;
      const { min, mean: meanCka } = offDiagonal(matrix);
      const effectiveRank = set.instances.map((id) => participationRatio(feats.get(id)!));
      if (nullSimilarity >= this.sl.threshold) {
        this.options.log?.(
          `warning: at ${set.stage} (${set.tasks.join(", ")}) freshly initialised copies already have CKA ${nullSimilarity.toFixed(3)} >= threshold ${this.sl.threshold}: similarity cannot separate these tasks here`,
        );
      }
      const calibrated = this.sl.similarity.calibrate ? calibrateAgainstNull(matrix, nullSimilarity) : undefined;
      const details = groupTasksDetailed(calibrated ?? matrix, set.tasks, this.sl.threshold);
      record.sets.push({
        parent: set.parent,
        stage: set.stage,
        tasks: set.tasks,
        similarity: matrix,
        min,
        mean: meanCka,
        effectiveRank,
        nullSimilarity,
        ...(calibrated ? { calibrated } : {}),
        partition: details.partition,
        value: details.value,
        groupScores: details.groupScores,
        merged: details.merged,
      });
      if (details.merged.length === 0) continue;
      const merging = new Set(details.merged.flat());
      const groups = partitions.get(set.stage)!.filter((g) => !(g.length === 1 && merging.has(g[0]!)));
      partitions.set(set.stage, [...groups, ...details.merged]);
      for (const group of details.merged) jobs.push({ set, group });
    }
    failpoint("phase");
    if (jobs.length === 0) {
      this.options.log?.(`structural learning after epoch ${trainer.epoch}: no merge by similarity`);
      return record;
    }

    const after: IrModel = withPartitions(ir, partitions);
    const owners = new Map(weightOwners(after).map((o) => [o.id, o]));
    const store = trainer.store;
    const lr =
      this.sl.transfer.lr ?? learningRate(ir.train.schedule, trainer.baseLr, trainer.epoch - 1, ir.train.epochs);
    const weightDecay =
      typeof ir.train.optimizer.options["weight_decay"] === "number"
        ? (ir.train.optimizer.options["weight_decay"] as number)
        : 0;
    const stageOrder = new Map(ir.stages.map((s) => [s.name, s.index]));
    // Group layers of stages from random_from on are a new draw (never, without it).
    const randomFrom = this.sl.randomFrom === null ? Infinity : (stageOrder.get(this.sl.randomFrom) ?? Infinity);
    const replaced: string[] = [];
    const merges = jobs.map(({ set, group }) => {
      const student = instanceId(set.stage, group);
      const teachers = group.map((t) => instanceId(set.stage, [t]));
      store.addOwner(owners.get(student)!);
      const drawn = this.sl.init === "random" || stageOrder.get(set.stage)! >= randomFrom;
      if (drawn) {
        // A new draw, independent of the copies' shared start: seeded by the stage and the group.
        const owner = owners.get(student)!;
        owner.layers.forEach((layer, l) => {
          for (const w of layer.weights) {
            if (w.init === "zeros" || w.init === "ones") continue; // biases and statistics start as always
            const values = initialValues(ir.train.seed, `${set.stage}#group#${group.join("+")}`, l, w);
            tf.tidy(() => store.assign(weightKey(student, l, w.name), tf.tensor(values, w.shape, "float32")));
          }
        });
      } else if (this.sl.init === "average") {
        for (const key of store.keysOf(student)) {
          const suffix = key.slice(student.length);
          store.assign(key, mean(teachers.map((t) => store.get(t + suffix))));
        }
      }
      return { student, teachers };
    });
    const probe = indices.subarray(0, Math.min(256, indices.length));
    const transferOptions = {
      passes: distillPasses(this.sl.transfer, this.state.history, index),
      batch: ir.train.batch,
      lr,
      weightDecay,
      gate: this.sl.transfer.gate,
      probe,
      ...(trainer.options.trainLimit === undefined ? {} : { trainLimit: trainer.options.trainLimit }),
    };
    const transferJobs = merges.map(({ student, teachers }) => ({ before: ir, after, student, teachers }));
    if (this.sl.transfer.joint) {
      // The authors' way: one Adam for every group layer of the phase, on the sum of their losses.
      const seed = ir.train.seed * 7919 + index * 131;
      record.transfers.push(
        ...(await transferKnowledgeJointly(transferJobs, store, dataset, { ...transferOptions, seed })),
      );
    } else {
      for (const [j, job] of transferJobs.entries()) {
        const seed = ir.train.seed * 7919 + index * 131 + j;
        record.transfers.push(await transferKnowledge(job, store, dataset, { ...transferOptions, seed }));
      }
    }
    for (const { student, teachers } of merges) {
      // optimiser hand-off: the group layer's moments are the mean of the removed layers'
      if (this.sl.handoff === "mean") {
        for (const key of store.keysOf(student)) {
          const suffix = key.slice(student.length);
          const slots = teachers.map((t) => trainer.optimizer.slot(t + suffix)).filter((s) => s !== undefined);
          if (slots.length === 0) continue;
          const m = slots.every((s) => s.m) ? mean(slots.map((s) => s.m!)) : null;
          const v = slots.every((s) => s.v) ? mean(slots.map((s) => s.v!)) : null;
          trainer.optimizer.setSlot(key, { step: Math.max(...slots.map((s) => s.step)), m, v });
        }
      }
      record.created.push(student);
      record.removed.push(...teachers);
      replaced.push(...teachers);
    }
    // Only now: every job's trunk is the network before the phase, and a later job's trunk can
    // run an earlier job's teachers (a set merged at enc3 feeds the set compared at enc4).
    for (const t of replaced) {
      for (const key of store.keysOf(t)) trainer.optimizer.deleteSlot(key);
      store.removeOwner(t);
    }
    trainer.ir = after;
    trainer.rebind();
    this.options.log?.(
      `structural learning after epoch ${trainer.epoch}: merged ${record.created.join(", ")} (${((performance.now() - started) / 1000).toFixed(1)} s)`,
    );
    return record;
  }
}
