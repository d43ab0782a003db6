import { describe, it, expect, beforeAll } from 'vitest';
import fc from 'fast-check';
import btcCsv from '../data/history/BTCUSDT_1d.csv?raw';
import ethCsv from '../data/history/ETHUSDT_1d.csv?raw';
import { BACKENDS, engineFor, propertySeed } from './backends.js';
import { DERIBIT_STANDARD, InputError, type Engine, type MarginAccount, type MarginMarket } from '../src/index.js';
import { calibrateHaircut, calibrateHaircuts, collateralValue } from '../src/margin/collateral.js';

// A hand-made daily price series (11 prices, 10 one-day returns).
const PRICES = [100, 98, 103, 95, 97, 90, 92, 99, 94, 96, 91];

/**
 * Independent reference: VaR and ES of the loss distribution as integrals of its quantile function
 * q(u) = L_(ceil(n u)) (losses sorted ascending): VaR = q(c), ES = (1/(1-c)) int_c^1 q(u) du, the
 * integral taken exactly over the pieces ((i-1)/n, i/n].
 */
function quantileIntegralTail(losses: number[], c: number): { var: number; es: number } {
  const L = [...losses].sort((a, b) => a - b);
  const n = L.length;
  let integral = 0;
  for (let i = 1; i <= n; i++) integral += L[i - 1] * Math.max(0, i / n - Math.max(c, (i - 1) / n));
  return { var: L[Math.ceil(n * c - 1e-12) - 1], es: integral / (1 - c) };
}

function mporLosses(p: number[], h: number, overlapping: boolean): number[] {
  const out: number[] = [];
  const step = overlapping ? 1 : h;
  for (let e = p.length - 1; e - h >= 0; e -= step) out.unshift(1 - p[e] / p[e - h]);
  return out;
}

describe.each(BACKENDS)('collateral haircuts (%s)', (backend) => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await engineFor(backend);
  });

  it('equals the empirical quantile / ES of the MPOR loss fraction computed independently (1e-14 relative: both are sums of the same few losses)', () => {
    for (const [h, overlapping] of [[1, true], [2, true], [2, false], [3, false]] as const) {
      const losses = mporLosses(PRICES, h, overlapping);
      for (const c of [0.75, 0.8, 0.9]) {
        const ref = quantileIntegralTail(losses, c);
        const v = calibrateHaircut(engine, { history: PRICES, confidence: c, mporDays: h, overlapping, measure: 'var' });
        const e = calibrateHaircut(engine, { history: PRICES, confidence: c, mporDays: h, overlapping, measure: 'es' });
        expect(v.observations).toBe(losses.length);
        expect(Math.abs(v.haircut - ref.var)).toBeLessThanOrEqual(1e-14 * Math.abs(ref.var));
        expect(Math.abs(e.haircut - ref.es)).toBeLessThanOrEqual(1e-14 * Math.abs(ref.es));
        expect(e.var).toBe(v.var);
        expect(e.es).toBeGreaterThanOrEqual(e.var);
      }
    }
    // Counts by hand: 11 prices, MPOR 2: 9 overlapping windows, 5 non-overlapping ones.
    expect(calibrateHaircut(engine, { history: PRICES, confidence: 0.9, mporDays: 2 }).observations).toBe(9);
    expect(calibrateHaircut(engine, { history: PRICES, confidence: 0.9, mporDays: 2, overlapping: false }).observations).toBe(5);
  });

  it('the floor binds when the estimate is below it, and only then', () => {
    const free = calibrateHaircut(engine, { history: PRICES, confidence: 0.9, mporDays: 1 });
    expect(free.floorBinds).toBe(false);
    const floored = calibrateHaircut(engine, { history: PRICES, confidence: 0.9, mporDays: 1, floor: 0.5 });
    expect(floored.haircut).toBe(0.5);
    expect(floored.floorBinds).toBe(true);
    expect(floored.estimate).toBe(free.estimate);
    // A rising series has no losses: the estimate is negative and the floor sets the haircut.
    const up = calibrateHaircut(engine, { history: [100, 101, 102, 104, 107, 111], confidence: 0.8, floor: 0.02, mporDays: 1 });
    expect(up.estimate).toBeLessThan(0);
    expect(up.haircut).toBe(0.02);
  });

  it('monotone in confidence and in the MPOR on BTC; window and counts reported', () => {
    let prev = -Infinity;
    for (const c of [0.9, 0.95, 0.975, 0.99, 0.995]) {
      const r = calibrateHaircut(engine, { history: btcCsv, confidence: c, mporDays: 2 });
      expect(r.haircut).toBeGreaterThanOrEqual(prev);
      prev = r.haircut;
    }
    const r = calibrateHaircut(engine, { history: btcCsv, confidence: 0.99, mporDays: 5, lookbackDays: 730 });
    expect(r.window).toEqual({ from: '2024-01-07', to: '2026-01-06', prices: 731 });
    expect(r.observations).toBe(726);
    const all = calibrateHaircuts(engine, { histories: { BTC: btcCsv, ETH: ethCsv }, confidence: 0.99, mporDays: 2, floors: { ETH: 0.9 } });
    expect(all.ETH.haircut).toBe(0.9);
    expect(all.BTC.haircut).toBe(calibrateHaircut(engine, { history: btcCsv, confidence: 0.99, mporDays: 2 }).haircut);
    // ETH is the more volatile asset: its free estimate exceeds BTC's.
    expect(all.ETH.estimate).toBeGreaterThan(all.BTC.estimate);
  });

  it('property: monotone in confidence on random series', () => {
    const seed = propertySeed('haircut monotone in confidence');
    fc.assert(fc.property(
      fc.array(fc.double({ min: -0.3, max: 0.3, noNaN: true }), { minLength: 5, maxLength: 60 }),
      fc.double({ min: 0.5, max: 0.98, noNaN: true }), fc.double({ min: 0.001, max: 0.019, noNaN: true }),
      (rets, c, dc) => {
        const p = [100];
        for (const r of rets) p.push(p[p.length - 1] * Math.exp(r));
        for (const measure of ['var', 'es'] as const) {
          const lo = calibrateHaircut(engine, { history: p, confidence: c, mporDays: 1, measure }).haircut;
          const hi = calibrateHaircut(engine, { history: p, confidence: c + dc, mporDays: 1, measure }).haircut;
          if (!(hi >= lo - 1e-15)) return false;
        }
        return true;
      },
    ), { seed, numRuns: 100 });
  });

  it('cross-collateral value = sum amount x price x (1 - haircut), by hand', () => {
    const r = collateralValue({ BTC: 2, USDC: 1000, ETH: 0 }, { BTC: 50000, ETH: 3000 }, { BTC: 0.2, USDC: 0.02, ETH: 0.3 });
    // 2 x 50000 x 0.8 + 1000 x 1 x 0.98 + 0 = 80980
    expect(r.value).toBe(80980);
    expect(r.marketValue).toBe(101000);
    const hc = calibrateHaircut(engine, { history: PRICES, confidence: 0.9, mporDays: 1 });
    expect(collateralValue({ X: 10 }, { X: 5 }, { X: hc }).value).toBeCloseTo(50 * (1 - hc.haircut), 12);
  });

  it('a calibrated haircut, 1 included, is accepted by standard margin, equity and liquidation prices: [0, 1] everywhere', () => {
    const market: MarginMarket = { assets: { BTC: { index: 90000 }, ETH: { index: 3000 } } };
    const acc: MarginAccount = { collateral: { USDC: 20000, BTC: 1, ETH: 10 }, positions: [{ kind: 'perpetual', asset: 'BTC', size: 0.5, entryPrice: 90000 }] };
    // A floor of 1 gives the largest haircut calibrateHaircut can return: the asset counts for nothing.
    const full = calibrateHaircut(engine, { history: ethCsv, confidence: 0.99, mporDays: 2, floor: 1 });
    const btc = calibrateHaircut(engine, { history: btcCsv, confidence: 0.99, mporDays: 2 });
    expect(full.haircut).toBe(1);
    const haircuts = { BTC: btc.haircut, ETH: full.haircut };
    const sm = engine.standardMargin(acc, market, DERIBIT_STANDARD, { haircuts });
    // By hand: 20000 USDC at 1, BTC at 90000 x (1 - h), ETH nothing (rounding of three products: 1e-12 relative).
    expect(sm.equityBreakdown.collateral).toBeCloseTo(20000 + 90000 * (1 - btc.haircut), 6);
    expect(sm.equityBreakdown.haircut).toBeCloseTo(90000 * btc.haircut + 30000, 6);
    // collateralValue, the same rule: the same collateral figure.
    expect(collateralValue(acc.collateral!, { BTC: 90000, ETH: 3000 }, { ...haircuts, USDC: 0 }).value).toBeCloseTo(sm.equityBreakdown.collateral, 6);
    // The same haircuts in a parameter set, and through liquidation prices.
    expect(engine.standardMargin(acc, market, { ...DERIBIT_STANDARD, haircuts }).equity).toBe(sm.equity);
    const lp = engine.liquidationPrice(acc, market, DERIBIT_STANDARD, { haircuts });
    expect(lp.equity).toBe(sm.equity);
    expect(lp.assets.find((a) => a.asset === 'ETH')?.status).toBe('none'); // worthless collateral: no ETH level
    // Outside [0, 1] is still an error at the asset.
    let caught: unknown;
    try { engine.standardMargin(acc, market, DERIBIT_STANDARD, { haircuts: { ETH: 1.01 } }); } catch (e) { caught = e; }
    expect((caught as InputError).path).toBe('options.haircuts.ETH');
  });

  it('bad input: InputError with the path; inputs not modified', () => {
    const p = [...PRICES];
    const err = (f: () => unknown) => { try { f(); } catch (e) { return e; } return undefined; };
    const e1 = err(() => calibrateHaircut(engine, { history: p, confidence: 1.2 }));
    expect(e1).toBeInstanceOf(InputError);
    expect((e1 as InputError).path).toBe('confidence');
    const e2 = err(() => calibrateHaircut(engine, { history: 'timestamp,close\n2020-01-01,5\n2020-01-02,abc\n2020-01-03,4', confidence: 0.9 }));
    expect((e2 as InputError).path).toBe('history (line 3)');
    const e3 = err(() => calibrateHaircuts(engine, { histories: { BTC: btcCsv, SOL: [1, -2, 3] }, confidence: 0.9 }));
    expect((e3 as InputError).path).toBe('histories.SOL[1]');
    expect((err(() => calibrateHaircut(engine, { history: p, confidence: 0.9, floor: 2 })) as InputError).path).toBe('floor');
    expect((err(() => calibrateHaircut(engine, { history: p, confidence: 0.9, mporDays: 10 })) as InputError).path).toBe('mporDays');
    expect((err(() => collateralValue({ ETH: 1 }, {}, { ETH: 0.1 })) as InputError).path).toBe('prices.ETH');
    expect((err(() => collateralValue({ ETH: -1 }, { ETH: 1 }, { ETH: 0.1 })) as InputError).path).toBe('collateral.ETH');
    expect((err(() => collateralValue({ ETH: 1 }, { ETH: 1 }, {})) as InputError).path).toBe('haircuts.ETH');
    expect(p).toEqual(PRICES);
  });
});
