/**
 * [surface] A {@link VolSurface} drawn by expiry: total variance (or implied vol) against
 * log-moneyness, one line per expiry. Slices are ordered by expiry, so calendar arbitrage shows as
 * crossing lines of total variance.
 */
import type { TopLevelSpec } from 'vega-lite';
import { InputError } from '../errors.js';
import { checkKeys } from '../option-keys.js';
import { VolSurface } from '../surface/vol-surface.js';
import { checkedChartGrid, type ChartSpecOf } from './surface-grid.js';

/** Input of {@link surfaceVarianceChart}. */
export interface SurfaceVarianceChartInput {
  surface: VolSurface;
  /** `'totalVariance'` (default, vol^2 x years) or `'vol'` (annualised, shown as %). */
  quantity?: 'totalVariance' | 'vol';
  /** Expiries to draw, years (default: the surface's slice expiries). */
  expiries?: readonly number[];
  /** Log-moneyness range and points per line. Default -1 .. 1, 81 points. */
  kMin?: number;
  kMax?: number;
  points?: number;
  title?: string;
  width?: number;
  height?: number;
}

const KEYS = ['surface', 'quantity', 'expiries', 'kMin', 'kMax', 'points', 'title', 'width', 'height'] as const satisfies readonly (keyof SurfaceVarianceChartInput)[];

/**
 * Lines of total variance (or vol) against k = ln(K / F(T)), one per expiry (colour by expiry).
 * Points where the surface has no value (status not ok) are left out, never drawn at zero.
 * @throws InputError naming the field: no VolSurface bound to an engine (`input.surface`), an
 *   expiry not > 0, kMin >= kMax, points outside [2, 2001], an unknown key.
 */
export function surfaceVarianceChart(input: SurfaceVarianceChartInput): ChartSpecOf {
  if (input === null || typeof input !== 'object') throw new InputError('input', input, 'an object');
  checkKeys(input, KEYS, 'input');
  const surface = input.surface;
  if (!(surface instanceof VolSurface) || surface.engine === undefined) throw new InputError('input.surface', surface, 'a VolSurface bound to an engine (engine.volSurface)');
  const quantity = input.quantity ?? 'totalVariance';
  if (quantity !== 'totalVariance' && quantity !== 'vol') throw new InputError('input.quantity', quantity, "'totalVariance' or 'vol'");
  const { kMin, kMax, points } = checkedChartGrid(input.kMin ?? -1, input.kMax ?? 1, input.points ?? 81, 'input');
  const expiries = input.expiries ?? Array.from(surface.expiries);
  if (!Array.isArray(expiries) || expiries.length < 1) throw new InputError('input.expiries', expiries, 'a non-empty array of years');
  expiries.forEach((T, i) => {
    if (typeof T !== 'number' || !(T > 0) || T === Infinity) throw new InputError(`input.expiries[${i}]`, T, 'years > 0');
  });
  const k = Float64Array.from({ length: points * expiries.length }, (_, i) => kMin + ((kMax - kMin) * (i % points)) / (points - 1));
  const T = Float64Array.from({ length: points * expiries.length }, (_, i) => expiries[Math.floor(i / points)]);
  const r = quantity === 'vol' ? surface.vol({ moneyness: k, expiries: T }) : surface.totalVariance({ moneyness: k, expiries: T });
  const values = 'vols' in r ? r.vols : r.totalVariances;
  const rows: Record<string, unknown>[] = [];
  for (let i = 0; i < k.length; i++) {
    if (r.status[i] !== 0) continue;
    rows.push({ k: k[i], expiry: T[i], label: expiryLabel(T[i]), value: values[i] });
  }
  const labels = [...new Set(expiries.slice().sort((a, b) => a - b).map(expiryLabel))];
  const title = quantity === 'vol' ? 'implied vol' : 'total variance';
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    ...(input.title ? { title: input.title } : {}),
    width: input.width ?? 560,
    height: input.height ?? 320,
    data: { values: rows },
    mark: { type: 'line', strokeWidth: 1.5 },
    encoding: {
      x: { field: 'k', type: 'quantitative', title: 'log-moneyness ln(K / F)' },
      y: { field: 'value', type: 'quantitative', title, ...(quantity === 'vol' ? { axis: { format: '.0%' } } : {}), scale: { zero: quantity === 'totalVariance' } },
      color: { field: 'label', type: 'ordinal', sort: labels, title: 'expiry', scale: { scheme: 'viridis' } },
      order: { field: 'k', type: 'quantitative' },
      tooltip: [
        { field: 'label', type: 'nominal', title: 'expiry' },
        { field: 'k', type: 'quantitative', format: '.3f' },
        { field: 'value', type: 'quantitative', format: quantity === 'vol' ? '.2%' : '.5f', title },
      ],
    },
  } as TopLevelSpec;
}

/** An expiry in years as a label: days below 60 days, else years. */
export function expiryLabel(T: number): string {
  const days = T * 365;
  return days < 60 ? `${+days.toFixed(days < 10 ? 1 : 0)}d` : `${+T.toFixed(2)}y`;
}
