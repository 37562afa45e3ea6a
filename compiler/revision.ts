/**
 * Revision files: after every structural merge the runtime's IR is written back
 * as a whole `.mtsl` model, printed through lifting with the user's file as the
 * template, so it keeps the user's layout and comments and differs from the
 * previous revision only in the sharing lines that changed. A header comment
 * records the phase: epoch, CKA matrices, the partition chosen and its scores.
 */
import type { Comment, Document, Span } from "../grammar/ast.js";
import { formatNumber } from "../grammar/numbers.js";
import { print } from "../grammar/printer.js";
import type { IrModel } from "./ir/types.js";
import { lift, type LiftTemplate } from "./lift.js";

export interface RevisionSet {
  parent: string;
  stage: string;
  tasks: string[];
  similarity: number[][];
  /** Off-diagonal minimum and mean, effective rank per task, null CKA (absent in older runs). */
  min?: number;
  mean?: number;
  effectiveRank?: number[];
  nullSimilarity?: number;
  /** With `cka(calibrate: true)`: the matrix the grouping used, CKA rescaled against the null. */
  calibrated?: number[][];
  /** A parameter-free stage merged without comparing. */
  exact?: boolean;
  partition: string[][];
  value: number;
  groupScores: number[];
  merged: string[][];
}

export interface RevisionInfo {
  /** 1-based revision number (0 is the starting architecture). */
  number: number;
  /** Epochs completed when the phase ran. */
  epoch: number;
  /** 0-based phase index and the number of scheduled phases. */
  phase: number;
  phases: number;
  sets: RevisionSet[];
}

const ORIGIN = { offset: 0, line: 1, column: 1 };
const SPAN: Span = { start: ORIGIN, end: ORIGIN };

const fixed = (x: number): string => (Number.isFinite(x) ? x.toFixed(3) : String(x));
const braces = (groups: string[][]): string => groups.map((g) => `{${g.join(" ")}}`).join(" ");

/** The header lines (without `// `) describing a revision. */
export function revisionHeader(info: RevisionInfo): string[] {
  const lines: string[] = [];
  if (info.number === 0) {
    lines.push("mtsl revision 000: the architecture training started from");
    return lines;
  }
  lines.push(
    `mtsl revision ${String(info.number).padStart(3, "0")}: after epoch ${info.epoch}, ` +
      `structural-learning phase ${info.phase + 1} of ${info.phases}`,
  );
  for (const set of info.sets) {
    const merged = set.merged.length > 0 ? `merged ${braces(set.merged)}` : "no merge";
    if (set.exact) {
      lines.push(
        `${set.stage} (parent ${set.parent}): ${merged}, parameter-free: its copies compute the same function`,
      );
      continue;
    }
    lines.push(`${set.stage} (parent ${set.parent}): ${merged}`);
    const width = Math.max(...set.tasks.map((t) => t.length));
    // columns at least a space wider than the longest name (`left_again` next to `left`)
    const column = Math.max(7, width + 1);
    lines.push(`  CKA ${" ".repeat(width)}${set.tasks.map((t) => t.padStart(column)).join("")}`);
    set.tasks.forEach((t, i) => {
      lines.push(`      ${t.padEnd(width)}${set.similarity[i]!.map((v) => fixed(v).padStart(column)).join("")}`);
    });
    if (set.min !== undefined && set.mean !== undefined && set.nullSimilarity !== undefined) {
      lines.push(
        `  min ${fixed(set.min)}, mean ${fixed(set.mean)}; null CKA ${fixed(set.nullSimilarity)}` +
          (set.effectiveRank ? `; effective rank ${set.effectiveRank.map((r) => r.toFixed(1)).join(" ")}` : ""),
      );
    }
    if (set.calibrated) {
      lines.push(`  calibrated against the null, (CKA - null) / (1 - null), which the grouping used:`);
      set.tasks.forEach((t, i) => {
        lines.push(`      ${t.padEnd(width)}${set.calibrated![i]!.map((v) => fixed(v).padStart(column)).join("")}`);
      });
    }
    lines.push(
      `  best partition ${braces(set.partition)}: value ${fixed(set.value)}, group scores ${set.groupScores.map(fixed).join(" ")}`,
    );
  }
  return lines;
}

/** The text of a revision file: `ir` lifted against `template`, under its header. */
export function revisionText(ir: IrModel, template: Document | LiftTemplate, info: RevisionInfo): string {
  return revisionFileText(lift(ir, template), info);
}

/** The text of a revision file from the document already lifted. */
export function revisionFileText(doc: Document, info: RevisionInfo): string {
  const header: Comment[] = revisionHeader(info).map((line) => ({
    kind: "line",
    text: `// ${line}`.trimEnd(),
    span: SPAN,
  }));
  const model = doc.model!;
  const withHeader: Document = {
    ...doc,
    model: { ...model, trivia: { ...model.trivia, leading: [...header, ...model.trivia.leading] } },
  };
  return print(withHeader);
}

export { formatNumber };
