/**
 * The rules every folder export (`mtslc export --format tfjs|pytorch -o DIR`) follows: an export
 * is what its `export.json` lists, and only that is ever replaced (with `--force`); any other file
 * of the folder is the user's and stays, and one that the export would overwrite makes it refuse.
 */
import { existsSync, readFileSync, rmSync } from "node:fs";
import { basename, join } from "node:path";
import type { IrModel } from "../../compiler/ir/types.js";
import { MtslError } from "../errors.js";
import { writeJsonFile } from "./folder.js";

/**
 * The files an earlier export wrote into `dir`, from its export.json: its `files`, or (tfjs
 * exports that predate that list) its `module` and the weights files; none without export.json.
 */
export function earlierExport(dir: string): string[] {
  const info = join(dir, "export.json");
  if (!existsSync(info)) return [];
  try {
    const parsed = JSON.parse(readFileSync(info, "utf8")) as { module?: unknown; files?: unknown };
    const plain = (f: unknown): f is string => typeof f === "string" && f !== "" && basename(f) === f;
    if (Array.isArray(parsed.files)) return [...new Set([...parsed.files.filter(plain), "export.json"])];
    const module = plain(parsed.module) ? [parsed.module] : [];
    return [...module, "weights.json", "weights.bin", "export.json"];
  } catch {
    return ["export.json"];
  }
}

/**
 * Checks that an export may write `ours` into `dir`: throws MTSL3203 when the folder holds an
 * export and `force` is not set, or holds a file of `ours` that no export wrote. Returns the
 * earlier export's files that are there, for {@link removeEarlierExport} once the new export is
 * ready to be written (so a refused or failed export leaves the folder as it was).
 */
export function checkExportFolder(dir: string, ours: readonly string[], force: boolean): string[] {
  const earlier = earlierExport(dir);
  const present = earlier.filter((f) => existsSync(join(dir, f)));
  if (present.length > 0 && !force) {
    throw new MtslError(
      "MTSL3203",
      `already holds an export (${present.join(", ")}): add --force to replace it, or choose another folder with -o`,
      { file: dir },
    );
  }
  const foreign = ours.filter((f) => !earlier.includes(f) && existsSync(join(dir, f)));
  if (foreign.length > 0) {
    throw new MtslError(
      "MTSL3203",
      `holds ${foreign.join(", ")}, which export would overwrite but did not write: move them or choose another folder with -o`,
      { file: dir },
    );
  }
  return present;
}

/** Removes the files {@link checkExportFolder} returned. */
export function removeEarlierExport(dir: string, present: readonly string[]): void {
  for (const f of present) rmSync(join(dir, f), { force: true });
}

/** What a folder export records in its `export.json`, and what the exporters return. */
export interface ExportResult {
  model: string;
  checkpoint: string;
  epoch: number;
  files: string[];
  weights: number;
  bytes: number;
}

/**
 * Writes `DIR/export.json` (format, model, module, the files written, checkpoint, epoch, weight
 * and parameter counts, mtsl version) and returns the export's summary.
 */
export function writeExportManifest(
  dir: string,
  manifest: { format: string; ir: IrModel; module: string; checkpoint: string; epoch: number; files: string[] },
  counts: { weights: number; bytes: number },
  version?: string,
): ExportResult {
  const { format, ir, module, checkpoint, epoch, files } = manifest;
  writeJsonFile(join(dir, "export.json"), {
    format,
    model: ir.name,
    module,
    files,
    checkpoint,
    epoch,
    weights: counts.weights,
    parameters: ir.totals.params,
    ...(version ? { mtsl: version } : {}),
  });
  return { model: ir.name, checkpoint, epoch, files, weights: counts.weights, bytes: counts.bytes };
}
