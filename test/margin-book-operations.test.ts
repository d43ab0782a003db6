/**
 * The live margin book's operations on small books whose numbers are worked by hand here: fill
 * arithmetic (entry averaging, realised P&L, premiums), the pre-trade check, queues and their
 * shortfalls, events, atomic failures (InputError with the field's path, book unchanged), snapshot
 * round trip, bounded memory and dispose. Both backends.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { BACKENDS, engineFor, expectInputError, relDiff } from './backends.js';
import {
  DERIBIT_GRID, GENERIC_STANDARD, MarginBookEvent,
  type Engine, type MarginAccount, type MarginMarket, type MarginBook, type MarginStatusChange, type StandardMarginParams,
} from '../src/index.js';

/** Flat 10% IM / 5% MM of notional on every linear position (no size term); short options 15% / 7.5% of the index + mark. */
const FLAT: StandardMarginParams = {
  name: 'flat-test', source: 'made up for this test',
  linear: { '*': { type: 'size-linear', initialRate: 0.1, maintenanceRate: 0.05, ratePerUnit: 0 } },
  options: { '*': { initialRate: 0.15, initialFloor: 0.1, maintenanceRate: 0.075, maintenanceMarkRate: { call: 0, put: 0 }, underlying: 'index' } },
};

const MARKET: MarginMarket = { assets: { BTC: { index: 100 }, ETH: { index: 10 } } };
const PERP = { kind: 'perpetual', asset: 'BTC' } as const;

describe.each(BACKENDS)('margin book operations (%s)', (backend) => {
  let e: Engine;
  beforeAll(async () => {
    e = await engineFor(backend);
  });
  const flatBook = (accounts: MarginAccount[], warningBuffer = 0) => e.marginBook({ accounts, market: MARKET, params: FLAT, warningBuffer });

  it('re-margins on each tick only what moved, and keeps collateral and untouched positions right (worked by hand)', () => {
    // BTC perp long 1 @ 100 and ETH perp short 1 @ 10, collateral USD 100 + ETH 2; FLAT: IM 10% of notional.
    const book = flatBook([
      { id: 'a', collateral: { USD: 100, ETH: 2 }, positions: [{ ...PERP, size: 1, entryPrice: 100 }, { kind: 'perpetual', asset: 'ETH', size: -1, entryPrice: 10 }] },
      { id: 'b', collateral: { ETH: 1 }, positions: [] },
    ]);
    const want = (id: string, equity: number, im: number) => {
      const s = book.account(id);
      // Sums of a few products of short decimals: exact to a few ulps.
      expect(s.equity).toBeCloseTo(equity, 10);
      expect(s.initialMargin).toBeCloseTo(im, 10);
    };
    book.updateMarket({ assets: { BTC: { index: 110 } } }); // ETH position and collateral untouched
    want('a', 100 + 2 * 10 + 10 + 0, 11 + 1);
    want('b', 10, 0);
    book.updateMarket({ assets: { ETH: { index: 12 } } }); // ETH collateral and position; BTC position kept
    want('a', 100 + 2 * 12 + 10 - 2, 11 + 1.2);
    want('b', 12, 0);
    book.deposit('a', 'ETH', 1);
    want('a', 100 + 3 * 12 + 10 - 2, 11 + 1.2);
    book.updateMarket({ assets: { BTC: { index: 100 } } });
    want('a', 100 + 3 * 12 + 0 - 2, 10 + 1.2);
    book.updateMarket({ rate: 0.05 }); // every unit re-resolved; perpetuals do not discount
    want('a', 100 + 3 * 12 + 0 - 2, 10 + 1.2);
    book.updateMarket({ assets: { ETH: { index: 8 } } });
    want('a', 100 + 3 * 8 + 0 + 2, 10 + 0.8);
    want('b', 8, 0);
  });

  it('averages entry prices, realises P&L into USD and settles premiums (worked by hand)', () => {
    const book = flatBook([{ id: 'a', collateral: { USD: 1000 }, positions: [] }]);
    book.apply('a', [{ ...PERP, size: 1, price: 100 }, { ...PERP, size: 1, price: 110 }]);
    let acc = book.exportAccount('a');
    expect(acc.positions).toEqual([{ ...PERP, size: 2, entryPrice: 105 }]);
    // Sell 3 at 120: 2 closed at 120 - 105 = +15 each (+30 USD), 1 short opened at 120.
    book.apply('a', [{ ...PERP, size: -3, price: 120 }]);
    acc = book.exportAccount('a');
    expect(acc.collateral).toEqual({ USD: 1030 });
    expect(acc.positions).toEqual([{ ...PERP, size: -1, entryPrice: 120 }]);
    // Buy the short back at 90: +30 USD, the position is gone.
    book.apply('a', [{ ...PERP, size: 1, price: 90 }]);
    acc = book.exportAccount('a');
    expect(acc.collateral).toEqual({ USD: 1060 });
    expect(acc.positions).toEqual([]);
    // Two calls at a premium of 5: 10 USD paid.
    book.apply('a', [{ kind: 'option', asset: 'BTC', strike: 100, expiry: 0.25, type: 'call', vol: 0.5, size: 2, price: 5 }]);
    expect(book.exportAccount('a').collateral).toEqual({ USD: 1050 });
    // A coin-settled perpetual closed at 125 with the index at 125: 1 x (1 - 100/125) coins x 125 = 25 USD.
    book.updateMarket({ assets: { BTC: { index: 125 } } });
    book.apply('a', [{ kind: 'perpetual', asset: 'BTC', settlement: 'coin', size: 1, price: 100 }]);
    book.apply('a', [{ kind: 'perpetual', asset: 'BTC', settlement: 'coin', size: -1, price: 125 }]);
    expect(book.exportAccount('a').collateral!.USD).toBeCloseTo(1075, 12);
  });

  it('margins by hand: IM 10% and MM 5% of notional, equity with unrealised P&L', () => {
    const book = flatBook([{ id: 'a', collateral: { USD: 50 }, positions: [{ ...PERP, size: 2, entryPrice: 90 }] }]);
    // Notional 2 x 100 = 200: IM 20, MM 10; equity 50 + 2 x (100 - 90) = 70.
    const s = book.account('a');
    expect([s.initialMargin, s.maintenanceMargin, s.equity, s.status]).toEqual([20, 10, 70, 'healthy']);
    expect(s.marginRatio).toBe(10 / 70);
    // Index 70: notional 140, IM 14, MM 7; equity 50 + 2 x (70 - 90) = 10: margin call, 4 short of IM.
    const changes = book.updateMarket({ assets: { BTC: { index: 70 } } });
    expect(changes.map((c) => [c.id, c.from, c.to])).toEqual([['a', 'healthy', 'marginCall']]);
    const calls = book.marginCalls();
    expect(calls).toHaveLength(1);
    expect(relDiff(calls[0].shortfall, 14 - 10, 1)).toBeLessThanOrEqual(1e-15);
    // Index 60: notional 120, MM 6, equity 50 - 60 = -10: liquidation, shortfall 16, ratio Infinity.
    book.updateMarket({ assets: { BTC: { index: 60 } } });
    expect(book.marginCalls()).toEqual([]);
    const q = book.liquidationQueue();
    expect(q.map((x) => [x.id, x.shortfall, x.marginRatio])).toEqual([['a', 16, Infinity]]);
  });

  it('orders the queues by margin ratio, worst first, and keeps them current', () => {
    const accounts = [10, 20, 30, 40].map((usd, i) => ({ id: `a${i}`, collateral: { USD: usd }, positions: [{ ...PERP, size: 2, entryPrice: 100 }] }));
    const book = flatBook(accounts, 0.5);
    // MM 10 for every account; ratios 10/usd.
    expect(book.liquidationQueue()).toEqual([]);
    // IM 20, buffer to 30: a0 (equity 10 < IM) is a call, a1 (20: not below IM, below 30) a warning, a2 (30) and a3 healthy.
    expect(book.marginCalls().map((x) => x.id)).toEqual(['a0', 'a1']);
    expect(book.account('a1').warning).toBe(true);
    // Index 95: equity usd - 10, MM 9.5, IM 19 (buffer 28.5): a0 (0) liquidates, a1 (10) is called, a2 (20) warned, a3 (30) healthy.
    book.updateMarket({ assets: { BTC: { index: 95 } } });
    expect(book.liquidationQueue().map((x) => [x.id, x.marginRatio])).toEqual([['a0', Infinity]]);
    expect(book.marginCalls().map((x) => [x.id, x.marginRatio])).toEqual([['a1', 9.5 / 10], ['a2', 9.5 / 20]]);
  });

  it('emits statusChange, marginCall and liquidation events matching the returned changes', () => {
    const book = flatBook([
      { id: 'calls', collateral: { USD: 30 }, positions: [{ ...PERP, size: 2, entryPrice: 100 }] },
      { id: 'fails', collateral: { USD: 12 }, positions: [{ ...PERP, size: 2, entryPrice: 100 }] },
      { id: 'eth', collateral: { USD: 1 }, positions: [{ kind: 'perpetual', asset: 'ETH', size: 1, entryPrice: 10 }] },
    ]);
    const seen: [string, MarginStatusChange][] = [];
    for (const type of ['statusChange', 'marginCall', 'liquidation']) {
      book.addEventListener(type, (ev) => {
        expect(ev).toBeInstanceOf(MarginBookEvent);
        seen.push([type, (ev as MarginBookEvent).detail]);
      });
    }
    // Index 95: 'calls' equity 20 < IM 19? no: 20 >= 19 healthy; 'fails' equity 2 < MM 9.5: liquidation. ETH untouched.
    let changes = book.updateMarket({ assets: { BTC: { index: 95 } } });
    expect(changes.map((c) => c.id)).toEqual(['fails']);
    expect(seen.map(([t, c]) => [t, c.id, c.to])).toEqual([['statusChange', 'fails', 'liquidation'], ['liquidation', 'fails', 'liquidation']]);
    seen.length = 0;
    // Index 91: 'calls' equity 30 - 18 = 12 < IM 18.2, >= MM 9.1: margin call.
    changes = book.updateMarket({ assets: { BTC: { index: 91 } } });
    expect(changes.map((c) => [c.id, c.to])).toEqual([['calls', 'marginCall']]);
    expect(seen.map(([t, c]) => [t, c.id])).toEqual([['statusChange', 'calls'], ['marginCall', 'calls']]);
    expect(seen[0][1]).toEqual(changes[0]);
  });

  it('whatIf: the change against now and the pre-trade check, without touching the book', () => {
    const book = flatBook([{ id: 'a', collateral: { USD: 30 }, positions: [{ ...PERP, size: 2, entryPrice: 100 }] }]);
    const before = JSON.stringify(book.toJSON());
    // +1 at 100: notional 300, IM 30; equity 30: passes exactly (equity >= IM).
    let w = book.whatIf('a', [{ ...PERP, size: 1, price: 100 }]);
    expect([w.initialMargin, w.deltaInitialMargin, w.equity, w.passes, w.reason]).toEqual([30, 10, 30, true, 'ok']);
    // +2: IM 40 > equity 30: fails on IM.
    w = book.whatIf('a', [{ ...PERP, size: 2, price: 100 }]);
    expect([w.initialMargin, w.passes, w.reason]).toEqual([40, false, 'initialMargin']);
    // Risk-reducing orders pass whatever the equity.
    book.updateMarket({ assets: { BTC: { index: 90 } } }); // equity 10 < IM 18
    w = book.whatIf('a', [{ ...PERP, size: -1, price: 90 }]);
    expect(w.passes).toBe(true);
    expect(w.deltaInitialMargin).toBeLessThan(0);
    // An option premium the USD cannot pay: reason cash; apply refuses it atomically.
    const option = { kind: 'option', asset: 'BTC', strike: 100, expiry: 0.25, type: 'call', vol: 0.5, size: 1, price: 50 } as const;
    w = book.whatIf('a', [option]);
    expect([w.passes, w.reason, w.cashUsd]).toEqual([false, 'cash', -20]);
    const mid = JSON.stringify(book.toJSON());
    expectInputError(() => book.apply('a', [option]), 'fills');
    expect(JSON.stringify(book.toJSON())).toBe(mid);
    expect(before).not.toBe(mid); // the market moved in between
  });

  it('rejects malformed calls with the field path and leaves the book unchanged', () => {
    const book = flatBook([{ id: 'a', collateral: { USD: 100 }, positions: [{ ...PERP, size: 1 }] }]);
    const snap = JSON.stringify(book.toJSON());
    expectInputError(() => book.whatIf('nobody', []), 'id');
    expectInputError(() => book.apply('a', [{ ...PERP, size: 1 } as never]), 'fills[0].price');
    expectInputError(() => book.apply('a', [{ ...PERP, size: 1, price: 1 }, { ...PERP, size: Number.NaN, price: 1 }]), 'fills[1].size');
    expectInputError(() => book.apply('a', [{ kind: 'perpetual', asset: 'DOGE', size: 1, price: 1 }]), 'fills[0].asset');
    expectInputError(() => book.apply('a', [{ instrument: 'NOPE', size: 1, price: 1 }]), 'fills[0].instrument');
    const typo = expectInputError(() => book.apply('a', [{ ...PERP, size: 1, price: 1, fundingRat: 0.1 } as never]), 'fills[0].fundingRat');
    expect(typo.suggestion).toBe('fundingRate');
    expectInputError(() => book.apply('a', [{ kind: 'spot', asset: 'BTC', size: -1, price: 100 }]), 'fills[0].size');
    expectInputError(() => book.apply('a', [{ ...PERP, size: 1, price: 1, entryPrice: 3 } as never]), 'fills[0].entryPrice');
    expectInputError(() => book.updateMarket({ assets: { BTC: { index: -1 } } }), 'changes.assets.BTC.index');
    expectInputError(() => book.updateMarket({ asset: {} } as never), 'changes.asset');
    expectInputError(() => book.updateMarket({ assets: { BTC: { index: 100, forwards: [{ expiry: 1, price: -5 }] } } }), 'changes.assets.BTC.forwards[0].price');
    expectInputError(() => book.updateMarket({ vols: { X: Number.NaN } }), 'changes.vols.X');
    expectInputError(() => book.deposit('a', 'DOGE', 1), 'asset');
    expectInputError(() => book.deposit('a', 'USD', 0), 'amount');
    expectInputError(() => book.withdraw('a', 'USD', 100.5), 'amount');
    expectInputError(() => book.addAccount({ id: 'a', positions: [] }), 'account.id');
    expectInputError(() => book.addAccount({ id: 'b', positions: [{ kind: 'perpetual', asset: 'BTC', size: 'x' as never }] }), 'account.positions[0].size');
    expectInputError(() => book.removeAccount('b'), 'id');
    expect(JSON.stringify(book.toJSON())).toBe(snap);
  });

  it('rejects malformed construction', () => {
    expectInputError(() => e.marginBook({ market: MARKET, params: FLAT, grid: DERIBIT_GRID }), 'args.params');
    expectInputError(() => e.marginBook({ market: MARKET }), 'args.params');
    expectInputError(() => e.marginBook({ market: MARKET, params: FLAT, accounts: [{ id: 'x', positions: [] }, { id: 'x', positions: [] }] }), 'accounts[1].id');
    const btcOnly: StandardMarginParams = { ...FLAT, linear: { BTC: FLAT.linear['*'] } };
    expectInputError(() => e.marginBook({ market: MARKET, params: btcOnly, accounts: [{ positions: [{ kind: 'perpetual', asset: 'ETH', size: 1 }] }] }), 'accounts[0].positions[0].asset');
    expectInputError(() => e.marginBook({ market: MARKET, params: FLAT, warningBufer: 1 } as never), 'args.warningBufer');
    expectInputError(() => e.marginBook.fromJSON({ format: 'other' } as never), 'snapshot.format');
    expectInputError(() => e.marginBook.fromJSON('{not json'), 'snapshot');
  });

  it('restores an identical book from a snapshot, standard and portfolio margin', () => {
    const accounts: MarginAccount[] = [
      { id: 'a', description: 'desk', collateral: { USD: 500, BTC: 0.5 }, positions: [{ ...PERP, size: 2, entryPrice: 90 }, { kind: 'option', asset: 'ETH', strike: 11, expiry: 0.3, type: 'put', vol: 0.8, size: -3 }] },
      { id: 'b', collateral: { USD: 40 }, positions: [{ kind: 'perpetual', asset: 'ETH', size: -5, entryPrice: 9, accruedFunding: -1 }] },
    ];
    for (const book of [flatBook(accounts, 0.1), e.marginBook({ accounts, market: MARKET, grid: DERIBIT_GRID, aggregation: 'joint', haircuts: { BTC: 0.1 } })]) {
      book.apply('a', [{ ...PERP, size: -1, price: 95 }]);
      book.updateMarket({ assets: { ETH: { index: 9.5 } } });
      const copy = e.marginBook.fromJSON(JSON.stringify(book));
      expect(copy.ids()).toEqual(book.ids());
      for (const id of book.ids()) expect(copy.account(id)).toEqual(book.account(id));
      expect(copy.toJSON()).toEqual(book.toJSON());
      expect(copy.marginCalls()).toEqual(book.marginCalls());
      expect(copy.exportAccount('a').description).toBe('desk');
    }
  });

  it('keeps memory bounded: units leave with their last holder, vector rows are reused; dispose frees the book', () => {
    const accounts = Array.from({ length: 50 }, (_, i) => ({
      id: `a${i}`, collateral: { USD: 1000 },
      positions: [{ kind: 'option', asset: 'BTC', strike: 80 + i, expiry: 0.5, type: 'call', vol: 0.6, size: -1 } as const, { ...PERP, size: 1 }],
    }));
    const book: MarginBook = e.marginBook({ accounts, market: MARKET, grid: DERIBIT_GRID });
    const full = book.memory();
    expect([full.accounts, full.positions, full.units]).toEqual([50, 100, 51]);
    for (let round = 0; round < 3; round++) {
      for (const a of accounts) book.removeAccount(a.id);
      expect(book.memory()).toEqual({ accounts: 0, positions: 0, units: 0, vectorBytes: full.vectorBytes, columnBytes: 0 });
      for (const a of accounts) book.addAccount(a);
      expect(book.memory()).toEqual(full);
    }
    book.dispose();
    expect(book.isDisposed).toBe(true);
    expectInputError(() => book.account('a0'), 'book');
    expectInputError(() => book.updateMarket({}), 'book');
    expectInputError(() => book.whatIf('a0', []), 'book');
  });

  it('re-margins only the accounts exposed to a market change', () => {
    const market: MarginMarket = { ...MARKET, instruments: { X: { kind: 'option', asset: 'BTC', strike: 100, expiry: 0.5, type: 'call' } }, vols: { X: 0.5 } };
    const book = e.marginBook({
      market, grid: DERIBIT_GRID,
      accounts: [
        { id: 'btc', collateral: { USD: 100 }, positions: [{ ...PERP, size: 1 }] },
        { id: 'eth', collateral: { USD: 100 }, positions: [{ kind: 'perpetual', asset: 'ETH', size: 1 }] },
        { id: 'eth-collateral', collateral: { ETH: 10 }, positions: [{ ...PERP, size: -1 }] },
        { id: 'vol', collateral: { USD: 100 }, positions: [{ instrument: 'X', size: -1 }] },
      ],
    });
    // The cached result object of an account not re-margined is the same object afterwards.
    const before = new Map(book.ids().map((id) => [id, book.account(id).portfolio]));
    book.updateMarket({ assets: { ETH: { index: 11 } } });
    expect(book.ids().filter((id) => book.account(id).portfolio !== before.get(id))).toEqual(['eth', 'eth-collateral']);
    expect(book.account('eth-collateral').equity).toBe(10 * 11);
    const mid = new Map(book.ids().map((id) => [id, book.account(id).portfolio]));
    book.updateMarket({ vols: { X: 0.6 } });
    expect(book.ids().filter((id) => book.account(id).portfolio !== mid.get(id))).toEqual(['vol']);
  });

  it('registers an instrument first met in a what-if when a fill of it commits (it then follows the market)', () => {
    const book = flatBook([{ id: 'a', collateral: { USD: 1000 }, positions: [] }]);
    const option = { kind: 'option', asset: 'BTC', strike: 110, expiry: 0.25, type: 'call', vol: 0.5 } as const;
    book.whatIf('a', [{ ...option, size: -1, price: 3 }]);
    book.apply('a', [{ ...option, size: -1, price: 3 }]);
    book.updateMarket({ assets: { BTC: { index: 120 } } });
    const want = e.standardMargin(book.exportAccount('a'), book.currentMarket(), FLAT);
    expect(book.account('a').initialMargin).toBe(want.initialMargin);
    expect(book.memory().units).toBe(1);
  });

  it('does not mutate what the caller passed', () => {
    const accounts: MarginAccount[] = [{ id: 'a', collateral: { USD: 100 }, positions: [{ ...PERP, size: 1, entryPrice: 100 }] }];
    const market: MarginMarket = { assets: { BTC: { index: 100, forwards: [{ expiry: 1, price: 101 }] } } };
    const copyAccounts = structuredClone(accounts), copyMarket = structuredClone(market);
    const book = e.marginBook({ accounts, market, params: GENERIC_STANDARD });
    const orders = [{ ...PERP, size: 1, price: 100 }];
    const copyOrders = structuredClone(orders);
    book.whatIf('a', orders);
    book.apply('a', orders);
    const changes = { assets: { BTC: { index: 90 } } };
    book.updateMarket(changes);
    expect(accounts).toEqual(copyAccounts);
    expect(market).toEqual(copyMarket);
    expect(orders).toEqual(copyOrders);
    expect(changes).toEqual({ assets: { BTC: { index: 90 } } });
  });
});
