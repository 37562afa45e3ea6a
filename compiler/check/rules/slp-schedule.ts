/**
 * Structural-learning phases run within training, and the distillation
 * schedule has one entry per phase.
 */
import type { Span, Value } from "../../../grammar/ast.js";
import type { Diagnostic } from "../../../grammar/diagnostics.js";
import type { ResolvedCall } from "../resolve-args.js";
import { diagnostic, epochCount, joinSpans } from "../diagnostic.js";
import type { Rule } from "../rule.js";

function listItems(value: Value | undefined): readonly Value[] {
  return value?.kind === "List" ? value.items : [];
}

export const slpScheduleRule: Rule = {
  name: "slp-schedule",
  description:
    "at_epochs lie within the training epochs (a phase after the last epoch is a warning); passes has one entry per phase.",
  codes: ["MTSL1090", "MTSL1091", "MTSL1092"],
  run({ typed }) {
    const out: Diagnostic[] = [];
    const sl = typed.model.structuralLearning;
    if (sl === undefined) return out;
    const atEpochs = sl.settings.values.get("at_epochs");
    if (!Array.isArray(atEpochs)) return out;
    const epochs = typed.model.train.settings.values.get("epochs");
    const epochsGiven = typed.model.train.settings.nodes.has("epochs");
    const atNode = sl.settings.nodes.get("at_epochs");
    if (typeof epochs === "number" && atNode !== undefined) {
      const items = listItems(atNode.value);
      const source = `train has ${epochCount(epochs)}${epochsGiven ? "" : " by default"}`;
      // Every phase after the last epoch is one problem: one diagnostic over all of them.
      const late: { epoch: number; span: Span }[] = [];
      (atEpochs as readonly unknown[]).forEach((e, i) => {
        const span = items[i]?.span;
        if (typeof e !== "number" || span === undefined) return;
        if (e > epochs) {
          late.push({ epoch: e, span });
        } else if (e === epochs) {
          out.push(
            diagnostic(
              "MTSL1091",
              `structural-learning phase after epoch ${e}, the last one: merged layers get no training afterwards`,
              span,
              "schedule phases before the last epoch",
            ),
          );
        }
      });
      const first = late[0];
      const last = late[late.length - 1];
      if (first !== undefined && last !== undefined) {
        const list = late.map((l) => l.epoch).join(", ");
        out.push(
          diagnostic(
            "MTSL1090",
            late.length === 1
              ? `structural-learning phase after epoch ${list} never runs: ${source}`
              : `structural-learning phases after epochs ${list} never run: ${source}`,
            joinSpans(first.span, last.span),
            `raise train { epochs } above ${last.epoch}, or keep only phases up to epoch ${epochs}`,
          ),
        );
      }
    }
    const transfer = sl.settings.values.get("transfer") as ResolvedCall | undefined;
    const passes = transfer?.args["passes"];
    const passesNode = transfer?.argNodes["passes"];
    if (
      Array.isArray(passes) &&
      passesNode !== undefined &&
      transfer?.args["per"] !== "merge" &&
      passes.length !== atEpochs.length
    ) {
      out.push(
        diagnostic(
          "MTSL1092",
          `${transfer?.name ?? "transfer"}: passes has ${passes.length} entr${passes.length === 1 ? "y" : "ies"} but at_epochs has ${atEpochs.length}`,
          passesNode.span,
          "give one number of passes per structural-learning phase",
        ),
      );
    }
    return out;
  },
};
