import type { EngineContext } from '../context.js';
import { InputError, KernelError } from '../errors.js';
import { batchLength, booleanOption, copyNumbers, copyTypes, enumOption, requireObject, type NumberInput, type OptionTypeInput } from '../batch-inputs.js';
import { checkColumns, type InputColumn } from '../batch-runner.js';
import { columnBytes } from '../memory-arena.js';
import { gaussLegendre } from '../math/gauss-legendre.js';
import { BATES_WORK_STRIDE, HESTON_WORK_STRIDE } from '../kernels/pricing/layout.js';
import { checkKeys } from '../option-keys.js';

/** Heston (1993) model parameters. */
export interface HestonParams {
  /** Initial variance v(0) (>= 0; 0.04 = 20% vol). */
  v0: number;
  /** Mean-reversion speed of the variance, per year (> 0). */
  kappa: number;
  /** Long-run variance (>= 0). */
  theta: number;
  /** Volatility of variance (> 0). */
  sigma: number;
  /** Correlation of the spot and variance Brownian motions, in (-1, 1). */
  rho: number;
}

/** Order of the gradient columns: row i of `gradient` is dV_i / d(v0, kappa, theta, sigma, rho). */
export const HESTON_PARAM_NAMES = ['v0', 'kappa', 'theta', 'sigma', 'rho'] as const;

/**
 * Arguments of `engine.hestonPrice`. Numbers broadcast; arrays must share one length.
 * Give `spots` (with optional `rates` and `dividendYields`: F = S e^{(r - q) T}, DF = e^{-r T}) or
 * `forwards` (with optional `discountFactors`, or `rates` for DF = e^{-r T}; default DF = 1).
 */
export interface HestonPriceArgs {
  /** Spot prices (> 0). Exclusive with `forwards`. */
  spots?: NumberInput;
  /** Forward prices to expiry (> 0). Exclusive with `spots`. */
  forwards?: NumberInput;
  /** Strikes (> 0), in the underlying's units. */
  strikes: NumberInput;
  /** Times to expiry in years (>= 0). */
  expiries: NumberInput;
  /** 'call' | 'put', an array of them, or an Int8Array of +1 / -1. */
  types: OptionTypeInput;
  /** Risk-free rates, continuously compounded, as decimals; default 0. */
  rates?: NumberInput;
  /** Continuous dividend (or foreign-rate) yields as decimals, with `spots` only; default 0. */
  dividendYields?: NumberInput;
  /** Discount factors to the payment date (> 0), with `forwards` only (instead of `rates`). */
  discountFactors?: NumberInput;
  /** Model parameters (one set for the whole batch); Bates parameters are accepted with lambda = 0 (no jumps). */
  params: HestonParams | (BatesParams & { lambda: 0 });
  /** Also return dV/d(v0, kappa, theta, sigma, rho). Default false. */
  gradient?: boolean;
  /**
   * `'default'`: 16 Gauss-Legendre nodes per panel, tail tolerance 1e-15 (Lewis's reference
   * prices to ~1e-15 relative). `'high'`: 24 nodes per panel, tolerance 1e-17.
   */
  precision?: 'default' | 'high';
}

/**
 * Heston prices. `price[i]` is the discounted option value in the strike's currency;
 * `gradient` (with `gradient: true`) is row-major n x 5: `gradient[5 i + k]` = dV_i / dp_k for
 * p = (v0, kappa, theta, sigma, rho) (see {@link HESTON_PARAM_NAMES}), the Levenberg-Marquardt
 * Jacobian of a price fit. `status[i]` is {@link Status}.ok, .invalidInput (an input out of its
 * domain, a bound DF F or DF K that is not a finite number, or sigma below 1.5e-154, whose square
 * the formulas cannot divide by) or .notConverged (the quadrature needed more than its panel
 * budget: expiries of minutes with strikes far out, |ln(F/K)| of tens; the characteristic
 * function overflowed, e.g. kappa or theta of 1e308; or the price fell outside its no-arbitrage
 * bounds by more than 1e-12 DF sqrt(F K)); both give NaN in the price and the gradient row.
 * An ok price lies within DF max(+-(F - K), 0) <= price <= DF F (call) or DF K (put): rounding
 * and quadrature errors (about 1e-15 DF sqrt(F K)) that cross a bound are put on it.
 */
export interface HestonPriceResult {
  price: Float64Array;
  status: Uint8Array;
  gradient?: Float64Array;
}

interface QuadratureSettings {
  nodes: number;
  tolerance: number;
  maxPanels: number;
}

const PRECISION: Record<'default' | 'high', QuadratureSettings> = {
  default: { nodes: 16, tolerance: 1e-15, maxPanels: 512 },
  high: { nodes: 24, tolerance: 1e-17, maxPanels: 512 },
};

/** Bates (1996) parameters: Heston's plus Merton (1976) lognormal jumps in the log price. */
export interface BatesParams extends HestonParams {
  /** Jump intensity, jumps per year (>= 0). */
  lambda: number;
  /** Mean of the log jump size ln(1 + J) (a decimal: -0.1 is a mean jump of about -10%). */
  muJ: number;
  /** Standard deviation of the log jump size (>= 0). */
  deltaJ: number;
}

/** Order of the Bates gradient columns: row i is dV_i / d(v0, kappa, theta, sigma, rho, lambda, muJ, deltaJ). */
export const BATES_PARAM_NAMES = ['v0', 'kappa', 'theta', 'sigma', 'rho', 'lambda', 'muJ', 'deltaJ'] as const;

/** Arguments of `engine.batesPrice`: as {@link HestonPriceArgs}, with Bates parameters. */
export interface BatesPriceArgs extends Omit<HestonPriceArgs, 'params'> {
  params: BatesParams;
}

/**
 * Bates prices: as {@link HestonPriceResult}, with `gradient` row-major n x 8 in the order of
 * {@link BATES_PARAM_NAMES}.
 */
export type BatesPriceResult = HestonPriceResult;

/** The keys of {@link HestonPriceArgs} (and {@link BatesPriceArgs}): any other key is an InputError. */
const ARG_KEYS = [
  'spots', 'forwards', 'strikes', 'expiries', 'types', 'rates', 'dividendYields', 'discountFactors', 'params', 'gradient', 'precision',
] as const satisfies readonly (keyof HestonPriceArgs)[];
// Compile-time check that ARG_KEYS lists every key of the args type (a new option must be added there).
const ARG_KEYS_COMPLETE: [Exclude<keyof HestonPriceArgs, (typeof ARG_KEYS)[number]>] extends [never] ? true : never = true;
void ARG_KEYS_COMPLETE;
const PARAM_KEYS_COMPLETE: [Exclude<keyof BatesParams, (typeof BATES_PARAM_NAMES)[number]>] extends [never] ? true : never = true;
void PARAM_KEYS_COMPLETE;

function checkParams(p: unknown): HestonParams {
  const o = requireObject(p, 'params');
  // A BatesParams object is a HestonParams (TypeScript subtyping): hestonPrice accepts the jump
  // keys when lambda is 0 (no jumps; checked by the caller), any other key is a mistake.
  checkKeys(o, BATES_PARAM_NAMES, 'params');
  const need = (key: keyof HestonParams, ok: (v: number) => boolean, expected: string): number => {
    const v = o[key];
    if (typeof v !== 'number' || !Number.isFinite(v) || !ok(v)) throw new InputError(`params.${key}`, v, expected);
    return v;
  };
  return {
    v0: need('v0', (v) => v >= 0, 'a finite number >= 0'),
    kappa: need('kappa', (v) => v > 0, 'a finite number > 0'),
    theta: need('theta', (v) => v >= 0, 'a finite number >= 0'),
    sigma: need('sigma', (v) => v > 0, 'a finite number > 0'),
    rho: need('rho', (v) => v > -1 && v < 1, 'a number in (-1, 1)'),
  };
}

/**
 * Heston (1993) European option prices, and optionally their gradient with respect to the five
 * model parameters, for a batch sharing one parameter set. Semi-analytic: Lewis's single Fourier
 * integral with a Black-Scholes control variate, the characteristic function in the "little
 * trap" form (Albrecher et al. 2007) and its analytic parameter derivatives (Cui et al. 2017),
 * integrated by graded composite Gauss-Legendre quadrature (see assembly/pricing/heston.ts).
 * Each option's quadrature depends only on its own inputs, the expiry and the parameters (so
 * no option changes another's result, by one bit, whatever the batch or chunk size); options
 * of one expiry with similar |ln(F/K)| reuse one set of characteristic-function values, so a
 * surface of E expiries costs a few evaluations of the characteristic function per node and
 * expiry, not one per option.
 *
 * Units: expiries in years, rates and yields continuously compounded decimals, variances as
 * decimals (v0 = 0.04 is 20% vol), kappa per year.
 * @throws InputError for a malformed call: wrong types, mismatched lengths, both or neither of
 * `spots` / `forwards`, a parameter out of its domain (`path` is e.g. `'params.rho'`), or an
 * unknown key in the arguments or `params` (`suggestion` names the closest valid one; the jump
 * keys of a {@link BatesParams} object are accepted and ignored).
 * Per-element domain problems (NaN, strike <= 0, negative expiry...) give NaN and
 * `Status.invalidInput`.
 * @example
 * engine.hestonPrice({ spots: 100, strikes: [90, 100, 110], expiries: 1, rates: 0.01, dividendYields: 0.02,
 *   types: 'call', params: { v0: 0.04, kappa: 4, theta: 0.25, sigma: 1, rho: -0.5 } }).price[1]
 * // 16.070154917028834 (Alan Lewis's reference value 16.0701549170288342782...)
 */
export function hestonPrice(ctx: EngineContext, args: HestonPriceArgs): HestonPriceResult {
  return semiAnalyticPrice(ctx, args, false);
}

/**
 * Bates (1996) European option prices: Heston with Merton lognormal jumps in the log price,
 * characteristic function the Heston one times exp(T lambda (e^{iz muJ - z^2 deltaJ^2/2} - 1 - iz kbar)),
 * kbar = e^{muJ + deltaJ^2/2} - 1 (the compensator keeps the forward), and optionally the gradient
 * in the eight parameters (row-major n x 8, {@link BATES_PARAM_NAMES}). Same method, units and
 * statuses as {@link hestonPrice}; with lambda = 0 the prices are Heston's.
 * @throws InputError as {@link hestonPrice}, and for lambda < 0, deltaJ < 0 or a non-finite muJ.
 * @example
 * engine.batesPrice({ forwards: 100, strikes: 100, expiries: 1, types: 'call',
 *   params: { v0: 0.04, kappa: 2, theta: 0.04, sigma: 0.5, rho: -0.7, lambda: 0.5, muJ: -0.1, deltaJ: 0.15 } }).price[0]
 */
export function batesPrice(ctx: EngineContext, args: BatesPriceArgs): BatesPriceResult {
  return semiAnalyticPrice(ctx, args, true);
}

function checkJumps(p: unknown): { lambda: number; muJ: number; deltaJ: number } {
  const o = requireObject(p, 'params');
  const need = (key: 'lambda' | 'muJ' | 'deltaJ', ok: (v: number) => boolean, expected: string): number => {
    const v = o[key];
    if (typeof v !== 'number' || !Number.isFinite(v) || !ok(v)) throw new InputError(`params.${key}`, v, expected);
    return v;
  };
  return {
    lambda: need('lambda', (v) => v >= 0, 'a finite number >= 0'),
    muJ: need('muJ', () => true, 'a finite number'),
    deltaJ: need('deltaJ', (v) => v >= 0, 'a finite number >= 0'),
  };
}

function semiAnalyticPrice(ctx: EngineContext, args: HestonPriceArgs | BatesPriceArgs, withJumps: boolean): HestonPriceResult {
  const a = requireObject(args, 'args') as unknown as HestonPriceArgs;
  checkKeys(a, ARG_KEYS, '');
  const grad = booleanOption(a.gradient, false, 'gradient');
  const precision = enumOption(a.precision, ['default', 'high'] as const, 'default', 'precision');
  const params = checkParams(a.params);
  const jumps = withJumps ? checkJumps(a.params) : null;
  if (!withJumps) {
    // hestonPrice has no jumps: Bates params (TypeScript lets them through) are checked as such,
    // and a jump intensity other than 0 would be silently dropped.
    const o = a.params as unknown as Record<string, unknown>;
    if (o.lambda !== undefined || o.muJ !== undefined || o.deltaJ !== undefined) {
      const j = checkJumps(o);
      if (j.lambda !== 0) throw new InputError('params.lambda', j.lambda, '0 or absent in hestonPrice (batesPrice prices jumps)');
    }
  }
  const nP = withJumps ? 8 : 5;
  const stride = withJumps ? BATES_WORK_STRIDE : HESTON_WORK_STRIDE;
  const onSpot = a.spots !== undefined;
  if (onSpot === (a.forwards !== undefined)) {
    throw new InputError(onSpot ? 'forwards' : 'spots', onSpot ? a.forwards : a.spots, onSpot ? 'absent when spots are given' : 'spots or forwards');
  }
  if (onSpot && a.discountFactors !== undefined) throw new InputError('discountFactors', a.discountFactors, 'absent with spots (give rates)');
  if (!onSpot && a.dividendYields !== undefined) throw new InputError('dividendYields', a.dividendYields, 'absent with forwards');
  if (!onSpot && a.rates !== undefined && a.discountFactors !== undefined) throw new InputError('rates', a.rates, 'absent when discountFactors are given');
  const underlyingPath = onSpot ? 'spots' : 'forwards';
  const underlying = (onSpot ? a.spots : a.forwards) as NumberInput;
  const fields = {
    [underlyingPath]: underlying, strikes: a.strikes, expiries: a.expiries, types: a.types,
    rates: a.rates, dividendYields: a.dividendYields, discountFactors: a.discountFactors,
  };
  const n = batchLength(fields, ['rates', 'dividendYields', 'discountFactors']);
  const columns: InputColumn[] = [
    { kind: 'f64', data: underlying, path: underlyingPath },
    { kind: 'f64', data: a.strikes, path: 'strikes' },
    { kind: 'f64', data: a.expiries, path: 'expiries' },
    { kind: 'i8', data: a.types, path: 'types' },
  ];
  if (a.rates !== undefined) columns.push({ kind: 'f64', data: a.rates, path: 'rates' });
  if (a.dividendYields !== undefined) columns.push({ kind: 'f64', data: a.dividendYields, path: 'dividendYields' });
  if (a.discountFactors !== undefined) columns.push({ kind: 'f64', data: a.discountFactors, path: 'discountFactors' });
  checkColumns(columns);

  // Forwards and discount factors (fresh arrays: the caller's are never written).
  const F = new Float64Array(n), K = new Float64Array(n), T = new Float64Array(n), DF = new Float64Array(n);
  const types = new Int8Array(n);
  copyNumbers(F, 0, underlying, 0, n);
  copyNumbers(K, 0, a.strikes, 0, n);
  copyNumbers(T, 0, a.expiries, 0, n);
  copyTypes(types, 0, a.types, 0, n);
  if (a.discountFactors !== undefined) copyNumbers(DF, 0, a.discountFactors, 0, n);
  else DF.fill(1);
  if (a.rates !== undefined || a.dividendYields !== undefined) {
    const r = new Float64Array(n), q = new Float64Array(n);
    if (a.rates !== undefined) copyNumbers(r, 0, a.rates, 0, n);
    if (a.dividendYields !== undefined) copyNumbers(q, 0, a.dividendYields, 0, n);
    for (let i = 0; i < n; i++) {
      if (onSpot) F[i] *= Math.exp((r[i] - q[i]) * T[i]);
      if (a.discountFactors === undefined) DF[i] = Math.exp(-r[i] * T[i]);
    }
  }

  // Order by expiry, then |ln(F/K)|: the kernel reuses characteristic-function values between
  // neighbours that share an expiry and a panel layout (results do not depend on the order).
  const order = batchOrder(T, F, K);
  if (order !== null) {
    for (const col of [F, K, T, DF]) {
      const src = col.slice();
      for (let i = 0; i < n; i++) col[i] = src[order[i]];
    }
    const src = types.slice();
    for (let i = 0; i < n; i++) types[i] = src[order[i]];
  }

  const price = new Float64Array(n);
  const status = new Uint8Array(n);
  const gradient = grad ? new Float64Array(nP * n) : undefined;
  const settings = PRECISION[precision];
  const rule = gaussLegendre(settings.nodes);
  const { arena, kernels } = ctx;
  const chunk = ctx.chunkSize;
  for (let start = 0; start < n; start += chunk) {
    const m = Math.min(chunk, n - start);
    arena.reset();
    const workBytes = (settings.maxPanels * stride + 2) * settings.nodes * 8;
    arena.reserve(6 * columnBytes(m, 8) + 2 * columnBytes(m, 1) + columnBytes(nP * m, 8) + 2 * columnBytes(settings.nodes, 8) + workBytes + 16);
    const pF = arena.alloc(m * 8), pK = arena.alloc(m * 8), pT = arena.alloc(m * 8), pD = arena.alloc(m * 8);
    const pType = arena.alloc(m);
    const pNodes = arena.alloc(settings.nodes * 8), pWeights = arena.alloc(settings.nodes * 8);
    const pWork = arena.alloc(workBytes);
    const pOut = arena.alloc(m * 8);
    const pGrad = arena.alloc(grad ? nP * m * 8 : 8);
    const pStatus = arena.alloc(m);
    const v = arena.views; // after every alloc: no view survives a grow
    v.f64.set(F.subarray(start, start + m), pF >>> 3);
    v.f64.set(K.subarray(start, start + m), pK >>> 3);
    v.f64.set(T.subarray(start, start + m), pT >>> 3);
    v.f64.set(DF.subarray(start, start + m), pD >>> 3);
    v.i8.set(types.subarray(start, start + m), pType);
    v.f64.set(rule.nodes, pNodes >>> 3);
    v.f64.set(rule.weights, pWeights >>> 3);
    const rc = jumps === null
      ? kernels.hestonPriceBatch(
        m, pF, pK, pT, pD, pType, params.v0, params.kappa, params.theta, params.sigma, params.rho,
        settings.nodes, pNodes, pWeights, settings.tolerance, settings.maxPanels, pWork,
        grad ? 1 : 0, pOut, pGrad, pStatus,
      )
      : kernels.batesPriceBatch(
        m, pF, pK, pT, pD, pType, params.v0, params.kappa, params.theta, params.sigma, params.rho, jumps.lambda, jumps.muJ, jumps.deltaJ,
        settings.nodes, pNodes, pWeights, settings.tolerance, settings.maxPanels, pWork,
        grad ? 1 : 0, pOut, pGrad, pStatus,
      );
    if (rc !== 0) throw new KernelError(jumps === null ? 'hestonPriceBatch' : 'batesPriceBatch', rc);
    const after = arena.views;
    const iOut = pOut >>> 3, iGrad = pGrad >>> 3;
    for (let j = 0; j < m; j++) {
      const dst = order === null ? start + j : order[start + j];
      price[dst] = after.f64[iOut + j];
      status[dst] = after.u8[pStatus + j];
      if (gradient !== undefined) for (let k = 0; k < nP; k++) gradient[nP * dst + k] = after.f64[iGrad + nP * j + k];
    }
  }
  const result: HestonPriceResult = { price, status };
  if (gradient !== undefined) result.gradient = gradient;
  return result;
}

/**
 * A stable permutation sorting by expiry, then |ln(F/K)| (NaN last in each), or null if already in
 * that order. The kernel reuses characteristic-function values between consecutive elements with
 * the same expiry and the same panel layout (which depends on |ln(F/K)|); the order never changes
 * a result, only how often those values are recomputed.
 */
function batchOrder(T: Float64Array, F: Float64Array, K: Float64Array): Int32Array | null {
  const n = T.length;
  const ax = new Float64Array(n);
  for (let i = 0; i < n; i++) ax[i] = Math.abs(Math.log(F[i] / K[i]));
  const cmp = (a: number, b: number): number => {
    if (a < b) return -1;
    if (a > b) return 1;
    if (a === b) return 0;
    return Number.isNaN(a) ? (Number.isNaN(b) ? 0 : 1) : -1;
  };
  const compare = (i: number, j: number): number => cmp(T[i], T[j]) || cmp(ax[i], ax[j]);
  let sorted = true;
  for (let i = 1; i < n && sorted; i++) if (compare(i - 1, i) > 0) sorted = false;
  if (sorted) return null;
  const idx = Array.from({ length: n }, (_, i) => i);
  idx.sort((i, j) => compare(i, j) || i - j);
  return Int32Array.from(idx);
}
