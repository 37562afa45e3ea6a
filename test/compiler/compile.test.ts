import { existsSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { compileSource } from "../../compiler/compile.js";
import { irToJson, irFromJson } from "../../compiler/ir/json.js";
import { printIr } from "../../compiler/ir/print.js";
import { instanceId, lint } from "../../compiler/ir/lint.js";
import { withPartitions } from "../../compiler/ir/rebuild.js";
import { partitionsOf, sharedRepresentation } from "../../compiler/ir/sharing-tree.js";
import { lift, sameIr } from "../../compiler/lift.js";
import { summarize } from "../../compiler/summary.js";
import { format } from "../../grammar/format.js";
import { parse } from "../../grammar/parse.js";
import { print } from "../../grammar/printer.js";

const examples = readdirSync("examples").filter((f) => f.endsWith(".mtsl"));
const source = (f: string): string => readFileSync(`examples/${f}`, "utf8");

function compileOk(text: string) {
  const r = compileSource(text);
  expect(r.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  return r.ir!;
}

/** A small valid model; `patch` edits its text to make one mistake. */
const BASE = `model T {
  input image: f32[16, 16, 3]
  data scenes(size: 16, train: 8, val: 4, test: 4)
  task seg: segmentation(classes: 6) {
    head: upsample(2) conv(6, 1)
    loss: ce
    metrics: [miou]
  }
  task depth: depth {
    head: upsample(2) conv(1, 1)
    loss: rmse
    metrics: [rmse]
  }
  backbone {
    stem: conv(8, 3, stride: 2) bn relu
    enc1: basic(8, stride: 2)
    dec1: upsample(2) concat(stem) conv(8, 3) relu
  }
  sharing {
    stem: {seg depth}
    enc1..dec1: {seg} {depth}
  }
  train { epochs: 2; batch: 4 }
}
`;

function errorsOf(text: string): { code: string; line: number; column: number; message: string }[] {
  return compileSource(text)
    .diagnostics.filter((d) => d.severity === "error")
    .map((d) => ({ code: d.code, line: d.span.start.line, column: d.span.start.column, message: d.message }));
}

describe("compile", () => {
  it("matches the golden IR of every example, byte for byte, twice", () => {
    for (const f of examples) {
      const json = irToJson(compileOk(source(f)));
      expect(irToJson(compileOk(source(f)))).toBe(json);
      const golden = `test/golden/ir/${f.replace(/\.mtsl$/, ".ir.json")}`;
      if (process.env["UPDATE_GOLDEN"] || !existsSync(golden)) writeFileSync(golden, json);
      expect(json, f).toBe(readFileSync(golden, "utf8"));
      expect(irToJson(irFromJson(json))).toBe(json);
    }
  });

  it("prints every example's IR as text, one line per node, identical to its golden file", () => {
    for (const f of examples) {
      const text = printIr(compileOk(source(f)));
      const golden = `test/golden/ir/${f.replace(/\.mtsl$/, ".ir.txt")}`;
      if (process.env["UPDATE_GOLDEN"] || !existsSync(golden)) writeFileSync(golden, text);
      expect(text, f).toBe(readFileSync(golden, "utf8"));
      const ir = compileOk(source(f));
      // One line per instance and head, plus input, tasks, settings and totals.
      expect(text.trimEnd().split("\n").length, f).toBe(
        3 + ir.instances.length + ir.heads.length + ir.tasks.length + (ir.structuralLearning ? 1 : 0) + 1,
      );
    }
  });

  it("produces IR that passes lint for every example", () => {
    for (const f of examples) expect(lint(compileOk(source(f))), f).toEqual([]);
  });

  it("infers shapes, parameters and FLOPs by hand on a small model", () => {
    const ir = compileOk(BASE);
    const stem = ir.stages[0]!;
    expect(stem.outShape).toEqual([8, 8, 8]);
    // conv 3x3x3x8 + bias 8 = 224; bn gamma/beta 16
    expect(stem.layers.map((l) => l.params)).toEqual([224, 16, 0]);
    // conv FLOPs: 2*3*3*3*8*8*8 + 8*8*8 (bias)
    expect(stem.layers[0]!.flops).toBe(2 * 27 * 8 * 64 + 512);
    expect(ir.stages[1]!.outShape).toEqual([4, 4, 8]);
    expect(ir.stages[2]!.outShape).toEqual([8, 8, 8]);
    expect(ir.heads.map((h) => h.outShape)).toEqual([
      [16, 16, 6],
      [16, 16, 1],
    ]);
    expect(ir.instances.map((i) => i.id)).toEqual([
      "stem@seg+depth",
      "enc1@seg",
      "enc1@depth",
      "dec1@seg",
      "dec1@depth",
    ]);
    expect(ir.instances.find((i) => i.id === "dec1@depth")!.skips).toEqual(["stem@seg+depth"]);
    const perStage = ir.stages.map((s) => s.layers.reduce((n, l) => n + l.params, 0));
    const heads = ir.heads.reduce((n, h) => n + h.params, 0);
    expect(ir.totals.params).toBe(perStage[0]! + 2 * perStage[1]! + 2 * perStage[2]! + heads);
    expect(ir.totals.separateParams).toBe(2 * (perStage[0]! + perStage[1]! + perStage[2]!) + heads);
    expect(summarize(ir).paramRatio).toBeLessThan(1);
  });

  it.each([
    [
      "a dense layer on a feature map",
      "enc1: basic(8, stride: 2)",
      "enc1: basic(8, stride: 2) dense(4)",
      "MTSL2002",
      16,
      31,
    ],
    [
      "a stride that leaves nothing",
      "stem: conv(8, 3, stride: 2) bn relu",
      "stem: conv(8, 3, stride: 2, padding: valid) maxpool(9)",
      "MTSL2003",
      15,
      49,
    ],
    ["a skip of another size", "concat(stem)", "concat(enc1)", "MTSL2004", 17, 23],
    [
      "a dense head that outputs a vector",
      "head: upsample(2) conv(1, 1)",
      "head: upsample(2) conv(1, 1) gap",
      "MTSL2005",
      10,
      11,
    ],
    ["a dense head at the wrong resolution", "head: upsample(2) conv(6, 1)", "head: conv(6, 1)", "MTSL2006", 5, 11],
    ["a conv after a vector", "enc1: basic(8, stride: 2)", "enc1: basic(8, stride: 2) gap conv(4)", "MTSL2001", 16, 35],
    ["a target the data does not have", "loss: rmse", "loss: rmse\n    target: altitude", "MTSL2008", 12, 13],
    [
      "a class count the data does not have",
      "segmentation(classes: 6) {\n    head: upsample(2) conv(6, 1)",
      "segmentation(classes: 7) {\n    head: upsample(2) conv(7, 1)",
      "MTSL2009",
      4,
      13,
    ],
  ])("reports %s at the layer that causes it", (_what, from, to, code, line, column) => {
    expect(BASE.includes(from)).toBe(true);
    const errors = errorsOf(BASE.replace(from, to));
    expect(errors.map((e) => [e.code, e.line, e.column])).toEqual([[code, line, column]]);
    expect(errors[0]!.message.length).toBeGreaterThan(20);
  });
});

describe("lift", () => {
  it("prints every example exactly as the formatter does, through its IR", () => {
    for (const f of examples) {
      const text = source(f);
      const doc = parse(text).document;
      const ir = compileOk(text);
      expect(print(lift(ir, doc)), f).toBe(format(text).text);
    }
  });

  it("lifts without a template to a canonical file that compiles to the same IR", () => {
    for (const f of examples) {
      const ir = compileOk(source(f));
      const canonical = print(lift(ir));
      const again = compileOk(canonical);
      expect(sameIr(again, ir), f).toBe(true);
      expect(format(canonical).text).toBe(canonical);
    }
  });

  it("rewrites only the sharing row of a merged stage", () => {
    const text = source("scenes.mtsl");
    const doc = parse(text).document;
    const ir = compileOk(text);
    const parts = partitionsOf(ir);
    parts.set("stem", [["seg", "edge"], ["depth"], ["normal"], ["ae"]]);
    const merged = withPartitions(ir, parts);
    const before = print(lift(ir, doc)).split("\n");
    const after = print(lift(merged, doc)).split("\n");
    const removed = before.filter((l) => !after.includes(l));
    const added = after.filter((l) => !before.includes(l));
    expect(removed).toEqual(["    stem..dec4: {seg} {depth} {normal} {edge} {ae}"]);
    expect(added).toEqual([
      "    stem: {seg edge} {depth} {normal} {ae}",
      "    enc1..dec4: {seg} {depth} {normal} {edge} {ae}",
    ]);
    expect(sameIr(compileOk(after.join("\n")), merged)).toBe(true);
  });
});

describe("withPartitions", () => {
  it("keeps the ids of untouched instances and rewires their inputs and skips", () => {
    const ir = compileOk(source("scenes.mtsl"));
    const parts = partitionsOf(ir);
    parts.set("stem", [["depth", "normal"], ["seg"], ["edge"], ["ae"]]);
    const merged = withPartitions(ir, parts);
    expect(lint(merged)).toEqual([]);
    const ids = new Set(merged.instances.map((i) => i.id));
    expect(ids.has(instanceId("stem", ["depth", "normal"]))).toBe(true);
    expect(ids.has("stem@depth")).toBe(false);
    expect(merged.instances.find((i) => i.id === "enc1@normal")!.input).toBe("stem@depth+normal");
    expect(merged.instances.find((i) => i.id === "enc1@seg")!.input).toBe("stem@seg");
    expect(merged.totals.params).toBeLessThan(ir.totals.params);
  });

  it("refuses a tree whose partitions do not refine", () => {
    const ir = compileOk(source("scenes.mtsl"));
    const parts = partitionsOf(ir);
    parts.set("enc1", [["seg", "depth"], ["normal"], ["edge"], ["ae"]]);
    expect(() => withPartitions(ir, parts)).toThrow(/partitions must refine/);
  });
});

describe("sharedRepresentation", () => {
  const all = ["seg", "depth", "normal", "edge", "ae"];
  it("is every instance all tasks share, and of those the outputs later layers read, skips included", () => {
    const ir = compileOk(source("scenes.mtsl"));
    expect(sharedRepresentation(ir)).toMatchObject({ trunk: [], boundary: [] });
    const parts = partitionsOf(ir);
    for (const stage of ["stem", "enc1", "enc2", "enc3"]) parts.set(stage, [all]);
    parts.set("enc4", [
      ["seg", "depth"],
      ["normal", "edge", "ae"],
    ]);
    const merged = withPartitions(ir, parts);
    const id = (stage: string) => instanceId(stage, all);
    expect(sharedRepresentation(merged).trunk).toEqual(["stem", "enc1", "enc2", "enc3"].map(id));
    // enc3 feeds enc4's copies; enc1, enc2 and enc3 are the decoders' skips; stem only feeds enc1.
    expect(sharedRepresentation(merged).boundary).toEqual(["enc1", "enc2", "enc3"].map(id));
    // Every task reads enc3 (its enc4 copy's input) and the decoders' skips.
    for (const task of all)
      expect(sharedRepresentation(merged).readBy.get(task), task).toEqual(["enc1", "enc2", "enc3"].map(id));
  });

  it("is the last stage and its heads' skips under hard sharing", () => {
    const ir = compileOk(source("scenes.mtsl"));
    const parts = partitionsOf(ir);
    for (const stage of parts.keys()) parts.set(stage, [all]);
    const shared = withPartitions(ir, parts);
    const { trunk, boundary } = sharedRepresentation(shared);
    expect(trunk).toHaveLength(shared.instances.length);
    expect(boundary).toEqual(
      [...new Set(shared.heads.flatMap((h) => [h.input, ...h.skips]))].sort(
        (a, b) => trunk.indexOf(a) - trunk.indexOf(b),
      ),
    );
    expect(boundary).toContain(instanceId("dec4", all));
  });
});
