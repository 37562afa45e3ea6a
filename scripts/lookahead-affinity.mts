/**
 * A probe (docs/results.md, "Does any instantaneous measure predict the ground truth?"): the
 * lookahead affinity of Fifty et al. 2021 ("Efficiently Identifying Task Groupings", TAG) on a
 * checkpoint's shared stages, against the pairwise ground truth of `mtslc affinity`.
 * Z[i][j] = 1 - L_j(theta - lr g_i) / L_j(theta): how a plain gradient step on task i's loss
 * (its file weight included) over the parameters shared by more than one task changes task j's
 * loss, averaged over batches of 32 of the first training images, in eval mode.
 *
 * Usage: npx tsx scripts/lookahead-affinity.mts CHECKPOINT AFFINITY_JSON [LR,LR,...] [BATCHES]
 * e.g. the pretraining checkpoint of an MTSL run (the hard-shared network the copies start from).
 */
import * as tf from "@tensorflow/tfjs";
import { readFileSync } from "node:fs";
import { selectBackend } from "../runtime/backend/select.js";
import { getDataSource } from "../runtime/data/registry.js";
import { WeightStore } from "../runtime/model/weights.js";
import { forward } from "../runtime/model/network.js";
import { readCheckpoint } from "../runtime/train/checkpoint.js";
import { bindTask } from "../runtime/train/tasks.js";
import { rankCorrelation } from "../runtime/eval/affinity.js";

const ckptPath = process.argv[2]!;
const affinityPath = process.argv[3]!;
const lrs = (process.argv[4] ?? "0.001,0.01,0.1").split(",").map(Number);
const batches = Number(process.argv[5] ?? 12);
await selectBackend("onednn");
const ckpt = readCheckpoint(ckptPath);
const ir = ckpt.ir;
const store = WeightStore.forIr(ir, ir.train.seed);
store.load(ckpt.weights);
const dataset = await getDataSource(ir.data.name).load(ir.data.options as never, ir.tasks);
const tasks = ir.tasks.map((t) => bindTask(t, dataset.description));
const shape = ir.input.shape as [number, number, number];
const names = tasks.map((t) => t.task.name);
// shared: instances serving more than one task
const sharedOwners = ir.instances.filter((i) => i.tasks.length > 1).map((i) => i.id);
const keys = sharedOwners.flatMap((o) => store.keysOf(o)).filter((k) => store.isTrainable(k));
console.log("shared owners", sharedOwners.join(" "), "keys", keys.length);
const vars = keys.map((k) => store.get(k));
const T = names.length;
const Z = lrs.map(() => Array.from({ length: T }, () => new Array<number>(T).fill(0)));
const bs = 32;
const lossesOf = (x: tf.Tensor4D, targets: Map<string, tf.Tensor>): number[] =>
  tf.tidy(() => {
    const r = forward(ir, store, x, { training: false });
    return tasks.map(
      (t) =>
        (t.loss(r.outputs.get(t.task.name)!, targets.get(t.task.name)!) as tf.Scalar).dataSync()[0]! * t.task.weight,
    );
  });
for (let b = 0; b < batches; b++) {
  const idx = Int32Array.from({ length: bs }, (_, i) => b * bs + i);
  const batch = dataset.getBatch("train", idx);
  const x = tf.tensor4d(batch.images, [batch.size, ...shape]);
  const targets = new Map(tasks.map((t) => [t.task.name, t.targetTensor(batch, shape)]));
  const base = lossesOf(x, targets);
  const saved = vars.map((v) => tf.keep(v.clone()));
  for (const [i, t] of tasks.entries()) {
    const { grads, value } = tf.variableGrads(() => {
      const r = forward(ir, store, x, { training: false });
      return tf.mul(t.loss(r.outputs.get(t.task.name)!, targets.get(t.task.name)!), t.task.weight) as tf.Scalar;
    }, vars);
    value.dispose();
    for (const [li, lr] of lrs.entries()) {
      vars.forEach((v, k) => v.assign(tf.tidy(() => tf.sub(saved[k]!, tf.mul(grads[v.name]!, lr)))));
      const after = lossesOf(x, targets);
      for (let j = 0; j < T; j++) Z[li]![i]![j]! += (1 - after[j]! / base[j]!) / batches;
      vars.forEach((v, k) => v.assign(saved[k]!));
    }
    tf.dispose(Object.values(grads));
  }
  tf.dispose([...saved, x, ...targets.values()]);
}
type Matrix = Record<string, Record<string, number>>;
const aff = JSON.parse(readFileSync(affinityPath, "utf8")) as { transfer: Matrix; bestEpochTransfer?: Matrix };
const pairAffinityOf = (m: Matrix, a: string, b: string): number => (m[a]![b]! + m[b]![a]!) / 2;
for (const [li, lr] of lrs.entries()) {
  const z = Z[li]!;
  console.log(`lr ${lr}: Z[i][j] x1000 (row = stepped task i, column = task j whose loss is measured)`);
  console.log("      " + names.map((n) => n.padStart(8)).join(""));
  z.forEach((row, i) => console.log(names[i]!.padEnd(6) + row.map((v) => (v * 1000).toFixed(2).padStart(8)).join("")));
  const pz: number[] = [],
    pn: number[] = [],
    pg: number[] = [],
    pb: number[] = [];
  for (let i = 0; i < T; i++)
    for (let j = i + 1; j < T; j++) {
      pz.push((z[i]![j]! + z[j]![i]!) / 2);
      pn.push((z[i]![j]! / z[j]![j]! + z[j]![i]! / z[i]![i]!) / 2);
      pg.push(pairAffinityOf(aff.transfer, names[i]!, names[j]!));
      if (aff.bestEpochTransfer) pb.push(pairAffinityOf(aff.bestEpochTransfer, names[i]!, names[j]!));
    }
  console.log(
    "spearman(sym Z, ground truth)",
    rankCorrelation(pz, pg)?.toFixed(2),
    " normalised",
    rankCorrelation(pn, pg)?.toFixed(2),
    aff.bestEpochTransfer
      ? ` | at the best epoch: ${rankCorrelation(pz, pb)?.toFixed(2)}, normalised ${rankCorrelation(pn, pb)?.toFixed(2)}`
      : "",
  );
  console.log(
    "received (mean_i!=j Z_ij / Z_jj):",
    names
      .map((n, j) => `${n} ${(z.reduce((s, r, i) => s + (i === j ? 0 : r[j]!), 0) / (T - 1) / z[j]![j]!).toFixed(2)}`)
      .join("  "),
  );
}
