/** `train { warm_start: PATH }` and `pretrain: N` are two starts for the same weights: one at a time. */
import type { Diagnostic } from "../../../grammar/diagnostics.js";
import { diagnostic } from "../diagnostic.js";
import type { Rule } from "../rule.js";

export const trainWarmStartRule: Rule = {
  name: "train-warm-start",
  description: "warm_start and pretrain are not set together: each decides where the weights start.",
  codes: ["MTSL1096"],
  run({ typed }) {
    const out: Diagnostic[] = [];
    const train = typed.model.train.settings;
    const node = train.nodes.get("warm_start");
    const pretrain = train.values.get("pretrain");
    if (node === undefined || typeof pretrain !== "number" || pretrain === 0) return out;
    out.push(
      diagnostic(
        "MTSL1096",
        `warm_start and pretrain: ${pretrain} both decide where the weights start`,
        node.value.span,
        "keep one: warm_start from a run that was pretrained, or pretrain without warm_start",
      ),
    );
    return out;
  },
};
