/**
 * `mtslc train --git`: commits the run's `tree.mtsl` (the architecture, rewritten in place
 * at every revision) in the git repository that holds the run folder (or in a repository
 * made in the run folder), once per revision, so `git log -p` shows each merge as a change.
 * Only that file is committed (`git commit -- PATH`), never anything else; it is added with
 * `-f`, so a run folder the repository ignores (`runs/` in .gitignore) is committed too.
 */
import { execFileSync } from "node:child_process";
import { relative, resolve } from "node:path";

export function git(cwd: string, args: string[]): string {
  return execFileSync("git", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
}

/** The top of the repository holding `dir`; makes one in `dir` when there is none. */
export function ensureRepository(dir: string): string {
  try {
    return git(dir, ["rev-parse", "--show-toplevel"]);
  } catch {
    git(dir, ["init", "-q"]);
    return git(dir, ["rev-parse", "--show-toplevel"]);
  }
}

function identityArgs(root: string): string[] {
  const has = (key: string): boolean => {
    try {
      return git(root, ["config", key]) !== "";
    } catch {
      return false;
    }
  };
  return [
    ...(has("user.name") ? [] : ["-c", "user.name=mtslc"]),
    ...(has("user.email") ? [] : ["-c", "user.email=mtslc@localhost"]),
  ];
}

/** Whether `path` has staged changes. */
function staged(root: string, path: string): boolean {
  try {
    git(root, ["diff", "--cached", "--quiet", "--", path]);
    return false;
  } catch {
    return true;
  }
}

/** Commits exactly `file` with `message` (nothing, when it is committed as it is). */
export function commitFile(root: string, file: string, message: string): void {
  const path = relative(root, resolve(file));
  git(root, ["add", "-f", "--", path]);
  // Nothing staged: the file is committed as it is (a resumed run writes a revision again).
  if (!staged(root, path)) return;
  git(root, [...identityArgs(root), "commit", "-q", "-m", message, "--", path]);
}

/** The top of the repository holding `dir`, or null when it is in none. */
export function repositoryOf(dir: string): string | null {
  try {
    return git(dir, ["rev-parse", "--show-toplevel"]);
  } catch {
    return null;
  }
}
