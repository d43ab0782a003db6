// Liquidation prices under portfolio margin, both backends, Node and Chromium: a linear book against
// its closed form, option books checked by re-running the public portfolioMargin and equity on a
// market moved by hand, PM against standard margin on a hedged book, batch = alone, WASM vs JS,
// the no-solution statuses, bad input and input immutability.
import { beforeAll, describe, expect, it } from 'vitest';
import {
  DERIBIT_GRID, DERIBIT_STANDARD, SPAN16_GRID, accountEquity, resolveAccounts, scenarioGrid,
  type Engine, type LiquidationPriceResult, type LiquidationSide, type MarginAccount, type MarginMarket, type ScenarioGrid,
} from '../src/index.js';
import { BACKENDS, engineFor, expectInputError, relDiff } from './backends.js';
import { OPTION_BOOKS, chainMarket, moved, withTodaysEntries } from './margin-books.js';

/**
 * Equity and PM maintenance margin (USD) of one account on a market, through the public API only;
 * `today` (default: `mk`) fixes the entry price of linear positions that have none.
 */
function equityAndMargin(
  e: Engine, acc: MarginAccount, mk: MarginMarket, grid: ScenarioGrid, aggregation: 'per-asset' | 'joint' = 'per-asset',
  haircuts?: Record<string, number>, today: MarginMarket = chainMarket,
) {
  const a = withTodaysEntries(e, acc, today);
  const equity = accountEquity(resolveAccounts(e, a, mk)[0], haircuts).equity;
  const mm = e.portfolioMargin(a, mk, grid, { aggregation }).maintenanceMargin;
  return { equity, mm, f: equity - mm };
}



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

  it('a perpetual or a future without an entry price: P&L counted from today\'s mark (closed forms), as with entry = today\'s mark', () => {
    // A future's forward moves with S: F(S) = F0 S / S0, so C + q (F - F0) = f r |q| F gives
    // F* = (q F0 - C) / (q - f r |q|), S* = S0 F* / F0; a perpetual is the case F0 = S0.
    const S0 = 90000, F0 = 91800;
    const market: MarginMarket = { assets: { BTC: { index: S0, forwards: [{ expiry: 0.25, price: F0 }] } } };
    const [r, f] = [0.1, 0.8];
    const grid = scenarioGrid({
      maintenanceFactor: f,
      scenarios: [{ name: 'down', priceMove: -r, volShock: 0, weight: 1, extended: false }, { name: 'up', priceMove: r, volShock: 0, weight: 1, extended: false }],
    });
    for (const [kind, F] of [['perpetual', S0], ['future', F0]] as const) {
      for (const q of [2, -2]) {
        const C = 0.3 * Math.abs(q) * F;
        const pos = kind === 'perpetual' ? { kind, asset: 'BTC', size: q } as const : { kind, asset: 'BTC', size: q, expiry: 0.25 } as const;
        const res = engine.liquidationPrice({ collateral: { USDC: C }, positions: [pos] }, market, grid);
        const lv = res.assets[0];
        expect(lv.direction).toBe(q > 0 ? 'below' : 'above');
        // 1e-12 as in the entry-price test above (residual ~4 eps of terms ~20 x larger).
        expect(relDiff(lv.price, (S0 * (q * F - C)) / (F * (q - f * r * Math.abs(q))))).toBeLessThan(1e-12);
        expect((q > 0 ? lv.above : lv.below).status).toBe('none');
        // Entry at today's mark is the same account: every number identical.
        expect(engine.liquidationPrice({ collateral: { USDC: C }, positions: [{ ...pos, entryPrice: F }] }, market, grid)).toEqual(res);
      }
    }
  });

  it('every position kind, collateral in the moved and other assets, haircuts, add-ons with combine max and sum: equity and MM at each level = public API on a hand-moved market', () => {
    const market: MarginMarket = {
      rate: 0.03,
      assets: {
        BTC: { index: 90000, forwards: [{ expiry: 0.1, price: 90500 }, { expiry: 0.5, price: 92000 }] },
        ETH: { index: 3000, forwards: [{ expiry: 0.3, price: 3030 }] },
        SOL: { index: 150 },
      },
    };
    const accounts: MarginAccount[] = [
      {
        id: 'every-kind', collateral: { USDC: 30000, BTC: 0.2, ETH: 1, SOL: 10 },
        positions: [
          { kind: 'spot', asset: 'BTC', size: 0.1 },
          { kind: 'perpetual', asset: 'BTC', size: 0.8, entryPrice: 88000, accruedFunding: -20, fundingRate: 0.1 },
          { kind: 'future', asset: 'BTC', size: -0.3, expiry: 0.3, entryPrice: 91000 },
          { kind: 'future', asset: 'BTC', size: 0.2, expiry: 0.5 },
          { kind: 'option', asset: 'BTC', size: -1, strike: 100000, expiry: 0.25, type: 'call', vol: 0.55 },
          { kind: 'option', asset: 'BTC', size: -1, strike: 80000, expiry: 0.1, type: 'put', vol: 0.6, settlement: 'coin' },
          { kind: 'option', asset: 'BTC', size: 0.5, strike: 80000, expiry: 0.1, type: 'put', vol: 0.6, settlement: 'coin' },
          { kind: 'perpetual', asset: 'ETH', size: -5, entryPrice: 3100 },
          { kind: 'option', asset: 'ETH', size: -10, strike: 3500, expiry: 0.3, type: 'call', vol: 0.7 },
        ],
      },
      // ETH and SOL only as collateral: moving them moves equity, not the margin.
      { id: 'collateral-only', collateral: { ETH: 3, SOL: 40, USDT: 100 }, positions: [{ kind: 'perpetual', asset: 'BTC', size: 0.5, entryPrice: 90000 }] },
      { id: 'coin-call', collateral: { BTC: 1 }, positions: [{ kind: 'option', asset: 'BTC', size: -3, strike: 95000, expiry: 0.5, type: 'call', vol: 0.5, settlement: 'coin' }] },
    ];
    const grids: ScenarioGrid[] = [
      DERIBIT_GRID,
      scenarioGrid({
        combine: 'max', maintenanceFactor: 0.7, addOns: { shortOptionContingency: 0.05, deltaShock: { max: 0.2, threshold: 10000 } },
        scenarios: [-0.15, -0.05, 0, 0.05, 0.15].flatMap((mv) => [-0.2, 0.2].map((v) => ({ name: `${mv}/${v}`, priceMove: mv, volShock: v, weight: 1, extended: false }))),
      }),
      scenarioGrid({
        combine: 'sum', maintenanceFactor: 0.9, addOns: { shortOptionContingency: 0.02, deltaShock: { max: 0.1, threshold: 20000 } },
        scenarios: [-0.15, -0.05, 0.05, 0.15].map((mv) => ({ name: `${mv}`, priceMove: mv, volShock: 0.1, weight: 1, extended: false })),
      }),
    ];
    const statuses = new Set<string>();
    let checked = 0;
    for (const grid of grids) {
      for (const aggregation of ['per-asset', 'joint'] as const) {
        for (const haircuts of [undefined, { ETH: 0.1, '*': 0.05 }]) {
          const results = engine.liquidationPrice(accounts, market, grid, { aggregation, haircuts });
          results.forEach((res, ai) => {
            expect(res.assets.map((a) => a.asset)).toEqual(ai === 0 ? ['BTC', 'ETH', 'SOL'] : ai === 1 ? ['BTC', 'ETH', 'SOL'] : ['BTC']);
            for (const lv of res.assets) {
              for (const s of [lv.below, lv.above]) {
                statuses.add(s.status);
                // 'none' reports equity and MM at the search bound (default factors 1e-6 and 100).
                const level = s.status === 'found' ? s.price : s.status === 'none' ? lv.index * (s === lv.below ? 1e-6 : 100) : NaN;
                if (!Number.isFinite(level)) continue;
                const at = equityAndMargin(engine, accounts[ai], moved(market, lv.asset, level), grid, aggregation, haircuts, market);
                // 1e-9 of |equity| + MM, as for the option books above (measured: 3e-14).
                const scale = Math.abs(at.equity) + Math.abs(at.mm);
                expect(Math.abs(s.equity - at.equity)).toBeLessThanOrEqual(1e-9 * scale);
                expect(Math.abs(s.maintenanceMargin - at.mm)).toBeLessThanOrEqual(1e-9 * scale);
                checked++;
              }
            }
          });
        }
      }
    }
    expect(checked).toBeGreaterThanOrEqual(100);
    expect(statuses).toContain('found');
    expect(statuses).toContain('none');
  });

  it('an asset named like an internal key (asset + NUL + digits) gives the same levels as under any other name', () => {
    const grid = scenarioGrid({
      scenarios: [{ name: 'down', priceMove: -0.1, volShock: 0, weight: 1, extended: false }, { name: 'up', priceMove: 0.1, volShock: 0, weight: 1, extended: false }],
    });
    const book = (alt: string): MarginAccount => ({
      collateral: { USDC: 40000 },
      positions: [
        { kind: 'perpetual', asset: 'BTC', size: 2, entryPrice: 90000 },
        { kind: 'perpetual', asset: alt, size: -1000, entryPrice: 10 },
      ],
    });
    const marketWith = (alt: string): MarginMarket => ({ assets: { BTC: { index: 90000 }, [alt]: { index: 10 } } });
    // The second name also holds a NUL, so a one-NUL separator would not do for it either.
    for (const alt of ['BTC\u00000', 'BTC\u0000\u00001']) {
      const named = engine.liquidationPrice([book(alt), book(alt)], marketWith(alt), grid);
      const plain = engine.liquidationPrice([book('ALT'), book('ALT')], marketWith('ALT'), grid);
      // Same numbers and statuses; only the second asset's name differs.
      expect(JSON.parse(JSON.stringify(named).split(JSON.stringify(alt).slice(1, -1)).join('ALT'))).toEqual(JSON.parse(JSON.stringify(plain)));
      // And the BTC level is the closed form with the other asset fixed: C + q (S - E) + 0 = 0.1 x 2 S + 0.1 x 1000 x 10.
      const btc = plain[0].assets[0];
      expect(btc.direction).toBe('below');
      expect(relDiff(btc.price, (2 * 90000 - 40000 + 1000) / (2 - 0.2))).toBeLessThan(1e-12);
      expect(relDiff(named[0].assets[0].price, btc.price)).toBe(0);
    }
  });

  it('degenerate batches: no accounts, no positions, stablecoins only, duplicate ids, one account vs an array of one', () => {
    expect(engine.liquidationPrice([], chainMarket, DERIBIT_GRID)).toEqual([]);
    const [empty, stable] = engine.liquidationPrice([{ positions: [] }, { collateral: { USDC: 10, USDT: 5 }, positions: [] }], chainMarket, DERIBIT_GRID);
    expect(empty).toMatchObject({ equity: 0, maintenanceMargin: 0, status: 'healthy', assets: [], nearest: null });
    expect(stable).toMatchObject({ equity: 15, maintenanceMargin: 0, status: 'healthy', assets: [], nearest: null });
    const acc = { ...OPTION_BOOKS[0], id: 'same' };
    const [a, b] = engine.liquidationPrice([acc, { ...OPTION_BOOKS[1], id: 'same' }], chainMarket, DERIBIT_GRID);
    expect([a.id, b.id]).toEqual(['same', 'same']);
    expect({ ...b, path: 'account' }).toEqual(engine.liquidationPrice({ ...OPTION_BOOKS[1], id: 'same' }, chainMarket, DERIBIT_GRID));
    const single = engine.liquidationPrice(acc, chainMarket, DERIBIT_GRID);
    expect(Array.isArray(single)).toBe(false);
    expect(single.path).toBe('account');
    expect({ ...a, path: 'account' }).toEqual(single);
  });

  it('a lower bound that underflows (index x lowerFactor = 0) makes that side invalid at once; the other side is unaffected', () => {
    // A short perpetual on a 1e-300 USD asset: its root is above (closed form as in the first test);
    // 1e-300 x 1e-30 underflows to 0, which is no level to scan down to.
    const market: MarginMarket = { assets: { DUST: { index: 1e-300 } } };
    const grid = scenarioGrid({
      maintenanceFactor: 0.8,
      scenarios: [{ name: 'down', priceMove: -0.1, volShock: 0, weight: 1, extended: false }, { name: 'up', priceMove: 0.1, volShock: 0, weight: 1, extended: false }],
    });
    const q = -1e299, E = 1e-300, C = 0.3 * 1e299 * 1e-300;
    const acc: MarginAccount = { collateral: { USDC: C }, positions: [{ kind: 'perpetual', asset: 'DUST', size: q, entryPrice: E }] };
    const lv = engine.liquidationPrice(acc, market, grid, { lowerFactor: 1e-30 }).assets[0];
    expect(lv.below.status).toBe('invalid');
    expect(lv.below.evaluations).toBe(1);
    expect(lv.below.price).toBeNaN();
    expect(lv.above).toEqual(engine.liquidationPrice(acc, market, grid).assets[0].above);
    expect(lv.above.status).toBe('found');
    // 1e-12 as in the first test.
    expect(relDiff(lv.above.price, (q * E - C) / (q - 0.8 * 0.1 * Math.abs(q)))).toBeLessThan(1e-12);
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

  it('rejects bad grids, perPosition, bad factors, aggregation and an unknown settlement with the field path (coin futures accepted); inputs not modified', () => {
    const acc = OPTION_BOOKS[0];
    const badGrid = { scenarios: [{ name: 'x', priceMove: -2, volShock: 0, weight: 1, extended: false }] } as unknown as ScenarioGrid;
    expectInputError(() => engine.liquidationPrice(acc, chainMarket, badGrid), 'grid.scenarios[0].priceMove');
    expectInputError(() => engine.liquidationPrice(acc, chainMarket, DERIBIT_GRID, { perPosition: true as false }), 'options.perPosition');
    expectInputError(() => engine.liquidationPrice(acc, chainMarket, DERIBIT_GRID, { lowerFactor: 1.5 }), 'options.lowerFactor');
    expectInputError(() => engine.liquidationPrice(acc, chainMarket, DERIBIT_GRID, { upperFactor: 1e308 }), 'options.upperFactor');
    expectInputError(() => engine.liquidationPrice(acc, chainMarket, DERIBIT_GRID, { maxIterations: 0 }), 'options.maxIterations');
    expectInputError(() => engine.liquidationPrice(acc, chainMarket, DERIBIT_GRID, { aggregation: 'both' as 'joint' }), 'options.aggregation');
    expectInputError(() => engine.liquidationPrice(acc, chainMarket, DERIBIT_GRID, { haircuts: { BTC: 2 } }), 'options.haircuts.BTC');
    // Coin-settled futures are accepted (test/margin-inverse.test.ts checks their levels); an unknown settlement is not.
    const coinFuture: MarginAccount = { collateral: { BTC: 1 }, positions: [{ kind: 'future', asset: 'BTC', size: 1, expiry: 0.1, settlement: 'coin' }] };
    expect(engine.liquidationPrice(coinFuture, chainMarket, DERIBIT_GRID).assets[0].below.status).toBe('found');
    const eurFuture = { positions: [{ kind: 'future', asset: 'BTC', size: 1, expiry: 0.1, settlement: 'eur' }] } as unknown as MarginAccount;
    expectInputError(() => engine.liquidationPrice(eurFuture, chainMarket, DERIBIT_GRID), 'account.positions[0].settlement');

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
