// Liquidation prices under portfolio margin, both backends, Node and Chromium: a linear book against
// its closed form, option books checked by re-running the public portfolioMargin and equity on a
// market moved by hand, PM against standard margin on a hedged book, batch = alone, WASM vs JS,
// the no-solution statuses, bad input and input immutability.
import { beforeAll, describe, expect, it } from 'vitest';
import snapshot from '../data/market/deribit_options_snapshot_20260415T102447Z.csv?raw';
import {
  DERIBIT_GRID, DERIBIT_STANDARD, SPAN16_GRID, accountEquity, loadDeribitChain, marketFromDeribitChain, resolveAccounts, scenarioGrid,
  type Engine, type LiquidationPriceResult, type LiquidationSide, type MarginAccount, type MarginMarket, type ScenarioGrid,
} from '../src/index.js';
import { BACKENDS, engineFor, expectInputError, relDiff } from './backends.js';

/** The market with one asset's index at `level` and its forwards scaled in proportion (built by hand, not by the solver). */
function moved(m: MarginMarket, asset: string, level: number): MarginMarket {
  const a = m.assets[asset];
  const k = level / a.index;
  return { ...m, assets: { ...m.assets, [asset]: { index: level, forwards: a.forwards?.map((f) => ({ expiry: f.expiry, price: f.price * k })) } } };
}

/** Equity and PM maintenance margin (USD) of one account on a market, through the public API only. */
function equityAndMargin(e: Engine, acc: MarginAccount, mk: MarginMarket, grid: ScenarioGrid, aggregation: 'per-asset' | 'joint' = 'per-asset') {
  const equity = accountEquity(resolveAccounts(e, acc, mk)[0]).equity;
  const mm = e.portfolioMargin(acc, mk, grid, { aggregation }).maintenanceMargin;
  return { equity, mm, f: equity - mm };
}

const chainMarket = marketFromDeribitChain(loadDeribitChain(snapshot));

// Short 29 May 2026 strangle hedged with perpetuals, on USDC (and, for one, BTC) collateral.
const OPTION_BOOKS: MarginAccount[] = [
  {
    id: 'strangle-usdc', collateral: { USDC: 12000 },
    positions: [
      { instrument: 'BTC-29MAY26-85000-C', size: -1 },
      { instrument: 'BTC-29MAY26-65000-P', size: -1 },
      { instrument: 'BTC-PERPETUAL', size: 0.2, entryPrice: 73000 },
    ],
  },
  {
    id: 'strangle-btc', collateral: { BTC: 0.3 },
    positions: [
      { instrument: 'BTC-29MAY26-85000-C', size: -2 },
      { instrument: 'BTC-29MAY26-65000-P', size: -1 },
      { instrument: 'BTC-PERPETUAL', size: 0.5, entryPrice: 75000, accruedFunding: -35 },
    ],
  },
  {
    id: 'two-assets', collateral: { USDC: 9000, ETH: 2 },
    positions: [
      { instrument: 'BTC-29MAY26-80000-C', size: -1 },
      { instrument: 'BTC-PERPETUAL', size: 0.3 },
      { instrument: 'ETH-PERPETUAL', size: -3, entryPrice: 2300 },
    ],
  },
];

const found = (s: LiquidationSide) => s.status === 'found';

describe.each(BACKENDS)('portfolio liquidation price (%s)', (backend) => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await engineFor(backend);
  });

  it('linear book on a +-r grid (no add-ons, MM = f IM): S* = (qE - C) / (q - f r |q|), IM(S) = r |q| S', () => {
    const market: MarginMarket = { assets: { BTC: { index: 90000 } } };
    const E = 89000;
    for (const [r, f] of [[0.1, 0.8], [0.16, 1], [0.05, 0.5]]) {
      const grid = scenarioGrid({
        name: `+-${r}`, maintenanceFactor: f,
        scenarios: [
          { name: 'down', priceMove: -r, volShock: 0, weight: 1, extended: false },
          { name: 'up', priceMove: r, volShock: 0, weight: 1, extended: false },
        ],
      });
      for (const q of [2, -2, 0.5, -3]) {
        const C = 0.3 * Math.abs(q) * 90000; // 3.3x leverage: above MM today, a root on the losing side
        const acc: MarginAccount = { collateral: { USDC: C }, positions: [{ kind: 'perpetual', asset: 'BTC', size: q, entryPrice: E }] };
        const res = engine.liquidationPrice(acc, market, grid);
        // C + q (S - E) = f r |q| S: the long's root is below, the short's above (f r < 1).
        const expected = (q * E - C) / (q - f * r * Math.abs(q));
        const lv = res.assets[0];
        expect(lv.asset).toBe('BTC');
        expect(lv.status).toBe('found');
        expect(lv.direction).toBe(q > 0 ? 'below' : 'above');
        // 1e-12: the solver stops at |f| <= 4 eps (|equity| + |MM|); the equation's terms are ~20 x the
        // residual scale and the kernel's S (1 + r) = S e^{log1p r} adds a few ulps, so ~1e-14 is expected.
        expect(relDiff(lv.price, expected)).toBeLessThan(1e-12);
        expect(relDiff(lv.equity, lv.maintenanceMargin)).toBeLessThan(1e-12);
        // f is monotone for one linear position: no crossing on the other side.
        expect((q > 0 ? lv.above : lv.below).status).toBe('none');
        expect(res.nearest?.asset).toBe('BTC');
        // Today: PM MM = f r |q| S0; status from equity against PM IM and MM.
        expect(relDiff(res.maintenanceMargin, f * r * Math.abs(q) * 90000)).toBeLessThan(1e-14);
        expect(res.status).toBe('healthy');
      }
    }
  });

  it('option books (DERIBIT_GRID, SPAN16_GRID, per-asset and joint): equity = MM at S* on a hand-moved market, f > 0 towards the index, f < 0 past S*', () => {
    let checked = 0;
    for (const grid of [DERIBIT_GRID, SPAN16_GRID]) {
      for (const aggregation of ['per-asset', 'joint'] as const) {
        const results = engine.liquidationPrice(OPTION_BOOKS, chainMarket, grid, { aggregation });
        results.forEach((res, ai) => {
          const acc = OPTION_BOOKS[ai];
          const today = equityAndMargin(engine, acc, chainMarket, grid, aggregation);
          expect(res.equity).toBe(today.equity);
          expect(res.maintenanceMargin).toBe(today.mm);
          for (const lv of res.assets) {
            for (const [dir, s] of [[-1, lv.below], [1, lv.above]] as const) {
              if (!found(s)) continue;
              const at = equityAndMargin(engine, acc, moved(chainMarket, lv.asset, s.price), grid, aggregation);
              // 1e-9 of |equity| + MM: the solver stops at ~1e-15; the two paths differ by rounding of
              // F x ratio against the moved market's forwards and by the basis re-derived from them.
              expect(Math.abs(at.f)).toBeLessThanOrEqual(1e-9 * (Math.abs(at.equity) + at.mm));
              expect(relDiff(s.equity, at.equity)).toBeLessThan(1e-9);
              expect(relDiff(s.maintenanceMargin, at.mm)).toBeLessThan(1e-9);
              // A crossing, not a touch: f changes sign across S* (1e-5 of S, far above the 1e-9 residual).
              const inside = equityAndMargin(engine, acc, moved(chainMarket, lv.asset, s.price * (1 - dir * 1e-5)), grid, aggregation);
              const outside = equityAndMargin(engine, acc, moved(chainMarket, lv.asset, s.price * (1 + dir * 1e-5)), grid, aggregation);
              expect(inside.f).toBeGreaterThan(0);
              expect(outside.f).toBeLessThan(0);
              // The nearest crossing: f > 0 on 16 points between the index and S* (the scan's guarantee
              // at its resolution; these points are coarser than its steps near S*).
              for (let k = 1; k <= 16; k++) {
                const level = lv.index + ((s.price - lv.index) * k) / 17;
                expect(equityAndMargin(engine, acc, moved(chainMarket, lv.asset, level), grid, aggregation).f).toBeGreaterThan(0);
              }
              checked++;
            }
          }
        });
      }
    }
    expect(checked).toBeGreaterThanOrEqual(12);
  });

  it('hedged book: where PM MM <= standard MM between the index and the standard level, the PM level is at least as far', () => {
    // An iron condor: short 70k put / 80k call, long 50k put / 100k call wings, USDC collateral.
    const acc: MarginAccount = {
      id: 'condor', collateral: { USDC: 22000 },
      positions: [
        { instrument: 'BTC-29MAY26-70000-P', size: -1 },
        { instrument: 'BTC-29MAY26-80000-C', size: -1 },
        { instrument: 'BTC-29MAY26-50000-P', size: 1 },
        { instrument: 'BTC-29MAY26-100000-C', size: 1 },
      ],
    };
    const std = engine.liquidationPrice(acc, chainMarket, DERIBIT_STANDARD).assets[0];
    const pm = engine.liquidationPrice(acc, chainMarket, DERIBIT_GRID).assets[0];
    let sides = 0;
    for (const [dir, s, p] of [[-1, std.below, pm.below], [1, std.above, pm.above]] as const) {
      if (!found(s)) continue;
      // Premise: PM MM <= standard MM at every checked level from the index to the standard level (then
      // f_PM >= f_std > 0 there, so PM equity cannot reach its MM before the standard level).
      for (let k = 0; k <= 24; k++) {
        const level = std.index + ((s.price - std.index) * k) / 24;
        const mk = moved(chainMarket, 'BTC', level);
        const stdMm = engine.standardMargin(acc, mk, DERIBIT_STANDARD).maintenanceMargin;
        expect(engine.portfolioMargin(acc, mk, DERIBIT_GRID).maintenanceMargin).toBeLessThanOrEqual(stdMm);
      }
      expect(p.status === 'found' || p.status === 'none').toBe(true);
      if (p.status === 'found') expect(dir * (p.price - s.price)).toBeGreaterThanOrEqual(0);
      sides++;
    }
    expect(sides).toBe(2);
  });

  it('a batch gives each account\'s result alone, bit for bit, and internal asset keys never reach the results', () => {
    const batch = engine.liquidationPrice(OPTION_BOOKS, chainMarket, DERIBIT_GRID);
    OPTION_BOOKS.forEach((acc, i) => {
      const alone = engine.liquidationPrice(acc, chainMarket, DERIBIT_GRID);
      // toEqual compares numbers with Object.is: every price, equity, MM and count identical.
      expect({ ...batch[i], path: alone.path }).toEqual(alone);
      expect(batch[i].path).toBe(`accounts[${i}]`);
    });
    const text = JSON.stringify(batch);
    expect(text.includes('\\u0000')).toBe(false);
    expect(batch[2].assets.map((a) => a.asset)).toEqual(['BTC', 'ETH']);
  });

  it('statuses: belowMaintenance, none for long spot, notConverged at the cap, an overflowing side invalid alone', () => {
    const thin: MarginAccount = { id: 'thin', collateral: { USDC: 50 }, positions: [{ instrument: 'BTC-29MAY26-85000-C', size: -3 }] };
    const spot: MarginAccount = { id: 'spot', positions: [{ kind: 'spot', asset: 'BTC', size: 1.5 }] };
    const [a, b] = engine.liquidationPrice([thin, spot], chainMarket, DERIBIT_GRID);
    expect(a.status).toBe('liquidation');
    expect(a.assets[0].below.status).toBe('belowMaintenance');
    expect(a.assets[0].above.status).toBe('belowMaintenance');
    expect(a.assets[0].price).toBe(a.assets[0].index);
    expect(a.nearest?.status).toBe('belowMaintenance');
    // Long spot: PM MM is a fraction (< 1) of its value at every level, so equity never meets it.
    expect(b.assets[0].below.status).toBe('none');
    expect(b.assets[0].above.status).toBe('none');
    expect(b.assets[0].direction).toBeNull();
    expect(b.nearest).toBeNull();
    expect(b.assets[0].above.equity).toBeGreaterThan(b.assets[0].above.maintenanceMargin);

    // One refinement step allowed: sides that needed more stop at notConverged with their last iterate.
    const capped = engine.liquidationPrice(OPTION_BOOKS[0], chainMarket, DERIBIT_GRID, { maxIterations: 1 }).assets[0];
    for (const s of [capped.below, capped.above]) {
      expect(['found', 'notConverged']).toContain(s.status);
      expect(s.iterations).toBeLessThanOrEqual(1);
      if (s.status === 'notConverged') expect(Number.isFinite(s.price)).toBe(true);
    }
    expect([capped.below.status, capped.above.status]).toContain('notConverged');

    // A 1e302 BTC perpetual: equity overflows to Infinity on the way up (S ~ 1.8e6), so the above side
    // is invalid; its below side (1e302 (S - 50000) = 0.1 x 1e302 S on a +-10% grid: S* = 55,555.6)
    // and the other account of the batch are unaffected.
    const grid = scenarioGrid({
      scenarios: [{ name: 'down', priceMove: -0.1, volShock: 0, weight: 1, extended: false }, { name: 'up', priceMove: 0.1, volShock: 0, weight: 1, extended: false }],
    });
    const huge: MarginAccount = { positions: [{ kind: 'perpetual', asset: 'BTC', size: 1e302, entryPrice: 50000 }] };
    const [h, ok] = engine.liquidationPrice([huge, OPTION_BOOKS[0]], chainMarket, grid);
    expect(h.assets[0].above.status).toBe('invalid');
    expect(h.assets[0].above.price).toBeNaN();
    expect(h.assets[0].below.status).toBe('found');
    expect(relDiff(h.assets[0].below.price, 50000 / 0.9)).toBeLessThan(1e-12);
    expect({ ...ok, path: 'accounts[0]' }).toEqual(engine.liquidationPrice([OPTION_BOOKS[0]], chainMarket, grid)[0]);
  });

  it('rejects bad grids, perPosition, bad factors, aggregation and coin futures with the field path; inputs not modified', () => {
    const acc = OPTION_BOOKS[0];
    const badGrid = { scenarios: [{ name: 'x', priceMove: -2, volShock: 0, weight: 1, extended: false }] } as unknown as ScenarioGrid;
    expectInputError(() => engine.liquidationPrice(acc, chainMarket, badGrid), 'grid.scenarios[0].priceMove');
    expectInputError(() => engine.liquidationPrice(acc, chainMarket, DERIBIT_GRID, { perPosition: true as false }), 'options.perPosition');
    expectInputError(() => engine.liquidationPrice(acc, chainMarket, DERIBIT_GRID, { lowerFactor: 1.5 }), 'options.lowerFactor');
    expectInputError(() => engine.liquidationPrice(acc, chainMarket, DERIBIT_GRID, { upperFactor: 1e308 }), 'options.upperFactor');
    expectInputError(() => engine.liquidationPrice(acc, chainMarket, DERIBIT_GRID, { maxIterations: 0 }), 'options.maxIterations');
    expectInputError(() => engine.liquidationPrice(acc, chainMarket, DERIBIT_GRID, { aggregation: 'both' as 'joint' }), 'options.aggregation');
    expectInputError(() => engine.liquidationPrice(acc, chainMarket, DERIBIT_GRID, { haircuts: { BTC: 2 } }), 'options.haircuts.BTC');
    const coinFuture: MarginAccount = { positions: [{ kind: 'future', asset: 'BTC', size: 1, expiry: 0.1, settlement: 'coin' }] };
    expectInputError(() => engine.liquidationPrice(coinFuture, chainMarket, DERIBIT_GRID), 'account.positions[0].settlement');

    const accounts = structuredClone(OPTION_BOOKS);
    const market = structuredClone(chainMarket);
    const before = structuredClone({ accounts, market });
    engine.liquidationPrice(accounts, market, DERIBIT_GRID, { haircuts: { ETH: 0.1 } });
    expect({ accounts, market }).toEqual(before);
  });

  it('WASM and JS twin agree to 1e-9 relative', async () => {
    const other = await engineFor(backend === 'wasm' ? 'js' : 'wasm');
    const a = engine.liquidationPrice(OPTION_BOOKS, chainMarket, DERIBIT_GRID);
    const b = other.liquidationPrice(OPTION_BOOKS, chainMarket, DERIBIT_GRID);
    a.forEach((r, i) => r.assets.forEach((lv, k) => {
      for (const side of ['below', 'above'] as const) {
        const x = lv[side], y = b[i].assets[k][side];
        expect(x.status).toBe(y.status);
        if (!found(x)) continue;
        // Black-76 and the revaluation differ between backends by ulps of exp/log/erfc; the root moves
        // by that residual over f's slope (~1e-14 relative here): 1e-9 leaves room for a kink of the
        // worst-scenario max sitting near S*.
        expect(relDiff(x.price, y.price)).toBeLessThan(1e-9);
        expect(Math.abs(x.equity - y.equity)).toBeLessThan(1e-9 * (Math.abs(y.equity) + y.maintenanceMargin));
      }
    }));
  });

  it('timing: 1 account and 1,000 accounts (reported, not asserted)', () => {
    const names = Object.keys(chainMarket.vols!).filter((n) => n.startsWith('BTC-'));
    const books: MarginAccount[] = Array.from({ length: 1000 }, (_, a) => ({
      collateral: { USDC: 40000 + 1000 * (a % 40) },
      positions: [
        { instrument: names[(a * 53) % names.length], size: -1 - (a % 3) },
        { instrument: names[(a * 53 + 211) % names.length], size: -1 },
        { instrument: 'BTC-PERPETUAL', size: ((a % 7) - 3) / 10, entryPrice: 74000 },
      ],
    }));
    const report = (label: string, res: LiquidationPriceResult[], ms: number) => {
      const sides = res.flatMap((r) => r.assets.flatMap((l) => [l.below, l.above]));
      const rounds = Math.max(...sides.map((s) => s.evaluations)) - 1;
      const evaluations = sides.reduce((t, s) => t + s.evaluations - 1, 0);
      const counts: Record<string, number> = {};
      for (const s of sides) counts[s.status] = (counts[s.status] ?? 0) + 1;
      console.log(`[pm liquidation ${backend}] ${label}: ${ms.toFixed(1)} ms, ${rounds} rounds, ${evaluations} account evaluations, sides ${JSON.stringify(counts)}`);
      return rounds;
    };
    let t = performance.now();
    const one = engine.liquidationPrice(books.slice(0, 1), chainMarket, DERIBIT_GRID);
    report('1 account', one, performance.now() - t);
    t = performance.now();
    const many = engine.liquidationPrice(books, chainMarket, DERIBIT_GRID);
    const rounds = report('1,000 accounts', many, performance.now() - t);
    expect(many).toHaveLength(1000);
    // An exchange's book: every account on the same two options and the perpetual (moved copies of one
    // listed instrument must not pile up in one bucket of the unit de-duplication).
    const same = books.map((b, a) => ({ ...b, positions: [
      { instrument: 'BTC-29MAY26-85000-C', size: -1 - (a % 3) }, { instrument: 'BTC-29MAY26-65000-P', size: -1 }, b.positions[2],
    ] }));
    t = performance.now();
    report('1,000 accounts, same instruments', engine.liquidationPrice(same, chainMarket, DERIBIT_GRID), performance.now() - t);
    expect(rounds).toBeGreaterThan(0);
  }, 120_000);
});
