/** `structural_learning { random_from: STAGE }` names a stage of the backbone. */
import type { Diagnostic } from "../../../grammar/diagnostics.js";
import { didYouMean } from "../../../grammar/suggest.js";
import { diagnostic } from "../diagnostic.js";
import type { Rule } from "../rule.js";
import { stageIndexOf } from "../sharing-table.js";

export const slpRandomFromRule: Rule = {
  name: "slp-random-from",
  description: "random_from in structural_learning names a stage of the backbone.",
  codes: ["MTSL1095"],
  run({ model, typed }) {
    const out: Diagnostic[] = [];
    const sl = typed.model.structuralLearning;
    const value = sl?.settings.values.get("random_from");
    const node = sl?.settings.nodes.get("random_from");
    if (typeof value !== "string" || node === undefined) return out;
    const names = [...stageIndexOf(model).keys()];
    if (!names.includes(value)) {
      out.push(
        diagnostic("MTSL1095", `random_from names unknown stage '${value}'`, node.value.span, didYouMean(value, names)),
      );
    }
    return out;
  },
};
