/** In every sharing row, the groups partition the tasks: known tasks, each in exactly one non-empty group. */
import type { Diagnostic } from "../../../grammar/diagnostics.js";
import { didYouMean } from "../../../grammar/suggest.js";
import { diagnostic } from "../diagnostic.js";
import type { Rule } from "../rule.js";

export const sharingGroupsRule: Rule = {
  name: "sharing-groups",
  description:
    "The groups of each sharing row partition the tasks: no unknown task, none twice, none left out, no empty group.",
  codes: ["MTSL1084", "MTSL1085", "MTSL1086", "MTSL1087"],
  run({ model, sharing }) {
    const out: Diagnostic[] = [];
    if (sharing === null) return out;
    const known = new Set<string>();
    for (const m of model.members) if (m.kind === "Task") known.add(m.name.name);
    const tasks = [...known];
    for (const info of sharing.rows) {
      const seen = new Map<string, number>();
      let unknownTasks = false;
      info.row.groups.forEach((group, g) => {
        if (group.tasks.length === 0) {
          out.push(
            diagnostic("MTSL1087", `sharing row '${info.label}' has an empty group`, group.span, "remove the empty {}"),
          );
        }
        for (const id of group.tasks) {
          if (!known.has(id.name)) {
            unknownTasks = true;
            out.push(
              diagnostic(
                "MTSL1084",
                `sharing row '${info.label}' names unknown task '${id.name}'`,
                id.span,
                didYouMean(id.name, tasks),
              ),
            );
            continue;
          }
          const earlier = seen.get(id.name);
          if (earlier !== undefined) {
            out.push(
              diagnostic(
                "MTSL1085",
                earlier === g
                  ? `task '${id.name}' is listed twice in one group of sharing row '${info.label}'`
                  : `task '${id.name}' is in two groups of sharing row '${info.label}'`,
                id.span,
                "each task belongs to exactly one group per stage",
              ),
            );
            continue;
          }
          seen.set(id.name, g);
        }
      });
      // An unknown name is most likely a misspelt task: do not also report that task missing.
      const missing = unknownTasks ? [] : tasks.filter((t) => !seen.has(t));
      if (missing.length > 0) {
        out.push(
          diagnostic(
            "MTSL1086",
            `sharing row '${info.label}' leaves out ${missing.length === 1 ? "task" : "tasks"} ${missing.map((t) => `'${t}'`).join(", ")}`,
            info.span,
            "every task must be in exactly one group; a task alone is written {task}",
          ),
        );
      }
    }
    return out;
  },
};
