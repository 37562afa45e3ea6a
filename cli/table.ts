/** Plain aligned text tables for terminals (no borders, so they diff and grep well). */
export type Align = "left" | "right";

export function formatTable(header: string[], rows: string[][], align: Align[] = []): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => (align[i] === "right" ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join("  ")
      .trimEnd();
  const rule = widths.map((w) => "-".repeat(w)).join("  ");
  return [line(header), rule, ...rows.map(line)].join("\n") + "\n";
}

/** 1234567 -> "1.23M", 5300 -> "5.3K", 950 -> "950". */
export function humanCount(n: number): string {
  const abs = Math.abs(n);
  const fmt = (x: number, unit: string): string => `${Number(x.toPrecision(3))}${unit}`;
  if (abs >= 1e9) return fmt(n / 1e9, "G");
  if (abs >= 1e6) return fmt(n / 1e6, "M");
  if (abs >= 1e3) return fmt(n / 1e3, "K");
  return String(n);
}
