/**
 * Portfolio margin (risk matrix): reprice every account under every scenario of a grid, take the
 * worst counted loss (per asset, summed, or over the whole account), add the grid's add-ons, and
 * explain the result (worst scenario, scenario P&L vector, each position's share of the loss).
 *
 * Accounts are processed in chunks of whole accounts (up to 4 x `ctx.chunkSize` positions a chunk,
 * so memory stays bounded). In a chunk, the distinct instruments (same instrument, vol and market
 * data) are revalued for one unit under every scenario by ONE `portfolioRevalue` kernel call (the
 * risk vectors of an exchange's risk matrix); each (account, asset) P&L is then the sum of size x
 * unit vector over its positions, in the positions' order. A book of 10,000 accounts drawn from a
 * listed chain thus costs a few thousand Black-76 repricings per scenario, not 200,000.
 * Methodology and sources: docs/margin.md and grids.ts.
 */
import type { EngineContext } from '../context.js';
import { InputError, KernelError } from '../errors.js';
import { checkKeys } from '../option-keys.js';
import { Status } from '../status.js';
import * as L from '../kernels/risk/layout.js';
import { resolveBook, type ResolvedBook } from './market.js';
import { isValidatedGrid, scenarioGrid, vegaScale, type MarginScenario, type ScenarioGrid } from './grids.js';
import type { MarginAccount, MarginMarket, ResolvedAccount, ResolvedPosition } from './types.js';

/**
 * How an account holding several underlyings aggregates:
 * - `'per-asset'` (default): each asset's positions are scanned on their own and the worst counted
 *   losses are summed (no diversification between assets; Deribit margins each currency
 *   separately, SPAN scans each combined commodity and adds the results);
 * - `'joint'`: every asset moves by the same scenario at once and the account's total P&L is
 *   scanned (full offset between assets: only for perfectly correlated underlyings).
 */
export type MarginAggregation = 'per-asset' | 'joint';

/** Options of {@link portfolioMargin}. */
export interface PortfolioMarginOptions {
  aggregation?: MarginAggregation;
}

const OPTION_KEYS = ['aggregation'] as const satisfies readonly (keyof PortfolioMarginOptions)[];

/** The scenario that sets an account's scan loss. */
export interface WorstScenario {
  /** Index into the grid's scenarios (and into `scenarioPnl`). */
  index: number;
  name: string;
  /** Price move (fraction of the index). */
  priceMove: number;
  /** Vol shock before term scaling. */
  volShock: number;
  /** Counted P&L of this scenario (USD, negative = loss): weight and dampener applied. */
  pnl: number;
  weight: number;
  /** The asset whose scan this is (per-asset aggregation); undefined for joint. */
  asset?: string;
}

/** Scan of one asset of an account (per-asset aggregation) or of the whole account (joint: asset `'*'`). */
export interface AssetScan {
  asset: string;
  /** Worst counted loss, >= 0 (USD). */
  scanRisk: number;
  /** Index of the worst scenario. */
  worstIndex: number;
  /** Net USD delta (dV/d ln S, USD per 100% move, linearised), computed only with a delta-shock add-on (else NaN). */
  netDelta: number;
}

/** Portfolio margin of one account. Amounts in USD. */
export interface PortfolioMarginResult {
  /** The account's id (or its index as a string). */
  id: string;
  /** Initial margin: by the grid's `combine` rule (see docs/margin.md), >= 0; NaN when status is not ok. */
  initialMargin: number;
  /** grid.maintenanceFactor x initialMargin. */
  maintenanceMargin: number;
  /** Worst counted scenario loss (sum over assets with per-asset aggregation), >= 0. */
  scanRisk: number;
  worstScenario: WorstScenario;
  /**
   * Counted P&L per scenario (USD, negative = loss; weight and dampener applied). Per-asset
   * aggregation: the sum over assets of each asset's counted P&L in that scenario.
   */
  scenarioPnl: Float64Array;
  /** The grid's scenarios (a shared reference, not a copy). */
  scenarios: readonly MarginScenario[];
  /**
   * Each position's share of the scan loss (USD, positive = adds to the loss), in the order of the
   * account's positions: its loss in its asset's worst scenario, scaled by the counted share of that
   * scenario. Sums to `scanRisk`.
   */
  contributions: Float64Array;
  /**
   * Add-ons (USD): short-option contingency (netted per instrument or per strike, see
   * `grid.addOns.contingencyNetting`), futures contingency (rate x index x sum |size| of futures and
   * perpetuals) and delta shock; 0 when the grid has none.
   */
  addOns: { shortOptionContingency: number; futuresContingency: number; deltaShock: number };
  /** One entry per asset the account holds (per-asset) or one entry `'*'` (joint). */
  perAsset: AssetScan[];
  /** Status.ok, or Status.invalidInput when a scenario value came out non-finite (margins NaN). */
  status: number;
}

/** Log-move of the two delta probes (hidden scenarios, vol unchanged) used by the delta-shock add-on. */
const DELTA_PROBE = 1e-3;

const KIND_OF = { spot: L.KIND_SPOT, perpetual: L.KIND_PERPETUAL } as const;

/** Internal: the grid turned into kernel inputs. */
interface PreparedGrid {
  grid: ScenarioGrid;
  /** Grid scenarios plus the delta probes (if any). */
  m: number;
  mGrid: number;
  logMoves: Float64Array;
  volShocks: Float64Array;
  /** Multiplier of each grid scenario's P&L before dampener and weight (extended scaling). */
  pnlScale: Float64Array;
  /** Each grid scenario's weight and whether it is extended (1) or not (0). */
  weight: Float64Array;
  extended: Uint8Array;
  probes: boolean;
}

function prepareGrid(grid: ScenarioGrid): PreparedGrid {
  const sc = grid.scenarios;
  const probes = grid.addOns.deltaShock !== undefined;
  const mGrid = sc.length;
  const m = mGrid + (probes ? 2 : 0);
  const logMoves = new Float64Array(m);
  const volShocks = new Float64Array(m);
  sc.forEach((s, i) => {
    logMoves[i] = Math.log1p(s.priceMove);
    volShocks[i] = s.volShock;
  });
  if (probes) {
    logMoves[mGrid] = DELTA_PROBE;
    logMoves[mGrid + 1] = -DELTA_PROBE;
  }
  // Multiplier of each scenario's P&L before the dampener: priceRange / |move| for extended
  // scenarios with extendedScaling 'range', else 1.
  const pnlScale = new Float64Array(mGrid).fill(1);
  if (grid.extendedScaling === 'range') {
    let range = 0;
    for (const s of sc) if (!s.extended) range = Math.max(range, Math.abs(s.priceMove));
    sc.forEach((s, i) => {
      if (s.extended) pnlScale[i] = range / Math.abs(s.priceMove);
    });
  }
  const weight = Float64Array.from(sc, (s) => s.weight);
  const extended = Uint8Array.from(sc, (s) => (s.extended ? 1 : 0));
  return { grid, m, mGrid, logMoves, volShocks, pnlScale, weight, extended, probes };
}

/**
 * A grid ready to use: presets and scenarioGrid() results (frozen, already valid) as they are,
 * anything else validated by scenarioGrid.
 * @throws InputError at `grid...` for a malformed grid.
 */
export function checkGrid(grid: unknown): ScenarioGrid {
  if (isValidatedGrid(grid)) return grid;
  return scenarioGrid(grid as ScenarioGrid, 'grid');
}

/**
 * `options.aggregation` checked, `'per-asset'` when absent.
 * @throws InputError at `options.aggregation` for anything but 'per-asset' or 'joint'.
 */
export function checkAggregation(aggregation: unknown): MarginAggregation {
  if (aggregation === undefined) return 'per-asset';
  if (aggregation !== 'per-asset' && aggregation !== 'joint') throw new InputError('options.aggregation', aggregation, "'per-asset' or 'joint'");
  return aggregation;
}

function checkOptions(options: unknown): Required<PortfolioMarginOptions> {
  if (options === undefined) return { aggregation: 'per-asset' };
  if (options === null || typeof options !== 'object') throw new InputError('options', options, 'an object { aggregation? }');
  checkKeys(options, OPTION_KEYS, 'options');
  return { aggregation: checkAggregation((options as PortfolioMarginOptions).aggregation) };
}

/**
 * Portfolio margin of one account or a batch (see {@link PortfolioMarginResult} and docs/margin.md).
 * Positions are revalued at horizon 0 (an instantaneous move): every forward moves with the index,
 * options are repriced with Black-76 at the shocked forward and the term-scaled shocked vol.
 * Coin-settled futures and perpetuals of `size` coins are valued as inverse futures of face size x
 * forward USD (perpetual: size x index); in USD their scenario P&L equals the linear one's (docs/margin.md).
 * @param ctx engine context (runs the kernels).
 * @param accounts one account (one result) or an array (an array of results, same order).
 * @param market indices, forwards, vols (see MarginMarket).
 * @param grid a preset (DERIBIT_GRID, SPAN16_GRID) or a grid of your own (validated by scenarioGrid).
 * @throws InputError for a malformed account, market, grid or option (paths `accounts[i]...`,
 * `account...`, `grid...`, `options...`): unknown instruments or assets, expired options, missing
 * vols, unknown keys (`options.aggregaton`, suggestion `'aggregation'`). A shape error anywhere rejects the call; a numerically failed account (non-finite scenario
 * value) gets NaN margins and `status: Status.invalidInput` without affecting the others.
 */
export function portfolioMargin(ctx: EngineContext, accounts: MarginAccount, market: MarginMarket, grid: ScenarioGrid, options?: PortfolioMarginOptions): PortfolioMarginResult;
export function portfolioMargin(ctx: EngineContext, accounts: readonly MarginAccount[], market: MarginMarket, grid: ScenarioGrid, options?: PortfolioMarginOptions): PortfolioMarginResult[];
export function portfolioMargin(
  ctx: EngineContext, accounts: MarginAccount | readonly MarginAccount[], market: MarginMarket, grid: ScenarioGrid, options?: PortfolioMarginOptions,
): PortfolioMarginResult | PortfolioMarginResult[] {
  const g = checkGrid(grid);
  const opts = checkOptions(options);
  // The book, not resolveAccounts: no object per position and no option marks (the scan needs neither).
  const results = marginBook(ctx, resolveBook(accounts, market, ctx), g, opts.aggregation); // [surface] ctx binds a JSON surface
  return Array.isArray(accounts) ? results : results[0];
}

/**
 * Portfolio margin of accounts already resolved by `resolveAccounts` (the worker shards and the
 * other margin modules use this to skip a second resolution).
 * @throws InputError for a malformed grid or aggregation.
 */
export function marginResolved(ctx: EngineContext, resolved: readonly ResolvedAccount[], grid: ScenarioGrid, aggregation: MarginAggregation = 'per-asset'): PortfolioMarginResult[] {
  const g = checkGrid(grid);
  checkOptions({ aggregation });
  return marginBook(ctx, bookOf(resolved), g, aggregation);
}

/**
 * Portfolio margin of raw accounts with the checks in `marginResolved(ctx, resolveAccounts(...))`'s
 * order (accounts, then grid, then aggregation), through the resolved book (the worker shards).
 * @throws InputError as resolveAccounts, then for a malformed grid or aggregation.
 */
export function marginAccounts(
  ctx: EngineContext, accounts: readonly MarginAccount[], market: MarginMarket, grid: ScenarioGrid, aggregation: MarginAggregation = 'per-asset',
): PortfolioMarginResult[] {
  const book = resolveBook(accounts, market, ctx); // [surface] ctx binds a JSON surface
  const g = checkGrid(grid);
  checkOptions({ aggregation });
  return marginBook(ctx, book, g, aggregation);
}

/** What the risk matrix reads of a {@link ResolvedBook}. */
export type MarginBook = Pick<ResolvedBook, 'posStart' | 'unitOfPos' | 'sizeOfPos' | 'units'> & {
  accounts: readonly { id: string }[];
  /**
   * Per unit: its short-option netting class (options that net together share it; -1 for other
   * kinds), when units are shared by many positions; else undefined (positions compared field by field).
   */
  nettingClass?: Int32Array;
}

/** Accounts already resolved as a book: every position a unit of its own (each chunk merges equal ones). */
function bookOf(resolved: readonly ResolvedAccount[]): MarginBook {
  const posStart = new Int32Array(resolved.length + 1);
  const units: ResolvedPosition[] = [];
  for (let a = 0; a < resolved.length; a++) {
    for (const p of resolved[a].positions) units.push(p);
    posStart[a + 1] = units.length;
  }
  const unitOfPos = new Int32Array(units.length);
  const sizeOfPos = new Float64Array(units.length);
  for (let k = 0; k < units.length; k++) {
    unitOfPos[k] = k;
    sizeOfPos[k] = units[k].size;
  }
  return { accounts: resolved, posStart, unitOfPos, sizeOfPos, units };
}

/** Portfolio margin of a validated book and grid (see {@link portfolioMargin}). */
function marginBook(ctx: EngineContext, shared: MarginBook, g: ScenarioGrid, aggregation: MarginAggregation): PortfolioMarginResult[] {
  const pg = prepareGrid(g);
  // Classes pay off when units repeat (a book drawn from a listed chain): a few thousand keys
  // instead of comparing every pair of an account's options field by field.
  const classes = (g.addOns.shortOptionContingency ?? 0) > 0 && 4 * shared.units.length <= shared.unitOfPos.length;
  const book = classes ? { ...shared, nettingClass: nettingClasses(shared.units, g.addOns.contingencyNetting === 'strike') } : shared;
  const { units, posStart } = book;
  // Factors: every asset any account holds, in first-seen order (units are in first-seen order, so
  // their assets are too); each unit's factor.
  const assetIndex = new Map<string, number>();
  const spots: number[] = [];
  const factorOfUnit = new Int32Array(units.length);
  for (let u = 0; u < units.length; u++) {
    const p = units[u];
    let f = assetIndex.get(p.asset);
    if (f === undefined) {
      assetIndex.set(p.asset, (f = spots.length));
      spots.push(p.index);
    }
    factorOfUnit[u] = f;
  }
  const nAcc = book.accounts.length;
  const results: PortfolioMarginResult[] = new Array(nAcc);
  // Positions per chunk: 4 chunkSize (units, hence kernel elements, are at most that many).
  const budget = Math.max(1, 4 * ctx.chunkSize);
  const spotArray = Float64Array.from(spots);
  // Each book unit's unit in the current chunk (valid where chunkOfUnit is the chunk's number).
  const scratch = { factors: spots.length, localOfUnit: new Int32Array(units.length), chunkOfUnit: new Int32Array(units.length).fill(-1), factorOfUnit };
  let start = 0;
  for (let chunk = 0; start < nAcc; chunk++) {
    let end = start;
    while (end < nAcc && (end === start || posStart[end + 1] - posStart[start] <= budget)) end++;
    marginChunk(ctx, book, start, end, chunk, scratch, pg, spotArray, aggregation, results);
    start = end;
  }
  return results;
}

/** Whether two resolved positions revalue identically per unit (same instrument, vol, market). */
function sameUnit(a: ResolvedPosition, b: ResolvedPosition): boolean {
  return a.kind === b.kind && a.asset === b.asset && a.type === b.type && a.settlement === b.settlement && Object.is(a.strike, b.strike)
    && Object.is(a.expiry, b.expiry) && Object.is(a.vol, b.vol) && Object.is(a.rate, b.rate) && Object.is(a.basis, b.basis)
    && Object.is(a.index, b.index) && Object.is(a.forward, b.forward);
}

/** Per book unit: its unit in the current chunk, the chunk that set it, its factor (asset); the number of factors. */
interface UnitScratch {
  factors: number;
  localOfUnit: Int32Array;
  chunkOfUnit: Int32Array;
  factorOfUnit: Int32Array;
}

/**
 * Portfolio margin of accounts [a0, a1) into `results[a0..a1)`: group the positions into units,
 * revalue each unit once over the grid (one kernel call), sum the units into sub-account P&L, then
 * each account's result.
 */
function marginChunk(
  ctx: EngineContext, book: MarginBook, a0: number, a1: number, chunk: number, scratch: UnitScratch, pg: PreparedGrid,
  spots: Float64Array, aggregation: MarginAggregation, results: PortfolioMarginResult[],
): void {
  const { grid, m, logMoves, volShocks } = pg;
  const nF = Math.max(1, spots.length);
  const layout = chunkUnits(book, a0, a1, chunk, scratch, aggregation === 'joint');
  const { units, unitFactor, subFirst, subAsset } = layout;
  const { f64, i32 } = packUnits(units, unitFactor, grid.vegaScaling);

  // Kernel call: one for the chunk's units (every unit in kernel account 0; only the per-position
  // output is read).
  const volMode = grid.volShockMode === 'relative' ? L.VOL_SHOCK_RELATIVE : L.VOL_SHOCK_ABSOLUTE;
  const unitPnl = revalueUnits(ctx, f64, i32, units.length, spots, nF, m, (s) => logMoves[s], (s) => volShocks[s], volMode);
  if (grid.minVolForShockUp !== undefined) floorVolUp(ctx, pg, units, unitFactor, spots, nF, f64, unitPnl);

  const n = book.posStart[a1] - book.posStart[a0];
  const pnl: ChunkPnl = { ...layout, subPnl: subAccountPnl(layout, unitPnl, n, m), unitPnl, rawLoss: new Float64Array(nF) };
  for (let a = a0; a < a1; a++) {
    const k = a - a0;
    results[a] = accountResult(book, a, pg, pnl, book.posStart[a0], subFirst[k], subFirst[k + 1], subAsset);
  }
}

/** How a chunk's positions map to sub-accounts and to distinct instruments ("units"). */
interface ChunkUnits {
  /** Per position (in account order): its sub-account, its unit and its size. */
  subOfPos: Int32Array;
  unitOfPos: Int32Array;
  sizeOfPos: Float64Array;
  /** First sub-account of each account of the chunk, plus the total at the end. */
  subFirst: number[];
  /** Each sub-account's asset (`'*'` for a joint account). */
  subAsset: string[];
  /** The distinct instruments (same instrument, vol and market), each revalued once per scenario for one unit. */
  units: ResolvedPosition[];
  /** Each unit's factor (index of its asset). */
  unitFactor: number[];
  nSub: number;
}

/**
 * Sub-accounts: (account, asset) pairs in per-asset mode, accounts in joint mode. Units: the
 * distinct instruments of accounts [a0, a1); a position's P&L is its size times its unit's vector.
 * Each book unit is matched once per chunk (`scratch`), not once per position.
 */
function chunkUnits(book: MarginBook, a0: number, a1: number, chunk: number, scratch: UnitScratch, joint: boolean): ChunkUnits {
  const { posStart, unitOfPos: bookUnit, sizeOfPos: bookSize, units: bookUnits } = book;
  const { localOfUnit, chunkOfUnit, factorOfUnit } = scratch;
  const p0 = posStart[a0];
  const n = posStart[a1] - p0;
  const subOfPos = new Int32Array(n);
  const unitOfPos = new Int32Array(n);
  const sizeOfPos = new Float64Array(n);
  const subFirst: number[] = [];
  const subAsset: string[] = [];
  const units: ResolvedPosition[] = [];
  const unitFactor: number[] = [];
  const byKey = new Map<string, number[]>();
  // Sub-account of each factor in the current account (valid where subAccount is the account).
  const nF = scratch.factors;
  const subOfFactor = new Int32Array(nF);
  const subAccount = new Int32Array(nF).fill(-1);
  let nSub = 0;
  for (let a = a0; a < a1; a++) {
    subFirst.push(nSub);
    if (joint) {
      subAsset.push('*');
      nSub++;
    }
    for (let k = posStart[a]; k < posStart[a + 1]; k++) {
      const bu = bookUnit[k];
      const i = k - p0;
      if (joint) subOfPos[i] = nSub - 1;
      else {
        const f = factorOfUnit[bu];
        if (subAccount[f] !== a) {
          subAccount[f] = a;
          subOfFactor[f] = nSub++;
          subAsset.push(bookUnits[bu].asset);
        }
        subOfPos[i] = subOfFactor[f];
      }
      sizeOfPos[i] = bookSize[k];
      if (chunkOfUnit[bu] !== chunk) {
        chunkOfUnit[bu] = chunk;
        const before = units.length;
        localOfUnit[bu] = unitOf(bookUnits[bu], units, byKey);
        if (units.length > before) unitFactor.push(factorOfUnit[bu]);
      }
      unitOfPos[i] = localOfUnit[bu];
    }
  }
  subFirst.push(nSub);
  return { subOfPos, unitOfPos, sizeOfPos, subFirst, subAsset, units, unitFactor, nSub };
}

/** The unit of position `p`: an existing one of the same instrument, vol and market, or a new one appended to `units`. */
function unitOf(p: ResolvedPosition, units: ResolvedPosition[], byKey: Map<string, number[]>): number {
  const key = p.instrument ?? `${p.kind}|${p.asset}|${p.expiry}|${p.strike}|${p.type}`;
  let list = byKey.get(key);
  if (list === undefined) byKey.set(key, (list = []));
  for (const c of list) if (sameUnit(units[c], p)) return c;
  const id = units.length;
  units.push(p);
  list.push(id);
  return id;
}

/** The units in the kernel's position layout (struct of arrays, every unit in account 0). */
function packUnits(units: readonly ResolvedPosition[], unitFactor: readonly number[], scaling: ScenarioGrid['vegaScaling']): { f64: Float64Array; i32: Int32Array } {
  const nU = units.length;
  const f64 = new Float64Array(L.POS_F64_COLUMNS * nU);
  const i32 = new Int32Array(L.POS_I32_COLUMNS * nU);
  for (let k = 0; k < nU; k++) packPosition(units[k], k, nU, f64, i32, unitFactor[k], scaling);
  return { f64, i32 };
}

/** Sub-account P&L [nSub][m] = sum of size x unit vector, in the positions' order (n positions). */
function subAccountPnl(layout: ChunkUnits, unitPnl: Float64Array, n: number, m: number): Float64Array {
  const { sizeOfPos, unitOfPos, subOfPos, nSub } = layout;
  const subPnl = new Float64Array(Math.max(1, nSub) * m);
  for (let k = 0; k < n; k++) {
    const q = sizeOfPos[k], row = unitOfPos[k] * m, out = subOfPos[k] * m;
    for (let s = 0; s < m; s++) subPnl[out + s] += q * unitPnl[row + s];
  }
  return subPnl;
}

/** P&L of one chunk: sub-accounts [nSub][m], units [nU][m], and each position's unit, size and sub-account. */
interface ChunkPnl {
  /** Scratch of accountResult: each sub-account's raw loss in its worst scenario (an account has at most one per factor). */
  rawLoss: Float64Array;
  subPnl: Float64Array;
  unitPnl: Float64Array;
  unitOfPos: Int32Array;
  sizeOfPos: Float64Array;
  subOfPos: Int32Array;
}

/** Pack one unit (size 1; a coin-settled future or perpetual: face = forward (perpetual: index) USD) in the kernel layout, account 0. */
function packPosition(p: ResolvedPosition, i: number, n: number, f64: Float64Array, i32: Int32Array, factor: number, scaling: ScenarioGrid['vegaScaling']): void {
  let kind: number;
  let q = 1;
  let type = 1;
  switch (p.kind) {
    case 'spot':
      kind = KIND_OF[p.kind];
      break;
    case 'perpetual':
      // A coin-settled perpetual is an inverse future with no expiry and no carry: face per coin = index.
      if (p.settlement === 'coin') {
        kind = L.KIND_INVERSE_FUTURE;
        q = p.forward;
      } else kind = KIND_OF[p.kind];
      break;
    case 'future':
      if (p.settlement === 'coin') {
        kind = L.KIND_INVERSE_FUTURE;
        q = p.forward; // the kernel's inverse future takes its USD face value: one coin at the forward
      } else kind = L.KIND_FUTURE;
      f64[L.COL_EXPIRY * n + i] = p.expiry;
      f64[L.COL_CARRY * n + i] = p.basis;
      break;
    default:
      kind = p.settlement === 'coin' ? L.KIND_OPTION_COIN : L.KIND_OPTION_USD;
      type = p.type;
      f64[L.COL_STRIKE * n + i] = p.strike;
      f64[L.COL_EXPIRY * n + i] = p.expiry;
      f64[L.COL_VOL * n + i] = p.vol;
      f64[L.COL_RATE * n + i] = p.rate;
      f64[L.COL_CARRY * n + i] = p.basis;
  }
  f64[L.COL_QUANTITY * n + i] = q;
  f64[L.COL_VOL_SCALE * n + i] = scaling && p.kind === 'option' ? vegaScale(p.expiry, scaling) : 1;
  i32[L.COL_KIND * n + i] = kind;
  i32[L.COL_FACTOR * n + i] = factor;
  i32[L.COL_ACCOUNT * n + i] = 0;
  i32[L.COL_TYPE * n + i] = type;
}

/**
 * Deribit's `min_volatility_for_shock_up`: in every vol-up scenario (volShock > 0), an option whose
 * shocked vol (as the kernel shocks it: relative vol (1 + scale x shock) or absolute vol + scale x
 * shock, floored at 0) is below the grid's floor is revalued at the floor instead. The options and
 * scenarios where the floor binds are revalued in ONE more `portfolioRevalue` call (absolute mode,
 * vol scale floor - vol, shock 1: shocked vol = the floor, base value at the option's own vol) and
 * their entries of `unitPnl` ([nU][m]) replaced. Nothing else changes.
 */
function floorVolUp(
  ctx: EngineContext, pg: PreparedGrid, units: readonly ResolvedPosition[], unitFactor: readonly number[], spots: Float64Array, nF: number,
  f64: Float64Array, unitPnl: Float64Array,
): void {
  const { grid, m, mGrid, logMoves, volShocks } = pg;
  const floor = grid.minVolForShockUp!;
  const relative = grid.volShockMode === 'relative';
  const nU = units.length;
  const up: number[] = [];
  for (let s = 0; s < mGrid; s++) if (volShocks[s] > 0) up.push(s);
  if (up.length === 0) return;
  // (unit, scenario) pairs where the floor binds, grouped by unit.
  const floored: number[] = [];
  const bind = new Uint8Array(nU * up.length);
  for (let u = 0; u < nU; u++) {
    if (units[u].kind !== 'option') continue;
    const vol = f64[L.COL_VOL * nU + u], scale = f64[L.COL_VOL_SCALE * nU + u];
    let any = false;
    for (let k = 0; k < up.length; k++) {
      const d = scale * volShocks[up[k]];
      const v = relative ? vol * (1 + d) : vol + d;
      const shocked = v > 0 ? v : 0;
      if (shocked < floor) {
        bind[u * up.length + k] = 1;
        any = true;
      }
    }
    if (any) floored.push(u);
  }
  const n2 = floored.length;
  if (n2 === 0) return;
  const m2 = up.length;
  const f2 = new Float64Array(L.POS_F64_COLUMNS * n2);
  const i2 = new Int32Array(L.POS_I32_COLUMNS * n2);
  floored.forEach((u, k) => {
    packPosition(units[u], k, n2, f2, i2, unitFactor[u], undefined);
    f2[L.COL_VOL_SCALE * n2 + k] = floor - units[u].vol;
  });
  // The floored units again, vol-up scenarios only: an absolute shock of 1 x (floor - vol) puts the vol on the floor.
  const floorPnl = revalueUnits(ctx, f2, i2, n2, spots, nF, m2, (k) => logMoves[up[k]], () => 1, L.VOL_SHOCK_ABSOLUTE);
  floored.forEach((u, k) => {
    for (let j = 0; j < m2; j++) if (bind[u * m2 + j]) unitPnl[u * m + up[j]] = floorPnl[k * m2 + j];
  });
}


/**
 * One portfolioRevalue call over `nU` packed units (all in kernel account 0) and `m` scenarios whose
 * log move and vol shock are the same for every factor. Returns a copy of the per-unit P&L,
 * row-major [unit][scenario] (the arena is reused by the next call).
 * @throws KernelError if the kernel rejects the call.
 */
function revalueUnits(
  ctx: EngineContext, f64: Float64Array, i32: Int32Array, nU: number, spots: Float64Array, nF: number, m: number,
  logMove: (s: number) => number, volShock: (s: number) => number, volMode: number,
): Float64Array {
  const { arena } = ctx;
  arena.reset();
  arena.reserve(8 * (f64.length + nF + 3 * m * nF + m + Math.max(1, nU) * m) + 4 * i32.length + 16 * 12);
  const pColumnsF64 = arena.alloc(8 * f64.length);
  const pColumnsI32 = arena.alloc(4 * i32.length);
  const pSpots = arena.alloc(8 * nF);
  const pLogMoves = arena.alloc(8 * m * nF);
  const pVolShocks = arena.alloc(8 * m * nF);
  const pScr = arena.alloc(8 * m * nF);
  const pOut = arena.alloc(8 * m);
  const pPos = arena.alloc(8 * Math.max(1, nU) * m);
  let v = arena.views;
  v.f64.set(f64, pColumnsF64 >>> 3);
  v.i32.set(i32, pColumnsI32 >>> 2);
  if (spots.length > 0) v.f64.set(spots, pSpots >>> 3);
  else v.f64[pSpots >>> 3] = 1;
  const logMoveBase = pLogMoves >>> 3, volShockBase = pVolShocks >>> 3;
  for (let s = 0; s < m; s++) {
    const move = logMove(s), shock = volShock(s);
    for (let f = 0; f < nF; f++) {
      v.f64[logMoveBase + s * nF + f] = move;
      v.f64[volShockBase + s * nF + f] = shock;
    }
  }
  const rc = ctx.kernels.portfolioRevalue(nU, m, nF, 1, pColumnsF64, pColumnsI32, pSpots, pLogMoves, pVolShocks, volMode, 0, 0, pScr, pOut, nU > 0 ? pPos : 0);
  if (rc !== 0) throw new KernelError('portfolioRevalue', rc);
  v = arena.views;
  return v.f64.slice(pPos >>> 3, (pPos >>> 3) + nU * m);
}

/**
 * Counted P&L of a scenario: weight x scale x P&L, where an extended scenario's loss is first
 * reduced by the dampener: -weight max(0, scale x loss - dampener).
 */
function counted(pnl: number, s: MarginScenario, scale: number, dampener: number): number {
  const x = scale * pnl;
  if (x >= 0 || !s.extended || dampener === 0) return s.weight * x;
  return -s.weight * Math.max(0, -x - dampener);
}

/** {@link counted} of grid scenario `s` from the prepared grid's columns (no scenario object read per account). */
function countedAt(pg: PreparedGrid, s: number, pnl: number, dampener: number): number {
  const x = pg.pnlScale[s] * pnl;
  if (x >= 0 || pg.extended[s] === 0 || dampener === 0) return pg.weight[s] * x;
  return -pg.weight[s] * Math.max(0, -x - dampener);
}

/**
 * Each unit's netting class for {@link netShortOptionUsd}: options with the same asset, strike,
 * expiry, settlement and (unless `byStrike`) type share one; -1 for other kinds.
 */
function nettingClasses(units: readonly ResolvedPosition[], byStrike: boolean): Int32Array {
  const cls = new Int32Array(units.length);
  const ids = new Map<string, number>();
  for (let u = 0; u < units.length; u++) {
    const p = units[u];
    if (p.kind !== 'option') {
      cls[u] = -1;
      continue;
    }
    // Numbers print uniquely (shortest round-trip form); strikes and expiries are positive, so no -0.
    const key = JSON.stringify([p.asset, p.strike, p.expiry, p.settlement, byStrike ? 0 : p.type]);
    let id = ids.get(key);
    if (id === undefined) ids.set(key, (id = ids.size));
    cls[u] = id;
  }
  return cls;
}

/**
 * Net short option units x index (USD), netted per instrument (asset, expiry, strike, type,
 * settlement) or, with `byStrike`, per strike of an expiry (calls and puts together: call +10 and
 * put -20 on one strike are net short 10, Deribit's legacy rule).
 */
function netShortOptionUsd(book: MarginBook, p0: number, p1: number, byStrike: boolean): number {
  const { units, unitOfPos, sizeOfPos, nettingClass: cls } = book;
  let total = 0;
  for (let i = p0; i < p1; i++) {
    const p = units[unitOfPos[i]];
    if (p.kind !== 'option') continue;
    const c = cls === undefined ? 0 : cls[unitOfPos[i]];
    let first = true;
    let net = 0;
    for (let j = p0; j < p1; j++) {
      if (cls !== undefined) {
        if (cls[unitOfPos[j]] !== c) continue;
      } else {
        const o = units[unitOfPos[j]];
        if (o.kind !== 'option' || o.asset !== p.asset || o.strike !== p.strike || o.expiry !== p.expiry || (!byStrike && o.type !== p.type) || o.settlement !== p.settlement) continue;
      }
      if (j < i) {
        first = false;
        break;
      }
      net += sizeOfPos[j];
    }
    if (first && net < 0) total += -net * p.index;
  }
  return total;
}

/** Sum of |size| x index (USD) over futures and perpetuals, long and short alike (Dederi's futures contingency base). */
function grossFuturesUsd(book: MarginBook, p0: number, p1: number): number {
  const { units, unitOfPos, sizeOfPos } = book;
  let total = 0;
  for (let k = p0; k < p1; k++) {
    const p = units[unitOfPos[k]];
    if (p.kind === 'future' || p.kind === 'perpetual') total += Math.abs(sizeOfPos[k]) * p.index;
  }
  return total;
}

/** Result of account `a` of the book, whose chunk (positions from `chunkPos0`) has sub-accounts [u0, u1) for it. */
function accountResult(book: MarginBook, a: number, pg: PreparedGrid, chunk: ChunkPnl, chunkPos0: number, u0: number, u1: number, subAsset: readonly string[]): PortfolioMarginResult {
  const { subPnl, unitPnl, unitOfPos, sizeOfPos, subOfPos } = chunk;
  const { grid, m, mGrid } = pg;
  const sc = grid.scenarios;
  const damp = grid.extendedDampener;
  const scenarioPnl = new Float64Array(mGrid);
  const perAsset: AssetScan[] = [];
  const rawLoss = chunk.rawLoss;
  let scanRisk = 0;
  let ok = true;
  let top = -1; // sub-account with the largest scan
  let deltaShock = 0;
  for (let u = u0; u < u1; u++) {
    const row = u * m;
    let worst = 0;
    let worstPnl = Infinity;
    for (let s = 0; s < mGrid; s++) {
      const c = countedAt(pg, s, subPnl[row + s], damp);
      if (!Number.isFinite(c)) ok = false;
      scenarioPnl[s] += c;
      if (c < worstPnl) {
        worstPnl = c;
        worst = s;
      }
    }
    const risk = Math.max(0, -worstPnl);
    let netDelta = NaN;
    if (pg.probes) {
      netDelta = (subPnl[row + mGrid] - subPnl[row + mGrid + 1]) / (2 * DELTA_PROBE);
      const ds = grid.addOns.deltaShock!;
      const abs = Math.abs(netDelta);
      deltaShock += abs * Math.min(ds.max, (ds.max * Math.max(0, abs - ds.threshold)) / ds.threshold);
    }
    perAsset.push({ asset: subAsset[u], scanRisk: risk, worstIndex: worst, netDelta });
    rawLoss[u - u0] = -subPnl[row + worst];
    scanRisk += risk;
    if (top < 0 || risk > perAsset[top].scanRisk) top = perAsset.length - 1;
  }
  const p0 = book.posStart[a], p1 = book.posStart[a + 1];
  const pos0 = p0 - chunkPos0;
  const nPos = p1 - p0;
  const contributions = new Float64Array(nPos);
  for (let k = 0; k < nPos; k++) {
    const u = subOfPos[pos0 + k] - u0;
    const scan = perAsset[u];
    const loss = rawLoss[u];
    if (scan.scanRisk > 0 && loss > 0) contributions[k] = (-sizeOfPos[pos0 + k] * unitPnl[unitOfPos[pos0 + k] * m + scan.worstIndex] * scan.scanRisk) / loss;
  }
  const contingencyRate = grid.addOns.shortOptionContingency ?? 0;
  const contingency = contingencyRate > 0 ? contingencyRate * netShortOptionUsd(book, p0, p1, grid.addOns.contingencyNetting === 'strike') : 0;
  const futuresRate = grid.addOns.futuresContingency ?? 0;
  const futuresContingency = futuresRate > 0 ? futuresRate * grossFuturesUsd(book, p0, p1) : 0;
  const addOnTotal = contingency + futuresContingency + deltaShock;
  let im = grid.combine === 'sum' ? scanRisk + addOnTotal : Math.max(scanRisk, addOnTotal);
  if (!ok || !Number.isFinite(im)) {
    ok = false;
    im = NaN;
  }
  const wIdx = top >= 0 ? perAsset[top].worstIndex : 0;
  const ws = sc[wIdx];
  const worstScenario: WorstScenario = {
    index: wIdx, name: ws.name, priceMove: ws.priceMove, volShock: ws.volShock, weight: ws.weight,
    pnl: top >= 0 ? counted(subPnl[(u0 + top) * m + wIdx], ws, pg.pnlScale[wIdx], damp) : 0,
  };
  if (top >= 0 && subAsset[u0 + top] !== '*') worstScenario.asset = subAsset[u0 + top];
  return {
    id: book.accounts[a].id,
    initialMargin: im,
    maintenanceMargin: ok ? grid.maintenanceFactor * im : NaN,
    scanRisk: ok ? scanRisk : NaN,
    worstScenario,
    scenarioPnl,
    scenarios: grid.scenarios,
    contributions,
    addOns: { shortOptionContingency: contingency, futuresContingency, deltaShock },
    perAsset,
    status: ok ? Status.ok : Status.invalidInput,
  };
}

// [scale] Entry for books built elsewhere: the worker shards' column books (margin-shard-plan.ts).
/**
 * Portfolio margin of a book already validated and resolved (`units` as resolveBook makes them,
 * positions as columns); the arithmetic of {@link portfolioMargin}, bit for bit.
 * @throws InputError for a malformed grid.
 */
export function marginOfBook(ctx: EngineContext, book: MarginBook, grid: ScenarioGrid, aggregation: MarginAggregation): PortfolioMarginResult[] {
  return marginBook(ctx, book, checkGrid(grid), aggregation);
}

// [realtime] The risk matrix one account at a time, for the live margin book (margin-book*.ts):
// the book revalues each distinct instrument once and caches its vector; an account's result is
// then rebuilt from those vectors with portfolioMargin's own steps (subAccountPnl's order of sums,
// accountResult), so the two agree.

/** A scenario grid prepared for the kernel (see {@link prepareMarginGrid}); opaque outside this module. */
export type PreparedMarginGrid = PreparedGrid;

/**
 * `grid` validated (presets as they are) and prepared for {@link unitScenarioPnl}.
 * @throws InputError at `grid...` for a malformed grid.
 */
export function prepareMarginGrid(grid: ScenarioGrid): PreparedMarginGrid {
  return prepareGrid(checkGrid(grid));
}

/** Rows of each unit vector: the grid's scenarios, then the two delta probes when the grid has a delta-shock add-on. */
export function marginGridRows(pg: PreparedMarginGrid): number {
  return pg.m;
}

/**
 * Raw P&L (USD) of one unit of each resolved position under every row of the prepared grid,
 * row-major [units.length][rows] (sizes are ignored: one unit each), computed as portfolioMargin
 * computes its units (kernel calls of at most 4 x chunkSize units, the vol-up floor applied).
 * Units of one asset must carry the same index.
 * @throws KernelError if the kernel rejects a call.
 */
export function unitScenarioPnl(ctx: EngineContext, pg: PreparedMarginGrid, units: readonly ResolvedPosition[]): Float64Array {
  const { grid, m, logMoves, volShocks } = pg;
  const out = new Float64Array(units.length * m);
  const budget = Math.max(1, 4 * ctx.chunkSize);
  const volMode = grid.volShockMode === 'relative' ? L.VOL_SHOCK_RELATIVE : L.VOL_SHOCK_ABSOLUTE;
  for (let start = 0; start < units.length; start += budget) {
    const part = units.slice(start, start + budget);
    const assetIndex = new Map<string, number>();
    const spots: number[] = [];
    const unitFactor: number[] = [];
    for (const p of part) {
      let f = assetIndex.get(p.asset);
      if (f === undefined) {
        assetIndex.set(p.asset, (f = spots.length));
        spots.push(p.index);
      }
      unitFactor.push(f);
    }
    const spotArray = Float64Array.from(spots);
    const nF = Math.max(1, spots.length);
    const { f64, i32 } = packUnits(part, unitFactor, grid.vegaScaling);
    const pnl = revalueUnits(ctx, f64, i32, part.length, spotArray, nF, m, (s) => logMoves[s], (s) => volShocks[s], volMode);
    if (grid.minVolForShockUp !== undefined) floorVolUp(ctx, pg, part, unitFactor, spotArray, nF, f64, pnl);
    out.set(pnl, start * m);
  }
  return out;
}

/** Scratch of {@link accountMarginFromPnl} (read only during the call): identity rows, account bounds, raw losses. */
const scratch = { identity: new Int32Array(0), posStart: new Int32Array(2), rawLoss: new Float64Array(8) };

/**
 * Portfolio margin of one account from cached unit vectors: its positions in order (`positions[k]`
 * the resolved instrument, `sizes[k]` its size, `rows[k]` the row of its vector in `unitPnl`), its
 * sub-accounts (`subOfPos[k]`, `subAsset[j]`: per-asset first-seen order, or one `'*'` joint) and
 * their summed P&L `subPnl` [subAsset.length][rows]; optionally each position's short-option netting
 * class (as nettingClasses assigns them: the same netting, compared as integers). Arrays may be
 * longer than the account's positions (only the first `positions.length` are read). The same result
 * as portfolioMargin of the account.
 */
export function accountMarginFromPnl(
  pg: PreparedMarginGrid, id: string, positions: readonly ResolvedPosition[], sizes: Float64Array, rows: Int32Array, unitPnl: Float64Array,
  subOfPos: Int32Array, subAsset: readonly string[], subPnl: Float64Array, nettingClass?: Int32Array,
): PortfolioMarginResult {
  const n = positions.length;
  if (scratch.identity.length < n) {
    scratch.identity = new Int32Array(Math.max(n, 2 * scratch.identity.length));
    for (let k = 0; k < scratch.identity.length; k++) scratch.identity[k] = k;
  }
  if (scratch.rawLoss.length < subAsset.length) scratch.rawLoss = new Float64Array(2 * subAsset.length);
  scratch.posStart[1] = n;
  const book: MarginBook = { accounts: [{ id }], posStart: scratch.posStart, unitOfPos: scratch.identity, sizeOfPos: sizes, units: positions as ResolvedPosition[], nettingClass };
  const chunk: ChunkPnl = { rawLoss: scratch.rawLoss, subPnl, unitPnl, unitOfPos: rows, sizeOfPos: sizes, subOfPos };
  return accountResult(book, 0, pg, chunk, 0, 0, subAsset.length, subAsset);
}

/**
 * The short-option netting class key of a resolved option under the grid's netting (per
 * instrument, or per strike of an expiry): equal keys net together (nettingClasses' rule).
 */
export function nettingKey(pg: PreparedMarginGrid, p: ResolvedPosition): string | undefined {
  if (p.kind !== 'option') return undefined;
  return JSON.stringify([p.asset, p.strike, p.expiry, p.settlement, pg.grid.addOns.contingencyNetting === 'strike' ? 0 : p.type]);
}
