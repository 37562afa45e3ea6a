/**
 * The baselines of a model, for Delta_m: `stl` trains one network per task
 * (every stage separate: MTSL's starting point, without structural learning)
 * and `one` shares every stage among all tasks (hard sharing). Both keep
 * everything else of the file: tasks, heads, backbone, data and training.
 * With `only`, the baseline keeps just those tasks (`mtslc affinity` trains
 * every task alone and every pair with hard sharing this way).
 */
import type { Document, Member, SharingDecl, SharingRow, Span, Trivia } from "../grammar/ast.js";

export type Baseline = "stl" | "one";

const ORIGIN = { offset: 0, line: 1, column: 1 };
const SPAN: Span = { start: ORIGIN, end: ORIGIN };
const trivia = (blankBefore: boolean): Trivia => ({ leading: [], trailing: null, blankBefore });

/**
 * `document` with its sharing replaced by the baseline's and no structural learning; with
 * `only`, the tasks not named there are left out (names the file does not declare are ignored:
 * the caller checks them).
 */
export function baselineDocument(document: Document, baseline: Baseline, only?: readonly string[]): Document {
  const model = document.model;
  if (!model) return document;
  const tasks = model.members.flatMap((m) =>
    m.kind === "Task" && (only === undefined || only.includes(m.name.name)) ? [m.name.name] : [],
  );
  return groupedDocument(document, baseline === "one" ? [tasks] : tasks.map((t) => [t]), baseline);
}

/**
 * `document` with every stage shared within each of `groups` (a partition of some of its
 * tasks: each group one network of its own, the tasks in no group left out) and no
 * structural learning; the model is renamed `NAME_suffix`. The baselines are its two
 * extremes; `mtslc affinity` writes the best partition for each number of groups this way.
 * With `sharedThrough` (a stage of the backbone), the groups share only the stages up to and
 * including it, and every later stage is one per task (`mtslc affinity --through`); a name
 * the backbone does not have is the caller's to refuse (here it shares every stage).
 */
export function groupedDocument(
  document: Document,
  groups: readonly (readonly string[])[],
  suffix: string,
  sharedThrough?: string,
): Document {
  const model = document.model;
  if (!model) return document;
  const grouped = new Set(groups.flat());
  const kept = (m: Member): boolean => m.kind !== "Task" || grouped.has(m.name.name);
  const stages = model.members.flatMap((m) => (m.kind === "Backbone" ? m.stages.map((s) => s.name.name) : []));
  const ident = (name: string) => ({ kind: "Ident" as const, name, span: SPAN });
  const row = (first: number, last: number, rowGroups: readonly (readonly string[])[]): SharingRow => ({
    kind: "SharingRow",
    from: ident(stages[first]!),
    to: last > first ? ident(stages[last]!) : null,
    groups: rowGroups.map((g) => ({ kind: "TaskGroup", tasks: g.map(ident), span: SPAN })),
    trivia: trivia(false),
    span: SPAN,
  });
  // With `sharedThrough`, the groups share the stages up to it; every later stage is per task.
  const through = sharedThrough === undefined ? stages.length - 1 : stages.indexOf(sharedThrough);
  const sharing: SharingDecl = {
    kind: "Sharing",
    rows:
      stages.length === 0
        ? []
        : through < 0 || through >= stages.length - 1
          ? [row(0, stages.length - 1, groups)]
          : [
              row(0, through, groups),
              row(
                through + 1,
                stages.length - 1,
                groups.flat().map((t) => [t]),
              ),
            ],
    dangling: [],
    trivia: trivia(true),
    span: SPAN,
  };
  const members: Member[] = [];
  let placed = false;
  for (const m of model.members) {
    if (!kept(m)) continue;
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
  return { ...document, model: { ...model, name: { ...model.name, name: `${model.name.name}_${suffix}` }, members } };
}

/** The document a training compiles: the file's own, or its baseline (of the tasks in `only`). */
export function trainedDocument(document: Document, baseline?: Baseline, only?: readonly string[]): Document {
  return baseline ? baselineDocument(document, baseline, only) : document;
}
