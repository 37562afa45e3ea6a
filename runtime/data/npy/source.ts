/**
 * `npy`: a user's arrays on disk in NumPy `.npy` format.
 *
 * Layout (the one MTAN's preprocessed NYUv2 uses, and a stacked variant):
 *
 *   DIR/<split>/<folder>/0.npy, 1.npy, ...   one file per sample, or
 *   DIR/<split>/<folder>.npy                 one array with the samples stacked first
 *
 * for split in train, val and (optionally) test, and folder the image folder
 * (`image`) or a target's folder (NYUv2: `label`, `depth`, `normal`). When
 * `DIR/test` is absent the test split is the val split (said in the notes).
 * Every array is checked: dtype, shape (and agreement across samples and
 * targets), label range, NaN/Infinity, image range. Files are opened read-only.
 */

import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { MtslError } from "../../errors.js";
import { makeDataset, targetValuesPerSample } from "../dataset.js";
import type { ParamSpec } from "../../../compiler/catalog/index.js";
import { folderReads, type FolderRead, type TaskTarget } from "../../../compiler/lower/targets.js";
import { declaredOptions, resolveOptions, type ResolvedOptions } from "../options.js";
import {
  SPLIT_NAMES,
  type DataOptions,
  type Dataset,
  type DatasetDescription,
  type Split,
  type SplitName,
  type TargetArray,
  type TargetSpec,
} from "../types.js";
import {
  DTYPE_NAMES,
  formatShape,
  isFloatDtype,
  readNpy,
  readNpyHeaderSync,
  type NpyArrayData,
  type NpyHeader,
} from "./npy-file.js";

/** The options of `npy`, as the catalogue declares them (compiler/catalog/data.ts). */
export const NPY_OPTIONS: readonly ParamSpec[] = declaredOptions("npy");

/** How one target is read. */
export interface NpyTargetPlan {
  /** The target's name in the dataset: its folder's name. */
  name: string;
  folder: string;
  spec: TargetSpec;
  /** A label value that means "no label" (stored as -1); dense_class and class only. */
  ignore: number | null;
}

interface ArrayLayout {
  /** `stacked`: one file, samples along axis 0; `files`: 0.npy .. (n-1).npy in a folder. */
  kind: "stacked" | "files";
  path: string;
  /** The file whose header is `first` (the stacked file, or 0.npy). */
  firstFile: string;
  /** Samples used: all of them, or the first N the options ask for. */
  count: number;
  /** Header of the stacked file, or of sample 0. */
  first: NpyHeader;
}

/** Everything found on disk before reading data. */
export interface NpyPlan {
  dir: string;
  imageFolder: string;
  imageScale: number | undefined;
  targets: NpyTargetPlan[];
  /** Which folder each split is read from (test may be the val folder). */
  splitFolder: Record<SplitName, string>;
  layout: Record<SplitName, { image: ArrayLayout; targets: Record<string, ArrayLayout> }>;
  inputShape: [number, number, number];
  notes: string[];
}

/** A folder option must name one folder inside the split folder: no separators, no dots. */
function isPlainFolderName(name: string): boolean {
  return name !== "" && name !== "." && name !== ".." && !/[/\\\0]/.test(name);
}

/** The dataset target that a folder read gives. */
function targetPlan(read: FolderRead): NpyTargetPlan {
  const description = `read from ${read.folder}`;
  const { folder } = read;
  switch (read.kind) {
    case "class":
      return {
        name: folder,
        folder,
        spec: { kind: "class", classes: read.classes, role: "classification", description },
        ignore: read.ignore,
      };
    case "dense_class":
      return {
        name: folder,
        folder,
        spec: {
          kind: "dense_class",
          classes: read.classes,
          ignoreIndex: read.ignore === null ? null : -1,
          role: "segmentation",
          description: read.ignore === null ? description : `${description}; ${read.ignore} = no label`,
        },
        ignore: read.ignore,
      };
    case "dense": {
      const zeroInvalid = read.role === "depth" || read.role === "normals";
      const spec: TargetSpec = {
        kind: "dense",
        channels: read.channels,
        invalid: zeroInvalid ? "zero" : "none",
        role: read.role,
        description: zeroInvalid ? `${description}; 0 = invalid` : description,
      };
      if (read.role === "normals") spec.range = [-1, 1];
      if (read.role === "edges") spec.range = [0, 1];
      return { name: folder, folder, spec, ignore: null };
    }
  }
}

/** The targets the tasks read, checked for plain folder names and agreement. */
function planTargets(tasks: readonly TaskTarget[], inputChannels: number): NpyTargetPlan[] {
  const { reads, problems } = folderReads(tasks, inputChannels);
  const problem = problems[0];
  if (problem !== undefined) {
    throw new MtslError("MTSL3006", `npy: ${problem.message}`, { option: "target" });
  }
  for (const read of reads) {
    if (!isPlainFolderName(read.folder)) {
      throw new MtslError("MTSL3006", `npy: target '${read.folder}' is not a plain folder name`, {
        option: "target",
        expected: "a folder name without / or \\",
        found: JSON.stringify(read.folder),
      });
    }
  }
  return reads.map(targetPlan);
}

/** Finds how the array `folder` of one split is stored. */
function findLayout(splitDir: string, folder: string): ArrayLayout {
  const stacked = join(splitDir, `${folder}.npy`);
  const dir = join(splitDir, folder);
  if (existsSync(stacked) && statSync(stacked).isFile()) {
    const first = readNpyHeaderSync(stacked);
    if (first.shape.length === 0) {
      throw new MtslError("MTSL3003", "a stacked array needs the samples along its first axis", {
        file: stacked,
        expected: "shape (N, ...)",
        found: "a scalar",
      });
    }
    return { kind: "stacked", path: stacked, firstFile: stacked, count: first.shape[0]!, first };
  }
  if (existsSync(dir) && statSync(dir).isDirectory()) {
    const names = readdirSync(dir).filter((n) => /^\d+\.npy$/.test(n));
    const indices = names.map((n) => Number.parseInt(n, 10)).sort((a, b) => a - b);
    if (indices.length === 0) {
      throw new MtslError("MTSL3001", "the folder holds no sample files", { file: dir, expected: "0.npy, 1.npy, ..." });
    }
    for (let i = 0; i < indices.length; i++) {
      if (indices[i] !== i) {
        throw new MtslError("MTSL3001", `sample file ${i}.npy is missing`, {
          file: join(dir, `${i}.npy`),
          expected: `files 0.npy .. ${indices.length - 1}.npy with no gaps`,
          found: `${indices[i]}.npy next`,
        });
      }
    }
    const firstFile = join(dir, "0.npy");
    return { kind: "files", path: dir, firstFile, count: indices.length, first: readNpyHeaderSync(firstFile) };
  }
  throw new MtslError("MTSL3001", `neither ${folder}/ nor ${folder}.npy exists`, {
    file: splitDir,
    expected: `${join(splitDir, folder)}/0.npy ... or ${stacked}`,
  });
}

/** The per-sample shape of an array (drops axis 0 for stacked arrays). */
function sampleShape(layout: ArrayLayout): number[] {
  return layout.kind === "stacked" ? layout.first.shape.slice(1) : layout.first.shape;
}

function imageShapeOf(shape: number[], file: string): [number, number, number] {
  if (shape.length === 2) return [shape[0]!, shape[1]!, 1];
  if (shape.length === 3 && shape[2]! >= 1 && shape[2]! <= 4) return [shape[0]!, shape[1]!, shape[2]!];
  throw new MtslError("MTSL3003", "an image must be (H, W) or (H, W, C) with C in 1..4", {
    file,
    expected: "(H, W, C)",
    found: formatShape(shape),
  });
}

/** The per-sample shapes a target may have on an h x w image. */
function acceptedShapes(spec: TargetSpec, h: number, w: number): number[][] {
  switch (spec.kind) {
    case "class":
      return [[], [1]];
    case "dense_class":
      return [
        [h, w],
        [h, w, 1],
      ];
    case "dense":
      return spec.channels === 1
        ? [
            [h, w],
            [h, w, 1],
          ]
        : [[h, w, spec.channels]];
  }
}

const sameShape = (a: readonly number[], b: readonly number[]): boolean =>
  a.length === b.length && a.every((v, i) => v === b[i]);

function checkTargetShape(plan: NpyTargetPlan, shape: number[], file: string, h: number, w: number): void {
  const ok = acceptedShapes(plan.spec, h, w);
  if (!ok.some((s) => sameShape(s, shape))) {
    throw new MtslError("MTSL3003", `target '${plan.name}' has the wrong shape`, {
      file,
      expected: ok.map(formatShape).join(" or ") + " per sample",
      found: formatShape(shape),
    });
  }
}

function plainFolderOption(o: ResolvedOptions, option: string): string | undefined {
  const v = o[option];
  if (v === undefined) return undefined;
  if (typeof v !== "string" || !isPlainFolderName(v)) {
    throw new MtslError("MTSL3006", `npy: option '${option}' must be a plain folder name`, {
      option,
      expected: "a name without / or \\",
      found: JSON.stringify(v),
    });
  }
  return v;
}

/** Uses the first `wanted` samples of a layout (all when undefined); fewer on disk is an error. */
function limited(layout: ArrayLayout, wanted: number | undefined, split: SplitName): ArrayLayout {
  if (wanted === undefined) return layout;
  if (wanted > layout.count) {
    throw new MtslError("MTSL3003", `the ${split} split has fewer samples than option '${split}' asks for`, {
      file: layout.path,
      option: split,
      expected: `at least ${wanted} samples`,
      found: `${layout.count}`,
    });
  }
  return { ...layout, count: wanted };
}

/**
 * Inspects the folder (headers only) and checks that everything the tasks read
 * is there and agrees: the image folder and one folder per target, in every split.
 */
export function planNpy(options: DataOptions, tasks: readonly TaskTarget[] = []): NpyPlan {
  const o = resolveOptions("npy", NPY_OPTIONS, options);
  const dir = o["dir"] as string;
  const imageFolder = plainFolderOption(o, "image")!;
  const imageScale = o["image_scale"] as number | undefined;
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new MtslError("MTSL3001", "the dataset folder does not exist", {
      file: dir,
      expected: "a folder with train/ and val/",
    });
  }
  const notes: string[] = [];
  const splitFolder: Record<SplitName, string> = {
    train: plainFolderOption(o, "train_dir")!,
    val: plainFolderOption(o, "val_dir")!,
    test: plainFolderOption(o, "test_dir") ?? "test",
  };
  const folderOption: Record<SplitName, string> = { train: "train_dir", val: "val_dir", test: "test_dir" };
  for (const s of SPLIT_NAMES) {
    const p = join(dir, splitFolder[s]);
    if (s === "test" && o["test_dir"] === undefined && !existsSync(p)) {
      splitFolder.test = splitFolder.val;
      notes.push(`no ${join(dir, "test")}/ folder: the test split is the val split`);
      continue;
    }
    if (!existsSync(p) || !statSync(p).isDirectory())
      throw new MtslError("MTSL3001", `the ${s} split folder is missing`, {
        file: p,
        expected: `a folder (option '${folderOption[s]}')`,
      });
  }
  const layout = {} as NpyPlan["layout"];
  let inputShape: [number, number, number] | null = null;
  let imageFile = "";
  let targets: NpyTargetPlan[] = [];
  for (const s of SPLIT_NAMES) {
    const splitDir = join(dir, splitFolder[s]);
    const wanted = o[s] as number | undefined;
    const image = limited(findLayout(splitDir, imageFolder), wanted, s);
    const shape = imageShapeOf(sampleShape(image), image.firstFile);
    if (inputShape === null) {
      inputShape = shape;
      imageFile = image.firstFile;
      targets = planTargets(tasks, shape[2]);
    } else if (!sameShape(inputShape, shape)) {
      throw new MtslError("MTSL3003", `${s} images differ in shape from the train images (${imageFile})`, {
        file: image.firstFile,
        expected: formatShape(inputShape),
        found: formatShape(shape),
      });
    }
    const t: Record<string, ArrayLayout> = {};
    for (const plan of targets) {
      const found = findLayout(splitDir, plan.folder);
      checkTargetShape(plan, sampleShape(found), found.firstFile, shape[0], shape[1]);
      if (found.count < image.count || (wanted === undefined && found.count !== image.count)) {
        throw new MtslError("MTSL3003", `target '${plan.name}' has a different number of samples than the images`, {
          file: found.path,
          expected: `${image.count} samples (as in ${image.path})`,
          found: `${found.count}`,
        });
      }
      t[plan.name] = { ...found, count: image.count };
    }
    layout[s] = { image, targets: t };
  }
  return { dir, imageFolder, imageScale, targets, splitFolder, layout, inputShape: inputShape!, notes };
}

/** The dataset description from headers alone. */
export function describeNpy(options: DataOptions, tasks: readonly TaskTarget[] = []): DatasetDescription {
  return descriptionOf(planNpy(options, tasks));
}

function descriptionOf(plan: NpyPlan): DatasetDescription {
  const targets: Record<string, TargetSpec> = {};
  for (const t of plan.targets) targets[t.name] = t.spec;
  return {
    source: "npy",
    inputShape: plan.inputShape,
    targets,
    sizes: {
      train: plan.layout.train.image.count,
      val: plan.layout.val.image.count,
      test: plan.layout.test.image.count,
    },
    notes: plan.notes,
  };
}

/** Index (in C order) to a readable position like `[12, 40, 2]`. */
function position(index: number, shape: readonly number[]): string {
  const idx: number[] = [];
  let rest = index;
  for (let d = shape.length - 1; d >= 0; d--) {
    const n = shape[d]!;
    idx.unshift(rest % n);
    rest = Math.floor(rest / n);
  }
  return `[${idx.join(", ")}]`;
}

/** Copies image values into `dst`, scaled, checking dtype, finiteness and range. */
function copyImage(
  src: NpyArrayData,
  file: string,
  scaleOption: number | undefined,
  dst: Float32Array,
  at: number,
): void {
  const { dtype, shape } = src.header;
  if (!(isFloatDtype(dtype) || dtype === "u1")) {
    throw new MtslError("MTSL3002", "images must be float or uint8", {
      file,
      expected: "float16/32/64 or uint8",
      found: DTYPE_NAMES[dtype],
    });
  }
  const scale = scaleOption ?? (dtype === "u1" ? 1 / 255 : 1);
  const v = src.values;
  for (let i = 0; i < v.length; i++) {
    const x = (v[i] as number) * scale;
    if (!Number.isFinite(x)) {
      throw new MtslError("MTSL3005", `image value at ${position(i, shape)} is ${v[i]}`, {
        file,
        expected: "finite values",
      });
    }
    if (x < -1e-6 || x > 1 + 1e-6) {
      throw new MtslError(
        "MTSL3008",
        `image value at ${position(i, shape)} is outside [0, 1] after scaling by ${scale}`,
        {
          file,
          expected: "values in [0, 1] (set the option image_scale to rescale)",
          found: String(v[i]),
        },
      );
    }
    dst[at + i] = x < 0 ? 0 : x > 1 ? 1 : x;
  }
}

/** Copies label values into `dst`, checking they are whole numbers in range (ignore -> -1). */
function copyLabels(src: NpyArrayData, file: string, plan: NpyTargetPlan, dst: Int32Array, at: number): void {
  const { dtype, shape } = src.header;
  if (dtype === "b1") {
    throw new MtslError("MTSL3002", `labels of target '${plan.name}' must be integers`, {
      file,
      expected: "an integer or float dtype",
      found: "bool",
    });
  }
  const classes = (plan.spec as { classes: number }).classes;
  const v = src.values;
  for (let i = 0; i < v.length; i++) {
    const x = v[i] as number;
    if (Number.isNaN(x) || !Number.isFinite(x)) {
      throw new MtslError("MTSL3005", `label at ${position(i, shape)} of target '${plan.name}' is ${x}`, {
        file,
        expected: "finite whole numbers",
      });
    }
    if (!Number.isInteger(x)) {
      throw new MtslError("MTSL3002", `label at ${position(i, shape)} of target '${plan.name}' is not a whole number`, {
        file,
        expected: `whole numbers (dtype ${DTYPE_NAMES[dtype]} is fine if the values are whole)`,
        found: String(x),
      });
    }
    if (plan.ignore !== null && x === plan.ignore) {
      dst[at + i] = -1;
      continue;
    }
    if (x < 0 || x >= classes) {
      throw new MtslError("MTSL3004", `label at ${position(i, shape)} of target '${plan.name}' is out of range`, {
        file,
        expected: `0 .. ${classes - 1}${plan.ignore !== null ? ` or ${plan.ignore} (no label)` : ""}`,
        found: String(x),
      });
    }
    dst[at + i] = x;
  }
}

/** Copies dense target values into `dst`, checking finiteness (and depth >= 0). */
function copyDense(src: NpyArrayData, file: string, plan: NpyTargetPlan, dst: Float32Array, at: number): void {
  const { shape } = src.header;
  const v = src.values;
  const depth = plan.spec.role === "depth";
  for (let i = 0; i < v.length; i++) {
    const x = v[i] as number;
    if (!Number.isFinite(x)) {
      throw new MtslError("MTSL3005", `value at ${position(i, shape)} of target '${plan.name}' is ${x}`, {
        file,
        expected: "finite values",
      });
    }
    if (depth && x < 0) {
      throw new MtslError("MTSL3008", `depth at ${position(i, shape)} is negative`, {
        file,
        expected: "depth >= 0 (0 = invalid)",
        found: String(x),
      });
    }
    dst[at + i] = x;
  }
}

async function readLayout(
  layout: ArrayLayout,
  perSample: number,
  copy: (src: NpyArrayData, file: string, at: number) => void,
): Promise<void> {
  if (layout.kind === "stacked") {
    const arr = await readNpy(layout.path);
    const total = arr.header.shape[0] ?? 0;
    if (total < layout.count || arr.values.length !== total * perSample) {
      throw new MtslError("MTSL3003", "the stacked array changed size while loading", { file: layout.path });
    }
    const used = layout.count * perSample;
    const values = used === arr.values.length ? arr.values : arr.values.subarray(0, used);
    copy({ header: { ...arr.header, shape: [layout.count, ...arr.header.shape.slice(1)] }, values }, layout.path, 0);
    return;
  }
  const firstShape = layout.first.shape;
  for (let k = 0; k < layout.count; k++) {
    const file = join(layout.path, `${k}.npy`);
    const arr = await readNpy(file);
    if (!sameShape(arr.header.shape, firstShape)) {
      throw new MtslError("MTSL3003", "samples differ in shape", {
        file,
        expected: `${formatShape(firstShape)} (as 0.npy)`,
        found: formatShape(arr.header.shape),
      });
    }
    copy(arr, file, k * perSample);
  }
}

/** Reads and checks every array. */
export async function loadNpy(options: DataOptions, tasks: readonly TaskTarget[] = []): Promise<Dataset> {
  const plan = planNpy(options, tasks);
  const description = descriptionOf(plan);
  const [h, w, c] = plan.inputShape;
  const cache = new Map<string, Split>();
  const splits = {} as Record<SplitName, Split>;
  for (const s of SPLIT_NAMES) {
    const folder = plan.splitFolder[s];
    const known = cache.get(folder);
    if (known !== undefined) {
      splits[s] = known; // test = val: the same arrays
      continue;
    }
    const lay = plan.layout[s];
    const n = lay.image.count;
    const images = new Float32Array(n * h * w * c);
    await readLayout(lay.image, h * w * c, (src, file, at) => copyImage(src, file, plan.imageScale, images, at));
    const targets: Record<string, TargetArray> = {};
    for (const t of plan.targets) {
      const per = targetValuesPerSample(t.spec, h, w);
      const l = lay.targets[t.name]!;
      if (t.spec.kind === "dense") {
        const dst = new Float32Array(n * per);
        await readLayout(l, per, (src, file, at) => copyDense(src, file, t, dst, at));
        targets[t.name] = dst;
      } else {
        const dst = new Int32Array(n * per);
        await readLayout(l, per, (src, file, at) => copyLabels(src, file, t, dst, at));
        targets[t.name] = dst;
      }
    }
    const split: Split = { size: n, images, targets };
    cache.set(folder, split);
    splits[s] = split;
  }
  return makeDataset("npy", description, splits);
}
