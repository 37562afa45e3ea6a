/**
 * `mtslc predict`: runs a trained model on images and writes each task's output.
 *
 * The model is a run folder (its checkpoint), a revision file (`revisions/NNN.mtsl`, its
 * `NNN.ckpt`) or a checkpoint. Inputs are PNG files, `.npy` arrays ([H, W, C], [N, H, W, C], or
 * [H, W] for one channel; float in [0, 1] or uint8 in 0..255) or `split:NAME`, a split of the
 * model's own data source. For each sample and task it writes `NAME.TASK.npy` and, for dense
 * tasks, `NAME.TASK.png` (prediction-outputs.ts says what each holds), plus `predictions.json`,
 * the manifest; every file is written atomically, a folder that already holds predictions is
 * replaced only with `force` (the files its manifest lists), and a file predict did not write
 * is never overwritten.
 */
import { existsSync, readFileSync, rmSync } from "node:fs";
import { basename, extname, join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { PNG } from "pngjs";
import type { IrModel } from "../../compiler/ir/types.js";
import { getDataSource } from "../data/registry.js";
import { decodeNpy, formatShape } from "../data/npy/npy-file.js";
import type { Dataset, SplitName } from "../data/types.js";
import { MtslError } from "../errors.js";
import { writeFileAtomic } from "../io/atomic.js";
import { ensureOutputFolder } from "../io/output-path.js";
import { forward } from "../model/network.js";
import { WeightStore } from "../model/weights.js";
import { readCheckpoint } from "../train/checkpoint.js";
import { checkpointOf, writeJsonFile } from "./folder.js";
import { taskOutputs } from "./prediction-outputs.js";

export interface PredictOptions {
  /** Samples per forward pass (default 16). */
  batch?: number;
  /** At most this many samples of each `split:` input. */
  limit?: number;
  /** Replace the predictions a folder already holds. */
  force?: boolean;
  /** Called after each batch with the samples done and the total. */
  onProgress?: (done: number, total: number) => void;
}

export interface PredictResult {
  model: string;
  checkpoint: string;
  epoch: number;
  samples: number;
  files: string[];
}

/** One input image, named for its files. */
interface Sample {
  name: string;
  source: string;
  values: Float32Array;
}

const MANIFEST = "predictions.json";

/** The image of a PNG file as the model's input: [0, 1], its channels (1: the first). */
function readPng(file: string, shape: readonly number[]): Float32Array {
  const [h, w, c] = shape as [number, number, number];
  let png: PNG;
  try {
    png = PNG.sync.read(readFileSync(file));
  } catch (e) {
    throw new MtslError("MTSL3007", `is not a readable PNG (${(e as Error).message})`, { file });
  }
  if (png.height !== h || png.width !== w) {
    throw new MtslError("MTSL3003", `is ${png.height}x${png.width} pixels; the model takes ${h}x${w}`, {
      file,
      expected: `${h}x${w}`,
      found: `${png.height}x${png.width}`,
    });
  }
  if (c !== 1 && c !== 3) {
    throw new MtslError("MTSL3003", `the model takes ${c} channels; a PNG gives 1 or 3`, { file });
  }
  const out = new Float32Array(h * w * c);
  for (let p = 0; p < h * w; p++) for (let k = 0; k < c; k++) out[p * c + k] = png.data[p * 4 + k]! / 255;
  return out;
}

/** The images of a `.npy` file: one or more, each of the model's input shape. */
function readNpyImages(file: string, shape: readonly number[]): Float32Array[] {
  const array = decodeNpy(new Uint8Array(readFileSync(file)), file);
  const [h, w, c] = shape as [number, number, number];
  const dims = array.header.shape;
  const one = h * w * c;
  const fits =
    (dims.length === 3 && dims[0] === h && dims[1] === w && dims[2] === c) ||
    (dims.length === 4 && dims[1] === h && dims[2] === w && dims[3] === c) ||
    (dims.length === 2 && c === 1 && dims[0] === h && dims[1] === w);
  if (!fits) {
    throw new MtslError(
      "MTSL3003",
      `holds an array of shape ${formatShape(dims)}; the model takes images of [${h}, ${w}, ${c}] (or a stack [N, ${h}, ${w}, ${c}])`,
      { file, expected: `[${h}, ${w}, ${c}]`, found: formatShape(dims) },
    );
  }
  const scale = array.header.dtype === "u1" ? 1 / 255 : 1;
  const count = dims.length === 4 ? dims[0]! : 1;
  const out: Float32Array[] = [];
  for (let n = 0; n < count; n++) {
    const image = new Float32Array(one);
    for (let i = 0; i < one; i++) {
      const v = Number(array.values[n * one + i]) * scale;
      if (!Number.isFinite(v)) throw new MtslError("MTSL3005", `holds NaN or Infinity (image ${n})`, { file });
      image[i] = v;
    }
    out.push(image);
  }
  return out;
}

/** The samples of every input, named uniquely. */
async function readInputs(inputs: readonly string[], ir: IrModel, limit: number | undefined): Promise<Sample[]> {
  const shape = ir.input.shape;
  const samples: Sample[] = [];
  let dataset: Dataset | undefined;
  for (const input of inputs) {
    const split = /^split:(.+)$/.exec(input)?.[1];
    if (split !== undefined) {
      if (split !== "train" && split !== "val" && split !== "test") {
        throw new MtslError(
          "MTSL3010",
          `unknown split '${split}' in '${input}': use split:train, split:val or split:test`,
        );
      }
      // one load of the model's data for every split: input
      dataset ??= await getDataSource(ir.data.name).load(ir.data.options as never, ir.tasks);
      const size = Math.min(dataset.splits[split as SplitName].size, limit ?? Infinity);
      const one = shape.reduce((a, b) => a * b, 1);
      const images = dataset.splits[split as SplitName].images;
      for (let i = 0; i < size; i++) {
        samples.push({
          name: `${split}-${String(i).padStart(4, "0")}`,
          source: `${input}[${i}]`,
          values: images.slice(i * one, (i + 1) * one),
        });
      }
      continue;
    }
    if (!existsSync(input)) throw new MtslError("MTSL3001", "no such image file", { file: input });
    const ext = extname(input).toLowerCase();
    const stem = basename(input, extname(input));
    if (ext === ".png") samples.push({ name: stem, source: input, values: readPng(input, shape) });
    else if (ext === ".npy") {
      const images = readNpyImages(input, shape);
      images.forEach((values, n) =>
        samples.push({
          name: images.length === 1 ? stem : `${stem}-${String(n).padStart(4, "0")}`,
          source: images.length === 1 ? input : `${input}[${n}]`,
          values,
        }),
      );
    } else {
      throw new MtslError("MTSL3006", `is not an input predict reads: give .png or .npy files, or split:NAME`, {
        file: input,
      });
    }
  }
  const seen = new Map<string, string>();
  for (const s of samples) {
    const other = seen.get(s.name);
    if (other !== undefined) {
      throw new MtslError("MTSL3006", `two inputs would write the same files '${s.name}.*': ${other} and ${s.source}`);
    }
    seen.set(s.name, s.source);
  }
  if (samples.length === 0) throw new MtslError("MTSL3010", "no images to predict (an empty split, or --limit 0)");
  return samples;
}

/**
 * The files an earlier `predict` wrote into `dir`, as its manifest lists them (and the manifest):
 * what `force` replaces. Files the manifest does not name are never removed.
 */
function earlierPredictions(dir: string): string[] {
  const manifest = join(dir, MANIFEST);
  if (!existsSync(manifest)) return [];
  let listed: string[] = [];
  try {
    const parsed = JSON.parse(readFileSync(manifest, "utf8")) as { samples?: { files?: Record<string, string[]> }[] };
    listed = (parsed.samples ?? []).flatMap((s) => Object.values(s.files ?? {}).flat());
  } catch {
    // a damaged manifest: only the manifest itself is ours to replace
  }
  return [MANIFEST, ...listed.filter((f) => basename(f) === f && existsSync(join(dir, f)))];
}

/** The file names `predict` writes for `samples`. */
function namesFor(samples: readonly Sample[], ir: IrModel): string[] {
  return samples.flatMap((s) => ir.tasks.flatMap((t) => [`${s.name}.${t.name}.npy`, `${s.name}.${t.name}.png`]));
}

/** Runs the model on the inputs and writes their predictions into `outDir`. */
export async function predict(
  model: string,
  inputs: readonly string[],
  outDir: string,
  options: PredictOptions = {},
): Promise<PredictResult> {
  const checkpoint = checkpointOf(model);
  const ckpt = readCheckpoint(checkpoint);
  const ir = ckpt.ir;
  const samples = await readInputs(inputs, ir, options.limit);
  const existing = earlierPredictions(outDir);
  if (existing.length > 0 && !options.force) {
    throw new MtslError(
      "MTSL3203",
      `already holds predictions (${existing.slice(0, 3).join(", ")}${existing.length > 3 ? ", ..." : ""}): ` +
        "add --force to replace them, or choose another folder with -o",
      { file: outDir },
    );
  }
  // never overwrite a file predict did not write, even with --force
  const earlier = new Set(existing);
  const foreign = namesFor(samples, ir).filter((f) => !earlier.has(f) && existsSync(join(outDir, f)));
  if (foreign.length > 0) {
    throw new MtslError(
      "MTSL3203",
      `holds ${foreign.slice(0, 3).join(", ")}${foreign.length > 3 ? ", ..." : ""}, which predict would overwrite ` +
        "but did not write: move them or choose another folder with -o",
      { file: outDir },
    );
  }
  ensureOutputFolder(outDir, "-o");
  for (const f of existing) rmSync(join(outDir, f), { force: true });

  const store = WeightStore.forIr(ir, ir.train.seed);
  const files: string[] = [];
  const manifest: {
    name: string;
    source: string;
    files: Record<string, string[]>;
    classes?: Record<string, number>;
  }[] = [];
  try {
    store.load(ckpt.weights);
    const batch = Math.max(1, options.batch ?? 16);
    const [h, w, c] = ir.input.shape as [number, number, number];
    for (let start = 0; start < samples.length; start += batch) {
      const part = samples.slice(start, start + batch);
      const flat = new Float32Array(part.length * h * w * c);
      part.forEach((s, i) => flat.set(s.values, i * h * w * c));
      const outputs = new Map<string, { shape: number[]; values: Float32Array }>();
      const predicted = tf.tidy(() => {
        const x = tf.tensor4d(flat, [part.length, h, w, c]);
        return [...forward(ir, store, x, { training: false }).outputs];
      });
      try {
        for (const [task, y] of predicted)
          outputs.set(task, { shape: y.shape.slice(1), values: (await y.data()) as Float32Array });
      } finally {
        tf.dispose(predicted.map(([, y]) => y));
      }
      part.forEach((s, i) => {
        const entry: (typeof manifest)[number] = { name: s.name, source: s.source, files: {} };
        for (const task of ir.tasks) {
          const y = outputs.get(task.name)!;
          const size = y.shape.reduce((a, b) => a * b, 1);
          const written = taskOutputs(task, y.shape, y.values.subarray(i * size, (i + 1) * size));
          entry.files[task.name] = [];
          for (const file of written.files) {
            const name = `${s.name}.${task.name}.${file.extension}`;
            writeFileAtomic(join(outDir, name), file.bytes);
            files.push(name);
            entry.files[task.name]!.push(name);
          }
          if (written.class !== undefined) (entry.classes ??= {})[task.name] = written.class;
        }
        manifest.push(entry);
      });
      options.onProgress?.(Math.min(samples.length, start + batch), samples.length);
    }
  } finally {
    store.dispose();
  }
  writeJsonFile(join(outDir, MANIFEST), {
    model: ir.name,
    checkpoint,
    epoch: ckpt.epoch,
    input: ir.input,
    tasks: ir.tasks.map((t) => ({ name: t.name, kind: t.kind, options: t.options })),
    samples: manifest,
  });
  files.push(MANIFEST);
  return { model: ir.name, checkpoint, epoch: ckpt.epoch, samples: samples.length, files };
}
