/**
 * `train { warm_start: PATH }`: the start values a run takes from another run's weights, by
 * stage and head name. PATH is a run folder (its checkpoint.ckpt), a revision file (the .ckpt
 * beside it) or a checkpoint, relative to the working directory. Each stage instance of this
 * model starts from the instance of the same stage in the source whose tasks include all of
 * its own (a shared source stage serves every copy; a task's own copy serves that task); each
 * head from the head of the same task. Every weight is shape-checked. A stage or head the
 * source lacks (or holds no weights of: an imported encoder) starts as always; one the source
 * has but cannot serve (another shape, or this
 * instance's tasks split over several source instances) is MTSL3206, before training.
 */
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { weightKey } from "../../compiler/ir/lint.js";
import type { IrModel } from "../../compiler/ir/types.js";
import { MtslError } from "../errors.js";
import type { StartValues } from "../model/weights.js";
import { readCheckpoint } from "../train/checkpoint.js";
import { RUN_FILES } from "./folder.js";

export interface WarmStart {
  /** The checkpoint read. */
  checkpoint: string;
  starts: StartValues;
  /** Stage instances and heads that start from it, and those the source lacks. */
  served: string[];
  missing: string[];
}

/** The checkpoint `path` names: a run folder's, a revision's or the file itself. */
function sourceCheckpoint(path: string): string {
  if (existsSync(path) && statSync(path).isDirectory()) {
    const ckpt = join(path, RUN_FILES.checkpoint);
    if (existsSync(ckpt)) return ckpt;
    throw new MtslError("MTSL3206", `warm_start: ${path} holds no ${RUN_FILES.checkpoint} (not a trained run folder)`, {
      file: path,
    });
  }
  if (path.endsWith(".mtsl") && existsSync(path.replace(/\.mtsl$/, ".ckpt"))) return path.replace(/\.mtsl$/, ".ckpt");
  if (existsSync(path) && statSync(path).isFile() && !path.endsWith(".mtsl")) return path;
  throw new MtslError("MTSL3206", `warm_start: no run folder, revision or checkpoint at ${path}`, { file: path });
}

const shapeText = (shape: readonly number[]): string => `[${shape.join(", ")}]`;

export function warmStartValues(path: string, ir: IrModel): WarmStart {
  const checkpoint = sourceCheckpoint(path);
  const source = readCheckpoint(checkpoint);
  const starts = new Map<string, { shape: number[]; values: Float32Array }>();
  const served: string[] = [];
  const missing: string[] = [];
  const stages = new Map(ir.stages.map((s) => [s.name, s]));
  const sourceStages = new Map(source.ir.stages.map((s) => [s.name, s]));

  /** Whether the source holds any weight of owner `id` with these layers (a partial checkpoint holds some). */
  const holds = (id: string, layers: IrModel["stages"][number]["layers"]): boolean =>
    layers.some((layer, j) => layer.weights.some((w) => source.weights.has(weightKey(id, j, w.name))));

  /** Copies the weights of source owner `from` as the start of owner `to` (keyed `key`), shape-checked. */
  const take = (what: string, from: string, key: string, layers: IrModel["stages"][number]["layers"]): void => {
    layers.forEach((layer, j) => {
      for (const w of layer.weights) {
        const value = source.weights.get(weightKey(from, j, w.name));
        if (!value || value.shape.join(",") !== w.shape.join(",")) {
          throw new MtslError(
            "MTSL3206",
            `warm_start: ${what} does not fit: its layer ${j + 1} (${layer.op}) weight ${w.name} is ` +
              `${shapeText(w.shape)} here and ${value ? shapeText(value.shape) : "absent"} in ${checkpoint} (${from})`,
            { file: checkpoint },
          );
        }
        starts.set(weightKey(key, j, w.name), value);
      }
    });
  };

  for (const instance of ir.instances) {
    const candidates = source.ir.instances.filter((s) => s.stage === instance.stage);
    if (candidates.length === 0 || !sourceStages.has(instance.stage)) {
      missing.push(instance.id);
      continue;
    }
    // a partial checkpoint (an import of an encoder) holds some stages only
    const layers = stages.get(instance.stage)!.layers;
    if (!candidates.some((c) => holds(c.id, layers))) {
      missing.push(instance.id);
      continue;
    }
    const from = candidates.find((c) => instance.tasks.every((t) => c.tasks.includes(t)));
    if (from === undefined) {
      throw new MtslError(
        "MTSL3206",
        `warm_start: stage ${instance.stage} of tasks {${instance.tasks.join(" ")}} has no one instance to start from ` +
          `in ${checkpoint}: there its tasks are split over ${candidates.map((c) => `{${c.tasks.join(" ")}}`).join(" ")}`,
        { file: checkpoint },
      );
    }
    take(`stage ${instance.stage} (${instance.id})`, from.id, instance.id, stages.get(instance.stage)!.layers);
    served.push(instance.id);
  }
  // A stage every copy of which starts from one source instance: group layers made by merges
  // (init: fresh, "where every copy started") start there too.
  for (const stage of ir.stages) {
    const candidates = source.ir.instances.filter((s) => s.stage === stage.name);
    if (candidates.length === 1 && served.some((id) => id.startsWith(`${stage.name}@`)))
      take(`stage ${stage.name}`, candidates[0]!.id, stage.name, stage.layers);
  }
  for (const head of ir.heads) {
    const from = source.ir.heads.find((h) => h.id === head.id);
    if (from === undefined || !holds(head.id, head.layers)) {
      missing.push(head.id);
      continue;
    }
    take(`the head of ${head.task}`, from.id, head.id, head.layers);
    served.push(head.id);
  }
  return { checkpoint, starts, served, missing };
}
