/**
 * The TypeScript model generator (compiler/codegen): golden files for every
 * example, a strict type-check of every generated module, numeric equality with
 * the runtime's interpreter (inference and training batch statistics) on
 * random non-trivial weights, hostile names in hand-made IR, and the errors
 * for IR it must refuse.
 *
 * Regenerate the goldens with `UPDATE_GOLDEN=1 npx vitest run test/compiler/codegen.test.ts`.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import * as tf from "@tensorflow/tfjs";
import ts from "typescript";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CodegenError, generateModelModule } from "../../compiler/codegen/generate.js";
import {
  commentText,
  NameScope,
  objectLiteralKey,
  propertyName,
  sanitise,
  stringLiteral,
} from "../../compiler/codegen/names.js";
import { compileSource } from "../../compiler/compile.js";
import { headId, instanceId, INPUT_NODE } from "../../compiler/ir/lint.js";
import type { IrModel } from "../../compiler/ir/types.js";
import { forward as interpret } from "../../runtime/model/network.js";
import { WeightStore } from "../../runtime/model/weights.js";
import { Rng } from "../../runtime/random.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const EXAMPLES = join(ROOT, "examples");
const GOLDEN = join(ROOT, "test", "golden", "codegen");
const UPDATE = process.env.UPDATE_GOLDEN === "1";

/** The surface of a generated module, as the tests use it. */
interface GeneratedModule {
  modelName: string;
  inputShape: readonly number[];
  taskNames: readonly string[];
  weightSpecs: readonly { key: string; shape: readonly number[]; trainable: boolean }[];
  forward(
    weights: unknown,
    input: tf.Tensor4D,
    options?: { training?: boolean; dropoutSeed?: number },
  ): Record<string, tf.Tensor>;
  checkWeights(weights: unknown): void;
  WeightsError: new (...args: never[]) => Error & { missing: string[]; wrongShapes: { key: string }[] };
}

/** A small U-Net: concat skips, basic and bottleneck blocks, max and average pooling, both upsamplings,
 * dense, flatten, dropout, batch norm on maps and vectors, and every activation. */
/** The authors' decoder blocks and multi-scale heads, with heads that read instances of several groups. */
const AUTHORS_UNET = `
model AuthorsUnet {
  input image: f32[24, 24, 3]
  data npy(dir: "data/tiny")

  task seg: segmentation(classes: 4) {
    head: fuse([dec1, dec2, dec3], filters: 6) conv(4, 1) upsample(2)
    loss: ce
    metrics: [miou]
  }

  task depth: depth {
    head: fuse([dec2, dec3], filters: 5, bias: false) conv(1, 3) relu upsample(2)
    loss: rmse
    metrics: [rmse]
  }

  task normal: normals {
    head: fuse([enc3, dec3], filters: 4) conv(3, 3) tanh upsample(2)
    loss: l1_unit
    metrics: [mean_angle]
  }

  backbone {
    stem: conv(8, 3, stride: 2, padding: symmetric, bias: false) bn relu
    enc1: basic(8, padding: symmetric)
    enc2: basic(12, stride: 2, padding: symmetric)
    enc3: bottleneck(4, stride: 2, padding: symmetric)
    dec1: decoder_bottleneck(2, skip: enc2)
    dec2: decoder_bottleneck(2, skip: enc1)
    dec3: decoder_bottleneck(3, skip: stem, expansion: 2)
  }

  sharing {
    stem..enc2: {seg depth normal}
    enc3..dec1: {seg depth} {normal}
    dec2..dec3: {seg} {depth} {normal}
  }

  train {
    epochs: 1
    batch: 2
  }
}
`;

const TINY_UNET = `
model TinyUnet {
  input image: f32[16, 16, 3]
  data npy(dir: "data/tiny")

  task seg: segmentation(classes: 4) {
    head: upsample(2) conv(4, 1)
    loss: ce
    metrics: [miou]
  }

  task depth: depth {
    head: upsample(2, mode: nearest) conv(1, 3, bias: false) sigmoid
    loss: rmse
    metrics: [rmse]
  }

  task label: classification(classes: 5) {
    head: conv(4, 3, stride: 2, padding: valid) elu flatten dropout(0.25) dense(16) bn gelu dense(5, bias: false)
    loss: ce
    metrics: [accuracy]
    target: kind
  }

  backbone {
    stem: conv(8, 3) bn relu maxpool(2)
    enc1: basic(8) basic(12, stride: 2)
    enc2: bottleneck(4, stride: 2) leaky_relu(alpha: 0.1)
    dec1: upsample(2) concat(enc1) conv(12, 3, bias: false) bn tanh
    dec2: upsample(2, mode: nearest) concat(stem) conv(8, 3, dilation: 2) bn(momentum: 0.8, epsilon: 0.001) sigmoid avgpool(3, stride: 1, padding: same)
  }

  sharing {
    stem: {seg depth label}
    enc1..enc2: {seg depth} {label}
    dec1..dec2: {seg} {depth} {label}
  }

  train {
    epochs: 2
    batch: 2
    optimizer: adam(lr: 1e-3)
    schedule: step(milestones: [1], gamma: 0.1)
    seed: 1
  }
}
`;

/** Three tasks, a skip, a dense tail: the model whose names the hostile test replaces. */
const SMALL = `
model Small {
  input image: f32[8, 8, 2]
  data npy(dir: "data/small")
  task a: depth { head: conv(1, 1); loss: rmse; metrics: [rmse] }
  task b: depth { head: conv(1, 1); loss: rmse; metrics: [rmse] }
  task c: classification(classes: 3) { head: gap dense(3); loss: ce; metrics: [accuracy] }
  task d: depth { head: conv(1, 1); loss: rmse; metrics: [rmse] }
  task e: depth { head: conv(1, 1); loss: rmse; metrics: [rmse] }
  backbone {
    s1: conv(4, 3) bn relu
    s2: conv(4, 3, stride: 2) bn relu upsample(2)
    s3: concat(s1) conv(4, 3) bn relu
  }
  sharing {
    s1: {a b c d e}
    s2: {a b c} {d e}
    s3: {a} {b} {c} {d e}
  }
  train { epochs: 2; batch: 2; optimizer: adam(lr: 1e-3); schedule: step(milestones: [1], gamma: 0.1); seed: 1 }
}
`;

/** A network small enough to recompute by hand in float64 (the independent reference). */
const HAND = `
model Hand {
  input image: f32[4, 4, 2]
  data npy(dir: "data/hand")
  task k: classification(classes: 2) { head: dense(2); loss: ce; metrics: [accuracy] }
  backbone {
    s1: conv(3, 3) bn(epsilon: 0.001) relu gap
    s2: dense(4) tanh
  }
  sharing { s1..s2: {k} }
  train { epochs: 2; batch: 2; optimizer: adam(lr: 1e-3); schedule: step(milestones: [1], gamma: 0.1); seed: 1 }
}
`;

/** HAND's forward pass in float64, written out loop by loop from the layer definitions. */
function handReference(w: (key: string) => Float64Array, x: Float64Array, n: number, training: boolean): number[][] {
  const [H, W, C, F] = [4, 4, 2, 3];
  const kernel = w("s1@k/0.kernel"); // [3, 3, C, F]
  const conv: number[] = new Array(n * H * W * F).fill(0);
  for (let b = 0; b < n; b++)
    for (let i = 0; i < H; i++)
      for (let j = 0; j < W; j++)
        for (let o = 0; o < F; o++) {
          let sum = w("s1@k/0.bias")[o]!;
          for (let di = 0; di < 3; di++)
            for (let dj = 0; dj < 3; dj++) {
              const [r, c] = [i + di - 1, j + dj - 1]; // "same" padding: one zero row/column on each side
              if (r < 0 || r >= H || c < 0 || c >= W) continue;
              for (let ch = 0; ch < C; ch++)
                sum += x[((b * H + r) * W + c) * C + ch]! * kernel[((di * 3 + dj) * C + ch) * F + o]!;
            }
          conv[((b * H + i) * W + j) * F + o] = sum;
        }
  const count = n * H * W;
  const mean = Array.from({ length: F }, (_, o) =>
    training ? conv.filter((_, k) => k % F === o).reduce((a, v) => a + v, 0) / count : w("s1@k/1.moving_mean")[o]!,
  );
  const variance = Array.from({ length: F }, (_, o) =>
    training
      ? conv.filter((_, k) => k % F === o).reduce((a, v) => a + (v - mean[o]!) ** 2, 0) / count
      : w("s1@k/1.moving_variance")[o]!,
  );
  const pooled = Array.from({ length: n }, (_, b) =>
    Array.from({ length: F }, (_, o) => {
      let sum = 0;
      for (let p = 0; p < H * W; p++) {
        const v = conv[(b * H * W + p) * F + o]!;
        const normed =
          ((v - mean[o]!) / Math.sqrt(variance[o]! + 0.001)) * w("s1@k/1.gamma")[o]! + w("s1@k/1.beta")[o]!;
        sum += Math.max(normed, 0);
      }
      return sum / (H * W);
    }),
  );
  const dense = (v: number[], key: string, units: number, act: (z: number) => number): number[] =>
    Array.from({ length: units }, (_, u) =>
      act(v.reduce((a, vi, i) => a + vi * w(`${key}.kernel`)[i * units + u]!, w(`${key}.bias`)[u]!)),
    );
  return pooled.map((g) => dense(dense(g, "s2@k/0", 4, Math.tanh), "head@k/0", 2, (z) => z));
}

/** Names that must neither inject code nor pollute prototypes (not valid .mtsl, but valid IR JSON). */
const HOSTILE_TASKS = new Map([
  ["a", "__proto__"],
  ["b", "constructor"],
  ["c", 'x"; globalThis.__pwnedA = 1; "'],
  ["d", "*/ globalThis.__pwnedB = 1; /*"],
  ["e", "line\nglobalThis.__pwnedC = 1; //\u2028globalThis.__pwnedC = 2;"],
]);
const HOSTILE_STAGES = new Map([
  ["s1", "toString"],
  ["s2", "`${globalThis.__pwnedD = 1}`"],
  ["s3", "class"],
]);
const HOSTILE_MODEL = "Evil */ globalThis.__pwnedE = 1; /*";

function compileOrThrow(source: string): IrModel {
  const { ir, diagnostics } = compileSource(source);
  if (!ir) throw new Error(`does not compile:\n${diagnostics.map((d) => `${d.code} ${d.message}`).join("\n")}`);
  return ir;
}

/** The IR with tasks, stages and the model renamed, ids rebuilt as the compiler builds them. */
function renameIr(ir: IrModel, tasks: Map<string, string>, stages: Map<string, string>, model: string): IrModel {
  const t = (n: string): string => tasks.get(n) ?? n;
  const s = (n: string): string => stages.get(n) ?? n;
  const inst = (id: string): string => {
    if (id === INPUT_NODE) return id;
    const [stage, group] = id.split("@") as [string, string];
    return instanceId(s(stage), group.split("+").map(t));
  };
  return {
    ...ir,
    name: model,
    tasks: ir.tasks.map((task) => ({ ...task, name: t(task.name) })),
    stages: ir.stages.map((st) => ({
      ...st,
      name: s(st.name),
      skips: st.skips.map(s),
      layers: st.layers.map((l) => (l.op === "concat" ? { ...l, stage: s(l.stage) } : l)),
    })),
    instances: ir.instances.map((i) => ({
      ...i,
      id: inst(i.id),
      stage: s(i.stage),
      tasks: i.tasks.map(t),
      input: inst(i.input),
      skips: i.skips.map(inst),
    })),
    heads: ir.heads.map((h) => ({ ...h, id: headId(t(h.task)), task: t(h.task), input: inst(h.input) })),
  };
}

/** Replaces every weight of the store with random, non-trivial values (positive running variances). */
function randomizeWeights(store: WeightStore, seed: number): void {
  const rng = Rng.fromSeed(seed);
  for (const key of store.keys()) {
    const v = store.get(key);
    const size = v.size;
    const values = new Float32Array(size);
    const fanIn = v.shape.length > 1 ? v.shape.slice(0, -1).reduce((a, b) => a * b, 1) : 1;
    for (let i = 0; i < size; i++) {
      if (key.endsWith("moving_variance")) values[i] = rng.range(0.3, 2.5);
      else if (key.endsWith("gamma")) values[i] = rng.range(0.5, 1.5);
      else if (key.endsWith("moving_mean") || key.endsWith("beta") || key.endsWith("bias"))
        values[i] = 0.3 * rng.normal();
      else values[i] = (1.5 / Math.sqrt(fanIn)) * rng.normal();
    }
    store.assign(key, tf.tensor(values, v.shape, "float32"));
  }
}

function randomInput(shape: readonly number[], batch: number, seed: number): tf.Tensor4D {
  const rng = Rng.fromSeed(seed);
  const size = batch * shape.reduce((a, b) => a * b, 1);
  const values = Float32Array.from({ length: size }, () => rng.range(-1, 1));
  return tf.tensor4d(values, [batch, shape[0]!, shape[1]!, shape[2]!]);
}

/** Max |a - b| relative to max |a|; both must be finite and not all zero. */
function relativeError(a: tf.Tensor, b: tf.Tensor): number {
  expect(b.shape).toEqual(a.shape);
  const x = a.dataSync();
  const y = b.dataSync();
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < x.length; i++) {
    expect(Number.isFinite(x[i]!) && Number.isFinite(y[i]!)).toBe(true);
    diff = Math.max(diff, Math.abs(x[i]! - y[i]!));
    scale = Math.max(scale, Math.abs(x[i]!));
  }
  expect(scale).toBeGreaterThan(1e-3);
  return diff / scale;
}

let scratch = "";
const generated = new Map<string, { ir: IrModel; source: string; file: string }>();

async function generate(name: string, ir: IrModel): Promise<void> {
  const source = await generateModelModule(ir);
  const file = join(scratch, `${name}.model.ts`);
  writeFileSync(file, source);
  generated.set(name, { ir, source, file });
}

async function load(name: string): Promise<GeneratedModule> {
  return (await import(pathToFileURL(generated.get(name)!.file).href)) as GeneratedModule;
}

const exampleNames = readdirSync(EXAMPLES)
  .filter((f) => f.endsWith(".mtsl"))
  .map((f) => basename(f, ".mtsl"))
  .sort();

beforeAll(async () => {
  await tf.setBackend("cpu");
  mkdirSync(join(ROOT, ".scratch"), { recursive: true });
  scratch = mkdtempSync(join(ROOT, ".scratch", "codegen-"));
  for (const name of exampleNames)
    await generate(name, compileOrThrow(readFileSync(join(EXAMPLES, `${name}.mtsl`), "utf8")));
  await generate("tiny-unet", compileOrThrow(TINY_UNET));
  await generate("authors-unet", compileOrThrow(AUTHORS_UNET));
  await generate("hand", compileOrThrow(HAND));
  await generate("hostile", renameIr(compileOrThrow(SMALL), HOSTILE_TASKS, HOSTILE_STAGES, HOSTILE_MODEL));
}, 120_000);

afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe("golden modules", () => {
  it("covers every example", () => {
    expect(exampleNames).toEqual(expect.arrayContaining(["multimnist", "scenes"]));
  });

  it.each(exampleNames)("%s.model.ts matches its golden file", (name) => {
    const { source } = generated.get(name)!;
    const path = join(GOLDEN, `${name}.model.ts`);
    if (UPDATE || !existsSync(path)) {
      mkdirSync(GOLDEN, { recursive: true });
      writeFileSync(path, source);
      if (!UPDATE) throw new Error(`wrote the missing golden file ${path}; review it and run again`);
    }
    expect(source).toBe(readFileSync(path, "utf8"));
  });

  it("is deterministic and imports only @tensorflow/tfjs", async () => {
    const { ir, source } = generated.get("multimnist")!;
    expect(await generateModelModule(ir)).toBe(source);
    for (const { source: text } of generated.values()) {
      const imports = [...text.matchAll(/^import .* from "([^"]+)";$/gm)].map((m) => m[1]);
      expect(imports).toEqual(["@tensorflow/tfjs"]);
      expect(text).not.toMatch(/\brequire\(|\bimport\(/);
      expect(text.startsWith("/**\n * Generated from model ")).toBe(true);
      expect(text).toContain("do not edit.");
    }
  });

  it("names one local per instance and comments each with its id, tasks and shape", () => {
    const { source } = generated.get("scenes")!;
    expect(source).toContain("// enc2@seg: stage enc2, tasks seg; reads enc1@seg -> [batch, 16, 16, 32]");
    expect(source).toContain('const enc2_seg = stage_enc2(run, "enc2@seg", enc1_seg);');
    expect(source).toContain('const dec1_seg = stage_dec1(run, "dec1@seg", enc5_seg, enc4_seg);');
    expect(source).toMatch(/`\[batch, 64, 64, 6\]`: segmentation logits for 6 classes\./);
    expect(source).toContain("readonly seg: tf.Tensor4D;");
    expect(generated.get("multimnist")!.source).toContain("readonly left: tf.Tensor2D;");
    expect(generated.get("multimnist")!.source).toContain("export interface MultiMnistOutputs {");
  });
});

describe("type-check", () => {
  it("every generated module passes tsc --strict (and a usage file proves its types are live)", () => {
    const usage = join(scratch, "usage.ts");
    writeFileSync(
      usage,
      [
        'import * as tf from "@tensorflow/tfjs";',
        'import { checkWeights, forward, inputShape, weightSpecs, type MultiMnistOutputs, type Weights } from "./multimnist.model.js";',
        'import { forward as unet, type TinyUnetOutputs } from "./tiny-unet.model.js";',
        "const weights: Weights = (key) => tf.zeros([...(weightSpecs.find((s) => s.key === key)?.shape ?? [1])]);",
        "checkWeights(weights);",
        "const x = tf.zeros([2, ...inputShape]) as tf.Tensor4D;",
        "const out: MultiMnistOutputs = forward(weights, x, { training: true });",
        "const left: tf.Tensor2D = out.left;",
        "// @ts-expect-error a classification output is 2-D",
        "const wrong: tf.Tensor4D = out.left;",
        "// @ts-expect-error no such task",
        "void out.middle;",
        "// @ts-expect-error options are typed",
        "forward(weights, x, { training: 1 });",
        "const u: TinyUnetOutputs = unet({}, x);",
        "const seg: tf.Tensor4D = u.seg;",
        "const label: tf.Tensor2D = u.label;",
        "export { left, wrong, seg, label };",
      ].join("\n"),
    );
    const files = [...[...generated.values()].map((g) => g.file), usage];
    const program = ts.createProgram(files, {
      strict: true,
      noEmit: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      noUncheckedIndexedAccess: true,
      exactOptionalPropertyTypes: true,
      noImplicitReturns: true,
      noFallthroughCasesInSwitch: true,
      skipLibCheck: true,
      types: [],
    });
    const diagnostics = ts.getPreEmitDiagnostics(program);
    const text = ts.formatDiagnostics(diagnostics, {
      getCanonicalFileName: (f) => f,
      getCurrentDirectory: () => ROOT,
      getNewLine: () => "\n",
    });
    expect(text).toBe("");
    // tfjs resolved from this repo: its declarations are part of the program
    expect(program.getSourceFiles().some((f) => f.fileName.includes("node_modules/@tensorflow/tfjs-core/"))).toBe(true);
  }, 60_000);
});

describe("numeric equality with the interpreter", () => {
  async function compareWithInterpreter(name: string, options: { seed: number; dropoutSeed?: number }): Promise<void> {
    const { ir } = generated.get(name)!;
    const mod = await load(name);
    const store = WeightStore.forIr(ir, 1);
    try {
      randomizeWeights(store, options.seed);
      const x = randomInput(ir.input.shape, 2, options.seed + 1);
      const lookup = (key: string): tf.Tensor | undefined => (store.has(key) ? store.get(key) : undefined);
      mod.checkWeights(lookup);
      expect(mod.weightSpecs.map((s) => s.key)).toEqual(store.keys());
      for (const spec of mod.weightSpecs) {
        expect(spec.shape).toEqual(store.get(spec.key).shape);
        expect(spec.trainable).toBe(store.isTrainable(spec.key));
      }
      const record: Record<string, tf.Tensor> = Object.fromEntries(store.keys().map((k) => [k, store.get(k)]));
      const results: Record<string, number> = {};
      for (const training of [false, true]) {
        const dropout = options.dropoutSeed === undefined ? {} : { dropoutSeed: options.dropoutSeed };
        const expected = interpret(ir, store, x, { training, ...dropout }).outputs;
        const before = tf.memory().numTensors;
        const got = mod.forward(training ? record : lookup, x, { training, ...dropout });
        expect(tf.memory().numTensors - before).toBe(ir.tasks.length); // intermediates disposed
        expect(Object.keys(got)).toEqual(ir.tasks.map((t) => t.name));
        for (const task of ir.tasks) {
          const error = relativeError(expected.get(task.name)!, got[task.name]!);
          results[`${task.name}/${training ? "train" : "infer"}`] = error;
          expect(error, `${name} ${task.name} training=${training}`).toBeLessThanOrEqual(1e-5);
        }
        if (training) {
          // training mode really differs: batch statistics are not the running ones
          const inference = mod.forward(lookup, x);
          for (const task of ir.tasks)
            expect(relativeError(inference[task.name]!, got[task.name]!)).toBeGreaterThan(1e-3);
        }
      }
      // the comparison can fail: perturb one weight of the first head and the outputs move
      const head = ir.heads[0]!;
      const key = store.keys().find((k) => k.startsWith(`${head.id}/`))!;
      const before = mod.forward(lookup, x)[head.task]!;
      store.assign(key, tf.add(store.get(key), 0.5));
      expect(relativeError(before, mod.forward(lookup, x)[head.task]!)).toBeGreaterThan(1e-3);
      if (process.env.CODEGEN_VERBOSE) console.log(name, results);
    } finally {
      store.dispose();
    }
  }

  it("matches a float64 computation by hand (conv, batch norm in both modes, relu, gap, dense, tanh)", async () => {
    const { ir } = generated.get("hand")!;
    const mod = await load("hand");
    const store = WeightStore.forIr(ir, 9);
    try {
      randomizeWeights(store, 41);
      const x = randomInput(ir.input.shape, 2, 42);
      const w = (key: string): Float64Array => Float64Array.from(store.get(key).dataSync());
      for (const training of [false, true]) {
        const expected = handReference(w, Float64Array.from(x.dataSync()), 2, training);
        const got = mod.forward((k: string) => store.get(k), x, { training }).k!;
        expect(got.shape).toEqual([2, 2]);
        const values = got.dataSync();
        const scale = Math.max(...expected.flat().map(Math.abs));
        expect(scale).toBeGreaterThan(1e-2);
        expected
          .flat()
          .forEach((e, i) =>
            expect(Math.abs(values[i]! - e) / scale, `training=${training} [${i}]`).toBeLessThan(1e-5),
          );
      }
    } finally {
      store.dispose();
    }
  });

  it("multimnist: every task output, inference and training batch statistics", async () => {
    await compareWithInterpreter("multimnist", { seed: 11 });
  }, 30_000);

  it("a small U-Net with skips, blocks, pooling, upsampling, dense and every activation", async () => {
    await compareWithInterpreter("tiny-unet", { seed: 23, dropoutSeed: 7 });
  }, 30_000);

  it("the authors' decoder blocks and multi-scale heads reading instances of several groups", async () => {
    const { ir } = generated.get("authors-unet")!;
    expect(ir.heads.find((h) => h.task === "seg")!.skips).toEqual(["dec1@seg+depth", "dec2@seg", "dec3@seg"]);
    expect(ir.heads.find((h) => h.task === "normal")!.skips).toEqual(["enc3@normal", "dec3@normal"]);
    await compareWithInterpreter("authors-unet", { seed: 31 });
  }, 30_000);

  it("dropout is the identity in inference and seeded like the runtime in training", async () => {
    const { ir } = generated.get("tiny-unet")!;
    const mod = await load("tiny-unet");
    const store = WeightStore.forIr(ir, 2);
    try {
      randomizeWeights(store, 5);
      const x = randomInput(ir.input.shape, 2, 6);
      const w = (k: string): tf.Tensor => store.get(k);
      const a = mod.forward(w, x, { training: true, dropoutSeed: 1 }).label!;
      const b = mod.forward(w, x, { training: true, dropoutSeed: 1 }).label!;
      const c = mod.forward(w, x, { training: true, dropoutSeed: 2 }).label!;
      expect(relativeError(a, b)).toBe(0);
      expect(relativeError(a, c)).toBeGreaterThan(1e-3);
      const i1 = mod.forward(w, x, { dropoutSeed: 1 }).label!;
      const i2 = mod.forward(w, x, { dropoutSeed: 2 }).label!;
      expect(relativeError(i1, i2)).toBe(0);
    } finally {
      store.dispose();
    }
  }, 30_000);
});

describe("hostile names", () => {
  const pwned = (): unknown[] =>
    ["__pwnedA", "__pwnedB", "__pwnedC", "__pwnedD", "__pwnedE"].map((k) => (globalThis as Record<string, unknown>)[k]);

  it("reach the code only as escaped literals, quoted keys and sanitised identifiers", () => {
    const { source } = generated.get("hostile")!;
    // in comments a name is an escaped literal whose "*/" cannot close the comment
    expect(source).toContain(
      ' * Generated from model "Evil *\\/ globalThis.__pwnedE = 1; /*" by mtslc; do not edit.\n',
    );
    expect(source).not.toMatch(/^\s*globalThis\b/m);
    expect(source).not.toContain("\u2028");
    expect(source).toContain('["__proto__"]: out___proto,');
    expect(source).toContain('readonly "__proto__": tf.Tensor4D;');
    expect(source).toContain('readonly "constructor": tf.Tensor4D;');
    expect(source).toContain(`export const modelName = ${JSON.stringify(HOSTILE_MODEL)};`);
    expect(source).toMatch(/^function stage_toString\(/m);
    expect(source).toMatch(/^function stage_class\(/m);
    // the syntax tree holds only declarations at the top, and no identifier that reaches outside
    const file = ts.createSourceFile("hostile.ts", source, ts.ScriptTarget.ES2022, true);
    for (const statement of file.statements) {
      const declaration =
        ts.isImportDeclaration(statement) ||
        ts.isVariableStatement(statement) ||
        ts.isInterfaceDeclaration(statement) ||
        ts.isTypeAliasDeclaration(statement) ||
        ts.isClassDeclaration(statement) ||
        ts.isFunctionDeclaration(statement);
      expect(declaration, statement.getText().slice(0, 80)).toBe(true);
    }
    const identifiers = new Set<string>();
    const visit = (node: ts.Node): void => {
      if (ts.isIdentifier(node)) identifiers.add(node.text);
      ts.forEachChild(node, visit);
    };
    visit(file);
    // every hostile name survives intact, as the value of a string literal
    const strings = new Set<string>();
    const collect = (node: ts.Node): void => {
      if (ts.isStringLiteral(node)) strings.add(node.text);
      ts.forEachChild(node, collect);
    };
    collect(file);
    for (const name of [...HOSTILE_TASKS.values(), HOSTILE_MODEL]) expect(strings.has(name), name).toBe(true);
    expect(strings.has("head@" + HOSTILE_TASKS.get("c"))).toBe(true);
    for (const banned of [
      "globalThis",
      "process",
      "eval",
      "Function",
      "require",
      "__pwnedA",
      "__pwnedB",
      "__pwnedC",
      "__pwnedD",
      "__pwnedE",
    ]) {
      expect(identifiers.has(banned), banned).toBe(false);
    }
  });

  it("import and run without side effects, as own properties, equal to the interpreter", async () => {
    const { ir } = generated.get("hostile")!;
    const mod = await load("hostile");
    expect(pwned()).toEqual([undefined, undefined, undefined, undefined, undefined]);
    expect(mod.modelName).toBe(HOSTILE_MODEL);
    expect(mod.taskNames).toEqual([...HOSTILE_TASKS.values()]);
    const store = WeightStore.forIr(ir, 3);
    try {
      randomizeWeights(store, 31);
      const x = randomInput(ir.input.shape, 2, 32);
      const w = (k: string): tf.Tensor => store.get(k);
      const out = mod.forward(w, x);
      expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
      expect(Object.keys(out)).toEqual([...HOSTILE_TASKS.values()]);
      expect(Object.prototype.hasOwnProperty.call(out, "__proto__")).toBe(true);
      expect(({} as Record<string, unknown>).shape).toBeUndefined();
      const expected = interpret(ir, store, x, { training: false }).outputs;
      for (const task of HOSTILE_TASKS.values()) {
        expect(relativeError(expected.get(task)!, out[task]!)).toBeLessThanOrEqual(1e-5);
      }
      // a record with a __proto__ key parsed from JSON is read by own keys only
      expect(() =>
        mod.checkWeights(Object.create(Object.fromEntries(store.keys().map((k) => [k, store.get(k)])))),
      ).toThrow(mod.WeightsError);
    } finally {
      store.dispose();
    }
    expect(pwned()).toEqual([undefined, undefined, undefined, undefined, undefined]);
  }, 30_000);
});

describe("checkWeights and forward errors", () => {
  it("names every missing key and every wrong shape", async () => {
    const { ir } = generated.get("multimnist")!;
    const mod = await load("multimnist");
    const store = WeightStore.forIr(ir, 4);
    try {
      const record: Record<string, tf.Tensor> = Object.fromEntries(store.keys().map((k) => [k, store.get(k)]));
      expect(() => mod.checkWeights(record)).not.toThrow();
      delete record["fc1@left/0.kernel"];
      delete record["head@right/0.bias"];
      record["conv2@right/0.kernel"] = tf.zeros([3, 3, 16, 31]);
      let error: (Error & { missing: string[]; wrongShapes: { key: string }[] }) | undefined;
      try {
        mod.checkWeights(record);
      } catch (e) {
        error = e as typeof error;
      }
      expect(error).toBeInstanceOf(mod.WeightsError);
      expect(error!.missing).toEqual(["fc1@left/0.kernel", "head@right/0.bias"]);
      expect(error!.wrongShapes.map((s) => s.key)).toEqual(["conv2@right/0.kernel"]);
      expect(error!.message).toBe(
        "MultiMnist: the weights do not fit the network: 2 missing: fc1@left/0.kernel, head@right/0.bias; " +
          "1 of the wrong shape: conv2@right/0.kernel (expected [3, 3, 16, 32], found [3, 3, 16, 31])",
      );
      // a lookup that throws counts as missing
      expect(() => mod.checkWeights((k: string) => (k.startsWith("head@") ? store.get("nope") : store.get(k)))).toThrow(
        /4 missing: head@left\/0.kernel, head@left\/0.bias, head@right\/0.kernel, head@right\/0.bias$/,
      );
      const x = tf.zeros([2, 28, 28, 1]) as tf.Tensor4D;
      record["conv2@right/0.kernel"] = store.get("conv2@right/0.kernel");
      expect(() => mod.forward(record, x)).toThrow(mod.WeightsError);
      expect(() => mod.forward(record, x)).toThrow(/: 1 missing: fc1@left\/0.kernel$/);
      expect(() => mod.forward(store.get.bind(store), tf.zeros([2, 28, 28, 3]) as tf.Tensor4D)).toThrow(
        "MultiMnist: input must have shape [batch, 28, 28, 1], found [2, 28, 28, 3]",
      );
    } finally {
      store.dispose();
    }
  });
});

describe("IR the generator refuses", () => {
  const base = (): IrModel => structuredClone(compileOrThrow(SMALL));

  async function codeOf(ir: unknown): Promise<string> {
    try {
      await generateModelModule(ir as IrModel);
    } catch (e) {
      expect(e).toBeInstanceOf(CodegenError);
      return `${(e as CodegenError).code}: ${(e as CodegenError).problems.join(" | ")}`;
    }
    throw new Error("expected a CodegenError");
  }

  it("MTSL6002 for malformed fields", async () => {
    expect(await codeOf(null)).toMatch(/^MTSL6002: the IR is not an object/);
    const ir = base() as unknown as { instances: unknown; stages: { layers: { weights: { shape: unknown }[] }[] }[] };
    ir.stages[0]!.layers[0]!.weights[0]!.shape = [3, "3", 2, 4];
    expect(await codeOf(ir)).toMatch(
      /^MTSL6002: stages\[0\]\.layers\[0\]\.weights\[0\]\.shape: expected a list of positive integers/,
    );
    ir.instances = "all";
    expect(await codeOf(ir)).toMatch(/instances: expected a list, found "all"/);
  });

  it("MTSL6003 for unknown ops and options that are not plain values", async () => {
    const ir = base();
    (ir.stages[0]!.layers[0] as unknown as { stride: unknown }).stride = "1); globalThis.__pwnedF = 1; (";
    expect(await codeOf(ir)).toMatch(/^MTSL6003: stage s1 layer 0: conv\.stride must be a positive integer/);
    const ir2 = base();
    (ir2.stages[1]!.layers[2] as unknown as { op: string }).op = "eval";
    expect(await codeOf(ir2)).toMatch(/^MTSL6003: stage s2 layer 2: unknown layer op "eval"/);
    const ir3 = base();
    (ir3.stages[0]!.layers[2] as unknown as { fn: string }).fn = "relu6";
    expect(await codeOf(ir3)).toMatch(
      /act\.fn must be one of relu, leaky_relu, elu, gelu, sigmoid, tanh, found "relu6"/,
    );
    expect((globalThis as Record<string, unknown>).__pwnedF).toBeUndefined();
  });

  it("MTSL6001 for IR that breaks a graph invariant", async () => {
    const ir = base();
    ir.instances[1]!.input = "s1@nobody";
    expect(await codeOf(ir)).toMatch(
      /^MTSL6001: instance s2@a\+b\+c reads s1@nobody, which is not an earlier instance/,
    );
  });

  it("MTSL6004 for shapes or weights that disagree with the op", async () => {
    const ir = base();
    (ir.stages[0]!.layers[0] as unknown as { filters: number }).filters = 5;
    expect(await codeOf(ir)).toMatch(
      /^MTSL6004: stage s1 layer 0 \(conv\): outShape \[8, 8, 4\] but the op computes \[8, 8, 5\]/,
    );
    const ir2 = base();
    ir2.stages[0]!.layers[1]!.weights.pop();
    expect(await codeOf(ir2)).toMatch(
      /^MTSL6004: stage s1 layer 1 \(bn\): weights .* but the op needs .*moving_variance\[4\]\(state\)/,
    );
  });
});

describe("names", () => {
  it("sanitises and de-duplicates identifiers, off reserved words", () => {
    const scope = new NameScope(["tf", "forward"]);
    expect(scope.allocate("enc2@seg+depth")).toBe("enc2_seg_depth");
    expect(scope.allocate("enc2@seg+depth")).toBe("enc2_seg_depth_2");
    expect(scope.allocate("tf")).toBe("tf_2");
    expect(scope.allocate("class")).toBe("class_2");
    expect(scope.allocate("constructor")).toBe("constructor_2");
    expect(scope.allocate("9lives")).toBe("_9lives");
    expect(scope.allocate('x"; process.exit(1); "')).toBe("x_process_exit_1");
    expect(scope.allocate("__proto__")).toBe("proto");
    expect(scope.allocate("")).toBe("v");
    expect(sanitise("a".repeat(100))).toHaveLength(64);
  });

  it("quotes property names that are not plain, computes them in object literals", () => {
    expect(propertyName("seg")).toBe("seg");
    expect(propertyName("__proto__")).toBe('"__proto__"');
    expect(propertyName("hasOwnProperty")).toBe('"hasOwnProperty"');
    expect(propertyName("delete")).toBe('"delete"');
    expect(propertyName('a"b')).toBe('"a\\"b"');
    expect(objectLiteralKey("__proto__")).toBe('["__proto__"]');
    expect(objectLiteralKey("seg")).toBe("seg");
  });

  it("escapes literals and comments", () => {
    expect(stringLiteral("a\u2028b\nc")).toBe('"a\\u2028b\\nc"');
    expect(commentText("enc2@seg+depth")).toBe("enc2@seg+depth");
    expect(commentText("a */ b")).toBe('"a *\\/ b"');
    expect(commentText("a\nb")).toBe('"a\\nb"');
  });
});
