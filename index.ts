/**
 * mtsl: a language, compiler and runtime for multi-task networks that learn
 * their sharing structure. Everything the `mtslc` CLI does is exported here.
 */
export * from "./grammar/index.js";
export { format, type FormatResult } from "./grammar/format.js";
export { print } from "./grammar/printer.js";
export { check } from "./compiler/check/index.js";
export { run as runCli } from "./cli/mtslc.js";
