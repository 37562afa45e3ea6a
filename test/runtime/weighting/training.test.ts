/**
 * `train { weighting }` in the training loop (runtime/train/weighting/task-weighting.ts):
 * - every method trains a tiny three-task network whose trunk is shared by two tasks, with
 *   finite losses and the method's mean weights in metrics.jsonl;
 * - a run stopped after an epoch and resumed gives the same weights, optimiser state and
 *   method state, bit for bit, as an uninterrupted one;
 * - the per-task gradient path splits and reassembles gradients correctly: one SGD step of
 *   cagrad(c: 0, rescale: 0), whose shared update is the mean of the task gradients, moves
 *   the shared weights by exactly 1/T of ew's step and every task's own weights as ew does.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { compileSource } from "../../../compiler/compile.js";
import type { IrModel } from "../../../compiler/ir/types.js";
import { selectBackend } from "../../../runtime/backend/select.js";
import { getDataSource } from "../../../runtime/data/registry.js";
import type { Dataset } from "../../../runtime/data/types.js";
import { batchIndices } from "../../../runtime/data/dataset.js";
import { StructuralLearningHooks } from "../../../runtime/structure/mtsl.js";
import { Trainer } from "../../../runtime/train/trainer.js";
import { forward } from "../../../runtime/model/network.js";
import { mgda } from "../../../runtime/train/weighting/mgda.js";
import { buildReport } from "../../../runtime/report/build.js";
import { lift, sameIr } from "../../../compiler/lift.js";
import { print } from "../../../grammar/printer.js";
import { run } from "../../../cli/mtslc.js";
import { captureContext } from "../report/fixture.js";

/** Three tasks: c1 shared by all, c2 by left and right, sum on its own from c2. */
function source(weighting: string, optimizer = "adam(lr: 1e-3)"): string {
  return `model W {
  input image: f32[16, 16, 1]
  data multimnist(size: 16, train: 64, val: 32, test: 32, seed: 2)
  task left: classification(classes: 10) {
    head: dense(10)
    loss: ce
    metrics: [accuracy]
  }
  task right: classification(classes: 10) {
    head: dense(10)
    loss: ce
    metrics: [accuracy]
    weight: 0.5
  }
  task third: classification(classes: 10) {
    target: left
    head: dense(10)
    loss: ce
    metrics: [accuracy]
  }
  backbone {
    c1: conv(4, 3, stride: 2) bn relu
    c2: conv(4, 3, stride: 2) relu gap
  }
  sharing {
    c1: {left right third}
    c2: {left right} {third}
  }
  train {
    epochs: 3
    batch: 16
    optimizer: ${optimizer}
    seed: 1
    weighting: ${weighting}
  }
}`;
}

const METHODS = [
  "ew",
  "uw",
  "dwa(2)",
  "random",
  "pcgrad",
  "cagrad(0.4)",
  "mgda(normalize: loss_l2)",
  "mgda(normalize: loss_l2, upper_bound: true)",
  "imtl",
  "nash_mtl(update_every: 2)",
  "gradnorm(1.5)",
];

let dataset: Dataset;
const dirs: string[] = [];
const tempDir = (): string => {
  const d = mkdtempSync(join(tmpdir(), "mtsl-weighting-"));
  dirs.push(d);
  return d;
};

function compiled(weighting: string, optimizer?: string): IrModel {
  const result = compileSource(source(weighting, optimizer));
  expect(result.diagnostics).toEqual([]);
  return result.ir!;
}

beforeAll(async () => {
  tf.enableProdMode();
  await selectBackend("cpu");
  const ir = compiled("ew");
  dataset = await getDataSource(ir.data.name).load(ir.data.options as never);
});

afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe.each(METHODS)("weighting: %s", (weighting) => {
  it("trains, records its weights, and resumes bit for bit", async () => {
    const ir = compiled(weighting);
    const whole = new Trainer(ir, { outDir: tempDir(), dataset, backend: "cpu" });
    const records = await whole.run();
    for (const r of records)
      for (const scores of Object.values(r.train))
        expect(Number.isFinite(scores["loss"]), JSON.stringify(r)).toBe(true);
    const expected = await whole.store.snapshot();
    const expectedSlots = await whole.optimizer.serialize();
    const expectedState = JSON.stringify(await whole.weighting.saveState());
    if (weighting !== "ew") {
      const extra = records.at(-1)!.extra!;
      expect(Object.keys(extra).sort()).toEqual(["weight/left", "weight/right", "weight/third"]);
      for (const v of Object.values(extra)) expect(Number.isFinite(v)).toBe(true);
    }
    whole.dispose();

    const dir = tempDir();
    const first = new Trainer(ir, { outDir: dir, dataset, backend: "cpu", stopAfterEpochs: 1 });
    await first.run();
    first.dispose();
    const resumed = new Trainer(ir, { outDir: dir, dataset, backend: "cpu", resume: true });
    await resumed.run();
    const got = await resumed.store.snapshot();
    for (const [k, v] of expected)
      expect(Buffer.from(got.get(k)!.values.buffer), k).toEqual(Buffer.from(v.values.buffer));
    const slots = await resumed.optimizer.serialize();
    for (const [k, s] of expectedSlots) {
      expect(slots.get(k)?.step, k).toBe(s.step);
      expect(Buffer.from(slots.get(k)!.m!.buffer), k).toEqual(Buffer.from(s.m!.buffer));
    }
    expect(JSON.stringify(await resumed.weighting.saveState())).toBe(expectedState);
    const lines = readFileSync(join(dir, "metrics.jsonl"), "utf8").trim().split("\n");
    expect(lines.length).toBe(3);
    resumed.dispose();
  });
});

describe("gradient methods with structural learning", () => {
  // Every stage starts per task (no shared parameter), a phase merges after epoch 1; with and
  // without the alignment loss, whose extra pass the gradient methods run only while it is on.
  for (const alignment of ["", "alignment: 0.1"]) {
    it(`pcgrad trains through a merge ${alignment ? "with" : "without"} the alignment loss`, async () => {
      const text = source("pcgrad")
        .replace("c1: {left right third}\n    c2: {left right} {third}", "c1..c2: {left} {right} {third}")
        .replace(
          "  train {",
          `  structural_learning {\n    at_epochs: [1]\n    similarity: cka(samples: 32)\n    threshold: 0\n    transfer: distill(passes: [1])\n    ${alignment}\n  }\n  train {`,
        );
      const result = compileSource(text);
      expect(result.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
      const ir = result.ir!;
      const hooks = new StructuralLearningHooks(ir.structuralLearning!);
      const t = new Trainer(
        { ...ir, train: { ...ir.train, epochs: 2 } },
        { outDir: tempDir(), dataset, backend: "cpu", hooks },
      );
      const records = await t.run();
      expect(records).toHaveLength(2);
      expect(hooks.state.history[0]!.created.length).toBeGreaterThan(0);
      for (const r of records)
        for (const scores of Object.values(r.train)) expect(Number.isFinite(scores["loss"])).toBe(true);
      t.dispose();
    });
  }
});

describe("the per-task gradient path", () => {
  it("cagrad(c: 0, rescale: 0) moves shared weights by 1/T of ew's SGD step and own weights as ew", async () => {
    const sgd = "sgd(lr: 0.1, momentum: 0)";
    const step = async (weighting: string) => {
      const t = new Trainer(compiled(weighting, sgd), { outDir: tempDir(), dataset, backend: "cpu" });
      const before = await t.store.snapshot();
      const batch = batchIndices(64, 16, { shuffle: false })[0]!;
      await t.step(batch, 0.1, 7);
      const after = await t.store.snapshot();
      const delta = new Map([...after].map(([k, v]) => [k, v.values.map((x, i) => x - before.get(k)!.values[i]!)]));
      t.dispose();
      return delta;
    };
    const ew = await step("ew");
    const mean = await step("cagrad(0, rescale: 0)");
    let sharedChecked = 0;
    let ownChecked = 0;
    for (const [key, d] of ew) {
      const m = mean.get(key)!;
      // c1 is shared by 3 tasks; c2@left+right by 2 (tasks not using a part add zero to the mean).
      const divisor = key.startsWith("c1@") ? 3 : key.startsWith("c2@left+right") ? 3 : 1;
      const scale = Math.max(...Array.from(d, Math.abs));
      if (scale < 1e-6 || key.includes("moving")) continue;
      for (let i = 0; i < d.length; i++)
        expect(Math.abs(m[i]! - d[i]! / divisor), key).toBeLessThan(1e-5 * scale + 1e-7);
      if (divisor === 1) ownChecked++;
      else sharedChecked++;
    }
    expect(sharedChecked).toBeGreaterThan(0);
    expect(ownChecked).toBeGreaterThan(0);
  });
});

describe("the representation path (mgda(upper_bound: true), MGDA-UB)", () => {
  // One SGD step on a fixed batch: the trunk c1 (all tasks) is the representation; c2@left+right
  // is shared by two tasks. Reference: each task's gradient on c1's output, taken here with
  // tf.grads through the rest of the network, the min-norm weights of those (mgda, checked
  // against LibMTL), and each task's parameter step alone (ew with the other tasks at weight 0).
  const sgd = "sgd(lr: 0.1, momentum: 0)";
  const batch = batchIndices(64, 16, { shuffle: false })[0]!;
  const stepDelta = async (ir: IrModel) => {
    const t = new Trainer(ir, { outDir: tempDir(), dataset, backend: "cpu" });
    const before = await t.store.snapshot();
    await t.step(batch, 0.1, 7);
    const after = await t.store.snapshot();
    t.dispose();
    return new Map([...after].map(([k, v]) => [k, v.values.map((x, i) => x - before.get(k)!.values[i]!)]));
  };
  const tasks = ["left", "right", "third"];
  /** The file with only `task`'s loss counted (weight 1; right's 0.5 kept when it is the one). */
  const alone = (task: string) => {
    const ir = compiled("ew", sgd);
    return { ...ir, tasks: ir.tasks.map((t) => (t.name === task ? t : { ...t, weight: 0 })) };
  };

  for (const normalize of ["none", "loss_l2"] as const) {
    it(`shares the min-norm combination of the representation gradients, own layers unscaled (normalize: ${normalize})`, async () => {
      const ir = compiled(`mgda(normalize: ${normalize}, upper_bound: true)`, sgd);
      // The reference weights.
      const reference = new Trainer(ir, { outDir: tempDir(), dataset, backend: "cpu" });
      const data = dataset.getBatch("train", batch);
      const x = tf.tensor4d(data.images, [data.size, 16, 16, 1]);
      const trunk = "c1@left+right+third";
      const z = tf.tidy(() =>
        forward(ir, reference.store, x, {
          training: true,
          dropoutSeed: 7,
          part: { instance: (i) => i.id === trunk, head: () => false },
        }).features.get(trunk)!,
      );
      const vectors: Float64Array[] = [];
      const losses: number[] = [];
      for (const task of tasks) {
        const bound = ir.tasks.find((t) => t.name === task)!;
        const bt = reference.tasks.find((b) => b.task.name === task)!;
        const target = bt.targetTensor(data, [16, 16, 1]);
        const { value, grads } = tf.valueAndGrads((zz: tf.Tensor) => {
          const out = forward(ir, reference.store, x, {
            training: true,
            dropoutSeed: 7,
            part: {
              given: new Map([[trunk, zz]]),
              instance: (i) => i.id !== trunk && i.tasks.includes(task),
              head: (h) => h.task === task,
            },
          });
          return tf.mul(bt.loss(out.outputs.get(task)!, target), bound.weight) as tf.Scalar;
        })([z]);
        vectors.push(Float64Array.from(grads[0]!.dataSync()));
        losses.push(value.dataSync()[0]!);
        tf.dispose([value, ...grads, target]);
      }
      tf.dispose([x, z]);
      reference.dispose();
      const solved = mgda(vectors, losses, normalize === "none" ? "none" : "loss+");
      const factors = solved.weights.map((w, t) => w / solved.normalisers[t]!);
      expect(solved.weights.filter((w) => w > 1e-6).length, "a proper combination").toBeGreaterThan(0);

      const ub = await stepDelta(ir);
      const single = await Promise.all(tasks.map((t) => stepDelta(alone(t))));
      let shared = 0;
      let own = 0;
      for (const [key, d] of ub) {
        if (key.includes("moving")) continue;
        const users = key.startsWith("c1@") ? [0, 1, 2] : key.startsWith("c2@left+right") ? [0, 1] : null;
        const expected = d.map((_, i) =>
          users === null
            ? single.reduce((sum, s) => sum + s.get(key)![i]!, 0) // own: one task's unscaled step (the others add 0)
            : users.reduce((sum, t) => sum + factors[t]! * single[t]!.get(key)![i]!, 0),
        );
        const scale = Math.max(...Array.from(expected, Math.abs));
        if (scale < 1e-6) continue;
        for (let i = 0; i < d.length; i++)
          expect(Math.abs(d[i]! - expected[i]!), key).toBeLessThan(2e-5 * scale + 1e-7);
        if (users === null) own++;
        else shared++;
      }
      expect(shared).toBeGreaterThan(0);
      expect(own).toBeGreaterThan(0);
    });
  }
});

describe("from the command line", () => {
  it("prints every weighting back from the IR and compiles the print to the same IR", () => {
    for (const weighting of METHODS) {
      const ir = compiled(weighting);
      const printed = print(lift(ir));
      if (weighting === "ew") expect(printed).not.toContain("weighting");
      else expect(printed, weighting).toContain(`weighting: ${weighting.replace(/\(.*/, "")}`);
      const again = compileSource(printed);
      expect(again.diagnostics, printed).toEqual([]);
      expect(sameIr(again.ir!, ir), weighting).toBe(true);
    }
    expect(print(lift(compiled("dwa(3)")))).toContain("weighting: dwa(3)");
  });

  it("trains a file's weighting, and the report draws the weights", async () => {
    const dir = tempDir();
    const file = join(dir, "w.mtsl");
    writeFileSync(file, source("dwa(3)"));
    const ctx = captureContext();
    const code = await run(["train", file, "-o", join(dir, "run"), "--backend", "cpu", "--epochs", "3", "-q"], ctx);
    expect(code, ctx.err.join("")).toBe(0);
    const html = await buildReport(join(dir, "run"));
    expect(html).toContain("task weights (dwa)");
    expect(html).toContain("The mean weight dwa gave each task");
  });
});
