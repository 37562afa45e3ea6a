/**
 * The package installs and runs as published (issue 14, point 5): `npm pack` (its prepack
 * builds dist/), the tarball installed into a fresh folder, its `mtslc` trains the MultiMNIST
 * example, on oneDNN when this checkout's addon builds (mtsl-onednn travels inside the tarball
 * as a bundled dependency and is compiled at install), with one copy of TensorFlow.js: a
 * program that imports @tensorflow/tfjs and mtsl shares the engine mtsl trained on.
 *
 * The install resolves mtsl's dependencies from npm's cache (`--offline`, as `npm ci` filled
 * it), else from the registry; with neither it is skipped, saying so.
 */
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { onednn } from "../runtime/onednn/available.js";

const root = process.cwd();
const dir = mkdtempSync(join(tmpdir(), "mtsl-pack-"));
const app = join(dir, "app");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The environment without the npm_* variables of an enclosing `npm test`. */
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));

function run(command: string, args: string[], cwd: string): SpawnSyncReturns<string> {
  return spawnSync(command, args, { cwd, env: { ...env, NO_COLOR: "1" }, encoding: "utf8", timeout: 300_000 });
}

let skip = "";

beforeAll(() => {
  const packed = run("npm", ["pack", "--pack-destination", dir, "--silent"], root);
  expect(packed.status, packed.stderr).toBe(0);
  const tarball = join(
    dir,
    readdirSync(dir).find((f) => f.endsWith(".tgz"))!,
  );
  run("mkdir", ["-p", app], dir);
  writeFileSync(join(app, "package.json"), JSON.stringify({ name: "app", private: true, type: "module" }));
  const install = (mode: string): SpawnSyncReturns<string> =>
    run("npm", ["install", mode, "--no-audit", "--no-fund", tarball], app);
  let installed = install("--offline");
  if (installed.status !== 0) installed = install("--prefer-offline");
  if (installed.status !== 0 && /ENOTCACHED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|ECONNREFUSED/.test(installed.stderr)) {
    skip = `skipped: mtsl's dependencies are neither in npm's cache nor reachable (${installed.stderr.split("\n")[0]})`;
    console.warn(skip);
    return;
  }
  expect(installed.status, installed.stderr).toBe(0);
}, 600_000);

describe("the packed tarball, installed into a fresh folder", () => {
  it("carries what the oneDNN path needs, and not the build outputs of this checkout", () => {
    if (skip) return;
    const listed = run(
      "tar",
      [
        "tzf",
        join(
          dir,
          readdirSync(dir).find((f) => f.endsWith(".tgz"))!,
        ),
      ],
      dir,
    ).stdout;
    expect(listed).toContain("package/node_modules/mtsl-onednn/src/conv.cc");
    expect(listed).toContain("package/node_modules/mtsl-onednn/binding.gyp");
    expect(listed).toContain("package/dist/cli/main.js");
    // what mtslc export --format pytorch copies into its folder
    expect(listed).toContain("package/runtime/pytorch/mtsl_torch.py");
    expect(listed).toContain("package/runtime/pytorch/train.py");
    expect(listed).not.toContain("__pycache__");
    expect(listed).not.toContain("mtsl_onednn.node");
    expect(listed).not.toMatch(/package\/(test|bench|runs)\//);
  });

  it("trains the MultiMNIST example with its mtslc", (ctx) => {
    if (skip) ctx.skip();
    const r = run(
      join(app, "node_modules", ".bin", "mtslc"),
      ["train", "node_modules/mtsl/examples/multimnist.mtsl", "-o", "runs/mm", "--epochs", "1", "--train-limit", "256"],
      app,
    );
    expect(r.status, r.stderr).toBe(0);
    expect(existsSync(join(app, "runs", "mm", "final.json"))).toBe(true);
    const out = r.stdout + r.stderr;
    expect(out).not.toContain("already registered");
    expect(out).not.toMatch(/Hi there|speed things up/);
    if (onednn !== null) {
      expect(out).toContain("backend: onednn");
      expect(existsSync(join(app, "node_modules", "mtsl", "node_modules", "mtsl-onednn", "build", "Release"))).toBe(
        true,
      );
    }
  }, 300_000);

  it("shares one TensorFlow.js with the program that imports it", (ctx) => {
    if (skip) ctx.skip();
    writeFileSync(
      join(app, "use.mjs"),
      [
        'import * as tf from "@tensorflow/tfjs";',
        'import { train } from "mtsl";',
        "const result = await train({",
        '  file: "node_modules/mtsl/examples/multimnist.mtsl",',
        '  out: "runs/lib",',
        "  epochs: 1,",
        "  trainLimit: 128,",
        "});",
        "console.log(JSON.stringify({ ok: result.ok, mine: tf.getBackend(), theirs: result.ok ? result.backend.name : null }));",
      ].join("\n"),
    );
    const r = run(process.execPath, ["use.mjs"], app);
    expect(r.status, r.stderr).toBe(0);
    const line = JSON.parse(r.stdout.trim().split("\n").at(-1)!) as { ok: boolean; mine: string; theirs: string };
    expect(line.ok).toBe(true);
    // the program's tf has the backend mtsl chose: one engine, one copy
    expect(line.mine).toBe(line.theirs);
    expect(r.stderr).not.toContain("already registered");
  }, 300_000);
});
