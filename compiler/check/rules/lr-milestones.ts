/** Step-schedule milestones fall within the training epochs. */
import type { Span } from "../../../grammar/ast.js";
import type { Diagnostic } from "../../../grammar/diagnostics.js";
import type { ResolvedCall } from "../resolve-args.js";
import { diagnostic, epochCount, joinSpans } from "../diagnostic.js";
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
    const late: { value: number; span: Span }[] = [];
    (milestones as readonly unknown[]).forEach((m, i) => {
      const span = node.items[i]?.span;
      if (typeof m === "number" && m >= epochs && span !== undefined) late.push({ value: m, span });
    });
    const first = late[0];
    const last = late[late.length - 1];
    if (first === undefined || last === undefined) return out;
    const list = late.map((l) => l.value).join(", ");
    out.push(
      diagnostic(
        "MTSL1094",
        late.length === 1
          ? `learning-rate milestone ${list} is never reached: train has ${epochCount(epochs)}`
          : `learning-rate milestones ${list} are never reached: train has ${epochCount(epochs)}`,
        joinSpans(first.span, last.span),
        `use milestones below ${epochs}, or raise train { epochs } above ${last.value}`,
      ),
    );
    return out;
  },
};
