// Portfolio margin and liquidation prices of split jobs (margin-shard-plan.ts): each shard's accounts
// travel as columns and the workers build the shard's resolved book from them. The reference is
// always the in-thread call (engine.portfolioMargin, engine.portfolioLiquidationPrice) on the
// caller's accounts, which shares none of the column code. Results must be identical bit for bit
// (toEqual: numbers compared with Object.is semantics, -0 and NaN included, typed arrays element by
// element; no tolerance, since every account's arithmetic is the same on the same backend wherever it
// runs), for any shard size and worker count, both backends. Errors must be the in-thread call's
// (class, path in the caller's numbering, value).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DERIBIT_GRID, InputError, SPAN16_GRID, type Engine, type MarginAccount, type MarginPosition, type PortfolioMarginResult, type ScenarioGrid } from '../src/index.js';
import { portfolioMarginParallel } from '../src/margin/portfolio-margin-parallel.js';
import { portfolioLiquidationPriceParallel } from '../src/margin/portfolio-liquidation-parallel.js';
import { decodePortfolioMarginShard, portfolioMarginTask } from '../src/margin/portfolio-margin-shard.js';
import { columnBook, planMarginShards, shardAccounts, splitMarginJob } from '../src/margin/margin-shard-plan.js';
import { closeSharedPools } from '../src/parallel/index.js';
import { BACKENDS, engineFor, propertySeed } from './backends.js';
import { CHAIN_FUTURES, CHAIN_OPTIONS, CHAIN_PERPS, IS_NODE, chainMarket } from './margin-books.js';

const OPTIONS = CHAIN_OPTIONS, FUTURES = CHAIN_FUTURES, PERPS = CHAIN_PERPS;

/**
 * A book of every shape the plan distinguishes, deterministic: by-name positions (with and without
 * entry price and accrued funding), collateral, descriptions, ids left out, sizes 0 and -0, empty
 * accounts (column accounts), and accounts that must travel as they are (explicit instrument fields,
 * a by-name position with its own vol, collateral as a class instance).
 */
function mixedBook(count: number): MarginAccount[] {
  class Wallet {
    USDC = 20000;
  }
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
    if (a % 7 === 3) acc.description = 'column account with a description';
    // Shapes the columns do not carry: these travel as they are.
    if (a % 10 === 6) positions.push({ kind: 'option', asset: 'BTC', size: -1, strike: 80000, expiry: 0.25, type: 'call', vol: 0.55 });
    if (a % 13 === 8) positions.push({ instrument: OPTIONS[a % OPTIONS.length], size: 2, vol: 0.9 } as MarginPosition);
    if (a % 17 === 11) acc.collateral = new Wallet() as unknown as Record<string, number>;
    book.push(acc);
  }
  return book;
}

function marginRef(e: Engine, book: readonly MarginAccount[], grid: ScenarioGrid): PortfolioMarginResult[] {
  return e.portfolioMargin(book, chainMarket, grid);
}

/** The split job's shards run in this thread through the registered task, decoded as portfolioMarginParallel does. */
function splitInThread(e: Engine, book: readonly MarginAccount[], grid: ScenarioGrid, per: number): PortfolioMarginResult[] {
  const job = splitMarginJob(book, per, { market: chainMarket, grid, aggregation: 'per-asset' as const });
  return job.parts.flatMap((p, k) => decodePortfolioMarginShard(portfolioMarginTask(e, job, k), book, p.first, p.count, chainMarket, grid));
}

afterAll(async () => {
  await closeSharedPools();
});

describe('shard plan of margin jobs', () => {
  it('rebuilds every column account exactly (ids and descriptions stay with the caller), sends the others as they are, and modifies nothing', () => {
    const book = mixedBook(60);
    const before = structuredClone(book);
    const { names, parts } = planMarginShards(book, 7);
    expect(book).toEqual(before);
    expect(parts.map((p) => [p.first, p.count])).toEqual(Array.from({ length: 9 }, (_, k) => [7 * k, Math.min(7, 60 - 7 * k)]));
    let raw = 0;
    for (const p of parts) {
      const rebuilt = shardAccounts(p, names);
      expect(rebuilt).toHaveLength(p.count);
      rebuilt.forEach((r, j) => {
        const orig = book[p.first + j];
        if ([...p.rawIndex].includes(j)) {
          raw++;
          expect(r).toBe(orig);
          return;
        }
        // Independent of the plan: the original's positions and collateral, ids and descriptions dropped.
        const want: MarginAccount = { positions: orig.positions.map((q) => ({ ...q })) };
        if (orig.collateral !== undefined) want.collateral = { ...orig.collateral };
        expect(r).toEqual(want);
        r.positions.forEach((q, k) => expect(Object.is(q.size, orig.positions[k].size)).toBe(true));
      });
    }
    // The raw shapes above: every 10th (explicit option), every 13th from 8 (own vol), every 17th from 11 (class collateral).
    const rawWanted = book.filter((_, a) => a % 10 === 6 || a % 13 === 8 || a % 17 === 11).length;
    expect(raw).toBe(rawWanted);
    expect(names.length).toBeGreaterThan(50);
    expect(new Set(names).size).toBe(names.length);
  });

  it('puts the columns on shared memory where the host has it (Node; cross-origin-isolated pages)', () => {
    const { parts } = planMarginShards(mixedBook(10), 4);
    const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated;
    const shared = typeof SharedArrayBuffer !== 'undefined' && isolated !== false;
    for (const p of parts) {
      expect(p.code.buffer).toBe(p.size.buffer);
      expect(p.code.buffer instanceof SharedArrayBuffer).toBe(shared);
    }
  });

  it('accounts of unreadable shape (a throwing getter) travel as they are instead of failing the plan', () => {
    const trap = { get positions(): MarginPosition[] { throw new Error('no'); } } as unknown as MarginAccount;
    const { parts } = planMarginShards([trap, { positions: [] }], 10);
    expect(parts[0].raw).toEqual([trap]);
    expect([...parts[0].rawIndex]).toEqual([0]);
  });
});

describe.each(BACKENDS)('split margin jobs in this thread (%s)', (backend) => {
  let e: Engine;
  beforeAll(async () => {
    e = await engineFor(backend);
  });

  it('the column book gives the in-thread results bit for bit, for shard sizes 1, 4, 9 and one shard, two grids', () => {
    const book = mixedBook(40);
    for (const grid of [DERIBIT_GRID, SPAN16_GRID]) {
      const ref = marginRef(e, book, grid);
      for (const per of [1, 4, 9, 40]) {
        expect(splitInThread(e, book, grid, per), `${grid.name}, ${per} a shard`).toEqual(ref);
      }
    }
    // The column path was taken for every shard without a raw account (not the object fallback).
    const job = splitMarginJob(book, 1, { market: chainMarket, grid: DERIBIT_GRID, aggregation: 'per-asset' as const });
    const columnShards = job.parts.filter((p) => p.raw.length === 0);
    expect(columnShards.length).toBeGreaterThan(30);
    for (const p of columnShards) expect(columnBook(p, job.shared)).toBeDefined();
  });

  it('joint aggregation through workers: \'auto\' (a small job: this thread) equals the in-thread call', async () => {
    const book = mixedBook(25);
    const ref = e.portfolioMargin(book, chainMarket, DERIBIT_GRID, { aggregation: 'joint' });
    expect(await portfolioMarginParallel(e, book, chainMarket, DERIBIT_GRID, { aggregation: 'joint', workers: 'auto', accountsPerShard: 6 })).toEqual(ref);
  });

  it('random books and shard sizes: the split job equals the in-thread call (property)', () => {
    const seed = propertySeed(`split margin job (${backend})`);
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
      fc.property(fc.array(account, { maxLength: 25 }), fc.integer({ min: 1, max: 12 }), (book, per) => {
        expect(splitInThread(e, book as MarginAccount[], DERIBIT_GRID, per)).toEqual(marginRef(e, book as MarginAccount[], DERIBIT_GRID));
      }),
      { seed, numRuns: 25 },
    );
  });

  it('a malformed column account fails as in one thread: same class, path in the caller\'s numbering, value', () => {
    const cases: [string, (b: MarginAccount[]) => void][] = [
      ['size NaN', (b) => { b[13] = { positions: [{ instrument: OPTIONS[0], size: 1 }, { instrument: OPTIONS[1], size: NaN }] }; }],
      ['unlisted instrument', (b) => { b[21] = { positions: [{ instrument: 'BTC-1JAN99-1-C', size: 1 }] }; }],
      ['negative collateral', (b) => { b[9] = { collateral: { USDC: -1 }, positions: [] }; }],
      ['collateral in an unknown asset', (b) => { b[30] = { collateral: { DOGE: 1 }, positions: [] }; }],
      ['future entry price <= 0', (b) => { b[17] = { positions: [{ instrument: FUTURES[0], size: 1, entryPrice: -5 }] }; }],
      ['perpetual funding infinite', (b) => { b[26] = { positions: [{ instrument: PERPS[0], size: 1, accruedFunding: Infinity }] }; }],
      ['two bad accounts in one shard: the first', (b) => {
        b[33] = { positions: [{ instrument: OPTIONS[2], size: Infinity }] };
        b[34] = { positions: [{ instrument: 'nope', size: 1 }] };
      }],
    ];
    for (const [label, spoil] of cases) {
      const book = mixedBook(40);
      spoil(book);
      let want: unknown;
      try {
        marginRef(e, book, DERIBIT_GRID);
      } catch (x) {
        want = x;
      }
      expect(want, label).toBeInstanceOf(InputError);
      let got: unknown;
      try {
        splitInThread(e, book, DERIBIT_GRID, 8);
      } catch (x) {
        got = x;
      }
      expect(got, label).toBeInstanceOf(InputError);
      expect({ path: (got as InputError).path, value: (got as InputError).value }, label).toEqual({ path: (want as InputError).path, value: (want as InputError).value });
    }
  });
});

// Node only: workers run the built package (dist/, as the other parallel tests do).
describe.runIf(IS_NODE).each(BACKENDS)('split margin jobs on workers (%s)', (backend) => {
  let e: Engine;
  beforeAll(async () => {
    e = await engineFor(backend);
  });

  it('2 and 3 workers give the in-thread portfolio margin bit for bit, shard sizes 1, 7 and the default', async () => {
    const book = mixedBook(50);
    const ref = marginRef(e, book, DERIBIT_GRID);
    for (const workers of [2, 3]) {
      for (const accountsPerShard of [1, 7, undefined]) {
        const got = await portfolioMarginParallel(e, book, chainMarket, DERIBIT_GRID, { workers, accountsPerShard });
        expect(got, `${workers} workers, ${accountsPerShard ?? 'default'} a shard`).toEqual(ref);
      }
    }
  });

  it('an account error on a worker is the in-thread one (path in the caller\'s numbering)', async () => {
    const book = mixedBook(50);
    book[37] = { id: 'bad', positions: [{ instrument: OPTIONS[3], size: 1 }, { instrument: FUTURES[0], size: 2, entryPrice: 0 }] };
    const want = (() => {
      try {
        marginRef(e, book, DERIBIT_GRID);
      } catch (x) {
        return x as InputError;
      }
      return undefined;
    })();
    expect(want).toBeInstanceOf(InputError);
    const got = await portfolioMarginParallel(e, book, chainMarket, DERIBIT_GRID, { workers: 2, accountsPerShard: 6 }).catch((x: unknown) => x);
    expect(got).toBeInstanceOf(InputError);
    expect((got as InputError).path).toBe(want!.path);
    expect((got as InputError).path).toBe('accounts[37].positions[1].entryPrice');
    expect((got as InputError).value).toBe(0);
  });

  it('liquidation prices of column accounts with collateral: 2 workers equal the in-thread call', async () => {
    const book = mixedBook(12).map((a, i) => ({ ...a, collateral: a.collateral ?? { USDC: 5000 + 1000 * i } }));
    const ref = e.portfolioLiquidationPrice(book, chainMarket, DERIBIT_GRID);
    expect(await portfolioLiquidationPriceParallel(e, book, chainMarket, DERIBIT_GRID, { workers: 2, accountsPerShard: 5 })).toEqual(ref);
  });
});
