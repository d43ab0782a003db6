// Layout of the liquidation-price kernel. Mirrors assembly/margin/layout.ts (see there for the columns).
export const LIQ_POS_F64_COLUMNS: number = 11;
export const LIQ_POS_I32_COLUMNS: number = 6;
export const LIQ_QUANTITY: number = 0;
export const LIQ_STRIKE: number = 1;
export const LIQ_EXPIRY: number = 2;
export const LIQ_VOL: number = 3;
export const LIQ_RATE: number = 4;
export const LIQ_CARRY: number = 5;
export const LIQ_ENTRY: number = 6;
export const LIQ_CONSTANT: number = 7;
export const LIQ_MM_RATE: number = 8;
export const LIQ_MM_MARK_RATE: number = 9;
/** Inverse futures and perpetuals: column 9 holds the maintenance rate per coin of size (the short-option mark rate's column). */
export const LIQ_SIZE_RATE: number = 9;
export const LIQ_VALUE_SCALE: number = 10;
export const LIQ_KIND: number = 0;
export const LIQ_TYPE: number = 1;
export const LIQ_RULE: number = 2;
export const LIQ_TIER_START: number = 3;
export const LIQ_TIER_COUNT: number = 4;
export const LIQ_UNIT: number = 5;
/** No maintenance margin (spot). */
export const LIQ_RULE_NONE: number = 0;
/** Linear: notional tiers. */
export const LIQ_RULE_TIERS: number = 1;
/** Short option: |q| (max(c unit, d mark) + mark). */
export const LIQ_RULE_SHORT_OPTION: number = 2;
/** Long option: |q| mark (the premium). */
export const LIQ_RULE_PREMIUM: number = 3;
export const LIQ_TIER_COLUMNS: number = 3;
export const LIQ_PROB_COLUMNS: number = 6;
export const LIQ_PROB_INDEX: number = 0;
export const LIQ_PROB_EQUITY: number = 1;
export const LIQ_PROB_MARGIN: number = 2;
export const LIQ_PROB_COINS: number = 3;
export const LIQ_PROB_LOWER: number = 4;
export const LIQ_PROB_UPPER: number = 5;
/** Output columns: level found, equity and maintenance margin there, root-finder iterations, evaluations of f. */
export const LIQ_OUT_COLUMNS: number = 5;
export const LIQ_OUT_PRICE: number = 0;
export const LIQ_OUT_EQUITY: number = 1;
export const LIQ_OUT_MARGIN: number = 2;
export const LIQ_OUT_ITERATIONS: number = 3;
export const LIQ_OUT_EVALUATIONS: number = 4;
/** Per-direction status: a level with equity = maintenance margin was found. */
export const LIQ_FOUND: number = 0;
/** Non-finite or out-of-domain problem or position data. */
export const LIQ_INVALID: number = 1;
/** The root finder hit its iteration cap: the output holds its best estimate. */
export const LIQ_NOT_CONVERGED: number = 4;
/** Equity stays above maintenance margin all the way to the search bound. */
export const LIQ_NONE: number = 5;
/** Equity is already at or below maintenance margin at the current index. */
export const LIQ_ALREADY: number = 6;
/** First log-step of the outward scan (0.1%), grown by LIQ_SCAN_GROWTH each step. */
export const LIQ_SCAN_FIRST: number = 0.001;
export const LIQ_SCAN_GROWTH: number = 1.25;
