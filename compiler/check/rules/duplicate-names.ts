/** Task names and stage names are unique. */
import type { Identifier } from "../../../grammar/ast.js";
import type { Diagnostic } from "../../../grammar/diagnostics.js";
import type { CheckCode } from "../codes.js";
import { diagnostic } from "../diagnostic.js";
import type { Rule } from "../rule.js";

function duplicates(names: readonly Identifier[], code: CheckCode, noun: string, out: Diagnostic[]): void {
  const first = new Map<string, Identifier>();
  for (const id of names) {
    const earlier = first.get(id.name);
    if (earlier === undefined) {
      first.set(id.name, id);
      continue;
    }
    out.push(
      diagnostic(
        code,
        `${noun} '${id.name}' is declared twice`,
        id.span,
        `the first is on line ${earlier.span.start.line}; rename one`,
      ),
    );
  }
}

export const duplicateNamesRule: Rule = {
  name: "duplicate-names",
  description: "No two tasks and no two backbone stages share a name.",
  codes: ["MTSL1004", "MTSL1005"],
  run({ model }) {
    const out: Diagnostic[] = [];
    const tasks: Identifier[] = [];
    const stages: Identifier[] = [];
    for (const m of model.members) {
      if (m.kind === "Task") tasks.push(m.name);
      if (m.kind === "Backbone") stages.push(...m.stages.map((s) => s.name));
    }
    duplicates(tasks, "MTSL1004", "task", out);
    duplicates(stages, "MTSL1005", "stage", out);
    return out;
  },
};
