/**
 * Public types of the Monte Carlo facade: tagged model and payoff objects, the arguments of
 * `engine.monteCarlo` / `engine.simulatePaths`, and the result. Units as everywhere in riskwasm:
 * time in years, rates continuously compounded, vols annualised decimals, variances per year.
 */
import type { OptionType } from '../batch-inputs.js';

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

/** Lognormal jumps: intensity lambda per year, log jump size ~ N(jumpMean, jumpVol^2); the drift is compensated. */
export interface JumpParameters {
  /** Jump intensity per year (>= 0). */
  jumpIntensity: number;
  /** Mean of the log jump size. */
  jumpMean: number;
  /** Standard deviation of the log jump size (>= 0). */
  jumpVol: number;
}

/** Merton (1976) jump-diffusion: GBM plus compound-Poisson lognormal jumps. */
export interface MertonModel extends JumpParameters {
  kind: 'merton';
  spot: number;
  rate: number;
  dividendYield?: number;
  vol: number;
}

/** Bates (1996): Heston plus Merton jumps (variance simulated with QE). */
export interface BatesModel extends Omit<HestonModel, 'kind' | 'scheme'>, JumpParameters {
  kind: 'bates';
  /** Only `'qe'` (the default). */
  scheme?: 'qe';
}

/**
 * Correlated multi-asset GBM (Cholesky): reserved, not implemented yet (an InputError says so).
 * The union stays open for it.
 */
export interface MultiGbmModel {
  kind: 'multiGbm';
  spots: number[];
  rate: number;
  dividendYields?: number[];
  vols: number[];
  /** Correlation matrix, row-major n x n. */
  correlation: number[] | number[][];
  /** Repair a non-PSD correlation matrix to the nearest correlation matrix (Higham 2002). */
  repairCorrelation?: boolean;
}

export type MonteCarloModel = GbmModel | HestonModel | MertonModel | BatesModel | MultiGbmModel;

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

export type MonteCarloPayoff = EuropeanPayoff | DigitalPayoff | BarrierPayoff | AsianPayoff;

/** Arguments of `engine.monteCarlo`. */
export interface MonteCarloArgs {
  model: MonteCarloModel;
  payoff: MonteCarloPayoff;
  /** Expiry in years (> 0). */
  expiry: number;
  /** Number of paths (>= 2; even with `antithetic`; a multiple of the replications with Sobol). */
  paths: number;
  /** Time steps per path (>= 1); the Asian average and discrete barrier use the step dates. */
  steps: number;
  /** Seed: a safe integer >= 0 or a bigint < 2^64 (the 64-bit Philox key). */
  seed: number | bigint;
  /** Philox stream (u32, default 0): independent runs with the same seed. */
  stream?: number;
  /** `'philox'` (default, pseudo-random) or `'sobol'` (randomised quasi-Monte Carlo). */
  rng?: 'philox' | 'sobol';
  /**
   * Sobol options: randomised replications (default 16, >= 2), scrambling (`'shift'` digital shift,
   * default; `'owen'`), and `brownianBridge` (default true): each draw slot's normals are built by
   * the Brownian bridge, so the first Sobol dimensions carry the terminal values.
   */
  qmc?: { replications?: number; scramble?: 'shift' | 'owen'; brownianBridge?: boolean };
  /** Antithetic pairs (path 2k + 1 negates the normals of path 2k). Default false. */
  antithetic?: boolean;
  /** `'underlying'` (discounted S_T, every model) or `'geometricAsian'` (GBM, Asian payoffs). Default none. */
  controlVariate?: 'none' | 'underlying' | 'geometricAsian';
  /** Mean shift of the diffusion normals: `true` for the default shift (see `defaultImportanceShift`) or `{ shift }`. */
  importanceSampling?: boolean | { shift?: number };
  /** `true`: delta, and vega where the model supports it; or pick `{ delta, vega }` (an unsupported pick is an InputError). */
  greeks?: boolean | { delta?: boolean; vega?: boolean };
  /** Worker threads (Node worker_threads / browser Web Workers); default 1 = this thread. Results are identical for any count. */
  workers?: number;
  /** Paths per shard (even, default 4096): a constant of the job, so results do not depend on workers. */
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
    kind: 'underlying' | 'geometricAsian';
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
  expiry: number;
  paths: number;
  steps: number;
  seed: number | bigint;
  stream?: number;
  antithetic?: boolean;
  /** First path index (default 0): path i of the output is path firstPath + i of a `monteCarlo` run with the same seed. */
  firstPath?: number;
  /** Write into this Float64Array of length paths x (steps + 1) instead of allocating. */
  out?: Float64Array;
}
