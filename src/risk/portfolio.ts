/**
 * Portfolios and full revaluation. A portfolio is a list of positions on named assets (the risk
 * factors) with today's spots; scenarios move each asset's spot by a log-return, optionally shock
 * its implied vols, and let `horizon` pass. `revaluePortfolio` runs the `portfolioRevalue` kernel
 * (positions x scenarios in one call per chunk of scenarios) and returns P&L in USD, positive = gain.
 */
import type { EngineContext } from '../context.js';
import { InputError, KernelError } from '../errors.js';
import * as L from '../kernels/risk/layout.js';
import { checkArray, checkBoolean, checkOptions, checkStrings, keysOf, checkContext } from './validate.js';
import { dict, own } from '../data-tables.js';
import { PARALLEL_OPTION_KEYS } from '../parallel/options.js';
import { rejectParallelKeys } from '../pricing/batch-shards.js';
import type { VolSurface, VolSurfaceJSON } from '../surface/vol-surface.js'; // [surface]
import { checkSurfaceSource, markVolsBySurface, surfaceFor } from '../surface/surface-marks.js';

/** One position. Quantities are in units of the underlying (negative = short) unless stated. */
export type Position =
  | { kind: 'spot'; asset: string; quantity: number; account?: string }
  /** Linear perpetual; `fundingRate` per year (decimal) paid by longs on the scenario mark over the horizon. */
  | { kind: 'perpetual'; asset: string; quantity: number; fundingRate?: number; account?: string }
  /**
   * Dated future expiring in `expiry` years, forward F = S e^{basis T}. `settlement: 'coin'` is
   * an inverse (coin-margined) future and `quantity` is then its USD face value.
   */
  | { kind: 'future'; asset: string; quantity: number; expiry: number; basis?: number; settlement?: 'usd' | 'coin'; account?: string }
  /**
   * European option on the forward F = S e^{basis T} (Black-76), implied vol `vol`, discounted at
   * `rate`; `settlement: 'coin'` is Deribit's inverse option (premium in coins = USD price / F),
   * valued in USD at the spot. `volShockScale` multiplies the asset's vol shock (term structure).
   * With `portfolio.surface`, an option may leave `vol` out ({@link SurfaceMarkedOption}).
   */
  | {
    kind: 'option'; asset: string; quantity: number; strike: number; expiry: number; vol: number; type: 'call' | 'put';
    settlement?: 'usd' | 'coin'; rate?: number; basis?: number; volShockScale?: number; account?: string;
  };

/**
 * [surface] An option without a `vol`: marked from `portfolio.surface` at its strike and expiry
 * (sticky strike; vol shocks move it as any other vol).
 */
export type SurfaceMarkedOption = Omit<Extract<Position, { kind: 'option' }>, 'vol'> & { vol?: undefined };

/** [surface] A position of a portfolio marked by a surface: any {@link Position}, or an option without a vol. */
export type PortfolioPosition = Position | SurfaceMarkedOption;

/**
 * A portfolio: positions plus today's spot of every asset they reference. `Portfolio` holds
 * {@link Position}s (every option with its vol); `Portfolio<PortfolioPosition>` may hold options
 * without one, marked by `surface` (what `revaluePortfolio` takes).
 */
export interface Portfolio<P extends PortfolioPosition = Position> {
  /** Spot (USD) of each asset. The factor order is the key order unless a scenario set says otherwise. */
  spots: Record<string, number>;
  positions: readonly P[];
  /** Optional accounts: positions name theirs; an account counts P&L in USD or in coins of `numeraire`. */
  accounts?: Record<string, { numeraire?: string }>;
  /**
   * [surface] Marking source of options without a `vol`: one VolSurface (engine.volSurface; it marks
   * its `underlying`, or every asset when it has none), its JSON (bound to the calling engine), or
   * a Map from asset names to them. Position expiries are years from the surface's valuation time.
   */
  surface?: PortfolioSurfaces;
}

/** [surface] What `portfolio.surface` holds (the shape of the margin market's `surface`). */
export type PortfolioSurfaces = VolSurface | VolSurfaceJSON | ReadonlyMap<string, VolSurface | VolSurfaceJSON>;

/** Scenarios for full revaluation. */
export interface ScenarioSet {
  /** Factor (asset) order of the columns; default: the keys of `portfolio.spots`. */
  assets?: readonly string[];
  /** Log-returns of the spots: row-major Float64Array [scenarios][assets] or an array of rows. */
  logReturns: Float64Array | readonly (readonly number[])[];
  /** Implied-vol shocks, same shape (optional). */
  volShocks?: Float64Array | readonly (readonly number[])[];
  /** How `volShocks` apply: vol + d (`'absolute'`, default), vol (1 + d) (`'relative'`), vol e^d (`'log'`). */
  volShockMode?: 'absolute' | 'relative' | 'log';
  /** Time that passes in each scenario, in years (default 1/365: one calendar day). */
  horizon?: number;
}

/** Result of {@link revaluePortfolio}. */
export interface RevaluationResult {
  /** Total P&L in USD per scenario (positive = gain). */
  pnl: Float64Array;
  /** Per-account P&L in each account's numeraire (present when the portfolio defines accounts). */
  accounts?: Record<string, Float64Array>;
  /** Per-position USD P&L, row-major [positions][scenarios] (with `positionPnl: true`). */
  positionPnl?: Float64Array;
  scenarios: number;
  assets: string[];
}

const KINDS = { spot: L.KIND_SPOT, perpetual: L.KIND_PERPETUAL } as const;

type PositionOf<K extends Position['kind']> = Extract<Position, { kind: K }>;
/** The keys each position kind accepts (an unknown key, e.g. `volShockscale`, is an InputError). */
const POSITION_KEYS: Record<Position['kind'], readonly string[]> = {
  spot: keysOf<PositionOf<'spot'>>()(['kind', 'asset', 'quantity', 'account']),
  perpetual: keysOf<PositionOf<'perpetual'>>()(['kind', 'asset', 'quantity', 'fundingRate', 'account']),
  future: keysOf<PositionOf<'future'>>()(['kind', 'asset', 'quantity', 'expiry', 'basis', 'settlement', 'account']),
  option: keysOf<PositionOf<'option'>>()([
    'kind', 'asset', 'quantity', 'strike', 'expiry', 'vol', 'type', 'settlement', 'rate', 'basis', 'volShockScale', 'account',
  ]),
};
const PORTFOLIO_KEYS = keysOf<Portfolio>()(['spots', 'positions', 'accounts', 'surface']);
const ACCOUNT_KEYS = keysOf<NonNullable<Portfolio['accounts']>[string]>()(['numeraire']);
const SCENARIO_KEYS = keysOf<ScenarioSet>()(['assets', 'logReturns', 'volShocks', 'volShockMode', 'horizon']);

function finite(v: unknown, path: string, positive = false, optional?: number): number {
  if (v === undefined && optional !== undefined) return optional;
  if (typeof v !== 'number' || !Number.isFinite(v) || (positive && !(v > 0))) {
    throw new InputError(path, v, positive ? 'a positive finite number' : 'a finite number');
  }
  return v;
}

/** Packed positions in the kernel layout, plus names. */
export interface PackedPortfolio {
  n: number;
  assets: string[];
  spots: Float64Array;
  f64: Float64Array; // [POS_F64_COLUMNS][n]
  i32: Int32Array; // [POS_I32_COLUMNS][n]
  accountNames: string[];
  numeraires: Int32Array;
}

/**
 * Validate and pack a portfolio (the caller's objects are not modified). Options without a `vol`
 * are marked from `portfolio.surface` (one `vol` batch per asset; a surface given as JSON or
 * unbound is evaluated on `ctx`).
 * @throws InputError naming the field; `portfolio.surface` when a surface is malformed or needs
 *   an engine and `ctx` is not given; `<position>.vol` when no surface marks it or the surface has
 *   no vol there.
 */
export function packPortfolio(portfolio: Portfolio<PortfolioPosition>, assets?: readonly string[], ctx?: EngineContext): PackedPortfolio {
  checkOptions(portfolio, PORTFOLIO_KEYS, 'portfolio');
  const surfaces = portfolio.surface === undefined ? undefined : checkSurfaceSource(portfolio.surface, 'portfolio.surface'); // [surface]
  const unmarked: { i: number; path: string; asset: string; strike: number; expiry: number }[] = []; // [surface]
  const spotsObj = portfolio.spots;
  if (spotsObj === null || typeof spotsObj !== 'object' || Array.isArray(spotsObj)) throw new InputError('portfolio.spots', spotsObj, 'an object of spots');
  let names: string[];
  if (assets === undefined) names = Object.keys(spotsObj);
  else {
    names = checkStrings(assets, 'scenarios.assets');
    const seen = new Set<string>();
    names.forEach((a, i) => {
      if (seen.has(a)) throw new InputError(`scenarios.assets[${i}]`, a, 'distinct asset names');
      seen.add(a);
    });
  }
  if (names.length === 0) throw new InputError(assets === undefined ? 'portfolio.spots' : 'scenarios.assets', assets ?? spotsObj, 'at least one asset');
  const index = new Map(names.map((a, i) => [a, i]));
  // Own properties only: an asset named `constructor` or `toString` is not priced by Object.prototype.
  const spots = Float64Array.from(names, (a) => finite(own(spotsObj, a), `portfolio.spots.${a}`, true));
  const positions = checkArray(portfolio.positions, 'portfolio.positions') as readonly PortfolioPosition[];
  const accountsObj = portfolio.accounts;
  if (accountsObj !== undefined && (accountsObj === null || typeof accountsObj !== 'object' || Array.isArray(accountsObj))) {
    throw new InputError('portfolio.accounts', accountsObj, 'an object of accounts');
  }
  const accountNames = accountsObj ? Object.keys(accountsObj) : ['default'];
  if (accountNames.length === 0) throw new InputError('portfolio.accounts', accountsObj, 'at least one account');
  const accountIndex = new Map(accountNames.map((a, i) => [a, i]));
  const numeraires = Int32Array.from(accountNames, (a) => {
    if (!accountsObj) return -1;
    const acc = own(accountsObj, a);
    checkOptions(acc, ACCOUNT_KEYS, `portfolio.accounts.${a}`);
    const num = (acc as { numeraire?: unknown }).numeraire;
    if (num === undefined || num === 'USD') return -1;
    const f = typeof num === 'string' ? index.get(num) : undefined;
    if (f === undefined) throw new InputError(`portfolio.accounts.${a}.numeraire`, num, 'USD or an asset in spots');
    return f;
  });
  const n = positions.length;
  const f64 = new Float64Array(L.POS_F64_COLUMNS * n);
  const i32 = new Int32Array(L.POS_I32_COLUMNS * n);
  positions.forEach((p, i) => {
    const path = `portfolio.positions[${i}]`;
    if (p === null || typeof p !== 'object' || Array.isArray(p)) throw new InputError(path, p, 'a position object');
    const keys = typeof p.kind === 'string' ? own(POSITION_KEYS, p.kind) : undefined;
    if (keys === undefined) throw new InputError(`${path}.kind`, (p as { kind: unknown }).kind, "'spot', 'perpetual', 'future' or 'option'");
    checkOptions(p, keys, path);
    const f = typeof p.asset === 'string' ? index.get(p.asset) : undefined;
    if (f === undefined) throw new InputError(`${path}.asset`, p.asset, `one of ${names.join(', ')}`);
    const acc = p.account === undefined ? (accountsObj ? undefined : 0) : typeof p.account === 'string' ? accountIndex.get(p.account) : undefined;
    if (acc === undefined) throw new InputError(`${path}.account`, p.account, `one of ${accountNames.join(', ')}`);
    const set = (c: number, v: number) => (f64[c * n + i] = v);
    set(L.COL_QUANTITY, finite(p.quantity, `${path}.quantity`));
    set(L.COL_VOL_SCALE, 1);
    let kind: number;
    let type = 1;
    switch (p.kind) {
      case 'spot':
        kind = KINDS.spot;
        break;
      case 'perpetual':
        kind = KINDS.perpetual;
        set(L.COL_CARRY, finite(p.fundingRate, `${path}.fundingRate`, false, 0));
        break;
      case 'future': {
        const coin = p.settlement === undefined ? 'usd' : p.settlement;
        if (coin !== 'usd' && coin !== 'coin') throw new InputError(`${path}.settlement`, coin, "'usd' or 'coin'");
        kind = coin === 'coin' ? L.KIND_INVERSE_FUTURE : L.KIND_FUTURE;
        const T = finite(p.expiry, `${path}.expiry`);
        if (T < 0) throw new InputError(`${path}.expiry`, T, 'a number >= 0 (years)');
        set(L.COL_EXPIRY, T);
        set(L.COL_CARRY, finite(p.basis, `${path}.basis`, false, 0));
        break;
      }
      case 'option': {
        const coin = p.settlement === undefined ? 'usd' : p.settlement;
        if (coin !== 'usd' && coin !== 'coin') throw new InputError(`${path}.settlement`, coin, "'usd' or 'coin'");
        kind = coin === 'coin' ? L.KIND_OPTION_COIN : L.KIND_OPTION_USD;
        const T = finite(p.expiry, `${path}.expiry`);
        if (T < 0) throw new InputError(`${path}.expiry`, T, 'a number >= 0 (years)');
        // [surface] No vol and a surface for the asset: marked after the loop, one batch per asset.
        const bySurface = p.vol === undefined && surfaces !== undefined && surfaceFor(surfaces, p.asset) !== undefined;
        const vol = bySurface ? NaN : finite(p.vol, `${path}.vol`);
        if (vol < 0) throw new InputError(`${path}.vol`, vol, 'a number >= 0');
        if (p.type !== 'call' && p.type !== 'put') throw new InputError(`${path}.type`, p.type, "'call' or 'put'");
        type = p.type === 'call' ? 1 : -1;
        const strike = finite(p.strike, `${path}.strike`, true);
        set(L.COL_STRIKE, strike);
        set(L.COL_EXPIRY, T);
        set(L.COL_VOL, vol);
        if (bySurface) unmarked.push({ i, path, asset: p.asset, strike, expiry: T });
        set(L.COL_RATE, finite(p.rate, `${path}.rate`, false, 0));
        set(L.COL_CARRY, finite(p.basis, `${path}.basis`, false, 0));
        set(L.COL_VOL_SCALE, finite(p.volShockScale, `${path}.volShockScale`, false, 1));
        break;
      }
      default:
        throw new InputError(`${path}.kind`, (p as { kind: unknown }).kind, "'spot', 'perpetual', 'future' or 'option'");
    }
    i32[L.COL_KIND * n + i] = kind;
    i32[L.COL_FACTOR * n + i] = f;
    i32[L.COL_ACCOUNT * n + i] = acc;
    i32[L.COL_TYPE * n + i] = type;
  });
  if (unmarked.length > 0) markPackedBySurface(f64, n, unmarked, surfaces!, ctx); // [surface]
  return { n, assets: names, spots, f64, i32, accountNames, numeraires };
}

// [surface] Marking options by a VolSurface (surface/surface-marks.ts, shared with the margin market).

/** Write the surface vols of the options packed without one into their COL_VOL cells. */
function markPackedBySurface(
  f64: Float64Array, n: number, unmarked: readonly { i: number; path: string; asset: string; strike: number; expiry: number }[],
  surfaces: PortfolioSurfaces, ctx: EngineContext | undefined,
): void {
  markVolsBySurface(unmarked, surfaces, ctx, 'portfolio.surface', (u, vol) => { f64[L.COL_VOL * n + u.i] = vol; });
}

/** Scenario matrix checked and flattened to row-major [m][nFactors]. */
export function flattenScenarios(data: unknown, nFactors: number, path: string): Float64Array {
  if (data instanceof Float64Array) {
    if (data.length % nFactors !== 0) throw new InputError(path, data, `a length divisible by ${nFactors} assets`);
    for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i])) throw new InputError(`${path}[${i}]`, data[i], 'a finite number');
    return data;
  }
  if (!Array.isArray(data)) throw new InputError(path, data, 'a Float64Array or an array of rows');
  const out = new Float64Array(data.length * nFactors);
  data.forEach((row: unknown, s) => {
    if (!Array.isArray(row) && !ArrayBuffer.isView(row)) throw new InputError(`${path}[${s}]`, row, `a row of ${nFactors} numbers`);
    const r = row as ArrayLike<unknown>;
    if (r.length !== nFactors) throw new InputError(`${path}[${s}]`, row, `a row of ${nFactors} numbers`);
    for (let f = 0; f < nFactors; f++) {
      const v = r[f];
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new InputError(`${path}[${s}][${f}]`, v, 'a finite number');
      out[s * nFactors + f] = v;
    }
  });
  return out;
}

const VOL_MODES = { absolute: L.VOL_SHOCK_ABSOLUTE, relative: L.VOL_SHOCK_RELATIVE, log: L.VOL_SHOCK_LOG } as const;

/** Options of {@link revaluePortfolio}. */
export interface RevaluePortfolioArgs {
  /** Positions and spots; options may leave out `vol` when `portfolio.surface` marks them. */
  portfolio: Portfolio<PortfolioPosition>;
  scenarios: ScenarioSet;
  /** Also return per-position USD P&L [positions][scenarios] (needed for allocation). */
  positionPnl?: boolean;
}

export const REVALUE_KEYS = keysOf<RevaluePortfolioArgs>()(['portfolio', 'scenarios', 'positionPnl']);
/** REVALUE_KEYS and the pool options (`workers`, `signal`, ...): the keys both call forms accept. */
export const REVALUE_POOL_KEYS: readonly string[] = [...REVALUE_KEYS, ...PARALLEL_OPTION_KEYS];

/** A scenario set's shape: an object with only ScenarioSet keys (its arrays are checked when flattened). @throws InputError. */
export function checkScenarioSet(sc: unknown, path = 'scenarios'): asserts sc is ScenarioSet {
  checkOptions(sc, SCENARIO_KEYS, path);
}

/** A checked revaluation call: the packed portfolio, the flattened scenarios and the options. */
export interface RevaluationPlan {
  packed: PackedPortfolio;
  /** Row-major [m][assets] log-returns and (optional) vol shocks. */
  lr: Float64Array;
  vs: Float64Array | undefined;
  /** Number of scenarios. */
  m: number;
  volMode: number;
  horizon: number;
  wantPos: boolean;
  /** Whether the portfolio defines accounts (then per-account P&L is returned). */
  hasAccounts: boolean;
  /** The positions' i32 columns with every position in account 0 (the total USD view). */
  totalI32: Int32Array;
}

/**
 * Check a revaluation call and pack it (the caller's objects are not modified).
 * @param keys the keys `args` may have (the pool options too, for the call with `workers`).
 * @throws InputError for a malformed portfolio or scenario set.
 */
export function planRevaluation(ctx: EngineContext, args: RevaluePortfolioArgs, keys: readonly string[] = REVALUE_KEYS): RevaluationPlan {
  checkContext(ctx);
  checkOptions(args, keys, '', 'args');
  const sc = args.scenarios;
  checkScenarioSet(sc);
  const packed = packPortfolio(args.portfolio, sc.assets, ctx);
  const nF = packed.assets.length;
  const lr = flattenScenarios(sc.logReturns, nF, 'scenarios.logReturns');
  const m = lr.length / nF;
  const vs = sc.volShocks === undefined ? undefined : flattenScenarios(sc.volShocks, nF, 'scenarios.volShocks');
  if (vs && vs.length !== lr.length) throw new InputError('scenarios.volShocks', sc.volShocks, `${m} rows (as logReturns)`);
  const modeName = sc.volShockMode === undefined ? 'absolute' : sc.volShockMode;
  const volMode = typeof modeName === 'string' ? own<number>(VOL_MODES, modeName) : undefined;
  if (volMode === undefined) throw new InputError('scenarios.volShockMode', modeName, "'absolute', 'relative' or 'log'");
  const horizon = sc.horizon === undefined ? 1 / 365 : sc.horizon;
  if (typeof horizon !== 'number' || !(horizon >= 0) || !Number.isFinite(horizon)) throw new InputError('scenarios.horizon', horizon, 'a number >= 0 (years)');
  const wantPos = checkBoolean(args.positionPnl, 'positionPnl');
  // Total USD view: every position in account 0, USD.
  const totalI32 = packed.i32.slice();
  totalI32.fill(0, L.COL_ACCOUNT * packed.n, (L.COL_ACCOUNT + 1) * packed.n);
  return { packed, lr, vs, m, volMode, horizon, wantPos, hasAccounts: args.portfolio.accounts !== undefined && args.portfolio.accounts !== null, totalI32 };
}

/** The output arrays of a plan: total P&L, per-account P&L (with accounts), per-position P&L (with positionPnl). */
export function revaluationOutputs(plan: RevaluationPlan): { pnl: Float64Array; accounts?: Float64Array[]; posPnl?: Float64Array } {
  const { m, packed } = plan;
  return {
    pnl: new Float64Array(m),
    accounts: plan.hasAccounts ? packed.accountNames.map(() => new Float64Array(m)) : undefined,
    posPnl: plan.wantPos ? new Float64Array(packed.n * m) : undefined,
  };
}

/**
 * Revalue scenarios [first, first + count) of a plan in chunks of `ctx.chunkSize`: scenario s
 * lands at index s - first of `pnl` and of each account's array, and at i stride + s - first of
 * `posPnl` (row-major [positions][stride]).
 * @throws KernelError; RangeError when the heap cannot grow.
 */
export function revalueRange(
  ctx: EngineContext, plan: RevaluationPlan, first: number, count: number,
  pnl: Float64Array, accounts: Float64Array[] | undefined, posPnl: Float64Array | undefined, stride: number,
): void {
  const { packed, lr, vs, volMode, horizon } = plan;
  const chunk = Math.max(1, Math.min(count, ctx.chunkSize));
  for (let start = first; start < first + count; start += chunk) {
    const mc = Math.min(chunk, first + count - start);
    runRevalue(ctx, packed, plan.totalI32, 1, null, lr, vs, start, mc, volMode, horizon, [pnl], posPnl, stride, first);
    if (accounts) runRevalue(ctx, packed, packed.i32, packed.accountNames.length, packed.numeraires, lr, vs, start, mc, volMode, horizon, accounts, undefined, stride, first);
  }
}

/** The result object of a plan's outputs. */
export function revaluationResult(plan: RevaluationPlan, pnl: Float64Array, accounts: Float64Array[] | undefined, posPnl: Float64Array | undefined): RevaluationResult {
  const r: RevaluationResult = { pnl, scenarios: plan.m, assets: plan.packed.assets };
  if (accounts) {
    const byName = dict<Float64Array>();
    plan.packed.accountNames.forEach((a, i) => (byName[a] = accounts[i]));
    r.accounts = byName;
  }
  if (posPnl) r.positionPnl = posPnl;
  return r;
}

/**
 * Full revaluation of a portfolio over a scenario set (see {@link ScenarioSet}), in chunks of
 * `ctx.chunkSize` scenarios, one `portfolioRevalue` kernel call per chunk (and per view: total,
 * accounts).
 * @throws InputError for a malformed portfolio or scenario set.
 */
export function revaluePortfolio(ctx: EngineContext, args: RevaluePortfolioArgs): RevaluationResult {
  // Pool options are listed so that `workers: undefined` (and the others left undefined) is the
  // synchronous call, as for blackScholes / black76 / impliedVol; given without workers they throw.
  const plan = planRevaluation(ctx, args, REVALUE_POOL_KEYS);
  rejectParallelKeys(args as unknown as Record<string, unknown>);
  const { pnl, accounts, posPnl } = revaluationOutputs(plan);
  revalueRange(ctx, plan, 0, plan.m, pnl, accounts, posPnl, plan.m);
  return revaluationResult(plan, pnl, accounts, posPnl);
}

function runRevalue(
  ctx: EngineContext, packed: PackedPortfolio, i32: Int32Array, nA: number, numeraires: Int32Array | null,
  lr: Float64Array, vs: Float64Array | undefined, start: number, mc: number, volMode: number, horizon: number,
  outs: Float64Array[], posPnl: Float64Array | undefined, m: number, base: number,
): void {
  const { arena } = ctx;
  const n = packed.n, nF = packed.assets.length;
  arena.reset();
  arena.reserve(16 * 10 + 8 * (packed.f64.length + nF + 2 * mc * nF + (vs ? mc * nF : 0) + nA * mc + (posPnl ? n * mc : 0)) + 4 * (i32.length + nA));
  const pF = arena.alloc(8 * packed.f64.length);
  const pI = arena.alloc(4 * i32.length);
  const pS = arena.alloc(8 * nF);
  const pL = arena.alloc(8 * mc * nF);
  const pV = vs ? arena.alloc(8 * mc * nF) : 0;
  const pN = numeraires ? arena.alloc(4 * nA) : 0;
  const pScr = arena.alloc(8 * mc * nF);
  const pOut = arena.alloc(8 * nA * mc);
  const pPos = posPnl ? arena.alloc(8 * n * mc) : 0;
  const v = arena.views;
  v.f64.set(packed.f64, pF >>> 3);
  v.i32.set(i32, pI >>> 2);
  v.f64.set(packed.spots, pS >>> 3);
  v.f64.set(lr.subarray(start * nF, (start + mc) * nF), pL >>> 3);
  if (vs) v.f64.set(vs.subarray(start * nF, (start + mc) * nF), pV >>> 3);
  if (numeraires) v.i32.set(numeraires, pN >>> 2);
  const rc = ctx.kernels.portfolioRevalue(n, mc, nF, nA, pF, pI, pS, pL, pV, volMode, horizon, pN, pScr, pOut, pPos);
  if (rc !== 0) throw new KernelError('portfolioRevalue', rc);
  const w = arena.views.f64;
  for (let a = 0; a < nA; a++) outs[a].set(w.subarray((pOut >>> 3) + a * mc, (pOut >>> 3) + (a + 1) * mc), start - base);
  if (posPnl) {
    for (let i = 0; i < n; i++) posPnl.set(w.subarray((pPos >>> 3) + i * mc, (pPos >>> 3) + (i + 1) * mc), i * m + start - base);
  }
}
