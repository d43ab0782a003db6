/**
 * Cost of liquidating a position: market impact (slippage) from one of three models, plus the
 * venue's liquidation penalty, for a batch of positions at once; and a tiered liquidation that
 * closes a position in chunks while the account stays below maintenance, each chunk moving the mark.
 *
 * Impact models (q = units closed, P = mark in USD):
 * - 'linear' (Kyle 1985 lambda; a block walking a book of uniform depth 1/lambda units per USD of
 *   price): the price moves lambda x q, the average fill is lambda x q / 2 away from the mark, so
 *   impact cost = 0.5 x lambda x q^2 (USD). lambda is in USD per unit per unit.
 * - 'squareRoot' (Almgren, Thum, Hauptmann and Li 2005, "Direct estimation of equity market impact";
 *   Toth et al. 2011, "Anomalous price impact and the critical nature of liquidity", Phys. Rev. X 1):
 *   relative impact I = Y x sigma x sqrt(q / ADV), cost = I x q x P. sigma is the daily volatility
 *   (decimal), ADV the average daily volume (units), Y a constant of order 1 (default 1; Toth et al.
 *   report Y ~ 0.5-1 across markets). The price moves by I x P by the end of the trade.
 * - 'depth': an order-book side (best level first) that the liquidation consumes: levels fill in
 *   order, cost = sum(filled_i x |price_i - reference|) with reference = `mid` (default the mark P,
 *   so slippage is measured from the mark like the other models); a book too thin for q gives NaN
 *   and status invalidInput ('bookExhausted').
 * Penalty = penaltyRate x q x P (e.g. Deribit BTC futures 0.75%, ETH 0.9%: see
 * /work/shared/reference/margin-methodologies.md, Deribit's January 2022 notice).
 */
import { InputError } from '../errors.js';
import { checkKeys } from '../option-keys.js';
import { Status } from '../status.js';

/** An order-book level: price (USD) and size (units). */
export interface BookLevel { price: number; size: number }

/** Market-impact model (see the file comment). */
export type ImpactModel =
  | { kind: 'linear'; lambda: number }
  | { kind: 'squareRoot'; volatility: number; adv: number; Y?: number }
  | { kind: 'depth'; levels: readonly BookLevel[]; mid?: number };

/** Options of {@link liquidationCost}. */
export interface LiquidationCostArgs {
  /** Units to close per position (the sign is ignored: closing a long sells, a short buys; the cost is the same). */
  quantities: ArrayLike<number> | number;
  /** Mark price (USD) per position, or one for all. */
  prices: ArrayLike<number> | number;
  model: ImpactModel;
  /** Liquidation penalty as a fraction of closed notional (default 0). */
  penaltyRate?: number;
}

/** Per-position costs (USD) of {@link liquidationCost}. */
export interface LiquidationCostResult {
  impactCost: Float64Array;
  penalty: Float64Array;
  /** impactCost + penalty. */
  total: Float64Array;
  /** Average fill distance from the mark, as a fraction of the mark (impactCost / (q P)). */
  slippage: Float64Array;
  /** |price move| by the end of the trade (USD). */
  priceMove: Float64Array;
  /** Status.ok, or Status.invalidInput for a non-finite quantity, a non-positive price or an exhausted book. */
  status: Uint8Array;
}

function positive(v: unknown, path: string, allowZero = false): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || !(allowZero ? v >= 0 : v > 0)) throw new InputError(path, v, allowZero ? 'a finite number >= 0' : 'a positive finite number');
  return v;
}

type ModelKeys<K> = keyof Extract<ImpactModel, { kind: K }>;
const LINEAR_MODEL_KEYS = ['kind', 'lambda'] as const satisfies readonly ModelKeys<'linear'>[];
const SQRT_MODEL_KEYS = ['kind', 'volatility', 'adv', 'Y'] as const satisfies readonly ModelKeys<'squareRoot'>[];
const DEPTH_MODEL_KEYS = ['kind', 'levels', 'mid'] as const satisfies readonly ModelKeys<'depth'>[];
const LEVEL_KEYS = ['price', 'size'] as const satisfies readonly (keyof BookLevel)[];
const COST_KEYS = ['quantities', 'prices', 'model', 'penaltyRate'] as const satisfies readonly (keyof LiquidationCostArgs)[];
const TIERED_KEYS = [
  'size', 'price', 'equity', 'maintenanceRate', 'model', 'penaltyRate', 'chunkFraction', 'permanentFraction',
] as const satisfies readonly (keyof TieredLiquidationArgs)[];

/** Validate a model (its keys too: an unknown one is an InputError with the closest valid key). @throws InputError naming the field. */
function checkImpactModel(model: unknown, path = 'model'): ImpactModel {
  if (model === null || typeof model !== 'object') throw new InputError(path, model, "an impact model { kind: 'linear' | 'squareRoot' | 'depth', ... }");
  const m = model as ImpactModel;
  switch (m.kind) {
    case 'linear':
      checkKeys(m, LINEAR_MODEL_KEYS, path);
      positive(m.lambda, `${path}.lambda`, true);
      return m;
    case 'squareRoot':
      checkKeys(m, SQRT_MODEL_KEYS, path);
      positive(m.volatility, `${path}.volatility`, true);
      positive(m.adv, `${path}.adv`);
      if (m.Y !== undefined) positive(m.Y, `${path}.Y`, true);
      return m;
    case 'depth': {
      checkKeys(m, DEPTH_MODEL_KEYS, path);
      if (!Array.isArray(m.levels) || m.levels.length === 0) throw new InputError(`${path}.levels`, m.levels, 'a non-empty array of { price, size }, best first');
      // Levels must move away from the best price monotonically (bids falling or asks rising). The
      // side is set by the first pair of distinct prices: equal leading levels say nothing about it.
      let side = 0;
      m.levels.forEach((l, i) => {
        if (l === null || typeof l !== 'object') throw new InputError(`${path}.levels[${i}]`, l, 'a level { price, size }');
        checkKeys(l, LEVEL_KEYS, `${path}.levels[${i}]`);
        positive(l.price, `${path}.levels[${i}].price`);
        positive(l.size, `${path}.levels[${i}].size`);
        if (i === 0) return;
        const step = Math.sign(l.price - m.levels[i - 1].price);
        if (side === 0) side = step;
        else if (step * side < 0) throw new InputError(`${path}.levels[${i}].price`, l.price, 'prices moving away from the best level monotonically');
      });
      if (m.mid !== undefined) positive(m.mid, `${path}.mid`);
      return m;
    }
    default:
      throw new InputError(`${path}.kind`, (m as { kind: unknown }).kind, "'linear', 'squareRoot' or 'depth'");
  }
}

/** Impact of closing q units against a book side from level `start` with `used` units of it already taken. */
interface BookWalk { cost: number; lastPrice: number; level: number; used: number; exhausted: boolean }

function walkBook(levels: readonly BookLevel[], reference: number, q: number, start = 0, used = 0): BookWalk {
  let left = q, cost = 0, i = start, u = used, last = levels[Math.min(start, levels.length - 1)].price;
  while (left > 0 && i < levels.length) {
    const take = Math.min(left, levels[i].size - u);
    cost += take * Math.abs(levels[i].price - reference);
    last = levels[i].price;
    left -= take;
    u += take;
    if (u >= levels[i].size) {
      i++;
      u = 0;
    }
  }
  return { cost, lastPrice: last, level: i, used: u, exhausted: left > 1e-12 * q };
}

/** Impact cost (USD) and end-of-trade price move (USD) of closing q > 0 units at mark P, no book memory. */
function impact(m: ImpactModel, q: number, P: number): { cost: number; move: number; exhausted: boolean } {
  switch (m.kind) {
    case 'linear':
      return { cost: 0.5 * m.lambda * q * q, move: m.lambda * q, exhausted: false };
    case 'squareRoot': {
      const I = (m.Y ?? 1) * m.volatility * Math.sqrt(q / m.adv);
      return { cost: I * q * P, move: I * P, exhausted: false };
    }
    case 'depth': {
      const ref = m.mid ?? P;
      const w = walkBook(m.levels, ref, q);
      return { cost: w.cost, move: Math.abs(w.lastPrice - ref), exhausted: w.exhausted };
    }
  }
}

function column(v: ArrayLike<number> | number, n: number, path: string): (i: number) => number {
  if (typeof v === 'number') return () => v;
  if (v === null || typeof v !== 'object' || typeof v.length !== 'number') throw new InputError(path, v, 'a number or an array of numbers');
  if (v.length !== n) throw new InputError(path, v, `${n} values (as quantities)`);
  return (i) => v[i];
}

/**
 * Liquidation cost per position (USD): impact from the model plus the penalty. With the 'depth'
 * model each position walks the full book on its own (a what-if per position, not a sequence).
 * A bad element (non-finite quantity, non-positive price, exhausted book) gets NaN and
 * Status.invalidInput; the rest of the batch is unaffected.
 * @throws InputError for a malformed model, penalty rate or array lengths.
 */
export function liquidationCost(args: LiquidationCostArgs): LiquidationCostResult {
  if (args === null || typeof args !== 'object') throw new InputError('args', args, 'an object');
  checkKeys(args, COST_KEYS, '');
  const model = checkImpactModel(args.model);
  const penaltyRate = args.penaltyRate === undefined ? 0 : positive(args.penaltyRate, 'penaltyRate', true);
  const qs = args.quantities;
  const n = typeof qs === 'number' ? (typeof args.prices === 'number' ? 1 : (args.prices as ArrayLike<number>)?.length ?? 1) : qs?.length;
  if (typeof n !== 'number') throw new InputError('quantities', qs, 'a number or an array of numbers');
  const q = column(qs, n, 'quantities');
  const p = column(args.prices, n, 'prices');
  const out: LiquidationCostResult = {
    impactCost: new Float64Array(n), penalty: new Float64Array(n), total: new Float64Array(n), slippage: new Float64Array(n),
    priceMove: new Float64Array(n), status: new Uint8Array(n),
  };
  for (let i = 0; i < n; i++) {
    const qi = Math.abs(q(i)), Pi = p(i);
    const bad = () => {
      out.impactCost[i] = out.penalty[i] = out.total[i] = out.slippage[i] = out.priceMove[i] = NaN;
      out.status[i] = Status.invalidInput;
    };
    if (!Number.isFinite(qi) || !(Pi > 0) || !Number.isFinite(Pi)) {
      bad();
      continue;
    }
    const r = qi === 0 ? { cost: 0, move: 0, exhausted: false } : impact(model, qi, Pi);
    if (r.exhausted) {
      bad();
      continue;
    }
    const pen = penaltyRate * qi * Pi;
    out.impactCost[i] = r.cost;
    out.penalty[i] = pen;
    out.total[i] = r.cost + pen;
    out.slippage[i] = qi === 0 ? 0 : r.cost / (qi * Pi);
    out.priceMove[i] = r.move;
    out.status[i] = Status.ok;
  }
  return out;
}

/** Smallest accepted `chunkFraction` of {@link tieredLiquidation}. */
const MIN_CHUNK_FRACTION = 1e-4;

/** Options of {@link tieredLiquidation}. With the 'depth' model, `levels` is the side the liquidation trades against (bids for a long). */
export interface TieredLiquidationArgs {
  /** Position size in units (negative = short). */
  size: number;
  /** Mark price (USD) when the liquidation starts. */
  price: number;
  /** Account equity at that mark (USD: collateral + unrealised P&L). */
  equity: number;
  /** Maintenance margin = maintenanceRate x |size| x mark (decimal, e.g. 0.01). */
  maintenanceRate: number;
  model: ImpactModel;
  /** Penalty per chunk as a fraction of its notional at the mark (default 0). */
  penaltyRate?: number;
  /** Chunk as a fraction of the initial size, in [1e-4, 1] (default 0.25). */
  chunkFraction?: number;
  /**
   * Fraction of each chunk's price move that persists into the next chunk's mark (default 1: no
   * reversion between chunks, the conservative choice; ~2/3 matches the partial reversion after
   * metaorders reported by Bucci et al. 2019). The 'depth' model always keeps the book it consumed.
   */
  permanentFraction?: number;
}

/** One chunk of a tiered liquidation. */
export interface LiquidationChunk {
  index: number;
  /** Units closed (positive). */
  quantity: number;
  markBefore: number;
  /** Average fill price. */
  executionPrice: number;
  impactCost: number;
  penalty: number;
  /** impactCost + penalty. */
  cost: number;
  markAfter: number;
  /** Loss of the remaining position from the mark moving (USD, >= 0). */
  remarkLoss: number;
  sizeAfter: number;
  equityAfter: number;
  maintenanceAfter: number;
}

/** Outcome of {@link tieredLiquidation}. */
export interface TieredLiquidationResult {
  chunks: LiquidationChunk[];
  totalImpactCost: number;
  totalPenalty: number;
  /** Sum of the chunks' costs (impact + penalty). */
  totalCost: number;
  /** Sum of the chunks' re-mark losses on the position still open. */
  totalRemarkLoss: number;
  /** Units closed in all. */
  closed: number;
  finalSize: number;
  finalEquity: number;
  finalMaintenance: number;
  /** Why it stopped: 'healthy' (nothing to do), 'aboveMaintenance', 'closed' (position gone), 'bookExhausted'. */
  reason: 'healthy' | 'aboveMaintenance' | 'closed' | 'bookExhausted';
}

/**
 * Close a position in chunks while equity < maintenance margin (Deribit's incremental reduction):
 * each chunk closes chunkFraction of the initial size (or what is left), pays its impact and
 * penalty out of equity, and moves the mark against the remaining position, which is re-marked.
 * Identity: finalEquity = equity - totalCost - totalRemarkLoss.
 * @throws InputError for a malformed argument (the path names it).
 */
export function tieredLiquidation(args: TieredLiquidationArgs): TieredLiquidationResult {
  if (args === null || typeof args !== 'object') throw new InputError('args', args, 'an object');
  checkKeys(args, TIERED_KEYS, '');
  const size0 = args.size;
  if (typeof size0 !== 'number' || !Number.isFinite(size0)) throw new InputError('size', size0, 'a finite number of units');
  let mark = positive(args.price, 'price');
  let equity = args.equity;
  if (typeof equity !== 'number' || !Number.isFinite(equity)) throw new InputError('equity', equity, 'a finite USD amount');
  const mmr = positive(args.maintenanceRate, 'maintenanceRate', true);
  const model = checkImpactModel(args.model);
  const penaltyRate = args.penaltyRate === undefined ? 0 : positive(args.penaltyRate, 'penaltyRate', true);
  const frac = args.chunkFraction === undefined ? 0.25 : args.chunkFraction;
  // A chunk below the ulp of the size never shrinks what is left (left - q == left): the floor keeps
  // the loop to at most 10,001 chunks, which is already far finer than any venue's reduction step.
  if (typeof frac !== 'number' || !(frac >= MIN_CHUNK_FRACTION && frac <= 1)) {
    throw new InputError('chunkFraction', frac, `a fraction in [${MIN_CHUNK_FRACTION}, 1]`);
  }
  const perm = args.permanentFraction === undefined ? 1 : positive(args.permanentFraction, 'permanentFraction', true);
  if (perm > 1) throw new InputError('permanentFraction', perm, 'a fraction in [0, 1]');
  const sign = Math.sign(size0);
  const chunkSize = frac * Math.abs(size0);
  let left = Math.abs(size0);
  const chunks: LiquidationChunk[] = [];
  let totalImpactCost = 0, totalPenalty = 0, totalRemarkLoss = 0;
  // Book state of the 'depth' model: the liquidation consumes the same book chunk after chunk.
  let level = 0, used = 0;
  let reason: TieredLiquidationResult['reason'] = 'healthy';
  const mm = () => mmr * left * mark;
  // Chunks are fractions of a finite size: at most ceil(1 / frac) of them (one more for rounding);
  // the cap and the no-progress check below make termination independent of float rounding.
  const maxChunks = Math.ceil(1 / frac) + 1;
  while (left > 0 && equity < mm() && chunks.length < maxChunks) {
    const q = Math.min(left, chunkSize);
    let cost: number, move: number;
    if (model.kind === 'depth') {
      // The first chunk's fills are measured from the book's mid (default the mark), as in
      // liquidationCost; later ones from the mark, which earlier chunks moved to the book's last price.
      const reference = chunks.length === 0 ? model.mid ?? mark : mark;
      const w = walkBook(model.levels, reference, q, level, used);
      if (w.exhausted) {
        reason = 'bookExhausted';
        break;
      }
      cost = w.cost;
      move = Math.abs(w.lastPrice - mark);
      level = w.level;
      used = w.used;
    } else {
      const r = impact(model, q, mark);
      cost = r.cost;
      move = perm * r.move;
    }
    const penalty = penaltyRate * q * mark;
    const markBefore = mark;
    const leftBefore = left;
    left = Math.max(0, left - q);
    if (left < 1e-12 * Math.abs(size0)) left = 0;
    if (!(left < leftBefore)) break;
    mark = markBefore - sign * move;
    if (!(mark > 0)) mark = Number.MIN_VALUE;
    const remarkLoss = left * Math.abs(markBefore - mark);
    equity -= cost + penalty + remarkLoss;
    totalImpactCost += cost;
    totalPenalty += penalty;
    totalRemarkLoss += remarkLoss;
    chunks.push({
      index: chunks.length, quantity: q, markBefore, executionPrice: markBefore - (sign * cost) / q, impactCost: cost, penalty, cost: cost + penalty,
      markAfter: mark, remarkLoss, sizeAfter: sign * left, equityAfter: equity, maintenanceAfter: mm(),
    });
    reason = left === 0 ? 'closed' : 'aboveMaintenance';
  }
  return {
    chunks, totalImpactCost, totalPenalty, totalCost: totalImpactCost + totalPenalty, totalRemarkLoss, closed: Math.abs(size0) - left,
    finalSize: sign * left, finalEquity: equity, finalMaintenance: mm(), reason,
  };
}
