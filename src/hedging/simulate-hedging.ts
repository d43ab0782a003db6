/**
 * `engine.simulateHedging`: discrete hedging of a book of vanillas along simulated paths, with
 * delta or delta-gamma strategies, clock or band rebalancing and transaction costs; the
 * distribution of hedged P&L per rebalancing interval, compared on the same paths.
 *
 * Hedge greeks, premiums and marks are Black-Scholes at one hedge vol (the model's vol for GBM,
 * see `defaultHedgeVol` otherwise), so under GBM at that vol the P&L is the pure discretisation
 * (and cost) error of the hedge, and under Heston, Merton or Bates it adds the model risk of
 * hedging with Black-Scholes greeks. The path loop is the hedgeShard kernel (WASM, or its JS
 * twin); shards of paths run in this thread or on the worker pool, and the statistics are taken
 * over the per-path outputs in path order, so the result is bit-identical for any backend, worker
 * count and shard size.
 */
import type { EngineContext } from '../context.js';
import { now } from '../clock.js';
import { runControls } from '../parallel/run-controls.js';
import { allocateOutput, runShardsInto } from '../parallel/run-shards.js';
import * as H from '../kernels/hedging/layout.js';
import { createHedgingJob, type HedgingJob } from './hedging-job.js';
import { hedgingBlockLength } from './hedging-shards.js';
import { histogramCounts, pnlDistribution, sortedQuantile } from './hedged-pnl-statistics.js';
import type { HedgingRun, SimulateHedgingArgs, SimulateHedgingResult } from './simulate-hedging-types.js';
import { bsmPrice } from '../montecarlo/closed-forms.js';

export type { HedgePosition, HedgingRun, SimulateHedgingArgs, SimulateHedgingResult } from './simulate-hedging-types.js';
export type { PnlDistribution } from './hedged-pnl-statistics.js';

/** Histogram bins of each run. */
const HISTOGRAM_BINS = 50;

function schemeOf(job: HedgingJob): string {
  const m = job.model;
  return m.kind === 'gbm' ? 'GBM, exact log-normal steps'
    : m.kind === 'merton' ? 'Merton, exact diffusion step plus compound-Poisson lognormal jumps per step'
    : m.kind === 'localVol' ? 'local vol, log-Euler on the sampled grid'
    : m.scheme === 'euler' ? 'Heston, full-truncation Euler'
    : `${m.kind === 'bates' ? 'Bates: ' : ''}Heston, Andersen QE (psi_c = 1.5) with martingale correction${m.kind === 'bates' ? ' plus compound-Poisson lognormal jumps per step' : ''}`;
}

/**
 * Simulate discrete hedging of a book of vanillas: see {@link SimulateHedgingArgs} and
 * {@link SimulateHedgingResult}. P&L per path, discounted to t = 0: premiums received minus paid,
 * plus option payoffs (or marks at the horizon), plus the gains of the hedge, minus costs.
 * @throws (rejects) InputError for malformed arguments (before any work), naming the field;
 *   AbortedError when `signal` aborts; WorkerError when a worker cannot start.
 */
export async function simulateHedging(ctx: EngineContext, args: SimulateHedgingArgs): Promise<SimulateHedgingResult> {
  const t0 = now();
  const job = createHedgingJob(args, ctx);
  const { signal, onProgress } = runControls(args as { signal?: unknown; onProgress?: unknown });
  const shardLength = hedgingBlockLength(job);
  const output = allocateOutput(job.shardCount * shardLength);
  await runShardsInto(ctx, output, {
    task: 'hedgeSimulate', job, shards: job.shardCount, shardLength, workers: job.workers, items: job.paths * job.steps * job.every.length,
    ...(signal ? { signal } : {}), ...(onProgress ? { onProgress } : {}),
  });
  return assembleHedging(job, output, now() - t0);
}

/** Per-run arrays in path order from the shard blocks. */
function gather(job: HedgingJob, output: Float64Array, run: number, field: number): Float64Array {
  const out = new Float64Array(job.paths);
  const S = job.shardSize;
  const len = hedgingBlockLength(job);
  for (let k = 0; k < job.shardCount; k++) {
    const count = Math.min(S, job.paths - k * S);
    const base = k * len + (run * 3 + field) * S;
    out.set(output.subarray(base, base + count), k * S);
  }
  return out;
}

function mean(v: Float64Array): { mean: number; stdErr: number } {
  const n = v.length;
  let s = 0;
  for (let i = 0; i < n; i++) s += v[i]!;
  const m = s / n;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (v[i]! - m) * (v[i]! - m);
  return { mean: m, stdErr: Math.sqrt(ss / (n - 1) / n) };
}

/** The result from the shard blocks (a pure function of the job and the per-path outputs). */
export function assembleHedging(job: HedgingJob, output: Float64Array, elapsedMs: number): SimulateHedgingResult {
  const dt = job.horizon / job.steps;
  const perRun = job.every.map((_, r) => ({ pnl: gather(job, output, r, 0), cost: gather(job, output, r, 1), trades: gather(job, output, r, 2) }));
  // Common histogram range: the pooled 0.1% and 99.9% quantiles of every run.
  let lo = Infinity;
  let hi = -Infinity;
  const sortedPnl = perRun.map((p) => Float64Array.from(p.pnl).sort());
  for (const sorted of sortedPnl) {
    lo = Math.min(lo, sortedQuantile(sorted, 0.001));
    hi = Math.max(hi, sortedQuantile(sorted, 0.999));
  }
  if (!(hi > lo)) hi = lo + 1;
  const edges = Array.from({ length: HISTOGRAM_BINS + 1 }, (_, i) => lo + ((hi - lo) * i) / HISTOGRAM_BINS);
  const runs: HedgingRun[] = perRun.map((p, r) => {
    const every = job.every[r]!;
    const run: HedgingRun = {
      every, interval: every * dt, rebalancingDates: Math.ceil(job.steps / every),
      pnl: pnlDistribution(p.pnl, job.quantiles, job.confidence, sortedPnl[r]), cost: mean(p.cost), trades: { mean: mean(p.trades).mean },
      histogram: histogramCounts(p.pnl, edges),
    };
    if (job.samples) run.samples = p;
    return run;
  });
  let bookValue = 0;
  const m = job.model;
  for (let k = 0; k < job.nOptions; k++) {
    const o = k * H.OPT_COLUMNS;
    const type = job.options[o + H.OPT_TYPE]! > 0 ? 'call' : 'put';
    bookValue += job.options[o + H.OPT_QUANTITY]! * bsmPrice(m.spot, job.options[o + H.OPT_STRIKE]!, job.options[o + H.OPT_EXPIRY]!, m.rate, m.dividendYield, job.options[o + H.OPT_HEDGE_VOL]!, type);
  }
  const lv = m.localVol;
  return {
    runs, bookValue, histogramEdges: edges, paths: job.paths, elapsedMs,
    details: {
      model: m.kind, scheme: schemeOf(job), strategy: job.strategy, band: job.band, hedgeVol: job.hedgeVol, hedgeVolSource: job.hedgeVolSource,
      horizon: job.horizon, steps: job.steps, dt, seed: job.seed, stream: job.stream, shards: job.shardCount, shardSize: job.shardSize,
      workers: job.workers,
      greeks: `Black-Scholes delta${job.strategy === 'delta-gamma' ? ' and gamma' : ''} at ${lv && job.hedgeVolSource !== 'hedgeVol' ? 'each option\'s surface vol (sticky strike)' : `the hedge vol ${job.hedgeVol}`}, at each rebalancing date`,
      ...(lv ? {
        positionVols: Array.from({ length: job.nOptions }, (_, k) => job.options[k * H.OPT_COLUMNS + H.OPT_HEDGE_VOL]!),
        localVol: { times: lv.times, points: lv.points, minLocalVol: lv.minLocalVol, maxLocalVol: lv.maxLocalVol, forwardMismatch: lv.forwardMismatch },
      } : {}),
    },
  };
}
