import { describe, expect, it } from "vitest";
import type { Call, Identifier } from "../../../grammar/ast.js";
import { parse } from "../../../grammar/parse.js";
import {
  blockSpec,
  DATA_SOURCES,
  defaultPasses,
  LAYERS,
  layerSpec,
  LOSSES,
  lossesForKind,
  METRICS,
  metricsForKind,
  OPTIMIZERS,
  SCHEDULES,
  SIMILARITIES,
  TASK_KINDS,
  taskKindSpec,
  TRANSFERS,
  vocabulary,
  type CallSpec,
  type ParamSpec,
} from "../../../compiler/catalog/index.js";
import { resolveArgs, type ResolvedCall } from "../../../compiler/check/resolve-args.js";

/** The first layer of the first stage of a model whose backbone is `stem: <layer>`. */
function layerCall(layer: string): Call | Identifier {
  const src = `model M {\n  backbone {\n    stem: ${layer}\n  }\n}\n`;
  const { document, diagnostics } = parse(src);
  expect(diagnostics).toEqual([]);
  const backbone = document.model?.members[0];
  if (backbone?.kind !== "Backbone") throw new Error("no backbone");
  const node = backbone.stages[0]?.layers[0];
  if (node === undefined) throw new Error("no layer");
  return node;
}

function resolveLayer(layer: string): { value: ResolvedCall; codes: string[] } {
  const node = layerCall(layer);
  const name = node.kind === "Call" ? node.callee.name : node.name;
  const spec = layerSpec(name);
  if (spec === undefined) throw new Error(`no layer ${name}`);
  const r = resolveArgs(node, spec);
  return { value: r.value, codes: r.diagnostics.map((d) => d.code) };
}

const ALL_CALLS: readonly CallSpec[] = [
  ...LAYERS,
  ...TASK_KINDS,
  ...LOSSES,
  ...METRICS,
  ...DATA_SOURCES,
  ...SIMILARITIES,
  ...TRANSFERS,
  ...OPTIMIZERS,
  ...SCHEDULES,
];

describe("catalogue data", () => {
  it("names the vocabulary of the brief", () => {
    expect(LAYERS.map((l) => l.name)).toEqual([
      "conv",
      "bn",
      "relu",
      "leaky_relu",
      "elu",
      "gelu",
      "sigmoid",
      "tanh",
      "maxpool",
      "avgpool",
      "gap",
      "dense",
      "dropout",
      "flatten",
      "basic",
      "bottleneck",
      "upsample",
      "concat",
      "decoder_bottleneck",
      "fuse",
    ]);
    expect(TASK_KINDS.map((k) => k.name)).toEqual([
      "classification",
      "segmentation",
      "depth",
      "normals",
      "edges",
      "reconstruction",
      "regression",
    ]);
    expect(LOSSES.map((l) => l.name)).toEqual(["ce", "bce", "rmse", "l1", "l1_unit", "mse"]);
    expect(METRICS.map((m) => m.name)).toEqual([
      "accuracy",
      "miou",
      "pixel_acc",
      "rmse",
      "abs_rel",
      "delta1",
      "mean_angle",
      "within_11_25",
      "within_22_5",
      "within_30",
      "bce",
      "mse",
    ]);
    expect(DATA_SOURCES.map((d) => d.name)).toEqual(["multimnist", "scenes", "npy"]);
  });

  it("has unique names per vocabulary and unique parameter names per entry", () => {
    for (const v of [
      "layer",
      "taskKind",
      "loss",
      "metric",
      "data",
      "similarity",
      "transfer",
      "optimizer",
      "schedule",
    ] as const) {
      const names = [...vocabulary(v).keys()];
      expect(new Set(names).size).toBe(names.length);
    }
    for (const spec of ALL_CALLS) {
      const names = spec.params.map((p) => p.name);
      expect(new Set(names).size, spec.name).toBe(names.length);
    }
  });

  it("lists positional parameters first, required ones before optional ones, and gives no default to required ones", () => {
    const check = (params: readonly ParamSpec[], owner: string): void => {
      const firstNamed = params.findIndex((p) => !p.positional);
      if (firstNamed >= 0)
        expect(
          params.slice(firstNamed).every((p) => !p.positional),
          owner,
        ).toBe(true);
      const positional = params.filter((p) => p.positional);
      const firstOptional = positional.findIndex((p) => !p.required);
      if (firstOptional >= 0)
        expect(
          positional.slice(firstOptional).every((p) => !p.required),
          owner,
        ).toBe(true);
      for (const p of params) {
        if (p.required) expect(p.default, `${owner}.${p.name}`).toBeUndefined();
        expect(p.doc.length, `${owner}.${p.name} doc`).toBeGreaterThan(0);
      }
    };
    for (const spec of ALL_CALLS) check(spec.params, spec.name);
    for (const b of ["task", "structural_learning", "train"] as const) check(blockSpec(b).settings, b);
  });

  it("gives every task kind a default loss and metrics that accept it, and something to use", () => {
    for (const kind of TASK_KINDS) {
      expect(
        lossesForKind(kind.name).map((l) => l.name),
        kind.name,
      ).toContain(kind.defaultLoss);
      for (const m of kind.defaultMetrics)
        expect(
          metricsForKind(kind.name).map((x) => x.name),
          kind.name,
        ).toContain(m);
      if (kind.headChannels.from === "param") {
        expect(kind.params.map((p) => p.name)).toContain(kind.headChannels.param);
      }
    }
    for (const spec of [...LOSSES, ...METRICS]) {
      for (const k of spec.kinds) expect(taskKindSpec(k), `${spec.name} names kind ${k}`).toBeDefined();
    }
  });

  it("expects the head channels of the brief", () => {
    expect(TASK_KINDS.map((k) => [k.name, k.headChannels])).toEqual([
      ["classification", { from: "param", param: "classes" }],
      ["segmentation", { from: "param", param: "classes" }],
      ["depth", { from: "fixed", channels: 1 }],
      ["normals", { from: "fixed", channels: 3 }],
      ["edges", { from: "fixed", channels: 1 }],
      ["reconstruction", { from: "input" }],
      ["regression", { from: "param", param: "outputs" }],
    ]);
  });

  it("cuts or extends the default passes to the number of phases", () => {
    expect(defaultPasses(0)).toEqual([]);
    expect(defaultPasses(3)).toEqual([1, 1, 2]);
    expect(defaultPasses(10)).toEqual([1, 1, 2, 2, 2, 2, 4, 4, 8, 8]);
    expect(defaultPasses(12)).toEqual([1, 1, 2, 2, 2, 2, 4, 4, 8, 8, 8, 8]);
  });

  it("treats prototype names as unknown", () => {
    for (const name of ["__proto__", "constructor", "toString", "hasOwnProperty"]) {
      expect(layerSpec(name)).toBeUndefined();
      expect(taskKindSpec(name)).toBeUndefined();
    }
  });
});

describe("resolveArgs", () => {
  it("binds positional and named arguments and fills in defaults", () => {
    const { value, codes } = resolveLayer("conv(16, 5, stride: 2)");
    expect(codes).toEqual([]);
    expect({ ...value.args }).toEqual({
      filters: 16,
      kernel: 5,
      stride: 2,
      padding: "same",
      dilation: 1,
      bias: true,
      init: "he_normal",
    });
    expect(Object.keys(value.argNodes)).toEqual(["filters", "kernel", "stride"]);
    expect(value.name).toBe("conv");
  });

  it("binds a named positional parameter", () => {
    const { value, codes } = resolveLayer("conv(kernel: 1, filters: 4)");
    expect(codes).toEqual([]);
    expect(value.args["filters"]).toBe(4);
    expect(value.args["kernel"]).toBe(1);
  });

  it("defaults a pool's stride to its size", () => {
    expect(resolveLayer("maxpool(3)").value.args["stride"]).toBe(3);
    expect(resolveLayer("maxpool").value.args["stride"]).toBe(2);
    expect(resolveLayer("avgpool(3, stride: 1)").value.args["stride"]).toBe(1);
  });

  it("treats a bare word as a call without arguments", () => {
    const { value, codes } = resolveLayer("bn");
    expect(codes).toEqual([]);
    expect({ ...value.args }).toEqual({ momentum: 0.9, epsilon: 1e-5 });
  });

  it("reports problems with codes and leaves bad values out", () => {
    const { value, codes } = resolveLayer("conv(0, 3, 9, strid: 2, kernel: 1)");
    // filters 0 is out of range (but given, so not missing); 9 is surplus; strid unknown; kernel twice
    expect(codes).toEqual(["MTSL1051", "MTSL1043", "MTSL1040", "MTSL1041"]);
    expect(value.args["filters"]).toBeUndefined();
    expect(value.args["kernel"]).toBe(3);
  });

  it("reports a missing required argument at the callee", () => {
    const node = layerCall("dense(bias: false)");
    const r = resolveArgs(node, layerSpec("dense") as CallSpec);
    expect(r.diagnostics.map((d) => [d.code, d.span.start.column, d.span.end.column])).toEqual([["MTSL1042", 11, 16]]);
  });

  it("resolves nested calls of a sub-vocabulary with their defaults", () => {
    const src = "model M {\n  train { optimizer: sgd(0.1, nesterov: true); schedule: step([3]) }\n}\n";
    const { document } = parse(src);
    const block = document.model?.members[0];
    if (block?.kind !== "Block") throw new Error("no block");
    const optimizer = block.settings[0]?.value as Call;
    const r = resolveArgs(optimizer, OPTIMIZERS[1] as CallSpec);
    expect(r.diagnostics).toEqual([]);
    expect({ ...r.value.args }).toEqual({ lr: 0.1, momentum: 0.9, weight_decay: 0, nesterov: true });
    const schedule = block.settings[1]?.value as Call;
    const s = resolveArgs(schedule, SCHEDULES[1] as CallSpec);
    expect({ ...s.value.args }).toEqual({ milestones: [3], gamma: 0.1 });
  });
});
