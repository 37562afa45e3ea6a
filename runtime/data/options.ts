/**
 * Option checking for data sources. The options of every source are declared
 * once, in the compiler's catalogue (compiler/catalog/data.ts);
 * {@link resolveOptions} checks a plain options record against those
 * declarations (names, types, ranges), fills defaults and throws MTSL3006
 * naming the option. A program that calls a data source directly gets the same
 * checks `mtslc check` makes on a file.
 */

import { dataSourceSpec, describeType, inRange, type ParamSpec, type ValueType } from "../../compiler/catalog/index.js";
import { MtslError } from "../errors.js";
import type { DataOptions, OptionValue } from "./types.js";

/** Options after checking: every declared option, defaults filled (absent optional ones are undefined). */
export type ResolvedOptions = Record<string, OptionValue | undefined>;

/** The options the catalogue declares for data source `name` (none for an unknown name). */
export function declaredOptions(name: string): readonly ParamSpec[] {
  return dataSourceSpec(name)?.params ?? [];
}

function describeValue(v: unknown): string {
  if (Array.isArray(v)) return "a list";
  if (v === null) return "null";
  if (typeof v === "object") return "a record";
  if (typeof v === "string") return `the string ${JSON.stringify(v)}`;
  return `${typeof v} ${String(v)}`;
}

/** True when `v` is a value of `type` (the types a data option can have). */
function fits(type: ValueType, v: unknown): boolean {
  switch (type.kind) {
    case "int":
      return typeof v === "number" && Number.isInteger(v) && inRange(v, type);
    case "number":
      return typeof v === "number" && Number.isFinite(v) && inRange(v, type);
    case "bool":
      return typeof v === "boolean";
    case "string":
    case "name":
      return typeof v === "string" && v.length > 0;
    case "enum":
      return typeof v === "string" && type.values.includes(v);
    case "list":
      return Array.isArray(v) && v.every((item) => fits(type.item, item));
    default:
      return false;
  }
}

/**
 * Checks `options` against `params` for `source`. Unknown names, wrong types,
 * out-of-range numbers and missing required options throw MTSL3006 naming
 * the option. Options without a default that are left out resolve to undefined.
 */
export function resolveOptions(source: string, params: readonly ParamSpec[], options: DataOptions): ResolvedOptions {
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    throw new MtslError("MTSL3006", `${source}: options must be a record`, { found: describeValue(options) });
  }
  const known = new Map(params.map((p) => [p.name, p]));
  for (const key of Object.keys(options)) {
    if (!known.has(key)) {
      throw new MtslError("MTSL3006", `${source}: unknown option '${key}'`, {
        option: key,
        expected: `one of ${params.map((p) => p.name).join(", ")}`,
      });
    }
  }
  const out: ResolvedOptions = Object.create(null) as ResolvedOptions;
  for (const spec of params) {
    const given = Object.prototype.hasOwnProperty.call(options, spec.name) ? options[spec.name] : undefined;
    if (given === undefined) {
      if (spec.required) {
        throw new MtslError("MTSL3006", `${source}: option '${spec.name}' is required`, {
          option: spec.name,
          expected: spec.doc,
        });
      }
      const d = spec.default;
      out[spec.name] = d === undefined || (typeof d === "object" && !Array.isArray(d)) ? undefined : (d as OptionValue);
      continue;
    }
    if (!fits(spec.type, given)) {
      throw new MtslError("MTSL3006", `${source}: option '${spec.name}' has a bad value`, {
        option: spec.name,
        expected: describeType(spec.type),
        found: describeValue(given),
      });
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
