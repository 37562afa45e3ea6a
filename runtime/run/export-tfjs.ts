/**
 * `mtslc export MODEL --format tfjs -o DIR`: a trained model for use without mtsl, in
 * TensorFlow.js's own weights format. DIR gets
 * - `NAME.model.ts`: the generated TypeScript module (compiler/codegen) of the checkpoint's own
 *   architecture (after every merge, not the file's starting tree);
 * - `weights.json`: a TensorFlow.js weights manifest (`[{ paths: ["weights.bin"], weights:
 *   [{ name, shape, dtype: "float32" }] }]`, the format `tf.io.loadWeights` reads), one entry per
 *   key of the module's `weightSpecs`, in that order, running statistics included;
 * - `weights.bin`: the values, float32 little-endian, in the manifest's order;
 * - `export.json`: the files written, and the model, checkpoint, epoch and mtsl version they came
 *   from (runtime/run/export-folder.ts: what a later export may replace).
 * The module's `weightsFromTfjs(manifest, bytes)` turns the two files into its weights.
 */
import { join } from "node:path";
import { generateModelModule } from "../../compiler/codegen/generate.js";
import { weightEntries } from "../../compiler/ir/lint.js";
import type { IrModel } from "../../compiler/ir/types.js";
import { MtslError } from "../errors.js";
import { writeFileAtomic } from "../io/atomic.js";
import { ensureOutputFolder } from "../io/output-path.js";
import { float32LittleEndian } from "../model/kernel-layout.js";
import { readCheckpoint } from "../train/checkpoint.js";
import { checkExportFolder, removeEarlierExport, writeExportManifest, type ExportResult } from "./export-folder.js";
import { checkpointOf, writeJsonFile } from "./folder.js";

/** The file name of the generated module: the model's name, made safe. */
export const moduleFileName = (ir: IrModel): string =>
  `${ir.name.replace(/[^A-Za-z0-9_-]/g, "_").toLowerCase()}.model.ts`;

export async function exportTfjs(
  model: string,
  outDir: string,
  options: { force?: boolean; version?: string } = {},
): Promise<ExportResult> {
  const checkpoint = checkpointOf(model);
  const ckpt = readCheckpoint(checkpoint);
  const ir = ckpt.ir;
  const moduleFile = moduleFileName(ir);
  const ours = [moduleFile, "weights.json", "weights.bin", "export.json"];
  // an earlier export is what its export.json names; any other file is the user's and stays
  const present = checkExportFolder(outDir, ours, options.force === true);
  const order = weightEntries(ir);
  const total = order.reduce((n, w) => n + w.shape.reduce((a, b) => a * b, 1), 0);
  const bin = new Uint8Array(total * 4);
  let at = 0;
  for (const { key, shape } of order) {
    const w = ckpt.weights.get(key);
    const size = shape.reduce((a, b) => a * b, 1);
    if (w === undefined || w.values.length !== size) {
      throw new MtslError("MTSL3301", `has no weight ${key} of shape [${shape.join(", ")}] for its own architecture`, {
        file: checkpoint,
      });
    }
    bin.set(float32LittleEndian(w.values), at);
    at += 4 * size;
  }
  const source = await generateModelModule(ir);
  ensureOutputFolder(outDir, "-o");
  removeEarlierExport(outDir, present);
  writeFileAtomic(join(outDir, moduleFile), source);
  writeJsonFile(join(outDir, "weights.json"), [
    { paths: ["weights.bin"], weights: order.map(({ key, shape }) => ({ name: key, shape, dtype: "float32" })) },
  ]);
  writeFileAtomic(join(outDir, "weights.bin"), bin);
  return writeExportManifest(
    outDir,
    { format: "tfjs", ir, module: moduleFile, checkpoint, epoch: ckpt.epoch, files: ours },
    { weights: order.length, bytes: bin.length },
    options.version,
  );
}
