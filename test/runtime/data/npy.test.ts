import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { dump } from "npyjs";
import { afterAll, describe, expect, it } from "vitest";
import { decodeNpy } from "../../../runtime/data/npy/npy-file.js";
import { describeNpy, loadNpy } from "../../../runtime/data/npy/source.js";
import { getDataSource } from "../../../runtime/data/registry.js";
import type { IrValue, TaskKind } from "../../../compiler/ir/types.js";
import type { TaskTarget } from "../../../compiler/lower/targets.js";
import type { DataOptions } from "../../../runtime/data/types.js";
import { MtslError, type RuntimeErrorCode } from "../../../runtime/errors.js";

const root = mkdtempSync(join(tmpdir(), "mtsl-npy-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let counter = 0;
const freshDir = (): string => {
  const d = join(root, `ds${counter++}`);
  mkdirSync(d);
  return d;
};

type Typed = Float32Array | Float64Array | Int32Array | Uint8Array | Int8Array | BigInt64Array | Int16Array;

/**
 * Writes an .npy file by hand (format 1.0, header padded to 64 bytes as NumPy
 * does). `descr` defaults to the little-endian code of the array's type.
 * With `fortran`, `values` must already be in column-major order.
 */
function writeNpy(
  file: string,
  values: Typed,
  shape: number[],
  opts: { descr?: string; fortran?: boolean; swap?: boolean } = {},
): void {
  const code =
    values instanceof Float32Array
      ? "<f4"
      : values instanceof Float64Array
        ? "<f8"
        : values instanceof Int32Array
          ? "<i4"
          : values instanceof Uint8Array
            ? "|u1"
            : values instanceof Int8Array
              ? "|i1"
              : values instanceof Int16Array
                ? "<i2"
                : "<i8";
  const descr = opts.descr ?? code;
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(", ")})`;
  let header = `{'descr': '${descr}', 'fortran_order': ${opts.fortran === true ? "True" : "False"}, 'shape': ${shapeText}, }`;
  const total = 10 + header.length + 1;
  header += " ".repeat((64 - (total % 64)) % 64) + "\n";
  const head = Buffer.alloc(10);
  Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]).copy(head);
  head.writeUInt16LE(header.length, 8);
  const data = Buffer.from(new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
  if (opts.swap === true) {
    const size = values.BYTES_PER_ELEMENT;
    for (let i = 0; i < data.length; i += size) data.subarray(i, i + size).reverse();
  }
  writeFileSync(file, Buffer.concat([head, Buffer.from(header, "latin1"), data]));
}

const H = 4;
const W = 5;
/** Deterministic sample values. */
const imageOf = (k: number): Float32Array =>
  Float32Array.from({ length: H * W * 3 }, (_, i) => ((i * 7 + k * 13) % 100) / 100);
const labelOf = (k: number): Float32Array => Float32Array.from({ length: H * W }, (_, i) => ((i + k) % 14) - 1); // -1..12
const depthOf = (k: number): Float32Array =>
  Float32Array.from({ length: H * W }, (_, i) => (i % 3 === 0 ? 0 : 0.5 + i * 0.1 + k));
const normalOf = (k: number): Float32Array =>
  Float32Array.from({ length: H * W * 3 }, (_, i) => (i % 3 === 2 ? 1 : 0) * (k % 2 === 0 ? 1 : -1));

/** MTAN's NYUv2 layout: per-sample files, train and val only. */
function makeNyu(counts: { train: number; val: number }): string {
  const dir = freshDir();
  for (const [split, n] of Object.entries(counts)) {
    for (const f of ["image", "label", "depth", "normal"]) mkdirSync(join(dir, split, f), { recursive: true });
    for (let k = 0; k < n; k++) {
      writeNpy(join(dir, split, "image", `${k}.npy`), imageOf(k), [H, W, 3]);
      writeNpy(join(dir, split, "label", `${k}.npy`), labelOf(k), [H, W]);
      writeNpy(join(dir, split, "depth", `${k}.npy`), depthOf(k), [H, W, 1]);
      writeNpy(join(dir, split, "normal", `${k}.npy`), normalOf(k), [H, W, 3]);
    }
  }
  return dir;
}

/** A task of the model that reads the data (as the IR has it). */
const task = (name: string, kind: TaskKind, target: string, options: Record<string, IrValue> = {}): TaskTarget => ({
  name,
  kind,
  target,
  options,
});

/** The tasks of examples/nyuv2.mtsl, bound to MTAN's folders. */
const NYU_TASKS: TaskTarget[] = [
  task("seg", "segmentation", "label", { classes: 13, ignore: -1 }),
  task("depth", "depth", "depth"),
  task("edge", "edges", "label"),
  task("normal", "normals", "normal"),
  task("ae", "reconstruction", "image"),
];

async function codeOf(opts: DataOptions, tasks: TaskTarget[]): Promise<{ code: string; message: string }> {
  try {
    await loadNpy(opts, tasks);
  } catch (e) {
    if (e instanceof MtslError) return { code: e.code, message: e.message };
    throw e;
  }
  return { code: "none", message: "" };
}

async function expectCode(opts: DataOptions, code: RuntimeErrorCode, ...mentions: string[]): Promise<void> {
  await expectTaskCode(opts, NYU_TASKS, code, ...mentions);
}

async function expectTaskCode(
  opts: DataOptions,
  tasks: TaskTarget[],
  code: RuntimeErrorCode,
  ...mentions: string[]
): Promise<void> {
  const r = await codeOf(opts, tasks);
  expect(r.code, r.message).toBe(code);
  for (const m of mentions) expect(r.message).toContain(m);
}

describe("npy loader: happy paths", () => {
  it("reads MTAN's NYUv2 layout; test = val when there is no test folder", async () => {
    const dir = makeNyu({ train: 3, val: 2 });
    const d = describeNpy({ dir }, NYU_TASKS);
    expect(d.inputShape).toEqual([H, W, 3]);
    expect(d.sizes).toEqual({ train: 3, val: 2, test: 2 });
    // One read per folder: the edges task learns the label folder's boundaries, ae the images.
    expect(Object.keys(d.targets)).toEqual(["label", "depth", "normal"]);
    expect(d.targets["label"]).toMatchObject({ kind: "dense_class", classes: 13, ignoreIndex: -1 });
    expect(d.targets["depth"]).toMatchObject({ kind: "dense", channels: 1, invalid: "zero" });
    expect(d.targets["normal"]).toMatchObject({ kind: "dense", channels: 3, invalid: "zero", range: [-1, 1] });
    expect(d.notes.join(" ")).toMatch(/test split is the val split/);

    const ds = await getDataSource("npy").load({ dir }, NYU_TASKS);
    expect(ds.splits.test).toBe(ds.splits.val);
    const px = H * W;
    for (let k = 0; k < 3; k++) {
      expect([...ds.splits.train.images.subarray(k * px * 3, (k + 1) * px * 3)]).toEqual([...imageOf(k)]);
      expect([...ds.splits.train.targets["label"]!.subarray(k * px, (k + 1) * px)]).toEqual([...labelOf(k)]);
      expect([...ds.splits.train.targets["depth"]!.subarray(k * px, (k + 1) * px)]).toEqual([...depthOf(k)]);
      expect([...ds.splits.train.targets["normal"]!.subarray(k * px * 3, (k + 1) * px * 3)]).toEqual([...normalOf(k)]);
    }
    expect(ds.splits.train.targets["label"]).toBeInstanceOf(Int32Array);
    const b = ds.getBatch("val", [1]);
    expect([...b.targets["depth"]!]).toEqual([...depthOf(1)]);
  });

  it("reads stacked arrays, a test folder, uint8 images, int64 labels and a custom target map", async () => {
    const dir = freshDir();
    for (const [split, n] of [
      ["train", 3],
      ["val", 2],
      ["test", 1],
    ] as const) {
      mkdirSync(join(dir, split));
      const imgs = new Uint8Array(n * H * W * 1);
      imgs.forEach((_, i) => (imgs[i] = (i * 5) % 256));
      writeNpy(join(dir, split, "rgb.npy"), imgs, [n, H, W, 1]);
      writeNpy(
        join(dir, split, "sem.npy"),
        BigInt64Array.from({ length: n * H * W }, (_, i) => BigInt(i % 4)),
        [n, H, W],
      );
      writeNpy(
        join(dir, split, "kind.npy"),
        Int32Array.from({ length: n }, (_, i) => i % 3),
        [n],
      );
      writeNpy(
        join(dir, split, "heat.npy"),
        Float64Array.from({ length: n * H * W * 2 }, (_, i) => i / 10),
        [n, H, W, 2],
      );
    }
    const opts: DataOptions = { dir, image: "rgb" };
    const tasks = [
      task("sem", "segmentation", "sem", { classes: 4, ignore: -1 }),
      task("kind", "classification", "kind", { classes: 3 }),
      task("heat", "regression", "heat", { outputs: 2 }),
    ];
    const d = describeNpy(opts, tasks);
    expect(d.inputShape).toEqual([H, W, 1]);
    expect(d.sizes).toEqual({ train: 3, val: 2, test: 1 });
    expect(d.notes).toEqual([]);
    const ds = await loadNpy(opts, tasks);
    expect(ds.splits.test.size).toBe(1);
    expect(ds.splits.train.images[1]).toBeCloseTo(5 / 255, 7);
    expect(Math.max(...ds.splits.train.images)).toBeLessThanOrEqual(1);
    expect([...ds.splits.val.targets["kind"]!]).toEqual([0, 1]);
    expect([...ds.splits.train.targets["sem"]!.subarray(0, 6)]).toEqual([0, 1, 2, 3, 0, 1]);
    expect(ds.splits.train.targets["heat"]![7]).toBeCloseTo(0.7, 6);
    // image_scale overrides the uint8 default
    const scaled = await loadNpy({ ...opts, image_scale: 1 / 1000 }, tasks);
    expect(scaled.splits.train.images[1]).toBeCloseTo(0.005, 7);
    // The first N samples of each split, from stacked arrays.
    const few = await loadNpy({ ...opts, train: 2, val: 1 }, tasks);
    expect(few.splits.train.size).toBe(2);
    expect(few.splits.train.images.length).toBe(2 * H * W);
    expect([...few.splits.val.targets["kind"]!]).toEqual([0]);
    await expectTaskCode({ ...opts, train: 4 }, tasks, "MTSL3003", "train");
    expect(scaled.splits.train.images[1]).toBeCloseTo(0.005, 7);
  });

  it("maps a custom ignore value to -1", async () => {
    const dir = makeNyu({ train: 1, val: 1 });
    for (const split of ["train", "val"]) {
      writeNpy(
        join(dir, split, "label", "0.npy"),
        Float32Array.from({ length: H * W }, (_, i) => (i === 3 ? 255 : i % 13)),
        [H, W],
      );
    }
    const tasks = [task("seg", "segmentation", "label", { classes: 13, ignore: 255 })];
    const ds = await loadNpy({ dir }, tasks);
    expect(ds.splits.train.targets["label"]![3]).toBe(-1);
    expect(ds.splits.train.targets["label"]![4]).toBe(4);
    // With ignore 255, -1 is no longer a valid label.
    writeNpy(join(dir, "val", "label", "0.npy"), labelOf(0), [H, W]);
    await expectTaskCode({ dir }, tasks, "MTSL3004", "found -1");
  });

  it("decodes big-endian and Fortran-order files, and files written by npyjs", () => {
    const values = Float32Array.from([1, 2, 3, 4, 5, 6]); // C order of shape (2, 3)
    const file = join(root, "be.npy");
    writeNpy(file, values, [2, 3], { descr: ">f4", swap: true });
    const raw = readFileSync(file);
    const before = Buffer.from(raw);
    const be = decodeNpy(raw, file);
    expect([...be.values]).toEqual([1, 2, 3, 4, 5, 6]);
    expect(raw.equals(before)).toBe(true); // the caller's bytes are left alone
    // Column-major storage of [[1,2,3],[4,5,6]] is 1,4,2,5,3,6.
    writeNpy(file, Float32Array.from([1, 4, 2, 5, 3, 6]), [2, 3], { fortran: true });
    expect([...decodeNpy(readFileSync(file), file).values]).toEqual([1, 2, 3, 4, 5, 6]);
    // (2, 3, 2) in Fortran order: element [i][j][k] stored at i + 2j + 6k.
    const f3 = new Float32Array(12);
    for (let i = 0; i < 2; i++)
      for (let j = 0; j < 3; j++) for (let k = 0; k < 2; k++) f3[i + 2 * j + 6 * k] = 100 * i + 10 * j + k;
    writeNpy(file, f3, [2, 3, 2], { fortran: true });
    const c3 = [...decodeNpy(readFileSync(file), file).values];
    expect(c3).toEqual([0, 1, 10, 11, 20, 21, 100, 101, 110, 111, 120, 121]);
    // npyjs's own writer
    const buf = new Uint8Array(dump(Int16Array.from([-3, 7, 9]), [3]));
    const viaNpyjs = decodeNpy(buf, "mem.npy");
    expect(viaNpyjs.header.dtype).toBe("i2");
    expect([...viaNpyjs.values]).toEqual([-3, 7, 9]);
  });
});

describe("npy loader: every error has its code and names the file", () => {
  it("MTSL3001: missing folder, split, array, or sample file", async () => {
    await expectCode({ dir: join(root, "nope") }, "MTSL3001", "nope");
    const dir = makeNyu({ train: 3, val: 1 });
    await expectCode({ dir, image: "img" }, "MTSL3001", "img");
    rmSync(join(dir, "train", "depth", "1.npy"));
    await expectCode({ dir }, "MTSL3001", join("depth", "1.npy"));
    const noVal = freshDir();
    mkdirSync(join(noVal, "train"));
    await expectCode({ dir: noVal }, "MTSL3001", "val");
  });

  it("MTSL3002: unsupported dtypes and fractional labels", async () => {
    let dir = makeNyu({ train: 2, val: 1 });
    writeNpy(
      join(dir, "train", "image", "1.npy"),
      Int32Array.from(imageOf(1), (v) => Math.round(v * 10)),
      [H, W, 3],
    );
    await expectCode({ dir }, "MTSL3002", join("image", "1.npy"), "int32");
    dir = makeNyu({ train: 2, val: 1 });
    writeNpy(
      join(dir, "val", "label", "0.npy"),
      Float32Array.from(labelOf(0), (v) => v + 0.5),
      [H, W],
    );
    await expectCode({ dir }, "MTSL3002", join("label", "0.npy"), "whole");
    dir = makeNyu({ train: 1, val: 1 });
    writeNpy(join(dir, "train", "depth", "0.npy"), new Uint8Array(H * W * 4 * 3), [H, W, 3], { descr: "<U3" });
    await expectCode({ dir }, "MTSL3002", "U3");
  });

  it("MTSL3003: wrong shapes, samples that disagree, counts that differ", async () => {
    let dir = makeNyu({ train: 2, val: 1 });
    writeNpy(join(dir, "train", "depth", "0.npy"), new Float32Array(H * W * 2), [H, W, 2]);
    await expectCode({ dir }, "MTSL3003", join("depth", "0.npy"), "(4, 5, 2)");
    dir = makeNyu({ train: 2, val: 1 });
    writeNpy(join(dir, "train", "normal", "1.npy"), new Float32Array(H * (W + 1) * 3), [H, W + 1, 3]);
    await expectCode({ dir }, "MTSL3003", join("normal", "1.npy"), "(4, 6, 3)");
    dir = makeNyu({ train: 2, val: 1 });
    writeNpy(join(dir, "train", "label", "2.npy"), labelOf(2), [H, W]);
    await expectCode({ dir }, "MTSL3003", "label", "samples");
    dir = makeNyu({ train: 1, val: 1 });
    writeNpy(join(dir, "val", "image", "0.npy"), new Float32Array(2 * W * 3), [2, W, 3]);
    await expectCode({ dir }, "MTSL3003", "(2, 5, 3)");
  });

  it("MTSL3004: labels out of range", async () => {
    const dir = makeNyu({ train: 2, val: 1 });
    const bad = labelOf(1);
    bad[7] = 13;
    writeNpy(join(dir, "train", "label", "1.npy"), bad, [H, W]);
    await expectCode({ dir }, "MTSL3004", join("label", "1.npy"), "[1, 2]", "found 13", "0 .. 12");
    await expectTaskCode(
      { dir: makeNyu({ train: 1, val: 1 }) },
      [task("seg", "segmentation", "label", { classes: 5, ignore: -1 })],
      "MTSL3004",
      "0 .. 4",
    );
  });

  it("MTSL3005: NaN or Infinity", async () => {
    let dir = makeNyu({ train: 2, val: 1 });
    const d = depthOf(0);
    d[5] = Number.NaN;
    writeNpy(join(dir, "train", "depth", "0.npy"), d, [H, W, 1]);
    await expectCode({ dir }, "MTSL3005", join("depth", "0.npy"), "NaN");
    dir = makeNyu({ train: 1, val: 1 });
    const im = imageOf(0);
    im[0] = Number.POSITIVE_INFINITY;
    writeNpy(join(dir, "val", "image", "0.npy"), im, [H, W, 3]);
    await expectCode({ dir }, "MTSL3005", "Infinity");
  });

  it("MTSL3006: bad options", async () => {
    const dir = makeNyu({ train: 1, val: 1 });
    await expectCode({ dir, colour: 1 }, "MTSL3006", "colour");
    await expectCode({ dir: 3 }, "MTSL3006", "dir");
    await expectCode({ dir, targets: { aux: "aux" } }, "MTSL3006", "targets");
    await expectCode({ dir, seed: 1 }, "MTSL3006", "seed");
    await expectCode({ dir, image: "../train/image" }, "MTSL3006", "image");
    await expectCode({ dir, train_dir: "a/b" }, "MTSL3006", "train_dir");
    await expectTaskCode({ dir }, [task("depth", "depth", "../x")], "MTSL3006", "../x");
    // Two tasks reading one folder in two ways, or with two class counts.
    await expectTaskCode({ dir }, [task("d", "depth", "normal"), task("n", "normals", "normal")], "MTSL3006", "normal");
    await expectTaskCode(
      { dir },
      [task("a", "segmentation", "label", { classes: 13 }), task("b", "segmentation", "label", { classes: 5 })],
      "MTSL3006",
      "class counts",
    );
    // Target names that would clash with Object.prototype read no folder of that name.
    await expectTaskCode({ dir }, [task("p", "depth", "__proto__")], "MTSL3001", "__proto__");
    expect(({} as Record<string, unknown>)["folder"]).toBeUndefined();
  });

  it("MTSL3007: not an .npy file, or truncated data (describe reads headers only)", async () => {
    let dir = makeNyu({ train: 1, val: 1 });
    writeFileSync(join(dir, "train", "normal", "0.npy"), "hello, not numpy");
    await expectCode({ dir }, "MTSL3007", join("normal", "0.npy"), "magic");
    dir = makeNyu({ train: 1, val: 1 });
    const file = join(dir, "val", "depth", "0.npy");
    writeNpy(file, depthOf(0), [H, W, 1]);
    const full = readFileSync(file);
    writeFileSync(file, full.subarray(0, full.length - 4));
    expect(describeNpy({ dir }, NYU_TASKS).sizes.val).toBe(1); // headers are fine
    await expectCode({ dir }, "MTSL3007", join("depth", "0.npy"), "shorter");
  });

  it("MTSL3008: images outside [0, 1], negative depth", async () => {
    let dir = makeNyu({ train: 1, val: 1 });
    writeNpy(
      join(dir, "train", "image", "0.npy"),
      Float32Array.from(imageOf(0), (v) => v * 255),
      [H, W, 3],
    );
    await expectCode({ dir }, "MTSL3008", "image_scale");
    const ok = await loadNpy({ dir, image_scale: 1 / 255 }, NYU_TASKS);
    expect(ok.splits.train.images[1]).toBeCloseTo(imageOf(0)[1]!, 5);
    dir = makeNyu({ train: 1, val: 1 });
    const d = depthOf(0);
    d[4] = -0.5;
    writeNpy(join(dir, "train", "depth", "0.npy"), d, [H, W, 1]);
    await expectCode({ dir }, "MTSL3008", "negative");
  });
});
