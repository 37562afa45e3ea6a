/**
 * A phase with sibling sets at two depths, the shallower merged first: the deeper set's
 * transfer runs the network before the phase, whose trunk holds the shallower set's old task
 * layers, so those are removed only after every job (a run of the scene example with
 * pretraining and no alignment split enc3 and then failed with "no weight named
 * enc3@seg/..." at the next phase before this was fixed).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileSource } from "../../compiler/compile.js";
import { selectBackend } from "../../runtime/backend/select.js";
import { getDataSource } from "../../runtime/data/registry.js";
import { StructuralLearningHooks } from "../../runtime/structure/mtsl.js";
import { Trainer } from "../../runtime/train/trainer.js";
import { weightKey } from "../../compiler/ir/lint.js";
import { initialValues } from "../../runtime/model/init.js";
import { sceneTasksModel } from "./scene-tasks.js";

const SOURCE = `${sceneTasksModel("TwoDepths")}
  backbone {
    c1: conv(4, 3) bn relu
    c2: conv(4, 3) bn relu
    c3: conv(4, 3) bn relu
  }
  sharing {
    c1: {seg depth edge ae}
    c2: {seg depth} {edge} {ae}
    c3: {seg} {depth} {edge} {ae}
  }
  structural_learning {
    at_epochs: [1]
    similarity: cka(debiased: false, samples: 16)
    threshold: 0
    transfer: distill(passes: [1])
  }
  train { epochs: 1  batch: 16  seed: 2 }
}`;

const dir = mkdtempSync(join(tmpdir(), "mtsl-two-depths-"));
beforeAll(async () => {
  tf.enableProdMode();
  await selectBackend("cpu");
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("a structural-learning phase with sets at two depths", () => {
  it("merges both, the shallower first, and removes the old task layers only after every transfer", async () => {
    const compiled = compileSource(SOURCE);
    expect(compiled.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    const ir = compiled.ir!;
    const dataset = await getDataSource(ir.data.name).load(ir.data.options as never);
    const hooks = new StructuralLearningHooks(ir.structuralLearning!);
    const trainer = new Trainer(ir, { outDir: dir, dataset, backend: "cpu", hooks });
    try {
      await trainer.run();
      const [phase] = hooks.state.history;
      expect(phase!.sets.map((s) => [s.stage, s.tasks])).toEqual([
        ["c2", ["edge", "ae"]],
        ["c3", ["seg", "depth"]],
      ]);
      expect(phase!.created).toEqual(["c2@edge+ae", "c3@seg+depth"]);
      expect(trainer.ir.instances.map((i) => i.id)).toEqual([
        "c1@seg+depth+edge+ae",
        "c2@seg+depth",
        "c2@edge+ae",
        "c3@seg+depth",
        "c3@edge",
        "c3@ae",
      ]);
      // Nothing of the replaced layers is left in the store or the optimiser.
      for (const gone of phase!.removed) expect(trainer.store.keysOf(gone), gone).toEqual([]);
      for (const inst of trainer.ir.instances) expect(trainer.store.keysOf(inst.id).length, inst.id).toBeGreaterThan(0);
    } finally {
      trainer.dispose();
    }
  }, 120_000);

  it("random_from: the group layers from that stage on start from a new draw, earlier ones from the copies' start", async () => {
    // No distillation passes, so each group layer keeps the values it started from.
    const source = SOURCE.replace("threshold: 0\n", "threshold: 0\n    init: fresh\n    random_from: c3\n").replace(
      "passes: [1]",
      "passes: [0]",
    );
    const compiled = compileSource(source);
    expect(compiled.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    const ir = compiled.ir!;
    expect(ir.structuralLearning!.randomFrom).toBe("c3");
    const dataset = await getDataSource(ir.data.name).load(ir.data.options as never);
    const hooks = new StructuralLearningHooks(ir.structuralLearning!);
    const trainer = new Trainer(ir, { outDir: join(dir, "random-from"), dataset, backend: "cpu", hooks });
    try {
      await trainer.run();
      expect(hooks.state.history[0]!.created).toEqual(["c2@edge+ae", "c3@seg+depth"]);
      const kernel = (owner: string): Float32Array =>
        trainer.store.get(weightKey(owner, 0, "kernel")).dataSync() as Float32Array;
      const w = ir.stages.find((s) => s.name === "c2")!.layers[0]!.weights.find((x) => x.name === "kernel")!;
      const w3 = ir.stages.find((s) => s.name === "c3")!.layers[0]!.weights.find((x) => x.name === "kernel")!;
      // c2 (before random_from): the copies' start, the stage's seeded draw
      expect(kernel("c2@edge+ae")).toEqual(initialValues(ir.train.seed, "c2", 0, w));
      // c3 (random_from): a new draw seeded by the stage and the group, not the copies' start
      expect(kernel("c3@seg+depth")).toEqual(initialValues(ir.train.seed, "c3#group#seg+depth", 0, w3));
      expect(kernel("c3@seg+depth")).not.toEqual(initialValues(ir.train.seed, "c3", 0, w3));
    } finally {
      trainer.dispose();
    }
  }, 120_000);
});
