/**
 * How the task groups of one stage changed. Old and new groups are linked when
 * they hold a task in common; each connected set of groups is one change: many
 * old groups into one new group is a merge, one into many a split, many into
 * many a regrouping, and one into one with other members (a task added to or
 * removed from the model joined or left it) a change of members. Groups made
 * only of added or removed tasks are left to the TASK_ADDED/TASK_REMOVED changes.
 */
import { groupKey } from "../ir/sharing-tree.js";
import type { SharingChange } from "./types.js";

/** The groups of one stage with their instance ids, in the IR's instance order. */
export interface StageGroups {
  stage: string;
  groups: { tasks: string[]; id: string }[];
}

export const showGroup = (tasks: readonly string[]): string => `{${tasks.join(" ")}}`;
const showGroups = (groups: readonly (readonly string[])[]): string => groups.map(showGroup).join(" ");

/** The sharing changes of one stage present in both models (`stage` is its name in the new model). */
export function compareGroups(before: StageGroups, after: StageGroups, common: ReadonlySet<string>): SharingChange[] {
  const a = before.groups;
  const b = after.groups;
  // Union-find over a's groups (0..a.length-1) and b's (a.length..).
  const parent = Array.from({ length: a.length + b.length }, (_, i) => i);
  const find = (x: number): number => {
    while (parent[x] !== x) x = parent[x] = parent[parent[x]!]!;
    return x;
  };
  const owner = new Map<string, number>();
  a.forEach((g, i) => g.tasks.forEach((t) => owner.set(t, i)));
  b.forEach((g, j) =>
    g.tasks.forEach((t) => {
      const i = owner.get(t);
      if (i !== undefined && common.has(t)) parent[find(a.length + j)] = find(i);
    }),
  );
  const hasCommon = (tasks: readonly string[]): boolean => tasks.some((t) => common.has(t));

  const components = new Map<number, { olds: number[]; news: number[] }>();
  const component = (root: number): { olds: number[]; news: number[] } => {
    let c = components.get(root);
    if (!c) components.set(root, (c = { olds: [], news: [] }));
    return c;
  };
  // Visit new groups first so that components come out in the new model's order.
  b.forEach((g, j) => {
    if (hasCommon(g.tasks)) component(find(a.length + j)).news.push(j);
  });
  a.forEach((g, i) => {
    if (hasCommon(g.tasks)) component(find(i)).olds.push(i);
  });

  const stage = after.stage;
  const out: SharingChange[] = [];
  for (const { olds, news } of components.values()) {
    const oldGroups = olds.map((i) => a[i]!);
    const newGroups = news.map((j) => b[j]!);
    if (olds.length === 1 && news.length === 1 && groupKey(oldGroups[0]!.tasks) === groupKey(newGroups[0]!.tasks))
      continue;
    const oldIds = new Set(oldGroups.map((g) => g.id));
    const newIds = new Set(newGroups.map((g) => g.id));
    const removedInstances = oldGroups.map((g) => g.id).filter((id) => !newIds.has(id));
    const addedInstances = newGroups.map((g) => g.id).filter((id) => !oldIds.has(id));
    const beforeGroups = oldGroups.map((g) => [...g.tasks]);
    const afterGroups = newGroups.map((g) => [...g.tasks]);
    const type =
      olds.length === 1 && news.length === 1
        ? "GROUP_MEMBERS_CHANGED"
        : news.length === 1
          ? "GROUPS_MERGED"
          : olds.length === 1
            ? "GROUPS_SPLIT"
            : "GROUPS_REGROUPED";
    const verb =
      type === "GROUPS_MERGED"
        ? "merged into"
        : type === "GROUPS_SPLIT"
          ? "split into"
          : type === "GROUPS_REGROUPED"
            ? "regrouped as"
            : "->";
    const ids = `${removedInstances.join(", ") || "none"} -> ${addedInstances.join(", ") || "none"}`;
    out.push({
      type,
      stage,
      before: beforeGroups,
      after: afterGroups,
      removedInstances,
      addedInstances,
      description: `${stage}: ${showGroups(beforeGroups)} ${verb} ${showGroups(afterGroups)} (instances ${ids})`,
    });
  }
  return out;
}
