// Batch pricing and implied vol on the worker pool (Node and Chromium): `workers` turns
// engine.blackScholes / black76 / impliedVol into a Promise of the synchronous result, bit for bit
// (Object.is per element, statuses equal) for 1, 2 and 3 workers, bad elements keep their
// statuses, abort rejects, malformed pool options are InputErrors, nothing is mutated.
import { afterAll, describe, expect, it } from 'vitest';
import { InputError, Status, type Engine, type PricingResult } from '../src/index.js';
import { AbortedError, closeSharedPools, sharedPools } from '../src/parallel/index.js';
import { IN_THREAD_BELOW } from '../src/pricing/batch-shards.js';
import { BACKENDS, engineFor, expectInputError } from './backends.js';

afterAll(async () => {
  await closeSharedPools();
});

/** Above the in-thread threshold of every kernel, so 2 and 3 workers really split the batch; not a multiple of the shard size. */
const N = Math.max(IN_THREAD_BELOW.blackScholes, IN_THREAD_BELOW.impliedVol) + 4321;

/** A deterministic mixed batch with a bad element every 97 (NaN spot, negative vol, zero strike). */
function inputs(n: number) {
  const spots = new Float64Array(n);
  const strikes: number[] = [];
  const expiries = new Float64Array(n);
  const vols = new Float64Array(n);
  const types: ('call' | 'put')[] = [];
  for (let i = 0; i < n; i++) {
    spots[i] = 80 + ((i * 7919) % 400) / 10;
    strikes.push(60 + ((i * 104729) % 800) / 10);
    expiries[i] = ((i * 31) % 300) / 100; // includes 0
    vols[i] = 0.05 + ((i * 17) % 90) / 100;
    types.push(i % 3 ? 'call' : 'put');
    if (i % 97 === 5) spots[i] = NaN;
    if (i % 97 === 11) vols[i] = -0.1;
    if (i % 97 === 23) strikes[i] = 0;
  }
  return { spots, strikes, expiries, vols, types };
}

function snapshot(x: Record<string, unknown>): string {
  return JSON.stringify(Object.entries(x).map(([k, v]) => [k, ArrayBuffer.isView(v) ? Array.from(v as Float64Array, String) : v]));
}

/** Every column identical bit for bit (Object.is, so NaN = NaN and -0 != 0) and the same keys. */
function expectIdentical(a: object, b: object): void {
  const ra = a as Record<string, Float64Array | Uint8Array>;
  const rb = b as Record<string, Float64Array | Uint8Array>;
  expect(Object.keys(ra)).toEqual(Object.keys(rb));
  for (const key of Object.keys(rb)) {
    const x = ra[key]!;
    const y = rb[key]!;
    expect(x.length, key).toBe(y.length);
    let bad = -1;
    for (let i = 0; i < y.length && bad < 0; i++) if (!Object.is(x[i], y[i])) bad = i;
    expect(bad, `${key}[${bad}]: ${x[bad]} vs ${y[bad]}`).toBe(-1);
  }
}

describe.each(BACKENDS)('batch pricing with workers (%s)', (backend) => {
  const get = (): Promise<Engine> => engineFor(backend);
  const x = inputs(N);
  const bsArgs = { ...x, rates: 0.03, dividendYields: 0.01 };
  const b76Args = { forwards: x.spots, strikes: x.strikes, expiries: x.expiries, vols: x.vols, types: x.types, discountFactors: 0.98 };

  it('blackScholes price and greeks: identical to the synchronous call for 1, 2, 3 workers', async () => {
    const e = await get();
    const before = snapshot(bsArgs);
    // Pools are shared per module across the file: count the workers this backend's batches start.
    const spawnedBefore = sharedPools().reduce((s, p) => s + p.spawned, 0);
    for (const greeks of [false, true]) {
      const ref = e.blackScholes({ ...bsArgs, greeks });
      expect(ref.status.some((s) => s === Status.invalidInput)).toBe(true);
      for (const workers of [1, 2, 3]) {
        const r = await e.blackScholes({ ...bsArgs, greeks, workers });
        expectIdentical(r, ref);
      }
    }
    expect(snapshot(bsArgs)).toBe(before);
    // The batch really went to workers (not the in-thread path).
    expect(sharedPools().reduce((s, p) => s + p.spawned, 0) - spawnedBefore).toBeGreaterThanOrEqual(2);
  });

  it('black76 with coin settlement and greeks (premiumAdjustedDelta too), and an Int8Array of types', async () => {
    const e = await get();
    const types = Int8Array.from(x.types, (t, i) => (i % 211 === 7 ? 3 : t === 'call' ? 1 : -1)); // 3: a bad flag, per element
    const args = { ...b76Args, types, greeks: true as const, settlement: 'coin' as const };
    const before = snapshot(args);
    const ref = e.black76(args);
    expect(ref.premiumAdjustedDelta).toBeInstanceOf(Float64Array);
    for (const workers of [2, 3]) expectIdentical(await e.black76({ ...args, workers }), ref);
    expect(snapshot(args)).toBe(before);
  });

  it('impliedVol: identical for 1, 2, 3 workers, with aboveMaximum and invalidInput elements', async () => {
    const e = await get();
    const priced = e.black76(b76Args);
    const prices = Float64Array.from(priced.price);
    for (let i = 0; i < N; i += 101) prices[i] = -1; // invalid
    for (let i = 3; i < N; i += 103) prices[i] = 1e9; // above the maximum
    const { vols: _vols, ...rest } = b76Args;
    const args = { ...rest, prices, expiries: Float64Array.from(x.expiries, (t) => t + 0.01) };
    const before = snapshot(args);
    const ref = e.impliedVol(args);
    const codes = new Set(ref.status);
    expect(codes.has(Status.ok) && codes.has(Status.invalidInput) && codes.has(Status.aboveMaximum)).toBe(true);
    for (const workers of [1, 2, 3]) expectIdentical(await e.impliedVol({ ...args, workers }), ref);
    expect(snapshot(args)).toBe(before);
  });

  it("workers: 'auto', a small batch (in this thread) and caller-supplied out arrays", async () => {
    const e = await get();
    const ref = e.blackScholes(bsArgs);
    expectIdentical(await e.blackScholes({ ...bsArgs, workers: 'auto' }), ref);
    const small = { spots: x.spots.subarray(0, 50), strikes: x.strikes.slice(0, 50), expiries: 0.5, vols: 0.2, rates: 0.01, types: 'put' as const };
    expectIdentical(await e.blackScholes({ ...small, workers: 2 }), e.blackScholes(small));
    const price = new Float64Array(N);
    const r: PricingResult = await e.blackScholes({ ...bsArgs, out: { price }, workers: 2 });
    expect(r.price).toBe(price);
    expectIdentical(r, ref);
  });

  const isNode = typeof (globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node === 'string';
  it.runIf(isNode)('without shared memory (crossOriginIsolated false) the job and blocks travel as messages: same bits', async () => {
    const e = await get();
    const ref = e.blackScholes({ ...bsArgs, greeks: true });
    const refIv = e.impliedVol({ prices: ref.price, forwards: x.spots, strikes: x.strikes, expiries: 1, types: x.types });
    Object.defineProperty(globalThis, 'crossOriginIsolated', { value: false, configurable: true });
    try {
      expectIdentical(await e.blackScholes({ ...bsArgs, greeks: true, workers: 2 }), ref);
      expectIdentical(await e.impliedVol({ prices: ref.price, forwards: x.spots, strikes: x.strikes, expiries: 1, types: x.types, workers: 3 }), refIv);
    } finally {
      delete (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated;
    }
  });

  it('onProgress ends at exactly 1; abort rejects with AbortedError (already aborted, and mid-run)', async () => {
    const e = await get();
    const seen: number[] = [];
    await e.impliedVol({ prices: 5, forwards: x.spots, strikes: x.strikes, expiries: 1, types: x.types, workers: 2, onProgress: (f) => seen.push(f) });
    expect(seen.at(-1)).toBe(1);
    for (let i = 1; i < seen.length; i++) expect(seen[i]).toBeGreaterThan(seen[i - 1]!);
    const pre = new AbortController();
    pre.abort();
    await expect(e.blackScholes({ ...bsArgs, workers: 2, signal: pre.signal })).rejects.toBeInstanceOf(AbortedError);
    await expect(e.blackScholes({ spots: 100, strikes: 100, expiries: 1, vols: 0.2, rates: 0, types: 'call', workers: 2, signal: pre.signal }))
      .rejects.toBeInstanceOf(AbortedError);
    const mid = new AbortController();
    const run = e.blackScholes({ ...bsArgs, greeks: true, workers: 2, signal: mid.signal, onProgress: () => mid.abort() });
    await expect(run).rejects.toBeInstanceOf(AbortedError);
    // The pool still works after an abort.
    expectIdentical(await e.blackScholes({ ...bsArgs, workers: 2 }), e.blackScholes(bsArgs));
  });

  it('malformed pool options are InputErrors (the Promise rejects); pool options without workers throw at once', async () => {
    const e = await get();
    for (const workers of [0, -1, 1.5, 1025, 'two', null, NaN]) {
      const err = await e.blackScholes({ ...bsArgs, workers: workers as number }).then(() => undefined, (er: unknown) => er);
      expect(err, String(workers)).toBeInstanceOf(InputError);
      expect((err as InputError).path).toBe('workers');
    }
    const bad = await e.impliedVol({ prices: 1, forwards: 100, strikes: 100, expiries: 1, types: 'call', workers: 2, onProgress: 5 as never }).catch((er: unknown) => er);
    expect((bad as InputError).path).toBe('onProgress');
    const typo = await e.black76({ ...b76Args, workers: 2, rates: 0.01 } as never).catch((er: unknown) => er);
    expect((typo as InputError).path).toBe('rates');
    expect((typo as InputError).suggestion).toBe('discountFactors');
    const ctl = new AbortController();
    expectInputError(() => e.blackScholes({ ...bsArgs, signal: ctl.signal } as never), 'signal');
    expectInputError(() => e.impliedVol({ prices: 1, forwards: 100, strikes: 100, expiries: 1, types: 'call', pool: {} } as never), 'pool');
  });
});

describe.each(BACKENDS)('revaluePortfolio with workers (%s)', (backend) => {
  const portfolio = {
    spots: { BTC: 60000, ETH: 3000 },
    accounts: { usd: {}, btc: { numeraire: 'BTC' } },
    positions: [
      { kind: 'spot', asset: 'BTC', quantity: 2, account: 'usd' },
      { kind: 'perpetual', asset: 'ETH', quantity: -10, fundingRate: 0.1, account: 'usd' },
      { kind: 'future', asset: 'BTC', quantity: 50000, expiry: 0.25, basis: 0.05, settlement: 'coin', account: 'btc' },
      ...Array.from({ length: 9 }, (_, i) => ({
        kind: 'option', asset: i % 2 ? 'ETH' : 'BTC', quantity: i % 3 ? 1.5 : -2, strike: (i % 2 ? 3000 : 60000) * (0.8 + 0.05 * i),
        expiry: 0.02 + 0.1 * i, vol: 0.5 + 0.02 * i, type: i % 2 ? 'put' : 'call', settlement: i % 4 ? 'usd' : 'coin', rate: 0.03,
        volShockScale: 1 - 0.05 * i, account: i % 2 ? 'usd' : 'btc',
      })),
    ],
  } as const;
  const m = 7001; // 12 positions x 7001 scenarios: above the in-thread threshold, not a multiple of the shard size
  const logReturns = Float64Array.from({ length: 2 * m }, (_, i) => Math.sin(i * 0.7) * 0.15);
  const volShocks = Array.from({ length: m }, (_, s) => [Math.cos(s) * 0.1, Math.sin(s * 0.3) * 0.2]);
  const args = { portfolio: portfolio as never, scenarios: { logReturns, volShocks, volShockMode: 'relative' as const, horizon: 2 / 365 }, positionPnl: true };

  it('identical to the synchronous call for 1, 2, 3 workers (total, per account, per position); nothing mutated', async () => {
    const e = await engineFor(backend);
    const before = JSON.stringify(portfolio) + snapshot({ logReturns }) + JSON.stringify(volShocks);
    const ref = e.revaluePortfolio(args);
    expect(ref.pnl.every(Number.isFinite) && ref.pnl.some((v) => v !== 0)).toBe(true);
    for (const workers of [1, 2, 3]) {
      const r = await e.revaluePortfolio({ ...args, workers });
      expect(r.scenarios).toBe(ref.scenarios);
      expect(r.assets).toEqual(ref.assets);
      expectIdentical({ pnl: r.pnl, positionPnl: r.positionPnl! }, { pnl: ref.pnl, positionPnl: ref.positionPnl! });
      expectIdentical(r.accounts!, ref.accounts!);
    }
    expect(JSON.stringify(portfolio) + snapshot({ logReturns }) + JSON.stringify(volShocks)).toBe(before);
  });

  it('abort rejects with AbortedError; bad workers and malformed portfolios are InputErrors', async () => {
    const e = await engineFor(backend);
    const ctl = new AbortController();
    ctl.abort();
    await expect(e.revaluePortfolio({ ...args, workers: 2, signal: ctl.signal })).rejects.toBeInstanceOf(AbortedError);
    const bad = await e.revaluePortfolio({ ...args, workers: 0 }).catch((er: unknown) => er);
    expect((bad as InputError).path).toBe('workers');
    const badPos = await e.revaluePortfolio({ ...args, portfolio: { spots: { BTC: 1 }, positions: [{ kind: 'spot', asset: 'XRP', quantity: 1 }] }, workers: 2 })
      .catch((er: unknown) => er);
    expect((badPos as InputError).path).toBe('portfolio.positions[0].asset');
    expectInputError(() => e.revaluePortfolio({ ...args, onProgress: () => {} } as never), 'onProgress');
    // Pool options present as undefined are the synchronous call, as for blackScholes.
    const sync = e.revaluePortfolio({ ...args, workers: undefined, signal: undefined } as typeof args);
    expectIdentical(sync, e.revaluePortfolio(args));
  });
});
