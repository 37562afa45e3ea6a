/**
 * `mtslc export MODEL --format onnx` (issue 17, point 3): onnxruntime-node (its CPU binary, from
 * the npm package) runs the exported graph and its outputs equal the runtime's forward pass within
 * 1e-4 relative, for every task of every example (examples/nyuv2.mtsl at 64x64 input, the same
 * network otherwise) with weights as a little training leaves them (batch-norm statistics from
 * data), networks with every layer word, and a trained run through the CLI (the batch dimension
 * symbolic: two batch sizes).
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import * as ort from "onnxruntime-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileSource } from "../../compiler/compile.js";
import type { IrModel } from "../../compiler/ir/types.js";
import { forward } from "../../runtime/model/network.js";
import { WeightStore } from "../../runtime/model/weights.js";
import { onnxModel } from "../../runtime/run/export-onnx.js";
import { readCheckpoint } from "../../runtime/train/checkpoint.js";
import { EXAMPLE_FILES, exampleIr, LAYER_NETWORKS, trainedLikeWeights } from "../fixtures/export-networks.js";
import { mtslc, trainTiny } from "./helpers.js";

const dir = mkdtempSync(join(tmpdir(), "mtsl-onnx-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeAll(async () => {
  await tf.setBackend("cpu");
});

/** The worst relative difference over tasks between the runtime and onnxruntime on `images`. */
async function compare(
  ir: IrModel,
  weights: Map<string, { shape: number[]; values: Float32Array }>,
  bytes: Uint8Array,
  batch: number,
) {
  const session = await ort.InferenceSession.create(bytes);
  const [h, w, c] = ir.input.shape as [number, number, number];
  const x = tf.randomUniform([batch, h, w, c], 0, 1, "float32", 9);
  const store = WeightStore.forIr(ir, 0);
  store.load(weights);
  const ours = forward(ir, store, x, { training: false }).outputs;
  const theirs = await session.run({
    input: new ort.Tensor("float32", x.dataSync() as Float32Array, [batch, h, w, c]),
  });
  const errors: Record<string, number> = {};
  for (const t of ir.tasks) {
    const a = ours.get(t.name)!;
    const b = theirs[t.name]!;
    expect(b.dims, t.name).toEqual(a.shape);
    const av = a.dataSync();
    const bv = b.data as Float32Array;
    let diff = 0;
    let scale = 0;
    for (let i = 0; i < av.length; i++) {
      diff = Math.max(diff, Math.abs(av[i]! - bv[i]!));
      scale = Math.max(scale, Math.abs(av[i]!));
    }
    errors[t.name] = diff / Math.max(scale, 1e-6);
  }
  store.dispose();
  await session.release();
  return errors;
}

describe("ONNX export", () => {
  it.each(EXAMPLE_FILES)(
    "%s: onnxruntime gives the runtime's outputs within 1e-4",
    async (file) => {
      const ir = exampleIr(file);
      const weights = await trainedLikeWeights(ir, 7);
      const bytes = onnxModel(ir, weights, "test");
      const errors = await compare(ir, weights, bytes, 2);
      for (const [task, e] of Object.entries(errors)) expect(e, `${file} ${task}`).toBeLessThan(1e-4);
    },
    120_000,
  );

  it.each(LAYER_NETWORKS)(
    "%s: ONNX operators compute what the runtime computes",
    async (_name, source, tasks) => {
      const compiled = compileSource(source);
      expect(compiled.diagnostics).toEqual([]);
      const ir = compiled.ir!;
      const weights = await trainedLikeWeights(ir, 3);
      const errors = await compare(ir, weights, onnxModel(ir, weights, "test"), 3);
      expect(Object.keys(errors)).toEqual([...tasks]);
      for (const [task, e] of Object.entries(errors)) expect(e, task).toBeLessThan(1e-4);
    },
    120_000,
  );

  it("mtslc export --format onnx writes a trained run with a symbolic batch; refuses to overwrite", async () => {
    const run = join(dir, "run");
    const trained = await trainTiny(run);
    expect(trained.code, trained.stderr).toBe(0);
    const file = join(dir, "tiny.onnx");
    const r = await mtslc(["export", run, "--format", "onnx", "-o", file]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain("as ONNX (opset 17");
    const ckpt = readCheckpoint(join(run, "checkpoint.ckpt"));
    const bytes = new Uint8Array(readFileSync(file));
    for (const batch of [1, 5]) {
      const errors = await compare(ckpt.ir, ckpt.weights, bytes, batch);
      for (const [task, e] of Object.entries(errors)) expect(e, `${task} batch ${batch}`).toBeLessThan(1e-4);
    }
    const again = await mtslc(["export", run, "--format", "onnx", "-o", file, "-q"]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("MTSL3203");
    expect((await mtslc(["export", run, "--format", "onnx", "-o", file, "-q", "--force"])).code).toBe(0);
  }, 120_000);
});
