import { describe, it } from "vitest";
import { expectDiagnostics, expectValid, model, within } from "./harness.js";

describe("lr-milestones", () => {
  it("accepts milestones before the last epoch", () => {
    expectValid(model({ extra: ["train { epochs: 80; schedule: step([60, 70], 0.1) }"] }));
  });

  it("warns once about the milestones at or after the last epoch", () => {
    const src = model({ extra: ["train { epochs: 10; schedule: step([5, 10, 20]) }"] });
    expectDiagnostics(src, [
      {
        code: "MTSL1094",
        ...within(src, "[5, 10, 20]", "10"),
        length: "10, 20".length,
        severity: "warning",
        message: "learning-rate milestones 10, 20 are never reached: train has 10 epochs",
      },
    ]);
    const one = model({ extra: ["train { epochs: 10; schedule: step([5, 10]) }"] });
    expectDiagnostics(one, [
      {
        code: "MTSL1094",
        ...within(one, "[5, 10]", "10"),
        severity: "warning",
        message: "learning-rate milestone 10 is never reached",
      },
    ]);
  });
});
