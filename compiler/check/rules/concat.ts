/**
 * A layer that reads another stage (`concat(stage)`, `decoder_bottleneck(skip: stage)`,
 * `fuse([stages])`) names a known stage, one that comes before the stage using it; in a head,
 * any known stage.
 */
import type { Value } from "../../../grammar/ast.js";
import type { Diagnostic } from "../../../grammar/diagnostics.js";
import type { ResolvedCall } from "../resolve-args.js";
import { didYouMean } from "../../../grammar/suggest.js";
import { diagnostic } from "../diagnostic.js";
import type { Rule } from "../rule.js";
import { stageIndexOf } from "../sharing-table.js";

/** The stage names a resolved layer reads, each with the node it was written as. */
export function stageReferences(layer: ResolvedCall): { name: string; node: Value }[] {
  const out: { name: string; node: Value }[] = [];
  for (const param of layer.spec.params) {
    const value = layer.args[param.name];
    const node = layer.argNodes[param.name];
    if (node === undefined) continue;
    if (param.type.kind === "stage" && typeof value === "string") out.push({ name: value, node });
    if (param.type.kind === "list" && param.type.item.kind === "stage" && Array.isArray(value)) {
      const items: readonly Value[] = node.kind === "List" ? node.items : [node];
      value.forEach((v, i) => {
        if (typeof v === "string" && items[i] !== undefined) out.push({ name: v, node: items[i]! });
      });
    }
  }
  return out;
}

export const concatRule: Rule = {
  name: "concat",
  description:
    "A layer that reads another stage (concat, decoder_bottleneck, fuse) takes an earlier stage in a stage; in a head, any known stage.",
  codes: ["MTSL1070", "MTSL1071"],
  run({ model, typed }) {
    const out: Diagnostic[] = [];
    const index = stageIndexOf(model);
    const names = [...index.keys()];
    const check = (layer: ResolvedCall | undefined, where: string, current: number | undefined): void => {
      if (layer === undefined) return;
      for (const { name: target, node } of stageReferences(layer)) {
        const at = index.get(target);
        if (at === undefined) {
          out.push(
            diagnostic(
              "MTSL1070",
              `${layer.name} in ${where} names unknown stage '${target}'`,
              node.span,
              didYouMean(target, names),
            ),
          );
        } else if (current !== undefined && at >= current) {
          out.push(
            diagnostic(
              "MTSL1071",
              at === current
                ? `stage '${target}' cannot ${layer.name === "concat" ? "concat" : "read"} its own output`
                : `${layer.name} in ${where} names stage '${target}', which comes later`,
              node.span,
              `${layer.name} takes the output of an earlier stage (a skip connection)`,
            ),
          );
        }
      }
    };
    typed.model.stages.forEach((stage) => {
      const current = index.get(stage.name);
      for (const layer of stage.layers) check(layer, `stage '${stage.name}'`, current);
    });
    for (const task of typed.model.tasks) {
      for (const layer of task.head ?? []) check(layer, `the head of task '${task.name}'`, undefined);
    }
    return out;
  },
};
