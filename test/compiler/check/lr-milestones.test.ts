import { describe, it } from "vitest";
import { expectDiagnostics, expectValid, model, within } from "./harness.js";

describe("lr-milestones", () => {
  it("accepts milestones before the last epoch", () => {
    expectValid(model({ extra: ["train { epochs: 80; schedule: step([60, 70], 0.1) }"] }));
  });

  it("warns about milestones at or after the last epoch", () => {
    const src = model({ extra: ["train { epochs: 10; schedule: step([5, 10, 20]) }"] });
    expectDiagnostics(src, [
      {
        code: "MTSL1094",
        ...within(src, "[5, 10, 20]", "10"),
        length: 2,
        severity: "warning",
        message: "learning-rate milestone 10 is never reached: train has 10 epochs",
      },
      { code: "MTSL1094", ...within(src, "[5, 10, 20]", "20"), length: 2, message: "milestone 20" },
    ]);
  });
});
