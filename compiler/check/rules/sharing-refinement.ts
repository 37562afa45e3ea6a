/**
 * Sharing only splits with depth: a group at a stage lies inside one group of
 * the stage before, so each stage instance has exactly one input.
 */
import type { Diagnostic } from "../../../grammar/diagnostics.js";
import { diagnostic } from "../diagnostic.js";
import type { Rule } from "../rule.js";

export const sharingRefinementRule: Rule = {
  name: "sharing-refinement",
  description: "A group at a stage never merges tasks that the stage before keeps in different groups.",
  codes: ["MTSL1088"],
  run({ sharing }) {
    const out: Diagnostic[] = [];
    if (sharing === null) return out;
    for (const info of sharing.rows) {
      if (!info.valid || info.from === undefined || info.from === 0) continue;
      const previous = sharing.rowOfStage[info.from - 1];
      if (previous === undefined || previous === info) continue;
      const groupOf = new Map<string, number>();
      previous.row.groups.forEach((g, i) => {
        for (const t of g.tasks) if (!groupOf.has(t.name)) groupOf.set(t.name, i);
      });
      const stage = sharing.stageNames[info.from] ?? "?";
      const before = sharing.stageNames[info.from - 1] ?? "?";
      for (const group of info.row.groups) {
        const firstOfGroup = new Map<number, string>();
        for (const t of group.tasks) {
          const g = groupOf.get(t.name);
          if (g !== undefined && !firstOfGroup.has(g)) firstOfGroup.set(g, t.name);
        }
        if (firstOfGroup.size < 2) continue;
        const [a, b] = [...firstOfGroup.values()];
        out.push(
          diagnostic(
            "MTSL1088",
            `group at stage '${stage}' merges tasks '${a ?? "?"}' and '${b ?? "?"}', which stage '${before}' keeps apart`,
            group.span,
            "sharing may only split with depth: each group must lie inside one group of the stage before",
          ),
        );
      }
    }
    return out;
  },
};
