/** Required members are present; members that may appear once appear once. */
import type { Member, Span } from "../../../grammar/ast.js";
import type { Diagnostic } from "../../../grammar/diagnostics.js";
import { diagnostic, keywordSpan } from "../diagnostic.js";
import type { Rule } from "../rule.js";

function keyword(member: Member): string {
  switch (member.kind) {
    case "Input":
      return "input";
    case "Data":
      return "data";
    case "Task":
      return "task";
    case "Backbone":
      return "backbone";
    case "Sharing":
      return "sharing";
    case "Block":
      return member.keyword;
  }
}

function keywordOf(member: Member): Span {
  return member.kind === "Block" ? member.keywordSpan : keywordSpan(member.span, keyword(member));
}

const REQUIRED: readonly { word: string; example: string }[] = [
  { word: "input", example: "input image: f32[64, 64, 3]" },
  { word: "data", example: "data scenes(size: 64)" },
  { word: "backbone", example: "backbone { stem: conv(16) bn relu }" },
  { word: "task", example: "task depth: depth { head: conv(1, 1) }" },
];

const AT_MOST_ONCE = new Set(["data", "backbone", "sharing", "structural_learning", "train"]);

export const membersRule: Rule = {
  name: "members",
  description:
    "Exactly one input, one data, one backbone (with stages), at least one task; at most one sharing, structural_learning and train.",
  codes: ["MTSL1001", "MTSL1002", "MTSL1003", "MTSL1006"],
  run({ model }) {
    const out: Diagnostic[] = [];
    const byWord = new Map<string, Member[]>();
    for (const m of model.members) {
      const word = keyword(m);
      const list = byWord.get(word) ?? [];
      list.push(m);
      byWord.set(word, list);
    }
    for (const { word, example } of REQUIRED) {
      if ((byWord.get(word)?.length ?? 0) > 0) continue;
      const what = word === "task" ? "no task" : `no ${word}`;
      out.push(
        diagnostic("MTSL1001", `model '${model.name.name}' has ${what}`, model.name.span, `add e.g. \`${example}\``),
      );
    }
    const inputs = byWord.get("input") ?? [];
    for (const extra of inputs.slice(1)) {
      const name = extra.kind === "Input" ? extra.name : null;
      out.push(
        diagnostic(
          "MTSL1003",
          `only one input is supported; '${name?.name ?? "?"}' is a second input`,
          name?.span ?? keywordOf(extra),
          "remove it; multi-input models are not supported yet",
        ),
      );
    }
    for (const [word, list] of byWord) {
      if (!AT_MOST_ONCE.has(word) || list.length < 2) continue;
      const first = list[0];
      for (const extra of list.slice(1)) {
        out.push(
          diagnostic(
            "MTSL1002",
            `the model has more than one ${word} block`,
            keywordOf(extra),
            first === undefined ? undefined : `the first is on line ${first.span.start.line}; merge them into one`,
          ),
        );
      }
    }
    for (const m of byWord.get("backbone") ?? []) {
      if (m.kind === "Backbone" && m.stages.length === 0) {
        out.push(
          diagnostic(
            "MTSL1006",
            "the backbone has no stages",
            keywordOf(m),
            "add a stage, e.g. `stem: conv(16) bn relu`",
          ),
        );
      }
    }
    return out;
  },
};
