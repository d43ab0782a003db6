// riskwasm/distributed against a real Redis (Debian's redis-server on 127.0.0.1, started here) with
// three worker processes (child_process.fork of test/fixtures/distributed-worker.mjs, which runs the
// built package): the same job in-thread, on the thread pool and distributed, compared bit for bit
// (Object.is on every number, so NaN = NaN and -0 != 0); a shard's error; abort; a duplicate
// completion; a worker killed mid-shard; Redis restarted with its append-only file (the run resumes)
// and wiped (the run fails with DistributedError, no number).
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import snapshot from '../../data/market/deribit_options_snapshot_20260415T102447Z.csv?raw';
import { AbortedError, InputError, loadDeribitChain, marginAccountColumns, type MarginAccount, type MonteCarloArgs } from '../../src/index.js';
import { portfolioMarginColumnsParallel } from '../../src/margin/portfolio-margin-columns.js';
import { DERIBIT_GRID, marketFromDeribitChain } from '../../src/margin/index.js';
import { checkAggregation, checkGrid, portfolioMargin } from '../../src/margin/portfolio-margin.js';
import { portfolioMarginParallel } from '../../src/margin/portfolio-margin-parallel.js';
import { marketForWorkers } from '../../src/margin/market.js';
import { splitMarginJob } from '../../src/margin/margin-shard-plan.js';
import { encode } from '../../src/distributed/wire.js';
import { portfolioLiquidationPrice } from '../../src/margin/portfolio-liquidation-price.js';
import { closeSharedPools } from '../../src/parallel/index.js';
import { DistributedError, runDistributed, type ShardQueueStats } from '../../src/distributed/index.js';
import { BACKENDS, engineFor } from '../backends.js';
import { REDIS_SERVER, startRedis, type TestRedis } from './redis-server.js';

const WORKER_SCRIPT = new URL('../fixtures/distributed-worker.mjs', import.meta.url);
const BUILT = existsSync(new URL('../../dist/distributed/index.js', import.meta.url));
const QUEUE = 'test';
// Short locks so that a killed worker's shard is recovered in ~2-3 s rather than 30 s.
const WORKER_OPTIONS = { lockDuration: 2000, stalledInterval: 1000 };

interface WorkerProc {
  child: ChildProcess;
  events: { type: string; index?: number; attemptsMade?: number }[];
}

function startWorkerProcess(url: string, queue = QUEUE, options: object = WORKER_OPTIONS): Promise<WorkerProc> {
  const child = fork(WORKER_SCRIPT, [url, queue, JSON.stringify(options)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const proc: WorkerProc = { child, events: [] };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('worker process did not start in 20 s')), 20_000);
    child.on('message', (m: { type: string }) => {
      proc.events.push(m);
      if (m.type === 'ready') {
        clearTimeout(timer);
        resolve(proc);
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`worker process exited with ${code}`));
    });
  });
}

function stopProcess(p: WorkerProc): Promise<void> {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => p.child.kill('SIGKILL'), 5000);
    p.child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    p.child.kill('SIGTERM');
  });
}

/** Every number identical bit for bit (Object.is), typed arrays element by element, keys equal; `skip` keys ignored (timings, and Monte Carlo's worker counts, which echo the run's settings). */
function expectSameBits(a: unknown, b: unknown, path = 'result', skip: ReadonlySet<string> = new Set(['elapsedMs', 'workers', 'workersUsed'])): void {
  if (typeof b === 'number') {
    expect(Object.is(a, b), `${path}: ${String(a)} vs ${b}`).toBe(true);
    return;
  }
  if (ArrayBuffer.isView(b)) {
    const x = a as Float64Array;
    const y = b as Float64Array;
    expect(x?.length, `${path}.length`).toBe(y.length);
    let bad = -1;
    for (let i = 0; i < y.length && bad < 0; i++) if (!Object.is(x[i], y[i])) bad = i;
    expect(bad, `${path}[${bad}]: ${x[bad]} vs ${y[bad]}`).toBe(-1);
    return;
  }
  if (b === null || typeof b !== 'object') {
    expect(a, path).toBe(b);
    return;
  }
  const keys = Object.keys(b).filter((k) => !skip.has(k));
  expect(Object.keys(a as object).filter((k) => !skip.has(k)).sort(), `${path} keys`).toEqual([...keys].sort());
  for (const k of keys) expectSameBits((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`, skip);
}

const chain = loadDeribitChain(snapshot);
const market = marketFromDeribitChain(chain);
const names = chain.instrument.filter((n) => market.vols![n] !== undefined);

/** A book of `n` accounts over the bundled chain (deterministic, mixed longs and shorts, both assets). */
function book(n: number, perAccount = 5): MarginAccount[] {
  return Array.from({ length: n }, (_, a) => ({
    id: `acc${a}`,
    collateral: { USDC: 20_000 + 100 * (a % 13) },
    positions: [
      ...Array.from({ length: perAccount }, (_, k) => ({ instrument: names[(a * 53 + k * 211) % names.length]!, size: ((a + 2 * k) % 7) - 3 })),
      { instrument: a % 2 ? 'BTC-PERPETUAL' : 'ETH-PERPETUAL', size: a / 10 - 3 },
    ],
  }));
}

const mcArgs: MonteCarloArgs = {
  model: { kind: 'gbm', spot: 100, rate: 0.03, dividendYield: 0.01, vol: 0.25 },
  payoff: { kind: 'european', strike: 105, type: 'call' },
  expiry: 1, paths: 60_000, steps: 8, seed: 2026, shardSize: 2048, greeks: true,
};

// Revaluation: 12 positions x 7001 scenarios, above the in-thread threshold (65,536 pairs).
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
} as never;
const m = 7001;
const logReturns = Float64Array.from({ length: 2 * m }, (_, i) => Math.sin(i * 0.7) * 0.15);
const volShocks = Array.from({ length: m }, (_, s) => [Math.cos(s) * 0.1, Math.sin(s * 0.3) * 0.2]);
const revalueArgs = { portfolio, scenarios: { logReturns, volShocks, volShockMode: 'relative' as const, horizon: 2 / 365 }, positionPnl: true };

const HAVE_REDIS = existsSync(REDIS_SERVER);
// Under CI (.ci/run installs redis-server) a missing server is a failure, not a skip.
if (!HAVE_REDIS && inject('ci')) throw new Error(`${REDIS_SERVER} not found: .ci/run installs redis-server`);
if (!HAVE_REDIS) console.warn(`distributed tests skipped: ${REDIS_SERVER} not found (.ci/run installs redis-server)`);

describe.runIf(HAVE_REDIS)('riskwasm/distributed on Redis with three worker processes', () => {
  let redis: TestRedis;
  let workers: WorkerProc[] = [];
  let inspect: Redis;
  let queue: Queue;
  const connection = (): string => redis.url;

  beforeAll(async () => {
    if (!BUILT) throw new Error('run `npm run build` first: the worker processes load dist/distributed/index.js');
    redis = await startRedis();
    workers = await Promise.all([0, 1, 2].map(() => startWorkerProcess(redis.url)));
    inspect = new Redis(redis.url, { maxRetriesPerRequest: null });
    inspect.on('error', () => {});
    queue = new Queue(QUEUE, { connection: inspect });
    queue.on('error', () => {});
  }, 60_000);

  afterAll(async () => {
    await Promise.all(workers.map(stopProcess));
    await queue?.close().catch(() => {});
    inspect?.disconnect();
    await redis?.stop();
    await closeSharedPools();
  }, 60_000);

  const completions = (): number => workers.reduce((n, w) => n + w.events.filter((e) => e.type === 'completed').length, 0);

  describe.each(BACKENDS)('the same bits in-thread, on the thread pool and distributed (%s)', (backend) => {
    it('Monte Carlo pricing (price, standard error, greeks, details)', async () => {
      const engine = await engineFor(backend);
      const ref = await engine.monteCarlo(mcArgs);
      const pooled = await engine.monteCarlo({ ...mcArgs, workers: 2 });
      const fractions: number[] = [];
      let stats: ShardQueueStats | undefined;
      const dist = await runDistributed(engine, { kind: 'monteCarlo', args: mcArgs }, {
        connection: connection(), queue: QUEUE, onProgress: (f) => fractions.push(f), onStats: (s) => { stats = s; },
      });
      expectSameBits(pooled, ref);
      expectSameBits(dist, ref);
      const shards = Math.ceil(mcArgs.paths / mcArgs.shardSize!);
      expect(fractions).toHaveLength(shards);
      expect(fractions.every((f, i) => i === 0 || f > fractions[i - 1]!)).toBe(true);
      expect(fractions.at(-1)).toBe(1);
      // The job travels once (a few hundred bytes), not per shard.
      expect(stats!.sharedBytes).toBeGreaterThan(0);
      expect(stats!.sharedBytes).toBeLessThan(10_000);
      expect(stats!.partBytes).toBe(0);
    }, 120_000);

    it('portfolio margin of 300 accounts: accounts travel per shard, market and grid once', async () => {
      const engine = await engineFor(backend);
      const accounts = book(300);
      const before = JSON.stringify(accounts);
      const ref = portfolioMargin(engine, accounts, market, DERIBIT_GRID);
      const pooled = await portfolioMarginParallel(engine, accounts, market, DERIBIT_GRID, { workers: 2, accountsPerShard: 40 });
      let stats: ShardQueueStats | undefined;
      const dist = await runDistributed(engine, { kind: 'portfolioMargin', accounts, market, grid: DERIBIT_GRID }, {
        connection: connection(), queue: QUEUE, shardSize: 40, onStats: (s) => { stats = s; },
      });
      expectSameBits(pooled, ref);
      expectSameBits(dist, ref);
      expect(JSON.stringify(accounts)).toBe(before);
      // What was stored: the builder's split job, once (shared blob + one part per shard), and a
      // shard's part holds its own accounts only (8 shards: none near the parts' total).
      const whole = encode(splitMarginJob(accounts, 40, { market: marketForWorkers(market), grid: checkGrid(DERIBIT_GRID), aggregation: checkAggregation(undefined) })).byteLength;
      const shards = Math.ceil(accounts.length / 40);
      expect(stats!.partBytes).toBeGreaterThan(0);
      expect(stats!.sharedBytes + stats!.partBytes).toBeGreaterThan(0.97 * whole);
      expect(stats!.sharedBytes + stats!.partBytes).toBeLessThan(whole + 1000 * shards);
      expect(stats!.maxPartBytes).toBeLessThan((2 * stats!.partBytes) / shards);
    }, 120_000);

    it('portfolio margin as columns (output: \'columns\'): the in-thread columns bit for bit; each shard\'s part is deleted once read', async () => {
      const engine = await engineFor(backend);
      const accounts = book(250);
      const before = JSON.stringify(accounts);
      const ref = engine.portfolioMarginColumns(accounts, market, DERIBIT_GRID, { accountsPerShard: 30 });
      const objects = portfolioMargin(engine, accounts, market, DERIBIT_GRID);
      let stats: ShardQueueStats | undefined;
      const fractions: number[] = [];
      const dist = await runDistributed(engine, { kind: 'portfolioMargin', accounts, market, grid: DERIBIT_GRID, output: 'columns' }, {
        connection: connection(), queue: QUEUE, shardSize: 30, onStats: (s) => { stats = s; }, onProgress: (f) => fractions.push(f),
      });
      const { account: _a, ...fields } = dist;
      const { account: _b, ...want } = ref;
      expectSameBits(fields, want);
      // The object built on access is engine.portfolioMargin's (a reference that shares no column code).
      for (const i of [0, 1, 29, 30, 137, 249]) expectSameBits(dist.account(i), objects[i], `account(${i})`);
      expect(JSON.stringify(accounts)).toBe(before);
      expect(fractions).toHaveLength(Math.ceil(250 / 30));
      expect(fractions.at(-1)).toBe(1);
      expect(stats!.partBytes).toBeGreaterThan(0);
      // Per-run parts are gone (read and deleted); the content-addressed shared blob stays (TTL).
      expect(await inspect.keys(`riskwasm:${QUEUE}:part:*`)).toEqual([]);
      expect((await inspect.keys(`riskwasm:${QUEUE}:blob:*`)).length).toBeGreaterThan(0);
    }, 120_000);

    it('portfolio margin of a book in columns (MarginAccountColumns): in-thread, thread pool and 3 worker processes, every column bit for bit; shards carry slices', async () => {
      const engine = await engineFor(backend);
      const accounts = book(260);
      // Inline specs and collateral in columns too: a spot line and a perpetual with an entry price on some accounts.
      for (let a = 0; a < accounts.length; a += 3) accounts[a]!.positions = [...accounts[a]!.positions, { kind: 'spot', asset: 'BTC', size: 0.1 * (a % 5) }];
      for (let a = 1; a < accounts.length; a += 4) accounts[a]!.positions = [...accounts[a]!.positions, { instrument: 'BTC-PERPETUAL', size: -1, entryPrice: 60_000 + a }];
      const cols = marginAccountColumns(accounts);
      const objects = portfolioMargin(engine, accounts, market, DERIBIT_GRID);
      const inThread = engine.portfolioMarginColumns(cols, market, DERIBIT_GRID, { accountsPerShard: 30 });
      const pooled = await portfolioMarginColumnsParallel(engine, cols, market, DERIBIT_GRID, { workers: 2, accountsPerShard: 30 });
      let stats: ShardQueueStats | undefined;
      const dist = await runDistributed(engine, { kind: 'portfolioMargin', accounts: cols, market, grid: DERIBIT_GRID }, {
        connection: connection(), queue: QUEUE, shardSize: 30, onStats: (s) => { stats = s; },
      });
      const { account: _a, ...want } = inThread;
      const { account: _b, ...fromPool } = pooled;
      const { account: _c, ...fromQueue } = dist;
      expectSameBits(fromPool, want);
      expectSameBits(fromQueue, want);
      // The reference that shares no column code: engine.portfolioMargin's objects.
      for (let i = 0; i < accounts.length; i++) expectSameBits(dist.account(i), objects[i], `account(${i})`);
      // A shard carries its slice: table indices and sizes (4 + 8 bytes a position), its own extras, nothing of the other shards.
      const shards = Math.ceil(accounts.length / 30);
      expect(stats!.partBytes).toBeGreaterThan(12 * cols.size.length);
      expect(stats!.partBytes).toBeLessThan(12 * cols.size.length + 2000 * shards + 8 * 30 * shards * (cols.collateralAssets?.length ?? 0));
      expect(stats!.maxPartBytes).toBeLessThan((2 * stats!.partBytes) / shards);
      expect(await inspect.keys(`riskwasm:${QUEUE}:part:*`)).toEqual([]);
      await expect(runDistributed(engine, { kind: 'portfolioMargin', accounts: cols, market, grid: DERIBIT_GRID, output: 'objects' }, { connection: connection(), queue: QUEUE }))
        .rejects.toMatchObject({ path: 'job.output' });
      // A malformed book fails before any Redis traffic, at the element.
      const bad = { ...cols, size: cols.size.slice() };
      bad.size[77] = NaN;
      await expect(runDistributed(engine, { kind: 'portfolioMargin', accounts: bad, market, grid: DERIBIT_GRID }, { connection: connection(), queue: QUEUE, shardSize: 30 }))
        .rejects.toMatchObject({ path: 'accounts.size[77]' });
    }, 120_000);

    // [scale] session 8: fields 'summary'. Reference: the full in-thread columns and engine.portfolioMargin's objects.
    it("portfolio margin with fields: 'summary' (accounts and a book in columns): in-thread, thread pool and 3 worker processes; every kept column bit for bit, the dropped ones absent and not shipped", async () => {
      const engine = await engineFor(backend);
      const accounts = book(240);
      const cols = marginAccountColumns(accounts);
      const objects = portfolioMargin(engine, accounts, market, DERIBIT_GRID);
      const full = engine.portfolioMarginColumns(cols, market, DERIBIT_GRID, { accountsPerShard: 30 });
      const { account: _f, scenarioPnl: _p, positionStart: _s, contributions: _c, fields: _x, ...kept } = full;
      const resultBytes: number[] = [];
      for (const input of [accounts, cols]) {
        const inThread = engine.portfolioMarginColumns(input, market, DERIBIT_GRID, { accountsPerShard: 30, fields: 'summary' });
        const pooled = await portfolioMarginColumnsParallel(engine, input, market, DERIBIT_GRID, { workers: 2, accountsPerShard: 30, fields: 'summary' });
        let stats: ShardQueueStats | undefined;
        const dist = await runDistributed(engine, { kind: 'portfolioMargin', accounts: input, market, grid: DERIBIT_GRID, fields: 'summary' }, {
          connection: connection(), queue: QUEUE, shardSize: 30, onStats: (st) => { stats = st; },
        });
        for (const [name, got] of [['in-thread', inThread], ['thread pool', pooled], ['distributed', dist]] as const) {
          expect(got.fields, name).toBe('summary');
          expect([got.scenarioPnl, got.positionStart, got.contributions], name).toEqual([undefined, undefined, undefined]);
          const { account: _a, scenarioPnl: _q, positionStart: _r, contributions: _d, fields: _y, ...rest } = got;
          expectSameBits(rest, kept, name);
        }
        for (let i = 0; i < accounts.length; i++) {
          const { scenarioPnl: _e, contributions: _g, ...want } = objects[i]!;
          const got = dist.account(i);
          expect('scenarioPnl' in got || 'contributions' in got).toBe(false);
          expectSameBits(got, want, `account(${i})`);
        }
        resultBytes.push(stats!.resultBytes);
      }
      // What came back: header, 11 columns per account and 4 per per-asset row (8 bytes each), plus
      // the wire's framing (< 64 bytes a shard): no scenario P&L nor contributions.
      const shards = Math.ceil(accounts.length / 30);
      const packed = 8 * (4 * shards + 11 * accounts.length + 4 * full.assetCode.length);
      for (const b of resultBytes) {
        expect(b).toBeGreaterThanOrEqual(packed);
        expect(b).toBeLessThan(packed + 64 * shards);
      }
      await expect(runDistributed(engine, { kind: 'portfolioMargin', accounts, market, grid: DERIBIT_GRID, fields: 'summary', output: 'objects' }, { connection: connection(), queue: QUEUE }))
        .rejects.toMatchObject({ path: 'job.output' });
      await expect(runDistributed(engine, { kind: 'portfolioMargin', accounts, market, grid: DERIBIT_GRID, fields: 'sumary' as never }, { connection: connection(), queue: QUEUE }))
        .rejects.toMatchObject({ path: 'job.fields', suggestion: 'summary' });
    }, 120_000);

    it('revaluation (12 positions x 7001 scenarios) and Monte Carlo VaR', async () => {
      const engine = await engineFor(backend);
      const ref = engine.revaluePortfolio(revalueArgs);
      const pooled = await engine.revaluePortfolio({ ...revalueArgs, workers: 2 });
      const dist = await runDistributed(engine, { kind: 'revaluePortfolio', args: revalueArgs }, { connection: connection(), queue: QUEUE });
      expectSameBits(pooled, ref);
      expectSameBits(dist, ref);

      const scenarios = { vols: [0.6, 0.8], volOfVol: [1, 1.2], paths: 6000, seed: 11, horizonDays: 1 };
      const mc = engine.monteCarloScenarios({ portfolio, ...scenarios });
      const rev = engine.revaluePortfolio({ portfolio, scenarios: mc });
      const tail = engine.empiricalTail({ sample: rev.pnl, confidence: 0.99 });
      const dvar = await runDistributed(engine, { kind: 'monteCarloVar', portfolio, scenarios, confidence: 0.99 }, { connection: connection(), queue: QUEUE });
      expectSameBits(dvar.revaluation, rev);
      expect(Object.is(dvar.var, tail.var) && Object.is(dvar.es, tail.es)).toBe(true);
      expect(dvar.es).toBeGreaterThanOrEqual(dvar.var);
    }, 120_000);
  });

  it('liquidation prices of 6 accounts (2 per shard) equal the in-thread search', async () => {
    const engine = await engineFor('wasm');
    const accounts = book(6, 3);
    const ref = portfolioLiquidationPrice(engine, accounts, market, DERIBIT_GRID);
    const dist = await runDistributed(engine, { kind: 'portfolioLiquidation', accounts, market, grid: DERIBIT_GRID }, { connection: connection(), queue: QUEUE, shardSize: 2 });
    expectSameBits(dist, ref);
  }, 120_000);

  it('a shard that throws fails the run with its error (class, code, path, message) after the configured attempts', async () => {
    const engine = await engineFor('wasm');
    const accounts = book(60);
    accounts[45] = { positions: [{ instrument: 'BTC-1JAN99-1-C', size: 1 }] };
    const local = await portfolioMarginParallel(engine, accounts, market, DERIBIT_GRID, { workers: 1, accountsPerShard: 7 }).catch((x: unknown) => x);
    const failedBefore = workers.flatMap((w) => w.events).filter((e) => e.type === 'failed').length;
    const err = await runDistributed(engine, { kind: 'portfolioMargin', accounts, market, grid: DERIBIT_GRID }, {
      connection: connection(), queue: QUEUE, shardSize: 7, attempts: 2,
    }).catch((x: unknown) => x);
    expect(local).toBeInstanceOf(InputError);
    expect(err).toBeInstanceOf(InputError);
    const [a, b] = [err as InputError, local as InputError];
    expect([a.name, a.code, a.path, a.message]).toEqual([b.name, b.code, b.path, b.message]);
    expect(a.path).toBe('accounts[45].positions[0].instrument');
    // Shard 6 (accounts 42-48) failed twice: its two attempts.
    const failed = workers.flatMap((w) => w.events).filter((e) => e.type === 'failed').slice(failedBefore);
    expect(failed.filter((e) => e.index === 6).length).toBe(2);
  }, 120_000);

  it('abort rejects with AbortedError and removes or skips the outstanding shards', async () => {
    const engine = await engineFor('wasm');
    const ctl = new AbortController();
    const args = { ...mcArgs, paths: 400_000, steps: 16, shardSize: 2048 };
    const err = await runDistributed(engine, { kind: 'monteCarlo', args }, {
      connection: connection(), queue: QUEUE, signal: ctl.signal, onProgress: () => ctl.abort(new Error('user')),
    }).catch((x: unknown) => x);
    expect(err).toBeInstanceOf(AbortedError);
    expect((err as AbortedError).shardsDone).toBeGreaterThanOrEqual(1);
    expect((err as AbortedError).shardsDone).toBeLessThan(196);
    // Within a few seconds nothing of the run is left: no waiting shard, none active.
    const deadline = Date.now() + 15_000;
    let counts = await queue.getJobCounts('waiting', 'active', 'prioritized', 'delayed');
    while (Object.values(counts).some((c) => c > 0) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      counts = await queue.getJobCounts('waiting', 'active', 'prioritized', 'delayed');
    }
    expect(counts).toEqual({ waiting: 0, active: 0, prioritized: 0, delayed: 0 });
    const already = new AbortController();
    already.abort();
    await expect(runDistributed(engine, { kind: 'monteCarlo', args }, { connection: connection(), queue: QUEUE, signal: already.signal })).rejects.toBeInstanceOf(AbortedError);
  }, 120_000);

  it('an aborted portfolio margin run leaves none of its per-shard parts in Redis', async () => {
    const engine = await engineFor('wasm');
    const controller = new AbortController();
    const err = await runDistributed(engine, { kind: 'portfolioMargin', accounts: book(400), market, grid: DERIBIT_GRID, output: 'columns' }, {
      connection: connection(), queue: QUEUE, shardSize: 5, signal: controller.signal, onProgress: () => controller.abort(),
    }).catch((x: unknown) => x);
    expect(err).toBeInstanceOf(AbortedError);
    // runDistributed settles after its clean-up: the parts of shards not yet read are deleted too.
    expect(await inspect.keys(`riskwasm:${QUEUE}:part:*`)).toEqual([]);
  }, 120_000);

  it('a late retry that fails after its shard\'s result was read (its part already deleted) is a duplicate, not a failure', async () => {
    const engine = await engineFor('wasm');
    const accounts = book(400);
    const ref = engine.portfolioMarginColumns(accounts, market, DERIBIT_GRID, { accountsPerShard: 5 });
    let stats: ShardQueueStats | undefined;
    let pushed: Promise<unknown> | undefined;
    const dist = await runDistributed(engine, { kind: 'portfolioMargin', accounts, market, grid: DERIBIT_GRID, output: 'columns' }, {
      connection: connection(), queue: QUEUE, shardSize: 5, onStats: (s) => { stats = s; },
      onProgress: () => {
        // What a stalled shard's retry reports when its part is gone: 'e:<index>' for a shard already read.
        pushed ??= (async () => {
          const [marker] = await inspect.keys(`riskwasm:${QUEUE}:run:*`);
          const id = marker!.slice(`riskwasm:${QUEUE}:run:`.length);
          for (let tries = 0; tries < 100; tries++) {
            for (const index of await inspect.hkeys(`riskwasm:${QUEUE}:res:${id}`)) {
              // Its part deleted: the submitter has read this shard's result.
              if ((await inspect.exists(`riskwasm:${QUEUE}:part:${id}:${index}`)) === 0) {
                await inspect.rpush(`riskwasm:${QUEUE}:done:${id}`, `e:${index}`);
                return;
              }
            }
            await new Promise((r) => setTimeout(r, 5));
          }
        })();
      },
    });
    await pushed;
    const { account: _a, ...fields } = dist;
    const { account: _b, ...want } = ref;
    expectSameBits(fields, want);
    expect(stats!.duplicates).toBeGreaterThanOrEqual(1);
  }, 120_000);

  it('a shard completed twice (its "done" pushed again) is counted once', async () => {
    const engine = await engineFor('wasm');
    // ~100 shards of ~10 ms: the run is still going when the duplicates arrive.
    const args = { ...mcArgs, paths: 200_000, steps: 16 };
    const ref = await engine.monteCarlo(args);
    const fractions: number[] = [];
    let stats: ShardQueueStats | undefined;
    let pushed: Promise<unknown> | undefined;
    const dist = await runDistributed(engine, { kind: 'monteCarlo', args }, {
      connection: connection(), queue: QUEUE, onStats: (s) => { stats = s; },
      onProgress: (f) => {
        fractions.push(f);
        // What a stalled shard's retry does when the first worker also finishes: its index again.
        pushed ??= (async () => {
          // The live run is the one with a marker.
          const [marker] = await inspect.keys(`riskwasm:${QUEUE}:run:*`);
          const id = marker!.slice(`riskwasm:${QUEUE}:run:`.length);
          const [index] = await inspect.hkeys(`riskwasm:${QUEUE}:res:${id}`);
          await inspect.rpush(`riskwasm:${QUEUE}:done:${id}`, index!, index!, index!);
        })();
      },
    });
    await pushed;
    expectSameBits(dist, ref);
    expect(fractions).toHaveLength(Math.ceil(args.paths / args.shardSize!));
    expect(fractions.every((f, i) => i === 0 || f > fractions[i - 1]!)).toBe(true);
    expect(fractions.at(-1)).toBe(1);
    expect(stats!.duplicates).toBeGreaterThanOrEqual(1);
  }, 120_000);

  it('a worker killed mid-shard: its shard is recovered as stalled and the result is the same bits', async () => {
    const engine = await engineFor('wasm');
    const args = { ...mcArgs, paths: 120_000, steps: 32, shardSize: 4096 };
    const ref = await engine.monteCarlo(args);
    const victim = workers[0]!;
    let killedAt = -1;
    const onMessage = (msg: { type: string; index?: number }): void => {
      if (msg.type === 'active' && killedAt < 0) {
        killedAt = msg.index!;
        victim.child.kill('SIGKILL');
      }
    };
    victim.child.on('message', onMessage);
    const before = completions();
    const dist = await runDistributed(engine, { kind: 'monteCarlo', args }, { connection: connection(), queue: QUEUE });
    victim.child.off('message', onMessage);
    expect(killedAt).toBeGreaterThanOrEqual(0);
    expect(victim.child.signalCode).toBe('SIGKILL');
    expectSameBits(dist, ref);
    // Every shard completed by a live worker (the killed one's included, after its lock expired).
    expect(completions() - before).toBeGreaterThanOrEqual(Math.ceil(args.paths / args.shardSize) - 1);
    workers[0] = await startWorkerProcess(redis.url);
  }, 120_000);

  it('a worker with concurrency 2 runs shards on two worker threads: same bits (Monte Carlo, revaluation blocks, portfolio margin)', async () => {
    const threaded = await startWorkerProcess(redis.url, 'threads', { concurrency: 2 });
    try {
      for (const backend of BACKENDS) {
        const engine = await engineFor(backend);
        const on = { connection: connection(), queue: 'threads' };
        expectSameBits(await runDistributed(engine, { kind: 'monteCarlo', args: mcArgs }, on), await engine.monteCarlo(mcArgs));
        expectSameBits(await runDistributed(engine, { kind: 'revaluePortfolio', args: revalueArgs }, on), engine.revaluePortfolio(revalueArgs));
        const accounts = book(120);
        expectSameBits(await runDistributed(engine, { kind: 'portfolioMargin', accounts, market, grid: DERIBIT_GRID }, { ...on, shardSize: 30 }),
          portfolioMargin(engine, accounts, market, DERIBIT_GRID));
      }
      expect(threaded.events.filter((e) => e.type === 'completed').length).toBeGreaterThan(0);
    } finally {
      await stopProcess(threaded);
    }
  }, 120_000);

  it('`riskwasm worker --redis URL` serves a queue and stops cleanly on SIGTERM (exit 0, JSON report of its shards)', async () => {
    const engine = await engineFor('wasm');
    const cli = fork(new URL('../../dist/cli/main.js', import.meta.url), ['worker', '--redis', redis.url, '--queue', 'cli', '--json', '--quiet'], { stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
    let stdout = '';
    cli.stdout!.on('data', (b: Buffer) => { stdout += b.toString(); });
    const exit = new Promise<number | null>((r) => cli.once('exit', (code) => r(code)));
    try {
      const ref = await engine.monteCarlo(mcArgs);
      const dist = await runDistributed(engine, { kind: 'monteCarlo', args: mcArgs }, { connection: connection(), queue: 'cli' });
      expectSameBits(dist, ref);
    } finally {
      cli.kill('SIGTERM');
    }
    expect(await exit).toBe(0);
    const report = JSON.parse(stdout) as { schema: string; queue: string; shards: number };
    expect(report.schema).toBe('riskwasm.worker/1');
    expect(report.queue).toBe('cli');
    expect(report.shards).toBe(Math.ceil(mcArgs.paths / mcArgs.shardSize!));
  }, 120_000);

  it('Redis restarted mid-run with its append-only file: the run resumes, same bits', async () => {
    const engine = await engineFor('wasm');
    // Long enough to outlive the restart (as the wipe case's run): with 120,000 paths the last
    // shards could finish while Redis was still shutting down, and the run ended before it was back.
    const args = { ...mcArgs, paths: 400_000, steps: 16 };
    const ref = await engine.monteCarlo(args);
    let restarted: Promise<void> | undefined;
    let backAt = Infinity;
    const dist = await runDistributed(engine, { kind: 'monteCarlo', args }, {
      connection: connection(), queue: QUEUE, onProgress: () => { restarted ??= redis.restart().then(() => { backAt = Date.now(); }); },
    });
    const endAt = Date.now();
    await restarted;
    // The run outlived the restart (Redis was down and back before the last result was read).
    expect(backAt).toBeLessThanOrEqual(endAt);
    expectSameBits(dist, ref);
  }, 120_000);

  it('Redis restarted mid-run without its data: DistributedError stateLost, never a number', async () => {
    const engine = await engineFor('wasm');
    const args = { ...mcArgs, paths: 400_000, steps: 16 };
    let restarted: Promise<void> | undefined;
    const err = await runDistributed(engine, { kind: 'monteCarlo', args }, {
      connection: connection(), queue: QUEUE, onProgress: () => { restarted ??= redis.restart({ wipe: true }); },
    }).catch((x: unknown) => x);
    await restarted;
    expect(err).toBeInstanceOf(DistributedError);
    expect((err as DistributedError).code).toBe('DISTRIBUTED');
    expect((err as DistributedError).reason).toBe('stateLost');
  }, 120_000);
});
