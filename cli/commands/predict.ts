/**
 * `mtslc predict MODEL INPUT... -o DIR`: runs a trained run, revision or checkpoint on PNG or
 * `.npy` images or a split of its data, and writes each task's output (runtime/run/predict.ts).
 */
import cliProgress from "cli-progress";
import { EXIT, reportRuntimeError, type CliContext } from "../io.js";

export interface PredictCliOptions {
  out: string;
  batch?: number;
  limit?: number;
  backend?: string;
  threads?: number;
  force?: boolean;
  quiet?: boolean;
}

export async function runPredict(
  model: string,
  inputs: string[],
  options: PredictCliOptions,
  ctx: CliContext,
): Promise<number> {
  const say = (text: string): void => {
    if (!options.quiet) ctx.stderr.write(text + "\n");
  };
  const tty = ctx.stderr.isTTY === true && !options.quiet;
  const bar = tty
    ? new cliProgress.SingleBar(
        {
          format: "predict |{bar}| {value}/{total} images | ETA {eta_formatted}",
          hideCursor: true,
          clearOnComplete: true,
          stream: process.stderr,
        },
        cliProgress.Presets.shades_classic,
      )
    : null;
  try {
    const { predict } = await import("../../runtime/run/predict.js");
    const { checkpointOf } = await import("../../runtime/run/folder.js");
    const { readCheckpointHeader } = await import("../../runtime/train/checkpoint.js");
    const { selectBackend } = await import("../../runtime/backend/select.js");
    const tf = await import("@tensorflow/tfjs");
    tf.enableProdMode();
    const { ir } = readCheckpointHeader(checkpointOf(model));
    const backend = await selectBackend(
      (options.backend ?? ir.train.backend) as never,
      options.threads === undefined ? {} : { threads: options.threads },
    );
    say(`backend: ${backend.name} (${backend.description})`);
    let started = false;
    const result = await predict(model, inputs, options.out, {
      ...(options.batch === undefined ? {} : { batch: options.batch }),
      ...(options.limit === undefined ? {} : { limit: options.limit }),
      ...(options.force ? { force: true } : {}),
      onProgress: (done, total) => {
        if (!bar) return;
        if (!started) {
          bar.start(total, 0);
          started = true;
        }
        bar.update(done);
      },
    });
    bar?.stop();
    say(
      `predicted ${result.samples} image${result.samples === 1 ? "" : "s"} with ${result.model} (epoch ${result.epoch}): ` +
        `${result.files.length} files in ${options.out} (predictions.json lists them)`,
    );
    return EXIT.ok;
  } catch (error) {
    bar?.stop();
    const code = reportRuntimeError(ctx, error);
    if (code !== null) return code;
    throw error;
  }
}
