/**
 * The PyTorch peer of the training benchmark: Debian's `python3-torch` (1.13) under
 * Debian's own `/usr/bin/python3` (another `python3` earlier on PATH does not see it).
 * Nothing here downloads anything except through apt, and only when asked (`--install`).
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

/** Debian's Python, which sees the python3-torch package. */
export const DEBIAN_PYTHON = "/usr/bin/python3";

/** The Debian packages that provide PyTorch and a threaded BLAS for it. */
export const TORCH_PACKAGES = ["python3-torch", "libopenblas0-pthread"] as const;

/** Environment variables that may be set on these machines and that we unset for the Python child only. */
export const UNSET_FOR_TORCH = ["OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"] as const;

export type TorchStatus = { available: true; version: string } | { available: false; reason: string };

/** Whether `/usr/bin/python3` can import torch, and its version. */
export function torchStatus(): TorchStatus {
  if (!existsSync(DEBIAN_PYTHON)) return { available: false, reason: `${DEBIAN_PYTHON} does not exist` };
  const r = spawnSync(DEBIAN_PYTHON, ["-c", "import torch; print(torch.__version__)"], {
    encoding: "utf8",
    env: torchEnv(),
  });
  if (r.status === 0) return { available: true, version: r.stdout.trim() };
  const last = (r.stderr || r.stdout || "").trim().split("\n").pop() ?? "";
  return { available: false, reason: `${DEBIAN_PYTHON} cannot import torch (${last})` };
}

/** This process's environment without {@link UNSET_FOR_TORCH}, plus `extra`. */
export function torchEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  for (const k of UNSET_FOR_TORCH) delete env[k];
  return env;
}

/** Runs a command with its output passed through; resolves to its exit code. */
function run(command: string, args: readonly string[]): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      stdio: ["ignore", "inherit", "inherit"],
      env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
    });
    child.on("error", () => resolve(127));
    child.on("exit", (code) => resolve(code ?? 1));
  });
}

/**
 * Installs {@link TORCH_PACKAGES} with apt-get (as root: `apt-get update` first).
 * Returns a reason when it could not; null on success.
 */
export async function installTorch(log: (line: string) => void): Promise<string | null> {
  if (typeof process.getuid === "function" && process.getuid() !== 0) {
    return `installing needs root (run: apt-get update && apt-get install -y ${TORCH_PACKAGES.join(" ")})`;
  }
  log(`installing ${TORCH_PACKAGES.join(" ")} with apt-get (apt-get update first)...`);
  if ((await run("apt-get", ["update"])) !== 0) return "apt-get update failed";
  if ((await run("apt-get", ["install", "-y", ...TORCH_PACKAGES])) !== 0) return "apt-get install failed";
  return null;
}
