/**
 * Replay of a price history through a live margin book: a population of leveraged perpetual
 * accounts (linear, USD-margined, entered at the first prices) is re-margined at every tick, the
 * book's events report margin calls and liquidations as they happen, and liquidated accounts are
 * closed and replaced by new ones opened at the current prices, so the book keeps its size over
 * the whole history. What `examples/replay-service.mjs` and `riskwasm replay` run on the bundled
 * daily closes.
 */
import type { EngineContext } from '../context.js';
import { InputError } from '../errors.js';
import { checkKeys } from '../option-keys.js';
import { requireRecord } from '../arguments.js';
import { GENERIC_STANDARD, type StandardMarginParams } from './standard-params.js';
import { createMarginBook, type MarginBook, type MarginStatusChange, type MarginQueueEntry } from './margin-book.js';
import type { MarginAccount } from './types.js';
import { dictOf } from '../data-tables.js';

/** Arguments of `engine.replayMarginBook`. */
export interface ReplayArgs {
  /** Tick labels (e.g. dates), one per tick. */
  dates: readonly string[];
  /** Prices (USD, > 0) per asset, aligned with `dates`. */
  prices: Readonly<Record<string, ArrayLike<number>>>;
  /** Accounts in the book (default 10,000). */
  accounts?: number;
  /** Seed of the synthetic accounts (default 1). */
  seed?: number;
  /** Leverage range [min, max] of new accounts (notional / collateral; default [1.5, 8]). */
  leverage?: readonly [number, number];
  /** Standard-margin parameters (default GENERIC_STANDARD: one tier table for every asset). */
  params?: StandardMarginParams;
  /** Warning buffer of the book (default 0.25: healthy accounts within 25% of IM are called). */
  warningBuffer?: number;
  /** Called after every tick (e.g. to print). */
  onTick?: (tick: ReplayTick) => void;
  /** The book is made here and handed over before the first tick (e.g. to add event listeners). */
  onBook?: (book: MarginBook) => void;
}

const REPLAY_KEYS = ['dates', 'prices', 'accounts', 'seed', 'leverage', 'params', 'warningBuffer', 'onTick', 'onBook'] as const satisfies readonly (keyof ReplayArgs)[];

/** One tick of a replay. */
export interface ReplayTick {
  /** 0-based tick (tick 0 opens the book at the first prices). */
  tick: number;
  date: string;
  prices: Record<string, number>;
  /** Accounts whose status or warning flag changed this tick. */
  changes: MarginStatusChange[];
  /** Margin calls outstanding after the tick. */
  marginCalls: number;
  /** Accounts liquidated (closed and replaced) this tick, worst first, with their shortfalls (USD). */
  liquidated: MarginQueueEntry[];
  /** Wall time of the tick's updateMarket (ms). */
  updateMs: number;
}

/** Totals of a replay. */
export interface ReplayResult {
  ticks: number;
  accounts: number;
  /** Status changes into a margin call (or warning), over the replay. */
  marginCallEvents: number;
  /** Accounts liquidated over the replay. */
  liquidations: number;
  /** Sum of the liquidated accounts' shortfalls at liquidation (USD). */
  shortfall: number;
  /** updateMarket wall time per tick (ms): mean and worst. */
  meanUpdateMs: number;
  maxUpdateMs: number;
}

/** A small seeded generator (mulberry32): the synthetic accounts are a pure function of the seed. */
function mulberry32(seed: number): () => number {
  let t = seed >>> 0;
  return () => {
    t = (t + 0x6d2b79f5) >>> 0;
    let r = Math.imul(t ^ (t >>> 15), 1 | t);
    r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r;
    return ((r ^ (r >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * `count` synthetic accounts at `prices` (USD per asset): one to three linear perpetuals each
 * (long or short, entered at the current price), USDC collateral = notional / leverage with the
 * leverage drawn uniformly in `leverage`. Ids `${prefix}${k}`.
 */
export function replayAccounts(count: number, prices: Readonly<Record<string, number>>, seed: number, leverage: readonly [number, number], prefix = 'acct-'): MarginAccount[] {
  const rand = mulberry32(seed);
  const assets = Object.keys(prices);
  const out: MarginAccount[] = [];
  for (let k = 0; k < count; k++) {
    const n = 1 + Math.floor(rand() * 3);
    const positions = [];
    let notional = 0;
    for (let j = 0; j < n; j++) {
      const asset = assets[Math.floor(rand() * assets.length)];
      const usd = 1000 * Math.exp(rand() * Math.log(1000)); // 1,000 to 1,000,000 USD, log-uniform
      const size = ((rand() < 0.5 ? -1 : 1) * usd) / prices[asset];
      notional += usd;
      positions.push({ kind: 'perpetual' as const, asset, size, entryPrice: prices[asset] });
    }
    const lev = leverage[0] + rand() * (leverage[1] - leverage[0]);
    out.push({ id: `${prefix}${k}`, collateral: { USDC: notional / lev }, positions });
  }
  return out;
}

/**
 * Replay `args.prices` tick by tick through a standard-margin book of `args.accounts` synthetic
 * perpetual accounts (see `replayAccounts`). At each tick: one updateMarket with every
 * asset's new index; accounts in the liquidation queue are then closed (removed) and replaced by
 * new accounts at the tick's prices. Deterministic for a seed (timings aside).
 * @throws InputError for malformed args (`args.dates`, `args.prices.BTC[3]`, `args.accounts`, ...).
 */
export function replayMarginBook(ctx: EngineContext, args: ReplayArgs): ReplayResult {
  requireRecord(args, 'args');
  checkKeys(args, REPLAY_KEYS, 'args');
  const { dates } = args;
  if (!Array.isArray(dates) || dates.length === 0) throw new InputError('args.dates', dates, 'a non-empty array of tick labels');
  requireRecord(args.prices, 'args.prices');
  const assets = Object.keys(args.prices);
  if (assets.length === 0) throw new InputError('args.prices', args.prices, 'prices of at least one asset');
  for (const a of assets) {
    const p = args.prices[a];
    if (p === null || typeof p !== 'object' || p.length !== dates.length) throw new InputError(`args.prices.${a}`, p, `${dates.length} prices (one per date)`);
    for (let i = 0; i < p.length; i++) if (typeof p[i] !== 'number' || !(p[i] > 0) || !Number.isFinite(p[i])) throw new InputError(`args.prices.${a}[${i}]`, p[i], 'a positive finite price');
  }
  const count = args.accounts ?? 10_000;
  if (!Number.isSafeInteger(count) || count < 1 || count > 10_000_000) throw new InputError('args.accounts', count, 'a whole number of accounts in [1, 10000000]');
  const seed = args.seed ?? 1;
  if (!Number.isSafeInteger(seed)) throw new InputError('args.seed', seed, 'an integer seed');
  const leverage = args.leverage ?? [1.5, 8];
  if (!Array.isArray(leverage) || leverage.length !== 2 || !(leverage[0] >= 1) || !(leverage[1] >= leverage[0]) || !Number.isFinite(leverage[1])) {
    throw new InputError('args.leverage', leverage, 'a range [min, max] with 1 <= min <= max');
  }
  if (args.onTick !== undefined && typeof args.onTick !== 'function') throw new InputError('args.onTick', args.onTick, 'a function');
  if (args.onBook !== undefined && typeof args.onBook !== 'function') throw new InputError('args.onBook', args.onBook, 'a function');
  // Asset names are data: null-prototype records (an asset named `__proto__` is an ordinary key).
  const pricesAt = (i: number): Record<string, number> => dictOf(assets.map((a) => [a, args.prices[a][i]] as const));
  const first = pricesAt(0);
  const book = createMarginBook(ctx, {
    accounts: replayAccounts(count, first, seed, leverage),
    market: { assets: dictOf(assets.map((a) => [a, { index: first[a] }] as const)) },
    params: args.params ?? GENERIC_STANDARD,
    warningBuffer: args.warningBuffer ?? 0.25,
  });
  args.onBook?.(book);
  let marginCallEvents = 0, liquidations = 0, shortfall = 0, totalMs = 0, maxMs = 0, opened = 0;
  try {
    for (let i = 0; i < dates.length; i++) {
      const prices = pricesAt(i);
      const t0 = performance.now();
      const changes = i === 0 ? [] : book.updateMarket({ assets: dictOf(assets.map((a) => [a, { index: prices[a] }] as const)) });
      const ms = performance.now() - t0;
      totalMs += ms;
      maxMs = Math.max(maxMs, ms);
      for (const c of changes) if ((c.to === 'marginCall' || c.warning) && !(c.from === 'marginCall' || c.warningBefore)) marginCallEvents++;
      const liquidated = book.liquidationQueue();
      for (const q of liquidated) {
        book.removeAccount(q.id);
        shortfall += q.shortfall;
      }
      liquidations += liquidated.length;
      if (liquidated.length > 0) {
        // New accounts at today's prices keep the book at its size.
        for (const acc of replayAccounts(liquidated.length, prices, seed + 7919 * (i + 1), leverage, `acct-${count + opened}-`)) book.addAccount(acc);
        opened += liquidated.length;
      }
      args.onTick?.({ tick: i, date: String(dates[i]), prices, changes, marginCalls: book.marginCalls().length, liquidated, updateMs: ms });
    }
  } finally {
    book.dispose();
  }
  return {
    ticks: dates.length, accounts: count, marginCallEvents, liquidations, shortfall,
    meanUpdateMs: totalMs / Math.max(1, dates.length - 1), maxUpdateMs: maxMs,
  };
}
