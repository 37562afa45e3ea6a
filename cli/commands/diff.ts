/**
 * `mtslc diff A.mtsl B.mtsl [--format text|json]`: what changed in the
 * architecture, in words. Exit 0 when the architectures are equal, 1 when they
 * differ, 2 on errors (unreadable file, syntax or semantic errors).
 *
 * `mtslc diff --git PATH OLD-FILE OLD-HEX OLD-MODE NEW-FILE NEW-HEX NEW-MODE
 * [NEW-PATH XFRM]`: the same as a git external diff driver (`diff.mtsl.command`).
 * Git passes `/dev/null` for the missing side of an added or deleted file (and
 * only the path for an unmerged file), and stops with "external diff died" on
 * any exit code but 0, so this form exits 0 whenever it could say something
 * (the comparison, or the diagnostics of a revision that does not compile) and
 * 2 only for a malformed call.
 */
import { compileSource } from "../../compiler/compile.js";
import { diff } from "../../compiler/diff/diff.js";
import { countChanges, describeDiff } from "../../compiler/diff/describe.js";
import { modelCost } from "../../compiler/diff/cost.js";
import { groupDigits } from "../../compiler/diff/values.js";
import type { IrModel } from "../../compiler/ir/types.js";
import { renderDiagnostic } from "../../grammar/render.js";
import { EXIT, readSource, useColor, type CliContext } from "../io.js";

export interface DiffOptions {
  format?: "text" | "json";
  /** Read the arguments as a git external diff driver's (see the module comment). */
  git?: boolean;
}

/** Git's name for "no file on this side". */
export const NULL_FILE = "/dev/null";

type Loaded = { ok: true; ir: IrModel | null } | { ok: false; report: string };

/**
 * Reads and compiles one side. `shownAs` names the file in messages (git hands
 * us temporary files for old revisions). `/dev/null` is "no model" when allowed.
 */
function load(path: string, shownAs: string, allowNull: boolean, color: boolean): Loaded {
  if (allowNull && path === NULL_FILE) return { ok: true, ir: null };
  const read = readSource(path);
  if (!read.ok) return { ok: false, report: `mtslc: error: ${read.message.replace(`'${path}'`, `'${shownAs}'`)}\n` };
  const result = compileSource(read.text, { file: shownAs });
  if (result.ir) return { ok: true, ir: result.ir };
  const errors = result.diagnostics.filter((d) => d.severity === "error");
  const rendered = errors.map((d) => renderDiagnostic(d, read.text, shownAs, { color }) + "\n\n").join("");
  return {
    ok: false,
    report:
      rendered + `mtslc diff: ${shownAs} does not compile (${errors.length} error${errors.length === 1 ? "" : "s"})\n`,
  };
}

/** A short account of a whole model, for a file git reports as added or deleted. */
export function describeModel(ir: IrModel): string {
  const cost = modelCost(ir);
  return (
    `model ${ir.name}: tasks ${ir.tasks.map((t) => t.name).join(" ")}; ` +
    `${ir.stages.length} stages, ${ir.instances.length} stage instances; ` +
    `${groupDigits(cost.params)} parameters, ${groupDigits(cost.flops)} FLOPs per sample\n`
  );
}

/** The comparison as printed: JSON, or a header line and the described changes. */
function report(
  a: IrModel,
  b: IrModel,
  names: [string, string],
  format: "text" | "json",
): { text: string; equal: boolean } {
  const changes = diff(a, b);
  const equal = changes.length === 0;
  if (format === "json")
    return { text: JSON.stringify({ a: names[0], b: names[1], equal, changes }, null, 2) + "\n", equal };
  if (equal) return { text: `${names[0]} and ${names[1]}: same architecture\n`, equal };
  return { text: `${names[0]} -> ${names[1]}: ${countChanges(changes)}\n` + describeDiff(changes), equal };
}

/** `mtslc diff A B`: compares two files; exit 0 equal, 1 different, 2 errors. */
export function runDiff(a: string, b: string, options: DiffOptions, ctx: CliContext): number {
  const color = useColor(ctx, ctx.stderr);
  const left = load(a, a, false, color);
  const right = load(b, b, false, color);
  let failed = false;
  for (const side of [left, right]) {
    if (!side.ok) {
      ctx.stderr.write(side.report);
      failed = true;
    }
  }
  if (failed || !left.ok || !right.ok || !left.ir || !right.ir) return EXIT.usage;
  const out = report(left.ir, right.ir, [a, b], options.format ?? "text");
  ctx.stdout.write(out.text);
  return out.equal ? EXIT.ok : EXIT.problems;
}

/**
 * `mtslc diff --git PATH OLD-FILE OLD-HEX OLD-MODE NEW-FILE NEW-HEX NEW-MODE [NEW-PATH XFRM]`:
 * the git external diff driver form. Writes everything to stdout (git pages it)
 * and exits 0; 2 only when the arguments are not what git passes.
 */
export function runDiffGit(args: readonly string[], options: DiffOptions, ctx: CliContext): number {
  if (args.length === 1) {
    // Git passes only the path of an unmerged file.
    ctx.stdout.write(`mtsl diff ${args[0]!}: unmerged, resolve the conflict to compare the architectures\n`);
    return EXIT.ok;
  }
  if (args.length !== 7 && args.length !== 9) {
    ctx.stderr.write(
      `mtslc diff --git: expected the 7 arguments git passes to an external diff driver ` +
        `(path old-file old-hex old-mode new-file new-hex new-mode), got ${args.length}\n`,
    );
    return EXIT.usage;
  }
  const [path, oldFile, , , newFile] = args as [string, string, string, string, string];
  const newPath = args.length === 9 ? args[7]! : path;
  const names: [string, string] = [`a/${path}`, `b/${newPath}`];
  const format = options.format ?? "text";
  const left = load(oldFile, names[0], true, false);
  const right = load(newFile, names[1], true, false);
  const title = `mtsl diff ${names[0]} ${names[1]}\n`;
  if (!left.ok || !right.ok) {
    const reports = [left, right].filter((s): s is { ok: false; report: string } => !s.ok).map((s) => s.report);
    if (format === "json") {
      ctx.stdout.write(JSON.stringify({ a: names[0], b: names[1], error: reports.join("") }, null, 2) + "\n");
    } else {
      ctx.stdout.write(title + "cannot compare the architectures:\n" + reports.join(""));
    }
    return EXIT.ok;
  }
  if (left.ir === null || right.ir === null) {
    const present = left.ir ?? right.ir;
    const verb = left.ir === null ? "added" : "deleted";
    if (present === null) {
      ctx.stdout.write(
        format === "json"
          ? JSON.stringify({ a: names[0], b: names[1], equal: true, changes: [] }, null, 2) + "\n"
          : title + "no model on either side\n",
      );
    } else if (format === "json") {
      const summary = {
        name: present.name,
        tasks: present.tasks.map((t) => t.name),
        instances: present.instances.map((i) => i.id),
        ...modelCost(present),
      };
      ctx.stdout.write(JSON.stringify({ a: names[0], b: names[1], [verb]: summary }, null, 2) + "\n");
    } else {
      ctx.stdout.write(title + `${verb}: ${describeModel(present)}`);
    }
    return EXIT.ok;
  }
  ctx.stdout.write(report(left.ir, right.ir, names, format).text);
  return EXIT.ok;
}

/** The `diff` command as the CLI calls it: two files, or the git driver's arguments with `--git`. */
export function runDiffCommand(files: readonly string[], options: DiffOptions, ctx: CliContext): number {
  if (options.git) return runDiffGit(files, options, ctx);
  if (files.length !== 2) {
    ctx.stderr.write(`mtslc diff: expected two files (old and new), got ${files.length}\n`);
    return EXIT.usage;
  }
  return runDiff(files[0]!, files[1]!, options, ctx);
}
