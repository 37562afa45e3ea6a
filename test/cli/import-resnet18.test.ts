/**
 * Importing torchvision's ResNet-18 into examples/nyuv2.mtsl's encoder (issue 13, point 1):
 * a state_dict of ResNet-18's keys and shapes is made here as one .npy per key, each value its
 * own index in PyTorch's layout, so the test can tell where every number landed; the import
 * puts each where our layout wants it ([out, in, kh, kw] -> [kh, kw, in, out]), batch norm
 * under our names, the shortcut from downsample; warm_start then serves every encoder copy.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileSource } from "../../compiler/compile.js";
import { warmStartValues } from "../../runtime/run/warm-start.js";
import { readCheckpoint } from "../../runtime/train/checkpoint.js";
import { mtslc } from "./helpers.js";
import { readFileSync } from "node:fs";

const dir = mkdtempSync(join(tmpdir(), "mtsl-resnet-"));
const stateDict = join(dir, "resnet18");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A .npy file (format 1.0, C order) of float32 `values` or an int64 scalar. */
function npy(path: string, shape: number[], values: Float32Array | bigint): void {
  const descr = typeof values === "bigint" ? "<i8" : "<f4";
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${shape.join(", ")}${shape.length === 1 ? "," : ""}), }`;
  const pad = 64 - ((10 + header.length + 1) % 64);
  header += " ".repeat(pad % 64) + "\n";
  const head = Buffer.alloc(10);
  head.write("\x93NUMPY", 0, "latin1");
  head[6] = 1;
  head[7] = 0;
  head.writeUInt16LE(header.length, 8);
  const data =
    typeof values === "bigint"
      ? Buffer.from(new BigInt64Array([values]).buffer)
      : Buffer.from(values.buffer, values.byteOffset, values.byteLength);
  writeFileSync(path, Buffer.concat([head, Buffer.from(header, "latin1"), data]));
}

/** Values 0, 1, 2, ... plus `offset`: each its index in PyTorch's layout. */
const indices = (n: number, offset = 0): Float32Array => Float32Array.from({ length: n }, (_, i) => i + offset);

/** ResNet-18's state_dict keys and shapes (torchvision.models.resnet18). */
function resnet18Keys(): [string, number[]][] {
  const keys: [string, number[]][] = [["conv1.weight", [64, 3, 7, 7]]];
  const bn = (prefix: string, c: number): void => {
    for (const k of ["weight", "bias", "running_mean", "running_var"]) keys.push([`${prefix}.${k}`, [c]]);
    keys.push([`${prefix}.num_batches_tracked`, []]);
  };
  bn("bn1", 64);
  let channels = 64;
  [64, 128, 256, 512].forEach((c, l) => {
    for (const b of [0, 1]) {
      const p = `layer${l + 1}.${b}`;
      const inC = b === 0 ? channels : c;
      keys.push([`${p}.conv1.weight`, [c, inC, 3, 3]]);
      bn(`${p}.bn1`, c);
      keys.push([`${p}.conv2.weight`, [c, c, 3, 3]]);
      bn(`${p}.bn2`, c);
      if (b === 0 && inC !== c) {
        keys.push([`${p}.downsample.0.weight`, [c, inC, 1, 1]]);
        bn(`${p}.downsample.1`, c);
      }
    }
    channels = c;
  });
  keys.push(["fc.weight", [1000, 512]], ["fc.bias", [1000]]);
  return keys;
}

beforeAll(() => {
  mkdirSync(stateDict);
  for (const [key, shape] of resnet18Keys()) {
    const path = join(stateDict, `${key}.npy`);
    if (key.endsWith("num_batches_tracked")) npy(path, shape, 7n);
    else
      npy(
        path,
        shape,
        indices(
          shape.reduce((a, b) => a * b, 1),
          key.endsWith("running_var") ? 1 : 0,
        ),
      );
  }
});

describe("mtslc import-weights --torchvision-resnet18", () => {
  const out = join(dir, "resnet18.ckpt");

  it("puts every number where our layout wants it", async () => {
    const r = await mtslc(["import-weights", "examples/nyuv2.mtsl", "--torchvision-resnet18", stateDict, "-o", out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("left out: bn1.num_batches_tracked");
    expect(r.stdout).toContain("fc.bias, fc.weight");
    const { ir, weights } = readCheckpoint(join(out));
    const id = (stage: string): string => ir.instances.find((i) => i.stage === stage)!.id;
    // layer2.0.conv1.weight [128, 64, 3, 3] -> enc2 block 0 conv1 [3, 3, 64, 128]
    const kernel = weights.get(`${id("enc2")}/0.conv1.kernel`)!;
    expect(kernel.shape).toEqual([3, 3, 64, 128]);
    for (const [o, i, h, w] of [
      [0, 0, 0, 0],
      [127, 63, 2, 2],
      [5, 17, 1, 0],
      [100, 3, 0, 2],
    ] as const) {
      const torchIndex = ((o * 64 + i) * 3 + h) * 3 + w;
      expect(kernel.values[((h * 3 + w) * 64 + i) * 128 + o], `${o},${i},${h},${w}`).toBe(torchIndex);
    }
    // the stem: its conv (no bias, as torchvision's), bn1 under our names
    expect(weights.get(`${id("stem")}/0.kernel`)!.values[((3 * 7 + 4) * 3 + 2) * 64 + 9]).toBe(
      ((9 * 3 + 2) * 7 + 3) * 7 + 4,
    );
    expect(weights.has(`${id("stem")}/0.bias`)).toBe(false);
    expect(weights.get(`${id("stem")}/1.moving_variance`)!.values[5]).toBe(6);
    // downsample -> shortcut
    expect(weights.get(`${id("enc3")}/0.shortcut.kernel`)!.shape).toEqual([1, 1, 128, 256]);
    expect(weights.get(`${id("enc4")}/0.shortcut_bn.gamma`)!.values[511]).toBe(511);
    // decoder stages are not in it
    expect([...weights.keys()].some((k) => k.startsWith("dec"))).toBe(false);
  }, 120_000);

  it("serves every encoder copy by warm_start, and leaves the decoder to its draws", () => {
    const source = readFileSync("examples/nyuv2.mtsl", "utf8");
    const ir = compileSource(source).ir!;
    const w = warmStartValues(out, ir);
    const encoderCopies = ir.instances.filter((i) => /^(stem|enc[1-4])$/.test(i.stage)).map((i) => i.id);
    expect(w.served.filter((s) => !s.startsWith("head@")).sort()).toEqual(encoderCopies.sort());
    expect(w.missing.some((m) => m.startsWith("dec1@"))).toBe(true);
    expect(w.missing.some((m) => m.startsWith("enc5@"))).toBe(true);
  });

  it("refuses a state_dict with a key missing or of another shape", async () => {
    const broken = join(dir, "broken");
    mkdirSync(broken);
    for (const [key, shape] of resnet18Keys()) {
      if (key === "layer3.1.bn2.running_mean") continue;
      const s = key === "layer1.0.conv1.weight" ? [64, 64, 1, 1] : shape;
      npy(
        join(broken, `${key}.npy`),
        s,
        key.endsWith("num_batches_tracked") ? 7n : indices(s.reduce((a, b) => a * b, 1)),
      );
    }
    const r = await mtslc([
      "import-weights",
      "examples/nyuv2.mtsl",
      "--torchvision-resnet18",
      broken,
      "-o",
      join(dir, "x.ckpt"),
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /MTSL3206: .*layer1\.0\.conv1\.weight is \[64, 64, 1, 1\], the model needs \[64, 64, 3, 3\]/,
    );
  }, 120_000);
});
