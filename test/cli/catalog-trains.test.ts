/**
 * A file that `check` accepts trains. Models are generated from the catalogue
 * so that every layer with each of its options, every task kind on every data
 * source that provides it (an npy fixture included), every loss with each of
 * its options, every metric, optimiser, schedule and structural-learning
 * setting appears in a model; each model must check clean and then train one
 * step (one epoch of one batch), evaluate and write its run. A word added to
 * the catalogue without a variant here fails the coverage test.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { trainFile } from "../../runtime/run/train-file.js";
import { diagnoseSource } from "../../cli/diagnose.js";
import {
  DATA_SOURCES,
  INITIALIZERS,
  LAYERS,
  LOSSES,
  METRICS,
  OPTIMIZERS,
  SCHEDULES,
  SIMILARITIES,
  STRUCTURAL_LEARNING_BLOCK,
  TASK_KINDS,
  TRANSFERS,
  type ParamSpec,
} from "../../compiler/catalog/index.js";
import type { Call, Value } from "../../grammar/ast.js";
import { parse } from "../../grammar/parse.js";
import { writeNyuv2Layout } from "../fixtures/nyuv2-layout.js";

const dir = mkdtempSync(join(tmpdir(), "mtsl-catalog-trains-"));
const npyDir = join(dir, "npy");
const SIZE = 16;

// ---------------------------------------------------------------- layers

/**
 * Each layer variant as a stage body that takes and gives back a 16 x 16 x 8
 * map (a layer that changes the size is followed or preceded by one that
 * restores it), so any number of them chain in one backbone.
 */
const SPATIAL_LAYERS: readonly string[] = [
  "conv(8)",
  "conv(8, 5)",
  "conv(8, 3, stride: 2) upsample(2)",
  "conv(8, 1, padding: valid)",
  "conv(8, 3, padding: same)",
  "conv(8, 3, stride: 2, padding: symmetric) upsample(2)",
  "conv(8, 3, dilation: 2)",
  "conv(8, 3, bias: false)",
  ...INITIALIZERS.map((init) => `conv(8, 3, init: ${init})`),
  "bn",
  "bn(momentum: 0.5)",
  "bn(epsilon: 0.001)",
  "relu",
  "leaky_relu",
  "leaky_relu(alpha: 0.05)",
  "elu",
  "gelu",
  "sigmoid",
  "tanh",
  "maxpool upsample(2)",
  "maxpool(4) upsample(4)",
  "maxpool(2, stride: 1, padding: same)",
  "maxpool(2, padding: valid) upsample(2)",
  "maxpool(3, stride: 1, padding: symmetric)",
  "avgpool upsample(2)",
  "avgpool(4) upsample(4)",
  "avgpool(2, stride: 1, padding: same)",
  "avgpool(2, padding: valid) upsample(2)",
  "avgpool(3, stride: 2, padding: symmetric) upsample(2)",
  "dropout(0.1)",
  "basic(8)",
  "basic(8, stride: 2) upsample(2)",
  "basic(8, stride: 2, padding: symmetric) upsample(2)",
  "bottleneck(2)",
  "bottleneck(2, stride: 2) upsample(2)",
  "bottleneck(2, stride: 2, padding: symmetric) upsample(2)",
  "bottleneck(4, expansion: 2)",
  "upsample maxpool(2)",
  "upsample(4) avgpool(4)",
  "upsample(2, mode: nearest) maxpool(2)",
  "upsample(2, mode: bilinear) maxpool(2)",
  "concat(s0) conv(8, 1)",
  "decoder_bottleneck(2, skip: s0)",
  "maxpool(2) conv(4, 1) decoder_bottleneck(2, skip: s0)",
  "decoder_bottleneck(4, skip: s0, expansion: 2)",
  "fuse([s0], filters: 8)",
  "maxpool(2) fuse([s0, s1], filters: 4, bias: false) upsample(2)",
];

/** Layers on vectors, after global pooling or flattening. */
const VECTOR_LAYERS: readonly string[] = [
  "gap",
  "dense(8)",
  "dense(8, bias: false) relu",
  ...INITIALIZERS.map((init) => `dense(8, init: ${init})`),
  "dropout(0.5)",
];

// ---------------------------------------------------------------- tasks

/** Every value a parameter is tried with besides its default. */
function variantsOf(p: ParamSpec): string[] {
  switch (p.type.kind) {
    case "bool":
      return [String(p.default !== true)];
    case "enum":
      return p.type.values.filter((v) => v !== p.default);
    case "number":
      return [String(p.default === 0.3 ? 0.6 : 0.3)];
    default:
      throw new Error(`no variant for ${p.name}`);
  }
}

/** A loss with its defaults, then with each option set to each other value in turn. */
function lossVariants(name: string): string[] {
  const spec = LOSSES.find((l) => l.name === name)!;
  return [name, ...spec.params.flatMap((p) => variantsOf(p).map((v) => `${name}(${p.name}: ${v})`))];
}

/** The channels a head of `kind` outputs: its classes, the kind's fixed count, or the target's channels. */
const headChannels = (kind: string, targetChannels: number, classes: number | undefined): number =>
  kind === "segmentation" || kind === "classification"
    ? classes!
    : (({ depth: 1, normals: 3, edges: 1, reconstruction: 3 } as Record<string, number>)[kind] ?? targetChannels);

interface TaskLine {
  name: string;
  text: string;
}

/** One task per (target, kind, loss variant), each with every metric of its kind. */
function tasksFor(
  targets: readonly { name: string; kinds: readonly string[]; channels: number; kindArgs?: string }[],
  vector: boolean,
): TaskLine[] {
  const out: TaskLine[] = [];
  for (const target of targets) {
    for (const kind of target.kinds) {
      const metrics = METRICS.filter((m) => m.kinds.includes(kind)).map((m) => m.name);
      for (const loss of LOSSES.filter((l) => l.kinds.includes(kind)).flatMap((l) => lossVariants(l.name))) {
        const name = `t${out.length}`;
        const channels = headChannels(kind, target.channels, Number(/classes: (\d+)/.exec(target.kindArgs ?? "")?.[1]));
        const args =
          kind === "regression"
            ? `(outputs: ${channels})`
            : kind === "segmentation" || kind === "classification"
              ? (target.kindArgs ?? "")
              : "";
        const head = vector ? `dense(${channels})` : `conv(${channels}, 1)`;
        out.push({
          name,
          text: `  task ${name}: ${kind}${args} {\n    head: ${head}\n    target: ${target.name}\n    loss: ${loss}\n    metrics: [${metrics.join(", ")}]\n  }`,
        });
      }
    }
  }
  return out;
}

interface ModelOptions {
  name: string;
  data: string;
  input?: string;
  tasks: TaskLine[];
  stages: readonly string[];
  train?: string;
  structuralLearning?: string;
  /** One network per task (a group each) instead of one shared by all. */
  separate?: boolean;
}

function model(o: ModelOptions): string {
  const stages = o.stages.map((body, i) => `    s${i}: ${body}`).join("\n");
  const last = o.stages.length - 1;
  const groups = o.separate ? o.tasks.map((t) => `{${t.name}}`).join(" ") : `{${o.tasks.map((t) => t.name).join(" ")}}`;
  return [
    `model ${o.name} {`,
    `  input image: f32[${o.input ?? `${SIZE}, ${SIZE}, 3`}]`,
    `  data ${o.data}`,
    ...o.tasks.map((t) => t.text),
    `  backbone {\n${stages}\n  }`,
    `  sharing {\n    s0..s${last}: ${groups}\n  }`,
    ...(o.structuralLearning ? [`  structural_learning {\n${o.structuralLearning}\n  }`] : []),
    `  train {\n    epochs: 1\n    batch: 2\n    backend: wasm\n${o.train ?? ""}  }`,
    "}",
    "",
  ].join("\n");
}

const scenes = `scenes(size: ${SIZE}, train: 2, val: 1, test: 1, seed: 5)`;
const multimnist = `multimnist(size: ${SIZE}, train: 2, val: 1, test: 1, seed: 5)`;
const scenesSpec = DATA_SOURCES.find((s) => s.name === "scenes")!;
const multimnistSpec = DATA_SOURCES.find((s) => s.name === "multimnist")!;
const channelsOf: Record<string, number> = { segmentation: 1, depth: 1, normals: 3, edges: 1, image: 3 };
const segTask = tasksFor(
  [{ name: "segmentation", kinds: ["segmentation"], channels: 1, kindArgs: "(classes: 6)" }],
  false,
)[0]!;
const leftTask = (name: string): TaskLine => ({
  name,
  text: `  task ${name}: classification(classes: 10) {\n    head: dense(10)\n    target: ${name === "a" ? "left" : "right"}\n  }`,
});

const MODELS: Record<string, string> = {
  "spatial layers": model({
    name: "SpatialLayers",
    data: scenes,
    tasks: [segTask],
    stages: ["conv(8)", ...SPATIAL_LAYERS],
  }),
  "vector layers": model({
    name: "VectorLayers",
    data: multimnist,
    input: `${SIZE}, ${SIZE}, 1`,
    tasks: [leftTask("a"), leftTask("b")],
    stages: ["conv(8, 3, stride: 2) relu", ...VECTOR_LAYERS],
  }),
  flatten: model({
    name: "Flatten",
    data: multimnist,
    input: `${SIZE}, ${SIZE}, 1`,
    tasks: [leftTask("a")],
    stages: ["conv(4, 3, stride: 4) relu", "flatten dense(8)"],
  }),
  "scenes tasks": model({
    name: "ScenesTasks",
    data: scenes,
    tasks: tasksFor(
      scenesSpec.targets!.map((t) => ({
        name: t.name,
        kinds: t.kinds,
        channels: channelsOf[t.name]!,
        kindArgs: t.name === "segmentation" ? "(classes: 6)" : undefined,
      })),
      false,
    ),
    stages: ["conv(8) relu"],
  }),
  "scenes segmentation with an ignore value": model({
    name: "SceneIgnore",
    data: scenes,
    tasks: tasksFor(
      [{ name: "segmentation", kinds: ["segmentation"], channels: 1, kindArgs: "(classes: 6, ignore: 5)" }],
      false,
    ),
    stages: ["conv(8) relu"],
  }),
  "multimnist tasks": model({
    name: "MultiMnistTasks",
    data: multimnist,
    input: `${SIZE}, ${SIZE}, 1`,
    tasks: tasksFor(
      multimnistSpec.targets!.map((t) => ({ name: t.name, kinds: t.kinds, channels: 10, kindArgs: "(classes: 10)" })),
      true,
    ),
    stages: ["conv(8, 3, stride: 2) relu gap"],
  }),
  "npy tasks": "", // written in beforeAll, once the fixture's folder is known
  "adam and step": model({
    name: "AdamStep",
    data: multimnist,
    input: `${SIZE}, ${SIZE}, 1`,
    tasks: [leftTask("a"), leftTask("b")],
    stages: ["conv(8, 3, stride: 2) relu gap"],
    train:
      "    optimizer: adam(lr: 0.002, weight_decay: 0.001, beta1: 0.8, beta2: 0.99, epsilon: 1e-6)\n    schedule: step(milestones: [1], gamma: 0.5)\n    seed: 3\n    val_every: 1\n",
  }),
  "sgd and cosine": model({
    name: "SgdCosine",
    data: multimnist,
    input: `${SIZE}, ${SIZE}, 1`,
    tasks: [leftTask("a")],
    stages: ["conv(8, 3, stride: 2) relu gap"],
    train:
      "    optimizer: sgd(lr: 0.01, momentum: 0.5, weight_decay: 0.0001, nesterov: true)\n    schedule: cosine(min_lr: 0.001)\n",
  }),
  "plain sgd, constant": model({
    name: "SgdConstant",
    data: multimnist,
    input: `${SIZE}, ${SIZE}, 1`,
    tasks: [leftTask("a")],
    stages: ["conv(8, 3, stride: 2) relu gap"],
    train: "    optimizer: sgd(lr: 0.01)\n    schedule: constant\n    val_every: 2\n",
  }),
  "multi-scale heads through a merge": model({
    name: "MultiScale",
    data: `scenes(size: ${SIZE}, train: 4, val: 1, test: 1, seed: 5)`,
    tasks: [
      {
        name: "seg",
        text: "  task seg: segmentation(classes: 6) {\n    head: fuse([s1, s2], filters: 4) conv(6, 1) upsample(2)\n  }",
      },
      {
        name: "depth",
        text: "  task depth: depth {\n    head: fuse([s2], filters: 4, bias: false) conv(1, 3) relu upsample(2)\n  }",
      },
    ],
    stages: ["conv(8, 3, stride: 2) relu", "conv(8, 3, stride: 2) relu", "decoder_bottleneck(2, skip: s0)"],
    separate: true,
    structuralLearning: "    at_epochs: [1]\n    similarity: cka(samples: 4)\n    threshold: 0",
  }),
  "structural learning, every option off its default": model({
    name: "SlOptions",
    data: `multimnist(size: ${SIZE}, train: 4, val: 1, test: 1, seed: 5)`,
    input: `${SIZE}, ${SIZE}, 1`,
    tasks: [leftTask("a"), leftTask("b")],
    stages: ["conv(8, 3, stride: 2) relu", "conv(8) relu gap"],
    separate: true,
    structuralLearning:
      "    at_epochs: [1]\n    similarity: cka(debiased: false, pool: gap, samples: 4, resample: true, calibrate: true)\n    threshold: 0\n    init: average\n    random_from: s1\n    transfer: distill(gate: none, passes: [1], lr: 0.001, optimizer: joint)\n    alignment: 0\n    handoff: reset",
  }),
  "structural learning, defaults": model({
    name: "SlDefaults",
    data: `multimnist(size: ${SIZE}, train: 4, val: 1, test: 1, seed: 5)`,
    input: `${SIZE}, ${SIZE}, 1`,
    tasks: [leftTask("a"), leftTask("b")],
    stages: ["conv(8, 3, stride: 2) relu", "conv(8) relu gap"],
    separate: true,
    structuralLearning:
      "    at_epochs: [1]\n    similarity: cka(samples: 4)\n    threshold: 0\n    init: random\n    transfer: distill(passes: [1], per: merge)\n    alignment_pause: 1",
  }),
};

function npyModel(): string {
  return model({
    name: "NpyTasks",
    data: `npy(dir: ${JSON.stringify(npyDir)})`,
    tasks: tasksFor(
      [
        { name: "label", kinds: ["segmentation", "edges"], channels: 1, kindArgs: "(classes: 13)" },
        { name: "depth", kinds: ["depth"], channels: 1 },
        { name: "normal", kinds: ["normals"], channels: 3 },
        // A folder is read one way: regression reads the images as 3 values per pixel.
        { name: "image", kinds: ["reconstruction", "regression"], channels: 3 },
      ],
      false,
    ),
    stages: ["conv(8) relu"],
  });
}

beforeAll(() => {
  writeNyuv2Layout(npyDir, { size: SIZE, train: 2, val: 1 });
  MODELS["npy tasks"] = npyModel();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// ---------------------------------------------------------------- coverage

/** Every call in a parsed model, with the names of its named arguments. */
function calls(source: string): Call[] {
  const out: Call[] = [];
  const visit = (v: unknown): void => {
    if (v === null || typeof v !== "object") return;
    if ((v as Call).kind === "Call") out.push(v as Call);
    for (const x of Object.values(v as object)) visit(x);
  };
  visit(parse(source).document.model);
  return out;
}

function idents(source: string): Set<string> {
  const out = new Set<string>();
  const visit = (v: unknown): void => {
    if (v === null || typeof v !== "object") return;
    if ((v as Value).kind === "Ident") out.add((v as { name: string }).name);
    for (const x of Object.values(v as object)) visit(x);
  };
  visit(parse(source).document.model);
  return out;
}

describe("every catalogue word trains", () => {
  it("the generated models use every word and every option of the catalogue", () => {
    const sources = Object.values(MODELS);
    const all = sources.join("\n");
    const used = sources.flatMap(calls);
    const words = new Set(sources.flatMap((m) => [...idents(m)]));
    const missing: string[] = [];
    const callSpecs = [...LAYERS, ...LOSSES, ...TASK_KINDS, ...OPTIMIZERS, ...SCHEDULES, ...SIMILARITIES, ...TRANSFERS];
    for (const spec of callSpecs) {
      const here = used.filter((c) => c.callee.name === spec.name);
      if (here.length === 0 && !words.has(spec.name)) missing.push(spec.name);
      for (const p of spec.params) {
        if (p.positional) continue; // positional ones are set without their name
        if (!here.some((c) => c.args.some((a) => a.name?.name === p.name))) missing.push(`${spec.name}(${p.name})`);
      }
    }
    for (const m of METRICS) if (!words.has(m.name)) missing.push(`metric ${m.name}`);
    for (const s of STRUCTURAL_LEARNING_BLOCK.settings) if (!all.includes(`    ${s.name}: `)) missing.push(s.name);
    for (const source of DATA_SOURCES) if (!all.includes(`data ${source.name}(`)) missing.push(`data ${source.name}`);
    expect(missing).toEqual([]);
  });

  for (const name of Object.keys(MODELS)) {
    it(`${name}: checks clean, then trains a step, evaluates and writes its run`, async () => {
      const source = MODELS[name]!;
      const file = join(dir, `${name.replace(/\W+/g, "-")}.mtsl`);
      writeFileSync(file, source);
      const checked = await diagnoseSource(source, file);
      expect(checked.diagnostics.filter((d) => d.severity === "error").map((d) => `${d.code} ${d.message}`)).toEqual(
        [],
      );
      const out = join(dir, "runs", name.replace(/\W+/g, "-"));
      const result = await trainFile({ file, source, out, backend: "wasm" });
      expect(result.ok ? [] : result.diagnostics.map((d) => `${d.code} ${d.message}`)).toEqual([]);
      const final = JSON.parse(readFileSync(join(out, "final.json"), "utf8")) as {
        test: Record<string, Record<string, number>>;
      };
      if (source.includes("structural_learning")) {
        // threshold 0: the phase merges, distils and writes revision 001.
        const phase = JSON.parse(readFileSync(join(out, "structure.jsonl"), "utf8").split("\n")[0]!) as {
          created: unknown[];
        };
        expect(phase.created.length).toBeGreaterThan(0);
        expect(existsSync(join(out, "revisions", "001.mtsl"))).toBe(true);
      }
      const ir = checked.ir!;
      expect(Object.keys(final.test)).toEqual(ir.tasks.map((t) => t.name));
      for (const task of ir.tasks) {
        for (const metric of task.metrics) {
          const value = final.test[task.name]?.[metric];
          expect(value === null || Number.isFinite(value), `${task.name}.${metric} = ${value}`).toBe(true);
        }
      }
    }, 120_000);
  }
});
