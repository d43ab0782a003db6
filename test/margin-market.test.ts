import { describe, it, expect, beforeAll } from 'vitest';
import fc from 'fast-check';
import snapshot from '../data/market/deribit_options_snapshot_20260105T153329Z.csv?raw';
import { BACKENDS, engineFor, propertySeed, relDiff, expectInputError } from './backends.js';
import {
  InputError, forwardFor, loadDeribitChain, marketFromDeribitChain, resolveAccounts,
  type DeribitChain, type Engine, type MarginAccount, type MarginMarket,
} from '../src/index.js';

const chain: DeribitChain = loadDeribitChain(snapshot);
const market: MarginMarket = marketFromDeribitChain(chain);


describe('marketFromDeribitChain (bundled 2026-01-05 snapshot)', () => {
  it('one index per currency (within the rows\' range), one forward per expiry, a vol per option, listed futures and perpetuals', () => {
    expect(Object.keys(market.assets).sort()).toEqual(['BTC', 'ETH']);
    for (const cur of ['BTC', 'ETH']) {
      const rows = chain.currency.flatMap((c, i) => (c === cur ? [i] : []));
      const idx = rows.map((i) => chain.index[i]);
      const a = market.assets[cur];
      expect(a.index).toBeGreaterThanOrEqual(Math.min(...idx));
      expect(a.index).toBeLessThanOrEqual(Math.max(...idx));
      const expiries = new Set(rows.map((i) => chain.timeToMaturity[i]));
      expect(a.forwards?.length).toBe(expiries.size);
      expect(expiries.size).toBe(12);
      // Each expiry's forward is the mean of the chain's underlying over that expiry's rows (they
      // differ by up to 5e-4 relative across a snapshot taken over a second); 1e-12: summation order.
      for (const T of expiries) {
        const fs = rows.filter((i) => chain.timeToMaturity[i] === T).map((i) => chain.forward[i]);
        const F = forwardFor(a, T);
        expect(relDiff(F, fs.reduce((x, y) => x + y, 0) / fs.length)).toBeLessThan(1e-12);
        expect(F).toBeGreaterThanOrEqual(Math.min(...fs) * (1 - 1e-15));
        expect(F).toBeLessThanOrEqual(Math.max(...fs) * (1 + 1e-15));
      }
    }
    expect(market.instruments?.['BTC-PERPETUAL']).toEqual({ kind: 'perpetual', asset: 'BTC' });
    expect(market.instruments?.['ETH-16JAN26']?.kind).toBe('future');
    const withIv = chain.markIv.filter((v) => v > 0).length;
    expect(Object.keys(market.vols ?? {}).length).toBe(withIv);
  });
});

describe('forwardFor', () => {
  const asset = { index: 100, forwards: [{ expiry: 0.5, price: 101 }, { expiry: 0.1, price: 100.2 }, { expiry: 1, price: 103 }] };

  it('interpolates ln(F/S) linearly in time: the midpoint is the geometric mean, values stay between neighbours (fast-check)', () => {
    expect(relDiff(forwardFor(asset, 0.75), Math.sqrt(101 * 103))).toBeLessThan(1e-15);
    const seed = propertySeed('forward interpolation');
    fc.assert(fc.property(fc.double({ min: 0.1, max: 1, noNaN: true }), (T) => {
      const F = forwardFor(asset, T);
      const [lo, hi] = T <= 0.5 ? [100.2, 101] : [101, 103];
      expect(F).toBeGreaterThanOrEqual(lo * (1 - 1e-15));
      expect(F).toBeLessThanOrEqual(hi * (1 + 1e-15));
    }), { seed, numRuns: 200 });
  });

  it('extrapolates with the nearest listed basis rate, and is the index at T <= 0 or without forwards', () => {
    expect(relDiff(forwardFor(asset, 2), 100 * Math.exp(2 * Math.log(1.03)))).toBeLessThan(1e-14);
    expect(relDiff(forwardFor(asset, 0.05), 100 * Math.exp(0.05 * Math.log(1.002) / 0.1))).toBeLessThan(1e-14);
    expect(forwardFor(asset, 0)).toBe(100);
    expect(forwardFor({ index: 7 }, 1)).toBe(7);
  });
});

describe.each(BACKENDS)('resolveAccounts (%s)', (backend) => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await engineFor(backend);
  });

  it('marks every chain option at Black-76 (coin price x index) and reproduces Deribit\'s mark_price', () => {
    const rows = chain.instrument.flatMap((name, i) => (chain.markIv[i] > 0 ? [i] : []));
    const account: MarginAccount = { positions: rows.map((i) => ({ instrument: chain.instrument[i], size: 1 })) };
    const before = JSON.stringify(account);
    const [acc] = resolveAccounts(engine, [account], market);
    expect(JSON.stringify(account)).toBe(before);
    const bl = engine.black76({
      forwards: rows.map((i) => forwardFor(market.assets[chain.currency[i]], chain.timeToMaturity[i])), strikes: rows.map((i) => chain.strike[i]), expiries: rows.map((i) => chain.timeToMaturity[i]),
      vols: rows.map((i) => chain.markIv[i]), types: Int8Array.from(rows, (i) => chain.type[i]), settlement: 'coin',
    });
    const errs: number[] = [];
    rows.forEach((i, k) => {
      const p = acc.positions[k];
      expect(p.kind).toBe('option');
      expect(p.settlement).toBe('coin');
      const coin = p.markPerUnit / market.assets[p.asset].index;
      // Same model, same kernel: only the x index / index round trip separates them.
      expect(relDiff(coin, bl.price[k], 1e-300)).toBeLessThan(1e-13);
      errs.push(Math.abs(coin - chain.mark[i]));
    });
    errs.sort((a, b) => a - b);
    // Deribit publishes the IV to 4 digits and the forward moves within the snapshot: the median
    // mark error stays below 5e-5 coin (the bound of deribit-chain.test.ts, which uses each row's forward).
    expect(errs[Math.floor(errs.length / 2)]).toBeLessThan(5e-5);
  });

  it('resolves listed perpetuals and futures by name: the perp at the index, the future at its forward', () => {
    const [acc] = resolveAccounts(engine, [{ positions: [{ instrument: 'BTC-PERPETUAL', size: 2, entryPrice: 90000 }, { instrument: 'BTC-27MAR26', size: -1 }] }], market);
    expect(acc.positions[0].markPerUnit).toBe(market.assets.BTC.index);
    expect(acc.positions[0].entryPrice).toBe(90000);
    const T = (market.instruments!['BTC-27MAR26'] as { expiry: number }).expiry;
    expect(acc.positions[1].markPerUnit).toBe(forwardFor(market.assets.BTC, T));
  });

  it('a listed instrument held by many positions resolves once but each position keeps its own size, entry, funding and path', () => {
    const call = 'BTC-27MAR26-100000-C';
    expect(market.instruments![call]).toBeDefined();
    const accounts: MarginAccount[] = [
      { positions: [{ instrument: call, size: -2 }, { instrument: 'BTC-PERPETUAL', size: 1, entryPrice: 90000, accruedFunding: 12 }] },
      { positions: [{ instrument: call, size: 3 }, { instrument: 'BTC-PERPETUAL', size: -4 }, { instrument: call, size: 1, vol: 0.9 }] },
    ];
    const [a, b] = resolveAccounts(engine, accounts, market);
    // Each alone: the cache must not change a single field.
    const [a1] = resolveAccounts(engine, [accounts[0]], market);
    const [b1] = resolveAccounts(engine, { positions: accounts[1].positions }, market).map((r) => r);
    const fields = (p: object) => JSON.parse(JSON.stringify(p, (k, v) => (k === 'accountPath' || k === 'position' ? undefined : v)));
    expect(a.positions.map(fields)).toEqual(a1.positions.map(fields));
    expect(b.positions.map(fields)).toEqual(b1.positions.map(fields));
    expect(b.positions.map((p) => p.size)).toEqual([3, -4, 1]);
    expect(b.positions[0].markPerUnit).toBe(a.positions[0].markPerUnit);
    expect(b.positions[1].entryPrice).toBeNaN();
    expect(b.positions[1].accruedFunding).toBe(0);
    expect(a.positions[1].accruedFunding).toBe(12);
    // A vol given on the position overrides the market's and is priced on its own.
    expect(b.positions[2].vol).toBe(0.9);
    expect(b.positions[2].markPerUnit).toBeGreaterThan(b.positions[0].markPerUnit);
    expect(b.positions[1].path).toBe('accounts[1].positions[1]');
    // A bad field on a repeated instrument names that position, not the first holder.
    expectInputError(() => resolveAccounts(engine, [accounts[0], { positions: [{ instrument: call, size: Number.NaN }] }], market), 'accounts[1].positions[0].size');
    expectInputError(() => resolveAccounts(engine, [accounts[0], { positions: [{ instrument: 'BTC-PERPETUAL', size: 1, entryPrice: -3 }] }], market), 'accounts[1].positions[0].entryPrice');
  });

  it('names the path of bad input: unknown instrument or asset, expired option, missing vol, negative collateral, short spot', () => {
    const opt = { kind: 'option' as const, asset: 'BTC', size: -1, strike: 90000, expiry: 0.1, type: 'call' as const, vol: 0.5 };
    expectInputError(() => resolveAccounts(engine, [{ positions: [opt, { instrument: 'BTC-1JAN20-1-C', size: 1 }] }], market), 'accounts[0].positions[1].instrument');
    expectInputError(() => resolveAccounts(engine, { positions: [{ ...opt, expiry: 0 }] }, market), 'account.positions[0].expiry');
    expectInputError(() => resolveAccounts(engine, { positions: [{ ...opt, expiry: -0.01 }] }, market), 'account.positions[0].expiry');
    expectInputError(() => resolveAccounts(engine, { positions: [{ ...opt, vol: undefined }] }, market), 'account.positions[0].vol');
    expectInputError(() => resolveAccounts(engine, { positions: [{ ...opt, vol: -0.2 }] }, market), 'account.positions[0].vol');
    expectInputError(() => resolveAccounts(engine, [{ positions: [] }, { collateral: { BTC: -1 }, positions: [] }], market), 'accounts[1].collateral.BTC');
    expectInputError(() => resolveAccounts(engine, { positions: [{ kind: 'spot', asset: 'ETH', size: -2 }] }, market), 'account.positions[0].size');
    expectInputError(() => resolveAccounts(engine, { positions: [{ kind: 'perpetual', asset: 'DOGE', size: 2 }] }, market), 'account.positions[0].asset');
    expectInputError(() => resolveAccounts(engine, { positions: [{ kind: 'perpetual', asset: 'USDC', size: 2 }] }, market), 'account.positions[0].asset');
    expectInputError(() => resolveAccounts(engine, { collateral: { XRP: 3 }, positions: [] }, market), 'account.collateral.XRP');
    expectInputError(() => resolveAccounts(engine, { positions: [] }, { assets: { BTC: { index: -5 } } }), 'market.assets.BTC.index');
    expectInputError(() => resolveAccounts(engine, { positions: [{ ...opt, type: 'straddle' as 'call' }] }, market), 'account.positions[0].type');
  });
});
