/**
 * VaR and ES backtests: Kupiec's proportion-of-failures test, Christoffersen's independence and
 * conditional-coverage tests, the Basel traffic light, and the Acerbi-Szekely ES test Z2 with
 * critical values by seeded simulation. Every test takes `confidence` as the VaR confidence
 * level (0.99), so the exception probability under the null is p = 1 - confidence.
 */
import { InputError } from '../errors.js';
import { binomialCdf, chiSquareSf, inverseNormalCdf, studentTQuantile } from './distributions.js';
import { forEachPhiloxRow, philoxUniforms, seedWords, type Seed } from './random.js';
import { SIMULATIONS_MAX, STUDENT_T_NU_MAX, checkArrayLike, checkInt, checkOptions, keysOf } from './validate.js';

function checkConfidence(c: unknown, path = 'confidence'): number {
  if (typeof c !== 'number' || !(c > 0 && c < 1)) throw new InputError(path, c, 'a number in (0, 1)');
  return c;
}

function checkCount(v: unknown, path: string): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw new InputError(path, v, 'a non-negative integer (at most 2^53 - 1)');
  return v;
}

type KupiecArgs = Parameters<typeof kupiec>[0];
type ChristoffersenArgs = Parameters<typeof christoffersen>[0];
type TrafficLightArgs = Parameters<typeof trafficLight>[0];
type AcerbiSzekelyArgs = Parameters<typeof acerbiSzekely>[0];
const KUPIEC_KEYS = keysOf<KupiecArgs>()(['observations', 'exceedances', 'confidence', 'significance']);
const CHRISTOFFERSEN_KEYS = keysOf<ChristoffersenArgs>()(['hits', 'confidence']);
const TRAFFIC_LIGHT_KEYS = keysOf<TrafficLightArgs>()(['observations', 'exceedances', 'confidence']);
const ACERBI_SZEKELY_KEYS = keysOf<AcerbiSzekelyArgs>()(['losses', 'vars', 'ess', 'confidence', 'distribution', 'simulations', 'seed', 'significance']);

/** x ln(y), with 0 ln 0 = 0. */
function xlogy(x: number, y: number): number {
  return x === 0 ? 0 : x * Math.log(y);
}

/** Kupiec's proportion-of-failures test result. */
export interface KupiecResult {
  observations: number;
  exceedances: number;
  /** observations x (1 - confidence). */
  expected: number;
  /** exceedances / observations. */
  rate: number;
  /** LR_POF = -2 ln[(1-p)^{T-x} p^x / ((1-x/T)^{T-x} (x/T)^x)], asymptotically chi-square(1). */
  statistic: number;
  pValue: number;
  /** pValue < significance (default 0.05). */
  reject: boolean;
}

/**
 * Kupiec (1995) proportion-of-failures (unconditional coverage) likelihood-ratio test.
 * @throws InputError for non-integer counts, exceedances > observations, or confidence / significance outside (0, 1).
 * @example kupiec({ observations: 250, exceedances: 8, confidence: 0.99 }) // statistic 7.7336, pValue 0.00542, reject true
 */
export function kupiec(args: { observations: number; exceedances: number; confidence: number; significance?: number }): KupiecResult {
  checkOptions(args, KUPIEC_KEYS, '', 'args');
  const T = checkCount(args.observations, 'observations');
  const x = checkCount(args.exceedances, 'exceedances');
  if (T < 1 || x > T) throw new InputError('exceedances', x, `an integer in [0, observations = ${T}]`);
  const c = checkConfidence(args.confidence);
  const sig = args.significance === undefined ? 0.05 : checkConfidence(args.significance, 'significance');
  const p = 1 - c;
  const phat = x / T;
  const lr = -2 * (xlogy(T - x, 1 - p) + xlogy(x, p) - xlogy(T - x, 1 - phat) - xlogy(x, phat));
  const statistic = Math.max(lr, 0);
  const pValue = chiSquareSf(statistic, 1);
  return { observations: T, exceedances: x, expected: T * p, rate: phat, statistic, pValue, reject: pValue < sig };
}

/** Christoffersen's tests. */
export interface ChristoffersenResult {
  /** Transition counts: n_ij = #{t >= 1: I_{t-1} = i and I_t = j}. */
  n00: number; n01: number; n10: number; n11: number;
  /** n01 / (n00 + n01) and n11 / (n10 + n11) (NaN when the denominator is 0). */
  pi01: number; pi11: number;
  /** Exceedances over all T observations. */
  exceedances: number;
  observations: number;
  /** Kupiec LR_POF on all T observations, chi-square(1). */
  unconditional: { statistic: number; pValue: number };
  /** LR_ind on the T - 1 transitions, chi-square(1). */
  independence: { statistic: number; pValue: number };
  /** LR_cc = LR_POF + LR_ind, chi-square(2). */
  conditionalCoverage: { statistic: number; pValue: number };
}

/**
 * Christoffersen (1998) independence and conditional-coverage tests on a hit sequence
 * (`hits[t]` true / 1 when the loss at t exceeded VaR). LR_ind compares a first-order Markov
 * chain (pi01, pi11) with a constant hit probability pi = (n01 + n11) / (T - 1); LR_cc = LR_POF + LR_ind.
 * @throws InputError for fewer than 2 hits, a hit not in {true, false, 0, 1}, or confidence outside (0, 1).
 */
export function christoffersen(args: { hits: ArrayLike<boolean | number>; confidence: number }): ChristoffersenResult {
  checkOptions(args, CHRISTOFFERSEN_KEYS, '', 'args');
  const hits = checkArrayLike(args.hits, 'hits', 2, 'an array of hits') as ArrayLike<boolean | number>;
  const c = checkConfidence(args.confidence);
  let n00 = 0, n01 = 0, n10 = 0, n11 = 0, x = 0;
  const T = hits.length;
  let prev = 0;
  for (let t = 0; t < T; t++) {
    const h = hits[t];
    if (h !== true && h !== false && h !== 0 && h !== 1) throw new InputError(`hits[${t}]`, h, 'true, false, 0 or 1');
    const cur = h === true || h === 1 ? 1 : 0;
    x += cur;
    if (t > 0) {
      if (prev === 0) cur ? n01++ : n00++;
      else cur ? n11++ : n10++;
    }
    prev = cur;
  }
  const pi01 = n01 / (n00 + n01);
  const pi11 = n11 / (n10 + n11);
  const pi = (n01 + n11) / (n00 + n01 + n10 + n11);
  const l0 = xlogy(n00 + n10, 1 - pi) + xlogy(n01 + n11, pi);
  const l1 = xlogy(n00, 1 - pi01) + xlogy(n01, pi01) + xlogy(n10, 1 - pi11) + xlogy(n11, pi11);
  const ind = Math.max(-2 * (l0 - l1), 0);
  const uc = kupiec({ observations: T, exceedances: x, confidence: c });
  const cc = uc.statistic + ind;
  return {
    n00, n01, n10, n11, pi01, pi11, exceedances: x, observations: T,
    unconditional: { statistic: uc.statistic, pValue: uc.pValue },
    independence: { statistic: ind, pValue: chiSquareSf(ind, 1) },
    conditionalCoverage: { statistic: cc, pValue: chiSquareSf(cc, 2) },
  };
}

/** Basel traffic-light zone. */
export interface TrafficLightResult {
  zone: 'green' | 'yellow' | 'red';
  /** P(X <= exceedances) for X ~ Bin(observations, 1 - confidence). */
  cumulativeProbability: number;
  /** Largest exceedance count still green (cumulative probability < 95%) and still yellow (< 99.99%). */
  greenMax: number;
  yellowMax: number;
  /** Basel plus factor (only for 250 observations at 99%: 0 / 0.40..0.85 / 1), else undefined. */
  plusFactor?: number;
  /** 3 + plusFactor, when plusFactor is defined. */
  multiplier?: number;
}

const BASEL_PLUS: Record<number, number> = { 5: 0.4, 6: 0.5, 7: 0.65, 8: 0.75, 9: 0.85 };

/**
 * The largest k in [from, T] with cdf(k) < level, given cdf(from) < level (or from = -1): what a scan
 * `k = from; while (k + 1 <= T && cdf(k + 1) < level) k++` returns when cdf is non-decreasing.
 */
function lastBelow(cdf: (k: number) => number, from: number, T: number, level: number): number {
  let lo = from, hi = T + 1; // cdf(lo) < level (or lo = from); hi: first index known >= level (T + 1: none)
  while (hi - lo > 1) {
    const mid = lo + Math.floor((hi - lo) / 2);
    if (cdf(mid) < level) lo = mid;
    else hi = mid;
  }
  return lo;
}

/**
 * Basel Committee (1996) traffic light: green while the binomial cumulative probability of the
 * exceedance count is below 95%, yellow below 99.99%, red at or above. For 250 observations at
 * 99%: green 0-4, yellow 5-9, red >= 10.
 * @throws InputError for non-integer counts, exceedances > observations, or confidence outside (0, 1).
 */
export function trafficLight(args: { observations: number; exceedances: number; confidence: number }): TrafficLightResult {
  checkOptions(args, TRAFFIC_LIGHT_KEYS, '', 'args');
  const T = checkCount(args.observations, 'observations');
  const x = checkCount(args.exceedances, 'exceedances');
  if (T < 1 || x > T) throw new InputError('exceedances', x, `an integer in [0, observations = ${T}]`);
  const c = checkConfidence(args.confidence);
  const p = 1 - c;
  const cdf = (k: number) => binomialCdf(k, T, p);
  // The zone bounds by bisection on the (non-decreasing) binomial CDF: O(log T) evaluations, so a
  // count of 10^15 observations cannot turn into a 10^13-step scan.
  const greenMax = lastBelow(cdf, -1, T, 0.95);
  const yellowMax = lastBelow(cdf, greenMax, T, 0.9999);
  const cumulativeProbability = cdf(x);
  const zone = x <= greenMax ? 'green' : x <= yellowMax ? 'yellow' : 'red';
  const r: TrafficLightResult = { zone, cumulativeProbability, greenMax, yellowMax };
  if (T === 250 && Math.abs(c - 0.99) < 1e-12) {
    r.plusFactor = zone === 'green' ? 0 : zone === 'red' ? 1 : BASEL_PLUS[x];
    r.multiplier = 3 + r.plusFactor;
  }
  return r;
}

/**
 * How Acerbi-Szekely draws losses under the null: the predictive loss distribution of each period.
 * Location and scale arrays default to 0 and the scale implied by VaR_t.
 */
export type PredictiveDistribution =
  | { kind: 'normal'; location?: ArrayLike<number>; scale?: ArrayLike<number> }
  /** Student-t with nu in (1, 10^6] degrees of freedom per period (or one for all); loss = location + scale T. */
  | { kind: 't'; nu: number | ArrayLike<number>; location?: ArrayLike<number>; scale?: ArrayLike<number> }
  /** Per-period samples of losses sorted ascending (optionally with cumulative weights ending at 1): type-1 quantiles. */
  | { kind: 'empirical'; sorted: (t: number) => ArrayLike<number>; cumulativeWeights?: (t: number) => ArrayLike<number> }
  /** Inverse CDF of period t's loss distribution at probability u. */
  | { kind: 'custom'; quantile: (t: number, u: number) => number };

/** Acerbi-Szekely test 2 result. */
export interface AcerbiSzekelyResult {
  /** Z2 = 1 - sum_t L_t I_t / (T (1 - c) ES_t); E[Z2] = 0 under the null, negative when ES is too low. */
  statistic: number;
  exceedances: number;
  observations: number;
  /** P(Z2_sim <= Z2) over the simulations (one-sided: small values reject). */
  pValue: number;
  /** The significance-quantile of simulated Z2 (reject when statistic < criticalValue). */
  criticalValue: number;
  significance: number;
  simulations: number;
  reject: boolean;
}

function arr(v: ArrayLike<number> | undefined, T: number, path: string, elements = false): ArrayLike<number> | undefined {
  if (v === undefined) return undefined;
  const a = checkArrayLike(v, path) as ArrayLike<number>;
  if (a.length !== T) throw new InputError(path, v, `an array of length ${T}`);
  if (elements) for (let t = 0; t < T; t++) if (typeof a[t] !== 'number' || !Number.isFinite(a[t])) throw new InputError(`${path}[${t}]`, a[t], 'a finite number');
  return a;
}

const DISTRIBUTION_KEYS: Record<PredictiveDistribution['kind'], readonly string[]> = {
  normal: keysOf<Extract<PredictiveDistribution, { kind: 'normal' }>>()(['kind', 'location', 'scale']),
  t: keysOf<Extract<PredictiveDistribution, { kind: 't' }>>()(['kind', 'nu', 'location', 'scale']),
  empirical: keysOf<Extract<PredictiveDistribution, { kind: 'empirical' }>>()(['kind', 'sorted', 'cumulativeWeights']),
  custom: keysOf<Extract<PredictiveDistribution, { kind: 'custom' }>>()(['kind', 'quantile']),
};

/** The distribution's shape: kind, keys, array lengths, nu > 1, functions where functions belong. @throws InputError. */
function checkDistribution(d: unknown, T: number): void {
  if (d === null || typeof d !== 'object' || Array.isArray(d)) throw new InputError('distribution', d, "{ kind: 'normal' | 't' | 'empirical' | 'custom' }");
  const kind = (d as { kind?: unknown }).kind;
  const keys = kind === 'normal' || kind === 't' || kind === 'empirical' || kind === 'custom' ? DISTRIBUTION_KEYS[kind] : undefined;
  if (!keys) throw new InputError('distribution.kind', kind, "'normal', 't', 'empirical' or 'custom'");
  checkOptions(d, keys, 'distribution');
  const dist = d as PredictiveDistribution;
  if (dist.kind === 'normal' || dist.kind === 't') {
    arr(dist.location, T, 'distribution.location', true);
    const sc = arr(dist.scale, T, 'distribution.scale', true);
    if (sc) for (let t = 0; t < T; t++) if (!(sc[t] >= 0)) throw new InputError(`distribution.scale[${t}]`, sc[t], 'a number >= 0');
  }
  if (dist.kind === 't') {
    const nu = dist.nu;
    const bad = (v: unknown) => typeof v !== 'number' || !(v > 1 && v <= STUDENT_T_NU_MAX);
    const want = `a number in (1, ${STUDENT_T_NU_MAX}]`;
    if (typeof nu === 'number') {
      if (bad(nu)) throw new InputError('distribution.nu', nu, want);
    } else {
      const a = checkArrayLike(nu, 'distribution.nu', 0, 'a number > 1 or an array of them') as ArrayLike<number>;
      if (a.length !== T) throw new InputError('distribution.nu', nu, `a number or an array of length ${T}`);
      for (let t = 0; t < T; t++) if (bad(a[t])) throw new InputError(`distribution.nu[${t}]`, a[t], want);
    }
  }
  if (dist.kind === 'empirical') {
    if (typeof dist.sorted !== 'function') throw new InputError('distribution.sorted', dist.sorted, 'a function of the period returning sorted losses');
    if (dist.cumulativeWeights !== undefined && typeof dist.cumulativeWeights !== 'function') {
      throw new InputError('distribution.cumulativeWeights', dist.cumulativeWeights, 'a function of the period returning cumulative weights');
    }
  }
  if (dist.kind === 'custom' && typeof dist.quantile !== 'function') throw new InputError('distribution.quantile', dist.quantile, 'a function (t, u) => loss');
}

/**
 * Acerbi and Szekely (2014), "Backtesting Expected Shortfall", test 2 (unconditional):
 * Z2 = sum_t X_t I_t / (T alpha ES_t) + 1 for P&L X; with losses L = -X as positive numbers,
 * Z2 = 1 - sum_t L_t I_t / (T alpha ES_t), alpha = 1 - confidence, I_t = 1{L_t > VaR_t}.
 * Critical values and the p-value come from `simulations` seeded draws (Philox stream 7, path =
 * simulation) of every period's loss from `distribution` (default: normal, zero mean, scale
 * VaR_t / z_c), each evaluated with the same VaR_t and ES_t. Student-t draws use Bailey's (1994)
 * polar method (exact; two uniforms per attempt, acceptance pi/4).
 * Losses, VaRs and ESs in one unit (positive = loss).
 * @throws InputError naming the first malformed field (lengths, non-finite values, ES <= 0, simulations < 10, t nu <= 1).
 */
export function acerbiSzekely(args: {
  losses: ArrayLike<number>; vars: ArrayLike<number>; ess: ArrayLike<number>; confidence: number;
  distribution?: PredictiveDistribution; simulations?: number; seed?: Seed; significance?: number;
}): AcerbiSzekelyResult {
  checkOptions(args, ACERBI_SZEKELY_KEYS, '', 'args');
  const losses = checkArrayLike(args.losses, 'losses', 1) as ArrayLike<number>;
  const T = losses.length;
  const vars = checkArrayLike(args.vars, 'vars') as ArrayLike<number>;
  if (vars.length !== T) throw new InputError('vars', vars, `an array of length ${T}`);
  const ess = checkArrayLike(args.ess, 'ess') as ArrayLike<number>;
  if (ess.length !== T) throw new InputError('ess', ess, `an array of length ${T}`);
  const c = checkConfidence(args.confidence);
  const sig = args.significance === undefined ? 0.05 : checkConfidence(args.significance, 'significance');
  const M = checkInt(args.simulations, 'simulations', 10, SIMULATIONS_MAX, 1000);
  seedWords(args.seed === undefined ? 0 : args.seed, 'seed');
  if (args.distribution !== undefined) checkDistribution(args.distribution, T);
  for (let t = 0; t < T; t++) {
    if (!Number.isFinite(losses[t])) throw new InputError(`losses[${t}]`, losses[t], 'a finite number');
    if (!Number.isFinite(vars[t])) throw new InputError(`vars[${t}]`, vars[t], 'a finite number');
    if (!(ess[t] > 0) || !Number.isFinite(ess[t])) throw new InputError(`ess[${t}]`, ess[t], 'a positive finite number');
  }
  const alpha = 1 - c;
  const z2 = (draw: (t: number) => number): [number, number] => {
    let s = 0, x = 0;
    for (let t = 0; t < T; t++) {
      const L = draw(t);
      if (L > vars[t]) {
        s += L / ess[t];
        x++;
      }
    }
    return [1 - s / (T * alpha), x];
  };
  const [statistic, exceedances] = z2((t) => losses[t]);
  const dist: PredictiveDistribution = args.distribution === undefined ? { kind: 'normal' } : args.distribution;
  const seed = args.seed === undefined ? 0 : args.seed;
  const sims = new Float64Array(M);
  // One row of uniforms per simulation (Philox stream 7, path m), a chunk of rows per kernel call;
  // the t branch's polar method takes 4T + 64 per row and refills from the same path if it runs out.
  const rowLength = dist.kind === 't' ? 4 * T + 64 : T;
  forEachPhiloxRow(undefined, false, M, rowLength, seed, 7, 0, (m, row) => {
    let draw: (t: number) => number;
    if (dist.kind === 'normal') {
      const loc = arr(dist.location, T, 'distribution.location');
      const sc = arr(dist.scale, T, 'distribution.scale');
      const zc = inverseNormalCdf(c);
      const u = row;
      draw = (t) => (loc ? loc[t] : 0) + (sc ? sc[t] : (vars[t] - (loc ? loc[t] : 0)) / zc) * inverseNormalCdf(u[t]);
    } else if (dist.kind === 't') {
      const loc = arr(dist.location, T, 'distribution.location');
      const sc = arr(dist.scale, T, 'distribution.scale');
      const nuOf = (t: number) => (typeof dist.nu === 'number' ? dist.nu : dist.nu[t]);
      // Enough uniforms for the polar method's rejections (4 per period on average is ~2.5x the need).
      let u: Float64Array = row;
      let pos = 0;
      let refill = 1;
      const next = () => {
        if (pos >= u.length) { u = philoxUniforms(4 * T + 64, seed, 7, m, refill++ * (4 * T + 64)); pos = 0; }
        return u[pos++];
      };
      const tcCache = new Map<number, number>();
      draw = (t) => {
        const nu = nuOf(t);
        if (!(nu > 1)) throw new InputError('distribution.nu', nu, 'a number > 1');
        let a: number, b: number, w: number;
        do {
          a = 2 * next() - 1;
          b = 2 * next() - 1;
          w = a * a + b * b;
        } while (w > 1 || w === 0);
        const tv = a * Math.sqrt((nu * (Math.pow(w, -2 / nu) - 1)) / w);
        let scale = sc ? sc[t] : NaN;
        if (!sc) {
          let tc = tcCache.get(nu);
          if (tc === undefined) { tc = studentTQuantile(c, nu); tcCache.set(nu, tc); }
          scale = (vars[t] - (loc ? loc[t] : 0)) / tc;
        }
        return (loc ? loc[t] : 0) + scale * tv;
      };
    } else if (dist.kind === 'empirical') {
      const u = row;
      draw = (t) => {
        const s = dist.sorted(t);
        const cw = dist.cumulativeWeights?.(t);
        if (!cw) return s[Math.min(s.length - 1, Math.max(0, Math.ceil(u[t] * s.length) - 1))];
        let lo = 0, hi = s.length - 1;
        while (lo < hi) {
          const mid = (lo + hi) >> 1;
          if (cw[mid] >= u[t]) hi = mid;
          else lo = mid + 1;
        }
        return s[lo];
      };
    } else if (dist.kind === 'custom' && typeof dist.quantile === 'function') {
      const u = row;
      const q = dist.quantile;
      draw = (t) => q(t, u[t]);
    } else {
      throw new InputError('distribution', dist, "{ kind: 'normal' | 't' | 'empirical' | 'custom' }");
    }
    sims[m] = z2(draw)[0];
  });
  let below = 0;
  for (let m = 0; m < M; m++) if (sims[m] <= statistic) below++;
  const sorted = Float64Array.from(sims).sort();
  const criticalValue = sorted[Math.max(0, Math.ceil(sig * M) - 1)];
  const pValue = below / M;
  return { statistic, exceedances, observations: T, pValue, criticalValue, significance: sig, simulations: M, reject: pValue < sig };
}
