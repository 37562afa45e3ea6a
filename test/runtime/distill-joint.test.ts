/**
 * `transfer: distill(optimizer: joint)`, the authors' distillation (one Adam for every group
 * layer of a phase, stepped on the sum of their losses on the same batch):
 * - two groups distilled jointly end with the weights each gets when distilled alone on the
 *   same batch order (the students' parameters are disjoint and Adam is per parameter, so
 *   the joint optimiser is that, run once: this checks that every group is trained, its own
 *   gradient only, and stepped once per batch), and differ from the default's, whose groups
 *   draw their batch orders apart;
 * - the option compiles, prints back, and a phase trains with it.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { compileSource } from "../../compiler/compile.js";
import { instanceId } from "../../compiler/ir/lint.js";
import { partitionsOf } from "../../compiler/ir/sharing-tree.js";
import type { IrModel } from "../../compiler/ir/types.js";
import { withPartitions } from "../../compiler/ir/rebuild.js";
import { lift } from "../../compiler/lift.js";
import { print } from "../../grammar/printer.js";
import { selectBackend } from "../../runtime/backend/select.js";
import { getDataSource } from "../../runtime/data/registry.js";
import type { Dataset } from "../../runtime/data/types.js";
import { weightOwners, WeightStore } from "../../runtime/model/weights.js";
import { StructuralLearningHooks } from "../../runtime/structure/mtsl.js";
import {
  transferKnowledge,
  transferKnowledgeJointly,
  type TransferJob,
  type TransferResult,
} from "../../runtime/structure/transfer.js";
import { seeded } from "./backend/helpers.js";
import { sceneTasksModel } from "./scene-tasks.js";
import { Trainer } from "../../runtime/train/trainer.js";

const SOURCE = (transfer: string) => `${sceneTasksModel("Joint")}
  backbone {
    c1: conv(4, 3) bn relu
    c2: conv(4, 3) bn relu
  }
  sharing {
    c1..c2: {seg} {depth} {edge} {ae}
  }
  structural_learning {
    at_epochs: [1]
    similarity: cka(debiased: false, samples: 16)
    threshold: 0
    transfer: ${transfer}
  }
  train { epochs: 2  batch: 8  seed: 3 }
}`;

let dataset: Dataset;
const dirs: string[] = [];

beforeAll(async () => {
  await selectBackend("cpu");
  const ir = compileSource(SOURCE("distill")).ir!;
  dataset = await getDataSource(ir.data.name).load(ir.data.options as never);
});
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** c1 merged as {seg depth} and {edge ae}: two jobs of one phase. */
function jobsOf(ir: IrModel): { after: IrModel; jobs: TransferJob[] } {
  const parts = partitionsOf(ir);
  parts.set("c1", [
    ["seg", "depth"],
    ["edge", "ae"],
  ]);
  const after = withPartitions(ir, parts);
  const jobs = [
    ["seg", "depth"],
    ["edge", "ae"],
  ].map((group) => ({
    before: ir,
    after,
    student: instanceId("c1", group),
    teachers: group.map((t) => instanceId("c1", [t])),
  }));
  return { after, jobs };
}

/**
 * A store of the network before the merge plus the students, as a phase builds it; the
 * teachers' weights are moved apart from their shared start (seeded), as training would.
 */
function storeFor(ir: IrModel, after: IrModel, jobs: TransferJob[]): WeightStore {
  const store = WeightStore.forIr(ir, ir.train.seed);
  const owners = new Map(weightOwners(after).map((o) => [o.id, o]));
  for (const job of jobs) store.addOwner(owners.get(job.student)!);
  let seed = 100;
  for (const job of jobs)
    for (const teacher of job.teachers)
      for (const key of store.keysOf(teacher)) {
        if (!store.isTrainable(key)) continue;
        const w = store.get(key);
        tf.tidy(() => store.assign(key, tf.add(w, tf.mul(seeded(w.shape, seed++), 0.5))));
      }
  return store;
}

const options = (seed: number) => ({
  passes: 2,
  batch: 8,
  lr: 1e-2,
  weightDecay: 0,
  gate: "none" as const,
  seed,
  probe: Int32Array.from({ length: 16 }, (_, i) => i),
});

async function studentValues(store: WeightStore, jobs: TransferJob[]): Promise<Map<string, Float32Array>> {
  const out = new Map<string, Float32Array>();
  for (const job of jobs)
    for (const key of store.keysOf(job.student)) out.set(key, Float32Array.from(await store.get(key).data()));
  return out;
}

describe("distill(optimizer: joint)", () => {
  it("trains each group as it would alone on the same batches, in one optimiser", async () => {
    const ir = compileSource(SOURCE("distill")).ir!;
    const { after, jobs } = jobsOf(ir);

    const joint = storeFor(ir, after, jobs);
    const start = await studentValues(joint, jobs);
    const jointResults = await transferKnowledgeJointly(jobs, joint, dataset, options(11));
    const jointValues = await studentValues(joint, jobs);

    const alone = storeFor(ir, after, jobs);
    const aloneResults: TransferResult[] = [];
    for (const job of jobs) aloneResults.push(await transferKnowledge(job, alone, dataset, options(11)));
    const aloneValues = await studentValues(alone, jobs);

    let moved = 0;
    for (const [key, v] of jointValues) {
      expect(Array.from(v), key).toEqual(Array.from(aloneValues.get(key)!));
      if (v.some((x, i) => x !== start.get(key)![i])) moved++;
    }
    expect(moved, "every student's weights move").toBeGreaterThanOrEqual(jobs.length);
    expect(jointResults.map((r) => r.student)).toEqual(jobs.map((j) => j.student));
    jointResults.forEach((r, j) => {
      expect(r.lossBefore).toBe(aloneResults[j]!.lossBefore);
      expect(r.lossAfter).toBe(aloneResults[j]!.lossAfter);
      expect(r.lossAfter).not.toBe(r.lossBefore);
      expect(r.steps).toBe(aloneResults[j]!.steps);
    });

    // The default draws each group's batch order apart: the second group ends elsewhere.
    const apart = storeFor(ir, after, jobs);
    for (const [j, job] of jobs.entries()) await transferKnowledge(job, apart, dataset, options(11 + j));
    const apartValues = await studentValues(apart, jobs);
    const second = [...apartValues].filter(([k]) => k.startsWith(jobs[1]!.student));
    expect(second.some(([k, v]) => v.some((x, i) => x !== jointValues.get(k)![i]))).toBe(true);
    for (const s of [joint, alone, apart]) s.dispose();
  });

  it("compiles, prints back, and trains a phase", async () => {
    const result = compileSource(SOURCE("distill(optimizer: joint)"));
    expect(result.diagnostics).toEqual([]);
    const ir = result.ir!;
    expect(ir.structuralLearning!.transfer.joint).toBe(true);
    expect(compileSource(SOURCE("distill")).ir!.structuralLearning!.transfer.joint).toBeUndefined();
    expect(print(lift(ir))).toContain("optimizer: joint");
    const outDir = mkdtempSync(join(tmpdir(), "mtsl-joint-"));
    dirs.push(outDir);
    const hooks = new StructuralLearningHooks(ir.structuralLearning!);
    const trainer = new Trainer(ir, { outDir, dataset, backend: "cpu", hooks });
    await trainer.run();
    const phase = hooks.state.history[0]!;
    expect(phase.created.length).toBeGreaterThan(0);
    expect(phase.transfers.length).toBe(phase.created.length);
    for (const t of phase.transfers) expect(t.lossAfter).toBeLessThan(t.lossBefore);
    trainer.dispose();
  });
});
