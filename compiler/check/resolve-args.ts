/**
 * Binding values of a `.mtsl` file to the catalogue: `resolveArgs` binds a
 * call's positional and named arguments to its parameters, checks each value
 * against its type and range, fills in defaults, and reports every problem as
 * a diagnostic. The checker and the compiler's lowering share it.
 */
import type { Arg, Call, Identifier, Span, Value } from "../../grammar/ast.js";
import type { Diagnostic } from "../../grammar/diagnostics.js";
import { describeType, formatNumber, inRange } from "../catalog/describe.js";
import { VOCABULARY_NOUNS, vocabulary, vocabularyEntry } from "../catalog/lookup.js";
import type { CallSpec, DefaultValue, ParamSpec, ValueType, VocabularyName } from "../catalog/types.js";
import { didYouMean } from "../../grammar/suggest.js";
import type { CheckCode } from "./codes.js";
import { diagnostic } from "./diagnostic.js";

/** A checked value: numbers, strings (names, enum values), booleans, lists, calls. */
export type ResolvedValue = number | string | boolean | readonly ResolvedValue[] | ResolvedCall;

/** A call (or a bare word) bound to its catalogue entry, with every default filled in. */
export interface ResolvedCall {
  readonly kind: "call";
  readonly name: string;
  readonly spec: CallSpec;
  /** Parameter name to value; omitted optional parameters without a default are absent. */
  readonly args: Readonly<Record<string, ResolvedValue>>;
  /** Parameter name to the value as written, for the parameters the source gave. */
  readonly argNodes: Readonly<Record<string, Value>>;
  /** The call as written; null when it came from a default. */
  readonly node: Call | Identifier | null;
}

/** A result and the diagnostics found while producing it. */
export interface Resolution<T> {
  value: T;
  diagnostics: Diagnostic[];
}

const UNKNOWN_CODES: { readonly [V in VocabularyName]: CheckCode } = {
  layer: "MTSL1031",
  taskKind: "MTSL1030",
  loss: "MTSL1032",
  metric: "MTSL1033",
  data: "MTSL1034",
  similarity: "MTSL1036",
  transfer: "MTSL1036",
  optimizer: "MTSL1036",
  schedule: "MTSL1036",
  weighting: "MTSL1036",
};

/** How a message shows a value as written: `0.5`, `"x"`, `name 'relu'`. */
export function describeValue(value: Value): string {
  switch (value.kind) {
    case "Number":
      return formatNumber(value.value);
    case "String":
      return JSON.stringify(value.value);
    case "Bool":
      return String(value.value);
    case "Ident":
      return `'${value.name}'`;
    case "Call":
      return `'${value.callee.name}(...)'`;
    case "List":
      return "a list";
    case "Seq":
      return "a sequence of layers";
  }
}

function nullRecord<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

function calleeOf(node: Call | Identifier): Identifier {
  return node.kind === "Call" ? node.callee : node;
}

/**
 * The hint for an unknown name: the word it is another framework's name for,
 * else the closest known one, else the list of known ones.
 */
function unknownHint(name: string, entries: readonly CallSpec[], noun: string): string {
  const lower = name.toLowerCase();
  const aliased = entries.find((e) => e.aliases?.includes(lower));
  if (aliased !== undefined) return `did you mean '${aliased.name}'?`;
  const known = entries.map((e) => e.name);
  return (
    didYouMean(name, known) ?? (known.length > 0 ? `known ${noun}s: ${known.join(", ")}` : `no ${noun}s are known`)
  );
}

/**
 * Checks `value` against `type` and converts it. `what` names the place in
 * messages ("argument 'stride' of conv"). Problems go to `out`; the result is
 * undefined when the value is unusable.
 */
export function resolveValue(
  value: Value,
  type: ValueType,
  what: string,
  out: Diagnostic[],
): ResolvedValue | undefined {
  const wrongType = (): undefined => {
    out.push(diagnostic("MTSL1050", `${what} expects ${describeType(type)}, got ${describeValue(value)}`, value.span));
    return undefined;
  };
  switch (type.kind) {
    case "int":
    case "number": {
      if (value.kind !== "Number") return wrongType();
      if (type.kind === "int" && !Number.isInteger(value.value)) return wrongType();
      if (!inRange(value.value, type)) {
        out.push(
          diagnostic("MTSL1051", `${what} expects ${describeType(type)}, got ${describeValue(value)}`, value.span),
        );
        return undefined;
      }
      return value.value;
    }
    case "bool":
      return value.kind === "Bool" ? value.value : wrongType();
    case "string":
      return value.kind === "String" ? value.value : wrongType();
    case "name":
      if (value.kind === "Ident") return value.name;
      return value.kind === "String" ? value.value : wrongType();
    case "stage":
      return value.kind === "Ident" ? value.name : wrongType();
    case "enum": {
      if (value.kind !== "Ident") return wrongType();
      if (type.values.includes(value.name)) return value.name;
      out.push(
        diagnostic(
          "MTSL1035",
          `unknown ${type.what} '${value.name}' for ${what}; expected one of ${type.values.join(", ")}`,
          value.span,
          didYouMean(value.name, type.values),
        ),
      );
      return undefined;
    }
    case "list":
      return resolveList(value, type, what, out);
    case "call":
      if (value.kind !== "Ident" && value.kind !== "Call") return wrongType();
      return resolveCallValue(value, type.vocabulary, out);
    case "layers": {
      const items: readonly Value[] = value.kind === "Seq" ? value.items : [value];
      const layers: ResolvedCall[] = [];
      let ok = true;
      for (const item of items) {
        if (item.kind !== "Ident" && item.kind !== "Call") {
          out.push(
            diagnostic("MTSL1050", `${what} expects ${describeType(type)}, got ${describeValue(item)}`, item.span),
          );
          ok = false;
          continue;
        }
        const layer = resolveCallValue(item, "layer", out);
        if (layer === undefined) ok = false;
        else layers.push(layer);
      }
      return ok ? layers : undefined;
    }
  }
}

function resolveList(
  value: Value,
  type: Extract<ValueType, { kind: "list" }>,
  what: string,
  out: Diagnostic[],
): ResolvedValue | undefined {
  let items: readonly Value[];
  if (value.kind === "List") items = value.items;
  else if (type.single && value.kind !== "Seq") items = [value];
  else {
    out.push(diagnostic("MTSL1050", `${what} expects ${describeType(type)}, got ${describeValue(value)}`, value.span));
    return undefined;
  }
  if (type.minLength !== undefined && items.length < type.minLength) {
    out.push(
      diagnostic(
        "MTSL1053",
        `${what} needs at least ${type.minLength} item${type.minLength === 1 ? "" : "s"}`,
        value.span,
      ),
    );
    return undefined;
  }
  const resolved: ResolvedValue[] = [];
  let ok = true;
  let previous: number | undefined;
  items.forEach((item, i) => {
    const v = resolveValue(item, type.item, `item ${i + 1} of ${what}`, out);
    if (v === undefined) {
      ok = false;
      return;
    }
    if (type.increasing && typeof v === "number") {
      if (previous !== undefined && v <= previous) {
        out.push(
          diagnostic(
            "MTSL1052",
            `${what} must be strictly increasing, but ${formatNumber(v)} follows ${formatNumber(previous)}`,
            item.span,
          ),
        );
        ok = false;
      }
      previous = v;
    }
    resolved.push(v);
  });
  return ok ? resolved : undefined;
}

/** Looks `node` up in `vocab` and binds its arguments; reports an unknown name. */
function resolveCallValue(node: Call | Identifier, vocab: VocabularyName, out: Diagnostic[]): ResolvedCall | undefined {
  const callee = calleeOf(node);
  const spec = vocabularyEntry(vocab, callee.name);
  if (spec === undefined) {
    const noun = VOCABULARY_NOUNS[vocab];
    out.push(
      diagnostic(
        UNKNOWN_CODES[vocab],
        `unknown ${noun} '${callee.name}'`,
        callee.span,
        unknownHint(callee.name, [...vocabulary(vocab).values()], noun),
      ),
    );
    return undefined;
  }
  return bindArgs(node, spec, out);
}

function argSpan(arg: { name: Identifier | null; value: Value }): Span {
  return arg.name?.span ?? arg.value.span;
}

function paramList(params: readonly ParamSpec[]): string {
  return params.map((p) => p.name).join(", ");
}

/** How one argument of a call binds: its parameter (undefined when none fits) and whether it is a positional one after a named one. */
export interface ArgBinding {
  readonly arg: Arg;
  readonly param: ParamSpec | undefined;
  readonly afterNamed: boolean;
}

/**
 * The parameter each argument of a call binds, by the language's one rule: positional
 * arguments take the positional parameters in order (one after a named argument takes the first
 * positional parameter not yet bound), named ones their parameter. The checker reports what does
 * not bind; the language server reads the same binding on half-typed files.
 */
export function bindArgParams(node: Call | Identifier, spec: CallSpec): ArgBinding[] {
  const positionalParams = spec.params.filter((p) => p.positional);
  const bound = new Set<string>();
  let nextPositional = 0;
  let sawNamed = false;
  return (node.kind === "Call" ? node.args : []).map((arg) => {
    let param: ParamSpec | undefined;
    const afterNamed = arg.name === null && sawNamed;
    if (arg.name === null) {
      param = afterNamed ? positionalParams.find((p) => !bound.has(p.name)) : positionalParams[nextPositional++];
    } else {
      sawNamed = true;
      const argName = arg.name.name;
      param = spec.params.find((p) => p.name === argName);
    }
    if (param !== undefined) bound.add(param.name);
    return { arg, param, afterNamed };
  });
}

function bindArgs(node: Call | Identifier, spec: CallSpec, out: Diagnostic[]): ResolvedCall {
  const args = nullRecord<ResolvedValue>();
  const argNodes = nullRecord<Value>();
  const given = new Set<string>();
  const positionalParams = spec.params.filter((p) => p.positional);
  const namedParams = spec.params.filter((p) => !p.positional);

  for (const { arg, param, afterNamed } of bindArgParams(node, spec)) {
    if (afterNamed) {
      out.push(
        diagnostic(
          "MTSL1044",
          `positional argument after a named one in ${spec.name}(...)`,
          arg.value.span,
          "write positional arguments first, or name this one",
        ),
      );
      // It is still bound to the first positional parameter not yet given, so that parameter
      // is not also reported missing.
      if (param === undefined) continue;
    } else if (arg.name === null && param === undefined) {
      const takes =
        positionalParams.length === 0
          ? `${spec.name} takes no positional arguments`
          : `${spec.name} takes ${positionalParams.length} positional argument${positionalParams.length === 1 ? "" : "s"} (${paramList(positionalParams)})`;
      out.push(
        diagnostic(
          "MTSL1043",
          `too many positional arguments: ${takes}`,
          arg.value.span,
          namedParams.length > 0 ? `name the argument; ${spec.name} also accepts ${paramList(namedParams)}` : undefined,
        ),
      );
      continue;
    } else if (arg.name !== null && param === undefined) {
      const argName = arg.name.name;
      const hint =
        spec.params.length === 0
          ? `${spec.name} takes no arguments`
          : (didYouMean(
              argName,
              spec.params.map((p) => p.name),
            ) ?? `${spec.name} accepts ${paramList(spec.params)}`);
      out.push(diagnostic("MTSL1040", `unknown argument '${argName}' of ${spec.name}`, arg.name.span, hint));
      continue;
    }
    if (param === undefined) continue;
    if (given.has(param.name)) {
      out.push(diagnostic("MTSL1041", `argument '${param.name}' of ${spec.name} is given twice`, argSpan(arg)));
      continue;
    }
    given.add(param.name);
    argNodes[param.name] = arg.value;
    const v = resolveValue(arg.value, param.type, `argument '${param.name}' of ${spec.name}`, out);
    if (v !== undefined) args[param.name] = v;
  }

  for (const param of spec.params) {
    if (given.has(param.name)) continue;
    if (param.required) {
      out.push(
        diagnostic(
          "MTSL1042",
          `${spec.name} needs argument '${param.name}' (${describeType(param.type)})`,
          calleeOf(node).span,
          `${param.name}: ${param.doc}`,
        ),
      );
    } else if (param.default !== undefined) {
      const v = resolveDefault(param.default, param.type, args);
      if (v !== undefined) args[param.name] = v;
    }
  }
  return { kind: "call", name: spec.name, spec, args, argNodes, node };
}

function isNumberList(def: DefaultValue): def is readonly number[] {
  return Array.isArray(def);
}

/**
 * The value of a catalogue default: literals as they are, `{ sameAs }` as the
 * value already bound to that parameter, `{ call }` as that entry of the
 * parameter's vocabulary with all its own defaults.
 */
export function resolveDefault(
  def: DefaultValue,
  type: ValueType,
  bound: Readonly<Record<string, ResolvedValue>> = {},
): ResolvedValue | undefined {
  if (typeof def === "number" || typeof def === "string" || typeof def === "boolean") return def;
  if (isNumberList(def)) return [...def];
  if ("sameAs" in def) return Object.hasOwn(bound, def.sameAs) ? bound[def.sameAs] : undefined;
  if (type.kind !== "call") return undefined;
  const spec = vocabularyEntry(type.vocabulary, def.call);
  if (spec === undefined) return undefined;
  const args = nullRecord<ResolvedValue>();
  for (const p of spec.params) {
    if (p.default === undefined) continue;
    const v = resolveDefault(p.default, p.type, args);
    if (v !== undefined) args[p.name] = v;
  }
  return { kind: "call", name: spec.name, spec, args, argNodes: nullRecord<Value>(), node: null };
}

/**
 * Binds the positional and named arguments of `call` (a bare word counts as a
 * call without arguments) to the parameters of `spec`: checks types and
 * ranges, fills in defaults, and reports unknown, duplicate, missing and
 * surplus arguments. The callee's name is not checked against `spec`.
 */
export function resolveArgs(call: Call | Identifier, spec: CallSpec): Resolution<ResolvedCall> {
  const diagnostics: Diagnostic[] = [];
  const value = bindArgs(call, spec, diagnostics);
  return { value, diagnostics };
}

/**
 * Looks a word up in a vocabulary and binds its arguments; undefined (with a
 * diagnostic and a suggestion) when the word is unknown.
 */
export function resolveCall(call: Call | Identifier, vocab: VocabularyName): Resolution<ResolvedCall | undefined> {
  const diagnostics: Diagnostic[] = [];
  const value = resolveCallValue(call, vocab, diagnostics);
  return { value, diagnostics };
}
