/**
 * Shared calibration types: quote columns, market arguments and the common result fields. The
 * least-squares types live with the optimisers in math/optimise/ and are re-exported here.
 */

export type { LeastSquaresProblem, EndReason, JacobianMode, LmOptions, LmResult, LossFunction } from '../math/optimise/least-squares.js';
import type { EndReason, JacobianMode } from '../math/optimise/least-squares.js';

/** Per-quote columns, as in every calibration call. Numbers broadcast. */
export interface QuoteColumns {
  /** Strikes (> 0), in the forward's units. */
  strikes: ArrayLike<number>;
  /** Times to expiry in years (> 0), per quote or one number for all (one smile). Quotes with equal expiries form one slice. */
  expiries: number | ArrayLike<number>;
  /** 'call' | 'put' per quote (or one for all); needed with prices. Default: out-of-the-money type. */
  types?: 'call' | 'put' | ArrayLike<'call' | 'put'>;
  /** Option prices (discounted; in coins with `settlement: 'coin'`). Give prices or vols. */
  prices?: ArrayLike<number>;
  /** Black implied vols (annualised decimals). */
  vols?: ArrayLike<number>;
  /** Weights w_i >= 0 of the squared residuals. Default 1. */
  weights?: ArrayLike<number>;
  /** Bid and ask, in the units of `vols` (or `prices`): used for the inside-bid-ask diagnostic. */
  bids?: ArrayLike<number>;
  asks?: ArrayLike<number>;
}

/** The market arguments every calibration call shares. */
export interface MarketArgs {
  /** Spot (with `rate(s)` and `dividendYield` for the forward), or... */
  spot?: number;
  /** ...forwards per quote (or one number). Takes precedence over `spot`. */
  forwards?: number | ArrayLike<number>;
  /** Continuously compounded rate (or one per quote), for the forward and for discounting prices. Default 0. */
  rate?: number;
  rates?: number | ArrayLike<number>;
  /** Continuous dividend (or foreign) yield. Default 0. */
  dividendYield?: number;
  /** Price convention for `quotes.prices`: `'usd'` (default) or Deribit's `'coin'` (prices / forward). */
  settlement?: 'usd' | 'coin';
  quotes: QuoteColumns;
  /** `'vol'` (default): residuals model vol - market vol; `'price'`: model price - market price. */
  objective?: 'vol' | 'price';
  maxIterations?: number;
  tolerance?: number;
  /** `'analytic'` (default) or finite differences, for comparison. */
  jacobian?: JacobianMode;
}

/**
 * The common part of every calibration result. With the vol objective `residuals`, `rmse` and
 * `maxAbsError` are in vol points (0.01 of annualised vol); with the price objective, in the
 * units of `quotes.prices`. Residuals are model - market, unweighted, in quote order (quotes the
 * model could not use are NaN).
 */
export interface FitResultBase {
  reason: EndReason;
  iterations: number;
  rmse: number;
  maxAbsError: number;
  residuals: Float64Array;
  elapsedMs: number;
  /**
   * Fraction of quotes whose model value lies within [bid, ask]; NaN when no quote carries a bid
   * and an ask (always present, so it is typed as a number under `strict`).
   */
  insideBidAsk: number;
}
