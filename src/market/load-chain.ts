/** One entry point for every chain format: `loadChain(text, { format })`. */
import { InputError } from '../errors.js';
import { checkKeys } from '../option-keys.js';
import { loadCboeChain } from './cboe-chain.js';
import { loadColumnChain, type ChainColumns } from './column-chain.js';
import { loadDeribitChain } from './deribit-chain.js';
import type { OptionChain, PriceUnit } from './option-chain.js';

/** The chain formats {@link loadChain} reads. */
export type ChainFormat = 'deribit' | 'cboe' | 'columns';

/** The formats, in the order the CLI lists them. */
export const CHAIN_FORMATS: readonly ChainFormat[] = ['deribit', 'cboe', 'columns'];

/** Options of {@link loadChain}; each format accepts the keys its reader takes. */
export interface LoadAnyChainOptions {
  /** `'deribit'` (default: Deribit's snapshot CSV), `'cboe'` (Cboe delayed quotes) or `'columns'` (a CSV mapped by `columns`). */
  format?: ChainFormat;
  /** `'skip'` (default): malformed rows go to `skipped`; `'reject'`: CsvRowError on the first. */
  onError?: 'skip' | 'reject';
  /** File name used in errors. */
  fileName?: string;
  /** columns only: header names of the columns (see `loadColumnChain`). */
  columns?: ChainColumns;
  /** columns only: units of prices, `'quote'` (default) or `'underlying'` (coin-settled). */
  priceUnit?: PriceUnit;
  /** cboe, columns: quote time (ISO 8601) overriding the file's (cboe) or required without a timestamp column (columns). */
  valuationTime?: string;
  /** cboe, columns: underlying name. */
  underlying?: string;
  /** columns only: time of day of date-only expiries (`'16:00-04:00'`). */
  expiryTime?: string;
  /** columns only: minimum price step in `priceUnit`. */
  tickSize?: number;
}

const ALL_KEYS = ['format', 'onError', 'fileName', 'columns', 'priceUnit', 'valuationTime', 'underlying', 'expiryTime', 'tickSize'] as const satisfies readonly (keyof LoadAnyChainOptions)[];
const FORMAT_KEYS: Record<ChainFormat, readonly string[]> = {
  deribit: ['onError', 'fileName'],
  cboe: ['onError', 'fileName', 'underlying', 'valuationTime'],
  columns: ['onError', 'fileName', 'columns', 'priceUnit', 'valuationTime', 'underlying', 'expiryTime', 'tickSize'],
};

/**
 * Parse an option chain in any supported format into one {@link OptionChain}: `'deribit'`
 * (`loadDeribitChain`, prices in coins), `'cboe'` (`loadCboeChain`, USD) or `'columns'`
 * (`loadColumnChain`). Every downstream function (buildSurface, chainForwards, the margin market
 * builders for Deribit) takes the result.
 * @throws InputError for malformed options (an option another format takes, e.g. `columns` with
 * `format: 'cboe'`, names the key and the formats that take it); CsvRowError naming the file,
 * line and column for a malformed file (see each reader).
 */
export function loadChain(text: string, options: LoadAnyChainOptions = {}): OptionChain {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) throw new InputError('options', options, "an options object such as { format: 'cboe' }");
  checkKeys(options, ALL_KEYS, 'options');
  const format = options.format ?? 'deribit';
  if (!(CHAIN_FORMATS as readonly unknown[]).includes(format)) throw new InputError('options.format', format, `one of ${CHAIN_FORMATS.map((f) => `'${f}'`).join(', ')}`);
  const rest: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options)) {
    if (key === 'format' || value === undefined) continue;
    if (!FORMAT_KEYS[format].includes(key)) {
      const takers = CHAIN_FORMATS.filter((f) => FORMAT_KEYS[f].includes(key));
      throw new InputError(`options.${key}`, value, `absent with format '${format}' (only ${takers.map((f) => `'${f}'`).join(', ')} take it)`);
    }
    rest[key] = value;
  }
  if (format === 'deribit') return loadDeribitChain(text, rest);
  if (format === 'cboe') return loadCboeChain(text, rest);
  if (options.columns === undefined) throw new InputError('options.columns', undefined, "a column map with format 'columns' ({ expiry, strike, type, bid, ask, ... })");
  return loadColumnChain(text, rest as unknown as Parameters<typeof loadColumnChain>[1]);
}
