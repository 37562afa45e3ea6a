/**
 * Image filters as TensorFlow.js operations on NHWC batches, shared by the
 * corruptions: per-channel convolution with reflected borders, Gaussian and
 * separable linear resampling, bilinear sampling at arbitrary coordinates.
 * Kernels and sampling maps are built in plain JavaScript (float64) and applied
 * as tensors.
 */
import * as tf from "@tensorflow/tfjs";

/** A square 2-D kernel: `size` x `size` weights, row-major. */
export interface Kernel2D {
  size: number;
  weights: Float64Array;
}

/** `x` with `pad` pixels mirrored on each side of height and width (without repeating the edge). */
function reflectPad(x: tf.Tensor4D, pad: number): tf.Tensor4D {
  if (pad === 0) return x;
  const [, h, w] = x.shape;
  // MirrorPad needs pad < size; a larger kernel reflects repeatedly, which
  // symmetric padding of the padded image gives.
  let out = x;
  let left = pad;
  while (left > 0) {
    const step = Math.min(left, Math.min(out.shape[1], out.shape[2]) - 1);
    if (step <= 0) throw new RangeError(`cannot reflect-pad an image of ${h}x${w} pixels`);
    out = tf.mirrorPad(
      out,
      [
        [0, 0],
        [step, step],
        [step, step],
        [0, 0],
      ],
      "reflect",
    );
    left -= step;
  }
  return out;
}

/**
 * Convolves every channel of every image with `kernels` (one kernel for the
 * whole batch, or one per image), borders reflected. Output has the input's shape.
 */
export function convolve(x: tf.Tensor4D, kernels: Kernel2D | Kernel2D[]): tf.Tensor4D {
  return tf.tidy(() => {
    const channels = x.shape[3];
    const apply = (img: tf.Tensor4D, k: Kernel2D): tf.Tensor4D => {
      const pad = (k.size - 1) / 2;
      const filter = tf.tile(tf.tensor4d(Float32Array.from(k.weights), [k.size, k.size, 1, 1]), [
        1,
        1,
        channels,
        1,
      ]) as tf.Tensor4D;
      return tf.depthwiseConv2d(reflectPad(img, pad), filter, 1, "valid");
    };
    if (!Array.isArray(kernels)) return apply(x, kernels);
    const images = tf.split(x, x.shape[0], 0) as tf.Tensor4D[];
    return tf.concat(
      images.map((img, i) => apply(img, kernels[i]!)),
      0,
    ) as tf.Tensor4D;
  });
}

/**
 * 1-D Gaussian weights for `sigma` (pixels), truncated at `truncate` sigmas,
 * normalised. Below 0.8 px a sampled Gaussian is nearly a delta, so the
 * 3-tap kernel [a, 1 - 2a, a] with the same variance (a = sigma^2 / 2) is used:
 * blur then grows smoothly with sigma down to 0.
 */
export function gaussianWeights(sigma: number, truncate = 4): Float64Array {
  if (sigma < 0.8) {
    const a = Math.max(0, sigma * sigma) / 2;
    return Float64Array.from([a, 1 - 2 * a, a]);
  }
  const radius = Math.max(1, Math.ceil(truncate * sigma));
  const w = new Float64Array(2 * radius + 1);
  let sum = 0;
  for (let i = -radius; i <= radius; i++) {
    const v = Math.exp(-(i * i) / (2 * sigma * sigma));
    w[i + radius] = v;
    sum += v;
  }
  for (let i = 0; i < w.length; i++) w[i] = w[i]! / sum;
  return w;
}

/** The 2-D Gaussian kernel (outer product of {@link gaussianWeights}). */
export function gaussianKernel(sigma: number, truncate = 4): Kernel2D {
  const g = gaussianWeights(sigma, truncate);
  const size = g.length;
  const weights = new Float64Array(size * size);
  for (let i = 0; i < size; i++) for (let j = 0; j < size; j++) weights[i * size + j] = g[i]! * g[j]!;
  return { size, weights };
}

/** Gaussian blur of every channel, borders reflected. */
export function gaussianBlur(x: tf.Tensor4D, sigma: number, truncate = 4): tf.Tensor4D {
  return convolve(x, gaussianKernel(sigma, truncate));
}

/**
 * A kernel drawn by splatting weighted points (offsets in pixels, dy then dx)
 * bilinearly onto the integer grid, normalised to sum 1. Sub-pixel extents
 * still spread weight to the neighbours, so a kernel's effect grows smoothly
 * with its size.
 */
export function splatKernel(points: ReadonlyArray<readonly [number, number, number]>): Kernel2D {
  let reach = 0;
  for (const [dy, dx] of points) reach = Math.max(reach, Math.abs(dy), Math.abs(dx));
  const radius = Math.max(1, Math.ceil(reach));
  const size = 2 * radius + 1;
  const weights = new Float64Array(size * size);
  let sum = 0;
  for (const [dy, dx, w] of points) {
    const y = dy + radius;
    const x = dx + radius;
    const y0 = Math.floor(y);
    const x0 = Math.floor(x);
    const fy = y - y0;
    const fx = x - x0;
    const put = (yy: number, xx: number, v: number): void => {
      if (v === 0 || yy < 0 || xx < 0 || yy >= size || xx >= size) return;
      weights[yy * size + xx] = weights[yy * size + xx]! + v;
      sum += v;
    };
    put(y0, x0, w * (1 - fy) * (1 - fx));
    put(y0, x0 + 1, w * (1 - fy) * fx);
    put(y0 + 1, x0, w * fy * (1 - fx));
    put(y0 + 1, x0 + 1, w * fy * fx);
  }
  for (let i = 0; i < weights.length; i++) weights[i] = weights[i]! / sum;
  return { size, weights };
}

/** A row-major matrix of `rows` x `cols`. */
export interface Matrix {
  rows: number;
  cols: number;
  values: Float64Array;
}

/**
 * Applies a separable linear map to every channel of every image:
 * `out = A X B^T` with `X` the H x W plane, `A` of shape H' x H, `B` of W' x W.
 */
export function separable(x: tf.Tensor4D, a: Matrix, b: Matrix): tf.Tensor4D {
  return tf.tidy(() => {
    const [n, h, w, c] = x.shape;
    if (a.cols !== h || b.cols !== w) throw new RangeError(`separable map ${a.cols}x${b.cols} does not fit ${h}x${w}`);
    const at = tf.tensor2d(Float32Array.from(a.values), [a.rows, a.cols]);
    const bt = tf.tensor2d(Float32Array.from(b.values), [b.rows, b.cols]);
    // [N, H, W, C] -> [N*C*H, W] x B^T -> [N*C, H, W']
    const planes = tf.reshape(tf.transpose(x, [0, 3, 1, 2]), [n * c * h, w]);
    const rowsDone = tf.reshape(tf.matMul(planes, bt, false, true), [n * c, h, b.rows]);
    // -> [N*C, W', H] -> [N*C*W', H] x A^T -> [N, C, W', H']
    const cols = tf.reshape(tf.transpose(rowsDone, [0, 2, 1]), [n * c * b.rows, h]);
    const done = tf.reshape(tf.matMul(cols, at, false, true), [n, c, b.rows, a.rows]);
    return tf.transpose(done, [0, 3, 2, 1]) as tf.Tensor4D;
  });
}

/**
 * The matrix of a 1-D box (area) resampling from `from` to `to` samples, as
 * PIL's BOX filter: each output sample averages the input interval it covers
 * (shrinking) or the input samples within half an input pixel of its centre
 * (enlarging), weighted by overlap.
 */
export function boxResampleMatrix(from: number, to: number): Matrix {
  const values = new Float64Array(to * from);
  const scale = from / to;
  const support = Math.max(scale, 1) / 2;
  for (let o = 0; o < to; o++) {
    const centre = (o + 0.5) * scale;
    const lo = centre - support;
    const hi = centre + support;
    let sum = 0;
    for (let i = Math.max(0, Math.floor(lo)); i < Math.min(from, Math.ceil(hi)); i++) {
      const overlap = Math.min(hi, i + 1) - Math.max(lo, i);
      if (overlap > 0) {
        values[o * from + i] = overlap;
        sum += overlap;
      }
    }
    for (let i = 0; i < from; i++) values[o * from + i] = values[o * from + i]! / sum;
  }
  return { rows: to, cols: from, values };
}

/** Reflects a coordinate into [0, n - 1] (half-sample symmetric: ... 1 0 | 0 1 ... n-1 | n-1 ...). */
export function reflectCoordinate(v: number, n: number): number {
  if (n === 1) return 0;
  const period = 2 * n;
  let m = (v + 0.5) % period;
  if (m < 0) m += period;
  const r = m < n ? m : period - m;
  return Math.min(n - 1, Math.max(0, r - 0.5));
}

/**
 * Samples every image at per-pixel source coordinates (bilinear, borders
 * reflected): `ys`/`xs` hold N*H*W row and column positions, row-major per image.
 */
export function sampleBilinear(x: tf.Tensor4D, ys: Float64Array, xs: Float64Array): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  const count = n * h * w;
  const idx = [new Int32Array(count), new Int32Array(count), new Int32Array(count), new Int32Array(count)];
  const wts = [new Float32Array(count), new Float32Array(count), new Float32Array(count), new Float32Array(count)];
  for (let p = 0; p < count; p++) {
    const b = Math.floor(p / (h * w));
    const y = reflectCoordinate(ys[p]!, h);
    const xx = reflectCoordinate(xs[p]!, w);
    const y0 = Math.floor(y);
    const x0 = Math.floor(xx);
    const y1 = Math.min(h - 1, y0 + 1);
    const x1 = Math.min(w - 1, x0 + 1);
    const fy = y - y0;
    const fx = xx - x0;
    const base = b * h * w;
    idx[0]![p] = base + y0 * w + x0;
    idx[1]![p] = base + y0 * w + x1;
    idx[2]![p] = base + y1 * w + x0;
    idx[3]![p] = base + y1 * w + x1;
    wts[0]![p] = (1 - fy) * (1 - fx);
    wts[1]![p] = (1 - fy) * fx;
    wts[2]![p] = fy * (1 - fx);
    wts[3]![p] = fy * fx;
  }
  return tf.tidy(() => {
    const flat = tf.reshape(x, [count, c]);
    let out: tf.Tensor = tf.zeros([count, c]);
    for (let k = 0; k < 4; k++) {
      const picked = tf.gather(flat, tf.tensor1d(idx[k]!, "int32"));
      out = tf.add(out, tf.mul(picked, tf.tensor2d(wts[k]!, [count, 1])));
    }
    return tf.reshape(out, [n, h, w, c]) as tf.Tensor4D;
  });
}

/**
 * Translates every image by its own (dy, dx) in pixels (bilinear, borders
 * reflected): out(y, x) = in(y + dy, x + dx). Sampled with {@link sampleBilinear}, not
 * `tf.image.transform`: the CPU kernel of TensorFlow.js 4.22 returns zeros for every
 * image after the first of a batch.
 */
export function translate(x: tf.Tensor4D, shifts: ReadonlyArray<readonly [number, number]>): tf.Tensor4D {
  const [n, h, w] = x.shape;
  const ys = new Float64Array(n * h * w);
  const xs = new Float64Array(n * h * w);
  for (let b = 0; b < n; b++) {
    const [dy, dx] = shifts[b]!;
    for (let y = 0; y < h; y++)
      for (let c = 0; c < w; c++) {
        ys[(b * h + y) * w + c] = y + dy;
        xs[(b * h + y) * w + c] = c + dx;
      }
  }
  return sampleBilinear(x, ys, xs);
}

/** Luminance of every pixel, [N, H, W, 1]: ITU-R BT.601 weights for RGB, the channel mean otherwise. */
export function luminance(x: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    const c = x.shape[3];
    if (c === 3) return tf.sum(tf.mul(x, tf.tensor1d([0.299, 0.587, 0.114])), 3, true) as tf.Tensor4D;
    return tf.mean(x, 3, true) as tf.Tensor4D;
  });
}
