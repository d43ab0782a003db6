// Generated from spec/constants.json by scripts/kernel-spec/generate.mjs (npm run gen:kernels): do not edit.
// Position and scenario layout of the risk kernels.
//
// Positions are struct-of-arrays over n positions:
//   f64 block [POS_F64_COLUMNS][n] at pPosF64:
//     0 quantity   (units of the underlying; USD face for an inverse future; sign = long/short)
//     1 strike     (USD; options only)
//     2 expiry     (years; futures and options)
//     3 vol        (annualised implied vol, decimal; options only)
//     4 rate       (continuously compounded discount rate; options only)
//     5 carry      (futures/options: basis b with F = S e^{bT}; perpetuals: annual funding rate)
//     6 volScale   (multiplier of the factor's vol shock for this position, e.g. (30/DTE)^p)
//   i32 block [POS_I32_COLUMNS][n] at pPosI32:
//     0 kind, 1 factor (0 <= factor < nFactors), 2 account (0 <= account < nAccounts), 3 type (+1 call / -1 put)
// Scenarios: log-returns of the factors' spots, row-major [nScenarios][nFactors]; vol shocks the
// same shape (or pointer 0 for none).

export const POS_F64_COLUMNS = 7;
export const POS_I32_COLUMNS = 4;

export const COL_QUANTITY = 0;
export const COL_STRIKE = 1;
export const COL_EXPIRY = 2;
export const COL_VOL = 3;
export const COL_RATE = 4;
export const COL_CARRY = 5;
export const COL_VOL_SCALE = 6;

export const COL_KIND = 0;
export const COL_FACTOR = 1;
export const COL_ACCOUNT = 2;
export const COL_TYPE = 3;

/** Spot holding: V = q S. */
export const KIND_SPOT = 0;
/** Linear perpetual: V = q (S' - S) - q S' f h (funding f per year paid by longs over the horizon h). */
export const KIND_PERPETUAL = 1;
/** Linear dated future: V = q (F' - F), F = S e^{bT}. */
export const KIND_FUTURE = 2;
/** Inverse (coin-margined) future of USD face q: coin P&L q (1/F - 1/F'), worth that times S' in USD. */
export const KIND_INVERSE_FUTURE = 3;
/** Option settled in USD: V = q e^{-rT} Black76(F, K, T, vol). */
export const KIND_OPTION_USD = 4;
/** Option settled in coin (Deribit): V = q e^{-rT} Black76(F, K, T, vol) / F coins, worth S times that in USD. */
export const KIND_OPTION_COIN = 5;

/** Vol shock modes: vol' = vol + d, vol (1 + d), vol e^{d} (then floored at 0). */
export const VOL_SHOCK_ABSOLUTE = 0;
export const VOL_SHOCK_RELATIVE = 1;
export const VOL_SHOCK_LOG = 2;
