/**
 * Kill -9 anywhere resumes to the same run (issue 19, point 3). Training runs as a child
 * process that kills itself with SIGKILL at a failpoint (runtime/io/failpoint.ts: a training
 * step, inside a structural-learning phase, a knowledge-transfer step, between an atomic
 * write's temp file and its flush, between the flush and the rename), chosen at random among
 * the moments an uninterrupted run of the same file passes through; `--resume` then finishes
 * it, and every file of the run folder must be byte for byte the uninterrupted run's: weights,
 * metrics, the structure log, every revision and its checkpoint, no temp file left. Only
 * run.json (who trained the folder, when) and timing.jsonl (how long each epoch took) depend
 * on the clock, by design.
 *
 * Seeded: KILL_SEED=n replays a failure (the seed is in every message); KILL_CASES=n runs n
 * kills per kind of moment (default 2).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Rng } from "../../runtime/random.js";

const FILE = "test/fixtures/models/tiny.mtsl";
const ARGS = ["--backend", "cpu", "--train-limit", "64", "-q"];
/** The run files that record the clock: who trained the folder and when, and how long epochs took. */
const CLOCK_FILES = new Set(["run.json", "timing.jsonl"]);
const KINDS = ["step", "phase", "distill", "write", "rename"] as const;

const seed = Number(process.env["KILL_SEED"] ?? 19);
const perKind = Number(process.env["KILL_CASES"] ?? 2);
const dir = mkdtempSync(join(tmpdir(), "mtsl-kill-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Child {
  status: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

/** `mtslc train FILE -o OUT ARGS...` in a child process, with MTSL_FAILPOINT set to `failpoint`. */
function train(out: string, extra: string[], failpoint = ""): Child {
  const r = spawnSync(
    process.execPath,
    ["--import", "tsx", "cli/main.ts", "train", FILE, "-o", out, ...ARGS, ...extra],
    {
      encoding: "utf8",
      env: { ...process.env, NO_COLOR: "1", MTSL_FAILPOINT: failpoint },
      timeout: 120_000,
    },
  );
  return { status: r.status, signal: r.signal, stderr: r.stderr };
}

/** Every file under `root` (relative paths, sorted) with its bytes. */
function files(root: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) walk(path);
      else out.set(relative(root, path), readFileSync(path));
    }
  };
  walk(root);
  return out;
}

let reference: Map<string, Buffer>;
/** The moments an uninterrupted run passes through, in order: kind, count so far, file written. */
let sequence: { kind: string; at: number; what: string }[] = [];
/** How many times the uninterrupted run passes each kind of moment. */
const moments = new Map<string, number>();

beforeAll(() => {
  const whole = join(dir, "whole");
  const r = train(whole, [], "list");
  expect(r.status, r.stderr).toBe(0);
  sequence = [...r.stderr.matchAll(/^failpoint (\w+) (\d+) ?(.*)$/gm)].map((m) => ({
    kind: m[1]!,
    at: Number(m[2]),
    what: m[3]!,
  }));
  for (const m of sequence) moments.set(m.kind, m.at);
  reference = files(whole);
}, 180_000);

/**
 * The kills to try: `perKind` seeded moments of each kind, and the first write after a seeded
 * epoch checkpoint (between a merge's checkpoint and its revision).
 */
function kills(): { kind: string; at: number }[] {
  const rng = Rng.fromSeed(seed);
  const random = KINDS.flatMap((kind) =>
    Array.from({ length: perKind }, () => ({ kind, at: 1 + rng.int(moments.get(kind) ?? 1) })),
  );
  const checkpoints = sequence.flatMap((m, i) => (m.kind === "rename" && m.what === "checkpoint.ckpt" ? [i] : []));
  const after = checkpoints[rng.int(checkpoints.length - 1)]!; // not the last: a write follows it
  const next = sequence.slice(after).find((m) => m.kind === "write")!;
  return [...random, { kind: "write", at: next.at }];
}

function expectSameRun(run: string, what: string): void {
  const got = files(run);
  const names = (m: Map<string, Buffer>): string[] => [...m.keys()].filter((n) => !CLOCK_FILES.has(n));
  expect(names(got), what).toEqual(names(reference));
  for (const name of names(reference))
    expect(got.get(name)!.equals(reference.get(name)!), `${what}: ${name}`).toBe(true);
}

describe("a training run killed with SIGKILL", () => {
  it("passes through every kind of moment the test kills at", () => {
    for (const kind of KINDS) expect(moments.get(kind) ?? 0, kind).toBeGreaterThan(0);
  });

  it("resumes to the same bytes as the uninterrupted run, wherever it was killed", () => {
    for (const [i, { kind, at }] of kills().entries()) {
      const what = `KILL_SEED=${seed}, kill ${i + 1} at ${kind}:${at}`;
      const run = join(dir, `killed-${i}`);
      const killed = train(run, [], `${kind}:${at}`);
      expect(killed.signal, `${what}: ${killed.stderr}`).toBe("SIGKILL");
      // killed before its end (final.json is the last write); a write killed before its rename
      // left its temp file
      const left = [...files(run).keys()];
      expect(left, what).not.toContain("final.json");
      if (kind === "write" || kind === "rename")
        expect(
          left.some((n) => n.endsWith(".tmp")),
          what,
        ).toBe(true);
      const resumed = train(run, ["--resume"]);
      expect(resumed.status, `${what}: ${resumed.stderr}`).toBe(0);
      expectSameRun(run, what);
    }
  }, 900_000);

  it("resumes to the same bytes when the resume is killed too", () => {
    const rng = Rng.fromSeed(seed + 1);
    const run = join(dir, "killed-twice");
    const first = `step:${1 + rng.int(moments.get("step")!)}`;
    expect(train(run, [], first).signal).toBe("SIGKILL");
    const second = `rename:${1 + rng.int(4)}`;
    expect(train(run, ["--resume"], second).signal, `after ${first}, ${second}`).toBe("SIGKILL");
    const last = train(run, ["--resume"]);
    expect(last.status, last.stderr).toBe(0);
    expectSameRun(run, `KILL_SEED=${seed}: ${first}, then ${second}`);
  }, 300_000);
});
