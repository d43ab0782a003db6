/**
 * Numbers in CSV files: decimal notation only. `Number()` also reads `0x10` (16), `0b1`, `0o7`,
 * `Infinity` and whitespace-only text (0), none of which a price file means; a decimal that
 * overflows a double (`1e999`) would become Infinity.
 */

/** Sign, digits with an optional fraction (or a fraction alone), optional exponent: the one definition of a number cell. */
export const DECIMAL_NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * The value of a decimal number cell (spaces around it allowed), or NaN when the cell is empty,
 * not a decimal number (`0x10`, `0b1`, `1_000`, `Infinity`, `NaN`, `1,5`), or overflows a double
 * (`1e999`). A decimal that underflows (`1e-999`) is 0, as written.
 */
export function parseDecimal(text: string): number {
  const t = text.trim();
  if (!DECIMAL_NUMBER.test(t)) return NaN;
  const v = Number(t);
  return Number.isFinite(v) ? v : NaN;
}
