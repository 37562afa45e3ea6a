/**
 * The WebAssembly backend's way of failing when a model outgrows it: its module aborts
 * (`Aborted()`, or a `WebAssembly.RuntimeError`) once its memory, which WebAssembly caps at
 * 4 GiB, is exhausted. Left alone this reaches the user as an internal error with no hint;
 * {@link asWasmAbort} turns it into MTSL3102 with the model's size and what to do.
 */
import { MtslError } from "../errors.js";

/** Whether `error` is the WebAssembly module aborting (not an error of ours thrown through it). */
export function isWasmAbort(error: unknown): boolean {
  if (error instanceof MtslError) return false;
  if (error instanceof Error && error.name === "RuntimeError") return true; // WebAssembly.RuntimeError
  const message = error instanceof Error ? error.message : typeof error === "string" ? error : "";
  return /^Aborted\(/.test(message) || /memory access out of bounds|Cannot enlarge memory/.test(message);
}

/** Runs `work`; on the wasm backend, a module abort becomes MTSL3102 (anything else passes through). */
export async function asWasmAbort<T>(backend: string, params: number, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (backend !== "wasm" || !isWasmAbort(error)) throw error;
    throw new MtslError(
      "MTSL3102",
      `the WebAssembly backend aborted while training a model of ${params.toLocaleString("en-US")} parameters ` +
        `(most often its memory, at most 4 GiB for weights, gradients, optimiser state and activations, ran out): ` +
        `train on onednn (--backend onednn), or use a smaller batch or a narrower network`,
      { cause: error },
    );
  }
}
