/**
 * Liquidation prices under portfolio margin: for each account and each risky asset it holds, the
 * index levels below and above today's where equity(S) = maintenance margin(S), the maintenance
 * margin being grid.maintenanceFactor x the risk-matrix initial margin of the whole account on the
 * moved market (scan loss, contingency and delta-shock add-ons all recomputed at S).
 *
 * Unlike standard margin, PM maintenance margin is not a sum of per-position formulas a kernel can
 * evaluate alone: it is the worst counted loss over a scenario grid. So the root finder runs here,
 * vectorised over problems: each round moves every active (account, asset, side) to its next trial
 * level, re-marks the moved options in one Black-76 batch, and evaluates every moved account in ONE
 * `marginResolved` call (one `portfolioRevalue` kernel call per chunk). The schedule, convergence
 * tests, statuses and reasons are those of the standard `liquidationPrice` kernel
 * (assembly/margin/liquidation-price.ts): outward log-step scan to the nearest sign change, then
 * Illinois with a bisection fallback.
 */
import type { EngineContext } from '../context.js';
import { checkKeys } from '../option-keys.js';
import { InputError } from '../errors.js';
import * as L from '../kernels/margin/layout.js';
import { accountEquityOf } from './equity.js';
import type { ScenarioGrid } from './grids.js';
import {
  checkUpperBound, liquidationLevel, liquidationSearch, liquidationSide, nearestLevel, riskyAssets,
  type LiquidationPriceResult, type LiquidationSide,
} from './liquidation-price.js';
import { markOptions, resolveAccounts } from './market.js';
import { checkAggregation, checkGrid, marginResolved, type MarginAggregation } from './portfolio-margin.js';
import { checkHaircuts, marginStatus } from './standard-margin.js';
import type { MarginAccount, MarginMarket, ResolvedAccount, ResolvedCollateral, ResolvedPosition } from './types.js';

/** Options of {@link portfolioLiquidationPrice}. */
export interface PortfolioLiquidationPriceOptions {
  /** Collateral haircuts by asset (fractions in [0, 1]; `'*'` for every other asset); default none. */
  haircuts?: Readonly<Record<string, number>>;
  /** Lowest level searched, as a fraction of the index (default 1e-6). */
  lowerFactor?: number;
  /** Highest level searched, as a multiple of the index (default 100). */
  upperFactor?: number;
  /** Cap on the refinement iterations per direction (default 100). */
  maxIterations?: number;
  /** How assets aggregate in the risk matrix, as in portfolioMargin (default `'per-asset'`). */
  aggregation?: MarginAggregation;
  /**
   * Not available under portfolio margin (an isolated position is margined by the standard rules:
   * use `liquidationPrice` with a standard parameter set). `true` is rejected.
   */
  perPosition?: false;
}

/** Machine epsilon, as in the kernel's convergence tests. */
const EPS = 2.220446049250313e-16;

const SCAN = 0, REFINE = 1, DONE = 2;

/** One (account, asset) problem: the asset moves, everything else of the account stays. */
interface Problem {
  account: number;
  asset: string;
  index: number;
}

/** The search on one side of one problem: the kernel's loop variables, advanced one evaluation a round. */
interface Side {
  problem: number;
  dir: 0 | 1;
  bound: number;
  span: number;
  phase: number;
  /** Bracket ends and f there (a: last point with f > 0 in the scan). */
  a: number; fa: number;
  b: number; fb: number; eb: number; mb: number;
  cum: number; step: number;
  /** Best iterate so far and its equity and MM. */
  x: number; ex: number; mx: number;
  iterations: number;
  evaluations: number;
  code: number;
  /** Level to evaluate this round, and whether it is the search bound (the scan's last step). */
  next: number;
  atBound: boolean;
}

/**
 * A position of the moved asset at index level S: forward scaled by S / S0 (the basis kept), marks
 * of spot and perpetuals at S, of futures at the moved forward; options are re-marked by the caller.
 * An entry-less future or perpetual takes today's mark as its entry, which also fixes a coin-settled
 * one's USD face at size x today's mark (see inverseFace).
 * The caller's resolved position is never written to; the error path is the original's.
 */
class MovedPosition implements ResolvedPosition {
  kind: ResolvedPosition['kind'];
  asset: string;
  size: number;
  strike: number;
  expiry: number;
  type: 1 | -1 | 0;
  settlement: 'usd' | 'coin';
  vol: number;
  index: number;
  forward: number;
  basis: number;
  rate: number;
  entryPrice: number;
  accruedFunding: number;
  fundingRate: number;
  markPerUnit: number;
  instrument?: string;
  private readonly original: ResolvedPosition;
  constructor(p: ResolvedPosition, level: number) {
    this.original = p;
    this.kind = p.kind;
    this.asset = p.asset;
    this.size = p.size;
    this.strike = p.strike;
    this.expiry = p.expiry;
    this.type = p.type;
    this.settlement = p.settlement;
    this.vol = p.vol;
    this.index = level;
    this.forward = p.kind === 'future' || p.kind === 'option' ? p.forward * (level / p.index) : level;
    this.basis = p.basis;
    this.rate = p.rate;
    // Without an entry price, P&L counts from today's mark (zero today), as in the standard solver:
    // kept NaN, equity would ignore the position's P&L at every level (a long perpetual never
    // liquidated on the way down).
    this.entryPrice = (p.kind === 'perpetual' || p.kind === 'future') && !Number.isFinite(p.entryPrice) ? p.markPerUnit : p.entryPrice;
    this.accruedFunding = p.accruedFunding;
    this.fundingRate = p.fundingRate;
    this.markPerUnit = p.kind === 'option' ? NaN : this.forward;
    this.instrument = p.instrument;
  }
  get path(): string {
    return this.original.path;
  }
}

/** The account with `asset`'s index at `level`; positions and collateral of other assets are shared, not copied. */
function movedAccount(acc: ResolvedAccount, asset: string, level: number, options: MovedPosition[]): { account: ResolvedAccount; moved: MovedPosition[] } {
  const moved: MovedPosition[] = [];
  const positions = acc.positions.map((p) => {
    if (p.asset !== asset) return p;
    const m = new MovedPosition(p, level);
    moved.push(m);
    if (m.kind === 'option') options.push(m);
    return m;
  });
  const collateral = acc.collateral.map((c): ResolvedCollateral => (c.asset === asset ? { asset: c.asset, amount: c.amount, price: level } : c));
  return { account: { id: acc.id, positions, collateral, path: acc.path }, moved };
}

/**
 * Equity and PM maintenance margin (USD) of every (problem, level) pair in one pass: one Black-76
 * batch for the moved options and one marginResolved call for the moved accounts.
 */
function evaluateLevels(
  ctx: EngineContext, resolved: readonly ResolvedAccount[], problems: readonly Problem[], points: readonly Side[],
  grid: ScenarioGrid, aggregation: MarginAggregation, haircuts: Readonly<Record<string, number>> | undefined, sep: string,
): { equity: Float64Array; margin: Float64Array } {
  const n = points.length;
  const options: MovedPosition[] = [];
  const accounts: ResolvedAccount[] = new Array(n);
  const movedOf: MovedPosition[][] = new Array(n);
  for (let j = 0; j < n; j++) {
    const pr = problems[points[j].problem];
    const { account, moved } = movedAccount(resolved[pr.account], pr.asset, points[j].next, options);
    accounts[j] = account;
    movedOf[j] = moved;
  }
  markOptions(ctx, options);
  const equity = new Float64Array(n);
  for (let j = 0; j < n; j++) equity[j] = accountEquityOf(accounts[j], haircuts).equity;
  // Only now (equity looks haircuts up by asset name) give each point's moved asset a key of its own,
  // so marginResolved makes it a risk factor with its own spot: points of one round may hold the same
  // asset at different levels. The key groups exactly the positions the real name grouped in this
  // account (per-asset scan, contingency netting, delta probes); it exists only on these copies and
  // nothing of marginResolved's result but the margin numbers is read. The instrument name gets the
  // same suffix: marginResolved buckets units by name before comparing them, and a thousand moved
  // copies of one listed instrument in one bucket made that comparison quadratic. `sep` occurs in
  // no asset name of the batch, so a key can equal no real asset (which would merge the two into one
  // risk factor at one spot) nor another point's key (its trailing digits are the point).
  for (let j = 0; j < n; j++) {
    for (const m of movedOf[j]) {
      m.asset = `${m.asset}${sep}${j}`;
      if (m.instrument !== undefined) m.instrument = `${m.instrument}${sep}${j}`;
    }
  }
  const pm = marginResolved(ctx, accounts, grid, aggregation);
  const margin = new Float64Array(n);
  for (let j = 0; j < n; j++) margin[j] = pm[j].maintenanceMargin;
  return { equity, margin };
}

/** Decides the level a side evaluates next; finishes it when the kernel would stop without evaluating. */
function propose(s: Side, s0: number, maxIterations: number): void {
  if (s.phase === SCAN) {
    s.cum += s.step;
    s.step *= L.LIQ_SCAN_GROWTH;
    s.atBound = s.cum >= s.span;
    s.next = s.atBound ? s.bound : s0 * Math.exp((s.dir === 0 ? -1 : 1) * s.cum);
    return;
  }
  if (s.iterations >= maxIterations) {
    s.phase = DONE;
    s.code = L.LIQ_NOT_CONVERGED;
    return;
  }
  s.iterations++;
  const lo = Math.min(s.a, s.b), hi = Math.max(s.a, s.b);
  let c = (s.a * s.fb - s.b * s.fa) / (s.fb - s.fa);
  if (!(c > lo && c < hi)) c = 0.5 * (s.a + s.b);
  if (!(c > lo && c < hi)) {
    // The bracket is down to adjacent doubles: x is as close as double precision allows.
    s.phase = DONE;
    s.code = L.LIQ_FOUND;
    return;
  }
  s.next = c;
}

/** f = e - m is zero to the rounding of its two terms (the kernel's convergence test). */
function atRoot(f: number, e: number, m: number): boolean {
  return f === 0 || Math.abs(f) <= 4 * EPS * (Math.abs(e) + Math.abs(m));
}

/** Takes one evaluation (equity e, MM m at s.next) into the side's state. */
function advance(s: Side, e: number, m: number): void {
  const f = e - m;
  s.evaluations++;
  // Non-finite margin or equity (PM gives NaN when a scenario value is not finite): this side only.
  if (!(Math.abs(e) < Infinity && Math.abs(m) < Infinity)) {
    s.phase = DONE;
    s.code = L.LIQ_INVALID;
    return;
  }
  if (s.phase === SCAN) {
    s.b = s.next;
    s.fb = f;
    s.eb = e;
    s.mb = m;
    if (f <= 0) {
      s.phase = REFINE;
      s.x = s.b;
      s.ex = e;
      s.mx = m;
      if (atRoot(f, e, m)) {
        s.phase = DONE;
        s.code = L.LIQ_FOUND;
      }
      return;
    }
    if (s.atBound) {
      s.phase = DONE;
      s.code = L.LIQ_NONE;
      return;
    }
    s.a = s.b;
    s.fa = f;
    return;
  }
  const c = s.next;
  s.x = c;
  s.ex = e;
  s.mx = m;
  if (atRoot(f, e, m)) {
    s.phase = DONE;
    s.code = L.LIQ_FOUND;
    return;
  }
  // Illinois: keep the end whose f has the other sign; halve the retained end's f when it stays.
  if ((f > 0) !== (s.fb > 0)) {
    s.a = s.b;
    s.fa = s.fb;
  } else {
    s.fa *= 0.5;
  }
  s.b = c;
  s.fb = f;
  if (Math.abs(s.b - s.a) <= 4 * EPS * s.b) {
    s.phase = DONE;
    s.code = L.LIQ_FOUND;
  }
}

/** A run of NULs found in no asset name of the accounts' positions (one NUL unless a name holds one). */
function keySeparator(resolved: readonly ResolvedAccount[]): string {
  let sep = '\u0000';
  for (const acc of resolved) {
    for (const p of acc.positions) while (p.asset.includes(sep)) sep += '\u0000';
  }
  return sep;
}

/** Keys of {@link PortfolioLiquidationPriceOptions}. */
export const PORTFOLIO_LIQUIDATION_OPTION_KEYS = [
  'haircuts', 'lowerFactor', 'upperFactor', 'maxIterations', 'aggregation', 'perPosition',
] as const satisfies readonly (keyof PortfolioLiquidationPriceOptions)[];

function checkOptions(options: PortfolioLiquidationPriceOptions): { aggregation: MarginAggregation; haircuts: Readonly<Record<string, number>> | undefined } {
  checkKeys(options, PORTFOLIO_LIQUIDATION_OPTION_KEYS, 'options');
  const perPosition = (options as { perPosition?: unknown }).perPosition;
  if (perPosition !== undefined && perPosition !== false) {
    throw new InputError('options.perPosition', perPosition,
      'false or absent (an isolated position is margined by the standard rules: use liquidationPrice with a standard parameter set)');
  }
  const aggregation = checkAggregation(options.aggregation);
  const haircuts = options.haircuts === undefined ? undefined : checkHaircuts(options.haircuts, 'options.haircuts');
  return { aggregation, haircuts };
}


/**
 * Liquidation prices under portfolio margin, of one account or a batch: per account and risky asset
 * (positions and non-stablecoin collateral), the index level S* (USD) below and above today's index
 * where equity(S*) = grid.maintenanceFactor x PM initial margin(S*), that asset's index, forwards
 * (scaled by S / S0), option marks (Black-76, vols held) and collateral (after haircut) moving, every
 * other asset fixed. Searched in (lowerFactor x index, upperFactor x index); each round evaluates
 * every open side of the batch in one risk-matrix pass. Results as {@link liquidationPrice}'s, with
 * today's PM maintenance margin and a status from equity against PM IM / MM (see docs/margin.md).
 * @param ctx engine context (runs the pricing and revaluation kernels).
 * @param accounts one account (one result) or an array (an array of results, same order).
 * @param market indices, forwards, vols (see MarginMarket).
 * @param grid a preset (DERIBIT_GRID, SPAN16_GRID) or a grid of your own (validated by scenarioGrid).
 * @throws InputError for malformed accounts, market (`account...`, `accounts[i]...`, `market...`),
 * grid (`grid...`) or options (`options.lowerFactor`, `options.upperFactor` (also when index x
 * upperFactor overflows), `options.maxIterations`, `options.aggregation`, `options.haircuts...`,
 * `options.perPosition` when true). Coin-settled futures and perpetuals keep their USD face N =
 * size x entry (x today's mark without one) at every level: equity N (1/E - 1/F) S.
 */
export function portfolioLiquidationPrice(
  ctx: EngineContext, accounts: MarginAccount, market: MarginMarket, grid: ScenarioGrid, options?: PortfolioLiquidationPriceOptions,
): LiquidationPriceResult;
export function portfolioLiquidationPrice(
  ctx: EngineContext, accounts: readonly MarginAccount[], market: MarginMarket, grid: ScenarioGrid, options?: PortfolioLiquidationPriceOptions,
): LiquidationPriceResult[];
export function portfolioLiquidationPrice(
  ctx: EngineContext, accounts: MarginAccount | readonly MarginAccount[], market: MarginMarket, grid: ScenarioGrid, options?: PortfolioLiquidationPriceOptions,
): LiquidationPriceResult | LiquidationPriceResult[];
export function portfolioLiquidationPrice(
  ctx: EngineContext, accounts: MarginAccount | readonly MarginAccount[], market: MarginMarket, grid: ScenarioGrid,
  options: PortfolioLiquidationPriceOptions = {},
): LiquidationPriceResult | LiquidationPriceResult[] {
  const g = checkGrid(grid);
  const { lowerFactor, upperFactor, maxIterations } = liquidationSearch(options);
  const { aggregation, haircuts } = checkOptions(options);
  const resolved = resolveAccounts(ctx, accounts, market);
  // Today's equity and PM margin.
  const equity0 = resolved.map((acc) => accountEquityOf(acc, haircuts).equity);
  const pm0 = marginResolved(ctx, resolved, g, aggregation);
  const problems: Problem[] = [];
  resolved.forEach((acc, ai) => {
    for (const [asset, index] of riskyAssets(acc)) {
      checkUpperBound(asset, index, upperFactor);
      problems.push({ account: ai, asset, index });
    }
  });

  const sides: Side[] = [];
  const active: Side[] = [];
  for (let k = 0; k < problems.length; k++) {
    const { account, index } = problems[k];
    const e0 = equity0[account], m0 = pm0[account].maintenanceMargin;
    const f0 = e0 - m0;
    for (const dir of [0, 1] as const) {
      const bound = index * (dir === 0 ? lowerFactor : upperFactor);
      const s: Side = {
        problem: k, dir, bound, span: Math.abs(Math.log(bound / index)), phase: SCAN,
        a: index, fa: f0, b: index, fb: f0, eb: e0, mb: m0, cum: 0, step: L.LIQ_SCAN_FIRST,
        x: NaN, ex: NaN, mx: NaN, iterations: 0, evaluations: 1, code: L.LIQ_FOUND, next: NaN, atBound: false,
      };
      if (!(Math.abs(e0) < Infinity && Math.abs(m0) < Infinity)) {
        s.phase = DONE;
        s.code = L.LIQ_INVALID;
      } else if (f0 <= 0) {
        s.phase = DONE;
        s.code = L.LIQ_ALREADY;
        s.x = index;
        s.ex = e0;
        s.mx = m0;
      } else if (!(dir === 0 ? bound > 0 && bound < index : bound > index && bound < Infinity)) {
        // A bound that is not a level beyond the index (index x lowerFactor underflowing to 0) would
        // scan ~3,000 rounds of level 0 and report 'none' there: that side is invalid, as in the kernel.
        s.phase = DONE;
        s.code = L.LIQ_INVALID;
      } else {
        active.push(s);
      }
      sides.push(s);
    }
  }

  // Each pass gives every open side one evaluation. The scan reaches the bound within ~40 steps
  // (log 1e6 / 0.001 grows as 1.25^k) and refinement is capped at maxIterations, so this ends.
  const sep = keySeparator(resolved);
  let open = active;
  while (open.length > 0) {
    for (const s of open) propose(s, problems[s.problem].index, maxIterations);
    const points = open.filter((s) => s.phase !== DONE);
    if (points.length === 0) break;
    const { equity, margin } = evaluateLevels(ctx, resolved, problems, points, g, aggregation, haircuts, sep);
    points.forEach((s, j) => advance(s, equity[j], margin[j]));
    open = points.filter((s) => s.phase !== DONE);
  }

  const results: LiquidationPriceResult[] = resolved.map((acc, ai) => {
    const im = pm0[ai].initialMargin, mm = pm0[ai].maintenanceMargin;
    return { id: acc.id, path: acc.path, equity: equity0[ai], maintenanceMargin: mm, status: marginStatus(equity0[ai], im, mm), assets: [], nearest: null };
  });
  const sideOf = (s: Side): LiquidationSide => {
    const { index } = problems[s.problem];
    switch (s.code) {
      case L.LIQ_INVALID:
        return liquidationSide(s.code, s.dir, NaN, NaN, NaN, s.iterations, s.evaluations, index, s.bound, maxIterations);
      case L.LIQ_NONE:
        return liquidationSide(s.code, s.dir, NaN, s.eb, s.mb, 0, s.evaluations, index, s.bound, maxIterations);
      default:
        return liquidationSide(s.code, s.dir, s.x, s.ex, s.mx, s.iterations, s.evaluations, index, s.bound, maxIterations);
    }
  };
  problems.forEach((p, k) => {
    results[p.account].assets.push(liquidationLevel(p.asset, p.index, sideOf(sides[2 * k]), sideOf(sides[2 * k + 1])));
  });
  for (const r of results) r.nearest = nearestLevel(r.assets);
  return Array.isArray(accounts) ? results : results[0];
}
