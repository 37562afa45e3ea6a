/**
 * Canonical JSON of the IR: keys sorted, two-space indentation, numbers as
 * JavaScript prints them (shortest round-trip form), a final newline. Compiling
 * the same file twice gives byte-identical text.
 */
import type { IrModel } from "./types.js";

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = sortKeys(v);
    }
    return out;
  }
  if (typeof value === "number" && !Number.isFinite(value)) {
    throw new Error(`IR holds a non-finite number (${value}); this is a compiler bug`);
  }
  return value;
}

/** The IR as canonical JSON text. */
export function irToJson(ir: IrModel): string {
  return JSON.stringify(sortKeys(ir), null, 2) + "\n";
}

/** Reads IR JSON text (as written by {@link irToJson}); the version must match. */
export function irFromJson(text: string): IrModel {
  const value = JSON.parse(text) as IrModel;
  if (typeof value !== "object" || value === null || value.version !== 1) {
    throw new Error(`not an mtsl IR of version 1`);
  }
  return value;
}
