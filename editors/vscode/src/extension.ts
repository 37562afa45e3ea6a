/**
 * The VS Code extension: starts `mtslc lsp --stdio` (the installed mtslc, or the command the
 * `mtsl.server.command` setting names) for `.mtsl` files; every feature beyond highlighting
 * comes from that server.
 */
import * as vscode from "vscode";
import {
  LanguageClient,
  TransportKind,
  type LanguageClientOptions,
  type ServerOptions,
} from "vscode-languageclient/node";

let client: LanguageClient | undefined;

function serverOptions(): ServerOptions {
  const config = vscode.workspace.getConfiguration("mtsl.server");
  const command = config.get<string>("command", "mtslc");
  const args = config.get<string[]>("args", ["lsp", "--stdio"]);
  const cwd = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  // data paths in .mtsl files are relative to the working directory: the workspace's
  return {
    command,
    args,
    transport: TransportKind.stdio,
    options: cwd ? { cwd, shell: process.platform === "win32" } : {},
  };
}

async function start(context: vscode.ExtensionContext): Promise<void> {
  const clientOptions: LanguageClientOptions = {
    documentSelector: [{ language: "mtsl" }],
    outputChannelName: "mtsl",
  };
  client = new LanguageClient("mtsl", "mtsl language server", serverOptions(), clientOptions);
  try {
    await client.start();
  } catch (error) {
    void vscode.window.showErrorMessage(
      `mtsl: could not start '${vscode.workspace.getConfiguration("mtsl.server").get("command")} lsp' (${String(error)}). ` +
        "Install mtsl (npm install mtsl) and set mtsl.server.command to its mtslc.",
    );
  }
  context.subscriptions.push({ dispose: () => void client?.stop() });
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  context.subscriptions.push(
    vscode.commands.registerCommand("mtsl.restartServer", async () => {
      await client?.stop();
      await start(context);
    }),
    vscode.workspace.onDidChangeConfiguration(async (e) => {
      if (e.affectsConfiguration("mtsl.server")) {
        await client?.stop();
        await start(context);
      }
    }),
  );
  await start(context);
}

export async function deactivate(): Promise<void> {
  await client?.stop();
}
