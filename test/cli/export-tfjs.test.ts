/**
 * `mtslc export MODEL --format tfjs` (issue 17, point 2): the generated module of the
 * checkpoint's own architecture (after the run's merges) and its weights as a TensorFlow.js
 * weights manifest and binary; docs/codegen.md's three lines load them and the module computes
 * exactly what the runtime computes with the checkpoint (inference and training statistics),
 * for the run and for a revision before its merge.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { weightEntries } from "../../compiler/ir/lint.js";
import { forward } from "../../runtime/model/network.js";
import { WeightStore } from "../../runtime/model/weights.js";
import { readCheckpoint } from "../../runtime/train/checkpoint.js";
import { mtslc, trainTiny } from "./helpers.js";

interface ExportedModule {
  weightSpecs: readonly { key: string; shape: number[] }[];
  weightsFromTfjs(manifest: tf.io.WeightsManifestConfig, data: ArrayBuffer | Uint8Array): Record<string, tf.Tensor>;
  forward(
    weights: Record<string, tf.Tensor>,
    input: tf.Tensor4D,
    options?: { training?: boolean },
  ): Record<string, tf.Tensor>;
}

// inside the repository, so the module's `import * as tf from "@tensorflow/tfjs"` resolves
mkdirSync(".scratch", { recursive: true });
const dir = mkdtempSync(join(".scratch", "export-"));
const run = join(dir, "run");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

beforeAll(async () => {
  const r = await trainTiny(run);
  expect(r.code, r.stderr).toBe(0);
  await tf.setBackend("cpu");
}, 240_000);

async function exportAndCompare(model: string, out: string): Promise<{ keys: string[] }> {
  const r = await mtslc(["export", model, "--format", "tfjs", "-o", out, "-q"]);
  expect(r.code, r.stderr).toBe(0);
  const info = JSON.parse(readFileSync(join(out, "export.json"), "utf8")) as {
    module: string;
    checkpoint: string;
    epoch: number;
  };
  expect(info.module).toBe("tiny.model.ts");

  // docs/codegen.md's three lines
  const model_ = (await import(pathToFileURL(join(out, "tiny.model.ts")).href)) as ExportedModule;
  const weights = model_.weightsFromTfjs(
    JSON.parse(readFileSync(join(out, "weights.json"), "utf8")),
    readFileSync(join(out, "weights.bin")),
  );
  const images = tf.randomUniform([4, 16, 16, 1], 0, 1, "float32", 3) as tf.Tensor4D;

  const ckpt = readCheckpoint(info.checkpoint);
  expect(model_.weightSpecs.map((s) => s.key)).toEqual(weightEntries(ckpt.ir).map((w) => w.key));
  const store = WeightStore.forIr(ckpt.ir, 0);
  store.load(ckpt.weights);
  for (const training of [false, true]) {
    const ours = forward(ckpt.ir, store, images, { training }).outputs;
    const theirs = model_.forward(weights, images, { training });
    for (const task of ["left", "right"]) {
      const diff = tf.max(tf.abs(tf.sub(ours.get(task)!, theirs[task]!))).dataSync()[0]!;
      expect(diff, `${task} training=${training}`).toBe(0);
    }
  }
  store.dispose();
  return { keys: model_.weightSpecs.map((s) => s.key) };
}

describe("mtslc export --format tfjs", () => {
  it("writes the run's own architecture and weights, which the generated module loads and runs exactly as the runtime", async () => {
    const { keys } = await exportAndCompare(run, join(dir, "exp-run"));
    // the run merged at epoch 1 (threshold 0.05): the module is the merged tree, not the file's
    expect(keys.some((k) => k.startsWith("c1@left+right/"))).toBe(true);
    const manifest = JSON.parse(readFileSync(join(dir, "exp-run", "weights.json"), "utf8")) as {
      paths: string[];
      weights: { name: string; shape: number[]; dtype: string }[];
    }[];
    expect(manifest[0]!.paths).toEqual(["weights.bin"]);
    const floats = manifest[0]!.weights.reduce((n, w) => n + w.shape.reduce((a, b) => a * b, 1), 0);
    expect(readFileSync(join(dir, "exp-run", "weights.bin")).length).toBe(4 * floats);
    expect(manifest[0]!.weights.every((w) => w.dtype === "float32")).toBe(true);
  }, 120_000);

  it("exports a revision before the merge as that architecture", async () => {
    const { keys } = await exportAndCompare(join(run, "revisions", "000.mtsl"), join(dir, "exp-rev"));
    expect(keys.some((k) => k.startsWith("c1@left/"))).toBe(true);
    expect(keys.some((k) => k.startsWith("c1@left+right/"))).toBe(false);
  }, 120_000);

  it("refuses a folder that holds an export unless --force, and a model that is not one", async () => {
    const out = join(dir, "exp-run");
    writeFileSync(join(out, "notes.txt"), "mine");
    writeFileSync(join(out, "other.model.ts"), "// mine");
    const again = await mtslc(["export", run, "--format", "tfjs", "-o", out, "-q"]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("MTSL3203");
    const forced = await mtslc(["export", run, "--format", "tfjs", "-o", out, "-q", "--force"]);
    expect(forced.code).toBe(0);
    expect(readFileSync(join(out, "notes.txt"), "utf8")).toBe("mine");
    expect(readFileSync(join(out, "other.model.ts"), "utf8")).toBe("// mine");
    // weights.bin that no export wrote (no export.json) stays, even with --force
    const foreign = join(dir, "exp-foreign");
    mkdirSync(foreign);
    writeFileSync(join(foreign, "weights.bin"), "mine");
    const refused = await mtslc(["export", run, "--format", "tfjs", "-o", foreign, "-q", "--force"]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("holds weights.bin, which export would overwrite but did not write");
    expect(readFileSync(join(foreign, "weights.bin"), "utf8")).toBe("mine");
    expect(existsSync(join(out, "weights.bin"))).toBe(true);
    const none = await mtslc(["export", join(dir, "nowhere"), "--format", "tfjs", "-o", join(dir, "x"), "-q"]);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain("MTSL3202");
    const format = await mtslc(["export", run, "--format", "keras", "-o", join(dir, "x"), "-q"]);
    expect(format.code).toBe(2);
  }, 120_000);
});
