import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { run } from "../../cli/mtslc.js";
import type { EvalReport } from "../../runtime/eval/evaluate-run.js";
import { captureContext, trainTinyRuns } from "../runtime/report/fixture.js";

let runs: { root: string; mtsl: string; stl: string };

beforeAll(async () => {
  runs = await trainTinyRuns();
}, 120_000);

afterAll(() => {
  if (runs) rmSync(runs.root, { recursive: true, force: true });
});

describe("mtslc eval", () => {
  it("prints metrics, Delta_m from the baseline's own evaluation, robustness and size, and writes eval.json", async () => {
    const ctx = captureContext();
    const code = await run(
      [
        "eval",
        runs.mtsl,
        "--baseline",
        runs.stl,
        "--corruptions",
        "--severities",
        "1,5",
        "--limit",
        "32",
        "--backend",
        "wasm",
        "--json",
      ],
      ctx,
    );
    expect(code, ctx.err.join("")).toBe(0);
    const printed = JSON.parse(ctx.out.join("")) as EvalReport;
    const saved = JSON.parse(readFileSync(join(runs.mtsl, "eval.json"), "utf8")) as EvalReport;
    expect(saved).toEqual(printed);
    expect(saved.samples).toBe(32);
    expect(saved.models.map((m) => [m.role, m.kind])).toEqual([
      ["run", "mtsl"],
      ["baseline", "stl"],
    ]);
    const [mtsl, stl] = saved.models as [EvalReport["models"][0], EvalReport["models"][0]];
    // Delta_m recomputed by hand from the two models' key metrics (accuracy, higher is better).
    const expected =
      (100 / 2) *
      ["left", "right"].reduce(
        (s, t) =>
          s +
          (mtsl.tasks[t]!.scores["accuracy"]! - stl.tasks[t]!.scores["accuracy"]!) / stl.tasks[t]!.scores["accuracy"]!,
        0,
      );
    expect(mtsl.deltaM!.value).toBeCloseTo(expected, 8);
    expect(stl.deltaM!.value).toBe(0);
    expect(saved.reference!.dirs).toEqual([stl.dir]);
    expect(saved.convention).toMatch(/positive = better than single-task/);
    // Robustness: 15 corruptions x 2 severities per task, mean of them.
    const table = mtsl.robustness!.table["left"]!;
    expect(Object.keys(table)).toHaveLength(15);
    const all = Object.values(table).flatMap((bySev) => [bySev["1"]!, bySev["5"]!]);
    expect(mtsl.robustness!.mean["left"]).toBeCloseTo(all.reduce((a, b) => a + b, 0) / all.length, 10);
    // Size: the merged run is smaller than one network per task; the STL baseline is exactly it.
    expect(mtsl.size.total.params).toBeLessThan(mtsl.size.separate.params);
    expect(stl.size.ratio.params).toBe(1);
    const shares = Object.values(mtsl.size.tasks).reduce((s, t) => s + t.sharedParams, 0);
    expect(shares).toBeCloseTo(mtsl.size.total.params, 6);
  }, 120_000);

  it("prints tables with the sign convention", async () => {
    const ctx = captureContext();
    const code = await run(
      ["eval", runs.mtsl, "--baseline", runs.stl, "--limit", "16", "--backend", "wasm", "-q"],
      ctx,
    );
    expect(code, ctx.err.join("")).toBe(0);
    const text = ctx.out.join("");
    expect(text).toMatch(/test metrics \(16 samples/);
    expect(text).toMatch(/Delta_m\s+[+-]\d+\.\d\d%/);
    expect(text).toMatch(/positive = better than single-task/);
    expect(text).toMatch(/one network per task/);
    expect(ctx.err.join("")).toBe("");
  }, 60_000);

  it("keeps a larger evaluation when --limit evaluates fewer samples, and says so", async () => {
    const before = readFileSync(join(runs.mtsl, "eval.json"), "utf8");
    expect((JSON.parse(before) as EvalReport).samples).toBe(32);
    const ctx = captureContext();
    expect(await run(["eval", runs.mtsl, "--limit", "8", "--backend", "wasm"], ctx)).toBe(0);
    expect(ctx.err.join("")).toContain("holds an evaluation of 32 samples");
    expect(readFileSync(join(runs.mtsl, "eval.json"), "utf8")).toBe(before);
  }, 60_000);

  it("says a run is unfinished and evaluates its last checkpoint", async () => {
    const ctx = captureContext();
    const unfinished = join(runs.root, "unfinished");
    const trained = await run(
      ["train", "test/fixtures/models/tiny.mtsl", "-o", unfinished, "--backend", "cpu", "--train-limit", "32", "-q"],
      captureContext(),
    );
    expect(trained).toBe(0);
    // a run stopped after epoch 2 of 4: its checkpoint says epoch 2
    const { readCheckpoint, writeCheckpoint } = await import("../../runtime/train/checkpoint.js");
    const revision2 = readCheckpoint(join(unfinished, "revisions", "002.ckpt"));
    writeCheckpoint(join(unfinished, "checkpoint.ckpt"), revision2);
    expect(await run(["eval", unfinished, "--limit", "8", "--backend", "cpu"], ctx)).toBe(0);
    expect(ctx.err.join("")).toMatch(/warning: .*unfinished: its checkpoint is after epoch 2 of 4/);
    expect(ctx.out.join("")).toContain("epoch 2 of 4");
  }, 120_000);

  it("gives clear coded errors for a missing or foreign run folder and a foreign baseline", async () => {
    let ctx = captureContext();
    expect(await run(["eval", join(runs.root, "nope")], ctx)).toBe(1);
    expect(ctx.err.join("")).toMatch(/error MTSL3202: .*nope: no such run folder/);

    const foreign = join(runs.root, "foreign");
    mkdirSync(foreign);
    writeFileSync(join(foreign, "notes.txt"), "hello");
    ctx = captureContext();
    expect(await run(["eval", foreign], ctx)).toBe(1);
    expect(ctx.err.join("")).toMatch(/MTSL3202: .*not a run folder of mtslc train: it has no checkpoint\.ckpt/);

    writeFileSync(join(foreign, "checkpoint.ckpt"), "not a checkpoint at all");
    ctx = captureContext();
    expect(await run(["eval", foreign], ctx)).toBe(1);
    expect(ctx.err.join("")).toMatch(/MTSL3301: .*checkpoint.ckpt: not a readable mtsl checkpoint: bad magic/);

    ctx = captureContext();
    expect(await run(["eval", runs.mtsl, "--baseline", foreign], ctx)).toBe(1);
    expect(ctx.err.join("")).toMatch(/MTSL3301/);

    ctx = captureContext();
    expect(await run(["eval", runs.mtsl, "--severities", "0,7"], ctx)).toBe(2);
    expect(ctx.err.join("")).toMatch(/--severities needs a comma list of whole numbers 1\.\.5/);
  }, 60_000);
});

describe("mtslc report", () => {
  it("writes a self-contained page with every section", async () => {
    const out = join(runs.root, "r.html");
    const ctx = captureContext();
    expect(await run(["report", runs.mtsl, "--baseline", runs.stl, "-o", out], ctx)).toBe(0);
    expect(existsSync(out)).toBe(true);
    const html = readFileSync(out, "utf8");
    for (const id of ["overview", "curves", "cka", "trees", "metrics", "robustness", "size"])
      expect(html).toContain(`<section id="${id}">`);
    expect(html).not.toMatch(/<script|<link|src="http|@import/i);
    expect(html).toContain("Delta_m");
  }, 60_000);

  it("fails with MTSL3202 on a folder that is not a run", async () => {
    const ctx = captureContext();
    expect(await run(["report", join(runs.root, "missing")], ctx)).toBe(1);
    expect(ctx.err.join("")).toMatch(/MTSL3202/);
  });
});
