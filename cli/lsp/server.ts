/**
 * `mtslc lsp`: the language server, on vscode-languageserver, over stdio (or a socket the client
 * listens on). Incremental document sync; diagnostics as you type (everything `mtslc check`
 * reports, did-you-mean as related information with a quick fix), formatting, hover, definition,
 * references, rename, completion, outline, folding and semantic tokens. Every handler is guarded:
 * whatever a document holds, a request answers (empty at worst) and the server keeps running.
 */
import { fileURLToPath } from "node:url";
import { TextDocument } from "vscode-languageserver-textdocument";
import {
  createConnection,
  createServerSocketTransport,
  DiagnosticSeverity,
  ProposedFeatures,
  ResponseError,
  ErrorCodes,
  MessageType,
  ShowMessageNotification,
  TextDocuments,
  TextDocumentSyncKind,
  type Connection,
  type Diagnostic as LspDiagnostic,
  type InitializeResult,
} from "vscode-languageserver/node";
import type { Diagnostic } from "../../grammar/diagnostics.js";
import { packageVersion } from "../version.js";
import { analyse, DataProbeMemo, diagnose, rangeOf, type Analysis } from "./analysis.js";
import { completionsAt } from "./completion.js";
import { formatEdits, quickFixes, renameEdits, renameTarget } from "./edits.js";
import { hoverAt } from "./hover.js";
import { nameAt, occurrencesOf } from "./names.js";
import { documentSymbols, foldingRanges, SEMANTIC_LEGEND, semanticTokens } from "./outline.js";

export interface ServerOptions {
  /** Where the protocol runs: the process's stdin and stdout, or a socket on this port of localhost. */
  transport: { kind: "stdio" } | { kind: "socket"; port: number };
}

/** The file name a document's diagnostics and data paths use. */
function fileOf(uri: string): string {
  try {
    return uri.startsWith("file:") ? fileURLToPath(uri) : uri;
  } catch {
    return uri;
  }
}

const SEVERITY = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  info: DiagnosticSeverity.Information,
} as const;

/** One of our diagnostics as the protocol's: code, severity, the help line as related information. */
export function toLspDiagnostic(doc: TextDocument, analysis: Analysis, d: Diagnostic): LspDiagnostic {
  const range = rangeOf(doc, d.span);
  const out: LspDiagnostic = {
    range,
    severity: SEVERITY[d.severity],
    code: d.code,
    source: "mtsl",
    message: d.message,
  };
  if (d.hint) {
    // a did-you-mean of a stage or task points at its declaration
    const suggested = /did you mean '([^']+)'\?/.exec(d.hint)?.[1];
    const decl = suggested && analysis.index.names.find((n) => n.declaration && n.name === suggested);
    out.relatedInformation = [
      { location: { uri: doc.uri, range: decl ? rangeOf(doc, decl.span) : range }, message: d.hint },
    ];
  }
  return out;
}

export function startServer(options: ServerOptions): Connection {
  const connection =
    options.transport.kind === "stdio"
      ? createConnection(ProposedFeatures.all, process.stdin, process.stdout)
      : createConnection(ProposedFeatures.all, ...createServerSocketTransport(options.transport.port));
  // nothing may end the server but the client: a stray rejection is logged, not fatal
  process.on("unhandledRejection", (reason) => {
    connection.console.error(`mtsl: internal error: ${(reason as Error)?.stack ?? String(reason)}`);
  });
  const documents = new TextDocuments(TextDocument);
  const analyses = new Map<string, Analysis>();
  const dataProbes = new DataProbeMemo();

  const analysisOf = (doc: TextDocument): Analysis => {
    const cached = analyses.get(doc.uri);
    if (cached && cached.version === doc.version) return cached;
    const fresh = analyse(doc, fileOf(doc.uri), cached);
    analyses.set(doc.uri, fresh);
    return fresh;
  };

  /** Runs a request handler; a failure is logged and answered with `fallback`, never a crash. */
  const guard =
    <P, R>(fallback: R, handler: (params: P) => R | Promise<R>) =>
    async (params: P): Promise<R> => {
      try {
        return await handler(params);
      } catch (error) {
        if (error instanceof ResponseError) throw error;
        connection.console.error(`mtsl: internal error: ${(error as Error).stack ?? String(error)}`);
        return fallback;
      }
    };

  const withDoc = <P extends { textDocument: { uri: string } }, R>(
    fallback: R,
    handler: (doc: TextDocument, analysis: Analysis, params: P) => R,
  ) =>
    guard<P, R>(fallback, (params) => {
      const doc = documents.get(params.textDocument.uri);
      return doc === undefined ? fallback : handler(doc, analysisOf(doc), params);
    });

  const validate = async (doc: TextDocument): Promise<void> => {
    try {
      const analysis = analysisOf(doc);
      const diagnostics = await diagnose(analysis, dataProbes);
      if (documents.get(doc.uri)?.version !== analysis.version) return; // a newer edit is on its way
      await connection.sendDiagnostics({
        uri: doc.uri,
        version: analysis.version,
        diagnostics: diagnostics.map((d) => toLspDiagnostic(doc, analysis, d)),
      });
    } catch (error) {
      connection.console.error(`mtsl: internal error: ${(error as Error).stack ?? String(error)}`);
    }
  };

  connection.onInitialize((): InitializeResult => ({
    capabilities: {
      textDocumentSync: TextDocumentSyncKind.Incremental,
      hoverProvider: true,
      definitionProvider: true,
      referencesProvider: true,
      renameProvider: { prepareProvider: true },
      completionProvider: { triggerCharacters: ["(", "[", "{", ":", ",", " "] },
      documentFormattingProvider: true,
      codeActionProvider: { codeActionKinds: ["quickfix"] },
      documentSymbolProvider: true,
      foldingRangeProvider: true,
      semanticTokensProvider: { legend: SEMANTIC_LEGEND, full: true },
    },
    serverInfo: { name: "mtsl", version: packageVersion() },
  }));

  documents.onDidChangeContent((e) => void validate(e.document));
  documents.onDidClose((e) => {
    analyses.delete(e.document.uri);
    void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
  });

  connection.onHover(
    withDoc(null, (doc, analysis, params) => {
      const hover = hoverAt(analysis, doc.offsetAt(params.position));
      return (
        hover && { contents: { kind: "markdown" as const, value: hover.markdown }, range: rangeOf(doc, hover.span) }
      );
    }),
  );

  connection.onDefinition(
    withDoc(null, (doc, analysis, params) => {
      const n = nameAt(analysis.index, doc.offsetAt(params.position));
      const decl = n && occurrencesOf(analysis.index, n).find((o) => o.declaration);
      return decl ? { uri: doc.uri, range: rangeOf(doc, decl.span) } : null;
    }),
  );

  connection.onReferences(
    withDoc([], (doc, analysis, params) => {
      const n = nameAt(analysis.index, doc.offsetAt(params.position));
      if (n === undefined) return [];
      return occurrencesOf(analysis.index, n)
        .filter((o) => params.context.includeDeclaration || !o.declaration)
        .map((o) => ({ uri: doc.uri, range: rangeOf(doc, o.span) }));
    }),
  );

  connection.onPrepareRename(
    withDoc(null, (doc, analysis, params) => {
      const offset = doc.offsetAt(params.position);
      const target = renameTarget(analysis, offset);
      const at = target && nameAt(analysis.index, offset);
      return at ? { range: rangeOf(doc, at.span), placeholder: at.name } : null;
    }),
  );

  connection.onRenameRequest(
    withDoc(null, (doc, analysis, params) => {
      const r = renameEdits(doc, analysis, doc.offsetAt(params.position), params.newName);
      if ("refused" in r) throw new ResponseError(ErrorCodes.InvalidRequest, r.refused);
      return { changes: { [doc.uri]: r.edits } };
    }),
  );

  connection.onCompletion(
    withDoc([], (doc, analysis, params) => completionsAt(analysis, doc.offsetAt(params.position))),
  );

  connection.onDocumentFormatting(
    withDoc(null, (doc) => {
      const r = formatEdits(doc);
      if ("refused" in r) {
        // a notification: showErrorMessage would be a request, left hanging by clients without actions
        void connection.sendNotification(ShowMessageNotification.type, { type: MessageType.Error, message: r.refused });
        return null;
      }
      return r.edits;
    }),
  );

  connection.onCodeAction(withDoc([], (doc, _analysis, params) => quickFixes(doc.uri, params.context.diagnostics)));
  connection.onDocumentSymbol(withDoc([], (doc, analysis) => documentSymbols(doc, analysis)));
  connection.onFoldingRanges(withDoc([], (_doc, analysis) => foldingRanges(analysis)));
  connection.languages.semanticTokens.on(withDoc({ data: [] }, (doc, analysis) => semanticTokens(doc, analysis)));

  documents.listen(connection);
  connection.listen();
  return connection;
}
