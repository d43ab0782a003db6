// Generated from spec/constants.json by scripts/kernel-spec/generate.mjs (npm run gen:kernels): do not edit.
// Discrete-hedging kernel layout ([hedging] simulate): the f64 parameter block, the option table and
// the scratch the hedgeShard kernel uses. Model codes are the Monte Carlo kernel's MODEL_*.

// ---- Parameter block (f64 [H_PARAMS_SIZE]); integer codes are stored as f64. ----
/** Model code (montecarlo MODEL_*). */
export const H_MODEL: i32 = 0;
export const H_SPOT: i32 = 1;
/** Continuously compounded risk-free rate. */
export const H_RATE: i32 = 2;
/** Continuous dividend (carry) yield of the hedge instrument. */
export const H_DIVIDEND: i32 = 3;
/** Horizon in years; dt = horizon / steps. */
export const H_HORIZON: i32 = 4;
/** GBM / Merton diffusion volatility. */
export const H_VOL: i32 = 5;
/** Heston / Bates: initial variance, mean-reversion speed, long-run variance, vol of variance, correlation. */
export const H_V0: i32 = 6;
export const H_KAPPA: i32 = 7;
export const H_THETA: i32 = 8;
export const H_VOL_OF_VAR: i32 = 9;
export const H_RHO: i32 = 10;
/** Merton / Bates: jumps per year, mean and standard deviation of the log jump. */
export const H_JUMP_INTENSITY: i32 = 11;
export const H_JUMP_MEAN: i32 = 12;
export const H_JUMP_VOL: i32 = 13;
/** Black-Scholes vol of the hedge option's greeks and prices (delta-gamma); the book's options carry their own (OPT_HEDGE_VOL). */
export const H_HEDGE_VOL: i32 = 14;
/** STRATEGY_*. */
export const H_STRATEGY: i32 = 15;
/** BAND_*. */
export const H_BAND_MODE: i32 = 16;
/** BAND_FIXED: half-width of the no-trade band in units of the underlying. */
export const H_BAND: i32 = 17;
/** BAND_WHALLEY_WILMOTT: risk aversion gamma of the band (1/USD). */
export const H_RISK_AVERSION: i32 = 18;
/** 1: a band trade moves to the nearest edge of the band; 0: to the target. */
export const H_TO_EDGE: i32 = 19;
/** Cost per unit of notional of the underlying traded (fraction, one way). */
export const H_PROPORTIONAL: i32 = 20;
/** Cost per rebalancing with a trade (USD). */
export const H_FIXED: i32 = 21;
/** Cost per unit of premium of the hedge option traded (fraction, one way). */
export const H_OPTION_PROPORTIONAL: i32 = 22;
/** Delta-gamma hedge option: +1 call, -1 put; strike; expiry (years, >= horizon). */
export const H_HEDGE_TYPE: i32 = 23;
export const H_HEDGE_STRIKE: i32 = 24;
export const H_HEDGE_EXPIRY: i32 = 25;
/** [hedging] Local vol (MODEL_LOCAL_VOL): the grid of mcShard's P_LV_* (time rows nT, k points nK, first k node, k spacing), row-major f64 [nT][nK] at H_LV_GRID. */
export const H_LV_TIMES: i32 = 26;
export const H_LV_POINTS: i32 = 27;
export const H_LV_KMIN: i32 = 28;
export const H_LV_DK: i32 = 29;
export const H_PARAMS_SIZE: i32 = 30;
/** [hedging] Local vol: the grid starts right after the block (the block is H_PARAMS_SIZE + nT nK f64 long). */
export const H_LV_GRID: i32 = 30;

/** No hedge (the options alone). */
export const STRATEGY_NONE: i32 = 0;
/** Hold minus the book's Black-Scholes delta in the underlying. */
export const STRATEGY_DELTA: i32 = 1;
/** Neutralise the book's gamma with the hedge option, then the delta with the underlying. */
export const STRATEGY_DELTA_GAMMA: i32 = 2;
/** Trade to the target at every rebalancing date. */
export const BAND_NONE: i32 = 0;
/** Trade only when the holding is more than H_BAND from the target. */
export const BAND_FIXED: i32 = 1;
/** Band half-width (3/2 e^{-r(T-t)} k S Gamma^2 / gamma)^{1/3} (Whalley and Wilmott 1997). */
export const BAND_WHALLEY_WILMOTT: i32 = 2;

// ---- Option table (f64, row-major [nOptions][OPT_COLUMNS]) ----
/** Units held (negative: sold). */
export const OPT_QUANTITY: i32 = 0;
/** +1 call, -1 put. */
export const OPT_TYPE: i32 = 1;
export const OPT_STRIKE: i32 = 2;
/** Years. */
export const OPT_EXPIRY: i32 = 3;
/** Step at which the option settles at intrinsic value (round(expiry / dt)); > steps: marked at the horizon. */
export const OPT_SETTLE: i32 = 4;
/** Black-Scholes vol of this option's hedge greeks, premium and mark (decimal): the hedge vol, or for local vol the surface's implied vol at its strike and expiry (sticky strike). */
export const OPT_HEDGE_VOL: i32 = 5;
export const OPT_COLUMNS: i32 = 6;

// ---- Scratch (f64 [(steps + 1) * (5 nOptions + HEDGE_SCRATCH_PER_STEP)]) ----
/** Per step: e^{-r t}, e^{-r t + q dt}, e^{-r (T - t)}. */
export const HEDGE_STEP_COLUMNS: i32 = 3;
/** Per step and option (the hedge option last): 1/(vol sqrt tau), d1 offset, e^{-q tau}, K e^{-r tau}, vol sqrt tau. */
export const HEDGE_OPTION_COLUMNS: i32 = 5;
/** Step columns, the hedge option's columns, and two lanes each of log spot, spot and book delta (the f64x2 pair loop). */
export const HEDGE_SCRATCH_PER_STEP: i32 = 14;
