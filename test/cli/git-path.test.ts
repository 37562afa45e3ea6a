/**
 * `--git FILE` and `mtslc git-setup` (issue 14, point 2): each revision rewrites a model file
 * the user tracks, in place, and commits it with the merge in words; the file is checked
 * before training (in a repository; tracked and unmodified when it exists); the rewritten file
 * resumes the run; git-setup points git's diff driver at this mtslc by absolute path, so
 * `git log -p --ext-diff` explains each merge without mtslc on the PATH.
 */
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mtslc } from "./helpers.js";

const root = mkdtempSync(join(tmpdir(), "mtsl-git-path-"));
const repo = join(root, "repo");
const model = join(repo, "models", "tiny.mtsl");
const run = join(repo, "runs", "t");
const env = {
  ...process.env,
  GIT_CONFIG_NOSYSTEM: "1",
  GIT_CONFIG_GLOBAL: join(root, "no-gitconfig"),
  GIT_AUTHOR_NAME: "t",
  GIT_AUTHOR_EMAIL: "t@example.com",
  GIT_COMMITTER_NAME: "t",
  GIT_COMMITTER_EMAIL: "t@example.com",
};
const git = (...args: string[]): string => execFileSync("git", args, { cwd: repo, env, encoding: "utf8" });
const opts = ["--backend", "cpu", "--train-limit", "32", "-q"];

beforeAll(() => {
  mkdirSync(join(repo, "models"), { recursive: true });
  git("init", "-q", "-b", "main");
  copyFileSync("test/fixtures/models/tiny.mtsl", model);
  git("add", "models/tiny.mtsl");
  git("commit", "-q", "-m", "my model");
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("mtslc git-setup", () => {
  it("adds the attribute once and points the driver at this mtslc", async () => {
    for (let i = 0; i < 2; i++) {
      const r = await mtslc(["git-setup", repo]);
      expect(r.code, r.stderr).toBe(0);
    }
    expect(readFileSync(join(repo, ".gitattributes"), "utf8")).toBe("*.mtsl diff=mtsl\n");
    const command = git("config", "--get", "diff.mtsl.command").trim();
    expect(command).toContain(join(process.cwd(), "bin", "mtslc.js"));
    expect(command).toMatch(/ diff --git$/);
    const textconv = await mtslc(["git-setup", "--textconv", repo]);
    expect(textconv.code).toBe(0);
    expect(git("config", "--get", "diff.mtsl.textconv")).toMatch(/ fmt\n$/);
    expect(() => git("config", "--get", "diff.mtsl.command")).toThrow(); // one or the other
    expect((await mtslc(["git-setup", repo])).code).toBe(0);
    git("add", ".gitattributes");
    git("commit", "-q", "-m", "attributes");
  });

  it("refuses a folder outside any repository", async () => {
    const r = await mtslc(["git-setup", tmpdir()]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("not inside a git repository");
  });
});

describe("train --git FILE", () => {
  it("refuses, before training, a file it would lose or cannot commit", async () => {
    const outside = join(tmpdir(), `mtsl-not-a-repo-${process.pid}.mtsl`);
    const notRepo = await mtslc(["train", model, "-o", run, "--git", outside, ...opts]);
    expect(notRepo.code).toBe(2);
    expect(notRepo.stderr).toContain("is not inside a git repository");

    const untracked = join(repo, "models", "mine.mtsl");
    writeFileSync(untracked, "keep me\n");
    const r1 = await mtslc(["train", model, "-o", run, "--git", untracked, ...opts]);
    expect(r1.code).toBe(2);
    expect(r1.stderr).toContain("git does not track it");
    expect(readFileSync(untracked, "utf8")).toBe("keep me\n");
    rmSync(untracked);

    writeFileSync(model, readFileSync(model, "utf8") + "// an edit\n");
    const r2 = await mtslc(["train", model, "-o", run, "--git", model, ...opts]);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toContain("changes not committed");
    git("checkout", "--", "models/tiny.mtsl");
    expect(existsSync(run)).toBe(false);
  });

  it("rewrites the tracked file with each revision and commits it, merges in words", async () => {
    const r = await mtslc(["train", model, "-o", run, "--epochs", "2", "--git", model, ...opts]);
    expect(r.code, r.stderr).toBe(0);
    const subjects = git("log", "--format=%s").trim().split("\n");
    expect(subjects[0]).toMatch(/^merge c2 \{left,right\}/);
    expect(subjects).toContain("mtsl: start tiny");
    const files = new Set(
      git("log", "--format=", "--name-only", "-3")
        .split("\n")
        .filter((l) => l !== ""),
    );
    expect(files).toEqual(new Set(["models/tiny.mtsl"]));
    expect(readFileSync(model, "utf8")).toBe(readFileSync(join(run, "tree.mtsl"), "utf8"));
    if (existsSync(join(process.cwd(), "dist", "cli", "main.js"))) {
      const shown = git("show", "--ext-diff", "HEAD");
      expect(shown, shown).toContain("c2: {left} {right} merged into {left right}");
    }
  }, 120_000);

  it("resumes from the rewritten file and trains on to more epochs", async () => {
    const r = await mtslc(["train", model, "-o", run, "--epochs", "4", "--resume", "--git", model, ...opts]);
    expect(r.code, r.stderr).toBe(0);
    expect(git("log", "--format=%s", "-1").trim()).toMatch(/^merge c3 \{left,right\}/);
    expect(git("status", "--porcelain", "--", "models")).toBe("");
  }, 120_000);
});
