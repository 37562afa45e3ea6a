/** Small trained runs for the eval and report tests: the tiny config, a few epochs, in os.tmpdir(). */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { run } from "../../../cli/mtslc.js";
import type { CliContext } from "../../../cli/io.js";

export const TINY = join(import.meta.dirname, "..", "eval", "fixtures", "tiny.mtsl");

/** A context that records what a command prints. */
export function captureContext(): CliContext & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return {
    stdout: { write: (t) => void out.push(t), isTTY: false },
    stderr: { write: (t) => void err.push(t), isTTY: false },
    cwd: process.cwd(),
    env: { NO_COLOR: "1" },
    out,
    err,
  };
}

/** Trains the tiny MTSL run and its single-task baseline into a fresh temporary folder. */
export async function trainTinyRuns(): Promise<{ root: string; mtsl: string; stl: string }> {
  const root = mkdtempSync(join(tmpdir(), "mtsl-eval-"));
  const mtsl = join(root, "mtsl");
  const stl = join(root, "stl");
  for (const [out, extra] of [
    [mtsl, []],
    [stl, ["--baseline", "stl"]],
  ] as const) {
    const ctx = captureContext();
    const code = await run(
      ["train", TINY, "-o", out, "--backend", "wasm", "--epochs", "3", "--train-limit", "128", "-q", ...extra],
      ctx,
    );
    if (code !== 0) throw new Error(`training ${out} failed: ${ctx.err.join("")}`);
  }
  return { root, mtsl, stl };
}
