/**
 * `riskwasm calibrate [chain.csv] --model svi|ssvi|heston|bates|sabr`: fit a model to the
 * implied-vol surface of an option chain (Deribit, Cboe or column-mapped) and report, per expiry, the parameters, RMSE in vol
 * points, the fraction of model vols inside the bid-ask, arbitrage checks, the optimizer's stop
 * reason and time; `--plot` draws the smiles with market bid/ask bars and the fitted curves.
 * SVI and SABR fit each expiry on its own; SSVI, Heston and Bates fit the whole surface at once.
 */
import { smileChart, type SmileSlice } from '../../charts/specs.js';
import type { Engine } from '../../engine.js';
import type { Surface } from '../../calibration/surface.js';
import type { EndReason } from '../../calibration/types.js';
import type { BoundHit, FitQuality } from '../../calibration/fit-quality.js';
import { sviCalendarCheck, sviTotalVariance, type SviParams } from '../../calibration/svi.js';
import { sabrVols } from '../../calibration/sabr.js';
import type { CliCommand, CliContext, CommandReport } from '../command.js';
import { BadInputError, EXIT } from '../errors.js';
import { buildSurfaces, CHAIN_OPTIONS, expiryLabel, readChain } from '../market-input.js';
import { plotFormat } from '../plot.js';
import { fixed, formatTable, percent, sig } from '../table.js';

const MODELS = ['svi', 'ssvi', 'heston', 'bates', 'sabr'] as const;
type Model = (typeof MODELS)[number];
/** Stop reasons that count as converged for `--strict`. */
const CONVERGED: readonly EndReason[] = ['converged', 'stationaryPoint', 'smallStep'];

/** One expiry of a fit report (`riskwasm.calibrate/1` `fits[].expiries[]`). */
interface ExpiryFit {
  expiry: string; expiryDate: string; timeToExpiry: number; forward: number; discountFactor: number; forwardSource: string; quotes: number;
  params: Record<string, number> | null;
  rmse: number; maxAbsError: number; insideBidAsk: number;
  reason: EndReason | null; iterations: number | null; elapsedMs: number | null;
  arbitrage: Record<string, number | boolean | string[]> | null;
  /** Per-expiry verdict (slice fits: SVI, SABR); null for surface-wide fits. */
  quality: FitQuality | null;
  boundHits: BoundHit[] | null;
}

/** One currency's fit (`fits[]`). */
interface SurfaceFit {
  currency: string; model: Model; scope: 'slice' | 'surface';
  /** Surface-wide fits (ssvi, heston, bates): the one parameter set and its optimizer outcome. */
  surface: {
    params: Record<string, number>; reason: EndReason; iterations: number; elapsedMs: number; rmse: number; maxAbsError: number; insideBidAsk: number;
    arbitrage: Record<string, number | boolean | string[]>; quality: FitQuality; boundHits: BoundHit[];
  } | null;
  converged: boolean;
  /** Every fit of this currency has no quality flag. */
  ok: boolean;
  /** Flags raised by any of its fits, with calendarArbitrage between slices for SVI. */
  flags: string[];
  expiries: ExpiryFit[];
  /** Fitted smiles for the plot (not in the JSON). */
  curves: { strike: number; iv: number }[][];
}

export const calibrateCommand: CliCommand = {
  syntax: 'calibrate [chain]',
  description: 'Fit SVI, SSVI, Heston, Bates or SABR to an option chain (Deribit, Cboe, columns): fit report per expiry',
  options: [
    { flags: '--model <model>', description: 'svi, ssvi, heston, bates or sabr', default: 'svi' },
    ...CHAIN_OPTIONS,
    { flags: '--beta <beta>', description: 'SABR CEV exponent in [0, 1]', default: 1 },
    { flags: '--plot <file>', description: 'Plot smiles: market bid/ask bars, mids and the fitted curves (.svg or .html)' },
    { flags: '--strict', description: 'Exit 1 when any fit is not ok: any quality flag (not converged, parameter at a bound, rmse or bid-ask, arbitrage, Lee wing, too few quotes)' },
  ],
  examples: ['riskwasm calibrate --model svi', 'riskwasm calibrate chain.csv --model heston --currency BTC --plot heston.html', 'riskwasm calibrate --model sabr --expiry 27MAR26,26JUN26 --json'],
  async run(ctx, [chainPath], options): Promise<CommandReport> {
    const model = String(options.model).toLowerCase() as Model;
    if (!MODELS.includes(model)) throw new BadInputError(`expected one of ${MODELS.join(', ')}, got ${JSON.stringify(options.model)}`, { field: '--model' });
    const beta = Number(options.beta);
    if (!(beta >= 0 && beta <= 1)) throw new BadInputError(`expected a number in [0, 1], got ${JSON.stringify(options.beta)}`, { field: '--beta' });
    const plot = options.plot !== undefined ? String(options.plot) : undefined;
    if (plot) plotFormat(plot);
    const input = await readChain(ctx, chainPath, options.skipBadRows === true, options);
    const engine = await ctx.engine();
    const surfaces = buildSurfaces(ctx, engine, input, options);
    const units = surfaces.reduce((n, s) => n + (model === 'svi' || model === 'sabr' ? s.expiries.length : 1), 0);
    const bar = ctx.progress(`calibrate ${model}`, units);
    const fits: SurfaceFit[] = [];
    try {
      for (const s of surfaces) fits.push(await fitSurface(ctx, engine, s, model, beta, () => bar.tick(1, s.currency)));
    } finally {
      bar.done();
    }
    const converged = fits.every((f) => f.converged);
    const ok = fits.every((f) => f.ok);
    if (plot) {
      const slices: SmileSlice[] = fits.flatMap((f, k) => f.expiries.map((e, j) => {
        const s = surfaces[k];
        const points = [];
        for (let i = 0; i < s.kept; i++) {
          if (s.quotes.expiries[i] !== e.timeToExpiry) continue;
          points.push({ strike: s.quotes.strikes[i], bidIv: s.quotes.bids[i], askIv: s.quotes.asks[i], midIv: s.quotes.vols[i] });
        }
        return { label: `${f.currency} ${e.expiry}`, points, fit: f.curves[j].map((c) => ({ ...c, model })) };
      }));
      await ctx.stagePlot(plot, smileChart({ title: `${model.toUpperCase()} fits to ${input.file}`, slices }), `riskwasm calibrate --model ${model}`);
    }
    const json = {
      schema: 'riskwasm.calibrate/1',
      source: { file: input.file, bundled: input.bundled, rows: input.chain.length, skippedRows: input.chain.skipped.length },
      backend: engine.backend,
      model,
      converged,
      ok,
      fits: fits.map(({ curves: _curves, ...f }) => f),
    };
    return {
      json,
      text: () => calibrateText(input.file, model, fits),
      exitCode: options.strict && !ok ? EXIT.failed : EXIT.ok,
    };
  },
};

/** Quote indices of each expiry of a surface, ascending expiry. */
function sliceIndices(s: Surface): number[][] {
  return s.expiries.map((e) => {
    const idx: number[] = [];
    for (let i = 0; i < s.kept; i++) if (s.quotes.expiries[i] === e.expiry) idx.push(i);
    return idx;
  });
}

function quoteArgs(s: Surface, idx?: number[]) {
  const pick = (a: Float64Array) => (idx ? Float64Array.from(idx, (i) => a[i]) : a);
  return {
    forwards: pick(s.forwards),
    quotes: {
      strikes: pick(s.quotes.strikes), expiries: pick(s.quotes.expiries), vols: pick(s.quotes.vols),
      bids: pick(s.quotes.bids), asks: pick(s.quotes.asks), weights: pick(s.quotes.weights),
    },
  };
}

/** Strike grid over a slice's quoted range, even in log-strike, for smooth fitted curves. */
function strikeGrid(strikes: number[], points = 60): number[] {
  const lo = Math.log(Math.min(...strikes)), hi = Math.log(Math.max(...strikes));
  return Array.from({ length: points }, (_, i) => Math.exp(lo + ((hi - lo) * i) / (points - 1)));
}

function sviCurve(p: SviParams, T: number, F: number, strikes: number[]): { strike: number; iv: number }[] {
  return strikeGrid(strikes).map((K) => {
    const w = sviTotalVariance(p, Math.log(K / F)).w;
    return { strike: K, iv: w > 0 ? Math.sqrt(w / T) : NaN };
  });
}

/**
 * One expiry's share of a surface fit: RMSE and max |error| (vol points) of the library's own
 * residuals (NaN where a quote did not count), and the fraction of quotes with a weight and a
 * finite bid and ask whose model vol lies inside them: the surface-wide figures' rules, per expiry.
 */
function sliceStats(s: Surface, idx: number[], residuals: Float64Array, modelVols: Float64Array): { rmse: number; maxAbsError: number; insideBidAsk: number } {
  let ss = 0, max = 0, n = 0, inside = 0, withQuote = 0;
  for (const i of idx) {
    const e = residuals[i];
    if (Number.isFinite(e)) {
      ss += e * e;
      max = Math.max(max, Math.abs(e));
      n++;
    }
    const b = s.quotes.bids[i], a = s.quotes.asks[i];
    if (s.quotes.weights[i] > 0 && Number.isFinite(b) && Number.isFinite(a)) {
      withQuote++;
      if (modelVols[i] >= b && modelVols[i] <= a) inside++;
    }
  }
  return { rmse: n ? Math.sqrt(ss / n) : NaN, maxAbsError: n ? max : NaN, insideBidAsk: withQuote ? inside / withQuote : NaN };
}

function expiryBase(s: Surface, j: number) {
  const e = s.expiries[j];
  return { expiry: expiryLabel(e.expiryDate), expiryDate: e.expiryDate, timeToExpiry: e.expiry, forward: e.forward, discountFactor: e.discountFactor, forwardSource: e.forwardSource, quotes: e.quotes };
}

async function fitSurface(ctx: CliContext, engine: Engine, s: Surface, model: Model, beta: number, tick: () => void): Promise<SurfaceFit> {
  const slices = sliceIndices(s);
  const strikesOf = (idx: number[]) => idx.map((i) => s.quotes.strikes[i]);
  const expiries: ExpiryFit[] = [];
  const curves: { strike: number; iv: number }[][] = [];
  if (model === 'svi' || model === 'sabr') {
    const calendarFlags: { params: SviParams[] }[] = [];
    for (let j = 0; j < slices.length; j++) {
      await ctx.checkpoint();
      const idx = slices[j];
      const base = expiryBase(s, j);
      if (model === 'svi') {
        const r = engine.fitSvi(quoteArgs(s, idx));
        const f = r.slices[0];
        expiries.push({
          ...base, params: { ...f.params }, rmse: f.rmse, maxAbsError: f.maxAbsError, insideBidAsk: f.insideBidAsk,
          reason: f.reason, iterations: f.iterations, elapsedMs: f.elapsedMs,
          arbitrage: { butterflyFree: f.butterfly.arbitrageFree, minG: f.butterfly.minG, wingSlope: f.butterfly.wingSlope, failed: f.butterfly.failed },
          quality: f.quality, boundHits: f.boundHits,
        });
        calendarFlags.push(r);
        curves.push(sviCurve(f.params, base.timeToExpiry, base.forward, strikesOf(idx)));
      } else {
        const r = engine.calibrateSabr({ ...quoteArgs(s, idx), beta });
        const f = r.slices[0];
        expiries.push({
          ...base, params: { beta, ...f.params }, rmse: f.rmse, maxAbsError: f.maxAbsError, insideBidAsk: f.insideBidAsk,
          reason: f.reason, iterations: f.iterations, elapsedMs: f.elapsedMs, arbitrage: null,
          quality: f.quality, boundHits: f.boundHits,
        });
        const grid = strikeGrid(strikesOf(idx));
        const v = sabrVols(engine, grid, base.forward, base.timeToExpiry, beta, f.params).vols;
        curves.push(grid.map((K, i) => ({ strike: K, iv: v[i] })));
      }
      tick();
    }
    // Slices are fitted one by one here: the calendar check between them is run on the fitted params.
    const flags = new Set<string>(expiries.flatMap((e) => e.quality!.flags));
    if (model === 'svi' && calendarFlags.length > 1 && !sviCalendarCheck(calendarFlags.map((r) => r.params[0])).arbitrageFree) flags.add('calendarArbitrage');
    return {
      currency: s.currency, model, scope: 'slice', surface: null, converged: expiries.every((e) => CONVERGED.includes(e.reason!)), expiries, curves,
      ok: flags.size === 0, flags: [...flags],
    };
  }
  await ctx.checkpoint();
  if (model === 'ssvi') {
    const r = engine.fitSsvi(quoteArgs(s));
    r.slices.forEach((f, j) => {
      expiries.push({
        ...expiryBase(s, j), params: { theta: f.theta, phi: f.phi }, rmse: f.rmse, maxAbsError: f.maxAbsError, insideBidAsk: f.insideBidAsk,
        reason: null, iterations: null, elapsedMs: null,
        arbitrage: { butterflyFree: f.butterfly.arbitrageFree, minG: f.butterfly.minG, wingSlope: f.butterfly.wingSlope, failed: f.butterfly.failed },
        quality: null, boundHits: null,
      });
      curves.push(sviCurve(f.svi, f.expiry, s.expiries[j].forward, strikesOf(slices[j])));
    });
    const p = r.params;
    const params: Record<string, number> = { rho: p.rho };
    for (const k of ['eta', 'gamma', 'lambda'] as const) if (p[k] !== undefined) params[k] = p[k]!;
    tick();
    return {
      currency: s.currency, model, scope: 'surface', converged: CONVERGED.includes(r.reason), expiries, curves, ok: r.quality.ok, flags: r.quality.flags,
      surface: {
        params, reason: r.reason, iterations: r.iterations, elapsedMs: r.elapsedMs, rmse: r.rmse, maxAbsError: r.maxAbsError, insideBidAsk: r.insideBidAsk,
        arbitrage: { ...r.arbitrage }, quality: r.quality, boundHits: r.boundHits,
      },
    };
  }
  const r = model === 'heston' ? engine.calibrateHeston(quoteArgs(s)) : engine.calibrateBates(quoteArgs(s));
  slices.forEach((idx, j) => {
    expiries.push({
      ...expiryBase(s, j), params: null, ...sliceStats(s, idx, r.residuals, r.modelVols),
      reason: null, iterations: null, elapsedMs: null, arbitrage: null, quality: null, boundHits: null,
    });
    curves.push(idx.map((i) => ({ strike: s.quotes.strikes[i], iv: r.modelVols[i] })));
  });
  tick();
  return {
    currency: s.currency, model, scope: 'surface', converged: CONVERGED.includes(r.reason), expiries, curves, ok: r.quality.ok, flags: r.quality.flags,
    surface: {
      params: { ...r.params } as unknown as Record<string, number>, reason: r.reason, iterations: r.iterations, elapsedMs: r.elapsedMs,
      rmse: r.rmse, maxAbsError: r.maxAbsError, insideBidAsk: r.insideBidAsk,
      arbitrage: { fellerRatio: r.feller.ratio, fellerHolds: r.feller.holds }, quality: r.quality, boundHits: r.boundHits,
    },
  };
}

function paramText(p: Record<string, number> | null): string {
  if (!p) return '';
  return Object.entries(p).map(([k, v]) => `${k}=${sig(v, 4)}`).join(' ');
}

/** The butterfly verdict naming the check that failed: Durrleman's g, or Lee's wing bound. */
function arbText(a: Record<string, number | boolean | string[]> | null): string {
  if (!a) return '';
  if (!('butterflyFree' in a && 'minG' in a)) return '';
  const failed = (a.failed as string[] | undefined) ?? [];
  const parts: string[] = [];
  if (failed.includes('durrleman')) parts.push(`BUTTERFLY (min g ${sig(a.minG as number, 3)})`);
  if (failed.includes('leeWing')) parts.push(`LEE WING (b(1+|rho|) ${sig(a.wingSlope as number, 4)} > 2)`);
  return parts.length ? parts.join(', ') : `no butterfly (min g ${sig(a.minG as number, 3)})`;
}

/** A fit's flags and the parameters at a bound, for the text report ('ok' when there is none). */
function qualityText(q: FitQuality | null, hits: BoundHit[] | null): string {
  if (!q) return '';
  if (q.ok) return 'ok';
  const bounds = (hits ?? []).map((h) => `${h.name}@${h.constraint === 'leeWing' ? 'Lee' : h.side}`).join(' ');
  return q.flags.join(',') + (bounds ? ` [${bounds}]` : '');
}

function calibrateText(file: string, model: Model, fits: SurfaceFit[]): string {
  const out: string[] = [];
  for (const f of fits) {
    out.push(`${model.toUpperCase()} calibration, ${f.currency}, ${file} (${f.scope === 'slice' ? 'each expiry fitted on its own' : 'one parameter set for the whole surface'})`);
    if (f.surface) {
      const a = f.surface.arbitrage;
      const failed = (a.failed as string[] | undefined) ?? [];
      const arb = 'fellerRatio' in a
        ? `Feller 2 kappa theta / sigma^2 = ${sig(a.fellerRatio as number, 3)} (${a.fellerHolds ? 'holds' : 'violated'})`
        : `calendar ${a.calendarFree ? 'free' : 'ARBITRAGE'}, butterfly ${a.butterflyFree ? 'free' : 'ARBITRAGE'}${failed.length ? ` (failed: ${failed.join(', ')})` : ''}`;
      out.push(`  params: ${paramText(f.surface.params)}`);
      out.push(`  RMSE ${fixed(f.surface.rmse, 3)} vol pts, max ${fixed(f.surface.maxAbsError, 3)}, inside bid-ask ${percent(f.surface.insideBidAsk, 1)}, ${arb}`);
      out.push(`  stop: ${f.surface.reason} after ${f.surface.iterations} iterations, ${fixed(f.surface.elapsedMs, 1)} ms`);
      out.push(`  quality: ${qualityText(f.surface.quality, f.surface.boundHits)}`);
    }
    const cols = [
      { header: 'expiry', align: 'left' as const }, { header: 'T (y)' }, { header: 'quotes' }, { header: 'RMSE (vol pts)' }, { header: 'max err' }, { header: 'in bid-ask' },
    ];
    const slice = f.scope === 'slice';
    const extra = slice
      ? [{ header: 'stop', align: 'left' as const }, { header: 'iter' }, { header: 'ms' }, { header: 'arbitrage', align: 'left' as const }, { header: 'quality', align: 'left' as const }, { header: 'params', align: 'left' as const }]
      : f.model === 'ssvi' ? [{ header: 'arbitrage', align: 'left' as const }, { header: 'params', align: 'left' as const }] : [];
    out.push(formatTable([...cols, ...extra], f.expiries.map((e) => {
      const row = [e.expiry, e.timeToExpiry.toFixed(4), String(e.quotes), fixed(e.rmse, 3), fixed(e.maxAbsError, 3), percent(e.insideBidAsk, 0)];
      if (slice) row.push(e.reason ?? '', String(e.iterations ?? ''), fixed(e.elapsedMs ?? NaN, 1), arbText(e.arbitrage), qualityText(e.quality, e.boundHits), paramText(e.params));
      else if (f.model === 'ssvi') row.push(arbText(e.arbitrage), paramText(e.params));
      return row;
    })));
    const convergence = f.converged ? 'all fits converged' : 'NOT CONVERGED: at least one fit stopped at its iteration limit or on non-finite residuals';
    out.push(`  ${f.ok ? `all fits ok (${convergence})` : `NOT OK: ${f.flags.join(', ')}${f.converged ? ' (the optimiser converged; converged is not ok)' : ` (${convergence})`}`}`);
    out.push('');
  }
  return out.join('\n');
}
