/**
 * Errors raised while choosing or preparing a TensorFlow.js backend.
 *
 * Kept in this folder (rather than runtime/errors.ts) so the backend module has no
 * dependency on the rest of the runtime.
 */

/** Stable diagnostic codes of the backend module. */
export const BackendErrorCode = {
  /** An explicitly requested backend is not installed or failed to load. */
  unavailable: "MTSL3101",
  /** A backend name that is not one of the known preferences. */
  unknownPreference: "MTSL3102",
  /** A training kernel was called with arguments it does not support. */
  unsupportedKernelArgs: "MTSL3103",
} as const;

export type BackendErrorCodeValue = (typeof BackendErrorCode)[keyof typeof BackendErrorCode];

/** An error with a stable `MTSL31xx` code from the backend module. */
export class BackendError extends Error {
  readonly code: BackendErrorCodeValue;

  constructor(message: string, code: BackendErrorCodeValue = BackendErrorCode.unavailable) {
    super(`${code}: ${message}`);
    this.name = "BackendError";
    this.code = code;
  }
}
