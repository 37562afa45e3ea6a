/**
 * Importing torchvision's ResNet-18 weights into a model's encoder: `mtslc import-weights FILE
 * --torchvision-resnet18 DIR -o OUT.ckpt`. DIR holds the `state_dict` as one `.npy` per key
 * (`conv1.weight.npy`, `layer1.0.bn1.running_mean.npy`, ...; written in Python with
 * `for k, v in model.state_dict().items(): numpy.save(f"{DIR}/{k}.npy", v.numpy())`). The five
 * stages named (default stem, enc1, enc2, enc3, enc4, as in examples/nyuv2.mtsl) must be
 * ResNet-18's: the stem a 7x7 conv of 3 -> 64 channels then bn, each encoder stage two `basic`
 * blocks of 64, 128, 256, 512 channels. Convolutions go from PyTorch's [out, in, kh, kw] to
 * our [kh, kw, in, out]; batch norm's weight, bias, running_mean and running_var become gamma,
 * beta, moving_mean and moving_variance; `downsample.0/1` the block's shortcut conv and bn; a
 * conv bias torchvision does not have (the stem's) starts at 0; `num_batches_tracked` and `fc`
 * are left out. The result is a checkpoint of the file's hard-shared network holding those
 * stages only, for `train { warm_start: "OUT.ckpt" }`.
 */
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { weightKey } from "../../compiler/ir/lint.js";
import type { IrModel } from "../../compiler/ir/types.js";
import { readNpy } from "../data/npy/npy-file.js";
import { MtslError } from "../errors.js";
import { oihwToHwio } from "../model/kernel-layout.js";

export const RESNET18_STAGES = ["stem", "enc1", "enc2", "enc3", "enc4"] as const;

type Weights = Map<string, { shape: number[]; values: Float32Array }>;

/** Our batch-norm weight names and torchvision's. */
const TORCH_BN: Record<string, string> = {
  gamma: "weight",
  beta: "bias",
  moving_mean: "running_mean",
  moving_variance: "running_var",
};

/**
 * The weights of `ir` (a hard-shared IR: one instance per stage) that the ResNet-18 state_dict
 * in `dir` gives, keyed by instance. MTSL3206 when a stage is not ResNet-18's or a key is
 * missing or of another shape.
 */
export async function importResnet18(
  dir: string,
  ir: IrModel,
  stages: readonly string[] = RESNET18_STAGES,
): Promise<{ weights: Weights; keys: string[]; ignored: string[] }> {
  if (!existsSync(dir)) throw new MtslError("MTSL3206", `no state_dict folder at ${dir}`, { file: dir });
  const available = new Set(
    readdirSync(dir)
      .filter((f) => f.endsWith(".npy"))
      .map((f) => f.slice(0, -4)),
  );
  const used = new Set<string>();
  const weights: Weights = new Map();
  const fail = (message: string): never => {
    throw new MtslError("MTSL3206", `torchvision ResNet-18 import: ${message}`, { file: dir });
  };
  const read = async (key: string, shape: number[], conv: boolean): Promise<Float32Array> => {
    if (!available.has(key)) fail(`${key}.npy is missing from ${dir}`);
    const array = await readNpy(join(dir, `${key}.npy`));
    const got = array.header.shape;
    const torchShape = conv ? [shape[3]!, shape[2]!, shape[0]!, shape[1]!] : shape;
    if (got.join(",") !== torchShape.join(","))
      fail(`${key} is [${got.join(", ")}], the model needs [${torchShape.join(", ")}] (PyTorch's layout)`);
    used.add(key);
    return conv ? oihwToHwio(array.values, got) : Float32Array.from(array.values);
  };
  const instanceOf = (stage: string): string => {
    const instance = ir.instances.find((i) => i.stage === stage);
    if (!instance) fail(`the model has no stage ${stage}`);
    return instance!.id;
  };
  const stageLayers = (stage: string): IrModel["stages"][number]["layers"] =>
    ir.stages.find((s) => s.name === stage)?.layers ?? fail(`the model has no stage ${stage}`);

  // the stem: conv 7x7 3 -> 64, then bn
  const [stem, ...encoders] = stages;
  const stemLayers = stageLayers(stem!);
  const stemId = instanceOf(stem!);
  const convAt = stemLayers.findIndex((l) => l.op === "conv");
  const bnAt = stemLayers.findIndex((l) => l.op === "bn");
  if (convAt < 0 || bnAt !== convAt + 1) fail(`stage ${stem} is not ResNet-18's stem (a conv then bn)`);
  for (const w of stemLayers[convAt]!.weights) {
    const key = weightKey(stemId, convAt, w.name);
    if (w.name === "kernel") weights.set(key, { shape: w.shape, values: await read("conv1.weight", w.shape, true) });
    else weights.set(key, { shape: w.shape, values: new Float32Array(w.shape.reduce((a, b) => a * b, 1)) });
  }
  for (const w of stemLayers[bnAt]!.weights) {
    weights.set(weightKey(stemId, bnAt, w.name), {
      shape: w.shape,
      values: await read(`bn1.${TORCH_BN[w.name]}`, w.shape, false),
    });
  }
  // layer1..layer4: two basic blocks each
  for (const [l, stage] of encoders.entries()) {
    const layers = stageLayers(stage);
    const id = instanceOf(stage);
    if (layers.length !== 2 || layers.some((x) => x.op !== "basic"))
      fail(`stage ${stage} is not ResNet-18's layer${l + 1} (two basic blocks)`);
    for (const [b, layer] of layers.entries()) {
      for (const w of layer.weights) {
        const [part, name] = w.name.split(".") as [string, string];
        const torchPart = part === "shortcut" ? "downsample.0" : part === "shortcut_bn" ? "downsample.1" : part;
        const conv = name === "kernel";
        const torchKey = `layer${l + 1}.${b}.${torchPart}.${conv ? "weight" : TORCH_BN[name]}`;
        weights.set(weightKey(id, b, w.name), { shape: w.shape, values: await read(torchKey, w.shape, conv) });
      }
    }
  }
  const ignored = [...available].filter((k) => !used.has(k)).sort();
  return { weights, keys: [...used], ignored };
}
