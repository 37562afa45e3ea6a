import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { shrunkNyuv2Example, writeNyuv2Layout } from "../fixtures/nyuv2-layout.js";
import { mtslc, type CliResult } from "./helpers.js";

/**
 * A user's own .npy data, end to end from the CLI: MTAN's preprocessed NYUv2
 * layout (written by a fixture generator, 255 as the no-label value) trained
 * with examples/nyuv2.mtsl shrunk to 32x32 input, two epochs and one
 * structural-learning phase, then evaluated and reported.
 */
const dir = mkdtempSync(join(tmpdir(), "mtsl-npy-cli-"));
const data = join(dir, "nyuv2");
const file = join(dir, "nyuv2-small.mtsl");
const run = join(dir, "run");
let check: CliResult;
let train: CliResult;

beforeAll(async () => {
  writeNyuv2Layout(data, { size: 32, train: 4, val: 2, ignore: 255 });
  const text = shrunkNyuv2Example(data, { size: 32, ignore: 255 });
  writeFileSync(file, text);
  check = await mtslc(["check", file]);
  train = await mtslc(["train", file, "-o", run, "--backend", "wasm", "-q"]);
}, 300_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("mtslc on the NYUv2 .npy layout", () => {
  it("checks clean and trains", () => {
    expect(check.stderr).toBe("");
    expect(check.code).toBe(0);
    expect(train.stderr).toBe("");
    expect(train.code).toBe(0);
  });

  it("reads every task's folder: test metrics for all five tasks", () => {
    const final = JSON.parse(readFileSync(join(run, "final.json"), "utf8")) as {
      test: Record<string, Record<string, number>>;
    };
    expect(Object.keys(final.test)).toEqual(["seg", "depth", "edge", "normal", "ae"]);
    for (const [task, metrics] of Object.entries(final.test)) {
      for (const [name, value] of Object.entries(metrics)) expect(Number.isFinite(value), `${task}.${name}`).toBe(true);
    }
    expect(final.test["seg"]!["miou"]).toBeGreaterThanOrEqual(0);
    expect(final.test["seg"]!["miou"]).toBeLessThanOrEqual(1);
    expect(existsSync(join(run, "revisions", "001.mtsl"))).toBe(true);
  });

  it("evaluates and reports the run", async () => {
    const evaluated = await mtslc(["eval", run, "--backend", "wasm"]);
    expect(evaluated.stderr).not.toMatch(/error/i);
    expect(evaluated.code).toBe(0);
    for (const task of ["seg", "depth", "edge", "normal", "ae"]) expect(evaluated.stdout).toContain(task);
    const report = await mtslc(["report", run, "-o", join(dir, "report.html")]);
    expect(report.code).toBe(0);
    expect(readFileSync(join(dir, "report.html"), "utf8")).toContain("<html");
  });
});
