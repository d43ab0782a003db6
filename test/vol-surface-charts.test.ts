// [surface] Surface charts: each compiles with vega-lite without a warning, renders headlessly to
// an SVG whose marks match the surface (one line per expiry; one rect per grid cell), draws the
// values the surface gives (checked against surface.totalVariance / localVol directly), leaves
// arbitrage cells uncoloured, and names malformed fields in an InputError.
import { describe, it, expect } from 'vitest';
import { compile } from 'vega-lite';
import { surfaceVarianceChart, localVolHeatmapChart, renderSvg, type ChartSpec } from '../src/charts/index.js';
import { VolSurface } from '../src/index.js';
import { engineFor, expectInputError } from './backends.js';

function compileWarnings(spec: ChartSpec): string[] {
  const warnings: string[] = [];
  let level = 2;
  const logger = {
    level(l?: number) { if (l === undefined) return level; level = l; return logger; },
    error(...a: unknown[]) { throw new Error(a.join(' ')); },
    warn(...a: unknown[]) { warnings.push(a.join(' ')); return logger; },
    info() { return logger; },
    debug() { return logger; },
  };
  compile(spec, { logger: logger as never });
  return warnings;
}
const countRole = (svg: string, role: string) => svg.split(`aria-roledescription="${role}"`).length - 1;
const values = (spec: ChartSpec) => (spec as unknown as { data: { values: Record<string, number | null>[] } }).data.values;

const SLICES = [
  { expiry: 0.1, forward: 100, params: { a: 0.004, b: 0.08, rho: -0.4, m: 0.02, sigma: 0.15 } },
  { expiry: 0.5, forward: 101, params: { a: 0.02, b: 0.1, rho: -0.3, m: 0, sigma: 0.2 } },
  { expiry: 2, forward: 104, params: { a: 0.07, b: 0.12, rho: -0.25, m: -0.05, sigma: 0.3 } },
];

describe('surface charts', () => {
  it('surfaceVarianceChart: one line per expiry with the surface\'s own total variances; vol on request', async () => {
    const s = (await engineFor('wasm')).volSurface(SLICES);
    const spec = surfaceVarianceChart({ surface: s, points: 11, title: 'BTC surface' });
    expect(compileWarnings(spec)).toEqual([]);
    const rows = values(spec);
    expect(rows.length).toBe(33);
    const w = s.totalVariance({ moneyness: rows.map((r) => r.k as number), expiries: rows.map((r) => r.expiry as number) }).totalVariances;
    rows.forEach((r, i) => expect(r.value).toBe(w[i]));
    const svg = await renderSvg(spec);
    expect(countRole(svg, 'line mark')).toBe(3);
    for (const label of ['BTC surface', '37d', '0.5y', '2y']) expect(svg).toContain(label);
    const vols = surfaceVarianceChart({ surface: s, quantity: 'vol', expiries: [0.3, 1], points: 5 });
    expect(compileWarnings(vols)).toEqual([]);
    expect(values(vols).length).toBe(10);
    expect(await renderSvg(vols)).toMatch(/>\d+%</);
  });

  it('localVolHeatmapChart: one rect per cell, the surface\'s local vols, arbitrage cells blank and counted', async () => {
    const engine = await engineFor('js');
    const s = engine.volSurface(SLICES);
    const spec = localVolHeatmapChart({ surface: s, kPoints: 6, tPoints: 4 });
    expect(compileWarnings(spec)).toEqual([]);
    const rows = values(spec);
    expect(rows.length).toBe(24);
    const lv = s.localVol({ moneyness: rows.map((r) => r.k as number), expiries: rows.map((r) => r.t as number) }).localVols;
    rows.forEach((r, i) => expect(r.localVol).toBe(lv[i]));
    const svg = await renderSvg(spec);
    expect(countRole(svg, 'rect mark')).toBe(24);
    // Crossing slices: calendar arbitrage between them, grey cells and a title that says so.
    const crossing = engine.volSurface([
      { expiry: 0.5, forward: 100, params: { a: 0.02, b: 0.2, rho: 0, m: 0, sigma: 0.1 } },
      { expiry: 1, forward: 100, params: { a: 0.04, b: 0.05, rho: 0, m: 0, sigma: 0.1 } },
    ]);
    const bad = localVolHeatmapChart({ surface: crossing, kPoints: 9, tPoints: 3, tMin: 0.6, tMax: 0.9 });
    const blank = values(bad).filter((r) => r.localVol === null).length;
    expect(blank).toBeGreaterThan(0);
    expect(String((bad as { title?: unknown }).title)).toContain(`${blank} cells without local vol`);
  });

  it('malformed input names the field', async () => {
    const s = (await engineFor('js')).volSurface(SLICES);
    expectInputError(() => surfaceVarianceChart({ surface: {} as never }), 'input.surface');
    expectInputError(() => surfaceVarianceChart({ surface: VolSurface.fromJSON(s.toJSON()) }), 'input.surface');
    expectInputError(() => surfaceVarianceChart({ surface: s, quantity: 'variance' as never }), 'input.quantity');
    expectInputError(() => surfaceVarianceChart({ surface: s, expiries: [1, -1] }), 'input.expiries[1]');
    expectInputError(() => surfaceVarianceChart({ surface: s, kMin: 1, kMax: 0 }), 'input.kMax');
    expectInputError(() => localVolHeatmapChart({ surface: s, kPoint: 3 } as never), 'input.kPoint');
    expectInputError(() => localVolHeatmapChart({ surface: s, tMin: 0, tMax: 1 }), 'input.tMin');
  });
});
