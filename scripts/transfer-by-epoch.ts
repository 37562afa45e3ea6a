/**
 * How early the pairwise ground truth is known: for a finished `mtslc affinity` study, the
 * transfer matrix after each epoch (validation split, each run's scores after that epoch)
 * against the one after the last epoch, which the study reports. Per epoch: Spearman's rho
 * of the ten pair affinities against the final ones, the best partition by the pairwise
 * estimate at that epoch, its estimate then and at the end. Then each pair's affinity per
 * epoch. A merge criterion built from short pair trainings at a phase would see the first
 * rows (docs/results.md, "Short pair trainings as a merge criterion").
 * Usage: npx tsx scripts/transfer-by-epoch.ts AFFINITY_DIR
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";

import type { MetricName } from "../runtime/metrics.js";
import {
  bestOf,
  bestPartitions,
  estimatePartition,
  pairAffinity,
  rankCorrelation,
  subsetKey,
  taskPairs,
  transferMatrix,
  type TransferMatrix,
} from "../runtime/eval/affinity.js";
import type { Scores } from "../runtime/eval/gain.js";
import { readMetrics } from "../runtime/run/folder.js";

const dir = process.argv[2];
if (dir === undefined) throw new Error("usage: npx tsx scripts/transfer-by-epoch.ts AFFINITY_DIR");
const study = JSON.parse(readFileSync(join(dir, "affinity.json"), "utf8")) as {
  tasks: string[];
  keys: Record<string, MetricName | null>;
};
const { tasks, keys } = study;
/** Validation scores after each epoch of one training of the study. */
const validation = (run: string): Scores[] => readMetrics(join(dir, run)).flatMap((e) => (e.val ? [e.val] : []));
const alone = new Map(tasks.map((t) => [t, validation(`alone-${t}`)]));
const pairs = new Map(taskPairs(tasks).map((p) => [subsetKey(p), validation(`pair-${subsetKey(p)}`)]));
const epochs = Math.min(...[...alone.values(), ...pairs.values()].map((v) => v.length));

const transferAfter = (epoch: number): TransferMatrix => {
  const aloneScores: Scores = Object.fromEntries(tasks.map((t) => [t, alone.get(t)![epoch - 1]![t]!]));
  const pairScores = Object.fromEntries([...pairs].map(([k, runs]) => [k, runs[epoch - 1]!]));
  return transferMatrix(tasks, keys, aloneScores, pairScores);
};
const affinities = (t: TransferMatrix): number[] => taskPairs(tasks).map(([a, b]) => pairAffinity(t, a, b) ?? NaN);
const groupsText = (groups: string[][]): string => groups.map((g) => `{${g.join(" ")}}`).join(" ");
const signed = (v: number): string => `${v >= 0 ? "+" : ""}${v.toFixed(2)}`;

const final = transferAfter(epochs);
const finalAffinities = affinities(final);
const finalBest = bestOf(bestPartitions(tasks, final))!;
console.log(
  `${dir}: ${epochs} epochs; best partition after the last: ${groupsText(finalBest.groups)} ${signed(finalBest.value)} %\n`,
);
console.log(
  "| after epoch | rho against the last epoch | best partition then | its estimate then (%) | its estimate after the last epoch (%) |",
);
console.log("| ---: | ---: | --- | ---: | ---: |");
for (let e = 1; e <= epochs; e++) {
  const t = transferAfter(e);
  const best = bestOf(bestPartitions(tasks, t))!;
  const rho = rankCorrelation(affinities(t), finalAffinities);
  console.log(
    `| ${e} | ${rho === null ? "n/a" : signed(rho)} | ${groupsText(best.groups)} | ${signed(best.value)} | ${signed(estimatePartition(best.groups, final)!.value)} |`,
  );
}
console.log("\npair affinity (mean transfer of the two tasks to each other, %) after each epoch:");
const perEpoch = Array.from({ length: epochs }, (_, e) => affinities(transferAfter(e + 1)));
taskPairs(tasks).forEach(([a, b], i) => {
  console.log(`${a}+${b}: ${perEpoch.map((v) => v[i]!.toFixed(1)).join(" ")}`);
});
