/** Every task kind, layer, loss, metric, data source, enum value and sub-vocabulary word is known. */
import { typedDiagnosticsRule } from "../rule.js";

export const unknownNamesRule = typedDiagnosticsRule(
  "unknown-names",
  "Task kinds, layers, losses, metrics, data sources, enum values, similarities, transfers, optimizers and schedules are known words (with a suggestion when one is close).",
  ["MTSL1030", "MTSL1031", "MTSL1032", "MTSL1033", "MTSL1034", "MTSL1035", "MTSL1036"],
);
