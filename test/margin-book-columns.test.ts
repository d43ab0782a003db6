/**
 * The standard-margin book's columns at sizes the small property test never reaches: 1,500
 * accounts (holder bitsets over many 32-slot words, slot 31's sign bit included), most of them
 * removed (holes, then compaction renumbering the slots), ranges growing and shrinking under fills,
 * accounts added after compaction, and index, vol and rate ticks; after every step each account
 * equals a from-scratch standardMargin of its exported state on the book's market, to 1e-12
 * relative (floor 1 USD, as test/margin-book.test.ts: the same sums in the same order; only
 * Black-76 batches of another composition may differ, by an ulp or so), and the queues hold
 * exactly the accounts whose from-scratch status puts them there. Also: status changes come back
 * in the book's order, and the columns' memory stays bounded under add/remove churn. Both backends.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { BACKENDS, engineFor, propertySeed, relDiff } from './backends.js';
import { chainMarket } from './margin-books.js';
import { DERIBIT_STANDARD, type Engine, type MarginAccount, type MarginBook, type MarginOrder, type StandardMarginParams } from '../src/index.js';

const REL = 1e-12;
const FLOOR = 1;

/** Listed instruments of the 2026-04-15 chain (by name), a described option with its own vol, and spot. */
const SPECS: readonly Record<string, unknown>[] = [
  { instrument: 'BTC-29MAY26-85000-C' },
  { instrument: 'BTC-29MAY26-65000-P' },
  { instrument: 'BTC-29MAY26-79000-P' },
  { instrument: 'BTC-PERPETUAL' },
  { instrument: 'BTC-29MAY26' },
  { instrument: 'ETH-PERPETUAL' },
  { instrument: 'ETH-25SEP26-3300-P' },
  { kind: 'option', asset: 'BTC', strike: 90000, expiry: 0.2, type: 'call', vol: 0.55 },
  { kind: 'perpetual', asset: 'BTC', settlement: 'coin' },
  { kind: 'spot', asset: 'ETH' },
];

function mulberry32(seed: number): () => number {
  let t = seed >>> 0;
  return () => {
    t = (t + 0x6d2b79f5) >>> 0;
    let r = Math.imul(t ^ (t >>> 15), 1 | t);
    r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r;
    return ((r ^ (r >>> 14)) >>> 0) / 4294967296;
  };
}

function randomAccount(id: string, rnd: () => number): MarginAccount {
  const positions = [];
  const n = Math.floor(rnd() * 6);
  for (let k = 0; k < n; k++) {
    const spec = SPECS[Math.floor(rnd() * SPECS.length)];
    const size = spec.kind === 'spot' ? 0.25 + Math.floor(rnd() * 8) / 4 : (Math.floor(rnd() * 17) - 8 || 1) / 4;
    positions.push({ ...spec, size });
  }
  const collateral: Record<string, number> = { USDC: 5000 + Math.floor(rnd() * 60000) };
  if (rnd() < 0.3) collateral.BTC = Math.floor(rnd() * 8) / 4;
  return { id, collateral, positions } as unknown as MarginAccount;
}

/** Every account of `book` against standardMargin of its exported state, and the queues against the from-scratch statuses. */
function compareAll(e: Engine, book: MarginBook, params: StandardMarginParams, what: string): void {
  const ids = book.ids();
  const want = e.standardMargin(ids.map((id) => book.exportAccount(id)), book.currentMarket(), params);
  const liquidating: string[] = [];
  const calling: string[] = [];
  ids.forEach((id, i) => {
    const s = book.account(id);
    const w = want[i];
    expect(relDiff(s.initialMargin, w.initialMargin, FLOOR), `${what}: ${id} IM ${s.initialMargin} vs ${w.initialMargin}`).toBeLessThanOrEqual(REL);
    expect(relDiff(s.maintenanceMargin, w.maintenanceMargin, FLOOR), `${what}: ${id} MM`).toBeLessThanOrEqual(REL);
    expect(relDiff(s.equity, w.equity, FLOOR), `${what}: ${id} equity ${s.equity} vs ${w.equity}`).toBeLessThanOrEqual(REL);
    if (s.status !== w.status) {
      const edge = Math.min(relDiff(s.equity, w.initialMargin, FLOOR), relDiff(s.equity, w.maintenanceMargin, FLOOR));
      expect(edge, `${what}: ${id} status ${s.status} vs ${w.status}`).toBeLessThanOrEqual(REL);
    }
    if (s.status === 'liquidation') liquidating.push(id);
    else if (s.status === 'marginCall' || s.warning) calling.push(id);
  });
  expect(book.liquidationQueue().map((q) => q.id).sort(), `${what}: liquidation queue`).toEqual(liquidating.sort());
  expect(book.marginCalls().map((q) => q.id).sort(), `${what}: margin calls`).toEqual(calling.sort());
}

/** One index moved by `factor`, its forwards with it. */
function indexMove(book: MarginBook, asset: string, factor: number) {
  const a = book.currentMarket().assets[asset];
  return { assets: { [asset]: { index: a.index * factor, forwards: a.forwards?.map((f) => ({ expiry: f.expiry, price: f.price * factor })) } } };
}

/** Flat 10% IM / 5% MM of notional on linear positions (worked by hand below). */
const FLAT: StandardMarginParams = {
  name: 'flat-test', source: 'made up for this test',
  linear: { '*': { type: 'size-linear', initialRate: 0.1, maintenanceRate: 0.05, ratePerUnit: 0 } },
  options: { '*': { initialRate: 0.15, initialFloor: 0.1, maintenanceRate: 0.075, maintenanceMarkRate: { call: 0, put: 0 }, underlying: 'index' } },
};

describe.each(BACKENDS)('margin book columns (%s)', (backend) => {
  let e: Engine;
  beforeAll(async () => {
    e = await engineFor(backend);
  });

  it('equals from-scratch standardMargin through removals, compaction, fills, additions and ticks on 1,500 accounts', () => {
    const seed = propertySeed(`margin book columns ${backend}`);
    const rnd = mulberry32(seed);
    const accounts = Array.from({ length: 1500 }, (_, i) => randomAccount(`acc-${i}`, rnd));
    const book = e.marginBook({ accounts, market: chainMarket, params: DERIBIT_STANDARD, warningBuffer: 0.2 });
    compareAll(e, book, DERIBIT_STANDARD, 'built');
    book.updateMarket(indexMove(book, 'BTC', 1.05));
    compareAll(e, book, DERIBIT_STANDARD, 'BTC +5%');
    const before = book.memory().columnBytes;
    // Remove four in five: the holes outnumber the live slots, so the columns compact (and shrink).
    for (let i = 0; i < accounts.length; i++) if (i % 5 !== 0) book.removeAccount(`acc-${i}`);
    expect(book.memory().columnBytes).toBeLessThan(before);
    compareAll(e, book, DERIBIT_STANDARD, 'after removals');
    book.updateMarket(indexMove(book, 'BTC', 0.93));
    compareAll(e, book, DERIBIT_STANDARD, 'BTC -7% after compaction');
    // Fills that grow, change and close positions (ranges moved to the end, rewritten in place, shrunk).
    const ids = book.ids();
    for (let j = 0; j < 60; j++) {
      const id = ids[Math.floor(rnd() * ids.length)];
      const orders: MarginOrder[] = [];
      for (let k = 0; k < 1 + Math.floor(rnd() * 3); k++) {
        const spec = SPECS[Math.floor(rnd() * (SPECS.length - 1))]; // no spot: a short spot fill is refused
        const m = book.currentMarket();
        const listed = typeof spec.instrument === 'string' ? m.instruments?.[spec.instrument] : undefined;
        const asset = (listed?.asset ?? spec.asset) as string;
        const isOption = (listed?.kind ?? spec.kind) === 'option';
        orders.push({ ...spec, size: (Math.floor(rnd() * 9) - 4 || 1) / 4, price: (isOption ? 0.03 : 1) * m.assets[asset].index } as MarginOrder);
      }
      try {
        book.apply(id, orders);
      } catch {
        // A fill the USD collateral cannot pay is refused whole (the book is unchanged; compared below).
      }
    }
    compareAll(e, book, DERIBIT_STANDARD, 'after fills');
    for (let i = 0; i < 40; i++) book.addAccount(randomAccount(`new-${i}`, rnd));
    compareAll(e, book, DERIBIT_STANDARD, 'after additions');
    book.updateMarket(indexMove(book, 'ETH', 1.12));
    compareAll(e, book, DERIBIT_STANDARD, 'ETH +12%');
    book.updateMarket({ vols: { 'BTC-29MAY26-85000-C': 0.9 } });
    compareAll(e, book, DERIBIT_STANDARD, 'vol re-marked');
    book.updateMarket({ rate: 0.04 });
    compareAll(e, book, DERIBIT_STANDARD, 'rate');
    book.dispose();
  });

  it('returns status changes in the book order (across bitset words, after a removal and a re-addition)', () => {
    // 70 accounts long 1 BTC perpetual at 100 (FLAT: IM 10%, MM 5% of notional). At index 95 an
    // account with collateral c has equity c - 5 and IM 9.5: a margin call for 10 <= c < 14.5.
    const coll = (i: number) => (i % 3 === 0 ? 12 : 40);
    const accounts = Array.from({ length: 70 }, (_, i) => ({ id: `a${i}`, collateral: { USD: coll(i) }, positions: [{ kind: 'perpetual', asset: 'BTC', size: 1, entryPrice: 100 }] }) as MarginAccount);
    const book = e.marginBook({ accounts, market: { assets: { BTC: { index: 100 } } }, params: FLAT });
    book.removeAccount('a3');
    book.removeAccount('a33');
    book.addAccount(accounts[3]);
    const changes = book.updateMarket({ assets: { BTC: { index: 95 } } });
    const want = book.ids().filter((id) => coll(Number(id.slice(1))) === 12);
    expect(want[want.length - 1]).toBe('a3');
    expect(changes.map((c) => c.id)).toEqual(want);
    for (const c of changes) expect([c.from, c.to]).toEqual(['healthy', 'marginCall']);
    expect(changes.map((c) => c.state.equity)).toEqual(want.map(() => 12 - 5));
  });

  it('keeps the columns bounded under add/remove churn (holes are compacted)', () => {
    const accounts = Array.from({ length: 50 }, (_, i) => ({ id: `a${i}`, collateral: { USD: 1000 }, positions: [{ kind: 'perpetual', asset: 'BTC', size: 1 }, { kind: 'perpetual', asset: 'ETH', size: -2 }] }) as MarginAccount);
    const book = e.marginBook({ accounts, market: { assets: { BTC: { index: 100 }, ETH: { index: 10 } } }, params: FLAT });
    // 200 rounds of removing and re-adding every account: 10,050 slots and 20,100 position rows
    // handed out. Compaction keeps the holes below max(1024, live) slots and max(4096, live) rows,
    // so at most 2,048 slots x 67 bytes and 8,192 rows x 52 bytes of columns (~0.57 MB with the
    // unit columns and bitsets); without it they would pass 2.5 MB.
    let most = 0;
    for (let round = 0; round < 200; round++) {
      for (const a of accounts) book.removeAccount(a.id as string);
      for (const a of accounts) book.addAccount(a);
      most = Math.max(most, book.memory().columnBytes);
    }
    expect(most).toBeLessThan(700_000);
    // Still right after all that: no entry prices, so equity is the collateral; IM 10% x (110 + 2 x 10).
    book.updateMarket({ assets: { BTC: { index: 110 } } });
    for (const id of book.ids()) {
      expect(book.account(id).equity).toBe(1000);
      expect(book.account(id).initialMargin).toBeCloseTo(13, 12);
    }
    book.dispose();
  });
});
