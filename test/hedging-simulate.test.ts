// engine.simulateHedging: the same bits on both backends, any worker count and shard size; paths
// equal to the Monte Carlo engine's for the same seed; the accounting against an independent
// re-computation along simulatePaths' paths; input errors naming the field.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { BACKENDS, engineFor, expectInputError, propertySeed } from './backends.js';
import type { Engine, SimulateHedgingArgs, SimulateHedgingResult, VolSurface } from '../src/index.js';
import { InputError } from '../src/index.js';

const gbm = { kind: 'gbm', spot: 100, rate: 0.03, dividendYield: 0.01, vol: 0.25 } as const;
const heston = { kind: 'heston', spot: 100, rate: 0.01, dividendYield: 0.02, v0: 0.04, kappa: 1.5, theta: 0.06, sigma: 0.8, rho: -0.7 } as const;
const jumps = { lambda: 1.5, muJ: -0.1, deltaJ: 0.2 } as const;
const merton = { kind: 'merton', spot: 100, rate: 0.05, dividendYield: 0.01, vol: 0.2, ...jumps } as const;
const bates = { ...heston, kind: 'bates', ...jumps } as const;
const book = [
  { type: 'call', strike: 100, expiry: 0.5, quantity: -1 },
  { type: 'put', strike: 90, expiry: 0.3, quantity: 2 },
] as const;

type Case = [string, SimulateHedgingArgs];
const CASES: Case[] = [
  ['GBM delta, clock, compare 1/3/7, proportional + fixed costs (odd path count: pairs and a scalar tail)', {
    model: gbm, positions: book, paths: 301, steps: 50, seed: 7, rebalance: { every: [1, 3, 7] }, costs: { proportional: 0.001, fixed: 0.01 },
  }],
  ['GBM delta-gamma with a put hedge, option costs', {
    model: gbm, positions: book, paths: 200, steps: 40, seed: 8, strategy: 'delta-gamma', hedgeOption: { type: 'put', strike: 95, expiry: 1 },
    costs: { proportional: 0.0005, optionProportional: 0.01 },
  }],
  ['GBM fixed band to the edge, horizon before the last expiry (marked)', {
    model: gbm, positions: book, paths: 200, steps: 30, seed: 9, horizon: 0.4, rebalance: { band: 0.05 }, costs: { proportional: 0.001 },
  }],
  ['Heston QE Whalley-Wilmott band to the target', {
    model: heston, positions: book, paths: 150, steps: 40, seed: 10, rebalance: { band: 'whalley-wilmott', riskAversion: 0.5, to: 'target', every: 2 }, costs: { proportional: 0.002 },
  }],
  ['Heston Euler unhedged', { model: { ...heston, scheme: 'euler' }, positions: book, paths: 100, steps: 25, seed: 11, strategy: 'none' }],
  ['Merton delta', { model: merton, positions: book, paths: 150, steps: 30, seed: 12, stream: 3 }],
  ['Heston QE delta on the clock, compare 1/2 (odd path count: paths made one at a time, hedged in pairs, a scalar tail)', {
    model: heston, positions: book, paths: 151, steps: 30, seed: 14, rebalance: { every: [1, 2] }, costs: { proportional: 0.001 },
  }],
  ['Bates delta-gamma', { model: bates, positions: book, paths: 120, steps: 30, seed: 13, strategy: 'delta-gamma', hedgeOption: { type: 'call', strike: 105, expiry: 0.75 } }],
];

/** First differing number between two results (Object.is, so -0 and NaN count), or null. */
function firstDifference(a: unknown, b: unknown, path = 'result'): string | null {
  if (typeof a === 'number' || typeof b === 'number') return Object.is(a, b) ? null : `${path}: ${String(a)} vs ${String(b)}`;
  if (ArrayBuffer.isView(a) && ArrayBuffer.isView(b)) {
    const x = a as Float64Array;
    const y = b as Float64Array;
    if (x.length !== y.length) return `${path}.length`;
    for (let i = 0; i < x.length; i++) if (!Object.is(x[i], y[i])) return `${path}[${i}]: ${x[i]} vs ${y[i]}`;
    return null;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return `${path}.length`;
    for (let i = 0; i < a.length; i++) {
      const d = firstDifference(a[i], b[i], `${path}[${i}]`);
      if (d) return d;
    }
    return null;
  }
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) {
      if (k === 'elapsedMs' || k === 'workers' || k === 'shards' || k === 'shardSize') continue;
      const d = firstDifference((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`);
      if (d) return d;
    }
    return null;
  }
  return Object.is(a, b) ? null : `${path}: ${String(a)} vs ${String(b)}`;
}

describe('simulateHedging: bit for bit across backends, shard sizes and workers', () => {
  it.each(CASES)('%s', async (_label, args) => {
    const [wasm, js] = await Promise.all([engineFor('wasm'), engineFor('js')]);
    const a = await wasm.simulateHedging({ ...args, samples: true });
    const b = await js.simulateHedging({ ...args, samples: true });
    expect(firstDifference(a, b)).toBeNull();
    const c = await wasm.simulateHedging({ ...args, samples: true, shardSize: 38 });
    expect(firstDifference(a, c)).toBeNull();
    for (const run of a.runs) for (const v of run.samples!.pnl) expect(Number.isFinite(v)).toBe(true);
  });

  it('workers 1 and 2 give the same result (WASM and JS)', async () => {
    for (const backend of BACKENDS) {
      const e = await engineFor(backend);
      const args: SimulateHedgingArgs = { ...CASES[0]![1], paths: 2000, shardSize: 256, samples: true };
      const one = await e.simulateHedging({ ...args, workers: 1 });
      const two = await e.simulateHedging({ ...args, workers: 2 });
      expect(firstDifference(one, two)).toBeNull();
    }
  }, 60_000);
});

/**
 * Independent re-computation of one path's P&L from simulatePaths' spots (same model, seed,
 * steps): Black-Scholes by Math.exp/Math.log and an erfc-free normal cdf (Zelen-Severo would be
 * too coarse; use the complementary error function from the series below), daily delta hedge.
 */
function normCdf(x: number): number {
  // W. J. Cody's erfc is what the kernel uses; here a different route: Phi by the continued
  // fraction / series of Abramowitz-Stegun 26.2.11 (series) and 26.2.14 (continued fraction).
  const z = Math.abs(x);
  let p: number;
  if (z < 5) {
    let term = z;
    let sum = z;
    for (let k = 1; k < 200; k++) {
      term *= (z * z) / (2 * k + 1);
      sum += term;
      if (term < 1e-17 * sum) break;
    }
    p = 0.5 + (sum * Math.exp(-0.5 * z * z)) / Math.sqrt(2 * Math.PI);
  } else {
    let f = z;
    for (let k = 60; k >= 1; k--) f = z + k / f;
    p = 1 - Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI) / f;
  }
  return x >= 0 ? p : 1 - p;
}

function bs(type: 'call' | 'put', S: number, K: number, tau: number, r: number, q: number, v: number): { price: number; delta: number } {
  if (tau <= 0) return { price: Math.max(type === 'call' ? S - K : K - S, 0), delta: 0 };
  const sd = v * Math.sqrt(tau);
  const d1 = (Math.log(S / K) + (r - q + 0.5 * v * v) * tau) / sd;
  const d2 = d1 - sd;
  const eq = Math.exp(-q * tau);
  const kd = K * Math.exp(-r * tau);
  return type === 'call'
    ? { price: eq * S * normCdf(d1) - kd * normCdf(d2), delta: eq * normCdf(d1) }
    : { price: kd * normCdf(-d2) - eq * S * normCdf(-d1), delta: eq * (normCdf(d1) - 1) };
}

/**
 * Daily delta hedge of `positions` along the spots S_0..S_n (independent of the kernel): Black-Scholes
 * at each option's vol, proportional cost 0.001 and fixed cost 0.02 per trade, every step.
 */
function hedgeAlong(
  S: Float64Array, positions: readonly { type: 'call' | 'put'; strike: number; expiry: number; quantity: number }[], vols: number[], r: number, q: number, dt: number,
): { pnl: number; cost: number; trades: number } {
  const steps = S.length - 1;
  let pnl = 0;
  let cost = 0;
  let trades = 0;
  positions.forEach((o, k) => {
    pnl -= o.quantity * bs(o.type, S[0]!, o.strike, o.expiry, r, q, vols[k]!).price;
  });
  let h = 0;
  for (let i = 0; i <= steps; i++) {
    const t = i * dt;
    const D = Math.exp(-r * t);
    if (i > 0) {
      pnl += h * (Math.exp(-r * t + q * dt) * S[i]! - Math.exp(-r * (t - dt)) * S[i - 1]!);
      positions.forEach((o, k) => {
        if (Math.round(o.expiry / dt) === i) pnl += o.quantity * D * bs(o.type, S[i]!, o.strike, 0, r, q, vols[k]!).price;
        else if (i === steps && Math.round(o.expiry / dt) > steps) pnl += o.quantity * D * bs(o.type, S[i]!, o.strike, o.expiry - t, r, q, vols[k]!).price;
      });
    }
    if (i < steps) {
      let delta = 0;
      positions.forEach((o, k) => {
        if (Math.round(o.expiry / dt) > i) delta += o.quantity * bs(o.type, S[i]!, o.strike, o.expiry - t, r, q, vols[k]!).delta;
      });
      const c = 0.001 * Math.abs(-delta - h) * S[i]! + 0.02;
      pnl -= D * c;
      cost += D * c;
      trades++;
      h = -delta;
    }
  }
  return { pnl, cost, trades };
}

describe.each(BACKENDS)('simulateHedging (%s)', (backend) => {
  it('paths are the Monte Carlo engine\'s, and the P&L is the hedge accounting along them', async () => {
    const e: Engine = await engineFor(backend);
    for (const model of [gbm, heston, merton] as const) {
      const steps = 24;
      const positions = [{ type: 'call', strike: 100, expiry: 0.5, quantity: -1 }, { type: 'put', strike: 95, expiry: 0.25, quantity: 1 }] as const;
      const res = await e.simulateHedging({ model, positions, paths: 9, steps, seed: 42, costs: { proportional: 0.001, fixed: 0.02 }, samples: true });
      const spots = e.simulatePaths({ model, expiry: 0.5, paths: 9, steps, seed: 42 });
      const hv = res.details.hedgeVol;
      const { rate: r, dividendYield: q } = model;
      const dt = 0.5 / steps;
      for (let p = 0; p < 9; p++) {
        const { pnl, cost, trades } = hedgeAlong(spots.subarray(p * (steps + 1), (p + 1) * (steps + 1)), positions, positions.map(() => hv), r, q, dt);
        // Tolerance: two implementations of exp, log and Phi (a few ulps each) over 24 steps and
        // the cancellation of premium and payoff; 1e-9 of the spot bounds it with a wide margin.
        expect(Math.abs(res.runs[0]!.samples!.pnl[p]! - pnl)).toBeLessThan(1e-9 * 100);
        expect(Math.abs(res.runs[0]!.samples!.cost[p]! - cost)).toBeLessThan(1e-12 * 100);
        expect(res.runs[0]!.samples!.trades[p]).toBe(trades);
      }
    }
  });

  it('reports the distribution consistently (quantiles ordered, ES >= VaR, histogram counts the central paths)', async () => {
    const e = await engineFor(backend);
    const res: SimulateHedgingResult = await e.simulateHedging({ ...CASES[0]![1], paths: 1000, samples: true });
    expect(res.runs.map((r) => r.every)).toEqual([1, 3, 7]);
    expect(res.runs.map((r) => r.rebalancingDates)).toEqual([50, 17, 8]);
    for (const run of res.runs) {
      const qs = run.pnl.quantiles.map((q) => q.value);
      for (let i = 1; i < qs.length; i++) expect(qs[i]).toBeGreaterThanOrEqual(qs[i - 1]!);
      expect(run.pnl.expectedShortfall).toBeGreaterThanOrEqual(run.pnl.valueAtRisk);
      const sorted = Float64Array.from(run.samples!.pnl).sort();
      expect(run.pnl.min).toBe(sorted[0]);
      // Type-7 quantile at 0.01 of 1000 values: h = 999 x 0.01 = 9.99.
      expect(run.pnl.valueAtRisk).toBeCloseTo(-(sorted[9]! + 0.99 * (sorted[10]! - sorted[9]!)), 12);
      expect(run.pnl.expectedShortfall).toBeCloseTo(-sorted.subarray(0, 10).reduce((x, y) => x + y, 0) / 10, 12);
      const total = run.histogram.reduce((s, c) => s + c, 0);
      const inside = sorted.filter((v) => v >= res.histogramEdges[0]! && v <= res.histogramEdges.at(-1)!).length;
      expect(total).toBe(inside);
      expect(run.trades.mean).toBeLessThanOrEqual(run.rebalancingDates);
    }
    // Fewer rebalancings, less cost.
    expect(res.runs[0]!.cost.mean).toBeGreaterThan(res.runs[2]!.cost.mean);
  });

  it('each interval of a comparison is the single-interval run on the same paths, bit for bit', async () => {
    const e = await engineFor(backend);
    // GBM (WASM: lane pairs sharing their spots across intervals) and Heston (scalar paths).
    for (const model of [gbm, heston]) {
      const args: SimulateHedgingArgs = { model, positions: book, paths: 41, steps: 21, seed: 9, costs: { proportional: 0.001 }, samples: true };
      const all = await e.simulateHedging({ ...args, rebalance: { every: [1, 3, 7] } });
      for (const [k, every] of [1, 3, 7].entries()) {
        const one = await e.simulateHedging({ ...args, rebalance: { every } });
        expect(firstDifference(all.runs[k]!.samples, one.runs[0]!.samples)).toBeNull();
      }
    }
  });

  it('a band of half-width 0 is the clock rule, bit for bit', async () => {
    const e = await engineFor(backend);
    const args: SimulateHedgingArgs = { model: gbm, positions: book, paths: 50, steps: 20, seed: 5, costs: { proportional: 0.001 }, samples: true };
    const clock = await e.simulateHedging(args);
    const band = await e.simulateHedging({ ...args, rebalance: { band: 0 } });
    expect(firstDifference(clock.runs, band.runs)).toBeNull();
  });

  it('delta-gamma hedging a short call with the same call leaves no P&L on any path (a static replica)', async () => {
    const e = await engineFor(backend);
    const res = await e.simulateHedging({
      model: heston, positions: [{ type: 'call', strike: 100, expiry: 0.5, quantity: -1 }], paths: 64, steps: 30, seed: 6,
      strategy: 'delta-gamma', hedgeOption: { type: 'call', strike: 100, expiry: 0.5 }, samples: true,
    });
    // Rounding only: premium, hedge-option gains (a telescoping sum) and payoff cancel to ~1e-14 of the premium.
    for (const v of res.runs[0]!.samples!.pnl) expect(Math.abs(v)).toBeLessThan(1e-11);
    expect(res.runs[0]!.samples!.trades.every((t) => t === 1)).toBe(true);
  });

  it('delta-gamma hedging beats delta hedging at the same rebalancing dates (GBM, a longer-dated hedge option)', async () => {
    const e = await engineFor(backend);
    const base: SimulateHedgingArgs = { model: gbm, positions: [{ type: 'call', strike: 100, expiry: 0.5, quantity: -1 }], paths: 2000, steps: 20, seed: 7 };
    const d = await e.simulateHedging(base);
    const dg = await e.simulateHedging({ ...base, strategy: 'delta-gamma', hedgeOption: { type: 'call', strike: 100, expiry: 1 } });
    expect(dg.runs[0]!.pnl.sd).toBeLessThan(0.5 * d.runs[0]!.pnl.sd);
  });

  it('delta-gamma with a hedge option far from the money stays finite (found by the property test below)', async () => {
    const e = await engineFor(backend);
    const res = await e.simulateHedging({
      model: { kind: 'gbm', spot: 0.0558, rate: 0, vol: 0.05 }, positions: [{ type: 'call', strike: 0.0506, expiry: 0.0578, quantity: 0.148 }],
      paths: 6, steps: 5, seed: 1, strategy: 'delta-gamma', hedgeOption: { type: 'put', strike: 0.486, expiry: 1.62 }, samples: true,
    });
    for (const v of res.runs[0]!.samples!.pnl) expect(Number.isFinite(v)).toBe(true);
  });

  it('leaves the arguments unmodified', async () => {
    const e = await engineFor(backend);
    const args = structuredClone({ ...CASES[1]![1] }) as SimulateHedgingArgs;
    const copy = structuredClone(args);
    await e.simulateHedging(args);
    expect(args).toEqual(copy);
  });

  it('rejects malformed calls with an InputError naming the field', async () => {
    const e = await engineFor(backend);
    const base: SimulateHedgingArgs = { model: gbm, positions: book, paths: 10, steps: 10, seed: 1 };
    const bad: [string, Record<string, unknown>][] = [
      ['rebalnce', { rebalnce: { every: 1 } }],
      ['model.surface', { model: { kind: 'localVol', spot: 100, rate: 0 } }],
      ['model.kind', { model: { kind: 'multiGbm', spots: [1], vols: [0.1], rate: 0, correlation: [[1]] } }],
      ['model.vol', { model: { ...gbm, vol: -1 } }],
      ['positions.length', { positions: [] }],
      ['positions[1].strike', { positions: [book[0], { ...book[1], strike: 0 }] }],
      ['positions[0].type', { positions: [{ ...book[0], type: 'straddle' }] }],
      ['positions[0].quantty', { positions: [{ ...book[0], quantty: 1 }] }],
      ['hedgeOption', { strategy: 'delta-gamma' }],
      ['hedgeOption.expiry', { strategy: 'delta-gamma', hedgeOption: { type: 'call', strike: 100, expiry: 0.1 } }],
      ['hedgeOption', { hedgeOption: { type: 'call', strike: 100, expiry: 1 } }],
      ['strategy', { strategy: 'gamma' }],
      ['rebalance.every', { rebalance: { every: 0 } }],
      ['rebalance.every[1]', { rebalance: { every: [1, 11] } }],
      ['rebalance.band', { rebalance: { band: -0.1 } }],
      ['rebalance.riskAversion', { rebalance: { band: 'whalley-wilmott' }, costs: { proportional: 0.001 } }],
      ['costs.proportional', { rebalance: { band: 'whalley-wilmott', riskAversion: 1 } }],
      ['costs.proportional', { costs: { proportional: 1.5 } }],
      ['costs.fixed', { costs: { fixed: Number.NaN } }],
      ['paths', { paths: 1 }],
      ['steps', { steps: 0 }],
      ['seed', { seed: -1 }],
      ['hedgeVol', { hedgeVol: 0 }],
      ['confidence', { confidence: 1 }],
      ['horizon', { horizon: 0 }],
    ];
    for (const [path, patch] of bad) {
      let caught: unknown;
      try {
        await e.simulateHedging({ ...base, ...patch } as SimulateHedgingArgs);
      } catch (err) {
        caught = err;
      }
      expect(caught, path).toBeInstanceOf(InputError);
      expect((caught as InputError).path, JSON.stringify(patch)).toBe(path);
    }
    void expectInputError;
  });
});

/**
 * [hedging] Local vol: raw SVI slices with skew (forwards from the spot and carry), the surface of
 * test/montecarlo-local-vol.test.ts.
 */
function sviSurface(e: Engine): VolSurface {
  const fwd = (T: number): number => 100 * Math.exp((0.03 - 0.01) * T);
  return e.volSurface([
    { expiry: 0.5, forward: fwd(0.5), params: { a: 0.012, b: 0.06, rho: -0.35, m: 0.02, sigma: 0.2 } },
    { expiry: 1, forward: fwd(1), params: { a: 0.025, b: 0.08, rho: -0.3, m: 0.02, sigma: 0.25 } },
  ]);
}

describe('simulateHedging: local vol', () => {
  const lvBook = [
    { type: 'call', strike: 105, expiry: 0.5, quantity: -1 },
    { type: 'put', strike: 90, expiry: 0.8, quantity: 2 },
  ] as const;

  it('is bit for bit the same on both backends, shard sizes and 2 workers (delta on the clock, delta-gamma on a band)', async () => {
    const [wasm, js] = await Promise.all([engineFor('wasm'), engineFor('js')]);
    const model = { kind: 'localVol', surface: sviSurface(wasm), spot: 100, rate: 0.03, dividendYield: 0.01 } as const;
    const cases: SimulateHedgingArgs[] = [
      { model, positions: lvBook, paths: 301, steps: 40, seed: 21, rebalance: { every: [1, 3] }, costs: { proportional: 0.001, fixed: 0.01 } },
      { model, positions: lvBook, paths: 200, steps: 30, seed: 22, strategy: 'delta-gamma', hedgeOption: { type: 'call', strike: 100, expiry: 1 },
        rebalance: { band: 0.05 }, costs: { proportional: 0.0005, optionProportional: 0.01 } },
    ];
    for (const args of cases) {
      const a = await wasm.simulateHedging({ ...args, samples: true });
      expect(firstDifference(a, await js.simulateHedging({ ...args, samples: true }))).toBeNull();
      expect(firstDifference(a, await wasm.simulateHedging({ ...args, samples: true, shardSize: 38 }))).toBeNull();
      expect(firstDifference(a, await js.simulateHedging({ ...args, samples: true, shardSize: 64, workers: 2 }))).toBeNull();
      for (const run of a.runs) for (const v of run.samples!.pnl) expect(Number.isFinite(v)).toBe(true);
      expect(a.details.model).toBe('localVol');
      expect(a.details.localVol!.maxLocalVol).toBeGreaterThan(a.details.localVol!.minLocalVol);
    }
  }, 60_000);

  describe.each(BACKENDS)('(%s)', (backend) => {
    it('a flat surface with hedgeVol = its vol is the GBM hedge, bit for bit (local vol steps are GBM steps then)', async () => {
      const e = await engineFor(backend);
      const vol = 0.2;
      const flat = e.volSurface([{ expiry: 1, forward: 100 * Math.exp(0.02), params: { a: vol * vol, b: 0, rho: 0, m: 0, sigma: 0.1 } }]);
      const base = { positions: book, paths: 123, steps: 30, seed: 23, rebalance: { every: [1, 4] }, costs: { proportional: 0.001 }, samples: true } as const;
      const lv = await e.simulateHedging({ ...base, model: { kind: 'localVol', surface: flat, spot: 100, rate: 0.03, dividendYield: 0.01 }, hedgeVol: vol });
      const g = await e.simulateHedging({ ...base, model: { ...gbm, vol } });
      expect(lv.details.localVol).toMatchObject({ minLocalVol: vol, maxLocalVol: vol });
      expect(firstDifference(lv.runs, g.runs)).toBeNull();
      expect(lv.bookValue).toBe(g.bookValue);
    });

    it('hedges the simulatePaths paths with each option at its own surface vol (sticky strike), recomputed independently', async () => {
      const e = await engineFor(backend);
      const surface = sviSurface(e);
      const model = { kind: 'localVol', surface, spot: 100, rate: 0.03, dividendYield: 0.01 } as const;
      const steps = 24;
      const horizon = 0.8;
      const res = await e.simulateHedging({ model, positions: lvBook, paths: 9, steps, seed: 42, costs: { proportional: 0.001, fixed: 0.02 }, samples: true });
      // Sticky strike: the surface's implied vol at each option's strike and expiry, different across the skew.
      const iv = surface.vol({ strikes: lvBook.map((o) => o.strike), expiries: lvBook.map((o) => o.expiry) }).vols;
      expect(res.details.positionVols).toEqual(Array.from(iv));
      expect(iv[1]! - iv[0]!).toBeGreaterThan(0.01);
      const spots = e.simulatePaths({ model, expiry: horizon, steps, paths: 9, seed: 42 });
      for (let p = 0; p < 9; p++) {
        const ref = hedgeAlong(spots.subarray(p * (steps + 1), (p + 1) * (steps + 1)), lvBook, Array.from(iv), 0.03, 0.01, horizon / steps);
        // Tolerance: as in the Monte Carlo engine's paths test above (two implementations of exp, log and Phi).
        expect(Math.abs(res.runs[0]!.samples!.pnl[p]! - ref.pnl)).toBeLessThan(1e-9 * 100);
        expect(Math.abs(res.runs[0]!.samples!.cost[p]! - ref.cost)).toBeLessThan(1e-12 * 100);
        expect(res.runs[0]!.samples!.trades[p]).toBe(ref.trades);
      }
    });
  });
});

describe('simulateHedging: near-valid random calls (fast-check)', () => {
  it('either throws an InputError or returns finite statistics, the same on both backends', async () => {
    const [wasm, js] = await Promise.all([engineFor('wasm'), engineFor('js')]);
    const num = fc.oneof(
      { arbitrary: fc.double({ min: 0.05, max: 2, noNaN: true }), weight: 6 },
      { arbitrary: fc.constantFrom(0, -0, -1, 1e-300, 1e300, Number.NaN, Infinity), weight: 1 },
    );
    const arb = fc.record({
      spot: num, vol: num, rate: fc.double({ min: -0.2, max: 0.2, noNaN: true }), strike: num, expiry: num, quantity: num,
      steps: fc.integer({ min: 1, max: 12 }), every: fc.integer({ min: 1, max: 12 }), band: fc.option(num, { nil: undefined }),
      proportional: fc.option(fc.double({ min: 0, max: 1.2, noNaN: true }), { nil: undefined }),
      strategy: fc.constantFrom('delta', 'delta-gamma', 'none'), hedgeStrike: num, hedgeExpiry: num,
    });
    const seed = propertySeed('simulateHedging near-valid');
    const samples = fc.sample(arb, { seed, numRuns: 60 });
    let valid = 0;
    for (const c of samples) {
      const args = {
        model: { kind: 'gbm', spot: c.spot, rate: c.rate, vol: c.vol }, positions: [{ type: 'call', strike: c.strike, expiry: c.expiry, quantity: c.quantity }],
        paths: 6, steps: c.steps, seed: 1, strategy: c.strategy, rebalance: { every: Math.min(c.every, c.steps), ...(c.band === undefined ? {} : { band: c.band }) },
        costs: c.proportional === undefined ? {} : { proportional: c.proportional },
        ...(c.strategy === 'delta-gamma' ? { hedgeOption: { type: 'put', strike: c.hedgeStrike, expiry: c.hedgeExpiry } } : {}),
      } as unknown as SimulateHedgingArgs;
      const outcome = async (e: Engine): Promise<string> => {
        try {
          const r = await e.simulateHedging(args);
          for (const run of r.runs) {
            for (const v of [run.pnl.mean, run.pnl.sd, run.cost.mean, run.pnl.valueAtRisk, run.pnl.expectedShortfall]) {
              expect(Number.isFinite(v), JSON.stringify(c)).toBe(true);
            }
          }
          return JSON.stringify(r.runs.map((x) => [x.pnl.mean, x.pnl.sd, x.cost.mean]));
        } catch (err) {
          expect(err, JSON.stringify(c)).toBeInstanceOf(InputError);
          return `InputError ${(err as InputError).path}`;
        }
      };
      const o = await outcome(wasm);
      expect(o).toBe(await outcome(js));
      if (!o.startsWith('InputError')) valid++;
    }
    // The generator is near-valid on purpose: a fair share of calls must run the kernel.
    expect(valid).toBeGreaterThanOrEqual(6); // about a quarter are valid (the edges and the hedge expiry make the rest InputErrors)
  });
});
