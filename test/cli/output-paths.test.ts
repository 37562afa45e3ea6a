/**
 * Impossible output paths (issue 14, point 3): every command that writes checks its output
 * path before any work, and a file used as a folder, a missing folder, a folder it may not
 * write and /proc each give MTSL3205 naming the path given, exit code 2, nothing created, no
 * hang and no "internal error".
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { mtslc } from "./helpers.js";

const dir = mkdtempSync(join(tmpdir(), "mtsl-out-paths-"));
afterAll(() => {
  chmodSync(join(dir, "locked"), 0o755);
  rmSync(dir, { recursive: true, force: true });
});
const FILE = "test/fixtures/models/tiny.mtsl";
const aFile = join(dir, "a-file");
writeFileSync(aFile, "not a folder\n");
mkdirSync(join(dir, "locked"));
chmodSync(join(dir, "locked"), 0o555);
const isRoot = typeof process.getuid === "function" && process.getuid() === 0;

/** Each command with an output folder or file, as a function of that path. */
const COMMANDS: [string, "folder" | "file", (out: string) => string[]][] = [
  ["compile", "folder", (out) => ["compile", FILE, "-o", out]],
  [
    "train",
    "folder",
    (out) => ["train", FILE, "-o", out, "--backend", "cpu", "--epochs", "1", "--train-limit", "16", "-q"],
  ],
  [
    "affinity",
    "folder",
    (out) => ["affinity", FILE, "-o", out, "--backend", "cpu", "--epochs", "1", "--train-limit", "16", "-q"],
  ],
  ["graph", "file", (out) => ["graph", FILE, "--format", "dot", "-o", out]],
  ["report", "file", (out) => ["report", dir, "-o", out]],
];

const CASES: [string, (kind: "folder" | "file") => string][] = [
  ["a file used as a folder", (kind) => join(aFile, kind === "folder" ? "run" : "g.dot")],
  ["/proc", (kind) => (kind === "folder" ? "/proc/mtsl-out" : "/proc/mtsl-out.dot")],
  ["a missing folder", (kind) => join(dir, "missing", kind === "folder" ? "deeper/run" : "r.html")],
  ["a folder it may not write", (kind) => join(dir, "locked", kind === "folder" ? "run" : "r.html")],
];

describe("impossible output paths", () => {
  for (const [name, kind, args] of COMMANDS) {
    for (const [label, pathFor] of CASES) {
      const out = pathFor(kind);
      const possible = label === "a missing folder" && kind === "folder"; // folders are made, files need theirs
      it(`${name} -o <${label}>${possible ? " makes the folder" : ": MTSL3205"}`, async (ctx) => {
        if (label === "a folder it may not write" && isRoot) ctx.skip(); // root writes anywhere
        const before = readdirSync(dir).sort();
        const r = await mtslc(args(out));
        expect(r.stderr).not.toContain("internal error");
        if (possible) {
          if (name === "affinity") expect(r.code, r.stderr).not.toBe(70);
          else expect(r.code, r.stderr).toBe(0);
          rmSync(join(dir, "missing"), { recursive: true, force: true });
          return;
        }
        expect(r.code, r.stderr).toBe(2);
        expect(r.stderr).toContain("MTSL3205");
        expect(r.stderr).toContain(out);
        expect(r.stderr).not.toMatch(/\.tmp/);
        expect(readdirSync(dir).sort()).toEqual(before);
        expect(existsSync(out)).toBe(false);
      }, 60_000);
    }
  }
});
