/**
 * `mtslc export MODEL --format tfjs|onnx|pytorch -o PATH`: a trained run, revision or checkpoint as
 * the generated TypeScript module and its weights in TensorFlow.js's format
 * (runtime/run/export-tfjs.ts), an ONNX file (runtime/run/export-onnx.ts), or a PyTorch module,
 * IR and safetensors weights (runtime/run/export-pytorch.ts).
 */
import { EXIT, reportRuntimeError, type CliContext } from "../io.js";
import { packageVersion } from "../version.js";

export interface ExportCliOptions {
  format: "tfjs" | "onnx" | "pytorch";
  out: string;
  force?: boolean;
  quiet?: boolean;
}

export async function runExport(model: string, options: ExportCliOptions, ctx: CliContext): Promise<number> {
  try {
    if (options.format === "onnx") {
      const { exportOnnx, ONNX_OPSET } = await import("../../runtime/run/export-onnx.js");
      const r = exportOnnx(model, options.out, {
        ...(options.force ? { force: true } : {}),
        version: packageVersion(),
      });
      if (!options.quiet) {
        ctx.stderr.write(
          `exported ${r.model} (epoch ${r.epoch}) as ONNX (opset ${ONNX_OPSET}, ${(r.bytes / 2 ** 20).toFixed(1)} MiB): ${options.out}\n`,
        );
      }
      return EXIT.ok;
    }
    const settings = { ...(options.force ? { force: true } : {}), version: packageVersion() };
    const r =
      options.format === "pytorch"
        ? (await import("../../runtime/run/export-pytorch.js")).exportPytorch(model, options.out, settings)
        : await (await import("../../runtime/run/export-tfjs.js")).exportTfjs(model, options.out, settings);
    if (!options.quiet) {
      ctx.stderr.write(
        `exported ${r.model} (epoch ${r.epoch})${options.format === "pytorch" ? " for PyTorch" : ""}: ` +
          `${r.weights} weights (${(r.bytes / 2 ** 20).toFixed(1)} MiB) and its module in ${options.out}: ` +
          `${r.files.join(", ")}\n`,
      );
    }
    return EXIT.ok;
  } catch (error) {
    const code = reportRuntimeError(ctx, error);
    if (code !== null) return code;
    throw error;
  }
}
