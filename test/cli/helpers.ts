import { run } from "../../cli/mtslc.js";
import type { CliContext } from "../../cli/io.js";

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `mtslc ARGS` in-process and captures its output. */
export async function mtslc(args: string[], cwd = process.cwd()): Promise<CliResult> {
  let stdout = "";
  let stderr = "";
  const ctx: CliContext = {
    stdout: { write: (t) => void (stdout += t), isTTY: false },
    stderr: { write: (t) => void (stderr += t), isTTY: false },
    cwd,
    env: { NO_COLOR: "1" },
  };
  const code = await run(args, ctx);
  return { code, stdout, stderr };
}

/** Trains test/fixtures/models/tiny.mtsl for one epoch into `run` (the exporters' and predict's trained run). */
export async function trainTiny(run: string, backend: "cpu" | "wasm" = "cpu"): Promise<CliResult> {
  return mtslc(["train", "test/fixtures/models/tiny.mtsl", "-o", run, "--backend", backend, "-q", "--epochs", "1"]);
}
