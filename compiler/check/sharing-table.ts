/**
 * The sharing block resolved against the backbone: each row's stage range as
 * indices, and which row covers each stage. Shared by the sharing rules.
 */
import type { Identifier, Model, SharingDecl, SharingRow, Span } from "../../grammar/ast.js";
import { joinSpans } from "./diagnostic.js";

export interface RowInfo {
  readonly row: SharingRow;
  /** Index of the first stage, or undefined when the name is unknown. */
  readonly from: number | undefined;
  /** Index of the last stage (equal to `from` for a single stage). */
  readonly to: number | undefined;
  /** True when both ends are known stages and the range runs forwards. */
  readonly valid: boolean;
  /** `from..to` as written. */
  readonly span: Span;
  /** `from..to` as text, for messages. */
  readonly label: string;
}

export interface SharingTable {
  readonly decl: SharingDecl;
  /** Stage names in backbone order (the first stage of each name). */
  readonly stageNames: readonly string[];
  readonly stageIndex: ReadonlyMap<string, number>;
  readonly rows: readonly RowInfo[];
  /** For each stage index, the first valid row covering it. */
  readonly rowOfStage: readonly (RowInfo | undefined)[];
}

/** Stage name to index over the first backbone, first declaration of each name. */
export function stageIndexOf(model: Model): Map<string, number> {
  const index = new Map<string, number>();
  const backbone = model.members.find((m) => m.kind === "Backbone");
  if (backbone?.kind !== "Backbone") return index;
  for (const stage of backbone.stages) {
    if (!index.has(stage.name.name)) index.set(stage.name.name, index.size);
  }
  return index;
}

function rowSpan(row: SharingRow): Span {
  return row.to === null ? row.from.span : joinSpans(row.from.span, row.to.span);
}

function rowLabel(row: SharingRow): string {
  return row.to === null ? row.from.name : `${row.from.name}..${row.to.name}`;
}

/** Resolves the first sharing block of `model`; null when it has none. */
export function buildSharingTable(model: Model): SharingTable | null {
  const decl = model.members.find((m): m is SharingDecl => m.kind === "Sharing");
  if (decl === undefined) return null;
  const stageIndex = stageIndexOf(model);
  const stageNames = [...stageIndex.keys()];
  const lookup = (id: Identifier | null): number | undefined => (id === null ? undefined : stageIndex.get(id.name));
  const rowOfStage: (RowInfo | undefined)[] = stageNames.map(() => undefined);
  const rows = decl.rows.map((row): RowInfo => {
    const from = lookup(row.from);
    const to = row.to === null ? from : lookup(row.to);
    const valid = from !== undefined && to !== undefined && from <= to;
    return { row, from, to, valid, span: rowSpan(row), label: rowLabel(row) };
  });
  for (const info of rows) {
    if (!info.valid || info.from === undefined || info.to === undefined) continue;
    for (let s = info.from; s <= info.to; s++) rowOfStage[s] ??= info;
  }
  return { decl, stageNames, stageIndex, rows, rowOfStage };
}
