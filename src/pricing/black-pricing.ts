import type { EngineContext } from '../context.js';
import { batchLength, booleanOption, enumOption, outputArray, requireObject, type NumberInput, type OptionTypeInput } from '../batch-inputs.js';
import { checkColumns, runBatch, type InputColumn } from '../batch-runner.js';
import { InputError } from '../errors.js';
import { checkKeys } from '../option-keys.js';


/** Greek columns, in kernel output order after the price. */
export const GREEK_NAMES = ['delta', 'gamma', 'vega', 'theta', 'rho', 'vanna', 'volga'] as const;

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

/** Caller-supplied output arrays (each a Float64Array of the batch length), written in place. */
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
const OUT_KEYS = ['price', ...GREEK_NAMES] as const satisfies readonly (keyof PricingOut)[];
type AllListed<T, K> = [Exclude<keyof T, K>] extends [never] ? true : never;
const listed: [AllListed<BlackScholesArgs, (typeof BLACK_SCHOLES_KEYS)[number]>, AllListed<Black76Args, (typeof BLACK76_KEYS)[number]>] = [true, true];
void listed;

/**
 * checkKeys with hints for the other model's discounting key: Black-76 has no `rates` (it takes
 * `discountFactors`), Black-Scholes has no `discountFactors` (it takes `rates`), which edit distance
 * would not suggest.
 * @throws InputError naming the unknown key (path = the key) and the valid key to use.
 */
export function checkArgsKeys(args: object, allowed: readonly string[], hints: ReadonlyMap<string, string>): void {
  for (const key of Object.keys(args)) {
    if (allowed.includes(key)) continue;
    const hint = hints.get(key);
    if (hint !== undefined) {
      throw new InputError(key, (args as Record<string, unknown>)[key], `no such option (this model takes '${hint}')`, hint);
    }
    checkKeys(args, allowed, '');
  }
}

const BLACK_SCHOLES_HINTS: ReadonlyMap<string, string> = new Map([['discountFactors', 'rates'], ['discountFactor', 'rates'], ['forwards', 'spots']]);
const BLACK76_HINTS: ReadonlyMap<string, string> = new Map([
  ['rates', 'discountFactors'], ['rate', 'discountFactors'], ['dividendYields', 'forwards'], ['dividendYield', 'forwards'], ['spots', 'forwards'],
]);

function outputs(n: number, greeks: boolean, out: unknown): Float64Array[] {
  const o = out === undefined ? {} : requireObject(out, 'out');
  if (out !== undefined) checkKeys(o, OUT_KEYS, 'out');
  if (!greeks) {
    // A greek array would never be written without greeks: true.
    const unused = Object.keys(o).find((k) => k !== 'price' && o[k] !== undefined);
    if (unused !== undefined) throw new InputError(`out.${unused}`, o[unused], 'absent unless greeks: true');
  }
  const names = greeks ? ['price', ...GREEK_NAMES] : ['price'];
  return names.map((k) => outputArray(o[k], n, `out.${k}`));
}

function assemble(cols: Float64Array[], status: Uint8Array): PricingResult {
  const r: PricingResult = { price: cols[0], status };
  if (cols.length > 1) GREEK_NAMES.forEach((g, k) => (r[g] = cols[k + 1]));
  return r;
}

/**
 * Black-Scholes-Merton European prices (and greeks) for a batch, on spot with a continuous
 * dividend yield. Units: expiries in years, vols and rates as decimals (rates continuously
 * compounded); see {@link PricingResult} for the greeks.
 * @throws InputError for a malformed call (wrong types, mismatched lengths, unknown option type,
 * an unknown key: `dividendYield` suggests `dividendYields`).
 * Per-element domain problems (NaN, spot <= 0, negative vol...) give NaN and `Status.invalidInput`.
 */
export function blackScholes(ctx: EngineContext, args: BlackScholesArgs & { greeks: true }): PricingResultWithGreeks;
export function blackScholes(ctx: EngineContext, args: BlackScholesArgs): PricingResult;
export function blackScholes(ctx: EngineContext, args: BlackScholesArgs): PricingResult {
  const a = requireObject(args, 'args') as unknown as BlackScholesArgs;
  checkArgsKeys(a, BLACK_SCHOLES_KEYS, BLACK_SCHOLES_HINTS);
  const greeks = booleanOption(a.greeks, false, 'greeks');
  const fields = { spots: a.spots, strikes: a.strikes, expiries: a.expiries, vols: a.vols, rates: a.rates, dividendYields: a.dividendYields, types: a.types };
  const n = batchLength(fields, ['dividendYields']);
  const columns: InputColumn[] = [
    { kind: 'f64', data: a.spots, path: 'spots' },
    { kind: 'f64', data: a.strikes, path: 'strikes' },
    { kind: 'f64', data: a.expiries, path: 'expiries' },
    { kind: 'f64', data: a.vols, path: 'vols' },
    { kind: 'f64', data: a.rates, path: 'rates' },
    { kind: 'f64', data: a.dividendYields ?? 0, path: 'dividendYields' },
    { kind: 'i8', data: a.types, path: 'types' },
  ];
  checkColumns(columns);
  const cols = outputs(n, greeks, a.out);
  const status = new Uint8Array(n);
  const k = ctx.kernels;
  runBatch(ctx, 'blackScholesBatch', n, columns, cols, status, (m, p, pOut, pStatus) =>
    k.blackScholesBatch(m, p[0], p[1], p[2], p[3], p[4], p[5], p[6], greeks ? 1 : 0, pOut, pStatus));
  return assemble(cols, status);
}

/**
 * Black-76 European prices (and greeks) for a batch, on the forward with a discount factor;
 * `settlement: 'coin'` prices Deribit-style inverse options in coins.
 * @throws InputError for a malformed call (an unknown key too: `rates` suggests `discountFactors`).
 * Per-element domain problems give NaN and `Status.invalidInput`.
 */
export function black76(ctx: EngineContext, args: Black76Args & { greeks: true; settlement: 'coin' }): CoinPricingResultWithGreeks;
export function black76(ctx: EngineContext, args: Black76Args & { greeks: true }): PricingResultWithGreeks;
export function black76(ctx: EngineContext, args: Black76Args): PricingResult;
export function black76(ctx: EngineContext, args: Black76Args): PricingResult {
  const a = requireObject(args, 'args') as unknown as Black76Args;
  checkArgsKeys(a, BLACK76_KEYS, BLACK76_HINTS);
  const greeks = booleanOption(a.greeks, false, 'greeks');
  const settlement = enumOption(a.settlement, ['usd', 'coin'] as const, 'usd', 'settlement');
  const fields = { forwards: a.forwards, strikes: a.strikes, expiries: a.expiries, vols: a.vols, discountFactors: a.discountFactors, types: a.types };
  const n = batchLength(fields, ['discountFactors']);
  const columns: InputColumn[] = [
    { kind: 'f64', data: a.forwards, path: 'forwards' },
    { kind: 'f64', data: a.strikes, path: 'strikes' },
    { kind: 'f64', data: a.expiries, path: 'expiries' },
    { kind: 'f64', data: a.vols, path: 'vols' },
    { kind: 'f64', data: a.discountFactors ?? 1, path: 'discountFactors' },
    { kind: 'i8', data: a.types, path: 'types' },
  ];
  checkColumns(columns);
  const cols = outputs(n, greeks, a.out);
  const status = new Uint8Array(n);
  const k = ctx.kernels;
  const coin = settlement === 'coin' ? 1 : 0;
  runBatch(ctx, 'black76Batch', n, columns, cols, status, (m, p, pOut, pStatus) =>
    k.black76Batch(m, p[0], p[1], p[2], p[3], p[4], p[5], coin, greeks ? 1 : 0, pOut, pStatus));
  const result = assemble(cols, status);
  if (coin && greeks) {
    const adj = new Float64Array(n);
    for (let i = 0; i < n; i++) adj[i] = result.delta![i] - result.price[i];
    result.premiumAdjustedDelta = adj;
  }
  return result;
}

