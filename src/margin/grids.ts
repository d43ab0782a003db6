/**
 * Scenario grids of portfolio margin: which price moves and implied-vol shocks an account is
 * repriced under, how much of each scenario's loss counts, the add-ons and the maintenance factor.
 * Presets: {@link DERIBIT_GRID} (Deribit-style risk matrix) and {@link SPAN16_GRID} (CME SPAN's
 * 16 scenarios); {@link deribitGrid} and {@link span16Grid} build them with other parameters, and
 * {@link scenarioGrid} validates a grid of your own. The methodology is in docs/margin.md.
 *
 * Sources (restated in /work/shared/reference/margin-methodologies.md, copied into docs/margin.md):
 * Deribit support "Portfolio Margin" and the API's `private/pme/simulate` response (model_params:
 * price_range 0.16, 4 buckets a side, 3 vol scenarios, volatility_range_up 0.5 / down 0.25,
 * short_term_vega_power 0.3, long_term_vega_power 0.13, extended_table_factor 1, extended_dampener
 * USD 25,000, max_delta_shock 0.1, delta_total_liq_shock_threshold 20,000,000, mm_factor 0.8);
 * CME "SPAN Methodology Overview" (the 16 risk-array scenarios); Paradex portfolio-margin docs for
 * the vega-power formula (shocked IV = IV (1 + shock (30 / max(DTE floor, DTE))^power)), with DTE =
 * 365.25 x expiry (DAYS_PER_YEAR). Contingencies: Deribit's legacy portfolio-margin page (0.01 per
 * net short option per strike: `contingencyNetting: 'strike'`), Dederi's portfolio-margin rules
 * (0.006 x index x sum |Q| over futures: `futuresContingency`). `min_volatility_for_shock_up` 0.5:
 * Deribit publishes the parameter only; the floor of the shocked-up vol is the form the
 * Deribit-compatible engines that publish a formula state (see docs/margin.md).
 */
import { InputError } from '../errors.js';
import { checkKeys } from '../option-keys.js';
import { requireNumber } from '../arguments.js';
import { checkPath } from './standard-params.js';

/**
 * Days per year of every time-to-expiry in the margin engine: days to expiry = 365.25 x expiry
 * (years). Deribit chains publish time to maturity in 365.25-day years (seconds / (365.25 x 86400)),
 * and the expiry cut-off of market.ts uses the same year.
 */
export const DAYS_PER_YEAR = 365.25;

/** One scenario of a grid. */
export interface MarginScenario {
  /** Label used in results, e.g. `'price -16%, vol up'`. */
  name: string;
  /** Relative move of the underlying's index (and of every forward): S' = S (1 + priceMove); > -1. */
  priceMove: number;
  /**
   * Implied-vol shock before term scaling: relative (vol' = vol (1 + scale volShock), `volShockMode
   * 'relative'`) or in vol points (vol' = vol + scale volShock, `'absolute'`). 0 = unchanged.
   */
  volShock: number;
  /** Share of the scenario's P&L that counts (1 regular, 0.35 SPAN extreme moves). In [0, 1]. */
  weight: number;
  /** Extended (tail) scenario: the grid's `extendedScaling` and `extendedDampener` apply to it. */
  extended: boolean;
}

/**
 * Term scaling of vol shocks (vega power): scale = (referenceDays / max(days to expiry, floorDays))^p
 * with p = shortTermPower below referenceDays and longTermPower from there on. Short-dated options
 * get larger shocks, long-dated ones smaller (scale 1 at referenceDays).
 */
export interface VegaScaling {
  referenceDays: number;
  floorDays: number;
  shortTermPower: number;
  longTermPower: number;
}

/** Add-ons charged on top of (or against, see {@link ScenarioGrid.combine}) the scan loss. */
export interface MarginAddOns {
  /**
   * Short-option contingency: this fraction of the index (USD) per unit of net short option,
   * netted as `contingencyNetting` says. Deribit's legacy rule: 0.01 (0.01 BTC per net short
   * option per strike). Not Dederi's contingency, which is on futures: see `futuresContingency`.
   */
  shortOptionContingency?: number;
  /**
   * How the short-option contingency nets long against short units:
   * - `'instrument'` (default of {@link scenarioGrid}): per instrument (asset, expiry, strike, type,
   *   settlement): a long call does not offset a short put;
   * - `'strike'` (DERIBIT_GRID, Deribit's published legacy rule): per strike of an expiry (asset,
   *   expiry, strike, settlement), calls and puts together: call +10 and put -20 on one strike are
   *   net short 10.
   */
  contingencyNetting?: 'instrument' | 'strike';
  /**
   * Futures contingency (Dederi's published contingency): this fraction x index (USD) x the sum of
   * |size| over the account's futures and perpetuals of the asset, long and short alike (no
   * netting). Dederi: 0.006 (10 long ETH futures at index 2,243.3: 0.006 x 2,243.3 x 10 = 134.6).
   */
  futuresContingency?: number;
  /**
   * Delta (liquidity) shock: |net USD delta| x min(max, max (|net USD delta| - threshold) / threshold),
   * i.e. nothing below `threshold` (USD) of net delta, rising linearly to `max` of the delta at twice
   * the threshold. Net delta per asset (aggregation 'per-asset') or over the account ('joint').
   */
  deltaShock?: { max: number; threshold: number };
}

/** A scenario grid with everything portfolio margin needs besides the accounts and the market. */
export interface ScenarioGrid {
  /** Name shown in results. */
  name: string;
  scenarios: readonly MarginScenario[];
  /** How `volShock` applies: `'relative'` (default) or `'absolute'` (vol points). */
  volShockMode: 'relative' | 'absolute';
  /** Term scaling of vol shocks; absent: every option gets the shock as is (scale 1). */
  vegaScaling?: VegaScaling;
  /**
   * USD of loss forgiven in each extended scenario before its weight applies:
   * counted loss = weight x max(0, loss - extendedDampener). 0 for none.
   */
  extendedDampener: number;
  /**
   * Extended scenarios' P&L before dampener and weight: `'range'` multiplies it by
   * priceRange / |priceMove| (priceRange = the largest |move| of the regular scenarios), so a linear
   * position counts its P&L at the regular range's edge and only convexity (short options' gap risk)
   * adds beyond it; this reproduces Deribit's published simulate example, where the extended vector
   * of a perpetual and of a future repeats their -16% / +16% values. `'none'` counts the P&L as is.
   */
  extendedScaling: 'range' | 'none';
  addOns: MarginAddOns;
  /** IM = max(0, scan) + add-ons (`'sum'`, Deribit's risk_matrix_margin) or max(scan, add-ons) (`'max'`, SPAN's short-option minimum). */
  combine: 'sum' | 'max';
  /** Maintenance margin = maintenanceFactor x initial margin (Deribit mm_factor 0.8). In (0, 1]. */
  maintenanceFactor: number;
  /**
   * Floor of the implied vol in vol-up scenarios (Deribit `min_volatility_for_shock_up`, 0.5 in
   * DERIBIT_GRID): in a scenario whose `volShock` is > 0, an option's shocked vol is
   * max(shocked vol, minVolForShockUp). Absent or 0: no floor. Vol-down and unchanged-vol
   * scenarios are not floored.
   */
  minVolForShockUp?: number;
  /** Where the parameters come from. */
  source?: string;
}

/** Every key a grid may carry (scenarioGrid's input and output). */
const GRID_KEYS = [
  'name', 'scenarios', 'volShockMode', 'vegaScaling', 'extendedDampener', 'extendedScaling', 'addOns', 'combine', 'maintenanceFactor',
  'minVolForShockUp', 'source',
] as const satisfies readonly (keyof ScenarioGrid)[];
const SCENARIO_KEYS = ['name', 'priceMove', 'volShock', 'weight', 'extended'] as const satisfies readonly (keyof MarginScenario)[];
const VEGA_SCALING_KEYS = ['referenceDays', 'floorDays', 'shortTermPower', 'longTermPower'] as const satisfies readonly (keyof VegaScaling)[];
const ADD_ON_KEYS = ['shortOptionContingency', 'contingencyNetting', 'futuresContingency', 'deltaShock'] as const satisfies readonly (keyof MarginAddOns)[];
const DELTA_SHOCK_KEYS = ['max', 'threshold'] as const satisfies readonly (keyof NonNullable<MarginAddOns['deltaShock']>)[];

/** Parameters of {@link deribitGrid} (defaults: the DERIBIT_GRID values). */
export interface DeribitGridParams {
  /** Largest regular move (fraction of the index), default 0.16. */
  priceRange?: number;
  /** Buckets on each side of 0 (default 4: 9 price points, 27 scenarios). */
  buckets?: number;
  /** Relative vol shock up (default 0.5) and down (default 0.25, applied as -0.25). */
  volUp?: number;
  volDown?: number;
  vegaScaling?: Partial<VegaScaling>;
  /** Extended moves (vol up only); default -0.66, -0.33, +0.5, +1, +2, +3, +4, +5. Empty to drop them. */
  extendedMoves?: readonly number[];
  /** Weight of the extended scenarios' loss (Deribit extended_table_factor, default 1). */
  extendedFactor?: number;
  /** USD forgiven per extended scenario (default 25,000: Deribit extended_dampener for USD). */
  extendedDampener?: number;
  extendedScaling?: 'range' | 'none';
  addOns?: MarginAddOns;
  combine?: 'sum' | 'max';
  maintenanceFactor?: number;
  /** Floor of the vol in vol-up scenarios (default 0.5, Deribit `min_volatility_for_shock_up`; 0 for none). */
  minVolForShockUp?: number;
}

const DERIBIT_PARAM_KEYS = [
  'priceRange', 'buckets', 'volUp', 'volDown', 'vegaScaling', 'extendedMoves', 'extendedFactor', 'extendedDampener', 'extendedScaling',
  'addOns', 'combine', 'maintenanceFactor', 'minVolForShockUp',
] as const satisfies readonly (keyof DeribitGridParams)[];

/** Parameters of {@link span16Grid} (defaults: the SPAN16_GRID values). */
export interface Span16GridParams {
  /** Price scan range as a fraction of the index (default 0.15; CME sets one per product). */
  priceScanRange?: number;
  /** Volatility scan range (default 0.25 relative; set per product). */
  volScanRange?: number;
  volShockMode?: 'relative' | 'absolute';
  /** Extreme move in scan ranges (default 2; CME has used 3). */
  extremeMultiple?: number;
  /** Share of the extreme moves' P&L counted (default 0.35; with 3x CME has used 0.33). */
  extremeFraction?: number;
  addOns?: MarginAddOns;
  combine?: 'sum' | 'max';
  maintenanceFactor?: number;
}

const SPAN16_PARAM_KEYS = [
  'priceScanRange', 'volScanRange', 'volShockMode', 'extremeMultiple', 'extremeFraction', 'addOns', 'combine', 'maintenanceFactor',
] as const satisfies readonly (keyof Span16GridParams)[];

const pct = (x: number): string => `${x > 0 ? '+' : ''}${Number((x * 100).toFixed(4))}%`;

/**
 * Vol-shock scale of one option: (referenceDays / max(days, floorDays))^p, p = shortTermPower
 * below referenceDays, else longTermPower. E.g. Deribit's legacy rule: 15 days, power 0.30:
 * (30/15)^0.30 = 1.2311, times a 38% base shock = 46.78%.
 * @param expiry time to expiry in years of 365.25 days ({@link DAYS_PER_YEAR}: days = 365.25 x
 *   expiry, the year of Deribit's chains and of the engine's expiry cut-off).
 */
export function vegaPowerScale(expiry: number, scaling: VegaScaling): number {
  requireNumber(expiry, 'expiry');
  return vegaScale(expiry, checkVegaScaling(scaling, 'scaling'));
}

/** {@link vegaPowerScale} under validated scaling (the portfolio-margin loop, once per option). */
export function vegaScale(expiry: number, scaling: VegaScaling): number {
  const days = expiry * DAYS_PER_YEAR;
  const p = days < scaling.referenceDays ? scaling.shortTermPower : scaling.longTermPower;
  return Math.pow(scaling.referenceDays / Math.max(days, scaling.floorDays), p);
}

/** Deribit default vega scaling: 30-day reference, 1-day floor, powers 0.3 / 0.13. */
export const DERIBIT_VEGA_SCALING: Readonly<VegaScaling> = Object.freeze({ referenceDays: 30, floorDays: 1, shortTermPower: 0.3, longTermPower: 0.13 });

/** Deribit's published extended moves (vol up only). */
const DERIBIT_EXTENDED_MOVES: readonly number[] = Object.freeze([-0.66, -0.33, 0.5, 1, 2, 3, 4, 5]);

/**
 * A Deribit-style risk-matrix grid: 2 buckets + 1 price points evenly spaced over +-priceRange (incl. 0),
 * each with vol up / unchanged / down (27 scenarios by default), then the extended moves with vol up,
 * scaled to the price range, less the dampener, counted at `extendedFactor`.
 * @throws InputError for a parameter out of range (path `params.<name>`).
 */
export function deribitGrid(params: DeribitGridParams = {}): ScenarioGrid {
  if (params === null || typeof params !== 'object') throw new InputError('params', params, 'an object of grid parameters');
  checkKeys(params, DERIBIT_PARAM_KEYS, 'params');
  const range = params.priceRange ?? 0.16;
  const buckets = params.buckets ?? 4;
  const up = params.volUp ?? 0.5;
  const down = params.volDown ?? 0.25;
  if (typeof range !== 'number' || !(range > 0 && range < 1)) throw new InputError('params.priceRange', range, 'a number in (0, 1)');
  if (!Number.isInteger(buckets) || buckets < 1 || buckets > 100) throw new InputError('params.buckets', buckets, 'an integer in [1, 100]');
  if (typeof up !== 'number' || !(up >= 0 && Number.isFinite(up))) throw new InputError('params.volUp', up, 'a finite number >= 0');
  if (typeof down !== 'number' || !(down >= 0 && down < 1)) throw new InputError('params.volDown', down, 'a number in [0, 1)');
  const scenarios: MarginScenario[] = [];
  for (let b = -buckets; b <= buckets; b++) {
    const move = (range * b) / buckets;
    for (const [vol, label] of [[up, 'vol up'], [0, 'vol unchanged'], [-down, 'vol down']] as const) {
      scenarios.push({ name: `price ${b === 0 ? '0%' : pct(move)}, ${label}`, priceMove: move, volShock: vol, weight: 1, extended: false });
    }
  }
  const factor = params.extendedFactor ?? 1;
  if (typeof factor !== 'number' || !(factor >= 0 && factor <= 1)) throw new InputError('params.extendedFactor', factor, 'a number in [0, 1]');
  const ext = params.extendedMoves ?? DERIBIT_EXTENDED_MOVES;
  if (!Array.isArray(ext)) throw new InputError('params.extendedMoves', ext, 'an array of moves > -1');
  ext.forEach((m, i) => {
    if (!(typeof m === 'number' && m > -1 && Number.isFinite(m))) throw new InputError(`params.extendedMoves[${i}]`, m, 'a finite move > -1');
    scenarios.push({ name: `extended ${pct(m)}, vol up`, priceMove: m, volShock: up, weight: factor, extended: true });
  });
  return scenarioGrid({
    name: 'deribit',
    scenarios,
    volShockMode: 'relative',
    vegaScaling: { ...DERIBIT_VEGA_SCALING, ...vegaOverrides(params.vegaScaling) },
    extendedDampener: params.extendedDampener ?? 25_000,
    extendedScaling: params.extendedScaling ?? 'range',
    addOns: params.addOns ?? { shortOptionContingency: 0.01, contingencyNetting: 'strike', deltaShock: { max: 0.1, threshold: 20_000_000 } },
    combine: params.combine ?? 'sum',
    maintenanceFactor: params.maintenanceFactor ?? 0.8,
    minVolForShockUp: params.minVolForShockUp ?? 0.5,
    source: 'Deribit portfolio margin (support article; API private/pme/simulate model_params; legacy documentation page for the'
      + ' contingency of 0.01 per net short option per strike; min_volatility_for_shock_up as the floor of the shocked-up vol, as'
      + ' third-party Deribit-compatible engines state it)',
  }, 'params');
}

/** CME SPAN's 16 scenarios as tabled: [price label, price move in scan ranges, vol direction, extreme]. */
const SPAN16_TABLE: readonly (readonly [string, number, number, boolean])[] = [
  ['0', 0, 1, false], ['0', 0, -1, false], ['+1/3', 1 / 3, 1, false], ['+1/3', 1 / 3, -1, false],
  ['-1/3', -1 / 3, 1, false], ['-1/3', -1 / 3, -1, false], ['+2/3', 2 / 3, 1, false], ['+2/3', 2 / 3, -1, false],
  ['-2/3', -2 / 3, 1, false], ['-2/3', -2 / 3, -1, false], ['+1', 1, 1, false], ['+1', 1, -1, false],
  ['-1', -1, 1, false], ['-1', -1, -1, false], ['+', 1, 0, true], ['-', -1, 0, true],
];

/**
 * CME SPAN's standard 16 scenarios: price 0, +-1/3, +-2/3, +-1 of the price scan range with the
 * volatility scan range up and down (14), then +-extremeMultiple scan ranges with vol unchanged
 * counted at extremeFraction (2). No vega scaling, no dampener.
 * @throws InputError for a parameter out of range (path `params.<name>`).
 */
export function span16Grid(params: Span16GridParams = {}): ScenarioGrid {
  if (params === null || typeof params !== 'object') throw new InputError('params', params, 'an object of grid parameters');
  checkKeys(params, SPAN16_PARAM_KEYS, 'params');
  const range = params.priceScanRange ?? 0.15;
  const vol = params.volScanRange ?? 0.25;
  const mult = params.extremeMultiple ?? 2;
  const frac = params.extremeFraction ?? 0.35;
  if (typeof range !== 'number' || !(range > 0 && range < 1)) throw new InputError('params.priceScanRange', range, 'a number in (0, 1)');
  if (typeof vol !== 'number' || !(vol >= 0 && Number.isFinite(vol))) throw new InputError('params.volScanRange', vol, 'a finite number >= 0');
  if (typeof mult !== 'number' || !(mult >= 1 && mult * range < 10)) throw new InputError('params.extremeMultiple', mult, 'a number >= 1 (with multiple x range < 10)');
  if (typeof frac !== 'number' || !(frac >= 0 && frac <= 1)) throw new InputError('params.extremeFraction', frac, 'a number in [0, 1]');
  const scenarios = SPAN16_TABLE.map(([label, p, v, extreme], i): MarginScenario => {
    const move = extreme ? p * mult * range : p * range;
    const price = extreme ? `${label}${mult} scan (extreme)` : `${label} scan`;
    const volLabel = v > 0 ? 'vol up' : v < 0 ? 'vol down' : 'vol unchanged';
    return { name: `SPAN ${i + 1}: price ${price}, ${volLabel}`, priceMove: move, volShock: v * vol, weight: extreme ? frac : 1, extended: false };
  });
  return scenarioGrid({
    name: 'span16',
    scenarios,
    volShockMode: params.volShockMode ?? 'relative',
    extendedDampener: 0,
    extendedScaling: 'none',
    addOns: params.addOns ?? {},
    combine: params.combine ?? 'max',
    maintenanceFactor: params.maintenanceFactor ?? 1,
    source: 'CME SPAN Methodology Overview: standard 16-scenario risk array',
  }, 'params');
}

const validated = new WeakSet<object>();

/** Whether `grid` came out of {@link scenarioGrid} (presets included): no need to validate it again. */
export function isValidatedGrid(grid: unknown): grid is ScenarioGrid {
  return grid !== null && typeof grid === 'object' && validated.has(grid);
}

function finiteIn(v: unknown, path: string, lo: number, hi: number, what: string): number {
  if (typeof v !== 'number' || !(v >= lo && v <= hi)) throw new InputError(path, v, what);
  return v;
}

/**
 * Validate vega scaling: days in (0, 1e6], powers in [0, 10]; returns a plain copy.
 * @throws InputError naming the field (`<path>.floorDays`).
 */
function checkVegaScaling(v: unknown, path: string): VegaScaling {
  if (v === null || typeof v !== 'object') throw new InputError(path, v, 'an object { referenceDays, floorDays, shortTermPower, longTermPower }');
  checkKeys(v, VEGA_SCALING_KEYS, path);
  const s = v as Partial<Record<keyof VegaScaling, unknown>>;
  return {
    referenceDays: finiteIn(s.referenceDays, `${path}.referenceDays`, Number.MIN_VALUE, 1e6, 'a positive number of days'),
    floorDays: finiteIn(s.floorDays, `${path}.floorDays`, Number.MIN_VALUE, 1e6, 'a positive number of days'),
    shortTermPower: finiteIn(s.shortTermPower, `${path}.shortTermPower`, 0, 10, 'a power in [0, 10]'),
    longTermPower: finiteIn(s.longTermPower, `${path}.longTermPower`, 0, 10, 'a power in [0, 10]'),
  };
}

/** deribitGrid's `vegaScaling` overrides: an object (its fields are checked with the grid). */
function vegaOverrides(v: unknown): Partial<VegaScaling> | undefined {
  if (v !== undefined && (v === null || typeof v !== 'object')) throw new InputError('params.vegaScaling', v, 'an object of VegaScaling fields');
  return v as Partial<VegaScaling> | undefined;
}

/**
 * Validate a grid (yours, or a preset modified) and return a frozen copy with defaults filled in:
 * volShockMode 'relative', extendedDampener 0, extendedScaling 'none', addOns {}, combine 'sum',
 * maintenanceFactor 1. The caller's object is not modified.
 * @param path prefix of error paths (default `'grid'`).
 * @throws InputError naming the field, e.g. `grid.scenarios[3].priceMove`, or `path` when it is not a string.
 */
export function scenarioGrid(grid: Partial<ScenarioGrid> & { scenarios: readonly MarginScenario[] }, path = 'grid'): ScenarioGrid {
  checkPath(path);
  if (grid === null || typeof grid !== 'object') throw new InputError(path, grid, 'a scenario grid { scenarios, ... }');
  checkKeys(grid, GRID_KEYS, path);
  const name = grid.name ?? 'custom';
  if (typeof name !== 'string') throw new InputError(`${path}.name`, name, 'a string');
  if (!Array.isArray(grid.scenarios) || grid.scenarios.length === 0) throw new InputError(`${path}.scenarios`, grid.scenarios, 'a non-empty array of scenarios');
  const scenarios = grid.scenarios.map((s, i): MarginScenario => {
    const p = `${path}.scenarios[${i}]`;
    if (s === null || typeof s !== 'object') throw new InputError(p, s, 'a scenario { name, priceMove, volShock, weight, extended? }');
    checkKeys(s, SCENARIO_KEYS, p);
    const move = s.priceMove;
    if (typeof move !== 'number' || !(move > -1) || !Number.isFinite(move)) throw new InputError(`${p}.priceMove`, move, 'a finite move > -1 (fraction of the index)');
    const volShock = s.volShock ?? 0;
    if (typeof volShock !== 'number' || !Number.isFinite(volShock)) throw new InputError(`${p}.volShock`, volShock, 'a finite number');
    const weight = finiteIn(s.weight ?? 1, `${p}.weight`, 0, 1, 'a weight in [0, 1]');
    const extended = s.extended ?? false;
    if (typeof extended !== 'boolean') throw new InputError(`${p}.extended`, extended, 'a boolean');
    const nm = s.name ?? `scenario ${i}`;
    if (typeof nm !== 'string') throw new InputError(`${p}.name`, nm, 'a string');
    return Object.freeze({ name: nm, priceMove: move, volShock, weight, extended });
  });
  const volShockMode = grid.volShockMode ?? 'relative';
  if (volShockMode !== 'relative' && volShockMode !== 'absolute') throw new InputError(`${path}.volShockMode`, volShockMode, "'relative' or 'absolute'");
  const vegaScaling = grid.vegaScaling === undefined ? undefined : Object.freeze(checkVegaScaling(grid.vegaScaling, `${path}.vegaScaling`));
  const extendedDampener = finiteIn(grid.extendedDampener ?? 0, `${path}.extendedDampener`, 0, Number.MAX_VALUE, 'a finite amount >= 0 (USD)');
  const extendedScaling = grid.extendedScaling ?? 'none';
  if (extendedScaling !== 'range' && extendedScaling !== 'none') throw new InputError(`${path}.extendedScaling`, extendedScaling, "'range' or 'none'");
  if (extendedScaling === 'range' && scenarios.some((s) => s.extended) && !scenarios.some((s) => !s.extended && s.priceMove !== 0)) {
    throw new InputError(`${path}.extendedScaling`, extendedScaling, "'none' when no regular scenario moves the price (the range is undefined)");
  }
  if (extendedScaling === 'range') {
    scenarios.forEach((s, i) => {
      if (s.extended && s.priceMove === 0) throw new InputError(`${path}.scenarios[${i}].priceMove`, 0, "a non-zero move for an extended scenario scaled by 'range'");
    });
  }
  const addOnsIn = grid.addOns ?? {};
  if (addOnsIn === null || typeof addOnsIn !== 'object') throw new InputError(`${path}.addOns`, addOnsIn, 'an object');
  checkKeys(addOnsIn, ADD_ON_KEYS, `${path}.addOns`);
  const addOns: MarginAddOns = {};
  if (addOnsIn.shortOptionContingency !== undefined) {
    addOns.shortOptionContingency = finiteIn(addOnsIn.shortOptionContingency, `${path}.addOns.shortOptionContingency`, 0, 1, 'a fraction in [0, 1]');
  }
  if (addOnsIn.contingencyNetting !== undefined) {
    const n = addOnsIn.contingencyNetting;
    if (n !== 'instrument' && n !== 'strike') throw new InputError(`${path}.addOns.contingencyNetting`, n, "'instrument' or 'strike'");
    addOns.contingencyNetting = n;
  }
  if (addOnsIn.futuresContingency !== undefined) {
    addOns.futuresContingency = finiteIn(addOnsIn.futuresContingency, `${path}.addOns.futuresContingency`, 0, 1, 'a fraction in [0, 1]');
  }
  if (addOnsIn.deltaShock !== undefined) {
    const d = addOnsIn.deltaShock;
    if (d === null || typeof d !== 'object') throw new InputError(`${path}.addOns.deltaShock`, d, 'an object { max, threshold }');
    checkKeys(d, DELTA_SHOCK_KEYS, `${path}.addOns.deltaShock`);
    addOns.deltaShock = Object.freeze({
      max: finiteIn(d.max, `${path}.addOns.deltaShock.max`, 0, 1, 'a fraction in [0, 1]'),
      threshold: finiteIn(d.threshold, `${path}.addOns.deltaShock.threshold`, Number.MIN_VALUE, Number.MAX_VALUE, 'a positive USD amount'),
    });
  }
  const combine = grid.combine ?? 'sum';
  if (combine !== 'sum' && combine !== 'max') throw new InputError(`${path}.combine`, combine, "'sum' or 'max'");
  const maintenanceFactor = finiteIn(grid.maintenanceFactor ?? 1, `${path}.maintenanceFactor`, Number.MIN_VALUE, 1, 'a factor in (0, 1]');
  if (grid.source !== undefined && typeof grid.source !== 'string') throw new InputError(`${path}.source`, grid.source, 'a string');
  const minVol = grid.minVolForShockUp === undefined ? 0 : finiteIn(grid.minVolForShockUp, `${path}.minVolForShockUp`, 0, 100, 'a vol in [0, 100] (decimal; 0 = no floor)');
  const out: ScenarioGrid = {
    name, scenarios: Object.freeze(scenarios), volShockMode, extendedDampener, extendedScaling, addOns: Object.freeze(addOns), combine, maintenanceFactor,
  };
  if (vegaScaling) out.vegaScaling = vegaScaling;
  if (minVol > 0) out.minVolForShockUp = minVol;
  if (grid.source !== undefined) out.source = grid.source;
  Object.freeze(out);
  validated.add(out);
  return out;
}

/**
 * A preset grid built on first use rather than at import (building and validating the two presets
 * took ~1 ms of a cold `import('riskwasm')`, issue 13). The preset is a frozen object whose `keys` (the built
 * grid's own keys, in order) read the grid built on first access: identity, isValidatedGrid, spread,
 * JSON and structured clone (worker messages) see the same grid as an eagerly built one.
 */
function lazyPreset(keys: readonly (keyof ScenarioGrid)[], build: () => ScenarioGrid): ScenarioGrid {
  let grid: ScenarioGrid | undefined;
  const built = (): ScenarioGrid => {
    if (grid === undefined) {
      const g = build();
      // A preset that gains or loses a key must list it here (test/margin-grids.test.ts compares them).
      if (Object.keys(g).join() !== keys.join()) throw new Error(`grids: preset ${g.name} has keys ${Object.keys(g).join()}, not ${keys.join()}`);
      grid = g;
    }
    return grid;
  };
  const preset = {} as ScenarioGrid;
  for (const key of keys) Object.defineProperty(preset, key, { enumerable: true, get: () => built()[key] });
  // Node's console.log and REPL show the grid, not `[Getter]` per key (non-enumerable: no copy sees it).
  Object.defineProperty(preset, Symbol.for('nodejs.util.inspect.custom'), {
    value: (_depth: number, options: object, inspect: (v: unknown, o: object) => string) => inspect(built(), options),
  });
  Object.freeze(preset);
  validated.add(preset);
  return preset;
}

const PRESET_KEYS = ['name', 'scenarios', 'volShockMode', 'extendedDampener', 'extendedScaling', 'addOns', 'combine', 'maintenanceFactor'] as const satisfies readonly (keyof ScenarioGrid)[];

/**
 * Deribit-style preset: 27 regular + 8 extended scenarios, vega power (days = 365.25 x expiry),
 * vol floored at 0.5 in vol-up scenarios, short-option contingency 0.01 netted per strike, delta
 * shock, MM = 0.8 IM. (Built on first use: equal to `deribitGrid()`.)
 */
export const DERIBIT_GRID: ScenarioGrid = lazyPreset([...PRESET_KEYS, 'vegaScaling', 'minVolForShockUp', 'source'], () => deribitGrid());

/**
 * CME SPAN 16 scenarios: scan range 15%, vol scan 25% relative, extremes +-2 ranges at 35%, IM = max(scan, add-ons), MM = IM.
 * (Built on first use: equal to `span16Grid()`.)
 */
export const SPAN16_GRID: ScenarioGrid = lazyPreset([...PRESET_KEYS, 'source'], () => span16Grid());
