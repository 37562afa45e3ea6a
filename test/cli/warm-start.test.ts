/**
 * `train { warm_start: PATH }` (issue 13, point 1): stages and heads start from another run's
 * weights by name, bit for bit, each copy from the source instance whose tasks include its
 * own; a source that cannot serve (shapes, tasks split over several instances, no checkpoint)
 * is MTSL3206 before training.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readCheckpoint } from "../../runtime/train/checkpoint.js";
import { mtslc } from "./helpers.js";

const dir = mkdtempSync(join(tmpdir(), "mtsl-warm-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const tiny = readFileSync("test/fixtures/models/tiny.mtsl", "utf8");
const opts = ["--backend", "cpu", "--train-limit", "32", "--epochs", "1", "-q"];
const shared = join(dir, "shared");
const separate = join(dir, "separate");

/** tiny.mtsl warm-started from `from`, with `edit` applied. */
function warmFile(name: string, from: string, edit: (s: string) => string = (s) => s): string {
  const file = join(dir, `${name}.mtsl`);
  writeFileSync(file, edit(tiny).replace("    seed: 1\n", `    seed: 1\n    warm_start: ${JSON.stringify(from)}\n`));
  return file;
}

beforeAll(async () => {
  for (const [out, baseline] of [
    [shared, "one"],
    [separate, "stl"],
  ] as const) {
    const r = await mtslc(["train", "test/fixtures/models/tiny.mtsl", "-o", out, "--baseline", baseline, ...opts]);
    expect(r.code, r.stderr).toBe(0);
  }
}, 120_000);

describe("train { warm_start }", () => {
  it("starts every copy of a stage and every head from the source's weights, bit for bit", async () => {
    const out = join(dir, "warm");
    const r = await mtslc(["train", warmFile("warm", shared), "-o", out, ...opts.filter((o) => o !== "-q")]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`warm start from ${join(shared, "checkpoint.ckpt")}`);
    const source = readCheckpoint(join(shared, "checkpoint.ckpt")).weights;
    const start = readCheckpoint(join(out, "revisions", "000.ckpt")).weights;
    let compared = 0;
    for (const [key, value] of start) {
      // c2@left/0.kernel starts from c2@left+right/0.kernel; heads from the same head
      const from = key.replace(/^(c\d)@[\w+]+\//, "$1@left+right/");
      expect(source.has(from), key).toBe(true);
      expect(Buffer.from(value.values.buffer).equals(Buffer.from(source.get(from)!.values.buffer)), key).toBe(true);
      compared++;
    }
    expect(compared).toBe(start.size);
    expect([...start.keys()].some((k) => k.startsWith("c3@left/"))).toBe(true);
  }, 120_000);

  it("refuses a source whose stage has another shape, naming stage, layer and shapes", async () => {
    const file = warmFile("wide", shared, (s) => s.replace("c2: conv(8, 3, stride: 2)", "c2: conv(16, 3, stride: 2)"));
    const r = await mtslc(["train", file, "-o", join(dir, "wide"), ...opts]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /MTSL3206: .*warm_start: stage c2 \(c2@left\) does not fit: its layer 1 \(conv\) weight kernel is \[3, 3, 8, 16\] here and \[3, 3, 8, 8\]/,
    );
  }, 60_000);

  it("refuses a shared stage whose tasks are split over several instances of the source", async () => {
    const file = warmFile("split", separate, (s) =>
      s.replace("c1..c3: {left} {right}", "c1: {left right}\n    c2..c3: {left} {right}"),
    );
    const r = await mtslc(["train", file, "-o", join(dir, "split"), ...opts]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /MTSL3206: .*warm_start: stage c1 of tasks \{left right\} has no one instance .* split over \{left\} \{right\}/,
    );
  }, 60_000);

  it("refuses a path that is no run, revision or checkpoint", async () => {
    for (const path of [join(dir, "nowhere"), dir]) {
      const r = await mtslc(["train", warmFile("missing", path), "-o", join(dir, "missing"), "--force", ...opts]);
      expect(r.code, path).toBe(1);
      expect(r.stderr).toContain("MTSL3206");
    }
  }, 60_000);
});
