/**
 * The one-option path of the pricing facade (`blackScholes`, `black76`, `impliedVol` called with a
 * single option): the same kernel on the same heap layout as a batch of one, without the batch
 * machinery (frames, column checks and copies sized for any length). A scalar caller pays ~0.4 us
 * a call instead of ~0.6 us (issue 13: >= 2 M single-option calls/s).
 *
 * Each function accepts only calls it can answer without any error: every input a number or a
 * one-element array (Float64Array or plain array of numbers), option types 'call' / 'put', a
 * one-element array of them or a one-element Int8Array, `out` absent or made of one-element
 * Float64Arrays. Anything else, every malformed call included, returns undefined and the caller
 * takes the batch path, which raises the exact error of the contract.
 *
 * Typed arrays are taken only of the plain classes (`Object.getPrototypeOf(v) ===
 * Float64Array.prototype`): a view over any engine's heap (a resident array or a view of one, of
 * an internal subclass, see src/resident-arrays.ts) goes to the batch path, which asks the view's
 * own engine whether it is still live. On every engine, holding resident arrays or not: session 9
 * checked only on an engine holding resident arrays itself, so another engine read a freed array's
 * memory. Measured (bench/one-option-ab.mjs): `v.constructor` costs ~10-20 ns a read on a typed
 * array in this V8 (it is not folded), the prototype compare folds to the map check `instanceof`
 * already made; written inline, with no helper call, it leaves V8's inlining of this path alone.
 *
 * The inputs are read into locals before the heap is touched, so a getter that calls the engine
 * cannot disturb the call.
 */
import type { EngineContext } from '../context.js';
import { hasOwn } from '../data-tables.js';
import { KernelError } from '../errors.js';

// The argument and result shapes of black-pricing.ts and implied-vol.ts, restated (they import
// this module; a type import back would be a cycle) and checked there key for key at compile time:
// a field added to an args type must be handled here (or make the call decline), never ignored.
// Fields are unknown: nothing is trusted here.
/** The fields of `BlackScholesArgs` read by {@link blackScholesOne}. */
export interface BlackScholesFields { spots: unknown; strikes: unknown; expiries: unknown; vols: unknown; rates: unknown; dividendYields?: unknown; types: unknown; greeks?: unknown; out?: unknown }
/** The fields of `Black76Args` read by {@link black76One}. */
export interface Black76Fields { forwards: unknown; strikes: unknown; expiries: unknown; vols: unknown; discountFactors?: unknown; types: unknown; settlement?: unknown; greeks?: unknown; out?: unknown }
/** The fields of `ImpliedVolArgs` read by {@link impliedVolOne}. */
export interface ImpliedVolFields { prices: unknown; forwards: unknown; strikes: unknown; expiries: unknown; discountFactors?: unknown; types: unknown; settlement?: unknown; out?: unknown }
type Column = Float64Array;
/** A PricingResult of one element. */
interface OnePricing {
  price: Column; status: Uint8Array; delta?: Column; gamma?: Column; vega?: Column; theta?: Column; rho?: Column; vanna?: Column; volga?: Column;
  premiumAdjustedDelta?: Column;
}

/** Heap bytes of one input column of one element (16-byte aligned, as the batch layout). */
const SLOT = 16;

/** One element of a numeric input: a number, or the number of a one-element array; else undefined. */
function oneNumber(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (v instanceof Float64Array) return v.length === 1 && Object.getPrototypeOf(v) === Float64Array.prototype ? v[0] : undefined;
  if (Array.isArray(v) && v.length === 1) {
    const x: unknown = v[0];
    return typeof x === 'number' ? x : undefined;
  }
  return undefined;
}

/** One element of a defaulted numeric input (absent gives `fallback`). */
function oneOptional(v: unknown, fallback: number): number | undefined {
  return v === undefined ? fallback : oneNumber(v);
}

/**
 * The kernel flag of one option type: +1 / -1, or an Int8Array's value as it is (the kernel flags
 * anything but +-1 per element, as in a batch); undefined for anything the batch path must judge.
 */
function oneType(v: unknown): number | undefined {
  if (v === 'call') return 1;
  if (v === 'put') return -1;
  if (v instanceof Int8Array) return v.length === 1 && Object.getPrototypeOf(v) === Int8Array.prototype ? v[0] : undefined;
  if (Array.isArray(v) && v.length === 1) {
    const t: unknown = v[0];
    if (t === 'call' || t === 1) return 1;
    if (t === 'put' || t === -1) return -1;
  }
  return undefined;
}

/**
 * Whether every own enumerable key of `out` is an output name (price or a greek). A chain of
 * string compares: for-in yields internalised strings, which compare by identity, several times
 * faster than a Set lookup per key (this runs on every one-option call with `out`).
 */
function hasOnlyOutKeys(out: object): boolean {
  for (const key in out) {
    switch (key) {
      case 'price': case 'delta': case 'gamma': case 'vega': case 'theta': case 'rho': case 'vanna': case 'volga':
        continue;
    }
    if (hasOwn(out, key)) return false;
  }
  return true;
}

/** A caller's output array as the one-option path takes it: null when absent, undefined when unusable. */
function outArray(v: unknown): Float64Array | null | undefined {
  if (v === undefined) return null;
  return v instanceof Float64Array && v.length === 1 && Object.getPrototypeOf(v) === Float64Array.prototype ? v : undefined;
}

/** `out` as a plain object of known keys, or undefined (the batch path judges it). */
function outObject(out: unknown): Record<string, unknown> | undefined {
  if (out === null || typeof out !== 'object' || Array.isArray(out) || !hasOnlyOutKeys(out)) return undefined;
  return out as Record<string, unknown>;
}

/**
 * The price output of a call without greeks: null (allocate) or the caller's `out.price`;
 * undefined when the batch path must judge `out` (its checks in its order, each field read once:
 * the own keys other than `price` must be undefined, then `price`).
 */
function priceOut(out: unknown): Float64Array | null | undefined {
  if (out === undefined) return null;
  const o = outObject(out);
  if (o === undefined) return undefined;
  for (const key in o) if (key !== 'price' && hasOwn(o, key) && o[key] !== undefined) return undefined;
  return outArray(o.price);
}

/** The eight output arrays of a call with greeks, each the caller's or null (allocate). */
interface GreekOuts {
  price: Float64Array | null; delta: Float64Array | null; gamma: Float64Array | null; vega: Float64Array | null;
  theta: Float64Array | null; rho: Float64Array | null; vanna: Float64Array | null; volga: Float64Array | null;
}
const NO_OUTS: Readonly<GreekOuts> = Object.freeze({ price: null, delta: null, gamma: null, vega: null, theta: null, rho: null, vanna: null, volga: null });

/** {@link priceOut} for a call with greeks: every field read once, in the batch path's order. */
function greekOuts(out: unknown): Readonly<GreekOuts> | undefined {
  if (out === undefined) return NO_OUTS;
  const o = outObject(out);
  if (o === undefined) return undefined;
  const price = outArray(o.price);
  if (price === undefined) return undefined;
  const delta = outArray(o.delta);
  if (delta === undefined) return undefined;
  const gamma = outArray(o.gamma);
  if (gamma === undefined) return undefined;
  const vega = outArray(o.vega);
  if (vega === undefined) return undefined;
  const theta = outArray(o.theta);
  if (theta === undefined) return undefined;
  const rho = outArray(o.rho);
  if (rho === undefined) return undefined;
  const vanna = outArray(o.vanna);
  if (vanna === undefined) return undefined;
  const volga = outArray(o.volga);
  if (volga === undefined) return undefined;
  return { price, delta, gamma, vega, theta, rho, vanna, volga };
}

/**
 * Reserve one element's heap: `inputs` 16-byte input slots (the last one holds the i8 type), the
 * output block of `width` f64, the status byte. Returns the first slot's byte offset.
 */
function reserveOne(ctx: EngineContext, inputs: number, width: number): number {
  const arena = ctx.arena;
  arena.reset();
  return arena.alloc(inputs * SLOT + ((width * 8 + 15) & ~15) + SLOT);
}

/** Column c of the kernel's one-element output block at f64 index i, into `given` or a new array. */
function column(f64: Float64Array, i: number, given: Float64Array | null): Float64Array {
  const a = given ?? new Float64Array(1);
  a[0] = f64[i];
  return a;
}

/**
 * The pricing result of one element from the kernel's output block at byte offset pOut: price
 * only when `outs` is the price output (null or the caller's array), else price and greeks.
 */
function pricingResult(ctx: EngineContext, pOut: number, pStatus: number, outs: Float64Array | null | Readonly<GreekOuts>): OnePricing {
  const v = ctx.arena.views;
  const f64 = v.f64;
  const i = pOut >>> 3;
  const status = new Uint8Array(1);
  status[0] = v.u8[pStatus];
  if (outs === null || outs instanceof Float64Array) return { price: column(f64, i, outs), status };
  return {
    price: column(f64, i, outs.price), status, delta: column(f64, i + 1, outs.delta), gamma: column(f64, i + 2, outs.gamma),
    vega: column(f64, i + 3, outs.vega), theta: column(f64, i + 4, outs.theta), rho: column(f64, i + 5, outs.rho),
    vanna: column(f64, i + 6, outs.vanna), volga: column(f64, i + 7, outs.volga),
  };
}

/**
 * `blackScholes` on one option (see the module note), or undefined: take the batch path.
 * Units as `blackScholes`: expiries in years, vols and rates as decimals.
 * @throws KernelError when the kernel returns a non-zero code; RangeError when the heap cannot grow.
 */
export function blackScholesOne(ctx: EngineContext, a: BlackScholesFields): OnePricing | undefined {
  const g: unknown = a.greeks;
  if (g !== undefined && typeof g !== 'boolean') return undefined;
  const greeks = g === true;
  const S = oneNumber(a.spots);
  const K = oneNumber(a.strikes);
  const T = oneNumber(a.expiries);
  const vol = oneNumber(a.vols);
  const r = oneNumber(a.rates);
  const q = oneOptional(a.dividendYields, 0);
  const ty = oneType(a.types);
  if (S === undefined || K === undefined || T === undefined || vol === undefined || r === undefined || q === undefined || ty === undefined) return undefined;
  const outs = greeks ? greekOuts(a.out) : priceOut(a.out);
  if (outs === undefined) return undefined;
  const p = reserveOne(ctx, 7, greeks ? 8 : 1);
  const v = ctx.arena.views;
  const f64 = v.f64;
  const i = p >>> 3;
  f64[i] = S; f64[i + 2] = K; f64[i + 4] = T; f64[i + 6] = vol; f64[i + 8] = r; f64[i + 10] = q;
  v.i8[p + 6 * SLOT] = ty;
  const pOut = p + 7 * SLOT;
  const pStatus = pOut + (greeks ? 64 : 16);
  const rc = ctx.kernels.blackScholesBatch(1, p, p + SLOT, p + 2 * SLOT, p + 3 * SLOT, p + 4 * SLOT, p + 5 * SLOT, p + 6 * SLOT, greeks ? 1 : 0, pOut, pStatus);
  if (rc !== 0) throw new KernelError('blackScholesBatch', rc);
  return pricingResult(ctx, pOut, pStatus, outs);
}

/**
 * `black76` on one option (see the module note), or undefined: take the batch path. With coin
 * settlement and greeks the result carries `premiumAdjustedDelta`, as the batch path's.
 * @throws KernelError when the kernel returns a non-zero code; RangeError when the heap cannot grow.
 */
export function black76One(ctx: EngineContext, a: Black76Fields): OnePricing | undefined {
  const g: unknown = a.greeks;
  if (g !== undefined && typeof g !== 'boolean') return undefined;
  const greeks = g === true;
  const settlement: unknown = a.settlement;
  if (settlement !== undefined && settlement !== 'usd' && settlement !== 'coin') return undefined;
  const coin = settlement === 'coin';
  const F = oneNumber(a.forwards);
  const K = oneNumber(a.strikes);
  const T = oneNumber(a.expiries);
  const vol = oneNumber(a.vols);
  const DF = oneOptional(a.discountFactors, 1);
  const ty = oneType(a.types);
  if (F === undefined || K === undefined || T === undefined || vol === undefined || DF === undefined || ty === undefined) return undefined;
  const outs = greeks ? greekOuts(a.out) : priceOut(a.out);
  if (outs === undefined) return undefined;
  const p = reserveOne(ctx, 6, greeks ? 8 : 1);
  const v = ctx.arena.views;
  const f64 = v.f64;
  const i = p >>> 3;
  f64[i] = F; f64[i + 2] = K; f64[i + 4] = T; f64[i + 6] = vol; f64[i + 8] = DF;
  v.i8[p + 5 * SLOT] = ty;
  const pOut = p + 6 * SLOT;
  const pStatus = pOut + (greeks ? 64 : 16);
  const rc = ctx.kernels.black76Batch(1, p, p + SLOT, p + 2 * SLOT, p + 3 * SLOT, p + 4 * SLOT, p + 5 * SLOT, coin ? 1 : 0, greeks ? 1 : 0, pOut, pStatus);
  if (rc !== 0) throw new KernelError('black76Batch', rc);
  const result = pricingResult(ctx, pOut, pStatus, outs);
  if (coin && greeks) {
    const adj = new Float64Array(1);
    adj[0] = result.delta![0] - result.price[0];
    result.premiumAdjustedDelta = adj;
  }
  return result;
}

/**
 * `impliedVol` on one option (see the module note), or undefined: take the batch path.
 * @throws KernelError when the kernel returns a non-zero code; RangeError when the heap cannot grow.
 */
export function impliedVolOne(ctx: EngineContext, a: ImpliedVolFields): { vols: Float64Array; status: Uint8Array } | undefined {
  const settlement: unknown = a.settlement;
  if (settlement !== undefined && settlement !== 'usd' && settlement !== 'coin') return undefined;
  const price = oneNumber(a.prices);
  const F = oneNumber(a.forwards);
  const K = oneNumber(a.strikes);
  const T = oneNumber(a.expiries);
  const DF = oneOptional(a.discountFactors, 1);
  const ty = oneType(a.types);
  if (price === undefined || F === undefined || K === undefined || T === undefined || DF === undefined || ty === undefined) return undefined;
  const given = outArray(a.out);
  if (given === undefined) return undefined;
  const vols = given ?? new Float64Array(1);
  const p = reserveOne(ctx, 6, 1);
  const v = ctx.arena.views;
  const f64 = v.f64;
  const i = p >>> 3;
  f64[i] = price; f64[i + 2] = F; f64[i + 4] = K; f64[i + 6] = T; f64[i + 8] = DF;
  v.i8[p + 5 * SLOT] = ty;
  const pOut = p + 6 * SLOT;
  const pStatus = pOut + 16;
  const rc = ctx.kernels.impliedVolatilityBatch(1, p, p + SLOT, p + 2 * SLOT, p + 3 * SLOT, p + 4 * SLOT, p + 5 * SLOT, settlement === 'coin' ? 1 : 0, pOut, pStatus);
  if (rc !== 0) throw new KernelError('impliedVolatilityBatch', rc);
  const after = ctx.arena.views;
  vols[0] = after.f64[pOut >>> 3];
  const status = new Uint8Array(1);
  status[0] = after.u8[pStatus];
  return { vols, status };
}
