/**
 * A readable text print of the IR, one line per node, as torch.fx prints a
 * graph: every stage instance and head with its inputs, output shape, layers,
 * parameters and FLOPs, then the tasks and the settings. It is what golden
 * tests compare (test/golden/ir/*.ir.txt) and what `mtslc compile --emit text`
 * writes; the JSON (compiler/ir/json.ts) stays the exchange format.
 *
 *   %stem@seg+depth: [16, 16, 8] = stem(%input)   conv(8, 3, stride: 2) bn relu   params 224, flops 1,806,336
 */
import { formatNumber } from "../../grammar/numbers.js";
import { printValue } from "../../grammar/printer.js";
import { layerCall } from "../lift.js";
import { INPUT_NODE } from "./lint.js";
import type { IrCall, IrLayer, IrModel, IrValue } from "./types.js";

const shape = (s: readonly number[]): string => `[${s.join(", ")}]`;
const node = (id: string): string => `%${id}`;
const count = (n: number): string => n.toLocaleString("en-US");

function value(v: IrValue): string {
  if (Array.isArray(v)) return `[${v.map(value).join(", ")}]`;
  if (typeof v === "number") return formatNumber(v);
  if (typeof v === "string") return /^[A-Za-z_][A-Za-z0-9_]*$/.test(v) ? v : JSON.stringify(v);
  return String(v);
}

function call(c: IrCall): string {
  const options = Object.entries(c.options);
  return options.length === 0 ? c.name : `${c.name}(${options.map(([k, v]) => `${k}: ${value(v)}`).join(", ")})`;
}

const layers = (ls: readonly IrLayer[]): string => ls.map((l) => printValue(layerCall(l))).join(" ");
const cost = (params: number, flops: number): string => `params ${count(params)}, flops ${count(flops)}`;

/** The IR as text, one line per node (see the module comment). */
export function printIr(ir: IrModel): string {
  const lines: string[] = [];
  lines.push(`ir ${ir.version} ${ir.name}`);
  lines.push(
    `${node(INPUT_NODE)}: ${shape(ir.input.shape)} = input ${ir.input.name}: ${ir.input.dtype}   data ${call(ir.data)}`,
  );
  const stages = new Map(ir.stages.map((s) => [s.name, s]));
  for (const inst of ir.instances) {
    const stage = stages.get(inst.stage)!;
    const args = [node(inst.input), ...inst.skips.map(node)].join(", ");
    lines.push(
      `${node(inst.id)}: ${shape(stage.outShape)} = ${inst.stage}(${args})   ${layers(stage.layers)}   ${cost(inst.params, inst.flops)}`,
    );
  }
  for (const head of ir.heads) {
    lines.push(
      `${node(head.id)}: ${shape(head.outShape)} = head ${head.task}(${[head.input, ...head.skips].map(node).join(", ")})   ${layers(head.layers)}   ${cost(head.params, head.flops)}`,
    );
  }
  for (const t of ir.tasks) {
    const kind = call({ name: t.kind, options: t.options });
    lines.push(
      `task ${t.name}: ${kind} <- ${node(`head@${t.name}`)}   target ${value(t.target)}, loss ${call(t.loss)}, metrics [${t.metrics.join(", ")}], weight ${formatNumber(t.weight)}`,
    );
  }
  const sl = ir.structuralLearning;
  if (sl) {
    const transfer = `distill(gate: ${sl.transfer.gate}, passes: ${value(sl.transfer.passes)}, per: ${sl.transfer.per}${sl.transfer.lr === null ? "" : `, lr: ${formatNumber(sl.transfer.lr)}`}${sl.transfer.joint ? ", optimizer: joint" : ""})`;
    lines.push(
      `structural_learning at_epochs ${value(sl.atEpochs)}, similarity cka(debiased: ${sl.similarity.debiased}, pool: ${sl.similarity.pool}, samples: ${sl.similarity.samples}, resample: ${sl.similarity.resample}${sl.similarity.calibrate ? ", calibrate: true" : ""}), threshold ${formatNumber(sl.threshold)}, init ${sl.init}${sl.randomFrom === null ? "" : `, random_from ${sl.randomFrom}`}, transfer ${transfer}, alignment ${formatNumber(sl.alignment)}, alignment_pause ${sl.alignmentPause}, handoff ${sl.handoff}`,
    );
  }
  const tr = ir.train;
  lines.push(
    `train epochs ${tr.epochs}, batch ${tr.batch}, optimizer ${call(tr.optimizer)}, schedule ${call(tr.schedule)}${tr.weighting === undefined ? "" : `, weighting ${call(tr.weighting)}`}, seed ${tr.seed}, backend ${tr.backend}, val_every ${tr.valEvery}, pretrain ${tr.pretrain}${tr.warmStart === undefined ? "" : `, warm_start ${JSON.stringify(tr.warmStart)}`}`,
  );
  const totals = ir.totals;
  lines.push(
    `totals ${cost(totals.params, totals.flops)}; one network per task: ${cost(totals.separateParams, totals.separateFlops)}`,
  );
  return lines.join("\n") + "\n";
}
