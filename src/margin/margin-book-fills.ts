/**
 * Fills planning for the live margin book: the positions, entry prices and USD collateral of an
 * account after a list of orders (sizes add per instrument; linear positions average or realise;
 * premiums and spot are paid in USD), with the units of instruments new to the book resolved in one
 * batch. Shared by whatIf (nothing committed) and apply (committed by the book).
 */
import type { EngineContext } from '../context.js';
import { InputError } from '../errors.js';
import { requireRecord } from '../arguments.js';
import type { PreparedMarginGrid } from './portfolio-margin.js';
import { makeUnit, resolveSpecs, revalueUnits, unitKey, unitSpec, type BookUnit } from './margin-book-units.js';
import type { BookAccount } from './margin-book-account.js';
import type { MarginOrder } from './margin-book-types.js';
import type { MarginMarket } from './types.js';

/** What planning reads of the book (and the scratch cache of what-if units it may add to). */
export interface FillsBook {
  ctx: EngineContext;
  market: MarginMarket;
  pg: PreparedMarginGrid | undefined;
  rows: number;
  units: ReadonlyMap<string, BookUnit>;
  scratch: Map<string, BookUnit>;
}

/** The positions of an account under a plan of fills. */
export interface Plan {
  raw: Record<string, unknown>[];
  units: BookUnit[];
  sizes: number[];
  entries: number[];
  fundings: number[];
  /** Each position's index in the account before the fills (-1: new), and whether its size or entry changed. */
  from: number[];
  changed: boolean[];
  /** Whether some position was closed (removed). */
  removed: boolean;
  collateral: Map<string, number>;
  cashUsd: number;
  /** Units met for the first time (not yet in the book). */
  fresh: BookUnit[];
}

const SCRATCH_UNITS = 1024;

/** Keys a position may carry, by kind; an order also carries `price`, never `entryPrice` or `accruedFunding`. */
function stripOrder(o: Record<string, unknown>, path: string): { spec: Record<string, unknown>; size: number; price: number } {
  if (o.entryPrice !== undefined) throw new InputError(`${path}.entryPrice`, o.entryPrice, 'no entryPrice on an order (the fill price sets it)');
  if (o.accruedFunding !== undefined) throw new InputError(`${path}.accruedFunding`, o.accruedFunding, 'no accruedFunding on an order');
  const { price, ...spec } = o;
  if (typeof price !== 'number' || !Number.isFinite(price) || price < 0) throw new InputError(`${path}.price`, price, 'a fill price (USD per unit, finite, >= 0)');
  const size = spec.size;
  if (typeof size !== 'number' || !Number.isFinite(size) || size === 0) throw new InputError(`${path}.size`, size, 'a finite non-zero size (coins; negative = sell)');
  return { spec, size, price };
}

/**
 * The positions of `a` after `fills` (validated; units of new instruments resolved, not yet
 * registered: a what-if caches them in `book.scratch`). Nothing of the book or `a` is written
 * but the scratch cache.
 * @throws InputError at `<path>[i]...` for a malformed order, a short spot or a non-positive linear fill price.
 */
export function planFills(book: FillsBook, a: BookAccount, fills: readonly MarginOrder[], path: string, whatIf: boolean): Plan {
  if (!Array.isArray(fills)) throw new InputError(path, fills, 'an array of orders { instrument | kind..., size, price }');
  const parsed = fills.map((f, i) => stripOrder(requireRecord(f, `${path}[${i}]`), `${path}[${i}]`));
  // Units: the book's, the scratch cache's, or resolved now (one batch).
  const unitOfFill: (BookUnit | undefined)[] = new Array(parsed.length);
  const newSpecs: Record<string, unknown>[] = [];
  const newPaths: string[] = [];
  const newKeys: string[] = [];
  const pending = new Map<string, number>();
  for (let i = 0; i < parsed.length; i++) {
    const key = unitKey(parsed[i].spec);
    const u = book.units.get(key) ?? book.scratch.get(key);
    if (u !== undefined) unitOfFill[i] = u;
    else if (!pending.has(key)) {
      pending.set(key, newSpecs.length);
      newSpecs.push(unitSpec(parsed[i].spec));
      newPaths.push(`${path}[${i}]`);
      newKeys.push(key);
    }
  }
  const fresh: BookUnit[] = [];
  if (newSpecs.length > 0) {
    const resolved = resolveSpecs(book.ctx, newSpecs, newPaths, book.market);
    for (let j = 0; j < resolved.length; j++) fresh.push(makeUnit(newKeys[j], newSpecs[j], resolved[j]));
    if (book.pg !== undefined) revalueUnits(book.ctx, book.pg, book.rows, fresh);
    if (whatIf) {
      if (book.scratch.size + fresh.length > SCRATCH_UNITS) book.scratch.clear();
      for (const u of fresh) book.scratch.set(u.key, u);
    }
    for (let i = 0; i < parsed.length; i++) if (unitOfFill[i] === undefined) unitOfFill[i] = fresh[pending.get(unitKey(parsed[i].spec)) as number];
  }
  const plan: Plan = {
    raw: a.raw.slice(), units: a.units.slice(), sizes: a.sizes.slice(), entries: a.entries.slice(), fundings: a.fundings.slice(),
    from: a.units.map((_, k) => k), changed: a.units.map(() => false), removed: false,
    collateral: a.collateral, cashUsd: a.collateral.get('USD') ?? 0, fresh: [],
  };
  let cash = 0;
  for (let i = 0; i < parsed.length; i++) {
    const u = unitOfFill[i] as BookUnit;
    const { spec, size: q, price: P } = parsed[i];
    const kind = u.r.kind;
    const k = plan.units.indexOf(u);
    const linear = kind === 'future' || kind === 'perpetual';
    if (k < 0) {
      if (kind === 'spot' && q < 0) throw new InputError(`${path}[${i}].size`, q, 'a size >= 0 (short spot needs a loan)');
      if (whatIf) plan.raw.push(spec);
      else {
        const raw: Record<string, unknown> = { ...spec, size: q };
        if (linear) raw.entryPrice = P;
        plan.raw.push(raw);
      }
      plan.units.push(u);
      plan.sizes.push(q);
      plan.entries.push(linear ? P : NaN);
      plan.fundings.push(0);
      plan.from.push(-1);
      plan.changed.push(true);
      if (!linear) cash -= q * P;
      else if (P <= 0) throw new InputError(`${path}[${i}].price`, P, 'a fill price > 0 for a future or perpetual');
      continue;
    }
    const s = plan.sizes[k];
    const ns = s + q;
    let entry = plan.entries[k];
    if (kind === 'spot' && ns < 0) throw new InputError(`${path}[${i}].size`, q, `a size >= ${-s} (short spot needs a loan)`);
    if (!linear) cash -= q * P;
    else {
      if (P <= 0) throw new InputError(`${path}[${i}].price`, P, 'a fill price > 0 for a future or perpetual');
      const E = Number.isFinite(entry) ? entry : u.r.markPerUnit;
      if (s === 0 || Math.sign(s) === Math.sign(q)) entry = (s * E + q * P) / ns;
      else {
        const closed = Math.min(Math.abs(q), Math.abs(s)) * Math.sign(s);
        cash += u.r.settlement === 'coin' ? closed * (1 - E / P) * u.r.index : closed * (P - E);
        if (Math.abs(q) > Math.abs(s)) entry = P;
      }
      if (ns === 0) cash += plan.fundings[k];
    }
    if (ns === 0) {
      plan.raw.splice(k, 1);
      plan.units.splice(k, 1);
      plan.sizes.splice(k, 1);
      plan.entries.splice(k, 1);
      plan.fundings.splice(k, 1);
      plan.from.splice(k, 1);
      plan.changed.splice(k, 1);
      plan.removed = true;
      continue;
    }
    if (!whatIf) {
      // What-ifs never export their positions: only fills rebuild the position objects.
      const raw: Record<string, unknown> = { ...plan.raw[k], size: ns };
      if (linear && Number.isFinite(entry)) raw.entryPrice = entry;
      plan.raw[k] = raw;
    }
    plan.sizes[k] = ns;
    plan.entries[k] = entry;
    plan.changed[k] = true;
  }
  if (cash !== 0) {
    // A copy only when cash moves: the account's own collateral is never written by a plan.
    plan.collateral = new Map(a.collateral);
    plan.cashUsd = (plan.collateral.get('USD') ?? 0) + cash;
    plan.collateral.set('USD', plan.cashUsd);
  }
  // Units the book does not hold yet: resolved now or cached by an earlier what-if (registered when a fill commits).
  plan.fresh = [...new Set(plan.units.filter((u) => book.units.get(u.key) !== u))];
  return plan;
}
