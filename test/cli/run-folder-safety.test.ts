/**
 * A run folder is never silently replaced or misread (issue 14, point 1): training into a
 * folder that holds a run needs --resume or --force; --resume refuses a folder with nothing to
 * resume, a run of another model (saying what differs) and a finished run unless --epochs
 * extends it. Every refusal writes nothing. A run stopped before its first checkpoint resumes
 * from the start, one stopped before its test scores resumes to them.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { mtslc } from "./helpers.js";

const dir = mkdtempSync(join(tmpdir(), "mtsl-run-safety-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const FILE = "test/fixtures/models/tiny.mtsl";
const run = join(dir, "run");
const opts = ["--backend", "cpu", "--train-limit", "32", "-q"];
const lines = (path: string): number => readFileSync(path, "utf8").trim().split("\n").length;
/** Every run file's size and modification time: what a refusal must leave alone. */
const snapshot = (folder: string): string =>
  ["run.json", "metrics.jsonl", "final.json", "checkpoint.ckpt", "model.mtsl"]
    .map((f) =>
      existsSync(join(folder, f))
        ? `${f}:${statSync(join(folder, f)).size}:${statSync(join(folder, f)).mtimeMs}`
        : `${f}:-`,
    )
    .join(" ");

describe("training into a folder that holds a run", () => {
  it("refuses without --resume or --force, and writes nothing", async () => {
    const first = await mtslc(["train", FILE, "-o", run, "--epochs", "2", ...opts]);
    expect(first.code, first.stderr).toBe(0);
    const before = snapshot(run);
    const again = await mtslc(["train", FILE, "-o", run, "--epochs", "2", ...opts]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("MTSL3203");
    expect(again.stderr).toContain("--resume");
    expect(again.stderr).toContain("--force");
    expect(snapshot(run)).toBe(before);
  }, 120_000);

  it("refuses --resume of a finished run, and trains it on with --epochs", async () => {
    const before = snapshot(run);
    const finished = await mtslc(["train", FILE, "-o", run, "--epochs", "2", "--resume", ...opts]);
    expect(finished.code).toBe(1);
    expect(finished.stderr).toContain("MTSL3204");
    expect(finished.stderr).toContain("epoch 2 of 2");
    expect(snapshot(run)).toBe(before);
    const extended = await mtslc(["train", FILE, "-o", run, "--epochs", "3", "--resume", ...opts]);
    expect(extended.code, extended.stderr).toBe(0);
    expect(lines(join(run, "metrics.jsonl"))).toBe(3);
    expect(JSON.parse(readFileSync(join(run, "final.json"), "utf8")).epoch).toBe(3);
  }, 120_000);

  it("resumes a run stopped after its last checkpoint, before its test scores, to those scores", async () => {
    const scores = readFileSync(join(run, "final.json"), "utf8");
    rmSync(join(run, "final.json"));
    const r = await mtslc(["train", FILE, "-o", run, "--epochs", "3", "--resume", ...opts]);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(join(run, "final.json"), "utf8")).toBe(scores);
    expect(lines(join(run, "metrics.jsonl"))).toBe(3);
  }, 120_000);

  it("resumes a run stopped before its first checkpoint from the start", async () => {
    const early = join(dir, "early");
    const whole = join(dir, "whole");
    for (const out of [early, whole]) {
      const r = await mtslc(["train", FILE, "-o", out, "--epochs", "1", ...opts]);
      expect(r.code, r.stderr).toBe(0);
    }
    for (const f of ["checkpoint.ckpt", "metrics.jsonl", "final.json", "model.ir.json"]) rmSync(join(early, f));
    const r = await mtslc(["train", FILE, "-o", early, "--epochs", "1", "--resume", ...opts.slice(0, -1)]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain("no checkpoint yet");
    for (const f of ["checkpoint.ckpt", "metrics.jsonl", "final.json"])
      expect(readFileSync(join(early, f)).equals(readFileSync(join(whole, f))), f).toBe(true);
  }, 120_000);

  it("refuses --resume with another model, saying what differs, and writes nothing", async () => {
    const other = join(dir, "other.mtsl");
    writeFileSync(
      other,
      readFileSync(FILE, "utf8").replace("c2: conv(8, 3, stride: 2) bn relu", "c2: conv(16, 3, stride: 2) bn relu"),
    );
    const before = snapshot(run);
    const r = await mtslc(["train", other, "-o", run, "--epochs", "4", "--resume", ...opts]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("MTSL3202");
    expect(r.stderr).toContain("is not the model the run");
    expect(r.stderr).toMatch(/c2/);
    expect(r.stderr).toMatch(/16/);
    expect(snapshot(run)).toBe(before);
  }, 60_000);

  it("refuses --resume where there is nothing to resume", async () => {
    const empty = join(dir, "empty");
    mkdirSync(empty);
    for (const folder of [empty, join(dir, "missing")]) {
      const r = await mtslc(["train", FILE, "-o", folder, "--resume", ...opts]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain("MTSL3202");
      expect(r.stderr).toContain("nothing to resume");
    }
    expect(existsSync(join(dir, "missing"))).toBe(false);
    expect(existsSync(join(empty, "run.json"))).toBe(false);
  });

  it("replaces the run with --force, keeping files that are not the run's", async () => {
    writeFileSync(join(run, "notes.txt"), "mine\n");
    const r = await mtslc(["train", FILE, "-o", run, "--epochs", "1", "--force", ...opts]);
    expect(r.code, r.stderr).toBe(0);
    expect(lines(join(run, "metrics.jsonl"))).toBe(1);
    expect(readFileSync(join(run, "notes.txt"), "utf8")).toBe("mine\n");
    expect(existsSync(join(run, "revisions", "002.mtsl"))).toBe(false); // the old run's revisions went with it
  }, 120_000);

  it("removes the temp files a kill -9 left between a write and its rename, and nothing else", async () => {
    // pid_max is at most 4194304 on Linux: no process has this id
    const stale = [
      join(run, ".checkpoint.ckpt.4194303.1764756000000.0.tmp"),
      join(run, "revisions", ".001.mtsl.4194303.1.3.tmp"),
    ];
    const kept = [join(run, ".notes.tmp"), join(run, `.metrics.jsonl.${process.pid}.1.0.tmp`)];
    for (const f of [...stale, ...kept]) writeFileSync(f, "partial");
    const r = await mtslc(["train", FILE, "-o", run, "--epochs", "2", "--resume", ...opts]);
    expect(r.code, r.stderr).toBe(0);
    for (const f of stale) expect(existsSync(f), f).toBe(false);
    for (const f of kept) expect(existsSync(f), f).toBe(true);
  }, 120_000);
});
