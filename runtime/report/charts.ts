/**
 * Charts rendered to static SVG at report time with Vega-Lite (compiled to a
 * Vega spec, rendered headless with `renderer: "none"`): line charts, the CKA
 * heatmap, metric vs severity.
 */
import * as vega from "vega";
import { compile, type TopLevelSpec } from "vega-lite";

const FONT = "Helvetica, Arial, sans-serif";

const CONFIG = {
  font: FONT,
  view: { stroke: "#d0d7de" },
  axis: { labelFontSize: 10, titleFontSize: 11, gridColor: "#eef1f4" },
  legend: { labelFontSize: 10, titleFontSize: 10, orient: "bottom" as const, direction: "horizontal" as const },
  title: { fontSize: 12, anchor: "start" as const },
};

/** Renders a Vega-Lite spec to an SVG string. */
export async function renderVegaLite(spec: TopLevelSpec): Promise<string> {
  const compiled = compile({ ...spec, config: { ...CONFIG, ...(spec.config ?? {}) } } as TopLevelSpec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

export interface LinePoint {
  x: number;
  y: number;
  series: string;
}

export interface LineChart {
  title: string;
  xTitle: string;
  yTitle: string;
  points: LinePoint[];
  /** Vertical marks (e.g. the epochs after which structural learning ran), with a label each. */
  marks?: { x: number; label: string }[];
  /** Series drawn dashed (e.g. baselines). */
  dashed?: string[];
  /** Integer ticks on x. */
  integerX?: boolean;
}

/** A multi-series line chart with points, optional vertical marks. */
export async function lineChart(chart: LineChart): Promise<string> {
  const series = [...new Set(chart.points.map((p) => p.series))];
  const dashed = new Set(chart.dashed ?? []);
  const layers: unknown[] = [
    {
      data: { values: chart.points.filter((p) => Number.isFinite(p.y)) },
      mark: { type: "line", point: { size: 18 }, strokeWidth: 1.6 },
      encoding: {
        x: {
          field: "x",
          type: "quantitative",
          title: chart.xTitle,
          axis: chart.integerX ? { tickMinStep: 1, format: "d" } : {},
        },
        y: { field: "y", type: "quantitative", title: chart.yTitle, scale: { zero: false } },
        color: { field: "series", type: "nominal", title: null, sort: series },
        strokeDash: {
          field: "series",
          type: "nominal",
          sort: series,
          title: null,
          scale: { domain: series, range: series.map((s) => (dashed.has(s) ? [5, 3] : [1, 0])) },
        },
      },
    },
  ];
  if (chart.marks && chart.marks.length > 0) {
    layers.push({
      data: { values: chart.marks },
      mark: { type: "rule", color: "#c0392b", strokeDash: [2, 2], opacity: 0.7 },
      encoding: { x: { field: "x", type: "quantitative" } },
    });
    layers.push({
      data: { values: chart.marks },
      mark: { type: "text", color: "#c0392b", fontSize: 9, dy: -4, baseline: "bottom", y: 0 },
      encoding: { x: { field: "x", type: "quantitative" }, text: { field: "label" } },
    });
  }
  return renderVegaLite({
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: chart.title,
    width: 300,
    height: 170,
    layer: layers,
  } as TopLevelSpec);
}

/** A square heatmap of `matrix` (rows and columns labelled `labels`) with values printed in the cells. */
export async function heatmap(
  title: string,
  labels: string[],
  matrix: number[][],
  domain: [number, number] = [0, 1],
): Promise<string> {
  const values = labels.flatMap((a, i) => labels.map((b, j) => ({ a, b, v: matrix[i]?.[j] ?? Number.NaN })));
  const cell = Math.max(26, Math.min(60, Math.floor(240 / Math.max(1, labels.length))));
  return renderVegaLite({
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title,
    width: cell * labels.length,
    height: cell * labels.length,
    data: { values },
    encoding: {
      x: { field: "b", type: "nominal", sort: labels, title: null, axis: { labelAngle: -30 } },
      y: { field: "a", type: "nominal", sort: labels, title: null },
    },
    layer: [
      {
        mark: "rect",
        encoding: {
          color: {
            field: "v",
            type: "quantitative",
            title: "CKA",
            scale: { domain, scheme: "blues" },
            legend: { orient: "right", direction: "vertical" },
          },
        },
      },
      {
        mark: { type: "text", fontSize: 10 },
        encoding: {
          text: { field: "v", type: "quantitative", format: ".2f" },
          color: { condition: { test: `datum.v > ${(domain[0] + domain[1]) / 2}`, value: "white" }, value: "#10243e" },
        },
      },
    ],
  } as TopLevelSpec);
}
