/** The CLI's view of the outside world, injectable so commands can be tested in-process. */
import { readFileSync, statSync } from "node:fs";
import { MAX_SOURCE_LENGTH } from "../grammar/parse.js";

export interface Output {
  write(text: string): void;
  isTTY?: boolean;
}

import { isMtslError } from "../runtime/errors.js";

export interface CliContext {
  stdout: Output;
  stderr: Output;
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** The arguments after `mtslc`, as given (set by `run`; recorded in run.json). */
  argv?: readonly string[];
}

export function defaultContext(): CliContext {
  return {
    stdout: { write: (t) => void process.stdout.write(t), isTTY: process.stdout.isTTY },
    stderr: { write: (t) => void process.stderr.write(t), isTTY: process.stderr.isTTY },
    cwd: process.cwd(),
    env: process.env,
  };
}

/** Colour only for terminals, and never when NO_COLOR is set (FORCE_COLOR forces it). */
export function useColor(ctx: CliContext, out: Output): boolean {
  if (ctx.env["NO_COLOR"] !== undefined && ctx.env["NO_COLOR"] !== "") return false;
  if (ctx.env["FORCE_COLOR"] !== undefined && ctx.env["FORCE_COLOR"] !== "0") return true;
  return out.isTTY === true;
}

export type ReadResult = { ok: true; text: string } | { ok: false; message: string };

/** Reads a source file; a missing or unreadable file is a message, not an exception. */
export function readSource(path: string): ReadResult {
  try {
    // Past 3 bytes per character no UTF-8 file is within the parser's limit (MTSL0011 says so
    // for shorter ones): do not read gigabytes to find out.
    const { size } = statSync(path);
    if (size > 3 * MAX_SOURCE_LENGTH) {
      return {
        ok: false,
        message: `cannot read '${path}': it is ${(size / 2 ** 20).toFixed(0)} MiB, more than a .mtsl file may have (${MAX_SOURCE_LENGTH.toLocaleString("en-US")} characters)`,
      };
    }
    return { ok: true, text: readFileSync(path, "utf8") };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === "ENOENT"
        ? "no such file"
        : code === "EISDIR"
          ? "it is a directory"
          : code === "EACCES"
            ? "permission denied"
            : String((error as Error).message);
    return { ok: false, message: `cannot read '${path}': ${reason}` };
  }
}

/** Exit codes, like diff and compilers: 0 fine, 1 problems found, 2 usage or I/O errors. */
export const EXIT = { ok: 0, problems: 1, usage: 2 } as const;

/**
 * Prints a runtime error (an MtslError: coded, with its file) as one line and returns its exit
 * code: usage (2) for an output path that cannot be written (MTSL3205: the path given is
 * wrong), problems (1) for the rest. Null for anything else, which the caller rethrows.
 */
export function reportRuntimeError(ctx: CliContext, error: unknown): number | null {
  if (!isMtslError(error)) return null;
  ctx.stderr.write(`mtslc: error ${error.message}\n`);
  return error.code === "MTSL3205" ? EXIT.usage : EXIT.problems;
}

/**
 * The progress printer of the training commands: one line on stderr, silent with -q or --json,
 * except warnings, which are always said (on stderr, so --json stays parseable).
 */
export function progressPrinter(ctx: CliContext, options: { quiet?: boolean; json?: boolean }): (text: string) => void {
  return (text) => {
    if (text.startsWith("warning:")) ctx.stderr.write(`mtslc: ${text}\n`);
    else if (!options.quiet && !options.json) ctx.stderr.write(text + "\n");
  };
}
