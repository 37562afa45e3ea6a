/** The text rendering of an architecture diff: one section per category, one line per change. */
import { CATEGORIES, categoryOf, type ArchitectureChange } from "./types.js";

/**
 * Renders changes as text, grouped under section titles in a fixed order:
 *
 *     sharing:
 *       dec2: {seg} {edge} merged into {seg edge} (instances dec2@seg, dec2@edge -> dec2@seg+edge)
 *
 * An empty list renders as `no architecture changes`. Ends with a newline.
 */
export function describeDiff(changes: readonly ArchitectureChange[]): string {
  if (changes.length === 0) return "no architecture changes\n";
  const lines: string[] = [];
  for (const category of CATEGORIES) {
    const inCategory = changes.filter((c) => categoryOf(c) === category);
    if (inCategory.length === 0) continue;
    lines.push(`${category}:`);
    for (const c of inCategory) lines.push(`  ${c.description}`);
  }
  return lines.join("\n") + "\n";
}

/** `1 change` / `3 changes`. */
export const countChanges = (changes: readonly ArchitectureChange[]): string =>
  `${changes.length} architecture change${changes.length === 1 ? "" : "s"}`;
