// Shared by the liquidation-price tests (portfolio margin, worker pool, coin settlement): the
// bundled 2026-04-15 Deribit market, three hedged option books on it, and the by-hand market moves
// the tests re-check solutions with (built here, not by the solver under test).
import snapshot from '../data/market/deribit_options_snapshot_20260415T102447Z.csv?raw';
import { deribitGrid, loadDeribitChain, marketFromDeribitChain, resolveAccounts, type Engine, type MarginAccount, type MarginMarket } from '../src/index.js';

/** The bundled 2026-04-15 chain as margin market data (BTC index 74,024.65). */
export const chainMarket: MarginMarket = marketFromDeribitChain(loadDeribitChain(snapshot));

// Short 29 May 2026 strangle hedged with perpetuals, on USDC (and, for one, BTC) collateral.
/** True in Node (not in the browser project), where worker-thread and file-system cases run. */
export const IS_NODE = typeof (globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node === 'string'
  && typeof (globalThis as { window?: unknown }).window === 'undefined';

// Instruments of the bundled chain by kind: options with a vol, dated futures, the perpetuals.
const chainInstruments = chainMarket.instruments!;
export const CHAIN_OPTIONS: readonly string[] = Object.keys(chainInstruments).filter((n) => chainInstruments[n].kind === 'option' && chainMarket.vols![n] !== undefined && chainInstruments[n].expiry > 0.01);
export const CHAIN_FUTURES: readonly string[] = Object.keys(chainInstruments).filter((n) => chainInstruments[n].kind === 'future' && chainInstruments[n].expiry > 0.01);
export const CHAIN_PERPS: readonly string[] = Object.keys(chainInstruments).filter((n) => chainInstruments[n].kind === 'perpetual');

// Every add-on non-zero (a futures contingency, a delta shock from $1,000 of delta), so that no two
// add-on columns of a margin result can be confused because both are 0.
export const ADD_ON_GRID = deribitGrid({ addOns: { shortOptionContingency: 0.01, futuresContingency: 0.005, deltaShock: { max: 0.1, threshold: 1000 } } });

export const OPTION_BOOKS: readonly MarginAccount[] = [
  {
    id: 'strangle-usdc', collateral: { USDC: 12000 },
    positions: [
      { instrument: 'BTC-29MAY26-85000-C', size: -1 },
      { instrument: 'BTC-29MAY26-65000-P', size: -1 },
      { instrument: 'BTC-PERPETUAL', size: 0.2, entryPrice: 73000 },
    ],
  },
  {
    id: 'strangle-btc', collateral: { BTC: 0.3 },
    positions: [
      { instrument: 'BTC-29MAY26-85000-C', size: -2 },
      { instrument: 'BTC-29MAY26-65000-P', size: -1 },
      { instrument: 'BTC-PERPETUAL', size: 0.5, entryPrice: 75000, accruedFunding: -35 },
    ],
  },
  {
    id: 'two-assets', collateral: { USDC: 9000, ETH: 2 },
    positions: [
      { instrument: 'BTC-29MAY26-80000-C', size: -1 },
      { instrument: 'BTC-PERPETUAL', size: 0.3 },
      { instrument: 'ETH-PERPETUAL', size: -3, entryPrice: 2300 },
    ],
  },
];

/** The market with one asset's index at `level` and its forwards scaled in proportion (by hand, not by the solver). */
export function moved(m: MarginMarket, asset: string, level: number): MarginMarket {
  const a = m.assets[asset];
  const k = level / a.index;
  return { ...m, assets: { ...m.assets, [asset]: { index: level, forwards: a.forwards?.map((f) => ({ expiry: f.expiry, price: f.price * k })) } } };
}

/**
 * The account with today's mark as the entry price of every future and perpetual without one. The
 * solvers count an entry-less position's P&L from today's mark (and fix a coin position's face at
 * size x today's mark), while equity re-run on a market moved by hand would take the moved mark.
 */
export function withTodaysEntries(e: Engine, acc: MarginAccount, mk: MarginMarket): MarginAccount {
  const resolved = resolveAccounts(e, acc, mk)[0];
  return {
    ...acc,
    positions: acc.positions.map((p, i) => {
      const r = resolved.positions[i];
      return (r.kind === 'perpetual' || r.kind === 'future') && (p as { entryPrice?: number }).entryPrice === undefined ? { ...p, entryPrice: r.markPerUnit } : p;
    }),
  };
}
