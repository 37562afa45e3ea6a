/**
 * Key metrics and the multi-task gain Delta_m against single-task baselines
 * (MTSL.md, Maninis et al. 2019):
 * Delta_m = (100 / T) sum_i (-1)^{l_i} (M_i - B_i) / B_i, l_i = 1 when lower is
 * better (METRIC_DIRECTIONS). Positive = better than the single-task networks.
 */
import type { IrTask } from "../../compiler/ir/types.js";
import {
  isMetricName,
  METRIC_DIRECTIONS,
  multiTaskGain,
  type GainEntry,
  type MetricDirection,
  type MetricName,
} from "../metrics.js";

/** The sign convention, stated in every output that shows Delta_m. */
export const DELTA_M_CONVENTION =
  "Delta_m = (100% / T) * sum over tasks of (-1)^l * (M - B) / B on each task's key metric, " +
  "l = 1 when lower is better; M = this model, B = the single-task baseline (one network per task); " +
  "positive = better than single-task, negative = worse";

/** A task's key metric: the first metric it lists that has a known direction; null when none. */
export function keyMetric(task: IrTask): MetricName | null {
  for (const m of task.metrics) if (isMetricName(m)) return m;
  return null;
}

/** The direction of a metric name, `loss` included (lower). */
export function direction(metric: string): MetricDirection {
  return isMetricName(metric) ? METRIC_DIRECTIONS[metric] : "lower";
}

export type Scores = Record<string, Record<string, number>>;

export interface Gain {
  /** Delta_m over each task's key metric, in percent. */
  value: number;
  /** Delta_m over every metric of every task (each metric one term), in percent. */
  allMetrics: number;
  /** Each task's signed relative change of its key metric, in percent. */
  perTask: Record<string, number>;
  /** The tasks in the sum. */
  tasks: string[];
}

/** The signed relative change of one metric in percent (positive = better). */
export function relativeGain(metric: MetricName, value: number, baseline: number): number {
  return multiTaskGain([{ metric, value, baseline }]);
}

/**
 * Delta_m of `scores` against `reference` (both task -> metric -> value) over
 * the tasks both have, with each task's key metric from `keys`. Null when no
 * task can be compared (no shared task, a missing value, or a zero baseline).
 */
export function deltaM(scores: Scores, reference: Scores, keys: Record<string, MetricName | null>): Gain | null {
  const entries: GainEntry[] = [];
  const all: GainEntry[] = [];
  const perTask: Record<string, number> = {};
  const tasks: string[] = [];
  for (const [task, key] of Object.entries(keys)) {
    const mine = scores[task];
    const ref = reference[task];
    if (!key || !mine || !ref) continue;
    const value = mine[key];
    const baseline = ref[key];
    if (
      value === undefined ||
      baseline === undefined ||
      !Number.isFinite(value) ||
      !Number.isFinite(baseline) ||
      baseline === 0
    )
      continue;
    entries.push({ metric: key, value, baseline });
    perTask[task] = relativeGain(key, value, baseline);
    tasks.push(task);
    for (const [metric, v] of Object.entries(mine)) {
      const b = ref[metric];
      if (!isMetricName(metric) || b === undefined || !Number.isFinite(v) || !Number.isFinite(b) || b === 0) continue;
      all.push({ metric, value: v, baseline: b });
    }
  }
  if (entries.length === 0) return null;
  return { value: multiTaskGain(entries), allMetrics: multiTaskGain(all), perTask, tasks };
}

/** The element-wise mean of several score tables (e.g. single-task baselines of several seeds). */
export function meanScores(tables: Scores[]): Scores {
  const sums: Record<string, Record<string, { sum: number; n: number }>> = {};
  for (const table of tables) {
    for (const [task, metrics] of Object.entries(table)) {
      const t = (sums[task] ??= {});
      for (const [m, v] of Object.entries(metrics)) {
        const s = (t[m] ??= { sum: 0, n: 0 });
        s.sum += v;
        s.n += 1;
      }
    }
  }
  const out: Scores = {};
  for (const [task, metrics] of Object.entries(sums)) {
    out[task] = {};
    for (const [m, { sum, n }] of Object.entries(metrics)) out[task]![m] = sum / n;
  }
  return out;
}
