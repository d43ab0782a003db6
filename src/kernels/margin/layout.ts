// Generated from spec/constants.json by scripts/kernel-spec/generate.mjs (npm run gen:kernels): do not edit.
// Layout of the liquidation-price kernel.
//
// A "problem" is one account and one risky asset whose index moves (its forwards move in
// proportion, vols and every other asset stay fixed); its positions are those on that asset.
// Positions are struct-of-arrays over nPositions, grouped by problem (problem p owns positions
// starts[p] .. starts[p + 1] - 1, i32 [nProblems + 1] at pStarts):
//   f64 block [LIQ_POS_F64_COLUMNS][nPositions]:
//     0 quantity  (units of the underlying; negative = short; KIND_INVERSE_FUTURE: the USD face N, signed)
//     1 strike    (USD; options)
//     2 expiry    (years; futures and options)
//     3 vol       (implied vol, decimal; options)
//     4 rate      (discount rate of the option's premium, continuously compounded)
//     5 carry     (basis b: F = S e^{bT})
//     6 entry     (linear: entry price E in USD, P&L q (F - E); inverse: E, P&L N (1/E - 1/F) S)
//     7 constant  (USD added to the position's value: accrued funding)
//     8 mmRate    (short option: maintenance rate c of the underlying unit)
//     9 mmMarkRate (short option: maintenance rate d of the mark) / sizeRate (inverse: maintenance
//                 rate added per coin of |N| / F, Deribit's size term; 0 for tiered rules)
//    10 valueScale (spot: 1 - haircut)
//   i32 block [LIQ_POS_I32_COLUMNS][nPositions]:
//     0 kind (KIND_SPOT, KIND_PERPETUAL, KIND_FUTURE, KIND_INVERSE_FUTURE, KIND_OPTION_USD, KIND_OPTION_COIN
//       of risk/layout.ts; KIND_INVERSE_FUTURE: a coin-settled future, or perpetual with expiry 0 and carry 0)
//     1 type (+1 call / -1 put)
//     2 margin rule (LIQ_RULE_*)
//     3 first tier row, 4 tier rows (linear rule)
//     5 option unit: 0 the index, 1 the forward of the expiry (USD-settled options; coin options use the index)
// Tiers: f64 [nTiers][3] rows (upTo notional USD, maintenance rate, maintenance amount): a linear
// position of notional X = |q| F (inverse: X = |N| S / F) takes the first row with X <= upTo (the
// last row past every cap) and needs X rate - amount (inverse: plus X (|N| / F) sizeRate).
// Problems: f64 block [LIQ_PROB_COLUMNS][nProblems]:
//     0 index     (current level S0 of the moving asset, USD)
//     1 equity    (USD equity that does not move: other assets, stablecoins)
//     2 margin    (USD maintenance margin that does not move)
//     3 coins     (collateral units of the moving asset, after haircut: worth coins x S)
//     4 lower     (lowest level searched, 0 < lower < S0)
//     5 upper     (highest level searched, > S0)
// Output: f64 [nProblems][2][LIQ_OUT_COLUMNS], direction 0 = below S0, 1 = above; status u8 [nProblems][2].

export const LIQ_POS_F64_COLUMNS = 11;
export const LIQ_POS_I32_COLUMNS = 6;

export const LIQ_QUANTITY = 0;
export const LIQ_STRIKE = 1;
export const LIQ_EXPIRY = 2;
export const LIQ_VOL = 3;
export const LIQ_RATE = 4;
export const LIQ_CARRY = 5;
export const LIQ_ENTRY = 6;
export const LIQ_CONSTANT = 7;
export const LIQ_MM_RATE = 8;
export const LIQ_MM_MARK_RATE = 9;
/** Inverse futures and perpetuals: column 9 holds the maintenance rate per coin of size (the short-option mark rate's column). */
export const LIQ_SIZE_RATE = 9;
export const LIQ_VALUE_SCALE = 10;

export const LIQ_KIND = 0;
export const LIQ_TYPE = 1;
export const LIQ_RULE = 2;
export const LIQ_TIER_START = 3;
export const LIQ_TIER_COUNT = 4;
export const LIQ_UNIT = 5;

/** No maintenance margin (spot). */
export const LIQ_RULE_NONE = 0;
/** Linear: notional tiers. */
export const LIQ_RULE_TIERS = 1;
/** Short option: |q| (max(c unit, d mark) + mark). */
export const LIQ_RULE_SHORT_OPTION = 2;
/** Long option: |q| mark (the premium). */
export const LIQ_RULE_PREMIUM = 3;

export const LIQ_TIER_COLUMNS = 3;

export const LIQ_PROB_COLUMNS = 6;
export const LIQ_PROB_INDEX = 0;
export const LIQ_PROB_EQUITY = 1;
export const LIQ_PROB_MARGIN = 2;
export const LIQ_PROB_COINS = 3;
export const LIQ_PROB_LOWER = 4;
export const LIQ_PROB_UPPER = 5;

/** Output columns: level found, equity and maintenance margin there, root-finder iterations, evaluations of f. */
export const LIQ_OUT_COLUMNS = 5;
export const LIQ_OUT_PRICE = 0;
export const LIQ_OUT_EQUITY = 1;
export const LIQ_OUT_MARGIN = 2;
export const LIQ_OUT_ITERATIONS = 3;
export const LIQ_OUT_EVALUATIONS = 4;

/** Per-direction status: a level with equity = maintenance margin was found. */
export const LIQ_FOUND = 0;
/** Non-finite or out-of-domain problem or position data. */
export const LIQ_INVALID = 1;
/** The root finder hit its iteration cap: the output holds its best estimate. */
export const LIQ_NOT_CONVERGED = 4;
/** Equity stays above maintenance margin all the way to the search bound. */
export const LIQ_NONE = 5;
/** Equity is already at or below maintenance margin at the current index. */
export const LIQ_ALREADY = 6;

/** First log-step of the outward scan (0.1%), grown by LIQ_SCAN_GROWTH each step. */
export const LIQ_SCAN_FIRST = 0.001;
export const LIQ_SCAN_GROWTH = 1.25;
