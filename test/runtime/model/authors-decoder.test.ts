/**
 * The MTSL authors' network parts computed as their code computes them (issue 13, point 2):
 * `decoder_bottleneck` against their `DecoderBlock` (encoding_custom/encoders_decoders/decoder.py,
 * copied below as it is, with its input projection) and `fuse` against the per-scale 1x1
 * convolutions, resize and concatenation of their task heads (encoding_custom/heads/), run by
 * PyTorch 1.13 (Debian's python3-torch; skipped without it) on the same numbers. Both in eval
 * mode (running statistics) and in training mode (batch statistics), with the gradients of a
 * weighted sum of the output with respect to the input, the skip and a kernel, on sizes where
 * the resize is not a whole factor (5x6 to 9x12), so the half-pixel resize and its gradient are
 * checked too.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inferLayer } from "../../../compiler/ir/infer.js";
import type { IrLayer, IrLayerOp, Shape } from "../../../compiler/ir/types.js";
import { selectBackend } from "../../../runtime/backend/select.js";
import { readNpy } from "../../../runtime/data/npy/npy-file.js";
import { applyLayer } from "../../../runtime/model/ops.js";
import { oihwToHwio } from "../../../runtime/model/kernel-layout.js";

const dir = mkdtempSync(join(tmpdir(), "mtsl-authors-decoder-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SCRIPT = `
import sys, numpy as np, torch, torch.nn as nn, torch.nn.functional as F
out = sys.argv[1]
r = np.random.default_rng(11)
torch.manual_seed(0)
def save(name, a): np.save(f"{out}/{name}.npy", np.ascontiguousarray(a, dtype=np.float32))
def arr(name, shape, scale=1.0):
  a = (r.standard_normal(shape) * scale).astype(np.float32); save(name, a); return a

# The authors' DecoderBlock, as encoding_custom/encoders_decoders/decoder.py has it.
class DecoderBlock(nn.Module):
    expansion = 4
    def __init__(self, inplanes, planes, norm_layer, stride=1, dilation=1, downsample=None):
        super(DecoderBlock, self).__init__()
        if type(inplanes) is list:
            self.input_projection = nn.Conv2d(inplanes[1], planes * DecoderBlock.expansion, kernel_size=1, bias=False)
            inplanes = sum(inplanes)
        self.conv1 = nn.Conv2d(inplanes, planes, kernel_size=1, bias=False)
        self.bn1 = norm_layer(planes)
        self.conv2 = nn.Conv2d(planes, planes, kernel_size=3, stride=stride, padding=dilation, dilation=dilation, bias=False)
        self.bn2 = norm_layer(planes)
        self.conv3 = nn.Conv2d(planes, planes * DecoderBlock.expansion, kernel_size=1, bias=False)
        self.bn3 = norm_layer(planes * DecoderBlock.expansion)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = downsample
    def forward(self, x):
        inputs, skip = x
        inputs = F.interpolate(inputs, skip.size()[-2:], mode="bilinear", align_corners=False)
        residual = inputs
        if hasattr(self, 'input_projection'):
            residual = self.input_projection(residual)
        x = torch.cat([inputs, skip], dim=1)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        if self.downsample is not None:
            residual = self.downsample(x)
        out += residual
        return self.relu(out)

def fill(block, prefix):
  with torch.no_grad():
    for name, p in block.named_parameters():
      a = (r.standard_normal(tuple(p.shape)) * (0.4 if p.dim() > 1 else 0.3)).astype(np.float32)
      if name.startswith("bn") and name.endswith(".weight"): a += 1.0  # gammas near 1
      save(f"{prefix}.{name}", a); p.copy_(torch.from_numpy(a))
    for name, b in block.named_buffers():
      if name.endswith("running_mean"): b.copy_(torch.from_numpy(arr(f"{prefix}.{name}", tuple(b.shape), 0.2)))
      if name.endswith("running_var"):
        v = (np.abs(r.standard_normal(tuple(b.shape))) + 0.5).astype(np.float32); save(f"{prefix}.{name}", v); b.copy_(torch.from_numpy(v))

def run_block(prefix, inplanes, cin, cs, planes, hin, win, hs, ws):
  block = DecoderBlock(inplanes, planes, nn.BatchNorm2d)
  fill(block, prefix)
  x = torch.from_numpy(arr(f"{prefix}.x", (2, cin, hin, win))).requires_grad_(True)
  s = torch.from_numpy(arr(f"{prefix}.skip", (2, cs, hs, ws))).requires_grad_(True)
  block.eval()
  save(f"{prefix}.eval", block([x, s]).detach().numpy())
  block.train()
  y = block([x, s])
  save(f"{prefix}.train", y.detach().numpy())
  g = torch.from_numpy(arr(f"{prefix}.g", tuple(y.shape)))
  (y * g).sum().backward()
  save(f"{prefix}.dx", x.grad.numpy()); save(f"{prefix}.dskip", s.grad.numpy())
  save(f"{prefix}.dconv1", block.conv1.weight.grad.numpy())

# first decoder block: its input is wider than planes * 4, so it has the projection
run_block("proj", [12, 12], 12, 12, 4, 5, 6, 9, 12)
# a later one: input channels = planes * 4, the residual is the resized input itself
run_block("plain", 16 + 8, 16, 8, 4, 4, 5, 8, 10)

# fuse: the heads' per-scale 1x1 convolutions (bias), resize to the last scale's size, concat
sizes = [(3, 3, 6), (5, 6, 5), (9, 12, 4)]
xs = [torch.from_numpy(arr(f"fuse.x{i}", (2, c, h, w))).requires_grad_(True) for i, (h, w, c) in enumerate(sizes)]
ks = [torch.from_numpy(arr(f"fuse.k{i}", (3, c, 1, 1), 0.5)).requires_grad_(True) for i, (h, w, c) in enumerate(sizes)]
bs = [torch.from_numpy(arr(f"fuse.b{i}", (3,), 0.3)) for i in range(3)]
outs = [F.interpolate(F.conv2d(x, k, b), (9, 12), mode="bilinear", align_corners=False) for x, k, b in zip(xs, ks, bs)]
y = torch.cat(outs, dim=1)
save("fuse.y", y.detach().numpy())
g = torch.from_numpy(arr("fuse.g", tuple(y.shape)))
(y * g).sum().backward()
for i in range(3): save(f"fuse.dx{i}", xs[i].grad.numpy()); save(f"fuse.dk{i}", ks[i].grad.numpy())
`;

let skip = "";
const dir4 = (values: Float32Array, shape: number[]): tf.Tensor => tf.transpose(tf.tensor(values, shape), [0, 2, 3, 1]); // NCHW -> NHWC

async function load(name: string, kind: "map" | "kernel" | "vector"): Promise<tf.Tensor> {
  const a = await readNpy(join(dir, `${name}.npy`));
  const shape = a.header.shape;
  const values = Float32Array.from(a.values);
  if (kind === "kernel") return tf.tensor(oihwToHwio(values, shape), [shape[2]!, shape[3]!, shape[1]!, shape[0]!]);
  return kind === "map" ? dir4(values, shape) : tf.tensor(values, shape);
}

beforeAll(async () => {
  const r = spawnSync("/usr/bin/python3", ["-c", SCRIPT, dir], { encoding: "utf8" });
  if (r.status !== 0) {
    skip = `skipped: PyTorch is not available (${(r.stderr || r.error?.message || "").trim().split("\n").at(-1)})`;
    console.warn(skip);
    return;
  }
  await selectBackend("cpu");
}, 120_000);

/** The IR layer of `op` on `input` and `skips` (shapes without the batch), as the compiler infers it. */
function layerOf(op: IrLayerOp, input: Shape, skips: Shape[]): IrLayer {
  const r = inferLayer(op, input, skips);
  if (!r.ok) throw new Error(r.message);
  return r.layer;
}

const maxDiff = (a: tf.Tensor, b: tf.Tensor): number => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!;
const scale = (t: tf.Tensor): number => tf.max(tf.abs(t)).dataSync()[0]!;

async function decoderWeights(prefix: string, projection: boolean): Promise<Map<string, tf.Tensor>> {
  const w = new Map<string, tf.Tensor>();
  for (const c of ["conv1", "conv2", "conv3"]) w.set(`${c}.kernel`, await load(`${prefix}.${c}.weight`, "kernel"));
  if (projection) w.set("projection.kernel", await load(`${prefix}.input_projection.weight`, "kernel"));
  for (const b of ["bn1", "bn2", "bn3"]) {
    w.set(`${b}.gamma`, await load(`${prefix}.${b}.weight`, "vector"));
    w.set(`${b}.beta`, await load(`${prefix}.${b}.bias`, "vector"));
    w.set(`${b}.moving_mean`, await load(`${prefix}.${b}.running_mean`, "vector"));
    w.set(`${b}.moving_variance`, await load(`${prefix}.${b}.running_var`, "vector"));
  }
  return w;
}

async function checkDecoder(prefix: string, filters: number, projection: boolean): Promise<void> {
  const x = await load(`${prefix}.x`, "map");
  const s = await load(`${prefix}.skip`, "map");
  const layer = layerOf({ op: "decoder_bottleneck", filters, skip: "enc", expansion: 4 }, x.shape.slice(1) as Shape, [
    s.shape.slice(1) as Shape,
  ]);
  expect(layer.weights.some((w) => w.name === "projection.kernel")).toBe(projection);
  const weights = await decoderWeights(prefix, projection);
  for (const w of layer.weights) expect(weights.get(w.name)?.shape, w.name).toEqual([...w.shape]);
  const run = (xx: tf.Tensor, ss: tf.Tensor, k1: tf.Tensor, training: boolean): tf.Tensor =>
    applyLayer(layer, xx, (n) => (n === "conv1.kernel" ? k1 : weights.get(n)!), { training, skips: [ss] });

  const k1 = weights.get("conv1.kernel")!;
  const evalY = run(x, s, k1, false);
  const want = await load(`${prefix}.eval`, "map");
  expect(evalY.shape).toEqual(want.shape);
  expect(maxDiff(evalY, want) / scale(want)).toBeLessThan(1e-5);

  const trainY = run(x, s, k1, true);
  const wantTrain = await load(`${prefix}.train`, "map");
  expect(maxDiff(trainY, wantTrain) / scale(wantTrain)).toBeLessThan(1e-5);

  const g = await load(`${prefix}.g`, "map");
  const [dx, ds, dk] = tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => tf.sum(tf.mul(run(a, b, c, true), g)))([
    x,
    s,
    k1,
  ]);
  for (const [ours, name, kind] of [
    [dx!, "dx", "map"],
    [ds!, "dskip", "map"],
    [dk!, "dconv1", "kernel"],
  ] as const) {
    const theirs = await load(`${prefix}.${name}`, kind);
    expect(maxDiff(ours, theirs) / scale(theirs), name).toBeLessThan(1e-4);
  }
}

describe("the authors' decoder block and multi-scale heads against PyTorch", () => {
  it("decoder_bottleneck with the input projection (the first decoder block), 5x6 resized to 9x12", async (ctx) => {
    if (skip) ctx.skip();
    await checkDecoder("proj", 4, true);
  });

  it("decoder_bottleneck whose residual is the resized input itself", async (ctx) => {
    if (skip) ctx.skip();
    await checkDecoder("plain", 4, false);
  });

  it("fuse: each scale's 1x1 convolution, resized to the input's size, concatenated in order", async (ctx) => {
    if (skip) ctx.skip();
    const xs = [await load("fuse.x0", "map"), await load("fuse.x1", "map"), await load("fuse.x2", "map")];
    const ks = [await load("fuse.k0", "kernel"), await load("fuse.k1", "kernel"), await load("fuse.k2", "kernel")];
    const bs = [await load("fuse.b0", "vector"), await load("fuse.b1", "vector"), await load("fuse.b2", "vector")];
    const layer = layerOf(
      { op: "fuse", stages: ["a", "b", "c"], filters: 3, bias: true },
      xs[2]!.shape.slice(1) as Shape,
      xs.map((x) => x.shape.slice(1) as Shape),
    );
    expect(layer.outShape).toEqual([9, 12, 9]);
    const run = (inputs: tf.Tensor[], kernels: tf.Tensor[]): tf.Tensor =>
      applyLayer(
        layer,
        inputs[2]!,
        (n) => {
          const m = /^conv(\d)\.(kernel|bias)$/.exec(n)!;
          return m[2] === "kernel" ? kernels[Number(m[1])]! : bs[Number(m[1])]!;
        },
        { training: true, skips: inputs },
      );
    const want = await load("fuse.y", "map");
    const y = run(xs, ks);
    expect(maxDiff(y, want) / scale(want)).toBeLessThan(1e-5);
    const g = await load("fuse.g", "map");
    const grads = tf.grads((...t: tf.Tensor[]) => tf.sum(tf.mul(run(t.slice(0, 3), t.slice(3)), g)))([...xs, ...ks]);
    for (let i = 0; i < 3; i++) {
      const dx = await load(`fuse.dx${i}`, "map");
      const dk = await load(`fuse.dk${i}`, "kernel");
      expect(maxDiff(grads[i]!, dx) / scale(dx), `dx${i}`).toBeLessThan(1e-4);
      expect(maxDiff(grads[3 + i]!, dk) / scale(dk), `dk${i}`).toBeLessThan(1e-4);
    }
  });
});
