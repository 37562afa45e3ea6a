/** Sharing rows name known stages in forward ranges and cover every stage exactly once. */
import type { Identifier } from "../../../grammar/ast.js";
import type { Diagnostic } from "../../../grammar/diagnostics.js";
import { didYouMean } from "../../../grammar/suggest.js";
import { diagnostic, keywordSpan } from "../diagnostic.js";
import type { Rule } from "../rule.js";

function quoteList(names: readonly string[]): string {
  return names.map((n) => `'${n}'`).join(", ");
}

export const sharingRowsRule: Rule = {
  name: "sharing-rows",
  description:
    "Each sharing row names known stages, its range runs forwards, and every stage is covered by exactly one row.",
  codes: ["MTSL1080", "MTSL1081", "MTSL1082", "MTSL1083"],
  run({ sharing }) {
    const out: Diagnostic[] = [];
    if (sharing === null) return out;
    const { stageNames, stageIndex } = sharing;
    const unknown = (id: Identifier | null): boolean => {
      if (id === null || stageIndex.has(id.name)) return false;
      out.push(
        diagnostic("MTSL1080", `sharing names unknown stage '${id.name}'`, id.span, didYouMean(id.name, stageNames)),
      );
      return true;
    };
    let allValid = true;
    const coveredBy: (number | undefined)[] = stageNames.map(() => undefined);
    for (const info of sharing.rows) {
      const bad = [unknown(info.row.from), unknown(info.row.to)].some(Boolean);
      if (bad) {
        allValid = false;
        continue;
      }
      if (!info.valid || info.from === undefined || info.to === undefined) {
        allValid = false;
        const to = info.row.to?.name ?? "?";
        out.push(
          diagnostic(
            "MTSL1081",
            `sharing range '${info.label}' runs backwards: '${to}' comes before '${info.row.from.name}' in the backbone`,
            info.span,
            `write ${to}..${info.row.from.name}`,
          ),
        );
        continue;
      }
      const twice: string[] = [];
      let firstLine: number | undefined;
      for (let s = info.from; s <= info.to; s++) {
        const line = coveredBy[s];
        if (line === undefined) coveredBy[s] = info.row.span.start.line;
        else {
          twice.push(stageNames[s] ?? "?");
          firstLine ??= line;
        }
      }
      if (twice.length > 0) {
        out.push(
          diagnostic(
            "MTSL1082",
            `sharing row '${info.label}' covers ${twice.length === 1 ? "stage" : "stages"} ${quoteList(twice)} again`,
            info.span,
            `already covered by the row on line ${firstLine ?? "?"}; each stage has exactly one row`,
          ),
        );
      }
    }
    const missing = stageNames.filter((_, s) => coveredBy[s] === undefined);
    if (allValid && missing.length > 0) {
      out.push(
        diagnostic(
          "MTSL1083",
          `sharing has no row for ${missing.length === 1 ? "stage" : "stages"} ${quoteList(missing)}`,
          keywordSpan(sharing.decl.span, "sharing"),
          "add a row for each stage, e.g. `enc3: {a b}` (or omit the sharing block: every stage separate per task)",
        ),
      );
    }
    return out;
  },
};
