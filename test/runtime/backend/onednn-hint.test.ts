/**
 * The oneDNN fallback hint says the true reason (issue 14, point 5): a missing package, an
 * addon never built (with oneDNN's headers missing, or installed since), or oneDNN's library
 * missing at run time each get their own remedy.
 */
import { describe, expect, it } from "vitest";
import { onednnHint } from "../../../runtime/backend/onednn-hint.js";

const notBuilt = (cause: string): Error =>
  Object.assign(new Error(`mtsl-onednn: the native oneDNN addon cannot be loaded (${cause})`), {
    code: "MTSL_ONEDNN_NOT_BUILT",
  });

describe("the oneDNN fallback hint", () => {
  it("names a package that is not installed, from the error Node really throws", async () => {
    const error = await import("mtsl-onednn-not-installed" as string).then(
      () => null,
      (e: unknown) => e,
    );
    expect((error as { code?: string }).code).toBe("ERR_MODULE_NOT_FOUND");
    const hint = onednnHint(error);
    expect(hint).toContain("not installed");
    expect(hint).not.toContain("libdnnl-dev");
  });

  it("asks for the headers only when they are missing", () => {
    const error = notBuilt("Cannot find module '../build/Release/mtsl_onednn.node'");
    expect(onednnHint(error, false)).toContain("apt-get install libdnnl-dev");
    const rebuild = onednnHint(error, true);
    expect(rebuild).toContain("npm rebuild mtsl-onednn");
    expect(rebuild).toContain("headers are installed now");
    expect(rebuild).not.toContain("apt-get install libdnnl-dev");
  });

  it("names oneDNN's shared library when the built addon cannot load it", () => {
    const error = notBuilt("libdnnl.so.3: cannot open shared object file: No such file or directory");
    const hint = onednnHint(error, true);
    expect(hint).toContain("libdnnl3");
    expect(hint).not.toContain("npm rebuild");
  });
});
