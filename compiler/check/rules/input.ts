/** The input declares a known element type and a [height, width, channels] shape of positive integers. */
import type { Diagnostic } from "../../../grammar/diagnostics.js";
import { INPUT_DTYPES, INPUT_RANK } from "../../catalog/index.js";
import { didYouMean } from "../../../grammar/suggest.js";
import { diagnostic, joinSpans } from "../diagnostic.js";
import type { Rule } from "../rule.js";

export const inputRule: Rule = {
  name: "input",
  description: "The input's element type is f32 and its shape is [height, width, channels] of positive integers.",
  codes: ["MTSL1010", "MTSL1011", "MTSL1012"],
  run({ model }) {
    const out: Diagnostic[] = [];
    for (const input of model.members) {
      if (input.kind !== "Input") continue;
      const dtype = input.dtype.name;
      if (!(INPUT_DTYPES as readonly string[]).includes(dtype)) {
        out.push(
          diagnostic(
            "MTSL1010",
            `unknown element type '${dtype}' of input '${input.name.name}'; supported: ${INPUT_DTYPES.join(", ")}`,
            input.dtype.span,
            didYouMean(dtype, INPUT_DTYPES),
          ),
        );
      }
      const first = input.shape[0];
      const last = input.shape[input.shape.length - 1];
      if (input.shape.length !== INPUT_RANK) {
        out.push(
          diagnostic(
            "MTSL1011",
            `input '${input.name.name}' has ${input.shape.length} dimension${input.shape.length === 1 ? "" : "s"}; expected ${INPUT_RANK}: [height, width, channels]`,
            first !== undefined && last !== undefined ? joinSpans(first.span, last.span) : input.name.span,
            "e.g. f32[64, 64, 3]",
          ),
        );
      }
      for (const dim of input.shape) {
        if (Number.isInteger(dim.value) && dim.value > 0) continue;
        out.push(
          diagnostic(
            "MTSL1012",
            `dimension ${dim.value} of input '${input.name.name}' is not a positive integer`,
            dim.span,
          ),
        );
      }
    }
    return out;
  },
};
