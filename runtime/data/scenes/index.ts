/**
 * `scenes`: procedurally rendered images for the paper's five dense tasks
 * (segmentation, depth, surface normals, semantic edges, reconstruction).
 * See docs/data.md for how the renderer works.
 */

import { Rng } from "../../random.js";
import { allocateSplit, makeDataset } from "../dataset.js";
import type { ParamSpec } from "../../../compiler/catalog/index.js";
import { declaredOptions, intOption, resolveOptions } from "../options.js";
import {
  SPLIT_NAMES,
  type DataOptions,
  type Dataset,
  type DatasetDescription,
  type Split,
  type SplitName,
} from "../types.js";
import { renderScene, type SceneBuffers } from "./render.js";
import { sampleScene, type Scene } from "./scene.js";

/** Segmentation class names, by class id. */
export const SCENE_CLASSES: readonly string[] = ["background", "sphere", "box", "cylinder", "cone", "torus"];

/** The options of `scenes`, with defaults. */
/** The options of `scenes`, as the catalogue declares them (compiler/catalog/data.ts). */
export const SCENES_OPTIONS: readonly ParamSpec[] = declaredOptions("scenes");

/** Resolved scenes options. */
export interface ScenesOptions {
  size: number;
  train: number;
  val: number;
  test: number;
  seed: number;
}

/** Checks options (MTSL3006 on a bad one) and fills defaults. */
export function scenesOptions(options: DataOptions): ScenesOptions {
  const o = resolveOptions("scenes", SCENES_OPTIONS, options);
  return {
    size: intOption(o, "size"),
    train: intOption(o, "train"),
    val: intOption(o, "val"),
    test: intOption(o, "test"),
    seed: intOption(o, "seed"),
  };
}

/** The dataset description, without rendering anything. */
export function describeScenes(options: DataOptions): DatasetDescription {
  const o = scenesOptions(options);
  return {
    source: "scenes",
    inputShape: [o.size, o.size, 3],
    targets: {
      segmentation: {
        kind: "dense_class",
        classes: SCENE_CLASSES.length,
        classNames: [...SCENE_CLASSES],
        ignoreIndex: null,
        role: "segmentation",
        description: "class of the surface seen at each pixel: background (floor, wall, sky) or the primitive's shape",
      },
      depth: {
        kind: "dense",
        channels: 1,
        invalid: "zero",
        role: "depth",
        description: "z-depth in metres along the optical axis; 0 where the pixel sees sky",
      },
      normals: {
        kind: "dense",
        channels: 3,
        invalid: "zero",
        range: [-1, 1],
        role: "normals",
        description: "unit surface normal in camera space (x right, y up, z towards the viewer); (0,0,0) on sky",
      },
      edges: {
        kind: "dense",
        channels: 1,
        invalid: "none",
        range: [0, 1],
        role: "edges",
        description: "1 where a 4-neighbour belongs to another segment (sky, floor, wall, or another object), else 0",
      },
      image: {
        kind: "dense",
        channels: 3,
        invalid: "none",
        range: [0, 1],
        role: "reconstruction",
        description: "the input image itself (the same array as the split's images: do not modify in place)",
      },
    },
    sizes: { train: o.train, val: o.val, test: o.test },
    notes: [
      `scene k of split s is drawn from Rng.fromSeed(seed).fork("scenes/s/k"): split sizes do not change each other's scenes`,
    ],
  };
}

/** The random stream of one scene: depends only on (seed, split, index). */
export function sceneRng(seed: number, split: SplitName, index: number): Rng {
  return Rng.fromSeed(seed).fork(`scenes/${split}/${index}`);
}

/** Draws the layout of scene `index` of `split`. */
export function sceneAt(seed: number, split: SplitName, index: number): Scene {
  return sampleScene(sceneRng(seed, split, index));
}

/** Fresh buffers for rendering one scene of side `size`. */
export function sceneBuffers(size: number): SceneBuffers {
  const px = size * size;
  return {
    image: new Float32Array(px * 3),
    segmentation: new Int32Array(px),
    depth: new Float32Array(px),
    normals: new Float32Array(px * 3),
    edges: new Float32Array(px),
    ids: new Int32Array(px),
  };
}

function renderSplit(o: ScenesOptions, splitName: SplitName, split: Split): void {
  const px = o.size * o.size;
  const ids = new Int32Array(px);
  const t = split.targets;
  for (let k = 0; k < split.size; k++) {
    const views: SceneBuffers = {
      image: split.images.subarray(k * px * 3, (k + 1) * px * 3),
      segmentation: (t["segmentation"] as Int32Array).subarray(k * px, (k + 1) * px),
      depth: (t["depth"] as Float32Array).subarray(k * px, (k + 1) * px),
      normals: (t["normals"] as Float32Array).subarray(k * px * 3, (k + 1) * px * 3),
      edges: (t["edges"] as Float32Array).subarray(k * px, (k + 1) * px),
      ids,
    };
    renderScene(sceneAt(o.seed, splitName, k), o.size, views);
  }
}

/** Renders the whole dataset (synchronously). */
export function generateScenes(options: DataOptions): Dataset {
  const o = scenesOptions(options);
  const description = describeScenes(options);
  const splits = {} as Record<SplitName, Split>;
  for (const s of SPLIT_NAMES) {
    const split = allocateSplit(description, o[s]);
    // The reconstruction target is the input itself: share the array.
    split.targets["image"] = split.images;
    renderSplit(o, s, split);
    splits[s] = split;
  }
  return makeDataset("scenes", description, splits);
}
