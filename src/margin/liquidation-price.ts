/**
 * Liquidation prices: for each account and each risky asset it holds, the index levels below and
 * above today's where equity equals maintenance margin, that asset's forwards moving with its
 * index (vols and every other asset fixed), and optionally for each linear position on its own
 * (isolated, posted margin = its initial margin today). Every (account, asset) problem of the batch
 * is solved in one call of the `liquidationPrice` kernel (bracketing scan + Illinois refinement,
 * see assembly/margin/liquidation-price.ts); a problem without a solution or with bad numbers gets
 * its own status and NaN, never affecting the others.
 */
import type { EngineContext } from '../context.js';
import { InputError, KernelError } from '../errors.js';
import { checkKeys } from '../option-keys.js';
import * as L from '../kernels/margin/layout.js';
import { KIND_FUTURE, KIND_INVERSE_FUTURE, KIND_OPTION_COIN, KIND_OPTION_USD, KIND_PERPETUAL, KIND_SPOT } from '../kernels/risk/layout.js';
import { haircutRate, inverseFaceOf, isInversePosition, positionEquityOf } from './equity.js';
import { resolveAccounts, STABLECOINS } from './market.js';
import {
  checkStandardParams, haircutsFor, linearRuleOf, tierAmounts, optionRuleOf, standardMarginResolved,
  type LinearMarginRule, type StandardMarginParams, type StandardMarginResult,
} from './standard-margin.js';
import type { MarginAccount, MarginMarket, ResolvedAccount, ResolvedPosition } from './types.js';

/** Options of {@link liquidationPrice}. */
export interface LiquidationPriceOptions {
  /** Collateral haircuts by asset, overriding `params.haircuts`. */
  haircuts?: Readonly<Record<string, number>>;
  /** Lowest level searched, as a fraction of the index (default 1e-6). */
  lowerFactor?: number;
  /** Highest level searched, as a multiple of the index (default 100). */
  upperFactor?: number;
  /** Cap on the refinement iterations per direction (default 100). */
  maxIterations?: number;
  /** Also solve every perpetual and future alone, isolated with its initial margin as collateral. */
  perPosition?: boolean;
}

/** Outcome of one direction's search. */
export type LiquidationStatus = 'found' | 'none' | 'belowMaintenance' | 'notConverged' | 'invalid';

/** The search on one side of the index. */
export interface LiquidationSide {
  /** Index level (USD) where equity = maintenance margin; NaN when none was found. */
  price: number;
  /** (price / index - 1) x 100, signed. */
  distancePercent: number;
  /** Equity and maintenance margin (USD) at `price` (at the search bound for `none`). */
  equity: number;
  maintenanceMargin: number;
  /** Refinement iterations and evaluations of equity - MM (scan included). */
  iterations: number;
  evaluations: number;
  status: LiquidationStatus;
  /** Why the search stopped, in words. */
  reason: string;
}

/** Liquidation levels of one asset (the nearest side's figures at the top level). */
export interface LiquidationLevel extends LiquidationSide {
  asset: string;
  /** Today's index (USD). */
  index: number;
  /** Side of the nearest level found; null when neither side has one. */
  direction: 'below' | 'above' | null;
  below: LiquidationSide;
  above: LiquidationSide;
}

/** An isolated position's liquidation levels. */
export interface PositionLiquidation extends LiquidationLevel {
  path: string;
  instrument?: string;
  /** Margin the position is assumed isolated with: its initial margin today (USD). */
  isolatedMargin: number;
}

/** Liquidation levels of one account. */
export interface LiquidationPriceResult {
  id: string;
  path: string;
  /** Equity and maintenance margin today (USD) and the standard-margin status. */
  equity: number;
  maintenanceMargin: number;
  status: StandardMarginResult['status'];
  /** One entry per risky asset of the account (positions and collateral). */
  assets: LiquidationLevel[];
  /** The asset whose liquidation level is closest to its index (in %), or null if none has one. */
  nearest: LiquidationLevel | null;
  /** With `perPosition`: every perpetual and future solved alone. */
  positions?: PositionLiquidation[];
}

interface Problem {
  account: number;
  asset: string;
  index: number;
  equity: number;
  margin: number;
  coins: number;
  positions: ResolvedPosition[];
  position?: { path: string; instrument?: string; isolatedMargin: number };
}

function factor(v: unknown, path: string, fallback: number, ok: (x: number) => boolean, expected: string): number {
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isFinite(v) || !ok(v)) throw new InputError(path, v, expected);
  return v;
}

/** Validated search settings shared by the standard and portfolio liquidation prices. */
interface LiquidationSearch {
  lowerFactor: number;
  upperFactor: number;
  maxIterations: number;
}

/**
 * Reads `lowerFactor` (default 1e-6), `upperFactor` (default 100) and `maxIterations` (default 100)
 * of liquidation-price options.
 * @throws InputError at `options`, `options.lowerFactor`, `options.upperFactor` or `options.maxIterations`.
 */
/** Keys of {@link LiquidationPriceOptions}. */
const LIQUIDATION_OPTION_KEYS = ['haircuts', 'lowerFactor', 'upperFactor', 'maxIterations', 'perPosition'] as const satisfies readonly (keyof LiquidationPriceOptions)[];

export function liquidationSearch(options: unknown): LiquidationSearch {
  if (options === null || typeof options !== 'object') throw new InputError('options', options, 'an options object');
  const o = options as LiquidationPriceOptions;
  return {
    lowerFactor: factor(o.lowerFactor, 'options.lowerFactor', 1e-6, (x) => x > 0 && x < 1, 'a fraction in (0, 1)'),
    upperFactor: factor(o.upperFactor, 'options.upperFactor', 100, (x) => x > 1, 'a multiple > 1'),
    maxIterations: factor(o.maxIterations, 'options.maxIterations', 100, (x) => Number.isInteger(x) && x >= 1 && x <= 100000, 'an integer in [1, 100000]'),
  };
}

/**
 * The bounds must also be usable numbers for every index searched (index x 1e305 overflows, and an
 * infinite bound made both sides 'invalid' for the wrong reason).
 * @throws InputError at `options.upperFactor` when index x upperFactor is not finite.
 */
export function checkUpperBound(asset: string, index: number, upperFactor: number): void {
  if (!Number.isFinite(index * upperFactor)) {
    throw new InputError('options.upperFactor', upperFactor, `a multiple for which index x upperFactor is finite (${asset} index ${index} overflows)`);
  }
}

/** Risky assets of an account (its positions' underlyings and non-stablecoin collateral) with their index (USD), in first-seen order. */
export function riskyAssets(acc: ResolvedAccount): Map<string, number> {
  const assets = new Map<string, number>();
  for (const p of acc.positions) assets.set(p.asset, p.index);
  for (const c of acc.collateral) if (!STABLECOINS.has(c.asset)) assets.set(c.asset, c.price);
  return assets;
}

const STATUS_NAMES: Record<number, LiquidationStatus> = {
  [L.LIQ_FOUND]: 'found', [L.LIQ_NONE]: 'none', [L.LIQ_ALREADY]: 'belowMaintenance',
  [L.LIQ_NOT_CONVERGED]: 'notConverged', [L.LIQ_INVALID]: 'invalid',
};

const num = (x: number) => `${+x.toPrecision(8)}`;

/** Problems of one account: one per risky asset of its positions and collateral. */
function accountProblems(ai: number, acc: ResolvedAccount, sm: StandardMarginResult, haircuts: Readonly<Record<string, number>> | undefined): Problem[] {
  return [...riskyAssets(acc)].map(([asset, index]) => {
    let equity = 0, margin = 0, coins = 0;
    for (const c of acc.collateral) {
      const h = haircutRate(haircuts, c.asset);
      if (c.asset === asset) coins += c.amount * (1 - h);
      else equity += c.amount * c.price * (1 - h);
    }
    const positions: ResolvedPosition[] = [];
    acc.positions.forEach((p, i) => {
      if (p.asset === asset) positions.push(p);
      else {
        equity += positionEquityOf(p, haircuts);
        margin += sm.positions[i].maintenanceMargin;
      }
    });
    return { account: ai, asset, index, equity, margin, coins, positions };
  });
}

/** Packs problems into the kernel layout (positions grouped by problem). */
function pack(problems: Problem[], params: StandardMarginParams, haircuts: Readonly<Record<string, number>> | undefined) {
  const n = problems.reduce((s, p) => s + p.positions.length, 0);
  const f64 = new Float64Array(L.LIQ_POS_F64_COLUMNS * n);
  const i32 = new Int32Array(L.LIQ_POS_I32_COLUMNS * n);
  const starts = new Int32Array(problems.length + 1);
  const tiers: number[] = [];
  const tierTables = new Map<LinearMarginRule, [number, number]>();
  let i = 0;
  problems.forEach((prob, pi) => {
    starts[pi] = i;
    for (const p of prob.positions) {
      const set = (c: number, v: number) => (f64[c * n + i] = v);
      const seti = (c: number, v: number) => (i32[c * n + i] = v);
      set(L.LIQ_QUANTITY, p.size);
      set(L.LIQ_EXPIRY, p.expiry);
      set(L.LIQ_CARRY, p.basis);
      set(L.LIQ_VALUE_SCALE, 1);
      seti(L.LIQ_TYPE, p.type === 0 ? 1 : p.type);
      if (p.kind === 'spot') {
        seti(L.LIQ_KIND, KIND_SPOT);
        seti(L.LIQ_RULE, L.LIQ_RULE_NONE);
        set(L.LIQ_VALUE_SCALE, 1 - haircutRate(haircuts, p.asset));
      } else if (p.kind === 'option') {
        seti(L.LIQ_KIND, p.settlement === 'coin' ? KIND_OPTION_COIN : KIND_OPTION_USD);
        set(L.LIQ_STRIKE, p.strike);
        set(L.LIQ_VOL, p.vol);
        set(L.LIQ_RATE, p.rate);
        if (p.size >= 0) {
          seti(L.LIQ_RULE, L.LIQ_RULE_PREMIUM);
        } else {
          const rule = optionRuleOf(params, p);
          seti(L.LIQ_RULE, L.LIQ_RULE_SHORT_OPTION);
          seti(L.LIQ_UNIT, rule.underlying === 'forward' ? 1 : 0);
          set(L.LIQ_MM_RATE, rule.maintenanceRate);
          set(L.LIQ_MM_MARK_RATE, p.type === 1 ? rule.maintenanceMarkRate.call : rule.maintenanceMarkRate.put);
        }
      } else {
        // Without an entry price the P&L is counted from today's mark (zero today, as in equity.ts).
        set(L.LIQ_ENTRY, Number.isFinite(p.entryPrice) ? p.entryPrice : p.markPerUnit);
        set(L.LIQ_CONSTANT, p.accruedFunding);
        const inverse = isInversePosition(p);
        // A coin-settled position's quantity is its USD face N (fixed: its coin size |N| / F moves with F).
        if (inverse) set(L.LIQ_QUANTITY, inverseFaceOf(p));
        seti(L.LIQ_KIND, inverse ? KIND_INVERSE_FUTURE : p.kind === 'perpetual' ? KIND_PERPETUAL : KIND_FUTURE);
        const rule = linearRuleOf(params, p);
        seti(L.LIQ_RULE, L.LIQ_RULE_TIERS);
        let table: [number, number];
        if (rule.type === 'size-linear' && inverse) {
          // The size term follows the coin size |N| / F(S): the kernel adds it from LIQ_SIZE_RATE.
          table = [tiers.length / 3, 1];
          tiers.push(Infinity, rule.maintenanceRate, 0);
          set(L.LIQ_SIZE_RATE, rule.ratePerUnit);
        } else if (rule.type === 'size-linear') {
          // The size term fixes the rate for this position: a one-row table of its own.
          table = [tiers.length / 3, 1];
          tiers.push(Infinity, rule.maintenanceRate + Math.abs(p.size) * rule.ratePerUnit, 0);
        } else {
          let t = tierTables.get(rule);
          if (!t) {
            const amounts = tierAmounts(rule);
            t = [tiers.length / 3, rule.tiers.length];
            rule.tiers.forEach((tier, k) => tiers.push(tier.upTo ?? Infinity, tier.maintenanceRate, amounts[k]));
            tierTables.set(rule, t);
          }
          table = t;
        }
        seti(L.LIQ_TIER_START, table[0]);
        seti(L.LIQ_TIER_COUNT, table[1]);
      }
      i++;
    }
  });
  starts[problems.length] = i;
  return { n, f64, i32, starts, tiers: Float64Array.from(tiers) };
}

/** Runs the kernel over packed problems: f64 [nProblems][2][LIQ_OUT_COLUMNS] and u8 [nProblems][2]. */
function solve(ctx: EngineContext, problems: Problem[], params: StandardMarginParams, haircuts: Readonly<Record<string, number>> | undefined,
  lowerFactor: number, upperFactor: number, maxIterations: number): { out: Float64Array; status: Uint8Array } {
  const nP = problems.length;
  const out = new Float64Array(nP * 2 * L.LIQ_OUT_COLUMNS);
  const status = new Uint8Array(nP * 2);
  if (nP === 0) return { out, status };
  const packed = pack(problems, params, haircuts);
  const prob = new Float64Array(L.LIQ_PROB_COLUMNS * nP);
  problems.forEach((p, k) => {
    prob[L.LIQ_PROB_INDEX * nP + k] = p.index;
    prob[L.LIQ_PROB_EQUITY * nP + k] = p.equity;
    prob[L.LIQ_PROB_MARGIN * nP + k] = p.margin;
    prob[L.LIQ_PROB_COINS * nP + k] = p.coins;
    prob[L.LIQ_PROB_LOWER * nP + k] = p.index * lowerFactor;
    prob[L.LIQ_PROB_UPPER * nP + k] = p.index * upperFactor;
  });
  const { arena } = ctx;
  arena.reset();
  arena.reserve(16 * 8 + 8 * (packed.f64.length + prob.length + packed.tiers.length + out.length) + 4 * (packed.i32.length + packed.starts.length) + status.length);
  const pF = arena.alloc(8 * packed.f64.length);
  const pI = arena.alloc(4 * packed.i32.length);
  const pSt = arena.alloc(4 * packed.starts.length);
  const pPr = arena.alloc(8 * prob.length);
  const pT = arena.alloc(8 * Math.max(1, packed.tiers.length));
  const pOut = arena.alloc(8 * out.length);
  const pS = arena.alloc(status.length);
  const v = arena.views;
  v.f64.set(packed.f64, pF >>> 3);
  v.i32.set(packed.i32, pI >>> 2);
  v.i32.set(packed.starts, pSt >>> 2);
  v.f64.set(prob, pPr >>> 3);
  v.f64.set(packed.tiers, pT >>> 3);
  const k = ctx.kernels;
  const rc = k.liquidationPrice(nP, packed.n, pF, pI, pSt, pPr, packed.tiers.length / 3, pT, maxIterations, pOut, pS);
  if (rc !== 0) throw new KernelError('liquidationPrice', rc);
  const w = arena.views;
  out.set(w.f64.subarray(pOut >>> 3, (pOut >>> 3) + out.length));
  status.set(w.u8.subarray(pS, pS + status.length));
  return { out, status };
}

function side(out: Float64Array, status: Uint8Array, k: number, dir: 0 | 1, index: number, bound: number, maxIterations: number): LiquidationSide {
  const row = (k * 2 + dir) * L.LIQ_OUT_COLUMNS;
  return liquidationSide(status[k * 2 + dir], dir, out[row + L.LIQ_OUT_PRICE], out[row + L.LIQ_OUT_EQUITY], out[row + L.LIQ_OUT_MARGIN],
    out[row + L.LIQ_OUT_ITERATIONS], out[row + L.LIQ_OUT_EVALUATIONS], index, bound, maxIterations);
}

/**
 * One side's result from a solver outcome: `code` a kernel status (LIQ_FOUND, LIQ_NONE, ...),
 * `dir` 0 below / 1 above, price, equity and MM in USD, `bound` the search bound on that side.
 */
export function liquidationSide(
  code: number, dir: 0 | 1, price: number, equity: number, mm: number, iterations: number, evaluations: number,
  index: number, bound: number, maxIterations: number,
): LiquidationSide {
  const s = STATUS_NAMES[code] ?? 'invalid';
  const where = dir === 0 ? 'below' : 'above';
  let reason: string;
  switch (s) {
    case 'found':
      reason = `equity = maintenance margin at ${num(price)}, ${num(Math.abs(price / index - 1) * 100)}% ${where} the index ${num(index)} (${iterations} Illinois iterations, ${evaluations} evaluations)`;
      break;
    case 'none':
      reason = `equity stays above maintenance margin ${where} the index up to the search bound ${num(bound)} (equity ${num(equity)}, MM ${num(mm)} there)`;
      break;
    case 'belowMaintenance':
      reason = `equity ${num(equity)} is already at or below maintenance margin ${num(mm)} at the index`;
      break;
    case 'notConverged':
      reason = `iteration cap ${maxIterations} reached; price is the last iterate`;
      break;
    default:
      // A bound that is no positive level (index x lowerFactor underflowing to 0) is invalid
      // before any search; otherwise an evaluation came out non-finite.
      reason = !(bound > 0)
        ? `the search bound index x lowerFactor = ${bound} is not a positive level (it underflows)`
        : 'a non-finite equity or margin (check the account and market numbers)';
  }
  return { price, distancePercent: (price / index - 1) * 100, equity, maintenanceMargin: mm, iterations, evaluations, status: s, reason };
}

/** An asset's level from its two sides: the nearer found (or notConverged) side copied to the top. */
export function liquidationLevel(asset: string, index: number, below: LiquidationSide, above: LiquidationSide): LiquidationLevel {
  const ok = (x: LiquidationSide) => x.status === 'found' || x.status === 'notConverged';
  let best: LiquidationSide | undefined;
  if (ok(below)) best = below;
  if (ok(above) && (!best || Math.abs(above.distancePercent) < Math.abs(best.distancePercent))) best = above;
  // Nothing found: report the below side (both sides agree for belowMaintenance / invalid).
  const t = best ?? below;
  return {
    asset, index, direction: best === undefined ? null : best === below ? 'below' : 'above',
    price: t.price, distancePercent: t.distancePercent, equity: t.equity, maintenanceMargin: t.maintenanceMargin,
    iterations: t.iterations, evaluations: t.evaluations, status: t.status, reason: t.reason, below, above,
  };
}

/** The level closest to its index in %, else the first `belowMaintenance` one, else null. */
export function nearestLevel(assets: readonly LiquidationLevel[]): LiquidationLevel | null {
  const withLevel = assets.filter((a) => a.direction !== null);
  withLevel.sort((a, b) => Math.abs(a.distancePercent) - Math.abs(b.distancePercent));
  return withLevel[0] ?? assets.find((a) => a.status === 'belowMaintenance') ?? null;
}

/**
 * Liquidation prices of one account or a batch: per account and risky asset, the index level S*
 * where equity(S*) = maintenance margin(S*) under `params`, searched below and above the index in
 * (lowerFactor x index, upperFactor x index), with the nearest side, the distance in %, the
 * iterations, and equity and MM at the solution (USD). One kernel call for the whole batch.
 * @param ctx engine context (runs the pricing and liquidation-price kernels).
 * @param accounts one account (one result) or an array (an array of results).
 * @param params a standard-margin parameter set (e.g. `DERIBIT_STANDARD`).
 * @throws InputError for malformed accounts, market, params or options (a search bound index x
 * upperFactor that overflows: `options.upperFactor`), with the field's path. Coin-settled futures and
 * perpetuals are solved with their USD face fixed (equity N (1/E - 1/F(S)) S, margin on |N| S / F(S)).
 */
export function liquidationPrice(
  ctx: EngineContext, accounts: MarginAccount, market: MarginMarket, params: StandardMarginParams, options?: LiquidationPriceOptions,
): LiquidationPriceResult;
export function liquidationPrice(
  ctx: EngineContext, accounts: readonly MarginAccount[], market: MarginMarket, params: StandardMarginParams, options?: LiquidationPriceOptions,
): LiquidationPriceResult[];
export function liquidationPrice(
  ctx: EngineContext, accounts: MarginAccount | readonly MarginAccount[], market: MarginMarket, params: StandardMarginParams, options?: LiquidationPriceOptions,
): LiquidationPriceResult | LiquidationPriceResult[];
export function liquidationPrice(
  ctx: EngineContext, accounts: MarginAccount | readonly MarginAccount[], market: MarginMarket, params: StandardMarginParams, options: LiquidationPriceOptions = {},
): LiquidationPriceResult | LiquidationPriceResult[] {
  checkStandardParams(params);
  const { lowerFactor, upperFactor, maxIterations } = liquidationSearch(options);
  checkKeys(options, LIQUIDATION_OPTION_KEYS, 'options');
  if (options.perPosition !== undefined && typeof options.perPosition !== 'boolean') throw new InputError('options.perPosition', options.perPosition, 'a boolean');
  const haircuts = haircutsFor(params, options);
  const resolved = resolveAccounts(ctx, accounts, market);
  const margins = standardMarginResolved(resolved, params, haircuts);
  const problems: Problem[] = [];
  resolved.forEach((acc, ai) => problems.push(...accountProblems(ai, acc, margins[ai], haircuts)));
  const nAccountProblems = problems.length;
  if (options.perPosition === true) {
    resolved.forEach((acc, ai) => acc.positions.forEach((p, i) => {
      if (p.kind !== 'perpetual' && p.kind !== 'future') return;
      const isolatedMargin = margins[ai].positions[i].initialMargin;
      problems.push({
        account: ai, asset: p.asset, index: p.index, equity: isolatedMargin, margin: 0, coins: 0, positions: [p],
        position: { path: p.path, instrument: p.instrument, isolatedMargin },
      });
    }));
  }
  for (const p of problems) checkUpperBound(p.asset, p.index, upperFactor);
  const { out, status } = solve(ctx, problems, params, haircuts, lowerFactor, upperFactor, maxIterations);
  const results: LiquidationPriceResult[] = resolved.map((acc, ai) => ({
    id: acc.id, path: acc.path, equity: margins[ai].equity, maintenanceMargin: margins[ai].maintenanceMargin, status: margins[ai].status,
    assets: [], nearest: null, ...(options.perPosition === true ? { positions: [] } : {}),
  }));
  problems.forEach((p, k) => {
    const below = side(out, status, k, 0, p.index, p.index * lowerFactor, maxIterations);
    const above = side(out, status, k, 1, p.index, p.index * upperFactor, maxIterations);
    const lv = liquidationLevel(p.asset, p.index, below, above);
    if (k < nAccountProblems) results[p.account].assets.push(lv);
    else {
      const pl = lv as PositionLiquidation;
      pl.path = p.position!.path;
      pl.instrument = p.position!.instrument;
      pl.isolatedMargin = p.position!.isolatedMargin;
      results[p.account].positions!.push(pl);
    }
  });
  for (const r of results) r.nearest = nearestLevel(r.assets);
  return Array.isArray(accounts) ? results : results[0];
}
