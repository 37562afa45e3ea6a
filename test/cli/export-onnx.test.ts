/**
 * `mtslc export MODEL --format onnx` (issue 17, point 3): onnxruntime-node (its CPU binary, from
 * the npm package) runs the exported graph and its outputs equal the runtime's forward pass within
 * 1e-4 relative, for every task of every example (examples/nyuv2.mtsl at 64x64 input, the same
 * network otherwise) with weights as a little training leaves them (batch-norm statistics from
 * data), networks with every layer word, and a trained run through the CLI (the batch dimension
 * symbolic: two batch sizes).
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
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
import { Rng } from "../../runtime/random.js";
import { mtslc } from "./helpers.js";

const dir = mkdtempSync(join(tmpdir(), "mtsl-onnx-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeAll(async () => {
  await tf.setBackend("cpu");
});

/** Every layer word of the language in one small network (two tasks, partly shared). */
const EVERY_LAYER = `
model EveryLayer {
  input image: f32[16, 16, 3]
  data scenes(size: 16, train: 4, val: 2, test: 2, seed: 1)
  task seg: segmentation(classes: 6) {
    head: fuse([s1, s6, s8], filters: 4) upsample(2, mode: nearest) avgpool(2, stride: 1, padding: same) conv(4, 1) gelu elu tanh sigmoid conv(4, 1) leaky_relu(alpha: 0.1) conv(4, 3, stride: 2) upsample(2) conv(6, 1)
  }
  task depth: depth {
    head: maxpool(2) upsample(4) conv(4, 2, stride: 2, padding: valid) upsample(2) conv(4, 1, padding: valid) conv(1, 3, stride: 2, padding: symmetric) upsample(2) upsample(1)
  }
  backbone {
    s1: conv(8, 3, stride: 2, padding: symmetric, bias: false) bn(momentum: 0.8, epsilon: 0.001) relu maxpool(3, stride: 1, padding: symmetric)
    s2: basic(8) basic(12, stride: 2, padding: symmetric)
    s3: bottleneck(4, stride: 2) bottleneck(4, expansion: 2, padding: symmetric)
    s4: conv(8, 3, dilation: 2) maxpool(2, stride: 1, padding: same) avgpool(3, stride: 1, padding: symmetric)
    s5: upsample(2) concat(s2) conv(8, 3, init: glorot_uniform) bn relu
    s6: decoder_bottleneck(2, skip: s1)
    s7: decoder_bottleneck(3, skip: s2, expansion: 2) maxpool(2) avgpool(2) upsample(8, mode: nearest)
    s8: decoder_bottleneck(2, skip: s1)
  }
  sharing {
    s1..s3: {seg depth}
    s4..s8: {seg} {depth}
  }
  train {
    epochs: 1
    batch: 2
  }
}
`;

/** The vector layers: flatten (in NHWC order), dropout, dense with and without bias, bn on vectors, gap. */
const VECTOR_LAYERS = `
model VectorLayers {
  input image: f32[16, 16, 1]
  data multimnist(size: 16, train: 4, val: 2, test: 2, seed: 1)
  task left: classification(classes: 10) {
    head: conv(4, 3, stride: 2, padding: valid) flatten dropout(0.5) dense(8) bn relu dense(10, bias: false)
  }
  task right: classification(classes: 10) {
    head: gap dense(10)
  }
  backbone {
    c1: conv(8, 3, stride: 2) bn relu
    c2: conv(8, 3) relu
  }
  sharing {
    c1: {left right}
    c2: {left} {right}
  }
  train {
    epochs: 1
    batch: 2
  }
}
`;

/**
 * Weights for `ir` as a little training leaves them: the initial draw with random batch-norm
 * scales and shifts, and running statistics gathered from images (two training-mode passes
 * over random images update them, as the trainer does), so they are neither 0 and 1 nor
 * unrelated to the activations.
 */
function trainedLikeWeights(ir: IrModel, seed: number): Map<string, { shape: number[]; values: Float32Array }> {
  const store = WeightStore.forIr(ir, seed);
  const rng = Rng.fromSeed(seed + 1);
  for (const key of store.keys()) {
    const w = store.get(key);
    const n = w.size;
    if (key.endsWith("gamma"))
      store.assign(
        key,
        tf.tensor(
          Array.from({ length: n }, () => 0.5 + rng.uniform()),
          w.shape,
        ),
      );
    else if (key.endsWith("beta") || key.endsWith(".bias") || key.endsWith("/bias"))
      store.assign(
        key,
        tf.tensor(
          Array.from({ length: n }, () => (rng.uniform() - 0.5) * 0.4),
          w.shape,
        ),
      );
  }
  const [h, w, c] = ir.input.shape as [number, number, number];
  for (let pass = 0; pass < 2; pass++) {
    const updates: { name: string; value: tf.Tensor }[] = [];
    tf.tidy(() => {
      forward(ir, store, tf.randomUniform([2, h, w, c], 0, 1, "float32", seed + pass), { training: true, updates });
    });
    for (const u of updates) {
      store.assign(u.name, u.value);
      u.value.dispose();
    }
  }
  const snapshot = store.snapshot();
  store.dispose();
  return snapshot;
}

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

const examples = readdirSync("examples")
  .filter((f) => f.endsWith(".mtsl"))
  .sort();

describe("ONNX export", () => {
  it.each(examples)(
    "%s: onnxruntime gives the runtime's outputs within 1e-4",
    async (file) => {
      let text = readFileSync(join("examples", file), "utf8");
      if (file === "nyuv2.mtsl") text = text.replace("f32[288, 384, 3]", "f32[64, 64, 3]");
      const ir = compileSource(text).ir!;
      const weights = trainedLikeWeights(ir, 7);
      const bytes = onnxModel(ir, weights, "test");
      const errors = await compare(ir, weights, bytes, 2);
      for (const [task, e] of Object.entries(errors)) expect(e, `${file} ${task}`).toBeLessThan(1e-4);
    },
    120_000,
  );

  it.each([
    ["every map layer", EVERY_LAYER, ["seg", "depth"]],
    ["the vector layers", VECTOR_LAYERS, ["left", "right"]],
  ] as const)(
    "%s: ONNX operators compute what the runtime computes",
    async (_name, source, tasks) => {
      const compiled = compileSource(source);
      expect(compiled.diagnostics).toEqual([]);
      const ir = compiled.ir!;
      const weights = trainedLikeWeights(ir, 3);
      const errors = await compare(ir, weights, onnxModel(ir, weights, "test"), 3);
      expect(Object.keys(errors)).toEqual([...tasks]);
      for (const [task, e] of Object.entries(errors)) expect(e, task).toBeLessThan(1e-4);
    },
    120_000,
  );

  it("mtslc export --format onnx writes a trained run with a symbolic batch; refuses to overwrite", async () => {
    const run = join(dir, "run");
    const trained = await mtslc([
      "train",
      "test/fixtures/models/tiny.mtsl",
      "-o",
      run,
      "--backend",
      "cpu",
      "-q",
      "--epochs",
      "1",
    ]);
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
