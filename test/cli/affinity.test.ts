/**
 * `mtslc affinity`: every task alone and every pair with hard sharing, each in its own run
 * folder; the transfer matrix recomputed here from those folders' own records; a rerun reads
 * finished runs back and retrains only what is missing; a folder of another budget or an
 * unknown task is refused with a code.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { compileSource } from "../../compiler/compile.js";
import { estimatePartition, type SetComparison, type TransferMatrix } from "../../runtime/eval/affinity.js";
import { mtslc } from "./helpers.js";

const dir = mkdtempSync(join(tmpdir(), "mtsl-affinity-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const FILE = "test/fixtures/models/tiny-scenes.mtsl";
const out = join(dir, "study");
const args = ["affinity", FILE, "-o", out, "--backend", "cpu", "--train-limit", "16", "--epochs", "3"];

interface Study {
  finished: boolean;
  split: string;
  keys: Record<string, string>;
  transfer: Record<string, Record<string, number | null>>;
  bestEpochTransfer: Record<string, Record<string, number | null>>;
  partitions: { groups: string[][]; value: number }[];
}
const study = (): Study => JSON.parse(readFileSync(join(out, "affinity.json"), "utf8")) as Study;
const lastVal = (run: string): Record<string, Record<string, number>> => {
  const lines = readFileSync(join(out, run, "metrics.jsonl"), "utf8")
    .trim()
    .split("\n");
  return (JSON.parse(lines.at(-1)!) as { val: Record<string, Record<string, number>> }).val;
};

describe("mtslc affinity", () => {
  it("trains three tasks alone and three pairs, and scores the transfer from their records", async () => {
    const r = await mtslc([...args, "-q"]);
    expect(r.code, r.stderr).toBe(0);
    expect(readdirSync(out).sort()).toEqual([
      "affinity.json",
      "alone-ae",
      "alone-depth",
      "alone-seg",
      "groups-1.mtsl",
      "groups-2.mtsl",
      "groups-3.mtsl",
      "pair-depth+ae",
      "pair-seg+ae",
      "pair-seg+depth",
    ]);
    const runJson = JSON.parse(readFileSync(join(out, "pair-seg+ae", "run.json"), "utf8")) as { tasks: string[] };
    expect(runJson.tasks).toEqual(["seg", "ae"]);
    const s = study();
    expect(s.finished).toBe(true);
    expect(s.split).toBe("val");
    expect(s.keys).toEqual({ seg: "miou", depth: "rmse", ae: "mse" });
    // Recomputed by hand: miou is higher-better, rmse and mse lower-better.
    const segAlone = lastVal("alone-seg")["seg"]!["miou"]!;
    const segWithDepth = lastVal("pair-seg+depth")["seg"]!["miou"]!;
    expect(s.transfer["seg"]!["depth"]).toBeCloseTo((100 * (segWithDepth - segAlone)) / segAlone, 9);
    const aeAlone = lastVal("alone-ae")["ae"]!["mse"]!;
    const aeWithDepth = lastVal("pair-depth+ae")["ae"]!["mse"]!;
    expect(s.transfer["ae"]!["depth"]).toBeCloseTo((-100 * (aeWithDepth - aeAlone)) / aeAlone, 9);
    // At each run's best validation epoch: the best over metrics.jsonl's epochs, each metric's direction.
    const allVal = (run: string, task: string, key: string): number[] =>
      readFileSync(join(out, run, "metrics.jsonl"), "utf8")
        .trim()
        .split("\n")
        .map((l) => (JSON.parse(l) as { val: Record<string, Record<string, number>> }).val[task]![key]!);
    const bestMiou = (run: string): number => Math.max(...allVal(run, "seg", "miou"));
    expect(s.bestEpochTransfer["seg"]!["depth"]).toBeCloseTo(
      (100 * (bestMiou("pair-seg+depth") - bestMiou("alone-seg"))) / bestMiou("alone-seg"),
      9,
    );
    const bestMse = (run: string): number => Math.min(...allVal(run, "ae", "mse"));
    expect(s.bestEpochTransfer["ae"]!["seg"]).toBeCloseTo(
      (-100 * (bestMse("pair-seg+ae") - bestMse("alone-ae"))) / bestMse("alone-ae"),
      9,
    );
    expect(r.stdout).toContain("at each run's best validation epoch");
    expect(s.partitions.map((p) => p.groups.length)).toEqual([1, 2, 3]);
    expect(s.partitions[2]!.value).toBe(0);
    expect(r.stdout).toContain("best partition for each number of groups");
    expect(r.stdout).toMatch(/\{seg,depth,ae\}/);
    expect(r.stdout).toContain(join(out, "groups-2.mtsl"));
  }, 240_000);

  it("writes each best partition as a model file that checks, is canonical and trains as that tree", async () => {
    const s = study();
    for (const [i, p] of s.partitions.entries()) {
      const file = join(out, `groups-${i + 1}.mtsl`);
      const text = readFileSync(file, "utf8");
      expect((await mtslc(["fmt", "--check", file])).code, file).toBe(0);
      const compiled = compileSource(text, { file });
      expect(
        compiled.diagnostics.filter((d) => d.severity === "error"),
        file,
      ).toEqual([]);
      const ir = compiled.ir!;
      expect(ir.structuralLearning ?? null).toBeNull();
      // every stage has exactly the partition's groups, in the file's task order
      for (const stage of new Set(ir.instances.map((n) => n.stage))) {
        const groups = ir.instances.filter((n) => n.stage === stage).map((n) => n.tasks);
        expect(groups, `${file} ${stage}`).toEqual(p.groups);
      }
    }
    const two = join(out, "groups-2.mtsl");
    const run = join(dir, "groups-2-run");
    const r = await mtslc(["train", two, "-o", run, "--backend", "cpu", "--train-limit", "16", "--epochs", "1", "-q"]);
    expect(r.code, r.stderr).toBe(0);
    const trained = JSON.parse(readFileSync(join(run, "model.ir.json"), "utf8")) as {
      instances: { stage: string; tasks: string[] }[];
    };
    const stem = trained.instances.filter((n) => n.stage === trained.instances[0]!.stage).map((n) => n.tasks);
    expect(stem).toEqual(s.partitions[1]!.groups);
  }, 240_000);

  it("reads finished runs back and retrains only the one that is missing its result", async () => {
    const before = study();
    rmSync(join(out, "pair-seg+depth", "final.json"));
    const r = await mtslc(args);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr.match(/finished before, read back/g)?.length).toBe(5);
    expect(r.stderr).toContain("[4/6] seg+depth\n");
    expect(existsSync(join(out, "pair-seg+depth", "final.json"))).toBe(true);
    // The resumed run had finished its epochs: the same records, the same answer.
    expect(study().transfer).toEqual(before.transfer);
  }, 240_000);

  it("refuses a folder made with another budget, and task names the file does not have", async () => {
    const other = await mtslc([...args, "--epochs", "2"]);
    expect(other.code).toBe(1);
    expect(other.stderr).toContain("MTSL3202");
    expect(other.stderr).toContain("epochs");
    const unknown = await mtslc(["affinity", FILE, "-o", join(dir, "x"), "--tasks", "seg,normal"]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("MTSL3006");
    expect(unknown.stderr).toContain("'normal'");
    const one = await mtslc(["affinity", FILE, "-o", join(dir, "y"), "--tasks", "seg"]);
    expect(one.code).toBe(1);
    expect(one.stderr).toContain("at least two tasks");
    const bad = await mtslc(["affinity", FILE, "--tasks", "seg,,depth"]);
    expect(bad.code).toBe(2);
    expect(existsSync(join(dir, "x"))).toBe(false);
  });

  it("--compare sets a structural-learning run's phases beside the finished study, read back without training", async () => {
    const source = readFileSync(FILE, "utf8").replace(
      "  train {",
      "  structural_learning {\n    at_epochs: [1]\n    similarity: cka(debiased: true, pool: gap, samples: 32)\n    threshold: 0.5\n  }\n\n  train {",
    );
    const file = join(dir, "tiny-mtsl.mtsl");
    writeFileSync(file, source);
    const run = join(dir, "mtsl-run");
    const trained = await mtslc([
      "train",
      file,
      "-o",
      run,
      "--backend",
      "cpu",
      "--train-limit",
      "16",
      "--epochs",
      "2",
      "-q",
    ]);
    expect(trained.code, trained.stderr).toBe(0);
    const r = await mtslc([...args, "--compare", run, "--json"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr.match(/finished before, read back/g)?.length ?? 0).toBe(0); // --json is silent
    const out = JSON.parse(r.stdout) as {
      transfer: TransferMatrix;
      comparisons: { dir: string; sets: SetComparison[] }[];
    };
    expect(out.comparisons.map((c) => c.dir)).toEqual([run]);
    const [first] = out.comparisons[0]!.sets;
    expect(first).toMatchObject({ epoch: 1, stage: "c1", tasks: ["seg", "depth", "ae"] });
    expect(first!.chosen.flat().sort()).toEqual(["ae", "depth", "seg"]);
    expect(first!.chosenEstimate).toBeCloseTo(estimatePartition(first!.chosen, out.transfer)!.value, 12);
    expect(first!.best!.value).toBeGreaterThanOrEqual(first!.chosenEstimate!);
    expect(first!.rankCorrelation === null || Math.abs(first!.rankCorrelation) <= 1).toBe(true);
    const text = await mtslc([...args, "-q", "--compare", run]);
    expect(text.stdout).toContain("similarity against the ground truth");
    expect(text.stdout).toMatch(new RegExp(`${run}: \\d+ sets; mean rho`));
  }, 240_000);

  it("refuses a --compare folder that is not a run before training anything", async () => {
    const fresh = join(dir, "never");
    const r = await mtslc(["affinity", FILE, "-o", fresh, "--backend", "cpu", "--compare", join(dir, "nope")]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("MTSL3202");
    expect(existsSync(fresh)).toBe(false);
  });

  it("--partition-epoch best chooses the partitions and group files by the best-epoch transfer", async () => {
    const r = await mtslc([...args, "--partition-epoch", "best", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout) as {
      partitionEpoch: string;
      bestEpochTransfer: TransferMatrix;
      transfer: TransferMatrix;
      partitions: { groups: string[][]; value: number }[];
    };
    expect(result.partitionEpoch).toBe("best");
    expect(result.partitions[0]!.value).toBeCloseTo(
      estimatePartition([["seg", "depth", "ae"]], result.bestEpochTransfer)!.value,
      12,
    );
    expect(readFileSync(join(out, "groups-1.mtsl"), "utf8")).toContain("best validation epoch");
    const back = await mtslc([...args, "-q"]);
    expect(back.stdout).toContain("by the transfer after the last epoch");
    expect(readFileSync(join(out, "groups-1.mtsl"), "utf8")).not.toContain("best validation epoch");
  }, 240_000);

  it("--through shares the stages up to one stage in each pair, reads the task-alone runs of a hard-sharing study back", async () => {
    const deep = join(dir, "through-c1");
    mkdirSync(deep);
    for (const t of ["seg", "depth", "ae"])
      cpSync(join(out, `alone-${t}`), join(deep, `alone-${t}`), { recursive: true });
    const through = ["affinity", FILE, "-o", deep, "--backend", "cpu", "--train-limit", "16", "--epochs", "3"];
    const r = await mtslc([...through, "--through", "c1", "--compare", join(dir, "mtsl-run"), "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout) as {
      through: string | null;
      transfer: TransferMatrix;
      partitions: { groups: string[][] }[];
      comparisons: { sets: SetComparison[] }[];
    };
    expect(result.through).toBe("c1");
    // the alone runs were read back, not retrained: their records are the hard-sharing study's
    expect(readFileSync(join(deep, "alone-seg", "metrics.jsonl"), "utf8")).toBe(
      readFileSync(join(out, "alone-seg", "metrics.jsonl"), "utf8"),
    );
    for (const pair of ["seg+depth", "seg+ae", "depth+ae"]) {
      const file = join(deep, `pair-${pair}.mtsl`);
      expect((await mtslc(["fmt", "--check", file])).code, file).toBe(0);
      expect(readFileSync(file, "utf8")).toContain("sharing the stages through c1");
      const ir = JSON.parse(readFileSync(join(deep, `pair-${pair}`, "model.ir.json"), "utf8")) as {
        instances: { stage: string; tasks: string[] }[];
      };
      const tasks = pair.split("+");
      expect(ir.instances.filter((n) => n.stage === "c1").map((n) => n.tasks)).toEqual([tasks]);
      expect(ir.instances.filter((n) => n.stage === "c2").map((n) => n.tasks)).toEqual(tasks.map((t) => [t]));
      const runJson = JSON.parse(readFileSync(join(deep, `pair-${pair}`, "run.json"), "utf8")) as { tasks: string[] };
      expect(runJson.tasks).toEqual(tasks);
    }
    // sharing one stage of two is not hard sharing: the pairs train other networks
    expect(result.transfer).not.toEqual(study().transfer);
    const groups = compileSource(readFileSync(join(deep, "groups-1.mtsl"), "utf8")).ir!;
    expect(groups.instances.filter((n) => n.stage === "c1").map((n) => n.tasks)).toEqual([
      result.partitions[0]!.groups[0],
    ]);
    expect(groups.instances.filter((n) => n.stage === "c2")).toHaveLength(3);
    expect(result.comparisons[0]!.sets.length).toBeGreaterThan(0);
    expect(result.comparisons[0]!.sets.every((c) => c.stage === "c1")).toBe(true);
    // the folder is a study at c1: without --through (hard sharing) it is refused, as is a stage the file lacks
    const hard = await mtslc(through);
    expect(hard.code).toBe(1);
    expect(hard.stderr).toContain("MTSL3202");
    expect(hard.stderr).toContain("--through stage");
    const missing = await mtslc([...through, "-o", join(dir, "z"), "--through", "c9"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("MTSL3006");
    expect(missing.stderr).toContain("c1, c2");
    expect(existsSync(join(dir, "z"))).toBe(false);
  }, 240_000);
});
