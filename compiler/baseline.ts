/**
 * The baselines of a model, for Delta_m: `stl` trains one network per task
 * (every stage separate: MTSL's starting point, without structural learning)
 * and `one` shares every stage among all tasks (hard sharing). Both keep
 * everything else of the file: tasks, heads, backbone, data and training.
 */
import type { Document, Member, SharingDecl, Span, Trivia } from "../grammar/ast.js";

export type Baseline = "stl" | "one";

const ORIGIN = { offset: 0, line: 1, column: 1 };
const SPAN: Span = { start: ORIGIN, end: ORIGIN };
const trivia = (blankBefore: boolean): Trivia => ({ leading: [], trailing: null, blankBefore });

/** `document` with its sharing replaced by the baseline's and no structural learning. */
export function baselineDocument(document: Document, baseline: Baseline): Document {
  const model = document.model;
  if (!model) return document;
  const tasks = model.members.flatMap((m) => (m.kind === "Task" ? [m.name.name] : []));
  const stages = model.members.flatMap((m) => (m.kind === "Backbone" ? m.stages.map((s) => s.name.name) : []));
  const ident = (name: string) => ({ kind: "Ident" as const, name, span: SPAN });
  const groups = baseline === "one" ? [tasks] : tasks.map((t) => [t]);
  const sharing: SharingDecl = {
    kind: "Sharing",
    rows:
      stages.length === 0
        ? []
        : [
            {
              kind: "SharingRow",
              from: ident(stages[0]!),
              to: stages.length > 1 ? ident(stages[stages.length - 1]!) : null,
              groups: groups.map((g) => ({ kind: "TaskGroup", tasks: g.map(ident), span: SPAN })),
              trivia: trivia(false),
              span: SPAN,
            },
          ],
    dangling: [],
    trivia: trivia(true),
    span: SPAN,
  };
  const members: Member[] = [];
  let placed = false;
  for (const m of model.members) {
    if (m.kind === "Sharing") {
      members.push({ ...sharing, trivia: m.trivia });
      placed = true;
    } else if (m.kind === "Block" && m.keyword === "structural_learning") {
      continue;
    } else {
      members.push(m);
      if (m.kind === "Backbone" && !model.members.some((x) => x.kind === "Sharing")) {
        members.push(sharing);
        placed = true;
      }
    }
  }
  if (!placed) members.push(sharing);
  return { ...document, model: { ...model, name: { ...model.name, name: `${model.name.name}_${baseline}` }, members } };
}
