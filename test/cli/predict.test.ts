/**
 * `mtslc predict` (issue 17, point 1): a trained run, one of its revisions or a checkpoint, on a
 * split of its data, on PNG files and on `.npy` stacks; every task's `.npy` holds what the
 * runtime's forward pass gives for that image (after the kind's transform: argmax, sigmoid, unit
 * normals, softmax), the PNGs decode to the right size, the manifest lists it all; bad inputs and
 * an occupied folder are coded errors.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { dump } from "npyjs";
import { PNG } from "pngjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getDataSource } from "../../runtime/data/registry.js";
import { decodeNpy } from "../../runtime/data/npy/npy-file.js";
import { forward } from "../../runtime/model/network.js";
import { WeightStore } from "../../runtime/model/weights.js";
import { readCheckpoint } from "../../runtime/train/checkpoint.js";
import { mtslc, trainTiny } from "./helpers.js";

const dir = mkdtempSync(join(tmpdir(), "mtsl-predict-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const DENSE = `
model Dense {
  input image: f32[16, 16, 3]
  data scenes(size: 16, train: 16, val: 4, test: 6, seed: 4)
  task seg: segmentation(classes: 6) { head: conv(6, 1) }
  task depth: depth { head: conv(1, 1) }
  task normal: normals { head: conv(3, 1) }
  task edge: edges { head: conv(1, 1) }
  task ae: reconstruction { head: conv(3, 1) sigmoid }
  backbone {
    stem: conv(8, 3) bn relu
    enc: conv(8, 3) bn relu
  }
  sharing {
    stem: {seg depth normal edge ae}
    enc: {seg depth} {normal edge ae}
  }
  train {
    epochs: 1
    batch: 8
  }
}
`;

const run = join(dir, "dense-run");
const tinyRun = join(dir, "tiny-run");

beforeAll(async () => {
  writeFileSync(join(dir, "dense.mtsl"), DENSE);
  const a = await mtslc(["train", join(dir, "dense.mtsl"), "-o", run, "--backend", "wasm", "-q"]);
  expect(a.code, a.stderr).toBe(0);
  const b = await trainTiny(tinyRun, "wasm");
  expect(b.code, b.stderr).toBe(0);
}, 240_000);

const readNpyFile = (file: string) => decodeNpy(new Uint8Array(readFileSync(file)), file);

/** The run's raw outputs for `images` ([N, H, W, C] floats), on the backend in use. */
function runtimeOutputs(
  checkpoint: string,
  images: Float32Array,
  n: number,
): Map<string, { shape: number[]; values: Float32Array }> {
  const ckpt = readCheckpoint(checkpoint);
  const store = WeightStore.forIr(ckpt.ir, 0);
  store.load(ckpt.weights);
  const [h, w, c] = ckpt.ir.input.shape as [number, number, number];
  const out = new Map<string, { shape: number[]; values: Float32Array }>();
  tf.tidy(() => {
    for (const [task, y] of forward(ckpt.ir, store, tf.tensor4d(images, [n, h, w, c]), { training: false }).outputs)
      out.set(task, { shape: y.shape, values: y.dataSync() as Float32Array });
  });
  store.dispose();
  return out;
}

describe("mtslc predict", () => {
  it("writes every task's output for a split, equal to the runtime's forward pass after the kind's transform", async () => {
    const out = join(dir, "pred-split");
    const r = await mtslc([
      "predict",
      run,
      "split:test",
      "--limit",
      "4",
      "-o",
      out,
      "--backend",
      "wasm",
      "--batch",
      "3",
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain("predicted 4 images with Dense (epoch 1)");
    const manifest = JSON.parse(readFileSync(join(out, "predictions.json"), "utf8")) as {
      samples: { name: string; source: string; files: Record<string, string[]> }[];
    };
    expect(manifest.samples.map((s) => s.name)).toEqual(["test-0000", "test-0001", "test-0002", "test-0003"]);
    expect(manifest.samples[0]!.files["seg"]).toEqual(["test-0000.seg.npy", "test-0000.seg.png"]);

    const ir = readCheckpoint(join(run, "checkpoint.ckpt")).ir;
    const dataset = await getDataSource(ir.data.name).load(ir.data.options as never, ir.tasks);
    const images = dataset.splits.test.images.slice(0, 4 * 16 * 16 * 3);
    const raw = runtimeOutputs(join(run, "checkpoint.ckpt"), images, 4);
    const px = 16 * 16;
    for (let n = 0; n < 4; n++) {
      const name = `test-${String(n).padStart(4, "0")}`;
      const seg = readNpyFile(join(out, `${name}.seg.npy`));
      expect(seg.header.shape).toEqual([16, 16]);
      const logits = raw.get("seg")!.values.subarray(n * px * 6, (n + 1) * px * 6);
      for (let p = 0; p < px; p++) {
        const row = Array.from(logits.subarray(p * 6, p * 6 + 6));
        expect(seg.values[p]).toBe(row.indexOf(Math.max(...row)));
      }
      const depth = readNpyFile(join(out, `${name}.depth.npy`));
      expect(Array.from(depth.values)).toEqual(Array.from(raw.get("depth")!.values.subarray(n * px, (n + 1) * px)));
      const edge = readNpyFile(join(out, `${name}.edge.npy`));
      const logit = raw.get("edge")!.values[n * px + 17]!;
      expect(edge.values[17]).toBeCloseTo(1 / (1 + Math.exp(-logit)), 6);
      const normal = readNpyFile(join(out, `${name}.normal.npy`));
      expect(normal.header.shape).toEqual([16, 16, 3]);
      const v = Array.from(normal.values.subarray(30, 33));
      expect(Math.hypot(...v)).toBeCloseTo(1, 5);
      const ae = readNpyFile(join(out, `${name}.ae.npy`));
      expect(Array.from(ae.values)).toEqual(Array.from(raw.get("ae")!.values.subarray(n * px * 3, (n + 1) * px * 3)));
      for (const task of ["seg", "depth", "normal", "edge", "ae"]) {
        const png = PNG.sync.read(readFileSync(join(out, `${name}.${task}.png`)));
        expect([png.width, png.height], task).toEqual([16, 16]);
      }
    }
  }, 120_000);

  it("reads PNG files and .npy stacks, and a revision of the run", async () => {
    const ir = readCheckpoint(join(run, "checkpoint.ckpt")).ir;
    const dataset = await getDataSource(ir.data.name).load(ir.data.options as never, ir.tasks);
    const one = 16 * 16 * 3;
    const image = dataset.splits.val.images.slice(0, one);
    const png = new PNG({ width: 16, height: 16 });
    for (let p = 0; p < 256; p++) {
      for (let k = 0; k < 3; k++) png.data[p * 4 + k] = Math.round(image[p * 3 + k]! * 255);
      png.data[p * 4 + 3] = 255;
    }
    writeFileSync(join(dir, "room.png"), PNG.sync.write(png));
    const stack = dataset.splits.val.images.slice(0, 2 * one);
    writeFileSync(join(dir, "two.npy"), new Uint8Array(dump(stack, [2, 16, 16, 3])));
    const out = join(dir, "pred-files");
    const r = await mtslc([
      "predict",
      run,
      join(dir, "room.png"),
      join(dir, "two.npy"),
      "-o",
      out,
      "--backend",
      "wasm",
      "-q",
    ]);
    expect(r.code, r.stderr).toBe(0);
    for (const f of ["room.depth.npy", "two-0000.depth.npy", "two-0001.depth.npy", "two-0001.seg.png"])
      expect(existsSync(join(out, f)), f).toBe(true);
    // the PNG is read as 8-bit values / 255; the stack as the floats it holds
    const quantised = Float32Array.from(image, (v) => Math.round(v * 255) / 255);
    const raw = runtimeOutputs(join(run, "checkpoint.ckpt"), quantised, 1);
    expect(Array.from(readNpyFile(join(out, "room.depth.npy")).values)).toEqual(Array.from(raw.get("depth")!.values));
    const rawStack = runtimeOutputs(join(run, "checkpoint.ckpt"), stack, 2);
    expect(Array.from(readNpyFile(join(out, "two-0001.depth.npy")).values)).toEqual(
      Array.from(rawStack.get("depth")!.values.subarray(256)),
    );

    // a revision file of the run names its checkpoint
    const rev = join(tinyRun, "revisions", "000.mtsl");
    const viaRevision = await mtslc([
      "predict",
      rev,
      "split:test",
      "--limit",
      "2",
      "-o",
      join(dir, "pred-rev"),
      "--backend",
      "wasm",
      "-q",
    ]);
    expect(viaRevision.code, viaRevision.stderr).toBe(0);
    const manifest = JSON.parse(readFileSync(join(dir, "pred-rev", "predictions.json"), "utf8")) as {
      epoch: number;
      samples: { classes: Record<string, number>; files: Record<string, string[]> }[];
    };
    expect(manifest.epoch).toBe(0);
    const probs = readNpyFile(join(dir, "pred-rev", "test-0000.left.npy"));
    expect(probs.header.shape).toEqual([10]);
    expect(Array.from(probs.values).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    expect(manifest.samples[0]!.classes["left"]).toBe(Array.from(probs.values).indexOf(Math.max(...probs.values)));
    expect(manifest.samples[0]!.files["left"]).toEqual(["test-0000.left.npy"]); // no picture for a class
  }, 120_000);

  it("refuses bad inputs and an occupied folder with coded errors, and replaces with --force", async () => {
    const out = join(dir, "pred-errors");
    const small = new PNG({ width: 8, height: 8 });
    writeFileSync(join(dir, "small.png"), PNG.sync.write(small));
    const cases: [string[], string, string][] = [
      [[join(dir, "small.png")], "MTSL3003", "is 8x8 pixels; the model takes 16x16"],
      [[join(dir, "missing.png")], "MTSL3001", "no such image file"],
      [["split:holdout"], "MTSL3010", "unknown split 'holdout'"],
      [[join(dir, "dense.mtsl")], "MTSL3006", "give .png or .npy files, or split:NAME"],
    ];
    for (const [inputs, code, text] of cases) {
      const r = await mtslc(["predict", run, ...inputs, "-o", out, "--backend", "wasm", "-q"]);
      expect(r.code, inputs.join(" ")).toBe(1);
      expect(r.stderr).toContain(`error ${code}`);
      expect(r.stderr).toContain(text);
    }
    expect(existsSync(join(out, "predictions.json"))).toBe(false);
    const bad = await mtslc(["predict", join(dir, "nowhere"), "split:test", "-o", out, "-q"]);
    expect(bad.stderr).toContain("MTSL3202");

    const first = await mtslc(["predict", run, "split:test", "--limit", "1", "-o", out, "--backend", "wasm", "-q"]);
    expect(first.code).toBe(0);
    writeFileSync(join(out, "notes.txt"), "mine");
    writeFileSync(join(out, "my.data.npy"), "mine too"); // named like a prediction, but not in the manifest
    const again = await mtslc(["predict", run, "split:test", "--limit", "2", "-o", out, "--backend", "wasm", "-q"]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("MTSL3203");
    const forced = await mtslc([
      "predict",
      run,
      "split:val",
      "--limit",
      "1",
      "-o",
      out,
      "--backend",
      "wasm",
      "-q",
      "--force",
    ]);
    expect(forced.code).toBe(0);
    expect(existsSync(join(out, "test-0000.seg.npy"))).toBe(false); // the old predictions are gone
    expect(existsSync(join(out, "val-0000.seg.npy"))).toBe(true);
    expect(readFileSync(join(out, "notes.txt"), "utf8")).toBe("mine"); // and nothing else
    expect(readFileSync(join(out, "my.data.npy"), "utf8")).toBe("mine too");

    // a file predict would write but did not is never overwritten, even with --force
    const other = join(dir, "pred-foreign");
    mkdirSync(other);
    writeFileSync(join(other, "val-0000.seg.png"), "a picture of mine");
    const refused = await mtslc([
      "predict",
      run,
      "split:val",
      "--limit",
      "1",
      "-o",
      other,
      "--backend",
      "wasm",
      "-q",
      "--force",
    ]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("holds val-0000.seg.png, which predict would overwrite but did not write");
    expect(readFileSync(join(other, "val-0000.seg.png"), "utf8")).toBe("a picture of mine");
  }, 120_000);
});
