/**
 * The language server reads a folder source's `.npy` headers once per burst of edits, not on
 * every keystroke (cli/lsp/analysis.ts DataProbeMemo): while the data call, input and tasks are
 * unchanged and the memo is fresh, the last probe answers; an edit to the data call, or the time
 * to live running out, reads the disk again.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TextDocument } from "vscode-languageserver-textdocument";
import { afterAll, describe, expect, it } from "vitest";
import { analyse, DataProbeMemo, diagnose } from "../../cli/lsp/analysis.js";
import { shrunkNyuv2Example, writeNyuv2Layout } from "../fixtures/nyuv2-layout.js";

const dir = mkdtempSync(join(tmpdir(), "mtsl-lsp-probe-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const codes = async (text: string, version: number, memo: DataProbeMemo): Promise<string[]> =>
  (await diagnose(analyse(TextDocument.create("file:///m.mtsl", "mtsl", version, text), "m.mtsl"), memo)).map(
    (d) => d.code,
  );

describe("the server's data probe", () => {
  it("answers repeated edits from one read of the headers, and reads again when the data call changes or the memo is stale", async () => {
    const data = writeNyuv2Layout(join(dir, "nyuv2"), { size: 32, train: 2, val: 1 });
    const text = shrunkNyuv2Example(data, { size: 32 });
    const memo = new DataProbeMemo(60_000);
    expect(await codes(text, 1, memo)).toEqual([]);
    rmSync(data, { recursive: true, force: true });
    // an edit elsewhere (a comment): the probe of a moment ago still answers
    expect(await codes(text + "\n// edited\n", 2, memo)).toEqual([]);
    // the data call changed: the disk is read (the folder is gone now)
    const moved = text.replace(JSON.stringify(data), JSON.stringify(join(dir, "gone")));
    expect(await codes(moved, 3, memo)).toEqual(["MTSL3001"]);
    // and without a memo that keeps anything, every edit reads the disk
    expect(await codes(text, 4, new DataProbeMemo(0))).toEqual(["MTSL3001"]);
  });
});
