/**
 * A revision keeps the user's group order (issue 14, point 2): when a merge splits a sharing
 * row, the rows of the stages that did not change keep the groups in the order the file wrote
 * them, not the tasks' declaration order, so a diff of two revisions changes only the merged
 * stage's line. Before: `res2..fc: {left} {left_again} {right}` became `res3..fc: {left}
 * {right} {left_again}`.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { compileSource } from "../../compiler/compile.js";
import { withPartitions } from "../../compiler/ir/rebuild.js";
import { partitionsOf } from "../../compiler/ir/sharing-tree.js";
import { lift } from "../../compiler/lift.js";
import { parse } from "../../grammar/parse.js";
import { print } from "../../grammar/printer.js";

// Three tasks declared left, right, left_again; the file groups them {left} {left_again} {right}.
const source = readFileSync("test/fixtures/models/tiny.mtsl", "utf8")
  .replace(
    "  backbone {",
    "  task left_again: classification(classes: 10) {\n    head: dense(10)\n    loss: ce\n    metrics: [accuracy]\n    target: left\n  }\n\n  backbone {",
  )
  .replace("c1..c3: {left} {right}", "c1..c3: {left} {left_again} {right}");

const sharingLines = (text: string): string[] =>
  text
    .slice(text.indexOf("sharing {"))
    .split("\n")
    .slice(1)
    .filter((l) => l.includes(":") && l.includes("{"))
    .map((l) => l.trim());

describe("lifting a merge into the user's file", () => {
  it("keeps the template's group order on the rows a merge did not change", () => {
    const compiled = compileSource(source);
    expect(compiled.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    const ir = compiled.ir!;
    const parts = partitionsOf(ir);
    parts.set("c1", [["left", "left_again"], ["right"]]);
    const merged = withPartitions(ir, parts);
    const text = print(lift(merged, parse(source).document));
    expect(sharingLines(text)).toEqual(["c1: {left left_again} {right}", "c2..c3: {left} {left_again} {right}"]);
    // and it compiles to the merged IR
    expect(compileSource(text).ir!.instances.map((i) => i.id)).toEqual(merged.instances.map((i) => i.id));
  });

  it("places a merged group where its first task stood in the template", () => {
    const ir = compileSource(source).ir!;
    const parts = partitionsOf(ir);
    parts.set("c1", [["right", "left_again"], ["left"]]);
    const text = print(lift(withPartitions(ir, parts), parse(source).document));
    expect(sharingLines(text)).toEqual(["c1: {left} {left_again right}", "c2..c3: {left} {left_again} {right}"]);
  });
});
