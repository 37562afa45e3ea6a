/**
 * `padding: symmetric` computes what PyTorch computes (issue 13: torchvision's ResNet-18 in our
 * encoder): a 3x3 stride-2 convolution, a 3x3 stride-2 max pool and a stride-2 basic block
 * with its projection, on an even-sized input where TensorFlow's `same` places its padding
 * differently, against PyTorch 1.13 (Debian's python3-torch; skipped without it) run on the
 * same numbers in eval mode. `same` is checked to differ, so the test can tell them apart.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { IrLayer } from "../../../compiler/ir/types.js";
import { selectBackend } from "../../../runtime/backend/select.js";
import { readNpy } from "../../../runtime/data/npy/npy-file.js";
import { applyLayer } from "../../../runtime/model/ops.js";
import { oihwToHwio } from "../../../runtime/model/kernel-layout.js";

const dir = mkdtempSync(join(tmpdir(), "mtsl-symmetric-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SCRIPT = `
import sys, numpy as np, torch, torch.nn.functional as F
out = sys.argv[1]
r = np.random.default_rng(7)
def save(name, a): np.save(f"{out}/{name}.npy", np.ascontiguousarray(a, dtype=np.float32))
x = r.standard_normal((2, 8, 10, 10)).astype(np.float32); save("x", x)
def w(name, shape): a = (r.standard_normal(shape) * 0.3).astype(np.float32); save(name, a); return torch.from_numpy(a)
def bn(name, c):
  g, b, m = w(name + ".gamma", (c,)), w(name + ".beta", (c,)), w(name + ".mean", (c,))
  v = np.abs(r.standard_normal(c)).astype(np.float32) + 0.5; save(name + ".var", v)
  return lambda t: F.batch_norm(t, m, torch.from_numpy(v), g, b, training=False, eps=1e-5)
X = torch.from_numpy(x)
k = w("conv.kernel", (16, 8, 3, 3))
save("conv.y", F.conv2d(X, k, stride=2, padding=1).numpy())
save("pool.y", F.max_pool2d(X, 3, stride=2, padding=1).numpy())
save("avg.y", F.avg_pool2d(X, 3, stride=2, padding=1, count_include_pad=False).numpy())
c1 = w("block.conv1", (16, 8, 3, 3)); b1 = bn("block.bn1", 16)
c2 = w("block.conv2", (16, 16, 3, 3)); b2 = bn("block.bn2", 16)
cs = w("block.shortcut", (16, 8, 1, 1)); bs = bn("block.shortcut_bn", 16)
y = F.relu(b1(F.conv2d(X, c1, stride=2, padding=1)))
y = b2(F.conv2d(y, c2, stride=1, padding=1))
save("block.y", F.relu(y + bs(F.conv2d(X, cs, stride=2))).numpy())
`;

let skip = "";
const arrays = new Map<string, tf.Tensor>();

beforeAll(async () => {
  const r = spawnSync("/usr/bin/python3", ["-c", SCRIPT, dir], { encoding: "utf8" });
  if (r.status !== 0) {
    skip = `skipped: PyTorch is not available (${(r.stderr || r.error?.message || "").trim().split("\n").at(-1)})`;
    console.warn(skip);
    return;
  }
  await selectBackend("cpu");
  const names = ["x", "conv.kernel", "conv.y", "pool.y", "avg.y", "block.y"];
  for (const p of ["block.bn1", "block.bn2", "block.shortcut_bn"])
    names.push(`${p}.gamma`, `${p}.beta`, `${p}.mean`, `${p}.var`);
  names.push("block.conv1", "block.conv2", "block.shortcut");
  for (const name of names) {
    const a = await readNpy(join(dir, `${name}.npy`));
    const shape = a.header.shape;
    const values = Float32Array.from(a.values);
    if (shape.length === 4 && name !== "x" && !name.endsWith(".y")) {
      arrays.set(name, tf.tensor(oihwToHwio(values, shape), [shape[2]!, shape[3]!, shape[1]!, shape[0]!]));
    } else if (shape.length === 4) {
      // NCHW -> NHWC
      arrays.set(name, tf.transpose(tf.tensor(values, shape), [0, 2, 3, 1]));
    } else arrays.set(name, tf.tensor(values, shape));
  }
}, 120_000);

const base = { params: 0, flops: 0, weights: [] };
const maxDiff = (a: tf.Tensor, b: tf.Tensor): number => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!;

function conv(padding: "same" | "symmetric"): IrLayer {
  return {
    ...base,
    op: "conv",
    filters: 16,
    kernel: 3,
    stride: 2,
    padding,
    dilation: 1,
    bias: false,
    init: "he_normal",
    inShape: [10, 10, 8],
    outShape: [5, 5, 16],
  };
}

describe("padding: symmetric against PyTorch", () => {
  it("a 3x3 stride-2 convolution", (ctx) => {
    if (skip) ctx.skip();
    const w = (): tf.Tensor => arrays.get("conv.kernel")!;
    const y = applyLayer(conv("symmetric"), arrays.get("x")!, w, { training: false });
    expect(y.shape).toEqual([2, 5, 5, 16]);
    expect(maxDiff(y, arrays.get("conv.y")!)).toBeLessThan(1e-5);
    expect(
      maxDiff(applyLayer(conv("same"), arrays.get("x")!, w, { training: false }), arrays.get("conv.y")!),
    ).toBeGreaterThan(1e-2);
  });

  it("a 3x3 stride-2 max pool", (ctx) => {
    if (skip) ctx.skip();
    const pool = (padding: "same" | "symmetric"): IrLayer => ({
      ...base,
      op: "pool",
      mode: "max",
      size: 3,
      stride: 2,
      padding,
      inShape: [10, 10, 8],
      outShape: [5, 5, 8],
    });
    const none = (): tf.Tensor => {
      throw new Error("no weights");
    };
    expect(
      maxDiff(applyLayer(pool("symmetric"), arrays.get("x")!, none, { training: false }), arrays.get("pool.y")!),
    ).toBe(0);
    expect(
      maxDiff(applyLayer(pool("same"), arrays.get("x")!, none, { training: false }), arrays.get("pool.y")!),
    ).toBeGreaterThan(1e-2);
  });

  it("a 3x3 stride-2 average pool, over the window's cells inside the map", (ctx) => {
    if (skip) ctx.skip();
    const pool: IrLayer = {
      ...base,
      op: "pool",
      mode: "avg",
      size: 3,
      stride: 2,
      padding: "symmetric",
      inShape: [10, 10, 8],
      outShape: [5, 5, 8],
    };
    const none = (): tf.Tensor => {
      throw new Error("no weights");
    };
    expect(maxDiff(applyLayer(pool, arrays.get("x")!, none, { training: false }), arrays.get("avg.y")!)).toBeLessThan(
      1e-6,
    );
  });

  it("a stride-2 basic block with its projection, in eval mode", (ctx) => {
    if (skip) ctx.skip();
    const ours: Record<string, string> = {
      "conv1.kernel": "block.conv1",
      "conv2.kernel": "block.conv2",
      "shortcut.kernel": "block.shortcut",
    };
    for (const p of ["bn1", "bn2", "shortcut_bn"]) {
      ours[`${p}.gamma`] = `block.${p}.gamma`;
      ours[`${p}.beta`] = `block.${p}.beta`;
      ours[`${p}.moving_mean`] = `block.${p}.mean`;
      ours[`${p}.moving_variance`] = `block.${p}.var`;
    }
    const w = (name: string): tf.Tensor => arrays.get(ours[name]!)!;
    const block = (padding?: "symmetric"): IrLayer => ({
      ...base,
      op: "basic",
      filters: 16,
      stride: 2,
      ...(padding ? { padding } : {}),
      inShape: [10, 10, 8],
      outShape: [5, 5, 16],
    });
    expect(
      maxDiff(applyLayer(block("symmetric"), arrays.get("x")!, w, { training: false }), arrays.get("block.y")!),
    ).toBeLessThan(1e-4);
    expect(
      maxDiff(applyLayer(block(), arrays.get("x")!, w, { training: false }), arrays.get("block.y")!),
    ).toBeGreaterThan(1e-2);
  });
});
