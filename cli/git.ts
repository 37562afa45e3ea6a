/**
 * `mtslc train --git`: commits the run's `tree.mtsl` (the architecture, rewritten in place
 * at every revision) in the git repository that holds the run folder (or in a repository
 * made in the run folder), once per revision, so `git log -p` shows each merge as a change.
 * Only that file is committed (`git commit -- PATH`), never anything else; it is added with
 * `-f`, so a run folder the repository ignores (`runs/` in .gitignore) is committed too.
 */
import { execFileSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { dirname, relative, resolve } from "node:path";

export function git(cwd: string, args: string[]): string {
  return execFileSync("git", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
}

/** The top of the repository holding `dir`; makes one in `dir` when there is none. */
export function ensureRepository(dir: string): string {
  const root = repositoryOf(dir);
  if (root !== null) return root;
  git(dir, ["init", "-q"]);
  return git(dir, ["rev-parse", "--show-toplevel"]);
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

/**
 * `--git PATH`: the file each revision is written to and committed, checked before training:
 * inside a git repository, and, when it exists, tracked and unmodified (its text is in git's
 * history, so replacing it loses nothing).
 */
export function trackedTarget(path: string): { repo: string; path: string } | { refusal: string } {
  const folder = dirname(path);
  const repo = existsSync(folder) ? repositoryOf(folder) : null;
  if (repo === null) return { refusal: `${folder} is not inside a git repository` };
  if (existsSync(path)) {
    if (!statSync(path).isFile()) return { refusal: `${path} is not a file` };
    try {
      git(repo, ["ls-files", "--error-unmatch", "--", path]);
    } catch {
      return {
        refusal: `${path} exists and git does not track it: each revision would replace it; commit it first or name another file`,
      };
    }
    try {
      git(repo, ["diff", "--quiet", "HEAD", "--", path]);
    } catch {
      return {
        refusal: `${path} has changes not committed: each revision would replace them; commit or stash them first`,
      };
    }
  }
  return { repo, path };
}
