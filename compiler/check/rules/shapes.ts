/** Shape inference: every layer fits its input, and every head's output fits its task. */
import type { Rule } from "../rule.js";

export const shapesRule: Rule = {
  name: "shapes",
  description:
    "Infers the shape after every layer of every stage and head; reports each layer that cannot take its input and each head whose output does not fit its task, carrying on past errors.",
  codes: ["MTSL2001", "MTSL2002", "MTSL2003", "MTSL2004", "MTSL2005", "MTSL2006"],
  run: ({ shapes }) => shapes.diagnostics,
};
