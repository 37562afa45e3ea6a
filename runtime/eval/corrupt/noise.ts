/**
 * Noise corruptions: gaussian, shot (Poisson) and impulse (salt and pepper).
 * Parameters: Tiny ImageNet-C (make_tinyimagenet_c.py); noise is per pixel, so
 * nothing is rescaled for image size.
 */
import * as tf from "@tensorflow/tfjs";
import { imageRng, pick, type CorruptionContext } from "./context.js";
import { poissonQuantile } from "./fields.js";

/** Standard deviations of the added noise (images in [0, 1]). */
export const GAUSSIAN_NOISE = [0.04, 0.08, 0.12, 0.15, 0.18] as const;
/** Photon counts per unit intensity (lower = noisier). */
export const SHOT_NOISE = [250, 100, 50, 30, 15] as const;
/** Fraction of values replaced by 0 or 1. */
export const IMPULSE_NOISE = [0.01, 0.02, 0.05, 0.08, 0.14] as const;

/** x + N(0, sigma^2), clipped to [0, 1]. */
export function gaussianNoise(x: tf.Tensor4D, severity: number, ctx: CorruptionContext): tf.Tensor4D {
  const sigma = pick(GAUSSIAN_NOISE, severity);
  const [n, h, w, c] = x.shape;
  const z = new Float32Array(n * h * w * c);
  const size = h * w * c;
  for (let i = 0; i < n; i++) {
    const rng = imageRng(ctx, "gaussian_noise", i);
    for (let k = 0; k < size; k++) z[i * size + k] = rng.normal();
  }
  return tf.tidy(() => tf.clipByValue(tf.add(x, tf.mul(tf.tensor4d(z, x.shape), sigma)), 0, 1) as tf.Tensor4D);
}

/** Poisson(x * lambda) / lambda, clipped to [0, 1]; the count's quantile is driven by one uniform per value. */
export async function shotNoise(x: tf.Tensor4D, severity: number, ctx: CorruptionContext): Promise<tf.Tensor4D> {
  const lambda = pick(SHOT_NOISE, severity);
  const [n, h, w, c] = x.shape;
  const values = await x.data();
  const out = new Float32Array(values.length);
  const size = h * w * c;
  for (let i = 0; i < n; i++) {
    const rng = imageRng(ctx, "shot_noise", i);
    for (let k = 0; k < size; k++) {
      const p = i * size + k;
      const v = Math.min(1, Math.max(0, values[p]!));
      out[p] = Math.min(1, poissonQuantile(v * lambda, rng.uniform()) / lambda);
    }
  }
  return tf.tensor4d(out, x.shape);
}

/** Each value becomes 1 (salt) or 0 (pepper), half and half, with probability `amount`. */
export function impulseNoise(x: tf.Tensor4D, severity: number, ctx: CorruptionContext): tf.Tensor4D {
  const amount = pick(IMPULSE_NOISE, severity);
  const [n, h, w, c] = x.shape;
  const size = h * w * c;
  const flip = new Float32Array(n * size);
  const salt = new Float32Array(n * size);
  for (let i = 0; i < n; i++) {
    const rng = imageRng(ctx, "impulse_noise", i);
    for (let k = 0; k < size; k++) {
      flip[i * size + k] = rng.uniform() < amount ? 1 : 0;
      salt[i * size + k] = rng.uniform() < 0.5 ? 1 : 0;
    }
  }
  return tf.tidy(() => {
    const f = tf.tensor4d(flip, x.shape);
    const keep = tf.sub(1, f);
    return tf.add(tf.mul(x, keep), tf.mul(f, tf.tensor4d(salt, x.shape))) as tf.Tensor4D;
  });
}
