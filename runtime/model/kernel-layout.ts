/**
 * Convolution kernels between our layout (TensorFlow's HWIO: [kh, kw, in, out]) and PyTorch's
 * and ONNX's OIHW ([out, in, kh, kw]), dense kernels between [in, out] and PyTorch's [out, in],
 * and float32 values as the little-endian bytes that the exchange formats (ONNX raw data,
 * TensorFlow.js weight files, safetensors) store.
 */

/** [out, in, kh, kw] -> [kh, kw, in, out]. */
export function oihwToHwio(values: ArrayLike<number>, [o, i, h, w]: number[]): Float32Array {
  const out = new Float32Array(o! * i! * h! * w!);
  for (let a = 0; a < o!; a++)
    for (let b = 0; b < i!; b++)
      for (let y = 0; y < h!; y++)
        for (let x = 0; x < w!; x++) out[((y * w! + x) * i! + b) * o! + a] = values[((a * i! + b) * h! + y) * w! + x]!;
  return out;
}

/** [kh, kw, in, out] -> [out, in, kh, kw]. */
export function hwioToOihw(values: ArrayLike<number>, [h, w, i, o]: number[]): Float32Array {
  const out = new Float32Array(h! * w! * i! * o!);
  for (let y = 0; y < h!; y++)
    for (let x = 0; x < w!; x++)
      for (let b = 0; b < i!; b++)
        for (let a = 0; a < o!; a++) out[((a * i! + b) * h! + y) * w! + x] = values[((y * w! + x) * i! + b) * o! + a]!;
  return out;
}

/** `values` as little-endian float32 bytes, whatever the machine's own byte order. */
export function float32LittleEndian(values: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(values.length * 4);
  const view = new DataView(out.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i]!, true);
  return out;
}

/** A dense kernel [in, out] -> [out, in] (PyTorch's Linear layout); the same function turns it back. */
export function transpose2d(values: ArrayLike<number>, [rows, cols]: number[]): Float32Array {
  const out = new Float32Array(rows! * cols!);
  for (let r = 0; r < rows!; r++) for (let c = 0; c < cols!; c++) out[c * rows! + r] = values[r * cols! + c]!;
  return out;
}
