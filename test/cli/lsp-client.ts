/**
 * A language-server client for tests: starts `mtslc lsp --stdio` as a child process and talks to
 * it over the protocol (vscode-languageserver-protocol's connection, as an editor's client does).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { TextDocument } from "vscode-languageserver-textdocument";
import {
  createProtocolConnection,
  DidChangeTextDocumentNotification,
  DidOpenTextDocumentNotification,
  ExitNotification,
  InitializedNotification,
  InitializeRequest,
  PublishDiagnosticsNotification,
  ShowMessageNotification,
  ShutdownRequest,
  StreamMessageReader,
  StreamMessageWriter,
  type InitializeResult,
  type Position,
  type ProtocolConnection,
  type PublishDiagnosticsParams,
  type ShowMessageParams,
  type TextDocumentContentChangeEvent,
} from "vscode-languageserver-protocol/node";

export interface LspClient {
  connection: ProtocolConnection;
  process: ChildProcess;
  initialized: InitializeResult;
  /** Every showMessage the server sent, in order. */
  messages: ShowMessageParams[];
  /** Everything the server wrote to stderr. */
  stderr: () => string;
  open(uri: string, text: string): Promise<PublishDiagnosticsParams>;
  change(uri: string, version: number, changes: TextDocumentContentChangeEvent[]): Promise<PublishDiagnosticsParams>;
  stop(): Promise<number | null>;
}

/** Starts the server and initialises it. */
export async function startClient(): Promise<LspClient> {
  const child = spawn(process.execPath, ["--import", "tsx", "cli/main.ts", "lsp", "--stdio"], {
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr!.on("data", (b: Buffer) => void (stderr += b.toString()));
  const connection = createProtocolConnection(
    new StreamMessageReader(child.stdout!),
    new StreamMessageWriter(child.stdin!),
  );
  const waiting = new Map<string, { version: number; resolve: (p: PublishDiagnosticsParams) => void }[]>();
  connection.onNotification(PublishDiagnosticsNotification.type, (p) => {
    const queue = waiting.get(p.uri) ?? [];
    const i = queue.findIndex((w) => w.version === p.version);
    if (i >= 0) queue.splice(i, 1)[0]!.resolve(p);
  });
  const messages: ShowMessageParams[] = [];
  connection.onNotification(ShowMessageNotification.type, (p) => void messages.push(p));
  connection.listen();
  const initialized = await connection.sendRequest(InitializeRequest.type, {
    processId: process.pid,
    rootUri: null,
    capabilities: { textDocument: { publishDiagnostics: { relatedInformation: true, versionSupport: true } } },
  });
  await connection.sendNotification(InitializedNotification.type, {});

  const diagnosticsOf = (uri: string, version: number): Promise<PublishDiagnosticsParams> =>
    new Promise((resolve) => {
      const queue = waiting.get(uri) ?? [];
      queue.push({ version, resolve });
      waiting.set(uri, queue);
    });

  return {
    connection,
    process: child,
    initialized,
    messages,
    stderr: () => stderr,
    async open(uri, text) {
      const published = diagnosticsOf(uri, 1);
      await connection.sendNotification(DidOpenTextDocumentNotification.type, {
        textDocument: { uri, languageId: "mtsl", version: 1, text },
      });
      return published;
    },
    async change(uri, version, changes) {
      const published = diagnosticsOf(uri, version);
      await connection.sendNotification(DidChangeTextDocumentNotification.type, {
        textDocument: { uri, version },
        contentChanges: changes,
      });
      return published;
    },
    async stop() {
      const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
      await connection.sendRequest(ShutdownRequest.type);
      await connection.sendNotification(ExitNotification.type);
      const code = await exited;
      connection.dispose();
      return code;
    },
  };
}

/** The protocol position of the `nth` occurrence of `needle` in `text`, `into` characters into it. */
export function positionOf(text: string, needle: string, into = 0, nth = 0): Position {
  let at = -1;
  for (let k = 0; k <= nth; k++) {
    at = text.indexOf(needle, at + 1);
    if (at < 0) throw new Error(`'${needle}' (occurrence ${nth + 1}) is not in the text`);
  }
  return TextDocument.create("x", "mtsl", 0, text).positionAt(at + into);
}
