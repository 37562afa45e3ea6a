/**
 * Layer lists compared: aligned by layer name (longest common subsequence),
 * aligned layers compared parameter by parameter, the rest reported as added,
 * removed, or replaced when a removal and an addition fall in the same gap.
 */
import { printValue } from "../../grammar/printer.js";
import type { IrLayer, IrLayerOp } from "../ir/types.js";
import { layerCall } from "../lift.js";
import type { ArchitectureChange, DiffValue, LayerOwner } from "./types.js";
import { sameValue, showValue, unionKeys } from "./values.js";

/** Fields of a layer that follow from the others or from its input (not written by the user). */
const DERIVED = new Set(["op", "inShape", "outShape", "params", "flops", "weights"]);

/** The name the language gives a layer: `conv`, `basic`, `relu`, `maxpool`... */
export function layerName(op: IrLayerOp): string {
  const call = layerCall(op);
  return call.kind === "Ident" ? call.name : call.kind === "Call" ? call.callee.name : op.op;
}

/** A layer as the language writes it, e.g. `conv(16, 3, stride: 2)`. */
export function layerText(op: IrLayerOp): string {
  return printValue(layerCall(op));
}

/** The parameters of a layer that its name does not already say. */
export function layerParams(layer: IrLayerOp): Record<string, DiffValue> {
  const out: Record<string, DiffValue> = {};
  for (const [key, v] of Object.entries(layer)) {
    if (DERIVED.has(key) || v === undefined) continue;
    if (layer.op === "act" && key === "fn") continue;
    if (layer.op === "pool" && key === "mode") continue;
    out[key] = v as DiffValue;
  }
  return out;
}

/** Index pairs of a longest common subsequence of `a` and `b` under `same`. */
export function lcsPairs<T>(a: readonly T[], b: readonly T[], same: (x: T, y: T) => boolean): [number, number][] {
  const n = a.length;
  const m = b.length;
  const table: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      table[i]![j] = same(a[i]!, b[j]!) ? table[i + 1]![j + 1]! + 1 : Math.max(table[i + 1]![j]!, table[i]![j + 1]!);
    }
  }
  const pairs: [number, number][] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (same(a[i]!, b[j]!)) {
      pairs.push([i, j]);
      i++;
      j++;
    } else if (table[i + 1]![j]! >= table[i]![j + 1]!) i++;
    else j++;
  }
  return pairs;
}

const ownerText = (owner: LayerOwner): string => (owner.kind === "stage" ? owner.name : `head ${owner.name}`);

/**
 * The layer changes between two layer lists of one owner. `renamed` maps old
 * stage names to new ones, so `concat(enc4)` still equals `concat(enc4)` after
 * `enc4` was renamed (and does not when it points elsewhere).
 */
export function compareLayers(
  owner: LayerOwner,
  before: readonly IrLayer[],
  after: readonly IrLayer[],
  renamed: ReadonlyMap<string, string> = new Map(),
): ArchitectureChange[] {
  const names = (ls: readonly IrLayer[]): string[] => ls.map(layerName);
  const a = names(before);
  const b = names(after);
  const pairs = lcsPairs(a, b, (x, y) => x === y);
  const where = ownerText(owner);
  const out: ArchitectureChange[] = [];

  const gap = (i0: number, i1: number, j0: number, j1: number): void => {
    const removed = before.slice(i0, i1);
    const added = after.slice(j0, j1);
    const replaced = Math.min(removed.length, added.length);
    for (let k = 0; k < replaced; k++) {
      const x = layerText(removed[k]!);
      const y = layerText(added[k]!);
      out.push({
        type: "LAYER_REPLACED",
        owner,
        position: j0 + k + 1,
        oldPosition: i0 + k + 1,
        before: x,
        after: y,
        description: `${where} layer ${j0 + k + 1}: ${x} replaced by ${y}`,
      });
    }
    for (let k = replaced; k < removed.length; k++) {
      const x = layerText(removed[k]!);
      out.push({
        type: "LAYER_REMOVED",
        owner,
        position: i0 + k + 1,
        layer: x,
        description: `${where} layer ${i0 + k + 1} removed: ${x}`,
      });
    }
    for (let k = replaced; k < added.length; k++) {
      const y = layerText(added[k]!);
      out.push({
        type: "LAYER_ADDED",
        owner,
        position: j0 + k + 1,
        layer: y,
        description: `${where} layer ${j0 + k + 1} added: ${y}`,
      });
    }
  };

  let i = 0;
  let j = 0;
  for (const [pi, pj] of [...pairs, [before.length, after.length] as [number, number]]) {
    gap(i, pi, j, pj);
    if (pi < before.length && pj < after.length)
      out.push(...compareParams(owner, before[pi]!, after[pj]!, pi, pj, renamed));
    i = pi + 1;
    j = pj + 1;
  }
  return out;
}

function compareParams(
  owner: LayerOwner,
  x: IrLayer,
  y: IrLayer,
  i: number,
  j: number,
  renamed: ReadonlyMap<string, string>,
): ArchitectureChange[] {
  const px = layerParams(x);
  const py = layerParams(y);
  // Stage references through renames: concat(stage), decoder_bottleneck(skip:), fuse(stages:)
  const rename = (s: string): string => renamed.get(s) ?? s;
  if (x.op === "concat" && typeof px["stage"] === "string") px["stage"] = rename(px["stage"]);
  if (x.op === "decoder_bottleneck" && typeof px["skip"] === "string") px["skip"] = rename(px["skip"]);
  if (x.op === "fuse" && Array.isArray(px["stages"]))
    px["stages"] = px["stages"].map((s) => (typeof s === "string" ? rename(s) : s));
  const name = layerName(y);
  const out: ArchitectureChange[] = [];
  for (const key of unionKeys(px, py)) {
    const before = px[key] ?? null;
    const after = py[key] ?? null;
    if (sameValue(before, after)) continue;
    const shownBefore =
      (key === "stage" && x.op === "concat") ||
      (key === "skip" && x.op === "decoder_bottleneck") ||
      (key === "stages" && x.op === "fuse")
        ? ((x as unknown as Record<string, unknown>)[key] as typeof before)
        : before;
    out.push({
      type: "LAYER_CHANGED",
      owner,
      position: j + 1,
      oldPosition: i + 1,
      layer: name,
      param: key,
      before: shownBefore,
      after,
      description: `${ownerText(owner)} layer ${j + 1} ${name}: ${key} ${showValue(shownBefore)} -> ${showValue(after)}`,
    });
  }
  return out;
}
