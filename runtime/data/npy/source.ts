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
import { resolveOptions, type OptionSpec } from "../options.js";
import {
  SPLIT_NAMES,
  type DataOptions,
  type Dataset,
  type DatasetDescription,
  type OptionValue,
  type Split,
  type SplitName,
  type TargetArray,
  type TargetRole,
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

/** The options of `npy`. */
export const NPY_OPTIONS: readonly OptionSpec[] = [
  {
    name: "dir",
    type: "string",
    default: null,
    required: true,
    doc: "the dataset folder (holding train/, val/ and optionally test/)",
  },
  { name: "image", type: "string", default: "image", doc: "the folder (or stacked file name) of the input images" },
  {
    name: "targets",
    type: "record",
    default: null,
    doc: 'target name -> folder name, or -> {folder, kind, classes | channels, ignore}; default NYUv2: {segmentation: "label", depth: "depth", normals: "normal"}',
  },
  {
    name: "classes",
    type: "int",
    min: 1,
    max: 100_000,
    default: 13,
    doc: "class count of the shorthand `segmentation` target",
  },
  {
    name: "image_scale",
    type: "number",
    min: 1e-12,
    max: 1e12,
    default: null,
    doc: "factor applied to image values so they lie in [0, 1]; default 1/255 for uint8 images, else 1",
  },
];

/** The default target mapping: MTAN's NYUv2 folders. */
export const NYUV2_TARGETS: Readonly<Record<string, string>> = {
  segmentation: "label",
  depth: "depth",
  normals: "normal",
};

/** How one target is read. */
export interface NpyTargetPlan {
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
  /** Which folder each split is read from (test may be "val"). */
  splitFolder: Record<SplitName, string>;
  layout: Record<SplitName, { image: ArrayLayout; targets: Record<string, ArrayLayout> }>;
  inputShape: [number, number, number];
  notes: string[];
}

const ROLE_OF_NAME: Record<string, TargetRole> = {
  segmentation: "segmentation",
  depth: "depth",
  normals: "normals",
  edges: "edges",
};

/** Names that would clash with Object.prototype when used as record keys. */
const RESERVED_NAMES = new Set(["__proto__", "constructor", "prototype", "hasOwnProperty", "toString", "valueOf"]);

/** A folder option must name one folder inside the split folder: no separators, no dots. */
function isPlainFolderName(name: string): boolean {
  return name !== "" && name !== "." && name !== ".." && !/[/\\\0]/.test(name);
}

function badTarget(name: string, expected: string, found: string): MtslError {
  return new MtslError("MTSL3006", `npy: target '${name}' is badly described`, { option: "targets", expected, found });
}

/** Reads the `targets` option (or the NYUv2 default) into plans. */
function planTargets(raw: OptionValue | undefined, classes: number): NpyTargetPlan[] {
  const entries =
    raw === undefined ? Object.entries(NYUV2_TARGETS) : Object.entries(raw as Record<string, OptionValue>);
  if (entries.length === 0) throw badTarget("(none)", "at least one target", "an empty record");
  const plans: NpyTargetPlan[] = [];
  for (const [name, value] of entries) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) || RESERVED_NAMES.has(name))
      throw badTarget(name, "a target name made of letters, digits and _", JSON.stringify(name));
    if (typeof value === "string") {
      plans.push(shorthandTarget(name, value, classes));
      continue;
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      throw badTarget(name, "a folder name or a record {folder, kind, ...}", JSON.stringify(value));
    }
    const rec = value as Record<string, OptionValue>;
    const allowed = ["folder", "kind", "classes", "channels", "ignore", "role"];
    for (const k of Object.keys(rec))
      if (!allowed.includes(k)) throw badTarget(name, `fields ${allowed.join(", ")}`, `field '${k}'`);
    const folder = rec["folder"];
    if (typeof folder !== "string" || !isPlainFolderName(folder)) {
      throw badTarget(name, "folder: a plain folder name", JSON.stringify(folder));
    }
    const roleRaw = rec["role"];
    const roles: TargetRole[] = [
      "classification",
      "segmentation",
      "depth",
      "normals",
      "edges",
      "reconstruction",
      "generic",
    ];
    if (roleRaw !== undefined && !(typeof roleRaw === "string" && (roles as string[]).includes(roleRaw))) {
      throw badTarget(name, `role: one of ${roles.join(", ")}`, JSON.stringify(roleRaw));
    }
    const kind = rec["kind"];
    const description = `read from ${folder}`;
    if (kind === "class" || kind === "dense_class") {
      const c = rec["classes"];
      if (typeof c !== "number" || !Number.isInteger(c) || c < 1)
        throw badTarget(name, "classes: an integer >= 1", JSON.stringify(c));
      const ig = rec["ignore"];
      if (ig !== undefined && (typeof ig !== "number" || !Number.isInteger(ig)))
        throw badTarget(name, "ignore: an integer", JSON.stringify(ig));
      const ignore = typeof ig === "number" ? ig : kind === "dense_class" ? -1 : null;
      const role = (roleRaw as TargetRole | undefined) ?? (kind === "class" ? "classification" : "segmentation");
      const spec: TargetSpec =
        kind === "class"
          ? { kind, classes: c, role, description }
          : { kind, classes: c, ignoreIndex: ignore === null ? null : -1, role, description };
      plans.push({ name, folder, spec, ignore });
    } else if (kind === "dense") {
      const ch = rec["channels"];
      if (typeof ch !== "number" || !Number.isInteger(ch) || ch < 1)
        throw badTarget(name, "channels: an integer >= 1", JSON.stringify(ch));
      const role = (roleRaw as TargetRole | undefined) ?? ROLE_OF_NAME[name] ?? "generic";
      const invalid = role === "depth" || role === "normals" ? "zero" : "none";
      plans.push({ name, folder, spec: { kind, channels: ch, invalid, role, description }, ignore: null });
    } else {
      throw badTarget(name, 'kind: "class", "dense_class" or "dense"', JSON.stringify(kind));
    }
  }
  return plans;
}

function shorthandTarget(name: string, folder: string, classes: number): NpyTargetPlan {
  const description = `read from ${folder}`;
  if (!isPlainFolderName(folder)) {
    throw badTarget(name, "a plain folder name", JSON.stringify(folder));
  }
  switch (name) {
    case "segmentation":
      return {
        name,
        folder,
        spec: {
          kind: "dense_class",
          classes,
          ignoreIndex: -1,
          role: "segmentation",
          description: `${description}; -1 = no label`,
        },
        ignore: -1,
      };
    case "depth":
      return {
        name,
        folder,
        spec: {
          kind: "dense",
          channels: 1,
          invalid: "zero",
          role: "depth",
          description: `${description}; 0 = invalid`,
        },
        ignore: null,
      };
    case "normals":
      return {
        name,
        folder,
        spec: {
          kind: "dense",
          channels: 3,
          invalid: "zero",
          range: [-1, 1],
          role: "normals",
          description: `${description}; (0,0,0) = invalid`,
        },
        ignore: null,
      };
    case "edges":
      return {
        name,
        folder,
        spec: { kind: "dense", channels: 1, invalid: "none", range: [0, 1], role: "edges", description },
        ignore: null,
      };
    default:
      throw badTarget(
        name,
        "a record {folder, kind, classes | channels} (the folder-name shorthand only works for segmentation, depth, normals, edges)",
        JSON.stringify(folder),
      );
  }
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

/** Inspects the folder (headers only) and checks that everything is there and agrees. */
export function planNpy(options: DataOptions): NpyPlan {
  const o = resolveOptions("npy", NPY_OPTIONS, options);
  const dir = o["dir"] as string;
  const imageFolder = o["image"] as string;
  if (!isPlainFolderName(imageFolder)) {
    throw new MtslError("MTSL3006", "npy: option 'image' must be a plain folder name", {
      option: "image",
      expected: "a name without / or \\",
      found: JSON.stringify(imageFolder),
    });
  }
  const classes = o["classes"] as number;
  const imageScale = o["image_scale"] as number | undefined;
  const targets = planTargets(o["targets"], classes);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new MtslError("MTSL3001", "the dataset folder does not exist", {
      file: dir,
      expected: "a folder with train/ and val/",
    });
  }
  const notes: string[] = [];
  const splitFolder = { train: "train", val: "val", test: "test" } as Record<SplitName, string>;
  for (const s of ["train", "val"] as const) {
    const p = join(dir, s);
    if (!existsSync(p) || !statSync(p).isDirectory())
      throw new MtslError("MTSL3001", `the ${s} split folder is missing`, { file: p });
  }
  if (!existsSync(join(dir, "test"))) {
    splitFolder.test = "val";
    notes.push("no test/ folder: the test split is the val split");
  }
  const layout = {} as NpyPlan["layout"];
  let inputShape: [number, number, number] | null = null;
  let imageFile = "";
  for (const s of SPLIT_NAMES) {
    const splitDir = join(dir, splitFolder[s]);
    const image = findLayout(splitDir, imageFolder);
    const shape = imageShapeOf(sampleShape(image), image.firstFile);
    if (inputShape === null) {
      inputShape = shape;
      imageFile = image.firstFile;
    } else if (!sameShape(inputShape, shape)) {
      throw new MtslError("MTSL3003", `${s} images differ in shape from the train images (${imageFile})`, {
        file: image.firstFile,
        expected: formatShape(inputShape),
        found: formatShape(shape),
      });
    }
    const t: Record<string, ArrayLayout> = {};
    for (const plan of targets) {
      const l = findLayout(splitDir, plan.folder);
      checkTargetShape(plan, sampleShape(l), l.firstFile, shape[0], shape[1]);
      if (l.count !== image.count) {
        throw new MtslError("MTSL3003", `target '${plan.name}' has a different number of samples than the images`, {
          file: l.path,
          expected: `${image.count} samples (as in ${image.path})`,
          found: `${l.count}`,
        });
      }
      t[plan.name] = l;
    }
    layout[s] = { image, targets: t };
  }
  return { dir, imageFolder, imageScale, targets, splitFolder, layout, inputShape: inputShape!, notes };
}

/** The dataset description from headers alone. */
export function describeNpy(options: DataOptions): DatasetDescription {
  return descriptionOf(planNpy(options));
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
    if (arr.values.length !== layout.count * perSample) {
      throw new MtslError("MTSL3003", "the stacked array changed size while loading", { file: layout.path });
    }
    copy(arr, layout.path, 0);
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
export async function loadNpy(options: DataOptions): Promise<Dataset> {
  const plan = planNpy(options);
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
