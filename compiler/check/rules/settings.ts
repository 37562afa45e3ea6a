/** Task, structural_learning and train blocks hold known settings, each once, and the required ones. */
import type { Setting, Span } from "../../../grammar/ast.js";
import type { Diagnostic } from "../../../grammar/diagnostics.js";
import { type BlockName, blockSpec } from "../../catalog/index.js";
import { didYouMean } from "../../../grammar/suggest.js";
import { diagnostic } from "../diagnostic.js";
import type { Rule } from "../rule.js";

const BLOCKS: readonly BlockName[] = ["task", "structural_learning", "train"];

/** "the train block" / "task 'seg'", for messages. */
function ownerText(block: BlockName, taskName?: string): string {
  return block === "task" ? `task '${taskName ?? "?"}'` : `the ${block} block`;
}

function checkSettings(
  settings: readonly Setting[],
  block: BlockName,
  owner: string,
  ownerSpan: Span,
  out: Diagnostic[],
): void {
  const spec = blockSpec(block);
  const known = spec.settings.map((s) => s.name);
  const seen = new Map<string, Setting>();
  for (const setting of settings) {
    const key = setting.key.name;
    if (!known.includes(key)) {
      const elsewhere = BLOCKS.find((b) => b !== block && blockSpec(b).settings.some((s) => s.name === key));
      const hint =
        didYouMean(key, known) ??
        (elsewhere === undefined
          ? `${owner} accepts ${known.join(", ")}`
          : `'${key}' belongs in ${elsewhere === "task" ? "a task" : `the ${elsewhere} block`}`);
      out.push(diagnostic("MTSL1020", `unknown setting '${key}' in ${owner}`, setting.key.span, hint));
      continue;
    }
    const first = seen.get(key);
    if (first !== undefined) {
      out.push(
        diagnostic(
          "MTSL1021",
          `setting '${key}' is given twice in ${owner}`,
          setting.key.span,
          `the first is on line ${first.key.span.start.line}; keep one`,
        ),
      );
      continue;
    }
    seen.set(key, setting);
  }
  for (const s of spec.settings) {
    if (s.required && !seen.has(s.name)) {
      out.push(diagnostic("MTSL1022", `${owner} needs setting '${s.name}'`, ownerSpan, `${s.name}: ${s.doc}`));
    }
  }
}

export const settingsRule: Rule = {
  name: "settings",
  description: "Every setting is known to its block, appears once, and required settings are present.",
  codes: ["MTSL1020", "MTSL1021", "MTSL1022"],
  run({ model }) {
    const out: Diagnostic[] = [];
    for (const m of model.members) {
      if (m.kind === "Task") checkSettings(m.settings, "task", ownerText("task", m.name.name), m.name.span, out);
      if (m.kind === "Block") checkSettings(m.settings, m.keyword, ownerText(m.keyword), m.keywordSpan, out);
    }
    return out;
  },
};
