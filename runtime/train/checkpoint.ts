/**
 * Checkpoints: one file holding the IR the run is at, the epoch, every weight,
 * the optimiser state and any extra JSON state, written atomically.
 *
 * Layout: the 8 bytes `MTSLCKPT`, a little-endian uint32 header length, the
 * header as UTF-8 JSON, zero padding to a multiple of 4, then float32 data; the
 * header lists each tensor's key, shape and offset (in floats) into the data.
 */
import { closeSync, fstatSync, openSync, readFileSync, readSync } from "node:fs";
import { IrFormatError, irFromValue } from "../../compiler/ir/json.js";
import type { IrModel } from "../../compiler/ir/types.js";
import { MtslError } from "../errors.js";
import { writeFileAtomic } from "../io/atomic.js";
import type { SerializedSlot } from "./optimizer.js";

const MAGIC = "MTSLCKPT";

export interface CheckpointData<S = unknown> {
  ir: IrModel;
  /** Epochs completed. */
  epoch: number;
  weights: Map<string, { shape: number[]; values: Float32Array }>;
  optimizer: { name: string; slots: Map<string, SerializedSlot> };
  /** Extra state (structural learning progress, history...). */
  state: S;
}

interface TensorEntry {
  key: string;
  shape: number[];
  offset: number;
  length: number;
}

/** The version of the checkpoint layout this module writes and reads. */
export const CHECKPOINT_VERSION = 1;

interface Header<S> {
  format: "mtsl-checkpoint";
  version: typeof CHECKPOINT_VERSION;
  ir: IrModel;
  epoch: number;
  state: S;
  weights: TensorEntry[];
  optimizer: { name: string; slots: { key: string; step: number; m: TensorEntry | null; v: TensorEntry | null }[] };
}

export function encodeCheckpoint<S>(data: CheckpointData<S>): Uint8Array {
  const chunks: Float32Array[] = [];
  let offset = 0;
  const add = (key: string, shape: number[], values: Float32Array): TensorEntry => {
    chunks.push(values);
    const entry = { key, shape, offset, length: values.length };
    offset += values.length;
    return entry;
  };
  const weights = [...data.weights].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, w]) => add(k, w.shape, w.values));
  const slots = [...data.optimizer.slots]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([key, s]) => ({
      key,
      step: s.step,
      m: s.m ? add(`${key}#m`, s.shape, s.m) : null,
      v: s.v ? add(`${key}#v`, s.shape, s.v) : null,
    }));
  const header: Header<S> = {
    format: "mtsl-checkpoint",
    version: CHECKPOINT_VERSION,
    ir: data.ir,
    epoch: data.epoch,
    state: data.state,
    weights,
    optimizer: { name: data.optimizer.name, slots },
  };
  const json = Buffer.from(JSON.stringify(header), "utf8");
  const pad = (4 - ((12 + json.length) % 4)) % 4;
  const start = 12 + json.length + pad;
  const out = new Uint8Array(start + offset * 4);
  out.set(Buffer.from(MAGIC, "ascii"), 0);
  new DataView(out.buffer).setUint32(8, json.length, true);
  out.set(json, 12);
  const floats = new Float32Array(out.buffer, start, offset);
  let at = 0;
  for (const c of chunks) {
    floats.set(c, at);
    at += c.length;
  }
  return out;
}

const unreadable = (file: string, why: string): MtslError =>
  new MtslError("MTSL3301", `not a readable mtsl checkpoint: ${why}`, { file });

/** The header length from the first 12 bytes; throws MTSL3301 for anything but a checkpoint of `size` bytes. */
function headerLength(prefix: Uint8Array, size: number, file: string): number {
  if (prefix.length < 12 || Buffer.from(prefix.subarray(0, 8)).toString("ascii") !== MAGIC)
    throw unreadable(file, "bad magic");
  const length = new DataView(prefix.buffer, prefix.byteOffset, prefix.byteLength).getUint32(8, true);
  if (12 + length > size) throw unreadable(file, "truncated header");
  return length;
}

/** The JSON header, its format and version checked and its IR validated (compiler/ir/schema.ts). */
function decodeHeader<S>(json: Uint8Array, file: string): Header<S> {
  let header: Header<S>;
  try {
    header = JSON.parse(Buffer.from(json).toString("utf8")) as Header<S>;
  } catch {
    throw unreadable(file, "corrupt header");
  }
  if (header === null || typeof header !== "object" || header.format !== "mtsl-checkpoint")
    throw unreadable(file, "unknown header");
  if (header.version !== CHECKPOINT_VERSION)
    throw unreadable(file, `format version ${String(header.version)}, this mtsl reads ${CHECKPOINT_VERSION}`);
  if (typeof header.epoch !== "number" || !Array.isArray(header.weights)) throw unreadable(file, "unknown header");
  try {
    irFromValue(header.ir);
  } catch (e) {
    if (e instanceof IrFormatError)
      throw unreadable(file, `its IR is not sound (${e.problems.slice(0, 3).join("; ")})`);
    throw e;
  }
  return header;
}

export function decodeCheckpoint<S>(bytes: Uint8Array, file = "checkpoint"): CheckpointData<S> {
  const bad = (why: string): MtslError => unreadable(file, why);
  const length = headerLength(bytes, bytes.length, file);
  const header = decodeHeader<S>(bytes.subarray(12, 12 + length), file);
  const pad = (4 - ((12 + length) % 4)) % 4;
  const start = 12 + length + pad;
  const aligned = new Uint8Array(bytes.length - start);
  aligned.set(bytes.subarray(start));
  const floats = new Float32Array(aligned.buffer);
  const read = (e: TensorEntry): Float32Array => {
    if (e.offset + e.length > floats.length) throw bad(`tensor ${e.key} runs past the end of the file`);
    return floats.slice(e.offset, e.offset + e.length);
  };
  const weights = new Map(header.weights.map((e) => [e.key, { shape: e.shape, values: read(e) }]));
  const slots = new Map<string, SerializedSlot>(
    header.optimizer.slots.map((s) => [
      s.key,
      { step: s.step, m: s.m ? read(s.m) : null, v: s.v ? read(s.v) : null, shape: s.m?.shape ?? [] },
    ]),
  );
  return {
    ir: header.ir,
    epoch: header.epoch,
    state: header.state,
    weights,
    optimizer: { name: header.optimizer.name, slots },
  };
}

export function writeCheckpoint<S>(path: string, data: CheckpointData<S>): void {
  writeFileAtomic(path, encodeCheckpoint(data));
}

/** The IR and epoch of a checkpoint, reading only its header (not the weights). */
export function readCheckpointHeader(path: string): { ir: IrModel; epoch: number } {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch {
    throw new MtslError("MTSL3001", `no checkpoint at ${path}`, { file: path });
  }
  try {
    const prefix = Buffer.alloc(12);
    const got = readSync(fd, prefix, 0, 12, 0);
    const length = headerLength(prefix.subarray(0, got), fstatSync(fd).size, path);
    const json = Buffer.alloc(length);
    readSync(fd, json, 0, length, 12);
    const header = decodeHeader(json, path);
    return { ir: header.ir, epoch: header.epoch };
  } finally {
    closeSync(fd);
  }
}

export function readCheckpoint<S>(path: string): CheckpointData<S> {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch {
    throw new MtslError("MTSL3001", `no checkpoint at ${path}`, { file: path });
  }
  return decodeCheckpoint<S>(bytes, path);
}
