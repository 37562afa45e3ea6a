/**
 * `mtslc export MODEL --format pytorch` (issue 17, point 4): PyTorch (Debian's python3-torch, run
 * as /usr/bin/python3 in a child process; skipped with the reason without it) loads the export with
 * its README's lines, and its outputs equal the runtime's forward pass in eval mode within 1e-4
 * of each output's largest magnitude: every task of every example (examples/nyuv2.mtsl at 64x64
 * input, as the ONNX test), the ONNX test's networks with every layer word
 * (test/fixtures/export-networks.ts), with weights as a little training leaves them, and a trained
 * run exported through the CLI. In training mode, the every-layer network's outputs (batch
 * statistics) and the running statistics one step leaves equal the runtime's too (momentum and
 * unbiased variance as ops.ts). Also the safetensors file's keys, and the folder rules. And the
 * export's train.py: its losses against runtime/losses.ts (values and gradients), 2 gloo processes
 * under torchrun (DistributedDataParallel) against 1 with the same global batch, a resumed run
 * against an uninterrupted one, and `mtslc report` on its run folder.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { dump } from "npyjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileSource } from "../../compiler/compile.js";
import { weightEntries } from "../../compiler/ir/lint.js";
import type { IrModel } from "../../compiler/ir/types.js";
import { readNpy } from "../../runtime/data/npy/npy-file.js";
import { LOSSES, type LossName, type LossOptions } from "../../runtime/losses.js";
import { hwioToOihw } from "../../runtime/model/kernel-layout.js";
import { forward } from "../../runtime/model/network.js";
import { WeightStore } from "../../runtime/model/weights.js";
import {
  PYTORCH_FILES,
  PYTORCH_TRAINER,
  pytorchFiles,
  pytorchSourcePath,
  stateKey,
} from "../../runtime/run/export-pytorch.js";
import { readCheckpoint } from "../../runtime/train/checkpoint.js";
import { Rng } from "../../runtime/random.js";
import {
  EVERY_LAYER,
  EXAMPLE_FILES,
  exampleIr,
  LAYER_NETWORKS,
  trainedLikeWeights,
} from "../fixtures/export-networks.js";
import { mtslc, trainTiny } from "./helpers.js";

type Weights = Map<string, { shape: number[]; values: Float32Array }>;

const PYTHON = "/usr/bin/python3";
/** Child Python processes leave no __pycache__ beside the package's .py files. */
const PY = { encoding: "utf8", env: { ...process.env, PYTHONDONTWRITEBYTECODE: "1" } } as const;
const dir = mkdtempSync(join(tmpdir(), "mtsl-pytorch-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Why the tests that run PyTorch are skipped, or "" where /usr/bin/python3 has torch. */
const skip = ((): string => {
  const r = spawnSync(PYTHON, ["-c", "import torch, numpy"], PY);
  if (r.status === 0) return "";
  const reason = `skipped: PyTorch is not available (${(r.stderr || r.error?.message || "").trim().split("\n").at(-1)})`;
  console.warn(reason);
  return reason;
})();

beforeAll(async () => {
  await tf.setBackend("cpu");
});

/**
 * README.md's three lines on EXPORT with the NHWC input X (as NCHW): each task's output, NHWC, as
 * OUT/TASK.npy; in `train` mode one training-mode forward pass, and every buffer after it as
 * OUT/state/KEY.npy.
 */
const RUN = `
import os, sys, numpy as np, torch
export, x, out, mode = sys.argv[1:5]
torch.set_num_threads(2)
sys.path.insert(0, export)
from mtsl_torch import load
net = load(export)
if mode == "train": net.train()
with torch.no_grad():
    outputs = net(torch.from_numpy(np.load(x)).permute(0, 3, 1, 2))
for task, y in outputs.items():
    np.save(os.path.join(out, task + ".npy"), np.ascontiguousarray((y.permute(0, 2, 3, 1) if y.dim() == 4 else y).numpy()))
if mode == "train":
    os.makedirs(os.path.join(out, "state"))
    for key, b in net.named_buffers():
        np.save(os.path.join(out, "state", key + ".npy"), b.numpy())
`;

/** Runs RUN on the export in `exportDir` with `x` (NHWC); its outputs (NHWC) and buffers. */
async function runTorch(
  exportDir: string,
  x: tf.Tensor,
  mode: "eval" | "train" = "eval",
): Promise<{ outputs: Map<string, Float32Array>; state: Map<string, Float32Array> }> {
  const out = mkdtempSync(join(dir, "out-"));
  const input = join(out, "x.npy");
  writeFileSync(input, new Uint8Array(dump(x.dataSync() as Float32Array, x.shape)));
  const r = spawnSync(PYTHON, ["-c", RUN, exportDir, input, out, mode], PY);
  expect(r.status, r.stderr).toBe(0);
  const read = async (folder: string): Promise<Map<string, Float32Array>> =>
    new Map(
      await Promise.all(
        readdirSync(folder)
          .filter((f) => f.endsWith(".npy") && f !== "x.npy")
          .map(async (f) => [f.slice(0, -4), (await readNpy(join(folder, f))).values as Float32Array] as const),
      ),
    );
  return { outputs: await read(out), state: mode === "train" ? await read(join(out, "state")) : new Map() };
}

/** The largest difference over the largest magnitude of `ours`. */
function relative(ours: ArrayLike<number>, theirs: ArrayLike<number>): number {
  expect(theirs.length).toBe(ours.length);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < ours.length; i++) {
    diff = Math.max(diff, Math.abs(ours[i]! - theirs[i]!));
    scale = Math.max(scale, Math.abs(ours[i]!));
  }
  return diff / Math.max(scale, 1e-6);
}

/** Writes the export of `ir` with `weights` into a fresh folder (what the CLI writes, export.json aside). */
function writeExport(ir: IrModel, weights: Weights): string {
  const out = mkdtempSync(join(dir, "export-"));
  for (const [name, data] of pytorchFiles(ir, weights, "test")) writeFileSync(join(out, name), data);
  return out;
}

/** The worst relative difference per task between the runtime and the export on `batch` random images. */
async function compare(ir: IrModel, weights: Weights, exportDir: string, batch: number) {
  const [h, w, c] = ir.input.shape as [number, number, number];
  const x = tf.randomUniform([batch, h, w, c], 0, 1, "float32", 9);
  const store = WeightStore.forIr(ir, 0);
  store.load(weights);
  const ours = forward(ir, store, x, { training: false }).outputs;
  const theirs = (await runTorch(exportDir, x)).outputs;
  const errors: Record<string, number> = {};
  for (const t of ir.tasks) errors[t.name] = relative(ours.get(t.name)!.dataSync(), theirs.get(t.name)!);
  store.dispose();
  return errors;
}

describe.skipIf(skip !== "")("PyTorch export: the module computes what the runtime computes", () => {
  it.each(EXAMPLE_FILES)(
    "%s: the exported module gives the runtime's outputs within 1e-4",
    async (file) => {
      const ir = exampleIr(file);
      const weights = await trainedLikeWeights(ir, 7);
      const errors = await compare(ir, weights, writeExport(ir, weights), 2);
      expect(Object.keys(errors)).toEqual(ir.tasks.map((t) => t.name));
      for (const [task, e] of Object.entries(errors)) expect(e, `${file} ${task}`).toBeLessThan(1e-4);
    },
    120_000,
  );

  it.each(LAYER_NETWORKS)(
    "%s: the PyTorch modules compute what the runtime computes",
    async (_name, source, tasks) => {
      const compiled = compileSource(source);
      expect(compiled.diagnostics).toEqual([]);
      const ir = compiled.ir!;
      const weights = await trainedLikeWeights(ir, 3);
      const errors = await compare(ir, weights, writeExport(ir, weights), 3);
      expect(Object.keys(errors)).toEqual([...tasks]);
      for (const [task, e] of Object.entries(errors)) expect(e, task).toBeLessThan(1e-4);
    },
    120_000,
  );

  it("in training mode: batch statistics, and the running statistics a step leaves, as the runtime's", async () => {
    const ir = compileSource(EVERY_LAYER).ir!;
    const weights = await trainedLikeWeights(ir, 5);
    const x = tf.randomUniform([3, 16, 16, 3], 0, 1, "float32", 4);
    const store = WeightStore.forIr(ir, 0);
    store.load(weights);
    const updates: { name: string; value: tf.Tensor }[] = [];
    const ours = forward(ir, store, x, { training: true, updates }).outputs;
    const theirs = await runTorch(writeExport(ir, weights), x, "train");
    for (const t of ir.tasks) {
      expect(relative(ours.get(t.name)!.dataSync(), theirs.outputs.get(t.name)!), t.name).toBeLessThan(1e-4);
    }
    const stats = weightEntries(ir).filter((w) => !w.trainable);
    expect(updates.map((u) => u.name).sort()).toEqual(stats.map((w) => w.key).sort());
    for (const u of updates) {
      expect(relative(u.value.dataSync(), theirs.state.get(stateKey(u.name))!), u.name).toBeLessThan(1e-4);
    }
    store.dispose();
  }, 120_000);
});

describe("PyTorch export", () => {
  it("the safetensors file holds every weight under its state_dict key, in PyTorch's layouts", async () => {
    const ir = compileSource(EVERY_LAYER).ir!;
    const weights = await trainedLikeWeights(ir, 3);
    const bytes = pytorchFiles(ir, weights, "test").get("weights.safetensors") as Uint8Array;
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const length = Number(view.getBigUint64(0, true));
    expect((8 + length) % 8).toBe(0);
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + length))) as Record<
      string,
      { dtype: string; shape: number[]; data_offsets: [number, number] }
    >;
    const entries = weightEntries(ir);
    expect(Object.keys(header).filter((k) => k !== "__metadata__")).toEqual(entries.map((w) => stateKey(w.key)));
    expect(stateKey("enc2@seg+depth/0.conv1.kernel")).toBe("owners.enc2@seg+depth.0.conv1.kernel");
    let end = 0;
    for (const { key, shape } of entries) {
      const h = header[stateKey(key)]!;
      expect(h.dtype).toBe("F32");
      expect(h.data_offsets[0]).toBe(end);
      end = h.data_offsets[1];
      const values = new Float32Array(bytes.slice(8 + length + h.data_offsets[0], 8 + length + end).buffer);
      const w = weights.get(key)!;
      if (shape.length === 4) {
        expect(h.shape).toEqual([shape[3], shape[2], shape[0], shape[1]]);
        expect(values).toEqual(hwioToOihw(w.values, shape));
      } else if (shape.length === 2) {
        expect(h.shape).toEqual([shape[1], shape[0]]);
        expect(values[1]).toBe(w.values[shape[1]!]); // [out 0, in 1] is [in 1, out 0]
      } else {
        expect(h.shape).toEqual(shape);
        expect(values).toEqual(w.values);
      }
    }
    expect(8 + length + end).toBe(bytes.length);
  });

  it("mtslc export --format pytorch writes a trained run that PyTorch runs as the runtime; the folder rules", async () => {
    const run = join(dir, "run");
    const trained = await trainTiny(run);
    expect(trained.code, trained.stderr).toBe(0);
    const out = join(dir, "exp");
    const r = await mtslc(["export", run, "--format", "pytorch", "-o", out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain("for PyTorch");
    expect(readdirSync(out).sort()).toEqual([...PYTORCH_FILES].sort());
    const info = JSON.parse(readFileSync(join(out, "export.json"), "utf8")) as Record<string, unknown>;
    expect(info).toMatchObject({ format: "pytorch", model: "Tiny", epoch: 1, files: PYTORCH_FILES });
    expect(readFileSync(join(out, "README.md"), "utf8")).toContain("from mtsl_torch import load");
    if (!skip) {
      const ckpt = readCheckpoint(join(run, "checkpoint.ckpt"));
      for (const batch of [1, 5]) {
        const errors = await compare(ckpt.ir, ckpt.weights, out, batch);
        for (const [task, e] of Object.entries(errors)) expect(e, `${task} batch ${batch}`).toBeLessThan(1e-4);
      }
    }

    // an export is replaced only with --force, and then only the files its export.json lists
    const again = await mtslc(["export", run, "--format", "pytorch", "-o", out, "-q"]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("MTSL3203");
    writeFileSync(join(out, "notes.txt"), "mine");
    expect((await mtslc(["export", run, "--format", "pytorch", "-o", out, "-q", "--force"])).code).toBe(0);
    expect(readFileSync(join(out, "notes.txt"), "utf8")).toBe("mine");
    // a file of ours that no export wrote stays, even with --force
    const foreign = join(dir, "foreign");
    mkdirSync(foreign);
    writeFileSync(join(foreign, "README.md"), "mine");
    const refused = await mtslc(["export", run, "--format", "pytorch", "-o", foreign, "-q", "--force"]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("holds README.md, which export would overwrite but did not write");
    expect(readFileSync(join(foreign, "README.md"), "utf8")).toBe("mine");
    expect(existsSync(join(foreign, "weights.safetensors"))).toBe(false);
    // a tfjs export in the folder is an export: --force replaces its files with these
    const tfjs = join(dir, "tfjs");
    expect((await mtslc(["export", run, "--format", "tfjs", "-o", tfjs, "-q"])).code).toBe(0);
    expect((await mtslc(["export", run, "--format", "pytorch", "-o", tfjs, "-q"])).code).toBe(1);
    expect((await mtslc(["export", run, "--format", "pytorch", "-o", tfjs, "-q", "--force"])).code).toBe(0);
    expect(readdirSync(tfjs).sort()).toEqual([...PYTORCH_FILES].sort());
    const none = await mtslc(["export", join(dir, "nowhere"), "--format", "pytorch", "-o", join(dir, "x"), "-q"]);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain("MTSL3202");
  }, 120_000);
});

/** A loss of train.py against runtime/losses.ts: the IR's loss call and task options, and the runtime's options. */
interface LossCase {
  name: string;
  loss: { name: LossName; options: Record<string, unknown> };
  taskOptions: Record<string, unknown>;
  options: LossOptions;
  shape: number[];
  target: (rng: Rng, i: number) => number;
  targetShape?: number[];
}

const LOSS_CASES: LossCase[] = [
  {
    name: "ce, labels out of range ignored",
    loss: { name: "ce", options: { balanced: false, label_smoothing: 0 } },
    taskOptions: { classes: 3, ignore: -1 },
    options: { balanced: false, ignoreIndex: -1 },
    shape: [2, 4, 4, 3],
    targetShape: [2, 4, 4],
    target: (rng) => rng.int(5) - 1,
  },
  {
    name: "ce balanced, ignore 2, label smoothing",
    loss: { name: "ce", options: { balanced: true, label_smoothing: 0.1 } },
    taskOptions: { classes: 4, ignore: 2 },
    options: { balanced: true, ignoreIndex: 2, labelSmoothing: 0.1 },
    shape: [2, 4, 4, 4],
    targetShape: [2, 4, 4],
    target: (rng) => rng.int(4),
  },
  {
    name: "ce on vectors",
    loss: { name: "ce", options: { balanced: false, label_smoothing: 0 } },
    taskOptions: { classes: 4 },
    options: { balanced: false },
    shape: [5, 4],
    targetShape: [5],
    target: (rng) => rng.int(4),
  },
  {
    name: "bce with pos_weight, negative targets ignored",
    loss: { name: "bce", options: { pos_weight: 0.95 } },
    taskOptions: {},
    options: { posWeight: 0.95 },
    shape: [2, 4, 4, 1],
    target: (rng) => [-1, 0, 0.3, 0.7, 1][rng.int(5)]!,
  },
  {
    name: "bce",
    loss: { name: "bce", options: {} },
    taskOptions: {},
    options: {},
    shape: [2, 4, 4, 1],
    target: (rng) => (rng.uniform() < 0.3 ? 1 : 0),
  },
  ...(["positive", "all"] as const).flatMap((valid): LossCase[] =>
    (["rmse", "l1"] as const).map((name) => ({
      name: `${name} over ${valid} pixels`,
      loss: { name, options: { valid } },
      taskOptions: {},
      options: { valid },
      shape: [2, 4, 4, 1],
      target: (rng: Rng) => (rng.uniform() < 0.3 ? 0 : 0.5 + 3 * rng.uniform()),
    })),
  ),
  {
    name: "mse",
    loss: { name: "mse", options: {} },
    taskOptions: {},
    options: {},
    shape: [2, 4, 4, 3],
    target: (rng) => rng.uniform(),
  },
  {
    name: "l1_unit, all-zero normals ignored",
    loss: { name: "l1_unit", options: {} },
    taskOptions: {},
    options: {},
    shape: [2, 4, 4, 3],
    // pixel i // 3 is all zero when its index is a multiple of 5
    target: (rng, i) => (Math.floor(i / 3) % 5 === 0 ? 0 : rng.uniform() - 0.5),
  },
];

/** For each case: the loss of every task given as a one-task model, and its gradient in the prediction (NHWC). */
const LOSSES_PY = `
import json, os, sys, numpy as np, torch
sys.path.insert(0, sys.argv[1])
import train
out = sys.argv[2]
for i, case in enumerate(json.load(open(os.path.join(out, "cases.json")))):
    pred = torch.from_numpy(np.load(os.path.join(out, f"{i}.pred.npy"))).requires_grad_(True)
    target = torch.from_numpy(np.load(os.path.join(out, f"{i}.target.npy")))
    if case["loss"]["name"] == "ce": target = target.long()
    task = {"name": "t", "loss": case["loss"], "options": case["taskOptions"], "weight": 1}
    values, term = train.losses([task], {"t": pred.permute(0, 3, 1, 2) if pred.dim() == 4 else pred}, {"t": target}, train._Local())
    term.backward()
    np.save(os.path.join(out, f"{i}.grad.npy"), pred.grad.numpy())
    with open(os.path.join(out, f"{i}.json"), "w") as f: json.dump(values["t"], f)
`;

/** A tiny npy data set (stacked arrays): 16 training and 6 validation images, labels with -1, depth with zeros. */
const DATA_PY = `
import os, sys, numpy as np
r = np.random.default_rng(1)
for split, n in (("train", 16), ("val", 6)):
    d = os.path.join(sys.argv[1], split); os.makedirs(d)
    np.save(os.path.join(d, "image.npy"), r.random((n, 8, 8, 3), dtype=np.float32))
    np.save(os.path.join(d, "label.npy"), r.integers(-1, 3, (n, 8, 8)))
    depth = r.random((n, 8, 8, 1), dtype=np.float32) * 3; depth[:, :2] = 0
    np.save(os.path.join(d, "depth.npy"), depth)
`;

/** Segmentation (class-balanced), depth and edges from the same labels, on the npy layout; no bias before batch norm. */
const TRAINABLE = `
model TrainPy {
  input image: f32[8, 8, 3]
  data npy(dir: "data")
  task seg: segmentation(classes: 3) {
    head: conv(3, 1)
    loss: ce(balanced: true)
  }
  task depth: depth {
    head: conv(1, 1)
  }
  task edge: edges {
    head: conv(1, 1)
  }
  backbone {
    b1: conv(4, 3, bias: false) bn relu
    b2: basic(4) conv(4, 3, bias: false) bn(momentum: 0.8) relu
  }
  sharing {
    b1: {seg depth edge}
    b2: {seg edge} {depth}
  }
  train {
    epochs: 2
    batch: 4
    optimizer: adam(lr: 1e-2, weight_decay: 1e-3)
    schedule: step(milestones: [1], gamma: 0.5)
    seed: 3
  }
}
`;

/** The largest difference, over the largest magnitude, between the state_dicts of two runs' checkpoints. */
const COMPARE_PY = `
import sys, torch
a, b = (torch.load(f + "/checkpoint.pt")["model"] for f in sys.argv[1:3])
assert a.keys() == b.keys()
print(max(float((a[k] - b[k]).abs().max() / a[k].abs().max().clamp(min=1e-6)) for k in a))
`;

/**
 * Runs the export's train.py on `data` into `out`: as one process, or under torchrun with
 * `processes` gloo processes; one thread each.
 */
function trainPy(exportDir: string, data: string, out: string, extra: string[], processes = 0): void {
  const args = [join(exportDir, PYTORCH_TRAINER), exportDir, "--out", out, "--data", data, "--threads", "1", ...extra];
  // Debian's torch 1.13 on Python 3.11 cannot parse torchrun's default --redirects/--tee 0: name a stream
  const launcher = [
    "-m",
    "torch.distributed.run",
    "--standalone",
    "--nproc_per_node",
    String(processes),
    "--redirects",
    "2",
    "--tee",
    "2",
  ];
  const r = spawnSync(PYTHON, processes > 0 ? [...launcher, ...args] : args, PY);
  expect(r.status, r.stderr).toBe(0);
}

describe.skipIf(skip !== "")("PyTorch export: train.py", () => {
  it("its losses are runtime/losses.ts's: values and gradients", async () => {
    const out = mkdtempSync(join(dir, "losses-"));
    const rng = Rng.fromSeed(5);
    const ours = LOSS_CASES.map((c, i) => {
      const size = c.shape.reduce((a, b) => a * b, 1);
      const targetShape = c.targetShape ?? c.shape;
      const pred = Float32Array.from({ length: size }, () => 2 * rng.normal());
      const target = Float32Array.from({ length: targetShape.reduce((a, b) => a * b, 1) }, (_, k) => c.target(rng, k));
      writeFileSync(join(out, `${i}.pred.npy`), new Uint8Array(dump(pred, c.shape)));
      writeFileSync(join(out, `${i}.target.npy`), new Uint8Array(dump(target, targetShape)));
      const t = tf.tensor(target, targetShape);
      const loss = (p: tf.Tensor): tf.Scalar => LOSSES[c.loss.name](p, t, c.options);
      const p = tf.tensor(pred, c.shape);
      return { value: loss(p).dataSync()[0]!, grad: tf.grad(loss)(p).dataSync() };
    });
    writeFileSync(
      join(out, "cases.json"),
      JSON.stringify(LOSS_CASES.map((c) => ({ loss: c.loss, taskOptions: c.taskOptions }))),
    );
    const r = spawnSync(PYTHON, ["-c", LOSSES_PY, dirname(pytorchSourcePath(PYTORCH_TRAINER)), out], {
      encoding: "utf8",
    });
    expect(r.status, r.stderr).toBe(0);
    for (const [i, c] of LOSS_CASES.entries()) {
      const value = JSON.parse(readFileSync(join(out, `${i}.json`), "utf8")) as number;
      expect(Math.abs(value - ours[i]!.value) / Math.max(Math.abs(ours[i]!.value), 1e-6), c.name).toBeLessThan(1e-5);
      const grad = (await readNpy(join(out, `${i}.grad.npy`))).values;
      expect(relative(ours[i]!.grad, grad), `${c.name}: gradient`).toBeLessThan(1e-5);
    }
  }, 60_000);

  it("2 gloo processes under torchrun take 1 process's steps; --resume goes on to the same weights", async () => {
    const work = mkdtempSync(join(dir, "train-"));
    const compiled = compileSource(TRAINABLE);
    expect(compiled.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    const exportDir = writeExport(compiled.ir!, await trainedLikeWeights(compiled.ir!, 3));
    expect(spawnSync(PYTHON, ["-c", DATA_PY, join(work, "data")], PY).status).toBe(0);
    const train = (out: string, extra: string[], processes = 0) =>
      trainPy(exportDir, join(work, "data"), join(work, out), extra, processes);
    train("one", ["--steps", "3"]);
    train("two", ["--steps", "3"], 2);
    const compare = (a: string, b: string): number => {
      const r = spawnSync(PYTHON, ["-c", COMPARE_PY, join(work, a), join(work, b)], PY);
      expect(r.status, r.stderr).toBe(0);
      return Number(r.stdout.trim());
    };
    expect(compare("one", "two")).toBeLessThan(1e-5);
    // a stop after 2 steps, resumed to 3, is the run of 3: the same floats
    train("resumed", ["--steps", "2"]);
    train("resumed", ["--steps", "3", "--resume"]);
    expect(compare("one", "resumed")).toBe(0);
    // two whole epochs (the schedule halves the rate at the second): metrics.jsonl, and a folder load() reads
    train("full", []);
    const records = readFileSync(join(work, "full", "metrics.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map(
        (l) => JSON.parse(l) as { epoch: number; lr: number; train: Record<string, { loss: number }>; val: unknown },
      );
    expect(records.map((r) => [r.epoch, r.lr])).toEqual([
      [1, 0.01],
      [2, 0.005],
    ]);
    expect(Object.keys(records[0]!.train)).toEqual(["seg", "depth", "edge"]);
    expect(records[1]!.val).toBeDefined();
    expect(existsSync(join(work, "full", "weights.safetensors"))).toBe(true);
    const x = tf.randomUniform([2, 8, 8, 3], 0, 1, "float32", 1);
    expect((await runTorch(join(work, "full"), x)).outputs.size).toBe(3);
  }, 120_000);

  it("mtslc report shows a train.py run: its tasks' loss curves, who trained it, not evaluated", async () => {
    const work = mkdtempSync(join(dir, "report-"));
    const ir = compileSource(TRAINABLE).ir!;
    const exportDir = writeExport(ir, await trainedLikeWeights(ir, 3));
    expect(spawnSync(PYTHON, ["-c", DATA_PY, join(work, "data")], PY).status).toBe(0);
    // two epochs of one step each (the global batch is the training set), on 2 gloo processes
    const run = join(work, "run");
    trainPy(exportDir, join(work, "data"), run, ["--epochs", "2", "--batch", "16"], 2);
    const info = JSON.parse(readFileSync(join(run, "run.json"), "utf8")) as Record<string, unknown>;
    expect(info).toMatchObject({ trainer: "pytorch", backend: "pytorch-cpu", worldSize: 2, device: "cpu" });
    expect(info["processGroup"]).toBe("gloo");
    expect(String(info["torch"])).toMatch(/^\d+\.\d+/);
    expect(readFileSync(join(run, "model.ir.json"), "utf8")).toBe(
      readFileSync(join(exportDir, "model.ir.json"), "utf8"),
    );
    const records = readFileSync(join(run, "metrics.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { epoch: number; train: Record<string, { loss: number }> });
    expect(records.map((r) => r.epoch)).toEqual([1, 2]);

    const page = join(work, "report.html");
    const r = await mtslc(["report", run, "-o", page]);
    expect(r.code, r.stderr).toBe(0);
    const html = readFileSync(page, "utf8");
    // each task's loss chart, with metrics.jsonl's points (the charts' labels give them to 11 digits)
    for (const task of ["seg", "depth", "edge"]) {
      expect(html).toContain(`'${task}: loss'`);
      for (const { epoch, train } of records)
        expect(html).toContain(`epoch: ${epoch}; loss: ${String(train[task]!.loss).slice(0, 8)}`);
    }
    expect(html).toContain("the PyTorch export&#39;s train.py (torch ");
    expect(html).toContain("2 processes on cpu, gloo");
    expect(html).toContain("not evaluated");
    expect(html).toContain("fixed run trained with PyTorch, 2 epochs");
    // mtslc eval reads mtsl checkpoints only, and says why
    const evaluated = await mtslc(["eval", run]);
    expect(evaluated.code).toBe(1);
    expect(evaluated.stderr).toContain("a run of the PyTorch export's train.py");
  }, 120_000);
});
