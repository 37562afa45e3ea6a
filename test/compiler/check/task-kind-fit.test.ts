import { describe, it } from "vitest";
import { at, expectDiagnostics, expectValid, model } from "./harness.js";

describe("task-kind-fit", () => {
  it("accepts losses and metrics that suit each kind, and kind defaults", () => {
    expectValid(
      model({
        tasks: [
          "task seg: segmentation(classes: 4) { head: conv(4, 1); loss: ce(label_smoothing: 0.1); metrics: pixel_acc }",
          "task depth: depth { head: conv(1, 1); loss: mse; metrics: delta1 }",
        ],
      }),
    );
  });

  it("reports a loss that does not suit the task kind, listing the ones that do", () => {
    const src = model({
      tasks: [
        "task seg: segmentation(classes: 4) { head: conv(4, 1); loss: rmse }",
        "task depth: depth { head: conv(1, 1); loss: bce(pos_weight: 0.5) }",
      ],
    });
    expectDiagnostics(src, [
      {
        code: "MTSL1060",
        ...at(src, "rmse"),
        length: 4,
        message: "loss 'rmse' does not fit task 'seg' of kind segmentation",
        hint: "segmentation tasks accept ce",
      },
      {
        code: "MTSL1060",
        ...at(src, "bce"),
        length: 3,
        message: "loss 'bce' does not fit task 'depth' of kind depth",
        hint: "depth tasks accept rmse, l1, mse",
      },
    ]);
  });

  it("reports each metric that does not suit the task kind", () => {
    const src = model({
      tasks: [
        "task seg: segmentation(classes: 4) { head: conv(4, 1); metrics: [miou, rmse, mean_angle] }",
        "task depth: depth { head: conv(1, 1); metrics: accuracy }",
      ],
    });
    expectDiagnostics(src, [
      {
        code: "MTSL1061",
        ...at(src, "rmse"),
        length: 4,
        message: "metric 'rmse' does not fit task 'seg' of kind segmentation",
        hint: "segmentation tasks accept miou, pixel_acc",
      },
      {
        code: "MTSL1061",
        ...at(src, "mean_angle"),
        length: 10,
        message: "metric 'mean_angle' does not fit task 'seg'",
      },
      {
        code: "MTSL1061",
        ...at(src, "accuracy"),
        length: 8,
        message: "metric 'accuracy' does not fit task 'depth' of kind depth",
      },
    ]);
  });

  it("warns about a metric listed twice, at the second", () => {
    const src = model({
      tasks: [
        "task seg: segmentation(classes: 4) { head: conv(4, 1); metrics: miou, pixel_acc, miou }",
        "task depth: depth { head: conv(1, 1) }",
      ],
    });
    expectDiagnostics(src, [
      {
        code: "MTSL1062",
        ...at(src, "miou", 2),
        length: 4,
        severity: "warning",
        message: "metric 'miou' is listed twice for task 'seg'",
      },
    ]);
  });

  it("says nothing about fit when the task kind is unknown", () => {
    const src = model({
      tasks: [
        "task seg: segmentaton(classes: 4) { head: conv(4, 1); loss: rmse }",
        "task depth: depth { head: conv(1, 1) }",
      ],
    });
    expectDiagnostics(src, [{ code: "MTSL1030", ...at(src, "segmentaton") }]);
  });
});
