import { describe, it, expect, beforeAll } from 'vitest';
import fc from 'fast-check';
import deribitJson from '../data/margin/standard-deribit.json';
import genericJson from '../data/margin/standard-generic.json';
import { BACKENDS, engineFor, propertySeed, relDiff, expectInputError } from './backends.js';
import {
  DERIBIT_GRID, DERIBIT_STANDARD, GENERIC_STANDARD, InputError, checkStandardParams, linearMargin, maintenanceAmounts,
  type Engine, type MarginAccount, type MarginMarket, type MarginPosition, type StandardMarginParams,
} from '../src/index.js';
import { accountEquity, positionEquity, resolveAccounts } from '../src/margin/index.js';

const market: MarginMarket = {
  assets: {
    BTC: { index: 90000, forwards: [{ expiry: 0.25, price: 91000 }] },
    ETH: { index: 3000, forwards: [{ expiry: 0.25, price: 3100 }] },
  },
};

// Margins are sums and products of a few doubles: 1e-12 relative is rounding, not model error.
const TOL = 1e-12;


describe('standard-margin parameter sets', () => {
  it('the presets are the bundled JSON files, which validate and cite a source', () => {
    expect(DERIBIT_STANDARD).toEqual(deribitJson);
    expect(GENERIC_STANDARD).toEqual(genericJson);
    for (const p of [deribitJson, genericJson]) {
      expect(checkStandardParams(p)).toBe(p);
      expect(p.source.length).toBeGreaterThan(50);
    }
    expect(Object.isFrozen(DERIBIT_STANDARD.linear.BTC)).toBe(true);
  });

  it('maintenance amounts of the generic tiers make MM continuous (hand-computed from the published caps and rates)', () => {
    const rule = GENERIC_STANDARD.linear['*'];
    if (rule.type !== 'notional-tiers') throw new Error('expected tiers');
    // amount_k = amount_{k-1} + cap_{k-1} (rate_k - rate_{k-1}): 50000 x 0.001 = 50, + 250000 x 0.005 = 1300, ...
    expect(maintenanceAmounts(rule).map((a) => Math.round(a * 1e6) / 1e6)).toEqual([0, 50, 1300, 16300, 266300, 1266300, 2516300, 5016300, 25016300, 100016300]);
    rule.tiers.forEach((t, k) => {
      if (t.upTo === null || k === rule.tiers.length - 1) return;
      const at = linearMargin(rule, 1, t.upTo), above = linearMargin(rule, 1, t.upTo * (1 + 1e-12));
      expect(at.tier).toBe(k);
      expect(above.tier).toBe(k + 1);
      // IM jumps to the next tier's rate (max leverage falls); MM does not jump (tax bracket).
      expect(relDiff(above.initialMargin, t.upTo * rule.tiers[k + 1].initialRate)).toBeLessThan(1e-11);
      expect(relDiff(above.maintenanceMargin, at.maintenanceMargin)).toBeLessThan(1e-10);
    });
    const past = linearMargin(rule, 1, 6e8);
    expect(past.exceedsRiskLimit).toBe(true);
    expect(past.tier).toBe(9);
  });

  it('rejects malformed parameter sets with the path of the field', () => {
    const clone = (p: StandardMarginParams) => JSON.parse(JSON.stringify(p));
    const a = clone(GENERIC_STANDARD);
    a.linear['*'].tiers[2].upTo = 100000;
    expectInputError(() => checkStandardParams(a), 'params.linear.*.tiers[2].upTo');
    const b = clone(GENERIC_STANDARD);
    b.linear['*'].tiers[3].maintenanceRate = 0.001;
    expectInputError(() => checkStandardParams(b), 'params.linear.*.tiers[3].maintenanceRate');
    const c = clone(DERIBIT_STANDARD);
    c.linear.ETH.initialRate = 0.005;
    expectInputError(() => checkStandardParams(c), 'params.linear.ETH.initialRate');
    const d = clone(DERIBIT_STANDARD);
    d.options['*'].underlying = 'spot';
    expectInputError(() => checkStandardParams(d), 'params.options.*.underlying');
    const e = clone(DERIBIT_STANDARD);
    delete e.source;
    expectInputError(() => checkStandardParams(e), 'params.source');
    const f = clone(DERIBIT_STANDARD);
    f.haircuts = { BTC: 1.01 }; // 1 itself is allowed (the asset counts for nothing)
    expectInputError(() => checkStandardParams(f), 'params.haircuts.BTC');
  });
});

describe.each(BACKENDS)('standardMargin (%s)', (backend) => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await engineFor(backend);
  });

  /** USD mark per unit of an option, from the engine's Black-76 (coin: coin price x index). */
  function mark(F: number, K: number, T: number, vol: number, type: 'call' | 'put', index: number, coin: boolean): number {
    const r = engine.black76({ forwards: F, strikes: K, expiries: T, vols: vol, types: type, settlement: coin ? 'coin' : 'usd' });
    return coin ? r.price[0] * index : r.price[0];
  }

  it("Deribit futures and perpetuals: IM = (2% + |size| x 0.005%) x notional (BTC), 0.0004% per ETH; MM 1% + the same", () => {
    const acc: MarginAccount = {
      collateral: { USDC: 100000 },
      positions: [
        { kind: 'perpetual', asset: 'BTC', size: 10 },
        { kind: 'future', asset: 'ETH', size: -100, expiry: 0.25 },
      ],
    };
    const r = engine.standardMargin(acc, market, DERIBIT_STANDARD);
    const [perp, fut] = r.positions;
    // 10 BTC x 90000 = 900000 notional; rates 2.05% and 1.05%.
    expect(relDiff(perp.initialMargin, 18450)).toBeLessThan(TOL);
    expect(relDiff(perp.maintenanceMargin, 9450)).toBeLessThan(TOL);
    expect(perp.rule).toBe('size-linear');
    expect(relDiff(perp.liquidationFee, 0.0075 * 900000)).toBeLessThan(TOL);
    // 100 ETH x forward 3100 = 310000 notional; rates 2.04% and 1.04%.
    expect(relDiff(fut.initialMargin, 6324)).toBeLessThan(TOL);
    expect(relDiff(fut.maintenanceMargin, 3224)).toBeLessThan(TOL);
    expect(relDiff(r.initialMargin, 18450 + 6324)).toBeLessThan(TOL);
    expect(relDiff(r.maintenanceMargin, 9450 + 3224)).toBeLessThan(TOL);
  });

  it('Deribit short options: OTM discount, the 10% floor, the put floor at MM, long options at the premium (coin amounts x index)', () => {
    const S = 90000, F = 91000, T = 0.25;
    const positions: MarginPosition[] = [
      { kind: 'option', asset: 'BTC', size: -2, strike: 100000, expiry: T, type: 'call', vol: 0.5, settlement: 'coin' },
      { kind: 'option', asset: 'BTC', size: -1, strike: 92000, expiry: T, type: 'call', vol: 0.5, settlement: 'coin' },
      { kind: 'option', asset: 'BTC', size: -1, strike: 80000, expiry: T, type: 'put', vol: 0.5, settlement: 'coin' },
      { kind: 'option', asset: 'BTC', size: -1, strike: 300000, expiry: T, type: 'put', vol: 0.5, settlement: 'coin' },
      { kind: 'option', asset: 'BTC', size: 3, strike: 95000, expiry: T, type: 'call', vol: 0.5, settlement: 'coin' },
    ];
    const r = engine.standardMargin({ collateral: { USDC: 1e6 }, positions }, market, DERIBIT_STANDARD);
    const m = positions.map((p) => p.kind === 'option' ? mark(F, p.strike, T, p.vol!, p.type, S, true) : NaN);
    const [c1, c2, p1, p2, l1] = r.positions;
    // OTM 9000 / F 91000 = 0.0989: 0.15 - 0.0989 < 0.1, the floor binds.
    expect(c1.floored).toBe(true);
    expect(relDiff(c1.initialMargin, 2 * (0.1 * S + m[0]))).toBeLessThan(TOL);
    expect(relDiff(c1.maintenanceMargin, 2 * (0.075 * S + m[0]))).toBeLessThan(TOL);
    // OTM 1000 / 91000: rate 0.15 - 0.010989 = 0.139011.
    expect(c2.floored).toBe(false);
    expect(relDiff(c2.initialMargin, (0.15 - 1000 / F) * S + m[1])).toBeLessThan(TOL);
    // Put OTM 11000: floor; MM = max(0.075 S, 0.075 mark) + mark = 0.075 S + mark here.
    expect(relDiff(p1.initialMargin, 0.1 * S + m[2])).toBeLessThan(TOL);
    expect(relDiff(p1.maintenanceMargin, 0.075 * S + m[2])).toBeLessThan(TOL);
    // Deep ITM put (mark > 2 S): MM = 0.075 mark + mark exceeds 0.15 S + mark, so IM = MM.
    expect(m[3]).toBeGreaterThan(2 * S);
    expect(relDiff(p2.maintenanceMargin, 1.075 * m[3])).toBeLessThan(TOL);
    expect(relDiff(p2.initialMargin, 1.075 * m[3])).toBeLessThan(TOL);
    // Long: premium; its value adds to equity, so it needs no free collateral.
    expect(l1.rule).toBe('long-option-premium');
    expect(relDiff(l1.initialMargin, 3 * m[4])).toBeLessThan(TOL);
    expect(l1.maintenanceMargin).toBe(l1.initialMargin);
    expect(relDiff(r.equityBreakdown.optionValue, -2 * m[0] - m[1] - m[2] - m[3] + 3 * m[4])).toBeLessThan(TOL);
  });

  it('generic (Aevo-style, USD-settled, index as underlying) short calls and tiered perpetuals', () => {
    const S = 3000, F = 3100, T = 0.25;
    const positions: MarginPosition[] = [
      { kind: 'option', asset: 'ETH', size: -10, strike: 3300, expiry: T, type: 'call', vol: 0.7 },
      { kind: 'option', asset: 'ETH', size: -10, strike: 3050, expiry: T, type: 'call', vol: 0.7 },
      { kind: 'option', asset: 'ETH', size: -10, strike: 2500, expiry: T, type: 'put', vol: 0.7 },
      { kind: 'perpetual', asset: 'BTC', size: 100000 / 90000 },
    ];
    const r = engine.standardMargin({ collateral: { USD: 1e6 }, positions }, market, GENERIC_STANDARD);
    const m = [3300, 3050, 2500].map((K, i) => mark(F, K, T, 0.7, i === 2 ? 'put' : 'call', S, false));
    // OTM 300 / 3000 = 0.1: 0.15 - 0.1 < floor 0.1; MM 0.1 x 3000 + mark equals it.
    expect(relDiff(r.positions[0].initialMargin, 10 * (300 + m[0]))).toBeLessThan(TOL);
    expect(relDiff(r.positions[0].maintenanceMargin, 10 * (300 + m[0]))).toBeLessThan(TOL);
    // OTM 50: 0.15 - 1/60.
    expect(relDiff(r.positions[1].initialMargin, 10 * ((0.15 - 50 / 3000) * S + m[1]))).toBeLessThan(TOL);
    expect(relDiff(r.positions[1].maintenanceMargin, 10 * (300 + m[1]))).toBeLessThan(TOL);
    // Put MM = max(0.1 S, 0.1 mark) + mark.
    expect(relDiff(r.positions[2].maintenanceMargin, 10 * (300 + m[2]))).toBeLessThan(TOL);
    // Notional 100000: tier 2 (<= 250000): IM 1%, MM 0.5% - 50.
    const perp = r.positions[3];
    expect(perp.tier).toBe(2);
    expect(relDiff(perp.initialMargin, 1000)).toBeLessThan(TOL);
    expect(relDiff(perp.maintenanceMargin, 450)).toBeLessThan(TOL);
    expect(perp.liquidationFee).toBe(0);
  });

  it('equity: collateral at the index less haircuts, spot, P&L from entry, funding, option marks; status thresholds', () => {
    const acc: MarginAccount = {
      collateral: { USDC: 10000, BTC: 1 },
      positions: [
        { kind: 'perpetual', asset: 'BTC', size: 10, entryPrice: 85000, accruedFunding: -200 },
        { kind: 'spot', asset: 'BTC', size: 0.5 },
      ],
    };
    const r = engine.standardMargin(acc, market, DERIBIT_STANDARD, { haircuts: { BTC: 0.1 } });
    expect(r.equityBreakdown.collateral).toBeCloseTo(10000 + 0.9 * 90000, 6);
    expect(r.equityBreakdown.spot).toBeCloseTo(0.5 * 0.9 * 90000, 6);
    expect(r.equityBreakdown.haircut).toBeCloseTo(0.1 * 1.5 * 90000, 6);
    expect(r.equityBreakdown.unrealisedPnl).toBeCloseTo(50000, 6);
    expect(r.equityBreakdown.funding).toBe(-200);
    expect(r.equity).toBeCloseTo(91000 + 40500 + 50000 - 200, 6);
    expect(r.marginRatio).toBeCloseTo(9450 / r.equity, 12);
    // Haircuts from the parameter set when the options give none.
    const viaParams = engine.standardMargin(acc, market, { ...DERIBIT_STANDARD, haircuts: { BTC: 0.1 } });
    expect(viaParams.equity).toBe(r.equity);
    const status = (usd: number) => engine.standardMargin({ collateral: { USDC: usd }, positions: [{ kind: 'perpetual', asset: 'BTC', size: 10 }] }, market, DERIBIT_STANDARD).status;
    expect(status(20000)).toBe('healthy'); // IM 18450
    expect(status(10000)).toBe('marginCall');
    expect(status(9000)).toBe('liquidation'); // MM 9450
  });

  it('accounts in, results out: an array for an array, an object for one; inputs unmodified', () => {
    const accs: MarginAccount[] = [
      { id: 'x', collateral: { USDC: 1 }, positions: [{ kind: 'perpetual', asset: 'ETH', size: -3 }] },
      { id: 'y', positions: [{ kind: 'option', asset: 'BTC', size: -1, strike: 100000, expiry: 0.25, type: 'call', vol: 0.5 }] },
    ];
    const before = JSON.stringify(accs);
    const many = engine.standardMargin(accs, market, DERIBIT_STANDARD);
    expect(Array.isArray(many)).toBe(true);
    expect(many.map((a) => a.id)).toEqual(['x', 'y']);
    const one = engine.standardMargin(accs[1], market, DERIBIT_STANDARD);
    expect(one.initialMargin).toBe(many[1].initialMargin);
    expect(one.path).toBe('account');
    expect(many[1].positions[0].path).toBe('accounts[1].positions[0]');
    expect(JSON.stringify(accs)).toBe(before);
  });

  it('an asset without a rule is an InputError at the position', () => {
    const m2: MarginMarket = { assets: { ...market.assets, SOL: { index: 150 } } };
    expectInputError(() => engine.standardMargin({ positions: [{ kind: 'perpetual', asset: 'SOL', size: 5 }] }, m2, DERIBIT_STANDARD), 'account.positions[0].asset');
    // The generic set's '*' rule covers it.
    expect(engine.standardMargin({ positions: [{ kind: 'perpetual', asset: 'SOL', size: 5 }] }, m2, GENERIC_STANDARD).initialMargin).toBeCloseTo(750 * 0.008, 9);
  });

  it("coin-settled (inverse) futures are accepted by standard margin, equity and liquidation prices (by hand); a settlement other than 'usd' / 'coin' is rejected at the position's settlement", () => {
    const coinFuture: MarginPosition = { kind: 'future', asset: 'BTC', size: 2, expiry: 0.25, entryPrice: 88000, settlement: 'coin' };
    const acc: MarginAccount = { collateral: { USDC: 50000 }, positions: [{ kind: 'perpetual', asset: 'ETH', size: 1 }, coinFuture] };
    // By hand (docs/margin.md): face N = 2 x 88000 USD; USD P&L = N (1/88000 - 1/91000) x index 90000;
    // the rules see |N| / 91000 coins of notional |N| x 90000 / 91000 USD (Deribit BTC: 2% + 0.005% per coin).
    const N = 2 * 88000, coins = N / 91000, notional = coins * 90000;
    const pnl = N * (1 / 88000 - 1 / 91000) * 90000;
    const r = engine.standardMargin(acc, market, DERIBIT_STANDARD);
    expect(relDiff(r.equityBreakdown.unrealisedPnl, pnl)).toBeLessThan(TOL);
    expect(relDiff(r.equity, 50000 + pnl)).toBeLessThan(TOL);
    const pm = r.positions[1];
    expect(relDiff(pm.notional, notional)).toBeLessThan(TOL);
    expect(relDiff(pm.initialMargin, notional * (0.02 + coins * 0.00005))).toBeLessThan(TOL);
    expect(relDiff(pm.maintenanceMargin, notional * (0.01 + coins * 0.00005))).toBeLessThan(TOL);
    expect(pm.detail).toMatch(/inverse/);
    expect(pm.size).toBe(2);
    const [resolved] = resolveAccounts(engine, acc, market);
    expect(accountEquity(resolved).unrealisedPnl).toBe(r.equityBreakdown.unrealisedPnl);
    expect(positionEquity(resolved.positions[1])).toBe(pm.value);
    const liq = engine.liquidationPrice(acc, market, DERIBIT_STANDARD);
    expect(liq.assets.find((a) => a.asset === 'BTC')!.status).toBe('found');
    // A listed coin future by name resolves the same way as the explicit one.
    const listed: MarginMarket = { ...market, instruments: { 'BTC-27JUN26': { kind: 'future', asset: 'BTC', expiry: 0.25, settlement: 'coin' } } };
    const byName: MarginAccount = { collateral: { USDC: 50000 }, positions: [{ instrument: 'BTC-27JUN26', size: 2, entryPrice: 88000 }] };
    expect(engine.standardMargin(byName, listed, DERIBIT_STANDARD).positions[0].initialMargin).toBe(pm.initialMargin);
    expect(Number.isFinite(engine.portfolioMargin(byName, listed, DERIBIT_GRID).initialMargin)).toBe(true);
    // A settlement that is neither 'usd' nor 'coin' is an InputError at the position's settlement, futures and perpetuals alike.
    const eur = { ...coinFuture, settlement: 'eur' } as unknown as MarginPosition;
    expectInputError(() => engine.standardMargin({ positions: [{ kind: 'perpetual', asset: 'ETH', size: 1 }, eur] }, market, DERIBIT_STANDARD), 'account.positions[1].settlement');
    expectInputError(() => engine.standardMargin([acc, { positions: [eur] }], market, DERIBIT_STANDARD), 'accounts[1].positions[0].settlement');
    expectInputError(() => engine.liquidationPrice({ positions: [eur] }, market, DERIBIT_STANDARD), 'account.positions[0].settlement');
    const eurPerp = { kind: 'perpetual', asset: 'BTC', size: 1, settlement: 'eur' } as unknown as MarginPosition;
    expectInputError(() => engine.standardMargin({ positions: [eurPerp] }, market, DERIBIT_STANDARD), 'account.positions[0].settlement');
    // USD-settled futures (explicit or default) keep the linear rule: notional |size| x forward.
    const usd = engine.standardMargin({ positions: [{ ...coinFuture, settlement: 'usd' as const }] }, market, DERIBIT_STANDARD).positions[0];
    expect(relDiff(usd.initialMargin, 2 * 91000 * (0.02 + 2 * 0.00005))).toBeLessThan(TOL);
    expect(usd.detail).not.toMatch(/inverse/);
  });

  const positionArb = fc.oneof(
    fc.record({ kind: fc.constant('perpetual' as const), asset: fc.constantFrom('BTC', 'ETH'), size: fc.double({ min: -5000, max: 5000, noNaN: true }) }),
    fc.record({ kind: fc.constant('future' as const), asset: fc.constantFrom('BTC', 'ETH'), size: fc.double({ min: -5000, max: 5000, noNaN: true }), expiry: fc.constantFrom(0.1, 0.25, 0.6) }),
    fc.record({
      kind: fc.constant('option' as const), asset: fc.constantFrom('BTC', 'ETH'), size: fc.double({ min: -50, max: 50, noNaN: true }),
      strikeRatio: fc.double({ min: 0.3, max: 3, noNaN: true }), expiry: fc.constantFrom(0.02, 0.25, 1),
      type: fc.constantFrom('call' as const, 'put' as const), vol: fc.double({ min: 0.05, max: 2, noNaN: true }),
      settlement: fc.constantFrom('usd' as const, 'coin' as const),
    }),
  );
  const build = (p: { kind: string; asset: string; size: number; strikeRatio?: number } & Record<string, unknown>, size = p.size): MarginPosition => {
    const { strikeRatio, ...rest } = p;
    const pos = { ...rest, size } as MarginPosition & { strike?: number };
    if (p.kind === 'option') pos.strike = strikeRatio! * market.assets[p.asset].index;
    return pos;
  };

  it('IM >= MM >= 0 for every position under both presets (fast-check)', () => {
    const seed = propertySeed('standard IM >= MM');
    fc.assert(fc.property(fc.array(positionArb, { minLength: 1, maxLength: 8 }), (ps) => {
      for (const params of [DERIBIT_STANDARD, GENERIC_STANDARD]) {
        const r = engine.standardMargin({ positions: ps.map((p) => build(p)) }, market, params);
        for (const p of r.positions) {
          expect(p.maintenanceMargin).toBeGreaterThanOrEqual(0);
          expect(p.initialMargin).toBeGreaterThanOrEqual(p.maintenanceMargin);
        }
        expect(r.initialMargin).toBeGreaterThanOrEqual(r.maintenanceMargin);
      }
    }), { seed, numRuns: 100 });
  });

  it('margin is non-decreasing in position size, across tier boundaries included (fast-check)', () => {
    const seed = propertySeed('standard margin monotone in size');
    fc.assert(fc.property(positionArb, fc.double({ min: 1, max: 50, noNaN: true }), (p, grow) => {
      for (const params of [DERIBIT_STANDARD, GENERIC_STANDARD]) {
        const r = engine.standardMargin([{ positions: [build(p)] }, { positions: [build(p, p.size * grow)] }], market, params);
        const [a, b] = [r[0].positions[0], r[1].positions[0]];
        // Tolerance: relative rounding of the products (1e-12), not a slack in the rule.
        expect(b.initialMargin).toBeGreaterThanOrEqual(a.initialMargin * (1 - 1e-12));
        expect(b.maintenanceMargin).toBeGreaterThanOrEqual(a.maintenanceMargin * (1 - 1e-12));
      }
    }), { seed, numRuns: 100 });
  });
});
