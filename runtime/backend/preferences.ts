/**
 * The backends a user can ask for, without loading TensorFlow.js (the CLI's option
 * parser needs the list at start-up; runtime/backend/select.ts does the loading).
 */

/** The backends a user can ask for (`--backend`). */
export const BACKEND_PREFERENCES = ["auto", "gpu", "native", "onednn", "wasm", "cpu"] as const;

export type BackendPreference = (typeof BACKEND_PREFERENCES)[number];

export function isBackendPreference(value: string): value is BackendPreference {
  return (BACKEND_PREFERENCES as readonly string[]).includes(value);
}
