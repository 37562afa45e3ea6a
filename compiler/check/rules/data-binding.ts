/**
 * Every task learns a target its data provides: for a built-in source, one of
 * its targets (by name, or the one made for the task's kind) that a task of
 * this kind can learn, with the same class count; for a folder source (npy),
 * folders that no two tasks read in two different ways.
 */
import type { Diagnostic } from "../../../grammar/diagnostics.js";
import { dataSourceSpec } from "../../catalog/index.js";
import type { TaskKind } from "../../ir/types.js";
import { folderReads, type TaskTarget } from "../../lower/targets.js";
import { diagnostic } from "../diagnostic.js";
import type { Rule } from "../rule.js";
import type { TypedTask } from "../typed-model.js";

function targetSpan(t: TypedTask) {
  return t.settings.nodes.get("target")?.value.span ?? t.decl.name.span;
}

export const dataBindingRule: Rule = {
  name: "data-binding",
  description: "Each task's target exists in its data, fits its kind and has its class count.",
  codes: ["MTSL2008", "MTSL2009"],
  run({ typed }) {
    const out: Diagnostic[] = [];
    const source = typed.model.data?.source;
    const spec = source === undefined ? undefined : dataSourceSpec(source.name);
    if (source === undefined || spec === undefined) return out;
    const bound: { typed: TypedTask; task: TaskTarget }[] = [];
    for (const t of typed.model.tasks) {
      if (t.kind === undefined) continue;
      const kind = t.kind.name as TaskKind;
      bound.push({
        typed: t,
        task: { name: t.name, kind, options: t.kind.args as TaskTarget["options"], target: t.target },
      });
    }
    if (spec.targets === null) {
      const channels = typed.model.input?.shape[2]?.value ?? 3;
      for (const p of folderReads(
        bound.map((b) => b.task),
        channels,
      ).problems) {
        const t = bound.find((b) => b.task.name === p.task)!.typed;
        out.push(diagnostic(p.code, p.message, targetSpan(t), "give each task the folder it reads with 'target:'"));
      }
      return out;
    }
    const names = spec.targets.map((b) => b.name).join(", ");
    for (const { typed: t, task } of bound) {
      const target = spec.targets.find((b) => b.name === task.target);
      if (!target) {
        out.push(
          diagnostic(
            "MTSL2008",
            `task '${task.name}' learns target '${task.target}', which ${source.name} does not provide (it has ${names})`,
            targetSpan(t),
            `set 'target:' to one of ${names}`,
          ),
        );
      } else if (!target.kinds.includes(task.kind)) {
        out.push(
          diagnostic(
            "MTSL2008",
            `target '${target.name}' of ${source.name} cannot be learned by a ${task.kind} task`,
            targetSpan(t),
            `a ${task.kind} task can learn ${
              spec.targets
                .filter((b) => b.kinds.includes(task.kind))
                .map((b) => b.name)
                .join(", ") || "none of its targets"
            }`,
          ),
        );
      } else if (
        task.kind === target.kinds[0] &&
        target.classes !== undefined &&
        task.options["classes"] !== undefined &&
        task.options["classes"] !== target.classes
      ) {
        out.push(
          diagnostic(
            "MTSL2009",
            `task '${task.name}' declares ${String(task.options["classes"])} classes but ${source.name}'s '${target.name}' has ${target.classes}`,
            t.kind?.node?.span ?? t.decl.name.span,
            `declare classes: ${target.classes}`,
          ),
        );
      }
    }
    return out;
  },
};
