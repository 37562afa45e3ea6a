/** A structural_learning block has something to learn: two or more tasks not yet fully shared. */
import type { Diagnostic } from "../../../grammar/diagnostics.js";
import { diagnostic } from "../diagnostic.js";
import type { Rule } from "../rule.js";

export const slpNothingToLearnRule: Rule = {
  name: "slp-nothing-to-learn",
  description:
    "Warns when structural learning has one task, or a sharing block that already shares every stage by all tasks.",
  codes: ["MTSL1093"],
  run({ typed, sharing }) {
    const out: Diagnostic[] = [];
    const decl = typed.model.structuralLearning?.decl;
    if (decl === undefined || decl === null) return out;
    const tasks = new Set(typed.model.tasks.map((t) => t.name));
    if (tasks.size < 2) {
      out.push(
        diagnostic(
          "MTSL1093",
          `structural learning has nothing to learn: the model has ${tasks.size === 1 ? "one task" : "no task"}`,
          decl.keywordSpan,
          "remove the structural_learning block, or add tasks",
        ),
      );
      return out;
    }
    if (sharing === null || sharing.stageNames.length === 0) return out;
    // A row shares fully when it is one group holding every task; check each row once.
    const sharesFully = new Map<object, boolean>();
    const fullyShared = sharing.stageNames.every((_, s) => {
      const row = sharing.rowOfStage[s];
      if (row === undefined) return false;
      let full = sharesFully.get(row);
      if (full === undefined) {
        const only = row.row.groups.length === 1 ? row.row.groups[0] : undefined;
        const inGroup = new Set(only?.tasks.map((id) => id.name) ?? []);
        full = only !== undefined && [...tasks].every((t) => inGroup.has(t));
        sharesFully.set(row, full);
      }
      return full;
    });
    if (fullyShared) {
      out.push(
        diagnostic(
          "MTSL1093",
          "structural learning has nothing to learn: every stage is already shared by all tasks",
          decl.keywordSpan,
          "remove the structural_learning block, or split the sharing where tasks should learn to branch",
        ),
      );
    }
    return out;
  },
};
