import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileSource } from "../../compiler/compile.js";
import type { IrModel } from "../../compiler/ir/types.js";
import { selectBackend } from "../../runtime/backend/select.js";
import { getDataSource } from "../../runtime/data/registry.js";
import type { Dataset } from "../../runtime/data/types.js";
import { isMtslError } from "../../runtime/errors.js";
import { Rng } from "../../runtime/random.js";
import { initialValues } from "../../runtime/model/init.js";
import { forward } from "../../runtime/model/network.js";
import { StructuralLearningHooks } from "../../runtime/structure/mtsl.js";
import { readCheckpoint } from "../../runtime/train/checkpoint.js";
import { Trainer, type TrainerHooks } from "../../runtime/train/trainer.js";

const tiny = readFileSync("test/fixtures/models/tiny.mtsl", "utf8")
  .replace("train: 256, val: 64, test: 64", "train: 96, val: 32, test: 32")
  .replace("at_epochs: [1, 2, 3]", "at_epochs: [1, 2]")
  .replace("passes: [1, 1, 1]", "passes: [1, 1]")
  .replace("epochs: 4", "epochs: 3");

let ir: IrModel;
let dataset: Dataset;
const dirs: string[] = [];
const tempDir = (): string => {
  const d = mkdtempSync(join(tmpdir(), "mtsl-train-"));
  dirs.push(d);
  return d;
};

beforeAll(async () => {
  tf.enableProdMode();
  await selectBackend("cpu");
  ir = compileSource(tiny).ir!;
  dataset = await getDataSource(ir.data.name).load(ir.data.options as never);
});

afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function trainer(outDir: string, extra: Partial<ConstructorParameters<typeof Trainer>[1]> = {}): Trainer {
  const hooks = new StructuralLearningHooks(ir.structuralLearning!);
  return new Trainer(ir, { outDir, dataset, backend: "cpu", hooks, ...extra });
}

describe("Trainer on the CPU backend", () => {
  it("resumes a run killed mid-epoch to the same weights as an uninterrupted run", async () => {
    const whole = trainer(tempDir());
    await whole.run();
    const expected = await whole.store.snapshot();
    const expectedIr = JSON.stringify(whole.ir);
    expect(whole.ir.instances.length).toBeLessThan(ir.instances.length); // structural learning merged something
    whole.dispose();

    const dir = tempDir();
    // kill at a random step of a random epoch (the seed is in the messages, to replay a failure)
    const killSeed = Number(process.env["KILL_SEED"] ?? Date.now() % 1_000_000);
    const rng = Rng.fromSeed(killSeed);
    const steps = Math.ceil(96 / ir.train.batch);
    const killEpoch = 1 + rng.int(ir.train.epochs);
    const killStep = 1 + rng.int(steps);
    const killed = trainer(dir, {
      onEvent: (e) => {
        if (e.type === "step" && e.epoch === killEpoch && e.step === killStep) throw new Error("killed");
      },
    });
    await expect(killed.run()).rejects.toThrow("killed");
    killed.dispose();
    const path = join(dir, "checkpoint.ckpt");
    expect(existsSync(path) ? readCheckpoint(path).epoch : 0, `KILL_SEED=${killSeed}`).toBe(killEpoch - 1);

    const resumed = trainer(dir, { resume: true });
    await resumed.run();
    expect(JSON.stringify(resumed.ir)).toBe(expectedIr);
    const got = await resumed.store.snapshot();
    expect([...got.keys()].sort()).toEqual([...expected.keys()].sort());
    for (const [k, v] of expected)
      expect(Buffer.from(got.get(k)!.values.buffer).equals(Buffer.from(v.values.buffer)), k).toBe(true);
    expect(resumed.records.map((r) => r.epoch)).toEqual([1, 2, 3]);
    resumed.dispose();
  }, 120_000);

  it("stops on a non-finite loss with a code, the task and step, and keeps the last good checkpoint", async () => {
    const dir = tempDir();
    const poison: TrainerHooks = {
      extraLoss: (t) => (t.epoch === 1 ? tf.scalar(Number.NaN) : null),
    };
    const t = new Trainer(ir, { outDir: dir, dataset, backend: "cpu", hooks: poison });
    const error = await t.run().then(
      () => null,
      (e: unknown) => e,
    );
    expect(isMtslError(error, "MTSL3201")).toBe(true);
    expect(String((error as Error).message)).toMatch(/total loss became NaN at epoch 2, step 1/);
    expect(readCheckpoint(join(dir, "checkpoint.ckpt")).epoch).toBe(1);
    t.dispose();

    const bad: Dataset = {
      ...dataset,
      getBatch: (split, indices) => {
        const b = dataset.getBatch(split, indices);
        b.images.fill(Number.NaN);
        return b;
      },
    };
    const t2 = new Trainer(ir, { outDir: tempDir(), dataset: bad, backend: "cpu" });
    await expect(t2.run()).rejects.toThrow(/loss of task 'left' became NaN at epoch 1, step 1/);
    t2.dispose();
  }, 60_000);

  it("leaves every weight outside a merge bit-for-bit unchanged, and hands the merged layers' Adam moments to the group", async () => {
    const sl = ir.structuralLearning!;
    const hooks = new StructuralLearningHooks({ ...sl, atEpochs: [9], transfer: { ...sl.transfer, passes: [10] } });
    const t = new Trainer(ir, { outDir: tempDir(), dataset, backend: "cpu", hooks });
    await t.runEpoch();
    const before = await t.store.snapshot();
    const slots = await t.optimizer.serialize();
    const record = await hooks.phase(t, 0);
    expect(record.created).toEqual(["c1@left+right"]);
    expect(record.removed).toEqual(["c1@left", "c1@right"]);
    const after = await t.store.snapshot();
    let survivors = 0;
    for (const [k, v] of after) {
      if (k.startsWith("c1@left+right/")) continue;
      survivors++;
      expect(Buffer.from(v.values.buffer).equals(Buffer.from(before.get(k)!.values.buffer)), k).toBe(true);
    }
    expect(survivors).toBeGreaterThan(10);
    for (const k of before.keys()) if (k.startsWith("c1@left/")) expect(after.has(k)).toBe(false);
    // hand-off: the group kernel's first moment is the mean of the two removed kernels'
    const key = "c1@left+right/0.kernel";
    const m = t.optimizer.slot(key)!.m!.dataSync();
    const a = slots.get("c1@left/0.kernel")!.m!;
    const b = slots.get("c1@right/0.kernel")!.m!;
    for (let i = 0; i < m.length; i += 17) expect(m[i]!).toBeCloseTo((a[i]! + b[i]!) / 2, 6);
    // knowledge transfer lowered the distillation loss on the probe images, by more than half
    const transfer = record.transfers[0]!;
    expect(transfer.steps).toBe(30); // ten passes over 96 images in batches of 32
    expect(transfer.lossAfter).toBeLessThan(transfer.lossBefore * 0.5);
    t.dispose();
  }, 60_000);

  it("records what the similarity can be trusted with: min, mean, effective rank, null CKA, on a fixed sample set", async () => {
    const sl = ir.structuralLearning!;
    const logs: string[] = [];
    // threshold 1: nothing merges, so two phases compare the same layers
    const fixed = new StructuralLearningHooks({ ...sl, atEpochs: [9, 10], threshold: 1 }, { log: (t) => logs.push(t) });
    const t = new Trainer(ir, { outDir: tempDir(), dataset, backend: "cpu", hooks: fixed });
    await t.runEpoch();
    const first = await fixed.phase(t, 0);
    const second = await fixed.phase(t, 1);
    expect(first.created).toEqual([]);
    const set = first.sets[0]!;
    expect(set.stage).toBe("c1");
    const off = set.similarity[0]![1]!;
    expect(set.min).toBeCloseTo(off, 12);
    expect(set.mean).toBeCloseTo(off, 12);
    expect(set.effectiveRank).toHaveLength(2);
    for (const r of set.effectiveRank) {
      expect(r).toBeGreaterThanOrEqual(1);
      expect(r).toBeLessThanOrEqual(8);
    }
    // independent fresh draws of conv-bn-relu on the same input: related, but not identical
    expect(set.nullSimilarity).toBeGreaterThan(0);
    expect(set.nullSimilarity).toBeLessThan(1);
    // the same images at every phase (the authors' fixed set): the same matrix twice
    expect(second.sets[0]!.similarity).toEqual(set.similarity);
    expect(second.sets[0]!.nullSimilarity).toBe(set.nullSimilarity);
    // at threshold 1 the null CKA is below tau: no warning
    expect(logs.filter((l) => l.startsWith("warning"))).toEqual([]);

    // cka(calibrate: true): grouping sees (CKA - null) / (1 - null); a threshold between that and
    // the raw CKA merges by the raw score but not by the calibrated one
    const expected = (off - set.nullSimilarity) / (1 - set.nullSimilarity);
    const tau = (expected + off) / 2;
    expect(off).toBeGreaterThan(tau);
    const calibrating = new StructuralLearningHooks({
      ...sl,
      atEpochs: [9, 10],
      threshold: tau,
      similarity: { ...sl.similarity, calibrate: true },
    });
    const calibrated = (await calibrating.phase(t, 0)).sets[0]!;
    expect(calibrated.similarity).toEqual(set.similarity);
    expect(calibrated.calibrated![0]![0]).toBe(1);
    expect(calibrated.calibrated![0]![1]).toBeCloseTo(expected, 12);
    expect(calibrated.value).toBeCloseTo(expected, 12);
    expect(calibrated.merged).toEqual([]);
    expect(set.calibrated).toBeUndefined();

    const resampled = new StructuralLearningHooks(
      { ...sl, atEpochs: [9, 10], threshold: 0.05, similarity: { ...sl.similarity, resample: true, samples: 32 } },
      { log: (text) => logs.push(text) },
    );
    const a = await resampled.phase(t, 0);
    const b = await resampled.phase(t, 1);
    expect(b.sets[0]!.similarity[0]![1]).not.toBe(a.sets[0]!.similarity[0]![1]);
    // tau 0.05 lies below the null CKA: said as a warning
    expect(
      logs.some((l) => /^warning: at c1 \(left, right\) freshly initialised copies already have CKA/.test(l)),
    ).toBe(true);
    t.dispose();
  }, 60_000);

  it("merges a parameter-free stage exactly, without comparing it, and compares the stage below in the same phase", async () => {
    const pooled = compileSource(
      tiny
        .replace("c1: conv(8, 3, stride: 2) bn relu", "c0: maxpool(1)\n    c1: conv(8, 3, stride: 2) bn relu")
        .replace("c1..c3: {left} {right}", "c0..c3: {left} {right}"),
    ).ir!;
    const sl = pooled.structuralLearning!;
    const hooks = new StructuralLearningHooks({ ...sl, atEpochs: [9], threshold: 1 });
    const t = new Trainer(pooled, { outDir: tempDir(), dataset, backend: "cpu", hooks });
    await t.runEpoch();
    const batch = dataset.getBatch("val", Int32Array.from([0, 1, 2, 3]));
    const outputs = (): Float32Array[] =>
      tf.tidy(() => {
        const x = tf.tensor4d(batch.images, [batch.size, ...(t.ir.input.shape as [number, number, number])]);
        const { outputs } = forward(t.ir, t.store, x, { training: false });
        return [...outputs.values()].map((o) => o.dataSync() as Float32Array);
      });
    const before = outputs();
    const record = await hooks.phase(t, 0);
    expect(record.sets.map((s) => [s.stage, s.exact === true])).toEqual([
      ["c0", true],
      ["c1", false],
    ]);
    expect(record.created).toEqual(["c0@left+right"]);
    expect(record.transfers).toEqual([]);
    expect(t.ir.instances.filter((i) => i.stage === "c0").map((i) => i.id)).toEqual(["c0@left+right"]);
    // exact: every output unchanged, bit for bit
    const after = outputs();
    after.forEach((o, i) => expect(Buffer.from(o.buffer).equals(Buffer.from(before[i]!.buffer))).toBe(true));
    t.dispose();
  }, 60_000);

  it("starts a group layer where its init says: the copies' start, a new draw, or their average", async () => {
    const sl = ir.structuralLearning!;
    const kernel = ir.stages[0]!.layers[0]!.weights.find((w) => w.name === "kernel")!;
    const groupKernel = async (init: "fresh" | "random" | "average"): Promise<{ got: Float32Array; t: Trainer }> => {
      // zero distillation passes: the group layer keeps its initial values
      const hooks = new StructuralLearningHooks({
        ...sl,
        atEpochs: [9],
        init,
        transfer: { ...sl.transfer, passes: [0] },
      });
      const t = new Trainer(ir, { outDir: tempDir(), dataset, backend: "cpu", hooks });
      await t.runEpoch();
      const left = t.store.get("c1@left/0.kernel").dataSync() as Float32Array;
      const right = t.store.get("c1@right/0.kernel").dataSync() as Float32Array;
      const record = await hooks.phase(t, 0);
      expect(record.created).toEqual(["c1@left+right"]);
      const got = t.store.get("c1@left+right/0.kernel").dataSync() as Float32Array;
      if (init === "average")
        for (let i = 0; i < got.length; i += 7) expect(got[i]).toBeCloseTo((left[i]! + right[i]!) / 2, 6);
      return { got, t };
    };
    const fresh = await groupKernel("fresh");
    expect([...fresh.got]).toEqual([...initialValues(ir.train.seed, "c1", 0, kernel)]);
    fresh.t.dispose();
    const random = await groupKernel("random");
    expect([...random.got]).toEqual([...initialValues(ir.train.seed, "c1#group#left+right", 0, kernel)]);
    expect([...random.got]).not.toEqual([...initialValues(ir.train.seed, "c1", 0, kernel)]);
    random.t.dispose();
    (await groupKernel("average")).t.dispose();
  }, 60_000);

  it("writes metrics.jsonl with one line per epoch", async () => {
    const dir = tempDir();
    const t = new Trainer(
      { ...ir, structuralLearning: null, train: { ...ir.train, epochs: 2 } },
      { outDir: dir, dataset, backend: "cpu" },
    );
    await t.run();
    const lines = readFileSync(join(dir, "metrics.jsonl"), "utf8").trim().split("\n");
    expect(lines).toHaveLength(2);
    const last = JSON.parse(lines[1]!) as { epoch: number; val: Record<string, Record<string, number>> };
    expect(last.epoch).toBe(2);
    expect(Object.keys(last.val)).toEqual(["left", "right"]);
    expect(last.val["left"]!["accuracy"]).toBeGreaterThanOrEqual(0);
    expect(existsSync(join(dir, "checkpoint.ckpt"))).toBe(true);
    t.dispose();
  }, 60_000);
});
