/**
 * Hedge calibration: quantities of hedge instruments (perpetuals, futures, spot, listed options)
 * that bring a book's greeks to targets, minimise the variance or expected shortfall of its
 * scenario P&L, or minimise its portfolio-margin initial margin under a grid.
 *
 * Every objective is a function of the hedge quantities q through linear maps (per-unit greeks,
 * per-unit scenario P&L), so:
 * - `'greeks'`: weighted least squares on the greek rows (per underlying), solved by pivoted
 *   Householder QR (exact when square and nonsingular, minimum-norm when underdetermined); with
 *   bounds or a spread cost in the objective, a convex QP solved by HiGHS;
 * - `'scenarios'`: variance = least squares on the centred P&L; ES = the Rockafellar-Uryasev LP
 *   (min z + sum u_s / ((1 - c) N), u_s >= loss_s - z, u_s >= 0), by HiGHS;
 * - `'margin'`: the grid's scan is a max over scenarios of linear functions (weights, extended
 *   scaling and the dampener enter as constants), the short-option contingency a sum of
 *   max(0, -net) terms and the futures contingency a sum of |q|: an LP (epigraph variables),
 *   solved exactly by HiGHS. The delta-shock add-on (nonconvex) is left out of the LP; the
 *   reported margins are always the margin engine's own figures for book + hedge.
 * Lot rounding happens after the solve (to the nearest lot inside the bounds); the result reports
 * both solutions, so the rounding's residual is visible.
 */
import type { EngineContext } from '../context.js';
import { InputError } from '../errors.js';
import { checkKeys } from '../option-keys.js';
import { portfolioMargin, type MarginAggregation } from '../margin/portfolio-margin.js';
import { DERIBIT_GRID, scenarioGrid, type ScenarioGrid } from '../margin/grids.js';
import { isValidatedGrid } from '../margin/grids.js';
import { weightedTailUnchecked } from '../risk/tail-measures.js';
import type { ScenarioSet } from '../risk/portfolio.js';
import type { MarginMarket, MarginPosition, ResolvedPosition } from '../margin/types.js';
import {
  CASH_GREEK_NAMES, bookAccount, bookSensitivities, cashGreeksAt, checkGreeksOptions, zeroGreeks,
  type BookGreeksOptions, type BookSensitivities, type CashGreekName, type CashGreeks, type CheckedGreeksOptions, type HedgeBook,
} from './book-greeks.js';
import { leastSquares } from './least-squares.js';
import { hedgeEffectiveness, type HedgeEffectivenessResult } from './hedge-effectiveness.js';
import { checkLpSolver, loadLpSolver, solveDense, type LpSolver, type LpStatus } from './hedge-lp.js';
import { checkScenarios, gridPnl, rawGrid, scenarioPnl, type CheckedScenarios } from './scenario-pnl.js';

/** Trading terms of a hedge instrument. */
export interface HedgeTerms {
  /** Name in results (default: `instrument`, else kind-asset-strike-...). */
  name?: string;
  /** Tradable size step (coins); quantities are rounded to a multiple after the solve. Default: none. */
  lotSize?: number;
  /** Bounds on the quantity (coins; negative = sell). Default unbounded. */
  min?: number;
  max?: number;
  /** Half the bid-ask spread, USD per unit: crossing costs halfSpread x |q|. Default 0. */
  halfSpread?: number;
}

/** A hedge instrument: a margin position without its size (a listed name or a full spec), plus its trading terms. */
export type HedgeInstrument = (
  | { instrument: string; kind?: undefined; vol?: number }
  | WithoutSize<Extract<MarginPosition, { kind: 'perpetual' | 'future' | 'option' | 'spot' }>>
) & HedgeTerms;

/** A position type without its size, member by member of a union. */
export type WithoutSize<T> = T extends unknown ? Omit<T, 'size'> : never;

const TERM_KEYS = ['name', 'lotSize', 'min', 'max', 'halfSpread'] as const satisfies readonly (keyof HedgeTerms)[];

/** Arguments of `engine.calibrateHedge`. */
export interface CalibrateHedgeArgs {
  book: HedgeBook;
  market: MarginMarket;
  instruments: readonly HedgeInstrument[];
  objective: 'greeks' | 'scenarios' | 'margin';
  /** 'greeks': which greeks to match, per underlying (default delta, gamma, vega). */
  greeks?: readonly CashGreekName[];
  /** 'greeks': targets of book + hedge per greek (default 0: neutral), the same for every underlying. */
  targets?: Partial<Record<CashGreekName, number>>;
  /** 'greeks': weight of each greek's squared residual, relative to the book's own size of that greek (default 1). */
  weights?: Partial<Record<CashGreekName, number>>;
  /**
   * Weight of the spread cost (USD) in the objective: objective = sum_g w_g (residual_g / scale_g)^2 +
   * costWeight x cost ('greeks'), variance + costWeight x cost ('scenarios', variance in USD^2),
   * ES or IM + costWeight x cost (USD). Default 0: cost reported, not traded off.
   */
  costWeight?: number;
  /** 'scenarios': the scenario set (log-returns per asset; see ScenarioSet). Other objectives: the scenarios whose hedged P&L is reported (default: the grid's). */
  scenarios?: ScenarioSet;
  /** 'scenarios': 'variance' (default) or 'es'. */
  measure?: 'variance' | 'es';
  /** 'scenarios' with measure 'es': confidence in (0, 1), default 0.99. */
  confidence?: number;
  /** 'margin': the portfolio-margin grid (default DERIBIT_GRID); other objectives: the grid of the reported P&L when no scenarios are given. */
  grid?: ScenarioGrid;
  /** 'margin': per-asset (default) or joint scan. */
  aggregation?: MarginAggregation;
  /** Greeks' numeraire, marks and sticky rule (see BookGreeksOptions); default USD, market vols. */
  numeraire?: BookGreeksOptions['numeraire'];
  surface?: BookGreeksOptions['surface'];
  sticky?: BookGreeksOptions['sticky'];
  /** A loaded `highs` module (default: imported on first need; see docs/hedging.md). */
  lpSolver?: LpSolver;
}

const ARG_KEYS = [
  'book', 'market', 'instruments', 'objective', 'greeks', 'targets', 'weights', 'costWeight', 'scenarios', 'measure', 'confidence', 'grid',
  'aggregation', 'numeraire', 'surface', 'sticky', 'lpSolver',
] as const satisfies readonly (keyof CalibrateHedgeArgs)[];

/** A solution (before or after lot rounding) and what it leaves. */
export interface HedgeSolution {
  /** Quantity of each instrument (coins; negative = sell). */
  quantities: Float64Array;
  /** Greeks of the hedge alone, and of book + hedge, per underlying and in total (total null in the coin numeraire with several underlyings). */
  hedgeGreeks: Map<string, CashGreeks>;
  residual: Map<string, CashGreeks>;
  residualTotal: CashGreeks | null;
  /** Spread cost, USD: sum halfSpread x |q|. */
  cost: number;
  /** Objective value (see CalibrateHedgeArgs.costWeight). */
  objective: number;
  /** Hedged P&L per reported scenario (USD). */
  pnl: Float64Array;
  /** Portfolio-margin IM of book + hedge under the grid (USD; objective 'margin' only, else NaN). */
  initialMargin: number;
}

/** Result of `engine.calibrateHedge`. */
export interface CalibrateHedgeResult {
  objective: CalibrateHedgeArgs['objective'];
  /** Instrument names, in the order of the quantities. */
  instruments: string[];
  /** The optimum before lot rounding. */
  solution: HedgeSolution;
  /** The optimum rounded to lot sizes (equal to `solution` without lot sizes). */
  rounded: HedgeSolution;
  /** rounded.residual - solution.residual per underlying: what rounding costs in greeks. */
  roundingResidual: Map<string, CashGreeks>;
  /** The book alone: greeks per underlying, objective, P&L per scenario, IM ('margin'). */
  book: { greeks: Map<string, CashGreeks>; objective: number; pnl: Float64Array; initialMargin: number };
  /** Reported scenarios: names (grid) or indices (scenario set). */
  scenarioNames: string[];
  /** How the problem was solved: method, solver status, and the LP's optimal value where one ran. */
  solver: { method: 'qr' | 'highs-qp' | 'highs-lp'; status: LpStatus | 'rankDeficient'; rank?: number; lpObjective?: number };
  /**
   * Effectiveness of the (unrounded) hedge over the reported scenarios: the book's P&L as the hedged
   * item, the hedge's as the hedge; undefined when the book's P&L does not vary or there are fewer than 3 scenarios.
   */
  effectiveness?: HedgeEffectivenessResult;
  /** Whether `solution` is a proven optimum ('optimal', or full-rank QR). Not ok otherwise (quantities NaN when the solver found none). */
  ok: boolean;
}

/** Instruments checked and split into positions (size 1) and terms. */
interface Instruments {
  positions: MarginPosition[];
  names: string[];
  lot: Float64Array;
  lower: Float64Array;
  upper: Float64Array;
  halfSpread: Float64Array;
}

function finiteOr(v: unknown, path: string, fallback: number, check: (x: number) => boolean = () => true, expected = 'a finite number'): number {
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isFinite(v) || !check(v)) throw new InputError(path, v, expected);
  return v;
}

function checkInstruments(v: unknown): Instruments {
  if (!Array.isArray(v) || v.length === 0) throw new InputError('instruments', v, 'a non-empty array of hedge instruments');
  const n = v.length;
  const out: Instruments = { positions: [], names: [], lot: new Float64Array(n), lower: new Float64Array(n), upper: new Float64Array(n), halfSpread: new Float64Array(n) };
  v.forEach((h: unknown, i) => {
    const path = `instruments[${i}]`;
    if (h === null || typeof h !== 'object') throw new InputError(path, h, 'a hedge instrument { instrument } or { kind, asset, ... }');
    const rest: Record<string, unknown> = {};
    const terms: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(h)) ((TERM_KEYS as readonly string[]).includes(k) ? terms : rest)[k] = x;
    if ('size' in rest) throw new InputError(`${path}.size`, rest.size, 'no size (the calibration chooses it)');
    out.positions.push({ ...rest, size: 1 } as MarginPosition);
    const t = terms as HedgeTerms;
    if (t.name !== undefined && typeof t.name !== 'string') throw new InputError(`${path}.name`, t.name, 'a string');
    out.names.push(t.name ?? (typeof rest.instrument === 'string' ? rest.instrument : [rest.kind, rest.asset, rest.strike, rest.expiry, rest.type].filter((x) => x !== undefined).join('-')));
    out.lot[i] = finiteOr(t.lotSize, `${path}.lotSize`, 0, (x) => x > 0, 'a lot size > 0');
    out.lower[i] = t.min === undefined ? -Infinity : finiteOr(t.min, `${path}.min`, 0);
    out.upper[i] = t.max === undefined ? Infinity : finiteOr(t.max, `${path}.max`, 0);
    if (out.lower[i] > out.upper[i]) throw new InputError(`${path}.max`, t.max, `a bound >= min (${t.min})`);
    out.halfSpread[i] = finiteOr(t.halfSpread, `${path}.halfSpread`, 0, (x) => x >= 0, 'a half-spread >= 0 (USD per unit)');
  });
  return out;
}

/** Resolve the hedge instruments; errors at `instruments[i]...` rather than the resolver's `account.positions[i]...`. */
function instrumentSensitivities(ctx: EngineContext, ins: Instruments, market: MarginMarket, opts: CheckedGreeksOptions): BookSensitivities {
  try {
    return bookSensitivities(ctx, ins.positions, market, opts);
  } catch (e) {
    if (e instanceof InputError && e.path.startsWith('account.positions[')) {
      throw new InputError(e.path.replace(/^account\.positions\[(\d+)\]/, 'instruments[$1]'), e.value, e.message.replace(/^[^:]*: expected /, '').replace(/, got .*$/, ''), e.suggestion);
    }
    throw e;
  }
}

function greeksByAsset(s: BookSensitivities, numeraire: 'usd' | 'coin', sizes?: ArrayLike<number>): Map<string, CashGreeks> {
  const out = new Map<string, CashGreeks>();
  const g = zeroGreeks();
  for (let i = 0; i < s.positions.length; i++) {
    cashGreeksAt(s, i, numeraire, g);
    const w = sizes ? sizes[i] : 1;
    const a = s.positions[i].asset;
    let acc = out.get(a);
    if (!acc) out.set(a, (acc = zeroGreeks()));
    if (w === 0) continue;
    acc.value += w * g.value;
    for (const k of CASH_GREEK_NAMES) acc[k] += w * g[k];
  }
  return out;
}

function addMaps(a: Map<string, CashGreeks>, b: Map<string, CashGreeks>, sign = 1): Map<string, CashGreeks> {
  const out = new Map<string, CashGreeks>();
  for (const [k, v] of a) out.set(k, { ...v });
  for (const [k, v] of b) {
    let acc = out.get(k);
    if (!acc) out.set(k, (acc = zeroGreeks()));
    acc.value += sign * v.value;
    for (const g of CASH_GREEK_NAMES) acc[g] += sign * v[g];
  }
  return out;
}

function totalOf(m: Map<string, CashGreeks>, numeraire: 'usd' | 'coin'): CashGreeks | null {
  if (numeraire === 'coin' && m.size > 1) return null;
  const t = zeroGreeks();
  for (const v of m.values()) {
    t.value += v.value;
    for (const g of CASH_GREEK_NAMES) t[g] += v[g];
  }
  return t;
}

/** Everything a solve needs, prepared once. */
interface Problem {
  ctx: EngineContext;
  args: CalibrateHedgeArgs;
  ins: Instruments;
  opts: CheckedGreeksOptions;
  book: BookSensitivities;
  hedge: BookSensitivities;
  bookGreeks: Map<string, CashGreeks>;
  costWeight: number;
  /** Reported scenarios: book P&L [m], hedge unit P&L [n][m], names. */
  pnlBook: Float64Array;
  pnlUnit: Float64Array;
  names: string[];
  grid: ScenarioGrid;
}

function hedgePnl(p: Problem, q: ArrayLike<number>): Float64Array {
  const m = p.pnlBook.length, n = q.length;
  const out = Float64Array.from(p.pnlBook);
  for (let i = 0; i < n; i++) if (q[i] !== 0) for (let s = 0; s < m; s++) out[s] += q[i] * p.pnlUnit[i * m + s];
  return out;
}

function spreadCost(p: Problem, q: ArrayLike<number>): number {
  let c = 0;
  for (let i = 0; i < q.length; i++) c += p.ins.halfSpread[i] * Math.abs(q[i]);
  return c;
}

/** Greek rows: (asset, greek) for every asset of book or hedge; A [rows][n] per-unit greeks, b = target - book, scale. */
function greekRows(p: Problem) {
  const greeks = checkGreekList(p.args.greeks);
  const targets = checkGreekRecord(p.args.targets, 'targets', 0, () => true);
  const weights = checkGreekRecord(p.args.weights, 'weights', 1, (x) => x >= 0);
  const assets = [...new Set([...p.book.positions.map((x) => x.asset), ...p.hedge.positions.map((x) => x.asset)])];
  const n = p.hedge.positions.length;
  const rows: { asset: string; greek: CashGreekName }[] = [];
  for (const a of assets) for (const g of greeks) rows.push({ asset: a, greek: g });
  const A = new Float64Array(rows.length * n);
  const b = new Float64Array(rows.length);
  const scale = new Float64Array(rows.length);
  const w = new Float64Array(rows.length);
  const unit = zeroGreeks();
  rows.forEach((r, k) => {
    let amax = 0;
    for (let i = 0; i < n; i++) {
      if (p.hedge.positions[i].asset !== r.asset) continue;
      cashGreeksAt(p.hedge, i, p.opts.numeraire, unit);
      A[k * n + i] = unit[r.greek];
      amax = Math.max(amax, Math.abs(unit[r.greek]));
    }
    const bg = p.bookGreeks.get(r.asset)?.[r.greek] ?? 0;
    b[k] = targets[r.greek] - bg;
    // Residuals are measured relative to the book's own size of the greek (the hedges' if the book has none).
    scale[k] = Math.abs(bg) > 0 ? Math.abs(bg) : amax > 0 ? amax : 1;
    w[k] = weights[r.greek];
  });
  return { rows, A, b, scale, w, n };
}

function checkGreekList(v: unknown): CashGreekName[] {
  if (v === undefined) return ['delta', 'gamma', 'vega'];
  if (!Array.isArray(v) || v.length === 0) throw new InputError('greeks', v, `a non-empty array of ${CASH_GREEK_NAMES.join(', ')}`);
  v.forEach((g, i) => { if (!(CASH_GREEK_NAMES as readonly unknown[]).includes(g)) throw new InputError(`greeks[${i}]`, g, `one of ${CASH_GREEK_NAMES.join(', ')}`); });
  return [...new Set(v as CashGreekName[])];
}

function checkGreekRecord(v: unknown, path: string, fallback: number, ok: (x: number) => boolean): Record<CashGreekName, number> {
  const out = Object.fromEntries(CASH_GREEK_NAMES.map((g) => [g, fallback])) as Record<CashGreekName, number>;
  if (v === undefined) return out;
  if (v === null || typeof v !== 'object') throw new InputError(path, v, 'an object by greek name');
  checkKeys(v, CASH_GREEK_NAMES, path);
  for (const g of CASH_GREEK_NAMES) out[g] = finiteOr((v as Record<string, unknown>)[g], `${path}.${g}`, fallback, ok);
  return out;
}

function greeksObjective(rows: ReturnType<typeof greekRows>, q: ArrayLike<number>, cost: number, costWeight: number): number {
  let f = 0;
  for (let k = 0; k < rows.rows.length; k++) {
    let r = -rows.b[k];
    for (let i = 0; i < rows.n; i++) r += rows.A[k * rows.n + i] * q[i];
    f += rows.w[k] * (r / rows.scale[k]) ** 2;
  }
  return f + costWeight * cost;
}

/** Round to the nearest lot inside [lower, upper] (towards the inside when the nearest lot is outside). */
function roundToLots(q: Float64Array, ins: Instruments): Float64Array {
  return q.map((x, i) => {
    const lot = ins.lot[i];
    if (!(lot > 0) || !Number.isFinite(x)) return x;
    let r = Math.round(x / lot) * lot;
    if (r > ins.upper[i]) r = Math.floor(ins.upper[i] / lot) * lot;
    if (r < ins.lower[i]) r = Math.ceil(ins.lower[i] / lot) * lot;
    return r + 0; // no -0
  });
}

/** q = q+ - q-: the split program's bounds on q as rows, costs on |q| as linear terms. */
function splitProgram(n: number, ins: Instruments, costWeight: number) {
  const lower = new Float64Array(2 * n);
  const upper = new Float64Array(2 * n).fill(Infinity);
  const cost = new Float64Array(2 * n);
  for (let i = 0; i < n; i++) {
    cost[i] = cost[n + i] = costWeight * ins.halfSpread[i];
    // Bounds of q on the split variables directly where one sign is excluded.
    if (ins.lower[i] >= 0) upper[n + i] = 0;
    if (ins.upper[i] <= 0) upper[i] = 0;
  }
  return { lower, upper, cost };
}

async function solverOf(args: CalibrateHedgeArgs): Promise<LpSolver> {
  return args.lpSolver === undefined ? loadLpSolver() : checkLpSolver(args.lpSolver, 'lpSolver');
}

/** Solve the greeks objective: QR without bounds or cost, else a QP by HiGHS. */
async function solveGreeks(p: Problem) {
  const rows = greekRows(p);
  const { n, A, b, scale, w } = rows;
  const m = rows.rows.length;
  const As = new Float64Array(m * n), bs = new Float64Array(m);
  for (let k = 0; k < m; k++) {
    const f = Math.sqrt(w[k]) / scale[k];
    for (let i = 0; i < n; i++) As[k * n + i] = A[k * n + i] * f;
    bs[k] = b[k] * f;
  }
  const bounded = p.ins.lower.some((x) => x > -Infinity) || p.ins.upper.some((x) => x < Infinity);
  const costly = p.costWeight > 0 && p.ins.halfSpread.some((x) => x > 0);
  if (!bounded && !costly) {
    const ls = leastSquares(As, bs, m, n);
    return { q: ls.x, method: 'qr' as const, status: (ls.rank < Math.min(m, n) ? 'rankDeficient' : 'optimal') as LpStatus | 'rankDeficient', rank: ls.rank, rows };
  }
  // min ||As q - bs||^2 + costWeight sum h |q| over q = q+ - q-: H = 2 [M -M; -M M], M = As'As.
  const M = new Float64Array(n * n), g = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < m; k++) s += As[k * n + i] * As[k * n + j];
      M[i * n + j] = s;
    }
    let s = 0;
    for (let k = 0; k < m; k++) s += As[k * n + i] * bs[k];
    g[i] = s;
  }
  const N = 2 * n;
  const H = new Float64Array(N * N);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const v = 2 * M[i * n + j];
      H[i * N + j] = v;
      H[(n + i) * N + n + j] = v;
      H[i * N + n + j] = -v;
      H[(n + i) * N + j] = -v;
    }
  }
  const sp = splitProgram(n, p.ins, p.costWeight);
  for (let i = 0; i < n; i++) {
    sp.cost[i] += -2 * g[i];
    sp.cost[n + i] += 2 * g[i];
  }
  const Arow = new Float64Array(n * N);
  for (let i = 0; i < n; i++) {
    Arow[i * N + i] = 1;
    Arow[i * N + n + i] = -1;
  }
  const solver = await solverOf(p.args);
  const sol = solveDense(solver, { cost: sp.cost, lower: sp.lower, upper: sp.upper, A: Arow, rowLower: p.ins.lower, rowUpper: p.ins.upper, H });
  const q = new Float64Array(n);
  for (let i = 0; i < n; i++) q[i] = sol.x[i] - sol.x[n + i];
  return { q, method: 'highs-qp' as const, status: sol.status as LpStatus | 'rankDeficient', rank: undefined, rows };
}

/** Solve the scenarios objective (variance by QR or QP, ES by the Rockafellar-Uryasev LP). */
async function solveScenarios(p: Problem, measure: 'variance' | 'es', confidence: number) {
  const n = p.ins.positions.length, m = p.pnlBook.length;
  const bounded = p.ins.lower.some((x) => x > -Infinity) || p.ins.upper.some((x) => x < Infinity);
  const costly = p.costWeight > 0 && p.ins.halfSpread.some((x) => x > 0);
  if (measure === 'variance') {
    // Centred P&L: min ||Pc q + bc||^2 / m.
    const mean = (row: (s: number) => number) => { let t = 0; for (let s = 0; s < m; s++) t += row(s); return t / m; };
    const bMean = mean((s) => p.pnlBook[s]);
    const P = new Float64Array(m * n), b = new Float64Array(m);
    for (let i = 0; i < n; i++) {
      const mu = mean((s) => p.pnlUnit[i * m + s]);
      for (let s = 0; s < m; s++) P[s * n + i] = p.pnlUnit[i * m + s] - mu;
    }
    for (let s = 0; s < m; s++) b[s] = -(p.pnlBook[s] - bMean);
    if (!bounded && !costly) {
      const ls = leastSquares(P, b, m, n);
      return { q: ls.x, method: 'qr' as const, status: (ls.rank < Math.min(m, n) ? 'rankDeficient' : 'optimal') as LpStatus | 'rankDeficient', rank: ls.rank, lp: undefined };
    }
    const N = 2 * n;
    const H = new Float64Array(N * N);
    const sp = splitProgram(n, p.ins, p.costWeight);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let k = 0; k < m; k++) s += P[k * n + i] * P[k * n + j];
        const v = (2 * s) / m;
        H[i * N + j] = v; H[(n + i) * N + n + j] = v; H[i * N + n + j] = -v; H[(n + i) * N + j] = -v;
      }
      let s = 0;
      for (let k = 0; k < m; k++) s += P[k * n + i] * b[k];
      sp.cost[i] += (-2 * s) / m;
      sp.cost[n + i] += (2 * s) / m;
    }
    const Arow = new Float64Array(n * N);
    for (let i = 0; i < n; i++) { Arow[i * N + i] = 1; Arow[i * N + n + i] = -1; }
    const sol = solveDense(await solverOf(p.args), { cost: sp.cost, lower: sp.lower, upper: sp.upper, A: Arow, rowLower: p.ins.lower, rowUpper: p.ins.upper, H });
    const q = new Float64Array(n);
    for (let i = 0; i < n; i++) q[i] = sol.x[i] - sol.x[n + i];
    return { q, method: 'highs-qp' as const, status: sol.status as LpStatus | 'rankDeficient', rank: undefined, lp: undefined };
  }
  // ES: variables [q+ (n), q- (n), z, u (m)]; rows: u_s + z + P_s (q+ - q-) >= -book_s (loss_s - z <= u_s), and the bounds of q.
  const N = 2 * n + 1 + m;
  const sp = splitProgram(n, p.ins, p.costWeight);
  const cost = new Float64Array(N), lower = new Float64Array(N), upper = new Float64Array(N).fill(Infinity);
  cost.set(sp.cost);
  lower.set(sp.lower);
  upper.set(sp.upper);
  cost[2 * n] = 1;
  lower[2 * n] = -Infinity;
  for (let s = 0; s < m; s++) cost[2 * n + 1 + s] = 1 / ((1 - confidence) * m);
  const R = m + n;
  const A = new Float64Array(R * N), rl = new Float64Array(R), ru = new Float64Array(R);
  for (let s = 0; s < m; s++) {
    for (let i = 0; i < n; i++) {
      A[s * N + i] = p.pnlUnit[i * m + s];
      A[s * N + n + i] = -p.pnlUnit[i * m + s];
    }
    A[s * N + 2 * n] = 1;
    A[s * N + 2 * n + 1 + s] = 1;
    rl[s] = -p.pnlBook[s];
    ru[s] = Infinity;
  }
  for (let i = 0; i < n; i++) {
    A[(m + i) * N + i] = 1;
    A[(m + i) * N + n + i] = -1;
    rl[m + i] = p.ins.lower[i];
    ru[m + i] = p.ins.upper[i];
  }
  const sol = solveDense(await solverOf(p.args), { cost, lower, upper, A, rowLower: rl, rowUpper: ru });
  const q = new Float64Array(n);
  for (let i = 0; i < n; i++) q[i] = sol.x[i] - sol.x[n + i];
  let lp = 0;
  for (let j = 0; j < N; j++) lp += cost[j] * sol.x[j];
  return { q, method: 'highs-lp' as const, status: sol.status as LpStatus | 'rankDeficient', rank: undefined, lp };
}

function variance(x: Float64Array): number {
  let mu = 0;
  for (const v of x) mu += v;
  mu /= x.length;
  let s = 0;
  for (const v of x) s += (v - mu) ** 2;
  return s / x.length;
}

function expectedShortfall(pnl: Float64Array, confidence: number): number {
  const losses = pnl.map((x) => -x);
  return weightedTailUnchecked(losses, new Float64Array(losses.length).fill(1), confidence).es;
}

/** Per-unit raw grid P&L split by the asset each row belongs to; and the LP of the margin objective. */
async function solveMargin(p: Problem & { pnlGrid: Float64Array; bookGrid?: Float64Array }, aggregation: MarginAggregation) {
  const g = p.grid;
  const n = p.ins.positions.length, mS = g.scenarios.length;
  const range = Math.max(0, ...g.scenarios.filter((s) => !s.extended).map((s) => Math.abs(s.priceMove)));
  const scale = g.scenarios.map((s) => (s.extended && g.extendedScaling === 'range' ? range / Math.abs(s.priceMove) : 1));
  const bookPos = bookAccount(p.args.book).positions;
  const bookUnit = p.bookGrid ?? gridPnl(p.ctx, withVols(bookPos, p.book), p.args.market, rawGrid(g));
  // Sub-accounts: per asset (or one joint).
  const subOf = (asset: string) => (aggregation === 'joint' ? '*' : asset);
  const subs = [...new Set([...p.book.positions.map((x) => subOf(x.asset)), ...p.hedge.positions.map((x) => subOf(x.asset))])];
  const bookSub = new Float64Array(subs.length * mS);
  p.book.positions.forEach((x, k) => {
    const a = subs.indexOf(subOf(x.asset));
    for (let s = 0; s < mS; s++) bookSub[a * mS + s] += bookUnit[k * mS + s];
  });
  // Short-option contingency classes touched by a hedge option (the book's other classes are constants of the objective).
  const rate = g.addOns.shortOptionContingency ?? 0;
  const byStrike = g.addOns.contingencyNetting === 'strike';
  const classOf = (x: ResolvedPosition) => JSON.stringify([x.asset, x.strike, x.expiry, x.settlement, byStrike ? 0 : x.type]);
  const classes: { key: string; bookNet: number; index: number; members: number[] }[] = [];
  if (rate > 0) {
    p.hedge.positions.forEach((x, i) => {
      if (x.kind !== 'option') return;
      const key = classOf(x);
      let c = classes.find((e) => e.key === key);
      if (!c) classes.push((c = { key, bookNet: 0, index: x.index, members: [] }));
      c.members.push(i);
    });
    for (const x of p.book.positions) {
      if (x.kind !== 'option') continue;
      const c = classes.find((e) => e.key === classOf(x));
      if (c) c.bookNet += x.size;
    }
  }
  const fRate = g.addOns.futuresContingency ?? 0;
  const linear = fRate > 0 ? p.hedge.positions.map((x, i) => (x.kind === 'future' || x.kind === 'perpetual' ? i : -1)).filter((i) => i >= 0) : [];
  // The book's add-ons the hedge does not touch are constants: added so that the LP's value is the IM (without a delta shock).
  const untouched = new Map<string, { net: number; index: number }>();
  if (rate > 0) {
    for (const x of p.book.positions) {
      if (x.kind !== 'option') continue;
      const key = classOf(x);
      if (classes.some((c) => c.key === key)) continue;
      const u = untouched.get(key) ?? { net: 0, index: x.index };
      u.net += x.size;
      untouched.set(key, u);
    }
  }
  let constant = 0;
  for (const u of untouched.values()) constant += rate * u.index * Math.max(0, -u.net);
  if (fRate > 0) for (const x of p.book.positions) if (x.kind === 'future' || x.kind === 'perpetual') constant += fRate * x.index * Math.abs(x.size);
  // Variables: q+ (n), q- (n), t (subs), c (classes), a (linear), z (combine 'max' only).
  const nt = subs.length, nc = classes.length, na = linear.length, max = g.combine === 'max';
  const o = { t: 2 * n, c: 2 * n + nt, a: 2 * n + nt + nc, z: 2 * n + nt + nc + na };
  const N = o.z + (max ? 1 : 0);
  const sp = splitProgram(n, p.ins, p.costWeight);
  const cost = new Float64Array(N), lower = new Float64Array(N), upper = new Float64Array(N).fill(Infinity);
  cost.set(sp.cost); lower.set(sp.lower); upper.set(sp.upper);
  const addOnCost = (j: number, v: number) => { if (!max) cost[j] = v; };
  for (let a = 0; a < nt; a++) addOnCost(o.t + a, 1);
  classes.forEach((c, k) => addOnCost(o.c + k, rate * c.index));
  linear.forEach((i, k) => addOnCost(o.a + k, fRate * p.hedge.positions[i].index));
  if (max) { cost[o.z] = 1; lower[o.z] = -Infinity; }
  const rowsA: Float64Array[] = [], rl: number[] = [], ru: number[] = [];
  const row = () => { const r = new Float64Array(N); rowsA.push(r); return r; };
  // Scan: t_a >= w_s scale_s (-(book + P q)) - w_s d_s  <=>  t_a + w scale P q >= -w scale book - w d.
  for (let a = 0; a < nt; a++) {
    for (let s = 0; s < mS; s++) {
      const sc = g.scenarios[s];
      const ws = sc.weight * scale[s];
      if (ws === 0) continue;
      const r = row();
      r[o.t + a] = 1;
      p.hedge.positions.forEach((x, i) => {
        if (subOf(x.asset) !== subs[a]) return;
        r[i] = ws * p.pnlGrid[i * mS + s];
        r[n + i] = -ws * p.pnlGrid[i * mS + s];
      });
      rl.push(-ws * bookSub[a * mS + s] - (sc.extended ? sc.weight * g.extendedDampener : 0));
      ru.push(Infinity);
    }
  }
  // Contingency: c_k >= -(bookNet + sum q) <=> c_k + sum q >= -bookNet.
  classes.forEach((c, k) => {
    const r = row();
    r[o.c + k] = 1;
    for (const i of c.members) { r[i] = 1; r[n + i] = -1; }
    rl.push(-c.bookNet); ru.push(Infinity);
  });
  // Futures contingency: a_k >= |q_i| = q+ + q- at the optimum (split variables are never both positive there when cost > 0).
  linear.forEach((i, k) => {
    const r = row();
    r[o.a + k] = 1; r[i] = -1; r[n + i] = -1;
    rl.push(0); ru.push(Infinity);
  });
  if (max) {
    // z >= sum t; z >= add-ons (constants of the book's untouched classes are added after).
    const r1 = row(); r1[o.z] = 1; for (let a = 0; a < nt; a++) r1[o.t + a] = -1; rl.push(0); ru.push(Infinity);
    const r2 = row(); r2[o.z] = 1;
    classes.forEach((c, k) => { r2[o.c + k] = -rate * c.index; });
    linear.forEach((i, k) => { r2[o.a + k] = -fRate * p.hedge.positions[i].index; });
    rl.push(constant); ru.push(Infinity);
  }
  // Bounds of q.
  for (let i = 0; i < n; i++) { const r = row(); r[i] = 1; r[n + i] = -1; rl.push(p.ins.lower[i]); ru.push(p.ins.upper[i]); }
  const R = rowsA.length;
  const A = new Float64Array(R * N);
  rowsA.forEach((r, k) => A.set(r, k * N));
  const sol = solveDense(await solverOf(p.args), { cost, lower, upper, A, rowLower: Float64Array.from(rl), rowUpper: Float64Array.from(ru) });
  const q = new Float64Array(n);
  for (let i = 0; i < n; i++) q[i] = sol.x[i] - sol.x[n + i];
  let lp = 0;
  for (let j = 0; j < N; j++) lp += cost[j] * sol.x[j];
  if (!max) lp += constant;
  return { q, method: 'highs-lp' as const, status: sol.status as LpStatus | 'rankDeficient', rank: undefined, lp };
}

/**
 * Margin positions carrying the vols the greeks used (a surface's marks reach the margin engine
 * this way); copies, the caller's objects untouched.
 */
function withVols(positions: readonly MarginPosition[], s: BookSensitivities): MarginPosition[] {
  return positions.map((x, k) => (s.positions[k].kind === 'option' && Number.isFinite(s.vols[k]) ? ({ ...x, vol: s.vols[k] } as MarginPosition) : x));
}

/** IM of book + hedge from the margin engine. */
function marginOf(p: Problem, q: ArrayLike<number>, aggregation: MarginAggregation): number {
  const positions = withVols(bookAccount(p.args.book).positions, p.book);
  const hedgePositions = withVols(p.ins.positions, p.hedge);
  hedgePositions.forEach((x, i) => { if (q[i] !== 0) positions.push({ ...x, size: q[i] } as MarginPosition); });
  const r = portfolioMargin(p.ctx, { positions }, p.args.market, p.grid, { aggregation });
  return r.initialMargin;
}

/**
 * Hedge quantities for a book (see the module docs and {@link CalibrateHedgeArgs}). Asynchronous
 * because the LP/QP solver (HiGHS, an optional peer dependency) loads on first use; the 'greeks'
 * and 'scenarios' (variance) objectives without bounds or costs need no solver.
 * @param ctx engine context (runs the pricing and margin kernels).
 * @throws (rejects) InputError for malformed arguments (`instruments[2].lotSize`, `objective`,
 * `book...` / `account.positions[i]...`, `market...`, `scenarios...`, `grid...`);
 * LpSolverMissingError when a solve needs HiGHS and `highs` is not installed. A solve that finds
 * no optimum is not an error: `ok` false, `solver.status` says why, quantities NaN.
 */
export async function calibrateHedge(ctx: EngineContext, args: CalibrateHedgeArgs): Promise<CalibrateHedgeResult> {
  if (args === null || typeof args !== 'object') throw new InputError('args', args, 'an arguments object { book, market, instruments, objective, ... }');
  checkKeys(args, ARG_KEYS, 'args');
  const objective = args.objective;
  if (objective !== 'greeks' && objective !== 'scenarios' && objective !== 'margin') throw new InputError('objective', objective, "'greeks', 'scenarios' or 'margin'");
  const opts = checkGreeksOptions({ numeraire: args.numeraire, surface: args.surface, sticky: args.sticky }, 'args');
  const ins = checkInstruments(args.instruments);
  const costWeight = finiteOr(args.costWeight, 'costWeight', 0, (x) => x >= 0, 'a weight >= 0');
  const measure = args.measure ?? 'variance';
  if (measure !== 'variance' && measure !== 'es') throw new InputError('measure', measure, "'variance' or 'es'");
  const confidence = finiteOr(args.confidence, 'confidence', 0.99, (x) => x > 0 && x < 1, 'a number in (0, 1)');
  const aggregation = args.aggregation ?? 'per-asset';
  if (aggregation !== 'per-asset' && aggregation !== 'joint') throw new InputError('aggregation', aggregation, "'per-asset' or 'joint'");
  const grid = args.grid === undefined ? DERIBIT_GRID : isValidatedGrid(args.grid) ? args.grid : scenarioGrid(args.grid, 'grid');
  const book = bookSensitivities(ctx, args.book, args.market, opts);
  const hedge = instrumentSensitivities(ctx, ins, args.market, opts);
  // Reported scenarios: the set given, else the grid (raw P&L).
  let pnlBook: Float64Array, pnlUnit: Float64Array, names: string[];
  let checked: CheckedScenarios | undefined;
  let bookGrid: Float64Array | undefined;
  if (objective === 'scenarios' && args.scenarios === undefined) throw new InputError('scenarios', undefined, "a scenario set (objective 'scenarios')");
  const pnlGridUnit = objective === 'margin' || args.scenarios === undefined ? gridPnl(ctx, withVols(ins.positions, hedge), args.market, rawGrid(grid)) : undefined;
  if (args.scenarios !== undefined) {
    const assets = [...new Set([...book.positions.map((x) => x.asset), ...hedge.positions.map((x) => x.asset)])];
    checked = checkScenarios(args.scenarios, assets);
    const bp = scenarioPnl(ctx, book.positions, book.vols, checked);
    pnlBook = new Float64Array(checked.m);
    for (let k = 0; k < book.positions.length; k++) for (let s = 0; s < checked.m; s++) pnlBook[s] += bp[k * checked.m + s];
    pnlUnit = scenarioPnl(ctx, hedge.positions, hedge.vols, checked);
    names = Array.from({ length: checked.m }, (_, s) => String(s));
  } else {
    const m = grid.scenarios.length;
    const bp = (bookGrid = gridPnl(ctx, withVols(bookAccount(args.book).positions, book), args.market, rawGrid(grid)));
    pnlBook = new Float64Array(m);
    for (let k = 0; k < bp.length / Math.max(1, m); k++) for (let s = 0; s < m; s++) pnlBook[s] += bp[k * m + s];
    pnlUnit = pnlGridUnit!;
    names = grid.scenarios.map((s) => s.name);
  }
  const p: Problem & { pnlGrid: Float64Array; bookGrid?: Float64Array } = {
    ctx, args, ins, opts, book, hedge, bookGreeks: greeksByAsset(book, opts.numeraire), costWeight, pnlBook, pnlUnit, names, grid,
    pnlGrid: pnlGridUnit ?? new Float64Array(0), bookGrid,
  };
  let solved: { q: Float64Array; method: 'qr' | 'highs-qp' | 'highs-lp'; status: LpStatus | 'rankDeficient'; rank?: number; lp?: number };
  let rows: ReturnType<typeof greekRows> | undefined;
  if (objective === 'greeks') {
    const r = await solveGreeks(p);
    rows = r.rows;
    solved = r;
  } else if (objective === 'scenarios') solved = await solveScenarios(p, measure, confidence);
  else solved = await solveMargin(p, aggregation);
  if (rows === undefined && objective === 'greeks') rows = greekRows(p);
  const objectiveOf = (q: Float64Array, pnl: Float64Array, im: number): number => {
    const c = costWeight * spreadCost(p, q);
    if (objective === 'greeks') return greeksObjective(rows ?? greekRows(p), q, spreadCost(p, q), costWeight);
    if (objective === 'scenarios') return (measure === 'variance' ? variance(pnl) : expectedShortfall(pnl, confidence)) + c;
    return im + c;
  };
  const solutionOf = (q: Float64Array): HedgeSolution => {
    const finite = q.every(Number.isFinite);
    const hedgeGreeks = greeksByAsset(hedge, opts.numeraire, q);
    const residual = addMaps(p.bookGreeks, hedgeGreeks);
    const pnl = hedgePnl(p, q);
    const im = objective === 'margin' && finite ? marginOf(p, q, aggregation) : NaN;
    return { quantities: q, hedgeGreeks, residual, residualTotal: totalOf(residual, opts.numeraire), cost: spreadCost(p, q), objective: finite ? objectiveOf(q, pnl, im) : NaN, pnl, initialMargin: im };
  };
  const solution = solutionOf(solved.q);
  const rounded = ins.lot.some((x) => x > 0) ? solutionOf(roundToLots(solved.q, ins)) : solution;
  const zero = new Float64Array(ins.positions.length);
  const bookIm = objective === 'margin' ? marginOf(p, zero, aggregation) : NaN;
  const ok = (solved.status === 'optimal') && solved.q.every(Number.isFinite);
  let effectiveness: HedgeEffectivenessResult | undefined;
  if (ok && pnlBook.length >= 3) {
    try {
      effectiveness = hedgeEffectiveness({ hedged: pnlBook, hedge: solution.pnl.map((v, s) => v - pnlBook[s]), confidence });
    } catch (e) {
      if (!(e instanceof InputError)) throw e; // a book whose P&L does not vary: no regression
    }
  }
  return {
    ...(effectiveness ? { effectiveness } : {}),
    objective, instruments: ins.names, solution, rounded, roundingResidual: addMaps(rounded.residual, solution.residual, -1),
    book: { greeks: p.bookGreeks, objective: objectiveOf(zero, pnlBook, bookIm), pnl: pnlBook, initialMargin: bookIm },
    scenarioNames: names,
    solver: { method: solved.method, status: solved.status, ...(solved.rank !== undefined ? { rank: solved.rank } : {}), ...(solved.lp !== undefined ? { lpObjective: solved.lp } : {}) },
    ok,
  };
}
