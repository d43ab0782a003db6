/**
 * Arguments and result of `engine.simulateHedging` (discrete hedging along simulated paths).
 * Units: prices and P&L in the underlying's currency (USD), discounted to t = 0; vols annualised
 * decimals; times in years; rates continuously compounded.
 */
import type { BatesModel, GbmModel, HestonModel, LocalVolModel, MertonModel } from '../montecarlo/types.js';
import type { PnlDistribution } from './hedged-pnl-statistics.js';

/** One vanilla of the book: bought (quantity > 0) or sold (< 0) at t = 0 at its Black-Scholes price at the hedge vol. */
export interface HedgePosition {
  type: 'call' | 'put';
  /** Strike (> 0). */
  strike: number;
  /** Expiry in years: settles at intrinsic value at the step nearest it (round(expiry / dt), at least 1), or is marked at the horizon if later. */
  expiry: number;
  /** Units of the underlying per option, negative when sold. */
  quantity: number;
}

/** Arguments of `engine.simulateHedging`. */
export interface SimulateHedgingArgs {
  /**
   * The risk-neutral path model, as for `engine.monteCarlo` (gbm, heston,
   * merton, bates, localVol; one asset). Paths are the Monte Carlo engine's for the same seed, stream and
   * steps over the horizon (localVol: its grid sampled for expiry = horizon). With localVol and no
   * `hedgeVol`, each option's premium, mark and greeks use the surface's implied vol at its strike
   * and expiry, held fixed along the path (sticky strike), the hedge option's likewise.
   */
  model: GbmModel | HestonModel | MertonModel | BatesModel | LocalVolModel;
  /** The book: 1 to 1000 vanillas on the model's underlying. */
  positions: readonly HedgePosition[];
  /**
   * `'delta'` (default): hold minus the book's Black-Scholes delta at `hedgeVol` in the underlying;
   * `'delta-gamma'`: first neutralise the gamma with `hedgeOption`, then the delta; `'none'`: unhedged.
   */
  strategy?: 'delta' | 'delta-gamma' | 'none';
  /** Vol of the hedge greeks, premiums and marks, every option (decimal; default: see `details.hedgeVolSource`). */
  hedgeVol?: number;
  /** The delta-gamma hedge instrument (required with `'delta-gamma'`; expiry >= horizon). */
  hedgeOption?: { type: 'call' | 'put'; strike: number; expiry: number };
  /**
   * When to trade. `every`: rebalance at steps 0, every, 2 every, ... (default 1); an array runs
   * each interval on the same paths and compares them. `band`: trade only when the holding is
   * more than the half-width from the target (units of the underlying), or the Whalley-Wilmott
   * band (3/2 e^{-r(T-t)} k S Gamma^2 / riskAversion)^{1/3} with `band: 'whalley-wilmott'`;
   * tested every `every` steps; `to`: trade to the nearest band edge (default) or to the target.
   */
  rebalance?: { every?: number | readonly number[]; band?: number | 'whalley-wilmott'; riskAversion?: number; to?: 'edge' | 'target' };
  /**
   * Costs: `proportional` fraction of the notional of underlying traded (one way, e.g. 0.0005 =
   * 5 bp), `fixed` USD per rebalancing with a trade, `optionProportional` fraction of the premium
   * of hedge options traded. The first hedge at t = 0 pays costs; the hedge is marked at the
   * horizon without closing costs.
   */
  costs?: { proportional?: number; fixed?: number; optionProportional?: number };
  /** Number of paths (2 to 1e7). */
  paths: number;
  /** Philox seed: integer in [0, 2^53) or bigint in [0, 2^64). */
  seed: number | bigint;
  /** Time steps over the horizon (dt = horizon / steps). */
  steps: number;
  /** Philox stream (default 0). */
  stream?: number;
  /** Horizon in years (default: the last expiry of the book). */
  horizon?: number;
  /** Worker threads (default 1: this thread); the result is the same for any count. */
  workers?: number;
  /** Paths per shard (default 4096): the unit of work, progress and abort; does not change the result. */
  shardSize?: number;
  /** Confidence of valueAtRisk and expectedShortfall (default 0.99). */
  confidence?: number;
  /** Quantile probabilities of the P&L distribution (default 0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99). */
  quantiles?: readonly number[];
  /** Keep the per-path P&L, cost and trade counts in the result (default false). */
  samples?: boolean;
  signal?: AbortSignal;
  onProgress?: (fraction: number) => void;
}

/** One rebalancing rule's outcome over all paths. */
export interface HedgingRun {
  /** Rebalancing interval in steps, and in years (every x dt). */
  every: number;
  interval: number;
  /** Rebalancing dates per path (ceil(steps / every)): the N of the discrete-hedging error ~ 1/sqrt(N). */
  rebalancingDates: number;
  /** Distribution of the hedged P&L (premium received minus payoff plus hedge gains minus costs). */
  pnl: PnlDistribution;
  /** Costs paid per path, discounted: mean and its standard error. */
  cost: { mean: number; stdErr: number };
  /** Rebalancings with a trade per path: mean. */
  trades: { mean: number };
  /** Histogram of the P&L on the result's common `histogramEdges`. */
  histogram: number[];
  /** Per-path P&L, cost and trade count in path order (with `samples: true`). */
  samples?: { pnl: Float64Array; cost: Float64Array; trades: Float64Array };
}

/** Result of `engine.simulateHedging`. */
export interface SimulateHedgingResult {
  /** One run per rebalancing interval, in the order given. */
  runs: HedgingRun[];
  /** Value of the book at t = 0 at the hedge vols (sum of quantity x Black-Scholes price; USD). */
  bookValue: number;
  /** Bin edges shared by every run's histogram (50 bins over the pooled 0.1% - 99.9% range). */
  histogramEdges: number[];
  paths: number;
  elapsedMs: number;
  details: {
    model: string;
    scheme: string;
    strategy: 'delta' | 'delta-gamma' | 'none';
    band: 'none' | 'fixed' | 'whalley-wilmott';
    /** The hedge vol (localVol without `hedgeVol`: the hedge option's surface vol, or the at-the-money vol at the horizon). */
    hedgeVol: number;
    hedgeVolSource: string;
    /** [hedging] localVol: each position's hedge vol (decimal), in the order of `positions`. */
    positionVols?: number[];
    /** [hedging] localVol: the sampled grid (as the Monte Carlo engine's `details.localVol`). */
    localVol?: { times: number; points: number; minLocalVol: number; maxLocalVol: number; forwardMismatch: number };
    horizon: number;
    steps: number;
    dt: number;
    seed: string;
    stream: number;
    shards: number;
    shardSize: number;
    workers: number;
    greeks: string;
  };
}
