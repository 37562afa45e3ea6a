/**
 * `mtslc git-setup [DIR] [--textconv]`: makes git explain `.mtsl` changes in words in the
 * repository that holds DIR (default: the working directory): `*.mtsl diff=mtsl` in the
 * repository's .gitattributes (added once), and the diff driver in its local config, naming
 * this mtslc by absolute path (the Node that runs it and the package's bin/mtslc.js), so git
 * finds it without mtslc on the PATH. `--textconv` sets the lighter textconv filter (`mtslc
 * fmt`: git diffs the canonical layout) instead of the driver. Exit 0 done, 2 not in a
 * repository or mtsl not built.
 */
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { writeFileAtomic } from "../../runtime/io/atomic.js";
import { git, repositoryOf } from "../git.js";
import { EXIT, type CliContext } from "../io.js";
import { packageRoot } from "../version.js";

export interface GitSetupOptions {
  textconv?: boolean;
}

const ATTRIBUTE = "*.mtsl diff=mtsl";

/** `s` quoted for the POSIX shell git runs drivers through. */
function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

export function runGitSetup(dir: string | undefined, options: GitSetupOptions, ctx: CliContext): number {
  const where = resolve(ctx.cwd, dir ?? ".");
  const root = existsSync(where) ? repositoryOf(where) : null;
  if (root === null) {
    ctx.stderr.write(`mtslc git-setup: ${where} is not inside a git repository (run git init there first)\n`);
    return EXIT.usage;
  }
  const pkg = packageRoot();
  const bin = pkg === null ? null : join(pkg, "bin", "mtslc.js");
  if (pkg === null || bin === null || !existsSync(join(pkg, "dist", "cli", "main.js"))) {
    ctx.stderr.write(
      `mtslc git-setup: cannot find a built mtslc to point git at (run npm run build in ${pkg ?? "the mtsl package"})\n`,
    );
    return EXIT.usage;
  }
  const attributes = join(root, ".gitattributes");
  const before = existsSync(attributes) ? readFileSync(attributes, "utf8") : "";
  if (before.split(/\r?\n/).some((line) => /^\*\.mtsl\s(.*\s)?diff=mtsl(\s|$)/.test(line))) {
    ctx.stdout.write(`${attributes} already has ${ATTRIBUTE}\n`);
  } else {
    writeFileAtomic(attributes, before + (before === "" || before.endsWith("\n") ? "" : "\n") + ATTRIBUTE + "\n");
    ctx.stdout.write(`added ${ATTRIBUTE} to ${attributes}\n`);
  }
  const mtslc = `${shellQuote(process.execPath)} ${shellQuote(bin)}`;
  const [key, value, other] = options.textconv
    ? ["diff.mtsl.textconv", `${mtslc} fmt`, "diff.mtsl.command"]
    : ["diff.mtsl.command", `${mtslc} diff --git`, "diff.mtsl.textconv"];
  git(root, ["config", "--local", key, value]);
  // the two are alternatives: a command set as well would take over from the textconv filter
  try {
    git(root, ["config", "--local", "--unset", other]);
  } catch {
    // it was not set
  }
  ctx.stdout.write(`set ${key} = ${value} (in ${join(root, ".git", "config")})\n`);
  ctx.stdout.write(
    options.textconv
      ? "git diff and git log -p now compare .mtsl files in canonical layout\n"
      : "git diff, git show --ext-diff and git log -p --ext-diff now explain .mtsl changes in words\n",
  );
  return EXIT.ok;
}
