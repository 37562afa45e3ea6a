/**
 * Comparing and showing setting values for the diff: numbers as the formatter
 * prints them, names bare, calls as the language writes them, and records
 * compared key by key with the language's snake_case names.
 */
import { formatNumber } from "../../grammar/numbers.js";
import type { IrCall, IrValue } from "../ir/types.js";
import type { DiffValue } from "./types.js";

/** Structural equality of JSON-like values (object key order ignored). */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== "object") {
    return typeof a === "number" && typeof b === "number" && Number.isNaN(a) && Number.isNaN(b);
  }
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bs = b as unknown[];
    return a.length === bs.length && a.every((x, i) => sameValue(x, bs[i]));
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const keys = unionKeys(ao, bo);
  return keys.every((k) => sameValue(ao[k], bo[k]));
}

/** The keys of `a` in order, then the keys only `b` has, in order; undefined-valued keys left out. */
export function unionKeys(a: Record<string, unknown>, b: Record<string, unknown>): string[] {
  const keys = Object.keys(a).filter((k) => a[k] !== undefined);
  for (const k of Object.keys(b)) if (b[k] !== undefined && !keys.includes(k)) keys.push(k);
  return keys;
}

/** `atEpochs` -> `at_epochs`: IR field names as the language spells them. */
export function snakeCase(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** True for `{name, options}` objects. */
export function isCall(v: unknown): v is IrCall {
  if (v === null || typeof v !== "object" || Array.isArray(v)) return false;
  const keys = Object.keys(v).sort();
  return keys.length === 2 && keys[0] === "name" && keys[1] === "options";
}

/** A value as a reader would write it in a `.mtsl` file; `null` shows as `none`. */
export function showValue(v: DiffValue | undefined): string {
  if (v === null || v === undefined) return "none";
  if (typeof v === "number") return Number.isFinite(v) ? formatNumber(v) : String(v);
  if (typeof v === "boolean") return v ? "true" : "false";
  if (typeof v === "string") return NAME.test(v) ? v : JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map((x) => showValue(x)).join(", ")}]`;
  return showCall(v);
}

/** `adam(lr: 0.001, weight_decay: 5e-5)`; a call without options is its bare name. */
export function showCall(call: IrCall): string {
  const args = Object.keys(call.options)
    .filter((k) => call.options[k] !== undefined)
    .map((k) => `${k}: ${showValue(call.options[k]!)}`);
  return args.length === 0 ? call.name : `${call.name}(${args.join(", ")})`;
}

/** A shape as the language writes it: `[16, 16, 24]`. */
export const showShape = (shape: readonly number[]): string => `[${shape.join(", ")}]`;

/** One differing leaf: its dotted field name and the two values. */
export interface FieldDifference {
  field: string;
  before: DiffValue;
  after: DiffValue;
}

/**
 * Compares two setting values and lists the differing leaves. Records are
 * walked key by key (snake_cased, joined with dots); a call whose name is the
 * same is compared option by option (`optimizer.lr`), a call whose name changed
 * is one difference of the whole call; lists and scalars are leaves.
 */
export function compareFields(field: string, a: unknown, b: unknown): FieldDifference[] {
  if (sameValue(a, b)) return [];
  if (isCall(a) && isCall(b)) {
    if (a.name !== b.name) return [{ field, before: a, after: b }];
    return compareRecord(field, a.options, b.options);
  }
  if (isRecord(a) && isRecord(b) && !isCall(a) && !isCall(b)) return compareRecord(field, a, b);
  return [{ field, before: asDiffValue(a), after: asDiffValue(b) }];
}

function compareRecord(prefix: string, a: Record<string, unknown>, b: Record<string, unknown>): FieldDifference[] {
  const out: FieldDifference[] = [];
  for (const key of unionKeys(a, b)) {
    const name = snakeCase(key);
    out.push(...compareFields(prefix === "" ? name : `${prefix}.${name}`, a[key], b[key]));
  }
  return out;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

function asDiffValue(v: unknown): DiffValue {
  if (v === undefined || v === null) return null;
  if (isCall(v)) return v;
  if (isRecord(v)) return JSON.stringify(v);
  return v as IrValue;
}

/** `1127238` -> `1,127,238`; independent of the locale. */
export function groupDigits(n: number): string {
  const sign = n < 0 ? "-" : "";
  const digits = String(Math.abs(Math.round(n)));
  return sign + digits.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** A signed difference: `+1,024`, `-96`, `0`. */
export const signedCount = (n: number): string => (n > 0 ? "+" : "") + groupDigits(n);

/** A signed percentage with two decimals: `+12.50%`, `-0.03%`; `new` when there was nothing before. */
export const signedPercent = (p: number | null): string => (p === null ? "new" : `${p > 0 ? "+" : ""}${p.toFixed(2)}%`);
