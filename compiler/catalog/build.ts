/**
 * Small constructors that keep the catalogue's data terse. They only build
 * plain objects; nothing here has behaviour.
 */
import type { DefaultValue, ParamSpec, Range, ValueType, VocabularyName } from "./types.js";

export const int = (range: Range = {}): ValueType => ({ kind: "int", ...range });
export const num = (range: Range = {}): ValueType => ({ kind: "number", ...range });
export const bool: ValueType = { kind: "bool" };
export const str: ValueType = { kind: "string" };
export const stage: ValueType = { kind: "stage" };
export const name: ValueType = { kind: "name" };
export const layers: ValueType = { kind: "layers" };
export const oneOf = (what: string, values: readonly string[]): ValueType => ({ kind: "enum", what, values });
export const call = (vocabulary: VocabularyName): ValueType => ({ kind: "call", vocabulary });
export const listOf = (
  item: ValueType,
  options: { increasing?: boolean; minLength?: number; single?: boolean } = {},
): ValueType => ({ kind: "list", item, ...options });

/** Integers >= 1. */
export const positiveInt = int({ min: 1 });
/** Numbers > 0. */
export const positiveNum = num({ min: 0, minExclusive: true });
/** Numbers >= 0. */
export const nonNegativeNum = num({ min: 0 });
/** Numbers in [0, 1). */
export const fraction = num({ min: 0, max: 1, maxExclusive: true });
/** Numbers in [0, 1]. */
export const unitInterval = num({ min: 0, max: 1 });

/** A required positional parameter. */
export function required(paramName: string, type: ValueType, doc: string): ParamSpec {
  return { name: paramName, type, positional: true, required: true, doc };
}

/** An optional positional parameter with a default. */
export function positional(paramName: string, type: ValueType, def: DefaultValue, doc: string): ParamSpec {
  return { name: paramName, type, positional: true, required: false, default: def, doc };
}

/** An optional named-only parameter with a default (or none: the consumer decides). */
export function named(paramName: string, type: ValueType, def: DefaultValue | undefined, doc: string): ParamSpec {
  return def === undefined
    ? { name: paramName, type, positional: false, required: false, doc }
    : { name: paramName, type, positional: false, required: false, default: def, doc };
}

/** A required named-only parameter (or a required setting). */
export function requiredNamed(paramName: string, type: ValueType, doc: string): ParamSpec {
  return { name: paramName, type, positional: false, required: true, doc };
}
