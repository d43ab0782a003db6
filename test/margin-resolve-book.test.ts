// The resolved book behind portfolioMargin (one unit per distinct listed instrument, positions as
// columns, netting classes per unit): the same numbers, bit for bit, as margining the per-position
// resolution (resolveAccounts + marginResolved, every position its own unit, netting compared field
// by field); nothing of one call leaks into the next; the caller's objects are not written; the
// errors and their paths are those of resolveAccounts. Both backends.
import { describe, expect, it } from 'vitest';
import snapshot from '../data/market/deribit_options_snapshot_20260105T153329Z.csv?raw';
import { createEngine, InputError, loadDeribitChain } from '../src/index.js';
import { DERIBIT_GRID, deribitGrid } from '../src/margin/grids.js';
import { marginResolved, portfolioMargin, type PortfolioMarginResult } from '../src/margin/portfolio-margin.js';
import { marketFromDeribitChain, resolveAccounts } from '../src/margin/market.js';
import type { MarginAccount, MarginMarket, MarginPosition } from '../src/margin/types.js';
import { BACKENDS, engineFor } from './backends.js';
import { rng } from './seeded-random.js';

const chain = loadDeribitChain(snapshot);
const MARKET = marketFromDeribitChain(chain);

/**
 * `count` accounts of 20 positions drawn from a few instruments of the chain (so instruments repeat
 * across and within accounts: calls and puts on one strike, the same option long and short), with
 * futures and the perpetual; every 7th account also holds a position with its own vol and an
 * explicit-kind option (units of their own).
 */
function chainBook(count: number, seed = 5): MarginAccount[] {
  const rand = rng(seed);
  const names: string[] = [];
  for (let i = 0; i < chain.length && names.length < 40; i++) {
    const name = chain.instrument[i];
    if (chain.currency[i] === 'BTC' && chain.timeToMaturity[i] > 0.02 && MARKET.vols![name] !== undefined && Math.abs(Math.log(chain.strike[i] / chain.forward[i])) < 0.2) names.push(name);
  }
  // Both types of a strike where the chain lists them, so per-strike netting has pairs to net.
  const pick = <T>(a: readonly T[]): T => a[Math.floor(rand() * a.length)];
  const future = Object.keys(MARKET.instruments!).find((n) => MARKET.instruments![n].kind === 'future' && n.startsWith('BTC-'))!;
  const accounts: MarginAccount[] = [];
  for (let a = 0; a < count; a++) {
    const positions: MarginPosition[] = [];
    for (let k = 0; k < 20; k++) {
      const size = Math.round((rand() * 10 - 5) * 10) / 10 || 0.1;
      if (k < 15) positions.push({ instrument: pick(names), size });
      else if (k < 17) positions.push({ instrument: future, size, entryPrice: 90_000 });
      else if (k < 19) positions.push({ instrument: 'BTC-PERPETUAL', size, accruedFunding: 3 });
      else if (a % 7 === 0) positions.push({ instrument: names[0], size, vol: 0.7 });
      else positions.push({ kind: 'option', asset: 'BTC', strike: 90_000, expiry: 0.1, type: 'put', size, vol: 0.5 });
    }
    accounts.push({ id: `a${a}`, positions });
  }
  return accounts;
}

/** Every number of two result lists equal under Object.is (NaN equals NaN, -0 differs from 0). */
function expectIdentical(a: readonly PortfolioMarginResult[], b: readonly PortfolioMarginResult[]): void {
  expect(a.length).toBe(b.length);
  a.forEach((x, i) => {
    const y = b[i];
    for (const k of ['initialMargin', 'maintenanceMargin', 'scanRisk', 'status'] as const) expect(Object.is(x[k], y[k]), `${i}.${k}`).toBe(true);
    expect(x.id).toBe(y.id);
    expect(x.worstScenario).toStrictEqual(y.worstScenario);
    expect(x.addOns).toStrictEqual(y.addOns);
    expect(x.perAsset).toStrictEqual(y.perAsset);
    expect(Array.from(x.scenarioPnl)).toStrictEqual(Array.from(y.scenarioPnl));
    expect(Array.from(x.contributions)).toStrictEqual(Array.from(y.contributions));
  });
}

function deepFreeze<T>(o: T): T {
  if (o !== null && typeof o === 'object' && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o)) deepFreeze(v);
  }
  return o;
}

/** The InputError a call throws (fails the test if it throws anything else or nothing). */
function inputError(f: () => unknown): InputError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return e as InputError;
  }
  throw new Error('expected an InputError');
}

describe.each(BACKENDS)('resolved book of portfolio margin (%s)', (backend) => {
  const accounts = chainBook(120);

  it('equals the per-position resolution bit for bit (per strike and per instrument netting, per-asset and joint)', async () => {
    const e = await engineFor(backend);
    // The book path groups netting by class only when units repeat (4 positions per unit or more): check the book does.
    const distinct = new Set(accounts.flatMap((a) => a.positions.map((p) => JSON.stringify({ ...p, size: 0, entryPrice: 0, accruedFunding: 0 }))));
    expect(4 * distinct.size).toBeLessThanOrEqual(accounts.length * 20);
    const perInstrument = deribitGrid({ addOns: { shortOptionContingency: 0.02, contingencyNetting: 'instrument', futuresContingency: 0.005 } });
    for (const grid of [DERIBIT_GRID, perInstrument]) {
      for (const aggregation of ['per-asset', 'joint'] as const) {
        const book = portfolioMargin(e, accounts, MARKET, grid, { aggregation });
        const each = marginResolved(e, resolveAccounts(e, accounts, MARKET), grid, aggregation);
        expectIdentical(book, each);
        // Not vacuous: the contingency add-on is there to compare.
        expect(book.some((r) => r.addOns.shortOptionContingency > 0)).toBe(true);
      }
    }
  });

  it('keeps nothing between calls: another market, then the first again, gives the first results; order of accounts does not matter', async () => {
    const e = await engineFor(backend);
    const first = portfolioMargin(e, accounts, MARKET, DERIBIT_GRID);
    // The same instrument names with other vols and another index: a stale look-up would keep the old ones.
    const vols: Record<string, number> = Object.create(null);
    for (const [k, v] of Object.entries(MARKET.vols!)) vols[k] = v * 1.5;
    const btc = MARKET.assets.BTC;
    const moved: MarginMarket = { ...MARKET, vols, assets: { ...MARKET.assets, BTC: { index: btc.index * 1.1, forwards: btc.forwards!.map((f) => ({ ...f, price: f.price * 1.1 })) } } };
    const other = portfolioMargin(e, accounts, moved, DERIBIT_GRID);
    const fresh = portfolioMargin(await createEngine({ backend }), accounts, moved, DERIBIT_GRID);
    expectIdentical(other, fresh);
    expect(other.filter((r, i) => r.initialMargin !== first[i].initialMargin).length).toBeGreaterThan(accounts.length / 2);
    expectIdentical(portfolioMargin(e, accounts, MARKET, DERIBIT_GRID), first);
    const reversed = portfolioMargin(e, [...accounts].reverse(), MARKET, DERIBIT_GRID).reverse();
    expectIdentical(reversed, first);
  });

  it('writes nothing of the caller: frozen accounts, market and grid go through, unchanged', async () => {
    const e = await engineFor(backend);
    const accs = structuredClone(accounts.slice(0, 30));
    const market = structuredClone({ ...MARKET, vols: { ...MARKET.vols }, instruments: { ...MARKET.instruments } }) as MarginMarket;
    const before = JSON.stringify([accs, market]);
    const r = portfolioMargin(e, deepFreeze(accs), deepFreeze(market), DERIBIT_GRID);
    expect(JSON.stringify([accs, market])).toBe(before);
    expectIdentical(r, portfolioMargin(e, accounts.slice(0, 30), MARKET, DERIBIT_GRID));
  });

  it('one result block per chunk: each account sees its own values, and writing one leaves the others', async () => {
    const e = await engineFor(backend);
    const r = portfolioMargin(e, accounts.slice(0, 5), MARKET, DERIBIT_GRID);
    const copy = r.map((x) => Array.from(x.scenarioPnl));
    r[0].scenarioPnl.fill(NaN);
    r[0].contributions.fill(NaN);
    r.slice(1).forEach((x, i) => expect(Array.from(x.scenarioPnl)).toStrictEqual(copy[i + 1]));
    r.forEach((x) => expect(x.contributions.length).toBe(20));
    expect(r[1].contributions.some(Number.isNaN)).toBe(false);
  });

  it('errors at a repeated instrument name the position and field, as resolveAccounts does', async () => {
    const e = await engineFor(backend);
    const name = (accounts[0].positions[0] as { instrument: string }).instrument;
    const market: MarginMarket = { ...MARKET, instruments: { ...MARKET.instruments, 'BTC-SPOT': { kind: 'spot', asset: 'BTC' } as never } };
    const base = (): MarginAccount[] => [
      { positions: [{ instrument: name, size: 1 }, { instrument: 'BTC-PERPETUAL', size: 1 }, { instrument: 'BTC-SPOT', size: 1 }] },
      { positions: [] },
    ];
    const cases: [(a: MarginAccount[]) => void, string, string?][] = [
      [(a) => ((a[1].positions as MarginPosition[]).push({ instrument: name, size: Number.NaN })), 'accounts[1].positions[0].size'],
      [(a) => ((a[1].positions as MarginPosition[]).push({ instrument: 'BTC-PERPETUAL', size: 1, entryPrice: -5 })), 'accounts[1].positions[0].entryPrice'],
      [(a) => ((a[1].positions as MarginPosition[]).push({ instrument: 'BTC-PERPETUAL', size: 1, accruedFunding: Infinity })), 'accounts[1].positions[0].accruedFunding'],
      [(a) => ((a[1].positions as MarginPosition[]).push({ instrument: 'BTC-SPOT', size: -1 })), 'accounts[1].positions[0].size'],
      [(a) => ((a[1].positions as MarginPosition[]).push({ instrument: name, sise: 1 } as unknown as MarginPosition)), 'accounts[1].positions[0].sise', 'size'],
      [(a) => ((a[1] as unknown as Record<string, unknown>).postions = []), 'accounts[1].postions', 'positions'],
    ];
    for (const [breakIt, path, suggestion] of cases) {
      const a = base();
      breakIt(a);
      const viaBook = inputError(() => portfolioMargin(e, a, market, DERIBIT_GRID));
      const viaPositions = inputError(() => resolveAccounts(e, a, market));
      expect(viaBook.path).toBe(path);
      expect(viaPositions.path).toBe(path);
      expect(Object.is(viaBook.value, viaPositions.value)).toBe(true);
      expect(viaBook.suggestion).toBe(suggestion);
    }
  });

  it('judges own keys only: an inherited enumerable key is no unknown key, an own one is', async () => {
    const e = await engineFor(backend);
    const name = (accounts[0].positions[0] as { instrument: string }).instrument;
    const inherited = Object.assign(Object.create({ colour: 'red' }) as MarginPosition, { instrument: name, size: 2 });
    const plain: MarginPosition = { instrument: name, size: 2 };
    expectIdentical(portfolioMargin(e, [{ positions: [plain, inherited] }], MARKET, DERIBIT_GRID), portfolioMargin(e, [{ positions: [plain, plain] }], MARKET, DERIBIT_GRID));
    const own = { instrument: name, size: 2, colour: 'red' } as unknown as MarginPosition;
    expect(inputError(() => portfolioMargin(e, [{ positions: [plain, own] }], MARKET, DERIBIT_GRID)).path).toBe('accounts[0].positions[1].colour');
  });
});
