/**
 * The one canonical spelling of a number in a `.mtsl` file.
 *
 * - integers below 1e21 in magnitude: plain digits (`16`, `-3`, `1000000`; `-0` is `0`);
 * - other numbers smaller than 0.01 or at least 1e6 in magnitude: exponent form,
 *   the shortest mantissa that reads back exactly (`1e-3`, `5e-5`, `1.5e-7`, `1e21`);
 * - everything else: the shortest decimal that reads back exactly (`0.8`, `0.05`).
 *
 * Every output reads back to the same double: `Number(formatNumber(n)) === n`.
 */

/** Integers at or above this magnitude are printed in exponent form (JavaScript's own limit). */
const PLAIN_INTEGER_LIMIT = 1e21;
/** Non-integers below this magnitude use exponent form. */
const SMALL_LIMIT = 1e-2;
/** Non-integers at or above this magnitude use exponent form. */
const LARGE_LIMIT = 1e6;

/**
 * Formats a finite number canonically (see the module comment).
 * Throws a RangeError for NaN and infinities, which the parser never produces.
 */
export function formatNumber(n: number): string {
  if (!Number.isFinite(n)) {
    throw new RangeError(`formatNumber: not a finite number: ${String(n)}`);
  }
  const magnitude = Math.abs(n);
  if (Number.isInteger(n) && magnitude < PLAIN_INTEGER_LIMIT) {
    // String() never uses exponent form for integers below 1e21; `-0` becomes "0".
    return Object.is(n, -0) ? "0" : String(n);
  }
  if (magnitude < SMALL_LIMIT || magnitude >= LARGE_LIMIT) {
    // toExponential() without a digit count gives the shortest round-tripping mantissa.
    return n.toExponential().replace("e+", "e");
  }
  return String(n);
}
