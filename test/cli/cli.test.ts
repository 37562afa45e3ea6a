import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { mtslc } from "./helpers.js";

const dir = mkdtempSync(join(tmpdir(), "mtsl-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("mtslc check", () => {
  it("exits 0 on the examples", async () => {
    const r = await mtslc(["check", "examples/scenes.mtsl", "examples/multimnist.mtsl"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("examples/scenes.mtsl: ok");
  });

  it("exits 1 with rendered diagnostics on errors, and reports several in one run", async () => {
    const file = join(dir, "bad.mtsl");
    writeFileSync(file, "model M {\n  input image: f32[8, 8 3]\n  backbone {\n    s: conv(4) $\n  }\n}\n");
    const r = await mtslc(["check", file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${file}:2:25: error MTSL0004: expected ']' but found '3'`);
    expect(r.stderr).toContain(`${file}:4:16: error MTSL0001: unexpected character '$'`);
    expect(r.stderr).toMatch(/\n2 \| {3}input image: f32\[8, 8 3\]\n {2}\| {25}\^/);
  });

  it("suggests the closest name for a misspelt one", async () => {
    const file = join(dir, "typo.mtsl");
    writeFileSync(
      file,
      readFileSync("examples/multimnist.mtsl", "utf8").replace(
        "conv2: conv(32, 3) bn relu",
        "conv2: conv(32, 3) bn rleu",
      ),
    );
    const r = await mtslc(["check", file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/MTSL1031: .*rleu/);
    expect(r.stderr).toContain("did you mean 'relu'?");
  });

  it("prints JSON for editors", async () => {
    const file = join(dir, "bad-json.mtsl");
    writeFileSync(file, "model M { train { epochs: } }\n");
    const r = await mtslc(["check", "--format", "json", file]);
    expect(r.code).toBe(1);
    const json = JSON.parse(r.stdout) as { file: string; code: string; span: { start: { line: number } } }[];
    expect(json[0]).toMatchObject({ file, code: "MTSL0005", span: { start: { line: 1 } } });
  });

  it("refuses what compile refuses: every shape and binding error, in text and JSON, as compile --json", async () => {
    const file = join(dir, "shapes.mtsl");
    let text = readFileSync("examples/scenes.mtsl", "utf8");
    for (const [from, to] of [
      ["task seg: segmentation(classes: 6)", "task seg: segmentation(classes: 5)"],
      ["head: upsample(2) conv(1, 1)", "head: conv(1, 1)"],
    ] as const) {
      expect(text.includes(from), from).toBe(true);
      text = text.replace(from, to);
    }
    writeFileSync(file, text);
    const checked = await mtslc(["check", file]);
    expect(checked.code).toBe(1);
    expect(checked.stderr).toContain("MTSL2009");
    expect(checked.stderr).toContain("MTSL2006");
    const json = await mtslc(["check", "--format", "json", file]);
    const fromCheck = (JSON.parse(json.stdout) as { code: string }[]).map((d) => d.code);
    const compiled = await mtslc(["compile", file, "-o", join(dir, "shapes-out"), "--json"]);
    expect(compiled.code).toBe(1);
    const fromCompile = (JSON.parse(compiled.stdout) as { diagnostics: { code: string }[] }).diagnostics;
    expect(fromCompile.map((d) => d.code)).toEqual(fromCheck);
    expect(fromCheck.filter((c) => c.startsWith("MTSL2")).length).toBeGreaterThanOrEqual(2);
  });

  it("exits 2 for a missing file and for usage errors", async () => {
    expect((await mtslc(["check", join(dir, "nope.mtsl")])).code).toBe(2);
    expect((await mtslc(["check"])).code).toBe(2);
    expect((await mtslc(["frobnicate"])).code).toBe(2);
  });
});

describe("mtslc fmt", () => {
  it("--check names files that would change and exits 1; --write fixes them atomically", async () => {
    const file = join(dir, "messy.mtsl");
    writeFileSync(file, readFileSync("examples/multimnist.mtsl", "utf8").replace("  task left", "\n\n\n  task   left"));
    const check = await mtslc(["fmt", "--check", file]);
    expect(check.code).toBe(1);
    expect(check.stderr).toContain(`would reformat ${file}`);
    const write = await mtslc(["fmt", "--write", file]);
    expect(write.code).toBe(0);
    expect(readFileSync(file, "utf8")).toBe(readFileSync("examples/multimnist.mtsl", "utf8"));
    expect((await mtslc(["fmt", "--check", file])).code).toBe(0);
  });

  it("refuses a file with syntax errors and leaves it untouched", async () => {
    const file = join(dir, "broken.mtsl");
    writeFileSync(file, "model M { task a: b { head: } }\n");
    const r = await mtslc(["fmt", "--write", file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("not formatted: it has syntax errors");
    expect(readFileSync(file, "utf8")).toBe("model M { task a: b { head: } }\n");
  });

  it("prints the canonical text to stdout by default", async () => {
    const r = await mtslc(["fmt", "examples/scenes.mtsl"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(readFileSync("examples/scenes.mtsl", "utf8"));
  });
});

describe("mtslc compile", () => {
  it("writes the IR and the TypeScript model and prints a summary", async () => {
    const out = join(dir, "out");
    copyFileSync("examples/multimnist.mtsl", join(dir, "multimnist.mtsl"));
    const r = await mtslc(["compile", join(dir, "multimnist.mtsl"), "-o", out]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/conv1@left\s+left\s+\[14, 14, 16\]/);
    expect(r.stdout).toContain("one network per task:");
    expect(readFileSync(join(out, "multimnist.ir.json"), "utf8")).toBe(
      readFileSync("test/golden/ir/multimnist.ir.json", "utf8"),
    );
    expect(readFileSync(join(out, "multimnist.model.ts"), "utf8")).toBe(
      readFileSync("test/golden/codegen/multimnist.model.ts", "utf8"),
    );
  });

  it("exits 1 on a shape error and 2 on an unknown --emit kind", async () => {
    const file = join(dir, "shape.mtsl");
    writeFileSync(
      file,
      readFileSync("examples/multimnist.mtsl", "utf8").replace("fc1: dense(64) relu", "fc1: dense(64) relu conv(4)"),
    );
    const r = await mtslc(["compile", file, "-o", join(dir, "x")]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("error MTSL2001");
    expect((await mtslc(["compile", "examples/multimnist.mtsl", "--emit", "pdf"])).code).toBe(2);
  });

  it("writes the IR as text with --emit text, as the golden file has it", async () => {
    const out = join(dir, "text");
    const r = await mtslc(["compile", "examples/multimnist.mtsl", "-o", out, "--emit", "text", "-q"]);
    expect(r.code).toBe(0);
    expect(readFileSync(join(out, "multimnist.ir.txt"), "utf8")).toBe(
      readFileSync("test/golden/ir/multimnist.ir.txt", "utf8"),
    );
  });
});

describe("mtslc --version and --help", () => {
  it("prints the package version", async () => {
    const r = await mtslc(["--version"]);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe((JSON.parse(readFileSync("package.json", "utf8")) as { version: string }).version);
  });

  it("lists every command", async () => {
    const r = await mtslc(["--help"]);
    expect(r.code).toBe(0);
    for (const c of ["check", "fmt", "compile", "graph", "diff", "train"]) expect(r.stdout).toContain(c);
  });
});
