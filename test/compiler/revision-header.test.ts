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

describe("revision header with cka(calibrate: true)", () => {
  it("prints the calibrated matrix the grouping used under the CKA, aligned the same way, and only when there is one", () => {
    const tasks = ["seg", "depth"];
    const plain = set(tasks);
    const calibrated = {
      ...plain,
      min: 0.9,
      mean: 0.9,
      nullSimilarity: 0.6,
      calibrated: [
        [1, 0.75],
        [0.75, 1],
      ],
    };
    const lines = revisionHeader({ number: 1, epoch: 2, phase: 0, phases: 3, sets: [calibrated] });
    const at = lines.findIndex((l) => l.includes("calibrated against the null"));
    expect(at).toBeGreaterThan(lines.findIndex((l) => l.includes("null CKA 0.600")));
    expect(lines[at + 1]!.trim().split(/\s+/)).toEqual(["seg", "1.000", "0.750"]);
    expect(lines[at + 2]!.trim().split(/\s+/)).toEqual(["depth", "0.750", "1.000"]);
    const cka = lines.find((l) => l.startsWith("      seg"))!;
    expect(lines[at + 1]!.length).toBe(cka.length);
    expect(revisionHeader({ number: 1, epoch: 2, phase: 0, phases: 3, sets: [plain] }).join("\n")).not.toContain(
      "calibrated",
    );
  });
});
