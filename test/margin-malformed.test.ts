// Every nested field of every margin entry point's inputs replaced, one at a time, by a hostile
// value (issue 11, item 7): the call either returns, with no NaN reported healthy / ok, or throws a
// RiskwasmError (InputError with a path); never a TypeError or RangeError. Exhaustive and
// deterministic over the fields of one realistic input per function, both backends.
import { describe, expect, it } from 'vitest';
import * as rw from '../src/index.js';
import { RiskwasmError } from '../src/errors.js';
import { BACKENDS, engineFor } from './backends.js';

const VALUES: unknown[] = [null, undefined, -1, NaN, Infinity, 'x', [], {}, () => 1, { length: 1e10 }, 1e308];
/** Every field path of `o` (arrays by index), depth-first. */
function paths(o: unknown, prefix: (string | number)[] = [], out: (string | number)[][] = [], depth = 0): (string | number)[][] {
  if (depth > 6 || o === null || typeof o !== 'object' || ArrayBuffer.isView(o)) return out;
  for (const k of Object.keys(o)) {
    const key = Array.isArray(o) ? Number(k) : k;
    out.push([...prefix, key]);
    paths((o as Record<string, unknown>)[k], [...prefix, key], out, depth + 1);
  }
  return out;
}
/** A deep copy of `o` with the field at `p` set to `v` (the caller's object is never modified). */
function setAt(o: unknown, p: (string | number)[], v: unknown): unknown {
  const clone = structuredClone(o);
  let cur = clone as Record<string | number, unknown>;
  for (let i = 0; i < p.length - 1; i++) cur = cur[p[i]] as Record<string | number, unknown>;
  cur[p[p.length - 1]] = v;
  return clone;
}
describe.each(BACKENDS)('margin inputs with one field replaced by a hostile value (%s)', (backend) => {
  it('throw RiskwasmError or return without NaN marked healthy / ok', async () => {
    const e = await engineFor(backend);
    const market = { assets: { BTC: { index: 90000, forwards: [{ expiry: 0.1, price: 90500 }] } }, vols: { C: 0.5 }, instruments: { C: { kind: 'option', asset: 'BTC', strike: 90000, expiry: 0.1, type: 'call' }, P: { kind: 'perpetual', asset: 'BTC' } }, rate: 0 };
    const account = { id: 'a', collateral: { BTC: 1, USD: 100 }, positions: [{ instrument: 'C', size: -1 }, { instrument: 'P', size: 1, entryPrice: 80000, accruedFunding: 1 }, { kind: 'future', asset: 'BTC', size: 1, expiry: 0.1, entryPrice: 85000 }, { kind: 'option', asset: 'BTC', size: 1, strike: 95000, expiry: 0.2, type: 'put', vol: 0.6 }, { kind: 'spot', asset: 'BTC', size: 1 }] };
    const grid = JSON.parse(JSON.stringify(rw.DERIBIT_GRID));
    const params = JSON.parse(JSON.stringify(rw.GENERIC_STANDARD));
    const lend = { collateral: [{ asset: 'ETH', amount: 10, price: 2000 }], debt: { USDC: 12000 } };
    const lmarket = { prices: { ETH: 2000 }, parameters: { ETH: { ltv: 0.8, liquidationThreshold: 0.825, liquidationBonus: 0.05 } }, closeFactor: 0.5 };
    const cases: [string, unknown[], (...a: never[]) => unknown][] = [
      ['standardMargin', [account, market, params, { haircuts: { BTC: 0.1 } }], (a, m, p, o) => rw.standardMargin(e, a, m, p, o)],
      ['portfolioMargin', [account, market, grid, { aggregation: 'joint' }], (a, m, g, o) => rw.portfolioMargin(e, a, m, g, o)],
      ['liquidationPrice', [account, market, params, { lowerFactor: 0.1, perPosition: true }], (a, m, p, o) => rw.liquidationPrice(e, a, m, p, o)],
      ['pmLiquidation', [account, market, grid, { haircuts: { BTC: 0.1 } }], (a, m, g, o) => rw.portfolioLiquidationPrice(e, a, m, g, o)],
      ['healthFactor', [lend, lmarket], (a, m) => rw.healthFactor(a, m)],
      ['simulateLiquidation', [lend, lmarket, { debtAsset: 'USDC', repayAmount: 100 }], (a, m, o) => rw.simulateLiquidation(a, m, o)],
      ['liquidationCost', [{ quantities: [1, 2], prices: [100, 100], model: { kind: 'depth', levels: [{ price: 99, size: 1 }, { price: 98, size: 5 }], mid: 100 }, penaltyRate: 0.01 }], (a) => rw.liquidationCost(a)],
      ['tiered', [{ size: 10, price: 100, equity: 5, maintenanceRate: 0.01, model: { kind: 'squareRoot', volatility: 0.05, adv: 1000 } }], (a) => rw.tieredLiquidation(a)],
      ['waterfall', [{ members: [{ id: 'a', margin: 1, defaultFund: 1, stressLoss: [5, 1] }, { id: 'b', margin: 2, defaultFund: 1, stressLoss: [0, 9], group: 'g' }], skinInTheGame: 1, scenarios: ['s1', 's2'], defaulters: 'cover2' }], (a) => rw.defaultWaterfall(a)],
      ['collateralValue', [{ BTC: 1 }, { BTC: 100 }, { BTC: 0.1 }], (a, b, c) => rw.collateralValue(a, b, c)],
      ['haircuts', [{ histories: { BTC: [1, 2, 3, 2, 1, 2, 3, 4, 3, 2] }, confidence: 0.9, floors: { BTC: 0.1 } }], (a) => rw.calibrateHaircuts(e, a)],
    ];
    const bad: string[] = [];
    for (const [name, args, f] of cases) {
      for (let ai = 0; ai < args.length; ai++) {
        const targets = [[] as (string | number)[], ...paths(args[ai])];
        for (const p of targets) {
          for (const v of VALUES) {
            const a2 = [...args];
            a2[ai] = p.length === 0 ? v : setAt(args[ai], p, v);
            try {
              const r = f(...(a2 as never[])) as { equity: number; initialMargin: number; maintenanceMargin: number; status: unknown };
              if (name === 'standardMargin' && [r.equity, r.initialMargin, r.maintenanceMargin].some(Number.isNaN) && r.status !== 'invalid') bad.push(`${name} ${p.join('.')} = ${String(v)}: NaN ${r.status}`);
              if (name === 'portfolioMargin' && Number.isNaN(r.initialMargin) && r.status === 0) bad.push(`${name} ${p.join('.')} = ${String(v)}: NaN ok`);
              if ((name === 'liquidationPrice' || name === 'pmLiquidation') && Number.isNaN(r.equity) && r.status !== 'invalid') bad.push(`${name} ${p.join('.')} = ${String(v)}: NaN equity ${r.status}`);
              if (name === 'healthFactor' && Number.isNaN(r as unknown as number)) bad.push(`${name} ${p.join('.')} = ${String(v)}: NaN`);
            } catch (err) {
              if (!(err instanceof RiskwasmError)) bad.push(`${name} arg${ai} ${p.join('.')} = ${String(v)}: ${(err as Error).name}: ${(err as Error).message.slice(0, 90)}`);
            }
          }
        }
      }
    }
    expect(bad).toEqual([]);
  }, 600_000);
});
