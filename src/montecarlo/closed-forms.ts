/**
 * Closed-form prices the Monte Carlo engine uses as control-variate means and its tests use as
 * references: Black-Scholes-Merton, the discretely monitored geometric-average Asian option, the
 * Reiner-Rubinstein continuously monitored single-barrier options and Merton's jump-diffusion
 * series. Plain TypeScript (scalar, not batch): units as everywhere in riskwasm, time in years,
 * rates continuously compounded, vols annualised decimals.
 */
import { normalCdf } from '../math/normal-distribution.js';
import type { OptionType } from '../batch-inputs.js';
import { InputError } from '../errors.js';
import { requireNumber, requireNumberArray, requireRecord } from '../arguments.js';
import { checkKeys } from '../option-keys.js';
import { MAX_MATRIX_SIZE, squareMatrix } from './correlation.js';

const sgn = (type: OptionType): number => (type === 'call' ? 1 : -1);

/** @throws InputError unless `v` is 'call' or 'put' (anything else used to price a put). */
function requireType(v: unknown, path: string): OptionType {
  if (v !== 'call' && v !== 'put') throw new InputError(path, v, "'call' or 'put'");
  return v;
}

/** Numbers only; the domain (which gives NaN outside) is each function's. */
function requireNumbers(values: readonly unknown[], names: readonly string[]): void {
  for (let i = 0; i < values.length; i++) if (typeof values[i] !== 'number') requireNumber(values[i], names[i]!);
}

const BSM_NAMES = ['spot', 'strike', 'expiry', 'rate', 'dividendYield', 'vol'] as const;

/**
 * Black-Scholes-Merton price of a European option on spot with a continuous dividend yield.
 * Units: time in years, rates and yields continuously compounded, vols annualised decimals.
 * Vol or expiry 0 gives the discounted intrinsic value. Out of the domain (spot, strike, expiry
 * or vol negative or NaN) the result is NaN, not an error.
 * @throws InputError when an argument is not a number or `type` is not 'call' or 'put'.
 * @example bsmPrice(100, 100, 1, 0.05, 0, 0.2, 'call') // 10.450583572185565
 */
export function bsmPrice(spot: number, strike: number, expiry: number, rate: number, dividendYield: number, vol: number, type: OptionType): number {
  // The array of the slow path is built only when a check fails (this is called in loops).
  if (typeof spot !== 'number' || typeof strike !== 'number' || typeof expiry !== 'number' || typeof rate !== 'number' ||
    typeof dividendYield !== 'number' || typeof vol !== 'number') requireNumbers([spot, strike, expiry, rate, dividendYield, vol], BSM_NAMES);
  if (type !== 'call' && type !== 'put') requireType(type, 'type');
  if (!(spot >= 0 && strike >= 0 && expiry >= 0 && vol >= 0)) return NaN;
  return bsmCore(spot, strike, expiry, rate, dividendYield, vol, type);
}

/** {@link bsmPrice} on checked arguments (the series and the barrier formulas call it). */
function bsmCore(spot: number, strike: number, expiry: number, rate: number, dividendYield: number, vol: number, type: OptionType): number {
  const th = sgn(type);
  const F = spot * Math.exp((rate - dividendYield) * expiry);
  const DF = Math.exp(-rate * expiry);
  const s = vol * Math.sqrt(expiry);
  if (!(s > 0) || !(strike > 0)) return DF * Math.max(th * (F - strike), 0);
  const d1 = Math.log(F / strike) / s + 0.5 * s;
  return DF * th * (F * normalCdf(th * d1) - strike * normalCdf(th * (d1 - s)));
}

/**
 * Black-Scholes-Merton cash-or-nothing digital: cash e^{-rT} N(theta d2).
 * Units: time in years, rates and yields continuously compounded, vols annualised decimals.
 * Out of the domain (spot, strike, expiry or vol negative or NaN) the result is NaN, as it is at
 * vol sqrt(T) = 0 with the forward exactly at the strike; not an error.
 * @throws InputError when an argument is not a number or `type` is not 'call' or 'put'.
 */
export function bsmDigitalPrice(spot: number, strike: number, expiry: number, rate: number, dividendYield: number, vol: number, type: OptionType, cash = 1): number {
  requireNumbers([spot, strike, expiry, rate, dividendYield, vol, cash], [...BSM_NAMES, 'cash']);
  requireType(type, 'type');
  if (!(spot >= 0 && strike >= 0 && expiry >= 0 && vol >= 0)) return NaN;
  const th = sgn(type);
  const s = vol * Math.sqrt(expiry);
  const d2 = (Math.log(spot / strike) + (rate - dividendYield) * expiry) / s - 0.5 * s;
  return cash * Math.exp(-rate * expiry) * normalCdf(th * d2);
}

/**
 * Geometric-average Asian option under GBM, average over the n equally spaced dates
 * t_i = i T / n, i = 1..n (S_0 excluded): ln G is normal with mean
 * ln S + (r - q - vol^2/2) T (n + 1)/(2n) and variance vol^2 T (n + 1)(2n + 1)/(6 n^2)
 * (Kemna and Vorst 1990, discrete version). Used as the control-variate mean for arithmetic Asians.
 * Units: time in years, rates and yields continuously compounded, vols annualised decimals.
 * Out of the domain (spot, strike, expiry or vol negative or NaN, or `n` not an integer >= 1) the
 * result is NaN, not an error.
 * @throws InputError when an argument is not a number or `type` is not 'call' or 'put'.
 */
export function geometricAsianPrice(
  spot: number, strike: number, expiry: number, rate: number, dividendYield: number, vol: number, type: OptionType, n: number,
): number {
  requireNumbers([spot, strike, expiry, rate, dividendYield, vol], BSM_NAMES);
  requireType(type, 'type');
  requireNumber(n, 'n');
  if (!(spot >= 0 && strike >= 0 && expiry >= 0 && vol >= 0 && Number.isInteger(n) && n >= 1)) return NaN;
  const th = sgn(type);
  const meanLog = Math.log(spot) + (rate - dividendYield - 0.5 * vol * vol) * expiry * (n + 1) / (2 * n);
  const varLog = vol * vol * expiry * (n + 1) * (2 * n + 1) / (6 * n * n);
  const sd = Math.sqrt(varLog);
  const DF = Math.exp(-rate * expiry);
  const FG = Math.exp(meanLog + 0.5 * varLog);
  if (!(sd > 0) || !(strike > 0)) return DF * Math.max(th * (FG - strike), 0);
  const d1 = (Math.log(FG / strike) + 0.5 * varLog) / sd;
  return DF * th * (FG * normalCdf(th * d1) - strike * normalCdf(th * (d1 - sd)));
}

/** Arguments of {@link barrierPrice}. */
export interface BarrierPriceArgs {
  spot: number;
  strike: number;
  barrier: number;
  expiry: number;
  rate: number;
  dividendYield: number;
  vol: number;
  type: OptionType;
  direction: 'up' | 'down';
  knock: 'in' | 'out';
  /** Cash rebate (default 0): knock-in pays it at expiry if never knocked in; knock-out per `rebateTiming`. */
  rebate?: number;
  /** When a knock-out pays its rebate: at the hit (Reiner-Rubinstein's F term, Haug's tables) or at expiry (default, as the Monte Carlo engine). */
  rebateTiming?: 'hit' | 'expiry';
}

/** Keys of {@link BarrierPriceArgs} (an unknown key is an InputError with the closest one). */
const BARRIER_KEYS = [
  'spot', 'strike', 'barrier', 'expiry', 'rate', 'dividendYield', 'vol', 'type', 'direction', 'knock', 'rebate', 'rebateTiming',
] as const satisfies readonly (keyof BarrierPriceArgs)[];
const BARRIER_NUMBERS = ['spot', 'strike', 'barrier', 'expiry', 'rate', 'dividendYield', 'vol'] as const satisfies readonly (keyof BarrierPriceArgs)[];

function enumField<T extends string>(v: unknown, allowed: readonly T[], path: string): T {
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) throw new InputError(path, v, allowed.map((x) => `'${x}'`).join(' or '));
  return v as T;
}

/**
 * Continuously monitored single-barrier option under Black-Scholes-Merton: Reiner and Rubinstein
 * (1991), "Breaking down the barriers", Risk 4(8), in the A..F notation of E. G. Haug, The
 * Complete Guide to Option Pricing Formulas, 2nd ed. (2007), section 4.17.1. If the spot is
 * already at or beyond the barrier the option is knocked: a knock-in is the vanilla, a knock-out
 * its rebate (paid now for 'hit', at expiry for 'expiry').
 * Units: time in years, rates and yields continuously compounded, vols annualised decimals.
 * Out of the domain (spot or barrier <= 0, strike, expiry or vol negative, any of them NaN; or,
 * not yet knocked, vol sqrt(T) = 0) the result is NaN, not an error.
 * @throws InputError naming the field (`spot`, `type`, ...) when `a` is not an object, a field is
 *   missing or of the wrong type, or a key is unknown.
 * @example barrierPrice({ spot: 100, strike: 90, barrier: 95, expiry: 0.5, rate: 0.08, dividendYield: 0.04,
 *   vol: 0.25, type: 'call', direction: 'down', knock: 'out', rebate: 3, rebateTiming: 'hit' }) // 9.0246 (Haug p. 154)
 */
export function barrierPrice(a: BarrierPriceArgs): number {
  const o = requireRecord(a, 'args');
  checkKeys(o, BARRIER_KEYS, '');
  for (const k of BARRIER_NUMBERS) requireNumber(o[k], k);
  const { spot: S, strike: X, barrier: H, expiry: T, rate: r, dividendYield: q, vol: v } = a;
  const type = requireType(o.type, 'type');
  const direction = enumField(o.direction, ['up', 'down'], 'direction');
  const knock = enumField(o.knock, ['in', 'out'], 'knock');
  const K = o.rebate === undefined ? 0 : requireNumber(o.rebate, 'rebate');
  const timing = o.rebateTiming === undefined ? 'expiry' : enumField(o.rebateTiming, ['hit', 'expiry'], 'rebateTiming');
  if (!(S > 0 && H > 0 && X >= 0 && T >= 0 && v >= 0)) return NaN;
  const DF = Math.exp(-r * T);
  const eta = direction === 'down' ? 1 : -1;
  const phi = sgn(type);
  if ((direction === 'down' && S <= H) || (direction === 'up' && S >= H)) {
    if (knock === 'in') return bsmCore(S, X, T, r, q, v, type);
    return timing === 'hit' ? K : K * DF;
  }
  const b = r - q;
  const sT = v * Math.sqrt(T);
  if (!(sT > 0)) return NaN;
  const mu = (b - 0.5 * v * v) / (v * v);
  const lambda = Math.sqrt(mu * mu + (2 * r) / (v * v));
  const x1 = Math.log(S / X) / sT + (1 + mu) * sT;
  const x2 = Math.log(S / H) / sT + (1 + mu) * sT;
  const y1 = Math.log((H * H) / (S * X)) / sT + (1 + mu) * sT;
  const y2 = Math.log(H / S) / sT + (1 + mu) * sT;
  const z = Math.log(H / S) / sT + lambda * sT;
  const N = normalCdf;
  const carry = S * Math.exp((b - r) * T);
  const hs = H / S;
  const A = phi * carry * N(phi * x1) - phi * X * DF * N(phi * x1 - phi * sT);
  const B = phi * carry * N(phi * x2) - phi * X * DF * N(phi * x2 - phi * sT);
  const C = phi * carry * hs ** (2 * (mu + 1)) * N(eta * y1) - phi * X * DF * hs ** (2 * mu) * N(eta * y1 - eta * sT);
  const D = phi * carry * hs ** (2 * (mu + 1)) * N(eta * y2) - phi * X * DF * hs ** (2 * mu) * N(eta * y2 - eta * sT);
  const E = K * DF * (N(eta * x2 - eta * sT) - hs ** (2 * mu) * N(eta * y2 - eta * sT));
  const F = timing === 'hit'
    ? K * (hs ** (mu + lambda) * N(eta * z) + hs ** (mu - lambda) * N(eta * z - 2 * eta * lambda * sT))
    : K * DF - E;
  const above = X > H;
  if (knock === 'in') {
    if (type === 'call') {
      if (direction === 'down') return (above ? C : A - B + D) + E;
      return (above ? A : B - C + D) + E;
    }
    if (direction === 'down') return (above ? B - C + D : A) + E;
    return (above ? A - B + D : C) + E;
  }
  if (type === 'call') {
    if (direction === 'down') return (above ? A - C : B - D) + F;
    return (above ? 0 : A - B + C - D) + F;
  }
  if (direction === 'down') return (above ? A - B + C - D : 0) + F;
  return (above ? B - D : A - C) + F;
}

/**
 * Merton (1976) jump-diffusion European price: sum over the Poisson number of jumps n of
 * e^{-l' T} (l' T)^n / n! BSM(S, K, T, r_n, vol_n) with l' = lambda (1 + k), k = e^{muJ + deltaJ^2/2} - 1,
 * vol_n^2 = vol^2 + n deltaJ^2 / T, r_n = r - lambda k + n ln(1 + k) / T (dividend yield q kept).
 * Jump parameters as in `batesPrice` and the Monte Carlo models: lambda, muJ, deltaJ.
 * Terms are summed until they stop contributing (at most 200).
 * Units: time in years, rates and yields continuously compounded, vols annualised decimals; lambda per year, muJ and deltaJ in log-price units.
 * Expiry 0 gives the intrinsic value. Out of the domain (spot, strike, expiry, vol, lambda or
 * deltaJ negative or NaN) the result is NaN, not an error.
 * @throws InputError when an argument is not a number or `type` is not 'call' or 'put'.
 */
export function mertonPrice(
  spot: number, strike: number, expiry: number, rate: number, dividendYield: number, vol: number,
  lambda: number, muJ: number, deltaJ: number, type: OptionType,
): number {
  requireNumbers([spot, strike, expiry, rate, dividendYield, vol, lambda, muJ, deltaJ], [...BSM_NAMES, 'lambda', 'muJ', 'deltaJ']);
  requireType(type, 'type');
  if (!(spot >= 0 && strike >= 0 && expiry >= 0 && vol >= 0 && lambda >= 0 && deltaJ >= 0)) return NaN;
  if (expiry === 0) return bsmCore(spot, strike, 0, rate, dividendYield, vol, type);
  const k = Math.exp(muJ + 0.5 * deltaJ * deltaJ) - 1;
  const lt = lambda * (1 + k) * expiry;
  let sum = 0;
  let logW = -lt;
  for (let n = 0; n < 200; n++) {
    if (n > 0) logW += Math.log(lt / n);
    const w = Math.exp(logW);
    const vn = Math.sqrt(vol * vol + (n * deltaJ * deltaJ) / expiry);
    const rn = rate - lambda * k + (n * Math.log(1 + k)) / expiry;
    // Given n jumps the price is e^{(r_n - r) T} BSM(r_n); that factor times the Poisson(lambda T)
    // weight is the Poisson(l' T) weight, so the l' weights take BSM(r_n) as it is.
    const term = w * bsmCore(spot, strike, expiry, rn, dividendYield, vn, type);
    sum += term;
    if (n > lt && term < 1e-17 * Math.max(sum, 1e-300)) break;
  }
  return sum;
}

/**
 * Margrabe (1978) exchange option, the right to exchange asset 2 for asset 1 at expiry,
 * (S1(T) - S2(T))^+, under two correlated GBMs with dividend yields: S1 e^{-q1 T} N(d1) -
 * S2 e^{-q2 T} N(d2), d1,2 = (ln(S1 e^{-q1 T} / (S2 e^{-q2 T})) +- vol^2 T / 2) / (vol sqrt(T)),
 * vol^2 = vol1^2 + vol2^2 - 2 rho vol1 vol2. (W. Margrabe, "The value of an option to exchange one
 * asset for another", J. Finance 33(1) 1978; Haug 2007, sec. 5.1.) The rate cancels.
 * Units: time in years, rates and yields continuously compounded, vols annualised decimals.
 * Out of the domain (spots, expiry or vols negative, correlation outside [-1, 1], any of them
 * NaN) the result is NaN, not an error.
 * @throws InputError when an argument is not a number.
 * @example margrabePrice(100, 100, 1, 0, 0, 0.2, 0.3, 0.5) // 10.524315781125253 (vol = sqrt(0.07): 100 (2 N(vol / 2) - 1))
 */
export function margrabePrice(
  spot1: number, spot2: number, expiry: number, dividendYield1: number, dividendYield2: number, vol1: number, vol2: number, correlation: number,
): number {
  requireNumbers([spot1, spot2, expiry, dividendYield1, dividendYield2, vol1, vol2, correlation],
    ['spot1', 'spot2', 'expiry', 'dividendYield1', 'dividendYield2', 'vol1', 'vol2', 'correlation']);
  if (!(spot1 >= 0 && spot2 >= 0 && expiry >= 0 && vol1 >= 0 && vol2 >= 0 && correlation >= -1 && correlation <= 1)) return NaN;
  const a = spot1 * Math.exp(-dividendYield1 * expiry);
  const b = spot2 * Math.exp(-dividendYield2 * expiry);
  const s = Math.sqrt(Math.max(vol1 * vol1 + vol2 * vol2 - 2 * correlation * vol1 * vol2, 0) * expiry);
  if (!(s > 0)) return Math.max(a - b, 0);
  const d1 = Math.log(a / b) / s + 0.5 * s;
  return a * normalCdf(d1) - b * normalCdf(d1 - s);
}

/**
 * Geometric basket option (theta (G - K))^+, G = W prod_a S_a(T)^{w_a / W}, W = sum w_a (weights
 * > 0), under correlated GBM: ln G is normal with mean ln W + sum_a u_a (ln S_a + (r - q_a -
 * vol_a^2 / 2) T) and variance T sum_ab u_a u_b vol_a vol_b C_ab, u = w / W, so the price is
 * Black's formula on the forward e^{mean + variance / 2} (the multi-asset analogue of the
 * Kemna-Vorst geometric Asian). `correlation` is row-major n x n (or rows).
 * Units: time in years, rates and yields continuously compounded, vols annualised decimals.
 * Out of the domain (a spot, vol, strike or the expiry negative, a weight <= 0, any of them NaN)
 * the result is NaN, not an error; the correlation is used as given (not checked to be PSD).
 * @throws InputError naming the argument (`spots`, `weights[2]`, `correlation[1][0]`, ...) when
 *   the arrays are not number arrays of one length n in [1, 256] ({@link MAX_MATRIX_SIZE}), the
 *   correlation is not a finite n x n matrix, a scalar is not a number or `type` is not 'call' or 'put'.
 */
export function geometricBasketPrice(
  spots: ArrayLike<number>, weights: ArrayLike<number>, expiry: number, rate: number, dividendYields: ArrayLike<number>,
  vols: ArrayLike<number>, correlation: ArrayLike<number> | number[][], strike: number, type: OptionType,
): number {
  const n = requireNumberArray(spots, 'spots', 1, MAX_MATRIX_SIZE).length;
  requireNumberArray(weights, 'weights', n, n);
  requireNumberArray(dividendYields, 'dividendYields', n, n);
  requireNumberArray(vols, 'vols', n, n);
  requireNumbers([expiry, rate, strike], ['expiry', 'rate', 'strike']);
  requireType(type, 'type');
  const corr = squareMatrix(correlation, 'correlation', n).data;
  const C = (i: number, j: number): number => corr[i * n + j]!;
  if (!(expiry >= 0 && strike >= 0)) return NaN;
  for (let a = 0; a < n; a++) if (!(spots[a]! >= 0 && vols[a]! >= 0 && weights[a]! > 0)) return NaN;
  let W = 0;
  for (let a = 0; a < n; a++) W += weights[a]!;
  let meanLog = Math.log(W);
  let varLog = 0;
  for (let a = 0; a < n; a++) {
    const u = weights[a]! / W;
    meanLog += u * (Math.log(spots[a]!) + (rate - dividendYields[a]! - 0.5 * vols[a]! * vols[a]!) * expiry);
    for (let b = 0; b < n; b++) varLog += u * (weights[b]! / W) * vols[a]! * vols[b]! * C(a, b);
  }
  varLog = Math.max(varLog, 0) * expiry;
  const th = sgn(type);
  const DF = Math.exp(-rate * expiry);
  const FG = Math.exp(meanLog + 0.5 * varLog);
  const sd = Math.sqrt(varLog);
  if (!(sd > 0) || !(strike > 0)) return DF * Math.max(th * (FG - strike), 0);
  const d1 = Math.log(FG / strike) / sd + 0.5 * sd;
  return DF * th * (FG * normalCdf(th * d1) - strike * normalCdf(th * (d1 - sd)));
}
