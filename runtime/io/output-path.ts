/**
 * Output paths checked before any work starts, so an impossible one is a coded error naming
 * the path the user gave (MTSL3205), not a hang (a recursive mkdir under /proc never returns),
 * an "internal error" after minutes of training, or a message about an internal temp file.
 */
import { accessSync, constants, existsSync, mkdirSync, statSync, statfsSync } from "node:fs";
import { dirname, resolve } from "node:path";

import { MtslError } from "../errors.js";

/** File systems that hold no user files (statfs magic numbers): nothing is written there. */
const VIRTUAL_FILE_SYSTEMS = new Map<number, string>([
  [0x9fa0, "proc"],
  [0x62656572, "sysfs"],
  [0x1cd1, "devpts"],
  [0x27e0eb, "cgroup"],
  [0x63677270, "cgroup2"],
  [0x64626720, "debugfs"],
  [0x73636673, "securityfs"],
  [0x74726163, "tracefs"],
]);

function refuse(path: string, why: string, option: string | undefined): never {
  throw new MtslError("MTSL3205", `cannot write here: ${why}`, {
    file: path,
    ...(option === undefined ? {} : { option }),
  });
}

/** The nearest folder at or above `path` that exists, and whether a file stands in the way. */
function nearestExisting(path: string): string {
  let current = resolve(path);
  while (!existsSync(current)) {
    const parent = dirname(current);
    if (parent === current) break;
    current = parent;
  }
  return current;
}

/** Throws MTSL3205 unless files can be created in the existing folder `dir`. */
function checkWritableFolder(dir: string, given: string, option: string | undefined): void {
  if (!statSync(dir).isDirectory()) {
    refuse(given, `${dir} is a file, not a folder`, option);
  }
  try {
    const type = VIRTUAL_FILE_SYSTEMS.get(Number(statfsSync(dir).type));
    if (type !== undefined) refuse(given, `${dir} is on the ${type} file system, which holds no files`, option);
  } catch (error) {
    if (error instanceof MtslError) throw error;
  }
  try {
    accessSync(dir, constants.W_OK | constants.X_OK);
  } catch {
    refuse(given, `the folder ${dir} is not writable`, option);
  }
}

/**
 * Checks that `path` is, or can be made, a folder to write into: nothing on the way is a
 * file, and the nearest existing folder is writable on a real file system. Creates nothing.
 */
export function checkOutputFolder(path: string, option?: string): void {
  if (existsSync(path)) {
    checkWritableFolder(resolve(path), path, option);
    return;
  }
  checkWritableFolder(nearestExisting(path), path, option);
}

/** Checks that the file `path` can be written: not a folder, in an existing, writable folder. */
export function checkOutputFile(path: string, option?: string): void {
  if (existsSync(path) && statSync(path).isDirectory()) refuse(path, "it is a folder, not a file", option);
  const dir = dirname(resolve(path));
  if (!existsSync(dir)) {
    const existing = nearestExisting(dir);
    if (existsSync(existing) && !statSync(existing).isDirectory()) {
      refuse(path, `${existing} is a file, not a folder`, option);
    }
    refuse(path, `the folder ${dir} does not exist`, option);
  }
  checkWritableFolder(dir, path, option);
}

/** Makes the folder `path` one level at a time (no recursive mkdir, which can spin), after checking it. */
export function ensureOutputFolder(path: string, option?: string): void {
  checkOutputFolder(path, option);
  const missing: string[] = [];
  for (let p = resolve(path); !existsSync(p); p = dirname(p)) missing.unshift(p);
  for (const dir of missing) {
    try {
      mkdirSync(dir);
    } catch (error) {
      refuse(path, `cannot make the folder ${dir} (${(error as NodeJS.ErrnoException).code ?? "error"})`, option);
    }
  }
}
