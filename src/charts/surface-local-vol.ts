/**
 * [surface] Dupire local vol of a {@link VolSurface} as a heatmap over log-moneyness x expiry.
 * Cells where the surface admits arbitrage (status arbitrage: no local vol) are drawn grey and
 * counted in the title, never coloured as a number.
 */
import type { TopLevelSpec } from 'vega-lite';
import { InputError } from '../errors.js';
import { checkKeys } from '../option-keys.js';
import { VolSurface } from '../surface/vol-surface.js';
import { checkedChartGrid, type ChartSpecOf } from './surface-grid.js';

/** Input of {@link localVolHeatmapChart}. */
export interface LocalVolHeatmapInput {
  surface: VolSurface;
  /** Log-moneyness range and cells. Default -1 .. 1, 41 cells. */
  kMin?: number;
  kMax?: number;
  kPoints?: number;
  /** Expiry range (years) and cells. Default: the first slice's expiry / 2 to the last slice's, 30 cells. */
  tMin?: number;
  tMax?: number;
  tPoints?: number;
  title?: string;
  width?: number;
  height?: number;
}

const KEYS = ['surface', 'kMin', 'kMax', 'kPoints', 'tMin', 'tMax', 'tPoints', 'title', 'width', 'height'] as const satisfies readonly (keyof LocalVolHeatmapInput)[];

/**
 * Local vol (annualised, %) on a k x T grid of cell centres, one `localVol` call.
 * @throws InputError naming the field: no VolSurface bound to an engine (`input.surface`),
 *   a range that is empty or not finite, tMin not > 0, a cell count outside [2, 2001], an unknown key.
 */
export function localVolHeatmapChart(input: LocalVolHeatmapInput): ChartSpecOf {
  if (input === null || typeof input !== 'object') throw new InputError('input', input, 'an object');
  checkKeys(input, KEYS, 'input');
  const surface = input.surface;
  if (!(surface instanceof VolSurface) || surface.engine === undefined) throw new InputError('input.surface', surface, 'a VolSurface bound to an engine (engine.volSurface)');
  const ks = checkedChartGrid(input.kMin ?? -1, input.kMax ?? 1, input.kPoints ?? 41, 'input');
  const ex = surface.expiries;
  const ts = checkedChartGrid(input.tMin ?? ex[0] / 2, input.tMax ?? ex[ex.length - 1], input.tPoints ?? 30, 'input');
  if (!(ts.kMin > 0)) throw new InputError('input.tMin', ts.kMin, 'years > 0');
  const n = ks.points * ts.points;
  const k = new Float64Array(n), T = new Float64Array(n);
  for (let j = 0; j < ts.points; j++) for (let i = 0; i < ks.points; i++) {
    k[j * ks.points + i] = ks.kMin + ((ks.kMax - ks.kMin) * i) / (ks.points - 1);
    T[j * ks.points + i] = ts.kMin + ((ts.kMax - ts.kMin) * j) / (ts.points - 1);
  }
  const { localVols, status } = surface.localVol({ moneyness: k, expiries: T });
  const rows: Record<string, unknown>[] = [];
  let arbitrage = 0;
  for (let i = 0; i < n; i++) {
    const ok = status[i] === 0;
    if (!ok) arbitrage++;
    rows.push({ k: k[i], t: T[i], localVol: ok ? localVols[i] : null });
  }
  const dk = (ks.kMax - ks.kMin) / (ks.points - 1), dt = (ts.kMax - ts.kMin) / (ts.points - 1);
  const title = input.title ?? 'local vol';
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: arbitrage > 0 ? `${title} (${arbitrage} cells without local vol: arbitrage)` : title,
    width: input.width ?? 480,
    height: input.height ?? 320,
    data: { values: rows },
    transform: [
      { calculate: `datum.k - ${dk / 2}`, as: 'k0' }, { calculate: `datum.k + ${dk / 2}`, as: 'k1' },
      { calculate: `datum.t - ${dt / 2}`, as: 't0' }, { calculate: `datum.t + ${dt / 2}`, as: 't1' },
    ],
    mark: { type: 'rect' },
    encoding: {
      x: { field: 'k0', type: 'quantitative', title: 'log-moneyness ln(K / F)' },
      x2: { field: 'k1' },
      y: { field: 't0', type: 'quantitative', title: 'expiry (years)' },
      y2: { field: 't1' },
      color: {
        condition: { test: 'isValid(datum.localVol)', field: 'localVol', type: 'quantitative', title: 'local vol', legend: { format: '.0%' }, scale: { scheme: 'viridis' } },
        value: '#bbbbbb',
      },
      tooltip: [
        { field: 'k', type: 'quantitative', format: '.3f' },
        { field: 't', type: 'quantitative', format: '.3f', title: 'T' },
        { field: 'localVol', type: 'quantitative', format: '.2%', title: 'local vol' },
      ],
    },
  } as TopLevelSpec;
}
