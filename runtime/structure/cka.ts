/**
 * Linear centred kernel alignment (CKA) between task representations.
 *
 * Two implementations of one definition (MTSL.md, "Structural learning phase", step 1):
 * - `linearCKA` / `ckaMatrix`: plain float64 arithmetic, used for the structural decisions;
 * - `linearCKATensor` / `ckaAlignmentLoss`: TensorFlow.js (float32), differentiable, used for
 *   the alignment loss of the task learning phase.
 *
 * Definition (the MTSL code's `CKASimilarity.cka` with a linear kernel):
 *   K = X X^T (n x n). Debiased: set diag(K) to 0; m_j = sum_i K_ij / (n - 2);
 *   m_j -= sum(m) / (2 (n - 1)); K~_ij = K_ij - m_i - m_j; set diag(K~) to 0. (This is the
 *   U-centring of the unbiased HSIC estimator of Song et al. 2012.) Biased: K~ = H K H with
 *   H = I - 11^T / n. Then CKA = <K~, L~>_F / (||K~||_F ||L~||_F).
 *
 * Numerical note: both centrings are exactly invariant to adding a constant vector to every
 * row of X (the extra Gram terms x_i.c + x_j.c + c.c are removed by the centring), so we
 * subtract the column means from X before forming the Gram matrix. This changes no value in
 * exact arithmetic and avoids cancellation when features share a large offset (post-ReLU
 * pooled features), which matters most in float32.
 */
import * as tf from "@tensorflow/tfjs";

/** Stable error codes of this module. */
export type CkaErrorCode =
  | "CKA_EMPTY_INPUT"
  | "CKA_RAGGED_INPUT"
  | "CKA_NON_FINITE_INPUT"
  | "CKA_SAMPLE_COUNT_MISMATCH"
  | "CKA_TOO_FEW_SAMPLES"
  | "CKA_TOO_FEW_FEATURE_SETS";

/** Bad input to a CKA function; `code` is stable, `message` says what and where. */
export class CkaError extends Error {
  readonly code: CkaErrorCode;
  constructor(code: CkaErrorCode, message: string) {
    super(`${code}: ${message}`);
    this.name = "CkaError";
    this.code = code;
  }
}

export interface CkaOptions {
  /** Unbiased HSIC estimator (U-centring; needs n >= 4). Default true. Else 1/n centring. */
  debiased?: boolean;
}

/** A matrix of n samples (rows) by features (columns); rows may be typed arrays. */
export type FeatureMatrix = ReadonlyArray<ArrayLike<number>>;

/** Smallest sample count each estimator accepts. */
export function minSamples(debiased: boolean): number {
  // The unbiased estimator divides by (n - 2) and its HSIC normaliser by n (n - 3).
  return debiased ? 4 : 2;
}

function checkSampleCount(n: number, debiased: boolean, what: string): void {
  const min = minSamples(debiased);
  if (n < min) {
    throw new CkaError(
      "CKA_TOO_FEW_SAMPLES",
      `${what} has ${n} sample(s); the ${debiased ? "debiased" : "biased"} estimator needs at least ${min}`,
    );
  }
}

/** Rows of `x` as one row-major Float64Array with its column means subtracted. */
function centredRowMajor(x: FeatureMatrix, what: string): { data: Float64Array; n: number; d: number } {
  const n = x.length;
  if (n === 0) throw new CkaError("CKA_EMPTY_INPUT", `${what} has no samples`);
  const d = x[0]!.length;
  if (d === 0) throw new CkaError("CKA_EMPTY_INPUT", `${what} has no features`);
  const data = new Float64Array(n * d);
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    const row = x[i]!;
    if (row.length !== d) {
      throw new CkaError("CKA_RAGGED_INPUT", `${what} row ${i} has ${row.length} features, row 0 has ${d}`);
    }
    for (let j = 0; j < d; j++) {
      const v = row[j]!;
      if (!Number.isFinite(v)) {
        throw new CkaError("CKA_NON_FINITE_INPUT", `${what}[${i}][${j}] is ${v}`);
      }
      data[i * d + j] = v;
      mean[j] = mean[j]! + v;
    }
  }
  for (let j = 0; j < d; j++) mean[j] = mean[j]! / n;
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) data[i * d + j] = data[i * d + j]! - mean[j]!;
  return { data, n, d };
}

/**
 * The centred linear Gram matrix K~ of `x` (n x n, row-major), float64.
 * Debiased: U-centring with zero diagonal; biased: H K H.
 */
export function centredGram(x: FeatureMatrix, options: CkaOptions = {}): Float64Array {
  const debiased = options.debiased ?? true;
  const { data, n, d } = centredRowMajor(x, "features");
  checkSampleCount(n, debiased, "features");
  const k = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const oi = i * d;
    for (let j = i; j < n; j++) {
      const oj = j * d;
      let s = 0;
      for (let c = 0; c < d; c++) s += data[oi + c]! * data[oj + c]!;
      k[i * n + j] = s;
      k[j * n + i] = s;
    }
  }
  centreGramInPlace(k, n, debiased);
  return k;
}

/** Centres a symmetric n x n Gram matrix in place, exactly as the MTSL code's `center_gram`. */
function centreGramInPlace(k: Float64Array, n: number, debiased: boolean): void {
  const means = new Float64Array(n);
  if (debiased) {
    for (let i = 0; i < n; i++) k[i * n + i] = 0;
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += k[i * n + j]!;
      means[j] = s / (n - 2);
    }
    let total = 0;
    for (let j = 0; j < n; j++) total += means[j]!;
    const shift = total / (2 * (n - 1));
    for (let j = 0; j < n; j++) means[j] = means[j]! - shift;
  } else {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += k[i * n + j]!;
      means[j] = s / n;
    }
    let total = 0;
    for (let j = 0; j < n; j++) total += means[j]!;
    const shift = total / n / 2;
    for (let j = 0; j < n; j++) means[j] = means[j]! - shift;
  }
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) k[i * n + j] = k[i * n + j]! - means[i]! - means[j]!;
  }
  if (debiased) for (let i = 0; i < n; i++) k[i * n + i] = 0;
}

function frobeniusDot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

/** CKA from two centred Gram matrices of the same size; NaN when either is all zero. */
function ckaFromCentredGrams(kx: Float64Array, ky: Float64Array): number {
  const hsic = frobeniusDot(kx, ky);
  const nx = Math.sqrt(frobeniusDot(kx, kx));
  const ny = Math.sqrt(frobeniusDot(ky, ky));
  return hsic / (nx * ny);
}

/**
 * The participation ratio of `x`'s covariance, (sum of eigenvalues)^2 / sum of squared
 * eigenvalues = tr(C)^2 / ||C||_F^2 (C = X^T X of the centred rows): the number of directions
 * the samples really vary in, from 1 (one direction, e.g. only the channel mean moves) to the
 * feature count (isotropic). NaN when the features do not vary at all.
 */
export function participationRatio(x: FeatureMatrix): number {
  const { data, n, d } = centredRowMajor(x, "features");
  const c = new Float64Array(d * d);
  for (let i = 0; i < n; i++) {
    const o = i * d;
    for (let a = 0; a < d; a++) {
      const va = data[o + a]!;
      if (va === 0) continue;
      for (let b = a; b < d; b++) c[a * d + b] = c[a * d + b]! + va * data[o + b]!;
    }
  }
  let trace = 0;
  let frob = 0;
  for (let a = 0; a < d; a++) {
    trace += c[a * d + a]!;
    frob += c[a * d + a]! ** 2;
    for (let b = a + 1; b < d; b++) frob += 2 * c[a * d + b]! ** 2;
  }
  return (trace * trace) / frob;
}

/**
 * Linear CKA between two representations of the same n samples, in float64.
 * `x` is n x p and `y` is n x q (p and q may differ). Returns a value in [-1, 1] (the debiased
 * estimator can be negative), or NaN when a representation has no variance across samples
 * (0/0); `ckaMatrix` applies the MTSL rule for NaN. Throws `CkaError` on malformed input or
 * n < 4 (debiased) / n < 2 (biased).
 */
export function linearCKA(x: FeatureMatrix, y: FeatureMatrix, options: CkaOptions = {}): number {
  if (x.length !== y.length) {
    throw new CkaError("CKA_SAMPLE_COUNT_MISMATCH", `x has ${x.length} samples, y has ${y.length}`);
  }
  const debiased = options.debiased ?? true;
  const kx = centredGram(x, { debiased });
  const ky = centredGram(y, { debiased });
  return ckaFromCentredGrams(kx, ky);
}

/**
 * The symmetric task x task CKA matrix of `features[t]` (n x C_t each, same n), float64.
 * Each Gram matrix is centred once. NaN rule of the MTSL code: the diagonal is 1 (CKA of a
 * representation with itself; also when it is undefined) and an undefined off-diagonal entry
 * is 0, so a task whose features do not vary is never merged because of them.
 */
export function ckaMatrix(features: ReadonlyArray<FeatureMatrix>, options: CkaOptions = {}): number[][] {
  const debiased = options.debiased ?? true;
  const t = features.length;
  if (t === 0) throw new CkaError("CKA_TOO_FEW_FEATURE_SETS", "no feature matrices given");
  const n = features[0]!.length;
  const grams = features.map((f, i) => {
    if (f.length !== n) {
      throw new CkaError("CKA_SAMPLE_COUNT_MISMATCH", `features[${i}] has ${f.length} samples, features[0] has ${n}`);
    }
    return centredGram(f, { debiased });
  });
  const norms = grams.map((g) => Math.sqrt(frobeniusDot(g, g)));
  const out: number[][] = [];
  for (let i = 0; i < t; i++) out.push(new Array<number>(t).fill(0));
  for (let i = 0; i < t; i++) {
    out[i]![i] = 1;
    for (let j = i + 1; j < t; j++) {
      const v = frobeniusDot(grams[i]!, grams[j]!) / (norms[i]! * norms[j]!);
      const safe = Number.isNaN(v) ? 0 : v;
      out[i]![j] = safe;
      out[j]![i] = safe;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// TensorFlow.js version (float32, differentiable)
// ---------------------------------------------------------------------------------------

function checkTensor2D(x: tf.Tensor, what: string): void {
  if (x.rank !== 2)
    throw new CkaError(
      "CKA_RAGGED_INPUT",
      `${what} must be a rank-2 tensor (samples x features), got shape [${x.shape.join(", ")}]`,
    );
  if (x.shape[0] === 0 || x.shape[1] === 0)
    throw new CkaError("CKA_EMPTY_INPUT", `${what} has shape [${x.shape.join(", ")}]`);
}

/** The centred Gram matrix of a 2-D tensor (same definition as `centredGram`), differentiable. */
export function centredGramTensor(x: tf.Tensor2D, options: CkaOptions = {}): tf.Tensor2D {
  const debiased = options.debiased ?? true;
  checkTensor2D(x, "features");
  const n = x.shape[0];
  checkSampleCount(n, debiased, "features");
  return tf.tidy(() => {
    const xc = tf.sub(x, tf.mean(x, 0, true));
    const k = tf.matMul(xc, xc, false, true);
    if (debiased) {
      const offDiag = tf.sub(tf.onesLike(k), tf.eye(n));
      const k0 = tf.mul(k, offDiag);
      const colMeans = tf.div(tf.sum(k0, 0), n - 2);
      const means = tf.sub(colMeans, tf.div(tf.sum(colMeans), 2 * (n - 1)));
      const centred = tf.sub(tf.sub(k0, tf.reshape(means, [n, 1])), tf.reshape(means, [1, n]));
      return tf.mul(centred, offDiag) as tf.Tensor2D;
    }
    const colMeans = tf.mean(k, 0);
    const means = tf.sub(colMeans, tf.div(tf.mean(colMeans), 2));
    return tf.sub(tf.sub(k, tf.reshape(means, [n, 1])), tf.reshape(means, [1, n])) as tf.Tensor2D;
  });
}

/**
 * CKA of two centred Gram tensors as a differentiable scalar; 0 where the value is undefined
 * (a zero Gram matrix), as the MTSL code's `nan_to_num` does. Both `where`s are needed so
 * that no infinite local derivative meets a zero upstream gradient (which would give NaN).
 */
function ckaFromCentredGramTensors(kx: tf.Tensor2D, ky: tf.Tensor2D): tf.Scalar {
  const hsic = tf.sum(tf.mul(kx, ky));
  const sxx = tf.sum(tf.square(kx));
  const syy = tf.sum(tf.square(ky));
  // step() rather than greater(): the tape needs a gradient for every op between the
  // features and the loss, and tfjs registers one for Step (zero) but not for Greater.
  const defined = tf.cast(tf.step(tf.minimum(sxx, syy)), "bool");
  const one = tf.onesLike(sxx);
  const safeX = tf.where(defined, sxx, one);
  const safeY = tf.where(defined, syy, one);
  // sqrt of each norm separately: the product of squared norms could overflow float32.
  const value = tf.div(hsic, tf.mul(tf.sqrt(safeX), tf.sqrt(safeY)));
  return tf.where(defined, value, tf.zerosLike(value)) as tf.Scalar;
}

/** Differentiable linear CKA of two n x p / n x q tensors; 0 where undefined. */
export function linearCKAScalar(x: tf.Tensor2D, y: tf.Tensor2D, options: CkaOptions = {}): tf.Scalar {
  checkTensor2D(x, "x");
  checkTensor2D(y, "y");
  if (x.shape[0] !== y.shape[0]) {
    throw new CkaError("CKA_SAMPLE_COUNT_MISMATCH", `x has ${x.shape[0]} samples, y has ${y.shape[0]}`);
  }
  return tf.tidy(() => ckaFromCentredGramTensors(centredGramTensor(x, options), centredGramTensor(y, options)));
}

/**
 * Linear CKA of two tensors (float32 arithmetic), read back as a number. Like `linearCKA`,
 * NaN when a representation has (exactly) no variance; rounding in float32 may turn such a
 * case into a small arbitrary value instead, so structural decisions use `ckaMatrix`.
 */
export async function linearCKATensor(x: tf.Tensor2D, y: tf.Tensor2D, options: CkaOptions = {}): Promise<number> {
  checkTensor2D(x, "x");
  checkTensor2D(y, "y");
  if (x.shape[0] !== y.shape[0]) {
    throw new CkaError("CKA_SAMPLE_COUNT_MISMATCH", `x has ${x.shape[0]} samples, y has ${y.shape[0]}`);
  }
  const parts = tf.tidy(() => {
    const kx = centredGramTensor(x, options);
    const ky = centredGramTensor(y, options);
    return tf.stack([tf.sum(tf.mul(kx, ky)), tf.sum(tf.square(kx)), tf.sum(tf.square(ky))]);
  });
  const [hsic, sxx, syy] = Array.from(await parts.data());
  parts.dispose();
  return hsic! / (Math.sqrt(sxx!) * Math.sqrt(syy!));
}

/**
 * Alignment loss of the task learning phase (MTSL.md, "Alignment loss"):
 * 1 - mean over task pairs (i < j) of the debiased linear CKA of `features[i]` and
 * `features[j]` (each n x C_t, globally average pooled stage outputs of one mini-batch).
 * Differentiable; an undefined pair counts as CKA 0. The caller multiplies by the weight w.
 * Needs at least two feature matrices and n >= 4.
 */
export function ckaAlignmentLoss(features: ReadonlyArray<tf.Tensor2D>, options: CkaOptions = {}): tf.Scalar {
  if (features.length < 2) {
    throw new CkaError(
      "CKA_TOO_FEW_FEATURE_SETS",
      `the alignment loss needs at least 2 feature matrices, got ${features.length}`,
    );
  }
  const debiased = options.debiased ?? true;
  const n = features[0]!.shape[0];
  features.forEach((f, i) => {
    checkTensor2D(f, `features[${i}]`);
    if (f.shape[0] !== n) {
      throw new CkaError("CKA_SAMPLE_COUNT_MISMATCH", `features[${i}] has ${f.shape[0]} samples, features[0] has ${n}`);
    }
  });
  return tf.tidy(() => {
    const grams = features.map((f) => centredGramTensor(f, { debiased }));
    const values: tf.Scalar[] = [];
    for (let i = 0; i < grams.length; i++) {
      for (let j = i + 1; j < grams.length; j++) values.push(ckaFromCentredGramTensors(grams[i]!, grams[j]!));
    }
    return tf.sub(1, tf.mean(tf.stack(values))) as tf.Scalar;
  });
}

/**
 * `cka(calibrate: true)`: each off-diagonal similarity rescaled against the null similarity,
 * `(s - null) / (1 - null)`, so 0 is what fresh, untrained copies score and 1 is identical
 * features; a pair less alike than fresh copies scores below 0. When the null is 1 (or not
 * finite) nothing is above chance and every pair scores 0. The diagonal stays 1.
 */
export function calibrateAgainstNull(matrix: readonly (readonly number[])[], nullSimilarity: number): number[][] {
  const room = 1 - nullSimilarity;
  return matrix.map((row, i) =>
    row.map((s, j) => (i === j ? 1 : Number.isFinite(room) && room > 0 ? (s - nullSimilarity) / room : 0)),
  );
}
