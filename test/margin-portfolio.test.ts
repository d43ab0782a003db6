// Portfolio margin (risk matrix) on both backends, Node and Chromium: the published futures ladder,
// the SPAN 16 table and the Deribit grid shape, a short straddle against an independent Black-76,
// IM >= MM, monotonicity in size, hedging benefit, contributions, WASM vs JS, bad input.
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import snapshot from '../data/market/deribit_options_snapshot_20260105T153329Z.csv?raw';
import { InputError, loadDeribitChain, Status } from '../src/index.js';
import {
  DERIBIT_GRID, SPAN16_GRID, deribitGrid, scenarioGrid, span16Grid, vegaPowerScale, DERIBIT_VEGA_SCALING,
} from '../src/margin/grids.js';
import { marginResolved, portfolioMargin, type PortfolioMarginResult } from '../src/margin/portfolio-margin.js';
import { marketFromDeribitChain, resolveAccounts } from '../src/margin/market.js';
import type { MarginAccount, MarginMarket, MarginPosition } from '../src/margin/types.js';
import { portfolioMarginParallel } from '../src/margin/portfolio-margin-parallel.js';
import { closeSharedPools } from '../src/parallel/index.js';
import { BACKENDS, engineFor, propertySeed } from './backends.js';
import { black76, normCdf } from './independent-black.js';

const IS_NODE = typeof (globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node === 'string'
  && typeof (globalThis as { window?: unknown }).window === 'undefined';

// Independent Black-76 (test only): test/independent-black.ts.

const sum = (a: ArrayLike<number>): number => Array.from(a).reduce((x, y) => x + y, 0);

// The Dederi worked example (margin-methodologies.md): 10 long ETH futures, index 2243.3, forward 2253.2.
const T_FUT = 30 / 365;
const ETH_MARKET: MarginMarket = { assets: { ETH: { index: 2243.3, forwards: [{ expiry: T_FUT, price: 2253.2 }] } } };
const LADDER_MOVES = Array.from({ length: 11 }, (_, k) => (k - 5) * 0.03);
const LADDER_GRID = scenarioGrid({
  name: 'ladder', scenarios: LADDER_MOVES.map((m) => ({ name: `${m}`, priceMove: m, volShock: 0, weight: 1, extended: false })),
});

const BTC = 90_000;
const BTC_MARKET: MarginMarket = { assets: { BTC: { index: BTC, forwards: [{ expiry: 7 / 365, price: 90_100 }, { expiry: 60 / 365, price: 90_800 }] } } };

function option(strike: number, type: 'call' | 'put', size: number, expiry = 60 / 365, vol = 0.55): MarginPosition {
  return { kind: 'option', asset: 'BTC', strike, type, size, expiry, vol };
}

describe.each(BACKENDS)('portfolio margin (%s)', (backend) => {
  it('futures ladder: 10 long ETH futures at forward 2253.2 gain or lose 676 per 3% step (Dederi example)', async () => {
    const e = await engineFor(backend);
    // Through the engine method (the API the issue names).
    const r = e.portfolioMargin({ positions: [{ kind: 'future', asset: 'ETH', size: 10, expiry: T_FUT }] }, ETH_MARKET, LADDER_GRID);
    // The kernel's future P&L is q F ((1 + move) - 1) with F rebuilt as S e^{basis T} and 1 + move as
    // e^{log1p(move)}: a few ulps each, so 1e-9 relative is far from any real error, yet catches a
    // wrong forward (the index 2243.3 would be off by 4e-3).
    LADDER_MOVES.forEach((m, k) => {
      const expected = 10 * 2253.2 * m;
      expect(Math.abs(r.scenarioPnl[k] - expected)).toBeLessThanOrEqual(1e-9 * Math.max(Math.abs(expected), 1));
      // The published ladder is rounded to the dollar: -3380, -2704, ..., 0, ..., +3380.
      expect(Math.round(r.scenarioPnl[k])).toBe([-3380, -2704, -2028, -1352, -676, 0, 676, 1352, 2028, 2704, 3380][k]);
    });
    expect(r.worstScenario.index).toBe(0);
    expect(r.scanRisk).toBeCloseTo(3379.8, 9);
    expect(r.initialMargin).toBe(r.scanRisk); // no add-ons on this grid
    expect(sum(r.contributions)).toBeCloseTo(r.scanRisk, 9);
  });

  it('a short straddle: worst scenario and IM match a closed-form Black-76 repricing of every grid scenario', async () => {
    const e = await engineFor(backend);
    // 20 days in the engine's 365.25-day years (DAYS_PER_YEAR): the vega power sees 20 days.
    const T = 20 / 365.25, vol = 0.6, F = 90_050, K = 90_000;
    const market: MarginMarket = { assets: { BTC: { index: BTC, forwards: [{ expiry: T, price: F }] } } };
    const acc: MarginAccount = { positions: [option(K, 'call', -2, T, vol), option(K, 'put', -2, T, vol)] };
    const grid = deribitGrid({ extendedMoves: [], addOns: {} });
    const r = portfolioMargin(e, acc, market, grid);
    // Independent: the vega-power scale (30/20)^0.3, shocked vols, Black-76 at F (1 + move).
    const scale = Math.pow(30 / 20, 0.3);
    const base = black76(F, K, T, vol, 'call') + black76(F, K, T, vol, 'put');
    const pnl = grid.scenarios.map((s) => {
      const v = vol * (1 + scale * s.volShock), F1 = F * (1 + s.priceMove);
      return -2 * (black76(F1, K, T, v, 'call') + black76(F1, K, T, v, 'put') - base);
    });
    const worst = pnl.indexOf(Math.min(...pnl));
    expect(grid.scenarios[worst].volShock).toBe(0.5); // the up-vol shock at one end
    expect(Math.abs(grid.scenarios[worst].priceMove)).toBeCloseTo(0.16, 12);
    expect(r.worstScenario.index).toBe(worst);
    // Tolerance 1e-9 relative: both sides are double-precision Black-76 (the kernel's accurate
    // normalised Black, the test's series CDF); the loss is ~1e4 USD from option values ~1e4, so
    // cancellation costs no more than a few digits.
    pnl.forEach((p, s) => expect(Math.abs(r.scenarioPnl[s] - p), grid.scenarios[s].name).toBeLessThanOrEqual(1e-9 * Math.abs(pnl[worst])));
    expect(Math.abs(r.initialMargin + pnl[worst])).toBeLessThanOrEqual(1e-9 * Math.abs(pnl[worst]));
    expect(r.maintenanceMargin).toBeCloseTo(0.8 * r.initialMargin, 6);
    expect(Math.abs(sum(r.contributions) - r.scanRisk)).toBeLessThanOrEqual(1e-9 * r.scanRisk);
  });

  it('IM >= MM >= 0, contributions sum to the scan loss, and the outputs explain themselves', async () => {
    const e = await engineFor(backend);
    const accounts: MarginAccount[] = [
      { id: 'straddle', positions: [option(90_000, 'call', -1), option(90_000, 'put', -1)] },
      { id: 'long-call', positions: [option(100_000, 'call', 3)] },
      { id: 'perp', positions: [{ kind: 'perpetual', asset: 'BTC', size: -0.5 }] },
      { id: 'empty', positions: [] },
    ];
    for (const grid of [DERIBIT_GRID, SPAN16_GRID]) {
      const rs = portfolioMargin(e, accounts, BTC_MARKET, grid);
      expect(rs.map((r) => r.id)).toEqual(accounts.map((a) => a.id));
      for (const r of rs) {
        expect(r.status).toBe(Status.ok);
        expect(r.initialMargin).toBeGreaterThanOrEqual(r.maintenanceMargin);
        expect(r.maintenanceMargin).toBeGreaterThanOrEqual(0);
        expect(r.scenarioPnl.length).toBe(grid.scenarios.length);
        expect(r.scenarios).toBe(grid.scenarios);
        expect(Math.abs(sum(r.contributions) - r.scanRisk)).toBeLessThanOrEqual(1e-9 * Math.max(1, r.scanRisk));
        expect(r.worstScenario.name).toBe(grid.scenarios[r.worstScenario.index].name);
        // Single-asset accounts: the worst counted scenario P&L is minus the scan loss.
        if (r.scanRisk > 0) expect(r.scenarioPnl[r.worstScenario.index]).toBeCloseTo(-r.scanRisk, 6);
      }
      expect(rs[3].initialMargin).toBe(0);
    }
    // The short straddle pays the short-option contingency: 0.01 x index per net short option.
    const d = portfolioMargin(e, accounts[0], BTC_MARKET, DERIBIT_GRID);
    expect(d.addOns.shortOptionContingency).toBeCloseTo(0.01 * BTC * 2, 9);
    expect(d.initialMargin).toBeCloseTo(d.scanRisk + d.addOns.shortOptionContingency, 6);
  });

  it('margin is non-decreasing in position size (fast-check, both presets)', async () => {
    const e = await engineFor(backend);
    const seed = propertySeed(`portfolio margin monotone in size (${backend})`);
    const position = fc.oneof(
      fc.record({ strike: fc.integer({ min: 60, max: 130 }), call: fc.boolean(), size: fc.double({ min: -5, max: 5, noNaN: true }), days: fc.integer({ min: 1, max: 200 }), vol: fc.double({ min: 0.2, max: 1.5, noNaN: true }) })
        .map((p): MarginPosition => option(p.strike * 1000, p.call ? 'call' : 'put', p.size, p.days / 365, p.vol)),
      fc.double({ min: -5, max: 5, noNaN: true }).map((size): MarginPosition => ({ kind: 'perpetual', asset: 'BTC', size })),
      fc.double({ min: -5, max: 5, noNaN: true }).map((size): MarginPosition => ({ kind: 'future', asset: 'BTC', size, expiry: 60 / 365 })),
    );
    fc.assert(fc.property(fc.array(position, { minLength: 1, maxLength: 6 }), fc.double({ min: 1, max: 20, noNaN: true }), (positions, lambda) => {
      const small: MarginAccount = { positions };
      const big: MarginAccount = { positions: positions.map((p) => ({ ...p, size: p.size * lambda }) as MarginPosition) };
      for (const grid of [DERIBIT_GRID, SPAN16_GRID]) {
        const [a, b] = portfolioMargin(e, [small, big], BTC_MARKET, grid);
        // Every term is positively homogeneous or non-decreasing in the scale (scan, dampened
        // extended loss, contingency, delta shock); 1e-9 relative covers rounding in the sums.
        expect(b.initialMargin).toBeGreaterThanOrEqual(a.initialMargin * (1 - 1e-9));
      }
    }), { seed, numRuns: 60 });
  });

  it('hedged books: portfolio margin <= the sum of each leg margined alone', async () => {
    const e = await engineFor(backend);
    const T = 60 / 365;
    const F = 90_800, K = 95_000, vol = 0.55;
    // Black-76 delta of the call (USD-settled, rate 0): N(d1).
    const s = vol * Math.sqrt(T);
    const delta = normCdf(Math.log(F / K) / s + s / 2);
    const books: MarginPosition[][] = [
      [option(K, 'call', 10), { kind: 'future', asset: 'BTC', size: -10 * delta, expiry: T }],
      [option(90_000, 'call', 5), option(100_000, 'call', -5)],
      [option(80_000, 'put', -3), option(75_000, 'put', 3), { kind: 'perpetual', asset: 'BTC', size: 1 }],
    ];
    for (const grid of [DERIBIT_GRID, SPAN16_GRID]) {
      for (const legs of books) {
        const book = portfolioMargin(e, { positions: legs }, BTC_MARKET, grid);
        const alone = portfolioMargin(e, legs.map((p) => ({ positions: [p] })), BTC_MARKET, grid);
        const isolated = alone.reduce((x, r) => x + r.initialMargin, 0);
        expect(book.initialMargin).toBeLessThanOrEqual(isolated);
        expect(book.initialMargin).toBeGreaterThan(0);
      }
    }
  });

  it('per-asset aggregation sums each asset\'s worst loss; joint scans the total', async () => {
    const e = await engineFor(backend);
    const market: MarginMarket = { assets: { BTC: { index: BTC }, ETH: { index: 2243.3 } } };
    const acc: MarginAccount = { positions: [{ kind: 'perpetual', asset: 'BTC', size: 1 }, { kind: 'perpetual', asset: 'ETH', size: -40 }] };
    const per = portfolioMargin(e, acc, market, SPAN16_GRID);
    const joint = portfolioMargin(e, acc, market, SPAN16_GRID, { aggregation: 'joint' });
    // Per asset: 15% of each notional (the +-1 scan moves; extremes count 35% x 30% = 10.5%).
    expect(per.scanRisk).toBeCloseTo(0.15 * BTC + 0.15 * 40 * 2243.3, 6);
    expect(per.perAsset.map((a) => a.asset)).toEqual(['BTC', 'ETH']);
    expect(per.worstScenario.asset).toBe('BTC');
    // Joint: the long BTC and short ETH offset under a common move.
    expect(joint.scanRisk).toBeCloseTo(0.15 * Math.abs(BTC - 40 * 2243.3), 6);
    expect(joint.perAsset).toHaveLength(1);
    expect(Math.abs(sum(per.contributions) - per.scanRisk)).toBeLessThanOrEqual(1e-9 * per.scanRisk);
    expect(Math.abs(sum(joint.contributions) - joint.scanRisk)).toBeLessThanOrEqual(1e-9 * joint.scanRisk);
  });

  it('extended moves are scaled to the price range: a perpetual counts its +-16% P&L there (Deribit simulate example)', async () => {
    const e = await engineFor(backend);
    const grid = deribitGrid({ extendedDampener: 0, addOns: {} });
    const r = portfolioMargin(e, { positions: [{ kind: 'perpetual', asset: 'BTC', size: 2 }] }, BTC_MARKET, grid);
    const at = (move: number) => r.scenarioPnl[grid.scenarios.findIndex((s) => !s.extended && Math.abs(s.priceMove - move) < 1e-12)];
    grid.scenarios.forEach((s, i) => {
      if (!s.extended) return;
      // P&L 2 x 90,000 x move, scaled by 0.16 / |move|: exactly the +-16% value up to rounding.
      expect(r.scenarioPnl[i]).toBeCloseTo(at(Math.sign(s.priceMove) * 0.16), 6);
    });
    expect(r.scanRisk).toBeCloseTo(2 * BTC * 0.16, 6);
    // A short call's tail: the scaled +500% loss exceeds the regular +16% loss (convexity), and the
    // dampener forgives 25,000 USD of it.
    const short = { positions: [option(90_000, 'call', -10)] };
    const full = portfolioMargin(e, short, BTC_MARKET, grid);
    const damped = portfolioMargin(e, short, BTC_MARKET, deribitGrid({ addOns: {} }));
    expect(grid.scenarios[full.worstScenario.index].extended).toBe(true);
    expect(damped.scanRisk).toBeGreaterThanOrEqual(full.scanRisk - 25_000 - 1e-6);
    expect(damped.scanRisk).toBeLessThan(full.scanRisk);
  });

  it('coin-settled options and futures from a Deribit chain, by instrument name', async () => {
    const e = await engineFor(backend);
    const chain = loadDeribitChain(snapshot);
    const market = marketFromDeribitChain(chain);
    const call = chain.instrument.find((n) => n.startsWith('BTC-') && n.endsWith('-C') && market.vols![n] !== undefined)!;
    const fut = call.split('-').slice(0, 2).join('-');
    const r = portfolioMargin(e, { positions: [{ instrument: call, size: -1 }, { instrument: fut, size: 0.3 }, { instrument: 'BTC-PERPETUAL', size: 0.2 }] }, market, DERIBIT_GRID);
    expect(r.status).toBe(Status.ok);
    expect(r.initialMargin).toBeGreaterThan(0);
    expect(Math.abs(sum(r.contributions) - r.scanRisk)).toBeLessThanOrEqual(1e-9 * r.scanRisk);
  });
});

describe('portfolio margin: grids', () => {
  it('SPAN16_GRID has exactly the 16 tabled scenarios with their weights', () => {
    const R = 0.15, V = 0.25;
    const table: [number, number, number][] = [
      [0, 1, 1], [0, -1, 1], [1 / 3, 1, 1], [1 / 3, -1, 1], [-1 / 3, 1, 1], [-1 / 3, -1, 1], [2 / 3, 1, 1], [2 / 3, -1, 1],
      [-2 / 3, 1, 1], [-2 / 3, -1, 1], [1, 1, 1], [1, -1, 1], [-1, 1, 1], [-1, -1, 1], [2, 0, 0.35], [-2, 0, 0.35],
    ];
    expect(SPAN16_GRID.scenarios).toHaveLength(16);
    SPAN16_GRID.scenarios.forEach((s, i) => {
      expect(s.priceMove).toBeCloseTo(table[i][0] * R, 15);
      expect(s.volShock).toBe(table[i][1] * V);
      expect(s.weight).toBe(table[i][2]);
    });
    const cme = span16Grid({ extremeMultiple: 3, extremeFraction: 0.33 });
    expect(cme.scenarios[14].priceMove).toBeCloseTo(0.45, 15);
    expect(cme.scenarios[14].weight).toBe(0.33);
    expect(cme.scenarios[15].priceMove).toBeCloseTo(-0.45, 15);
  });

  it('DERIBIT_GRID: 9 price points over +-16% x 3 vol scenarios = 27, plus 8 extended moves with vol up', () => {
    const regular = DERIBIT_GRID.scenarios.filter((s) => !s.extended);
    const extended = DERIBIT_GRID.scenarios.filter((s) => s.extended);
    expect(regular).toHaveLength(27);
    expect(new Set(regular.map((s) => s.priceMove.toFixed(12)))).toEqual(new Set([-4, -3, -2, -1, 0, 1, 2, 3, 4].map((b) => (b * 0.04).toFixed(12))));
    expect(regular.filter((s) => s.priceMove === 0).map((s) => s.volShock)).toEqual([0.5, 0, -0.25]);
    expect(extended.map((s) => s.priceMove)).toEqual([-0.66, -0.33, 0.5, 1, 2, 3, 4, 5]);
    expect(extended.every((s) => s.volShock === 0.5)).toBe(true);
    expect(DERIBIT_GRID.maintenanceFactor).toBe(0.8);
  });

  it('vega power: Deribit\'s legacy example (30/15)^0.30 x 38% = 46.78%; long-dated shocks shrink', () => {
    // Expiries in 365.25-day years (DAYS_PER_YEAR), the convention of the chains and of the expiry cut-off.
    expect(0.38 * vegaPowerScale(15 / 365.25, DERIBIT_VEGA_SCALING)).toBeCloseTo(0.4678, 4);
    expect(vegaPowerScale(30 / 365.25, DERIBIT_VEGA_SCALING)).toBeCloseTo(1, 12);
    expect(vegaPowerScale(120 / 365.25, DERIBIT_VEGA_SCALING)).toBeCloseTo(Math.pow(30 / 120, 0.13), 12);
    expect(vegaPowerScale(1 / 365.25 / 24, DERIBIT_VEGA_SCALING)).toBeCloseTo(Math.pow(30, 0.3), 12); // 1-day floor
  });

  it('a user-defined grid is validated with paths', () => {
    const ok = { scenarios: [{ name: 'up', priceMove: 0.1, volShock: 0, weight: 1, extended: false }] };
    expect(scenarioGrid(ok).combine).toBe('sum');
    const bad = (g: unknown, path: string) => {
      const err = (() => { try { scenarioGrid(g as never); } catch (x) { return x; } })();
      expect(err).toBeInstanceOf(InputError);
      expect((err as InputError).path).toBe(path);
    };
    bad({ scenarios: [] }, 'grid.scenarios');
    bad({ scenarios: [{ priceMove: -1.2 }] }, 'grid.scenarios[0].priceMove');
    bad({ scenarios: [{ priceMove: 0.1, weight: 2 }] }, 'grid.scenarios[0].weight');
    bad({ ...ok, maintenanceFactor: 0 }, 'grid.maintenanceFactor');
    bad({ ...ok, addOns: { deltaShock: { max: 0.1 } } }, 'grid.addOns.deltaShock.threshold');
    expect(() => deribitGrid({ priceRange: 1.5 })).toThrow(InputError);
  });
});

describe('portfolio margin: WASM and JS twins, bad input', () => {
  it('WASM and JS agree on a mixed batch from the Deribit chain (1e-10 relative)', async () => {
    const [w, j] = await Promise.all([engineFor('wasm'), engineFor('js')]);
    const chain = loadDeribitChain(snapshot);
    const market = marketFromDeribitChain(chain);
    const names = chain.instrument.filter((n) => market.vols![n] !== undefined);
    const accounts: MarginAccount[] = Array.from({ length: 40 }, (_, a) => ({
      id: `a${a}`,
      positions: Array.from({ length: 6 }, (_, k) => ({ instrument: names[(a * 37 + k * 101) % names.length], size: ((a + k) % 5) - 2.5 })),
    }));
    const check = (x: PortfolioMarginResult[], y: PortfolioMarginResult[]) => x.forEach((r, i) => {
      // Both twins run the same normalised Black-76 to ~1e-15 relative; 1e-10 of the margin leaves
      // room for cancellation in account sums without hiding a real divergence.
      const tol = 1e-10 * Math.max(1, y[i].initialMargin);
      expect(Math.abs(r.initialMargin - y[i].initialMargin)).toBeLessThanOrEqual(tol);
      expect(r.worstScenario.index).toBe(y[i].worstScenario.index);
      r.scenarioPnl.forEach((p, s) => expect(Math.abs(p - y[i].scenarioPnl[s])).toBeLessThanOrEqual(tol));
    });
    check(portfolioMargin(w, accounts, market, DERIBIT_GRID), portfolioMargin(j, accounts, market, DERIBIT_GRID));
    check(portfolioMargin(w, accounts, market, SPAN16_GRID, { aggregation: 'joint' }), portfolioMargin(j, accounts, market, SPAN16_GRID, { aggregation: 'joint' }));
  });

  it('results do not depend on how accounts are chunked', async () => {
    const e = await engineFor('wasm');
    const { createEngine } = await import('../src/index.js');
    const small = await createEngine({ backend: 'wasm', chunkSize: 3 });
    const accounts: MarginAccount[] = Array.from({ length: 9 }, (_, a) => ({
      positions: [option(80_000 + 2_000 * a, 'call', a - 4), option(95_000, 'put', 1), { kind: 'perpetual', asset: 'BTC', size: 0.1 * a }],
    }));
    const x = portfolioMargin(e, accounts, BTC_MARKET, DERIBIT_GRID);
    const y = portfolioMargin(small, accounts, BTC_MARKET, DERIBIT_GRID);
    x.forEach((r, i) => {
      expect(y[i].initialMargin).toBe(r.initialMargin);
      expect(Array.from(y[i].scenarioPnl)).toEqual(Array.from(r.scenarioPnl));
    });
  });

  it('unknown instrument, expired option, missing vol, bad grid or options: InputError with the path; inputs untouched', async () => {
    const e = await engineFor('js');
    const good: MarginAccount = { positions: [option(90_000, 'call', 1)] };
    const cases: [MarginAccount, string][] = [
      [{ positions: [{ instrument: 'BTC-1JAN99-1-C', size: 1 }] }, 'accounts[1].positions[0].instrument'],
      [{ positions: [option(90_000, 'call', 1, 0)] }, 'accounts[1].positions[0].expiry'],
      [{ positions: [{ kind: 'option', asset: 'BTC', strike: 90_000, type: 'put', size: -1, expiry: 0.1 }] }, 'accounts[1].positions[0].vol'],
      [{ positions: [{ kind: 'perpetual', asset: 'DOGE', size: 1 }] }, 'accounts[1].positions[0].asset'],
    ];
    for (const [bad, path] of cases) {
      const input = [good, bad];
      const before = JSON.stringify(input);
      const err = (() => { try { portfolioMargin(e, input, BTC_MARKET, DERIBIT_GRID); } catch (x) { return x; } })();
      expect(err).toBeInstanceOf(InputError);
      expect((err as InputError).path).toBe(path);
      expect(JSON.stringify(input)).toBe(before);
    }
    const err = (() => { try { portfolioMargin(e, good, BTC_MARKET, { scenarios: [{ priceMove: 'x' }] } as never); } catch (x) { return x; } })();
    expect((err as InputError).path).toBe('grid.scenarios[0].priceMove');
    expect(() => portfolioMargin(e, good, BTC_MARKET, DERIBIT_GRID, { aggregation: 'both' as never })).toThrow(InputError);
  });

  it('a numerically failed account gets NaN margins and a status; the rest of the batch is unaffected', async () => {
    const e = await engineFor('wasm');
    // resolveAccounts never lets a NaN vol through, so corrupt a resolved copy: what a numerical
    // failure inside a batch looks like to the aggregation.
    const resolved = resolveAccounts(e, [{ positions: [option(90_000, 'call', -1)] }, { positions: [option(95_000, 'put', -1)] }], BTC_MARKET);
    resolved[1] = { ...resolved[1], positions: [{ ...resolved[1].positions[0], vol: NaN }] };
    const [a, b] = marginResolved(e, resolved, DERIBIT_GRID);
    expect(a.status).toBe(Status.ok);
    expect(a.initialMargin).toBe(portfolioMargin(e, { positions: [option(90_000, 'call', -1)] }, BTC_MARKET, DERIBIT_GRID).initialMargin);
    expect(b.status).toBe(Status.invalidInput);
    expect(b.initialMargin).toBeNaN();
    expect(b.maintenanceMargin).toBeNaN();
  });
});

// Node only: workers run the built package (dist/, as the other parallel tests do).
describe.runIf(IS_NODE).each(BACKENDS)('portfolio margin on workers (%s)', (backend) => {
  afterAll(async () => {
    await closeSharedPools();
  });

  it('1 and 2 workers give the in-thread results bit for bit; account errors keep the caller\'s numbering', async () => {
    const e = await engineFor(backend);
    const chain = loadDeribitChain(snapshot);
    const market = marketFromDeribitChain(chain);
    const names = chain.instrument.filter((n) => market.vols![n] !== undefined);
    const accounts: MarginAccount[] = Array.from({ length: 60 }, (_, a) => ({
      positions: [
        ...Array.from({ length: 5 }, (_, k) => ({ instrument: names[(a * 53 + k * 211) % names.length], size: ((a + 2 * k) % 7) - 3 })),
        { instrument: a % 2 ? 'BTC-PERPETUAL' : 'ETH-PERPETUAL', size: a / 10 - 3 },
      ],
    }));
    const ref = portfolioMargin(e, accounts, market, DERIBIT_GRID);
    for (const workers of [1, 2]) {
      const r = (await portfolioMarginParallel(e, accounts, market, DERIBIT_GRID, { workers, accountsPerShard: 7 })) as PortfolioMarginResult[];
      expect(r).toHaveLength(ref.length);
      r.forEach((x, i) => {
        expect(x.id).toBe(ref[i].id);
        expect(Object.is(x.initialMargin, ref[i].initialMargin)).toBe(true);
        expect(x.worstScenario).toEqual(ref[i].worstScenario);
        expect(Array.from(x.scenarioPnl)).toEqual(Array.from(ref[i].scenarioPnl));
        expect(Array.from(x.contributions)).toEqual(Array.from(ref[i].contributions));
        expect(x.perAsset).toEqual(ref[i].perAsset);
      });
    }
    const bad = [...accounts];
    bad[45] = { positions: [{ instrument: 'BTC-1JAN99-1-C', size: 1 }] };
    const err = await portfolioMarginParallel(e, bad, market, DERIBIT_GRID, { workers: 2, accountsPerShard: 7 }).catch((x: unknown) => x);
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).path).toBe('accounts[45].positions[0].instrument');
  });
});
