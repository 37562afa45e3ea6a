/**
 * Hover texts (Markdown): a stage's layers with their resolved options, output shape,
 * parameters, FLOPs and the task groups that share it; a task's kind, head, loss, metrics and
 * weight; a word of the catalogue, an option or a setting with its meaning.
 */
import { describeType, type CallSpec, type ParamSpec } from "../../compiler/catalog/index.js";
import { describeLayer } from "../../compiler/codegen/layers.js";
import type { IrModel, IrValue } from "../../compiler/ir/types.js";
import type { Span } from "../../grammar/ast.js";
import type { Analysis } from "./analysis.js";
import { humanCount } from "../table.js";
import { contains, nameAt } from "./names.js";

const count = (n: number): string => n.toLocaleString("en-US");

const shape = (s: readonly number[]): string => `[${s.join(", ")}]`;
const NOT_COMPILED = "_Shapes, parameters and sharing appear once the file compiles without errors._";
const STALE = "_As of the last version of this file that compiled: it has errors now._";

function defaultText(p: ParamSpec): string {
  if (p.required) return "required";
  if (p.default === undefined) return "optional";
  if (typeof p.default === "object" && "sameAs" in p.default) return `= ${p.default.sameAs}`;
  if (typeof p.default === "object" && "call" in p.default) return `${p.default.call}()`;
  return JSON.stringify(p.default);
}

function paramLine(p: ParamSpec): string {
  return `- \`${p.name}\`${p.positional ? "" : ":"} ${describeType(p.type)}, ${defaultText(p)}: ${p.doc}`;
}

function wordHover(spec: CallSpec): string {
  const params = spec.params.length === 0 ? "" : `\n\n${spec.params.map(paramLine).join("\n")}`;
  return `**${spec.vocabulary === "taskKind" ? "task kind" : spec.vocabulary} \`${spec.name}\`**: ${spec.doc}${params}`;
}

function paramHover(p: ParamSpec, owner: string): string {
  return `**\`${p.name}\`** of \`${owner}\`: ${p.doc}\n\n${describeType(p.type)}; default ${defaultText(p)}.`;
}

const optionText = (options: Record<string, IrValue>): string =>
  Object.entries(options)
    .map(([k, v]) => `${k}: ${JSON.stringify(v)}`)
    .join(", ");

function stageHover(ir: IrModel | null, name: string): string {
  if (ir === null) return `**stage \`${name}\`**\n\n${NOT_COMPILED}`;
  const stage = ir.stages.find((s) => s.name === name);
  if (stage === undefined) return `**stage \`${name}\`**: not a stage of this model`;
  const instances = ir.instances.filter((i) => i.stage === name);
  const first = instances[0];
  const layers = stage.layers.map((l) => `- \`${describeLayer(l)}\` → ${shape(l.outShape)}`).join("\n");
  const groups = instances.map((i) => `{${i.tasks.join(" ")}}`).join(" ");
  return [
    `**stage \`${name}\`** (stage ${stage.index + 1} of ${ir.stages.length}): ${shape(stage.inShape)} → ${shape(stage.outShape)}`,
    layers,
    `${count(first?.params ?? 0)} parameters and ${humanCount(first?.flops ?? 0)} FLOPs per sample per instance; ` +
      `${instances.length} instance${instances.length === 1 ? "" : "s"}: ${groups}`,
    ...(stage.skips.length > 0 ? [`reads ${stage.skips.map((s) => `\`${s}\``).join(", ")} besides its input`] : []),
  ].join("\n\n");
}

function taskHover(ir: IrModel | null, name: string): string {
  if (ir === null) return `**task \`${name}\`**\n\n${NOT_COMPILED}`;
  const task = ir.tasks.find((t) => t.name === name);
  const head = ir.heads.find((h) => h.task === name);
  if (task === undefined || head === undefined) return `**task \`${name}\`**: not a task of this model`;
  const kind = Object.keys(task.options).length === 0 ? task.kind : `${task.kind}(${optionText(task.options)})`;
  const loss =
    Object.keys(task.loss.options).length === 0
      ? task.loss.name
      : `${task.loss.name}(${optionText(task.loss.options)})`;
  const partners = new Set<string>();
  for (const i of ir.instances) if (i.tasks.includes(name)) for (const t of i.tasks) if (t !== name) partners.add(t);
  return [
    `**task \`${name}\`**: ${kind}, target \`${task.target}\``,
    `head: \`${head.layers.map(describeLayer).join(" ")}\` → ${shape(head.outShape)} (${count(head.params)} parameters)`,
    `loss \`${loss}\`, weight ${task.weight}; metrics ${task.metrics.map((m) => `\`${m}\``).join(", ")}`,
    partners.size === 0 ? "shares no stage" : `shares stages with ${[...partners].map((t) => `\`${t}\``).join(", ")}`,
  ].join("\n\n");
}

/** The hover at `offset`: its Markdown and the span it is about, or null. */
export function hoverAt(analysis: Analysis, offset: number): { markdown: string; span: Span } | null {
  const { index } = analysis;
  const ir = analysis.ir ?? analysis.lastGoodIr;
  const named = nameAt(index, offset);
  if (named) {
    const text = named.kind === "stage" ? stageHover(ir, named.name) : taskHover(ir, named.name);
    const stale = analysis.ir === null && ir !== null ? `\n\n${STALE}` : "";
    return { markdown: text + stale, span: named.span };
  }
  const word = index.words.find((w) => contains(w.span, offset));
  if (word) return { markdown: wordHover(word.spec), span: word.span };
  const e = index.enums.find((x) => contains(x.span, offset));
  if (e) return { markdown: paramHover(e.param, e.param.name), span: e.span };
  const key = index.keys.find((k) => contains(k.span, offset));
  if (key) return { markdown: paramHover(key.param, key.owner), span: key.span };
  return null;
}
