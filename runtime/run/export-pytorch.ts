/**
 * `mtslc export MODEL --format pytorch -o DIR`: a trained model as a PyTorch network. DIR gets
 * - `mtsl_torch.py`: the network builder (runtime/pytorch/mtsl_torch.py, shipped with the
 *   package; the benchmark's PyTorch peer uses the same file), which builds the network from the
 *   IR JSON, one module per stage instance and per head, in NCHW, computing what the runtime
 *   computes;
 * - `train.py`: trains that network with the file's losses, optimizer and schedule, on one process
 *   or many under torchrun (runtime/pytorch/train.py);
 * - `model.ir.json`: the checkpoint's own architecture (after every merge), as canonical IR JSON;
 * - `weights.safetensors`: every weight, running statistics included, under its state_dict key
 *   (`enc2@seg/0.conv1.kernel` -> `owners.enc2@seg.0.conv1.kernel`: {@link stateKey}), conv
 *   kernels OIHW and dense kernels [out, in];
 * - `README.md`: the three lines that load and run it;
 * - `export.json`: the files written, and the model, checkpoint, epoch and mtsl version.
 * `from mtsl_torch import load; net = load(DIR); outputs = net(x_nchw)`.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { irToJson } from "../../compiler/ir/json.js";
import { weightEntries } from "../../compiler/ir/lint.js";
import type { IrModel } from "../../compiler/ir/types.js";
import { MtslError } from "../errors.js";
import { writeFileAtomic } from "../io/atomic.js";
import { ensureOutputFolder } from "../io/output-path.js";
import { safetensorsBytes, type NamedTensor } from "../io/safetensors.js";
import { hwioToOihw, transpose2d } from "../model/kernel-layout.js";
import { readCheckpoint } from "../train/checkpoint.js";
import { checkExportFolder, removeEarlierExport, writeExportManifest, type ExportResult } from "./export-folder.js";
import { checkpointOf } from "./folder.js";

type Weights = ReadonlyMap<string, { shape: number[]; values: Float32Array }>;

export const PYTORCH_MODULE = "mtsl_torch.py";
/** The trainer of the exported network (runtime/pytorch/train.py). */
export const PYTORCH_TRAINER = "train.py";
export const PYTORCH_FILES = [
  PYTORCH_MODULE,
  PYTORCH_TRAINER,
  "model.ir.json",
  "weights.safetensors",
  "README.md",
  "export.json",
];

/** The state_dict key of a weight key: `owners.`, then the key with its `/` made a `.`. */
export function stateKey(weightKey: string): string {
  return `owners.${weightKey.replace("/", ".")}`;
}

/**
 * A Python file shipped with the package (`mtsl_torch.py`, `train.py`): runtime/pytorch/NAME above
 * this module (the repository's, or the installed package's when this runs from dist/).
 */
export function pytorchSourcePath(name: string): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const file = join(dir, "runtime", "pytorch", name);
    if (existsSync(file)) return file;
    dir = dirname(dir);
  }
  throw new Error(`export: the package has no runtime/pytorch/${name}`);
}

/** Every weight of `ir` under its state_dict key, in PyTorch's layouts, in weightEntries order. */
export function pytorchTensors(ir: IrModel, weights: Weights, source: string): NamedTensor[] {
  return weightEntries(ir).map(({ key, shape }) => {
    const w = weights.get(key);
    const size = shape.reduce((a, b) => a * b, 1);
    if (w === undefined || w.values.length !== size) {
      throw new MtslError("MTSL3301", `has no weight ${key} of shape [${shape.join(", ")}] for its own architecture`, {
        file: source,
      });
    }
    if (shape.length === 4) {
      const [h, wd, i, o] = shape as [number, number, number, number];
      return { name: stateKey(key), shape: [o, i, h, wd], values: hwioToOihw(w.values, shape) };
    }
    if (shape.length === 2)
      return { name: stateKey(key), shape: [shape[1]!, shape[0]!], values: transpose2d(w.values, shape) };
    return { name: stateKey(key), shape, values: w.values };
  });
}

/** The README.md of an export: what the files are and the three lines that run them. */
function readme(ir: IrModel): string {
  const [h, w, c] = ir.input.shape;
  const outputs = ir.heads.map((head) => {
    const s = head.outShape;
    return `- \`${head.task}\`: ${s.length === 3 ? `[N, ${s[2]}, ${s[0]}, ${s[1]}]` : `[N, ${s[0]}]`}`;
  });
  return [
    `# ${ir.name}, exported by mtslc for PyTorch`,
    "",
    "```python",
    "from mtsl_torch import load  # with this folder on sys.path",
    "net = load(DIR)  # this folder: the network in eval mode with its trained weights",
    "outputs = net(x_nchw)  # {task: tensor}",
    "```",
    "",
    `The input is \`[N, ${c}, ${h}, ${w}]\` float32 (NCHW; the .mtsl file's \`f32[${ir.input.shape.join(", ")}]\` is ` +
      "HWC). The outputs, one per task:",
    "",
    ...outputs,
    "",
    "- `mtsl_torch.py`: builds the network from `model.ir.json` (its doc says what every layer computes);",
    "  needs PyTorch, and reads the weights with the `safetensors` package when installed, else itself.",
    "- `train.py`: trains it further with the model file's losses, optimizer and schedule on npy data, on one",
    "  process or many under DistributedDataParallel (`torchrun --standalone --nproc_per_node N train.py DIR",
    "  --out RUN`); `mtslc report RUN` shows the run. See its doc, and mtsl's docs/scale.md.",
    "- `model.ir.json`: the network's graph IR (the trained tree, after any merges).",
    "- `weights.safetensors`: the state_dict (`owners.<instance id>.<layer>.<weight>`; conv kernels OIHW,",
    "  dense kernels [out, in], batch-norm running statistics as buffers).",
    "- `export.json`: what was exported, from which checkpoint and epoch.",
    "",
  ].join("\n");
}

/** The files of a PyTorch export of `ir` with `weights`, by name (export.json aside). */
export function pytorchFiles(
  ir: IrModel,
  weights: Weights,
  source: string,
  version?: string,
): Map<string, Uint8Array | string> {
  const tensors = pytorchTensors(ir, weights, source);
  const metadata: Record<string, string> = { format: "pt", model: ir.name, ...(version ? { mtsl: version } : {}) };
  return new Map<string, Uint8Array | string>([
    [PYTORCH_MODULE, readFileSync(pytorchSourcePath(PYTORCH_MODULE), "utf8")],
    [PYTORCH_TRAINER, readFileSync(pytorchSourcePath(PYTORCH_TRAINER), "utf8")],
    ["model.ir.json", irToJson(ir)],
    ["weights.safetensors", safetensorsBytes(tensors, metadata)],
    ["README.md", readme(ir)],
  ]);
}

/** `mtslc export MODEL --format pytorch -o DIR`: the checkpoint's model as a PyTorch export in DIR. */
export function exportPytorch(
  model: string,
  outDir: string,
  options: { force?: boolean; version?: string } = {},
): ExportResult {
  const checkpoint = checkpointOf(model);
  const ckpt = readCheckpoint(checkpoint);
  const ir = ckpt.ir;
  // an earlier export is what its export.json names; any other file is the user's and stays
  const present = checkExportFolder(outDir, PYTORCH_FILES, options.force === true);
  const files = pytorchFiles(ir, ckpt.weights, checkpoint, options.version);
  ensureOutputFolder(outDir, "-o");
  removeEarlierExport(outDir, present);
  for (const [name, data] of files) writeFileAtomic(join(outDir, name), data);
  const count = weightEntries(ir).length;
  return writeExportManifest(
    outDir,
    { format: "pytorch", ir, module: PYTORCH_MODULE, checkpoint, epoch: ckpt.epoch, files: [...PYTORCH_FILES] },
    { weights: count, bytes: (files.get("weights.safetensors") as Uint8Array).length },
    options.version,
  );
}
