/**
 * The safetensors format (what `safetensors.torch.load_file` reads), float32 only: an 8-byte
 * little-endian header length, a JSON header `{ name: { dtype: "F32", shape, data_offsets:
 * [begin, end] }, __metadata__?: { string: string } }` (offsets into the data after the header,
 * the tensors back to back in the header's order), spaces to an 8-byte boundary, then the values
 * as little-endian bytes.
 */
import { float32LittleEndian } from "../model/kernel-layout.js";

export interface NamedTensor {
  name: string;
  shape: readonly number[];
  values: ArrayLike<number>;
}

/** `tensors` as one safetensors file, with `metadata` (string values) in its header. */
export function safetensorsBytes(tensors: readonly NamedTensor[], metadata: Record<string, string> = {}): Uint8Array {
  const header: Record<string, unknown> = Object.keys(metadata).length > 0 ? { __metadata__: metadata } : {};
  let offset = 0;
  for (const t of tensors) {
    const size = t.shape.reduce((a, b) => a * b, 1);
    if (size !== t.values.length) {
      throw new Error(`safetensors: ${t.name} has ${t.values.length} values for shape [${t.shape.join(", ")}]`);
    }
    header[t.name] = { dtype: "F32", shape: [...t.shape], data_offsets: [offset, offset + 4 * size] };
    offset += 4 * size;
  }
  let json = JSON.stringify(header);
  json += " ".repeat((8 - ((8 + Buffer.byteLength(json)) % 8)) % 8);
  const head = Buffer.from(json, "utf8");
  const out = new Uint8Array(8 + head.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(head.length), true);
  out.set(head, 8);
  let at = 8 + head.length;
  for (const t of tensors) {
    out.set(float32LittleEndian(t.values), at);
    at += 4 * t.values.length;
  }
  return out;
}
