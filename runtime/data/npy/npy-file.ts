/**
 * Reading one `.npy` file (NumPy format 1.0 / 2.0 / 3.0) safely: the header
 * is parsed and checked here (magic, version, dtype, shape, byte length);
 * the data is decoded with the `npyjs` package. Big-endian data is byte-swapped
 * and Fortran-order arrays are transposed, so callers always get native,
 * C-order values. Files are opened read-only.
 */

import { closeSync, openSync, readSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { parse } from "npyjs";
import { MtslError } from "../../errors.js";

/** The element types this loader reads. */
export type NpyDtype = "b1" | "i1" | "u1" | "i2" | "u2" | "i4" | "u4" | "i8" | "u8" | "f2" | "f4" | "f8";

const ITEM_SIZE: Record<NpyDtype, number> = {
  b1: 1,
  i1: 1,
  u1: 1,
  i2: 2,
  u2: 2,
  i4: 4,
  u4: 4,
  i8: 8,
  u8: 8,
  f2: 2,
  f4: 4,
  f8: 8,
};

/** NumPy's name of a dtype, for messages. */
export const DTYPE_NAMES: Record<NpyDtype, string> = {
  b1: "bool",
  i1: "int8",
  u1: "uint8",
  i2: "int16",
  u2: "uint16",
  i4: "int32",
  u4: "uint32",
  i8: "int64",
  u8: "uint64",
  f2: "float16",
  f4: "float32",
  f8: "float64",
};

/** A parsed `.npy` header. */
export interface NpyHeader {
  dtype: NpyDtype;
  littleEndian: boolean;
  fortranOrder: boolean;
  shape: number[];
  /** Byte offset of the data. */
  dataOffset: number;
  /** Number of elements (product of the shape). */
  count: number;
}

/** Floats or integers for float dtypes; integers otherwise; bool as 0/1. */
export function isFloatDtype(d: NpyDtype): boolean {
  return d === "f2" || d === "f4" || d === "f8";
}

/** Shape as NumPy prints it: `(288, 384, 3)`. */
export function formatShape(shape: readonly number[]): string {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(", ")})`;
}

function malformed(file: string, what: string, found?: string): MtslError {
  return new MtslError(
    "MTSL3007",
    `not a readable .npy file: ${what}`,
    found === undefined ? { file } : { file, found },
  );
}

/**
 * Parses the header at the start of `bytes` (which must hold at least the
 * whole header). Throws MTSL3007 on anything malformed and MTSL3002 on a dtype
 * this loader does not read (strings, complex, objects, structured arrays).
 */
export function parseNpyHeader(bytes: Uint8Array, file: string): NpyHeader {
  const magic = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
  if (bytes.length < 10 || magic.some((m, i) => bytes[i] !== m)) throw malformed(file, "bad magic bytes");
  const major = bytes[6]!;
  let headerLen: number;
  let start: number;
  if (major === 1) {
    headerLen = bytes[8]! | (bytes[9]! << 8);
    start = 10;
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) throw malformed(file, "truncated header");
    headerLen = (bytes[8]! | (bytes[9]! << 8) | (bytes[10]! << 16)) + bytes[11]! * 16777216;
    start = 12;
  } else {
    throw malformed(file, "unsupported format version", `version ${major}.${bytes[7]}`);
  }
  if (bytes.length < start + headerLen) throw malformed(file, "truncated header");
  const text = new TextDecoder("latin1").decode(bytes.subarray(start, start + headerLen));
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(text)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(text)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(text)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) {
    if (/'descr'\s*:\s*\[/.test(text)) {
      throw new MtslError("MTSL3002", "structured arrays are not supported", {
        file,
        expected: "a plain numeric array",
      });
    }
    throw malformed(
      file,
      "header is not a {descr, fortran_order, shape} dict",
      JSON.stringify(text.trim().slice(0, 80)),
    );
  }
  const shape: number[] = [];
  for (const part of shapeText.split(",")) {
    const p = part.trim();
    if (p === "") continue;
    if (!/^\d+L?$/.test(p)) throw malformed(file, "bad shape in header", `(${shapeText})`);
    shape.push(Number.parseInt(p, 10));
  }
  const order = descr[0];
  const code = descr.slice(1);
  if (!(order === "<" || order === ">" || order === "|" || order === "=") || !(code in ITEM_SIZE)) {
    throw new MtslError("MTSL3002", "unsupported dtype", {
      file,
      expected: "bool, int8..int64, uint8..uint64 or float16/32/64",
      found: `descr '${descr}'`,
    });
  }
  const count = shape.reduce((a, b) => a * b, 1);
  return {
    dtype: code as NpyDtype,
    littleEndian: order !== ">",
    fortranOrder: fortran === "True",
    shape,
    dataOffset: start + headerLen,
    count,
  };
}

/** Reads only the header of a `.npy` file (a few hundred bytes; read-only). */
export function readNpyHeaderSync(file: string): NpyHeader {
  let fd: number;
  try {
    fd = openSync(file, "r");
  } catch (cause) {
    throw new MtslError("MTSL3001", "cannot open the file", { file, cause });
  }
  try {
    const head = new Uint8Array(16);
    const n = readSync(fd, head, 0, 16, 0);
    if (n < 10) throw malformed(file, "file too short", `${n} bytes`);
    if ([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59].some((m, i) => head[i] !== m)) throw malformed(file, "bad magic bytes");
    const major = head[6]!;
    const headerLen =
      major === 1
        ? head[8]! | (head[9]! << 8)
        : (head[8]! | (head[9]! << 8) | (head[10]! << 16)) + head[11]! * 16777216;
    const total = (major === 1 ? 10 : 12) + headerLen;
    if (headerLen > 1 << 20) throw malformed(file, "header too long", `${headerLen} bytes`);
    const all = new Uint8Array(total);
    const got = readSync(fd, all, 0, total, 0);
    return parseNpyHeader(all.subarray(0, got), file);
  } finally {
    closeSync(fd);
  }
}

/** A decoded array: values in C order. Integer dtypes up to 32 bits keep their typed array. */
export interface NpyArrayData {
  header: NpyHeader;
  /** C-order values; int64/uint64 converted to float64, bool to uint8. */
  values: Float32Array | Float64Array | Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array;
}

function byteSwap(bytes: Uint8Array, itemSize: number): void {
  for (let i = 0; i + itemSize <= bytes.length; i += itemSize) {
    for (let a = i, b = i + itemSize - 1; a < b; a++, b--) {
      const t = bytes[a]!;
      bytes[a] = bytes[b]!;
      bytes[b] = t;
    }
  }
}

/** Reorders Fortran-order (column-major) values into C order. */
export function fortranToC<T extends { length: number; [i: number]: number }>(
  values: T,
  shape: readonly number[],
  make: (n: number) => T,
): T {
  const n = values.length;
  const out = make(n);
  const dims = shape.length;
  if (dims <= 1) {
    for (let i = 0; i < n; i++) out[i] = values[i]!;
    return out;
  }
  // C strides and F strides.
  const fStride = new Array<number>(dims);
  let s = 1;
  for (let d = 0; d < dims; d++) {
    fStride[d] = s;
    s *= shape[d]!;
  }
  const idx = new Array<number>(dims).fill(0);
  for (let c = 0; c < n; c++) {
    let f = 0;
    for (let d = 0; d < dims; d++) f += idx[d]! * fStride[d]!;
    out[c] = values[f]!;
    for (let d = dims - 1; d >= 0; d--) {
      idx[d]!++;
      if (idx[d]! < shape[d]!) break;
      idx[d] = 0;
    }
  }
  return out;
}

/** Rewrites the descr's byte-order character ('>' or '=') to '<' in a header held in `bytes`. */
function normaliseByteOrderMark(bytes: Uint8Array, headerEnd: number): void {
  const text = new TextDecoder("latin1").decode(bytes.subarray(0, headerEnd));
  const m = /'descr'\s*:\s*'/.exec(text);
  if (m === null) return;
  const at = m.index + m[0].length;
  if (bytes[at] === 0x3e || bytes[at] === 0x3d) bytes[at] = 0x3c;
}

/**
 * Decodes a whole `.npy` file held in `bytes`. `bytes` is not modified unless
 * `reuse` is true, in which case its memory may be used (and byte-swapped) in
 * place when it is exactly the file, saving a copy of a large array.
 */
export function decodeNpy(bytes: Uint8Array, file: string, reuse = false): NpyArrayData {
  const header = parseNpyHeader(bytes, file);
  const itemSize = ITEM_SIZE[header.dtype];
  const want = header.dataOffset + header.count * itemSize;
  if (bytes.length < want) {
    throw malformed(
      file,
      "data shorter than its header says",
      `${bytes.length - header.dataOffset} data bytes for ${header.count} x ${itemSize}`,
    );
  }
  if (bytes.length > want) {
    throw malformed(
      file,
      "data longer than its header says",
      `${bytes.length - header.dataOffset} data bytes for ${header.count} x ${itemSize}`,
    );
  }
  if (header.dataOffset % itemSize !== 0) throw malformed(file, "data not aligned to its item size");
  // npyjs makes typed-array views over a whole ArrayBuffer: use a private, exact-length one.
  let buffer: ArrayBuffer;
  if (reuse && bytes.byteOffset === 0 && bytes.buffer.byteLength === want && bytes.buffer instanceof ArrayBuffer) {
    buffer = bytes.buffer;
  } else {
    buffer = new ArrayBuffer(want);
    new Uint8Array(buffer).set(bytes.subarray(0, want));
  }
  const copy = new Uint8Array(buffer);
  if (!header.littleEndian && itemSize > 1) byteSwap(copy.subarray(header.dataOffset), itemSize);
  // npyjs reads only '<' and '|' codes: after any swap the data is little-endian, so say so.
  normaliseByteOrderMark(copy, header.dataOffset);
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(buffer, { convertFloat16: true });
  } catch (cause) {
    throw new MtslError("MTSL3007", "not a readable .npy file", { file, cause });
  }
  let values: NpyArrayData["values"];
  const data = parsed.data as unknown;
  if (header.dtype === "b1") {
    values = Uint8Array.from(data as ArrayLike<boolean | number>, (v) => (v ? 1 : 0));
  } else if (data instanceof BigInt64Array || data instanceof BigUint64Array) {
    values = Float64Array.from(data, (v) => Number(v));
  } else {
    values = data as NpyArrayData["values"];
  }
  if (values.length !== header.count) {
    throw malformed(
      file,
      "element count does not match the shape",
      `${values.length} for shape ${formatShape(header.shape)}`,
    );
  }
  if (header.fortranOrder) {
    const ctor = values.constructor as new (n: number) => NpyArrayData["values"];
    values = fortranToC(values, header.shape, (n) => new ctor(n));
  }
  return { header, values };
}

/** Reads and decodes a `.npy` file (read-only). MTSL3001 if it cannot be read. */
export async function readNpy(file: string): Promise<NpyArrayData> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file, { flag: "r" });
  } catch (cause) {
    throw new MtslError("MTSL3001", "cannot read the file", { file, cause });
  }
  return decodeNpy(bytes, file, true); // the buffer is ours alone
}
