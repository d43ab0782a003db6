// Generated from spec/constants.json by scripts/kernel-spec/generate.mjs (npm run gen:kernels): do not edit.
// Per-element status codes written by batch kernels.
export const STATUS_OK = 0;
/** Non-finite or out-of-domain input (forward <= 0, strike <= 0, expiry < 0, vol < 0, bad type flag...). */
export const STATUS_INVALID_INPUT = 1;
/** Implied vol: price below the (discounted) intrinsic value. */
export const STATUS_BELOW_INTRINSIC = 2;
/** Implied vol: price at or above the no-arbitrage maximum (forward for a call, strike for a put, discounted). */
export const STATUS_ABOVE_MAXIMUM = 3;
/** Implied vol: the iteration did not reach full accuracy (never expected; kept so it cannot pass silently). */
export const STATUS_NOT_CONVERGED = 4;
/** [surface] Vol surface: total variance not positive at the point, or Dupire's local variance not positive (denominator g <= 0: butterfly; dw/dT < 0: calendar). */
export const STATUS_ARBITRAGE = 5;
