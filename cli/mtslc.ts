/**
 * `mtslc`: the command line, a thin layer over the library. `run(argv)` returns
 * the exit code instead of exiting, so it can be tested in-process.
 */
import { Command, CommanderError, Option } from "commander";
import { runCheck } from "./commands/check.js";
import { runFmt } from "./commands/fmt.js";
import { defaultContext, EXIT, type CliContext } from "./io.js";
import { packageVersion } from "./version.js";

function buildProgram(ctx: CliContext, setExit: (code: number) => void): Command {
  const program = new Command("mtslc")
    .description("Compile, check, format and train multi-task network architectures written in .mtsl")
    .version(packageVersion(), "-V, --version")
    .showHelpAfterError("(run mtslc --help for usage)")
    .exitOverride()
    .configureOutput({
      writeOut: (s) => ctx.stdout.write(s),
      writeErr: (s) => ctx.stderr.write(s),
    });

  program
    .command("check")
    .description("report syntax and semantic errors (exit 0 clean, 1 errors, 2 usage)")
    .argument("<files...>", ".mtsl files")
    .addOption(new Option("--format <format>", "output format").choices(["text", "json"]).default("text"))
    .option("-q, --quiet", "print only diagnostics")
    .action((files: string[], opts: { format: "text" | "json"; quiet?: boolean }) => {
      setExit(runCheck(files, opts, ctx));
    });

  program
    .command("fmt")
    .description("print files in canonical layout; --check lists files that would change, --write rewrites them")
    .argument("<files...>", ".mtsl files")
    .option("--check", "exit 1 and name the files that are not formatted")
    .option("--write", "rewrite the files in place (atomically)")
    .action((files: string[], opts: { check?: boolean; write?: boolean }) => {
      if (opts.check && opts.write) {
        ctx.stderr.write("mtslc fmt: --check and --write cannot be used together\n");
        setExit(EXIT.usage);
        return;
      }
      setExit(runFmt(files, opts, ctx));
    });

  return program;
}

export async function run(argv: string[], ctx: CliContext = defaultContext()): Promise<number> {
  let exit: number = EXIT.ok;
  const program = buildProgram(ctx, (code) => {
    exit = code;
  });
  try {
    await program.parseAsync(argv, { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === "commander.helpDisplayed" || error.code === "commander.version" || error.code === "commander.help") {
        return EXIT.ok;
      }
      return EXIT.usage;
    }
    ctx.stderr.write(`mtslc: internal error: ${(error as Error).message}\n`);
    ctx.stderr.write("please report this with the input that caused it\n");
    return 70;
  }
  return exit;
}
