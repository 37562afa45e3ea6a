/**
 * The thread count is an explicit setting: `--threads`, recorded in run.json, kept by
 * `--resume`, and a warning when it cannot apply or changes on resume.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { onednn } from "../runtime/onednn/available.js";
import { mtslc } from "./helpers.js";

const dir = mkdtempSync(join(tmpdir(), "mtsl-threads-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const FILE = "test/fixtures/models/tiny.mtsl";
const runJson = (run: string): { backend: string; threads: number | null; backendDescription: string } =>
  JSON.parse(readFileSync(join(run, "run.json"), "utf8")) as never;

describe("mtslc train --threads", () => {
  it("says when the backend cannot use the count, and records the one it computes with", async () => {
    const run = join(dir, "cpu");
    const r = await mtslc([
      "train",
      FILE,
      "-o",
      run,
      "--backend",
      "cpu",
      "--threads",
      "2",
      "--epochs",
      "1",
      "--train-limit",
      "32",
      "-q",
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain("mtslc: warning: --threads 2 has no effect on backend cpu (it computes on 1)");
    expect(runJson(run).threads).toBe(1);
  }, 60_000);

  it("rejects a count that is not a positive integer", async () => {
    for (const bad of ["0", "1.5", "two"]) {
      const r = await mtslc(["train", FILE, "-o", join(dir, "bad"), "--threads", bad]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/--threads/);
    }
  });

  it("on onednn, sets the count, records it, and keeps it on resume unless told otherwise", async (ctx) => {
    if (onednn === null) ctx.skip();
    const saved = process.env["MTSL_ONEDNN_THREADS"];
    delete process.env["MTSL_ONEDNN_THREADS"];
    try {
      const run = join(dir, "onednn");
      const common = ["--backend", "onednn", "--train-limit", "32", "-q"];
      const first = await mtslc(["train", FILE, "-o", run, "--threads", "2", "--epochs", "1", ...common]);
      expect(first.code, first.stderr).toBe(0);
      expect(runJson(run).threads).toBe(2);
      expect(runJson(run).backendDescription).toContain("2 threads");

      // Resumed without --threads: the run's own count, even though the process default differs.
      const { setThreads } = (await import("mtsl-onednn" as string)) as { setThreads(n: number): void };
      setThreads(1);
      const resumed = await mtslc(["train", FILE, "-o", run, "--resume", "--epochs", "2", ...common]);
      expect(resumed.code, resumed.stderr).toBe(0);
      expect(resumed.stderr).not.toContain("resumes with");
      expect(runJson(run).threads).toBe(2);

      // Resumed with another count: done, and said.
      const changed = await mtslc(["train", FILE, "-o", run, "--resume", "--epochs", "3", "--threads", "1", ...common]);
      expect(changed.code, changed.stderr).toBe(0);
      expect(changed.stderr).toContain(
        "mtslc: warning: the run was trained with 2 threads and resumes with 1; the result can differ in the last bits",
      );
      expect(runJson(run).threads).toBe(1);
    } finally {
      if (saved === undefined) delete process.env["MTSL_ONEDNN_THREADS"];
      else process.env["MTSL_ONEDNN_THREADS"] = saved;
    }
  }, 120_000);
});
