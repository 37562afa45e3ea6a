/** Arguments bind to parameters: known names, each once, required ones given, not too many positional. */
import { typedDiagnosticsRule } from "../rule.js";

export const argumentsRule = typedDiagnosticsRule(
  "arguments",
  "Call arguments are known, given once, positional before named, not too many, and required ones present.",
  ["MTSL1040", "MTSL1041", "MTSL1042", "MTSL1043", "MTSL1044"],
);
