import { describe, expect, it } from "vitest";
import type { IrTask } from "../../../compiler/ir/types.js";
import { deltaM, keyMetric, meanScores } from "../../../runtime/eval/gain.js";
import { inlineSvg } from "../../../runtime/report/svg.js";
import { highlightedDot, createdInstances } from "../../../runtime/report/trees.js";
import { escapeHtml } from "../../../runtime/report/html.js";

const task = (name: string, metrics: string[]): IrTask => ({
  name,
  kind: "segmentation",
  options: {},
  target: name,
  loss: { name: "ce", options: {} },
  metrics,
  weight: 1,
});

describe("Delta_m", () => {
  it("matches a hand-worked value with mixed directions", () => {
    // seg miou 0.55 vs 0.50: +10%; depth rmse 0.9 vs 1.0 (lower better): +10%; normals mean_angle 22 vs 20: -10%.
    const scores = { seg: { miou: 0.55, pixel_acc: 0.8 }, depth: { rmse: 0.9 }, normal: { mean_angle: 22 } };
    const ref = { seg: { miou: 0.5, pixel_acc: 0.8 }, depth: { rmse: 1.0 }, normal: { mean_angle: 20 } };
    const g = deltaM(scores, ref, { seg: "miou", depth: "rmse", normal: "mean_angle" })!;
    expect(g.value).toBeCloseTo((10 + 10 - 10) / 3, 10);
    expect(g.perTask).toEqual({
      seg: expect.closeTo(10, 10),
      depth: expect.closeTo(10, 10),
      normal: expect.closeTo(-10, 10),
    });
    // All metrics: pixel_acc adds a 0% term: (10 + 0 + 10 - 10) / 4.
    expect(g.allMetrics).toBeCloseTo(10 / 4, 10);
  });

  it("is zero for the baseline itself and null when nothing can be compared", () => {
    const s = { a: { accuracy: 0.7 } };
    expect(deltaM(s, s, { a: "accuracy" })!.value).toBe(0);
    expect(deltaM(s, { b: { accuracy: 0.5 } }, { a: "accuracy" })).toBeNull();
    expect(deltaM(s, { a: { accuracy: 0 } }, { a: "accuracy" })).toBeNull();
  });

  it("takes the first listed metric with a direction as the key, and averages baselines", () => {
    expect(keyMetric(task("s", ["loss", "miou", "pixel_acc"]))).toBe("miou");
    expect(keyMetric(task("s", []))).toBeNull();
    expect(meanScores([{ a: { x: 1 } }, { a: { x: 3 }, b: { y: 2 } }])).toEqual({ a: { x: 2 }, b: { y: 2 } });
  });
});

describe("report helpers", () => {
  it("renumbers SVG ids per figure, references included", () => {
    const svg =
      '<?xml version="1.0"?><!DOCTYPE svg><svg><defs><linearGradient id="gradient_9"/></defs><rect fill="url(#gradient_9)"/><use href="#gradient_9"/><a href="#other"/></svg>';
    expect(inlineSvg(svg, "f3")).toBe(
      '<svg><defs><linearGradient id="f3-1"/></defs><rect fill="url(#f3-1)"/><use href="#f3-1"/><a href="#other"/></svg>',
    );
  });

  it("escapes HTML", () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe("&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
  });

  it("highlights only the instances a revision created", () => {
    const ir = (ids: string[][]) =>
      ({
        name: "M",
        input: { name: "image", dtype: "f32", shape: [4, 4, 1] },
        tasks: [task("a", []), task("b", [])],
        instances: ids.map(([id, stage, ...tasks]) => ({
          id: id!,
          stage: stage!,
          tasks,
          input: "input",
          skips: [],
          params: 1,
          flops: 1,
        })),
        heads: [],
      }) as never;
    const before = ir([
      ["s@a", "s", "a"],
      ["s@b", "s", "b"],
    ]);
    const after = ir([["s@a+b", "s", "a", "b"]]);
    expect(createdInstances(before, after)).toEqual(["s@a+b"]);
    expect(createdInstances(null, after)).toEqual([]);
    const dot = highlightedDot(after, ["s@a+b", "unknown"]);
    expect(dot).toContain('"s@a+b" [color="#d35400", penwidth=3.5];');
    expect(dot).not.toContain("unknown");
    expect(dot.trimEnd().endsWith("}")).toBe(true);
  });
});
