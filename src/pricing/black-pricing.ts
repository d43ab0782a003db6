import type { EngineContext } from '../context.js';
import {
  batchLength, booleanOption, enumOption, inputLength, joinLength, MALFORMED, outputArray, rejectUnusableInputs, requireObject, SCALAR, type NumberInput, type OptionTypeInput,
} from '../batch-inputs.js';
import { runKernel, type BatchFrame } from '../batch-runner.js';
import { hasOwn } from '../data-tables.js';
import { InputError } from '../errors.js';
import { checkKeys, hasOnlyKeys } from '../option-keys.js';
import {
  BATCH_PARALLEL_KEYS, BLACK76_KERNEL, BLACK_SCHOLES_KERNEL, checkBatchParallel, GREEK_NAMES, PRICING_OUT_PATHS, PRICING_OUTPUTS, rejectParallelKeys, runBatchOnWorkers,
  type BatchParallelOptions,
} from './batch-shards.js';
import { black76One, blackScholesOne, type Black76Fields, type BlackScholesFields } from './one-option.js';

export { GREEK_NAMES };

/**
 * Batch pricing result. Every array has the batch length. With `greeks: true`:
 * - `delta` dV/dS (Black-Scholes) or dV/dF (Black-76), `gamma` its derivative;
 * - `vega` dV/dsigma per 1.00 of vol (divide by 100 for "per vol point");
 * - `theta` = -dV/dT per year: the value change as one year of calendar time passes (divide by
 *   365 for per day), holding spot (or forward), vol and rates;
 * - `rho` dV/dr per 1.00 of rate (Black-Scholes: the rate with spot and dividend yield fixed;
 *   Black-76: the discount rate r = -ln(DF)/T with the forward fixed, i.e. -T V);
 * - `vanna` d2V/(dS dsigma) (or dF dsigma), `volga` d2V/dsigma2.
 * `status[i]` is {@link Status}.ok or .invalidInput (then every column holds NaN at i): an invalid
 * input, or inputs whose result is beyond double range (e.g. a put with rate -1e308). The price is
 * never NaN with status ok; gamma is +Infinity for a zero-vol option exactly at the money.
 * With `greeks: true` the greeks are typed as present ({@link PricingResultWithGreeks}).
 */
export interface PricingResult {
  price: Float64Array;
  status: Uint8Array;
  delta?: Float64Array;
  gamma?: Float64Array;
  vega?: Float64Array;
  theta?: Float64Array;
  rho?: Float64Array;
  vanna?: Float64Array;
  volga?: Float64Array;
  /**
   * Black-76 with `settlement: 'coin'` only: delta less the coin price, the exposure in coins
   * of the underlying of a holder whose premium is itself paid in coin (Deribit's position delta).
   */
  premiumAdjustedDelta?: Float64Array;
}

/** The seven greek columns, present (not optional) in the result of a call with `greeks: true`. */
export type PricingGreeks = { [G in (typeof GREEK_NAMES)[number]]: Float64Array };

/** {@link PricingResult} of a call with `greeks: true`: `delta`, `gamma`, ... typed as present. */
export type PricingResultWithGreeks = PricingResult & PricingGreeks;

/** {@link PricingResult} of `black76` with `greeks: true` and `settlement: 'coin'`: `premiumAdjustedDelta` present too. */
export type CoinPricingResultWithGreeks = PricingResultWithGreeks & { premiumAdjustedDelta: Float64Array };

/**
 * Caller-supplied output arrays (each a Float64Array of the batch length), written in place. Arrays
 * from `engine.allocateArray` are written by the WASM kernel directly (with greeks: when the eight
 * are consecutive columns of one resident array, price first, then delta ... volga).
 */
export type PricingOut = Partial<Record<'price' | (typeof GREEK_NAMES)[number], Float64Array>>;

/** Arguments of `engine.blackScholes`. Numbers broadcast; arrays must share one length. */
export interface BlackScholesArgs {
  /** Spot prices (> 0). */
  spots: NumberInput;
  /** Strikes (> 0), in the spot's units. */
  strikes: NumberInput;
  /** Times to expiry in years (>= 0). */
  expiries: NumberInput;
  /** Annualised volatilities as decimals (0.2 = 20%), >= 0. */
  vols: NumberInput;
  /** Risk-free rates, continuously compounded, as decimals. */
  rates: NumberInput;
  /** Continuous dividend (or foreign-rate / convenience) yields as decimals; default 0. */
  dividendYields?: NumberInput;
  /** 'call' | 'put', an array of them, or an Int8Array of +1 / -1. */
  types: OptionTypeInput;
  /** Also compute delta, gamma, vega, theta, rho, vanna, volga. Default false. */
  greeks?: boolean;
  /** Write results into these arrays instead of allocating. */
  out?: PricingOut;
}

/** Arguments of `engine.black76`. Numbers broadcast; arrays must share one length. */
export interface Black76Args {
  /** Forward prices (> 0). */
  forwards: NumberInput;
  /** Strikes (> 0), in the forward's units. */
  strikes: NumberInput;
  /** Times to expiry in years (>= 0). */
  expiries: NumberInput;
  /** Annualised volatilities as decimals, >= 0. */
  vols: NumberInput;
  /** 'call' | 'put', an array of them, or an Int8Array of +1 / -1. */
  types: OptionTypeInput;
  /** Discount factors to the payment date, in (0, inf); default 1 (no discounting). */
  discountFactors?: NumberInput;
  /**
   * `'usd'` (default): price in the forward's currency. `'coin'`: Deribit's inverse, coin-settled
   * convention, price in coins = USD value / forward. Greeks stay those of the USD value per
   * unit of underlying (the figures Deribit displays; delta is the coin hedge ratio), plus
   * `premiumAdjustedDelta`.
   */
  settlement?: 'usd' | 'coin';
  /** Also compute the seven greeks. Default false. */
  greeks?: boolean;
  /** Write results into these arrays instead of allocating. */
  out?: PricingOut;
}

// The keys of each args type (kept in sync by `satisfies` and the Exclude checks below).
const BLACK_SCHOLES_KEYS = ['spots', 'strikes', 'expiries', 'vols', 'rates', 'dividendYields', 'types', 'greeks', 'out'] as const satisfies readonly (keyof BlackScholesArgs)[];
const BLACK76_KEYS = ['forwards', 'strikes', 'expiries', 'vols', 'types', 'discountFactors', 'settlement', 'greeks', 'out'] as const satisfies readonly (keyof Black76Args)[];
const OUT_KEYS = PRICING_OUTPUTS satisfies readonly (keyof PricingOut)[];
type AllListed<T, K> = [Exclude<keyof T, K>] extends [never] ? true : never;
const listed: [AllListed<BlackScholesArgs, (typeof BLACK_SCHOLES_KEYS)[number]>, AllListed<Black76Args, (typeof BLACK76_KEYS)[number]>] = [true, true];
void listed;
// The one-option path reads exactly these keys (a new field must be handled there too).
type SameKeys<A, B> = [Exclude<keyof A, keyof B> | Exclude<keyof B, keyof A>] extends [never] ? true : never;
const oneOptionKeys: [SameKeys<BlackScholesArgs, BlackScholesFields>, SameKeys<Black76Args, Black76Fields>] = [true, true];
void oneOptionKeys;

/**
 * The keys of a batch call, as sets for the allocation-free check: `sync` without, `parallel`
 * with the pool options (`workers`, `signal`, ...).
 */
export interface BatchKeys {
  readonly list: readonly string[];
  readonly sync: ReadonlySet<string>;
  readonly parallel: ReadonlySet<string>;
  readonly hints: ReadonlyMap<string, string>;
}

/** The {@link BatchKeys} of a call with these keys and hints. */
export function batchKeys(list: readonly string[], hints: ReadonlyMap<string, string>): BatchKeys {
  return { list, sync: new Set(list), parallel: new Set([...list, ...BATCH_PARALLEL_KEYS]), hints };
}

/**
 * checkKeys with hints for the other model's discounting key: Black-76 has no `rates` (it takes
 * `discountFactors`), Black-Scholes has no `discountFactors` (it takes `rates`), which edit distance
 * would not suggest. O(keys), no allocation when every key is known.
 * @param parallel whether the pool options (`workers`, `signal`, ...) are allowed (the Promise form).
 * @throws InputError naming the unknown key (path = the key) and the valid key to use; a pool
 * option without `workers`.
 */
export function checkArgsKeys(args: object, keys: BatchKeys, parallel: boolean): void {
  if (hasOnlyKeys(args, parallel ? keys.parallel : keys.sync)) return;
  const a = args as Record<string, unknown>;
  // Without workers a pool option may be present only as undefined (`workers: opts.workers`).
  if (!parallel) rejectParallelKeys(a);
  const allowed = [...keys.list, ...BATCH_PARALLEL_KEYS];
  for (const key of Object.keys(args)) {
    if (allowed.includes(key)) continue;
    const hint = keys.hints.get(key);
    if (hint !== undefined) {
      throw new InputError(key, a[key], `no such option (this model takes '${hint}')`, hint);
    }
    checkKeys(args, allowed, '');
  }
}

// The key checks of the synchronous calls, first as chains of string compares: for-in yields
// internalised strings, which compare by identity, several times faster than a Set lookup per key
// (~10% of a one-option call). A false here (a misspelt key, or a pool option present as undefined)
// goes to checkArgsKeys for the error, so a key missing from a chain costs speed, never correctness;
// a chain lists only keys of its args type (checked against BLACK_SCHOLES_KEYS / BLACK76_KEYS in
// test/one-option-keys.test.ts).
/** Whether every own enumerable key of a blackScholes call is one of {@link BLACK_SCHOLES_KEYS}. */
export function hasOnlyBlackScholesKeys(a: object): boolean {
  for (const key in a) {
    switch (key) {
      case 'spots': case 'strikes': case 'expiries': case 'vols': case 'rates': case 'dividendYields': case 'types': case 'greeks': case 'out':
        continue;
    }
    if (hasOwn(a, key)) return false;
  }
  return true;
}

/** Whether every own enumerable key of a black76 call is one of {@link BLACK76_KEYS}. */
export function hasOnlyBlack76Keys(a: object): boolean {
  for (const key in a) {
    switch (key) {
      case 'forwards': case 'strikes': case 'expiries': case 'vols': case 'types': case 'discountFactors': case 'settlement': case 'greeks': case 'out':
        continue;
    }
    if (hasOwn(a, key)) return false;
  }
  return true;
}

/** The keys of blackScholes and black76 calls (for the test of the compare chains). */
export const PRICING_KEY_LISTS = { blackScholes: BLACK_SCHOLES_KEYS, black76: BLACK76_KEYS } as const;

const BLACK_SCHOLES_ARG_KEYS = batchKeys(BLACK_SCHOLES_KEYS, new Map([['discountFactors', 'rates'], ['discountFactor', 'rates'], ['forwards', 'spots']]));
const BLACK76_ARG_KEYS = batchKeys(BLACK76_KEYS, new Map([
  ['rates', 'discountFactors'], ['rate', 'discountFactors'], ['dividendYields', 'forwards'], ['dividendYield', 'forwards'], ['spots', 'forwards'],
]));

/**
 * The output columns of a call into `f.outs` (price, then the greeks with `greeks: true`): the
 * caller's `out` arrays, checked, or new ones.
 * @throws InputError for a malformed `out` (unknown key, wrong type or length, a greek without greeks: true).
 */
function outputs(f: BatchFrame, n: number, greeks: boolean, out: unknown): void {
  f.nOut = greeks ? 8 : 1;
  if (out === undefined) {
    for (let c = 0; c < f.nOut; c++) f.outs[c] = new Float64Array(n);
    return;
  }
  const o = requireObject(out, 'out');
  checkKeys(o, OUT_KEYS, 'out');
  if (!greeks) {
    // A greek array would never be written without greeks: true.
    const unused = Object.keys(o).find((k) => k !== 'price' && o[k] !== undefined);
    if (unused !== undefined) throw new InputError(`out.${unused}`, o[unused], 'absent unless greeks: true');
  }
  for (let c = 0; c < f.nOut; c++) f.outs[c] = outputArray(o[PRICING_OUTPUTS[c]], n, PRICING_OUT_PATHS[c]);
}

/** The result object of a frame's outputs (key order: price, status, then the greeks). */
function assemble(f: BatchFrame, status: Uint8Array): PricingResult {
  return assembleOuts(f.outs, f.nOut, status);
}

/** The result object of output columns (price, then the greeks when nOut is 8). */
function assembleOuts(c: readonly Float64Array[], nOut: number, status: Uint8Array): PricingResult {
  if (nOut === 1) return { price: c[0], status };
  return { price: c[0], status, delta: c[1], gamma: c[2], vega: c[3], theta: c[4], rho: c[5], vanna: c[6], volga: c[7] };
}

/**
 * Validate a blackScholes call into a frame: inputs, greeks flag, output columns. Returns n.
 * @throws InputError for a malformed call.
 */
function prepareBlackScholes(a: BlackScholesArgs, f: BatchFrame): number {
  const greeks = booleanOption(a.greeks, false, 'greeks');
  const d = f.data;
  d[0] = a.spots; d[1] = a.strikes; d[2] = a.expiries; d[3] = a.vols; d[4] = a.rates; d[5] = a.dividendYields ?? 0; d[6] = a.types;
  let n = joinLength(inputLength(a.spots, 0), inputLength(a.strikes, 0));
  n = joinLength(n, inputLength(a.expiries, 0));
  n = joinLength(n, inputLength(a.vols, 0));
  n = joinLength(n, inputLength(a.rates, 0));
  n = joinLength(n, inputLength(a.dividendYields, 1));
  n = joinLength(n, inputLength(a.types, 2));
  if (n === MALFORMED || n === 0) {
    // A detached or freed resident array first (length 0: it would read as a mismatch or an empty batch).
    rejectUnusableInputs(d, BLACK_SCHOLES_KERNEL.paths);
  }
  if (n === MALFORMED) {
    // The exact error (first malformed field, or first length mismatch, in field order).
    batchLength({ spots: a.spots, strikes: a.strikes, expiries: a.expiries, vols: a.vols, rates: a.rates, dividendYields: a.dividendYields, types: a.types }, ['dividendYields']);
  }
  if (n === SCALAR) n = 1;
  BLACK_SCHOLES_KERNEL.check(f);
  outputs(f, n, greeks, a.out);
  f.flag0 = greeks ? 1 : 0;
  f.flag1 = 0;
  return n;
}

/**
 * Validate a black76 call into a frame (flag0 greeks, flag1 coin). Returns n.
 * @throws InputError for a malformed call.
 */
function prepareBlack76(a: Black76Args, f: BatchFrame): number {
  const greeks = booleanOption(a.greeks, false, 'greeks');
  const coin = a.settlement === undefined ? 0 : enumOption(a.settlement, ['usd', 'coin'] as const, 'usd', 'settlement') === 'coin' ? 1 : 0;
  const d = f.data;
  d[0] = a.forwards; d[1] = a.strikes; d[2] = a.expiries; d[3] = a.vols; d[4] = a.discountFactors ?? 1; d[5] = a.types;
  let n = joinLength(inputLength(a.forwards, 0), inputLength(a.strikes, 0));
  n = joinLength(n, inputLength(a.expiries, 0));
  n = joinLength(n, inputLength(a.vols, 0));
  n = joinLength(n, inputLength(a.discountFactors, 1));
  n = joinLength(n, inputLength(a.types, 2));
  if (n === MALFORMED || n === 0) rejectUnusableInputs(d, BLACK76_KERNEL.paths);
  if (n === MALFORMED) {
    batchLength({ forwards: a.forwards, strikes: a.strikes, expiries: a.expiries, vols: a.vols, discountFactors: a.discountFactors, types: a.types }, ['discountFactors']);
  }
  if (n === SCALAR) n = 1;
  BLACK76_KERNEL.check(f);
  outputs(f, n, greeks, a.out);
  f.flag0 = greeks ? 1 : 0;
  f.flag1 = coin;
  return n;
}

/** Black-76 coin settlement with greeks: the premium-adjusted delta, delta less the coin price. */
function addPremiumAdjustedDelta(result: PricingResult, n: number): void {
  const adj = new Float64Array(n);
  for (let i = 0; i < n; i++) adj[i] = result.delta![i] - result.price[i];
  result.premiumAdjustedDelta = adj;
}

/**
 * Black-Scholes-Merton European prices (and greeks) for a batch, on spot with a continuous
 * dividend yield. Units: expiries in years, vols and rates as decimals (rates continuously
 * compounded); see {@link PricingResult} for the greeks.
 *
 * With `workers` (see `BatchParallelOptions`) the batch is split over the worker pool and
 * the call returns a Promise of the same result, bit for bit.
 * @throws InputError for a malformed call (wrong types, mismatched lengths, unknown option type,
 * an unknown key: `dividendYield` suggests `dividendYields`; a bad `workers`: the Promise rejects).
 * Per-element domain problems (NaN, spot <= 0, negative vol...) give NaN and `Status.invalidInput`.
 */
export function blackScholes(ctx: EngineContext, args: BlackScholesArgs & { greeks: true } & BatchParallelOptions): Promise<PricingResultWithGreeks>;
export function blackScholes(ctx: EngineContext, args: BlackScholesArgs & BatchParallelOptions): Promise<PricingResult>;
export function blackScholes(ctx: EngineContext, args: BlackScholesArgs & { greeks: true }): PricingResultWithGreeks;
export function blackScholes(ctx: EngineContext, args: BlackScholesArgs): PricingResult;
export function blackScholes(ctx: EngineContext, args: BlackScholesArgs): PricingResult | Promise<PricingResult> {
  const a = requireObject(args, 'args') as unknown as BlackScholesArgs & { workers?: unknown };
  if (a.workers !== undefined) return blackScholesOnWorkers(ctx, a);
  if (!hasOnlyBlackScholesKeys(a)) checkArgsKeys(a, BLACK_SCHOLES_ARG_KEYS, false);
  const one = blackScholesOne(ctx, a);
  if (one !== undefined) return one;
  const f = BLACK_SCHOLES_KERNEL.acquire();
  const n = prepareBlackScholes(a, f);
  const status = new Uint8Array(n);
  runKernel(ctx, BLACK_SCHOLES_KERNEL, f, 0, n, status, 0);
  const result = assemble(f, status);
  BLACK_SCHOLES_KERNEL.release(f);
  return result;
}

async function blackScholesOnWorkers(ctx: EngineContext, a: BlackScholesArgs): Promise<PricingResult> {
  checkArgsKeys(a, BLACK_SCHOLES_ARG_KEYS, true);
  const p = checkBatchParallel(a as unknown as Record<string, unknown>);
  const f = BLACK_SCHOLES_KERNEL.acquire();
  const n = prepareBlackScholes(a, f);
  const status = new Uint8Array(n);
  const nOut = f.nOut;
  const outs = await runBatchOnWorkers(ctx, 'blackScholes', BLACK_SCHOLES_KERNEL, f, n, status, p);
  return assembleOuts(outs, nOut, status);
}

/**
 * Black-76 European prices (and greeks) for a batch, on the forward with a discount factor;
 * `settlement: 'coin'` prices Deribit-style inverse options in coins. With `workers`, a Promise
 * of the same result computed on the worker pool (see {@link blackScholes}).
 * @throws InputError for a malformed call (an unknown key too: `rates` suggests `discountFactors`).
 * Per-element domain problems give NaN and `Status.invalidInput`.
 */
export function black76(ctx: EngineContext, args: Black76Args & { greeks: true; settlement: 'coin' } & BatchParallelOptions): Promise<CoinPricingResultWithGreeks>;
export function black76(ctx: EngineContext, args: Black76Args & { greeks: true } & BatchParallelOptions): Promise<PricingResultWithGreeks>;
export function black76(ctx: EngineContext, args: Black76Args & BatchParallelOptions): Promise<PricingResult>;
export function black76(ctx: EngineContext, args: Black76Args & { greeks: true; settlement: 'coin' }): CoinPricingResultWithGreeks;
export function black76(ctx: EngineContext, args: Black76Args & { greeks: true }): PricingResultWithGreeks;
export function black76(ctx: EngineContext, args: Black76Args): PricingResult;
export function black76(ctx: EngineContext, args: Black76Args): PricingResult | Promise<PricingResult> {
  const a = requireObject(args, 'args') as unknown as Black76Args & { workers?: unknown };
  if (a.workers !== undefined) return black76OnWorkers(ctx, a);
  if (!hasOnlyBlack76Keys(a)) checkArgsKeys(a, BLACK76_ARG_KEYS, false);
  const one = black76One(ctx, a);
  if (one !== undefined) return one;
  const f = BLACK76_KERNEL.acquire();
  const n = prepareBlack76(a, f);
  const status = new Uint8Array(n);
  const coinGreeks = f.flag0 === 1 && f.flag1 === 1;
  runKernel(ctx, BLACK76_KERNEL, f, 0, n, status, 0);
  const result = assemble(f, status);
  BLACK76_KERNEL.release(f);
  if (coinGreeks) addPremiumAdjustedDelta(result, n);
  return result;
}

async function black76OnWorkers(ctx: EngineContext, a: Black76Args): Promise<PricingResult> {
  checkArgsKeys(a, BLACK76_ARG_KEYS, true);
  const p = checkBatchParallel(a as unknown as Record<string, unknown>);
  const f = BLACK76_KERNEL.acquire();
  const n = prepareBlack76(a, f);
  const status = new Uint8Array(n);
  const coinGreeks = f.flag0 === 1 && f.flag1 === 1;
  const nOut = f.nOut;
  const result = assembleOuts(await runBatchOnWorkers(ctx, 'black76', BLACK76_KERNEL, f, n, status, p), nOut, status);
  if (coinGreeks) addPremiumAdjustedDelta(result, n);
  return result;
}
