/**
 * Atomic file writes: write a temporary file beside the target, flush it, then
 * rename it over the target, so a reader (or a crash) never sees half a file and
 * a file the user had is never lost.
 */
import { closeSync, existsSync, fsyncSync, openSync, readdirSync, renameSync, rmSync, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { failpoint } from "./failpoint.js";

let counter = 0;

export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${Date.now()}.${counter++}.tmp`);
  let fd: number | null = null;
  try {
    fd = openSync(tmp, "wx", 0o644);
    const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : data;
    let written = 0;
    while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written);
    failpoint("write", basename(path));
    fsyncSync(fd);
    closeSync(fd);
    fd = null;
    failpoint("rename", basename(path));
    renameSync(tmp, path);
  } catch (error) {
    if (fd !== null) closeSync(fd);
    rmSync(tmp, { force: true });
    // Name the file the caller asked for, not the temporary one beside it.
    if (error instanceof Error) error.message = error.message.split(tmp).join(path);
    throw error;
  }
}

/** The temporary files writeFileAtomic makes: `.NAME.PID.MILLISECONDS.COUNTER.tmp`. */
const TEMPORARY = /^\..+\.(\d+)\.\d+\.\d+\.tmp$/;

function processAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Removes the temporary files that writes killed between their write and their rename left in
 * `dir` (a process killed with SIGKILL runs no cleanup): only names of writeFileAtomic's
 * pattern, only of processes that no longer run. Returns the names removed.
 */
export function removeStaleTemporaries(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const removed: string[] = [];
  for (const name of readdirSync(dir)) {
    const m = TEMPORARY.exec(name);
    if (!m || processAlive(Number(m[1]))) continue;
    rmSync(join(dir, name), { force: true });
    removed.push(name);
  }
  return removed;
}
