/** Data sources (`data NAME(...)`) and the input declaration. */
import { int, named, positiveInt, requiredNamed, str } from "./build.js";
import type { DataSourceSpec, ParamSpec } from "./types.js";

/** Element types an `input` may declare. */
export const INPUT_DTYPES = ["f32"] as const;

/** Number of dimensions of an input shape: [height, width, channels]. */
export const INPUT_RANK = 3;

const sizeDoc = "Height and width of the images.";

function splitParams(): ParamSpec[] {
  return [
    named("train", positiveInt, undefined, "Number of training samples; the source's default when omitted."),
    named("val", positiveInt, undefined, "Number of validation samples; the source's default when omitted."),
    named("test", positiveInt, undefined, "Number of test samples; the source's default when omitted."),
    named("seed", int({ min: 0 }), 0, "Seed of the generator and of the split."),
  ];
}

export const DATA_SOURCES: readonly DataSourceSpec[] = [
  {
    name: "multimnist",
    vocabulary: "data",
    doc: "Two MNIST digits overlaid (Sener and Koltun 2018); targets: left and right digit.",
    channels: 1,
    params: [named("size", int({ min: 8 }), 28, sizeDoc), ...splitParams()],
  },
  {
    name: "scenes",
    vocabulary: "data",
    doc: "Procedural scenes with segmentation, depth, normals, edges and the image itself as targets.",
    channels: 3,
    params: [named("size", int({ min: 8 }), 64, sizeDoc), ...splitParams()],
  },
  {
    name: "npy",
    vocabulary: "data",
    doc: "Arrays in NumPy .npy files under a directory (e.g. the preprocessed NYUv2 of MTAN).",
    channels: null,
    params: [
      requiredNamed("dir", str, "Directory holding the arrays (opened read-only)."),
      named("train_dir", str, undefined, "Sub-directory of the training split; the source's default when omitted."),
      named("val_dir", str, undefined, "Sub-directory of the validation split; the source's default when omitted."),
      named("test_dir", str, undefined, "Sub-directory of the test split; the source's default when omitted."),
      named(
        "size",
        int({ min: 8 }),
        undefined,
        "Resize images to this height and width; the files' size when omitted.",
      ),
      ...splitParams(),
    ],
  },
];
