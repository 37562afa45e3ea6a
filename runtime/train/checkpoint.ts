/**
 * Checkpoints: one file holding the IR the run is at, the epoch, every weight,
 * the optimiser state and any extra JSON state, written atomically.
 *
 * Layout: the 8 bytes `MTSLCKPT`, a little-endian uint32 header length, the
 * header as UTF-8 JSON, zero padding to a multiple of 4, then float32 data; the
 * header lists each tensor's key, shape and offset (in floats) into the data.
 */
import { readFileSync } from "node:fs";
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

interface Header<S> {
  format: "mtsl-checkpoint";
  version: 1;
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
    version: 1,
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

export function decodeCheckpoint<S>(bytes: Uint8Array, file = "checkpoint"): CheckpointData<S> {
  const bad = (why: string): MtslError =>
    new MtslError("MTSL3301", `${file} is not a readable mtsl checkpoint: ${why}`, { file });
  if (bytes.length < 12 || Buffer.from(bytes.subarray(0, 8)).toString("ascii") !== MAGIC) throw bad("bad magic");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const length = view.getUint32(8, true);
  if (12 + length > bytes.length) throw bad("truncated header");
  let header: Header<S>;
  try {
    header = JSON.parse(Buffer.from(bytes.subarray(12, 12 + length)).toString("utf8")) as Header<S>;
  } catch {
    throw bad("corrupt header");
  }
  if (header.format !== "mtsl-checkpoint" || header.version !== 1) throw bad("unknown format version");
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

export function readCheckpoint<S>(path: string): CheckpointData<S> {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch {
    throw new MtslError("MTSL3001", `no checkpoint at ${path}`, { file: path });
  }
  return decodeCheckpoint<S>(bytes, path);
}
