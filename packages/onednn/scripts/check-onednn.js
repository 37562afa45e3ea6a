#!/usr/bin/env node
/**
 * Finds oneDNN's headers for the addon's build.
 *
 *   node scripts/check-onednn.js                 exits 1, saying how to get oneDNN, when
 *                                                 oneapi/dnnl/dnnl.hpp cannot be found
 *   node scripts/check-onednn.js --include-dirs  prints extra include folders for binding.gyp
 *   node scripts/check-onednn.js --library-dirs  prints extra -L flags for binding.gyp
 *
 * MTSL_ONEDNN_INCLUDE / MTSL_ONEDNN_LIB name a oneDNN installed elsewhere; when
 * MTSL_ONEDNN_INCLUDE is set only that folder is searched.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";

const HEADER = join("oneapi", "dnnl", "dnnl.hpp");
const custom = process.env.MTSL_ONEDNN_INCLUDE;
const customLib = process.env.MTSL_ONEDNN_LIB;

function searchDirs() {
  if (custom) return [custom];
  const fromEnv = (process.env.CPATH ?? "").split(":").filter((d) => d !== "");
  return [...fromEnv, "/usr/include", "/usr/local/include", "/opt/homebrew/include"];
}

const mode = process.argv[2];
if (mode === "--include-dirs") {
  process.stdout.write(custom ? custom : "");
} else if (mode === "--library-dirs") {
  process.stdout.write(customLib ? `-L${customLib} -Wl,-rpath,${customLib}` : "");
} else {
  const found = searchDirs().find((dir) => existsSync(join(dir, HEADER)));
  if (found === undefined) {
    console.error(
      `mtsl-onednn: oneDNN headers not found (looked for ${HEADER} in ${searchDirs().join(", ")}).\n` +
        "  Install oneDNN (Debian/Ubuntu: `apt-get install libdnnl-dev`), or set MTSL_ONEDNN_INCLUDE and\n" +
        "  MTSL_ONEDNN_LIB to its include and lib folders, then run `npm rebuild mtsl-onednn`.\n" +
        "  mtsl-onednn is optional: the mtsl runtime falls back to the WebAssembly backend without it.",
    );
    process.exit(1);
  }
  console.log(`mtsl-onednn: building against oneDNN in ${found}`);
}
