/**
 * [surface] A volatility surface: raw SVI slices at ascending expiries, each against its own
 * forward, joined in time by linear interpolation of total variance at fixed log-moneyness
 * k = ln(K / F(T)). Implied vol, total variance and Dupire local vol come from one kernel call per
 * batch chunk (`volSurfaceEvaluate`, WASM or its bit-identical JS twin).
 *
 * Rules (also in the kernel's header, assembly/surface/vol-surface.ts):
 * - between slices T_i < T <= T_{i+1}: w(k, T) = w_i(k) + (T - T_i) / (T_{i+1} - T_i) (w_{i+1}(k) - w_i(k));
 *   so w is nondecreasing in T at every k where the slices are (calendar monotonicity is kept, not
 *   manufactured: a violation is reported by {@link VolSurface.calendar} and shows as local-vol
 *   status `arbitrage`);
 * - before the first slice: w(k, T) = (T / T_1) w_1(k) (0 at T = 0, the first slice's vol);
 * - after the last: `'constantVol'` (default) w(k, T) = (T / T_n) w_n(k), or `'flatForwardVariance'`:
 *   the last pair's slope dw/dT carried on (one slice: constant vol);
 * - forwards: ln F linear in T through the slices' forwards (and the spot at T = 0 when known),
 *   the end segments extended (flat carry rate beyond them).
 */
import type { EngineContext } from '../context.js';
import { InputError, KernelError } from '../errors.js';
import { checkKeys } from '../option-keys.js';
import { requireArrayLike } from '../arguments.js';
import { checkNumbers, copyNumbers } from '../batch-inputs.js';
import { columnBytes } from '../memory-arena.js';

/** Points of a surface evaluation: exactly one of `strikes` or `moneyness`, and `expiries`. */
export interface VolPointsArgs {
  /** Absolute strikes (> 0), in the forward's units. Exclusive with `moneyness`. */
  strikes?: ArrayLike<number>;
  /** Log forward-moneyness k = ln(K / F(T)). Exclusive with `strikes`. */
  moneyness?: ArrayLike<number>;
  /** Years from the surface's valuation time (> 0): one per point, or one (a number or length 1) for all. */
  expiries: ArrayLike<number> | number;
}

const POINT_KEYS = ['strikes', 'moneyness', 'expiries'] as const satisfies readonly (keyof VolPointsArgs)[];

/** One slice of a surface: raw SVI total variance w(k) = a + b (rho (k - m) + sqrt((k - m)^2 + sigma^2)). */
export interface VolSurfaceSlice {
  /** Years from the valuation time (> 0). */
  expiry: number;
  /** Forward to this expiry (> 0), in the strikes' units. */
  forward: number;
  a: number;
  /** >= 0. */
  b: number;
  /** In (-1, 1). */
  rho: number;
  m: number;
  /** > 0. */
  sigma: number;
}

/** Time extrapolation after the last slice (see the module comment). */
export type VolSurfaceExtrapolation = 'constantVol' | 'flatForwardVariance';

/** Where the slices came from. */
export type VolSurfaceSource = 'svi' | 'ssvi' | 'heston' | 'bates';

/** A point where a later slice has less total variance than an earlier one at the same k. */
export interface SurfaceCalendarViolation {
  /** The pair (expiryIndex, expiryIndex + 1), ascending expiry. */
  expiryIndex: number;
  /** Log forward-moneyness. */
  k: number;
  /** Total variance (vol^2 x years) of the shorter and the longer slice at k. */
  wShort: number;
  wLong: number;
}

/** The calendar check of a surface's slices on a k grid (w_{i+1}(k) >= w_i(k) (1 - 1e-12)). */
export interface SurfaceCalendarCheck {
  arbitrageFree: boolean;
  /** Grid points compared over every consecutive pair. */
  checkedPoints: number;
  /** Violating points counted. */
  violations: number;
  /** The violation with the largest w_short - w_long (null when none). */
  worst: SurfaceCalendarViolation | null;
  /** The grid: `points` equally spaced k in [kMin, kMax]. */
  grid: { kMin: number; kMax: number; points: number };
}

/** The serialised form of a {@link VolSurface} (plain JSON: numbers, strings, arrays). */
export interface VolSurfaceJSON {
  kind: 'riskwasm.VolSurface';
  version: 1;
  source: VolSurfaceSource;
  extrapolation: VolSurfaceExtrapolation;
  underlying?: string;
  /** ms since the epoch. */
  valuationTime?: number;
  /** Spot at T = 0 (anchors the forward curve before the first slice). */
  spot?: number;
  slices: VolSurfaceSlice[];
  /** Grid of the calendar check. */
  calendarGrid: { kMin: number; kMax: number; points: number };
  /** Model-built surfaces: rms error of each slice's SVI fit to the model's implied vols (vol points). */
  sliceRmse?: number[];
}

const JSON_KEYS = ['kind', 'version', 'source', 'extrapolation', 'underlying', 'valuationTime', 'spot', 'slices', 'calendarGrid', 'sliceRmse'] as const satisfies readonly (keyof VolSurfaceJSON)[];
const SLICE_KEYS = ['expiry', 'forward', 'a', 'b', 'rho', 'm', 'sigma'] as const satisfies readonly (keyof VolSurfaceSlice)[];
const GRID_KEYS = ['kMin', 'kMax', 'points'] as const;
const SOURCES: readonly VolSurfaceSource[] = ['svi', 'ssvi', 'heston', 'bates'];
const EXTRAPOLATIONS: readonly VolSurfaceExtrapolation[] = ['constantVol', 'flatForwardVariance'];

/** Most slices of one surface. */
export const MAX_SURFACE_SLICES = 10_000;
/** Most points of the calendar-check grid. */
export const MAX_CALENDAR_POINTS = 100_000;
/** Default calendar-check grid. */
export const DEFAULT_CALENDAR_GRID = Object.freeze({ kMin: -1.5, kMax: 1.5, points: 301 });

/** f64 per slice in the kernel's slice block (column-major). */
const SLICE_COLUMNS = 6;

/** The checked, immutable content of a surface. @internal */
export interface SurfaceData {
  source: VolSurfaceSource;
  extrapolation: VolSurfaceExtrapolation;
  underlying?: string;
  valuationTime?: number;
  spot?: number;
  slices: readonly Readonly<VolSurfaceSlice>[];
  calendarGrid: { kMin: number; kMax: number; points: number };
  sliceRmse?: readonly number[];
}

const enum Output { Vol = 0, TotalVariance = 1, LocalVol = 2 }

/**
 * A volatility surface (see the module comment for its interpolation and extrapolation rules).
 * Build one with `engine.volSurface(...)` or {@link VolSurface.fromJSON}; evaluation methods run on
 * the engine the surface is bound to (`fromJSON(json, engine)`, {@link VolSurface.withEngine}).
 * Immutable.
 */
export class VolSurface {
  /** The underlying's name, when given. */
  readonly underlying: string | undefined;
  /** Valuation time, ms since the epoch, when given: expiries are years from it. */
  readonly valuationTime: number | undefined;
  /** Spot at T = 0, when given. */
  readonly spot: number | undefined;
  readonly source: VolSurfaceSource;
  readonly extrapolation: VolSurfaceExtrapolation;
  /** The slices, ascending expiry (frozen copies). */
  readonly slices: readonly Readonly<VolSurfaceSlice>[];
  /** Calendar check of consecutive slices on {@link SurfaceCalendarCheck.grid}: reported, never repaired. */
  readonly calendar: SurfaceCalendarCheck;
  /** Model-built surfaces: rms error of each slice's SVI fit to the model's implied vols (vol points). */
  readonly sliceRmse: readonly number[] | undefined;
  private readonly ctx: EngineContext | undefined;
  private readonly sliceBlock: Float64Array;
  private readonly forwardBlock: Float64Array;

  /** @internal use `engine.volSurface` or {@link VolSurface.fromJSON}; `data` must be checked. */
  constructor(data: SurfaceData, ctx: EngineContext | undefined) {
    this.source = data.source;
    this.extrapolation = data.extrapolation;
    this.underlying = data.underlying;
    this.valuationTime = data.valuationTime;
    this.spot = data.spot;
    this.slices = Object.freeze(data.slices.map((s) => Object.freeze({ ...s })));
    this.sliceRmse = data.sliceRmse === undefined ? undefined : Object.freeze([...data.sliceRmse]);
    this.ctx = ctx;
    const S = this.slices.length;
    // Column-major [expiry, a, b, rho, m, sigma][S]: the kernel loads two consecutive slices' parameters as one f64x2.
    this.sliceBlock = new Float64Array(S * SLICE_COLUMNS);
    this.slices.forEach((s, i) => [s.expiry, s.a, s.b, s.rho, s.m, s.sigma].forEach((v, c) => (this.sliceBlock[c * S + i] = v)));
    const nodes: number[] = [];
    if (this.spot !== undefined) nodes.push(0, Math.log(this.spot));
    for (const s of this.slices) nodes.push(s.expiry, Math.log(s.forward));
    this.forwardBlock = Float64Array.from(nodes);
    this.calendar = calendarCheck(this.slices, data.calendarGrid);
    Object.freeze(this);
  }

  /** Expiries of the slices, years, ascending. */
  get expiries(): Float64Array {
    return Float64Array.from(this.slices, (s) => s.expiry);
  }

  /** The engine this surface evaluates on (undefined: call {@link VolSurface.withEngine} first). */
  get engine(): EngineContext | undefined {
    return this.ctx;
  }

  /**
   * The same surface evaluated on `engine`.
   * @throws InputError (path `engine`) unless it is an engine.
   */
  withEngine(engine: EngineContext): VolSurface {
    return new VolSurface(this.data(), checkedEngine(engine, 'engine'));
  }

  /**
   * Annualised implied vols (decimals) at the points; one kernel call per chunk of the engine's
   * chunk size. A bad point gives NaN and status `invalidInput` (expiry not in (0, inf), strike
   * <= 0, not finite) or `arbitrage` (total variance <= 0 there).
   * @throws InputError for a malformed call (both or neither of strikes and moneyness, lengths,
   *   non-number elements, an unknown key) or an unbound surface (path `engine`).
   */
  vol(args: VolPointsArgs): { vols: Float64Array; status: Uint8Array } {
    const r = this.evaluate(args, Output.Vol);
    return { vols: r.values, status: r.status };
  }

  /**
   * Total implied variance w = vol^2 T (years x decimal^2) at the points; statuses as {@link VolSurface.vol}.
   * @throws InputError as {@link VolSurface.vol}.
   */
  totalVariance(args: VolPointsArgs): { totalVariances: Float64Array; status: Uint8Array } {
    const r = this.evaluate(args, Output.TotalVariance);
    return { totalVariances: r.values, status: r.status };
  }

  /**
   * Dupire local vol (annualised decimal) at the points, by Gatheral's formula in total variance
   * with analytic dw/dk, d2w/dk2 (the SVI closed forms, interpolated in T like w) and dw/dT the
   * slope of the time interpolation (piecewise constant in T at fixed k: local vol jumps at slice
   * expiries). A point where the denominator (the density factor g) is <= 0 (butterfly arbitrage)
   * or dw/dT < 0 (calendar arbitrage) gets NaN and status `arbitrage`, never a number.
   * @throws InputError as {@link VolSurface.vol}.
   */
  localVol(args: VolPointsArgs): { localVols: Float64Array; status: Uint8Array } {
    const r = this.evaluate(args, Output.LocalVol);
    return { localVols: r.values, status: r.status };
  }

  /**
   * Forwards F(T) at the given expiries (years): ln F linear in T through the slices' forwards
   * (and the spot at T = 0 when known), the end segments extended. NaN for an expiry that is not
   * a finite number >= 0.
   * @throws InputError naming `expiries` (not an array of numbers).
   */
  forward(expiries: ArrayLike<number>): Float64Array {
    const T = requireArrayLike(expiries, 'expiries') as ArrayLike<number>;
    checkNumbers(T, 'expiries');
    const out = new Float64Array(T.length);
    const f = this.forwardBlock, nF = f.length / 2;
    for (let i = 0; i < T.length; i++) {
      const t = T[i];
      if (!(t >= 0) || t === Infinity) {
        out[i] = NaN;
        continue;
      }
      // At a node, its own forward (exp(ln F) can be an ulp off).
      const node = this.nodeForward(t);
      if (node !== undefined) {
        out[i] = node;
        continue;
      }
      let lnF: number;
      if (nF === 1) lnF = f[1];
      else {
        let j = 1;
        while (j < nF - 1 && f[2 * j] < t) j++;
        const Ta = f[2 * j - 2], La = f[2 * j - 1], Tb = f[2 * j], Lb = f[2 * j + 1];
        lnF = La + ((t - Ta) / (Tb - Ta)) * (Lb - La);
      }
      out[i] = Math.exp(lnF);
    }
    return out;
  }

  /**
   * The kernel's view of the surface, for kernels that walk it point by point (the local-vol Monte
   * Carlo): `slices` column-major [expiry, a, b, rho, m, sigma][nSlices], `forwards` rows
   * [T, ln F][nForwards], `extrapolation` 0 constant vol / 1 flat forward variance; the arguments
   * of `volSurfaceEvaluate` and of `surfaceValueAt` / `surfaceLogForward` in both twins (copies).
   * @internal
   */
  kernelData(): { slices: Float64Array; nSlices: number; forwards: Float64Array; nForwards: number; extrapolation: 0 | 1 } {
    return {
      slices: this.sliceBlock.slice(), nSlices: this.sliceBlock.length / SLICE_COLUMNS,
      forwards: this.forwardBlock.slice(), nForwards: this.forwardBlock.length / 2, extrapolation: this.extrapolation === 'constantVol' ? 0 : 1,
    };
  }

  /** The surface as plain JSON; {@link VolSurface.fromJSON} rebuilds it bit for bit. */
  toJSON(): VolSurfaceJSON {
    const d = this.data();
    const json: VolSurfaceJSON = {
      kind: 'riskwasm.VolSurface', version: 1, source: d.source, extrapolation: d.extrapolation,
      slices: d.slices.map((s) => ({ expiry: s.expiry, forward: s.forward, a: s.a, b: s.b, rho: s.rho, m: s.m, sigma: s.sigma })),
      calendarGrid: { ...d.calendarGrid },
    };
    if (d.underlying !== undefined) json.underlying = d.underlying;
    if (d.valuationTime !== undefined) json.valuationTime = d.valuationTime;
    if (d.spot !== undefined) json.spot = d.spot;
    if (d.sliceRmse !== undefined) json.sliceRmse = [...d.sliceRmse];
    return json;
  }

  /**
   * Rebuild a surface from {@link VolSurface.toJSON}'s output (an object or its JSON text), bound to
   * `engine` when given (else bind it later with {@link VolSurface.withEngine}).
   * @throws InputError naming the offending field (`json.slices[2].sigma`, ...): wrong kind or
   *   version, an unknown key, a non-finite number, expiries not ascending, forward <= 0, b < 0,
   *   |rho| >= 1, sigma <= 0.
   */
  static fromJSON(json: unknown, engine?: EngineContext): VolSurface {
    const ctx = engine === undefined ? undefined : checkedEngine(engine, 'engine');
    let v = json;
    if (typeof v === 'string') {
      try {
        v = JSON.parse(v);
      } catch {
        throw new InputError('json', json, 'VolSurfaceJSON (an object or its JSON text)');
      }
    }
    return new VolSurface(checkedJson(v, 'json'), ctx);
  }

  private nodeForward(t: number): number | undefined {
    if (t === 0 && this.spot !== undefined) return this.spot;
    for (const s of this.slices) if (s.expiry === t) return s.forward;
    return undefined;
  }

  private data(): SurfaceData {
    return {
      source: this.source, extrapolation: this.extrapolation, underlying: this.underlying, valuationTime: this.valuationTime,
      spot: this.spot, slices: this.slices, calendarGrid: this.calendar.grid, sliceRmse: this.sliceRmse,
    };
  }

  private evaluate(args: VolPointsArgs, output: Output): { values: Float64Array; status: Uint8Array } {
    const ctx = this.ctx;
    if (ctx === undefined) throw new InputError('engine', undefined, 'a surface bound to an engine (engine.volSurface(json) or surface.withEngine(engine))');
    if (args === null || typeof args !== 'object' || Array.isArray(args)) throw new InputError('args', args, '{ strikes | moneyness, expiries }');
    checkKeys(args, POINT_KEYS, 'args');
    const { strikes, moneyness, expiries } = args;
    if ((strikes === undefined) === (moneyness === undefined)) {
      throw new InputError(strikes === undefined ? 'args.strikes' : 'args.moneyness', strikes ?? moneyness, 'exactly one of strikes and moneyness');
    }
    const xPath = strikes !== undefined ? 'args.strikes' : 'args.moneyness';
    const x = requireArrayLike(strikes ?? moneyness, xPath) as ArrayLike<number>;
    checkNumbers(x, xPath);
    const n = x.length;
    let T: ArrayLike<number> | number;
    let broadcast: boolean;
    if (typeof expiries === 'number') {
      T = expiries;
      broadcast = true;
    } else {
      T = requireArrayLike(expiries, 'args.expiries') as ArrayLike<number>;
      checkNumbers(T, 'args.expiries');
      if (T.length !== n && T.length !== 1) throw new InputError('args.expiries.length', T.length, `${n} (one per point) or 1`);
      broadcast = T.length === 1 && n !== 1;
      if (broadcast) T = T[0];
    }
    const values = new Float64Array(n);
    const status = new Uint8Array(n);
    const { arena, kernels } = ctx;
    const chunk = Math.max(1, ctx.chunkSize);
    const S = this.sliceBlock.length / SLICE_COLUMNS, F = this.forwardBlock.length / 2;
    for (let start = 0; start < n; start += chunk) {
      const m = Math.min(chunk, n - start);
      arena.reset();
      const tLen = broadcast ? 1 : m;
      arena.reserve(columnBytes(m, 8) * 2 + columnBytes(tLen, 8) + columnBytes(this.sliceBlock.length, 8) + columnBytes(this.forwardBlock.length, 8) + columnBytes(m, 1) + 128);
      const pX = arena.alloc(m * 8), pT = arena.alloc(tLen * 8), pS = arena.alloc(this.sliceBlock.length * 8);
      const pF = arena.alloc(this.forwardBlock.length * 8), pOut = arena.alloc(m * 8), pStatus = arena.alloc(m);
      const v = arena.views;
      copyNumbers(v.f64, pX >>> 3, x, start, m);
      copyNumbers(v.f64, pT >>> 3, T, start, tLen);
      v.f64.set(this.sliceBlock, pS >>> 3);
      v.f64.set(this.forwardBlock, pF >>> 3);
      const rc = kernels.volSurfaceEvaluate(m, pX, pT, broadcast ? 1 : 0, strikes !== undefined ? 1 : 0, output, S, pS, F, pF, this.extrapolation === 'constantVol' ? 0 : 1, pOut, pStatus);
      if (rc !== 0) throw new KernelError('volSurfaceEvaluate', rc);
      const w = arena.views;
      values.set(w.f64.subarray(pOut >>> 3, (pOut >>> 3) + m), start);
      status.set(w.u8.subarray(pStatus, pStatus + m), start);
    }
    return { values, status };
  }
}

/** @throws InputError (path) unless `e` looks like an engine context (kernels, arena, chunkSize). */
export function checkedEngine(e: unknown, path: string): EngineContext {
  const c = e as EngineContext | null;
  if (c === null || typeof c !== 'object' || typeof c.kernels !== 'object' || c.kernels === null || typeof c.kernels.volSurfaceEvaluate !== 'function' ||
    typeof c.arena !== 'object' || typeof c.chunkSize !== 'number') {
    throw new InputError(path, e, 'an Engine (createEngine())');
  }
  return c;
}

/** w of raw SVI at k. */
function sviW(s: Readonly<VolSurfaceSlice>, k: number): number {
  const d = k - s.m;
  return s.a + s.b * (s.rho * d + Math.sqrt(d * d + s.sigma * s.sigma));
}

/** Calendar check of consecutive slices on the grid. */
function calendarCheck(slices: readonly Readonly<VolSurfaceSlice>[], grid: { kMin: number; kMax: number; points: number }): SurfaceCalendarCheck {
  let worst: SurfaceCalendarViolation | null = null;
  let violations = 0, checkedPoints = 0;
  for (let i = 0; i + 1 < slices.length; i++) {
    for (let j = 0; j < grid.points; j++) {
      const k = grid.kMin + ((grid.kMax - grid.kMin) * j) / (grid.points - 1);
      const wShort = sviW(slices[i], k), wLong = sviW(slices[i + 1], k);
      checkedPoints++;
      if (wLong >= wShort - 1e-12 * Math.abs(wShort)) continue;
      violations++;
      if (worst === null || wShort - wLong > worst.wShort - worst.wLong) worst = { expiryIndex: i, k, wShort, wLong };
    }
  }
  return { arbitrageFree: violations === 0, checkedPoints, violations, worst, grid: { ...grid } };
}

function finiteAt(o: Record<string, unknown>, key: string, path: string): number {
  const v = o[key];
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new InputError(`${path}.${key}`, v, 'a finite number');
  return v;
}

/**
 * One slice checked: finite numbers, expiry > 0, forward > 0, b >= 0, |rho| < 1, sigma > 0.
 * @throws InputError naming `path.<field>`.
 * @internal shared with the builders.
 */
export function checkedSlice(v: unknown, path: string): VolSurfaceSlice {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new InputError(path, v, '{ expiry, forward, a, b, rho, m, sigma }');
  checkKeys(v, SLICE_KEYS, path);
  const o = v as Record<string, unknown>;
  const s = {} as VolSurfaceSlice;
  for (const key of SLICE_KEYS) s[key] = finiteAt(o, key, path);
  if (!(s.expiry > 0)) throw new InputError(`${path}.expiry`, s.expiry, 'years > 0');
  if (!(s.forward > 0)) throw new InputError(`${path}.forward`, s.forward, 'a forward > 0');
  if (!(s.b >= 0)) throw new InputError(`${path}.b`, s.b, 'b >= 0');
  if (!(Math.abs(s.rho) < 1)) throw new InputError(`${path}.rho`, s.rho, 'rho in (-1, 1)');
  if (!(s.sigma > 0)) throw new InputError(`${path}.sigma`, s.sigma, 'sigma > 0');
  return s;
}

/**
 * Slices checked as a set: 1 to MAX_SURFACE_SLICES, strictly ascending expiries.
 * @internal shared with the builders.
 */
export function checkedSlices(v: unknown, path: string): VolSurfaceSlice[] {
  const a = requireArrayLike(v, path, 1, MAX_SURFACE_SLICES);
  const out: VolSurfaceSlice[] = [];
  for (let i = 0; i < a.length; i++) {
    const s = checkedSlice(a[i], `${path}[${i}]`);
    if (i > 0 && !(s.expiry > out[i - 1].expiry)) throw new InputError(`${path}[${i}].expiry`, s.expiry, `an expiry above the previous slice's ${out[i - 1].expiry} (slices ascending, one per expiry)`);
    out.push(s);
  }
  return out;
}

/**
 * A calendar-check grid with its defaults.
 * @internal shared with the builders.
 */
export function checkedCalendarGrid(v: unknown, path: string): { kMin: number; kMax: number; points: number } {
  if (v === undefined) return { ...DEFAULT_CALENDAR_GRID };
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new InputError(path, v, '{ kMin?, kMax?, points? }');
  checkKeys(v, GRID_KEYS, path);
  const o = v as Record<string, unknown>;
  const kMin = o.kMin ?? DEFAULT_CALENDAR_GRID.kMin, kMax = o.kMax ?? DEFAULT_CALENDAR_GRID.kMax, points = o.points ?? DEFAULT_CALENDAR_GRID.points;
  if (typeof kMin !== 'number' || !Number.isFinite(kMin)) throw new InputError(`${path}.kMin`, kMin, 'a finite number');
  if (typeof kMax !== 'number' || !Number.isFinite(kMax) || !(kMax > kMin)) throw new InputError(`${path}.kMax`, kMax, `a finite number > kMin = ${kMin}`);
  if (typeof points !== 'number' || !Number.isInteger(points) || points < 2 || points > MAX_CALENDAR_POINTS) throw new InputError(`${path}.points`, points, `an integer in [2, ${MAX_CALENDAR_POINTS}]`);
  return { kMin, kMax, points };
}

/** @internal shared with the builders. */
export function checkedExtrapolation(v: unknown, path: string): VolSurfaceExtrapolation {
  if (v === undefined) return 'constantVol';
  if (!EXTRAPOLATIONS.includes(v as VolSurfaceExtrapolation)) throw new InputError(path, v, `one of ${EXTRAPOLATIONS.map((e) => `'${e}'`).join(', ')}`);
  return v as VolSurfaceExtrapolation;
}

/** @internal shared with the builders. */
export function checkedMeta(o: Record<string, unknown>, path: string): { underlying?: string; valuationTime?: number; spot?: number } {
  const out: { underlying?: string; valuationTime?: number; spot?: number } = {};
  if (o.underlying !== undefined) {
    if (typeof o.underlying !== 'string') throw new InputError(`${path}underlying`, o.underlying, 'a string');
    out.underlying = o.underlying;
  }
  if (o.valuationTime !== undefined) {
    if (typeof o.valuationTime !== 'number' || !Number.isFinite(o.valuationTime)) throw new InputError(`${path}valuationTime`, o.valuationTime, 'ms since the epoch (a finite number)');
    out.valuationTime = o.valuationTime;
  }
  if (o.spot !== undefined) {
    if (typeof o.spot !== 'number' || !(o.spot > 0) || o.spot === Infinity) throw new InputError(`${path}spot`, o.spot, 'a spot > 0');
    out.spot = o.spot;
  }
  return out;
}

function checkedJson(v: unknown, path: string): SurfaceData {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new InputError(path, v, 'VolSurfaceJSON (an object)');
  checkKeys(v, JSON_KEYS, path);
  const o = v as Record<string, unknown>;
  if (o.kind !== 'riskwasm.VolSurface') throw new InputError(`${path}.kind`, o.kind, "'riskwasm.VolSurface'");
  if (o.version !== 1) throw new InputError(`${path}.version`, o.version, '1');
  if (!SOURCES.includes(o.source as VolSurfaceSource)) throw new InputError(`${path}.source`, o.source, `one of ${SOURCES.map((e) => `'${e}'`).join(', ')}`);
  if (o.extrapolation === undefined) throw new InputError(`${path}.extrapolation`, undefined, "'constantVol' or 'flatForwardVariance'");
  const extrapolation = checkedExtrapolation(o.extrapolation, `${path}.extrapolation`);
  if (o.calendarGrid === undefined) throw new InputError(`${path}.calendarGrid`, undefined, '{ kMin, kMax, points }');
  const calendarGrid = checkedCalendarGrid(o.calendarGrid, `${path}.calendarGrid`);
  const slices = checkedSlices(o.slices, `${path}.slices`);
  const data: SurfaceData = { source: o.source as VolSurfaceSource, extrapolation, slices, calendarGrid, ...checkedMeta(o, `${path}.`) };
  if (o.sliceRmse !== undefined) {
    const r = requireArrayLike(o.sliceRmse, `${path}.sliceRmse`, slices.length, slices.length);
    const rm: number[] = [];
    for (let i = 0; i < r.length; i++) {
      const x = r[i];
      if (typeof x !== 'number' || !(x >= 0)) throw new InputError(`${path}.sliceRmse[${i}]`, x, 'a number >= 0');
      rm.push(x);
    }
    data.sliceRmse = rm;
  }
  return data;
}
