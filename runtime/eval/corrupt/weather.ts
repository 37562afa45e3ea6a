/**
 * Weather corruptions: snow, frost and fog. Snow and fog follow the reference
 * (Tiny ImageNet-C) procedures, which are procedural already; frost blends in
 * a procedurally synthesised ice texture instead of the reference's six
 * photographs (see docs/evaluation.md).
 */
import * as tf from "@tensorflow/tfjs";
import type { Rng } from "../../random.js";
import { centreZoom, motionBlurTaps, motionTaps } from "./blur.js";
import { imageRng, pick, type CorruptionContext } from "./context.js";
import { nextPowerOfTwo, plasmaFractal, smoothField } from "./fields.js";
import { luminance } from "./filters.js";

/** (mean, std of the flake field, zoom, threshold, motion radius, motion sigma, image weight). */
export const SNOW = [
  [0.1, 0.2, 1, 0.6, 8, 3, 0.8],
  [0.1, 0.2, 1, 0.5, 10, 4, 0.8],
  [0.15, 0.3, 1.75, 0.55, 10, 4, 0.7],
  [0.25, 0.3, 2.25, 0.6, 12, 6, 0.65],
  [0.3, 0.3, 1.25, 0.65, 14, 12, 0.6],
] as const;
/** (image weight, frost weight). */
export const FROST = [
  [1, 0.3],
  [0.9, 0.4],
  [0.8, 0.45],
  [0.75, 0.5],
  [0.7, 0.55],
] as const;
/** (fog strength, plasma decay). */
export const FOG = [
  [0.4, 3],
  [0.7, 3],
  [1, 2.5],
  [1.5, 2],
  [2, 1.75],
] as const;

/** Snow: a thresholded, zoomed, motion-blurred flake layer added twice (once turned half a circle), over a whitened image. */
export function snow(x: tf.Tensor4D, severity: number, ctx: CorruptionContext): tf.Tensor4D {
  const [mean, std, zoom, threshold, radius, sigma, keep] = pick(SNOW, severity);
  const [n, h, w] = x.shape;
  const z = new Float32Array(n * h * w);
  const taps: [number, number, number][][] = [];
  for (let i = 0; i < n; i++) {
    const rng = imageRng(ctx, "snow", i);
    for (let p = 0; p < h * w; p++) z[i * h * w + p] = rng.normal();
    taps.push(motionTaps(radius, sigma, rng.range(-135, -45), ctx.scale));
  }
  return tf.tidy(() => {
    let flakes = tf.add(tf.mul(tf.tensor4d(z, [n, h, w, 1]), std), mean) as tf.Tensor4D;
    flakes = centreZoom(flakes, zoom);
    flakes = tf.clipByValue(
      tf.mul(flakes, tf.cast(tf.greaterEqual(flakes, threshold), "float32")),
      0,
      1,
    ) as tf.Tensor4D;
    flakes = motionBlurTaps(flakes, taps);
    const whitened = tf.add(tf.mul(x, keep), tf.mul(tf.maximum(x, tf.add(tf.mul(luminance(x), 1.5), 0.5)), 1 - keep));
    const layer = tf.add(flakes, tf.reverse(flakes, [1, 2]));
    return tf.clipByValue(tf.add(whitened, layer), 0, 1) as tf.Tensor4D;
  });
}

/**
 * A synthetic frost texture (h x w, values in [0, 1], mean about 0.7): a bright plasma-fractal haze
 * plus hexagonal ice needles (three strokes 60 degrees apart from random
 * seeds, lengths scaled with the image), lightly smoothed.
 */
export function frostTexture(h: number, w: number, rng: Rng): Float64Array {
  const size = nextPowerOfTwo(Math.max(h, w));
  const plasma = plasmaFractal(size, 2, rng);
  const needles = new Float64Array(h * w);
  const scale = Math.min(h, w) / 32;
  const seeds = Math.max(4, Math.round((h * w) / 40));
  const splat = (y: number, x: number, v: number): void => {
    const y0 = Math.floor(y);
    const x0 = Math.floor(x);
    for (const [yy, xx, f] of [
      [y0, x0, (1 - (y - y0)) * (1 - (x - x0))],
      [y0, x0 + 1, (1 - (y - y0)) * (x - x0)],
      [y0 + 1, x0, (y - y0) * (1 - (x - x0))],
      [y0 + 1, x0 + 1, (y - y0) * (x - x0)],
    ] as const) {
      if (yy >= 0 && xx >= 0 && yy < h && xx < w) needles[yy * w + xx] = needles[yy * w + xx]! + v * f;
    }
  };
  for (let s = 0; s < seeds; s++) {
    const cy = rng.range(0, h);
    const cx = rng.range(0, w);
    const theta = rng.range(0, Math.PI / 3);
    const brightness = rng.range(0.4, 1);
    for (let arm = 0; arm < 3; arm++) {
      const a = theta + (arm * Math.PI) / 3;
      const length = rng.range(1.5, 5) * Math.max(1, scale);
      for (let t = -length; t <= length; t += 0.5)
        splat(cy + t * Math.sin(a), cx + t * Math.cos(a), brightness * (1 - Math.abs(t) / (length + 1)));
    }
  }
  const soft = smoothField(needles, h, w, 0.5 * Math.max(1, scale));
  const out = new Float64Array(h * w);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const v = 0.45 + 0.35 * plasma[y * size + x]! + 1.2 * soft[y * w + x]!;
      out[y * w + x] = Math.min(1, Math.max(0, v));
    }
  }
  return out;
}

/** Frost: a * image + b * frost texture (bluish white on RGB), clipped. */
export function frost(x: tf.Tensor4D, severity: number, ctx: CorruptionContext): tf.Tensor4D {
  const [a, b] = pick(FROST, severity);
  const [n, h, w, c] = x.shape;
  const texture = new Float32Array(n * h * w);
  for (let i = 0; i < n; i++) texture.set(frostTexture(h, w, imageRng(ctx, "frost", i)), i * h * w);
  return tf.tidy(() => {
    let layer: tf.Tensor = tf.tensor4d(texture, [n, h, w, 1]);
    if (c === 3) layer = tf.mul(layer, tf.tensor1d([0.88, 0.94, 1]));
    return tf.clipByValue(tf.add(tf.mul(x, a), tf.mul(layer, b)), 0, 1) as tf.Tensor4D;
  });
}

/** Fog: a plasma fractal of strength s added, the result rescaled by max / (max + s) (max of each image). */
export function fog(x: tf.Tensor4D, severity: number, ctx: CorruptionContext): tf.Tensor4D {
  const [strength, decay] = pick(FOG, severity);
  const [n, h, w] = x.shape;
  const size = nextPowerOfTwo(Math.max(h, w));
  const haze = new Float32Array(n * h * w);
  for (let i = 0; i < n; i++) {
    const map = plasmaFractal(size, decay, imageRng(ctx, "fog", i));
    for (let y = 0; y < h; y++) for (let xx = 0; xx < w; xx++) haze[i * h * w + y * w + xx] = map[y * size + xx]!;
  }
  return tf.tidy(() => {
    const max = tf.max(x, [1, 2, 3], true);
    const fogged = tf.add(x, tf.mul(tf.tensor4d(haze, [n, h, w, 1]), strength));
    return tf.clipByValue(tf.div(tf.mul(fogged, max), tf.add(max, strength)), 0, 1) as tf.Tensor4D;
  });
}
