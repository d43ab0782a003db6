/**
 * Shared calibration types: a model is a nonlinear least-squares problem (residuals and, ideally,
 * their analytic Jacobian as functions of a parameter vector); the optimizer knows nothing else.
 */

/**
 * A nonlinear least-squares problem: minimise 1/2 sum_i w_i r_i(p)^2 over p in a box.
 *
 * `evaluate(p, r, J)` writes the residuals r_i(p) (length `nResiduals`) into `r` and, when `J` is
 * not null, the Jacobian dr_i/dp_j into `J`, row-major `nResiduals x nParams`
 * (`J[i * nParams + j]`). It must not keep `p`, `r` or `J` (the optimizer reuses them). A model
 * without an analytic Jacobian can leave `J` untouched and set `hasJacobian: false`; the
 * optimizer then differences `evaluate` itself.
 *
 * Weights are not part of the problem: the optimizer applies them (`LmOptions.weights`).
 */
export interface LeastSquaresProblem {
  readonly nParams: number;
  readonly nResiduals: number;
  /** False when `evaluate` ignores `J` (finite differences are then used). Default true. */
  readonly hasJacobian?: boolean;
  evaluate(params: Float64Array, residuals: Float64Array, jacobian: Float64Array | null): void;
}

/**
 * Why an optimizer stopped. None of these is an error: every result carries the best parameters
 * found.
 * - `converged`: the relative reduction of the cost, actual and predicted, fell below
 *   `functionTolerance` (or the cost reached zero);
 * - `stationaryPoint`: the (projected) gradient vanished: max_j |J_j . r| / (|J_j| |r|) <= `gradientTolerance`;
 * - `smallStep`: the scaled step fell below `stepTolerance` relative to the scaled parameters, or
 *   the damping grew without finding a decrease;
 * - `maxIterations`: the iteration limit was reached;
 * - `nonFinite`: the residuals are not finite at the starting point (nothing could be done);
 * - `maxGenerations` (differential evolution): the generation limit was reached.
 */
export type EndReason = 'converged' | 'stationaryPoint' | 'smallStep' | 'maxIterations' | 'nonFinite' | 'maxGenerations';

/** How the optimizer obtains the Jacobian. */
export type JacobianMode = 'analytic' | 'forward' | 'central';

/** Options of {@link levenbergMarquardt}. Arrays have length `nParams` unless stated. */
export interface LmOptions {
  /** Starting point (projected into the bounds). */
  initial: ArrayLike<number>;
  /** Lower bounds (default -Infinity). */
  lower?: ArrayLike<number>;
  /** Upper bounds (default +Infinity). */
  upper?: ArrayLike<number>;
  /** `fixed[j] = true` keeps p_j at its initial value. */
  fixed?: ArrayLike<boolean>;
  /** Per-residual weights w_i >= 0 (length `nResiduals`): the cost is 1/2 sum w_i r_i^2. Default 1. */
  weights?: ArrayLike<number>;
  /** Outer iterations (Jacobian evaluations) at most. Default 200. */
  maxIterations?: number;
  /** Sets function, step and gradient tolerances at once. Default 1e-10. */
  tolerance?: number;
  functionTolerance?: number;
  stepTolerance?: number;
  gradientTolerance?: number;
  /** `'analytic'` (default when the problem has one), `'forward'` or `'central'` differences. */
  jacobian?: JacobianMode;
  /** Initial damping relative to the scaled J^T J diagonal. Default 1e-3. */
  initialDamping?: number;
  /** Test hook: called with a copy of every point the residuals are evaluated at, and its cost. */
  onEvaluate?: (params: Float64Array, cost: number) => void;
}

/** Result of {@link levenbergMarquardt}. */
export interface LmResult {
  params: Float64Array;
  reason: EndReason;
  /** Outer iterations (accepted or not) performed. */
  iterations: number;
  /** Residual evaluations, finite-difference ones included. */
  evaluations: number;
  /** 1/2 sum w_i r_i^2 at `params`. */
  cost: number;
  /** Unweighted residuals r_i at `params`. */
  residuals: Float64Array;
  /** Max over free, non-active parameters of |J_j . r| / (|J_j| |r|) at `params` (weighted). */
  gradientCosine: number;
}

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
