import type { EngineContext } from '../context.js';
import { batchLength, enumOption, outputArray, requireObject, type NumberInput, type OptionTypeInput } from '../batch-inputs.js';
import { checkColumns, runBatch, type InputColumn } from '../batch-runner.js';
import { checkArgsKeys } from './black-pricing.js';

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
  /** Write the vols into this Float64Array instead of allocating. */
  out?: Float64Array;
}

const IMPLIED_VOL_KEYS = ['prices', 'forwards', 'strikes', 'expiries', 'types', 'discountFactors', 'settlement', 'out'] as const satisfies readonly (keyof ImpliedVolArgs)[];
type AllListed<T, K> = [Exclude<keyof T, K>] extends [never] ? true : never;
const listed: AllListed<ImpliedVolArgs, (typeof IMPLIED_VOL_KEYS)[number]> = true;
void listed;
const IMPLIED_VOL_HINTS: ReadonlyMap<string, string> = new Map([
  ['rates', 'discountFactors'], ['rate', 'discountFactors'], ['spots', 'forwards'], ['dividendYields', 'forwards'], ['dividendYield', 'forwards'],
]);

/**
 * `vols[i]`: Black-76 implied volatility (annualised decimal), NaN unless `status[i]` is
 * {@link Status}.ok; `status[i]`: ok, invalidInput, belowIntrinsic, aboveMaximum or notConverged.
 */
export interface ImpliedVolResult {
  vols: Float64Array;
  status: Uint8Array;
}

/**
 * Black-76 implied volatilities for a batch, to the accuracy double precision allows on every
 * valid input (Jaeckel's "Let's Be Rational": rational initial guesses and Householder steps on
 * the normalised Black function). A price with no implied vol gives NaN and its status; it never
 * throws and never affects the other elements.
 * @throws InputError for a malformed call (wrong types, mismatched lengths, unknown option type or
 * settlement, an unknown key: `rates` suggests `discountFactors`).
 */
export function impliedVol(ctx: EngineContext, args: ImpliedVolArgs): ImpliedVolResult {
  const a = requireObject(args, 'args') as unknown as ImpliedVolArgs;
  checkArgsKeys(a, IMPLIED_VOL_KEYS, IMPLIED_VOL_HINTS);
  const settlement = enumOption(a.settlement, ['usd', 'coin'] as const, 'usd', 'settlement');
  const fields = { prices: a.prices, forwards: a.forwards, strikes: a.strikes, expiries: a.expiries, discountFactors: a.discountFactors, types: a.types };
  const n = batchLength(fields, ['discountFactors']);
  const columns: InputColumn[] = [
    { kind: 'f64', data: a.prices, path: 'prices' },
    { kind: 'f64', data: a.forwards, path: 'forwards' },
    { kind: 'f64', data: a.strikes, path: 'strikes' },
    { kind: 'f64', data: a.expiries, path: 'expiries' },
    { kind: 'f64', data: a.discountFactors ?? 1, path: 'discountFactors' },
    { kind: 'i8', data: a.types, path: 'types' },
  ];
  checkColumns(columns);
  const vols = outputArray(a.out, n, 'out');
  const status = new Uint8Array(n);
  const k = ctx.kernels;
  const coin = settlement === 'coin' ? 1 : 0;
  runBatch(ctx, 'impliedVolatilityBatch', n, columns, [vols], status, (m, p, pOut, pStatus) =>
    k.impliedVolatilityBatch(m, p[0], p[1], p[2], p[3], p[4], p[5], coin, pOut, pStatus));
  return { vols, status };
}
