// hedgedPnlChart: the hedged P&L densities of a simulateHedging result by rebalancing interval.
import { describe, expect, it } from 'vitest';
import { compile } from 'vega-lite';
import { hedgedPnlChart, renderSvg, type ChartSpec } from '../src/charts/index.js';
import { InputError } from '../src/errors.js';
import { engineFor } from './backends.js';

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

describe('hedgedPnlChart', () => {
  it('draws one density line per rebalancing interval that integrates to the share of paths inside the edges', async () => {
    const e = await engineFor('wasm');
    const res = await e.simulateHedging({
      model: { kind: 'gbm', spot: 100, rate: 0.02, vol: 0.3 }, positions: [{ type: 'call', strike: 100, expiry: 0.25, quantity: -1 }],
      paths: 2000, steps: 63, seed: 1, rebalance: { every: [1, 7, 21] }, costs: { proportional: 0.0005 },
    });
    const spec = hedgedPnlChart({ ...res, title: 'Short call, delta hedged', unit: 'USD' });
    expect(compileWarnings(spec)).toEqual([]);
    const rows = (spec as unknown as { data: { values: { pnl: number; density: number; run: string }[] } }).data.values;
    expect(rows.length).toBe(3 * (res.histogramEdges.length - 1));
    const width = res.histogramEdges[1]! - res.histogramEdges[0]!;
    res.runs.forEach((run, k) => {
      const mine = rows.slice(k * 50, (k + 1) * 50);
      expect(mine[0]!.run).toContain(`every ${run.every} step`);
      const integral = mine.reduce((s, r) => s + r.density * width, 0);
      // Densities are normalised by the paths counted in the bins (count / (total x width)): they integrate to 1.
      expect(integral).toBeCloseTo(1, 10);
    });
    const svg = await renderSvg(spec);
    expect(svg.split('aria-roledescription="line mark"').length - 1).toBe(3);
    expect(svg).toContain('hedged P&amp;L (USD)');
  });

  it('rejects malformed input naming the field', () => {
    const ok = { runs: [{ every: 1, histogram: [1, 2] }], histogramEdges: [0, 1, 2] };
    const cases: [string, unknown][] = [
      ['input.runs', { ...ok, runs: [] }],
      ['input.histogramEdges[2]', { ...ok, histogramEdges: [0, 1, 1] }],
      ['input.runs[0].histogram', { ...ok, runs: [{ every: 1, histogram: [1] }] }],
      ['input.runs[0].histogram[1]', { ...ok, runs: [{ every: 1, histogram: [1, -2] }] }],
    ];
    for (const [path, input] of cases) {
      let err: unknown;
      try { hedgedPnlChart(input as never); } catch (x) { err = x; }
      expect(err).toBeInstanceOf(InputError);
      expect((err as InputError).path).toBe(path);
    }
  });
});
