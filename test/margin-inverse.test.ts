// Coin-settled (inverse) futures and perpetuals outside portfolio margin, both backends, Node and
// Chromium: liquidation prices against closed forms (coin and USD collateral, long and short,
// perpetual and future, both linear rule shapes, isolated positions), equity by hand, standard
// margin properties, portfolio margin (perpetual = future at a vanishing expiry, the USD identity
// with a linear perpetual and the convexity of the coin P&L), liquidation levels of mixed books
// re-checked with the public functions on a market moved by hand, WASM vs JS, the Deribit chain
// option, and input immutability.
//
// Conventions (docs/margin.md, "Coin-settled (inverse) futures and perpetuals"): size q in coins,
// USD face N = q E (E the entry price, else today's mark), USD P&L N (1/E - 1/F) S, rules on
// |N| / F coins of USD notional |N| S / F.
import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import snapshot from '../data/market/deribit_options_snapshot_20260415T102447Z.csv?raw';
import {
  DERIBIT_GRID, DERIBIT_STANDARD, GENERIC_STANDARD, accountEquity, loadDeribitChain, marketFromDeribitChain, resolveAccounts, scenarioGrid,
  type Engine, type LiquidationPriceResult, type MarginAccount, type MarginMarket, type MarginPosition, type StandardMarginParams,
} from '../src/index.js';
import { BACKENDS, engineFor, expectInputError, propertySeed, relDiff } from './backends.js';
import { moved, withTodaysEntries } from './margin-books.js';

const S0 = 90000;
const T = 0.25;
const F0 = 91000;
const market: MarginMarket = {
  assets: {
    BTC: { index: S0, forwards: [{ expiry: T, price: F0 }] },
    ETH: { index: 3000, forwards: [{ expiry: T, price: 3050 }] },
  },
};

/** One flat rate for BTC: size-linear with ratePerUnit 0, or a single uncapped tier (the same rule, two code paths). */
function flatParams(shape: 'size-linear' | 'tiers', im: number, mm: number): StandardMarginParams {
  return {
    name: `flat-${shape}`,
    source: 'test: one flat rate, so the liquidation level has a closed form',
    linear: { BTC: shape === 'size-linear' ? { type: 'size-linear', initialRate: im, maintenanceRate: mm, ratePerUnit: 0 } : { type: 'notional-tiers', tiers: [{ upTo: null, initialRate: im, maintenanceRate: mm }] } },
    options: {},
  };
}

// Mixed books: coin futures and perpetuals with and without entry prices, coin and USD collateral,
// a coin option, a second asset.
const BOOKS: MarginAccount[] = [
  {
    id: 'coin-collateral', collateral: { BTC: 0.5 },
    positions: [
      { kind: 'perpetual', asset: 'BTC', size: 2, entryPrice: 88000, settlement: 'coin', accruedFunding: -40 },
      { kind: 'future', asset: 'BTC', size: -1, expiry: T, settlement: 'coin' },
    ],
  },
  {
    id: 'usd-short-call', collateral: { USDC: 20000 },
    positions: [
      { kind: 'perpetual', asset: 'BTC', size: -1.5, settlement: 'coin' },
      { kind: 'option', asset: 'BTC', size: -1, strike: 110000, expiry: T, type: 'call', vol: 0.5, settlement: 'coin' },
    ],
  },
  {
    id: 'two-assets', collateral: { BTC: 1, USDC: 5000 },
    positions: [
      { kind: 'future', asset: 'ETH', size: -20, expiry: T, entryPrice: 3000, settlement: 'coin' },
      { kind: 'perpetual', asset: 'BTC', size: 3, settlement: 'coin' },
      { kind: 'perpetual', asset: 'ETH', size: 5 },
    ],
  },
];

describe.each(BACKENDS)('coin-settled futures and perpetuals (%s)', (backend) => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await engineFor(backend);
  });

  // Derivations (USD, index S; N = q E signed, F(S) = S e^{bT} with e^{-bT} = S0 / F0, m the MM rate):
  //   perpetual (F = S), C coins of collateral: equity = C S + N (1/E - 1/S) S = C S + N (S/E - 1),
  //     MM = m |N| S / S = m |N|  =>  S (C + N/E) = m|N| + N  =>  S* = (m|N| + N) / (C + N/E).
  //     Long (N > 0): f = equity - MM rises with S (slope C + N/E > 0): the level is below S0.
  //     Short (N < 0) with |q| > C: slope C - |N|/E < 0: the level is above S0.
  //   USD collateral C_usd: C_usd + N (S/E - 1) = m|N|  =>  S* = E (m|N| - C_usd + N) / N (long below, short above).
  //   future: equity = C S + N (S/E - e^{-bT}), MM = m |N| S / F(S) = m |N| e^{-bT}
  //     =>  S* = (m|N| + N) e^{-bT} / (C + N/E).
  //   isolated (perPosition, collateral = IM0 = i |N| for a perpetual): S* = E (m|N| - IM0 + N) / N.
  const im = 0.02, m = 0.01;
  const cases = [
    { name: 'long perpetual, coin collateral', q: 1, E: 85000, C: 0.1, usd: 0, expiry: 0, dir: 'below' as const },
    { name: 'short perpetual, coin collateral', q: -1, E: 95000, C: 0.5, usd: 0, expiry: 0, dir: 'above' as const },
    { name: 'long perpetual, USD collateral', q: 1, E: 85000, C: 0, usd: 12000, expiry: 0, dir: 'below' as const },
    { name: 'short perpetual, USD collateral', q: -2, E: 95000, C: 0, usd: 30000, expiry: 0, dir: 'above' as const },
    { name: 'long future, coin collateral', q: 1, E: 88000, C: 0.1, usd: 0, expiry: T, dir: 'below' as const },
    { name: 'short future, coin collateral', q: -1, E: 93000, C: 0.4, usd: 0, expiry: T, dir: 'above' as const },
  ];
  for (const shape of ['size-linear', 'tiers'] as const) {
    it.each(cases)(`closed-form liquidation level: $name (${shape} rule)`, ({ q, E, C, usd, expiry, dir }) => {
      const N = q * E;
      const discount = expiry > 0 ? S0 / F0 : 1; // e^{-bT}
      const expected = usd > 0 ? (E * (m * Math.abs(N) - usd + N)) / N : ((m * Math.abs(N) + N) * discount) / (C + N / E);
      const position: MarginPosition = expiry > 0
        ? { kind: 'future', asset: 'BTC', size: q, expiry, entryPrice: E, settlement: 'coin' }
        : { kind: 'perpetual', asset: 'BTC', size: q, entryPrice: E, settlement: 'coin' };
      const acc: MarginAccount = { collateral: usd > 0 ? { USDC: usd } : { BTC: C }, positions: [position] };
      const r = engine.liquidationPrice(acc, market, flatParams(shape, im, m), { perPosition: true });
      const level = r.assets[0];
      expect(level.direction).toBe(dir);
      expect(level[dir === 'below' ? 'above' : 'below'].status).toBe('none');
      // 1e-12 relative: the solver stops at |f| <= 4 eps (|equity| + |MM|) or a bracket a few ulps
      // wide; e^{-bT} through exp(ln(F0/S0)) adds a few ulps. Nothing else separates the two.
      expect(relDiff(level.price, expected)).toBeLessThan(1e-12);
      expect(relDiff(level.maintenanceMargin, m * Math.abs(N) * discount)).toBeLessThan(1e-12);
      if (expiry === 0) {
        // Isolated with its initial margin i |N| (notional |N| S0 / S0) as its only collateral.
        const im0 = im * Math.abs(N);
        const iso = r.positions![0];
        expect(relDiff(iso.isolatedMargin, im0)).toBeLessThan(1e-12);
        expect(relDiff(iso.price, (E * (m * Math.abs(N) - im0 + N)) / N)).toBeLessThan(1e-12);
        expect(iso.direction).toBe(q > 0 ? 'below' : 'above');
      }
    });
  }

  it('equity: USD P&L of an inverse future N (1/E - 1/F0) S0 and of an inverse perpetual N (1/E - 1/S0) S0, by hand; none without an entry price', () => {
    const acc: MarginAccount = {
      collateral: { BTC: 0.25, USDC: 1000 },
      positions: [
        { kind: 'future', asset: 'BTC', size: 3, expiry: T, entryPrice: 87500, settlement: 'coin' },
        { kind: 'perpetual', asset: 'BTC', size: -2, entryPrice: 92000, settlement: 'coin', accruedFunding: 12.5 },
        { kind: 'future', asset: 'BTC', size: 4, expiry: T, settlement: 'coin' },
        { kind: 'perpetual', asset: 'BTC', size: 1, settlement: 'coin' },
      ],
    };
    const futurePnl = 3 * 87500 * (1 / 87500 - 1 / F0) * S0; // 3 x 87500 USD face, 3500 USD under the forward
    const perpPnl = -2 * 92000 * (1 / 92000 - 1 / S0) * S0;
    const eq = accountEquity(resolveAccounts(engine, acc, market)[0]);
    // 1e-12: sums and products of a few doubles.
    expect(relDiff(eq.unrealisedPnl, futurePnl + perpPnl)).toBeLessThan(1e-12);
    expect(eq.funding).toBe(12.5);
    expect(relDiff(eq.equity, 0.25 * S0 + 1000 + futurePnl + perpPnl + 12.5)).toBeLessThan(1e-12);
    // Sign checks that do not depend on the formula's code: a long bought under the forward gains,
    // a short sold above the index gains.
    expect(futurePnl).toBeGreaterThan(0);
    expect(perpPnl).toBeGreaterThan(0);
    const sm = engine.standardMargin(acc, market, DERIBIT_STANDARD);
    expect(sm.positions[2].value).toBe(0);
    expect(sm.positions[3].value).toBe(0);
    expect(relDiff(sm.equity, eq.equity)).toBeLessThan(1e-15);
  });

  const inverseArb = fc.record({
    kind: fc.constantFrom('perpetual' as const, 'future' as const),
    asset: fc.constantFrom('BTC', 'ETH'),
    size: fc.double({ min: -5000, max: 5000, noNaN: true }),
    entryRatio: fc.option(fc.double({ min: 0.5, max: 2, noNaN: true }), { nil: undefined }),
    expiry: fc.constantFrom(0.1, 0.25, 0.6),
  });
  const build = (p: { kind: 'perpetual' | 'future'; asset: string; size: number; entryRatio?: number; expiry: number }, size = p.size): MarginPosition => {
    const entryPrice = p.entryRatio === undefined ? undefined : p.entryRatio * market.assets[p.asset].index;
    return p.kind === 'future'
      ? { kind: 'future', asset: p.asset, size, expiry: p.expiry, entryPrice, settlement: 'coin' }
      : { kind: 'perpetual', asset: p.asset, size, entryPrice, settlement: 'coin' };
  };

  it('standard margin: IM >= MM >= 0 and non-decreasing in |size| at a fixed entry, detail says inverse (fast-check)', () => {
    const seed = propertySeed('inverse standard margin');
    fc.assert(fc.property(inverseArb, fc.double({ min: 1, max: 50, noNaN: true }), (p, grow) => {
      for (const params of [DERIBIT_STANDARD, GENERIC_STANDARD]) {
        const r = engine.standardMargin([{ positions: [build(p)] }, { positions: [build(p, p.size * grow)] }], market, params);
        const [a, b] = [r[0].positions[0], r[1].positions[0]];
        for (const x of [a, b]) {
          expect(x.maintenanceMargin).toBeGreaterThanOrEqual(0);
          expect(x.initialMargin).toBeGreaterThanOrEqual(x.maintenanceMargin);
          expect(x.detail).toMatch(/^inverse/);
        }
        // Tolerance: relative rounding of the products (1e-12), not a slack in the rule.
        expect(b.initialMargin).toBeGreaterThanOrEqual(a.initialMargin * (1 - 1e-12));
        expect(b.maintenanceMargin).toBeGreaterThanOrEqual(a.maintenanceMargin * (1 - 1e-12));
      }
    }), { seed, numRuns: 100 });
  });

  it('standard margin by hand: Deribit size term on |N| / F coins, generic tiers on the USD notional |N| S / F', () => {
    const pos: MarginPosition = { kind: 'future', asset: 'BTC', size: -30, expiry: T, entryPrice: 95000, settlement: 'coin' };
    const N = 30 * 95000, coins = N / F0, notional = coins * S0;
    const d = engine.standardMargin({ positions: [pos] }, market, DERIBIT_STANDARD).positions[0];
    expect(relDiff(d.maintenanceMargin, notional * (0.01 + coins * 0.00005))).toBeLessThan(1e-12);
    expect(d.detail).toMatch(/size term on the coin size/);
    // Generic tiers: notional 2.818e6 USD falls in tier 4 (1e6 < X <= 1e7: IM 5%, MM 2.5% - 16300).
    const g = engine.standardMargin({ positions: [pos] }, market, GENERIC_STANDARD).positions[0];
    expect(g.tier).toBe(4);
    expect(relDiff(g.initialMargin, notional * 0.05)).toBeLessThan(1e-12);
    expect(relDiff(g.maintenanceMargin, notional * 0.025 - 16300)).toBeLessThan(1e-12);
    expect(g.detail).toMatch(/tiers on the USD notional/);
    expect(g.liquidationFee).toBe(0);
    expect(relDiff(d.liquidationFee, 0.0075 * notional)).toBeLessThan(1e-12);
  });

  it('portfolio margin: a coin perpetual equals a coin future at a vanishing expiry; in USD an inverse perpetual moves as a linear one, in coin its loss at -16% exceeds its gain at +16%', () => {
    const perp: MarginAccount = { positions: [{ kind: 'perpetual', asset: 'BTC', size: 2, settlement: 'coin' }] };
    // 1e-7 years (3 s): the resolver treats expiries within ~1 s as expired, so 1e-9 is not allowed.
    const future: MarginAccount = { positions: [{ kind: 'future', asset: 'BTC', size: 2, expiry: 1e-7, settlement: 'coin' }] };
    const [a, b] = engine.portfolioMargin([perp, future], market, DERIBIT_GRID);
    // 1e-12: in USD an inverse future's scenario P&L is size x S0 x move whatever its forward (see
    // below), so the forward S0 e^{bT} cannot move the margin; only rounding differs (measured 5e-16).
    expect(relDiff(a.initialMargin, b.initialMargin)).toBeLessThan(1e-12);
    expect(a.initialMargin).toBeGreaterThan(0);

    const grid = scenarioGrid({ name: '+-16%', scenarios: [
      { name: 'down 16%', priceMove: -0.16, volShock: 0, weight: 1, extended: false },
      { name: 'up 16%', priceMove: 0.16, volShock: 0, weight: 1, extended: false },
    ] });
    const q = 2;
    const linear: MarginAccount = { positions: [{ kind: 'perpetual', asset: 'BTC', size: q }] };
    const coinFuture: MarginAccount = { positions: [{ kind: 'future', asset: 'BTC', size: q, expiry: T, entryPrice: 80000, settlement: 'coin' }] };
    const [inv, lin, fut] = engine.portfolioMargin([perp, linear, coinFuture], market, grid);
    // A coin future's face N = q E is fixed: its USD value N (S/E - S/F) moves by N (S' - S) / E = q S x move
    // whatever the entry (S/F is unchanged by the move); a linear future's would be q F x move.
    expect(relDiff(fut.scenarioPnl[0], -0.16 * q * S0)).toBeLessThan(1e-12);
    expect(relDiff(fut.scenarioPnl[1], 0.16 * q * S0)).toBeLessThan(1e-12);
    // USD: N (1/S0 - 1/S') S' = q (S' - S0) with N = q S0, the linear perpetual's P&L (1e-12: rounding).
    for (let s = 0; s < 2; s++) expect(relDiff(inv.scenarioPnl[s], lin.scenarioPnl[s])).toBeLessThan(1e-12);
    expect(relDiff(inv.scenarioPnl[0], -0.16 * q * S0)).toBeLessThan(1e-12);
    // Coin (USD P&L / S'): q (1 - S0/S') is concave in S' (1/F convex): -q (1/0.84 - 1) = -0.1905 q
    // at -16%, a larger loss than the 0.16 q coins the linear one loses at today's index, and larger
    // than the +q (1 - 1/1.16) = 0.1379 q gained at +16%.
    const coinDown = inv.scenarioPnl[0] / (S0 * 0.84), coinUp = inv.scenarioPnl[1] / (S0 * 1.16);
    expect(relDiff(coinDown, -q * (1 / 0.84 - 1))).toBeLessThan(1e-12);
    expect(-coinDown).toBeGreaterThan(-lin.scenarioPnl[0] / S0);
    expect(-coinDown).toBeGreaterThan(coinUp);
  });

  for (const [label, rules] of [['standard (Deribit)', DERIBIT_STANDARD], ['standard (generic tiers)', GENERIC_STANDARD], ['portfolio (DERIBIT_GRID)', DERIBIT_GRID]] as const) {
    it(`${label} liquidation levels of mixed coin books: equity = MM when the public functions are re-run on the market moved by hand`, () => {
      const results = engine.liquidationPrice(BOOKS, market, rules as StandardMarginParams) as LiquidationPriceResult[];
      let checked = 0;
      results.forEach((r, i) => {
        const acc = withTodaysEntries(engine, BOOKS[i], market);
        for (const lv of r.assets) {
          for (const side of [lv.below, lv.above]) {
            if (side.status !== 'found') continue;
            const mk = moved(market, lv.asset, side.price);
            const equity = accountEquity(resolveAccounts(engine, acc, mk)[0]).equity;
            const mm = 'scenarios' in rules
              ? engine.portfolioMargin(acc, mk, DERIBIT_GRID).maintenanceMargin
              : engine.standardMargin(acc, mk, rules).maintenanceMargin;
            // 1e-9: the solver's equity and MM are the re-run's up to rounding of the moved market
            // (forwards scaled by hand, options re-priced), and at the root they are equal.
            expect(relDiff(equity, mm)).toBeLessThan(1e-9);
            expect(relDiff(side.equity, equity)).toBeLessThan(1e-9);
            expect(relDiff(side.maintenanceMargin, mm)).toBeLessThan(1e-9);
            checked++;
          }
        }
      });
      // Every book has at least one level (a sum, not a count that could silently drop to 0).
      expect(checked).toBeGreaterThanOrEqual(BOOKS.length);
    });
  }

  it('WASM and JS twin agree on coin books (standard and portfolio)', async () => {
    const other = await engineFor(backend === 'wasm' ? 'js' : 'wasm');
    for (const rules of [DERIBIT_STANDARD, GENERIC_STANDARD]) {
      const a = engine.liquidationPrice(BOOKS, market, rules, { perPosition: true });
      const b = other.liquidationPrice(BOOKS, market, rules, { perPosition: true });
      a.forEach((r, i) => [...r.assets, ...r.positions!].forEach((lv, k) => {
        const y = [...b[i].assets, ...b[i].positions!][k];
        for (const side of ['below', 'above'] as const) {
          expect(lv[side].status).toBe(y[side].status);
          // 1e-12: exp/log of the two backends differ in the last bits and the roots are well
          // conditioned (measured <= 1.6e-16), as in margin-liquidation-price.test.ts.
          if (lv[side].status === 'found') expect(relDiff(lv[side].price, y[side].price)).toBeLessThan(1e-12);
        }
      }));
    }
    const pa = engine.liquidationPrice(BOOKS, market, DERIBIT_GRID);
    const pb = other.liquidationPrice(BOOKS, market, DERIBIT_GRID);
    pa.forEach((r, i) => r.assets.forEach((lv, k) => {
      expect(lv.status).toBe(pb[i].assets[k].status);
      if (lv.status === 'found') expect(relDiff(lv.price, pb[i].assets[k].price)).toBeLessThan(1e-12);
    }));
  });

  it('marketFromDeribitChain lists the futures and the perpetual as coin-settled on request; the default stays linear; a bad value is rejected', () => {
    const chain = loadDeribitChain(snapshot);
    const usd = marketFromDeribitChain(chain);
    const coin = marketFromDeribitChain(chain, { futuresSettlement: 'coin' });
    expect(usd.instruments!['BTC-PERPETUAL']).toEqual({ kind: 'perpetual', asset: 'BTC' });
    expect(coin.instruments!['BTC-PERPETUAL']).toEqual({ kind: 'perpetual', asset: 'BTC', settlement: 'coin' });
    const futures = Object.entries(coin.instruments!).filter(([, s]) => s.kind === 'future');
    expect(futures.length).toBeGreaterThan(0);
    for (const [name, s] of futures) {
      expect(s).toEqual({ ...usd.instruments![name], settlement: 'coin' });
    }
    // Everything but the futures and perpetuals is the same market.
    expect(coin.assets).toEqual(usd.assets);
    expect(coin.vols).toEqual(usd.vols);
    const acc: MarginAccount = { collateral: { BTC: 1 }, positions: [{ instrument: 'BTC-PERPETUAL', size: 1 }] };
    expect(engine.standardMargin(acc, coin, DERIBIT_STANDARD).positions[0].detail).toMatch(/^inverse/);
    expect(engine.standardMargin(acc, usd, DERIBIT_STANDARD).positions[0].detail).not.toMatch(/inverse/);
    expectInputError(() => marketFromDeribitChain(chain, { futuresSettlement: 'eur' as 'usd' }), 'options.futuresSettlement');
  });

  it('inputs are not modified; an unknown perpetual settlement is an InputError at its path', () => {
    const accounts = structuredClone(BOOKS);
    const mk = structuredClone(market);
    const before = structuredClone({ accounts, mk });
    engine.standardMargin(accounts, mk, DERIBIT_STANDARD);
    engine.liquidationPrice(accounts, mk, DERIBIT_STANDARD, { perPosition: true });
    engine.liquidationPrice(accounts, mk, DERIBIT_GRID);
    engine.portfolioMargin(accounts, mk, DERIBIT_GRID);
    expect({ accounts, mk }).toEqual(before);
    const bad = { positions: [{ kind: 'perpetual', asset: 'BTC', size: 1, settlement: 'eur' }] } as unknown as MarginAccount;
    expectInputError(() => engine.liquidationPrice([BOOKS[0], bad], market, DERIBIT_GRID), 'accounts[1].positions[0].settlement');
    expectInputError(() => engine.portfolioMargin(bad, market, DERIBIT_GRID), 'account.positions[0].settlement');
  });
});
