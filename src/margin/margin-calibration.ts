/**
 * `engine.calibrateMargin`: choose margin parameters so that initial margin (IM) covers a target ES
 * (or VaR) at a confidence over a margin period of risk (MPOR) on a price history, then backtest the
 * coverage and measure procyclicality.
 *
 * (a) kind 'scanRange' (one asset, a linear position): on every date t the scan range is the tail
 *     measure of the MPOR loss fraction over a rolling lookback of MPOR returns known at t (ending at
 *     or before t, overlapping, see mpor-returns.ts): long loss -R, short loss +R, 'both' = the larger.
 *     IM_t = scanRange_t x notional. Out-of-sample: IM_t only uses data up to t and is compared with
 *     the realised MPOR loss from t to t + h.
 * (b) kind 'multiplier' (a position set): the current portfolio is revalued by `revaluePortfolio`
 *     (full revaluation, one kernel call) under every historical MPOR move of its assets (overlapping
 *     h-day log returns, horizon h days), giving the MPOR loss L_t of each start date t. The caller's
 *     IM is a number or a function of the market state at t; the multiplier is the tail measure of
 *     L_t / IM_t, so multiplier x IM_t covers the target (in-sample: the whole history calibrates one
 *     number, and the backtest then checks it on the same history).
 *
 * Coverage backtest: an exceedance is a realised MPOR loss above IM. Kupiec and Christoffersen need
 * independent observations, so they run on non-overlapping MPOR windows (every h-th start date);
 * the overlapping counts are reported too. For a VaR target the tested exceedance probability is
 * 1 - confidence. An ES target sits further in the tail: the backtest tests the VaR confidence whose
 * normal quantile equals the normal ES, c' = Phi(phi(z_c) / (1 - c)) (ES 97.5% <-> VaR 99.03%, the
 * equivalence behind the Basel FRTB move from VaR 99% to ES 97.5%); `backtestConfidence` overrides it.
 *
 * Procyclicality: peak-to-trough ratio max IM / min IM over the series and the largest n-day
 * increase max IM_t / IM_{t-n}. Optional EMIR anti-procyclicality tools (Commission Delegated
 * Regulation (EU) 153/2013, art. 28(1)), for the scan range:
 * - buffer b (>= 0.25 in the RTS): posted IM_t = clamp(IM_{t-1}, base_t, (1 + b) base_t), starting at
 *   (1 + b) base: the buffer is used up while margin rises and rebuilt when it falls;
 * - stressedWeight w (>= 0.25): the tail measure of a sample weighting the lookback window 1 - w and
 *   the most stressed lookback window seen up to t (largest base scan range) w, via weightedTail;
 * - tenYearFloor: scan range >= the same measure over all MPOR returns of the last 10 years up to t
 *   (the whole history when shorter: the bundled data span 8.4 years).
 */
import type { EngineContext } from '../context.js';
import { InputError } from '../errors.js';
import { checkConfidence, empiricalTail, weightedTail } from '../risk/tail-measures.js';
import { christoffersen, kupiec, type KupiecResult } from '../risk/backtests.js';
import { inverseNormalCdf, normalCdf, normalPdf } from '../risk/distributions.js';
import { alignHistories, type PriceHistory } from '../risk/returns.js';
import { checkKeys } from '../option-keys.js';
import { requireArrayLike, requireInteger, requireNumberArray } from '../arguments.js';
import { dict, dictOf, own } from '../data-tables.js';
import { DAYS_PER_YEAR } from './grids.js';
import { revaluePortfolio, type Portfolio } from '../risk/portfolio.js';
import { checkMeasure, type TailMeasure } from './collateral.js';
import { checkDays, mporReturns, priceSeries, type HistoryInput } from './mpor-returns.js';

/** Market state handed to an IM function: the start date of an MPOR window and the prices then. */
export interface MarginMarketState {
  /** Index of the date in the aligned history. */
  index: number;
  date?: string;
  /** USD price of each asset on that date. */
  prices: Record<string, number>;
}

/** EMIR anti-procyclicality tools (see the file comment); any combination. */
export interface ApcOptions {
  /** Margin buffer released in stress, e.g. 0.25 (true = 0.25). */
  buffer?: number | boolean;
  /** Weight on the stressed lookback window, e.g. 0.25 (true = 0.25). */
  stressedWeight?: number | boolean;
  /** Floor at the 10-year-lookback measure. */
  tenYearFloor?: boolean;
}

/** Options of {@link calibrateMargin}. */
export interface CalibrateMarginArgs {
  /** Default: 'multiplier' when `portfolio` is given, else 'scanRange'. */
  kind?: 'scanRange' | 'multiplier';
  /** Confidence in (0, 1) (default 0.99). */
  confidence?: number;
  /** Target measure (default 'es'). */
  measure?: TailMeasure;
  /** Margin period of risk in days (default 2). */
  mporDays?: number;
  /** scanRange: price history of the asset (CSV text, PriceHistory or prices). */
  history?: HistoryInput;
  /** scanRange: rolling lookback in days (default 365; MPOR returns ending in the last `lookbackDays` days). */
  lookbackDays?: number;
  /** scanRange: 'long', 'short' or 'both' (default): which linear position the range must cover. */
  side?: 'long' | 'short' | 'both';
  /** scanRange: USD notional of the position (IM = range x notional; default 1). */
  notional?: number;
  /** scanRange: anti-procyclicality tools. */
  apc?: ApcOptions;
  /** multiplier: the position set (spots are today's; the current portfolio is revalued under historical moves). */
  portfolio?: Portfolio;
  /** multiplier: history of every asset in portfolio.spots (aligned on common dates). */
  histories?: Record<string, HistoryInput>;
  /** multiplier: the IM to scale (USD): a number, or a function of the market state at each MPOR start. */
  im?: number | ((state: MarginMarketState) => number);
  /** Exceedance probability tested is 1 - backtestConfidence (default: see the file comment). */
  backtestConfidence?: number;
  /** Significance of the coverage tests (default 0.05). */
  significance?: number;
  /** n of the largest n-day IM increase (default 30). */
  procyclicalityDays?: number;
}

/** Coverage of an IM series against realised MPOR losses. */
export interface CoverageReport {
  /** Non-overlapping MPOR windows tested. */
  observations: number;
  exceedances: number;
  /** exceedances / observations, and 1 minus it. */
  rate: number;
  achievedCoverage: number;
  /** 1 - backtestConfidence. */
  expectedRate: number;
  backtestConfidence: number;
  kupiec: KupiecResult;
  christoffersen: { independencePValue: number; conditionalCoveragePValue: number };
  /** Counts over every overlapping MPOR window (not tested: neighbours share h - 1 days). */
  overlapping: { observations: number; exceedances: number; rate: number };
  /** Start dates (or indices) of the exceedances among the tested windows. */
  exceedanceDates: (string | number)[];
}

/** Procyclicality of an IM series. */
export interface ProcyclicalityReport {
  /** max IM / min IM. */
  peakToTrough: number;
  peak: number;
  trough: number;
  /** Largest IM_t / IM_{t-n} and where. */
  maxIncrease: { days: number; ratio: number; from?: string | number; to?: string | number };
}

/** Result of {@link calibrateMargin}. */
export interface CalibrateMarginResult {
  kind: 'scanRange' | 'multiplier';
  /** The parameter chosen: the latest scan range (fraction of notional) or the multiplier. */
  parameter: number;
  /** IM now (USD): the latest IM of the series. */
  initialMargin: number;
  target: { measure: TailMeasure; confidence: number; mporDays: number; lookbackDays?: number; side?: 'long' | 'short' | 'both' };
  /** Per date: the IM (USD), the scan range before APC (scanRange kind) and the parameter series. */
  series: { dates?: string[]; indices: Int32Array; initialMargin: Float64Array; baseInitialMargin: Float64Array };
  /** Backtests per position side (scanRange: 'long' and/or 'short'; multiplier: 'portfolio'). */
  coverage: Record<string, CoverageReport>;
  procyclicality: ProcyclicalityReport;
  /** Procyclicality without the APC tools (scanRange with apc). */
  baseProcyclicality?: ProcyclicalityReport;
  apc?: { buffer?: number; stressedWeight?: number; tenYearFloor?: boolean };
  /** Observations behind each estimate (scanRange: per window; multiplier: the scenarios). */
  observations: number;
  /** The whole result in words. */
  explanation: string;
}

function fraction(v: unknown, path: string, fallback: number): number {
  if (v === undefined || v === false) return v === false ? 0 : fallback;
  if (v === true) return 0.25;
  if (typeof v !== 'number' || !(v >= 0 && v <= 1)) throw new InputError(path, v, 'a fraction in [0, 1] (or true for 0.25)');
  return v;
}

/**
 * VaR confidence whose normal quantile equals the normal ES at c: Phi(phi(z_c) / (1 - c)).
 * @throws InputError unless `c` is a number in (0, 1) (path `confidence`).
 */
export function esEquivalentConfidence(c: number): number {
  checkConfidence(c);
  return normalCdf(normalPdf(inverseNormalCdf(c)) / (1 - c));
}

/**
 * Largest n-day increase and the peak-to-trough ratio of a series (dates optional).
 * @param im IM series (USD), @param days n (an integer >= 1), @param dates labels of the series'
 * dates (at least as many as `im`), reported for the largest increase.
 * @throws InputError for an `im` that is not an array of numbers, a `days` that is not a positive
 * integer, or `dates` that is not an array at least as long as `im`.
 */
export function procyclicality(im: ArrayLike<number>, days: number, dates?: readonly (string | number)[]): ProcyclicalityReport {
  requireNumberArray(im, 'im');
  requireInteger(days, 'days', 1, Number.MAX_VALUE);
  if (dates !== undefined) requireArrayLike(dates, 'dates', im.length);
  let peak = -Infinity, trough = Infinity, ratio = 0, from: number | undefined, to: number | undefined;
  for (let t = 0; t < im.length; t++) {
    peak = Math.max(peak, im[t]);
    trough = Math.min(trough, im[t]);
    if (t >= days && im[t - days] > 0) {
      const r = im[t] / im[t - days];
      if (r > ratio) [ratio, from, to] = [r, t - days, t];
    }
  }
  const at = (i?: number) => (i === undefined ? undefined : dates ? dates[i] : i);
  return { peakToTrough: peak / trough, peak, trough, maxIncrease: { days, ratio, from: at(from), to: at(to) } };
}

function coverage(
  losses: Float64Array, im: Float64Array, starts: Int32Array, h: number, bc: number, significance: number, label: (i: number) => string | number,
): CoverageReport {
  // Non-overlapping windows: every h-th start, anchored at the latest tested start.
  const T = losses.length;
  const picks: number[] = [];
  for (let j = T - 1; j >= 0; j -= h) picks.unshift(j);
  const hits = picks.map((j) => losses[j] > im[j]);
  const x = hits.filter(Boolean).length;
  let xo = 0;
  for (let j = 0; j < T; j++) if (losses[j] > im[j]) xo++;
  const k = kupiec({ observations: picks.length, exceedances: x, confidence: bc, significance });
  const ch = picks.length >= 2 ? christoffersen({ hits, confidence: bc }) : undefined;
  return {
    observations: picks.length, exceedances: x, rate: x / picks.length, achievedCoverage: 1 - x / picks.length, expectedRate: 1 - bc,
    backtestConfidence: bc, kupiec: k,
    christoffersen: { independencePValue: ch?.independence.pValue ?? NaN, conditionalCoveragePValue: ch?.conditionalCoverage.pValue ?? NaN },
    overlapping: { observations: T, exceedances: xo, rate: xo / T },
    exceedanceDates: picks.filter((_, i) => hits[i]).map((j) => label(starts[j])),
  };
}

interface Common { c: number; measure: TailMeasure; h: number; bc: number; significance: number; nDays: number }

function common(args: CalibrateMarginArgs): Common {
  const c = checkConfidence(args.confidence ?? 0.99);
  const measure = checkMeasure(args.measure);
  const h = args.mporDays === undefined ? 2 : checkDays(args.mporDays, 'mporDays');
  const bc = args.backtestConfidence === undefined ? (measure === 'es' ? esEquivalentConfidence(c) : c) : checkConfidence(args.backtestConfidence, 'backtestConfidence');
  const significance = args.significance === undefined ? 0.05 : checkConfidence(args.significance, 'significance');
  const nDays = args.procyclicalityDays === undefined ? 30 : checkDays(args.procyclicalityDays, 'procyclicalityDays');
  return { c, measure, h, bc, significance, nDays };
}

const CALIBRATE_MARGIN_KEYS = [
  'kind', 'confidence', 'measure', 'mporDays', 'history', 'lookbackDays', 'side', 'notional', 'apc', 'portfolio', 'histories', 'im',
  'backtestConfidence', 'significance', 'procyclicalityDays',
] as const satisfies readonly (keyof CalibrateMarginArgs)[];
const APC_KEYS = ['buffer', 'stressedWeight', 'tenYearFloor'] as const satisfies readonly (keyof ApcOptions)[];

/**
 * Calibrate margin parameters to a tail target on history, backtest coverage and report
 * procyclicality (see the file comment for both kinds and the APC tools).
 * @throws InputError for a bad or too short history (the path names it, e.g. `history (line 7)`),
 * an option out of range, a portfolio asset without history, an IM that is not a positive number, or
 * (multiplier) a non-finite revalued loss (`portfolio`) or loss / IM ratio (`im`, `im(date)`).
 */
export function calibrateMargin(ctx: EngineContext, args: CalibrateMarginArgs): CalibrateMarginResult {
  if (args === null || typeof args !== 'object') throw new InputError('args', args, 'an object');
  checkKeys(args, CALIBRATE_MARGIN_KEYS, '');
  if (args.apc !== undefined) {
    if (args.apc === null || typeof args.apc !== 'object') throw new InputError('apc', args.apc, 'an object { buffer?, stressedWeight?, tenYearFloor? }');
    checkKeys(args.apc, APC_KEYS, 'apc');
  }
  const kind = args.kind ?? (args.portfolio !== undefined ? 'multiplier' : 'scanRange');
  if (kind === 'scanRange') return scanRange(ctx, args, common(args));
  if (kind === 'multiplier') return multiplier(ctx, args, common(args));
  throw new InputError('kind', kind, "'scanRange' or 'multiplier'");
}

function scanRange(ctx: EngineContext, args: CalibrateMarginArgs, o: Common): CalibrateMarginResult {
  if (args.history === undefined) throw new InputError('history', undefined, 'a price history (kind scanRange)');
  const s = priceSeries(args.history, 'history');
  const P = s.close, n = P.length, h = o.h;
  const L = args.lookbackDays === undefined ? 365 : checkDays(args.lookbackDays, 'lookbackDays');
  if (L <= h) throw new InputError('lookbackDays', L, `more days than the MPOR (${h})`);
  const side = args.side ?? 'both';
  if (side !== 'long' && side !== 'short' && side !== 'both') throw new InputError('side', side, "'long', 'short' or 'both'");
  const notional = args.notional ?? 1;
  if (typeof notional !== 'number' || !(notional > 0) || !Number.isFinite(notional)) throw new InputError('notional', notional, 'a positive USD notional');
  const buffer = fraction(args.apc?.buffer, 'apc.buffer', 0);
  const sw = fraction(args.apc?.stressedWeight, 'apc.stressedWeight', 0);
  const floor10 = args.apc?.tenYearFloor ?? false;
  if (typeof floor10 !== 'boolean') throw new InputError('apc.tenYearFloor', floor10, 'a boolean');
  // The first date with a full lookback: returns ending in (t - L + h - 1, t], L - h + 1 of them.
  const first = L;
  if (first >= n - 1) throw new InputError('history', args.history, `more than ${L + 1} prices (lookbackDays ${L} plus one MPOR to test)`);
  const { returns: R } = mporReturns(P, h, true); // R[e - h] ends at e
  const sides: ('long' | 'short')[] = side === 'both' ? ['long', 'short'] : [side];
  const sign = (sd: 'long' | 'short') => (sd === 'long' ? -1 : 1) as 1 | -1;
  const pick = (t: { var: number; es: number }) => (o.measure === 'es' ? t.es : t.var);
  const dates: number[] = [];
  for (let t = first; t < n; t++) dates.push(t);
  const m = dates.length;
  const base = new Float64Array(m);
  const range = new Float64Array(m);
  // Most stressed window so far per side (for the stressed-weight tool): its start in R and its range.
  const stressed = sides.map(() => ({ start: 0, value: -Infinity }));
  const windowLen = L - h + 1;
  for (let j = 0; j < m; j++) {
    const t = dates[j];
    const w0 = t - L; // R index of the first return in the window: ends at t - L + h
    const win = R.subarray(w0, t - h + 1);
    let b = -Infinity, r = -Infinity;
    sides.forEach((sd, k) => {
      const v = pick(empiricalTail(ctx, win, o.c, sign(sd)));
      b = Math.max(b, v);
      let x = v;
      if (v > stressed[k].value) stressed[k] = { start: w0, value: v };
      if (sw > 0) {
        const sWin = R.subarray(stressed[k].start, stressed[k].start + windowLen);
        const losses = new Float64Array(2 * windowLen);
        const weights = new Float64Array(2 * windowLen);
        for (let i = 0; i < windowLen; i++) {
          losses[i] = sign(sd) * win[i];
          weights[i] = (1 - sw) / windowLen;
          losses[windowLen + i] = sign(sd) * sWin[i];
          weights[windowLen + i] = sw / windowLen;
        }
        x = pick(weightedTail(losses, weights, o.c));
      }
      if (floor10) {
        const start = Math.max(0, t - 3650);
        x = Math.max(x, pick(empiricalTail(ctx, R.subarray(start, t - h + 1), o.c, sign(sd))));
      }
      r = Math.max(r, x);
    });
    base[j] = Math.max(0, b);
    range[j] = Math.max(0, r);
  }
  if (buffer > 0) {
    let posted = (1 + buffer) * range[0];
    for (let j = 0; j < m; j++) {
      posted = Math.min(Math.max(posted, range[j]), (1 + buffer) * range[j]);
      range[j] = posted;
    }
  }
  const im = range.map((x) => x * notional);
  const baseIm = base.map((x) => x * notional);
  // Backtest: IM at t against the realised MPOR loss from t to t + h (dates with t + h < n).
  const T = m - h >= 1 ? m - h : 0;
  if (T < 2) throw new InputError('history', args.history, `enough prices to test at least 2 MPOR windows after the ${L}-day lookback`);
  const label = (t: number) => s.dates?.[t] ?? t;
  const starts = Int32Array.from(dates.slice(0, T));
  const rangeT = range.subarray(0, T);
  const cov: Record<string, CoverageReport> = {};
  for (const sd of sides) {
    const losses = Float64Array.from(starts, (t) => sign(sd) * (P[t + h] / P[t] - 1));
    cov[sd] = coverage(losses, rangeT, starts, h, o.bc, o.significance, label);
  }
  const dl = s.dates ? dates.map((t) => s.dates![t]) : dates;
  const pro = procyclicality(im, o.nDays, dl);
  const apcUsed = buffer > 0 || sw > 0 || floor10;
  const parameter = range[m - 1];
  const covText = sides.map((sd) => `${sd}: ${cov[sd].exceedances}/${cov[sd].observations} exceedances (rate ${cov[sd].rate.toFixed(4)}, expected ${cov[sd].expectedRate.toFixed(4)}, Kupiec p ${cov[sd].kupiec.pValue.toFixed(3)})`).join('; ');
  return {
    kind: 'scanRange', parameter, initialMargin: im[m - 1],
    target: { measure: o.measure, confidence: o.c, mporDays: h, lookbackDays: L, side },
    series: { dates: s.dates ? dates.map((t) => s.dates![t]) : undefined, indices: Int32Array.from(dates), initialMargin: im, baseInitialMargin: baseIm },
    coverage: cov, procyclicality: pro, baseProcyclicality: apcUsed ? procyclicality(baseIm, o.nDays, dl) : undefined,
    apc: apcUsed ? { buffer, stressedWeight: sw, tenYearFloor: floor10 } : undefined, observations: windowLen,
    explanation: `Scan range = ${o.measure.toUpperCase()} at ${o.c} of the ${h}-day loss of a ${side === 'both' ? 'long or short' : side} linear position over a rolling ${L}-day lookback `
      + `(${windowLen} overlapping MPOR returns)${apcUsed ? ` with APC (buffer ${buffer}, stressed weight ${sw}, 10-year floor ${floor10})` : ''}; `
      + `latest ${(parameter * 100).toFixed(2)}% of notional. Coverage on non-overlapping ${h}-day windows at backtest confidence ${o.bc.toFixed(4)}: ${covText}. `
      + `IM peak-to-trough ${pro.peakToTrough.toFixed(2)}, largest ${o.nDays}-day increase x${pro.maxIncrease.ratio.toFixed(2)}.`,
  };
}

function multiplier(ctx: EngineContext, args: CalibrateMarginArgs, o: Common): CalibrateMarginResult {
  const pf = args.portfolio;
  if (pf === null || typeof pf !== 'object' || pf.spots === null || typeof pf.spots !== 'object') throw new InputError('portfolio', pf, 'a portfolio { spots, positions }');
  const assets = Object.keys(pf.spots);
  if (args.histories === null || typeof args.histories !== 'object') throw new InputError('histories', args.histories, 'an object of histories by asset');
  const hist = dict<PriceHistory>(); // asset names are data
  for (const a of assets) {
    const given = own(args.histories, a);
    if (given === undefined) throw new InputError(`histories.${a}`, undefined, `a price history for ${a} (an asset of portfolio.spots)`);
    const s = priceSeries(given, `histories.${a}`);
    // Histories without dates align by position from the end (the same last day).
    hist[a] = { dates: s.dates ?? Array.from(s.close, (_, i) => new Date(Date.UTC(2000, 0, 1) + (i - s.close.length) * 86400000).toISOString().slice(0, 10)), close: s.close };
  }
  const al = alignHistories(hist);
  const n = al.dates.length, h = o.h;
  if (n - h < 2) throw new InputError('histories', args.histories, `at least ${h + 2} common dates`);
  const nF = assets.length, m = n - h;
  const lr = new Float64Array(m * nF);
  assets.forEach((a, f) => {
    const p = al.prices[a];
    for (let t = 0; t < m; t++) lr[t * nF + f] = Math.log(p[t + h] / p[t]);
  });
  const rv = revaluePortfolio(ctx, { portfolio: pf, scenarios: { assets, logReturns: lr, horizon: h / DAYS_PER_YEAR } });
  const losses = rv.pnl.map((x) => -x);
  // A NaN or infinite loss (overflowing sizes, a repricing failure) would make the tail selection
  // and every figure below meaningless without a trace: stop at the first such window.
  for (let t = 0; t < m; t++) {
    if (!Number.isFinite(losses[t])) {
      throw new InputError('portfolio', pf, `a portfolio with a finite revalued loss in every MPOR window (the window from ${al.dates[t]} gives ${losses[t]})`);
    }
  }
  const imArg = args.im;
  const imAt = new Float64Array(m);
  for (let t = 0; t < m; t++) {
    let v: unknown;
    if (typeof imArg === 'number') v = imArg;
    else if (typeof imArg === 'function') v = imArg({ index: t, date: al.dates[t], prices: dictOf(assets.map((a) => [a, al.prices[a][t]] as const)) });
    else throw new InputError('im', imArg, 'a positive USD number or a function of the market state');
    if (typeof v !== 'number' || !(v > 0) || !Number.isFinite(v)) throw new InputError(typeof imArg === 'number' ? 'im' : `im(${al.dates[t]})`, v, 'a positive finite USD margin');
    imAt[t] = v;
  }
  const ratio = losses.map((x, t) => x / imAt[t]);
  for (let t = 0; t < m; t++) {
    if (!Number.isFinite(ratio[t])) {
      throw new InputError(typeof imArg === 'number' ? 'im' : `im(${al.dates[t]})`, imAt[t], `an IM for which MPOR loss / IM is finite (loss ${losses[t]} USD)`);
    }
  }
  const tail = empiricalTail(ctx, ratio, o.c, 1);
  const mult = Math.max(0, o.measure === 'es' ? tail.es : tail.var);
  const im = imAt.map((x) => x * mult);
  const starts = Int32Array.from({ length: m }, (_, t) => t);
  const cov = coverage(losses, im, starts, h, o.bc, o.significance, (t) => al.dates[t]);
  const pro = procyclicality(im, o.nDays, al.dates);
  return {
    kind: 'multiplier', parameter: mult, initialMargin: im[m - 1],
    target: { measure: o.measure, confidence: o.c, mporDays: h },
    series: { dates: al.dates.slice(0, m), indices: starts, initialMargin: im, baseInitialMargin: imAt },
    coverage: { portfolio: cov }, procyclicality: pro, observations: m,
    explanation: `Multiplier ${mult.toFixed(4)} = ${o.measure.toUpperCase()} at ${o.c} of (MPOR loss / IM) over ${m} overlapping ${h}-day windows `
      + `(${al.dates[0]} to ${al.dates[n - 1]}), the portfolio fully revalued under each historical move. In-sample coverage on non-overlapping windows at backtest confidence `
      + `${o.bc.toFixed(4)}: ${cov.exceedances}/${cov.observations} exceedances (Kupiec p ${cov.kupiec.pValue.toFixed(3)}).`,
  };
}
