/**
 * Option-chain input shared by the `surface` and `calibrate` commands: read a Deribit chain (or
 * the bundled snapshot), build the implied-vol surface per currency, and select expiries.
 */
import type { Engine } from '../engine.js';
import { loadDeribitChain, type DeribitChain } from '../market/deribit-chain.js';
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
];

/** The chain and where it came from. */
export interface ChainInput { chain: DeribitChain; file: string; bundled: boolean }

/** Read the chain at `path`, or the bundled snapshot (announced on stderr). @throws BadInputError naming file:line:column. */
export async function readChain(ctx: CliContext, path: unknown, skipBadRows: boolean): Promise<ChainInput> {
  const isBundled = path === undefined;
  const file = isBundled ? bundled(BUNDLED_CHAIN) : String(path);
  if (isBundled) ctx.note(`riskwasm: no chain file given: using the bundled Deribit snapshot ${BUNDLED_CHAIN}`);
  const text = await readText(file);
  const shown = isBundled ? BUNDLED_CHAIN : displayPath(file);
  let chain: DeribitChain;
  try {
    chain = loadDeribitChain(text, { onError: skipBadRows ? 'skip' : 'reject' });
  } catch (e) {
    throw fromInputError(e, shown, () => 1);
  }
  for (const s of chain.skipped) ctx.note(`riskwasm: skipped ${shown}:${s.line}: ${s.column}: expected ${s.reason}, got ${JSON.stringify(s.value)}`);
  if (chain.length === 0) throw new BadInputError('no option rows', { file: shown });
  return { chain, file: shown, bundled: isBundled };
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
export function currencies(chain: DeribitChain, option: unknown, file: string): string[] {
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
