/**
 * Area (box-filter) resampling of single-channel square images, as a sparse
 * separable operator: each output pixel is the average of the source area it
 * covers, with fractional weights at the borders. Downsampling keeps the mean
 * intensity; upsampling repeats pixels.
 */

/** For each output index, the source indices and weights (summing to 1). */
export interface AreaWeights {
  src: Int32Array[];
  weight: Float32Array[];
}

/** The 1-D area weights that map `inSize` samples to `outSize`. */
export function areaWeights(inSize: number, outSize: number): AreaWeights {
  const scale = inSize / outSize;
  const src: Int32Array[] = [];
  const weight: Float32Array[] = [];
  for (let o = 0; o < outSize; o++) {
    const a = o * scale;
    const b = (o + 1) * scale;
    const idx: number[] = [];
    const w: number[] = [];
    for (let k = Math.floor(a); k < Math.min(inSize, Math.ceil(b)); k++) {
      const overlap = Math.min(b, k + 1) - Math.max(a, k);
      if (overlap > 1e-9) {
        idx.push(k);
        w.push(overlap / scale);
      }
    }
    src.push(Int32Array.from(idx));
    weight.push(Float32Array.from(w));
  }
  return { src, weight };
}

/**
 * Resizes a square `inSize` x `inSize` image to `outSize` x `outSize` with
 * the weights `wts` (from {@link areaWeights}), writing into `out`.
 * `scratch` must hold at least inSize*outSize floats.
 */
export function resampleSquare(
  input: Float32Array,
  inSize: number,
  out: Float32Array,
  outSize: number,
  wts: AreaWeights,
  scratch: Float32Array,
): void {
  // Rows first: scratch[r][j] = sum_k input[r][k] * w_j(k).
  for (let r = 0; r < inSize; r++) {
    const row = r * inSize;
    for (let j = 0; j < outSize; j++) {
      const s = wts.src[j] as Int32Array;
      const w = wts.weight[j] as Float32Array;
      let acc = 0;
      for (let t = 0; t < s.length; t++) acc += (input[row + (s[t] as number)] as number) * (w[t] as number);
      scratch[r * outSize + j] = acc;
    }
  }
  // Then columns: out[i][j] = sum_k scratch[k][j] * w_i(k).
  for (let i = 0; i < outSize; i++) {
    const s = wts.src[i] as Int32Array;
    const w = wts.weight[i] as Float32Array;
    for (let j = 0; j < outSize; j++) {
      let acc = 0;
      for (let t = 0; t < s.length; t++) acc += (scratch[(s[t] as number) * outSize + j] as number) * (w[t] as number);
      out[i * outSize + j] = acc;
    }
  }
}
