/**
 * Vega-Lite chart specs shared by the `riskwasm` CLI and the web demo. Every builder is a pure
 * function from plain numbers to a plain-JSON Vega-Lite spec (no Vega import here, so the specs
 * can be built anywhere and rendered by {@link renderSvg} or by vega-embed in a page).
 *
 * Conventions: vols are annualised decimals and shown as percentages; VaR and ES are positive
 * losses and drawn at `-VaR` and `-ES` on the P&L axis. Missing values (NaN, null, undefined) in
 * a point are skipped, never drawn at zero.
 */
import type { TopLevelSpec } from 'vega-lite';
import { InputError } from '../errors.js';

/** A plain-JSON Vega-Lite spec (the top-level object handed to `vega-lite`'s `compile`). */
export type ChartSpec = TopLevelSpec;

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

/** One market quote on a smile: strike and the implied vols of bid, ask and mid (decimals). */
export interface SmilePoint { strike: number; bidIv?: number; askIv?: number; midIv?: number }
/** One point of a fitted smile: strike, model implied vol (decimal) and the model's name. */
export interface SmileFitPoint { strike: number; iv: number; model?: string }
/** One expiry's smile: its label (e.g. `'27MAR26'`), market quotes and optional fitted curves. */
export interface SmileSlice { label: string; points: SmilePoint[]; fit?: SmileFitPoint[] }
/** Input of {@link smileChart}. */
export interface SmileChartInput { title?: string; slices: SmileSlice[]; columns?: number; width?: number; height?: number }

/** Input of {@link pnlHistogramChart}. */
export interface PnlHistogramInput {
  /** P&L per scenario (profit positive), in the portfolio's currency. Non-finite entries are skipped. */
  pnl: ArrayLike<number>;
  /** Value at risk as a positive loss (drawn at `-var`). */
  var?: number;
  /** Expected shortfall as a positive loss (drawn at `-es`). */
  es?: number;
  /** Confidence level of `var`/`es`, e.g. 0.99 (used in the labels). */
  confidence?: number;
  /** Number of equal-width bins (default 40). */
  bins?: number;
  title?: string;
  /** Unit shown on the P&L axis, e.g. `'USD'`. */
  unit?: string;
  width?: number;
  height?: number;
}

/** Input of {@link riskMatrixChart}. */
export interface RiskMatrixInput {
  /** Relative underlying price moves (decimals, e.g. -0.16 .. 0.16), one column each. */
  priceMoves: number[];
  /** Vol shocks, one row each: strings are shown as given, numbers as signed percentages. */
  volShocks: (string | number)[];
  /** P&L per cell, `pnl[volIndex][priceIndex]` (NaN: cell left blank). */
  pnl: number[][];
  /** The cell to mark; default: the cell with the lowest finite P&L. */
  worst?: { priceIndex: number; volIndex: number };
  title?: string;
  /** Unit of the P&L, e.g. `'BTC'` (legend title). */
  unit?: string;
  width?: number;
  height?: number;
}

/** One point of an implied-vol surface: expiry label and time (years), strike and IV (decimal). */
export interface IvSurfacePoint { expiryLabel: string; expiry: number; strike: number; iv: number }
/** Input of {@link ivSurfaceChart}. */
export interface IvSurfaceInput { points: IvSurfacePoint[]; title?: string; width?: number; height?: number }

/**
 * Implied-vol smiles: market bid/ask IV as vertical rules, mid IV as points and fitted curves as
 * lines (one colour per model), one panel per slice (each panel has its own strike and vol range).
 * @throws InputError when `slices` is empty, a label is not a string, a strike is not finite, or
 *   a vol is present but not a number.
 */
export function smileChart(input: SmileChartInput): ChartSpec {
  requireObject('input', input);
  requireArray('input.slices', input.slices, 1);
  const rows: Record<string, unknown>[] = [];
  const order: string[] = [];
  input.slices.forEach((slice, s) => {
    const path = `input.slices[${s}]`;
    requireObject(path, slice);
    if (typeof slice.label !== 'string' || slice.label === '') throw new InputError(`${path}.label`, slice.label, 'a non-empty string');
    order.push(slice.label);
    requireArray(`${path}.points`, slice.points, 0);
    slice.points.forEach((p, i) => {
      const pp = `${path}.points[${i}]`;
      requireObject(pp, p);
      const strike = requireFinite(`${pp}.strike`, p.strike);
      const bid = optionalVol(`${pp}.bidIv`, p.bidIv);
      const ask = optionalVol(`${pp}.askIv`, p.askIv);
      const mid = optionalVol(`${pp}.midIv`, p.midIv);
      if (bid !== null && ask !== null) rows.push({ slice: slice.label, kind: 'spread', strike, bidIv: bid, askIv: ask });
      if (mid !== null) rows.push({ slice: slice.label, kind: 'mid', strike, iv: mid });
    });
    if (slice.fit !== undefined) {
      requireArray(`${path}.fit`, slice.fit, 0);
      slice.fit.forEach((f, i) => {
        const fp = `${path}.fit[${i}]`;
        requireObject(fp, f);
        const strike = requireFinite(`${fp}.strike`, f.strike);
        const iv = optionalVol(`${fp}.iv`, f.iv);
        if (f.model !== undefined && typeof f.model !== 'string') throw new InputError(`${fp}.model`, f.model, 'a string');
        if (iv !== null) rows.push({ slice: slice.label, kind: 'fit', strike, iv, model: f.model ?? 'fit' });
      });
    }
  });
  const volAxis = { title: 'implied vol', format: '.0%' };
  // Padding keeps the bid/ask bars of the first and last strikes off the panel border.
  const strike = { field: 'strike', type: 'quantitative' as const, title: 'strike', scale: { zero: false, padding: 8 } };
  return {
    $schema: SCHEMA,
    ...(input.title ? { title: input.title } : {}),
    data: { values: rows },
    facet: { field: 'slice', type: 'nominal', title: null, sort: order },
    columns: input.columns ?? Math.min(3, input.slices.length),
    resolve: { scale: { x: 'independent', y: 'independent' } },
    spec: {
      width: input.width ?? 260,
      height: input.height ?? 180,
      layer: [
        {
          transform: [{ filter: { field: 'kind', equal: 'spread' } }],
          mark: { type: 'rule', color: '#888', strokeWidth: 1.5 },
          encoding: {
            x: strike,
            y: { field: 'bidIv', type: 'quantitative', axis: volAxis, scale: { zero: false } },
            y2: { field: 'askIv' },
            tooltip: [
              { field: 'strike', type: 'quantitative' },
              { field: 'bidIv', type: 'quantitative', format: '.2%', title: 'bid IV' },
              { field: 'askIv', type: 'quantitative', format: '.2%', title: 'ask IV' },
            ],
          },
        },
        {
          transform: [{ filter: { field: 'kind', equal: 'mid' } }],
          mark: { type: 'point', filled: true, size: 18, color: '#222' },
          encoding: {
            x: strike,
            y: { field: 'iv', type: 'quantitative', axis: volAxis, scale: { zero: false } },
            tooltip: [
              { field: 'strike', type: 'quantitative' },
              { field: 'iv', type: 'quantitative', format: '.2%', title: 'mid IV' },
            ],
          },
        },
        {
          transform: [{ filter: { field: 'kind', equal: 'fit' } }],
          mark: { type: 'line', strokeWidth: 2 },
          encoding: {
            x: strike,
            y: { field: 'iv', type: 'quantitative', axis: volAxis, scale: { zero: false } },
            color: { field: 'model', type: 'nominal', title: 'model' },
            order: { field: 'strike', type: 'quantitative' },
          },
        },
      ],
    },
  } as ChartSpec;
}

/**
 * Histogram of scenario P&L with the VaR and ES drawn as vertical rules at `-var` and `-es`
 * (bins at or beyond `-var` are coloured as the tail). Binning is done here (equal-width bins
 * between the smallest and largest finite P&L), so the spec stays small for 1e5 scenarios.
 * @throws InputError when `pnl` has no finite value, `bins` is not an integer in [1, 1000], `var`
 *   or `es` is given but not finite, or `confidence` is not in (0, 1).
 */
export function pnlHistogramChart(input: PnlHistogramInput): ChartSpec {
  requireObject('input', input);
  const pnl = input.pnl;
  if (pnl === null || typeof pnl !== 'object' || typeof pnl.length !== 'number') throw new InputError('input.pnl', pnl, 'an array of P&L values');
  const nBins = input.bins ?? 40;
  if (!Number.isInteger(nBins) || nBins < 1 || nBins > 1000) throw new InputError('input.bins', nBins, 'an integer in [1, 1000]');
  if (input.var !== undefined) requireFinite('input.var', input.var);
  if (input.es !== undefined) requireFinite('input.es', input.es);
  const conf = input.confidence;
  if (conf !== undefined && !(typeof conf === 'number' && conf > 0 && conf < 1)) throw new InputError('input.confidence', conf, 'a number in (0, 1)');
  let lo = Infinity;
  let hi = -Infinity;
  let n = 0;
  for (let i = 0; i < pnl.length; i++) {
    const v = pnl[i];
    if (typeof v !== 'number') throw new InputError(`input.pnl[${i}]`, v, 'a number');
    if (!Number.isFinite(v)) continue;
    n++;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (n === 0) throw new InputError('input.pnl', pnl, 'at least one finite P&L value');
  // A constant P&L (or a range too narrow to split into distinct edges, e.g. denormals) is drawn
  // over a padded range around its centre so every bin has a positive width.
  if (!((hi - lo) / nBins > 1e-12 * Math.max(Math.abs(lo), Math.abs(hi)))) {
    const centre = lo / 2 + hi / 2;
    const half = Math.max(0.5 * Math.abs(centre), 0.5);
    lo = centre - half;
    hi = centre + half;
  }
  const width = (hi - lo) / nBins;
  const counts = new Array<number>(nBins).fill(0);
  for (let i = 0; i < pnl.length; i++) {
    const v = pnl[i];
    if (!Number.isFinite(v)) continue;
    counts[Math.max(0, Math.min(nBins - 1, Math.floor((v - lo) / width)))]++;
  }
  const cut = input.var !== undefined ? -input.var : -Infinity;
  const bars = counts.map((count, b) => {
    const start = lo + b * width;
    const end = b === nBins - 1 ? hi : lo + (b + 1) * width;
    return { start, end, count, region: end <= cut ? 'tail' : 'body' };
  });
  const pct = conf !== undefined ? ` ${formatPercent(conf)}` : '';
  const rules: { value: number; label: string; measure: string }[] = [];
  if (input.var !== undefined) rules.push({ value: -input.var, label: `VaR${pct}`, measure: 'VaR' });
  if (input.es !== undefined) rules.push({ value: -input.es, label: `ES${pct}`, measure: 'ES' });
  const unit = input.unit ? ` (${input.unit})` : '';
  const layer: unknown[] = [
    {
      data: { values: bars },
      mark: { type: 'bar', binSpacing: 0 },
      encoding: {
        // Pre-binned data: `bin: 'binned'` makes x/x2 the bin edges and y the bar length from zero.
        x: { field: 'start', type: 'quantitative', bin: 'binned', title: `P&L${unit}`, scale: { zero: false } },
        x2: { field: 'end' },
        y: { field: 'count', type: 'quantitative', title: 'scenarios' },
        color: {
          field: 'region', type: 'nominal', title: null,
          scale: { domain: ['body', 'tail'], range: ['#4c78a8', '#e45756'] }, legend: null,
        },
        tooltip: [
          { field: 'start', type: 'quantitative', format: ',.4~g', title: 'from' },
          { field: 'end', type: 'quantitative', format: ',.4~g', title: 'to' },
          { field: 'count', type: 'quantitative' },
        ],
      },
    },
  ];
  if (rules.length > 0) {
    layer.push(
      {
        data: { values: rules },
        mark: { type: 'rule', strokeWidth: 2, strokeDash: [6, 3] },
        encoding: {
          x: { field: 'value', type: 'quantitative' },
          color: { field: 'measure', type: 'nominal', title: null, scale: { domain: ['VaR', 'ES'], range: ['#f58518', '#54a24b'] } },
        },
      },
      {
        data: { values: rules },
        mark: { type: 'text', align: 'left', dx: 4, dy: -4, baseline: 'bottom', fontWeight: 'bold' },
        encoding: {
          x: { field: 'value', type: 'quantitative' },
          y: { value: 0 },
          text: { field: 'label', type: 'nominal' },
          // The ES label sits one line lower so the two labels never overlap.
          yOffset: { field: 'measure', type: 'nominal', scale: { domain: ['VaR', 'ES'], range: [12, 26] }, legend: null },
        },
      },
    );
  }
  return {
    $schema: SCHEMA,
    ...(input.title ? { title: input.title } : {}),
    width: input.width ?? 520,
    height: input.height ?? 260,
    layer,
    resolve: { scale: { color: 'independent' } },
  } as ChartSpec;
}

/**
 * Margin risk matrix: a heatmap of portfolio P&L over price moves (columns) and vol shocks (rows),
 * each cell labelled with its P&L, the worst cell outlined.
 * @throws InputError when the axes are empty, `pnl` is not `volShocks.length` rows of
 *   `priceMoves.length` numbers, a price move is not finite, or `worst` is out of range.
 */
export function riskMatrixChart(input: RiskMatrixInput): ChartSpec {
  requireObject('input', input);
  requireArray('input.priceMoves', input.priceMoves, 1);
  requireArray('input.volShocks', input.volShocks, 1);
  requireArray('input.pnl', input.pnl, input.volShocks.length);
  if (input.pnl.length !== input.volShocks.length) throw new InputError('input.pnl', input.pnl, `${input.volShocks.length} rows (one per vol shock)`);
  const priceLabels = input.priceMoves.map((m, i) => formatSigned(requireFinite(`input.priceMoves[${i}]`, m)));
  const volLabels = input.volShocks.map((v, i) => {
    if (typeof v === 'string') return v;
    return `vol ${formatSigned(requireFinite(`input.volShocks[${i}]`, v))}`;
  });
  assertUnique('input.priceMoves', priceLabels);
  assertUnique('input.volShocks', volLabels);
  let worst = input.worst;
  let worstValue = Infinity;
  let maxAbs = 0;
  const cells: Record<string, unknown>[] = [];
  input.pnl.forEach((row, v) => {
    requireArray(`input.pnl[${v}]`, row, input.priceMoves.length);
    if (row.length !== input.priceMoves.length) throw new InputError(`input.pnl[${v}]`, row, `${input.priceMoves.length} values (one per price move)`);
    row.forEach((x, p) => {
      if (typeof x !== 'number') throw new InputError(`input.pnl[${v}][${p}]`, x, 'a number (NaN for a blank cell)');
      const finite = Number.isFinite(x);
      if (input.worst === undefined && finite && x < worstValue) { worstValue = x; worst = { priceIndex: p, volIndex: v }; }
      if (finite) maxAbs = Math.max(maxAbs, Math.abs(x));
      cells.push({ price: priceLabels[p], vol: volLabels[v], pnl: finite ? x : null });
    });
  });
  if (input.worst !== undefined) {
    requireObject('input.worst', input.worst);
    const { priceIndex, volIndex } = input.worst;
    if (!Number.isInteger(priceIndex) || priceIndex < 0 || priceIndex >= input.priceMoves.length) throw new InputError('input.worst.priceIndex', priceIndex, `an integer in [0, ${input.priceMoves.length - 1}]`);
    if (!Number.isInteger(volIndex) || volIndex < 0 || volIndex >= input.volShocks.length) throw new InputError('input.worst.volIndex', volIndex, `an integer in [0, ${input.volShocks.length - 1}]`);
  }
  const worstCell = worst ? [{ price: priceLabels[worst.priceIndex], vol: volLabels[worst.volIndex] }] : [];
  const x = { field: 'price', type: 'ordinal' as const, sort: priceLabels, title: 'price move', axis: { labelAngle: 0 } };
  const y = { field: 'vol', type: 'ordinal' as const, sort: volLabels, title: 'vol shock' };
  const unit = input.unit ? ` (${input.unit})` : '';
  return {
    $schema: SCHEMA,
    ...(input.title ? { title: input.title } : {}),
    width: input.width ?? Math.max(320, 46 * priceLabels.length),
    height: input.height ?? Math.max(80, 32 * volLabels.length),
    layer: [
      {
        data: { values: cells },
        mark: { type: 'rect' },
        encoding: {
          x, y,
          color: { field: 'pnl', type: 'quantitative', title: `P&L${unit}`, scale: { scheme: 'redblue', domainMid: 0 } },
          tooltip: [{ field: 'price' }, { field: 'vol' }, { field: 'pnl', type: 'quantitative', format: ',.4~g', title: `P&L${unit}` }],
        },
      },
      {
        data: { values: cells },
        transform: [{ filter: 'isValid(datum.pnl)' }],
        mark: { type: 'text', fontSize: 9 },
        encoding: {
          x, y, text: { field: 'pnl', type: 'quantitative', format: '.3~s' },
          // White labels on the saturated cells, black elsewhere, so every label stays readable.
          color: { condition: { test: `abs(datum.pnl) > ${0.55 * maxAbs}`, value: 'white' }, value: 'black' },
        },
      },
      {
        data: { values: worstCell },
        mark: { type: 'rect', fill: null, stroke: '#000', strokeWidth: 3 },
        encoding: { x, y },
      },
    ],
  } as ChartSpec;
}

/**
 * Implied-vol surface as smiles: IV against strike, one line per expiry (coloured by expiry, in
 * expiry order).
 * @throws InputError when `points` is empty or a point has a non-string label or non-finite
 *   expiry or strike (a NaN `iv` is skipped).
 */
export function ivSurfaceChart(input: IvSurfaceInput): ChartSpec {
  requireObject('input', input);
  requireArray('input.points', input.points, 1);
  const expiries = new Map<string, number>();
  const rows: Record<string, unknown>[] = [];
  input.points.forEach((p, i) => {
    const pp = `input.points[${i}]`;
    requireObject(pp, p);
    if (typeof p.expiryLabel !== 'string' || p.expiryLabel === '') throw new InputError(`${pp}.expiryLabel`, p.expiryLabel, 'a non-empty string');
    const expiry = requireFinite(`${pp}.expiry`, p.expiry);
    const strike = requireFinite(`${pp}.strike`, p.strike);
    const iv = optionalVol(`${pp}.iv`, p.iv);
    if (!expiries.has(p.expiryLabel)) expiries.set(p.expiryLabel, expiry);
    if (iv !== null) rows.push({ expiry: p.expiryLabel, t: expiry, strike, iv });
  });
  const order = [...expiries.entries()].sort((a, b) => a[1] - b[1]).map((e) => e[0]);
  return {
    $schema: SCHEMA,
    ...(input.title ? { title: input.title } : {}),
    width: input.width ?? 560,
    height: input.height ?? 320,
    data: { values: rows },
    mark: { type: 'line', point: { size: 14 }, strokeWidth: 1.5 },
    encoding: {
      x: { field: 'strike', type: 'quantitative', title: 'strike', scale: { type: 'log' } },
      y: { field: 'iv', type: 'quantitative', title: 'implied vol', axis: { format: '.0%' }, scale: { zero: false } },
      color: { field: 'expiry', type: 'ordinal', sort: order, title: 'expiry', scale: { scheme: 'viridis' } },
      order: { field: 'strike', type: 'quantitative' },
      tooltip: [
        { field: 'expiry', type: 'nominal' },
        { field: 'strike', type: 'quantitative' },
        { field: 'iv', type: 'quantitative', format: '.2%', title: 'IV' },
      ],
    },
  } as ChartSpec;
}

function requireObject(path: string, value: unknown): void {
  if (value === null || typeof value !== 'object') throw new InputError(path, value, 'an object');
}

function requireArray(path: string, value: unknown, minLength: number): asserts value is unknown[] {
  if (!Array.isArray(value)) throw new InputError(path, value, 'an array');
  if (value.length < minLength) throw new InputError(path, value, `an array of at least ${minLength} element(s)`);
}

function requireFinite(path: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new InputError(path, value, 'a finite number');
  return value;
}

/** A vol that may be missing (undefined, null or NaN: returns null); otherwise a finite number. */
function optionalVol(path: string, value: unknown): number | null {
  if (value === undefined || value === null || (typeof value === 'number' && Number.isNaN(value))) return null;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new InputError(path, value, 'a finite vol (decimal), NaN or undefined');
  return value;
}

function assertUnique(path: string, labels: string[]): void {
  const seen = new Set<string>();
  labels.forEach((l, i) => {
    if (seen.has(l)) throw new InputError(`${path}[${i}]`, l, 'a value distinct from the others on the axis');
    seen.add(l);
  });
}

function formatPercent(x: number): string {
  return `${Number((x * 100).toPrecision(4))}%`;
}

function formatSigned(x: number): string {
  return `${x > 0 ? '+' : ''}${formatPercent(x)}`;
}
