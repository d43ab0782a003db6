/**
 * The live margin book against from-scratch margin: a fast-check property drives random sequences
 * of orders (what-if and fills), deposits, withdrawals, account add/remove and market updates, and
 * after every step compares each account with standardMargin / portfolioMargin + accountEquity of
 * the book's exported state on the book's market. Tolerance 1e-12 relative (floor 1 USD): the book
 * sums the same per-position numbers in the same order, so only the option marks (Black-76 batches
 * of another composition) can differ, by an ulp or so.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import fc from 'fast-check';
import { BACKENDS, engineFor, propertySeed, relDiff } from './backends.js';
import { chainMarket } from './margin-books.js';
import {
  DERIBIT_GRID, DERIBIT_STANDARD, InputError, accountEquity, resolveAccounts,
  type Engine, type MarginAccount, type MarginBook, type MarginMarket, type MarginOrder, type MarginBookAccountState,
} from '../src/index.js';

/** Instruments the property trades: listed (by name), and described in full (own vol, coin-settled, spot). */
const INSTRUMENTS: readonly Omit<MarginOrder, 'size' | 'price'>[] = [
  { instrument: 'BTC-29MAY26-85000-C' },
  { instrument: 'BTC-29MAY26-65000-P' },
  { instrument: 'BTC-29MAY26-79000-P' },
  { instrument: 'BTC-PERPETUAL' },
  { instrument: 'BTC-29MAY26' },
  { instrument: 'ETH-PERPETUAL' },
  { instrument: 'ETH-25SEP26-3300-P' },
  { kind: 'option', asset: 'BTC', strike: 90000, expiry: 0.2, type: 'call', vol: 0.55 },
  { kind: 'perpetual', asset: 'BTC', settlement: 'coin' },
  { kind: 'future', asset: 'ETH', expiry: 0.3, settlement: 'coin' },
  { kind: 'spot', asset: 'ETH' },
] as never;

const REL = 1e-12;
const FLOOR = 1;

/** A fill price for instrument i at the book's market: index x factor for linear and spot, a premium of factor x 3% of the index for options. */
function priceFor(book: MarginBook, i: number, factor: number): number {
  const spec = INSTRUMENTS[i] as Record<string, unknown>;
  const m = book.currentMarket();
  const listed = typeof spec.instrument === 'string' ? m.instruments?.[spec.instrument] : undefined;
  const kind = (listed?.kind ?? spec.kind) as string;
  const asset = (listed?.asset ?? spec.asset) as string;
  const index = m.assets[asset].index;
  return kind === 'option' ? 0.03 * factor * index : index * factor;
}

function randomAccount(id: string, rnd: Rnd): MarginAccount {
  const n = rnd.nextInt(0, 5);
  const positions = [];
  for (let k = 0; k < n; k++) {
    const i = rnd.nextInt(0, INSTRUMENTS.length - 1);
    const spec = INSTRUMENTS[i] as Record<string, unknown>;
    const size = spec.kind === 'spot' ? rnd.nextInt(1, 20) / 4 : (rnd.nextInt(-20, 20) || 1) / 4;
    positions.push({ ...spec, size });
  }
  return { id, collateral: { USDC: 20000 + rnd.nextInt(0, 40000), ...(rnd.nextBoolean() ? { BTC: rnd.nextInt(0, 8) / 4 } : {}) }, positions } as unknown as MarginAccount;
}

type Op =
  | { op: 'whatIf' | 'apply'; account: number; fills: { i: number; size: number; factor: number }[] }
  | { op: 'deposit' | 'withdraw'; account: number; asset: 'USDC' | 'BTC' | 'USD'; amount: number }
  | { op: 'add'; seed: number }
  | { op: 'remove'; account: number }
  | { op: 'index'; asset: 'BTC' | 'ETH'; factor: number }
  | { op: 'vol'; instrument: string; vol: number };

const fillArb = fc.record({ i: fc.integer({ min: 0, max: INSTRUMENTS.length - 1 }), size: fc.integer({ min: -12, max: 12 }).map((k) => (k || 1) / 4), factor: fc.double({ min: 0.8, max: 1.2, noNaN: true }) });
const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constantFrom('whatIf' as const, 'apply' as const), account: fc.nat(), fills: fc.array(fillArb, { minLength: 1, maxLength: 3 }) }),
  fc.record({ op: fc.constantFrom('deposit' as const, 'withdraw' as const), account: fc.nat(), asset: fc.constantFrom('USDC' as const, 'BTC' as const, 'USD' as const), amount: fc.double({ min: 0.01, max: 30000, noNaN: true }) }),
  fc.record({ op: fc.constant('add' as const), seed: fc.nat() }),
  fc.record({ op: fc.constant('remove' as const), account: fc.nat() }),
  fc.record({ op: fc.constant('index' as const), asset: fc.constantFrom('BTC' as const, 'ETH' as const), factor: fc.double({ min: 0.7, max: 1.3, noNaN: true }) }),
  fc.record({ op: fc.constant('vol' as const), instrument: fc.constantFrom('BTC-29MAY26-85000-C', 'BTC-29MAY26-65000-P', 'ETH-25SEP26-3300-P'), vol: fc.double({ min: 0.2, max: 1.5, noNaN: true }) }),
);

/** A market update that moves one index and scales its forwards with it. */
function indexMove(m: MarginMarket, asset: string, factor: number) {
  const a = m.assets[asset];
  return { assets: { [asset]: { index: a.index * factor, forwards: a.forwards?.map((f) => ({ expiry: f.expiry, price: f.price * factor })) } } };
}

function expectClose(got: number, want: number, what: string): void {
  if (Number.isNaN(want)) {
    expect(got, what).toBeNaN();
    return;
  }
  if (!Number.isFinite(want)) {
    expect(got, what).toBe(want);
    return;
  }
  expect(relDiff(got, want, FLOOR), `${what}: ${got} vs ${want}`).toBeLessThanOrEqual(REL);
}

type Mode = 'standard' | 'per-asset' | 'joint';

/** From-scratch IM, MM and equity of accounts at a market. */
function fromScratch(e: Engine, mode: Mode, accounts: MarginAccount[], market: MarginMarket): { im: number; mm: number; equity: number; status: string }[] {
  if (accounts.length === 0) return [];
  if (mode === 'standard') return e.standardMargin(accounts, market, DERIBIT_STANDARD).map((r) => ({ im: r.initialMargin, mm: r.maintenanceMargin, equity: r.equity, status: r.status }));
  const pm = e.portfolioMargin(accounts, market, DERIBIT_GRID, { aggregation: mode });
  const resolved = resolveAccounts(e, accounts, market);
  return pm.map((r, i) => {
    const equity = accountEquity(resolved[i]).equity;
    const im = r.initialMargin, mm = r.maintenanceMargin;
    const status = Number.isNaN(equity) || !Number.isFinite(im) || !Number.isFinite(mm) ? 'invalid' : equity < mm ? 'liquidation' : equity < im ? 'marginCall' : 'healthy';
    return { im, mm, equity, status };
  });
}

function compareAll(e: Engine, mode: Mode, book: MarginBook): void {
  const ids = book.ids();
  const accounts = ids.map((id) => book.exportAccount(id));
  const want = fromScratch(e, mode, accounts, book.currentMarket());
  const liquidating: string[] = [];
  const calling: string[] = [];
  ids.forEach((id, i) => {
    const s = book.account(id);
    expectClose(s.initialMargin, want[i].im, `${id} IM`);
    expectClose(s.maintenanceMargin, want[i].mm, `${id} MM`);
    expectClose(s.equity, want[i].equity, `${id} equity`);
    if (s.status !== want[i].status) {
      // Only an equity exactly at a margin may read either way within the tolerance.
      const edge = Math.min(relDiff(s.equity, want[i].im, FLOOR), relDiff(s.equity, want[i].mm, FLOOR));
      expect(edge, `${id} status ${s.status} vs ${want[i].status}`).toBeLessThanOrEqual(REL);
    }
    if (s.status === 'liquidation') liquidating.push(id);
    else if (s.status === 'marginCall' || s.warning) calling.push(id);
  });
  const lq = book.liquidationQueue();
  const mc = book.marginCalls();
  expect(lq.map((q) => q.id).sort()).toEqual(liquidating.sort());
  expect(mc.map((q) => q.id).sort()).toEqual(calling.sort());
  for (const q of [...lq, ...mc]) expect(q.shortfall).toBeGreaterThan(0);
  for (let k = 1; k < lq.length; k++) expect(lq[k - 1].marginRatio).toBeGreaterThanOrEqual(lq[k].marginRatio);
  for (let k = 1; k < mc.length; k++) expect(mc[k - 1].marginRatio).toBeGreaterThanOrEqual(mc[k].marginRatio);
}

/** Sum of |size x mark-ish| scale of an account: the what-if tolerance floor under portfolio margin (incremental sums). */
function grossScale(book: MarginBook, id: string): number {
  const acc = book.exportAccount(id);
  const m = book.currentMarket();
  let g = 1;
  for (const p of acc.positions) {
    const spec = p as Record<string, unknown>;
    const listed = typeof spec.instrument === 'string' ? m.instruments?.[spec.instrument] : undefined;
    const asset = (listed?.asset ?? spec.asset) as string;
    g += Math.abs(p.size) * m.assets[asset].index;
  }
  return g;
}

function runOp(e: Engine, mode: Mode, book: MarginBook, op: Op, counter: { n: number }): void {
  const ids = book.ids();
  const pick = (k: number) => ids[k % ids.length];
  switch (op.op) {
    case 'whatIf':
    case 'apply': {
      if (ids.length === 0) return;
      const id = pick(op.account);
      const orders = op.fills.map((f) => ({ ...INSTRUMENTS[f.i], size: f.size, price: priceFor(book, f.i, f.factor) }) as MarginOrder);
      const before = JSON.stringify(book.toJSON());
      if (op.op === 'whatIf') {
        let w;
        try {
          w = book.whatIf(id, orders);
        } catch (err) {
          // A fill that shorts spot is malformed for the what-if and the fill alike.
          expect(err).toBeInstanceOf(InputError);
          expect(JSON.stringify(book.toJSON())).toBe(before);
          expect(() => book.apply(id, orders)).toThrow(InputError);
          expect(JSON.stringify(book.toJSON())).toBe(before);
          return;
        }
        expect(JSON.stringify(book.toJSON())).toBe(before);
        // The same fills applied to a copy of the book: the what-if must equal the copy's state.
        const copy = e.marginBook.fromJSON(book.toJSON());
        let applied: MarginBookAccountState | undefined;
        try {
          applied = copy.apply(id, orders);
        } catch (err) {
          expect(err).toBeInstanceOf(InputError);
          expect(w.passes).toBe(false);
          expect(w.reason).toBe('cash');
        }
        if (applied) {
          // Standard: the same sums in the same order. PM: incremental sums (changed positions added
          // to the cached vectors), so relative to the account's gross notional.
          const floor = mode === 'standard' ? FLOOR : grossScale(copy, id);
          for (const k of ['initialMargin', 'maintenanceMargin', 'equity'] as const) {
            expect(relDiff(w[k], applied[k], floor), `whatIf ${k} ${w[k]} vs ${applied[k]}`).toBeLessThanOrEqual(mode === 'standard' ? REL : 1e-13);
          }
          expect(w.deltaInitialMargin).toBe(w.initialMargin - w.before.initialMargin);
        }
        copy.dispose();
        return;
      }
      try {
        book.apply(id, orders);
      } catch (err) {
        expect(err).toBeInstanceOf(InputError);
        expect(JSON.stringify(book.toJSON())).toBe(before);
      }
      return;
    }
    case 'deposit':
      if (ids.length === 0) return;
      book.deposit(pick(op.account), op.asset, op.amount);
      return;
    case 'withdraw': {
      if (ids.length === 0) return;
      const id = pick(op.account);
      const have = book.exportAccount(id).collateral?.[op.asset];
      if (have === undefined || have === 0) return;
      book.withdraw(id, op.asset, Math.min(have, op.amount));
      return;
    }
    case 'add':
      book.addAccount(randomAccount(`new-${counter.n++}`, mulberry32(op.seed)));
      return;
    case 'remove':
      if (ids.length === 0) return;
      book.removeAccount(pick(op.account));
      return;
    case 'index':
      book.updateMarket(indexMove(book.currentMarket(), op.asset, op.factor));
      return;
    case 'vol':
      book.updateMarket({ vols: { [op.instrument]: op.vol } });
  }
}

/** A small seeded generator (mulberry32) for the accounts the property draws from one integer. */
interface Rnd {
  nextInt(min: number, max: number): number;
  nextBoolean(): boolean;
}
function mulberry32(seed: number): Rnd {
  let t = seed >>> 0;
  const next = () => {
    t = (t + 0x6d2b79f5) >>> 0;
    let r = Math.imul(t ^ (t >>> 15), 1 | t);
    r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r;
    return ((r ^ (r >>> 14)) >>> 0) / 4294967296;
  };
  return { nextInt: (min, max) => min + Math.floor(next() * (max - min + 1)), nextBoolean: () => next() < 0.5 };
}

describe.each(BACKENDS)('margin book (%s)', (backend) => {
  let e: Engine;
  beforeAll(async () => {
    e = await engineFor(backend);
  });

  describe.each(['standard', 'per-asset', 'joint'] as const)('%s margin', (mode) => {
    const make = (accounts: MarginAccount[]) => (mode === 'standard'
      ? e.marginBook({ accounts, market: chainMarket, params: DERIBIT_STANDARD, warningBuffer: 0.2 })
      : e.marginBook({ accounts, market: chainMarket, grid: DERIBIT_GRID, aggregation: mode, warningBuffer: 0.2 }));

    it('equals from-scratch margin after every step of random operation sequences', () => {
      const seed = propertySeed(`margin book ${backend} ${mode}`);
      fc.assert(
        fc.property(fc.nat(), fc.array(opArb, { minLength: 1, maxLength: 12 }), (start, ops) => {
          const rnd = mulberry32(start);
          const accounts = Array.from({ length: 4 }, (_, i) => randomAccount(`acc-${i}`, rnd));
          const book = make(accounts);
          compareAll(e, mode, book);
          const counter = { n: 0 };
          for (const op of ops) {
            runOp(e, mode, book, op, counter);
            compareAll(e, mode, book);
          }
          // A snapshot restores an identical book.
          const copy = e.marginBook.fromJSON(JSON.stringify(book.toJSON()));
          for (const id of book.ids()) expect(copy.account(id)).toEqual(book.account(id));
          expect(copy.toJSON()).toEqual(book.toJSON());
          book.dispose();
          copy.dispose();
        }),
        { seed, numRuns: 10 },
      );
    });
  });
});
