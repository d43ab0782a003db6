// An account book given in columns (src/margin/margin-account-columns.ts) to
// engine.portfolioMarginColumns and the thread pool. The reference is always engine.portfolioMargin
// on account objects the test builds itself from the same columns (its own loop, sharing no code
// with the library's converters or shard parts): every number identical bit for bit (Object.is: -0
// and NaN included, no tolerance: the columns only change how the same positions reach the same
// arithmetic). Both backends; shard sizes 1, 7 and the default; both aggregations; three grids.
import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  DERIBIT_GRID, InputError, SPAN16_GRID, forwardFor, marginAccountColumns, type MarginAccount, type MarginAccountColumns, type MarginPosition,
  type PortfolioMarginColumns, type PortfolioMarginResult, type ScenarioGrid,
} from '../src/index.js';
import { portfolioMarginColumnsParallel } from '../src/margin/portfolio-margin-columns.js';
import { accountColumnsPart, shardAccounts } from '../src/margin/margin-shard-plan.js';
import { closeSharedPools } from '../src/parallel/index.js';
import { BACKENDS, engineFor, expectInputError, propertySeed } from './backends.js';
import { ADD_ON_GRID, CHAIN_FUTURES, CHAIN_OPTIONS, CHAIN_PERPS, IS_NODE, chainMarket } from './margin-books.js';

const instruments = chainMarket.instruments!;
const OPTIONS = CHAIN_OPTIONS, FUTURES = CHAIN_FUTURES, PERPS = CHAIN_PERPS;

type Entry = MarginAccountColumns['instruments'][number];
// The table: listed names of every kind, spot, an inline option with its own vol, an inline perpetual.
const TABLE: Entry[] = [
  ...OPTIONS.slice(0, 60), ...FUTURES, ...PERPS,
  { kind: 'spot', asset: 'BTC' }, { kind: 'spot', asset: 'ETH' },
  { kind: 'option', asset: 'BTC', strike: 80000, expiry: 0.25, type: 'call', vol: 0.55 },
  { kind: 'perpetual', asset: 'ETH', settlement: 'coin' },
];
const isSpot = (t: number): boolean => typeof TABLE[t] === 'object' && (TABLE[t] as { kind: string }).kind === 'spot';

/** A book built straight as columns (deterministic): sizes with -0 and 0, empty accounts, entry prices (NaN = none), funding, a collateral matrix. */
function columnsBook(n: number, withIds: boolean): MarginAccountColumns {
  const positionStart = new Int32Array(n + 1);
  for (let a = 0; a < n; a++) positionStart[a + 1] = positionStart[a] + (a % 9 === 4 ? 0 : 2 + (a % 7));
  const P = positionStart[n];
  const instrument = new Int32Array(P), size = new Float64Array(P), entryPrice = new Float64Array(P).fill(NaN), accruedFunding = new Float64Array(P);
  for (let k = 0; k < P; k++) {
    const t = (k * 37 + (k >> 3)) % TABLE.length;
    instrument[k] = t;
    const s = ((k * 7) % 11) - 5;
    size[k] = isSpot(t) ? Math.abs(s) / 4 : s === 0 ? (k % 2 ? 0 : -0) : s / 2;
    if (k % 3 === 0) entryPrice[k] = 1000 + k;
    if (k % 4 === 1) accruedFunding[k] = (k % 9) - 4;
  }
  const collateralAssets = ['USDC', 'BTC'];
  const collateral = Float64Array.from({ length: 2 * n }, (_, x) => (x % 3 === 0 ? 0 : 100 * x));
  const book: MarginAccountColumns = { positionStart, instruments: TABLE, instrument, size, entryPrice, accruedFunding, collateralAssets, collateral };
  return withIds ? { ...book, ids: Array.from({ length: n }, (_, a) => `c-${a}`) } : book;
}

/** The same book as account objects, built here (the reference's input). */
function accountsOf(book: MarginAccountColumns): MarginAccount[] {
  const n = book.positionStart.length - 1;
  const out: MarginAccount[] = [];
  for (let a = 0; a < n; a++) {
    const positions: MarginPosition[] = [];
    for (let k = book.positionStart[a]; k < book.positionStart[a + 1]; k++) {
      const e = book.instruments[book.instrument[k]];
      const p: Record<string, unknown> = typeof e === 'string' ? { instrument: e } : { ...e };
      p.size = book.size[k];
      const kind = typeof e === 'string' ? instruments[e].kind : e.kind;
      // Entry prices and funding are read for futures and perpetuals (funding: perpetuals) only: an inline spec of another kind has no such key.
      if (book.entryPrice && !Number.isNaN(book.entryPrice[k]) && (kind === 'perpetual' || kind === 'future')) p.entryPrice = book.entryPrice[k];
      if (book.accruedFunding && book.accruedFunding[k] !== 0 && kind === 'perpetual') p.accruedFunding = book.accruedFunding[k];
      positions.push(p as unknown as MarginPosition);
    }
    const acc: MarginAccount = { positions };
    if (book.ids) acc.id = book.ids[a];
    if (book.collateral && book.collateralAssets) {
      const A = book.collateralAssets.length;
      acc.collateral = Object.fromEntries(book.collateralAssets.map((asset, j) => [asset, book.collateral![a * A + j]]));
    }
    out.push(acc);
  }
  return out;
}

const sameBits = (a: ArrayLike<number>, b: ArrayLike<number>): boolean => a.length === b.length && Array.from(a).every((x, i) => Object.is(x, b[i]));

/** Every account's result from the columns (account(i), and the per-account columns) equals the object's, bit for bit. */
function expectEqualToObjects(cols: PortfolioMarginColumns, ref: readonly PortfolioMarginResult[], grid: ScenarioGrid): void {
  expect(cols.length).toBe(ref.length);
  const m = grid.scenarios.length;
  for (let i = 0; i < ref.length; i++) {
    const r = ref[i];
    expect(cols.account(i), `account(${i})`).toEqual(r);
    const got = [cols.initialMargin[i], cols.maintenanceMargin[i], cols.scanRisk[i], cols.status[i], cols.worstIndex[i], cols.worstPnl[i], cols.shortOptionContingency[i], cols.futuresContingency[i], cols.deltaShock[i]];
    const want = [r.initialMargin, r.maintenanceMargin, r.scanRisk, r.status, r.worstScenario.index, r.worstScenario.pnl, r.addOns.shortOptionContingency, r.addOns.futuresContingency, r.addOns.deltaShock];
    expect(sameBits(got, want), `account ${i} margins`).toBe(true);
    expect(sameBits(cols.scenarioPnl.subarray(i * m, (i + 1) * m), r.scenarioPnl), `account ${i} scenario P&L`).toBe(true);
    expect(sameBits(cols.contributions.subarray(cols.positionStart[i], cols.positionStart[i + 1]), r.contributions), `account ${i} contributions`).toBe(true);
  }
}

/** Every column of two results, bit for bit. */
function expectSameColumns(a: PortfolioMarginColumns, b: PortfolioMarginColumns): void {
  expect(a.ids).toEqual(b.ids);
  for (const k of ['status', 'initialMargin', 'maintenanceMargin', 'scanRisk', 'worstIndex', 'worstPnl', 'worstAsset', 'shortOptionContingency', 'futuresContingency', 'deltaShock',
    'scenarioPnl', 'positionStart', 'contributions', 'assetStart', 'assetCode', 'assetScanRisk', 'assetWorstIndex', 'assetNetDelta'] as const) {
    expect(sameBits(a[k], b[k]), k).toBe(true);
  }
}

const snapshot = (book: MarginAccountColumns): string => JSON.stringify(book, (_, v) => (ArrayBuffer.isView(v) ? Array.from(v as Float64Array, String) : v));

describe.each(BACKENDS)('portfolio margin of a book in columns (%s)', (backend) => {
  afterAll(() => closeSharedPools());

  it('equals engine.portfolioMargin of the same accounts bit for bit: shard sizes 1, 7, default; per-asset and joint; three grids; ids or none', async () => {
    const e = await engineFor(backend);
    for (const withIds of [true, false]) {
      const book = columnsBook(40, withIds);
      const before = snapshot(book);
      const accounts = accountsOf(book);
      for (const grid of [DERIBIT_GRID, SPAN16_GRID, ADD_ON_GRID]) {
        for (const aggregation of ['per-asset', 'joint'] as const) {
          const ref = e.portfolioMargin(accounts, chainMarket, grid, { aggregation });
          if (grid === ADD_ON_GRID) for (const k of ['shortOptionContingency', 'futuresContingency', 'deltaShock'] as const) expect(ref.filter((r) => r.addOns[k] > 0).length, k).toBeGreaterThan(3);
          for (const accountsPerShard of [1, 7, undefined]) {
            const cols = e.portfolioMarginColumns(book, chainMarket, grid, { aggregation, accountsPerShard });
            expectEqualToObjects(cols, ref, grid);
            // And every column equals the object-input column path's.
            if (accountsPerShard === 7) expectSameColumns(cols, e.portfolioMarginColumns(accounts, chainMarket, grid, { aggregation, accountsPerShard }));
          }
        }
      }
      expect(snapshot(book)).toBe(before);
    }
  });

  it('marginAccountColumns(accounts) gives the same margins as the accounts (names, inline specs, entry prices, funding, collateral); reads only', async () => {
    const e = await engineFor(backend);
    const accounts = accountsOf(columnsBook(30, true));
    accounts[3].description = 'dropped';
    accounts[5].positions = [...accounts[5].positions, { kind: 'future', asset: 'BTC', size: 2, expiry: 0.3, entryPrice: 65000 }];
    delete accounts[7].id;
    const before = JSON.stringify(accounts);
    const book = marginAccountColumns(accounts);
    expect(JSON.stringify(accounts)).toBe(before);
    expect(book.ids![7]).toBe('7');
    // Equal specs share a table entry; each listed name appears once.
    expect(new Set(book.instruments.map((x) => JSON.stringify(x))).size).toBe(book.instruments.length);
    expectEqualToObjects(e.portfolioMarginColumns(book, chainMarket, DERIBIT_GRID, { accountsPerShard: 4 }), e.portfolioMargin(accounts, chainMarket, DERIBIT_GRID), DERIBIT_GRID);
    // The result keeps its own ids: a later change to the caller's book does not reach it.
    const cols = e.portfolioMarginColumns(book, chainMarket, DERIBIT_GRID);
    (book.ids as string[])[0] = 'changed';
    expect(cols.ids[0]).toBe(accounts[0].id);
    expect(cols.account(0).id).toBe(accounts[0].id);
    const empty = marginAccountColumns([]);
    expect(e.portfolioMarginColumns(empty, chainMarket, DERIBIT_GRID).length).toBe(0);
  });

  it('a shard part cut from the book rebuilds accounts with the same margins (the worker\'s fallback path)', async () => {
    const e = await engineFor(backend);
    const book = columnsBook(25, true);
    const accounts = accountsOf(book);
    for (const [first, count] of [[0, 7], [7, 7], [21, 4]]) {
      const want = e.portfolioMargin(accounts.slice(first, first + count).map(({ id: _id, ...rest }) => rest), chainMarket, ADD_ON_GRID);
      for (const columns of ['own', 'shared', 'view'] as const) {
        const part = accountColumnsPart(book, first, count, columns);
        expect(part.count).toBe(count);
        // A copy owns its buffers (it travels alone); a view shares the book's.
        expect(part.size.buffer === book.size.buffer).toBe(columns === 'view');
        const rebuilt = shardAccounts(part, book.instruments);
        expect(rebuilt.map((a) => a.positions.length)).toEqual(accounts.slice(first, first + count).map((a) => a.positions.length));
        expect(e.portfolioMargin(rebuilt, chainMarket, ADD_ON_GRID), `[${first}, ${first + count})`).toEqual(want);
      }
    }
  });

  it('malformed books: InputError naming the field, element and value (account and position in the message)', async () => {
    const e = await engineFor(backend);
    const good = columnsBook(12, true);
    const P = good.size.length;
    const spoil = (patch: Partial<Record<keyof MarginAccountColumns, unknown>>) => ({ ...good, ...patch }) as MarginAccountColumns;
    const call = (b: unknown) => () => e.portfolioMarginColumns(b as MarginAccountColumns, chainMarket, DERIBIT_GRID);
    const sizes = (k: number, v: number) => {
      const s = good.size.slice();
      s[k] = v;
      return spoil({ size: s });
    };
    const err = expectInputError(call(sizes(17, NaN)), 'accounts.size[17]');
    expect(err.value).toBeNaN();
    expect(err.message).toMatch(/account \d+, position \d+/);
    expectInputError(call(sizes(5, Infinity)), 'accounts.size[5]');
    const spotK = Array.from(good.instrument).findIndex((t) => isSpot(t));
    expectInputError(call(sizes(spotK, -1)), `accounts.size[${spotK}]`);
    const ins = good.instrument.slice();
    ins[9] = TABLE.length;
    expectInputError(call(spoil({ instrument: ins })), 'accounts.instrument[9]');
    ins[9] = -1;
    expectInputError(call(spoil({ instrument: ins })), 'accounts.instrument[9]');
    expectInputError(call(spoil({ instruments: [...TABLE.slice(0, 3), 'BTC-1JAN99-1-C', ...TABLE.slice(4)] })), 'accounts.instruments[3]');
    expectInputError(call(spoil({ instruments: [...TABLE.slice(0, -1), { kind: 'spot', asset: 'DOGE' }] })), `accounts.instruments[${TABLE.length - 1}].asset`);
    expectInputError(call(spoil({ instruments: [...TABLE.slice(0, -1), { kind: 'spot', asset: 'BTC', size: 1 }] })), `accounts.instruments[${TABLE.length - 1}].size`);
    expectInputError(call(spoil({ size: good.size.subarray(1) })), 'accounts.size.length');
    expectInputError(call(spoil({ size: Array.from(good.size) })), 'accounts.size');
    expectInputError(call(spoil({ instrument: Float64Array.from(good.instrument) })), 'accounts.instrument');
    const ps = good.positionStart.slice();
    ps[4] = ps[3] - 1;
    expectInputError(call(spoil({ positionStart: ps })), 'accounts.positionStart[4]');
    const ps0 = good.positionStart.slice();
    ps0[0] = 1;
    expectInputError(call(spoil({ positionStart: ps0 })), 'accounts.positionStart[0]');
    expectInputError(call(spoil({ ids: good.ids!.slice(1) })), 'accounts.ids.length');
    expectInputError(call(spoil({ ids: [...good.ids!.slice(1), 7] })), 'accounts.ids[11]');
    // Entry prices: a perpetual's or future's must be positive (NaN = none); funding of a perpetual finite.
    const perpK = Array.from(good.instrument).findIndex((t) => PERPS.includes(TABLE[t] as string));
    const entry = good.entryPrice!.slice();
    entry[perpK] = -3;
    expectInputError(call(spoil({ entryPrice: entry })), `accounts.entryPrice[${perpK}]`);
    const funding = good.accruedFunding!.slice();
    funding[perpK] = NaN;
    expectInputError(call(spoil({ accruedFunding: funding })), `accounts.accruedFunding[${perpK}]`);
    // An option's entry price is not read (as for an object position).
    const optK = Array.from(good.instrument).findIndex((t) => OPTIONS.includes(TABLE[t] as string));
    entry.set(good.entryPrice!);
    entry[optK] = -3;
    expect(() => call(spoil({ entryPrice: entry }))()).not.toThrow();
    const coll = good.collateral!.slice();
    coll[5] = -1;
    expectInputError(call(spoil({ collateral: coll })), 'accounts.collateral[5]');
    expectInputError(call(spoil({ collateralAssets: ['USDC', 'DOGE'] })), 'accounts.collateralAssets[1]');
    expectInputError(call(spoil({ collateral: good.collateral!.subarray(1) })), 'accounts.collateral.length');
    expectInputError(call(spoil({ collateralAssets: undefined })), 'accounts.collateralAssets');
    expect(expectInputError(call(spoil({ sizes: good.size } as never)), 'accounts.sizes').message).toContain("'size'");
    expectInputError(call({ positionStart: [0] }), 'accounts.positionStart');
    expect(P).toBeGreaterThan(20);
    // The caller's arrays are untouched by all of it.
    expect(snapshot(good)).toBe(snapshot(columnsBook(12, true)));
  });

  it('marginAccountColumns refuses what it cannot carry: InputError at the account\'s path', () => {
    expectInputError(() => marginAccountColumns({} as never), 'accounts');
    expectInputError(() => marginAccountColumns([null as never]), 'accounts[0]');
    expectInputError(() => marginAccountColumns([{ positions: 1 } as never]), 'accounts[0].positions');
    expectInputError(() => marginAccountColumns([{ positions: [{ instrument: OPTIONS[0], size: '1' }] } as never]), 'accounts[0].positions[0].size');
    expectInputError(() => marginAccountColumns([{ positions: [], collateral: { USDC: '5' } } as never]), 'accounts[0].collateral.USDC');
  });

  it('random column books: equal engine.portfolioMargin of the same accounts (property)', async () => {
    const e = await engineFor(backend);
    const seed = propertySeed(`margin account columns (${backend})`);
    const account = fc.array(fc.record({ t: fc.integer({ min: 0, max: TABLE.length - 1 }), size: fc.double({ min: -50, max: 50, noNaN: true }), entry: fc.option(fc.double({ min: 1, max: 1e5, noNaN: true })) }), { maxLength: 9 });
    fc.assert(
      fc.property(fc.array(account, { maxLength: 25 }), fc.integer({ min: 1, max: 12 }), fc.constantFrom('per-asset' as const, 'joint' as const), (accs, per, aggregation) => {
        const positionStart = new Int32Array(accs.length + 1);
        accs.forEach((a, i) => { positionStart[i + 1] = positionStart[i] + a.length; });
        const flat = accs.flat();
        const book: MarginAccountColumns = {
          positionStart, instruments: TABLE, instrument: Int32Array.from(flat, (p) => p.t),
          size: Float64Array.from(flat, (p) => (isSpot(p.t) ? Math.abs(p.size) : p.size)), entryPrice: Float64Array.from(flat, (p) => p.entry ?? NaN),
        };
        expectEqualToObjects(e.portfolioMarginColumns(book, chainMarket, DERIBIT_GRID, { accountsPerShard: per, aggregation }),
          e.portfolioMargin(accountsOf(book), chainMarket, DERIBIT_GRID, { aggregation }), DERIBIT_GRID);
      }),
      { seed, numRuns: 25 },
    );
  });

  it('a market marked by a VolSurface (object and JSON): the book\'s options take the surface\'s vols, as the same accounts do', async () => {
    const e = await engineFor(backend);
    const btc = chainMarket.assets.BTC;
    const btcOptions = OPTIONS.filter((n) => instruments[n].asset === 'BTC').slice(0, 40);
    const expiries = [...new Set(btcOptions.map((n) => (instruments[n] as { expiry: number }).expiry))].sort((a, b) => a - b);
    const surface = e.volSurface(expiries.map((T) => ({ expiry: T, forward: forwardFor(btc, T), params: { a: 0.25 * T, b: 0.1, rho: -0.1, m: 0, sigma: 0.3 } })), { underlying: 'BTC' });
    const n = 20;
    const positionStart = Int32Array.from({ length: n + 1 }, (_, a) => 4 * a);
    const book: MarginAccountColumns = {
      positionStart, instruments: btcOptions, instrument: Int32Array.from({ length: 4 * n }, (_, k) => (k * 13) % btcOptions.length),
      size: Float64Array.from({ length: 4 * n }, (_, k) => ((k % 5) - 2) / 2),
    };
    for (const mk of [{ ...chainMarket, surface }, { ...chainMarket, surface: surface.toJSON() }]) {
      const ref = e.portfolioMargin(accountsOf(book), mk, DERIBIT_GRID);
      expectEqualToObjects(e.portfolioMarginColumns(book, mk, DERIBIT_GRID, { accountsPerShard: 6 }), ref, DERIBIT_GRID);
      // The surface moved the margins (the test would not see a book margined at the marks).
      expect(ref.some((r, i) => r.initialMargin !== e.portfolioMargin(accountsOf(book), chainMarket, DERIBIT_GRID)[i].initialMargin)).toBe(true);
      if (IS_NODE) expectEqualToObjects(await portfolioMarginColumnsParallel(e, book, mk, DERIBIT_GRID, { workers: 2, accountsPerShard: 6 }), ref, DERIBIT_GRID);
    }
  });

  it.runIf(IS_NODE)('on 2 worker threads (the book\'s parts, shards in any order): the same columns', async () => {
    const e = await engineFor(backend);
    const book = columnsBook(60, false);
    const before = snapshot(book);
    const cols = await portfolioMarginColumnsParallel(e, book, chainMarket, DERIBIT_GRID, { workers: 2, accountsPerShard: 7 });
    expectEqualToObjects(cols, e.portfolioMargin(accountsOf(book), chainMarket, DERIBIT_GRID), DERIBIT_GRID);
    expectSameColumns(cols, e.portfolioMarginColumns(book, chainMarket, DERIBIT_GRID, { accountsPerShard: 7 }));
    expect(snapshot(book)).toBe(before);
    await expect(portfolioMarginColumnsParallel(e, { ...book, size: book.size.subarray(2) }, chainMarket, DERIBIT_GRID, { workers: 2 })).rejects.toBeInstanceOf(InputError);
  });
});
