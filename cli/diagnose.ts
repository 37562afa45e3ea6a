/**
 * Everything `mtslc check` and `mtslc compile` report about a source text, in
 * one pass and from one function, so a file that `check` accepts is one that
 * `compile` accepts: syntax, the semantic rules, shape inference and lowering
 * (compiler/compile.ts), then what the data on disk says (runtime/data/probe.ts:
 * a folder source's `.npy` headers against the model's input and tasks).
 */
import { orderDiagnostics } from "../compiler/check/diagnostic.js";
import { compileSource, type SourceCompileResult } from "../compiler/compile.js";
import { dataSourceSpec } from "../compiler/catalog/index.js";
import type { IrModel } from "../compiler/ir/types.js";
import type { DataDecl, Document, Span } from "../grammar/ast.js";
import type { Diagnostic } from "../grammar/diagnostics.js";
import type { DataProbe } from "../runtime/data/probe.js";

/** Compiles `source` and, when it compiles, binds it to its data. */
export async function diagnoseSource(source: string, file: string): Promise<SourceCompileResult> {
  return withDataDiagnostics(compileSource(source, { file }));
}

/** Reads the data's headers against a model (runtime/data/probe.ts `probeData`, or a memo of it). */
export type DataProber = (ir: IrModel) => DataProbe;

/** A compiled source bound to its data (what {@link diagnoseSource} adds to `compileSource`). */
export async function withDataDiagnostics(
  result: SourceCompileResult,
  probe?: DataProber,
): Promise<SourceCompileResult> {
  if (result.ir === null || result.document === null) return result;
  const data = await dataDiagnostics(result.ir, result.document, probe);
  if (data.length === 0) return result;
  const diagnostics = orderDiagnostics([...result.diagnostics, ...data]);
  return { ...result, diagnostics, ir: data.some((d) => d.severity === "error") ? null : result.ir };
}

/**
 * The diagnostics of binding the model to its data without loading it. Built-in
 * sources are fully checked by the compiler; a folder source (npy) has its
 * headers read here. An absent folder is a warning: a file may be checked on
 * a machine that does not hold its data.
 */
export async function dataDiagnostics(ir: IrModel, document: Document, prober?: DataProber): Promise<Diagnostic[]> {
  if (dataSourceSpec(ir.data.name)?.targets !== null) return [];
  const probe = (prober ?? (await import("../runtime/data/probe.js")).probeData)(ir);
  const decl = document.model?.members.find((m): m is DataDecl => m.kind === "Data");
  if (decl === undefined || probe.kind === "bound") return [];
  if (probe.kind === "absent") {
    return [
      {
        code: "MTSL3001",
        severity: "warning",
        message: `data folder '${probe.dir}' does not exist here, so its arrays were not checked against the model`,
        span: optionSpan(decl, "dir"),
        hint: "put the data there, or point 'dir' at it (a relative path is read from the working directory)",
      },
    ];
  }
  const e = probe.error;
  return [
    {
      code: e.code,
      severity: "error",
      message: e.message.replace(/^MTSL\d{4}: /, ""),
      span: e.option === undefined ? optionSpan(decl, "dir") : optionSpan(decl, e.option),
      hint: "the data on disk must fit the model's input and tasks: fix the arrays, or the model",
    },
  ];
}

/** The value of option `name` of the data declaration, else the declaration itself. */
function optionSpan(decl: DataDecl, name: string): Span {
  if (decl.source.kind !== "Call") return decl.span;
  return decl.source.args.find((a) => a.name?.name === name)?.value.span ?? decl.source.span;
}
