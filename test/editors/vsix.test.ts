/**
 * `npm run package` builds the VS Code extension (editors/vscode) into a .vsix with @vscode/vsce:
 * the manifest, the TextMate grammar, the language configuration and one bundled script that
 * needs nothing at run time but VS Code's own `vscode` module and Node's built-ins.
 */
import { spawnSync } from "node:child_process";
import { builtinModules } from "node:module";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { describe, expect, it } from "vitest";

const VSIX = "editors/vscode/mtsl-vscode-0.1.0.vsix";

describe("npm run package", () => {
  it("writes the extension's .vsix with its grammar, configuration and a self-contained script", () => {
    rmSync(VSIX, { force: true });
    const r = spawnSync("npm", ["run", "-s", "package"], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    expect(r.status, r.stderr + r.stdout).toBe(0);
    expect(existsSync(VSIX)).toBe(true);

    const list = spawnSync(
      "/usr/bin/python3",
      ["-c", "import sys, zipfile; print('\\n'.join(zipfile.ZipFile(sys.argv[1]).namelist()))", VSIX],
      { encoding: "utf8" },
    );
    expect(list.status, list.stderr).toBe(0);
    const entries = list.stdout.trim().split("\n").sort();
    expect(entries).toEqual(
      expect.arrayContaining([
        "extension.vsixmanifest",
        "extension/package.json",
        "extension/dist/extension.js",
        "extension/syntaxes/mtsl.tmLanguage.json",
        "extension/language-configuration.json",
        "extension/readme.md",
      ]),
    );
    expect(entries.some((e) => e.startsWith("extension/src/"))).toBe(false);
    expect(entries.some((e) => e.includes("node_modules"))).toBe(false);

    const manifest = JSON.parse(readFileSync("editors/vscode/package.json", "utf8")) as {
      contributes: { languages: { id: string; extensions: string[] }[]; grammars: { path: string }[] };
    };
    expect(manifest.contributes.languages[0]).toMatchObject({ id: "mtsl", extensions: [".mtsl"] });
    expect(existsSync(`editors/vscode/${manifest.contributes.grammars[0]!.path}`)).toBe(true);

    // the bundle requires VS Code's API and Node's built-ins only: the language client is inside it
    const bundle = readFileSync("editors/vscode/dist/extension.js", "utf8");
    const required = new Set([...bundle.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]!));
    const builtins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);
    expect([...required].filter((m) => m !== "vscode" && !builtins.has(m))).toEqual([]);
    expect(required.has("vscode")).toBe(true);
    expect(bundle).toContain("lsp");
  }, 120_000);
});
