/**
 * The one option-chain shape every downstream function takes (buildSurface, the forward
 * estimators, the margin market builders): column-wise, one entry per option, whatever the venue.
 */
import { InputError } from '../errors.js';

/**
 * The units of a chain's prices. `'underlying'`: units of the underlying per unit of underlying
 * (inverse, coin-settled options such as Deribit's: the quote-currency value divided by the
 * forward, never discounted). `'quote'`: quote currency (USD) per unit of underlying, paid at
 * expiry's discount factor (Cboe's SPX, most listed options).
 */
export type PriceUnit = 'underlying' | 'quote';

/** Where a chain came from. */
export type ChainVenue = 'deribit' | 'cboe' | 'columns' | 'arrays';

/**
 * An option chain, column-wise (one entry per option). NaN where the source has no value (a
 * missing bid, a forward the venue does not publish). A chain without `priceUnit` is a Deribit
 * chain (`'underlying'`), which is what every chain was before the venue-neutral readers.
 */
export interface OptionChain {
  /** Number of options kept. */
  length: number;
  /** Instrument name, e.g. `BTC-27MAR26-90000-C`, `SPXW230825C04350000`. */
  instrument: string[];
  /** Underlying of each option: `BTC`, `ETH`, `SPX`, ... (what `buildSurface({ currency })` selects). */
  currency: string[];
  /** +1 call, -1 put. */
  type: Int8Array;
  /** Strike, quote currency per unit of underlying (USD). */
  strike: Float64Array;
  /** Expiry timestamp (ISO 8601, with its time of day: 08:00 UTC on Deribit, the settlement time on Cboe). */
  expiry: string[];
  /** Time to expiry in years of 365.25 days (0 for an expiry at or before the quote time). */
  timeToMaturity: Float64Array;
  /** Best bid, best ask, venue mark and mid, in {@link OptionChain.priceUnit} (NaN: none; 0 bids are kept as 0). */
  bid: Float64Array;
  ask: Float64Array;
  mark: Float64Array;
  mid: Float64Array;
  /** The forward (USD) of each option's expiry when the venue publishes one (a future), else NaN. */
  forward: Float64Array;
  /** Spot index (USD), NaN when unknown. */
  index: Float64Array;
  /** The venue's implied volatility (decimal), NaN when none. */
  markIv: Float64Array;
  /** The venue's Black delta (NaN when none). */
  delta: Float64Array;
  /** The venue's vega (Deribit: USD per vol point), NaN when none. */
  vega: Float64Array;
  /** Open interest in contracts. */
  openInterest: Float64Array;
  /** Quote (snapshot) time of each option (ISO 8601). */
  timestamp: string[];
  /** Source line (1-based) of each kept option (0 for a chain built from arrays). */
  line: Int32Array;
  /** Rows that were skipped, with their line number and why. */
  skipped: ChainRowIssue[];
  /** Units of bid/ask/mark/mid; absent means `'underlying'` (a Deribit chain). */
  priceUnit?: PriceUnit;
  /** The reader that built the chain; absent on a chain from before the venue-neutral readers (Deribit). */
  venue?: ChainVenue;
  /** Minimum price increment in `priceUnit` (Deribit 0.0001 coin, SPX 0.05 USD), NaN or absent when unknown. */
  tickSize?: number;
  /** Traded volume and last sale price when the source has them. */
  volume?: Float64Array;
  last?: Float64Array;
}

/** A malformed row: its 1-based line number, the column at fault and the raw text. */
export interface ChainRowIssue {
  line: number;
  column: string;
  value: string;
  reason: string;
}

/** A malformed row in a CSV input, with its line number, column and (when given) the file name. */
export class CsvRowError extends InputError {
  readonly line: number;
  readonly column: string;
  /** The `fileName` option of the reader, when given. */
  readonly file?: string;
  constructor(issue: ChainRowIssue, file?: string) {
    super(`${file === undefined ? '' : `${file} `}line ${issue.line}: ${issue.column}`, issue.value, issue.reason);
    this.name = 'CsvRowError';
    this.line = issue.line;
    this.column = issue.column;
    if (file !== undefined) this.file = file;
  }
}

/** The price unit of a chain (absent: a Deribit chain, coin-settled). */
export function priceUnitOf(chain: OptionChain): PriceUnit {
  return chain.priceUnit ?? 'underlying';
}

/** Most options in one chain (2^24, as the most quotes of a calibration call). */
const MAX_CHAIN_ROWS = 2 ** 24;

/** The chain columns buildSurface reads. */
const CHAIN_COLUMNS = ['instrument', 'currency', 'type', 'strike', 'expiry', 'timeToMaturity', 'bid', 'ask', 'forward', 'line'] as const satisfies readonly (keyof OptionChain)[];

/**
 * Check the shape of a chain before any loop runs over it: `length` an integer in
 * [0, MAX_CHAIN_ROWS], every column read an array of that length, `skipped` an array,
 * `priceUnit` absent or a unit.
 * Row values are checked where they are used (see `buildSurface`).
 * @throws InputError naming `chain`, `chain.length` or `chain.<column>`.
 */
export function checkChain(chain: unknown): OptionChain {
  if (chain === null || typeof chain !== 'object' || Array.isArray(chain)) throw new InputError('chain', chain, 'an OptionChain (loadChain, loadDeribitChain, chainFromQuotes)');
  const c = chain as Record<string, unknown>;
  const n = c.length;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > MAX_CHAIN_ROWS) throw new InputError('chain.length', n, `an integer in [0, ${MAX_CHAIN_ROWS}] (an OptionChain from loadChain)`);
  for (const name of CHAIN_COLUMNS) {
    const v = c[name] as ArrayLike<unknown> | null | undefined;
    if (v === null || typeof v !== 'object' || v.length !== n) throw new InputError(`chain.${name}`, v, `an array of ${n} values (chain.length)`);
  }
  if (c.index !== undefined && (c.index === null || typeof c.index !== 'object' || (c.index as ArrayLike<unknown>).length !== n)) throw new InputError('chain.index', c.index, `an array of ${n} values (chain.length)`);
  if (!Array.isArray(c.skipped)) throw new InputError('chain.skipped', c.skipped, 'an array of malformed-row reports');
  if (c.priceUnit !== undefined && c.priceUnit !== 'underlying' && c.priceUnit !== 'quote') throw new InputError('chain.priceUnit', c.priceUnit, "'underlying' or 'quote'");
  if (c.tickSize !== undefined && (typeof c.tickSize !== 'number' || !(c.tickSize > 0 || Number.isNaN(c.tickSize)) || c.tickSize === Infinity)) throw new InputError('chain.tickSize', c.tickSize, 'a finite positive price step or NaN');
  return chain as OptionChain;
}

