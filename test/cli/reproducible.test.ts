/**
 * Reproducible by construction (issue 14, point 4): the same file, seed, backend and thread
 * count give the same weights, bit for bit, and the same scores; run.json records who trained
 * the folder: every invocation with its command line, date, mtsl version, backend and threads.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readCheckpoint } from "../../runtime/train/checkpoint.js";
import { onednn } from "../runtime/onednn/available.js";
import { mtslc } from "./helpers.js";

const dir = mkdtempSync(join(tmpdir(), "mtsl-repro-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const FILE = "test/fixtures/models/tiny.mtsl";
const version = (JSON.parse(readFileSync("package.json", "utf8")) as { version: string }).version;

async function trainTwice(backend: string, threads: string): Promise<[string, string]> {
  const runs: [string, string] = [join(dir, `${backend}-a`), join(dir, `${backend}-b`)];
  for (const run of runs) {
    const r = await mtslc([
      "train",
      FILE,
      "-o",
      run,
      "--backend",
      backend,
      "--threads",
      threads,
      "--seed",
      "3",
      "--epochs",
      "2",
      "--train-limit",
      "64",
      "-q",
    ]);
    expect(r.code, r.stderr).toBe(0);
  }
  return runs;
}

function expectSameRun([a, b]: [string, string]): void {
  const wa = readCheckpoint(join(a, "checkpoint.ckpt")).weights;
  const wb = readCheckpoint(join(b, "checkpoint.ckpt")).weights;
  expect([...wa.keys()]).toEqual([...wb.keys()]);
  for (const [k, v] of wa)
    expect(Buffer.from(wb.get(k)!.values.buffer).equals(Buffer.from(v.values.buffer)), k).toBe(true);
  expect(readFileSync(join(a, "final.json"), "utf8")).toBe(readFileSync(join(b, "final.json"), "utf8"));
  const cka = (run: string): unknown =>
    readFileSync(join(run, "structure.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => (JSON.parse(l) as { sets: unknown }).sets);
  expect(cka(a)).toEqual(cka(b));
}

describe("the same seed, backend and threads", () => {
  it("give the same bytes on cpu", async () => {
    expectSameRun(await trainTwice("cpu", "1"));
  }, 120_000);

  it("give the same bytes on onednn with 2 threads", async (ctx) => {
    if (onednn === null) ctx.skip();
    expectSameRun(await trainTwice("onednn", "2"));
  }, 120_000);
});

describe("run.json", () => {
  // Resumed on cpu after onednn trained in this process: the two Conv2D gradients registered
  // once each (they used to wrap each other and overflow the stack on the first cpu step).
  it("records every invocation: command line, date, mtsl version, backend and threads", async () => {
    const run = join(dir, "cpu-a");
    const info = (): { history: Record<string, unknown>[]; threads: number } =>
      JSON.parse(readFileSync(join(run, "run.json"), "utf8")) as never;
    const [first] = info().history;
    expect(first).toMatchObject({ resumed: false, mtsl: version, backend: "cpu", threads: 1 });
    expect(first!["command"]).toEqual(expect.arrayContaining(["mtslc", "train", FILE, "--seed", "3"]));
    expect(Number.isNaN(Date.parse(String(first!["startedAt"])))).toBe(false);
    const r = await mtslc([
      "train",
      FILE,
      "-o",
      run,
      "--backend",
      "cpu",
      "--seed",
      "3",
      "--epochs",
      "3",
      "--resume",
      "--train-limit",
      "64",
      "-q",
    ]);
    expect(r.code, r.stderr).toBe(0);
    const history = info().history;
    expect(history.length).toBe(2);
    expect(history[0]).toEqual(first);
    expect(history[1]).toMatchObject({ resumed: true, mtsl: version });
  }, 120_000);
});
