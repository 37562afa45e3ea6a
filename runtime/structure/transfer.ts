/**
 * Knowledge transfer into a new group layer (MTSL.md, SLP step 4). Teachers:
 * the old task layers of the group, frozen and in inference mode, on the same
 * input. Student: the group layer (training mode). Each teacher t has a channel
 * gate m_t = sigmoid(W2 relu(W1 GAP(student_out))) of two C x C dense layers;
 * loss = sum_t MSE(teacher_t_out, m_t * student_out). Only the student and the
 * gates train, with an Adam of their own; the gates are discarded afterwards.
 * The trunk below the group (stages before it, including skip sources) runs in
 * inference mode and does not change.
 */
import * as tf from "@tensorflow/tfjs";
import { weightKey } from "../../compiler/ir/lint.js";
import type { IrModel } from "../../compiler/ir/types.js";
import { readScalars } from "../backend/read-values.js";
import { batchIndices } from "../data/dataset.js";
import type { Dataset } from "../data/types.js";
import { failpoint } from "../io/failpoint.js";
import { forward, runOwner, stagesThrough } from "../model/network.js";
import type { StatUpdate } from "../model/ops.js";
import type { WeightStore } from "../model/weights.js";
import { Rng } from "../random.js";
import { Adam } from "../train/optimizer.js";

export interface TransferJob {
  /** The IR before the merge (teachers exist in it). */
  before: IrModel;
  /** The IR after the merge (the student exists in it). */
  after: IrModel;
  /** The student instance id (group layer). */
  student: string;
  /** The teacher instance ids (task layers being replaced). */
  teachers: string[];
}

export interface TransferOptions {
  passes: number;
  batch: number;
  lr: number;
  weightDecay: number;
  gate: "channel" | "none";
  seed: number;
  /** Samples used to measure the loss before and after. */
  probe: Int32Array;
  trainLimit?: number;
}

export interface TransferResult {
  student: string;
  lossBefore: number;
  lossAfter: number;
  steps: number;
}

function gap(t: tf.Tensor): tf.Tensor2D {
  return (t.rank === 4 ? tf.mean(t, [1, 2]) : t) as tf.Tensor2D;
}

/** Runs the knowledge transfer of one job; the student's weights in `store` are trained in place. */
export async function transferKnowledge(
  job: TransferJob,
  store: WeightStore,
  dataset: Dataset,
  options: TransferOptions,
): Promise<TransferResult> {
  return (await transferKnowledgeJointly([job], store, dataset, options))[0]!;
}

/**
 * Runs the knowledge transfer of several jobs of one phase as the authors' code does: one
 * Adam over every student and gate, stepped on the sum of the jobs' losses on the same batch
 * (the trunk below them runs once per batch). Every job's `before` must be the same network.
 * With one job this is `transferKnowledge`.
 */
export async function transferKnowledgeJointly(
  jobs: readonly TransferJob[],
  store: WeightStore,
  dataset: Dataset,
  options: TransferOptions,
): Promise<TransferResult[]> {
  const before = jobs[0]!.before;
  const shape = before.input.shape as [number, number, number];
  const rng = Rng.fromSeed(options.seed);
  const parts = jobs.map((job, j) => {
    const studentInst = job.after.instances.find((i) => i.id === job.student)!;
    const stage = job.after.stages.find((s) => s.name === studentInst.stage)!;
    const channels = stage.outShape[stage.outShape.length - 1]!;
    const gates: { w1: tf.Variable; b1: tf.Variable; w2: tf.Variable; b2: tf.Variable }[] =
      options.gate === "channel"
        ? job.teachers.map(() => {
            const limit = Math.sqrt(6 / (2 * channels));
            const init = (): tf.Tensor =>
              tf.tensor(
                Float32Array.from({ length: channels * channels }, () => (rng.uniform() * 2 - 1) * limit),
                [channels, channels],
              );
            return {
              w1: tf.variable(init(), true),
              b1: tf.variable(tf.zeros([channels]), true),
              w2: tf.variable(init(), true),
              b2: tf.variable(tf.zeros([channels]), true),
            };
          })
        : [];
    // One job keeps the gate keys it always had; jointly, each job's gates are prefixed.
    const prefix = jobs.length === 1 ? "" : `job${j}.`;
    const gateMap = new Map<string, tf.Variable>();
    gates.forEach((g, i) => {
      gateMap.set(`${prefix}gate${i}.w1`, g.w1);
      gateMap.set(`${prefix}gate${i}.b1`, g.b1);
      gateMap.set(`${prefix}gate${i}.w2`, g.w2);
      gateMap.set(`${prefix}gate${i}.b2`, g.b2);
    });
    // The teachers' instances (for their skips), found once, not on every batch.
    const teacherInsts = job.teachers.map((t) => job.before.instances.find((i) => i.id === t)!);
    return { job, studentInst, stage, channels, gates, gateMap, teacherInsts };
  });
  const depth = Math.max(...parts.map((p) => p.stage.index));
  const gateMap = new Map(parts.flatMap((p) => [...p.gateMap]));
  const studentKeys = parts.flatMap((p) => store.keysOf(p.job.student).filter((k) => store.isTrainable(k)));
  const adam = new Adam(0.9, 0.999, 1e-8, options.weightDecay);
  const lookup = (key: string): tf.Variable => gateMap.get(key) ?? store.get(key);
  /** A gate variable's key by its tfjs name (gradients come back by variable name). */
  const gateKeyByName = new Map([...gateMap].map(([key, v]) => [v.name, key]));

  /** Each job's KD loss on a batch; in training mode the students use batch statistics. */
  const lossesOn = (indices: ArrayLike<number>, training: boolean, updates?: StatUpdate[]): tf.Scalar[] => {
    const batch = dataset.getBatch("train", indices);
    const x = tf.tensor4d(batch.images, [batch.size, ...shape]);
    // The trunk below the students, in inference mode.
    const feats = forward(before, store, x, { training: false, part: stagesThrough(before, depth - 1) }).features;
    return parts.map(({ job, studentInst, stage, channels, gates, teacherInsts }) => {
      const input = feats.get(studentInst.input)!;
      const skips = studentInst.skips.map((s) => feats.get(s)!);
      const teacherOuts = job.teachers.map((t, i) =>
        runOwner(
          t,
          stage.layers,
          input,
          store,
          teacherInsts[i]!.skips.map((s) => feats.get(s)!),
          { training: false },
        ),
      );
      const student = runOwner(job.student, stage.layers, input, store, skips, {
        training,
        ...(updates ? { updates } : {}),
      });
      let total: tf.Scalar = tf.scalar(0);
      teacherOuts.forEach((teacher, i) => {
        let gated = student;
        if (options.gate === "channel") {
          const g = gates[i]!;
          const h = tf.relu(tf.add(tf.matMul(gap(student), g.w1), g.b1));
          const m = tf.sigmoid(tf.add(tf.matMul(h, g.w2), g.b2));
          gated = tf.mul(student, student.rank === 4 ? tf.reshape(m, [-1, 1, 1, channels]) : m);
        }
        total = tf.add(total, tf.mean(tf.squaredDifference(teacher, gated)));
      });
      return total;
    });
  };

  /** Each job's mean loss over the probe samples. */
  const probeLosses = async (): Promise<number[]> => {
    const batches = batchIndices(options.probe.length, Math.max(options.batch, 32), { shuffle: false }).map((b) =>
      b.map((i) => options.probe[i]!),
    );
    const sums = new Array<number>(parts.length).fill(0);
    for (const b of batches) {
      const losses = tf.tidy(() => lossesOn(b, false).map((l) => tf.mul(l, b.length)));
      (await readScalars(losses)).forEach((v, j) => (sums[j]! += v));
      tf.dispose(losses);
    }
    return sums.map((v) => v / options.probe.length);
  };

  const lossBefore = await probeLosses();
  let steps = 0;
  const n = Math.min(dataset.splits.train.size, options.trainLimit ?? Infinity);
  const varList = [...studentKeys.map((k) => store.get(k)), ...gateMap.values()];
  for (let pass = 0; pass < options.passes; pass++) {
    const batches = batchIndices(n, options.batch, { shuffle: true, seed: options.seed, epoch: 1_000 + pass });
    for (const indices of batches) {
      const updates: StatUpdate[] = [];
      const { value, grads } = tf.variableGrads(() => {
        const losses = lossesOn(indices, true, updates);
        return (losses.length === 1 ? losses[0]! : tf.addN(losses)) as tf.Scalar;
      }, varList);
      const named = new Map<string, tf.Tensor>();
      for (const [name, g] of store.rekey(grads)) {
        named.set(gateKeyByName.get(name) ?? name, g);
      }
      adam.apply(named, lookup, options.lr);
      for (const u of updates) store.assign(u.name, u.value);
      for (const t of [value, ...Object.values(grads), ...updates.map((u) => u.value)]) t.dispose();
      steps++;
      failpoint("distill");
    }
  }
  const lossAfter = await probeLosses();
  adam.dispose();
  for (const v of gateMap.values()) v.dispose();
  return parts.map(({ job }, j) => ({
    student: job.student,
    lossBefore: lossBefore[j]!,
    lossAfter: lossAfter[j]!,
    steps,
  }));
}

/** Keys of the student's weights paired with the same weights of each teacher. */
export function pairedKeys(store: WeightStore, student: string, teacher: string): [string, string][] {
  return store.keysOf(student).map((k) => [k, teacher + k.slice(student.length)] as [string, string]);
}

export { weightKey };
