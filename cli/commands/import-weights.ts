/**
 * `mtslc import-weights FILE --torchvision-resnet18 DIR -o OUT.ckpt [--stages a,b,c,d,e]`:
 * torchvision's ResNet-18 `state_dict` (a folder of KEY.npy) as a checkpoint of FILE's
 * hard-shared network holding its encoder stages, for `train { warm_start: "OUT.ckpt" }`
 * (runtime/run/import-resnet18.ts). Exit 0 written, 1 the file has errors or the weights do
 * not fit, 2 usage or paths.
 */
import { baselineDocument } from "../../compiler/baseline.js";
import { compile } from "../../compiler/compile.js";
import { parse } from "../../grammar/parse.js";
import { renderDiagnostic } from "../../grammar/render.js";
import { checkOutputFile } from "../../runtime/io/output-path.js";
import { importResnet18, RESNET18_STAGES } from "../../runtime/run/import-resnet18.js";
import { writeCheckpoint } from "../../runtime/train/checkpoint.js";
import { EXIT, readSource, reportRuntimeError, useColor, type CliContext } from "../io.js";

export interface ImportWeightsOptions {
  torchvisionResnet18?: string;
  output?: string;
  stages?: string[];
}

export async function runImportWeights(file: string, options: ImportWeightsOptions, ctx: CliContext): Promise<number> {
  if (options.torchvisionResnet18 === undefined || options.output === undefined) {
    ctx.stderr.write("mtslc import-weights: give --torchvision-resnet18 DIR and -o OUT.ckpt\n");
    return EXIT.usage;
  }
  const stages = options.stages ?? [...RESNET18_STAGES];
  if (stages.length !== 5) {
    ctx.stderr.write("mtslc import-weights: --stages names five stages: the stem and layer1..layer4\n");
    return EXIT.usage;
  }
  const read = readSource(file);
  if (!read.ok) {
    ctx.stderr.write(`mtslc: error: ${read.message}\n`);
    return EXIT.usage;
  }
  const parsed = parse(read.text, { file });
  const own = compile(parsed.document);
  const color = useColor(ctx, ctx.stderr);
  const errors = [...parsed.diagnostics, ...own.diagnostics].filter((d) => d.severity === "error");
  if (errors.length > 0 || !parsed.checkable) {
    for (const d of errors) ctx.stderr.write(renderDiagnostic(d, read.text, file, { color }) + "\n\n");
    return EXIT.problems;
  }
  const shared = compile(baselineDocument(parsed.document, "one")).ir;
  if (!shared) throw new Error("the hard-shared network of a compiled model does not compile");
  try {
    checkOutputFile(options.output, "-o");
    const { weights, keys, ignored } = await importResnet18(options.torchvisionResnet18, shared, stages);
    writeCheckpoint(options.output, {
      ir: shared,
      epoch: 0,
      weights,
      optimizer: { name: shared.train.optimizer.name, slots: new Map() },
      state: { importedFrom: "torchvision resnet18", stages },
    });
    ctx.stdout.write(
      `wrote ${options.output}: ${stages.join(", ")} from ${keys.length} tensors of ${options.torchvisionResnet18}` +
        (ignored.length > 0 ? ` (left out: ${ignored.join(", ")})` : "") +
        "\n",
    );
    return EXIT.ok;
  } catch (error) {
    const code = reportRuntimeError(ctx, error);
    if (code !== null) return code;
    throw error;
  }
}
