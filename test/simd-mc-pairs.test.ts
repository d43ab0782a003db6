// The f64x2 kernels of issue 13 (two Monte Carlo paths per lane pair for GBM and Heston QE;
// two scenarios per lane pair in the option revaluation) keep the scalar bits:
//  - Monte Carlo: the WASM engine steps paths in pairs, the JS twin one at a time, so any lane
//    that deviates from the scalar operation order shows up as a WASM/JS difference. The setups
//    aim at the pair code's edges: an odd path count in the last shard (its last path takes the
//    scalar loop), steps across the 256-draw chunk boundary with an odd last chunk, antithetic
//    pairs (one Philox path, lane 1 flipped), importance sampling, likelihood-ratio greeks (which
//    read sum sd z and sum sd^2), and a Heston model with sigma^2 >> 2 kappa theta so variances
//    fall near 0 and the QE step mixes its quadratic and exponential branches within a pair.
//    Heston QE steps four paths per call (two pairs) where a shard has four left.
//  - Revaluation: a scenario revalued alone goes through the scalar loop (an odd last scenario),
//    inside a batch through the f64x2 pair loop; on WASM the two must be the same bits, for
//    every region of the normalised Black function (small t, central, asymptotic deep out of the
//    money, zero vol, expired) and every vol-shock mode, numeraire and settlement. On the JS twin
//    the same check holds trivially (one scalar loop) and runs as the control.
import { beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, engineFor } from './backends.js';
import type { Engine, MonteCarloArgs, Portfolio } from '../src/index.js';

const gbm = { kind: 'gbm', spot: 100, rate: 0.03, dividendYield: 0.01, vol: 0.35 } as const;
// 2 kappa theta / sigma^2 = 0.125: the variance spends many steps near zero (psi > 1.5).
const hestonWild = { kind: 'heston', spot: 100, rate: 0.02, dividendYield: 0, v0: 0.02, kappa: 1, theta: 0.05, sigma: 2, rho: -0.5 } as const;
const heston = { kind: 'heston', spot: 100, rate: 0.03, dividendYield: 0.01, v0: 0.04, kappa: 1.5, theta: 0.04, sigma: 0.5, rho: -0.7 } as const;
const call = { kind: 'european', strike: 105, type: 'call' } as const;
const digital = { kind: 'digital', strike: 95, type: 'put', cash: 1 } as const;

type Setup = [string, Omit<MonteCarloArgs, 'expiry' | 'seed'>];
const SETUPS: Setup[] = [
  ['GBM, odd path count (last shard odd), 300 steps over a chunk boundary, greeks, control', { model: gbm, payoff: call, paths: 1001, shardSize: 256, steps: 300, greeks: true, controlVariate: 'underlying' }],
  ['GBM digital, likelihood-ratio greeks, importance sampling, 257 steps', { model: gbm, payoff: digital, paths: 514, shardSize: 128, steps: 257, greeks: true, importanceSampling: { shift: -0.01 } }],
  ['GBM antithetic, 1 step', { model: gbm, payoff: call, paths: 2048, steps: 1, antithetic: true, greeks: true }],
  ['Heston QE, variance near zero (branches mixed within pairs), odd paths, 131 steps (262 draws)', { model: hestonWild, payoff: call, paths: 777, shardSize: 256, steps: 131, greeks: { delta: true }, controlVariate: 'underlying' }],
  ['Heston QE digital, antithetic, importance sampling, 200 steps', { model: heston, payoff: digital, paths: 1024, steps: 200, antithetic: true, greeks: { delta: true }, importanceSampling: { shift: -0.01 } }],
  ['Heston QE, 1 step, odd paths', { model: hestonWild, payoff: call, paths: 33, steps: 1 }],
  // [simd] four paths per call (two lane pairs): shards of 10 paths end in a pair, the last shard of
  // 7 in a pair and a scalar path, shards of 6 in a pair; both four-path kernels (quadratic first at 2 kappa theta / sigma^2 = 0.48,
  // the general one at 0.125).
  ['Heston QE four-path kernels, shards of 10 paths and a last of 7, greeks, control', { model: heston, payoff: call, paths: 297, shardSize: 10, steps: 70, greeks: { delta: true }, controlVariate: 'underlying' }],
  ['Heston QE four-path kernels, variance near zero, shards of 6 paths, antithetic', { model: hestonWild, payoff: digital, paths: 300, shardSize: 6, steps: 129, antithetic: true, greeks: { delta: true } }],
];

describe('f64x2 Monte Carlo paths: WASM (pairs) and JS twin (scalar) identical', () => {
  let wasm: Engine;
  let js: Engine;
  beforeAll(async () => {
    [wasm, js] = await Promise.all([engineFor('wasm'), engineFor('js')]);
  });

  it.each(SETUPS)('%s', (_, setup) => {
    const args = { expiry: 1, seed: 9172, ...setup } as MonteCarloArgs;
    const a = wasm.monteCarloSync(args);
    const b = js.monteCarloSync(args);
    expect(Number.isFinite(a.price) && a.stdErr > 0).toBe(true);
    const { elapsedMs: _ea, ...ra } = a as unknown as Record<string, unknown>;
    const { elapsedMs: _eb, ...rb } = b as unknown as Record<string, unknown>;
    // toEqual uses Object.is on numbers: -0 vs 0 and every last bit count.
    expect(ra).toEqual(rb);
  });
});

const spots = { BTC: 90000, ETH: 3000 };
const PORTFOLIO: Portfolio = {
  spots,
  accounts: { usd: {}, btc: { numeraire: 'BTC' } },
  positions: [
    // small t (vol sqrt(T) < 0.42), central, long-dated, coin-settled, deep OTM (asymptotic under big moves)
    { kind: 'option', asset: 'BTC', quantity: -3, strike: 100000, expiry: 2 / 365, vol: 0.4, type: 'call', account: 'usd' },
    { kind: 'option', asset: 'BTC', quantity: 5, strike: 80000, expiry: 60 / 365, vol: 0.6, type: 'put', settlement: 'coin', account: 'btc' },
    { kind: 'option', asset: 'ETH', quantity: 20, strike: 3000, expiry: 1.5, vol: 0.9, type: 'call', rate: 0.04, basis: 0.02, account: 'usd' },
    { kind: 'option', asset: 'ETH', quantity: -7, strike: 9000, expiry: 7 / 365, vol: 0.5, type: 'call', settlement: 'coin', account: 'btc' },
    { kind: 'option', asset: 'BTC', quantity: 2, strike: 20000, expiry: 1 / 365, vol: 0.8, type: 'put', account: 'usd' },
    { kind: 'option', asset: 'BTC', quantity: 1, strike: 95000, expiry: 0.5, vol: 0, type: 'call', account: 'btc' },
    { kind: 'option', asset: 'ETH', quantity: 4, strike: 2500, expiry: 0.5 / 365, vol: 0.7, type: 'put', volShockScale: 2, account: 'usd' },
    { kind: 'future', asset: 'BTC', quantity: 1, expiry: 0.25, basis: 0.05, account: 'usd' },
  ],
};
// Moves from nothing to -90% / +300%, vol shocks both ways (some floored at zero).
const LOG_RETURNS = [[0, 0], [0.05, -0.1], [-0.2, 0.03], [-2.3, 1.4], [1.1, -2.0], [0.3, 0.3], [-0.01, 0.02], [0.7, -0.6], [-0.5, 0.9]];
const VOL_SHOCKS = [[0, 0], [0.1, -0.05], [0.2, 0.3], [-0.5, 0.4], [0.9, -0.9], [-0.2, 0.2], [0.05, 0], [-1, 1], [0.3, -0.3]];

describe.each(BACKENDS)('f64x2 revaluation: a scenario alone (scalar loop) = the same scenario in a batch (pairs) (%s)', (backend) => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await engineFor(backend);
  });

  it.each(['absolute', 'relative', 'log'] as const)('vol shocks %s, accounts in USD and BTC, position P&L', (volShockMode) => {
    const horizon = 1 / 365;
    const batch = engine.revaluePortfolio({
      portfolio: PORTFOLIO, scenarios: { logReturns: LOG_RETURNS, volShocks: VOL_SHOCKS, volShockMode, horizon }, positionPnl: true,
    });
    const m = LOG_RETURNS.length;
    expect(m % 2).toBe(1); // the last scenario of the batch takes the scalar loop too
    for (let s = 0; s < m; s++) {
      const alone = engine.revaluePortfolio({
        portfolio: PORTFOLIO, scenarios: { logReturns: [LOG_RETURNS[s]!], volShocks: [VOL_SHOCKS[s]!], volShockMode, horizon }, positionPnl: true,
      });
      expect(Object.is(alone.pnl[0], batch.pnl[s]), `scenario ${s} total`).toBe(true);
      for (const name of ['usd', 'btc']) expect(Object.is(alone.accounts![name]![0], batch.accounts![name]![s]), `scenario ${s} account ${name}`).toBe(true);
      const pa = alone.positionPnl!;
      const pb = batch.positionPnl!;
      for (let i = 0; i < PORTFOLIO.positions.length; i++) expect(Object.is(pa[i], pb[i * m + s]), `scenario ${s} position ${i}`).toBe(true);
      expect(Number.isFinite(alone.pnl[0])).toBe(true);
    }
  });
});
