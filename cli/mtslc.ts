/**
 * `mtslc`: the command line, a thin layer over the library. `run(argv)` returns
 * the exit code instead of exiting, so it can be tested in-process.
 */
import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import { runCheck } from "./commands/check.js";
import { runExplain } from "./commands/explain.js";
import { runLsp, type LspOptions } from "./commands/lsp.js";
import { runPredict, type PredictCliOptions } from "./commands/predict.js";
import { runExport, type ExportCliOptions } from "./commands/export.js";
import { runCompile, type Emit } from "./commands/compile.js";
import { runDiffCommand } from "./commands/diff.js";
import { runFmt } from "./commands/fmt.js";
import { runGitSetup, type GitSetupOptions } from "./commands/git-setup.js";
import { runImportWeights, type ImportWeightsOptions } from "./commands/import-weights.js";
import { GRAPH_FORMATS, runGraph, type GraphFormat } from "./commands/graph.js";
import { runTrain, type TrainCliOptions } from "./commands/train.js";
import { runEval, type EvalCliOptions } from "./commands/eval.js";
import { runReport } from "./commands/report.js";
import { runAffinity, type AffinityCliOptions } from "./commands/affinity.js";
import { defaultContext, EXIT, type CliContext } from "./io.js";
import { BACKEND_PREFERENCES } from "../runtime/backend/preferences.js";
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
    .option("--explain", "after the diagnostics, the long description of each code they carry (text format)")
    .action(async (files: string[], opts: { format: "text" | "json"; quiet?: boolean; explain?: boolean }) => {
      setExit(await runCheck(files, opts, ctx));
    });

  program
    .command("lsp")
    .description("run the language server for editors (Language Server Protocol, on stdio by default)")
    .option("--stdio", "talk over stdin and stdout (the default)")
    .option("--socket <port>", "connect to the client listening on this port of localhost")
    .action(async (opts: LspOptions) => {
      setExit(await runLsp(opts, ctx));
    });

  program
    .command("explain")
    .description("the long description of a diagnostic code, with an example (docs/diagnostics.md)")
    .argument("<code>", "a code such as MTSL1004")
    .action((code: string) => {
      setExit(runExplain(code, ctx));
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

  program
    .command("compile")
    .description("compile a file to the graph IR (JSON) and a typed TypeScript model, and print a summary")
    .argument("<file>", ".mtsl file")
    .option("-o, --out <dir>", "output folder", ".")
    .option(
      "--emit <kinds>",
      "what to write: a comma list of ir, text (the IR one line per node), ts, summary",
      "ir,ts,summary",
    )
    .option("--json", "print the summary as JSON")
    .option("-q, --quiet", "print nothing but errors")
    .action(async (file: string, opts: { out: string; emit: string; json?: boolean; quiet?: boolean }) => {
      const emit = opts.emit
        .split(",")
        .map((e) => e.trim())
        .filter((e) => e !== "");
      const bad = emit.filter((e) => !["ir", "text", "ts", "summary"].includes(e));
      if (bad.length > 0) {
        ctx.stderr.write(
          `mtslc compile: unknown --emit kind ${bad.map((b) => `'${b}'`).join(", ")} (expected ir, text, ts, summary)\n`,
        );
        setExit(EXIT.usage);
        return;
      }
      setExit(
        await runCompile(
          file,
          {
            out: opts.out,
            emit: emit as Emit[],
            ...(opts.json ? { json: true } : {}),
            ...(opts.quiet ? { quiet: true } : {}),
          },
          ctx,
        ),
      );
    });

  program
    .command("graph")
    .description("draw the sharing tree (svg, dot or mermaid)")
    .argument("<file>", ".mtsl file")
    .addOption(
      new Option("--format <format>", "picture format (default: from -o's extension, else svg)").choices([
        ...GRAPH_FORMATS,
      ]),
    )
    .option("-o, --output <file>", "write to a file instead of stdout")
    .action(async (file: string, opts: { format?: GraphFormat; output?: string }) => {
      setExit(await runGraph(file, opts, ctx));
    });

  program
    .command("diff")
    .description("explain what changed between two architectures (exit 0 equal, 1 different, 2 errors)")
    .argument("<files...>", "OLD.mtsl NEW.mtsl (or, with --git, the 7 arguments git passes to an external diff driver)")
    .addOption(new Option("--format <format>", "output format").choices(["text", "json"]).default("text"))
    .option("--git", "act as a git external diff driver (see docs/diff.md)")
    .action((files: string[], opts: { format: "text" | "json"; git?: boolean }) => {
      setExit(runDiffCommand(files, opts, ctx));
    });

  program
    .command("import-weights")
    .description("torchvision's ResNet-18 state_dict (a folder of KEY.npy) as a checkpoint for train { warm_start }")
    .argument("<file>", ".mtsl file whose stages take the weights")
    .option("--torchvision-resnet18 <dir>", "folder of the state_dict, one KEY.npy per key")
    .option("-o, --output <file>", "the checkpoint to write")
    .option(
      "--stages <list>",
      "the stem and layer1..layer4 stages, a comma list (default stem,enc1,enc2,enc3,enc4)",
      (v) => v.split(",").map((s) => s.trim()),
    )
    .action(async (file: string, opts: ImportWeightsOptions) => {
      setExit(await runImportWeights(file, opts, ctx));
    });

  program
    .command("git-setup")
    .description("make git explain .mtsl changes in words: the diff driver and .gitattributes of a repository")
    .argument("[dir]", "a folder inside the repository (default: the working directory)")
    .option("--textconv", "set the lighter textconv filter (git diffs the canonical layout) instead of the driver")
    .action((dir: string | undefined, opts: GitSetupOptions) => {
      setExit(runGitSetup(dir, opts, ctx));
    });

  program
    .command("train")
    .description("train a model; with a structural_learning block, learn its sharing tree too")
    .argument("<file>", ".mtsl file")
    .option("-o, --out <dir>", "run folder (default: runs/NAME)")
    .addOption(new Option("--backend <backend>", "override the file's backend").choices(BACKEND_PREFERENCES))
    .option(
      "--threads <n>",
      "threads to compute with on onednn (default: MTSL_ONEDNN_THREADS, the run's own when resuming, else every core)",
      (v) => positiveInt(v, "--threads"),
    )
    .option(
      "--resume",
      "continue from the run folder's last checkpoint (with --epochs N: train a finished run on to N)",
    )
    .option("--force", "replace the run the output folder holds (its run files only)")
    .addOption(
      new Option(
        "--baseline <kind>",
        "train a baseline of the file instead: stl (one network per task) or one (all shared)",
      ).choices(["stl", "one"]),
    )
    .option("--epochs <n>", "override the number of epochs", (v) => positiveInt(v, "--epochs"))
    .option("--seed <n>", "override the training seed (the data keeps the file's)", (v) => nonNegativeInt(v, "--seed"))
    .option("--train-limit <n>", "use only the first n training samples per epoch (smoke runs)", (v) =>
      positiveInt(v, "--train-limit"),
    )
    .option("-q, --quiet", "print only errors and the final table")
    .option("--json", "print the final result as JSON")
    .option(
      "--git [file]",
      "commit every revision: the run's tree.mtsl in the run folder's git repository (made if there is none), " +
        "or, given a file, that file rewritten in place in its repository",
    )
    .action(async (file: string, opts: TrainCliOptions) => {
      setExit(await runTrain(file, opts, ctx));
    });

  program
    .command("affinity")
    .description(
      "the pairwise ground truth of which tasks should share: train every task alone and every pair with hard sharing",
    )
    .argument("<file>", ".mtsl file")
    .option("-o, --out <dir>", "output folder, one run folder per training inside (default: runs/NAME-affinity)")
    .option("--tasks <list>", "only these tasks, a comma list (at least two)", taskList)
    .addOption(new Option("--backend <backend>", "override the file's backend").choices(BACKEND_PREFERENCES))
    .option("--threads <n>", "threads to compute with on onednn (default: MTSL_ONEDNN_THREADS, else every core)", (v) =>
      positiveInt(v, "--threads"),
    )
    .option("--epochs <n>", "override the number of epochs of every training", (v) => positiveInt(v, "--epochs"))
    .option("--seed <n>", "override the training seed (the data keeps the file's)", (v) => nonNegativeInt(v, "--seed"))
    .option("--train-limit <n>", "use only the first n training samples per epoch (smoke runs)", (v) =>
      positiveInt(v, "--train-limit"),
    )
    .addOption(
      new Option(
        "--partition-epoch <epoch>",
        "choose the partitions (and groups-K.mtsl) by the transfer after the last epoch or at each run's best validation epoch",
      )
        .choices(["last", "best"])
        .default("last"),
    )
    .option(
      "--through <stage>",
      "each pair shares the stages up to and including this one and keeps the rest per task (default: every stage, hard sharing)",
    )
    .option(
      "--compare <runs...>",
      "structural-learning run folders of the same tasks: how their similarity ranks the pairs against the transfer, and their groups against the best (with --through, the sets at that stage)",
    )
    .option("-q, --quiet", "print only errors and the final tables")
    .option("--json", "print the result as JSON")
    .action(async (file: string, opts: AffinityCliOptions) => {
      setExit(await runAffinity(file, opts, ctx));
    });

  program
    .command("eval")
    .description("evaluate a run: metrics, Delta_m against baselines, robustness under corruptions, model size")
    .argument("<run>", "run folder written by mtslc train")
    .addOption(new Option("--split <split>", "split to evaluate").choices(["test", "val"]).default("test"))
    .option(
      "--baseline <runs...>",
      "baseline run folders (mtslc train --baseline stl|one); single-task ones give Delta_m",
    )
    .option("--corruptions", "also evaluate under the 15 common corruptions")
    .option("--severities <list>", "corruption severities, a comma list of 1..5 (default 1,2,3,4,5)", severityList)
    .option("--limit <n>", "evaluate only the first n samples", (v) => positiveInt(v, "--limit"))
    .addOption(new Option("--backend <backend>", "override the run's backend").choices(BACKEND_PREFERENCES))
    .option("--threads <n>", "threads to compute with on onednn (default: MTSL_ONEDNN_THREADS, else every core)", (v) =>
      positiveInt(v, "--threads"),
    )
    .option("--json", "print the report as JSON")
    .option("-q, --quiet", "print only the tables")
    .action(async (dir: string, opts: EvalCliOptions) => {
      setExit(await runEval(dir, opts, ctx));
    });

  program
    .command("predict")
    .description("run a trained model on images and write each task's output (.npy, and PNG for dense tasks)")
    .argument("<model>", "a run folder, a revision file (RUN/revisions/NNN.mtsl) or a checkpoint (.ckpt)")
    .argument("<inputs...>", "PNG or .npy images, or split:train|val|test of the model's data")
    .requiredOption("-o, --out <dir>", "folder to write the predictions into")
    .option("--batch <n>", "images per forward pass (default 16)", (v) => positiveInt(v, "--batch"))
    .option("--limit <n>", "at most n images of each split: input", (v) => positiveInt(v, "--limit"))
    .addOption(new Option("--backend <backend>", "override the model's backend").choices(BACKEND_PREFERENCES))
    .option("--threads <n>", "threads to compute with on onednn (default: MTSL_ONEDNN_THREADS, else every core)", (v) =>
      positiveInt(v, "--threads"),
    )
    .option("--force", "replace the predictions the folder already holds")
    .option("-q, --quiet", "print only errors")
    .action(async (model: string, inputs: string[], opts: PredictCliOptions) => {
      setExit(await runPredict(model, inputs, opts, ctx));
    });

  program
    .command("export")
    .description(
      "write a trained model for use without mtsl: an ONNX file (onnx), its generated module and weights (tfjs), or a PyTorch module and safetensors weights (pytorch)",
    )
    .argument("<model>", "a run folder, a revision file (RUN/revisions/NNN.mtsl) or a checkpoint (.ckpt)")
    .addOption(
      new Option("--format <format>", "what to write").choices(["onnx", "tfjs", "pytorch"]).makeOptionMandatory(),
    )
    .requiredOption("-o, --out <path>", "the .onnx file (onnx), or the folder to write into (tfjs, pytorch)")
    .option("--force", "replace an export the folder already holds")
    .option("-q, --quiet", "print only errors")
    .action(async (model: string, opts: ExportCliOptions) => {
      setExit(await runExport(model, opts, ctx));
    });

  program
    .command("report")
    .description("write a self-contained HTML report of a run (curves, CKA heatmaps, sharing trees, tables)")
    .argument("<run>", "run folder written by mtslc train")
    .option("--baseline <runs...>", "baseline run folders to compare with")
    .option("-o, --output <file>", "output HTML file (default RUN/report.html)")
    .option("-q, --quiet", "print nothing but errors")
    .action(async (dir: string, opts: { baseline?: string[]; output?: string; quiet?: boolean }) => {
      setExit(await runReport(dir, opts, ctx));
    });

  return program;
}

function severityList(value: string): number[] {
  const parts = value.split(",").map((p) => p.trim());
  const out = parts.map(Number);
  if (parts.length === 0 || out.some((n, i) => parts[i] === "" || !Number.isInteger(n) || n < 1 || n > 5))
    throw new InvalidArgumentError(`--severities needs a comma list of whole numbers 1..5, got '${value}'`);
  return [...new Set(out)].sort((a, b) => a - b);
}

function taskList(value: string): string[] {
  const names = value.split(",").map((p) => p.trim());
  if (names.some((n) => !/^[A-Za-z_][A-Za-z0-9_]*$/.test(n)))
    throw new InvalidArgumentError(`--tasks needs a comma list of task names, got '${value}'`);
  return [...new Set(names)];
}

function nonNegativeInt(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0)
    throw new InvalidArgumentError(`${flag} needs a whole number >= 0, got '${value}'`);
  return n;
}

function positiveInt(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new InvalidArgumentError(`${flag} needs a whole number >= 1, got '${value}'`);
  return n;
}

export async function run(argv: string[], ctx: CliContext = defaultContext()): Promise<number> {
  let exit: number = EXIT.ok;
  ctx = { ...ctx, argv: [...argv] };
  const program = buildProgram(ctx, (code) => {
    exit = code;
  });
  try {
    await program.parseAsync(argv, { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) {
      if (
        error.code === "commander.helpDisplayed" ||
        error.code === "commander.version" ||
        error.code === "commander.help"
      ) {
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
