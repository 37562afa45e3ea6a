/**
 * Blur corruptions: defocus, glass, motion and zoom. Parameters: Tiny ImageNet-C
 * (64 x 64 images); lengths in pixels (radii, sigmas) are multiplied by
 * `ctx.scale` = min(H, W) / 64. Kernels are drawn with bilinear splatting, so a
 * sub-pixel radius still blurs a little and the effect grows smoothly with severity.
 */
import * as tf from "@tensorflow/tfjs";
import { imageRng, pick, type CorruptionContext } from "./context.js";
import { convolve, gaussianBlur, splatKernel, translate, type Kernel2D } from "./filters.js";

/** Disk radius in pixels (the reference also blurs the disk's edge by a small Gaussian; see docs). */
export const DEFOCUS_RADIUS = [0.5, 1, 1.5, 2.5, 3] as const;
/** (Gaussian sigma, largest swap distance, iterations). */
export const GLASS_BLUR = [
  [0.1, 1, 1],
  [0.5, 1, 1],
  [0.6, 1, 2],
  [0.7, 2, 1],
  [0.9, 2, 2],
] as const;
/** ImageMagick motion blur (radius, sigma) in pixels; angle uniform in [-45, 45] degrees. */
export const MOTION_BLUR = [
  [10, 1],
  [10, 1.5],
  [10, 2],
  [10, 2.5],
  [12, 3],
] as const;
/** Zoom factors 1, 1.01, ... : how many (the reference's np.arange(1, 1 + z, 0.01)). */
export const ZOOM_STEPS = [6, 11, 16, 21, 26] as const;

/** Points of a disk of radius `r` on a 1/8-pixel grid (at least its centre). */
export function diskKernel(r: number): Kernel2D {
  const points: [number, number, number][] = [];
  const step = 1 / 8;
  const n = Math.ceil(r / step);
  for (let i = -n; i <= n; i++) {
    for (let j = -n; j <= n; j++) {
      const dy = i * step;
      const dx = j * step;
      if (dy * dy + dx * dx <= r * r) points.push([dy, dx, 1]);
    }
  }
  if (points.length === 0) points.push([0, 0, 1]);
  return splatKernel(points);
}

/** Defocus: every channel convolved with a disk of radius r * scale. */
export function defocusBlur(x: tf.Tensor4D, severity: number, ctx: CorruptionContext): tf.Tensor4D {
  return tf.tidy(
    () => tf.clipByValue(convolve(x, diskKernel(pick(DEFOCUS_RADIUS, severity) * ctx.scale)), 0, 1) as tf.Tensor4D,
  );
}

/**
 * The pixel permutation of glass blur: for every pixel, from the bottom-right
 * to the top-left and `iterations` times, swap it with one at offsets drawn
 * from [-d, d - 1] (as the reference's randint). Returns for each position the
 * source pixel whose value ends there.
 */
export function glassPermutation(
  h: number,
  w: number,
  d: number,
  iterations: number,
  rng: { int(n: number): number },
): Int32Array {
  const perm = new Int32Array(h * w);
  for (let i = 0; i < perm.length; i++) perm[i] = i;
  for (let it = 0; it < iterations; it++) {
    for (let y = h - d; y > d; y--) {
      for (let x = w - d; x > d; x--) {
        const dx = rng.int(2 * d) - d;
        const dy = rng.int(2 * d) - d;
        const yy = y + dy;
        const xx = x + dx;
        if (y >= h || x >= w || yy < 0 || xx < 0 || yy >= h || xx >= w) continue;
        const a = y * w + x;
        const b = yy * w + xx;
        const t = perm[a]!;
        perm[a] = perm[b]!;
        perm[b] = t;
      }
    }
  }
  return perm;
}

/** Glass: Gaussian blur, local pixel swaps, Gaussian blur again. */
export function glassBlur(x: tf.Tensor4D, severity: number, ctx: CorruptionContext): tf.Tensor4D {
  const [sigma0, d, iterations] = pick(GLASS_BLUR, severity);
  const sigma = sigma0; // a pixel-level texture: like the swap distance, not rescaled
  const [n, h, w, c] = x.shape;
  const index = new Int32Array(n * h * w);
  for (let i = 0; i < n; i++) {
    const perm = glassPermutation(h, w, d, iterations, imageRng(ctx, "glass_blur", i));
    for (let p = 0; p < h * w; p++) index[i * h * w + p] = i * h * w + perm[p]!;
  }
  return tf.tidy(() => {
    const blurred = gaussianBlur(x, sigma);
    const swapped = tf.reshape(tf.gather(tf.reshape(blurred, [n * h * w, c]), tf.tensor1d(index, "int32")), x.shape);
    return tf.clipByValue(gaussianBlur(swapped as tf.Tensor4D, sigma), 0, 1) as tf.Tensor4D;
  });
}

/**
 * The taps of ImageMagick's motion blur: 2 * radius + 1 samples along one
 * direction (one-sided), tap t at distance t with weight exp(-t^2 / 2 sigma^2),
 * distances multiplied by `scale`, `angle` in degrees; as (dy, dx, weight),
 * weights normalised, negligible taps (< 1e-6 of the first) dropped.
 */
export function motionTaps(radius: number, sigma: number, angle: number, scale: number): [number, number, number][] {
  const taps = 2 * Math.ceil(radius) + 1;
  const a = (angle * Math.PI) / 180;
  const out: [number, number, number][] = [];
  for (let t = 0; t < taps; t++) {
    const weight = Math.exp(-(t * t) / (2 * sigma * sigma));
    if (weight < 1e-6) break;
    out.push([t * scale * Math.sin(a), t * scale * Math.cos(a), weight]);
  }
  const sum = out.reduce((s, [, , w]) => s + w, 0);
  return out.map(([dy, dx, w]) => [dy, dx, w / sum]);
}

/**
 * Motion blur of each image along its own taps (one list per image, all of
 * the same length): the weighted sum of the image translated to every tap.
 */
export function motionBlurTaps(
  x: tf.Tensor4D,
  taps: ReadonlyArray<ReadonlyArray<readonly [number, number, number]>>,
): tf.Tensor4D {
  return tf.tidy(() => {
    const count = taps[0]?.length ?? 0;
    let out: tf.Tensor = tf.zerosLike(x);
    for (let t = 0; t < count; t++) {
      const shifted =
        t === 0 && taps.every((p) => p[0]![0] === 0 && p[0]![1] === 0)
          ? x
          : translate(
              x,
              taps.map((p) => [p[t]![0], p[t]![1]] as const),
            );
      const weights = tf.tensor4d(
        taps.map((p) => p[t]![2]),
        [taps.length, 1, 1, 1],
      );
      out = tf.add(out, tf.mul(shifted, weights));
    }
    return out as tf.Tensor4D;
  });
}

/** Motion: each image blurred along its own direction, uniform in [-45, 45] degrees. */
export function motionBlur(x: tf.Tensor4D, severity: number, ctx: CorruptionContext): tf.Tensor4D {
  const [radius, sigma] = pick(MOTION_BLUR, severity);
  const taps = Array.from({ length: x.shape[0] }, (_, i) =>
    motionTaps(radius, sigma, imageRng(ctx, "motion_blur", i).range(-45, 45), ctx.scale),
  );
  return tf.tidy(() => tf.clipByValue(motionBlurTaps(x, taps), 0, 1) as tf.Tensor4D);
}

/** Every image zoomed about its centre by `factor` >= 1 (bilinear), same size. */
export function centreZoom(x: tf.Tensor4D, factor: number): tf.Tensor4D {
  const [n, h, w] = x.shape;
  const half = 0.5 / factor;
  const boxes = tf.tensor2d(Array.from({ length: n }, () => [0.5 - half, 0.5 - half, 0.5 + half, 0.5 + half]));
  const ind = tf.tensor1d(
    Array.from({ length: n }, (_, i) => i),
    "int32",
  );
  const out = tf.image.cropAndResize(x, boxes, ind, [h, w], "bilinear");
  boxes.dispose();
  ind.dispose();
  return out;
}

/** Zoom: the mean of the image and its zooms by 1, 1.01, ... (ZOOM_STEPS factors). */
export function zoomBlur(x: tf.Tensor4D, severity: number, _ctx: CorruptionContext): tf.Tensor4D {
  const steps = pick(ZOOM_STEPS, severity);
  return tf.tidy(() => {
    let sum: tf.Tensor = x;
    for (let k = 0; k < steps; k++) sum = tf.add(sum, centreZoom(x, 1 + 0.01 * k));
    return tf.clipByValue(tf.div(sum, steps + 1), 0, 1) as tf.Tensor4D;
  });
}
