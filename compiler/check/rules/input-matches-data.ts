/** The input's height, width and channels match the images the data source yields. */
import type { Diagnostic } from "../../../grammar/diagnostics.js";
import type { DataSourceSpec } from "../../catalog/index.js";
import { diagnostic } from "../diagnostic.js";
import type { Rule } from "../rule.js";

export const inputMatchesDataRule: Rule = {
  name: "input-matches-data",
  description: "The input shape equals the data's image size and channel count.",
  codes: ["MTSL1013"],
  run({ typed }) {
    const out: Diagnostic[] = [];
    const input = typed.model.input;
    const source = typed.model.data?.source;
    if (input === undefined || source === undefined || input.shape.length !== 3) return out;
    const [h, w, c] = input.shape;
    if (h === undefined || w === undefined || c === undefined) return out;
    // Malformed dimensions are the input rule's to report.
    if (![h, w, c].every((d) => Number.isInteger(d.value) && d.value > 0)) return out;
    const size = source.args["size"];
    const sizeText =
      source.argNodes["size"] === undefined ? `size ${String(size)} by default` : `size: ${String(size)}`;
    if (typeof size === "number") {
      for (const [dim, label] of [
        [h, "height"],
        [w, "width"],
      ] as const) {
        if (dim.value === size) continue;
        out.push(
          diagnostic(
            "MTSL1013",
            `input '${input.name.name}' has ${label} ${dim.value}, but data ${source.name} yields ${size}x${size} images (${sizeText})`,
            dim.span,
            `make the input [${size}, ${size}, ${c.value}] or set size: ${dim.value} in data ${source.name}`,
          ),
        );
      }
    }
    const channels = (source.spec as DataSourceSpec).channels;
    if (channels !== null && c.value !== channels) {
      out.push(
        diagnostic(
          "MTSL1013",
          `input '${input.name.name}' has ${c.value} channel${c.value === 1 ? "" : "s"}, but data ${source.name} yields ${channels}`,
          c.span,
          `make the last dimension ${channels}`,
        ),
      );
    }
    return out;
  },
};
