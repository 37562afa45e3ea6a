/**
 * One document's analysis, computed once per version and shared by every request: the parse
 * tree (recovered where the text is broken), what `mtslc check` reports (syntax, rules, shapes,
 * lowering and the data on disk, from the same functions), the IR when it compiles, and the
 * index of its names and words.
 */
import type { TextDocument } from "vscode-languageserver-textdocument";
import type { Range } from "vscode-languageserver/node";
import type { Document, Span } from "../../grammar/ast.js";
import type { Diagnostic } from "../../grammar/diagnostics.js";
import { parse } from "../../grammar/parse.js";
import { compileSource } from "../../compiler/compile.js";
import type { IrModel } from "../../compiler/ir/types.js";
import { withDataDiagnostics, type DataProber } from "../diagnose.js";
import type { DataProbe } from "../../runtime/data/probe.js";
import { indexDocument, type DocumentIndex } from "./names.js";

export interface Analysis {
  version: number;
  text: string;
  /** The parse tree; present for any text (a broken one is recovered as far as it goes). */
  tree: Document;
  /** The IR, when the file compiles without errors. */
  ir: IrModel | null;
  /**
   * While it does not (a half-typed edit), the IR of the last version of this document that
   * compiled: hover keeps showing shapes and sharing, marked as such.
   */
  lastGoodIr: IrModel | null;
  /** Syntax, checks, shapes and lowering (data diagnostics come with {@link diagnose}). */
  diagnostics: Diagnostic[];
  index: DocumentIndex;
}

/** Analyses `doc` (synchronously: parsing, checks and lowering; no disk access); `previous` is its last analysis. */
export function analyse(doc: TextDocument, file: string, previous?: Analysis): Analysis {
  const text = doc.getText();
  const compiled = compileSource(text, { file });
  const tree = compiled.document ?? parse(text).document;
  return {
    version: doc.version,
    text,
    tree,
    ir: compiled.ir,
    lastGoodIr: compiled.ir ?? previous?.ir ?? previous?.lastGoodIr ?? null,
    diagnostics: compiled.diagnostics,
    index: indexDocument(tree),
  };
}

/**
 * The data probe for edits as they come: reading a folder source's headers (thousands of `.npy`
 * files for NYUv2) on every keystroke would be the server's slowest step, so a probe is reused
 * while what it depends on (the data call, the input, the tasks' kinds and targets) is unchanged,
 * for at most `ttlMs`; after that the disk is read again, so data added meanwhile is seen.
 */
export class DataProbeMemo {
  private last: { key: string; at: number; probe: DataProbe } | null = null;
  constructor(private readonly ttlMs = 5000) {}

  /** A prober for `withDataDiagnostics` that answers from the memo when it can. */
  async prober(): Promise<DataProber> {
    const { probeData } = await import("../../runtime/data/probe.js");
    return (ir) => {
      const key = JSON.stringify([ir.data, ir.input, ir.tasks.map((t) => [t.name, t.kind, t.target, t.options])]);
      const now = Date.now();
      if (this.last && this.last.key === key && now - this.last.at < this.ttlMs) return this.last.probe;
      this.last = { key, at: now, probe: probeData(ir) };
      return this.last.probe;
    };
  }
}

/** Everything `mtslc check` reports for the analysed text: {@link Analysis.diagnostics} plus the data on disk. */
export async function diagnose(analysis: Analysis, memo?: DataProbeMemo): Promise<Diagnostic[]> {
  if (analysis.ir === null) return analysis.diagnostics;
  const compiled = { ir: analysis.ir, diagnostics: analysis.diagnostics, document: analysis.tree };
  const bound = await withDataDiagnostics(compiled, memo ? await memo.prober() : undefined);
  return bound.diagnostics;
}

/** A span of the source as an LSP range (UTF-16 positions, as the protocol's default). */
export function rangeOf(doc: TextDocument, span: Span): Range {
  return { start: doc.positionAt(span.start.offset), end: doc.positionAt(span.end.offset) };
}
