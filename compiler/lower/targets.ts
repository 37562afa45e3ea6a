/**
 * Which data target each task learns, and how a folder of a user's files is
 * read for the tasks that name it. The targets of built-in sources and the
 * default folders of `npy` are declared in the catalogue (compiler/catalog/data.ts);
 * the compiler binds and checks against them, and the runtime's `npy` source
 * reads exactly the folders {@link folderReads} lists.
 */
import { dataSourceSpec, IMAGE_TARGET, type DataTargetSpec } from "../catalog/index.js";
import type { IrValue, TaskKind } from "../ir/types.js";

/** The targets a built-in source provides; undefined for a source whose targets are folders (npy). */
export function builtinTargets(source: string): readonly DataTargetSpec[] | undefined {
  return dataSourceSpec(source)?.targets ?? undefined;
}

/**
 * The target a task learns: its `target:` setting; else, for a built-in source,
 * its own name when the source has a target of that name, else the one target
 * made for its kind; for a folder source, the catalogue's default folder of its
 * kind, else its own name.
 */
export function bindTarget(source: string, task: { name: string; kind: TaskKind; target: string | null }): string {
  if (task.target !== null) return task.target;
  const spec = dataSourceSpec(source);
  if (!spec) return task.name;
  if (spec.targets === null) return spec.defaultTargets?.[task.kind] ?? task.name;
  if (spec.targets.some((t) => t.name === task.name)) return task.name;
  const primary = spec.targets.filter((t) => t.kinds[0] === task.kind);
  if (primary.length === 1) return primary[0]!.name;
  return task.name;
}

/** What a task needs of its data: its kind, options and bound target. */
export interface TaskTarget {
  readonly name: string;
  readonly kind: TaskKind;
  readonly options: Readonly<Record<string, IrValue>>;
  readonly target: string;
}

/** How one folder (or stacked file) of a split is read. */
export type FolderRead =
  /** One whole-number label per sample; `ignore` marks "no label" (stored as -1). */
  | { readonly folder: string; readonly kind: "class"; readonly classes: number; readonly ignore: number | null }
  /** One whole-number label per pixel; `ignore` marks "no label" (stored as -1). */
  | { readonly folder: string; readonly kind: "dense_class"; readonly classes: number; readonly ignore: number | null }
  /** `channels` floats per pixel; depth and normals mark a missing value with 0. */
  | {
      readonly folder: string;
      readonly kind: "dense";
      readonly channels: number;
      readonly role: "depth" | "normals" | "edges" | "reconstruction" | "generic";
    };

/** A task whose folder cannot be read as it needs. */
export interface FolderProblem {
  readonly task: string;
  readonly code: "MTSL2008" | "MTSL2009";
  readonly message: string;
}

function readFor(task: TaskTarget, inputChannels: number): FolderRead | null {
  const folder = task.target;
  const classes = typeof task.options["classes"] === "number" ? task.options["classes"] : 0;
  switch (task.kind) {
    case "classification":
      return { folder, kind: "class", classes, ignore: null };
    case "segmentation": {
      const ignore = typeof task.options["ignore"] === "number" ? task.options["ignore"] : -1;
      return { folder, kind: "dense_class", classes, ignore };
    }
    case "depth":
      return { folder, kind: "dense", channels: 1, role: "depth" };
    case "normals":
      return { folder, kind: "dense", channels: 3, role: "normals" };
    case "edges":
      return { folder, kind: "dense", channels: 1, role: "edges" };
    case "reconstruction":
      return folder === IMAGE_TARGET
        ? null
        : { folder, kind: "dense", channels: inputChannels, role: "reconstruction" };
    case "regression": {
      const outputs = typeof task.options["outputs"] === "number" ? task.options["outputs"] : 1;
      return { folder, kind: "dense", channels: outputs, role: "generic" };
    }
  }
}

const sameRead = (a: FolderRead, b: FolderRead): boolean => JSON.stringify(a) === JSON.stringify(b);

/**
 * The folders a folder source reads for `tasks`, each once, in task order.
 * A reconstruction task on `image` reads the input images. An edges task on a
 * folder that a segmentation task reads learns the boundaries of its labels
 * (the paper's semantic edges), so the folder is read once, as labels. Two tasks
 * that need one folder read in two different ways are problems.
 */
export function folderReads(
  tasks: readonly TaskTarget[],
  inputChannels: number,
): { reads: FolderRead[]; problems: FolderProblem[] } {
  const reads: FolderRead[] = [];
  const problems: FolderProblem[] = [];
  const byFolder = new Map<string, { read: FolderRead; task: string }>();
  const labelFolders = new Set(tasks.filter((t) => t.kind === "segmentation").map((t) => t.target));
  for (const task of tasks) {
    if (task.kind === "edges" && labelFolders.has(task.target)) continue;
    const read = readFor(task, inputChannels);
    if (read === null) continue;
    const known = byFolder.get(read.folder);
    if (!known) {
      byFolder.set(read.folder, { read, task: task.name });
      reads.push(read);
      continue;
    }
    if (sameRead(known.read, read)) continue;
    // The reads differ in their class count, their ignore value, or in kind altogether.
    const classesDiffer =
      known.read.kind !== "dense" && read.kind === known.read.kind && read.classes !== known.read.classes;
    problems.push({
      task: task.name,
      code: classesDiffer ? "MTSL2009" : "MTSL2008",
      message: classesDiffer
        ? `tasks '${known.task}' and '${task.name}' read folder '${read.folder}' with different class counts`
        : `task '${task.name}' reads folder '${read.folder}' as ${describeRead(read)}, but task '${known.task}' reads it as ${describeRead(known.read)}; give one of them its own 'target:'`,
    });
  }
  return { reads, problems };
}

/** "labels of 13 classes", "3 values per pixel". */
export function describeRead(read: FolderRead): string {
  switch (read.kind) {
    case "class":
      return `one label of ${read.classes} classes per sample`;
    case "dense_class":
      return `labels of ${read.classes} classes per pixel${read.ignore === null ? "" : ` (${read.ignore} = no label)`}`;
    case "dense":
      return `${read.channels} value${read.channels === 1 ? "" : "s"} per pixel (${read.role})`;
  }
}
