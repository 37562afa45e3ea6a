import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { runDiff, runDiffCommand, runDiffGit } from "../../cli/commands/diff.js";
import type { CliContext } from "../../cli/io.js";

const scenes = readFileSync(new URL("../fixtures/models/scenes64.mtsl", import.meta.url), "utf8");
const SEPARATE = "stem..dec4: {seg} {depth} {normal} {edge} {ae}";
/** The encoder shared down to enc4, then one network per task. */
const base = scenes.replace(
  SEPARATE,
  "stem..enc4: {seg depth normal edge ae}\n    enc5: {seg} {depth} {normal} {edge} {ae}\n    dec1..dec4: {seg} {depth} {normal} {edge} {ae}",
);

const dir = mkdtempSync(join(tmpdir(), "mtsl-diff-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

function context(): { ctx: CliContext; out: () => string; err: () => string } {
  let out = "";
  let err = "";
  const ctx: CliContext = {
    stdout: { write: (t) => void (out += t) },
    stderr: { write: (t) => void (err += t) },
    cwd: dir,
    env: {},
  };
  return { ctx, out: () => out, err: () => err };
}

/** The one-line edit of a merge at enc5. */
function withMerge(text: string): string {
  const out = text.replace("enc5: {seg} {depth} {normal} {edge} {ae}", "enc5: {seg edge} {depth} {normal} {ae}");
  expect(out).not.toBe(text);
  return out;
}

describe("mtslc diff A B", () => {
  const a = file("a.mtsl", base);
  const b = file("b.mtsl", withMerge(base));

  it("exits 0 when only comments and layout changed", () => {
    const reformatted = file("a2.mtsl", "// revision 2\n" + base.replace("  train {", "\n\n  train   {  // settings"));
    const c = context();
    expect(runDiff(a, reformatted, { format: "text" }, c.ctx)).toBe(0);
    expect(c.out()).toBe(`${a} and ${reformatted}: same architecture\n`);
    expect(c.err()).toBe("");
  });

  it("exits 1 and says what changed when the architectures differ", () => {
    const c = context();
    expect(runDiff(a, b, { format: "text" }, c.ctx)).toBe(1);
    const lines = c.out().split("\n");
    expect(lines[0]).toBe(`${a} -> ${b}: 2 architecture changes`);
    expect(lines.slice(1, 3)).toEqual([
      "sharing:",
      "  enc5: {seg} {edge} merged into {seg edge} (instances enc5@seg, enc5@edge -> enc5@seg+edge)",
    ]);
    expect(c.out()).toContain(
      "model: parameters 856,070 -> 788,102 (-67,968, -7.94%); FLOPs 140,178,432 -> 139,635,456 (-542,976, -0.39%)",
    );
  });

  it("prints JSON with --format json", () => {
    const c = context();
    expect(runDiff(a, b, { format: "json" }, c.ctx)).toBe(1);
    const json = JSON.parse(c.out()) as { equal: boolean; changes: { type: string; stage?: string }[] };
    expect(json.equal).toBe(false);
    expect(json.changes.map((x) => x.type)).toEqual(["GROUPS_MERGED", "MODEL_COST_CHANGED"]);
    expect(json.changes[0]!.stage).toBe("enc5");
  });

  it("exits 2 with rendered diagnostics for a file with errors, and for a missing file", () => {
    const broken = file("broken.mtsl", scenes.replace("dec2: upsample(2)", "dec2: upsample(2"));
    const c = context();
    expect(runDiff(a, broken, { format: "text" }, c.ctx)).toBe(2);
    expect(c.out()).toBe("");
    expect(c.err()).toMatch(/broken\.mtsl:\d+:\d+: error MTSL\d+/);
    expect(c.err()).toContain("does not compile");
    const semantic = file(
      "semantic.mtsl",
      scenes.replace(SEPARATE, "stem..dec4: {seg} {depth} {normal} {edge} {nope}"),
    );
    const s = context();
    expect(runDiff(semantic, a, {}, s.ctx)).toBe(2);
    expect(s.err()).toContain("nope");
    const m = context();
    expect(runDiff(a, join(dir, "missing.mtsl"), {}, m.ctx)).toBe(2);
    expect(m.err()).toContain("no such file");
  });

  it("checks the number of arguments", () => {
    const c = context();
    expect(runDiffCommand([a], {}, c.ctx)).toBe(2);
    expect(c.err()).toContain("expected two files");
    const g = context();
    expect(runDiffCommand([a, b], { git: true }, g.ctx)).toBe(2);
    expect(g.err()).toContain("7 arguments");
    const u = context();
    expect(runDiffCommand(["s.mtsl"], { git: true }, u.ctx)).toBe(0);
    expect(u.out()).toBe("mtsl diff s.mtsl: unmerged, resolve the conflict to compare the architectures\n");
  });
});

describe("mtslc diff --git (external diff driver arguments)", () => {
  const a = file("g-a.mtsl", base);
  const b = file("g-b.mtsl", withMerge(base));
  const hex = "0".repeat(40);

  it("compares the two revisions under the repository path", () => {
    const c = context();
    expect(runDiffGit(["models/scenes.mtsl", a, hex, "100644", b, hex, "100644"], {}, c.ctx)).toBe(0);
    expect(c.out()).toContain("a/models/scenes.mtsl -> b/models/scenes.mtsl: 2 architecture changes");
    expect(c.out()).toContain("enc5: {seg} {edge} merged into {seg edge}");
  });

  it("describes an added or a deleted file (/dev/null on one side)", () => {
    const added = context();
    expect(runDiffGit(["s.mtsl", "/dev/null", ".", ".", b, hex, "100644"], {}, added.ctx)).toBe(0);
    expect(added.out()).toBe(
      "mtsl diff a/s.mtsl b/s.mtsl\nadded: model Scenes: tasks seg depth normal edge ae; 10 stages, 29 stage instances; 788,102 parameters, 139,635,456 FLOPs per sample\n",
    );
    const deleted = context();
    expect(runDiffGit(["s.mtsl", a, hex, "100644", "/dev/null", ".", "."], {}, deleted.ctx)).toBe(0);
    expect(deleted.out()).toMatch(/^mtsl diff a\/s\.mtsl b\/s\.mtsl\ndeleted: model Scenes: /);
  });

  it("shows the diagnostics of a revision that does not compile and still exits 0, so git goes on", () => {
    const broken = file("g-broken.mtsl", scenes.replace("task seg:", "task seg"));
    const c = context();
    expect(runDiffGit(["s.mtsl", a, hex, "100644", broken, hex, "100644"], {}, c.ctx)).toBe(0);
    expect(c.out()).toContain("cannot compare the architectures");
    expect(c.out()).toMatch(/b\/s\.mtsl:\d+:\d+: error MTSL\d+/);
  });
});

describe("git diff with the mtsl driver", () => {
  const root = fileURLToPath(new URL("../../", import.meta.url));
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;
  const driver = join(dir, "mtslc-diff-driver.mjs");
  writeFileSync(
    driver,
    [
      `import { runDiffCommand } from ${JSON.stringify(pathToFileURL(join(root, "cli/commands/diff.ts")).href)};`,
      `import { defaultContext } from ${JSON.stringify(pathToFileURL(join(root, "cli/io.ts")).href)};`,
      `process.exitCode = runDiffCommand(process.argv.slice(2), { git: true }, defaultContext());`,
      "",
    ].join("\n"),
  );
  const repo = join(dir, "repo");
  mkdirSync(repo);
  const env = {
    ...process.env,
    HOME: dir,
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_CONFIG_GLOBAL: join(dir, "no-gitconfig"),
    GIT_AUTHOR_NAME: "t",
    GIT_AUTHOR_EMAIL: "t@example.com",
    GIT_COMMITTER_NAME: "t",
    GIT_COMMITTER_EMAIL: "t@example.com",
  };
  const git = (...args: string[]): string => execFileSync("git", args, { cwd: repo, env, encoding: "utf8" });
  const command = `node --import '${tsx}' '${driver}'`;

  it("explains a one-line sharing change in words, and an added file", { timeout: 60_000 }, () => {
    git("init", "-q", "-b", "main");
    writeFileSync(join(repo, ".gitattributes"), "*.mtsl diff=mtsl\n");
    writeFileSync(join(repo, "scenes.mtsl"), base);
    git("add", ".");
    git("commit", "-q", "-m", "separate networks");
    writeFileSync(join(repo, "scenes.mtsl"), withMerge(base));
    git("commit", "-q", "-am", "merge seg and edge at enc5");

    const out = git(
      "-c",
      `diff.mtsl.command=${command}`,
      "-c",
      "color.ui=never",
      "--no-pager",
      "diff",
      "HEAD~1",
      "HEAD",
    );
    expect(out).toContain("a/scenes.mtsl -> b/scenes.mtsl: 2 architecture changes");
    expect(out).toContain("enc5: {seg} {edge} merged into {seg edge} (instances enc5@seg, enc5@edge -> enc5@seg+edge)");
    expect(out).toContain("model: parameters 856,070 -> 788,102");
    // Without the driver git shows lines, not words.
    expect(git("--no-pager", "diff", "HEAD~1", "HEAD")).toContain("+    enc5: {seg edge} {depth} {normal} {ae}");

    const first = git(
      "-c",
      `diff.mtsl.command=${command}`,
      "--no-pager",
      "show",
      "--ext-diff",
      "--format=",
      "HEAD~1",
      "--",
      "scenes.mtsl",
    );
    expect(first).toContain(
      "added: model Scenes: tasks seg depth normal edge ae; 10 stages, 30 stage instances; 856,070 parameters",
    );
  });
});
