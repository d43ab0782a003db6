import type { EngineContext } from '../context.js';
import { batchLength, enumOption, inputLength, joinLength, MALFORMED, outputArray, rejectUnusableInputs, requireObject, SCALAR, type NumberInput, type OptionTypeInput } from '../batch-inputs.js';
import { runKernel, type BatchFrame } from '../batch-runner.js';
import { hasOwn } from '../data-tables.js';
import { batchKeys, checkArgsKeys } from './black-pricing.js';
import { impliedVolOne, type ImpliedVolFields } from './one-option.js';
import { checkBatchParallel, IMPLIED_VOL_KERNEL, runBatchOnWorkers, type BatchParallelOptions } from './batch-shards.js';

/** Arguments of `engine.impliedVol`. Numbers broadcast; arrays must share one length. */
export interface ImpliedVolArgs {
  /** Option prices (discounted, in the forward's currency, or in coins with `settlement: 'coin'`). */
  prices: NumberInput;
  /** Forward prices (> 0). */
  forwards: NumberInput;
  /** Strikes (> 0). */
  strikes: NumberInput;
  /** Times to expiry in years (> 0). */
  expiries: NumberInput;
  /** 'call' | 'put', an array of them, or an Int8Array of +1 / -1. */
  types: OptionTypeInput;
  /** Discount factors (> 0); default 1. */
  discountFactors?: NumberInput;
  /** `'usd'` (default) or `'coin'`: prices in coins per coin of underlying (Deribit inverse options). */
  settlement?: 'usd' | 'coin';
  /** Write the vols into this Float64Array instead of allocating (an `engine.allocateArray` array: written by the kernel in place). */
  out?: Float64Array;
}

const IMPLIED_VOL_KEYS = ['prices', 'forwards', 'strikes', 'expiries', 'types', 'discountFactors', 'settlement', 'out'] as const satisfies readonly (keyof ImpliedVolArgs)[];
type AllListed<T, K> = [Exclude<keyof T, K>] extends [never] ? true : never;
const listed: AllListed<ImpliedVolArgs, (typeof IMPLIED_VOL_KEYS)[number]> = true;
void listed;
// The one-option path reads exactly these keys (a new field must be handled there too).
const oneOptionKeys: [Exclude<keyof ImpliedVolArgs, keyof ImpliedVolFields> | Exclude<keyof ImpliedVolFields, keyof ImpliedVolArgs>] extends [never] ? true : never = true;
void oneOptionKeys;

/**
 * Whether every own enumerable key of an impliedVol call is one of {@link IMPLIED_VOL_KEYS}: a
 * chain of string compares (see hasOnlyBlackScholesKeys in black-pricing.ts); false goes to
 * checkArgsKeys for the error.
 */
export function hasOnlyImpliedVolKeys(a: object): boolean {
  for (const key in a) {
    switch (key) {
      case 'prices': case 'forwards': case 'strikes': case 'expiries': case 'types': case 'discountFactors': case 'settlement': case 'out':
        continue;
    }
    if (hasOwn(a, key)) return false;
  }
  return true;
}

/** The keys of an impliedVol call (for the test of the compare chain). */
export const IMPLIED_VOL_KEY_LIST: readonly string[] = IMPLIED_VOL_KEYS;

const IMPLIED_VOL_ARG_KEYS = batchKeys(IMPLIED_VOL_KEYS, new Map([
  ['rates', 'discountFactors'], ['rate', 'discountFactors'], ['spots', 'forwards'], ['dividendYields', 'forwards'], ['dividendYield', 'forwards'],
]));

/**
 * `vols[i]`: Black-76 implied volatility (annualised decimal), NaN unless `status[i]` is
 * {@link Status}.ok; `status[i]`: ok, invalidInput, belowIntrinsic, aboveMaximum or notConverged.
 */
export interface ImpliedVolResult {
  vols: Float64Array;
  status: Uint8Array;
}

/**
 * Validate an impliedVol call into a frame (flag1 coin, one output column). Returns n.
 * @throws InputError for a malformed call.
 */
function prepareImpliedVol(a: ImpliedVolArgs, f: BatchFrame): number {
  const coin = a.settlement === undefined ? 0 : enumOption(a.settlement, ['usd', 'coin'] as const, 'usd', 'settlement') === 'coin' ? 1 : 0;
  const d = f.data;
  d[0] = a.prices; d[1] = a.forwards; d[2] = a.strikes; d[3] = a.expiries; d[4] = a.discountFactors ?? 1; d[5] = a.types;
  let n = joinLength(inputLength(a.prices, 0), inputLength(a.forwards, 0));
  n = joinLength(n, inputLength(a.strikes, 0));
  n = joinLength(n, inputLength(a.expiries, 0));
  n = joinLength(n, inputLength(a.discountFactors, 1));
  n = joinLength(n, inputLength(a.types, 2));
  if (n === MALFORMED || n === 0) rejectUnusableInputs(d, IMPLIED_VOL_KERNEL.paths);
  if (n === MALFORMED) {
    // The exact error (first malformed field, or first length mismatch, in field order).
    batchLength({ prices: a.prices, forwards: a.forwards, strikes: a.strikes, expiries: a.expiries, discountFactors: a.discountFactors, types: a.types }, ['discountFactors']);
  }
  if (n === SCALAR) n = 1;
  IMPLIED_VOL_KERNEL.check(f);
  f.nOut = 1;
  f.outs[0] = outputArray(a.out, n, 'out');
  f.flag0 = 0;
  f.flag1 = coin;
  return n;
}

/**
 * Black-76 implied volatilities for a batch, to the accuracy double precision allows on every
 * valid input (Jaeckel's "Let's Be Rational": rational initial guesses and Householder steps on
 * the normalised Black function). A price with no implied vol gives NaN and its status; it never
 * throws and never affects the other elements.
 *
 * With `workers` (see `BatchParallelOptions`) the batch is split over the worker pool and
 * the call returns a Promise of the same result, bit for bit.
 * @throws InputError for a malformed call (wrong types, mismatched lengths, unknown option type or
 * settlement, an unknown key: `rates` suggests `discountFactors`; a bad `workers`: the Promise rejects).
 */
export function impliedVol(ctx: EngineContext, args: ImpliedVolArgs & BatchParallelOptions): Promise<ImpliedVolResult>;
export function impliedVol(ctx: EngineContext, args: ImpliedVolArgs): ImpliedVolResult;
export function impliedVol(ctx: EngineContext, args: ImpliedVolArgs): ImpliedVolResult | Promise<ImpliedVolResult> {
  const a = requireObject(args, 'args') as unknown as ImpliedVolArgs & { workers?: unknown };
  if (a.workers !== undefined) return impliedVolOnWorkers(ctx, a);
  if (!hasOnlyImpliedVolKeys(a)) checkArgsKeys(a, IMPLIED_VOL_ARG_KEYS, false);
  const one = impliedVolOne(ctx, a);
  if (one !== undefined) return one;
  const f = IMPLIED_VOL_KERNEL.acquire();
  const n = prepareImpliedVol(a, f);
  const status = new Uint8Array(n);
  runKernel(ctx, IMPLIED_VOL_KERNEL, f, 0, n, status, 0);
  const result = { vols: f.outs[0], status };
  IMPLIED_VOL_KERNEL.release(f);
  return result;
}

async function impliedVolOnWorkers(ctx: EngineContext, a: ImpliedVolArgs): Promise<ImpliedVolResult> {
  checkArgsKeys(a, IMPLIED_VOL_ARG_KEYS, true);
  const p = checkBatchParallel(a as unknown as Record<string, unknown>);
  const f = IMPLIED_VOL_KERNEL.acquire();
  const n = prepareImpliedVol(a, f);
  const status = new Uint8Array(n);
  const outs = await runBatchOnWorkers(ctx, 'impliedVol', IMPLIED_VOL_KERNEL, f, n, status, p);
  return { vols: outs[0], status };
}
