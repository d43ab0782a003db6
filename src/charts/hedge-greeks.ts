/**
 * Greeks by expiry bucket (a `bookGreeks` aggregation) as grouped bars: one panel per greek, one
 * bar per bucket, book and hedged book side by side when both are given. A pure function to a
 * plain-JSON Vega-Lite spec (rendered by renderSvg or vega-embed).
 */
import { InputError } from '../errors.js';
import type { ChartSpec } from './specs.js';

/** One bucket's figures (e.g. a GreekBucket of bookGreeks(...).byExpiry). */
export interface HedgeGreeksBucket {
  asset: string;
  label: string;
  delta: number;
  gamma: number;
  vega: number;
  theta?: number;
}

/** Input of {@link hedgeGreeksChart}. */
export interface HedgeGreeksChartInput {
  /** The book's buckets. */
  book: readonly HedgeGreeksBucket[];
  /** The hedged book's buckets (book + hedge), same labels; optional. */
  hedged?: readonly HedgeGreeksBucket[];
  /** Greeks drawn, one panel each (default delta, gamma, vega). */
  greeks?: readonly ('delta' | 'gamma' | 'vega' | 'theta')[];
  /** Unit of the greeks (legend), e.g. 'USD'. */
  unit?: string;
  title?: string;
  width?: number;
  height?: number;
}

/**
 * Grouped bars of greeks per expiry bucket (x: asset and bucket in the given order; colour: book or
 * hedged), one panel per greek with its own scale. Non-finite figures are skipped.
 * @throws InputError when `book` is not a non-empty array, a bucket lacks a string label or asset,
 *   or `greeks` names an unknown greek.
 */
export function hedgeGreeksChart(input: HedgeGreeksChartInput): ChartSpec {
  if (input === null || typeof input !== 'object') throw new InputError('input', input, 'an object { book, hedged? }');
  if (!Array.isArray(input.book) || input.book.length === 0) throw new InputError('input.book', input.book, 'a non-empty array of buckets');
  const greeks = input.greeks ?? ['delta', 'gamma', 'vega'];
  greeks.forEach((g, i) => { if (!['delta', 'gamma', 'vega', 'theta'].includes(g)) throw new InputError(`input.greeks[${i}]`, g, "'delta', 'gamma', 'vega' or 'theta'"); });
  const rows: Record<string, unknown>[] = [];
  const order: string[] = [];
  const add = (list: readonly HedgeGreeksBucket[], series: string, path: string) => {
    list.forEach((b, i) => {
      if (b === null || typeof b !== 'object' || typeof b.label !== 'string' || typeof b.asset !== 'string') throw new InputError(`${path}[${i}]`, b, 'a bucket { asset, label, delta, gamma, vega }');
      const bucket = `${b.asset} ${b.label}`;
      if (!order.includes(bucket)) order.push(bucket);
      for (const g of greeks) {
        const v = b[g];
        if (typeof v === 'number' && Number.isFinite(v)) rows.push({ bucket, series, greek: g, value: v });
      }
    });
  };
  add(input.book, 'book', 'input.book');
  if (input.hedged !== undefined) {
    if (!Array.isArray(input.hedged)) throw new InputError('input.hedged', input.hedged, 'an array of buckets');
    add(input.hedged, 'hedged', 'input.hedged');
  }
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: input.title ?? 'Greeks by expiry bucket',
    data: { values: rows },
    facet: { row: { field: 'greek', type: 'nominal', sort: [...greeks], title: null } },
    resolve: { scale: { y: 'independent' } },
    spec: {
      width: input.width ?? 520,
      height: input.height ?? 140,
      mark: { type: 'bar', tooltip: true },
      encoding: {
        x: { field: 'bucket', type: 'nominal', sort: order, title: 'expiry bucket' },
        xOffset: { field: 'series', type: 'nominal' },
        y: { field: 'value', type: 'quantitative', title: input.unit ?? 'USD' },
        color: { field: 'series', type: 'nominal', title: null },
      },
    },
  } as ChartSpec;
}
