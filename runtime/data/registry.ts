/**
 * The data sources by name: `getDataSource("scenes")` returns an object that
 * can describe a dataset from its options alone (for the compiler) and load
 * it (for the trainer and evaluator).
 */

import type { ParamSpec } from "../../compiler/catalog/index.js";
import type { TaskTarget } from "../../compiler/lower/targets.js";
import { MtslError } from "../errors.js";
import { describeMultiMnist, generateMultiMnist, MULTIMNIST_OPTIONS } from "./multimnist.js";
import { describeNpy, loadNpy, NPY_OPTIONS } from "./npy/source.js";
import { describeScenes, generateScenes, SCENES_OPTIONS } from "./scenes/index.js";
import type { DataOptions, Dataset, DatasetDescription } from "./types.js";

/** A named source of datasets. */
export interface DataSource {
  name: string;
  /** One line for people. */
  summary: string;
  /** The options it accepts, with types, ranges and defaults: the catalogue's declaration. */
  options: readonly ParamSpec[];
  /**
   * Input shape, targets and split sizes without generating data (npy reads
   * only file headers). `tasks` say which targets are read where the targets
   * are folders (npy); built-in sources provide all of theirs. Throws MtslError
   * (MTSL3006 for a bad option).
   */
  describe(options: DataOptions, tasks?: readonly TaskTarget[]): DatasetDescription;
  /** Generates or reads the data. Throws MtslError on bad options or bad data. */
  load(options: DataOptions, tasks?: readonly TaskTarget[]): Promise<Dataset>;
}

const SOURCES: Readonly<Record<string, DataSource>> = Object.freeze({
  multimnist: {
    name: "multimnist",
    summary: "two overlaid MNIST digits; targets left and right (10 classes each)",
    options: MULTIMNIST_OPTIONS,
    describe: describeMultiMnist,
    load: async (options: DataOptions) => generateMultiMnist(options).dataset,
  },
  scenes: {
    name: "scenes",
    summary: "ray-cast 3-D scenes; targets segmentation, depth, normals, edges, image",
    options: SCENES_OPTIONS,
    describe: describeScenes,
    load: async (options: DataOptions) => generateScenes(options),
  },
  npy: {
    name: "npy",
    summary: "NumPy .npy arrays in a folder (e.g. MTAN's preprocessed NYUv2)",
    options: NPY_OPTIONS,
    describe: describeNpy,
    load: loadNpy,
  },
});

/** The names of all data sources. */
export function dataSourceNames(): string[] {
  return Object.keys(SOURCES);
}

/** The data source called `name`; MTSL3009 when there is none. */
export function getDataSource(name: string): DataSource {
  if (!Object.prototype.hasOwnProperty.call(SOURCES, name)) {
    throw new MtslError("MTSL3009", `unknown data source '${name}'`, {
      expected: `one of ${dataSourceNames().join(", ")}`,
    });
  }
  return SOURCES[name]!;
}
