/**
 * Plain-English descriptions of catalogue types and ranges ("an integer >= 1"),
 * shared by the checker's messages and the runtime's option errors.
 */
import { VOCABULARY_NOUNS } from "./lookup.js";
import type { Range, ValueType } from "./types.js";

export function article(noun: string): string {
  return /^[aeiou]/i.test(noun) ? `an ${noun}` : `a ${noun}`;
}

export function formatNumber(n: number): string {
  return String(n);
}

function describeRange(r: Range): string {
  const lo = r.min;
  const hi = r.max;
  if (lo !== undefined && hi !== undefined) {
    return ` in ${r.minExclusive ? "(" : "["}${formatNumber(lo)}, ${formatNumber(hi)}${r.maxExclusive ? ")" : "]"}`;
  }
  if (lo !== undefined) return ` ${r.minExclusive ? ">" : ">="} ${formatNumber(lo)}`;
  if (hi !== undefined) return ` ${r.maxExclusive ? "<" : "<="} ${formatNumber(hi)}`;
  return "";
}

/** "integers >= 1", "metrics", "values from a, b": list items in a message. */
function pluralItems(item: ValueType): string {
  const one = describeType(item);
  if (item.kind === "enum") return `values from ${item.values.join(", ")}`;
  const bare = one.replace(/^an? /, "");
  const space = bare.indexOf(" ");
  return space < 0 ? `${bare}s` : `${bare.slice(0, space)}s${bare.slice(space)}`;
}

/** A short English description of what a type accepts: "an integer >= 1". */
export function describeType(type: ValueType): string {
  switch (type.kind) {
    case "int":
      return `an integer${describeRange(type)}`;
    case "number":
      return `a number${describeRange(type)}`;
    case "bool":
      return "true or false";
    case "string":
      return "a string";
    case "enum":
      return `one of ${type.values.join(", ")}`;
    case "list":
      return `a list of ${pluralItems(type.item)}`;
    case "stage":
      return "a stage name";
    case "name":
      return "a name or a string";
    case "call":
      return article(VOCABULARY_NOUNS[type.vocabulary]);
    case "layers":
      return "a layer or a sequence of layers";
  }
}

/** True when `n` lies in the range `r`. */
export function inRange(n: number, r: Range): boolean {
  if (r.min !== undefined && (r.minExclusive ? n <= r.min : n < r.min)) return false;
  if (r.max !== undefined && (r.maxExclusive ? n >= r.max : n > r.max)) return false;
  return true;
}
