/** `concat(stage)` names a known stage that comes before the stage using it. */
import type { Diagnostic } from "../../../grammar/diagnostics.js";
import type { ResolvedCall } from "../resolve-args.js";
import { didYouMean } from "../../../grammar/suggest.js";
import { diagnostic } from "../diagnostic.js";
import type { Rule } from "../rule.js";
import { stageIndexOf } from "../sharing-table.js";

export const concatRule: Rule = {
  name: "concat",
  description: "concat(stage) in a stage takes an earlier stage; in a head, any known stage.",
  codes: ["MTSL1070", "MTSL1071"],
  run({ model, typed }) {
    const out: Diagnostic[] = [];
    const index = stageIndexOf(model);
    const names = [...index.keys()];
    const check = (layer: ResolvedCall | undefined, where: string, current: number | undefined): void => {
      if (layer?.name !== "concat") return;
      const target = layer.args["stage"];
      const node = layer.argNodes["stage"];
      if (typeof target !== "string" || node === undefined) return;
      const at = index.get(target);
      if (at === undefined) {
        out.push(
          diagnostic(
            "MTSL1070",
            `concat in ${where} names unknown stage '${target}'`,
            node.span,
            didYouMean(target, names),
          ),
        );
      } else if (current !== undefined && at >= current) {
        out.push(
          diagnostic(
            "MTSL1071",
            at === current
              ? `stage '${target}' cannot concat its own output`
              : `concat in ${where} names stage '${target}', which comes later`,
            node.span,
            "concat takes the output of an earlier stage (a skip connection)",
          ),
        );
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
