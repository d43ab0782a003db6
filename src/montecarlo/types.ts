/**
 * Public types of the Monte Carlo facade: tagged model and payoff objects, the arguments of
 * `engine.monteCarlo` / `engine.simulatePaths`, and the result. Units as everywhere in riskwasm:
 * time in years, rates continuously compounded, vols annualised decimals, variances per year.
 *
 * Every number has a domain in which the simulation stays finite (`MONTE_CARLO_DOMAIN`): expiry in
 * [1e-8, 1000], spots in [1e-50, 1e50], strikes, barriers, rebates and |cash| at most 1e50, |rates| <= 10 and |rate| x expiry <= 50, vols
 * in [1e-6, 10] with vol^2 x expiry <= 100, Heston variances <= 10, jumps |muJ| <= 5, deltaJ <= 5.
 * A value outside it is an InputError naming the field; an unknown key, at any depth, too.
 */
import type { OptionType } from '../batch-inputs.js';
import type { VolSurface } from '../surface/vol-surface.js';

/** Geometric Brownian motion, simulated exactly. */
export interface GbmModel {
  kind: 'gbm';
  /** Spot price (> 0). */
  spot: number;
  /** Risk-free rate. */
  rate: number;
  /** Continuous dividend yield (default 0). */
  dividendYield?: number;
  /** Volatility (> 0). */
  vol: number;
}

/** Heston stochastic volatility: dS/S = (r - q) dt + sqrt(v) dW1, dv = kappa (theta - v) dt + sigma sqrt(v) dW2, d<W1, W2> = rho dt. */
export interface HestonModel {
  kind: 'heston';
  spot: number;
  rate: number;
  dividendYield?: number;
  /** Initial variance (>= 0). */
  v0: number;
  /** Mean-reversion speed (> 0). */
  kappa: number;
  /** Long-run variance (> 0). */
  theta: number;
  /** Volatility of variance (> 0). */
  sigma: number;
  /** Correlation in [-1, 1]. */
  rho: number;
  /** `'qe'` (default): Andersen's quadratic-exponential scheme with martingale correction; `'euler'`: full-truncation Euler (a baseline). */
  scheme?: 'qe' | 'euler';
}

/**
 * Lognormal jumps, named as in `batesPrice` / `calibrateBates` (see BATES_PARAM_NAMES): jumps
 * arrive at rate `lambda` per year, each multiplies the spot by e^Y with Y ~ N(muJ, deltaJ^2); the
 * drift is compensated (lambda (e^{muJ + deltaJ^2/2} - 1) is subtracted), so the discounted spot
 * stays a martingale.
 */
export interface JumpParameters {
  /** Jump intensity: expected jumps per year (>= 0). */
  lambda: number;
  /** Mean of the log jump size Y (log-price units, finite). */
  muJ: number;
  /** Standard deviation of the log jump size Y (log-price units, >= 0). */
  deltaJ: number;
}

/**
 * The jump parameters under their former Monte Carlo names, still accepted: `jumpIntensity` =
 * `lambda`, `jumpMean` = `muJ`, `jumpVol` = `deltaJ`. A model that gives a name and its alias
 * with different values is an InputError (at the alias's path).
 * @deprecated Use {@link JumpParameters} (`lambda`, `muJ`, `deltaJ`), the names `batesPrice` uses.
 */
export interface DeprecatedJumpParameters {
  /** @deprecated Use `lambda`. */
  jumpIntensity: number;
  /** @deprecated Use `muJ`. */
  jumpMean: number;
  /** @deprecated Use `deltaJ`. */
  jumpVol: number;
}

/** Merton (1976) jump-diffusion without its jump parameters (see {@link MertonModel}). */
export interface MertonDiffusion {
  kind: 'merton';
  spot: number;
  rate: number;
  dividendYield?: number;
  /** Diffusion volatility (> 0). */
  vol: number;
}

/**
 * Merton (1976) jump-diffusion: GBM plus compound-Poisson lognormal jumps, with
 * {@link JumpParameters} `lambda`, `muJ`, `deltaJ` (or the deprecated `jumpIntensity`,
 * `jumpMean`, `jumpVol`).
 */
export type MertonModel = MertonDiffusion & (JumpParameters | DeprecatedJumpParameters);

/** Bates (1996) without its jump parameters (see {@link BatesModel}). */
export interface BatesDiffusion extends Omit<HestonModel, 'kind' | 'scheme'> {
  kind: 'bates';
  /** Only `'qe'` (the default). */
  scheme?: 'qe';
}

/**
 * Bates (1996): Heston plus Merton jumps (variance simulated with QE), with the parameter names
 * of `batesPrice`: {@link JumpParameters} `lambda`, `muJ`, `deltaJ` (or the deprecated
 * `jumpIntensity`, `jumpMean`, `jumpVol`).
 */
export type BatesModel = BatesDiffusion & (JumpParameters | DeprecatedJumpParameters);

/**
 * Correlated multi-asset GBM, simulated exactly: dS_a / S_a = (r - q_a) dt + vol_a dW_a with
 * d<W_a, W_b> = correlation[a][b] dt. The correlation matrix is factored by a pivot-free Cholesky
 * (C = L L^T; positive semi-definite matrices such as perfectly correlated assets work: a zero pivot
 * gives a zero column). A matrix that is not positive semi-definite is an InputError at
 * `model.correlation` (giving its smallest eigenvalue) unless `repairCorrelation` is true.
 * Payoffs: `basket`, `geometricBasket`, `spread`, `exchange`, `bestOf`, `worstOf`.
 */
export interface MultiGbmModel {
  kind: 'multiGbm';
  /** Spot prices (> 0), one per asset (n >= 1 assets). */
  spots: readonly number[];
  /** Risk-free rate. */
  rate: number;
  /** Continuous dividend yields (default 0 each), one per asset. */
  dividendYields?: readonly number[];
  /** Volatilities (>= 0), one per asset. */
  vols: readonly number[];
  /**
   * Correlation matrix n x n: rows (`number[][]`) or row-major (`number[]` / `Float64Array` of n^2).
   * Symmetric and with unit diagonal to 1e-12, entries in [-1, 1], positive semi-definite.
   */
  correlation: readonly (readonly number[])[] | readonly number[] | Float64Array;
  /**
   * Replace a correlation matrix that is not positive semi-definite by the nearest correlation
   * matrix in the Frobenius norm (Higham 2002, alternating projections with Dykstra's correction);
   * `details.correlation` reports the distance moved and the iterations. Default false (InputError).
   */
  repairCorrelation?: boolean;
}
/**
 * [surface] Local volatility (Dupire): dS/S = (r - q) dt + sigma_loc(t, S) dW with sigma_loc the
 * surface's `localVol` at k = ln(S / F(t)), F(t) = spot e^{(r - q) t} (the model's forward; a
 * surface whose forwards differ is reported in `details.localVol.forwardMismatch`). Simulated by
 * log-Euler (x = ln S, x += (r - q - sigma^2/2) dt + sigma sqrt(dt) Z with sigma at the step's
 * midpoint time and starting k: the discounted spot is a martingale exactly; weak order 1 in dt).
 * The local vol is sampled once per job on a grid (see `grid`) and interpolated bilinearly in
 * (t, k), flat beyond the grid's k range. Payoffs: european, digital, barrier, asian; no greeks.
 */
export interface LocalVolModel {
  kind: 'localVol';
  /** The implied-vol surface (engine.volSurface): its local vol drives the paths; every grid node must have a defined local vol in [0, 10]. */
  surface: VolSurface;
  /** Spot price (> 0), in the surface's strike units. */
  spot: number;
  /** Risk-free rate (discounting and drift). */
  rate: number;
  /** Continuous dividend yield (default 0). */
  dividendYield?: number;
  /**
   * The sampling grid: `times` nodes at the midpoints of equal intervals of [0, expiry] (an integer
   * in [2, 4096]; default min(steps, 256), at least 2: with times = steps each step reads its own
   * row), `points` log-moneyness nodes (an odd or even integer in [3, 4001], default 401) over
   * k in [-h, h] with h = `width` x the at-the-money standard deviation sqrt(w(0, expiry)) (width in
   * (0, 50], default 6).
   */
  grid?: { times?: number; points?: number; width?: number };
}

export type MonteCarloModel = GbmModel | HestonModel | MertonModel | BatesModel | MultiGbmModel | LocalVolModel;

export interface EuropeanPayoff {
  kind: 'european';
  strike: number;
  type: OptionType;
}

/** Cash-or-nothing digital: pays `cash` (default 1) if theta (S_T - K) > 0. */
export interface DigitalPayoff {
  kind: 'digital';
  strike: number;
  type: OptionType;
  cash?: number;
}

/**
 * Single-barrier option on the vanilla payoff. `monitoring: 'continuous'` (default) corrects the
 * discrete path with the Brownian-bridge crossing probability between steps (exact for GBM at any
 * step count); `'discrete'` monitors at the step dates only. The rebate (default 0) is paid at
 * expiry: by a knock-out that knocked out, by a knock-in that never knocked in.
 */
export interface BarrierPayoff {
  kind: 'barrier';
  strike: number;
  type: OptionType;
  barrier: number;
  direction: 'up' | 'down';
  knock: 'in' | 'out';
  rebate?: number;
  monitoring?: 'continuous' | 'discrete';
}

/** Asian option on the average of S at the step dates t_1..t_n (S_0 excluded). */
export interface AsianPayoff {
  kind: 'asian';
  strike: number;
  type: OptionType;
  averaging: 'arithmetic' | 'geometric';
}

/** Multi-asset: arithmetic basket (theta (sum_a w_a S_a(T) - K))^+. */
export interface BasketPayoff {
  kind: 'basket';
  /** One weight per asset (finite; negative weights allowed, except with the geometric-basket control). */
  weights: number[];
  strike: number;
  type: OptionType;
}

/**
 * Multi-asset: geometric basket (theta (G - K))^+ with G = W prod_a S_a(T)^{w_a / W}, W = sum w_a
 * (weights > 0): the geometric counterpart of the arithmetic basket (equal when all S_a are
 * equal). ln G is normal, so it has a closed form (`geometricBasketPrice`); it is the control
 * variate `'geometricBasket'` of arithmetic baskets.
 */
export interface GeometricBasketPayoff {
  kind: 'geometricBasket';
  weights: number[];
  strike: number;
  type: OptionType;
}

/** Multi-asset: spread option (theta (S_i(T) - S_j(T) - K))^+ on `assets` [i, j] (default [0, 1]). */
export interface SpreadPayoff {
  kind: 'spread';
  strike: number;
  type: OptionType;
  assets?: [number, number];
}

/** Multi-asset: exchange option (S_i(T) - S_j(T))^+ on `assets` [i, j] (default [0, 1]); Margrabe (1978) in closed form. */
export interface ExchangePayoff {
  kind: 'exchange';
  assets?: [number, number];
}

/** Multi-asset: option on the best (max) or worst (min) of the assets at expiry, (theta (max or min S_a(T) - K))^+. */
export interface BestWorstOfPayoff {
  kind: 'bestOf' | 'worstOf';
  strike: number;
  type: OptionType;
}

/** Payoffs of the `multiGbm` model. */
export type MultiAssetPayoff = BasketPayoff | GeometricBasketPayoff | SpreadPayoff | ExchangePayoff | BestWorstOfPayoff;

export type MonteCarloPayoff = EuropeanPayoff | DigitalPayoff | BarrierPayoff | AsianPayoff | MultiAssetPayoff;

/** Arguments of `engine.monteCarlo`. */
export interface MonteCarloArgs {
  model: MonteCarloModel;
  payoff: MonteCarloPayoff;
  /** Expiry in years, in [1e-8, 1000]. */
  expiry: number;
  /**
   * Number of paths: an integer in [2, 2^32] (Philox: the path index is one 32-bit counter word),
   * with Sobol in [2, replications x 2^31]; even with `antithetic`; a multiple of the replications
   * with Sobol.
   */
  paths: number;
  /**
   * Time steps per path: an integer in [1, 100000] (`MAX_STEPS`); the Asian average and discrete
   * barrier use the step dates. With Sobol, steps x draws per step (multiGbm: the number of
   * assets) must fit the Sobol table. Jump models also need lambda x expiry / steps <= 50.
   */
  steps: number;
  /** Seed: a safe integer >= 0 or a bigint < 2^64 (the 64-bit Philox key). */
  seed: number | bigint;
  /** Philox stream: an integer in [0, 2^31 - 1] (default 0); independent runs with the same seed. */
  stream?: number;
  /** `'philox'` (default, pseudo-random) or `'sobol'` (randomised quasi-Monte Carlo). */
  rng?: 'philox' | 'sobol';
  /**
   * Sobol options: randomised replications (an integer in [2, 4096], default 16), scrambling (`'shift'` digital shift,
   * default; `'owen'`), and `brownianBridge` (default true): each draw slot's normals are built by
   * the Brownian bridge, so the first Sobol dimensions carry the terminal values.
   */
  qmc?: { replications?: number; scramble?: 'shift' | 'owen'; brownianBridge?: boolean };
  /** Antithetic pairs (path 2k + 1 negates the normals of path 2k). Default false. */
  antithetic?: boolean;
  /**
   * `'underlying'` (discounted S_T, every model; multiGbm: the discounted basket sum_a c_a S_a(T) with
   * c the basket weights, +1 / -1 on a spread's two assets, or 1 on every asset for best/worst-of),
   * `'geometricAsian'` (GBM, Asian payoffs) or `'geometricBasket'` (multiGbm, basket payoffs with
   * positive weights: the geometric basket option with the same weights, strike and type, whose
   * price is known in closed form). Default none.
   */
  controlVariate?: 'none' | 'underlying' | 'geometricAsian' | 'geometricBasket';
  /** Mean shift of the diffusion normals: `true` for the default shift (see `defaultImportanceShift`) or `{ shift }`. Not for multiGbm. */
  importanceSampling?: boolean | { shift?: number };
  /** `true`: delta, and vega where the model supports it; or pick `{ delta, vega }` (an unsupported pick is an InputError). Not for multiGbm. */
  greeks?: boolean | { delta?: boolean; vega?: boolean };
  /**
   * Worker threads (Node worker_threads / browser Web Workers): an integer in [1, 256]; default 1
   * = this thread. Results are identical for any count.
   */
  workers?: number;
  /**
   * Paths per shard: an even integer in [2, 2^20] (default 4096), a constant of the job, so
   * results do not depend on workers. With `workers` > 1 the run may have at most
   * `MAX_POOL_SHARDS` (2^22) shards.
   */
  shardSize?: number;
  /** Checked before each shard; an aborted run throws AbortedError. */
  signal?: AbortSignal;
  /** Called after each shard with the fraction of shards done. */
  onProgress?: (fractionDone: number) => void;
}

/** A greek estimate with its standard error. */
export interface GreekEstimate {
  value: number;
  stdErr: number;
  /** `'pathwise'` (Lipschitz payoffs) or `'likelihoodRatio'` (digital, barrier). */
  method: 'pathwise' | 'likelihoodRatio';
}

/** Everything needed to explain a Monte Carlo result. */
export interface MonteCarloDetails {
  model: string;
  payoff: string;
  rng: 'philox' | 'sobol';
  seed: string;
  stream: number;
  steps: number;
  /** Time step in years. */
  dt: number;
  shardSize: number;
  shards: number;
  /** Workers requested, and actually used (at most the shard count; 1 when run in this thread). */
  workers: number;
  workersUsed: number;
  antithetic: boolean;
  /** Independent samples behind `stdErr`: paths, antithetic pairs, or (Sobol) replications. */
  samples: number;
  /** Sobol: randomised replications and points per replication. */
  replications?: number;
  pointsPerReplication?: number;
  scramble?: 'shift' | 'owen';
  brownianBridge?: boolean;
  /**
   * Standard error plain Monte Carlo (pseudo-random, no variance reduction) would have on the
   * same number of paths, estimated from these paths' per-path moments (reweighted by the
   * likelihood ratio under importance sampling).
   */
  plainStdErr: number;
  /** plainStdErr^2 / stdErr^2: the variance reduction of everything used together. */
  varianceReductionFactor: number;
  controlVariate?: {
    kind: 'underlying' | 'geometricAsian' | 'geometricBasket';
    /** Known mean E[X] of the control. */
    mean: number;
    /** Sample mean of the control. */
    sampleMean: number;
    /** cov(Y, X) / var(X) from the same samples. */
    beta: number;
    correlation: number;
    /** var(Y) / var(Y - beta X): the reduction from the control alone. */
    varianceReductionFactor: number;
  };
  importanceSampling?: {
    /** Shift mu added to each diffusion normal. */
    shift: number;
    /** (sum w)^2 / sum w^2. */
    effectiveSampleSize: number;
    effectiveSampleFraction: number;
    /** Plain-MC variance / importance-sampling variance on the same paths (before any control variate). */
    varianceReductionFactor: number;
  };
  barrier?: { knockProbability: number };
  /** multiGbm: number of assets. */
  assets?: number;
  /** multiGbm: true when the correlation matrix was not PSD and was replaced by the nearest correlation matrix. */
  correlationRepaired?: boolean;
  /** multiGbm: the correlation actually simulated and how it was obtained. */
  correlation?: {
    /** The correlation matrix simulated, rows (the input, or its Higham repair). */
    matrix: number[][];
    /** Rank of its Cholesky factor (< n for singular matrices such as perfectly correlated assets). */
    rank: number;
    /** Smallest eigenvalue of the input matrix (NaN for a PSD input of more than 64 assets: not computed). */
    smallestEigenvalue: number;
    repaired: boolean;
    /** Frobenius distance ||repaired - input||_F (0 when not repaired). */
    frobeniusDistance: number;
    /** Higham iterations (0 when not repaired). */
    iterations: number;
  };
  /** [surface] localVol: the grid the local vol was sampled on and what it held. */
  localVol?: {
    /** Time nodes (midpoints of equal intervals of [0, expiry]) and log-moneyness nodes. */
    times: number;
    points: number;
    /** k range of the grid (flat extrapolation beyond). */
    kMin: number;
    kMax: number;
    minLocalVol: number;
    maxLocalVol: number;
    /** Largest |surface forward / (spot e^{(r - q) t}) - 1| at the surface's expiries up to the expiry (0 when consistent). */
    forwardMismatch: number;
  };
  /** What the discretisation does (bias is not included in stdErr). */
  scheme: string;
}

/** Result of `engine.monteCarlo`. */
export interface MonteCarloResult {
  price: number;
  stdErr: number;
  /** price -+ 1.959963984540054 stdErr. */
  ci95: [number, number];
  /** Paths simulated. */
  paths: number;
  elapsedMs: number;
  greeks?: { delta?: GreekEstimate; vega?: GreekEstimate };
  details: MonteCarloDetails;
}

/** Arguments of `engine.simulatePaths`. */
export interface SimulatePathsArgs {
  model: MonteCarloModel;
  /** Expiry in years, in [1e-8, 1000]. */
  expiry: number;
  /**
   * Number of paths: an integer in [1, 2^32 - firstPath], and paths x (steps + 1) x assets x 8
   * bytes at most `SIMULATE_PATHS_MAX_BYTES` (256 MiB).
   */
  paths: number;
  /** Time steps per path: an integer in [1, 100000]. */
  steps: number;
  seed: number | bigint;
  /** Philox stream: an integer in [0, 2^31 - 1] (default 0). */
  stream?: number;
  /** Antithetic pairs (paths and firstPath even). Default false. */
  antithetic?: boolean;
  /** First path index (default 0): path i of the output is path firstPath + i of a `monteCarlo` run with the same seed. */
  firstPath?: number;
  /** Write into this Float64Array of length paths x (steps + 1) (multiGbm: x assets) instead of allocating. */
  out?: Float64Array;
  /**
   * Checked before each chunk of paths (about 4 MiB of output each); an aborted signal throws
   * AbortedError (`shardsDone` = chunks written; the rows of those chunks are already in `out`).
   * `simulatePaths` is synchronous, so the signal can only be aborted beforehand or from `onProgress`.
   */
  signal?: AbortSignal;
  /** Called after each chunk with the fraction of paths written: increasing, in (0, 1], the last call exactly 1. */
  onProgress?: (fractionDone: number) => void;
}
