/** Plain aligned text tables for benchmark output (Markdown-compatible pipes, so they paste into docs). */

export type Align = "left" | "right";

/**
 * Formats `rows` under `header` as a Markdown table with padded columns.
 * `align[i]` right-aligns column i (numbers); the default is left.
 */
export function markdownTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  align: readonly Align[] = [],
): string {
  const widths = header.map((h, i) => Math.max(h.length, 3, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]): string =>
    "| " +
    widths
      .map((w, i) => {
        const c = cells[i] ?? "";
        return align[i] === "right" ? c.padStart(w) : c.padEnd(w);
      })
      .join(" | ") +
    " |";
  const rule =
    "| " + widths.map((w, i) => (align[i] === "right" ? "-".repeat(w - 1) + ":" : "-".repeat(w))).join(" | ") + " |";
  return [line(header), rule, ...rows.map(line)].join("\n") + "\n";
}
