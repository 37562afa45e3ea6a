/**
 * Option checking for data sources: every source declares its options once
 * ({@link OptionSpec}); {@link resolveOptions} checks names, types and ranges
 * and fills defaults, throwing MTSL3006 that names the option.
 */

import { MtslError } from "../errors.js";
import type { DataOptions, OptionValue } from "./types.js";

/** One option a data source accepts. */
export type OptionSpec = (
  | { type: "int"; min: number; max: number; default: number | null }
  | { type: "number"; min: number; max: number; default: number | null }
  | { type: "string"; default: string | null }
  | { type: "boolean"; default: boolean | null }
  /** A record of option values (e.g. the npy loader's `targets`), checked by the source itself. */
  | { type: "record"; default: null }
) & {
  name: string;
  doc: string;
  /** With default null: true = the option must be given; false (or absent) = it may be left out. */
  required?: boolean;
};

/** Options after checking: every declared option, defaults filled (absent optional ones are undefined). */
export type ResolvedOptions = Record<string, OptionValue | undefined>;

function describeValue(v: unknown): string {
  if (Array.isArray(v)) return "a list";
  if (v === null) return "null";
  if (typeof v === "object") return "a record";
  if (typeof v === "string") return `the string ${JSON.stringify(v)}`;
  return `${typeof v} ${String(v)}`;
}

/**
 * Checks `options` against `specs` for `source`. Unknown names, wrong types,
 * out-of-range numbers and missing required options throw MTSL3006 naming
 * the option. Options with a null default that are left out resolve to undefined.
 */
export function resolveOptions(source: string, specs: readonly OptionSpec[], options: DataOptions): ResolvedOptions {
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    throw new MtslError("MTSL3006", `${source}: options must be a record`, { found: describeValue(options) });
  }
  const known = new Map(specs.map((s) => [s.name, s]));
  for (const key of Object.keys(options)) {
    if (!known.has(key)) {
      throw new MtslError("MTSL3006", `${source}: unknown option '${key}'`, {
        option: key,
        expected: `one of ${specs.map((s) => s.name).join(", ")}`,
      });
    }
  }
  const out: ResolvedOptions = Object.create(null) as ResolvedOptions;
  for (const spec of specs) {
    const given = Object.prototype.hasOwnProperty.call(options, spec.name) ? options[spec.name] : undefined;
    if (given === undefined) {
      if (spec.default === null && spec.required === true) {
        throw new MtslError("MTSL3006", `${source}: option '${spec.name}' is required`, {
          option: spec.name,
          expected: spec.doc,
        });
      }
      out[spec.name] = spec.default ?? undefined;
      continue;
    }
    const fail = (expected: string): MtslError =>
      new MtslError("MTSL3006", `${source}: option '${spec.name}' has a bad value`, {
        option: spec.name,
        expected,
        found: describeValue(given),
      });
    switch (spec.type) {
      case "int":
        if (typeof given !== "number" || !Number.isInteger(given))
          throw fail(`an integer in [${spec.min}, ${spec.max}]`);
        if (given < spec.min || given > spec.max) throw fail(`an integer in [${spec.min}, ${spec.max}]`);
        break;
      case "number":
        if (typeof given !== "number" || !Number.isFinite(given)) throw fail(`a number in [${spec.min}, ${spec.max}]`);
        if (given < spec.min || given > spec.max) throw fail(`a number in [${spec.min}, ${spec.max}]`);
        break;
      case "string":
        if (typeof given !== "string" || given.length === 0) throw fail("a non-empty string");
        break;
      case "boolean":
        if (typeof given !== "boolean") throw fail("true or false");
        break;
      case "record":
        if (typeof given !== "object" || given === null || Array.isArray(given)) throw fail("a record");
        break;
    }
    out[spec.name] = given;
  }
  return out;
}

/** Reads a resolved integer option (the caller declared it with type int and a default). */
export function intOption(opts: ResolvedOptions, name: string): number {
  const v = opts[name];
  if (typeof v !== "number") throw new Error(`internal: option '${name}' is not resolved to a number`);
  return v;
}
