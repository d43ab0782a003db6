/**
 * Snapshots of the live margin book: the plain-JSON shape `book.toJSON()` writes and the checks that
 * turn one (or its JSON text) back into the book's arguments.
 */
import { InputError } from '../errors.js';
import { checkKeys } from '../option-keys.js';
import { requireRecord } from '../arguments.js';
import type { MarginAggregation } from './portfolio-margin.js';
import type { ScenarioGrid } from './grids.js';
import type { StandardMarginParams } from './standard-params.js';
import type { MarginBookArgs } from './margin-book-types.js';
import type { MarginAccount, MarginMarket } from './types.js';

/** A snapshot of a book ({@link MarginBook.toJSON}); plain JSON. */
export interface MarginBookSnapshot {
  format: 'riskwasm.marginBook';
  version: 1;
  market: MarginMarket;
  accounts: MarginAccount[];
  params?: StandardMarginParams;
  grid?: ScenarioGrid;
  aggregation?: MarginAggregation;
  haircuts?: Record<string, number>;
  warningBuffer: number;
}

/**
 * The book arguments a snapshot (or its JSON text) describes.
 * @throws InputError at `snapshot...` for a malformed snapshot (the book's own checks follow).
 */
export function snapshotArgs(snapshot: MarginBookSnapshot | string): MarginBookArgs {
  let s: unknown = snapshot;
  if (typeof s === 'string') {
    try {
      s = JSON.parse(s);
    } catch {
      throw new InputError('snapshot', snapshot, 'a MarginBookSnapshot (JSON)');
    }
  }
  const r = requireRecord(s, 'snapshot');
  if (r.format !== 'riskwasm.marginBook') throw new InputError('snapshot.format', r.format, "'riskwasm.marginBook'");
  if (r.version !== 1) throw new InputError('snapshot.version', r.version, '1');
  checkKeys(r, ['format', 'version', 'market', 'accounts', 'params', 'grid', 'aggregation', 'haircuts', 'warningBuffer'], 'snapshot');
  const { format: _f, version: _v, ...args } = r;
  return args as unknown as MarginBookArgs;
}

/** What a snapshot records of a book (copied: the snapshot shares nothing with the book). */
export interface SnapshotSource {
  market: MarginMarket;
  accounts: MarginAccount[];
  warningBuffer: number;
  params: StandardMarginParams | undefined;
  grid: ScenarioGrid | undefined;
  aggregation: MarginAggregation;
  /** The haircuts the book was given (not those it took from params). */
  haircuts: Readonly<Record<string, number>> | undefined;
}

/** The plain-JSON snapshot of a book's state (see {@link MarginBookSnapshot}). */
export function snapshotOf(b: SnapshotSource): MarginBookSnapshot {
  const snap: MarginBookSnapshot = { format: 'riskwasm.marginBook', version: 1, market: structuredClone(b.market), accounts: b.accounts, warningBuffer: b.warningBuffer };
  if (b.params !== undefined) snap.params = structuredClone(b.params) as StandardMarginParams;
  if (b.grid !== undefined) {
    snap.grid = JSON.parse(JSON.stringify(b.grid)) as ScenarioGrid;
    snap.aggregation = b.aggregation;
  }
  if (b.haircuts !== undefined) snap.haircuts = { ...b.haircuts };
  return snap;
}
