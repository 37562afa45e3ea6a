import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileSource } from "../../compiler/compile.js";
import { lint } from "../../compiler/ir/lint.js";
import { sameIr } from "../../compiler/lift.js";
import { format } from "../../grammar/format.js";
import { readCheckpoint } from "../../runtime/train/checkpoint.js";
import { mtslc, type CliResult } from "./helpers.js";

/** A complete MTSL run on a tiny configuration, through the CLI, on the wasm backend. */
const dir = mkdtempSync(join(tmpdir(), "mtsl-run-"));
const run = join(dir, "run");
const revisions = join(run, "revisions");
let result: CliResult;

beforeAll(async () => {
  execFileSync("git", ["init", "-q", dir]);
  result = await mtslc(["train", "test/fixtures/models/tiny.mtsl", "-o", run, "--backend", "wasm", "--git", "-q"]);
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const revision = (n: number): string => join(revisions, `${String(n).padStart(3, "0")}.mtsl`);
const codeLines = (text: string): string[] => text.split("\n").filter((l) => !l.trimStart().startsWith("//"));
/** stderr without the warnings `-q` still prints. */
const besidesWarnings = (text: string): string =>
  text
    .split("\n")
    .filter((l) => !l.startsWith("mtslc: warning: "))
    .join("\n");

describe("mtslc train with structural learning", () => {
  it("finishes and prints the test metrics", () => {
    expect(besidesWarnings(result.stderr)).toBe("");
    // tiny.mtsl's threshold 0.05 lies below what fresh copies of c1 score: said even with -q
    expect(result.stderr).toMatch(
      /^mtslc: warning: at c1 \(left, right\) freshly initialised copies already have CKA [\d.]+ >= threshold 0.05/m,
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/test metrics after 4 epochs/);
    expect(result.stdout).toMatch(/left\s+accuracy/);
  });

  it("merges at least twice and ends with a valid tree", () => {
    const files = readdirSync(revisions).filter((f) => f.endsWith(".mtsl"));
    expect(files.length).toBeGreaterThanOrEqual(3); // 000 plus at least two merges
    const last = readCheckpoint(join(run, "checkpoint.ckpt"));
    expect(lint(last.ir)).toEqual([]);
    expect(last.ir.instances.length).toBeLessThan(6);
    const structure = readFileSync(join(run, "structure.jsonl"), "utf8").trim().split("\n");
    expect(structure.length).toBeGreaterThanOrEqual(2);
    const phase = JSON.parse(structure[0]!) as {
      sets: { similarity: number[][] }[];
      transfers: { lossBefore: number; lossAfter: number }[];
    };
    expect(phase.sets[0]!.similarity).toHaveLength(2);
    for (const t of phase.transfers) expect(t.lossAfter).toBeLessThan(t.lossBefore);
  });

  it("writes revisions that check, are formatted, and compile to exactly the IR the runtime held", () => {
    for (const f of readdirSync(revisions).filter((x) => x.endsWith(".mtsl"))) {
      const text = readFileSync(join(revisions, f), "utf8");
      expect(format(text).text, f).toBe(text);
      const compiled = compileSource(text);
      expect(
        compiled.diagnostics.filter((d) => d.severity === "error"),
        f,
      ).toEqual([]);
      const ckpt = readCheckpoint(join(revisions, f.replace(".mtsl", ".ckpt")));
      expect(sameIr(compiled.ir!, ckpt.ir), f).toBe(true);
    }
  });

  it("changes only the sharing row of the merged stage from one revision to the next", async () => {
    for (let n = 1; existsSync(revision(n)); n++) {
      const before = codeLines(readFileSync(revision(n - 1), "utf8"));
      const after = codeLines(readFileSync(revision(n), "utf8"));
      const removed = before.filter((l) => !after.includes(l));
      const added = after.filter((l) => !before.includes(l));
      expect(removed.length, `revision ${n}`).toBe(1);
      expect(added.length, `revision ${n}`).toBeLessThanOrEqual(2);
      for (const l of [...removed, ...added]) expect(l).toMatch(/^ {4}\w+(\.\.\w+)?: (\{[\w ]+\} ?)+$/);
      const d = await mtslc(["diff", revision(n - 1), revision(n)]);
      expect(d.code).toBe(1);
      expect(d.stdout).toMatch(/merged into \{left right\}/);
    }
  });

  it("commits the run's tree.mtsl once per revision, in place, with a message naming the merge, and nothing else", () => {
    const log = execFileSync("git", ["-C", dir, "log", "--format=%s", "--name-status"], { encoding: "utf8" });
    expect(log).toMatch(/merge c1 \{left,right\} \(CKA \d\.\d\d\)/);
    const changes = log.split("\n").filter((l) => /^[AMD]\t/.test(l));
    let count = 0;
    while (existsSync(revision(count))) count++;
    expect(changes.length).toBe(count);
    // the first commit adds the file, every later one modifies it: git log -p reads as merges
    expect(changes.at(-1)).toBe("A\trun/tree.mtsl");
    expect(changes.slice(0, -1).every((c) => c === "M\trun/tree.mtsl")).toBe(true);
    expect(readFileSync(join(run, "tree.mtsl"), "utf8")).toBe(readFileSync(revision(count - 1), "utf8"));
  });

  it("commits into a repository whose .gitignore ignores the run folder", async () => {
    const repo = mkdtempSync(join(tmpdir(), "mtsl-git-ignored-"));
    try {
      execFileSync("git", ["init", "-q", repo]);
      writeFileSync(join(repo, ".gitignore"), "runs/\n");
      const r = await mtslc([
        "train",
        "test/fixtures/models/tiny.mtsl",
        "-o",
        join(repo, "runs", "x"),
        "--backend",
        "cpu",
        "--train-limit",
        "32",
        "--git",
        "-q",
      ]);
      expect(r.code, r.stderr).toBe(0);
      const files = execFileSync("git", ["-C", repo, "log", "--format=", "--name-only"], { encoding: "utf8" })
        .split("\n")
        .filter((l) => l !== "");
      expect(files.length).toBeGreaterThan(1);
      expect(new Set(files)).toEqual(new Set(["runs/x/tree.mtsl"]));
    } finally {
      rmSync(repo, { recursive: true, force: true });
    }
  }, 120_000);

  it("shows each merge in git diff as a change of its sharing row (and the header comment)", () => {
    for (let n = 1; existsSync(revision(n)); n++) {
      let patch = "";
      try {
        execFileSync("git", ["diff", "--no-index", "--no-ext-diff", "-U0", revision(n - 1), revision(n)], {
          encoding: "utf8",
        });
      } catch (e) {
        patch = String((e as { stdout: string }).stdout); // git diff --no-index exits 1 when the files differ
      }
      const changed = patch
        .split("\n")
        .filter((l) => /^[-+](?![-+])/.test(l))
        .map((l) => l.slice(1));
      const code = changed.filter((l) => !l.trimStart().startsWith("//"));
      expect(code.length, patch).toBeGreaterThanOrEqual(2);
      for (const l of code) expect(l, patch).toMatch(/^ {4}\w+(\.\.\w+)?: (\{[\w ]+\} ?)+$/);
    }
  });

  it("resumes from a revision into a branch of the run", async () => {
    const r = await mtslc(["train", revision(1), "--resume", "--backend", "wasm", "-q"]);
    expect(besidesWarnings(r.stderr)).toBe("");
    expect(r.code).toBe(0);
    const branch = join(run, "from-001");
    expect(readCheckpoint(join(branch, "checkpoint.ckpt")).epoch).toBe(4);
    expect(readdirSync(join(branch, "revisions")).filter((f) => f.endsWith(".mtsl")).length).toBeGreaterThanOrEqual(1);
  }, 120_000);
});
