// Liquidation prices under portfolio margin on the worker pool (portfolioLiquidationPriceParallel),
// both backends, Node (worker_threads running dist/) and Chromium (module Web Workers served by
// Vite). The reference is the in-thread engine.liquidationPrice with a grid: results on 1, 2 and 3
// workers must equal it exactly (toEqual compares numbers with Object.is, so every price, equity,
// MM, count, status and reason string is identical; no tolerance, since each account's search is
// the same arithmetic on the same backend wherever it runs). Also: a bad account keeps the caller's
// numbering, abort, progress, validation before any work, inputs not modified.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DERIBIT_GRID, InputError, SPAN16_GRID, scenarioGrid,
  type Engine, type LiquidationPriceResult, type MarginAccount, type MarginMarket, type ScenarioGrid,
} from '../src/index.js';
import { portfolioLiquidationPriceParallel } from '../src/margin/portfolio-liquidation-parallel.js';
import { AbortedError, closeSharedPools, createWorkerPool, sharedPools } from '../src/parallel/index.js';
import { BACKENDS, engineFor } from './backends.js';
import { OPTION_BOOKS, chainMarket } from './margin-books.js';

/**
 * Twelve accounts covering what the solver distinguishes: short options hedged with perpetuals,
 * dated futures with and without entry prices, USD and coin options, a coin-settled perpetual, two
 * assets (positions and collateral), a thin account already below maintenance, long spot whose
 * levels are 'none' on both sides, an empty account, and ids left out (the result's id is the
 * caller's index, not the index inside a shard).
 */
const BOOKS: MarginAccount[] = [
  ...OPTION_BOOKS,
  { id: 'futures', collateral: { USDC: 30000 }, positions: [{ instrument: 'BTC-26MAR27', size: 1.5 }, { instrument: 'BTC-25DEC26', size: -0.5, entryPrice: 76000 }] },
  { id: 'coin-perp', collateral: { BTC: 0.5 }, positions: [{ kind: 'perpetual', asset: 'BTC', size: -1.5, entryPrice: 70000, settlement: 'coin' }] },
  { id: 'thin', collateral: { USDC: 50 }, positions: [{ instrument: 'BTC-29MAY26-85000-C', size: -3 }] },
  { id: 'long-spot', positions: [{ kind: 'spot', asset: 'BTC', size: 1.5 }] },
  {
    collateral: { USDC: 20000 },
    positions: [
      { instrument: 'BTC-29MAY26-70000-P', size: -1 },
      { instrument: 'BTC-29MAY26-80000-C', size: -1 },
      { instrument: 'BTC-29MAY26-50000-P', size: 1 },
      { instrument: 'BTC-29MAY26-100000-C', size: 1 },
    ],
  },
  { collateral: { ETH: 10 }, positions: [{ kind: 'option', asset: 'ETH', size: -20, strike: 3000, expiry: 0.2, type: 'call', vol: 0.7, settlement: 'coin' }] },
  { id: 'empty', positions: [] },
  { collateral: { USDC: 5000, BTC: 0.1 }, positions: [{ kind: 'future', asset: 'ETH', size: 4, expiry: 0.3 }, { kind: 'perpetual', asset: 'BTC', size: -0.2 }] },
  { id: 'eth-strangle', collateral: { USDC: 3000 }, positions: [{ kind: 'option', asset: 'ETH', size: -5, strike: 2800, expiry: 0.1, type: 'put', vol: 0.65 }, { instrument: 'ETH-PERPETUAL', size: 1 }] },
];

afterAll(async () => {
  await closeSharedPools();
  expect(sharedPools()).toEqual([]);
});

describe.each(BACKENDS)('portfolio liquidation price on workers (%s)', (backend) => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await engineFor(backend);
  });

  it('1, 2 and 3 workers give the in-thread results exactly, for two grids and two option sets; the batch covers every status', async () => {
    const cases: [ScenarioGrid, Parameters<Engine['liquidationPrice']>[3]][] = [
      [DERIBIT_GRID, {}],
      // Options must reach the workers: joint aggregation, haircuts and an iteration cap of 3 (some sides 'notConverged').
      [SPAN16_GRID, { aggregation: 'joint', haircuts: { ETH: 0.1, '*': 0.05 }, maxIterations: 3, upperFactor: 20 }],
    ];
    const statuses = new Set<string>();
    for (const [grid, options] of cases) {
      const ref = engine.liquidationPrice(BOOKS, chainMarket, grid, options as object);
      for (const r of ref) for (const a of r.assets) statuses.add(a.below.status).add(a.above.status);
      for (const workers of [1, 2, 3]) {
        // 5 accounts a shard: 3 shards, the last one short.
        const got = await portfolioLiquidationPriceParallel(engine, BOOKS, chainMarket, grid, { ...options, workers, accountsPerShard: 5 });
        expect(got, `${grid.name}, ${workers} workers`).toEqual(ref);
      }
    }
    // Default shard size and worker count ('auto').
    const ref = engine.liquidationPrice(BOOKS, chainMarket, DERIBIT_GRID);
    expect(await portfolioLiquidationPriceParallel(engine, BOOKS, chainMarket, DERIBIT_GRID)).toEqual(ref);
    expect(ref.map((r) => r.id)).toEqual(BOOKS.map((b, i) => b.id ?? String(i)));
    expect(ref.map((r) => r.status)).toContain('liquidation');
    for (const s of ['found', 'none', 'belowMaintenance', 'notConverged']) expect(statuses).toContain(s);
  });

  it('one account runs in this thread and returns one result; no accounts give []', async () => {
    const one = await portfolioLiquidationPriceParallel(engine, BOOKS[2], chainMarket, DERIBIT_GRID, { workers: 2 });
    expect(Array.isArray(one)).toBe(false);
    expect(one).toEqual(engine.liquidationPrice(BOOKS[2], chainMarket, DERIBIT_GRID));
    expect(await portfolioLiquidationPriceParallel(engine, [], chainMarket, DERIBIT_GRID, { workers: 2 })).toEqual([]);
  });

  it('a lower bound that underflows: the special reason is rebuilt as in-thread', async () => {
    const market: MarginMarket = { assets: { DUST: { index: 1e-300 } } };
    const grid = scenarioGrid({
      maintenanceFactor: 0.8,
      scenarios: [{ name: 'down', priceMove: -0.1, volShock: 0, weight: 1, extended: false }, { name: 'up', priceMove: 0.1, volShock: 0, weight: 1, extended: false }],
    });
    const accounts: MarginAccount[] = [-1e299, 2e299].map((q) => ({ collateral: { USDC: 0.3 * Math.abs(q) * 1e-300 }, positions: [{ kind: 'perpetual', asset: 'DUST', size: q, entryPrice: 1e-300 }] }));
    const ref = engine.liquidationPrice(accounts, market, grid, { lowerFactor: 1e-30 });
    expect(ref[0].assets[0].below.status).toBe('invalid');
    expect(ref[0].assets[0].below.reason).toContain('underflows');
    expect(await portfolioLiquidationPriceParallel(engine, accounts, market, grid, { lowerFactor: 1e-30, workers: 2, accountsPerShard: 1 })).toEqual(ref);
  });

  it('a malformed account inside a shard comes back with the caller\'s path, on workers and in this thread', async () => {
    const bad = [...BOOKS];
    bad[7] = { positions: [{ instrument: 'BTC-1JAN99-1-C', size: 1 }] };
    for (const workers of [1, 2]) {
      const err = await portfolioLiquidationPriceParallel(engine, bad, chainMarket, DERIBIT_GRID, { workers, accountsPerShard: 3 }).catch((x: unknown) => x);
      expect(err).toBeInstanceOf(InputError);
      expect((err as InputError).path).toBe('accounts[7].positions[0].instrument');
      expect((err as InputError).value).toBe('BTC-1JAN99-1-C');
    }
    // An index x upperFactor that overflows is found per account, in the shard: the option's path.
    const err = await portfolioLiquidationPriceParallel(engine, BOOKS, chainMarket, DERIBIT_GRID, { workers: 2, accountsPerShard: 4, upperFactor: 1e305 }).catch((x: unknown) => x);
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).path).toBe('options.upperFactor');
  });

  it('rejects malformed grids, market and options before any work, with the field path', async () => {
    const reject = async (p: Promise<unknown>, path: string) => {
      const err = await p.catch((x: unknown) => x);
      expect(err, path).toBeInstanceOf(InputError);
      expect((err as InputError).path).toBe(path);
    };
    // A pool of our own starts its workers lazily: none may start for a call rejected up front.
    const pool = createWorkerPool({ module: engine.backend === 'js' ? null : engine.module!, workers: 2 });
    const run = (options: object, grid: ScenarioGrid = DERIBIT_GRID, market: MarginMarket = chainMarket) =>
      portfolioLiquidationPriceParallel(engine, BOOKS, market, grid, { workers: 2, pool, ...options });
    await reject(run({ accountsPerShard: 0 }), 'options.accountsPerShard');
    await reject(run({ workers: 1.5 }), 'options.workers');
    await reject(run({ signal: 'stop' }), 'options.signal');
    await reject(run({ onProgress: 1 }), 'options.onProgress');
    await reject(run({ lowerFactor: 1.5 }), 'options.lowerFactor');
    await reject(run({ maxIterations: 0 }), 'options.maxIterations');
    await reject(run({ aggregation: 'both' }), 'options.aggregation');
    await reject(run({ haircuts: { BTC: 2 } }), 'options.haircuts.BTC');
    await reject(run({ perPosition: true }), 'options.perPosition');
    await reject(run({}, { scenarios: [{ name: 'x', priceMove: -2, volShock: 0, weight: 1, extended: false }] } as unknown as ScenarioGrid), 'grid.scenarios[0].priceMove');
    await reject(run({}, DERIBIT_GRID, { assets: { BTC: { index: -1 } } }), 'market.assets.BTC.index');
    await reject(portfolioLiquidationPriceParallel(engine, BOOKS, chainMarket, DERIBIT_GRID, null as unknown as object), 'options');
    expect(pool.liveWorkers).toBe(0);
    // The same pool does start workers for a valid call (so the check above can fail).
    await run({ accountsPerShard: 6 });
    expect(pool.liveWorkers).toBe(2);
    pool.close();
  });

  it('abort: an aborted signal rejects at once; an abort mid-run rejects with AbortedError; the pool still works afterwards', async () => {
    const done = new AbortController();
    done.abort('stop');
    const early = await portfolioLiquidationPriceParallel(engine, BOOKS, chainMarket, DERIBIT_GRID, { workers: 2, accountsPerShard: 2, signal: done.signal }).catch((x: unknown) => x);
    expect(early).toBeInstanceOf(AbortedError);
    expect((early as AbortedError).shardsDone).toBe(0);
    for (const workers of [1, 2]) {
      const c = new AbortController();
      const err = await portfolioLiquidationPriceParallel(engine, BOOKS, chainMarket, DERIBIT_GRID, {
        workers, accountsPerShard: 1, signal: c.signal, onProgress: () => c.abort('enough'),
      }).catch((x: unknown) => x);
      expect(err, `${workers} workers`).toBeInstanceOf(AbortedError);
      expect((err as AbortedError).reason).toBe('enough');
    }
    const ref = engine.liquidationPrice(BOOKS.slice(0, 4), chainMarket, DERIBIT_GRID);
    expect(await portfolioLiquidationPriceParallel(engine, BOOKS.slice(0, 4), chainMarket, DERIBIT_GRID, { workers: 2, accountsPerShard: 1 })).toEqual(ref);
  });

  it('progress rises strictly to exactly 1; accounts, market, grid and options are not modified', async () => {
    const accounts = structuredClone(BOOKS);
    const market = structuredClone(chainMarket);
    const grid = structuredClone(SPAN16_GRID);
    const options = { haircuts: { ETH: 0.1 }, aggregation: 'joint' as const, maxIterations: 5 };
    const before = structuredClone({ accounts, market, grid, options });
    const seen: number[] = [];
    const r = await portfolioLiquidationPriceParallel(engine, accounts, market, grid, { ...options, workers: 2, accountsPerShard: 3, onProgress: (f) => seen.push(f) });
    expect((r as LiquidationPriceResult[]).length).toBe(BOOKS.length);
    expect(seen).toHaveLength(4);
    for (let k = 1; k < seen.length; k++) expect(seen[k]).toBeGreaterThan(seen[k - 1]);
    expect(seen[seen.length - 1]).toBe(1);
    expect({ accounts, market, grid, options }).toEqual(before);
  });
});
