/** Preparing SVG documents for inlining into one HTML page. */

/**
 * An SVG document as an inline `<svg>` element: the XML declaration, DOCTYPE
 * and comments removed, and every `id` (with its `url(#..)` and `href="#.."`
 * references) renamed `prefix-1`, `prefix-2`... in order of appearance, so
 * several pictures on one page never share an id and the names do not depend
 * on renderer-global counters (Vega numbers its gradients per process).
 */
export function inlineSvg(svg: string, prefix: string): string {
  let out = svg
    .replace(/<\?xml[^>]*\?>/g, "")
    .replace(/<!DOCTYPE[^>]*>/gi, "")
    .replace(/<!--[\s\S]*?-->/g, "")
    .trim();
  const ids = new Map<string, string>();
  for (const m of out.matchAll(/\sid="([^"]+)"/g)) if (!ids.has(m[1]!)) ids.set(m[1]!, `${prefix}-${ids.size + 1}`);
  if (ids.size > 0) {
    out = out
      .replace(/\sid="([^"]+)"/g, (_, id: string) => ` id="${ids.get(id)!}"`)
      .replace(/url\(#([^)]+)\)/g, (all, id: string) => (ids.has(id) ? `url(#${ids.get(id)!})` : all))
      .replace(/(xlink:href|href)="#([^"]+)"/g, (all, attr: string, id: string) =>
        ids.has(id) ? `${attr}="#${ids.get(id)!}"` : all,
      );
  }
  return out;
}
