import { describe, expect, it } from "vitest";
import { checkSource, expectClean, expectDiagnostics, model, within } from "./harness.js";

describe("data-binding", () => {
  it("binds tasks to a built-in source's targets by name or by kind", () => {
    expectClean(model({}));
    expectClean(
      model({
        tasks: [
          "task seg: segmentation(classes: 6) { head: conv(6, 1) }",
          "task d: depth { head: conv(1, 1) }",
          "task n: normals { head: conv(3, 1) }",
          "task e: edges { head: conv(1, 1) }",
          "task ae: reconstruction { head: conv(3, 1) }",
        ],
      }),
    );
  });

  it("reports a target the source does not have, one a task of this kind cannot learn, and a class count", () => {
    const src = model({
      tasks: [
        "task seg: segmentation(classes: 6) { head: conv(6, 1); target: labels }",
        "task depth: depth { head: conv(1, 1); target: normals }",
        "task s2: segmentation(classes: 4) { head: conv(4, 1) }",
      ],
    });
    expectDiagnostics(src, [
      { code: "MTSL2008", ...within(src, "target: labels", "labels"), hint: "segmentation, depth" },
      {
        code: "MTSL2008",
        ...within(src, "target: normals", "normals"),
        message: "target 'normals' of scenes cannot be learned by a depth task",
        hint: "a depth task can learn depth",
      },
      { code: "MTSL2009", ...within(src, "task s2: segmentation(classes: 4)", "segmentation"), hint: "classes: 6" },
    ]);
  });

  it("binds npy tasks to MTAN's folders by default, and refuses one folder read two ways", () => {
    const nyu = {
      data: 'data npy(dir: "no/such/dir")',
      tasks: [
        "task seg: segmentation(classes: 13) { head: conv(13, 1) }",
        "task depth: depth { head: conv(1, 1) }",
        "task edge: edges { head: conv(1, 1) }",
      ],
    };
    expectClean(model(nyu));
    const src = model({
      ...nyu,
      tasks: [...nyu.tasks, "task n: normals { head: conv(3, 1); target: depth }"],
    });
    const d = expectDiagnostics(src, [{ code: "MTSL2008", ...within(src, "target: depth", "depth") }]);
    expect(d[0]!.message).toContain("reads folder 'depth' as 3 values per pixel (normals)");
    const twoCounts = model({
      ...nyu,
      tasks: [...nyu.tasks, "task s2: segmentation(classes: 5) { head: conv(5, 1); target: label }"],
    });
    expect(checkSource(twoCounts).map((x) => x.code)).toEqual(["MTSL2009"]);
  });
});
