/** Command-line options of the benchmark scripts: `--name value` pairs after the script. */

/** The positive integer after `name`, or `fallback` when `name` is absent; throws on anything else. */
export function numberArg(args: readonly string[], name: string, fallback: number): number {
  const i = args.indexOf(name);
  if (i < 0) return fallback;
  const v = Number(args[i + 1]);
  if (!Number.isInteger(v) || v < 1) throw new Error(`${name} needs a positive integer, got '${args[i + 1] ?? ""}'`);
  return v;
}

/** The word after `name`, or null when `name` is absent. */
export function stringArg(args: readonly string[], name: string): string | null {
  const i = args.indexOf(name);
  return i < 0 ? null : (args[i + 1] ?? null);
}
