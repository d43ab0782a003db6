import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { propertySeed } from './backends.js';
import { InputError, Status } from '../src/index.js';
import { liquidationCost, tieredLiquidation, type ImpactModel } from '../src/margin/liquidation-cost.js';

// Pure JS, no engine: the functions take no kernels, so one run covers both backends.
const err = (f: () => unknown) => { try { f(); } catch (e) { return e as InputError; } return undefined; };

describe('liquidation cost', () => {
  it('linear impact: 0.5 lambda q^2, price move lambda q (closed form, 1e-15 relative)', () => {
    const r = liquidationCost({ quantities: [10, -4, 0], prices: 100, model: { kind: 'linear', lambda: 0.02 }, penaltyRate: 0.0075 });
    expect(r.impactCost[0]).toBeCloseTo(0.5 * 0.02 * 100, 13); // 1
    expect(r.impactCost[1]).toBeCloseTo(0.5 * 0.02 * 16, 13); // a short costs the same as a long
    expect(r.penalty[0]).toBeCloseTo(0.0075 * 10 * 100, 13);
    expect(r.total[0]).toBeCloseTo(1 + 7.5, 13);
    expect(r.priceMove[0]).toBeCloseTo(0.2, 15);
    expect(r.slippage[0]).toBeCloseTo(1 / 1000, 15);
    expect([...r.total.subarray(2)]).toEqual([0]);
    expect([...r.status]).toEqual([Status.ok, Status.ok, Status.ok]);
  });

  it('square-root impact: Y sigma sqrt(q / ADV) x q x P (Toth et al. 2011 form)', () => {
    const model: ImpactModel = { kind: 'squareRoot', volatility: 0.04, adv: 10000, Y: 0.7 };
    const r = liquidationCost({ quantities: [100, 400], prices: [50000, 50000], model });
    // q = 100: I = 0.7 x 0.04 x sqrt(0.01) = 0.0028; cost = 0.0028 x 100 x 50000 = 14000.
    expect(r.impactCost[0]).toBeCloseTo(14000, 8);
    expect(r.slippage[0]).toBeCloseTo(0.0028, 15);
    // Four times the size: twice the slippage, eight times the cost.
    expect(r.impactCost[1] / r.impactCost[0]).toBeCloseTo(8, 12);
  });

  it('depth ladder: fills level by level against the mid; an exhausted book is NaN with a status, the batch goes on', () => {
    const model: ImpactModel = { kind: 'depth', mid: 100.5, levels: [{ price: 100, size: 1 }, { price: 99, size: 2 }, { price: 97, size: 5 }] };
    const r = liquidationCost({ quantities: [2.5, 8, 9, Number.NaN], prices: 100.5, model });
    // 1 @ 100 and 1.5 @ 99 against 100.5: 1 x 0.5 + 1.5 x 1.5 = 2.75.
    expect(r.impactCost[0]).toBeCloseTo(2.75, 13);
    expect(r.priceMove[0]).toBeCloseTo(1.5, 13);
    // The whole book: 0.5 + 2 x 1.5 + 5 x 3.5 = 21.
    expect(r.impactCost[1]).toBeCloseTo(21, 13);
    expect(r.status[2]).toBe(Status.invalidInput);
    expect(r.total[2]).toBeNaN();
    expect(r.status[3]).toBe(Status.invalidInput);
    expect(r.status[0]).toBe(Status.ok);
  });

  it('property: cost increases with size under every model', () => {
    const seed = propertySeed('liquidation cost increasing in size');
    // Sizes up to 250 stay inside the 290-unit book of the depth model.
    const models: ImpactModel[] = [
      { kind: 'linear', lambda: 0.01 },
      { kind: 'squareRoot', volatility: 0.05, adv: 1000 },
      // A mid half a tick above the best bid: every fill costs something (with mid = best bid, fills at the best level are free).
      { kind: 'depth', mid: 100.25, levels: Array.from({ length: 20 }, (_, i) => ({ price: 100 - i * 0.5, size: 5 + i })) },
    ];
    fc.assert(fc.property(fc.double({ min: 1e-3, max: 150, noNaN: true }), fc.double({ min: 1e-3, max: 100, noNaN: true }), fc.double({ min: 0, max: 0.02, noNaN: true }), (q, dq, pen) => {
      return models.every((model) => {
        const r = liquidationCost({ quantities: [q, q + dq], prices: 100, model, penaltyRate: pen });
        return r.total[1] > r.total[0] && r.impactCost[1] >= r.impactCost[0];
      });
    }), { seed, numRuns: 200 });
  });

  it('tiered liquidation, by hand: one 25% chunk brings equity back above maintenance', () => {
    // 100 long at 100, equity 90, MM 1% of notional = 100 > 90. Linear lambda 0.001:
    // chunk 25: cost 0.5 x 0.001 x 625 = 0.3125, mark 100 -> 99.975, 75 left lose 75 x 0.025 = 1.875;
    // equity 90 - 0.3125 - 1.875 = 87.8125 >= MM 0.01 x 75 x 99.975 = 74.98125: stop.
    const r = tieredLiquidation({ size: 100, price: 100, equity: 90, maintenanceRate: 0.01, model: { kind: 'linear', lambda: 0.001 } });
    expect(r.chunks.length).toBe(1);
    expect(r.reason).toBe('aboveMaintenance');
    expect(r.chunks[0].impactCost).toBeCloseTo(0.3125, 13);
    expect(r.chunks[0].markAfter).toBeCloseTo(99.975, 12);
    expect(r.finalEquity).toBeCloseTo(87.8125, 11);
    expect(r.finalMaintenance).toBeCloseTo(74.98125, 11);
    expect(r.chunks[0].executionPrice).toBeCloseTo(100 - 0.3125 / 25, 12);
    expect(tieredLiquidation({ size: 100, price: 100, equity: 200, maintenanceRate: 0.01, model: { kind: 'linear', lambda: 0.001 } }).reason).toBe('healthy');
  });

  it('tiered liquidation: chunks sum to the totals, equity identity, chunk count bounded, every model', () => {
    const models: ImpactModel[] = [
      { kind: 'linear', lambda: 0.05 },
      { kind: 'squareRoot', volatility: 0.05, adv: 500, Y: 1 },
      { kind: 'depth', levels: Array.from({ length: 40 }, (_, i) => ({ price: 100 - i * 0.2, size: 5 })) },
    ];
    for (const model of models) {
      for (const size of [100, -100]) {
        const book = model.kind === 'depth' && size < 0 ? { ...model, levels: model.levels.map((l) => ({ price: 200 - l.price, size: l.size })) } : model;
        const r = tieredLiquidation({ size, price: 100, equity: 20, maintenanceRate: 0.01, model: book, penaltyRate: 0.0075, chunkFraction: 0.25 });
        const sum = (k: 'cost' | 'impactCost' | 'penalty' | 'remarkLoss') => r.chunks.reduce((t, c) => t + c[k], 0);
        expect(sum('cost')).toBeCloseTo(r.totalCost, 9);
        expect(sum('impactCost')).toBeCloseTo(r.totalImpactCost, 9);
        expect(sum('penalty')).toBeCloseTo(r.totalPenalty, 9);
        expect(r.finalEquity).toBeCloseTo(20 - r.totalCost - r.totalRemarkLoss, 9);
        expect(r.chunks.length).toBeLessThanOrEqual(4);
        expect(r.chunks.every((c) => c.cost > 0)).toBe(true);
        // Each chunk moves the mark against the position.
        expect(r.chunks.every((c) => Math.sign(size) * (c.markAfter - c.markBefore) <= 0)).toBe(true);
        expect(['aboveMaintenance', 'closed']).toContain(r.reason);
      }
    }
  });

  it('chunkFraction: a tiny fraction is rejected up front (no endless loop); the bounds are inclusive', () => {
    const base = { size: 1, price: 100, equity: 0, maintenanceRate: 0.01, model: { kind: 'linear', lambda: 0.001 } as ImpactModel };
    // 1e-17 x 1 is below the ulp of 1, so left - q == left: before the bound this never returned.
    for (const chunkFraction of [1e-17, 1e-5, 0, -0.5, Number.NaN, 1 + 1e-12]) {
      const e = err(() => tieredLiquidation({ ...base, chunkFraction }));
      expect(e).toBeInstanceOf(InputError);
      expect(e?.path).toBe('chunkFraction');
    }
    // The smallest accepted fraction still terminates, with at most ceil(1 / frac) chunks.
    const t0 = Date.now();
    const r = tieredLiquidation({ ...base, equity: -1e9, chunkFraction: 1e-4 });
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(r.reason).toBe('closed');
    expect(r.chunks.length).toBeLessThanOrEqual(10001);
    expect(r.finalSize).toBe(0);
    expect(tieredLiquidation({ ...base, equity: -1e9, chunkFraction: 1 }).chunks.length).toBe(1);
  });

  it('depth book: direction comes from the first distinct prices, so equal leading prices cannot hide a reversal', () => {
    const lv = (...ps: number[]) => ps.map((price) => ({ price, size: 1 }));
    const cost = (levels: { price: number; size: number }[]) => () => liquidationCost({ quantities: 1, prices: 100, model: { kind: 'depth', levels } });
    // 100, 100, 105 sets "rising" (an ask side); 90 then falls back: not monotone.
    expect(err(cost(lv(100, 100, 105, 90)))?.path).toBe('model.levels[3].price');
    expect(err(cost(lv(100, 100, 95, 101)))?.path).toBe('model.levels[3].price');
    expect(err(cost(lv(100, 99, 99, 100)))?.path).toBe('model.levels[3].price');
    // Monotone books with repeated prices (flat runs) stay valid on either side.
    for (const ps of [[100, 100, 105, 105, 110], [100, 100, 100, 90], [100, 100], [100]]) expect(err(cost(lv(...ps)))).toBeUndefined();
  });

  it('depth model: the reference is mid, else the mark, in liquidationCost and the first tiered chunk alike', () => {
    const levels = [{ price: 99.5, size: 2 }, { price: 99, size: 3 }, { price: 98, size: 10 }];
    for (const mid of [undefined, 100.25]) {
      const model: ImpactModel = { kind: 'depth', levels, ...(mid === undefined ? {} : { mid }) };
      // One chunk closes the whole 4-unit long (chunkFraction 1), walking 2 @ 99.5 and 2 @ 99.
      const t = tieredLiquidation({ size: 4, price: 100, equity: 0, maintenanceRate: 0.01, model, chunkFraction: 1 });
      const c = liquidationCost({ quantities: 4, prices: 100, model });
      const ref = mid ?? 100;
      const byHand = 2 * (ref - 99.5) + 2 * (ref - 99);
      expect(t.chunks.length).toBe(1);
      // Same sums in the same order: equal to the last bit; by hand to 1e-13 (a few roundings of ~1).
      expect(t.totalImpactCost).toBe(c.impactCost[0]);
      expect(c.impactCost[0]).toBeCloseTo(byHand, 13);
      expect(c.slippage[0]).toBeCloseTo(byHand / 400, 15);
    }
  });

  it('bad input: InputError with the path', () => {
    expect(err(() => liquidationCost({ quantities: [1], prices: 1, model: { kind: 'linear', lambda: -1 } }))?.path).toBe('model.lambda');
    expect(err(() => liquidationCost({ quantities: [1], prices: 1, model: { kind: 'cubic' } as never }))?.path).toBe('model.kind');
    expect(err(() => liquidationCost({ quantities: [1, 2], prices: [1], model: { kind: 'linear', lambda: 1 } }))?.path).toBe('prices');
    expect(err(() => liquidationCost({ quantities: [1], prices: 1, model: { kind: 'depth', levels: [] } }))?.path).toBe('model.levels');
    expect(err(() => tieredLiquidation({ size: 1, price: 1, equity: 0, maintenanceRate: 0.01, model: { kind: 'linear', lambda: 1 }, chunkFraction: 2 }))?.path).toBe('chunkFraction');
  });
});
