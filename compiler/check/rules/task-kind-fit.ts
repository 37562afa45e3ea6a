/** A task's loss and metrics suit its kind; no metric is listed twice. */
import type { Value } from "../../../grammar/ast.js";
import type { Diagnostic } from "../../../grammar/diagnostics.js";
import { lossesForKind, lossSpec, metricsForKind, metricSpec } from "../../catalog/index.js";
import { diagnostic } from "../diagnostic.js";
import type { Rule } from "../rule.js";

/** The names written in a setting value: one word, a call, or a list of them. */
function words(value: Value): { name: string; span: Value["span"] }[] {
  const items = value.kind === "List" ? value.items : [value];
  const out: { name: string; span: Value["span"] }[] = [];
  for (const item of items) {
    if (item.kind === "Ident") out.push({ name: item.name, span: item.span });
    if (item.kind === "Call") out.push({ name: item.callee.name, span: item.callee.span });
  }
  return out;
}

export const taskKindFitRule: Rule = {
  name: "task-kind-fit",
  description: "A task's loss and metrics are ones its kind accepts; a metric is listed once.",
  codes: ["MTSL1060", "MTSL1061", "MTSL1062"],
  run({ typed }) {
    const out: Diagnostic[] = [];
    for (const task of typed.model.tasks) {
      const kind = task.kindSpec?.name;
      if (kind === undefined) continue;
      const lossNode = task.settings.nodes.get("loss");
      if (lossNode !== undefined) {
        for (const w of words(lossNode.value)) {
          const spec = lossSpec(w.name);
          if (spec === undefined || spec.kinds.includes(kind)) continue;
          out.push(
            diagnostic(
              "MTSL1060",
              `loss '${w.name}' does not fit task '${task.name}' of kind ${kind}`,
              w.span,
              `${kind} tasks accept ${lossesForKind(kind)
                .map((l) => l.name)
                .join(", ")}`,
            ),
          );
        }
      }
      const metricsNode = task.settings.nodes.get("metrics");
      if (metricsNode === undefined) continue;
      const seen = new Set<string>();
      for (const w of words(metricsNode.value)) {
        const spec = metricSpec(w.name);
        if (spec === undefined) continue;
        if (seen.has(w.name)) {
          out.push(diagnostic("MTSL1062", `metric '${w.name}' is listed twice for task '${task.name}'`, w.span));
          continue;
        }
        seen.add(w.name);
        if (spec.kinds.includes(kind)) continue;
        out.push(
          diagnostic(
            "MTSL1061",
            `metric '${w.name}' does not fit task '${task.name}' of kind ${kind}`,
            w.span,
            `${kind} tasks accept ${metricsForKind(kind)
              .map((m) => m.name)
              .join(", ")}`,
          ),
        );
      }
    }
    return out;
  },
};
