/** Small HTML builders for the report: escaping, tables, sections and the page shell with its inline CSS. */

/** Escapes text for HTML content and attribute values. */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

/** A table; cells are escaped text, `numeric` columns align right. */
export function htmlTable(
  header: string[],
  rows: string[][],
  options: { numeric?: number[]; caption?: string } = {},
): string {
  const numeric = new Set(options.numeric ?? []);
  const cell = (tag: "td" | "th", text: string, i: number): string =>
    `<${tag}${numeric.has(i) ? ' class="num"' : ""}>${escapeHtml(text)}</${tag}>`;
  return [
    "<table>",
    options.caption ? `<caption>${escapeHtml(options.caption)}</caption>` : "",
    header.some((h) => h !== "") ? `<thead><tr>${header.map((h, i) => cell("th", h, i)).join("")}</tr></thead>` : "",
    `<tbody>${rows.map((r) => `<tr>${r.map((c, i) => cell("td", c, i)).join("")}</tr>`).join("")}</tbody>`,
    "</table>",
  ].join("");
}

/** A figure holding an inline SVG and a caption. */
export function figure(svg: string, caption: string): string {
  return `<figure class="fig">${svg}<figcaption>${escapeHtml(caption)}</figcaption></figure>`;
}

/** A section with an id (for links and tests), a heading and body HTML. */
export function section(id: string, title: string, body: string): string {
  return `<section id="${escapeHtml(id)}"><h2>${escapeHtml(title)}</h2>${body}</section>`;
}

/** A paragraph of escaped text. */
export function para(text: string, cls?: string): string {
  return `<p${cls ? ` class="${cls}"` : ""}>${escapeHtml(text)}</p>`;
}

const CSS = `
:root { color-scheme: light; }
body { font: 14px/1.45 Helvetica, Arial, sans-serif; color: #1f2328; margin: 0; background: #f6f8fa; }
header { background: #17457a; color: #fff; padding: 18px 28px; }
header h1 { margin: 0 0 4px; font-size: 22px; }
header p { margin: 0; opacity: 0.85; }
nav { padding: 8px 28px; background: #fff; border-bottom: 1px solid #d0d7de; }
nav a { margin-right: 14px; color: #17457a; text-decoration: none; }
main { padding: 8px 28px 40px; }
section { background: #fff; border: 1px solid #d0d7de; border-radius: 6px; padding: 6px 18px 14px; margin: 16px 0; }
h2 { font-size: 18px; border-bottom: 1px solid #eaeef2; padding-bottom: 4px; }
h3 { font-size: 15px; margin: 14px 0 6px; }
.figs { display: flex; flex-wrap: wrap; gap: 14px; align-items: flex-start; }
figure.fig { margin: 0; padding: 6px; border: 1px solid #eaeef2; border-radius: 4px; background: #fff; max-width: 100%; overflow-x: auto; }
figure.fig svg { display: block; max-width: 100%; height: auto; }
figcaption { font-size: 12px; color: #57606a; margin-top: 4px; max-width: 420px; }
table { border-collapse: collapse; margin: 8px 0 12px; font-size: 13px; }
caption { text-align: left; font-weight: bold; padding-bottom: 4px; }
th, td { border: 1px solid #d0d7de; padding: 3px 8px; }
th { background: #f6f8fa; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
p.note { color: #57606a; font-style: italic; }
.merge { color: #d35400; font-weight: bold; }
`;

/** The whole page: no scripts, no external resources. */
export function page(title: string, subtitle: string, nav: { id: string; title: string }[], body: string): string {
  return [
    "<!DOCTYPE html>",
    '<html lang="en">',
    "<head>",
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`,
    `<title>${escapeHtml(title)}</title>`,
    `<style>${CSS}</style>`,
    "</head>",
    "<body>",
    `<header><h1>${escapeHtml(title)}</h1><p>${escapeHtml(subtitle)}</p></header>`,
    `<nav>${nav.map((n) => `<a href="#${escapeHtml(n.id)}">${escapeHtml(n.title)}</a>`).join("")}</nav>`,
    `<main>${body}</main>`,
    "</body>",
    "</html>",
    "",
  ].join("\n");
}
