/**
 * Runtime errors with stable codes.
 *
 * The compiler reports problems in a `.mtsl` file as diagnostics (data, never
 * exceptions). The runtime meets problems the file cannot show: a data folder
 * that is missing, an array of the wrong shape, a bad option passed by a
 * program. Those are thrown as {@link MtslError}: an `Error` with a stable
 * `code` (`MTSL3xxx` for data), the file it is about, and what was expected and
 * found, so a program can branch on the code and a person can read the message.
 */

/** Every runtime error code, with a one-line meaning. Codes never change meaning. */
export const RUNTIME_ERROR_CODES = {
  MTSL3001: "a data file or folder is missing",
  MTSL3002: "an array has the wrong dtype (or values of the wrong kind, e.g. fractional labels)",
  MTSL3003: "an array has the wrong shape, or arrays of one dataset disagree in shape or count",
  MTSL3004: "a class label is out of range",
  MTSL3005: "data holds NaN or Infinity",
  MTSL3006: "a bad option: unknown name, wrong type or out of range",
  MTSL3007: "a file is not a readable .npy array (bad magic, header or length)",
  MTSL3008: "a value is outside its allowed range (e.g. image outside [0, 1], negative depth)",
  MTSL3009: "unknown data source name",
  MTSL3010: "a bad batch request (unknown split, sample index out of range)",
  MTSL3011: "a bad random-generator state passed to setState",
  MTSL3101: "the requested backend is not available",
  MTSL3102: "the backend aborted while training, most often out of memory (WebAssembly: at most 4 GiB)",
  MTSL3201: "a task's loss became NaN or infinite; training stopped",
  MTSL3202: "a run directory or file is missing or not a run of this model",
  MTSL3203: "the output folder already holds a run (resume it with --resume or replace it with --force)",
  MTSL3204: "the run is finished: nothing to resume unless --epochs extends it",
  MTSL3205:
    "an output path cannot be written (a file where a folder is needed, a missing or read-only folder, a virtual file system)",
  MTSL3206: "train { warm_start } names no run, revision or checkpoint, or one whose weights do not fit this model",
  MTSL3301: "a checkpoint file is not readable",
} as const;

/** A stable runtime error code, e.g. `"MTSL3001"`. */
export type RuntimeErrorCode = keyof typeof RUNTIME_ERROR_CODES;

/** Extra facts attached to an {@link MtslError}. */
export interface MtslErrorDetails {
  /** The file or folder the error is about. */
  file?: string;
  /** The option the error is about (for MTSL3006). */
  option?: string;
  /** What was expected, in words (`"float32 of shape [288, 384, 3]"`). */
  expected?: string;
  /** What was found, in words. */
  found?: string;
  /** The underlying error, if any. */
  cause?: unknown;
}

/**
 * An error raised by the runtime, with a stable code.
 *
 * `message` is complete on its own: it starts with the code and names the file
 * (when there is one) and what was expected versus found.
 */
export class MtslError extends Error {
  readonly code: RuntimeErrorCode;
  readonly file?: string;
  readonly option?: string;
  readonly expected?: string;
  readonly found?: string;

  constructor(code: RuntimeErrorCode, message: string, details: MtslErrorDetails = {}) {
    super(formatMessage(code, message, details), details.cause === undefined ? undefined : { cause: details.cause });
    this.name = "MtslError";
    this.code = code;
    if (details.file !== undefined) this.file = details.file;
    if (details.option !== undefined) this.option = details.option;
    if (details.expected !== undefined) this.expected = details.expected;
    if (details.found !== undefined) this.found = details.found;
  }
}

function formatMessage(code: RuntimeErrorCode, message: string, d: MtslErrorDetails): string {
  let text = `${code}: `;
  if (d.file !== undefined) text += `${d.file}: `;
  text += message;
  const parts: string[] = [];
  if (d.expected !== undefined) parts.push(`expected ${d.expected}`);
  if (d.found !== undefined) parts.push(`found ${d.found}`);
  if (parts.length > 0) text += ` (${parts.join(", ")})`;
  return text;
}

/** True when `e` is an {@link MtslError}, optionally with the given code. */
export function isMtslError(e: unknown, code?: RuntimeErrorCode): e is MtslError {
  return e instanceof MtslError && (code === undefined || e.code === code);
}
