/**
 * A head's last channel-setting layer produces the channels its task kind
 * needs (classes, 1 for depth, 3 for normals, the input's for reconstruction).
 * Heads whose channels depend on shape inference (a concat last, or no layer
 * that sets channels) are left to the compiler.
 */
import type { Diagnostic } from "../../../grammar/diagnostics.js";
import type { LayerSpec } from "../../catalog/index.js";
import type { ResolvedCall } from "../resolve-args.js";
import { diagnostic } from "../diagnostic.js";
import type { Rule } from "../rule.js";
import type { TypedTask } from "../typed-model.js";

/**
 * The channels a task's head must output, from its kind's catalogue entry
 * (a parameter, a fixed count, or the input's channels), and why.
 */
export function expectedHeadChannels(
  task: TypedTask,
  inputChannels: number | undefined,
): { channels: number; why: string } | undefined {
  const spec = task.kindSpec;
  const kind = task.kind;
  if (spec === undefined || kind === undefined) return undefined;
  const rule = spec.headChannels;
  switch (rule.from) {
    case "fixed":
      return { channels: rule.channels, why: `${spec.name} needs ${rule.channels}` };
    case "param": {
      const v = kind.args[rule.param];
      return typeof v === "number" ? { channels: v, why: `${spec.name}(${rule.param}: ${v}) needs ${v}` } : undefined;
    }
    case "input":
      return inputChannels === undefined
        ? undefined
        : { channels: inputChannels, why: `${spec.name} needs the input's ${inputChannels}` };
  }
}

/** The head's output channels and the layer and argument that set them, when known statically. */
export function headChannels(
  head: readonly ResolvedCall[],
): { channels: number; layer: ResolvedCall; param: string } | undefined {
  for (let i = head.length - 1; i >= 0; i--) {
    const layer = head[i];
    if (layer === undefined) continue;
    const effect = (layer.spec as LayerSpec).channels;
    if (effect.kind === "keep") continue;
    if (effect.kind === "add") return undefined;
    const base = layer.args[effect.param];
    const times = effect.times === undefined ? 1 : layer.args[effect.times];
    if (typeof base !== "number" || typeof times !== "number") return undefined;
    return { channels: base * times, layer, param: effect.param };
  }
  return undefined;
}

/** Kinds whose head outputs a map (every pixel), not a vector. */
function isDenseKind(task: TypedTask): boolean {
  const kind = task.kind?.name;
  return kind !== undefined && kind !== "classification" && kind !== "regression";
}

export const headChannelsRule: Rule = {
  name: "head-channels",
  description: "A head ends with as many channels as its task kind needs.",
  codes: ["MTSL1063"],
  run({ typed }) {
    const out: Diagnostic[] = [];
    for (const task of typed.model.tasks) {
      if (task.head === undefined) continue;
      const input = typed.model.input;
      const expected = expectedHeadChannels(task, input?.shape.length === 3 ? input.shape[2]?.value : undefined);
      const actual = headChannels(task.head);
      if (expected === undefined || actual === undefined || actual.channels === expected.channels) continue;
      const span = actual.layer.argNodes[actual.param]?.span ?? actual.layer.node?.span;
      if (span === undefined) continue;
      out.push(
        diagnostic(
          "MTSL1063",
          `head of task '${task.name}' outputs ${actual.channels} channel${actual.channels === 1 ? "" : "s"} (${actual.layer.name}), but ${expected.why}`,
          span,
          actual.layer.name === "dense" && isDenseKind(task)
            ? `a ${task.kind!.name} head outputs a map: end it with conv(${expected.channels}, 1) at the input's size, not dense`
            : `make the head's last ${actual.layer.name} output ${expected.channels}`,
        ),
      );
    }
    return out;
  },
};
