/** Small statistics and formatting helpers shared by the benchmarks. */

/** The median of `values` (mean of the two middle ones for an even count); NaN for none. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The smallest value; NaN for none. */
export function minimum(values: readonly number[]): number {
  return values.length === 0 ? NaN : Math.min(...values);
}

/** The largest value; NaN for none. */
export function maximum(values: readonly number[]): number {
  return values.length === 0 ? NaN : Math.max(...values);
}

/** `n` with thousands separators and `digits` decimals: 12345.6 -> "12,345.6". */
export function fmt(n: number, digits = 0): string {
  if (!Number.isFinite(n)) return "-";
  return n.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** Bytes as MiB with one decimal. */
export function mib(bytes: number): string {
  return `${fmt(bytes / (1024 * 1024), 1)} MiB`;
}

/** Runs `fn` and returns its result and its wall time in ms. */
export function timed<T>(fn: () => T): { value: T; ms: number } {
  const start = performance.now();
  const value = fn();
  return { value, ms: performance.now() - start };
}

/** Runs the async `fn` and returns its result and its wall time in ms. */
export async function timedAsync<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const start = performance.now();
  const value = await fn();
  return { value, ms: performance.now() - start };
}
