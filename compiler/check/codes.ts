/**
 * The stable codes of semantic diagnostics: the rules' (MTSL1xxx) and shape
 * inference and data binding (MTSL2xxx, titled in compiler/ir/infer.ts), each
 * documented in docs/diagnostics.md. Codes are never reused or renumbered.
 */
import type { Severity } from "../../grammar/diagnostics.js";
import { SHAPE_CODES, type ShapeCode } from "../ir/infer.js";

export interface CodeInfo {
  readonly severity: Severity;
  readonly title: string;
}

const RULE_CODES = {
  // model members
  MTSL1001: { severity: "error", title: "a required member is missing" },
  MTSL1002: { severity: "error", title: "a member that may appear once appears again" },
  MTSL1003: { severity: "error", title: "more than one input (only one is supported)" },
  MTSL1004: { severity: "error", title: "two tasks with the same name" },
  MTSL1005: { severity: "error", title: "two stages with the same name" },
  MTSL1006: { severity: "error", title: "the backbone has no stages" },
  // input and data
  MTSL1010: { severity: "error", title: "unknown input element type" },
  MTSL1011: { severity: "error", title: "input shape is not [height, width, channels]" },
  MTSL1012: { severity: "error", title: "input dimension is not a positive integer" },
  MTSL1013: { severity: "error", title: "input shape does not match the data" },
  // settings
  MTSL1020: { severity: "error", title: "unknown setting" },
  MTSL1021: { severity: "error", title: "setting given twice" },
  MTSL1022: { severity: "error", title: "required setting missing" },
  // vocabulary
  MTSL1030: { severity: "error", title: "unknown task kind" },
  MTSL1031: { severity: "error", title: "unknown layer" },
  MTSL1032: { severity: "error", title: "unknown loss" },
  MTSL1033: { severity: "error", title: "unknown metric" },
  MTSL1034: { severity: "error", title: "unknown data source" },
  MTSL1035: { severity: "error", title: "unknown value of a fixed list (enum)" },
  MTSL1036: { severity: "error", title: "unknown similarity, transfer, optimizer, schedule or weighting" },
  // arguments
  MTSL1040: { severity: "error", title: "unknown argument" },
  MTSL1041: { severity: "error", title: "argument given twice" },
  MTSL1042: { severity: "error", title: "required argument missing" },
  MTSL1043: { severity: "error", title: "too many positional arguments" },
  MTSL1044: { severity: "error", title: "positional argument after a named one" },
  // values
  MTSL1050: { severity: "error", title: "value of the wrong type" },
  MTSL1051: { severity: "error", title: "value out of range" },
  MTSL1052: { severity: "error", title: "list not strictly increasing" },
  MTSL1053: { severity: "error", title: "list too short" },
  // tasks
  MTSL1060: { severity: "error", title: "loss does not fit the task kind" },
  MTSL1061: { severity: "error", title: "metric does not fit the task kind" },
  MTSL1062: { severity: "warning", title: "metric listed twice" },
  MTSL1063: { severity: "error", title: "head output channels do not match the task" },
  // backbone
  MTSL1070: { severity: "error", title: "a skip (concat, decoder_bottleneck, fuse) of an unknown stage" },
  MTSL1071: { severity: "error", title: "a skip (concat, decoder_bottleneck, fuse) of the same or a later stage" },
  // sharing
  MTSL1080: { severity: "error", title: "unknown stage in a sharing row" },
  MTSL1081: { severity: "error", title: "sharing range runs backwards" },
  MTSL1082: { severity: "error", title: "stage covered by two sharing rows" },
  MTSL1083: { severity: "error", title: "stage missing from the sharing block" },
  MTSL1084: { severity: "error", title: "unknown task in a sharing group" },
  MTSL1085: { severity: "error", title: "task in two groups of one row" },
  MTSL1086: { severity: "error", title: "task missing from a sharing row" },
  MTSL1087: { severity: "error", title: "empty sharing group" },
  MTSL1088: { severity: "error", title: "sharing merges tasks that an earlier stage keeps apart" },
  // structural learning and training
  MTSL1090: { severity: "error", title: "structural-learning epoch beyond the training epochs" },
  MTSL1091: { severity: "warning", title: "structural-learning phase after the last epoch" },
  MTSL1092: { severity: "error", title: "distillation passes do not match at_epochs" },
  MTSL1093: { severity: "warning", title: "structural learning has nothing to learn" },
  MTSL1094: { severity: "warning", title: "learning-rate milestone never reached" },
  MTSL1095: { severity: "error", title: "random_from names an unknown stage" },
  MTSL1096: { severity: "error", title: "warm_start together with pretrain" },
} as const satisfies Record<string, CodeInfo>;

/** Shape and binding codes: always errors, titled where shape inference declares them. */
const SHAPE_CODE_INFO = Object.fromEntries(
  Object.entries(SHAPE_CODES).map(([code, title]) => [code, { severity: "error", title }]),
) as { readonly [C in ShapeCode]: CodeInfo };

export const CHECK_CODES = { ...RULE_CODES, ...SHAPE_CODE_INFO };

export type CheckCode = keyof typeof CHECK_CODES;

/** The severity a code always carries. */
export function severityOf(code: CheckCode): Severity {
  return CHECK_CODES[code].severity;
}
