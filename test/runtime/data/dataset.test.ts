import { describe, expect, it } from "vitest";
import { isMtslError, MtslError } from "../../../runtime/errors.js";
import { batchIndices, epochOrder, makeDataset } from "../../../runtime/data/dataset.js";
import { bool, int, named, num, requiredNamed, str } from "../../../compiler/catalog/build.js";
import type { ParamSpec } from "../../../compiler/catalog/index.js";
import { resolveOptions } from "../../../runtime/data/options.js";
import { dataSourceNames, getDataSource } from "../../../runtime/data/registry.js";
import type { DatasetDescription, Split } from "../../../runtime/data/types.js";

function codeOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    if (e instanceof MtslError) return e.code;
    throw e;
  }
  return undefined;
}

describe("batches", () => {
  it("an epoch's batches cover every sample once and depend only on (seed, epoch)", () => {
    const b = batchIndices(103, 10, { shuffle: true, seed: 7, epoch: 2 });
    expect(b.length).toBe(11);
    expect(b[10]!.length).toBe(3);
    const all = b.flatMap((x) => [...x]).sort((p, q) => p - q);
    expect(all).toEqual(Array.from({ length: 103 }, (_, i) => i));
    expect(batchIndices(103, 10, { shuffle: true, seed: 7, epoch: 2 })).toEqual(b);
    expect(batchIndices(103, 10, { shuffle: true, seed: 7, epoch: 3 })).not.toEqual(b);
    expect(batchIndices(103, 10, { shuffle: true, seed: 8, epoch: 2 })).not.toEqual(b);
    expect(epochOrder(103, 7, 2)).toEqual(Int32Array.from(b.flatMap((x) => [...x])));
  });

  it("evaluation order is 0..n-1, dropLast drops the short batch", () => {
    const b = batchIndices(7, 3, { shuffle: false });
    expect(b.map((x) => [...x])).toEqual([[0, 1, 2], [3, 4, 5], [6]]);
    expect(batchIndices(7, 3, { shuffle: false, dropLast: true }).length).toBe(2);
    expect(codeOf(() => batchIndices(7, 0, { shuffle: false }))).toBe("MTSL3006");
  });

  it("getBatch gathers images and every target in the requested order", () => {
    const description: DatasetDescription = {
      source: "test",
      inputShape: [1, 2, 1],
      targets: {
        cls: { kind: "class", classes: 3, role: "classification", description: "" },
        seg: { kind: "dense_class", classes: 2, ignoreIndex: -1, role: "segmentation", description: "" },
        n: { kind: "dense", channels: 2, invalid: "none", role: "generic", description: "" },
      },
      sizes: { train: 3, val: 1, test: 1 },
      notes: [],
    };
    const train: Split = {
      size: 3,
      images: Float32Array.from([0, 0.1, 1, 1.1, 2, 2.1]),
      targets: {
        cls: Int32Array.from([0, 1, 2]),
        seg: Int32Array.from([0, 1, 1, 0, -1, 1]),
        n: Float32Array.from([0, 1, 2, 3, 10, 11, 12, 13, 20, 21, 22, 23]),
      },
    };
    const one: Split = {
      size: 1,
      images: new Float32Array(2),
      targets: { cls: new Int32Array(1), seg: new Int32Array(2), n: new Float32Array(4) },
    };
    const ds = makeDataset("test", description, { train, val: one, test: one });
    const b = ds.getBatch("train", [2, 0]);
    expect(b.size).toBe(2);
    expect([...b.images]).toEqual([...Float32Array.from([2, 2.1, 0, 0.1])]);
    expect([...b.targets["cls"]!]).toEqual([2, 0]);
    expect([...b.targets["seg"]!]).toEqual([-1, 1, 0, 1]);
    expect([...b.targets["n"]!]).toEqual([20, 21, 22, 23, 0, 1, 2, 3]);
    expect(b.targets["seg"]).toBeInstanceOf(Int32Array);
    // a copy, not a view
    b.images[0] = 99;
    expect(train.images[4]).toBeCloseTo(2);
    expect(codeOf(() => ds.getBatch("train", [3]))).toBe("MTSL3010");
    expect(codeOf(() => ds.getBatch("train", [-1]))).toBe("MTSL3010");
    expect(codeOf(() => ds.getBatch("train", [0.5]))).toBe("MTSL3010");
    expect(codeOf(() => ds.getBatch("bogus" as "train", [0]))).toBe("MTSL3010");
    // wrong lengths are refused up front
    expect(
      codeOf(() =>
        makeDataset("test", description, { train: { ...train, images: new Float32Array(5) }, val: one, test: one }),
      ),
    ).toBe("MTSL3003");
  });
});

describe("options and registry", () => {
  const specs: ParamSpec[] = [
    named("size", int({ min: 8, max: 64 }), 32, ""),
    requiredNamed("dir", str, "a folder"),
    named("scale", num({ min: 0, max: 1 }), undefined, ""),
    named("flag", bool, false, ""),
  ];

  it("fills defaults and leaves optional ones undefined", () => {
    const o = resolveOptions("src", specs, { dir: "x" });
    expect(o["size"]).toBe(32);
    expect(o["scale"]).toBeUndefined();
    expect(o["flag"]).toBe(false);
  });

  it("names the option in MTSL3006 errors", () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ dir: "x", sise: 3 }, "sise"],
      [{ dir: "x", size: "big" }, "size"],
      [{ dir: "x", size: 7 }, "size"],
      [{ dir: "x", size: 8.5 }, "size"],
      [{}, "dir"],
      [{ dir: "" }, "dir"],
      [{ dir: "x", scale: Number.NaN }, "scale"],
      [{ dir: "x", flag: 1 }, "flag"],
    ];
    for (const [opts, name] of cases) {
      try {
        resolveOptions("src", specs, opts as never);
        expect.unreachable(`accepted ${JSON.stringify(opts)}`);
      } catch (e) {
        expect(isMtslError(e, "MTSL3006")).toBe(true);
        expect((e as MtslError).option).toBe(name);
        expect((e as MtslError).message).toContain(`'${name}'`);
      }
    }
  });

  it("knows the three sources and refuses others", () => {
    expect(dataSourceNames().sort()).toEqual(["multimnist", "npy", "scenes"]);
    expect(codeOf(() => getDataSource("imagenet"))).toBe("MTSL3009");
    expect(codeOf(() => getDataSource("__proto__"))).toBe("MTSL3009");
    expect(codeOf(() => getDataSource("constructor"))).toBe("MTSL3009");
  });

  it("describes built-in sources without generating data, and checks their options", () => {
    const scenes = getDataSource("scenes").describe({ size: 32, train: 10 });
    expect(scenes.inputShape).toEqual([32, 32, 3]);
    expect(Object.keys(scenes.targets)).toEqual(["segmentation", "depth", "normals", "edges", "image"]);
    expect(scenes.targets["segmentation"]).toMatchObject({ kind: "dense_class", classes: 6 });
    expect(scenes.targets["normals"]).toMatchObject({ kind: "dense", channels: 3 });
    expect(scenes.sizes).toEqual({ train: 10, val: 500, test: 500 });
    const mm = getDataSource("multimnist").describe({});
    expect(mm.inputShape).toEqual([28, 28, 1]);
    expect(mm.targets["left"]).toMatchObject({ kind: "class", classes: 10 });
    expect(codeOf(() => getDataSource("scenes").describe({ size: "64" }))).toBe("MTSL3006");
    expect(codeOf(() => getDataSource("multimnist").describe({ colour: true }))).toBe("MTSL3006");
    expect(codeOf(() => getDataSource("npy").describe({}))).toBe("MTSL3006");
  });

  it("formats errors with file, expected and found", () => {
    const e = new MtslError("MTSL3003", "bad shape", { file: "/d/x.npy", expected: "(2, 3)", found: "(3, 2)" });
    expect(e.message).toBe("MTSL3003: /d/x.npy: bad shape (expected (2, 3), found (3, 2))");
    expect(e.file).toBe("/d/x.npy");
    expect(e).toBeInstanceOf(Error);
  });
});
