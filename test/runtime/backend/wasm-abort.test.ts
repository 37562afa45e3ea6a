/** A WebAssembly module abort on the wasm backend becomes MTSL3102; nothing else is touched. */
import { describe, expect, it } from "vitest";
import { asWasmAbort, isWasmAbort } from "../../../runtime/backend/wasm-abort.js";
import { MtslError } from "../../../runtime/errors.js";

const runtimeError = (): Error => Object.assign(new Error("memory access out of bounds"), { name: "RuntimeError" });

describe("wasm aborts", () => {
  it("recognises the module's abort and its runtime errors, not our own errors", () => {
    expect(isWasmAbort(new Error("Aborted(). Build with -sASSERTIONS for more info."))).toBe(true);
    expect(isWasmAbort("Aborted(OOM)")).toBe(true);
    expect(isWasmAbort(runtimeError())).toBe(true);
    expect(isWasmAbort(new Error("Shapes [2,3] and [3,2] must match"))).toBe(false);
    expect(isWasmAbort(new MtslError("MTSL3201", "Aborted(because NaN)"))).toBe(false);
  });

  it("turns an abort on wasm into MTSL3102 with the model's size, and passes the rest through", async () => {
    const abort = (): Promise<never> => Promise.reject(new Error("Aborted()"));
    const caught = await asWasmAbort("wasm", 107_097_685, abort).catch((e: unknown) => e);
    expect(caught).toBeInstanceOf(MtslError);
    expect((caught as MtslError).code).toBe("MTSL3102");
    expect((caught as MtslError).message).toContain("107,097,685 parameters");
    expect((caught as MtslError).message).toContain("--backend onednn");
    await expect(asWasmAbort("onednn", 1, abort)).rejects.toThrow("Aborted()");
    const other = new Error("a bug of ours");
    await expect(asWasmAbort("wasm", 1, () => Promise.reject(other))).rejects.toBe(other);
    await expect(asWasmAbort("wasm", 1, () => Promise.resolve(7))).resolves.toBe(7);
  });
});
