/** A per-instance summary of an IR: what `mtslc compile` prints as a table. */
import type { IrModel } from "./ir/types.js";

export interface SummaryRow {
  id: string;
  tasks: string[];
  outShape: number[];
  params: number;
  flops: number;
}

export interface Summary {
  rows: SummaryRow[];
  totals: IrModel["totals"];
  /** params / separateParams and flops / separateFlops. */
  paramRatio: number;
  flopRatio: number;
}

export function summarize(ir: IrModel): Summary {
  const stageOut = new Map(ir.stages.map((s) => [s.name, s.outShape]));
  const rows: SummaryRow[] = [
    ...ir.instances.map((i) => ({
      id: i.id,
      tasks: i.tasks,
      outShape: stageOut.get(i.stage)!,
      params: i.params,
      flops: i.flops,
    })),
    ...ir.heads.map((h) => ({ id: h.id, tasks: [h.task], outShape: h.outShape, params: h.params, flops: h.flops })),
  ];
  return {
    rows,
    totals: ir.totals,
    paramRatio: ir.totals.params / ir.totals.separateParams,
    flopRatio: ir.totals.flops / ir.totals.separateFlops,
  };
}
