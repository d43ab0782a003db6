// The margin module's smaller public entry points called with malformed arguments (issue 11, the
// fuzz contract): each throws an InputError naming the argument (class, code and path checked),
// never a TypeError, RangeError or a hang, and valid calls keep their results. Functions that take
// resolved internal structures (positions from resolveAccounts, validated rules, shard arrays) get
// a shape check naming the argument. Engine-backed cases run on both backends.
import { describe, expect, it } from 'vitest';
import {
  accountEquity, assetPrice, checkHaircuts, checkStandardParams, decodePortfolioLiquidationShard, decodePortfolioMarginShard,
  DERIBIT_GRID, DERIBIT_STANDARD, DERIBIT_VEGA_SCALING, deribitGrid, esEquivalentConfidence, forwardFor, GENERIC_STANDARD, haircutOf,
  inverseFace, isInverse, linearMargin, maintenanceAmounts, marginStatus, marketFromDeribitChain, mporReturns, portfolioLiquidationPrice,
  portfolioLiquidationShard, portfolioMargin, portfolioMarginShard, positionEquity, positionMargin, priceSeries, procyclicality,
  resolveAccounts, scenarioGrid, shortOptionMargin, span16Grid, standardMargin, unrealisedPnl, vegaPowerScale,
  type LinearMarginRule, type MarginAccount, type MarginMarket, type ResolvedPosition, type ShortOptionRule,
} from '../src/index.js';
import { BACKENDS, engineFor, expectInputError } from './backends.js';

const market: MarginMarket = {
  assets: { BTC: { index: 90000, forwards: [{ expiry: 0.1, price: 90500 }] } },
  vols: { C: 0.5 },
  instruments: { C: { kind: 'option', asset: 'BTC', strike: 90000, expiry: 0.1, type: 'call' }, P: { kind: 'perpetual', asset: 'BTC', settlement: 'coin' } },
  rate: 0,
};
const account: MarginAccount = {
  id: 'a',
  collateral: { BTC: 1, USD: 1000 },
  positions: [
    { instrument: 'C', size: -1 },
    { instrument: 'P', size: 1, entryPrice: 80000, accruedFunding: 1 },
    { kind: 'future', asset: 'BTC', size: 1, expiry: 0.1, entryPrice: 85000 },
    { kind: 'spot', asset: 'BTC', size: 0.5 },
  ],
};
const sym = Symbol('s');
const nullProto = Object.create(null) as object;

/** A resolved position as a caller might build one by hand (plain object, every field set). */
function resolvedPerp(over: Partial<Record<keyof ResolvedPosition, unknown>> = {}): ResolvedPosition {
  return {
    kind: 'perpetual', asset: 'BTC', size: 2, strike: NaN, expiry: 0, type: 0, settlement: 'coin', vol: NaN, index: 90000, forward: 90000,
    basis: 0, rate: 0, entryPrice: 80000, accruedFunding: 5, fundingRate: 0, markPerUnit: 90000, path: 'p', ...over,
  } as ResolvedPosition;
}

describe('equity functions on resolved positions: shape checked, values unchanged', () => {
  it('reject a missing or malformed position by field', () => {
    for (const f of [isInverse, inverseFace, unrealisedPnl, positionEquity] as ((p: unknown) => unknown)[]) {
      expectInputError(() => f(undefined), 'position');
      expectInputError(() => f(resolvedPerp({ size: sym })), 'position.size');
      expectInputError(() => f(resolvedPerp({ kind: 'swap' })), 'position.kind');
      expectInputError(() => f(resolvedPerp({ settlement: nullProto })), 'position.settlement');
    }
    expectInputError(() => positionEquity(resolvedPerp({ kind: 'spot' }), { BTC: 2 }), 'haircuts.BTC');
  });
  it('keep the documented values of a hand-built coin-settled perpetual', () => {
    const p = resolvedPerp();
    expect(isInverse(p)).toBe(true);
    // Face N = size x entry = 160,000 USD; P&L N (1/entry - 1/mark) x index = 160000 (1/80000 - 1/90000) 90000 = 20,000 (to rounding).
    expect(inverseFace(p)).toBe(160000);
    expect(unrealisedPnl(p)).toBeCloseTo(20000, 8);
    expect(positionEquity(p)).toBeCloseTo(20005, 8);
  });
  it('haircutOf checks its table and asset, then falls back to "*"', () => {
    expectInputError(() => haircutOf({ BTC: 'x' } as never, 'BTC'), 'haircuts.BTC');
    expectInputError(() => haircutOf(5 as never, 'BTC'), 'haircuts');
    expectInputError(() => haircutOf(undefined, 5 as never), 'asset');
    expect(haircutOf({ '*': 0.2 }, 'ETH')).toBe(0.2);
    expect(haircutOf(undefined, 'ETH')).toBe(0);
  });
  it('marginStatus takes numbers only', () => {
    expectInputError(() => marginStatus(sym as never, 1, 1), 'equity');
    expectInputError(() => marginStatus(1, '1' as never, 1), 'im');
    expectInputError(() => marginStatus(1, 1, undefined as never), 'mm');
    expect(marginStatus(5, 4, 3)).toBe('healthy');
    expect(marginStatus(NaN, 4, 3)).toBe('invalid');
  });
});

describe('standard-margin rule functions: rules and numbers checked', () => {
  const sizeLinear = DERIBIT_STANDARD.linear.BTC as LinearMarginRule;
  const tiers = GENERIC_STANDARD.linear['*'] as LinearMarginRule & { type: 'notional-tiers' };
  const optionRule = DERIBIT_STANDARD.options['*'] as ShortOptionRule;
  it('linearMargin', () => {
    expectInputError(() => linearMargin(undefined as never, 1, 1), 'rule');
    expectInputError(() => linearMargin({ type: 'notional-tiers', tiers: [] }, 1, 1), 'rule.tiers');
    expectInputError(() => linearMargin(sizeLinear, sym as never, 1), 'size');
    expectInputError(() => linearMargin(sizeLinear, 1, {} as never), 'mark');
    // 2 BTC at 90,000: IM rate 0.02 + 2 x 0.00005, of notional 180,000.
    expect(linearMargin(sizeLinear, 2, 90000).initialMargin).toBeCloseTo(180000 * 0.0201, 8);
  });
  it('maintenanceAmounts', () => {
    expectInputError(() => maintenanceAmounts((() => 1) as never), 'tiers');
    expectInputError(() => maintenanceAmounts(sizeLinear as never), 'tiers.type');
    // amount_1 = 0 + 50,000 x (0.005 - 0.004) = 50 (the published Binance maintenance amount).
    expect(maintenanceAmounts(tiers)[1]).toBeCloseTo(50, 9);
  });
  it('shortOptionMargin', () => {
    expectInputError(() => shortOptionMargin(undefined as never, 1, 1, 1, 1, 1, 'usd'), 'rule');
    expectInputError(() => shortOptionMargin(optionRule, 2 as never, 1, 1, 1, 1, 'usd'), 'type');
    expectInputError(() => shortOptionMargin(optionRule, 1, sym as never, 1, 1, 1, 'usd'), 'strike');
    expectInputError(() => shortOptionMargin(optionRule, 1, 1, 1, 1, 1, 'x' as never), 'settlement');
    const m = shortOptionMargin(optionRule, 1, 100000, 90000, 90000, 1000, 'coin');
    expect(m.maintenanceMargin).toBeCloseTo(0.075 * 90000 + 1000, 8);
  });
  it('checkStandardParams and checkHaircuts check their path argument', () => {
    expectInputError(() => checkStandardParams(GENERIC_STANDARD, sym as never), 'path');
    expectInputError(() => checkStandardParams({}, nullProto as never), 'path');
    expectInputError(() => checkHaircuts({ BTC: 0.1 }, nullProto as never), 'path');
    expectInputError(() => checkHaircuts({ BTC: 2 }), 'haircuts.BTC');
    expect(checkStandardParams(GENERIC_STANDARD)).toBe(GENERIC_STANDARD);
  });
});

describe('market and grid helpers', () => {
  it('assetPrice', () => {
    expectInputError(() => assetPrice(market, 'BTC', sym as never), 'path');
    expectInputError(() => assetPrice(null as never, 'BTC'), 'market');
    expectInputError(() => assetPrice({ assets: 3 } as never, 'BTC'), 'market.assets');
    expectInputError(() => assetPrice({ assets: { BTC: { index: '1' } } } as never, 'BTC'), 'market.assets.BTC.index');
    expectInputError(() => assetPrice({ assets: { BTC: null } } as never, 'BTC', 'x'), 'x');
    expectInputError(() => assetPrice(market, 'toString'), 'asset');
    expect(assetPrice(market, 'BTC')).toBe(90000);
    expect(assetPrice(market, 'USDC')).toBe(1);
  });
  it('forwardFor', () => {
    expectInputError(() => (forwardFor as (...a: unknown[]) => number)(), 'asset');
    expectInputError(() => forwardFor({ index: 100 }, 'x' as never), 'expiry');
    expectInputError(() => forwardFor({ index: 100, forwards: [null as never] }, 1), 'asset.forwards[0]');
    expectInputError(() => forwardFor({ index: sym } as never, 1), 'asset.index');
    expect(forwardFor({ index: 100, forwards: [{ expiry: 1, price: 110 }] }, 1)).toBe(110);
  });
  it('vegaPowerScale', () => {
    expectInputError(() => vegaPowerScale(100, undefined as never), 'scaling');
    expectInputError(() => vegaPowerScale(sym as never, DERIBIT_VEGA_SCALING), 'expiry');
    expectInputError(() => vegaPowerScale(1, { ...DERIBIT_VEGA_SCALING, floorDays: 0 }), 'scaling.floorDays');
    // Deribit's legacy example: 15 days at power 0.30 gives (30/15)^0.3.
    expect(vegaPowerScale(15 / 365.25, { referenceDays: 30, floorDays: 1, shortTermPower: 0.3, longTermPower: 0.13 })).toBeCloseTo(2 ** 0.3, 12);
  });
  it('grid builders take numbers where numbers belong and a string path', () => {
    expectInputError(() => scenarioGrid({ scenarios: [{ name: 's', priceMove: 0.1, volShock: 0, weight: 1, extended: false }] }, sym as never), 'path');
    expectInputError(() => deribitGrid({ priceRange: sym as never }), 'params.priceRange');
    expectInputError(() => deribitGrid({ volDown: sym as never }), 'params.volDown');
    expectInputError(() => deribitGrid({ vegaScaling: 5 as never }), 'params.vegaScaling');
    expectInputError(() => span16Grid({ extremeFraction: sym as never }), 'params.extremeFraction');
    expectInputError(() => span16Grid({ extremeMultiple: sym as never }), 'params.extremeMultiple');
    expect(deribitGrid().scenarios.length).toBe(DERIBIT_GRID.scenarios.length);
  });
  it('marketFromDeribitChain rejects non-number cells and a symbol length', () => {
    const chain = {
      length: 1, currency: ['BTC'], instrument: ['BTC-27MAR26-90000-C'], timeToMaturity: [0.2], forward: [sym], index: [90000],
      markIv: [0.5], strike: [90000], type: [1],
    };
    expectInputError(() => marketFromDeribitChain(chain as never), 'chain.forward[0]');
    expectInputError(() => marketFromDeribitChain({ ...chain, forward: ['1'] } as never), 'chain.forward[0]');
    expectInputError(() => marketFromDeribitChain({ ...chain, length: sym } as never), 'chain');
    expect(marketFromDeribitChain({ ...chain, forward: [91000] } as never).assets.BTC.forwards).toEqual([{ expiry: 0.2, price: 91000 }]);
  });
});

describe('history functions', () => {
  it('priceSeries', () => {
    expectInputError(() => priceSeries([1, 2, 3], nullProto as never), 'path');
    expectInputError(() => priceSeries([1, 2, 3], 'h', sym as never), 'minPrices');
    expectInputError(() => priceSeries([1, sym, 3]), 'history[1]');
    expectInputError(() => priceSeries({ dates: ['a', 'b', 'c'], close: [1, '2', 3] }, 'h'), 'h.close[1]');
    expectInputError(() => priceSeries({ dates: ['a'], close: { length: sym } }, 'h'), 'h');
    expect(Array.from(priceSeries([1, 2, 3]).close)).toEqual([1, 2, 3]);
  });
  it('mporReturns', () => {
    expectInputError(() => (mporReturns as (...a: unknown[]) => unknown)(), 'prices');
    expectInputError(() => mporReturns({ length: Infinity } as never, 1), 'prices.length');
    expectInputError(() => mporReturns([1, 2, 3], 0), 'days');
    expectInputError(() => mporReturns([1, 2, 3], 1, 'yes' as never), 'overlapping');
    expectInputError(() => mporReturns([1, 2, 3], 1, true, 0, 7), 'to');
    const r = mporReturns([100, 110, 121], 1);
    expect(Array.from(r.ends)).toEqual([1, 2]);
    expect(r.returns[1]).toBeCloseTo(0.1, 14);
  });
  it('procyclicality returns at once on length Infinity and checks its arguments', () => {
    expectInputError(() => procyclicality({ length: Infinity } as never, 1), 'im.length');
    expectInputError(() => procyclicality([1, sym] as never, 1), 'im[1]');
    expectInputError(() => procyclicality([1, 2], 0), 'days');
    expectInputError(() => procyclicality([1, 2, 3], 1, ['a']), 'dates.length');
    const p = procyclicality([1, 2, 1, 4], 1, ['a', 'b', 'c', 'd']);
    expect(p.maxIncrease).toEqual({ days: 1, ratio: 4, from: 'c', to: 'd' });
    expect(p.peakToTrough).toBe(4);
  });
  it('esEquivalentConfidence', () => {
    expectInputError(() => esEquivalentConfidence({} as never), 'confidence');
    expectInputError(() => esEquivalentConfidence(1), 'confidence');
    // ES 97.5% <-> VaR 99.03% (Basel FRTB).
    expect(esEquivalentConfidence(0.975)).toBeCloseTo(0.9903, 4);
  });
});

describe.each(BACKENDS)('engine-backed margin entry points with malformed arguments (%s)', (backend) => {
  it('accountEquity checks the resolved account and still matches standardMargin', async () => {
    const e = await engineFor(backend);
    expectInputError(() => accountEquity(undefined as never), 'account');
    expectInputError(() => accountEquity({ id: 'a', path: 'p', positions: [{ kind: 'spot' }], collateral: [] } as never), 'account.positions[0].asset');
    expectInputError(() => accountEquity({ id: 'a', path: 'p', positions: [], collateral: [{ asset: 'BTC', amount: sym, price: 1 }] } as never), 'account.collateral[0].amount');
    const [acc] = resolveAccounts(e, [account], market);
    expect(accountEquity(acc, { BTC: 0.1 }).equity).toBe(standardMargin(e, account, market, DERIBIT_STANDARD, { haircuts: { BTC: 0.1 } }).equity);
  });
  it('positionMargin checks position, params and haircuts and still matches standardMargin', async () => {
    const e = await engineFor(backend);
    const [acc] = resolveAccounts(e, [account], market);
    expectInputError(() => positionMargin(undefined as never, DERIBIT_STANDARD), 'position');
    expectInputError(() => positionMargin(acc.positions[0], null as never), 'params');
    expectInputError(() => positionMargin(acc.positions[0], { ...DERIBIT_STANDARD, linear: 3 } as never), 'params.linear');
    expectInputError(() => positionMargin(acc.positions[0], DERIBIT_STANDARD, [] as never), 'haircuts');
    const [sm] = standardMargin(e, [account], market, DERIBIT_STANDARD);
    acc.positions.forEach((p, i) => expect(positionMargin(p, DERIBIT_STANDARD)).toEqual(sm.positions[i]));
  });
  it('portfolioMarginShard / decodePortfolioMarginShard: shard index and packed array checked, round trip unchanged', async () => {
    const e = await engineFor(backend);
    const job = { accounts: [account, account], market, grid: DERIBIT_GRID, aggregation: 'per-asset' as const, accountsPerShard: 1 };
    expectInputError(() => portfolioMarginShard(e, job, sym as never), 'shardIndex');
    const packed = portfolioMarginShard(e, job, 1);
    expectInputError(() => (decodePortfolioMarginShard as (...a: unknown[]) => unknown)(), 'packed');
    expectInputError(() => decodePortfolioMarginShard(packed, job.accounts, 1, 1, market, 3 as never), 'grid');
    expectInputError(() => decodePortfolioMarginShard(packed, job.accounts, 1, 2, market, DERIBIT_GRID), 'count');
    expectInputError(() => decodePortfolioMarginShard(packed, [account, null] as never, 1, 1, market, DERIBIT_GRID), 'accounts[1]');
    expectInputError(() => decodePortfolioMarginShard(packed.subarray(0, 5), job.accounts, 1, 1, market, DERIBIT_GRID), 'packed');
    const bad = packed.slice();
    bad[4] = 1e9; // worst-scenario index past the grid
    expectInputError(() => decodePortfolioMarginShard(bad, job.accounts, 1, 1, market, DERIBIT_GRID), 'packed');
    const [r] = decodePortfolioMarginShard(packed, job.accounts, 1, 1, market, DERIBIT_GRID);
    const direct = portfolioMargin(e, account, market, DERIBIT_GRID);
    expect(r.initialMargin).toBe(direct.initialMargin);
    expect(r.worstScenario.name).toBe(direct.worstScenario.name);
  });
  it('portfolioLiquidationShard / decodePortfolioLiquidationShard: shard index and packed array checked, round trip unchanged', async () => {
    const e = await engineFor(backend);
    const job = { accounts: [account], market, grid: DERIBIT_GRID, options: {}, accountsPerShard: 1 };
    expectInputError(() => portfolioLiquidationShard(e, job, sym as never), 'shardIndex');
    const packed = portfolioLiquidationShard(e, job, 0);
    expectInputError(() => decodePortfolioLiquidationShard([] as never, job.accounts, 0, 1, market, {}), 'packed');
    expectInputError(() => decodePortfolioLiquidationShard(packed, job.accounts, 0, 1, null as never, {}), 'market');
    expectInputError(() => decodePortfolioLiquidationShard(packed, job.accounts, 0, 1.5, market, {}), 'count');
    expectInputError(() => decodePortfolioLiquidationShard(packed.subarray(0, 3), job.accounts, 0, 1, market, {}), 'packed');
    const bad = packed.slice();
    bad[3] = 7; // more assets than the market has
    expectInputError(() => decodePortfolioLiquidationShard(bad, job.accounts, 0, 1, market, {}), 'packed');
    const [r] = decodePortfolioLiquidationShard(packed, job.accounts, 0, 1, market, {});
    const [direct] = portfolioLiquidationPrice(e, [account], market, DERIBIT_GRID);
    expect(r.assets[0].below.price).toBe(direct.assets[0].below.price);
    expect(r.status).toBe(direct.status);
  });
});
