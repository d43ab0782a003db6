/**
 * The distinct instruments ("units") of the live margin book: each resolved once against the
 * market (forward, basis, vol, mark) and, under portfolio margin, revalued once over the grid; the
 * book's positions point at their unit. Units are keyed by what fixes their resolution: a listed
 * instrument by name (its vol from the market), anything else by its full description.
 */
import type { EngineContext } from '../context.js';
import { InputError } from '../errors.js';
import { resolveAccounts } from './market.js';
import { unitScenarioPnl, type PreparedMarginGrid } from './portfolio-margin.js';
import { bucketOf } from './margin-book-amounts.js';
import type { MarginMarket, ResolvedPosition } from './types.js';

/** One distinct instrument of the book. */
export interface BookUnit {
  key: string;
  /** The position as the caller described it, size 1 (what the unit is re-resolved from). */
  spec: Readonly<Record<string, unknown>>;
  /** Its resolution at the book's market (only instrument-level fields are read). */
  r: ResolvedPosition;
  asset: string;
  /** Equity bucket (spot, option, linear). */
  bucket: number;
  /** The `market.vols` entry it reads (options without a vol of their own), else undefined. */
  volName: string | undefined;
  /** Portfolio margin: raw P&L of one unit per grid row, until the unit joins the book's {@link PnlStore}. */
  pnl: Float64Array | undefined;
  /** Its row in the book's PnlStore (-1: not stored). */
  row: number;
  /** Portfolio margin: its short-option netting class (-1: not an option; -2: not assigned yet). */
  netClass: number;
  /** Accounts holding it, with how many of their positions do. */
  owners: Map<object, number>;
  /** Stamp of the last market update that re-resolved it (-1: none). */
  stamp: number;
  /** Standard margin: its rule (params.options or params.linear for its asset), looked up once; undefined until then. */
  rule: unknown;
  /** Standard margin: its index in the book's unit columns (-1: none yet). */
  index: number;
}

/** Fields a unit key reads, plus the per-position ones it leaves out. */
const KEY_FIELDS: ReadonlySet<string> = new Set(['kind', 'asset', 'expiry', 'strike', 'type', 'settlement', 'vol', 'fundingRate', 'instrument', 'size', 'entryPrice', 'accruedFunding']);

/**
 * The unit key of a position: `n:<name>` for a listed instrument without a vol of its own, else
 * every field that enters its resolution (sizes, entry prices and funding excluded). A position with
 * any other key (a typo) gets a key of its own, so it is resolved, and rejected, rather than matched.
 */
export function unitKey(p: Readonly<Record<string, unknown>>): string {
  for (const k in p) if (!KEY_FIELDS.has(k)) return `x:${JSON.stringify(Object.entries(p).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))}`;
  if (p.kind === undefined && p.vol === undefined && typeof p.instrument === 'string') return `n:${p.instrument}`;
  return JSON.stringify([p.kind ?? null, p.asset ?? null, p.expiry ?? null, p.strike ?? null, p.type ?? null, p.settlement ?? null, p.vol ?? null, p.fundingRate ?? null, p.instrument ?? null]);
}

/** A position's unit spec: the position with size 1. */
export function unitSpec(p: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return { ...p, size: 1 };
}

/** A new unit (no owners) from its spec and resolution. */
export function makeUnit(key: string, spec: Readonly<Record<string, unknown>>, r: ResolvedPosition): BookUnit {
  const volName = r.kind === 'option' && spec.vol === undefined && typeof spec.instrument === 'string' ? spec.instrument : undefined;
  return { key, spec, r, asset: r.asset, bucket: bucketOf(r.kind), volName, pnl: undefined, row: -1, netClass: -2, owners: new Map(), stamp: -1, rule: undefined, index: -1 };
}

/**
 * An InputError raised at `from` (a prefix of its path) re-raised at `to`: errors of positions
 * resolved on the book's behalf name the caller's field.
 */
export function rebaseError(e: unknown, from: string, to: string): unknown {
  if (!(e instanceof InputError) || !(e.path === from || e.path.startsWith(`${from}.`) || e.path.startsWith(`${from}[`))) return e;
  const expected = /: expected ([\s\S]*), got [\s\S]*$/.exec(e.message)?.[1] ?? 'a valid value';
  return new InputError(to + e.path.slice(from.length), e.value, expected.replace(/ \(did you mean '[^']*'\?\)$/, ''), e.suggestion);
}

/**
 * Resolve unit specs against `market` in one call (one Black-76 batch for the options); errors
 * name `paths[j]` (the caller's field of spec j).
 * @throws InputError as resolveAccounts, at the caller's path.
 */
export function resolveSpecs(ctx: EngineContext, specs: readonly Readonly<Record<string, unknown>>[], paths: readonly string[], market: MarginMarket): ResolvedPosition[] {
  if (specs.length === 0) return [];
  try {
    return resolveAccounts(ctx, [{ positions: specs as never }], market)[0].positions;
  } catch (e) {
    if (e instanceof InputError) {
      const m = /^accounts\[0\]\.positions\[(\d+)\]/.exec(e.path);
      if (m) throw rebaseError(e, m[0], paths[Number(m[1])]);
      if (e.path === 'accounts[0]' || e.path.startsWith('accounts[0].')) throw rebaseError(e, 'accounts[0]', paths[0]);
    }
    throw e;
  }
}

/** Portfolio margin: each unit's grid vector, from one kernel pass over all of them. */
export function revalueUnits(ctx: EngineContext, pg: PreparedMarginGrid, rows: number, units: readonly BookUnit[]): void {
  if (units.length === 0) return;
  const pnl = unitScenarioPnl(ctx, pg, units.map((u) => u.r));
  for (let k = 0; k < units.length; k++) units[k].pnl = pnl.slice(k * rows, (k + 1) * rows); // a copy: one surviving unit must not keep a whole batch alive
}

/**
 * The book's unit vectors packed in one array, a row per unit (portfolio margin): rows of units that
 * leave the book are reused, so the store stays as large as the most units held at once.
 */
export class PnlStore {
  data: Float64Array;
  private readonly free: number[] = [];
  private next = 0;
  constructor(readonly rows: number) {
    this.data = new Float64Array(Math.max(1, 64 * rows));
  }

  /** A row for a unit, its vector copied in. */
  add(v: Float64Array): number {
    let row = this.free.pop();
    if (row === undefined) {
      row = this.next++;
      if (this.next * this.rows > this.data.length) {
        const grown = new Float64Array(Math.max(2 * this.data.length, this.next * this.rows));
        grown.set(this.data);
        this.data = grown;
      }
    }
    this.data.set(v, row * this.rows);
    return row;
  }

  set(row: number, v: Float64Array): void {
    this.data.set(v, row * this.rows);
  }

  release(row: number): void {
    this.free.push(row);
  }
}
