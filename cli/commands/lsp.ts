/**
 * `mtslc lsp`: starts the language server (cli/lsp/server.ts) and runs until the client ends it.
 * On stdio, stdout carries the protocol alone: anything else a library prints there goes to
 * stderr instead.
 */
import { EXIT, type CliContext } from "../io.js";

export interface LspOptions {
  stdio?: boolean;
  socket?: string;
}

export async function runLsp(options: LspOptions, ctx: CliContext): Promise<number> {
  if (options.stdio && options.socket !== undefined) {
    ctx.stderr.write("mtslc lsp: --stdio and --socket cannot be used together\n");
    return EXIT.usage;
  }
  let port: number | undefined;
  if (options.socket !== undefined) {
    port = Number(options.socket);
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      ctx.stderr.write(`mtslc lsp: --socket expects a port number (1-65535), got '${options.socket}'\n`);
      return EXIT.usage;
    }
  }
  if (port === undefined) {
    // the protocol owns stdout: route console output of any library to stderr
    const toStderr = (...args: unknown[]): void => void process.stderr.write(`${args.map(String).join(" ")}\n`);
    console.log = toStderr;
    console.info = toStderr;
    console.warn = toStderr;
    console.debug = toStderr;
  }
  const { startServer } = await import("../lsp/server.js");
  startServer({ transport: port === undefined ? { kind: "stdio" } : { kind: "socket", port } });
  // the server exits the process on the client's `exit` notification (or when its input closes)
  return new Promise<number>(() => {});
}
