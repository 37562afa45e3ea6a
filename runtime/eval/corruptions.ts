/**
 * The 15 common corruptions of Hendrycks and Dietterich (2019), ImageNet-C, at
 * severities 1-5, as TensorFlow.js operations on NHWC image batches in [0, 1].
 *
 * Parameters are the authors' own small-image table (make_tinyimagenet_c.py,
 * 64 x 64 images); lengths in pixels are multiplied by min(H, W) / 64. Every
 * random draw comes from the seeded generator, keyed by the corruption and the
 * image's index in the dataset (never Math.random), and not by the severity, so
 * the same image gets the same noise pattern at every severity. Approximations
 * of the reference are listed in docs/evaluation.md.
 */
import * as tf from "@tensorflow/tfjs";
import { MtslError } from "../errors.js";
import { defocusBlur, glassBlur, motionBlur, zoomBlur } from "./corrupt/blur.js";
import type { CorruptionContext } from "./corrupt/context.js";
import { brightness, contrast, elasticTransform, jpeg, pixelate } from "./corrupt/digital.js";
import { gaussianNoise, impulseNoise, shotNoise } from "./corrupt/noise.js";
import { fog, frost, snow } from "./corrupt/weather.js";

/** The corruption names, in the paper's order. */
export const CORRUPTION_NAMES = [
  "gaussian_noise",
  "shot_noise",
  "impulse_noise",
  "defocus_blur",
  "glass_blur",
  "motion_blur",
  "zoom_blur",
  "snow",
  "frost",
  "fog",
  "brightness",
  "contrast",
  "elastic_transform",
  "pixelate",
  "jpeg_compression",
] as const;

export type CorruptionName = (typeof CORRUPTION_NAMES)[number];

/** The paper's four families. */
export const CORRUPTION_FAMILIES: Readonly<Record<CorruptionName, "noise" | "blur" | "weather" | "digital">> = {
  gaussian_noise: "noise",
  shot_noise: "noise",
  impulse_noise: "noise",
  defocus_blur: "blur",
  glass_blur: "blur",
  motion_blur: "blur",
  zoom_blur: "blur",
  snow: "weather",
  frost: "weather",
  fog: "weather",
  brightness: "weather",
  contrast: "digital",
  elastic_transform: "digital",
  pixelate: "digital",
  jpeg_compression: "digital",
};

/** Severities 1..5. */
export const SEVERITIES = [1, 2, 3, 4, 5] as const;

type Apply = (x: tf.Tensor4D, severity: number, ctx: CorruptionContext) => tf.Tensor4D | Promise<tf.Tensor4D>;

const APPLY: Readonly<Record<CorruptionName, Apply>> = {
  gaussian_noise: gaussianNoise,
  shot_noise: shotNoise,
  impulse_noise: impulseNoise,
  defocus_blur: defocusBlur,
  glass_blur: glassBlur,
  motion_blur: motionBlur,
  zoom_blur: zoomBlur,
  snow,
  frost,
  fog,
  brightness,
  contrast,
  elastic_transform: elasticTransform,
  pixelate,
  jpeg_compression: jpeg,
};

/** True when `name` is one of {@link CORRUPTION_NAMES}. */
export function isCorruptionName(name: string): name is CorruptionName {
  return (CORRUPTION_NAMES as readonly string[]).includes(name);
}

export interface CorruptOptions {
  /** Seed of every random draw (default 0). */
  seed?: number;
  /** Dataset index of the batch's first image (default 0): image i uses the stream of index offset + i. */
  offset?: number;
}

/**
 * Applies corruption `name` at `severity` (1..5) to a batch of NHWC images in
 * [0, 1]. Returns a new tensor of the same shape with values in [0, 1]; the
 * input is not disposed. Throws MTSL3006 for an unknown name, a bad severity
 * or a tensor that is not a 4-D batch.
 */
export async function corrupt(
  images: tf.Tensor4D,
  name: CorruptionName,
  severity: number,
  options: CorruptOptions = {},
): Promise<tf.Tensor4D> {
  if (!isCorruptionName(name)) {
    throw new MtslError("MTSL3006", `unknown corruption '${String(name)}'`, {
      option: "corruption",
      expected: CORRUPTION_NAMES.join(", "),
      found: String(name),
    });
  }
  if (!Number.isInteger(severity) || severity < 1 || severity > 5) {
    throw new MtslError("MTSL3006", `corruption severity must be 1, 2, 3, 4 or 5`, {
      option: "severity",
      found: String(severity),
    });
  }
  if (images.rank !== 4) {
    throw new MtslError("MTSL3006", "corruptions take a batch of images [N, H, W, C]", {
      option: "images",
      found: `rank ${images.rank}`,
    });
  }
  const [, h, w] = images.shape;
  if (h < 2 || w < 2) {
    throw new MtslError("MTSL3006", "corruptions need images of at least 2 x 2 pixels", {
      option: "images",
      found: `${h} x ${w}`,
    });
  }
  const ctx: CorruptionContext = {
    seed: options.seed ?? 0,
    offset: options.offset ?? 0,
    scale: Math.min(h, w) / 64,
  };
  const x = images.dtype === "float32" ? images : (tf.cast(images, "float32") as tf.Tensor4D);
  try {
    return await APPLY[name](x, severity, ctx);
  } finally {
    if (x !== images) x.dispose();
  }
}
