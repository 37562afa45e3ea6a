/** The CKA table of a revision header: names separated and numbers right-aligned under them, whatever their length. */
import { describe, expect, it } from "vitest";
import { revisionHeader, type RevisionSet } from "../../compiler/revision.js";

const set = (tasks: string[]): RevisionSet => ({
  parent: "input",
  stage: "res2",
  tasks,
  similarity: tasks.map((_, i) => tasks.map((__, j) => (i === j ? 1 : 0.5 + 0.01 * (i + j)))),
  partition: tasks.map((t) => [t]),
  value: 0.5,
  groupScores: tasks.map(() => 1),
  merged: [],
});

describe("revision header CKA table", () => {
  for (const tasks of [
    ["left", "right"],
    ["left", "left_again", "right"],
    ["a_very_long_task_name", "b"],
  ]) {
    it(`keeps the columns of ${tasks.join(", ")} apart and aligned`, () => {
      const lines = revisionHeader({ number: 1, epoch: 2, phase: 0, phases: 3, sets: [set(tasks)] });
      const head = lines.find((l) => l.startsWith("  CKA"))!;
      const rows = tasks.map((t) => lines.find((l) => l.startsWith(`      ${t} `) || l.startsWith(`      ${t}0`))!);
      // every name stands alone in the header
      expect(head.trim().split(/\s+/)).toEqual(["CKA", ...tasks]);
      // each number ends where its task's name ends
      const ends = tasks.map((t) => head.indexOf(` ${t}`, 5) + 1 + t.length);
      rows.forEach((row, i) => {
        expect(row, tasks[i]).toBeDefined();
        const numbers = [...row.matchAll(/\d\.\d{3}/g)];
        expect(numbers.map((m) => m.index + m[0].length)).toEqual(ends);
      });
    });
  }
});
