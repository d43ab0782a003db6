/**
 * Hedged P&L distributions by rebalancing frequency ([hedging] simulate): one density line per
 * rebalancing interval of an `engine.simulateHedging` result, on the result's common bins, so the
 * narrowing of the distribution with more frequent rebalancing (and its shift by costs) reads
 * off one chart. A pure function to a plain-JSON Vega-Lite spec (see specs.ts).
 */
import { InputError } from '../errors.js';
import type { ChartSpec } from './specs.js';

/** One rebalancing interval's histogram (a `SimulateHedgingResult` run has these fields). */
export interface HedgedPnlRun {
  /** Rebalancing interval in steps. */
  every: number;
  /** Rebalancing dates per path (shown in the legend when given). */
  rebalancingDates?: number;
  /** Counts per bin of `histogramEdges` (length = edges - 1). */
  histogram: readonly number[];
  /** Mean and sd of the P&L (shown in the legend when given). */
  pnl?: { mean: number; sd: number };
}

/** Input of {@link hedgedPnlChart}: a `SimulateHedgingResult`, or the same fields. */
export interface HedgedPnlChartInput {
  runs: readonly HedgedPnlRun[];
  /** Common bin edges of every run's histogram (increasing, at least 2). */
  histogramEdges: readonly number[];
  title?: string;
  /** Unit shown on the P&L axis, e.g. `'USD'`. */
  unit?: string;
  width?: number;
  height?: number;
}

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

/**
 * Density of hedged P&L per rebalancing interval: for each run a line through the bin centres at
 * count / (total x bin width), coloured by interval (legend: every N steps, N dates, sd).
 * @throws InputError naming the field when `runs` is empty, the edges are not increasing finite
 *   numbers, or a histogram's length is not edges - 1 or it holds a negative or non-finite count.
 */
export function hedgedPnlChart(input: HedgedPnlChartInput): ChartSpec {
  if (input === null || typeof input !== 'object') throw new InputError('input', input, 'an object');
  const edges = input.histogramEdges;
  if (!Array.isArray(edges) || edges.length < 2) throw new InputError('input.histogramEdges', edges, 'at least 2 bin edges');
  for (let i = 0; i < edges.length; i++) {
    const v = edges[i];
    if (typeof v !== 'number' || !Number.isFinite(v) || (i > 0 && !(v > edges[i - 1]!))) throw new InputError(`input.histogramEdges[${i}]`, v, 'finite and increasing');
  }
  const runs = input.runs;
  if (!Array.isArray(runs) || runs.length === 0) throw new InputError('input.runs', runs, 'at least one run');
  const rows: { pnl: number; density: number; run: string }[] = [];
  runs.forEach((r: HedgedPnlRun, k) => {
    const h = r?.histogram;
    if (!Array.isArray(h) || h.length !== edges.length - 1) throw new InputError(`input.runs[${k}].histogram`, h, `${edges.length - 1} counts`);
    let total = 0;
    h.forEach((c, b) => {
      if (typeof c !== 'number' || !(c >= 0) || !Number.isFinite(c)) throw new InputError(`input.runs[${k}].histogram[${b}]`, c, 'a count >= 0');
      total += c;
    });
    const dates = r.rebalancingDates !== undefined ? `, ${r.rebalancingDates} dates` : '';
    const sd = r.pnl && Number.isFinite(r.pnl.sd) ? `, sd ${r.pnl.sd.toPrecision(3)}` : '';
    const label = `every ${r.every} step${r.every === 1 ? '' : 's'}${dates}${sd}`;
    h.forEach((c, b) => {
      const lo = edges[b]!;
      const hi = edges[b + 1]!;
      rows.push({ pnl: (lo + hi) / 2, density: total > 0 ? c / (total * (hi - lo)) : 0, run: label });
    });
  });
  const unit = input.unit ? ` (${input.unit})` : '';
  return {
    $schema: SCHEMA,
    ...(input.title ? { title: input.title } : {}),
    width: input.width ?? 560,
    height: input.height ?? 300,
    data: { values: rows },
    mark: { type: 'line', interpolate: 'step', strokeWidth: 1.5 },
    encoding: {
      x: { field: 'pnl', type: 'quantitative', title: `hedged P&L${unit}`, scale: { zero: false } },
      y: { field: 'density', type: 'quantitative', title: 'density' },
      color: { field: 'run', type: 'nominal', title: 'rebalancing', sort: null },
      tooltip: [
        { field: 'run', type: 'nominal' },
        { field: 'pnl', type: 'quantitative', format: ',.4~g' },
        { field: 'density', type: 'quantitative', format: '.4~g' },
      ],
    },
  } as ChartSpec;
}
