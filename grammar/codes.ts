/** The stable codes of syntax diagnostics (MTSL0xxx). Semantic codes live in compiler/. */
export const SYNTAX_CODES = {
  MTSL0001: "unexpected character",
  MTSL0002: "string never closed or with an invalid escape",
  MTSL0003: "block comment never closed",
  MTSL0004: "expected a token but found another",
  MTSL0005: "unexpected token: none of the forms allowed here starts with it",
  MTSL0006: "input after the end of the model (a file holds one model)",
  MTSL0007: "the file has no model",
  MTSL0008: "number out of range",
  MTSL0009: "misspelt member keyword (read as the keyword it most likely means)",
  MTSL0010: "brackets nested deeper than the language allows",
  MTSL0011: "file longer than the language allows",
  MTSL0012: "too many syntax errors: the parser stopped",
} as const;

export type SyntaxCode = keyof typeof SYNTAX_CODES;
