/** Values have the type and range their parameter or setting expects. */
import { typedDiagnosticsRule } from "../rule.js";

export const valueTypesRule = typedDiagnosticsRule(
  "value-types",
  "Argument and setting values have the expected type and range; ordered lists increase strictly; lists are long enough.",
  ["MTSL1050", "MTSL1051", "MTSL1052", "MTSL1053"],
);
