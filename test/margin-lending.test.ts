import { describe, it, expect, beforeAll } from 'vitest';
import ethCsv from '../data/history/ETHUSDT_1d.csv?raw';
import aaveV2 from '../data/margin/lending-aave-v2.json';
import { BACKENDS, engineFor } from './backends.js';
import { InputError, type Engine } from '../src/index.js';
import {
  AAVE_V2_PARAMETERS, assessLending, calibrateLendingParameters, healthFactor, simulateLiquidation,
} from '../src/margin/lending.js';
import { calibrateHaircut } from '../src/margin/collateral.js';

const err = (f: () => unknown) => { try { f(); } catch (e) { return e as InputError; } return undefined; };

describe('health factor (Aave)', () => {
  it('issue #6 / Aave docs example: 10,000 of collateral at LT 80% with 6,000 of debt -> HF 1.333...', () => {
    // 10000 x 0.8 / 6000 = 4/3; both forms of input, to the last bit (one product and one quotient).
    expect(healthFactor({ collateral: [{ asset: 'USD', amount: 10000, liquidationThreshold: 0.8 }], debt: { USD: 6000 } })).toBe((10000 * 0.8) / 6000);
    expect(healthFactor({ collateral: { ETH: 5 }, debt: { USDC: 6000 } }, { prices: { ETH: 2000 }, parameters: { ETH: { liquidationThreshold: 0.8 } } }))
      .toBeCloseTo(4 / 3, 14);
    expect(healthFactor({ collateral: { USDC: 1 }, debt: {} })).toBe(Infinity);
    expect(healthFactor({ collateral: { USDC: 1 } })).toBe(Infinity);
  });

  it('published Aave V2 parameters (data/margin/lending-aave-v2.json) are the defaults', () => {
    expect(aaveV2.closeFactor).toBe(AAVE_V2_PARAMETERS.closeFactor);
    for (const [asset, p] of Object.entries(aaveV2.assets)) {
      const { reserve: _r, ...numbers } = p;
      expect(AAVE_V2_PARAMETERS.assets[asset]).toEqual(numbers);
    }
    expect(AAVE_V2_PARAMETERS.assets.ETH).toEqual({ ltv: 0.8, liquidationThreshold: 0.825, liquidationBonus: 0.05 });
    expect(AAVE_V2_PARAMETERS.assets.WBTC).toEqual({ ltv: 0.7, liquidationThreshold: 0.75, liquidationBonus: 0.1 });
    expect(AAVE_V2_PARAMETERS.assets.USDC).toEqual({ ltv: 0.8, liquidationThreshold: 0.85, liquidationBonus: 0.05 });
    // 10 ETH at 2000 and 1 WBTC at 30000 against 12,000 USDC and 1 ETH of debt, by hand:
    // liquidation value 20000 x 0.825 + 30000 x 0.75 = 39000; capacity 20000 x 0.8 + 30000 x 0.7 = 37000; debt 14000.
    const a = assessLending({ collateral: { ETH: 10, WBTC: 1 }, debt: { USDC: 12000, ETH: 1 } }, { prices: { ETH: 2000, WBTC: 30000 } });
    expect(a.liquidationValue).toBe(39000);
    expect(a.borrowCapacity).toBe(37000);
    expect(a.debtValue).toBe(14000);
    expect(a.healthFactor).toBe(39000 / 14000);
    expect(a.availableToBorrow).toBe(23000);
    expect(a.liquidatable).toBe(false);
  });

  it('liquidation: 50% close factor and a 5% bonus, by hand', () => {
    // 10 ETH at 1000 (LT 0.825, bonus 5%) against 9000 USDC: HF = 8250 / 9000 < 1.
    const acc = { collateral: { ETH: 10 }, debt: { USDC: 9000 } };
    const r = simulateLiquidation(acc, { prices: { ETH: 1000 } });
    expect(r.liquidatable).toBe(true);
    expect(r.healthFactorBefore).toBe(8250 / 9000);
    expect(r.reason).toBe('closeFactor');
    expect(r.debtRepaid).toBe(4500); // 0.5 x 9000
    expect(r.collateralSeized).toBeCloseTo(4.725, 12); // 4500 x 1.05 / 1000
    expect(r.bonusValue).toBeCloseTo(225, 9); // 4500 x 0.05
    expect(r.after).toEqual({ collateral: { ETH: 10 - r.collateralSeized }, debt: { USDC: 4500 } });
    expect(r.healthFactorAfter).toBeCloseTo((5.275 * 1000 * 0.825) / 4500, 12);
    expect(acc).toEqual({ collateral: { ETH: 10 }, debt: { USDC: 9000 } });
    // A healthy account is left alone.
    const ok = simulateLiquidation({ collateral: { ETH: 10 }, debt: { USDC: 5000 } }, { prices: { ETH: 1000 } });
    expect(ok).toMatchObject({ liquidatable: false, reason: 'healthy', debtRepaid: 0, collateralSeized: 0 });
  });

  it('liquidation: too little of the chosen collateral -> all of it seized, repayment reduced (Aave V2 rule)', () => {
    // HF = (0.1 x 30000 x 0.75 + 10 x 1000 x 0.825) / 11000 = 10500 / 11000.
    const r = simulateLiquidation({ collateral: { WBTC: 0.1, ETH: 10 }, debt: { USDC: 11000 } }, { prices: { WBTC: 30000, ETH: 1000 } }, { collateralAsset: 'WBTC' });
    expect(r.healthFactorBefore).toBe(10500 / 11000);
    expect(r.reason).toBe('collateralExhausted');
    expect(r.collateralSeized).toBe(0.1);
    expect(r.debtRepaid).toBeCloseTo(3000 / 1.1, 9); // 0.1 x 30000 / (1 + 10% bonus)
    expect(r.bonusValue).toBeCloseTo(3000 - 3000 / 1.1, 9);
    // A smaller offer than the close factor allows is honoured.
    const s = simulateLiquidation({ collateral: { ETH: 10 }, debt: { USDC: 9000 } }, { prices: { ETH: 1000 } }, { repayAmount: 1000 });
    expect(s.reason).toBe('repayAmount');
    expect(s.collateralSeized).toBeCloseTo(1.05, 12);
    // Debt with no collateral at all: liquidatable, nothing to seize.
    const none = simulateLiquidation({ collateral: {}, debt: { USDC: 10 } });
    expect(none).toMatchObject({ liquidatable: true, reason: 'collateralExhausted', debtRepaid: 0, healthFactorBefore: 0 });
  });

  it('bad input: InputError with the path', () => {
    expect(err(() => healthFactor({ collateral: { ETH: -1 } }, { prices: { ETH: 1 } }))?.path).toBe('account.collateral.ETH');
    expect(err(() => healthFactor({ collateral: { ETH: 1 }, debt: { USDC: 1 } }))?.path).toBe('market.prices.ETH');
    expect(err(() => healthFactor({ collateral: { DOGE: 1 } }, { prices: { DOGE: 1 } }))?.path).toBe('account.collateral.DOGE.liquidationThreshold');
    expect(err(() => healthFactor({ collateral: [{ asset: 'X', amount: 1, price: 1, liquidationThreshold: 0.5, ltv: 0.6 }] }))?.path).toBe('account.collateral[0].ltv');
    expect(err(() => healthFactor({ collateral: [{ asset: 'X', amount: 1, price: 1, liquidationThreshold: 1.5 }] }))?.path).toBe('account.collateral[0].liquidationThreshold');
    expect(err(() => simulateLiquidation({ collateral: { ETH: 10 }, debt: { USDC: 9000 } }, { prices: { ETH: 1000 } }, { debtAsset: 'DAI' }))?.path).toBe('options.debtAsset');
    expect(err(() => healthFactor(null as never))).toBeInstanceOf(InputError);
  });
});

describe.each(BACKENDS)('lending parameter calibration (%s)', (backend) => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await engineFor(backend);
  });

  it('LT = (1 - d) / (1 + bonus) with d the tail price drop; LTV = LT - buffer; stricter at higher confidence', () => {
    const r = calibrateLendingParameters(engine, { history: ethCsv, confidence: 0.99, liquidationHorizonDays: 1, liquidationCost: 0.01, liquidatorIncentive: 0.04 });
    const d = calibrateHaircut(engine, { history: ethCsv, confidence: 0.99, mporDays: 1 }).es;
    expect(r.priceDrop).toBe(d);
    expect(r.liquidationBonus).toBeCloseTo(0.05, 15);
    expect(r.liquidationThreshold).toBeCloseTo((1 - d) / 1.05, 15);
    expect(r.ltv).toBeCloseTo(r.liquidationThreshold - 0.05, 15);
    // The solvency condition the rule states: at HF = 1 after the drop, collateral pays debt plus bonus.
    expect((1 - d)).toBeCloseTo(r.liquidationThreshold * (1 + r.liquidationBonus), 14);
    const strict = calibrateLendingParameters(engine, { history: ethCsv, confidence: 0.999, liquidationHorizonDays: 3 });
    const loose = calibrateLendingParameters(engine, { history: ethCsv, confidence: 0.95, liquidationHorizonDays: 1 });
    expect(strict.liquidationThreshold).toBeLessThan(loose.liquidationThreshold);
    // ETH's published Aave V2 LT is 82.5%: a 1-day ES99 rule with a 5% bonus lands in the same region (70-90%).
    expect(r.liquidationThreshold).toBeGreaterThan(0.7);
    expect(r.liquidationThreshold).toBeLessThan(0.9);
    expect(err(() => calibrateLendingParameters(engine, { history: ethCsv, ltvBuffer: -1 }))?.path).toBe('ltvBuffer');
  });

  it("a bad liquidation horizon is reported under the caller's name, not the haircut's mporDays", () => {
    for (const liquidationHorizonDays of [0, 2.5, -1, Number.NaN, '1' as never]) {
      const e = err(() => calibrateLendingParameters(engine, { history: ethCsv, liquidationHorizonDays }));
      expect(e).toBeInstanceOf(InputError);
      expect(e?.path).toBe('liquidationHorizonDays');
    }
    // A horizon longer than the history leaves fewer than 2 price drops: also the caller's field.
    const short = [100, 101, 99, 102, 98];
    expect(err(() => calibrateLendingParameters(engine, { history: short, liquidationHorizonDays: 4 }))?.path).toBe('liquidationHorizonDays');
    expect(err(() => calibrateLendingParameters(engine, { history: ethCsv, lookbackDays: 0 }))?.path).toBe('lookbackDays');
  });
});
