/**
 * `mtslc export MODEL --format tfjs -o DIR`: a trained run, revision or checkpoint as the
 * generated TypeScript module and its weights in TensorFlow.js's format (runtime/run/export-tfjs.ts).
 */
import { EXIT, reportRuntimeError, type CliContext } from "../io.js";
import { packageVersion } from "../version.js";

export interface ExportCliOptions {
  format: "tfjs" | "onnx";
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
    const { exportTfjs } = await import("../../runtime/run/export-tfjs.js");
    const r = await exportTfjs(model, options.out, {
      ...(options.force ? { force: true } : {}),
      version: packageVersion(),
    });
    if (!options.quiet) {
      ctx.stderr.write(
        `exported ${r.model} (epoch ${r.epoch}): ${r.weights} weights (${(r.bytes / 2 ** 20).toFixed(1)} MiB) and its module in ${options.out}: ` +
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
