/** The input's height, width and channels match the images the data source yields. */
import type { Diagnostic } from "../../../grammar/diagnostics.js";
import { inRange, type DataSourceSpec } from "../../catalog/index.js";
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
    const channels = (source.spec as DataSourceSpec).channels;
    const wantC = channels ?? c.value;
    // Each help leads to a file that checks: the whole shape the data yields, and
    // `size:` only where one value of it fits both height and width and its bounds.
    const wanted = typeof size === "number" ? `[${size}, ${size}, ${wantC}]` : undefined;
    const sizeSpec = (source.spec as DataSourceSpec).params.find((p) => p.name === "size");
    const sizeFits =
      h.value === w.value &&
      c.value === wantC &&
      sizeSpec !== undefined &&
      (sizeSpec.type.kind === "int" || sizeSpec.type.kind === "number") &&
      inRange(h.value, sizeSpec.type);
    const fix = `make the input ${wanted ?? ""}${sizeFits ? ` or set size: ${h.value} in data ${source.name}` : ""}`;
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
            fix,
          ),
        );
      }
    }
    if (channels !== null && c.value !== channels) {
      const channelsFirst = h.value === channels && typeof size === "number" && w.value === size;
      out.push(
        diagnostic(
          "MTSL1013",
          `input '${input.name.name}' has ${c.value} channel${c.value === 1 ? "" : "s"}, but data ${source.name} yields ${channels}${channelsFirst ? " (channels come last: [height, width, channels])" : ""}`,
          c.span,
          wanted === undefined ? `make the last dimension ${channels}` : `make the input ${wanted}`,
        ),
      );
    }
    return out;
  },
};
