/**
 * `train { pretrain: N }`: the hard-shared network trains N epochs in RUN/pretrain, and every
 * stage copy and head of the run starts from its weights (batch-norm statistics included), as
 * do the group layers of later `init: fresh` merges; the pretraining is read back, not redone.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileSource } from "../../compiler/compile.js";
import { instanceId, weightKey } from "../../compiler/ir/lint.js";
import type { IrModel } from "../../compiler/ir/types.js";
import { parse } from "../../grammar/parse.js";
import { selectBackend } from "../../runtime/backend/select.js";
import { getDataSource } from "../../runtime/data/registry.js";
import type { Dataset } from "../../runtime/data/types.js";
import { initialValues } from "../../runtime/model/init.js";
import { WeightStore, weightOwners } from "../../runtime/model/weights.js";
import { pretrainedStarts, pretrainIr } from "../../runtime/run/pretrain.js";
import { readCheckpoint } from "../../runtime/train/checkpoint.js";
import { Trainer } from "../../runtime/train/trainer.js";
import { mtslc } from "../cli/helpers.js";

const source = readFileSync("test/fixtures/models/tiny.mtsl", "utf8")
  .replace("train: 256, val: 64, test: 64", "train: 64, val: 32, test: 32")
  .replace("epochs: 4", "epochs: 4\n    pretrain: 1");

let ir: IrModel;
let dataset: Dataset;
const dir = mkdtempSync(join(tmpdir(), "mtsl-pretrain-"));

beforeAll(async () => {
  tf.enableProdMode();
  await selectBackend("cpu");
  ir = compileSource(source).ir!;
  dataset = await getDataSource(ir.data.name).load(ir.data.options as never);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const values = (store: WeightStore, key: string): Float32Array => store.get(key).dataSync() as Float32Array;
const metricLines = (run: string): number => readFileSync(join(run, "metrics.jsonl"), "utf8").trim().split("\n").length;

describe("pretrain", () => {
  it("compiles to the IR, prints back from it and lowers the hard-shared network at a constant rate", () => {
    expect(ir.train.pretrain).toBe(1);
    const p = pretrainIr(parse(source).document, ir);
    expect(p.instances.map((i) => i.id)).toEqual(["c1@left+right", "c2@left+right", "c3@left+right"]);
    expect(p.train.epochs).toBe(1);
    expect(p.train.pretrain).toBe(0);
    expect(p.train.schedule).toEqual({ name: "constant", options: {} });
    expect(p.structuralLearning).toBeNull();
  });

  it("starts every stage copy and head from the pretrained weights and statistics, and reads them back", async () => {
    const run = join(dir, "lib");
    const starts = await pretrainedStarts({
      document: parse(source).document,
      ir,
      outDir: run,
      dataset,
      backend: "cpu",
      trainLimit: 32,
    });
    const ckpt = readCheckpoint(join(run, "pretrain", "checkpoint.ckpt"));
    expect(ckpt.epoch).toBe(1);
    const trainer = new Trainer(ir, { outDir: run, dataset, backend: "cpu", starts });
    const keys = trainer.store.keys();
    expect(keys.length).toBeGreaterThan(0);
    let statistics = 0;
    for (const key of keys) {
      const [owner, rest] = [key.slice(0, key.indexOf("/")), key.slice(key.indexOf("/"))];
      const source = owner.startsWith("head@") ? owner : `${owner.slice(0, owner.indexOf("@"))}@left+right`;
      expect(ckpt.weights.has(source + rest), key).toBe(true);
      expect(values(trainer.store, key), key).toEqual(ckpt.weights.get(source + rest)!.values);
      if (!trainer.store.isTrainable(key)) statistics++;
    }
    expect(statistics).toBeGreaterThan(0); // batch-norm statistics came along
    // Pretraining moved the weights away from the seeded draw every copy would have had.
    const c1 = weightOwners(ir).find((o) => o.id === "c1@left")!;
    const w = c1.layers[0]!.weights.find((x) => x.trainable)!;
    const drawn = initialValues(ir.train.seed, "c1", 0, w);
    expect(values(trainer.store, weightKey("c1@left", 0, w.name))).not.toEqual(drawn);
    // An init: fresh group layer made later starts from the pretrained values too.
    const group = { id: instanceId("c1", ["left", "right"]), scope: "c1", layers: c1.layers };
    trainer.store.addOwner(group);
    expect(values(trainer.store, weightKey(group.id, 0, w.name))).toEqual(
      ckpt.weights.get(weightKey("c1@left+right", 0, w.name))!.values,
    );
    trainer.dispose();

    // A second call resumes the finished pretraining: no epoch added, the same values.
    const again = await pretrainedStarts({
      document: parse(source).document,
      ir,
      outDir: run,
      dataset,
      backend: "cpu",
    });
    expect(metricLines(join(run, "pretrain"))).toBe(1);
    expect([...again.keys()].sort()).toEqual([...starts.keys()].sort());
    for (const [k, v] of starts) expect(again.get(k)!.values, k).toEqual(v.values);
  }, 120_000);

  it("mtslc train pretrains once, keeps it on resume and prints it in every revision", async () => {
    const file = join(dir, "tiny-pretrain.mtsl");
    const { writeFileSync } = await import("node:fs");
    writeFileSync(file, source);
    const run = join(dir, "cli");
    const common = [file, "-o", run, "--backend", "cpu", "--train-limit", "32", "--epochs", "2", "-q"];
    const r = await mtslc(["train", ...common]);
    expect(r.code, r.stderr).toBe(0);
    expect(metricLines(join(run, "pretrain"))).toBe(1);
    expect(metricLines(run)).toBe(2);
    expect(readFileSync(join(run, "revisions", "000.mtsl"), "utf8")).toMatch(/pretrain: 1/);
    // Resumed with more epochs, it trains on from its checkpoint; the pretraining is read back.
    const again = await mtslc(["train", ...common, "--resume", "--epochs", "3"]);
    expect(again.code, again.stderr).toBe(0);
    expect(metricLines(run)).toBe(3);
    expect(metricLines(join(run, "pretrain"))).toBe(1);
    expect(existsSync(join(run, "pretrain", "final.json"))).toBe(false); // a run folder, not a finished run of its own
  }, 180_000);
});
