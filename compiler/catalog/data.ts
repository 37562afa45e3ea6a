/**
 * Data sources (`data NAME(...)`) and the input declaration: every option with
 * its type, bounds and default, and the targets each source provides. The
 * runtime's data sources read these declarations; they declare nothing of their own.
 */
import { int, named, positiveInt, positiveNum, requiredNamed, str } from "./build.js";
import type { DataSourceSpec, DataTargetSpec, ParamSpec } from "./types.js";

/** Element types an `input` may declare. */
export const INPUT_DTYPES = ["f32"] as const;

/** Number of dimensions of an input shape: [height, width, channels]. */
export const INPUT_RANK = 3;

/** The most samples a generated split may have. */
export const MAX_GENERATED_SAMPLES = 1_000_000;

const sizeDoc = "Height and width of the images.";

/** `train`, `val`, `test` and `seed` of a generated source, with its default split sizes. */
function generatedSplitParams(train: number, val: number, test: number, what: string): ParamSpec[] {
  const count = int({ min: 1, max: MAX_GENERATED_SAMPLES });
  return [
    named("train", count, train, `Number of training ${what}.`),
    named("val", count, val, `Number of validation ${what}.`),
    named("test", count, test, `Number of test ${what}.`),
    named("seed", int({ min: 0, max: Number.MAX_SAFE_INTEGER }), 0, "Seed of the generator."),
  ];
}

const MULTIMNIST_TARGETS: readonly DataTargetSpec[] = [
  { name: "left", kinds: ["classification"], classes: 10, doc: "The digit shifted to the top-left." },
  { name: "right", kinds: ["classification"], classes: 10, doc: "The digit shifted to the bottom-right." },
];

const SCENES_TARGETS: readonly DataTargetSpec[] = [
  {
    name: "segmentation",
    kinds: ["segmentation", "edges"],
    classes: 6,
    doc: "Class of the object under each pixel (an edges task learns its boundaries).",
  },
  { name: "depth", kinds: ["depth", "regression"], doc: "Distance of each pixel from the camera." },
  { name: "normals", kinds: ["normals", "regression"], doc: "Unit surface normal of each pixel." },
  { name: "edges", kinds: ["edges"], doc: "Occlusion and crease edges." },
  { name: "image", kinds: ["reconstruction", "regression"], doc: "The input image itself." },
];

/** The folders of MTAN's preprocessed NYUv2, read by a task of each kind that sets no `target:`. */
export const NPY_DEFAULT_TARGETS: Readonly<Record<string, string>> = {
  segmentation: "label",
  depth: "depth",
  normals: "normal",
  edges: "label",
  reconstruction: "image",
};

/** The target name that means the input images themselves. */
export const IMAGE_TARGET = "image";

const splitFolderDoc = (split: string, fallback: string): string =>
  `Folder of the ${split} split inside \`dir\`; ${fallback}.`;

const npyCountDoc = (split: string): string =>
  `Use only the first N samples of the ${split} split; all of them when omitted.`;

export const DATA_SOURCES: readonly DataSourceSpec[] = [
  {
    name: "multimnist",
    vocabulary: "data",
    doc: "Two MNIST digits overlaid (Sener and Koltun 2018); targets: left and right digit.",
    channels: 1,
    targets: MULTIMNIST_TARGETS,
    params: [
      named("size", int({ min: 8, max: 256 }), 28, sizeDoc),
      ...generatedSplitParams(10_000, 1_000, 1_000, "images"),
    ],
  },
  {
    name: "scenes",
    vocabulary: "data",
    doc: "Procedural scenes with segmentation, depth, normals, edges and the image itself as targets.",
    channels: 3,
    targets: SCENES_TARGETS,
    params: [named("size", int({ min: 8, max: 512 }), 64, sizeDoc), ...generatedSplitParams(4_000, 500, 500, "scenes")],
  },
  {
    name: "npy",
    vocabulary: "data",
    doc: "Arrays in NumPy .npy files under a directory (e.g. the preprocessed NYUv2 of MTAN); each task's `target:` names the folder it reads.",
    channels: null,
    targets: null,
    defaultTargets: NPY_DEFAULT_TARGETS,
    params: [
      requiredNamed(
        "dir",
        str,
        "Directory holding the split folders (opened read-only; relative to the working directory).",
      ),
      named("image", str, "image", "Folder (or stacked file name) of the input images in each split."),
      named(
        "image_scale",
        positiveNum,
        undefined,
        "Factor applied to image values so they lie in [0, 1]; 1/255 for uint8 images and 1 otherwise when omitted.",
      ),
      named("train_dir", str, "train", splitFolderDoc("training", "`train` by default")),
      named("val_dir", str, "val", splitFolderDoc("validation", "`val` by default")),
      named(
        "test_dir",
        str,
        undefined,
        splitFolderDoc("test", "`test` when that folder exists, else the validation split"),
      ),
      named("train", positiveInt, undefined, npyCountDoc("training")),
      named("val", positiveInt, undefined, npyCountDoc("validation")),
      named("test", positiveInt, undefined, npyCountDoc("test")),
    ],
  },
];
