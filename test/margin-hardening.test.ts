// Margin inputs from outside (issue 11, items 1, 6, 7, 18-21), on both backends: data names that are
// Object.prototype members, null and wrong-type nested fields, misspelled option keys, NaN never
// reported healthy; and the margin fidelity items: Dederi's futures contingency, Deribit's per-strike
// netting, the 365.25-day year of the vega power, Deribit's min_volatility_for_shock_up.
import { describe, expect, it } from 'vitest';
import type { DeribitChain } from '../src/market/deribit-chain.js';
import {
  calibrateHaircut, calibrateHaircuts, collateralValue, defaultWaterfall, healthFactor, liquidationCost, simulateLiquidation, tieredLiquidation,
  calibrateLendingParameters, InputError, assessLending,
} from '../src/index.js';
import {
  DAYS_PER_YEAR, DERIBIT_GRID, DERIBIT_VEGA_SCALING, SPAN16_GRID, deribitGrid, scenarioGrid, span16Grid, vegaPowerScale,
} from '../src/margin/grids.js';
import { marketFromDeribitChain } from '../src/margin/market.js';
import { portfolioMargin } from '../src/margin/portfolio-margin.js';
import { DERIBIT_STANDARD, marginStatus, standardMargin } from '../src/margin/standard-margin.js';
import type { MarginAccount, MarginMarket, MarginPosition } from '../src/margin/types.js';
import { BACKENDS, engineFor, expectInputError } from './backends.js';
import { black76 } from './independent-black.js';

// Independent Black-76 (test only): test/independent-black.ts.

/** Names that are Object.prototype members, or that set a plain object's prototype when assigned. */
const HOSTILE = ['__proto__', 'constructor', 'toString', 'hasOwnProperty'] as const;

/** Object.prototype's own keys and their values, to check nothing was written there. */
function prototypeSnapshot(): Map<PropertyKey, unknown> {
  return new Map(Reflect.ownKeys(Object.prototype).map((k) => [k, Object.getOwnPropertyDescriptor(Object.prototype, k)?.value]));
}
function expectPrototypeUnchanged(before: Map<PropertyKey, unknown>): void {
  const after = prototypeSnapshot();
  expect([...after.keys()]).toEqual([...before.keys()]);
  for (const [k, v] of before) expect(after.get(k)).toBe(v);
  expect(({} as Record<number, unknown>)[0]).toBeUndefined();
}

/** A Deribit chain (the shape loadDeribitChain returns) with one call per currency, expiry 30 days. */
function chainOf(currencies: readonly string[], instrumentOf: (cur: string) => string): DeribitChain {
  const n = currencies.length;
  const f64 = (v: number) => new Float64Array(n).fill(v);
  return {
    length: n, instrument: currencies.map(instrumentOf), currency: [...currencies], type: new Int8Array(n).fill(1), strike: f64(100),
    expiry: currencies.map(() => '2026-02-04T08:00:00Z'), timeToMaturity: f64(30 / 365.25), bid: f64(0.05), ask: f64(0.06), mark: f64(0.055),
    mid: f64(0.055), forward: f64(101), index: f64(100), markIv: f64(0.6), delta: f64(0.5), vega: f64(0.1), openInterest: f64(1),
    timestamp: currencies.map(() => '2026-01-05T08:00:00Z'), line: Int32Array.from({ length: n }, (_, i) => i + 2), skipped: [],
  };
}

const BTC_MARKET: MarginMarket = { assets: { BTC: { index: 90_000, forwards: [{ expiry: 60 / 365.25, price: 90_800 }] } } };

describe.each(BACKENDS)('margin: data names are never object keys of Object.prototype (%s)', (backend) => {
  it('a chain whose currencies and instruments are __proto__, constructor, ... gives ordinary markets; Object.prototype unchanged', async () => {
    const e = await engineFor(backend);
    const before = prototypeSnapshot();
    for (const prefixOnly of [false, true]) {
      // Currencies named like prototype members, or an ordinary currency whose instrument names start with one.
      const chain = prefixOnly
        ? chainOf(HOSTILE.map(() => 'BTC'), (c) => c)
        : chainOf(HOSTILE, (c) => `${c}-4FEB26-100-C`);
      if (prefixOnly) chain.instrument = HOSTILE.map((h) => `${h}-4FEB26-100-C`);
      const market = marketFromDeribitChain(chain);
      expectPrototypeUnchanged(before);
      for (const h of HOSTILE) {
        const cur = prefixOnly ? 'BTC' : h;
        expect(Object.hasOwn(market.assets, cur)).toBe(true);
        expect(market.assets[cur].index).toBe(100);
        expect(Object.hasOwn(market.instruments!, `${h}-4FEB26-100-C`)).toBe(true);
        expect(Object.hasOwn(market.instruments!, `${h}-4FEB26`)).toBe(true);
        expect(Object.hasOwn(market.vols!, `${h}-4FEB26-100-C`)).toBe(true);
        // Margined by name: the listed option, its future and the perpetual are ordinary instruments.
        const acc: MarginAccount = {
          collateral: JSON.parse(`{"${cur}": 1}`),
          positions: [{ instrument: `${h}-4FEB26-100-C`, size: -1 }, { instrument: `${h}-4FEB26`, size: 1 }, { instrument: `${cur}-PERPETUAL`, size: 1 }],
        };
        const sm = standardMargin(e, acc, market, { ...DERIBIT_STANDARD, linear: { '*': DERIBIT_STANDARD.linear.BTC } });
        expect(Number.isFinite(sm.equity)).toBe(true);
        expect(sm.status).not.toBe('invalid');
        const pm = portfolioMargin(e, acc, market, DERIBIT_GRID);
        expect(Number.isFinite(pm.initialMargin)).toBe(true);
      }
    }
    expectPrototypeUnchanged(before);
  });

  it('an asset, instrument, vol or collateral named like a prototype member is unknown, as DOGE is (InputError with the path)', async () => {
    const e = await engineFor(backend);
    const before = prototypeSnapshot();
    for (const h of HOSTILE) {
      // Position asset: before, `constructor` passed the look-up, was priced at undefined and gave equity NaN, status healthy.
      expectInputError(() => standardMargin(e, { positions: [{ kind: 'spot', asset: h, size: 1 }] }, BTC_MARKET, DERIBIT_STANDARD), 'account.positions[0].asset');
      expectInputError(() => portfolioMargin(e, { positions: [{ kind: 'perpetual', asset: h, size: 1 }] }, BTC_MARKET, DERIBIT_GRID), 'account.positions[0].asset');
      // Collateral key (JSON.parse makes `__proto__` an own key, as a file would).
      expectInputError(() => standardMargin(e, { collateral: JSON.parse(`{"${h}": 1}`), positions: [] }, BTC_MARKET, DERIBIT_STANDARD), `account.collateral.${h}`);
      // Listed instrument by name, and a vol looked up by instrument name.
      const market: MarginMarket = { ...BTC_MARKET, instruments: {}, vols: {} };
      expectInputError(() => standardMargin(e, { positions: [{ instrument: h, size: 1 }] }, market, DERIBIT_STANDARD), 'account.positions[0].instrument');
      const opt: MarginPosition = { kind: 'option', asset: 'BTC', size: 1, strike: 90_000, expiry: 60 / 365.25, type: 'call', instrument: h };
      expectInputError(() => standardMargin(e, { positions: [opt] }, market, DERIBIT_STANDARD), 'account.positions[0].vol');
      // A rule table without the asset: no rule, not Object's members.
      expectInputError(() => standardMargin(e, { positions: [{ kind: 'perpetual', asset: 'BTC', size: 1 }] }, BTC_MARKET, { ...DERIBIT_STANDARD, linear: {} }), 'account.positions[0].asset');
    }
    expectPrototypeUnchanged(before);
  });

  it('collateral haircuts, lending and the waterfall keep such names as ordinary keys (JSON input)', async () => {
    const e = await engineFor(backend);
    const before = prototypeSnapshot();
    const prices = Array.from({ length: 60 }, (_, i) => 100 * (1 + 0.01 * Math.sin(i)));
    for (const h of HOSTILE) {
      // calibrateHaircuts: before, out['__proto__'] = result replaced the result object's prototype and lost the asset.
      const hc = calibrateHaircuts(e, { histories: JSON.parse(`{"${h}": ${JSON.stringify(prices)}}`), confidence: 0.99 });
      expect(Object.keys(hc)).toEqual([h]);
      expect(hc[h].haircut).toBe(calibrateHaircut(e, { history: prices, confidence: 0.99 }).haircut);
      // collateralValue: a name without a price or haircut is an InputError, not Object's member.
      expectInputError(() => collateralValue(JSON.parse(`{"${h}": 1}`), {}, {}), `prices.${h}`);
      const cv = collateralValue(JSON.parse(`{"${h}": 2}`), JSON.parse(`{"${h}": 10}`), JSON.parse(`{"${h}": 0.5}`));
      expect(cv.value).toBe(10);
      // Lending: before, simulateLiquidation's `after` table set its own prototype for `__proto__`.
      const account = { collateral: JSON.parse(`{"${h}": 10}`), debt: { USDC: 9000 } };
      const market = { prices: JSON.parse(`{"${h}": 1000}`), parameters: JSON.parse(`{"${h}": { "ltv": 0.8, "liquidationThreshold": 0.85, "liquidationBonus": 0.05 }}`) };
      expect(healthFactor(account, market)).toBeCloseTo((10 * 1000 * 0.85) / 9000, 14);
      const liq = simulateLiquidation(account, market);
      expect(Object.hasOwn(liq.after.collateral, h)).toBe(true);
      expect(liq.after.collateral[h]).toBeCloseTo(10 - (4500 * 1.05) / 1000, 12);
      expectInputError(() => healthFactor({ collateral: JSON.parse(`{"${h}": 1}`) }, { prices: {}, parameters: {} }), `market.prices.${h}`);
      // Waterfall: member ids are keys of byMember.
      const w = defaultWaterfall({ members: [{ id: h, margin: 1, defaultFund: 1, stressLoss: 5 }, { id: 'b', margin: 10, defaultFund: 10, stressLoss: 0 }], skinInTheGame: 1 });
      const layer = w.scenarios[0].layers.find((l) => l.layer === 'defaulterMargin')!;
      expect(Object.hasOwn(layer.byMember, h)).toBe(true);
      expect(layer.byMember[h]).toBe(1);
    }
    expectPrototypeUnchanged(before);
  });
});

describe.each(BACKENDS)('margin: malformed nested inputs are InputErrors with a path; NaN is never healthy (%s)', (backend) => {
  it('null, undefined and wrong-type fields', async () => {
    const e = await engineFor(backend);
    const acc: MarginAccount = { positions: [{ instrument: 'BTC-X', size: 1 }] };
    expectInputError(() => standardMargin(e, acc, { ...BTC_MARKET, instruments: { 'BTC-X': null as never } }, DERIBIT_STANDARD), 'market.instruments.BTC-X');
    expectInputError(() => standardMargin(e, acc, { ...BTC_MARKET, instruments: { 'BTC-X': 5 as never } }, DERIBIT_STANDARD), 'market.instruments.BTC-X');
    expectInputError(() => standardMargin(e, acc, { ...BTC_MARKET, instruments: { 'BTC-X': { kind: 'future', asset: 7, expiry: 0.1 } as never } }, DERIBIT_STANDARD), 'account.positions[0].asset');
    expectInputError(() => standardMargin(e, acc, { ...BTC_MARKET, instruments: { 'BTC-X': { kind: 'swap', asset: 'BTC' } as never } }, DERIBIT_STANDARD), 'account.positions[0].kind');
    expectInputError(() => standardMargin(e, acc, { assets: { BTC: { index: 1, forwards: [null as never] } } }, DERIBIT_STANDARD), 'market.assets.BTC.forwards[0]');
    expectInputError(() => standardMargin(e, acc, { assets: null as never }, DERIBIT_STANDARD), 'market.assets');
    expectInputError(() => standardMargin(e, { positions: [] }, BTC_MARKET, DERIBIT_STANDARD, null as never), 'options');
    expectInputError(() => portfolioMargin(e, { positions: [] }, BTC_MARKET, DERIBIT_GRID, null as never), 'options');
    expectInputError(() => simulateLiquidation({ collateral: { ETH: 1 } }, { prices: { ETH: 1 } }, null as never), 'options');
    expectInputError(() => healthFactor({ collateral: { ETH: 1 } }, { prices: null as never }), 'market.prices');
    expectInputError(() => healthFactor({ collateral: { ETH: 1 } }, { prices: { ETH: 1 }, parameters: { ETH: null as never } }), 'market.parameters.ETH');
    // Chains: missing columns, an unbounded length, a non-string name.
    const chain = chainOf(['BTC'], () => 'BTC-4FEB26-100-C');
    expectInputError(() => marketFromDeribitChain({ ...chain, currency: undefined as never }), 'chain.currency');
    expectInputError(() => marketFromDeribitChain({ ...chain, length: Infinity }), 'chain.length');
    expectInputError(() => marketFromDeribitChain({ ...chain, instrument: [null as never] }), 'chain.instrument[0]');
    expectInputError(() => marketFromDeribitChain(chain, null as never), 'options');
  });

  it('an account whose equity is NaN is "invalid", never "healthy" (standard margin)', async () => {
    const e = await engineFor(backend);
    // Two perpetuals whose unrealised P&L overflow to +Infinity and -Infinity: equity NaN.
    const acc: MarginAccount = {
      positions: [
        { kind: 'perpetual', asset: 'BTC', size: 1e308, entryPrice: 1 },
        { kind: 'perpetual', asset: 'BTC', size: -1e308, entryPrice: 1e-300 },
      ],
    };
    const r = standardMargin(e, acc, BTC_MARKET, DERIBIT_STANDARD);
    expect(r.equity).toBeNaN();
    expect(r.status).toBe('invalid');
    expect(marginStatus(NaN, 1, 1)).toBe('invalid');
    expect(marginStatus(1, NaN, 1)).toBe('invalid');
    expect(marginStatus(2, 1, 0.5)).toBe('healthy');
  });
});

describe('margin: unknown option keys are InputErrors naming the closest valid key', () => {
  const keyError = (f: () => unknown, path: string, suggestion: string | undefined) => {
    const err = expectInputError(f, path);
    expect(err.suggestion).toBe(suggestion);
  };

  it.each(BACKENDS)('accounts, positions, market, params, grids and options of the engine functions (%s)', async (backend) => {
    const e = await engineFor(backend);
    const ok: MarginAccount = { positions: [{ kind: 'perpetual', asset: 'BTC', size: 1 }] };
    keyError(() => standardMargin(e, ok, { asets: {} } as never, DERIBIT_STANDARD), 'market.asets', 'assets');
    keyError(() => standardMargin(e, ok, { ...BTC_MARKET, rates: 0 } as never, DERIBIT_STANDARD), 'market.rates', 'rate');
    keyError(() => standardMargin(e, ok, { assets: { BTC: { index: 1, forward: [] } } } as never, DERIBIT_STANDARD), 'market.assets.BTC.forward', 'forwards');
    keyError(() => standardMargin(e, ok, { assets: { BTC: { index: 1, forwards: [{ expiry: 1, prize: 1 }] } } } as never, DERIBIT_STANDARD), 'market.assets.BTC.forwards[0].prize', 'price');
    keyError(() => standardMargin(e, { ...ok, colateral: {} } as never, BTC_MARKET, DERIBIT_STANDARD), 'account.colateral', 'collateral');
    keyError(() => standardMargin(e, [ok, { positions: [{ kind: 'option', asset: 'BTC', size: 1, strik: 1, expiry: 0.1, type: 'call', vol: 0.5 }] }] as never, BTC_MARKET, DERIBIT_STANDARD),
      'accounts[1].positions[0].strik', 'strike');
    keyError(() => standardMargin(e, { positions: [{ kind: 'perpetual', asset: 'BTC', size: 1, entryprice: 5 }] } as never, BTC_MARKET, DERIBIT_STANDARD),
      'account.positions[0].entryprice', 'entryPrice');
    keyError(() => standardMargin(e, { positions: [{ instrument: 'P', size: 1 }] }, { ...BTC_MARKET, instruments: { P: { kind: 'perpetual', asset: 'BTC', setlement: 'coin' } } } as never, DERIBIT_STANDARD),
      'market.instruments.P.setlement', 'settlement');
    keyError(() => standardMargin(e, ok, BTC_MARKET, { ...DERIBIT_STANDARD, liquidationFees: {} } as never), 'params.liquidationFees', 'liquidationFee');
    keyError(() => standardMargin(e, ok, BTC_MARKET, { ...DERIBIT_STANDARD, linear: { BTC: { ...DERIBIT_STANDARD.linear.BTC, ratePerUnits: 0 } } } as never),
      'params.linear.BTC.ratePerUnits', 'ratePerUnit');
    keyError(() => standardMargin(e, ok, BTC_MARKET, DERIBIT_STANDARD, { haircut: {} } as never), 'options.haircut', 'haircuts');
    keyError(() => portfolioMargin(e, ok, BTC_MARKET, DERIBIT_GRID, { aggregaton: 'joint' } as never), 'options.aggregaton', 'aggregation');
    keyError(() => e.liquidationPrice(ok, BTC_MARKET, DERIBIT_STANDARD, { lowerFactr: 0.5 } as never), 'options.lowerFactr', 'lowerFactor');
    keyError(() => e.liquidationPrice(ok, BTC_MARKET, DERIBIT_GRID, { upperFacter: 5 } as never), 'options.upperFacter', 'upperFactor');
    keyError(() => e.calibrateMargin({ history: [1, 2, 3], mporDay: 10 } as never), 'mporDay', 'mporDays');
    keyError(() => calibrateHaircut(e, { history: [1, 2, 3], confidence: 0.99, mporDay: 10 } as never), 'mporDay', 'mporDays');
    keyError(() => calibrateLendingParameters(e, { history: [1, 2, 3], ltvbuffer: 0.1 } as never), 'ltvbuffer', 'ltvBuffer');
  });

  it('grids, lending, liquidation cost, waterfall; documented metadata keys of the data files pass', () => {
    keyError(() => scenarioGrid({ scenarios: [{ priceMove: 0.1, volshock: 0.1 }] } as never), 'grid.scenarios[0].volshock', 'volShock');
    keyError(() => scenarioGrid({ ...DERIBIT_GRID, maintenanceFactr: 0.5 } as never), 'grid.maintenanceFactr', 'maintenanceFactor');
    keyError(() => scenarioGrid({ ...DERIBIT_GRID, addOns: { shortOptionContingencey: 0.01 } } as never), 'grid.addOns.shortOptionContingencey', 'shortOptionContingency');
    keyError(() => scenarioGrid({ ...DERIBIT_GRID, addOns: { deltaShock: { max: 0.1, treshold: 1 } } } as never), 'grid.addOns.deltaShock.treshold', 'threshold');
    keyError(() => scenarioGrid({ ...DERIBIT_GRID, vegaScaling: { ...DERIBIT_VEGA_SCALING, refDays: 30 } } as never), 'grid.vegaScaling.refDays', undefined);
    keyError(() => deribitGrid({ priceRang: 0.1 } as never), 'params.priceRang', 'priceRange');
    keyError(() => span16Grid({ extremeMultipl: 3 } as never), 'params.extremeMultipl', 'extremeMultiple');
    // A validated grid and the presets re-validate (a grid that went through a worker is plain data again).
    expect(scenarioGrid(JSON.parse(JSON.stringify(DERIBIT_GRID))).minVolForShockUp).toBe(0.5);
    expect(scenarioGrid(JSON.parse(JSON.stringify(SPAN16_GRID))).name).toBe('span16');
    keyError(() => healthFactor({ collateral: { ETH: 1 }, dept: {} } as never), 'account.dept', 'debt');
    keyError(() => healthFactor({ collateral: [{ asset: 'ETH', amount: 1, liquidationTreshold: 0.8 }] } as never, { prices: { ETH: 1 } }),
      'account.collateral[0].liquidationTreshold', 'liquidationThreshold');
    keyError(() => healthFactor({ collateral: { ETH: 1 } }, { prices: { ETH: 1 }, closefactor: 0.5 } as never), 'market.closefactor', 'closeFactor');
    keyError(() => simulateLiquidation({ collateral: { ETH: 1 } }, { prices: { ETH: 1 } }, { repayAmmount: 1 } as never), 'options.repayAmmount', 'repayAmount');
    // `reserve` is the metadata key of data/margin/lending-aave-v2.json's assets.
    expect(healthFactor({ collateral: { ETH: 1 }, debt: { USDC: 1 } }, { prices: { ETH: 1 }, parameters: { ETH: { ltv: 0.5, liquidationThreshold: 0.5, reserve: 'WETH' } as never } })).toBe(0.5);
    keyError(() => liquidationCost({ quantities: 1, prices: 1, model: { kind: 'linear', lambda: 1 }, penalty: 0.01 } as never), 'penalty', 'penaltyRate');
    keyError(() => liquidationCost({ quantities: 1, prices: 1, model: { kind: 'linear', lamda: 1 } } as never), 'model.lamda', 'lambda');
    keyError(() => tieredLiquidation({ size: 1, price: 1, equity: 0, maintenanceRate: 0.1, model: { kind: 'linear', lambda: 0 }, chunkFrac: 0.5 } as never),
      'chunkFrac', 'chunkFraction');
    keyError(() => defaultWaterfall({ members: [], skinInGame: 1 } as never), 'skinInGame', 'skinInTheGame');
    keyError(() => defaultWaterfall({ members: [{ id: 'a', margin: 1, defaultFund: 1, stressLoss: 1, grup: 'x' }], skinInTheGame: 0 } as never), 'members[0].grup', 'group');
  });
});

describe.each(BACKENDS)('margin fidelity: contingencies, DTE year, min vol for shock up (%s)', (backend) => {
  // Dederi's worked example (margin-methodologies.md): +-15% on 11 points x 3 vol scenarios; 10 long ETH futures,
  // index 2243.3, forward 2253.2: P&L 676 a 3% step, contingency 0.006 x 2243.3 x 10 = 134.6.
  const T = 30 / 365.25;
  const ETH: MarginMarket = { assets: { ETH: { index: 2243.3, forwards: [{ expiry: T, price: 2253.2 }] } } };
  const dederi = scenarioGrid({
    name: 'dederi',
    scenarios: Array.from({ length: 11 }, (_, k) => (k - 5) * 0.03).flatMap((m) => [0.5, 0, -0.25].map((v) => ({ name: `${m} ${v}`, priceMove: m, volShock: v, weight: 1, extended: false }))),
    addOns: { futuresContingency: 0.006 },
  });

  it('Dederi futures contingency: 10 long ETH futures at index 2243.3 cost 0.006 x 2243.3 x 10 = 134.6 on top of the 3379.8 scan', async () => {
    const e = await engineFor(backend);
    for (const size of [10, -10]) {
      const r = portfolioMargin(e, { positions: [{ kind: 'future', asset: 'ETH', size, expiry: T }] }, ETH, dederi);
      // The add-on is one product of three doubles: exact to 1 ulp; 134.6 is the published rounding.
      expect(r.addOns.futuresContingency).toBeCloseTo(0.006 * 2243.3 * 10, 12);
      expect(Number(r.addOns.futuresContingency.toFixed(1))).toBe(134.6);
      expect(r.addOns.shortOptionContingency).toBe(0);
      // Scan: 10 x 2253.2 x 15% = 3379.8 (the kernel's F and 1 + move are a few ulps each: 1e-9 relative).
      expect(Math.abs(r.scanRisk - 3379.8)).toBeLessThanOrEqual(1e-9 * 3379.8);
      expect(r.initialMargin).toBe(r.scanRisk + r.addOns.futuresContingency);
    }
    // Gross, not net: long and short futures both count; options do not.
    const hedged = portfolioMargin(e, {
      positions: [
        { kind: 'future', asset: 'ETH', size: 10, expiry: T }, { kind: 'perpetual', asset: 'ETH', size: -4 },
        { kind: 'option', asset: 'ETH', size: -3, strike: 2300, expiry: T, type: 'call', vol: 0.7 },
      ],
    }, ETH, dederi);
    expect(hedged.addOns.futuresContingency).toBeCloseTo(0.006 * 2243.3 * 14, 12);
    // The short-option contingency is a different add-on: DERIBIT_GRID has no futures contingency.
    expect(portfolioMargin(e, { positions: [{ kind: 'future', asset: 'ETH', size: 10, expiry: T }] }, ETH, DERIBIT_GRID).addOns.futuresContingency).toBe(0);
  });

  it('Deribit per-strike netting: call +10 and put -20 on one strike are net short 10 (DERIBIT_GRID); per instrument 20', async () => {
    const e = await engineFor(backend);
    const K = 90_000, Tx = 60 / 365.25;
    const leg = (type: 'call' | 'put', size: number, expiry = Tx, strike = K): MarginPosition => ({ kind: 'option', asset: 'BTC', size, strike, expiry, type, vol: 0.55 });
    const acc: MarginAccount = { positions: [leg('call', 10), leg('put', -20)] };
    expect(DERIBIT_GRID.addOns.contingencyNetting).toBe('strike');
    const byStrike = portfolioMargin(e, acc, BTC_MARKET, DERIBIT_GRID);
    expect(byStrike.addOns.shortOptionContingency).toBeCloseTo(0.01 * 90_000 * 10, 9);
    const byInstrument = portfolioMargin(e, acc, BTC_MARKET, deribitGrid({ addOns: { shortOptionContingency: 0.01, contingencyNetting: 'instrument' } }));
    expect(byInstrument.addOns.shortOptionContingency).toBeCloseTo(0.01 * 90_000 * 20, 9);
    // A grid of your own nets per instrument unless it says otherwise.
    expect(portfolioMargin(e, acc, BTC_MARKET, scenarioGrid({ scenarios: DERIBIT_GRID.scenarios, addOns: { shortOptionContingency: 0.01 } })).addOns.shortOptionContingency)
      .toBeCloseTo(0.01 * 90_000 * 20, 9);
    // Other strikes and other expiries do not net.
    const apart = portfolioMargin(e, { positions: [leg('call', 10, Tx, 95_000), leg('put', -20), leg('call', 10, 30 / 365.25)] }, BTC_MARKET, DERIBIT_GRID);
    expect(apart.addOns.shortOptionContingency).toBeCloseTo(0.01 * 90_000 * 20, 9);
    expectInputError(() => scenarioGrid({ scenarios: DERIBIT_GRID.scenarios, addOns: { contingencyNetting: 'expiry' as never } }), 'grid.addOns.contingencyNetting');
  });

  it('days to expiry are 365.25 x T, the year of the chains and of the expiry cut-off', async () => {
    const e = await engineFor(backend);
    expect(DAYS_PER_YEAR).toBe(365.25);
    // Exactly 15 days in 365.25-day years: Deribit's legacy 46.78% (the 365-day reading gave 15.01 days).
    expect(vegaPowerScale(15 / 365.25, DERIBIT_VEGA_SCALING)).toBeCloseTo(Math.pow(30 / 15, 0.3), 14);
    expect(vegaPowerScale(60 / 365.25, DERIBIT_VEGA_SCALING)).toBeCloseTo(Math.pow(30 / 60, 0.13), 14);
    // The same convention in the scan: a chain option of 10 days, short, vol up scenario at +16%.
    const chain = chainOf(['BTC'], () => 'BTC-15JAN26-100-C');
    chain.timeToMaturity[0] = 10 / 365.25;
    const market = marketFromDeribitChain(chain);
    const grid = deribitGrid({ extendedMoves: [], addOns: {}, minVolForShockUp: 0 });
    const r = portfolioMargin(e, { positions: [{ instrument: 'BTC-15JAN26-100-C', size: -1 }] }, market, grid);
    const Tm = 10 / 365.25, F = 101, S = 100, K = 100, vol = 0.6;
    const scale = Math.pow(30 / 10, 0.3);
    const base = black76(F, K, Tm, vol, 'call') / F * S;
    grid.scenarios.forEach((s, i) => {
      const F1 = F * (1 + s.priceMove), S1 = S * (1 + s.priceMove);
      const expected = -(black76(F1, K, Tm, vol * (1 + scale * s.volShock), 'call') / F1 * S1 - base);
      // Both sides double-precision Black-76 of a value ~10 USD: 1e-9 absolute is far below the
      // 365-day reading's difference (~1e-4 here) and far above rounding.
      expect(Math.abs(r.scenarioPnl[i] - expected), s.name).toBeLessThanOrEqual(1e-9);
    });
  });

  it('min_volatility_for_shock_up: in vol-up scenarios the shocked vol is at least 0.5 (DERIBIT_GRID); other scenarios untouched', async () => {
    const e = await engineFor(backend);
    const Tx = 60 / 365.25, F = 90_800, K = 95_000, vol = 0.2;
    const pos: MarginPosition = { kind: 'option', asset: 'BTC', size: -2, strike: K, expiry: Tx, type: 'call', vol };
    const grid = deribitGrid({ extendedDampener: 0, addOns: {}, extendedScaling: 'none' });
    expect(DERIBIT_GRID.minVolForShockUp).toBe(0.5);
    expect(grid.minVolForShockUp).toBe(0.5);
    const r = portfolioMargin(e, { positions: [pos] }, BTC_MARKET, grid);
    const off = portfolioMargin(e, { positions: [pos] }, BTC_MARKET, deribitGrid({ extendedDampener: 0, addOns: {}, extendedScaling: 'none', minVolForShockUp: 0 }));
    const scale = vegaPowerScale(Tx, DERIBIT_VEGA_SCALING);
    const base = black76(F, K, Tx, vol, 'call');
    let floored = 0;
    grid.scenarios.forEach((s, i) => {
      const shocked = vol * (1 + scale * s.volShock);
      const v = s.volShock > 0 ? Math.max(shocked, 0.5) : shocked;
      if (v !== shocked) {
        floored++;
        // A short call loses more at the higher vol (the extended moves are so deep in the money that vol no longer shows).
        if (!s.extended) expect(r.scenarioPnl[i]).toBeLessThan(off.scenarioPnl[i]);
      }
      const F1 = F * (1 + s.priceMove);
      const expected = -2 * (black76(F1, K, Tx, v, 'call') - base);
      const unfloored = -2 * (black76(F1, K, Tx, shocked, 'call') - base);
      // Double-precision Black-76 on both sides; values up to ~1e6 USD (the +500% move): 1e-9 relative.
      expect(Math.abs(r.scenarioPnl[i] - expected), s.name).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(expected)));
      expect(Math.abs(off.scenarioPnl[i] - unfloored), s.name).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(unfloored)));
    });
    // Vol 0.2 x (1 + 0.5 x 0.91) = 0.29 < 0.5: every vol-up scenario (9 regular + 8 extended) is floored.
    expect(floored).toBe(17);
    // A high-vol option is not affected by the floor.
    const high: MarginPosition = { ...pos, vol: 0.6 };
    const a = portfolioMargin(e, { positions: [high] }, BTC_MARKET, grid);
    const b = portfolioMargin(e, { positions: [high] }, BTC_MARKET, deribitGrid({ extendedDampener: 0, addOns: {}, extendedScaling: 'none', minVolForShockUp: 0 }));
    expect([...a.scenarioPnl]).toEqual([...b.scenarioPnl]);
    expectInputError(() => deribitGrid({ minVolForShockUp: -1 }), 'params.minVolForShockUp');
  });
});

describe('margin statuses when values overflow (review findings)', () => {
  it('marginStatus: an infinite IM or MM is invalid, not healthy', () => {
    expect(marginStatus(Infinity, Infinity, Infinity)).toBe('invalid');
    expect(marginStatus(1, Infinity, 1)).toBe('invalid');
    expect(marginStatus(10, 5, 2)).toBe('healthy');
  });

  it('assessLending / simulateLiquidation: amount x price overflowing is an InputError, not a NaN health factor read as healthy', () => {
    // 1e308 ETH at 1e308 USD: each value is finite input, their product is not.
    const market = { prices: { ETH: 1e308, WBTC: 1e308 } };
    const account = { collateral: { ETH: 1e308 }, debt: { WBTC: 1e308 } };
    expectInputError(() => assessLending(account, market), 'account');
    expectInputError(() => simulateLiquidation(account, market), 'account');
  });
});
