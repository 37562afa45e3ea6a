/**
 * Canonical JSON of the IR: keys sorted, two-space indentation, numbers as
 * JavaScript prints them (shortest round-trip form), a final newline. Compiling
 * the same file twice gives byte-identical text.
 */
import { Ajv } from "ajv";
import { lint } from "./lint.js";
import { IR_SCHEMA } from "./schema.js";
import { IR_VERSION, type IrModel } from "./types.js";

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

/** IR JSON that is not a sound IR of this version: `problems` say where and why. */
export class IrFormatError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(
      `not a sound mtsl IR of version ${IR_VERSION}: ${problems.slice(0, 5).join("; ")}${problems.length > 5 ? `; and ${problems.length - 5} more` : ""}`,
    );
    this.name = "IrFormatError";
  }
}

const ajv = new Ajv({ allErrors: true, discriminator: true, strict: true });
const validateSchema = ajv.compile(IR_SCHEMA);

/**
 * The problems of a parsed JSON value as an IR: where it breaks the schema
 * (compiler/ir/schema.ts), else which invariant it breaks ({@link lint}).
 * Empty when the value is a sound IR.
 */
export function irProblems(value: unknown): string[] {
  if (!validateSchema(value)) {
    return (validateSchema.errors ?? []).map((e) => {
      const allowed = (e.params as { allowedValues?: unknown[] }).allowedValues;
      const detail = allowed ? ` (${allowed.map((v) => JSON.stringify(v)).join(", ")})` : "";
      return `${e.instancePath || "/"} ${e.message ?? "is invalid"}${detail}`;
    });
  }
  return lint(value as IrModel);
}

/** Reads IR JSON text (as written by {@link irToJson}); throws {@link IrFormatError} unless it is a sound IR. */
export function irFromJson(text: string): IrModel {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new IrFormatError([`not JSON (${(e as Error).message})`]);
  }
  return irFromValue(value);
}

/** {@link irFromJson} for a value already parsed (the IR inside a checkpoint header). */
export function irFromValue(value: unknown): IrModel {
  withHeadSkips(value);
  const problems = irProblems(value);
  if (problems.length > 0) throw new IrFormatError(problems);
  return value as IrModel;
}

/**
 * IR written before heads could read other stages (fuse, concat in a head) has no `skips` on its
 * heads; such a head read none, so it gets an empty list (in place, before validation).
 */
function withHeadSkips(value: unknown): void {
  const heads = (value as { heads?: unknown } | null)?.heads;
  if (!Array.isArray(heads)) return;
  for (const head of heads) {
    if (head !== null && typeof head === "object" && !Array.isArray(head) && !("skips" in head)) {
      (head as Record<string, unknown>)["skips"] = [];
    }
  }
}
