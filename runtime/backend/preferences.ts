/**
 * The backends a user can ask for, without loading TensorFlow.js (the CLI's option
 * parser needs the list at start-up; runtime/backend/select.ts does the loading). The list
 * is the language's (`train { backend: ... }`): one vocabulary for the file and the CLI.
 */
import { BACKENDS } from "../../compiler/catalog/training.js";

/** The backends a user can ask for (`--backend`, `backend:`). */
export const BACKEND_PREFERENCES = BACKENDS;

export type BackendPreference = (typeof BACKEND_PREFERENCES)[number];

export function isBackendPreference(value: string): value is BackendPreference {
  return (BACKEND_PREFERENCES as readonly string[]).includes(value);
}
