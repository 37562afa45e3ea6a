/**
 * The catalogue is the one declaration of the language's words; the runtime
 * implements its entries. This walks it: every word has a runtime
 * implementation, every option the runtime reads is declared, and every
 * declared loss option changes what the runtime computes.
 */
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { DATA_SOURCES, LOSSES, METRICS, TASK_KINDS, type ParamSpec } from "../../compiler/catalog/index.js";
import type { IrTask, IrValue, TaskKind } from "../../compiler/ir/types.js";
import { getDataSource } from "../../runtime/data/registry.js";
import type { DatasetDescription, TargetSpec } from "../../runtime/data/types.js";
import { isLossName } from "../../runtime/losses.js";
import { METRIC_FAMILIES } from "../../runtime/metrics.js";
import { bindTask, metricFamily } from "../../runtime/train/tasks.js";

describe("the catalogue and the runtime", () => {
  it("every data source is implemented, with exactly the catalogue's options", () => {
    for (const spec of DATA_SOURCES) {
      const source = getDataSource(spec.name);
      expect(source.options, spec.name).toBe(spec.params);
    }
  });

  it("built-in sources provide exactly the targets the catalogue declares, with their class counts", () => {
    for (const spec of DATA_SOURCES) {
      if (spec.targets === null) continue;
      const d = getDataSource(spec.name).describe({ size: 16, train: 2, val: 1, test: 1 });
      expect(Object.keys(d.targets), spec.name).toEqual(spec.targets.map((t) => t.name));
      for (const t of spec.targets) {
        const runtime = d.targets[t.name];
        if (t.classes !== undefined) expect(runtime, `${spec.name}.${t.name}`).toMatchObject({ classes: t.classes });
      }
    }
  });

  it("every loss is implemented, and every metric is computed for every kind it is declared for", () => {
    for (const loss of LOSSES) expect(isLossName(loss.name), loss.name).toBe(true);
    for (const metric of METRICS) {
      for (const kind of metric.kinds) {
        expect(METRIC_FAMILIES[metricFamily({ kind: kind as TaskKind })], `${metric.name} on ${kind}`).toContain(
          metric.name,
        );
      }
    }
    for (const kind of TASK_KINDS) {
      for (const m of kind.defaultMetrics)
        expect(METRIC_FAMILIES[metricFamily({ kind: kind.name as TaskKind })]).toContain(m);
    }
  });

  /** A value of `p` other than its default. */
  function otherValue(p: ParamSpec): IrValue {
    switch (p.type.kind) {
      case "bool":
        return p.default !== true;
      case "number":
        return p.default === 0.3 ? 0.6 : 0.3;
      case "enum":
        return p.type.values.find((v) => v !== p.default)!;
      default:
        throw new Error(`no test value for ${p.name}`);
    }
  }

  const H = 4;
  const W = 4;
  const N = 3;
  /** A target of the loss's first kind, with some missing values, and logits for it. */
  function caseFor(kind: TaskKind): { spec: TargetSpec; pred: tf.Tensor; target: number[] } {
    const rand = (i: number): number => Math.sin(i * 12.9898) * 0.5 + 0.5;
    switch (kind) {
      case "classification":
        return {
          spec: { kind: "class", classes: 3, role: "classification", description: "" },
          pred: tf.tensor2d(
            Array.from({ length: N * 3 }, (_, i) => rand(i) * 4 - 2),
            [N, 3],
          ),
          target: [0, 2, 0],
        };
      case "edges":
        return {
          spec: { kind: "dense", channels: 1, invalid: "none", range: [0, 1], role: "edges", description: "" },
          pred: tf.tensor4d(
            Array.from({ length: N * H * W }, (_, i) => rand(i) * 4 - 2),
            [N, H, W, 1],
          ),
          target: Array.from({ length: N * H * W }, (_, i) => (i % 5 === 0 ? 1 : 0)),
        };
      default:
        return {
          spec: { kind: "dense", channels: 1, invalid: "zero", role: "depth", description: "" },
          pred: tf.tensor4d(
            Array.from({ length: N * H * W }, (_, i) => rand(i) * 3),
            [N, H, W, 1],
          ),
          target: Array.from({ length: N * H * W }, (_, i) => (i % 4 === 0 ? 0 : 1 + rand(i + 99))),
        };
    }
  }

  it("every declared loss option changes the loss the runtime computes", () => {
    for (const loss of LOSSES) {
      const kind = loss.kinds[0] as TaskKind;
      const { spec, pred, target } = caseFor(kind);
      const description: DatasetDescription = {
        source: "test",
        inputShape: [H, W, 3],
        targets: { t: spec },
        sizes: { train: N, val: N, test: N },
        notes: [],
      };
      const task = (options: Record<string, IrValue>): IrTask => ({
        name: "t",
        kind,
        options: kind === "classification" ? { classes: 3 } : {},
        target: "t",
        loss: { name: loss.name, options },
        metrics: [],
        weight: 1,
      });
      const batch = {
        size: N,
        images: new Float32Array(N * H * W * 3),
        targets: { t: spec.kind === "class" ? Int32Array.from(target) : Float32Array.from(target) },
      };
      const value = (options: Record<string, IrValue>): number => {
        const bound = bindTask(task(options), description);
        return bound.loss(pred, bound.targetTensor(batch, [H, W, 3])).dataSync()[0]!;
      };
      // The IR carries every option, defaults filled, as the compiler lowers it.
      const defaults = Object.fromEntries(loss.params.map((p) => [p.name, p.default as IrValue]));
      const base = value(defaults);
      expect(Number.isFinite(base), loss.name).toBe(true);
      for (const p of loss.params) {
        const changed = value({ ...defaults, [p.name]: otherValue(p) });
        expect(changed, `${loss.name}(${p.name})`).not.toBeCloseTo(base, 6);
      }
    }
  });
});
