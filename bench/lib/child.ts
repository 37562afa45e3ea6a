/**
 * Cold measurements: a benchmark re-runs itself in a fresh Node process (with the
 * tsx loader, as `npm run bench:*` runs it) so that the first call pays for module
 * loading, JIT warm-up and lazy initialisation, as a user's first `mtslc` call does.
 * The child prints one JSON line as the last line of its stdout.
 */
import { spawnSync, type SpawnSyncReturns } from "node:child_process";

/** The flag that puts a benchmark script into child mode. */
export const CHILD_FLAG = "--child";

export interface ChildOptions {
  env?: NodeJS.ProcessEnv;
  /** Kill the child (SIGKILL) after this many ms. */
  timeoutMs?: number;
}

/**
 * Runs `script` in a fresh Node process with `args` after {@link CHILD_FLAG} and
 * returns the JSON value of the last line it printed. Throws with the child's
 * stderr when it fails or times out.
 */
export function runChild<T>(script: string, args: readonly string[], options: ChildOptions = {}): T {
  const result = runScript(script, [CHILD_FLAG, ...args], options);
  if (result.error && (result.error as NodeJS.ErrnoException).code === "ETIMEDOUT") {
    throw new Error(
      `benchmark child ${args.join(" ")} timed out after ${((options.timeoutMs ?? 0) / 1000).toFixed(0)} s`,
    );
  }
  if (result.status !== 0) {
    throw new Error(
      `benchmark child ${script} ${args.join(" ")} failed (exit ${result.status ?? result.signal}):\n${result.stderr}`,
    );
  }
  const lines = result.stdout.trim().split("\n");
  const last = lines[lines.length - 1] ?? "";
  try {
    return JSON.parse(last) as T;
  } catch {
    throw new Error(`benchmark child printed no JSON result; stdout ended with: ${last.slice(0, 200)}`);
  }
}

/** Runs a benchmark script in a fresh Node process with the tsx loader; its output as text. */
export function runScript(
  script: string,
  args: readonly string[],
  options: ChildOptions = {},
): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, ["--import", "tsx", script, ...args], {
    encoding: "utf8",
    env: options.env ?? process.env,
    maxBuffer: 64 * 1024 * 1024,
    ...(options.timeoutMs === undefined ? {} : { timeout: options.timeoutMs, killSignal: "SIGKILL" as const }),
  });
}

/** True when this process was started by {@link runChild}. */
export function isChild(argv: readonly string[] = process.argv): boolean {
  return argv.includes(CHILD_FLAG);
}

/** The arguments after {@link CHILD_FLAG}. */
export function childArgs(argv: readonly string[] = process.argv): string[] {
  const i = argv.indexOf(CHILD_FLAG);
  return i < 0 ? [] : argv.slice(i + 1);
}
