/**
 * The imported ResNet-18 computes what PyTorch computes with the same state_dict (issue 13,
 * point 1): random weights under torchvision's keys, PyTorch's own forward of the encoder
 * (conv1, bn1, relu, maxpool, layer1..layer4 in eval mode, written with torch.nn.functional as
 * torchvision's BasicBlock does it), then `mtslc import-weights` into a model with
 * examples/nyuv2.mtsl's encoder, `warm_start`, and our forward to enc4. Skipped without
 * Debian's python3-torch.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { afterAll, describe, expect, it } from "vitest";
import { compileSource } from "../../compiler/compile.js";
import { selectBackend } from "../../runtime/backend/select.js";
import { readNpy } from "../../runtime/data/npy/npy-file.js";
import { WeightStore } from "../../runtime/model/weights.js";
import { forward } from "../../runtime/model/network.js";
import { warmStartValues } from "../../runtime/run/warm-start.js";
import { mtslc } from "./helpers.js";

const dir = mkdtempSync(join(tmpdir(), "mtsl-resnet-torch-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SCRIPT = `
import sys, numpy as np, torch, torch.nn.functional as F
out = sys.argv[1]; r = np.random.default_rng(3); sd = {}
def conv(name, o, i, k): sd[name] = (r.standard_normal((o, i, k, k)) * np.sqrt(2 / (i * k * k))).astype(np.float32)
def bn(name, c):
  sd[name + ".weight"] = (1 + 0.1 * r.standard_normal(c)).astype(np.float32)
  sd[name + ".bias"] = (0.1 * r.standard_normal(c)).astype(np.float32)
  sd[name + ".running_mean"] = (0.1 * r.standard_normal(c)).astype(np.float32)
  sd[name + ".running_var"] = (0.5 + np.abs(r.standard_normal(c))).astype(np.float32)
  sd[name + ".num_batches_tracked"] = np.array(5, dtype=np.int64)
conv("conv1.weight", 64, 3, 7); bn("bn1", 64)
cin = 64
for l, c in enumerate([64, 128, 256, 512]):
  for b in range(2):
    p = f"layer{l + 1}.{b}"; i = cin if b == 0 else c
    conv(p + ".conv1.weight", c, i, 3); bn(p + ".bn1", c); conv(p + ".conv2.weight", c, c, 3); bn(p + ".bn2", c)
    if b == 0 and l > 0: conv(p + ".downsample.0.weight", c, i, 1); bn(p + ".downsample.1", c)
  cin = c
sd["fc.weight"] = r.standard_normal((1000, 512)).astype(np.float32); sd["fc.bias"] = np.zeros(1000, np.float32)
T = lambda k: torch.from_numpy(sd[k])
def BN(x, p): return F.batch_norm(x, T(p + ".running_mean"), T(p + ".running_var"), T(p + ".weight"), T(p + ".bias"), False, 0.0, 1e-5)
x = r.standard_normal((2, 3, 32, 32)).astype(np.float32); np.save(out + "/x.npy", x)
y = F.max_pool2d(F.relu(BN(F.conv2d(torch.from_numpy(x), T("conv1.weight"), stride=2, padding=3), "bn1")), 3, 2, 1)
for l in range(4):
  for b in range(2):
    p = f"layer{l + 1}.{b}"; s = 2 if (l > 0 and b == 0) else 1
    h = F.relu(BN(F.conv2d(y, T(p + ".conv1.weight"), stride=s, padding=1), p + ".bn1"))
    h = BN(F.conv2d(h, T(p + ".conv2.weight"), padding=1), p + ".bn2")
    sc = BN(F.conv2d(y, T(p + ".downsample.0.weight"), stride=s), p + ".downsample.1") if p + ".downsample.0.weight" in sd else y
    y = F.relu(h + sc)
np.save(out + "/layer4.npy", y.numpy())
for k, v in sd.items(): np.save(f"{out}/sd/{k}.npy", v)
`;

/** examples/nyuv2.mtsl's encoder on a 32 x 32 input, one task whose head reads enc4. */
function encoderModel(): string {
  const nyu = readFileSync("examples/nyuv2.mtsl", "utf8");
  const stages = nyu.split("\n").filter((l) => /^\s+(stem|enc[1-4]):/.test(l));
  expect(stages.length).toBe(5);
  return [
    "model Encoder {",
    "  input image: f32[32, 32, 3]",
    "  data scenes(size: 32)",
    "  task seg: segmentation(classes: 6) { head: upsample(32) conv(6, 1) }",
    "  backbone {",
    ...stages,
    "  }",
    "  sharing { stem..enc4: {seg} }",
    "  train { epochs: 1 }",
    "}",
    "",
  ].join("\n");
}

describe("torchvision ResNet-18 imported, against PyTorch", () => {
  it("gives layer4's output from the same state_dict", async (ctx) => {
    mkdirSync(join(dir, "sd"));
    const py = spawnSync("/usr/bin/python3", ["-c", SCRIPT, dir], { encoding: "utf8" });
    if (py.status !== 0) {
      console.warn(`skipped: PyTorch is not available (${(py.stderr || "").trim().split("\n").at(-1)})`);
      ctx.skip();
    }
    const file = join(dir, "encoder.mtsl");
    writeFileSync(file, encoderModel());
    const ckpt = join(dir, "resnet18.ckpt");
    const r = await mtslc(["import-weights", file, "--torchvision-resnet18", join(dir, "sd"), "-o", ckpt]);
    expect(r.code, r.stderr).toBe(0);

    await selectBackend("cpu");
    const ir = compileSource(encoderModel()).ir!;
    const store = WeightStore.forIr(ir, 0, warmStartValues(ckpt, ir).starts);
    const x = await readNpy(join(dir, "x.npy"));
    const input = tf.transpose(tf.tensor(Float32Array.from(x.values), x.header.shape), [0, 2, 3, 1]);
    const result = forward(ir, store, input as tf.Tensor4D, { training: false });
    const ours = result.features.get(ir.instances.find((i) => i.stage === "enc4")!.id)!;
    const ref = await readNpy(join(dir, "layer4.npy"));
    const theirs = tf.transpose(tf.tensor(Float32Array.from(ref.values), ref.header.shape), [0, 2, 3, 1]);
    expect(ours.shape).toEqual(theirs.shape);
    const scale = tf.max(tf.abs(theirs)).dataSync()[0]!;
    const diff = tf.max(tf.abs(tf.sub(ours, theirs))).dataSync()[0]!;
    expect(scale).toBeGreaterThan(0.1);
    expect(diff / scale).toBeLessThan(1e-4);
    store.dispose();
  }, 120_000);
});
