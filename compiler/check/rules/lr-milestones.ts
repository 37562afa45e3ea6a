/** Step-schedule milestones fall within the training epochs. */
import type { Diagnostic } from "../../../grammar/diagnostics.js";
import type { ResolvedCall } from "../../catalog/index.js";
import { diagnostic } from "../diagnostic.js";
import type { Rule } from "../rule.js";

export const lrMilestonesRule: Rule = {
  name: "lr-milestones",
  description: "Warns about step-schedule milestones at or after the last epoch: the rate never drops there.",
  codes: ["MTSL1094"],
  run({ typed }) {
    const out: Diagnostic[] = [];
    const train = typed.model.train.settings;
    const epochs = train.values.get("epochs");
    const schedule = train.values.get("schedule") as ResolvedCall | undefined;
    const milestones = schedule?.args["milestones"];
    const node = schedule?.argNodes["milestones"];
    if (typeof epochs !== "number" || !Array.isArray(milestones) || node?.kind !== "List") return out;
    (milestones as readonly unknown[]).forEach((m, i) => {
      const span = node.items[i]?.span;
      if (typeof m !== "number" || m < epochs || span === undefined) return;
      out.push(
        diagnostic(
          "MTSL1094",
          `learning-rate milestone ${m} is never reached: train has ${epochs} epochs`,
          span,
          `use milestones below ${epochs}`,
        ),
      );
    });
    return out;
  },
};
