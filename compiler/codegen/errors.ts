/**
 * Errors of the TypeScript generator, with stable codes (`MTSL6xxx`). The
 * compiler's own IR never triggers them; they guard against IR that was
 * edited by hand or produced by another tool, which must give a clear message
 * rather than broken or unsafe generated code.
 */

export const CODEGEN_ERROR_CODES = {
  MTSL6001: "the IR breaks an invariant of the graph (see compiler/ir/lint.ts)",
  MTSL6002: "the IR is malformed: a field is missing or has the wrong type",
  MTSL6003: "a layer the generator does not know, or with an option it cannot emit",
  MTSL6004: "a layer's shapes or weights disagree with what its op computes",
} as const;

export type CodegenErrorCode = keyof typeof CODEGEN_ERROR_CODES;

/** Thrown by {@link generateModelModule} for IR it refuses to turn into code. */
export class CodegenError extends Error {
  readonly code: CodegenErrorCode;
  /** Every problem found, one line each (the message lists them too). */
  readonly problems: readonly string[];

  constructor(code: CodegenErrorCode, problems: readonly string[]) {
    const shown = problems.slice(0, 20);
    const more = problems.length > shown.length ? `\n  ... and ${problems.length - shown.length} more` : "";
    super(`${code}: cannot generate TypeScript: ${CODEGEN_ERROR_CODES[code]}\n  ${shown.join("\n  ")}${more}`);
    this.name = "CodegenError";
    this.code = code;
    this.problems = problems;
  }
}
