/**
 * Option-chain input shared by the `surface` and `calibrate` commands: read a chain in any format
 * (Deribit, Cboe, a column-mapped CSV; or the bundled Deribit snapshot), build the implied-vol
 * surface per underlying, and select expiries.
 */
import type { Engine } from '../engine.js';
import { InputError } from '../errors.js';
import type { DeribitChain } from '../market/deribit-chain.js';
import { CHAIN_FORMATS, loadChain, type ChainFormat, type LoadAnyChainOptions } from '../market/load-chain.js';
import type { ChainColumns } from '../market/column-chain.js';
import type { OptionChain } from '../market/option-chain.js';
import type { Surface } from '../calibration/surface.js';
import { BadInputError, fromInputError } from './errors.js';
import { bundled, BUNDLED_CHAIN, displayPath, readText } from './files.js';
import type { CliContext, CliOption } from './command.js';

/** Options common to the commands that read a chain. */
export const CHAIN_OPTIONS: CliOption[] = [
  { flags: '--currency <ccy>', description: 'Underlying to use: BTC, ETH, ... (default: every currency in the chain)' },
  { flags: '--expiry <list>', description: 'Comma-separated expiries to keep, as 27MAR26 or 2026-03-27 (default: all)' },
  { flags: '--min-expiry-days <days>', description: 'Drop expiries shorter than this many days', default: 2 },
  { flags: '--skip-bad-rows', description: 'Skip malformed CSV rows (listed on stderr) instead of failing with exit 2' },
  { flags: '--format <format>', description: `Chain format: ${CHAIN_FORMATS.join(', ')} (default: deribit, or cboe for a file in Cboe's delayed-quotes layout)` },
  { flags: '--columns <map>', description: 'With --format columns: header names as key=Name pairs, e.g. expiry=Expiry,strike=Strike,type=Type,bid=Bid,ask=Ask (optional keys: mark, iv, underlying, forward, instrument, currency, timestamp, openInterest, volume, delta)' },
  { flags: '--valuation-time <iso>', description: 'Quote time, ISO 8601 (--format columns without a timestamp column; overrides a Cboe file\'s)' },
  { flags: '--price-unit <unit>', description: 'With --format columns: quote (prices in the quote currency, default) or underlying (coin-settled, as Deribit)' },
  { flags: '--expiry-time <time>', description: 'With --format columns: time of day of date-only expiries, e.g. 16:00-04:00 (default 00:00Z)' },
];

/** The chain and where it came from, read with the command's format options. */
export interface ChainInput { chain: DeribitChain; file: string; bundled: boolean; format: ChainFormat; skipBadRows: boolean }

/** Cboe's delayed-quotes layout: an index line with `Last:`, then a `Date:` line (blank lines before them ignored). */
function looksLikeCboe(text: string): boolean {
  const head = text.slice(0, 2000).split(/\r?\n/).filter((l) => l.trim() !== '');
  return head.length >= 2 && /(^|,)\s*Last:/.test(head[0]) && /^"?\s*Date:/.test(head[1]);
}

/** `expiry=Expiry,strike=Strike,...` -> a column map. @throws BadInputError naming --columns. */
function parseColumns(option: unknown): ChainColumns {
  const map: Record<string, string> = {};
  for (const part of String(option).split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new BadInputError(`expected key=Header pairs separated by commas (expiry=Expiry,strike=Strike,type=Type,bid=Bid,ask=Ask), got ${JSON.stringify(part)}`, { field: '--columns' });
    map[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  return map as unknown as ChainColumns;
}

/** The loadChain options of the command-line flags. */
function chainOptions(format: ChainFormat, options: Record<string, unknown>, skipBadRows: boolean, file: string): LoadAnyChainOptions {
  const out: LoadAnyChainOptions = { format, onError: skipBadRows ? 'skip' : 'reject', fileName: file };
  const only = (flag: string, value: unknown, formats: ChainFormat[]) => {
    if (value !== undefined && !formats.includes(format)) throw new BadInputError(`only with --format ${formats.join(' or ')}`, { field: flag });
    return value !== undefined;
  };
  if (only('--columns', options.columns, ['columns'])) out.columns = parseColumns(options.columns);
  if (only('--price-unit', options.priceUnit, ['columns'])) out.priceUnit = String(options.priceUnit) as LoadAnyChainOptions['priceUnit'];
  if (only('--expiry-time', options.expiryTime, ['columns'])) out.expiryTime = String(options.expiryTime);
  if (only('--valuation-time', options.valuationTime, ['columns', 'cboe'])) out.valuationTime = String(options.valuationTime);
  return out;
}

/** Parse `text` as `format`; errors re-attributed to the file. */
function parseChain(ctx: CliContext, text: string, shown: string, format: ChainFormat, options: Record<string, unknown>, skipBadRows: boolean): OptionChain {
  let chain: OptionChain;
  try {
    chain = loadChain(text, chainOptions(format, options, skipBadRows, shown));
  } catch (e) {
    if (e instanceof InputError && e.path.startsWith('options.')) {
      const flag = `--${e.path.slice('options.'.length).split('.')[0].replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
      throw new BadInputError(e.message.slice(e.path.length + 2), { field: flag });
    }
    throw fromInputError(e, shown, () => 1);
  }
  for (const s of chain.skipped) ctx.note(`riskwasm: skipped ${shown}:${s.line}: ${s.column}: expected ${s.reason}, got ${JSON.stringify(s.value)}`);
  if (chain.length === 0) throw new BadInputError('no option rows', { file: shown });
  return chain;
}

/**
 * Read the chain at `path`, or the bundled snapshot (announced on stderr), parsed with the
 * command's options (`--format`, `--columns`, `--price-unit`, `--expiry-time`, `--valuation-time`).
 * The format is `options.format` when given, else Cboe's layout when the file has it, else Deribit's.
 * @throws BadInputError naming file:line:column, or the flag at fault.
 */
export async function readChain(ctx: CliContext, path: unknown, skipBadRows: boolean, options: Record<string, unknown> = {}): Promise<ChainInput> {
  const isBundled = path === undefined;
  const file = isBundled ? bundled(BUNDLED_CHAIN) : String(path);
  if (isBundled) ctx.note(`riskwasm: no chain file given: using the bundled Deribit snapshot ${BUNDLED_CHAIN}`);
  const text = await readText(file);
  const shown = isBundled ? BUNDLED_CHAIN : displayPath(file);
  const format = formatOf(options.format, text);
  if (format === 'columns' && options.columns === undefined) throw new BadInputError('--format columns needs --columns expiry=..,strike=..,type=..,bid=..,ask=..', { field: '--columns' });
  return { chain: parseChain(ctx, text, shown, format, options, skipBadRows), file: shown, bundled: isBundled, format, skipBadRows };
}

/** `--format`, checked, or the layout sniffed from the text. */
function formatOf(option: unknown, text: string): ChainFormat {
  if (option === undefined) return looksLikeCboe(text) ? 'cboe' : 'deribit';
  const f = String(option).toLowerCase();
  if (!(CHAIN_FORMATS as readonly string[]).includes(f)) throw new BadInputError(`expected one of ${CHAIN_FORMATS.join(', ')}, got ${JSON.stringify(option)}`, { field: '--format' });
  return f as ChainFormat;
}

/** Month codes of Deribit instrument names (`27MAR26`), January first. */
export const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'] as const;

/** Deribit's expiry code of an ISO date: `2026-03-27T08:00:00Z` -> `27MAR26`. */
export function expiryLabel(iso: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso);
  if (!m) return iso;
  return `${Number(m[3])}${MONTHS[Number(m[2]) - 1]}${m[1].slice(2)}`;
}

/** Parse `--expiry`: a set of accepted labels (upper case) and ISO dates; undefined keeps all. */
function expiryFilter(option: unknown): ((iso: string) => boolean) | undefined {
  if (option === undefined) return undefined;
  const wanted = String(option).split(',').map((s) => s.trim().toUpperCase()).filter(Boolean);
  if (wanted.length === 0) throw new BadInputError('expected expiries such as 27MAR26 or 2026-03-27', { field: '--expiry' });
  return (iso) => wanted.includes(expiryLabel(iso)) || wanted.includes(iso.slice(0, 10));
}

/** The currencies to process: `--currency` (checked against the chain) or every one present. */
export function currencies(chain: OptionChain, option: unknown, file: string): string[] {
  const present = [...new Set(chain.currency)].sort();
  if (option === undefined) return present;
  const want = String(option).toUpperCase();
  if (!present.includes(want)) throw new BadInputError(`currency ${JSON.stringify(want)} is not in ${file} (it has ${present.join(', ')})`, { field: '--currency' });
  return [want];
}

/** `--min-expiry-days` as years. */
function minExpiryYears(option: unknown): number {
  const d = Number(option ?? 2);
  if (!(d >= 0) || !Number.isFinite(d)) throw new BadInputError(`expected a number of days >= 0, got ${JSON.stringify(option)}`, { field: '--min-expiry-days' });
  return d / 365;
}

/** Keep only the quotes of the selected expiries (a new Surface; the input is not modified). */
function selectExpiries(s: Surface, keep: ((iso: string) => boolean) | undefined): Surface {
  if (!keep) return s;
  const expiries = s.expiries.filter((e) => keep(e.expiryDate));
  const Ts = new Set(expiries.map((e) => e.expiry));
  const idx: number[] = [];
  for (let i = 0; i < s.kept; i++) if (Ts.has(s.quotes.expiries[i])) idx.push(i);
  const pick = (a: Float64Array) => Float64Array.from(idx, (i) => a[i]);
  return {
    ...s,
    forwards: pick(s.forwards),
    discountFactors: pick(s.discountFactors),
    quotes: {
      strikes: pick(s.quotes.strikes), expiries: pick(s.quotes.expiries), types: idx.map((i) => s.quotes.types[i]),
      vols: pick(s.quotes.vols), bids: pick(s.quotes.bids), asks: pick(s.quotes.asks), weights: pick(s.quotes.weights),
    },
    midPrices: pick(s.midPrices), bidPrices: pick(s.bidPrices), askPrices: pick(s.askPrices),
    instruments: idx.map((i) => s.instruments[i]),
    lines: Int32Array.from(idx, (i) => s.lines[i]),
    expiries,
    kept: idx.length,
  };
}

/** Surfaces for the selected currencies and expiries; currencies left with no quote are dropped with a note. */
export function buildSurfaces(ctx: CliContext, engine: Engine, input: ChainInput, options: Record<string, unknown>): Surface[] {
  const keep = expiryFilter(options.expiry);
  const minExpiry = minExpiryYears(options.minExpiryDays);
  const out: Surface[] = [];
  for (const currency of currencies(input.chain, options.currency, input.file)) {
    const s = selectExpiries(engine.buildSurface(input.chain, { currency, minExpiry }), keep);
    if (s.kept === 0) ctx.note(`riskwasm: ${currency}: no usable quote${keep ? ' for --expiry' : ''}`);
    else out.push(s);
  }
  if (out.length === 0) throw new BadInputError(`no usable out-of-the-money quote with a bid and an ask${keep ? ` for --expiry ${String(options.expiry)}` : ''}`, { file: input.file });
  return out;
}
