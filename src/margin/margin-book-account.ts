/**
 * One account of the live margin book as the book holds it: its positions (raw, units, sizes,
 * entries, funding), cached per-position amounts and totals; with its public state and export.
 */
import type { MarginStatus } from './standard-margin.js';
import type { PortfolioMarginResult } from './portfolio-margin.js';
import type { BookUnit } from './margin-book-units.js';
import type { MarginBookAccountState } from './margin-book-types.js';
import type { MarginAccount, MarginPosition, ResolvedPosition } from './types.js';

// Shared empty arrays: a what-if builds a throw-away account per call, and typed arrays are dear to allocate.
const NO_ROWS = new Int32Array(0);
const NO_SIZES = new Float64Array(0);

/** One account of the book (internal: never handed out). */
export class BookAccount {
  id: string;
  description: string | undefined;
  collateral: Map<string, number>;
  /** The collateral as columns (the per-tick equity loop reads these, not the Map). */
  colAssets: string[] = [];
  colAmounts: number[] = [];
  /** Collateral value after haircuts (USD), valid until its collateral or a collateral asset's index changes. */
  colValue = 0;
  colValid = false;
  raw: Record<string, unknown>[];
  units: BookUnit[];
  sizes: number[];
  entries: number[];
  fundings: number[];
  /** Standard: per-position IM and MM. Both: per-position equity value in its bucket. */
  pIm: number[] = [];
  pMm: number[] = [];
  pVal: number[] = [];
  portfolio: PortfolioMarginResult | undefined;
  /** Portfolio margin: summed P&L per sub-account, its sub-accounts' assets, each position's sub-account. */
  subPnl: Float64Array | undefined;
  subAsset: string[] = [];
  subOfPos: Int32Array | undefined;
  /** Portfolio margin scratch refilled at every re-margin (reallocated only when the count of positions changes). */
  rowsArr: Int32Array = NO_ROWS;
  sizeArr: Float64Array = NO_SIZES;
  classArr: Int32Array = NO_ROWS;
  posArr: ResolvedPosition[] = [];
  initialMargin = 0;
  maintenanceMargin = 0;
  equity = 0;
  marginRatio = 0;
  initialMarginRatio = 0;
  status: MarginStatus = 'healthy';
  warning = false;
  /** Update stamp (an account exposed through several units is re-margined once per update). */
  stamp = -1;
  /**
   * Standard margin: its slot in the book's columns (-1: none, e.g. a what-if's account). The
   * columns then hold its per-position amounts and its totals; the fields above are refreshed from
   * them when read (MarginBook.refresh).
   */
  slot = -1;
  constructor(id: string, description: string | undefined, collateral: Map<string, number>, raw: Record<string, unknown>[], units: BookUnit[], sizes: number[], entries: number[], fundings: number[]) {
    this.id = id;
    this.description = description;
    this.collateral = collateral;
    this.syncCollateral();
    this.raw = raw;
    this.units = units;
    this.sizes = sizes;
    this.entries = entries;
    this.fundings = fundings;
  }

  syncCollateral(): void {
    this.colAssets = [...this.collateral.keys()];
    this.colAmounts = [...this.collateral.values()];
    this.colValid = false;
  }
}

/** The public state of `a` (a new object). */
export function stateOf(a: BookAccount): MarginBookAccountState {
  return {
    id: a.id, initialMargin: a.initialMargin, maintenanceMargin: a.maintenanceMargin, equity: a.equity, availableMargin: a.equity - a.initialMargin,
    marginRatio: a.marginRatio, initialMarginRatio: a.initialMarginRatio, status: a.status, warning: a.warning,
  };
}

/** `a` as a plain MarginAccount (copies). */
export function exportOf(a: BookAccount): MarginAccount {
  const out: MarginAccount = { id: a.id, collateral: Object.fromEntries(a.collateral), positions: a.raw.map((p) => ({ ...p }) as MarginPosition) };
  if (a.description !== undefined) out.description = a.description;
  return out;
}
