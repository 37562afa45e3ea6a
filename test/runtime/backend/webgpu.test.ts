/**
 * The webgpu backend (Dawn; on a machine without a GPU, Mesa's lavapipe) against the
 * reference backends: the kernels the runtime's layers use, forward and gradients, against
 * the pure-JS CPU backend (relative error <= 1e-4, as the onednn tests); training steps of
 * every layer word's networks against cpu and of each example's network against onednn
 * (else wasm; the cpu backend takes minutes per step on them); one structural-learning
 * phase; and tensor and GPU memory over epochs. Skipped, with the reason printed, where no
 * WebGPU device exists.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";

import { compileSource } from "../../../compiler/compile.js";
import type { IrModel } from "../../../compiler/ir/types.js";
import { selectBackend } from "../../../runtime/backend/select.js";
import { probeAdapter } from "../../../runtime/backend/webgpu.js";
import { getDataSource } from "../../../runtime/data/registry.js";
import { CORRUPTION_NAMES, corrupt } from "../../../runtime/eval/corruptions.js";
import type { Dataset, DataOptions } from "../../../runtime/data/types.js";
import type { WeightSnapshot } from "../../../runtime/model/weights.js";
import { trainFile } from "../../../runtime/run/train-file.js";
import { StructuralLearningHooks } from "../../../runtime/structure/mtsl.js";
import { Adam } from "../../../runtime/train/optimizer.js";
import { Trainer } from "../../../runtime/train/trainer.js";
import { EXAMPLE_FILES, exampleIr, LAYER_NETWORKS, trainedLikeWeights } from "../../fixtures/export-networks.js";
import { expectClose, onBackend, relativeError, seeded, seededValues } from "./helpers.js";
import { skipReason, webgpu } from "./webgpu-available.js";

const here = dirname(fileURLToPath(import.meta.url));

/** A kernel case: input shapes and the function of them whose value and gradients are compared. */
type KernelCase = readonly [label: string, shapes: number[][], f: (...xs: tf.Tensor[]) => tf.Tensor];

const filter = (shape: number[]): tf.Tensor4D => seeded(shape, 7) as tf.Tensor4D;

const KERNEL_CASES: readonly KernelCase[] = [
  ["conv2d 3x3, stride 1, same", [[2, 9, 7, 3]], (x) => tf.conv2d(x as tf.Tensor4D, filter([3, 3, 3, 5]), 1, "same")],
  ["conv2d 3x3, stride 2, same", [[2, 11, 9, 4]], (x) => tf.conv2d(x as tf.Tensor4D, filter([3, 3, 4, 6]), 2, "same")],
  [
    "conv2d 2x2, stride 2, valid",
    [[2, 10, 12, 5]],
    (x) => tf.conv2d(x as tf.Tensor4D, filter([2, 2, 5, 3]), 2, "valid"),
  ],
  ["conv2d 1x1", [[3, 8, 8, 16]], (x) => tf.conv2d(x as tf.Tensor4D, filter([1, 1, 16, 6]), 1, "same")],
  [
    "conv2d 3x3, dilation 2",
    [[2, 12, 13, 4]],
    (x) => tf.conv2d(x as tf.Tensor4D, filter([3, 3, 4, 3]), 1, "same", "NHWC", 2),
  ],
  [
    "conv2d with its filter as an input",
    [
      [2, 8, 8, 3],
      [3, 3, 3, 4],
    ],
    (x, w) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, "same"),
  ],
  [
    "fused conv2d + bias + relu",
    [[2, 8, 8, 3], [4]],
    (x, b) =>
      tf.fused.conv2d({
        x: x as tf.Tensor4D,
        filter: filter([3, 3, 3, 4]),
        strides: 1,
        pad: "same",
        bias: b,
        activation: "relu",
      }),
  ],
  ["max pool 2, stride 2", [[2, 9, 8, 3]], (x) => tf.maxPool(x as tf.Tensor4D, 2, 2, "same")],
  ["max pool 3, stride 1", [[2, 8, 8, 3]], (x) => tf.maxPool(x as tf.Tensor4D, 3, 1, "same")],
  ["average pool 2, stride 2", [[2, 8, 9, 3]], (x) => tf.avgPool(x as tf.Tensor4D, 2, 2, "same")],
  ["average pool 3, stride 1", [[2, 8, 8, 3]], (x) => tf.avgPool(x as tf.Tensor4D, 3, 1, "same")],
  [
    "bilinear x2, half-pixel centres",
    [[2, 5, 7, 3]],
    (x) => tf.image.resizeBilinear(x as tf.Tensor4D, [10, 14], false, true),
  ],
  [
    "bilinear x4, half-pixel centres",
    [[1, 4, 4, 2]],
    (x) => tf.image.resizeBilinear(x as tf.Tensor4D, [16, 16], false, true),
  ],
  [
    "bilinear 6 to 9, half-pixel centres",
    [[2, 6, 6, 2]],
    (x) => tf.image.resizeBilinear(x as tf.Tensor4D, [9, 9], false, true),
  ],
  ["bilinear, corners aligned", [[2, 5, 6, 2]], (x) => tf.image.resizeBilinear(x as tf.Tensor4D, [9, 11], true, false)],
  ["bilinear, asymmetric", [[2, 5, 6, 2]], (x) => tf.image.resizeBilinear(x as tf.Tensor4D, [10, 12], false, false)],
  ["nearest x2", [[2, 5, 6, 3]], (x) => tf.image.resizeNearestNeighbor(x as tf.Tensor4D, [10, 12], false, true)],
  [
    "symmetric mirror pad",
    [[2, 5, 5, 2]],
    (x) =>
      tf.mirrorPad(
        x,
        [
          [0, 0],
          [1, 1],
          [1, 1],
          [0, 0],
        ],
        "symmetric",
      ),
  ],
  [
    "batch norm (moments, normalise, scale, shift)",
    [[4, 5, 5, 3]],
    (x) => {
      const { mean, variance } = tf.moments(x, [0, 1, 2]);
      return tf.batchNorm(x, mean, variance, seeded([3], 3), seeded([3], 4), 1e-5);
    },
  ],
  [
    "activations",
    [[2, 6, 6, 3]],
    (x) =>
      tf.concat([tf.relu(x), tf.elu(x), tf.tanh(x), tf.sigmoid(x), tf.leakyRelu(x, 0.1), tf.softplus(x), tf.erf(x)], 3),
  ],
  [
    "dense",
    [
      [6, 10],
      [10, 4],
    ],
    (x, w) => tf.matMul(x as tf.Tensor2D, w as tf.Tensor2D),
  ],
  ["log softmax", [[6, 10]], (x) => tf.logSoftmax(x)],
  ["global mean", [[2, 6, 5, 4]], (x) => tf.mean(x, [1, 2])],
  [
    "slice, concat, where",
    [[2, 6, 6, 3]],
    (x) => {
      const mask = tf.greater(seeded([2, 4, 4, 3], 5), 0);
      const a = tf.slice(x, [0, 1, 1, 0], [2, 4, 4, 3]);
      const b = tf.slice(x, [0, 2, 2, 0], [2, 4, 4, 3]);
      return tf.concat([a, tf.where(mask, tf.square(b), tf.abs(a))], 3);
    },
  ],
];

/** The value of `f` and its gradient with respect to every input, on seeded inputs. */
function valueAndGradients(shapes: number[][], f: (...xs: tf.Tensor[]) => tf.Tensor): () => tf.Tensor[] {
  return () => {
    const xs = shapes.map((s, i) => seeded(s, 11 + i));
    const y = f(...xs);
    const w = seeded(y.shape, 99);
    const grads = tf.grads((...a: tf.Tensor[]) => tf.sum(tf.mul(f(...a), w)))(xs);
    return [y, ...grads];
  };
}

/** A dataset the network's file declares, made smaller. */
async function smallDataset(ir: IrModel, train: number): Promise<Dataset> {
  const options = { ...ir.data.options, train, val: 4, test: 4 } as unknown as DataOptions;
  return getDataSource(ir.data.name).load(options, ir.tasks);
}

interface StepResult {
  losses: Record<string, number>[];
  weights: WeightSnapshot;
  tensorsKept: number;
}

/**
 * Two training steps (batch 2) from `start` on `backend`, with plain SGD so the weights'
 * changes are the gradients (Adam would divide near-zero gradients by their own size):
 * each step's losses and the weights after.
 */
async function twoSteps(backend: string, ir: IrModel, dataset: Dataset, start: WeightSnapshot): Promise<StepResult> {
  await selectBackend(backend as "cpu");
  const before = tf.memory().numTensors;
  const sgd: IrModel = {
    ...ir,
    train: { ...ir.train, optimizer: { name: "sgd", options: { lr: 0.01, momentum: 0 } } },
  };
  const trainer = new Trainer(sgd, { outDir: join(here, "never-written"), dataset, backend });
  try {
    trainer.store.load(start);
    const losses: Record<string, number>[] = [];
    for (let s = 0; s < 2; s++) losses.push(await trainer.step([2 * s, 2 * s + 1], 1e-3, 500 + s));
    return { losses, weights: await trainer.store.snapshot(), tensorsKept: tf.memory().numTensors - before };
  } finally {
    trainer.dispose();
  }
}

/**
 * Same losses (relative error <= 1e-4, as the onednn tests), and the same weight changes:
 * each weight's change against the reference's, relative to the larger of its own largest
 * change and 1e-3 of the network's largest (a weight whose gradient is rounding noise, such
 * as a bias before batch norm, is compared at the network's scale), within `tolerance`.
 */
function expectSameTraining(
  got: StepResult,
  reference: StepResult,
  start: WeightSnapshot,
  label: string,
  tolerance: number,
): void {
  got.losses.forEach((step, s) => {
    for (const [task, loss] of Object.entries(step)) {
      const ref = reference.losses[s]![task]!;
      expect(Math.abs(loss - ref), `${label} step ${s + 1} ${task}: ${loss} vs ${ref}`).toBeLessThanOrEqual(
        1e-4 * Math.max(1, Math.abs(ref)),
      );
    }
  });
  const change = (after: WeightSnapshot, key: string): Float32Array =>
    after.get(key)!.values.map((v, i) => v - start.get(key)!.values[i]!);
  const largest = (values: ArrayLike<number>): number =>
    Array.from(values).reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  const overall = Math.max(...[...reference.weights.keys()].map((k) => largest(change(reference.weights, k))));
  expect(overall, `${label}: the steps changed the weights`).toBeGreaterThan(0);
  for (const key of reference.weights.keys()) {
    const ref = change(reference.weights, key);
    const diff = change(got.weights, key).map((v, i) => v - ref[i]!);
    const err = largest(diff) / Math.max(largest(ref), 1e-3 * overall);
    expect(err, `${label} weight ${key}: change after two steps, relative error ${err}`).toBeLessThanOrEqual(tolerance);
  }
}

/** The reference backend for the example networks: onednn where built, else wasm. */
async function fastReference(): Promise<string> {
  try {
    return (await selectBackend("onednn")).name;
  } catch {
    return (await selectBackend("wasm")).name;
  }
}

describe.skipIf(webgpu === null)(`the webgpu backend ${skipReason}`, () => {
  it("reports the adapter it runs on", () => {
    const adapter = webgpu!.adapter!;
    expect(webgpu!.name).toBe("webgpu");
    expect(adapter.vendor.length + adapter.device.length + adapter.description.length).toBeGreaterThan(0);
    expect(webgpu!.description).toContain("WebGPU (Dawn) on");
    if (adapter.software) expect(webgpu!.description).toContain("software device");
    // "auto" asks a child process, so that a software device's set-up warnings stay out of a
    // CPU run: it must see the adapter this process trains on.
    expect(probeAdapter()).toEqual(adapter);
  });

  it.each(KERNEL_CASES)("%s: value and gradients match the cpu backend", async (label, shapes, f) => {
    const gpu = await onBackend("webgpu", valueAndGradients(shapes, f));
    const cpu = await onBackend("cpu", valueAndGradients(shapes, f));
    expectClose(gpu, cpu, label, 1e-4);
  });

  it.each(LAYER_NETWORKS)(
    "%s: two training steps match the cpu backend",
    async (label, source) => {
      const ir = compileSource(source).ir!;
      await selectBackend("cpu");
      const start = await trainedLikeWeights(ir, 5);
      const dataset = await smallDataset(ir, 8);
      const cpu = await twoSteps("cpu", ir, dataset, start);
      const gpu = await twoSteps("webgpu", ir, dataset, start);
      expectSameTraining(gpu, cpu, start, label, 1e-3);
      expect(gpu.tensorsKept, "tensors left behind on webgpu").toBe(cpu.tensorsKept);
    },
    120_000,
  );

  // nyuv2.mtsl reads a dataset folder the tests do not have; its layers are every-layer ones.
  it.each(EXAMPLE_FILES.filter((f) => f !== "nyuv2.mtsl"))(
    "%s: two training steps match the fast CPU backend",
    async (file) => {
      const ir = exampleIr(file);
      const reference = await fastReference();
      const start = await trainedLikeWeights(ir, 5);
      const dataset = await smallDataset(ir, 8);
      const ref = await twoSteps(reference, ir, dataset, start);
      const gpu = await twoSteps("webgpu", ir, dataset, start);
      // Twenty-odd layers of float32 sums in another order: the first layers' changes differ by ~1e-3.
      expectSameTraining(gpu, ref, start, `${file} (webgpu vs ${reference})`, 3e-3);
    },
    300_000,
  );

  it.each(CORRUPTION_NAMES)("corruption %s gives the cpu backend's images (mtslc eval --corruptions)", async (name) => {
    const images = seededValues(3 * 16 * 16 * 3, 21).map((v) => Math.min(1, Math.max(0, 0.5 + v / 3)));
    const corrupted = async (backend: string): Promise<Float32Array[]> => {
      await selectBackend(backend as "cpu");
      const x = tf.tensor4d(images, [3, 16, 16, 3]);
      const y = await corrupt(x, name, 3, { seed: 4 });
      const values = Float32Array.from(await y.data());
      tf.dispose([x, y]);
      return [values];
    };
    expectClose(await corrupted("webgpu"), await corrupted("cpu"), name, 1e-4);
  });

  it("Adam's updates match the cpu backend", async () => {
    const run = async (backend: string): Promise<Float32Array[]> => {
      await selectBackend(backend as "cpu");
      const adam = new Adam(0.9, 0.999, 1e-8, 1e-4);
      const weights = [tf.variable(seeded([3, 3, 4, 5], 1)), tf.variable(seeded([5], 2))];
      for (let step = 0; step < 3; step++) {
        const grads = new Map(weights.map((w, i) => [String(i), seeded(w.shape, 10 * step + i + 3)]));
        adam.apply(grads, (key) => weights[Number(key)]!, 1e-2);
        tf.dispose([...grads.values()]);
      }
      const out: Float32Array[] = [];
      for (const w of weights) out.push(Float32Array.from(await w.data()));
      for (const key of ["0", "1"]) out.push(Float32Array.from(await adam.slot(key)!.v!.data()));
      tf.dispose(weights);
      adam.dispose();
      return out;
    };
    expectClose(await run("webgpu"), await run("cpu"), "Adam, three steps", 1e-5);
  });

  it("a structural-learning phase finds the cpu backend's similarities and merges", async () => {
    const ir = compileSource(readFileSync(join(here, "../onednn/tiny.mtsl"), "utf8")).ir!;
    const dataset = await smallDataset(ir, 64);
    const phaseOn = async (backend: string) => {
      await selectBackend(backend as "cpu");
      const hooks = new StructuralLearningHooks(ir.structuralLearning!);
      const trainer = new Trainer(ir, { outDir: join(here, "never-written"), dataset, backend, hooks });
      try {
        for (let s = 0; s < 2; s++) await trainer.step([4 * s, 4 * s + 1, 4 * s + 2, 4 * s + 3], 1e-3, s);
        trainer.epoch = 1;
        return await hooks.phase(trainer, 0);
      } finally {
        trainer.dispose();
      }
    };
    const cpu = await phaseOn("cpu");
    const gpu = await phaseOn("webgpu");
    expect(gpu.sets.map((s) => s.stage)).toEqual(cpu.sets.map((s) => s.stage));
    gpu.sets.forEach((set, k) => {
      const ref = cpu.sets[k]!;
      expect(relativeError(set.similarity.flat(), ref.similarity.flat()), set.stage).toBeLessThanOrEqual(1e-3);
      expect(set.partition).toEqual(ref.partition);
    });
    expect(gpu.created).toEqual(cpu.created);
    expect(gpu.transfers.length).toBe(cpu.transfers.length);
    gpu.transfers.forEach((t, i) => {
      expect(Math.abs(t.lossAfter - cpu.transfers[i]!.lossAfter)).toBeLessThanOrEqual(
        1e-3 * cpu.transfers[i]!.lossAfter,
      );
    });
  }, 120_000);

  it("trains a file into a run folder: run.json records the adapter, the revisions and test scores match onednn's", async () => {
    const source = readFileSync(join(here, "../onednn/tiny.mtsl"), "utf8")
      .replace("train: 256, val: 64, test: 64", "train: 64, val: 32, test: 32")
      .replace("at_epochs: [1, 2, 3]", "at_epochs: [1]")
      .replace("epochs: 4", "epochs: 2")
      .replace("passes: [1, 1, 1]", "passes: [1]");
    const root = mkdtempSync(join(tmpdir(), "mtsl-webgpu-run-"));
    try {
      const file = join(root, "tiny.mtsl");
      writeFileSync(file, source);
      const reference = await fastReference();
      const runOn = async (backend: string) => {
        const out = join(root, backend);
        const result = await trainFile({ file, source, out, backend: backend as "cpu" });
        expect(result.ok, backend).toBe(true);
        return {
          run: JSON.parse(readFileSync(join(out, "run.json"), "utf8")) as { backend: string; adapter?: unknown },
          final: JSON.parse(readFileSync(join(out, "final.json"), "utf8")) as {
            test: Record<string, Record<string, number>>;
          },
          revision: readFileSync(join(out, "revisions", "001.mtsl"), "utf8"),
        };
      };
      const gpu = await runOn("webgpu");
      const ref = await runOn(reference);
      expect(gpu.run.backend).toBe("webgpu");
      expect(gpu.run.adapter).toEqual(webgpu!.adapter);
      expect(ref.run.adapter).toBeUndefined();
      // The same merge, written as the same sharing tree.
      const sharing = (text: string): string =>
        text.slice(text.indexOf("sharing {"), text.indexOf("}", text.indexOf("sharing {")));
      expect(sharing(gpu.revision)).toBe(sharing(ref.revision));
      for (const [task, scores] of Object.entries(ref.final.test)) {
        expect(Math.abs(gpu.final.test[task]!["loss"]! - scores["loss"]!), task).toBeLessThanOrEqual(
          1e-3 * scores["loss"]!,
        );
        expect(Math.abs(gpu.final.test[task]!["accuracy"]! - scores["accuracy"]!), task).toBeLessThanOrEqual(1 / 32);
      }
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }, 300_000);

  it("keeps tensor and GPU memory flat over epochs", async () => {
    const ir = compileSource(readFileSync(join(here, "../onednn/tiny.mtsl"), "utf8")).ir!;
    const plain: IrModel = { ...ir, structuralLearning: null, train: { ...ir.train, epochs: 3 } };
    const dataset = await smallDataset(ir, 64);
    await selectBackend("webgpu");
    const outDir = mkdtempSync(join(tmpdir(), "mtsl-webgpu-"));
    const trainer = new Trainer(plain, { outDir, dataset, backend: "webgpu" });
    try {
      const after: { tensors: number; gpuBytes: number }[] = [];
      for (let e = 0; e < 3; e++) {
        await trainer.runEpoch();
        const memory = tf.memory() as tf.MemoryInfo & { numBytesInGPU?: number };
        after.push({ tensors: memory.numTensors, gpuBytes: memory.numBytesInGPU ?? 0 });
      }
      expect(after[2]!.tensors).toBe(after[1]!.tensors);
      expect(after[2]!.gpuBytes).toBe(after[1]!.gpuBytes);
      expect(after[1]!.gpuBytes).toBeGreaterThan(0);
    } finally {
      trainer.dispose();
      rmSync(outDir, { recursive: true, force: true });
    }
  }, 120_000);
});
