import { describe, it, expect, beforeAll } from 'vitest';
import fc from 'fast-check';
import { BACKENDS, engineFor, propertySeed, relDiff } from './backends.js';
import { moved } from './margin-books.js';
import {
  DERIBIT_STANDARD, GENERIC_STANDARD, createEngine, type Engine, type MarginAccount, type MarginMarket,
} from '../src/index.js';

const market: MarginMarket = {
  assets: {
    BTC: { index: 90000, forwards: [{ expiry: 0.25, price: 91000 }, { expiry: 0.5, price: 92000 }] },
    ETH: { index: 3000, forwards: [{ expiry: 0.25, price: 3030 }] },
  },
};

describe.each(BACKENDS)('liquidationPrice (%s)', (backend) => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await engineFor(backend);
  });

  it('single linear perpetual with USD collateral: S* solves C + q (S - E) = m |q| S (Deribit rate m = 1% + |q| x 0.005%)', () => {
    const C = 10000, E = 89000;
    for (const q of [2, -2, 0.5, -3]) {
      const acc: MarginAccount = { collateral: { USDC: C }, positions: [{ kind: 'perpetual', asset: 'BTC', size: q, entryPrice: E }] };
      const r = engine.liquidationPrice(acc, market, DERIBIT_STANDARD);
      const m = 0.01 + Math.abs(q) * 0.00005;
      const expected = (q * E - C) / (q - m * Math.abs(q));
      const lv = r.assets[0];
      expect(lv.asset).toBe('BTC');
      expect(lv.status).toBe('found');
      expect(lv.direction).toBe(q > 0 ? 'below' : 'above');
      // The root finder stops at rounding level of equity and margin: 1e-12 relative leaves room for
      // the ~1e-13 conditioning of a linear equation whose terms are ~1e5 times the result's margin.
      expect(relDiff(lv.price, expected)).toBeLessThan(1e-12);
      expect(lv.distancePercent).toBeCloseTo((expected / 90000 - 1) * 100, 8);
      expect(relDiff(lv.equity, lv.maintenanceMargin)).toBeLessThan(1e-9);
      // The other side has no crossing for a lone linear position (f is monotone).
      expect((q > 0 ? r.assets[0].above : r.assets[0].below).status).toBe('none');
      expect(r.nearest?.asset).toBe('BTC');
    }
  });

  it('coin collateral moves with the index: S* = q E / (c + q - m q) for a long perp on BTC collateral c', () => {
    // A short perp the size of the coin collateral is a hedge: no liquidation below, far above.
    const c = 1, q = -3, E = 90000;
    const acc: MarginAccount = { collateral: { BTC: c }, positions: [{ kind: 'perpetual', asset: 'BTC', size: q, entryPrice: E }] };
    const r = engine.liquidationPrice(acc, market, DERIBIT_STANDARD);
    const m = 0.01 + 3 * 0.00005;
    // c S + q (S - E) = m |q| S  =>  S = q E / (c + q - m |q|)
    const expected = (q * E) / (c + q - m * Math.abs(q));
    expect(r.assets[0].status).toBe('found');
    expect(r.assets[0].direction).toBe('above');
    expect(relDiff(r.assets[0].price, expected)).toBeLessThan(1e-12);
  });

  it('tiered maintenance (generic preset): the solution matches the tier that contains it', () => {
    const C = 30000, E = 90000, q = 12; // notional ~ 1.08M: tier 4 today
    const acc: MarginAccount = { collateral: { USD: C }, positions: [{ kind: 'perpetual', asset: 'BTC', size: q, entryPrice: E }] };
    const r = engine.liquidationPrice(acc, market, GENERIC_STANDARD);
    // Hand-derived maintenance amounts of the published caps/rates (tax-bracket continuity).
    const caps = [50000, 250000, 1e6, 1e7, 2e7, 5e7, 1e8, 2e8, 3e8, 5e8];
    const rates = [0.004, 0.005, 0.01, 0.025, 0.05, 0.1, 0.125, 0.15, 0.25, 0.5];
    const amounts = [0, 50, 1300, 16300, 266300, 1266300, 2516300, 5016300, 25016300, 100016300];
    // C + q (S - E) = q S r_k - A_k  =>  S = (q E - C - A_k) / (q (1 - r_k)); keep the k whose tier holds q S.
    const candidates = rates.map((rk, k) => (q * E - C - amounts[k]) / (q * (1 - rk)))
      .filter((S, k) => q * S <= caps[k] && (k === 0 || q * S > caps[k - 1]));
    expect(candidates.length).toBe(1);
    expect(r.assets[0].status).toBe('found');
    expect(relDiff(r.assets[0].price, candidates[0])).toBeLessThan(1e-12);
  });

  it('option books: equity = maintenance margin at the solution to 1e-9, checked by standardMargin on the moved market', () => {
    const accounts: MarginAccount[] = [
      {
        id: 'short-strangle', collateral: { USDC: 80000 },
        positions: [
          { kind: 'option', asset: 'BTC', size: -2, strike: 110000, expiry: 0.25, type: 'call', vol: 0.55, settlement: 'coin' },
          { kind: 'option', asset: 'BTC', size: -2, strike: 75000, expiry: 0.5, type: 'put', vol: 0.6, settlement: 'coin' },
        ],
      },
      {
        id: 'covered-mix', collateral: { BTC: 0.5, USDC: 40000 },
        positions: [
          { kind: 'perpetual', asset: 'BTC', size: 1, entryPrice: 95000, accruedFunding: -120 },
          { kind: 'option', asset: 'BTC', size: -3, strike: 100000, expiry: 0.3, type: 'call', vol: 0.5 },
          { kind: 'option', asset: 'BTC', size: 1, strike: 80000, expiry: 0.3, type: 'put', vol: 0.65 },
          { kind: 'future', asset: 'ETH', size: -10, expiry: 0.25, entryPrice: 2900 },
        ],
      },
    ];
    const results = engine.liquidationPrice(accounts, market, DERIBIT_STANDARD);
    let checked = 0;
    results.forEach((res, ai) => {
      for (const lv of res.assets) {
        for (const s of [lv.below, lv.above]) {
          if (s.status !== 'found') continue;
          // Independent path: resolveAccounts prices the options in a Black-76 batch at the moved market.
          const sm = engine.standardMargin(accounts[ai], moved(market, lv.asset, s.price), DERIBIT_STANDARD);
          // 1e-9: the kernel stops at ~1e-15 relative residual; the two paths differ by rounding in
          // F = S e^{bT} versus F x ratio and by ulps of exp/log between backends.
          expect(relDiff(sm.equity, sm.maintenanceMargin)).toBeLessThan(1e-9);
          expect(relDiff(s.equity, sm.equity)).toBeLessThan(1e-9);
          expect(relDiff(s.maintenanceMargin, sm.maintenanceMargin)).toBeLessThan(1e-9);
          checked++;
        }
      }
    });
    expect(checked).toBeGreaterThanOrEqual(3);
  });

  it('random option books (fast-check): every level found has equity = MM, and no crossing is nearer to the index on a fine grid', () => {
    const seed = propertySeed('liquidation option books');
    const pos = fc.record({
      size: fc.double({ min: -5, max: 5, noNaN: true }).filter((x) => Math.abs(x) > 0.01),
      strike: fc.double({ min: 50000, max: 140000, noNaN: true }),
      expiry: fc.constantFrom(0.1, 0.25, 0.5),
      type: fc.constantFrom('call' as const, 'put' as const),
      vol: fc.double({ min: 0.2, max: 1.2, noNaN: true }),
    });
    fc.assert(fc.property(fc.array(pos, { minLength: 1, maxLength: 4 }), fc.double({ min: 1000, max: 200000, noNaN: true }), (ps, usd) => {
      const acc: MarginAccount = { collateral: { USDC: usd }, positions: ps.map((p) => ({ kind: 'option' as const, asset: 'BTC', settlement: 'coin' as const, ...p })) };
      const r = engine.liquidationPrice(acc, market, DERIBIT_STANDARD).assets[0];
      for (const s of [r.below, r.above]) {
        if (s.status === 'found') {
          expect(relDiff(s.equity, s.maintenanceMargin, 1)).toBeLessThan(1e-9);
          // Between the index and the level, equity stays above MM (checked on 40 interior points,
          // exclusive of a 1e-6 neighbourhood of the root).
          for (let j = 1; j < 40; j++) {
            const lvl = 90000 + (s.price - 90000) * (j / 40) * (1 - 1e-6);
            const sm = engine.standardMargin(acc, moved(market, 'BTC', lvl), DERIBIT_STANDARD);
            expect(sm.equity - sm.maintenanceMargin).toBeGreaterThan(-1e-9 * sm.maintenanceMargin);
          }
        } else {
          expect(['none', 'belowMaintenance']).toContain(s.status);
        }
      }
    }), { seed, numRuns: 15 });
  });

  it('no solution: long options only, or a hedge past the search bound; already below maintenance', () => {
    const longOnly: MarginAccount = { collateral: { USDC: 100 }, positions: [{ kind: 'option', asset: 'BTC', size: 1, strike: 90000, expiry: 0.25, type: 'call', vol: 0.5 }] };
    const r1 = engine.liquidationPrice(longOnly, market, DERIBIT_STANDARD);
    expect(r1.assets[0].below.status).toBe('none');
    expect(r1.assets[0].above.status).toBe('none');
    expect(Number.isNaN(r1.assets[0].price)).toBe(true);
    expect(r1.assets[0].direction).toBeNull();
    expect(r1.nearest).toBeNull();
    // Short perp fully covered by coin collateral: equity |q| E is flat, MM = m |q| S crosses it at S = E / m,
    // i.e. ~99x the index: outside a 50x bound, inside a 120x one.
    const hedge: MarginAccount = { collateral: { BTC: 2 }, positions: [{ kind: 'perpetual', asset: 'BTC', size: -2, entryPrice: 90000 }] };
    const m = 0.01 + 2 * 0.00005;
    const r2 = engine.liquidationPrice(hedge, market, DERIBIT_STANDARD, { upperFactor: 50 });
    expect(r2.assets[0].above.status).toBe('none');
    expect(r2.assets[0].below.status).toBe('none');
    const r3 = engine.liquidationPrice(hedge, market, DERIBIT_STANDARD, { upperFactor: 120 });
    expect(relDiff(r3.assets[0].above.price, 90000 / m)).toBeLessThan(1e-12);
    const under: MarginAccount = { collateral: { USDC: 1000 }, positions: [{ kind: 'perpetual', asset: 'BTC', size: 10, entryPrice: 90000 }] };
    const r4 = engine.liquidationPrice(under, market, DERIBIT_STANDARD);
    expect(r4.assets[0].status).toBe('belowMaintenance');
    expect(r4.assets[0].price).toBe(90000);
    expect(r4.nearest?.status).toBe('belowMaintenance');
  });

  it('iteration cap: the result says notConverged and keeps its best estimate inside the bracket', () => {
    const acc: MarginAccount = {
      collateral: { USDC: 80000 },
      positions: [{ kind: 'option', asset: 'BTC', size: -3, strike: 95000, expiry: 0.25, type: 'call', vol: 0.6, settlement: 'coin' }],
    };
    const capped = engine.liquidationPrice(acc, market, DERIBIT_STANDARD, { maxIterations: 1 }).assets[0].above;
    const full = engine.liquidationPrice(acc, market, DERIBIT_STANDARD).assets[0].above;
    expect(full.status).toBe('found');
    expect(capped.status).toBe('notConverged');
    expect(capped.iterations).toBe(1);
    // The scan brackets the root within one log-step (< 5% here), so the estimate is that close.
    expect(relDiff(capped.price, full.price)).toBeLessThan(0.05);
  });

  it('a batch with one bad account: its status is invalid, the others equal their solo results', () => {
    const good1: MarginAccount = { id: 'a', collateral: { USDC: 10000 }, positions: [{ kind: 'perpetual', asset: 'BTC', size: 2, entryPrice: 90000 }] };
    // A size whose notional overflows to Infinity: equity - MM is not a number.
    const bad: MarginAccount = { id: 'b', collateral: { USDC: 10000 }, positions: [{ kind: 'perpetual', asset: 'ETH', size: 1e306 }] };
    const good2: MarginAccount = { id: 'c', collateral: { USDC: 3000 }, positions: [{ kind: 'future', asset: 'ETH', size: -20, expiry: 0.25, entryPrice: 3000 }] };
    const batch = engine.liquidationPrice([good1, bad, good2], market, DERIBIT_STANDARD);
    expect(batch[1].assets[0].status).toBe('invalid');
    expect(Number.isNaN(batch[1].assets[0].price)).toBe(true);
    expect(batch[0].assets).toEqual(engine.liquidationPrice(good1, market, DERIBIT_STANDARD).assets);
    expect(batch[2].assets).toEqual(engine.liquidationPrice(good2, market, DERIBIT_STANDARD).assets);
    expect(batch[2].assets[0].status).toBe('found');
  });

  it('per-position (isolated) levels: a perp isolated with its initial margin liquidates where IM + q (S - E) = MM', () => {
    const acc: MarginAccount = {
      collateral: { USDC: 50000 },
      positions: [{ kind: 'perpetual', asset: 'BTC', size: 4 }, { kind: 'future', asset: 'ETH', size: -30, expiry: 0.25 }],
    };
    const r = engine.liquidationPrice(acc, market, DERIBIT_STANDARD, { perPosition: true });
    expect(r.positions?.length).toBe(2);
    const [p0, p1] = r.positions!;
    // Perp at E = index = 90000, IM = 2.02% x 4 x 90000: 0.0202 x 4 x 90000 + 4 (S - 90000) = 0.0102 x 4 x S.
    const s0 = (4 * 90000 - 0.0202 * 4 * 90000) / (4 * (1 - 0.0102));
    expect(relDiff(p0.price, s0)).toBeLessThan(1e-12);
    expect(p0.path).toBe('account.positions[0]');
    expect(p0.isolatedMargin).toBeCloseTo(0.0202 * 4 * 90000, 6);
    // Short ETH future at its forward F0 = 3030 (basis b): IM0 - 30 (F - F0) = m 30 F with F = S e^{bT}.
    const m = 0.01 + 30 * 0.000004, im0 = (0.02 + 30 * 0.000004) * 30 * 3030;
    const F = (im0 + 30 * 3030) / (30 * (1 + m));
    expect(relDiff(p1.price, F * 3000 / 3030)).toBeLessThan(1e-12);
    expect(p1.direction).toBe('above');
  });

  it('rejects bad options with the path', () => {
    const acc: MarginAccount = { positions: [] };
    expect(() => engine.liquidationPrice(acc, market, DERIBIT_STANDARD, { upperFactor: 0.5 })).toThrow(expect.objectContaining({ path: 'options.upperFactor' }));
    expect(() => engine.liquidationPrice(acc, market, DERIBIT_STANDARD, { maxIterations: 2.5 })).toThrow(expect.objectContaining({ path: 'options.maxIterations' }));
    // A factor that is finite and > 1 but overflows index x factor (90000 x 1e305 = Infinity): an
    // InputError at the option, not two 'invalid' sides blaming the account's numbers.
    const perp: MarginAccount = { collateral: { USDC: 10000 }, positions: [{ kind: 'perpetual', asset: 'BTC', size: 1, entryPrice: 90000 }] };
    expect(() => engine.liquidationPrice(perp, market, DERIBIT_STANDARD, { upperFactor: 1e305 })).toThrow(expect.objectContaining({ path: 'options.upperFactor' }));
    // The largest factor whose bound stays finite still searches normally.
    expect(engine.liquidationPrice(perp, market, DERIBIT_STANDARD, { upperFactor: 1e300 }).assets[0].status).toBe('found');
    expect(() => engine.liquidationPrice(acc, market, { ...DERIBIT_STANDARD, source: '' })).toThrow(expect.objectContaining({ path: 'params.source' }));
  });

  it('the kernel rejects a malformed call (return 1) instead of trapping', () => {
    const { arena, kernels } = engine;
    arena.reset();
    arena.reserve(1024);
    const pStarts = arena.alloc(8);
    const v = arena.views;
    v.i32[pStarts >>> 2] = 0;
    v.i32[(pStarts >>> 2) + 1] = 5; // says 5 positions, the call says 0
    expect(kernels.liquidationPrice(1, 0, 0, 0, pStarts, 0, 0, 0, 100, 0, 0)).toBe(1);
    expect(kernels.liquidationPrice(0, 0, 0, 0, pStarts, 0, 0, 0, 0, 0, 0)).toBe(1); // maxIterations < 1
  });
});

describe('liquidationPrice: WASM and JS twin agree', () => {
  it('on a mixed batch, to 1e-12 relative (exp/log may differ by an ulp between backends)', async () => {
    const [w, j] = await Promise.all([engineFor('wasm'), createEngine({ backend: 'js' })]);
    expect(w.backend).toBe('wasm');
    const accounts: MarginAccount[] = Array.from({ length: 30 }, (_, i) => ({
      id: `acc${i}`,
      collateral: { USDC: 5000 + 1000 * i, ...(i % 3 === 0 ? { BTC: 0.2 } : {}) },
      positions: [
        { kind: 'perpetual', asset: 'BTC', size: (i % 2 ? 1 : -1) * (0.5 + i / 10), entryPrice: 85000 + 500 * i },
        { kind: 'option', asset: 'BTC', size: -1 - (i % 4), strike: 70000 + 2000 * i, expiry: 0.25, type: i % 2 ? 'call' : 'put', vol: 0.4 + i / 100, settlement: 'coin' },
        { kind: 'future', asset: 'ETH', size: 10 - i, expiry: 0.25, entryPrice: 3000 },
      ],
    }));
    for (const params of [DERIBIT_STANDARD, GENERIC_STANDARD]) {
      const rw = w.liquidationPrice(accounts, market, params, { perPosition: true });
      const rj = j.liquidationPrice(accounts, market, params, { perPosition: true });
      let compared = 0;
      rw.forEach((a, i) => {
        // Accounts' assets, then the isolated per-position problems (perPosition) in the same order.
        expect(a.positions!.length).toBe(rj[i].positions!.length);
        const theirs = [...rj[i].assets, ...rj[i].positions!];
        [...a.assets, ...a.positions!].forEach((lv, k) => {
          const lj = theirs[k];
          for (const [s, t] of [[lv.below, lj.below], [lv.above, lj.above]]) {
            expect(s.status).toBe(t.status);
            if (Number.isFinite(s.price)) {
              expect(relDiff(s.price, t.price)).toBeLessThan(1e-12);
              compared++;
            }
          }
        });
      });
      expect(compared).toBeGreaterThan(20);
    }
  });
});
