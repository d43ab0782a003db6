import * as codes from './kernels/status.js';
import { InputError } from './errors.js';
import { requireArrayLike } from './arguments.js';

/**
 * Per-element status codes returned beside batch results (`status: Uint8Array`). An element with
 * a status other than `ok` has NaN in every numeric output; the rest of the batch is unaffected.
 */
export const Status = {
  /** Computed normally. */
  ok: codes.STATUS_OK,
  /** An input was NaN, infinite or outside its domain (spot/forward/strike <= 0, expiry < 0 (<= 0 for implied vol), vol < 0, DF <= 0, negative price, type not +-1), or inputs whose result is beyond double range (Black pricing: a put with rate -1e308). */
  invalidInput: codes.STATUS_INVALID_INPUT,
  /** Implied vol: price below the discounted intrinsic value. */
  belowIntrinsic: codes.STATUS_BELOW_INTRINSIC,
  /** Implied vol: price at or above the discounted forward (call) or strike (put). */
  aboveMaximum: codes.STATUS_ABOVE_MAXIMUM,
  /** Implied vol: the solver did not reach full accuracy (not expected on any valid input; ln(F/K) beyond about -1330 with a normalised price below 1e-289 is the one known case). Heston: the integral needed more panels than allowed (e.g. an expiry of seconds with a far strike). */
  notConverged: codes.STATUS_NOT_CONVERGED,
  // [surface]
  /** Vol surface: total variance not positive at the point, or Dupire's local variance not positive (denominator <= 0: butterfly arbitrage; dw/dT < 0: calendar arbitrage). */
  arbitrage: codes.STATUS_ARBITRAGE,
} as const;

/** One of the {@link Status} names. */
export type StatusName = keyof typeof Status;

const NAMES = Object.keys(Status) as StatusName[];

/**
 * The name of a status code (`'unknown'` for a number riskwasm does not define as a code).
 * @throws InputError (path `code`) when code is not a number.
 */
export function statusName(code: number): StatusName | 'unknown' {
  if (typeof code !== 'number') throw new InputError('code', code, 'a number (a status code)');
  return nameOf(code);
}

function nameOf(code: number): StatusName | 'unknown' {
  for (let j = 0; j < NAMES.length; j++) if (Status[NAMES[j]] === code) return NAMES[j];
  return 'unknown';
}

/**
 * Counts of each status in a batch result, e.g. `{ ok: 998, belowIntrinsic: 2 }`.
 * @param status a `status` column (Uint8Array), or any array of numbers.
 * @throws InputError naming `status` or `status.length` (not an array of bounded length) or
 *   `status[i]` (not a number).
 */
export function countStatus(status: Uint8Array): Partial<Record<StatusName | 'unknown', number>> {
  const a = requireArrayLike(status, 'status');
  const typed = a instanceof Uint8Array;
  // Keys are the fixed status names, never data.
  const counts: Partial<Record<StatusName | 'unknown', number>> = {};
  for (let i = 0; i < a.length; i++) {
    const v = a[i];
    if (!typed && typeof v !== 'number') throw new InputError(`status[${i}]`, v, 'a number (a status code)');
    const k = nameOf(v as number);
    counts[k] = (counts[k] ?? 0) + 1;
  }
  return counts;
}
