/**
 * Chart specs (`src/charts`): every builder yields a spec that vega-lite compiles without a
 * warning, renders headlessly (vega, renderer 'none') to an SVG whose marks match the input
 * (one rule per bid/ask pair, one point per mid, one bar per bin, ...), and rejects malformed
 * input with an InputError naming the field. Charts do not touch the engine, so there is no
 * backend loop here; the file runs in Node and in Chromium like every unit test.
 */
import { describe, expect, it, vi } from 'vitest';
import fc from 'fast-check';
import { compile } from 'vega-lite';
import {
  smileChart, pnlHistogramChart, riskMatrixChart, ivSurfaceChart, renderSvg, renderHtml, type ChartSpec,
} from '../src/charts/index.js';
import { InputError, RiskwasmError } from '../src/errors.js';
import { ChartRendererMissingError, chartRendererLoader } from '../src/charts/renderer.js';
import { propertySeed } from './backends.js';

const IS_NODE = typeof (globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node === 'string'
  && typeof (globalThis as { window?: unknown }).window === 'undefined';

/** Compiles with a logger that records every warning, so "compiles cleanly" can fail. */
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

/** Number of rendered marks of one ARIA role description (vega's SVG renderer labels each mark). */
function countRole(svg: string, role: string): number {
  return svg.split(`aria-roledescription="${role}"`).length - 1;
}

function dataValues(spec: ChartSpec, layer?: number): Record<string, unknown>[] {
  const s = spec as unknown as { data?: { values: Record<string, unknown>[] }; layer?: { data?: { values: Record<string, unknown>[] } }[] };
  return layer === undefined ? s.data!.values : s.layer![layer].data!.values;
}

const smileInput = {
  title: 'BTC smiles',
  slices: [
    {
      label: '27MAR26',
      points: [
        { strike: 80000, bidIv: 0.50, askIv: 0.55, midIv: 0.525 },
        { strike: 90000, bidIv: 0.45, askIv: 0.48, midIv: 0.465 },
        { strike: 100000, bidIv: NaN, askIv: 0.47, midIv: NaN },
      ],
      fit: [{ strike: 80000, iv: 0.52, model: 'svi' }, { strike: 90000, iv: 0.47, model: 'svi' }, { strike: 100000, iv: 0.46, model: 'svi' }],
    },
    { label: '26JUN26', points: [{ strike: 70000, midIv: 0.6 }, { strike: 90000, bidIv: 0.5, askIv: 0.56, midIv: 0.53 }] },
  ],
};

describe('smileChart', () => {
  it('compiles without warnings and renders one rule per bid/ask pair, one point per mid, one line per fitted slice', async () => {
    const spec = smileChart(smileInput);
    expect(compileWarnings(spec)).toEqual([]);
    const svg = await renderSvg(spec);
    expect(svg.startsWith('<svg')).toBe(true);
    // Pairs with both bid and ask finite: 2 + 1; mids finite: 2 + 2; fitted slices: 1.
    expect(countRole(svg, 'rule mark')).toBe(3);
    expect(countRole(svg, 'point')).toBe(4);
    expect(countRole(svg, 'line mark')).toBe(1);
    for (const label of ['27MAR26', '26JUN26', 'BTC smiles', 'svi']) expect(svg).toContain(label);
    expect(svg).toMatch(/>\d+%</); // vol axis labelled in percent
  });

  it('does not mutate its input', () => {
    const copy = structuredClone(smileInput);
    smileChart(smileInput);
    expect(smileInput).toEqual(copy);
  });

  it('rejects malformed input with an InputError naming the field', () => {
    const cases: [unknown, string][] = [
      [{ slices: [] }, 'input.slices'],
      [{ slices: [{ label: 3, points: [] }] }, 'input.slices[0].label'],
      [{ slices: [{ label: 'a', points: [{ strike: NaN }] }] }, 'input.slices[0].points[0].strike'],
      [{ slices: [{ label: 'a', points: [{ strike: 1, midIv: '0.5' }] }] }, 'input.slices[0].points[0].midIv'],
      [{ slices: [{ label: 'a', points: [], fit: [{ strike: 1, iv: Infinity }] }] }, 'input.slices[0].fit[0].iv'],
      [null, 'input'],
    ];
    for (const [input, path] of cases) {
      let err: unknown;
      try { smileChart(input as never); } catch (e) { err = e; }
      expect(err, path).toBeInstanceOf(InputError);
      expect((err as InputError).path).toBe(path);
    }
  });
});

describe('pnlHistogramChart', () => {
  it('bins every finite scenario exactly once, colours only bins beyond -VaR as tail, and labels VaR/ES', async () => {
    const seed = propertySeed('pnl histogram binning');
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.constant(NaN)), { minLength: 1, maxLength: 300 }),
        fc.integer({ min: 1, max: 60 }),
        fc.double({ min: -1e6, max: 1e6, noNaN: true }),
        (pnl, bins, v) => {
          const finite = pnl.filter(Number.isFinite);
          fc.pre(finite.length > 0);
          const spec = pnlHistogramChart({ pnl, bins, var: v, es: v + 1 });
          const rows = dataValues(spec, 0) as { start: number; end: number; count: number; region: string }[];
          expect(rows.length).toBe(bins);
          expect(rows.reduce((s, r) => s + r.count, 0)).toBe(finite.length);
          for (const r of rows) expect(r.region === 'tail').toBe(r.end <= -v);
          for (let i = 1; i < rows.length; i++) expect(rows[i].start).toBe(rows[i - 1].end);
        },
      ),
      { seed, numRuns: 200 },
    );
  });

  it('compiles without warnings and renders one bar per bin and the VaR/ES rules', async () => {
    // A deterministic spread of P&L: inverse-CDF-like grid of a symmetric distribution.
    const pnl = Float64Array.from({ length: 2000 }, (_, i) => 1000 * Math.tan(Math.PI * ((i + 0.5) / 2000 - 0.5) * 0.9));
    const spec = pnlHistogramChart({ pnl, var: 3000, es: 4500, confidence: 0.99, bins: 30, unit: 'USD', title: 'P&L' });
    expect(compileWarnings(spec)).toEqual([]);
    const svg = await renderSvg(spec);
    expect(countRole(svg, 'bar')).toBe(30);
    expect(countRole(svg, 'rule mark')).toBe(2);
    expect(svg).toContain('VaR 99%');
    expect(svg).toContain('ES 99%');
    expect(svg).toContain('P&amp;L (USD)');
  });

  it('works without VaR/ES and for a constant P&L', async () => {
    const spec = pnlHistogramChart({ pnl: [5, 5, 5], bins: 3 });
    expect(compileWarnings(spec)).toEqual([]);
    expect(dataValues(spec, 0).reduce((s, r) => s + (r.count as number), 0)).toBe(3);
    expect(countRole(await renderSvg(spec), 'rule mark')).toBe(0);
  });

  it('rejects malformed input with an InputError naming the field', () => {
    const cases: [unknown, string][] = [
      [{ pnl: [NaN, NaN] }, 'input.pnl'],
      [{ pnl: 'x' }, 'input.pnl'],
      [{ pnl: [1, '2'] }, 'input.pnl[1]'],
      [{ pnl: [1], bins: 0 }, 'input.bins'],
      [{ pnl: [1], var: NaN }, 'input.var'],
      [{ pnl: [1], confidence: 1 }, 'input.confidence'],
    ];
    for (const [input, path] of cases) {
      let err: unknown;
      try { pnlHistogramChart(input as never); } catch (e) { err = e; }
      expect(err, path).toBeInstanceOf(InputError);
      expect((err as InputError).path).toBe(path);
    }
  });
});

describe('riskMatrixChart', () => {
  const input = {
    priceMoves: [-0.1, 0, 0.1],
    volShocks: ['vol down', 0.3],
    pnl: [[-5, 0, 3], [-7.5, NaN, 10]],
    unit: 'BTC',
    title: 'Risk matrix',
  };

  it('marks the lowest finite P&L cell by default and renders one rect per finite cell plus the marker', async () => {
    const spec = riskMatrixChart(input);
    expect(compileWarnings(spec)).toEqual([]);
    expect(dataValues(spec, 2)).toEqual([{ price: '-10%', vol: 'vol +30%' }]);
    const svg = await renderSvg(spec);
    expect(countRole(svg, 'rect mark')).toBe(5 + 1);
    expect(countRole(svg, 'text mark')).toBe(5); // NaN cell left blank
    for (const label of ['-10%', '+10%', 'vol down', 'vol +30%', 'P&amp;L (BTC)']) expect(svg).toContain(label);
  });

  it('uses the given worst cell', () => {
    const spec = riskMatrixChart({ ...input, worst: { priceIndex: 2, volIndex: 0 } });
    expect(dataValues(spec, 2)).toEqual([{ price: '+10%', vol: 'vol down' }]);
  });

  it('rejects malformed input with an InputError naming the field', () => {
    const cases: [unknown, string][] = [
      [{ ...input, pnl: [[1, 2, 3]] }, 'input.pnl'],
      [{ ...input, pnl: [[1, 2], [1, 2, 3]] }, 'input.pnl[0]'],
      [{ ...input, pnl: [[1, 2, 3], [1, null, 3]] }, 'input.pnl[1][1]'],
      [{ ...input, priceMoves: [] }, 'input.priceMoves'],
      [{ ...input, priceMoves: [0, 0, 1] }, 'input.priceMoves[1]'],
      [{ ...input, worst: { priceIndex: 3, volIndex: 0 } }, 'input.worst.priceIndex'],
    ];
    for (const [bad, path] of cases) {
      let err: unknown;
      try { riskMatrixChart(bad as never); } catch (e) { err = e; }
      expect(err, path).toBeInstanceOf(InputError);
      expect((err as InputError).path).toBe(path);
    }
  });
});

describe('ivSurfaceChart', () => {
  it('draws one line per expiry, ordered by expiry, skipping NaN vols', async () => {
    const points = [
      { expiryLabel: '26JUN26', expiry: 0.47, strike: 90000, iv: 0.5 },
      { expiryLabel: '26JUN26', expiry: 0.47, strike: 100000, iv: 0.48 },
      { expiryLabel: '9JAN26', expiry: 0.01, strike: 90000, iv: 0.42 },
      { expiryLabel: '9JAN26', expiry: 0.01, strike: 95000, iv: NaN },
      { expiryLabel: '9JAN26', expiry: 0.01, strike: 100000, iv: 0.45 },
    ];
    const spec = ivSurfaceChart({ points, title: 'surface' });
    expect(compileWarnings(spec)).toEqual([]);
    expect(((spec as { encoding: { color: { sort: string[] } } }).encoding.color.sort)).toEqual(['9JAN26', '26JUN26']);
    const svg = await renderSvg(spec);
    expect(countRole(svg, 'line mark')).toBe(2);
    expect(countRole(svg, 'point')).toBe(4);
  });

  it('rejects malformed input with an InputError naming the field', () => {
    for (const [bad, path] of [
      [{ points: [] }, 'input.points'],
      [{ points: [{ expiryLabel: '', expiry: 1, strike: 1, iv: 0.1 }] }, 'input.points[0].expiryLabel'],
      [{ points: [{ expiryLabel: 'a', expiry: 1, strike: -Infinity, iv: 0.1 }] }, 'input.points[0].strike'],
    ] as [unknown, string][]) {
      let err: unknown;
      try { ivSurfaceChart(bad as never); } catch (e) { err = e; }
      expect(err, path).toBeInstanceOf(InputError);
      expect((err as InputError).path).toBe(path);
    }
  });
});

describe('renderHtml', () => {
  it('is a standalone page: inline SVG, escaped title, no script or remote resource', async () => {
    const html = await renderHtml(smileChart(smileInput), 'BTC <smiles> & fits');
    expect(html).toContain('<svg');
    expect(html).toContain('<title>BTC &lt;smiles&gt; &amp; fits</title>');
    expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org)/);
  });

  it('rejects a non-object spec', async () => {
    await expect(renderSvg(null as never)).rejects.toBeInstanceOf(InputError);
  });
});

describe('the renderer is an optional peer dependency', () => {
  const rejecting = (pkg: string) => () => Promise.reject(new Error(`Cannot find package '${pkg}'`));
  const vegaLite = () => import('vega-lite');
  const vega = () => import('vega');

  it('a loader names each package that does not import, keeps the cause, and tries again on the next call', async () => {
    for (const [imports, missing] of [
      [{ vegaLite: rejecting('vega-lite'), vega }, ['vega-lite']],
      [{ vegaLite, vega: rejecting('vega') }, ['vega']],
      [{ vegaLite: rejecting('vega-lite'), vega: rejecting('vega') }, ['vega-lite', 'vega']],
    ] as const) {
      let calls = 0;
      const load = chartRendererLoader({ ...imports, vega: () => { calls++; return imports.vega(); } });
      for (let attempt = 1; attempt <= 2; attempt++) {
        const err = await load().then(() => undefined, (e: unknown) => e);
        expect(err).toBeInstanceOf(ChartRendererMissingError);
        expect(err).toBeInstanceOf(RiskwasmError);
        expect(err).toMatchObject({ code: 'CHART_RENDERER_MISSING', packages: missing });
        expect(((err as ChartRendererMissingError).cause as Error).message).toMatch(/Cannot find package/);
        expect(calls).toBe(attempt);
      }
    }
    const ok = chartRendererLoader({ vegaLite, vega });
    const r = await ok();
    expect(typeof r.vegaLite.compile).toBe('function');
    expect(typeof r.vega.View).toBe('function');
    expect(await ok()).toBe(r); // imported once
  });

  // vi.doMock + vi.resetModules re-evaluate modules in Node only (browser mode keeps the browser's
  // module map), so the whole path through renderSvg runs in the Node project.
  it.runIf(IS_NODE).each(['vega', 'vega-lite'] as const)('without %s, specs still build and a render rejects with ChartRendererMissingError naming it', async (pkg) => {
    // A fresh module graph in which the package fails to import, as when it is not installed.
    vi.resetModules();
    vi.doMock(pkg, () => { throw new Error(`Cannot find package '${pkg}'`); });
    try {
      const charts = await import('../src/charts/index.js');
      const errors = await import('../src/errors.js');
      const spec = charts.smileChart(smileInput);
      expect(spec).toEqual(smileChart(smileInput));
      let err: unknown;
      try { await charts.renderSvg(spec); } catch (e) { err = e; }
      expect(err).toBeInstanceOf(charts.ChartRendererMissingError);
      expect(err).toBeInstanceOf(errors.RiskwasmError);
      expect((err as InstanceType<typeof charts.ChartRendererMissingError>).code).toBe('CHART_RENDERER_MISSING');
      expect((err as InstanceType<typeof charts.ChartRendererMissingError>).packages).toEqual([pkg]);
      await expect(charts.renderHtml(spec)).rejects.toBeInstanceOf(charts.ChartRendererMissingError);
    } finally {
      vi.doUnmock(pkg);
      vi.resetModules();
    }
  });
});
