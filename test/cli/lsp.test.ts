/**
 * `mtslc lsp` through the protocol, as an editor uses it (issue 16, points 1 and 4): a real
 * client (vscode-languageserver-protocol over the server's stdio) opens the examples, edits
 * them incrementally and asks for every feature; malformed and half-typed documents (the
 * parser fuzz test's mutations) never stop the server.
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer, type AddressInfo, type Socket } from "node:net";
import { TextDocument } from "vscode-languageserver-textdocument";
import {
  CodeActionRequest,
  CompletionRequest,
  DefinitionRequest,
  DocumentFormattingRequest,
  DocumentSymbolRequest,
  FoldingRangeRequest,
  HoverRequest,
  InitializeRequest,
  createProtocolConnection,
  SocketMessageReader,
  SocketMessageWriter,
  PrepareRenameRequest,
  ReferencesRequest,
  RenameRequest,
  SemanticTokensRequest,
  type CompletionItem,
  type CompletionList,
  type Hover,
  type Location,
  type MarkupContent,
  type TextEdit,
} from "vscode-languageserver-protocol/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileSource } from "../../compiler/compile.js";
import { format } from "../../grammar/format.js";
import { mutate, rng } from "../grammar/mutations.js";
import { positionOf, startClient, type LspClient } from "./lsp-client.js";

const SCENES = readFileSync("examples/scenes.mtsl", "utf8");
const NYUV2 = readFileSync("examples/nyuv2.mtsl", "utf8");
const MULTIMNIST = readFileSync("examples/multimnist.mtsl", "utf8");
const URI = "file:///work/scenes.mtsl";
let client: LspClient;

beforeAll(async () => {
  client = await startClient();
}, 60_000);
afterAll(async () => {
  if (client && client.process.exitCode === null) client.process.kill();
});

const hoverText = async (uri: string, text: string, needle: string, into = 0, nth = 0): Promise<string> => {
  const h = (await client.connection.sendRequest(HoverRequest.type, {
    textDocument: { uri },
    position: positionOf(text, needle, into, nth),
  })) as Hover | null;
  return h === null ? "" : (h.contents as MarkupContent).value;
};

const labels = (r: CompletionItem[] | CompletionList | null): string[] =>
  (Array.isArray(r) ? r : (r?.items ?? [])).map((i) => i.label);

/** `text` with `edits` applied (as an editor applies a server's edits). */
function applied(text: string, edits: TextEdit[]): string {
  return TextDocument.applyEdits(TextDocument.create("x", "mtsl", 0, text), edits);
}

describe("mtslc lsp", () => {
  it("initialises with the features it serves", () => {
    const caps = client.initialized.capabilities;
    expect(caps.textDocumentSync).toBe(2); // incremental
    for (const key of [
      "hoverProvider",
      "definitionProvider",
      "referencesProvider",
      "renameProvider",
      "completionProvider",
      "documentFormattingProvider",
      "codeActionProvider",
      "documentSymbolProvider",
      "foldingRangeProvider",
      "semanticTokensProvider",
    ] as const) {
      expect(caps[key], key).toBeTruthy();
    }
    expect(client.initialized.serverInfo?.name).toBe("mtsl");
  });

  it("publishes check's diagnostics with ranges, codes and the did-you-mean as related information and a quick fix; an edit that fixes them clears them", async () => {
    const broken = SCENES.replace("concat(enc3)", "concat(emc3)").replace("bn relu // 16 x 16", "bm relu // 16 x 16");
    const uri = "file:///work/broken.mtsl";
    const published = await client.open(uri, broken);
    const byCode = new Map(published.diagnostics.map((d) => [d.code, d]));
    expect([...byCode.keys()].sort()).toEqual(["MTSL1031", "MTSL1070"]);
    const skip = byCode.get("MTSL1070")!;
    const at = positionOf(broken, "concat(emc3)", "concat(".length);
    expect(skip.range).toEqual({ start: at, end: { line: at.line, character: at.character + 4 } });
    expect(skip.severity).toBe(1);
    expect(skip.source).toBe("mtsl");
    expect(skip.message).toBe("concat in stage 'dec2' names unknown stage 'emc3'");
    const related = skip.relatedInformation![0]!;
    expect(related.message).toBe("did you mean 'enc3'?");
    // it points at enc3's declaration
    expect(related.location.range.start).toEqual(positionOf(broken, "enc3: basic"));

    const actions = (await client.connection.sendRequest(CodeActionRequest.type, {
      textDocument: { uri },
      range: skip.range,
      context: { diagnostics: published.diagnostics },
    })) as { title: string; edit: { changes: Record<string, TextEdit[]> } }[];
    expect(actions.map((a) => a.title).sort()).toEqual(["Change to 'bn'", "Change to 'enc3'"]);
    let fixed = broken;
    for (const a of actions) fixed = applied(fixed, a.edit.changes[uri]!);
    expect(fixed).toBe(SCENES);

    // an incremental edit (a range, not the whole text) fixes one, then the other
    const once = await client.change(uri, 2, [{ range: skip.range, text: "enc3" }]);
    expect(once.diagnostics.map((d) => d.code)).toEqual(["MTSL1031"]);
    const layer = once.diagnostics[0]!;
    const twice = await client.change(uri, 3, [{ range: layer.range, text: "bn" }]);
    expect(twice.diagnostics).toEqual([]);
  });

  it("reports the data on disk as check does (a missing npy folder is a warning at its path)", async () => {
    const published = await client.open("file:///work/nyuv2.mtsl", NYUV2);
    expect(published.diagnostics.map((d) => [d.code, d.severity])).toEqual([["MTSL3001", 2]]);
    expect(published.diagnostics[0]!.range.start).toEqual(positionOf(NYUV2, '"data/nyuv2"'));
  });

  it("hovers a stage with its layers, shape, parameters, FLOPs and groups; a task; a word; an option", async () => {
    await client.open(URI, SCENES);
    const stage = await hoverText(URI, SCENES, "concat(enc3)", "concat(".length);
    expect(stage).toContain("**stage `enc3`**");
    expect(stage).toContain("[16, 16, 32] → [8, 8, 64]");
    expect(stage).toContain("`basic(64, stride: 2)`");
    expect(stage).toMatch(
      /[\d,]+ parameters and [\d.]+M FLOPs per sample per instance; 5 instances: \{seg\} \{depth\}/,
    );
    const dec = await hoverText(URI, SCENES, "dec2:");
    expect(dec).toContain("reads `enc3` besides its input");

    const task = await hoverText(URI, SCENES, "{depth}", 1);
    expect(task).toContain("**task `depth`**: depth, target `depth`");
    expect(task).toContain('loss `rmse(valid: "positive")`, weight 0.5');
    expect(task).toContain("shares no stage");

    expect(await hoverText(URI, SCENES, "basic(16")).toContain("**layer `basic`**: ResNet basic block");
    expect(await hoverText(URI, SCENES, "stride: 2) bn")).toContain("**`stride`** of `conv`: Step of the kernel.");
    expect(await hoverText(URI, SCENES, "conv(16, 3", 5)).toContain("**`filters`** of `conv`");
    expect(await hoverText(URI, SCENES, "threshold:")).toContain("Similarity above which task layers merge");
    expect(await hoverText(URI, SCENES, "adam(")).toContain("optimizer `adam`");
    expect(await hoverText(URI, SCENES, "model Scenes", 1)).toBe("");
  });

  it("keeps hovering shapes and sharing while an edit has broken the file, marked as the last version that compiled", async () => {
    const uri = "file:///work/stale.mtsl";
    await client.open(uri, SCENES);
    const broken = SCENES.replace("{edge}", "{egde}");
    const at = positionOf(SCENES, "{edge}", 1);
    await client.change(uri, 2, [
      { range: { start: at, end: { line: at.line, character: at.character + 4 } }, text: "egde" },
    ]);
    const stage = await hoverText(uri, broken, "enc3: basic");
    expect(stage).toContain("[16, 16, 32] → [8, 8, 64]");
    expect(stage).toContain("As of the last version of this file that compiled");
    const fresh = "file:///work/never-compiled.mtsl";
    await client.open(fresh, broken);
    expect(await hoverText(fresh, broken, "enc3: basic")).toContain("appear once the file compiles without errors");
  });

  it("hovers a multi-scale head's stages as the instances the task reads", async () => {
    const uri = "file:///work/nyuv2-hover.mtsl";
    await client.open(uri, NYUV2);
    const fuse = await hoverText(uri, NYUV2, "fuse([dec1", 0);
    expect(fuse).toContain("**layer `fuse`**");
    const dec3 = await hoverText(uri, NYUV2, "dec3,");
    expect(dec3).toContain("`decoder_bottleneck(64, skip: enc2, expansion: 4)`");
    expect(dec3).toContain("[36, 48, 256]");
  });

  it("goes to the definition of a stage and a task and finds their references", async () => {
    const def = (await client.connection.sendRequest(DefinitionRequest.type, {
      textDocument: { uri: URI },
      position: positionOf(SCENES, "concat(enc4)", "concat(".length + 2),
    })) as Location;
    expect(def.range.start).toEqual(positionOf(SCENES, "enc4: basic"));

    const refs = (await client.connection.sendRequest(ReferencesRequest.type, {
      textDocument: { uri: URI },
      position: positionOf(SCENES, "stem:"),
      context: { includeDeclaration: true },
    })) as Location[];
    // the declaration and the sharing row
    expect(refs.map((r) => r.range.start)).toEqual([positionOf(SCENES, "stem:"), positionOf(SCENES, "stem..dec4")]);

    const taskRefs = (await client.connection.sendRequest(ReferencesRequest.type, {
      textDocument: { uri: URI },
      position: positionOf(SCENES, "task normal", 5),
      context: { includeDeclaration: false },
    })) as Location[];
    expect(taskRefs.map((r) => r.range.start)).toEqual([positionOf(SCENES, "{normal}", 1)]);
  });

  it("renames a task and a stage everywhere they are named, refusing a keyword or a taken name", async () => {
    const uri = "file:///work/rename.mtsl";
    await client.open(uri, SCENES);
    const prepare = (await client.connection.sendRequest(PrepareRenameRequest.type, {
      textDocument: { uri },
      position: positionOf(SCENES, "{seg}", 2),
    })) as { placeholder: string };
    expect(prepare.placeholder).toBe("seg");
    const rename = async (needle: string, into: number, newName: string) =>
      (await client.connection.sendRequest(RenameRequest.type, {
        textDocument: { uri },
        position: positionOf(SCENES, needle, into),
        newName,
      })) as { changes: Record<string, TextEdit[]> };
    const seg = await rename("{seg}", 1, "semantic");
    const renamed = applied(SCENES, seg.changes[uri]!);
    expect(renamed).toContain("task semantic: segmentation");
    expect(renamed).toContain("stem..dec4: {semantic} {depth}");
    const enc3 = await rename("enc3: basic", 0, "middle");
    const both = applied(renamed, enc3.changes[uri]!);
    expect(both).toContain("middle: basic(64, stride: 2)");
    expect(both).toContain("concat(middle)");
    const compiled = compileSource(both);
    expect(compiled.diagnostics).toEqual([]);
    expect(compiled.ir!.tasks.map((t) => t.name)).toContain("semantic");

    await expect(rename("{seg}", 1, "train")).rejects.toThrow("'train' is a keyword");
    await expect(rename("{seg}", 1, "depth")).rejects.toThrow("there is already a task named 'depth'");
    await expect(rename("{seg}", 1, "9lives")).rejects.toThrow("is not a name");
  });

  it("completes keywords, layers and their options, enum values, stage names in skips and task names in groups", async () => {
    const uri = "file:///work/complete.mtsl";
    const complete = async (text: string, needle: string, into: number, nth = 0) => {
      await client.open(uri + encodeURIComponent(needle), text);
      return labels(
        await client.connection.sendRequest(CompletionRequest.type, {
          textDocument: { uri: uri + encodeURIComponent(needle) },
          position: positionOf(text, needle, into, nth),
        }),
      );
    };
    const half = (edit: string, at: string): string => SCENES.replace(at, edit);
    // a sharing group being typed: the task names
    expect(
      await complete(half("stem..dec4: {seg} {de", "stem..dec4: {seg} {depth} {normal} {edge} {ae}"), "{de", 3),
    ).toEqual(["seg", "depth", "normal", "edge", "ae"]);
    // a concat being typed: the stage names
    const skip = await complete(
      half("dec4: upsample(2) concat(e", "dec4: upsample(2) concat(enc1) conv(16, 3) bn relu"),
      "concat(e",
      8,
    );
    expect(skip).toEqual(expect.arrayContaining(["stem", "enc1", "enc5", "dec3"]));
    // a layer after a stage's colon
    const layer = await complete(half("enc1: ba", "enc1: basic(16)"), "enc1: ba", 8);
    expect(layer).toEqual(expect.arrayContaining(["basic", "bottleneck", "conv", "fuse", "decoder_bottleneck"]));
    // a conv's options, and the values of one
    const options = await complete(
      half("stem: conv(16, 3, s", "stem: conv(16, 3, stride: 2)"),
      "stem: conv(16, 3, s",
      19,
    );
    expect(options).toEqual(expect.arrayContaining(["stride", "padding", "dilation", "bias", "init"]));
    expect(options).not.toContain("filters");
    const padding = await complete(
      half("stem: conv(16, 3, padding: s", "stem: conv(16, 3, stride: 2)"),
      "padding: s",
      10,
    );
    expect(padding).toEqual(["same", "valid", "symmetric"]);
    // a task's loss: the losses of its kind
    const loss = await complete(half("loss: r", "loss: rmse"), "loss: r", 7);
    expect(loss).toContain("rmse");
    expect(loss).not.toContain("ce");
    // the settings of train, and members of the model
    const train = await complete(half("    epochs: 24\n    ep", "    epochs: 24"), "    ep", 6, 1);
    expect(train).toEqual(expect.arrayContaining(["batch", "optimizer", "pretrain"]));
    expect(train).not.toContain("epochs"); // already set
    // a data source and a task kind
    expect(
      await complete(
        SCENES.replace("data scenes(", "data sc(").replace("  task seg", "  data sc\n  task seg"),
        "data sc\n",
        7,
      ),
    ).toEqual(expect.arrayContaining(["scenes", "multimnist", "npy"]));
    const kinds = await complete(SCENES.replace("  task seg", "  task extra: se\n  task seg"), "task extra: se", 14);
    expect(kinds).toEqual(expect.arrayContaining(["segmentation", "depth", "normals", "edges", "reconstruction"]));
    const member = await complete(SCENES.replace("  backbone {", "  ba\n  backbone {"), "  ba\n", 4);
    expect(member).toEqual(["input", "data", "task", "backbone", "sharing", "structural_learning", "train"]);
  });

  it("formats to the canonical layout, and refuses a file with syntax errors with a message", async () => {
    const messy = MULTIMNIST.replace(/\n {2}/g, "\n      ").replace("conv(32, 3)", "conv( 32 ,3 )");
    const uri = "file:///work/messy.mtsl";
    await client.open(uri, messy);
    const edits = (await client.connection.sendRequest(DocumentFormattingRequest.type, {
      textDocument: { uri },
      options: { tabSize: 2, insertSpaces: true },
    })) as TextEdit[];
    expect(applied(messy, edits)).toBe(format(messy).text);
    expect(applied(messy, edits)).toBe(format(MULTIMNIST).text);

    const bad = "file:///work/bad.mtsl";
    await client.open(bad, "model M {\n  input image: f32[32, 32, 3\n}\n");
    const none = await client.connection.sendRequest(DocumentFormattingRequest.type, {
      textDocument: { uri: bad },
      options: { tabSize: 2, insertSpaces: true },
    });
    expect(none).toBeNull();
    await new Promise((r) => setTimeout(r, 200));
    expect(client.messages.at(-1)?.message).toMatch(/^mtsl: not formatted: line \d+: MTSL00\d\d /);
  });

  it("gives an outline, folding ranges and semantic tokens", async () => {
    const symbols = (await client.connection.sendRequest(DocumentSymbolRequest.type, {
      textDocument: { uri: URI },
    })) as { name: string; children?: { name: string; children?: { name: string }[] }[] }[];
    expect(symbols.map((s) => s.name)).toEqual(["Scenes"]);
    const members = symbols[0]!.children!;
    expect(members.map((m) => m.name)).toEqual(
      expect.arrayContaining(["image", "seg", "depth", "normal", "edge", "ae", "backbone", "sharing", "train"]),
    );
    expect(members.find((m) => m.name === "backbone")!.children!.map((c) => c.name)).toEqual([
      "stem",
      "enc1",
      "enc2",
      "enc3",
      "enc4",
      "enc5",
      "dec1",
      "dec2",
      "dec3",
      "dec4",
    ]);

    const folds = (await client.connection.sendRequest(FoldingRangeRequest.type, {
      textDocument: { uri: URI },
    })) as { startLine: number; endLine: number }[];
    const backbone = positionOf(SCENES, "  backbone {").line;
    expect(folds).toContainEqual({ startLine: backbone, endLine: backbone + 11 });

    const tokens = (await client.connection.sendRequest(SemanticTokensRequest.type, { textDocument: { uri: URI } }))!;
    const legend = client.initialized.capabilities.semanticTokensProvider!.legend;
    // decode: [deltaLine, deltaStart, length, type, modifiers] per token
    const decoded: { line: number; char: number; length: number; type: string; declaration: boolean }[] = [];
    let line = 0;
    let char = 0;
    for (let i = 0; i < tokens.data.length; i += 5) {
      const [dl, ds, len, type, mods] = tokens.data.slice(i, i + 5) as [number, number, number, number, number];
      line += dl;
      char = dl === 0 ? char + ds : ds;
      decoded.push({ line, char, length: len, type: legend.tokenTypes[type]!, declaration: (mods & 1) === 1 });
    }
    const at = (needle: string, into = 0) => {
      const p = positionOf(SCENES, needle, into);
      return decoded.find((t) => t.line === p.line && t.char === p.character);
    };
    expect(at("stem: conv")).toEqual({ ...at("stem: conv")!, type: "variable", declaration: true });
    expect(at("concat(enc4)", 7)?.type).toBe("variable");
    expect(at("concat(enc4)")?.type).toBe("function");
    expect(at("stride: 2) bn")?.type).toBe("property");
    expect(at("task seg")?.type).toBe("keyword");
    expect(at("task seg", 5)).toMatchObject({ type: "type", declaration: true });
    expect(at("// Scenes")?.type).toBe("comment");
    expect(at("classes: 6", 9)?.type).toBe("number");
  });

  it("survives malformed and half-typed documents (the parser fuzz test's mutations) and answers every request", async () => {
    const uri = "file:///work/fuzz.mtsl";
    await client.open(uri, SCENES);
    const random = rng(16);
    let version = 1;
    for (let k = 0; k < 300; k++) {
      const source = k % 2 === 0 ? SCENES : NYUV2;
      const mutant = mutate(source, random).text;
      version++;
      const published = await client.change(uri, version, [{ text: mutant }]);
      expect(Array.isArray(published.diagnostics)).toBe(true);
      const doc = TextDocument.create(uri, "mtsl", version, mutant);
      const position = doc.positionAt(Math.floor(random() * (mutant.length + 1)));
      const textDocument = { uri };
      await Promise.all([
        client.connection.sendRequest(HoverRequest.type, { textDocument, position }),
        client.connection.sendRequest(CompletionRequest.type, { textDocument, position }),
        client.connection.sendRequest(DefinitionRequest.type, { textDocument, position }),
        client.connection.sendRequest(ReferencesRequest.type, {
          textDocument,
          position,
          context: { includeDeclaration: true },
        }),
        client.connection.sendRequest(DocumentSymbolRequest.type, { textDocument }),
        client.connection.sendRequest(FoldingRangeRequest.type, { textDocument }),
        client.connection.sendRequest(SemanticTokensRequest.type, { textDocument }),
        client.connection.sendRequest(DocumentFormattingRequest.type, {
          textDocument,
          options: { tabSize: 2, insertSpaces: true },
        }),
      ]);
    }
    expect(client.stderr()).not.toContain("internal error");
    expect(client.process.exitCode).toBeNull();
  }, 120_000);

  it("shuts down and exits cleanly", async () => {
    expect(await client.stop()).toBe(0);
  });

  it("talks over a socket the client listens on (--socket PORT)", async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as AddressInfo).port;
    const accepted = new Promise<Socket>((resolve) => server.once("connection", resolve));
    const child = spawn(process.execPath, ["--import", "tsx", "cli/main.ts", "lsp", "--socket", String(port)], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    try {
      const socket = await accepted;
      const connection = createProtocolConnection(new SocketMessageReader(socket), new SocketMessageWriter(socket));
      connection.listen();
      const result = await connection.sendRequest(InitializeRequest.type, {
        processId: null,
        rootUri: null,
        capabilities: {},
      });
      expect(result.serverInfo?.name).toBe("mtsl");
      connection.dispose();
    } finally {
      child.kill();
      server.close();
    }
  }, 60_000);

  it("refuses a socket that is not a port, with a usage error", async () => {
    const r = spawn(process.execPath, ["--import", "tsx", "cli/main.ts", "lsp", "--socket", "http"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    r.stderr!.on("data", (b: Buffer) => void (stderr += b.toString()));
    const code = await new Promise<number | null>((resolve) => r.once("exit", resolve));
    expect(code).toBe(2);
    expect(stderr).toContain("--socket expects a port number (1-65535), got 'http'");
  }, 60_000);
});
