/**
 * Why the oneDNN CPU path did not load, and what fixes it: the package missing (an install
 * that left out optional dependencies), the native addon never built (oneDNN's headers or a
 * compiler missing at install, or headers installed since), or oneDNN's shared library missing
 * at run time. Each says its own remedy instead of one hint for all.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";

/** Where the addon's build looks for oneDNN's headers (packages/onednn/scripts/check-onednn.js). */
function onednnHeadersInstalled(env: NodeJS.ProcessEnv = process.env): boolean {
  const header = join("oneapi", "dnnl", "dnnl.hpp");
  const dirs = env["MTSL_ONEDNN_INCLUDE"]
    ? [env["MTSL_ONEDNN_INCLUDE"]]
    : [...(env["CPATH"] ?? "").split(":").filter((d) => d !== ""), "/usr/include", "/usr/local/include"];
  return dirs.some((d) => existsSync(join(d, header)));
}

/** The remedy for `error`, thrown by importing mtsl-onednn (see runtime/backend/select.ts). */
export function onednnHint(error: unknown, headersInstalled = onednnHeadersInstalled()): string {
  const e = error as { code?: unknown; message?: unknown } | null;
  const message = typeof e?.message === "string" ? e.message : String(error);
  if (e?.code === "ERR_MODULE_NOT_FOUND" && message.includes("mtsl-onednn")) {
    return (
      "the mtsl-onednn package is not installed (it comes inside mtsl's package as an optional " +
      "dependency: reinstall mtsl without --omit=optional or --no-optional)"
    );
  }
  if (/lib\w*dnnl[\w.]*: cannot open shared object|dnnl.*(no such file|not found)/i.test(message)) {
    return (
      "the addon is built but oneDNN's library is missing at run time " +
      "(Debian/Ubuntu: `apt-get install libdnnl3`, or put its folder on LD_LIBRARY_PATH)"
    );
  }
  if (e?.code === "MTSL_ONEDNN_NOT_BUILT") {
    return headersInstalled
      ? "its native addon was never built, though oneDNN's headers are installed now: " +
          "run `npm rebuild mtsl-onednn` (it needs a C++ compiler, make and python3)"
      : "its native addon was not built because oneDNN's headers were missing: install them " +
          "(Debian/Ubuntu: `apt-get install libdnnl-dev`), then run `npm rebuild mtsl-onednn` (see docs/onednn.md)";
  }
  return "see docs/onednn.md for what the oneDNN path needs";
}
