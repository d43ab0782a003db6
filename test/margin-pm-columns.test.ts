// Portfolio margin as columns (src/margin/portfolio-margin-columns.ts). The reference is always
// engine.portfolioMargin on the same accounts (one result object per account, built by the risk
// matrix itself; it shares none of the packing, copying or column code). Every field must be
// identical bit for bit (Object.is: -0 and NaN included; no tolerance, since the columns only move
// the numbers the same arithmetic produced), read two ways: straight from the columns, and through
// account(i). Both backends; shard sizes 1, 7 and the default; both aggregations; two grids.
import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  DERIBIT_GRID, InputError, SPAN16_GRID, marginAccountColumns, type Engine, type MarginAccount, type MarginPosition, type PortfolioMarginColumns, type PortfolioMarginResult,
  type PortfolioMarginSummaryColumns, type ScenarioGrid,
} from '../src/index.js';
import { MarginColumnsBuilder, portfolioMarginColumnsParallel } from '../src/margin/portfolio-margin-columns.js';
import { portfolioMarginShard, portfolioMarginTask, SHARD_HEADER } from '../src/margin/portfolio-margin-shard.js';
import { closeSharedPools } from '../src/parallel/index.js';
import { MarginShardPlanner, planMarginShards, shardAccounts } from '../src/margin/margin-shard-plan.js';
import { BACKENDS, engineFor, expectInputError, propertySeed } from './backends.js';
import { ADD_ON_GRID, CHAIN_FUTURES, CHAIN_OPTIONS, CHAIN_PERPS, IS_NODE, chainMarket } from './margin-books.js';

const instruments = chainMarket.instruments!;
const OPTIONS = CHAIN_OPTIONS, FUTURES = CHAIN_FUTURES, PERPS = CHAIN_PERPS;

/** Accounts of many shapes: by-name positions, entry prices, funding, collateral, no id, no positions, explicit instruments, two assets. */
function mixedBook(count: number): MarginAccount[] {
  const book: MarginAccount[] = [];
  for (let a = 0; a < count; a++) {
    const positions: MarginPosition[] = [];
    const n = a % 9 === 4 ? 0 : 3 + (a % 6);
    for (let k = 0; k < n; k++) {
      const s = ((a * 7 + k * 3) % 11) - 5;
      const size = s === 0 ? (k % 2 ? 0 : -0) : s / 2;
      if (k % 4 === 3) positions.push({ instrument: FUTURES[(a + k) % FUTURES.length], size, ...(a % 3 === 0 ? { entryPrice: 70000 + a } : {}) });
      else if (k % 5 === 4) positions.push({ instrument: PERPS[(a + k) % PERPS.length], size, ...(a % 2 ? { entryPrice: 2000 + a, accruedFunding: -a } : {}) });
      else positions.push({ instrument: OPTIONS[(a * 31 + k * 97) % OPTIONS.length], size });
    }
    const acc: MarginAccount = { positions };
    if (a % 5 !== 2) acc.id = `acct-${a}`;
    if (a % 4 === 1) acc.collateral = { USDC: 10000 + a, BTC: 0.5 };
    if (a % 10 === 6) positions.push({ kind: 'option', asset: 'BTC', size: -1, strike: 80000, expiry: 0.25, type: 'call', vol: 0.55 });
    book.push(acc);
  }
  return book;
}

/** Every field of account i in the columns, read straight from them, equals the object's (Object.is). */
function expectColumnsEqual(cols: PortfolioMarginColumns, ref: readonly PortfolioMarginResult[], grid: ScenarioGrid): void {
  expect(cols.length).toBe(ref.length);
  const m = grid.scenarios.length;
  expect(cols.scenarios).toBe(ref[0]?.scenarios ?? cols.scenarios);
  expect(cols.positionStart[0]).toBe(0);
  expect(cols.assetStart[0]).toBe(0);
  const name = (code: number): string | undefined => (code === -2 ? undefined : code === -1 ? '*' : cols.assets[code]);
  for (let i = 0; i < ref.length; i++) {
    const r = ref[i];
    const got = {
      id: cols.ids[i], status: cols.status[i], initialMargin: cols.initialMargin[i], maintenanceMargin: cols.maintenanceMargin[i], scanRisk: cols.scanRisk[i],
      worst: [cols.worstIndex[i], cols.worstPnl[i], name(cols.worstAsset[i])],
      addOns: { shortOptionContingency: cols.shortOptionContingency[i], futuresContingency: cols.futuresContingency[i], deltaShock: cols.deltaShock[i] },
      scenarioPnl: Array.from(cols.scenarioPnl.subarray(i * m, (i + 1) * m)),
      contributions: Array.from(cols.contributions.subarray(cols.positionStart[i], cols.positionStart[i + 1])),
      perAsset: Array.from({ length: cols.assetStart[i + 1] - cols.assetStart[i] }, (_, j) => {
        const x = cols.assetStart[i] + j;
        return { asset: name(cols.assetCode[x]), scanRisk: cols.assetScanRisk[x], worstIndex: cols.assetWorstIndex[x], netDelta: cols.assetNetDelta[x] };
      }),
    };
    const want = {
      id: r.id, status: r.status, initialMargin: r.initialMargin, maintenanceMargin: r.maintenanceMargin, scanRisk: r.scanRisk,
      // The worst asset is '*' or absent for one-asset and joint scans: the object leaves it out then.
      worst: [r.worstScenario.index, r.worstScenario.pnl, r.worstScenario.asset ?? name(cols.worstAsset[i])],
      addOns: r.addOns, scenarioPnl: Array.from(r.scenarioPnl), contributions: Array.from(r.contributions), perAsset: r.perAsset,
    };
    expect(got, `account ${i}`).toEqual(want);
    if (r.worstScenario.asset === undefined) expect(['*', undefined]).toContain(name(cols.worstAsset[i]));
    // The object built on access is the object path's, field for field.
    expect(cols.account(i), `account(${i})`).toEqual(r);
  }
}

describe.each(BACKENDS)('portfolio margin as columns (%s)', (backend) => {
  afterAll(() => closeSharedPools());

  it('equal engine.portfolioMargin bit for bit: shard sizes 1, 7 and the default, per-asset and joint, DERIBIT_GRID, SPAN16_GRID and every add-on', async () => {
    const e: Engine = await engineFor(backend);
    const book = mixedBook(45);
    const before = JSON.stringify(book);
    for (const grid of [DERIBIT_GRID, SPAN16_GRID, ADD_ON_GRID]) {
      for (const aggregation of ['per-asset', 'joint'] as const) {
        const ref = e.portfolioMargin(book, chainMarket, grid, { aggregation });
        if (grid === ADD_ON_GRID) {
          // The test can tell the add-on columns apart.
          for (const k of ['shortOptionContingency', 'futuresContingency', 'deltaShock'] as const) expect(ref.filter((r) => r.addOns[k] > 0).length, k).toBeGreaterThan(5);
        }
        for (const accountsPerShard of [1, 7, undefined]) {
          expectColumnsEqual(e.portfolioMarginColumns(book, chainMarket, grid, { aggregation, accountsPerShard }), ref, grid);
        }
      }
    }
    expect(JSON.stringify(book)).toBe(before);
  });

  it('an empty batch gives empty columns; account(i) checks its index', async () => {
    const e = await engineFor(backend);
    const empty = e.portfolioMarginColumns([], chainMarket, DERIBIT_GRID);
    expect(empty.length).toBe(0);
    expect(empty.initialMargin).toHaveLength(0);
    expect(Array.from(empty.positionStart)).toEqual([0]);
    expectInputError(() => empty.account(0), 'i');
    const cols = e.portfolioMarginColumns(mixedBook(3), chainMarket, DERIBIT_GRID);
    for (const bad of [-1, 3, 0.5, NaN, '1' as never]) expectInputError(() => cols.account(bad), 'i');
  });

  it('malformed calls: InputError naming the field (misspelled option with its suggestion, accounts, shard size, grid) before any work', async () => {
    const e = await engineFor(backend);
    const book = mixedBook(4);
    const err = expectInputError(() => e.portfolioMarginColumns(book, chainMarket, DERIBIT_GRID, { aggregaton: 'joint' } as never), 'options.aggregaton');
    expect(err.suggestion).toBe('aggregation');
    expectInputError(() => e.portfolioMarginColumns({ positions: [] } as never, chainMarket, DERIBIT_GRID), 'accounts');
    expectInputError(() => e.portfolioMarginColumns(book, chainMarket, DERIBIT_GRID, { accountsPerShard: 0 }), 'options.accountsPerShard');
    expectInputError(() => e.portfolioMarginColumns(book, chainMarket, DERIBIT_GRID, { aggregation: 'both' as never }), 'options.aggregation');
    expect(() => e.portfolioMarginColumns(book, chainMarket, { ...DERIBIT_GRID, scenarios: [] })).toThrow(InputError);
  });

  it('a malformed account fails as engine.portfolioMargin does: same class, path in the caller\'s numbering, value', async () => {
    const e = await engineFor(backend);
    const cases: [string, (b: MarginAccount[]) => void][] = [
      ['size NaN in the third shard', (b) => { b[17] = { positions: [{ instrument: OPTIONS[0], size: 1 }, { instrument: OPTIONS[1], size: NaN }] }; }],
      ['unlisted instrument', (b) => { b[21] = { positions: [{ instrument: 'BTC-1JAN99-1-C', size: 1 }] }; }],
      ['null account', (b) => { b[9] = null as never; }],
      ['positions not an array', (b) => { b[2] = { positions: 3 } as never; }],
    ];
    for (const [label, spoil] of cases) {
      const book = mixedBook(30);
      spoil(book);
      let want: unknown, got: unknown;
      try {
        e.portfolioMargin(book, chainMarket, DERIBIT_GRID);
      } catch (x) {
        want = x;
      }
      try {
        e.portfolioMarginColumns(book, chainMarket, DERIBIT_GRID, { accountsPerShard: 7 });
      } catch (x) {
        got = x;
      }
      expect(want, label).toBeInstanceOf(InputError);
      expect(got, label).toBeInstanceOf(InputError);
      expect({ path: (got as InputError).path, value: (got as InputError).value }, label).toEqual({ path: (want as InputError).path, value: (want as InputError).value });
    }
  });

  it('the builder refuses a packed shard of another job, a shard added twice, and finishing with one missing', async () => {
    const e = await engineFor(backend);
    const book = mixedBook(10);
    const job = { accounts: book, market: chainMarket, grid: DERIBIT_GRID, aggregation: 'per-asset' as const, accountsPerShard: 5 };
    const p0 = portfolioMarginShard(e, job, 0), p1 = portfolioMarginShard(e, job, 1);
    const b = new MarginColumnsBuilder(book, 5, DERIBIT_GRID, chainMarket);
    // Shard 1's accounts hold other position counts than shard 0's: its array does not fit slot 0.
    expectInputError(() => b.add(0, p1), 'packed');
    expectInputError(() => b.add(0, p0.subarray(0, p0.length - 1)), 'packed');
    const spanPacked = portfolioMarginShard(e, { ...job, grid: SPAN16_GRID }, 0);
    expectInputError(() => b.add(0, spanPacked), 'packed');
    const bad = p0.slice();
    bad[4] = DERIBIT_GRID.scenarios.length; // worst index past the grid
    expectInputError(() => b.add(0, bad), 'packed');
    b.add(1, p1);
    expectInputError(() => b.add(1, p1), 'shardIndex');
    expectInputError(() => b.finish(), 'shards');
    b.add(0, p0);
    expectColumnsEqual(b.finish(), e.portfolioMargin(book, chainMarket, DERIBIT_GRID), DERIBIT_GRID);
  });

  it('random books and shard sizes: columns equal engine.portfolioMargin (property)', async () => {
    const e = await engineFor(backend);
    const seed = propertySeed(`margin columns (${backend})`);
    const position = fc.oneof(
      fc.record({ instrument: fc.constantFrom(...OPTIONS.slice(0, 40)), size: fc.double({ min: -50, max: 50, noNaN: true }) }),
      fc.record({ instrument: fc.constantFrom(...FUTURES), size: fc.integer({ min: -9, max: 9 }), entryPrice: fc.double({ min: 1000, max: 1e5, noNaN: true }) }, { requiredKeys: ['instrument', 'size'] }),
      fc.record({ instrument: fc.constantFrom(...PERPS), size: fc.double({ min: -5, max: 5, noNaN: true }), accruedFunding: fc.double({ min: -100, max: 100, noNaN: true }) }, { requiredKeys: ['instrument', 'size'] }),
      fc.record({ kind: fc.constant('perpetual' as const), asset: fc.constantFrom('BTC', 'ETH'), size: fc.double({ min: -5, max: 5, noNaN: true }) }),
    );
    const account = fc.record({
      id: fc.string({ maxLength: 4 }),
      collateral: fc.record({ USDC: fc.double({ min: 0, max: 1e5, noNaN: true }) }),
      positions: fc.array(position, { maxLength: 8 }),
    }, { requiredKeys: ['positions'] });
    fc.assert(
      fc.property(fc.array(account, { maxLength: 25 }), fc.integer({ min: 1, max: 12 }), fc.constantFrom('per-asset' as const, 'joint' as const), (book, per, aggregation) => {
        const b = book as MarginAccount[];
        expectColumnsEqual(e.portfolioMarginColumns(b, chainMarket, DERIBIT_GRID, { accountsPerShard: per, aggregation }), e.portfolioMargin(b, chainMarket, DERIBIT_GRID, { aggregation }), DERIBIT_GRID);
      }),
      { seed, numRuns: 25 },
    );
  });

  it('the lazy planner (parts planned one at a time, each with its own names) rebuilds the same accounts as planMarginShards, reading only', () => {
    const book = mixedBook(50);
    // A getter that throws and an account of another shape: both must travel raw, as in the eager plan.
    Object.defineProperty(book[12], 'positions', { get: () => { throw new Error('no'); }, enumerable: true });
    const before = JSON.stringify(book.filter((_, i) => i !== 12));
    const eager = planMarginShards(book, 7);
    const lazy = new MarginShardPlanner(book, 7);
    expect(lazy.shards).toBe(eager.parts.length);
    for (let k = 0; k < lazy.shards; k++) {
      const p = lazy.part(k), q = eager.parts[k];
      expect([p.first, p.count, Array.from(p.rawIndex), Array.from(p.posStart)], `part ${k}`).toEqual([q.first, q.count, Array.from(q.rawIndex), Array.from(q.posStart)]);
      expect(shardAccounts(p, p.names!), `part ${k}`).toEqual(shardAccounts(q, eager.names));
    }
    expect(JSON.stringify(book.filter((_, i) => i !== 12))).toBe(before);
  });

  it.runIf(IS_NODE)('on 2 worker threads (the split job, shards in any order): the same columns', async () => {
    const e = await engineFor(backend);
    const book = mixedBook(60);
    const cols = await portfolioMarginColumnsParallel(e, book, chainMarket, DERIBIT_GRID, { workers: 2, accountsPerShard: 7 });
    expectColumnsEqual(cols, e.portfolioMargin(book, chainMarket, DERIBIT_GRID), DERIBIT_GRID);
  });
});

// [scale] session 8: fields 'summary'. The reference is again engine.portfolioMargin's objects (minus
// the two dropped fields) and the full columns of the same call; every kept column must match
// element by element with Object.is (no tolerance: the summary only packs fewer of the same numbers).
const KEPT = [
  'status', 'initialMargin', 'maintenanceMargin', 'scanRisk', 'worstIndex', 'worstPnl', 'worstAsset', 'shortOptionContingency', 'futuresContingency', 'deltaShock',
  'assetStart', 'assetCode', 'assetScanRisk', 'assetWorstIndex', 'assetNetDelta',
] as const;

/** The summary's kept columns equal the full columns' (Object.is per element); dropped columns and account fields are absent; account(i) equals the object minus them. */
function expectSummaryOf(sum: PortfolioMarginSummaryColumns, full: PortfolioMarginColumns, ref: readonly PortfolioMarginResult[]): void {
  expect(sum.fields).toBe('summary');
  expect(full.fields).toBe('full');
  expect(sum.length).toBe(full.length);
  expect(sum.scenarios).toBe(full.scenarios);
  expect(sum.assets).toEqual(full.assets);
  expect(sum.ids).toEqual(full.ids);
  expect(sum.scenarioPnl).toBeUndefined();
  expect(sum.positionStart).toBeUndefined();
  expect(sum.contributions).toBeUndefined();
  for (const k of KEPT) {
    const a = sum[k], b = full[k];
    expect(a.constructor, k).toBe(b.constructor);
    expect(a.length, k).toBe(b.length);
    let bad = -1;
    for (let i = 0; i < a.length && bad < 0; i++) if (!Object.is(a[i], b[i])) bad = i;
    expect(bad, `${k}: first element that differs`).toBe(-1);
  }
  for (let i = 0; i < ref.length; i++) {
    const got = sum.account(i);
    expect('scenarioPnl' in got || 'contributions' in got, `account(${i}) has no dropped field`).toBe(false);
    const { scenarioPnl: _p, contributions: _c, ...want } = ref[i];
    expect(got, `account(${i})`).toEqual(want);
  }
}

describe.each(BACKENDS)("portfolio margin columns with fields: 'summary' (%s)", (backend) => {
  afterAll(() => closeSharedPools());

  it('every kept column equals the full result bit for bit: accounts and a book in columns, shard sizes 1, 7 and the default, both aggregations, every add-on', async () => {
    const e: Engine = await engineFor(backend);
    const accounts = mixedBook(45);
    const book = marginAccountColumns(accounts);
    const before = JSON.stringify(accounts);
    for (const grid of [DERIBIT_GRID, ADD_ON_GRID]) {
      for (const aggregation of ['per-asset', 'joint'] as const) {
        const ref = e.portfolioMargin(accounts, chainMarket, grid, { aggregation });
        for (const accountsPerShard of [1, 7, undefined]) {
          for (const input of [accounts, book]) {
            const full = e.portfolioMarginColumns(input, chainMarket, grid, { aggregation, accountsPerShard });
            const sum = e.portfolioMarginColumns(input, chainMarket, grid, { aggregation, accountsPerShard, fields: 'summary' });
            expectSummaryOf(sum, full, ref);
            // 'full' spelled out is the default.
            expect(e.portfolioMarginColumns(input, chainMarket, grid, { aggregation, accountsPerShard, fields: 'full' }).fields).toBe('full');
          }
        }
      }
    }
    expect(JSON.stringify(accounts)).toBe(before);
    // An empty batch: empty kept columns, the dropped ones still undefined.
    const empty = e.portfolioMarginColumns([], chainMarket, DERIBIT_GRID, { fields: 'summary' });
    expect([empty.length, empty.initialMargin.length, Array.from(empty.assetStart), empty.scenarioPnl, empty.contributions]).toEqual([0, 0, [0], undefined, undefined]);
    expectInputError(() => empty.account(0), 'i');
  });

  it('a summary shard packs neither scenario P&L nor contributions (header, 11 columns per account, the per-asset rows: nothing else)', async () => {
    const e = await engineFor(backend);
    const accounts = mixedBook(20);
    const market = chainMarket, grid = DERIBIT_GRID;
    const full = portfolioMarginTask(e, { accounts, market, grid, aggregation: 'per-asset', accountsPerShard: 20 }, 0);
    const sum = portfolioMarginTask(e, { accounts, market, grid, aggregation: 'per-asset', accountsPerShard: 20, fields: 'summary' }, 0);
    const nA = sum[2];
    expect(Array.from(sum.subarray(0, SHARD_HEADER))).toEqual([20, 0, nA, 0]);
    expect(sum.length).toBe(SHARD_HEADER + 11 * 20 + 4 * nA);
    let positions = 0;
    for (const a of accounts) positions += a.positions.length;
    // The full shard of the same accounts: its header says m scenarios and every position, and it holds them.
    expect(Array.from(full.subarray(0, SHARD_HEADER))).toEqual([20, grid.scenarios.length, nA, positions]);
    expect(full.length).toBe(sum.length + 20 * grid.scenarios.length + positions);
    // The summary's columns are the full shard's first ones, element for element.
    for (let j = SHARD_HEADER; j < sum.length; j++) if (!Object.is(sum[j], full[j])) expect.fail(`element ${j}`);
    // A summary shard fed to a full job's builder (or the reverse) is refused.
    const fullBuilder = new MarginColumnsBuilder(accounts, 20, grid, market);
    expectInputError(() => fullBuilder.add(0, sum), 'packed');
    const sumBuilder = new MarginColumnsBuilder(accounts, 20, grid, market, 'summary');
    expectInputError(() => sumBuilder.add(0, full), 'packed');
  });

  it("a misspelled or malformed fields value: InputError at options.fields naming the closest value, before any work", async () => {
    const e = await engineFor(backend);
    const accounts = mixedBook(4);
    const err = expectInputError(() => e.portfolioMarginColumns(accounts, chainMarket, DERIBIT_GRID, { fields: 'sumary' as never }), 'options.fields');
    expect(err.suggestion).toBe('summary');
    expect(err.message).toContain("'full' or 'summary'");
    expect(expectInputError(() => e.portfolioMarginColumns(marginAccountColumns(accounts), chainMarket, DERIBIT_GRID, { fields: 'Full' as never }), 'options.fields').suggestion).toBe('full');
    for (const bad of [null, 1, ['summary'], '']) expectInputError(() => e.portfolioMarginColumns(accounts, chainMarket, DERIBIT_GRID, { fields: bad as never }), 'options.fields');
    await expect(portfolioMarginColumnsParallel(e, accounts, chainMarket, DERIBIT_GRID, { fields: 'summery' as never, workers: 2 })).rejects.toMatchObject({ path: 'options.fields', suggestion: 'summary' });
    // A worker given a job whose shared inputs carry a bad value refuses it too.
    expect(() => portfolioMarginTask(e, { accounts, market: chainMarket, grid: DERIBIT_GRID, aggregation: 'per-asset', accountsPerShard: 4, fields: 'x' as never }, 0)).toThrow(InputError);
  });

  it.runIf(IS_NODE)('on 2 worker threads (accounts and a book in columns): the summary columns equal the full ones', async () => {
    const e = await engineFor(backend);
    const accounts = mixedBook(60);
    const ref = e.portfolioMargin(accounts, chainMarket, ADD_ON_GRID);
    for (const input of [accounts, marginAccountColumns(accounts)]) {
      const full = await portfolioMarginColumnsParallel(e, input, chainMarket, ADD_ON_GRID, { workers: 2, accountsPerShard: 7 });
      const sum = await portfolioMarginColumnsParallel(e, input, chainMarket, ADD_ON_GRID, { workers: 2, accountsPerShard: 7, fields: 'summary' });
      expectSummaryOf(sum, full, ref);
    }
  });
});
