// Generated from spec/constants.json by scripts/kernel-spec/generate.mjs (npm run gen:kernels): do not edit.
// Monte Carlo kernel layout: the f64 parameter block the facade writes and the f64 accumulator
// block a shard kernel adds to.

// ---- Parameter block (f64 [PARAMS_SIZE]); integer codes are stored as f64. ----
/** Model code (MODEL_*). */
export const P_MODEL: i32 = 0;
export const P_SPOT: i32 = 1;
/** Continuously compounded risk-free rate. */
export const P_RATE: i32 = 2;
/** Continuous dividend (or foreign, or convenience) yield. */
export const P_DIVIDEND: i32 = 3;
/** Expiry in years; dt = expiry / steps. */
export const P_EXPIRY: i32 = 4;
/** GBM / Merton diffusion volatility. */
export const P_VOL: i32 = 5;
/** Heston / Bates: initial variance, mean-reversion speed, long-run variance, vol of variance, correlation. */
export const P_V0: i32 = 6;
export const P_KAPPA: i32 = 7;
export const P_THETA: i32 = 8;
export const P_VOL_OF_VAR: i32 = 9;
export const P_RHO: i32 = 10;
/** Merton / Bates: jump intensity (per year), mean and standard deviation of the log jump size. */
export const P_JUMP_INTENSITY: i32 = 11;
export const P_JUMP_MEAN: i32 = 12;
export const P_JUMP_VOL: i32 = 13;
/** Multi-asset GBM: number of assets n (the asset block at pAssets holds 5 n + n^2 f64, MA_* below). */
export const P_ASSETS: i32 = 14;

/** Payoff code (PAYOFF_*). */
export const P_PAYOFF: i32 = 16;
export const P_STRIKE: i32 = 17;
/** +1 call, -1 put. */
export const P_TYPE: i32 = 18;
/** Digital: cash amount. */
export const P_CASH: i32 = 19;
export const P_BARRIER: i32 = 20;
/** +1 up, -1 down. */
export const P_DIRECTION: i32 = 21;
/** 1 knock-in, 0 knock-out. */
export const P_KNOCK_IN: i32 = 22;
/** Barrier rebate, paid at expiry (knock-out: if knocked out; knock-in: if never knocked in). */
export const P_REBATE: i32 = 23;
/** 1 continuous monitoring (Brownian-bridge crossing probability per step), 0 at the step dates. */
export const P_CONTINUOUS: i32 = 24;
/** Multi-asset spread / exchange: the long asset i and the short asset j (0-based). */
export const P_ASSET_LONG: i32 = 25;
export const P_ASSET_SHORT: i32 = 26;
/** [surface] Local vol: time nodes nT >= 2 of the grid, at (i + 1/2) T / nT (i = 0..nT - 1). */
export const P_LV_TIMES: i32 = 27;
/** [surface] Local vol: log-moneyness nodes nK >= 2, at kMin + j dk; k = ln(S / (S0 e^{(r - q) t})). */
export const P_LV_POINTS: i32 = 28;
export const P_LV_KMIN: i32 = 29;
/** [surface] Local vol: spacing of the k nodes (> 0). The grid, row-major f64 [nT][nK] of local vols, follows the block at P_LV_GRID. */
export const P_LV_DK: i32 = 30;

/** 1: paths come in antithetic pairs (2k, 2k + 1) sharing the draws of base path k. */
export const P_ANTITHETIC: i32 = 32;
/** Control variate code (CV_*). */
export const P_CONTROL: i32 = 33;
/** Greeks bit mask: GREEK_DELTA | GREEK_VEGA. */
export const P_GREEKS: i32 = 34;
/** Importance sampling: constant shift mu added to every diffusion normal (0 = off). */
export const P_IS_SHIFT: i32 = 35;

export const PARAMS_SIZE: i32 = 40;
/** [surface] Local vol: the grid starts right after the block (the block is PARAMS_SIZE + nT nK f64 long). */
export const P_LV_GRID: i32 = 40;

export const MODEL_GBM: i32 = 0;
export const MODEL_HESTON_QE: i32 = 1;
export const MODEL_HESTON_EULER: i32 = 2;
export const MODEL_MERTON: i32 = 3;
export const MODEL_BATES: i32 = 4;
/** Correlated multi-asset GBM (mcMultiAssetShard only; mcShard rejects it). */
export const MODEL_MULTI_GBM: i32 = 5;
/** [surface] Local volatility: log-Euler under sigma_loc(t, k) bilinear on the grid at P_LV_GRID (mcShard). */
export const MODEL_LOCAL_VOL: i32 = 6;

export const PAYOFF_NONE: i32 = 0;
export const PAYOFF_EUROPEAN: i32 = 1;
export const PAYOFF_DIGITAL: i32 = 2;
export const PAYOFF_BARRIER: i32 = 3;
export const PAYOFF_ASIAN_ARITHMETIC: i32 = 4;
export const PAYOFF_ASIAN_GEOMETRIC: i32 = 5;
/** Multi-asset payoffs (mcMultiAssetShard): (theta (sum w_a S_a - K))^+. */
export const PAYOFF_BASKET: i32 = 6;
/** (theta (W prod S_a^{w_a / W} - K))^+ with W = sum w_a (weights > 0): lognormal, closed form. */
export const PAYOFF_GEOMETRIC_BASKET: i32 = 7;
/** (theta (S_i - S_j - K))^+ (i = P_ASSET_LONG, j = P_ASSET_SHORT); the exchange option is K = 0, call. */
export const PAYOFF_SPREAD: i32 = 8;
/** (theta (max_a S_a - K))^+ and (theta (min_a S_a - K))^+. */
export const PAYOFF_BEST_OF: i32 = 9;
export const PAYOFF_WORST_OF: i32 = 10;

export const CV_NONE: i32 = 0;
/** X = e^{-rT} S_T, E[X] = S0 e^{-qT}. */
export const CV_UNDERLYING: i32 = 1;
/** X = e^{-rT} (theta (G - K))^+ with G the geometric average over the step dates. */
export const CV_GEOMETRIC_ASIAN: i32 = 2;
/** Multi-asset: X = e^{-rT} (theta (G - K))^+ with G the geometric basket of the payoff weights. */
export const CV_GEOMETRIC_BASKET: i32 = 3;

export const GREEK_DELTA: i32 = 1;
export const GREEK_VEGA: i32 = 2;

/** Draw sources: Philox inline, a buffer of Sobol uniforms (multiples of 2^-32), a buffer of normals, Sobol + bridge. */
export const DRAWS_PHILOX: i32 = 0;
export const DRAWS_UNIFORM_BUFFER: i32 = 1;
export const DRAWS_NORMAL_BUFFER: i32 = 2;
/**
 * Sobol uniforms (2^-32 grid) turned into normals and then, per draw slot d, into Brownian-bridge
 * increments in place: dimension i * dps + d drives bridge construction step i of slot d (so the
 * first dimensions carry each slot's terminal value). Needs the bridge table and scratch at pBridge.
 */
export const DRAWS_SOBOL_BRIDGE: i32 = 3;

// ---- Accumulator block (f64 [ACC_SIZE]); the kernel adds, the merge adds shards in order. ----
// A "sample" is one path, or one antithetic pair (the average of its two paths). Y is the
// discounted payoff, X the control, D and V the delta and vega estimators, all multiplied by
// the importance-sampling likelihood ratio w (w = 1 without IS).
export const A_SAMPLES: i32 = 0;
export const A_SUM_Y: i32 = 1;
export const A_SUM_YY: i32 = 2;
export const A_SUM_X: i32 = 3;
export const A_SUM_XX: i32 = 4;
export const A_SUM_XY: i32 = 5;
export const A_SUM_D: i32 = 6;
export const A_SUM_DD: i32 = 7;
export const A_SUM_V: i32 = 8;
export const A_SUM_VV: i32 = 9;
/** Per path (not per pair): count, sum w, sum w^2, sum w Y, sum w Y^2 (plain-MC moments under P). */
export const A_PATHS: i32 = 10;
export const A_SUM_W: i32 = 11;
export const A_SUM_WW: i32 = 12;
export const A_PATH_Y: i32 = 13;
export const A_PATH_YY: i32 = 14;
/** Per path: sum of w x (knock probability) for barriers (1 or 0 when monitored discretely). */
export const A_SUM_KNOCK: i32 = 15;

export const ACC_SIZE: i32 = 16;

// ---- Multi-asset block (f64 [5 n + n^2] at pAssets, n = P_ASSETS); offsets in units of n. ----
/** Spots S0_a (> 0). */
export const MA_SPOT: i32 = 0;
/** Continuous dividend yields q_a. */
export const MA_DIVIDEND: i32 = 1;
/** Volatilities vol_a (>= 0). */
export const MA_VOL: i32 = 2;
/** Payoff weights w_a (basket, geometric basket). */
export const MA_WEIGHT: i32 = 3;
/** CV_UNDERLYING weights c_a: X = e^{-rT} sum c_a S_a(T). */
export const MA_CV_WEIGHT: i32 = 4;
/** From 5 n: the lower-triangular factor L of the correlation matrix (C = L L^T), row-major n x n. */
export const MA_FACTOR: i32 = 5;
/** f64 scratch per call: (4 n + n^2) values (drifts, scaled factor, log spots, normals, geometric weights). */
export const MA_SCRATCH_PER_ASSET: i32 = 4;
