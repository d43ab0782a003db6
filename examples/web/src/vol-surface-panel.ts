/**
 * Section 1b: the arbitrage-checked surface behind the quotes. SVI is fitted to every expiry of the
 * surface at once (`engine.fitSvi`: per-slice fits plus the calendar check between slices), the fit
 * becomes a `VolSurface` (`engine.volSurface`), and the page draws its total variance by expiry
 * (`surfaceVarianceChart`) and its Dupire local vol (`localVolHeatmapChart`). The per-expiry table
 * shows how good each fit is: rmse, quotes inside bid/ask, `quality.ok`, its flags and the
 * parameters that ended on a bound. Works on any chain buildSurface takes (Deribit coin prices,
 * Cboe USD prices).
 */
import type { Engine, FitSviResult, Surface, VolSurface } from 'riskwasm';
import { localVolHeatmapChart, surfaceVarianceChart } from 'riskwasm/charts';
import { clearChart, showChart } from './charts';
import { cell, expiryLabel, headerRow, num, pct } from './format';

/**
 * Log-moneyness range drawn: the quoted range, widened a little, at most -1 .. 1 (chains quote
 * strikes far into the wings, e.g. SPX puts at 5% of spot: k = -3, where SVI's linear wings say
 * little and the local vol runs away).
 */
function moneynessRange(surface: Surface): { kMin: number; kMax: number } {
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < surface.kept; i++) {
    const k = Math.log(surface.quotes.strikes[i] / surface.forwards[i]);
    if (k < lo) lo = k;
    if (k > hi) hi = k;
  }
  if (!(hi > lo)) return { kMin: -0.5, kMax: 0.5 };
  const pad = 0.05 * (hi - lo);
  return { kMin: Math.max(-1, lo - pad), kMax: Math.min(1, hi + pad) };
}

/** Empty the section (no surface to fit). */
export function clearVolSurface(why = 'no surface'): void {
  const summary = document.getElementById('svi-surface-summary')!;
  summary.textContent = why;
  delete summary.dataset.ok;
  document.getElementById('svi-surface-table')!.replaceChildren();
  clearChart(document.getElementById('variance-chart')!);
  clearChart(document.getElementById('local-vol-chart')!);
}

/** A bound hit as `b@Lee`, `sigma@lower`. */
function boundLabel(h: FitSviResult['slices'][number]['boundHits'][number]): string {
  return `${h.name}@${h.constraint === 'leeWing' ? 'Lee' : h.side}`;
}

/** Fit SVI to `surface`, build the VolSurface and render the section. */
export function showVolSurface(engine: Engine, surface: Surface, currency: string): { fit: FitSviResult; volSurface: VolSurface } {
  const q = surface.quotes;
  const fit = engine.fitSvi({
    forwards: surface.forwards,
    quotes: { strikes: q.strikes, expiries: q.expiries, types: q.types, vols: q.vols, bids: q.bids, asks: q.asks, weights: q.weights },
  });
  // One forward per fitted slice: the surface's own (futures, parity or spot carried), same expiry order.
  if (fit.slices.length !== surface.expiries.length) throw new Error(`SVI fitted ${fit.slices.length} slices for ${surface.expiries.length} expiries`);
  const volSurface = engine.volSurface(fit, { underlying: currency, forwards: surface.expiries.map((e) => e.forward) });

  const notOk = fit.slices.filter((s) => !s.quality.ok).length;
  const summary = document.getElementById('svi-surface-summary')!;
  summary.textContent = `SVI per expiry on ${fit.slices.length} expiries: ${notOk === 0 ? 'every fit ok' : `${notOk} fit${notOk > 1 ? 's' : ''} flagged`}; ` +
    `surface ${fit.quality.ok ? 'ok' : `flags: ${fit.quality.flags.join(', ')}`}; calendar check ${volSurface.calendar.arbitrageFree ? 'clean' : `${volSurface.calendar.violations} of ${volSurface.calendar.checkedPoints} points cross`}.`;
  summary.dataset.ok = String(fit.quality.ok);
  summary.dataset.slices = String(fit.slices.length);

  const table = document.getElementById('svi-surface-table') as HTMLTableElement;
  table.replaceChildren(headerRow(['expiry', 'days', 'quotes', 'rmse', 'inside bid/ask', 'ok', 'flags', 'bounds hit'], 1));
  fit.slices.forEach((s, i) => {
    const e = surface.expiries[i];
    const tr = document.createElement('tr');
    tr.dataset.testid = `svi-surface-row-${i}`;
    tr.dataset.ok = String(s.quality.ok);
    if (!s.quality.ok) tr.className = 'flagged';
    tr.append(
      cell(e ? expiryLabel(e.expiryDate) : num(s.expiry, 4), undefined, undefined, 'text'),
      cell(num(s.expiry * 365.25, 1, true), s.expiry),
      cell(String(s.quotes), s.quotes),
      cell(`${num(s.rmse, 3)} pts`, s.rmse),
      cell(s.insideBidAsk === undefined || s.insideBidAsk === null ? 'n/a' : pct(s.insideBidAsk, 0), s.insideBidAsk ?? undefined),
      cell(s.quality.ok ? 'ok' : 'no', undefined, `svi-ok-${i}`),
      cell(s.quality.flags.join(', ') || '-', undefined, `svi-flags-${i}`, 'text'),
      cell(s.boundHits.map(boundLabel).join(', ') || '-', undefined, `svi-bounds-${i}`, 'text'),
    );
    table.append(tr);
  });

  const range = moneynessRange(surface);
  void showChart(document.getElementById('variance-chart')!, surfaceVarianceChart({
    surface: volSurface, quantity: 'totalVariance', ...range, title: `${currency}: SVI total variance by expiry`, width: 460, height: 280,
  }));
  void showChart(document.getElementById('local-vol-chart')!, localVolHeatmapChart({
    // From the first quoted expiry: below it the surface is the first slice scaled in T, no data.
    surface: volSurface, ...range, tMin: volSurface.expiries[0], title: `${currency}: Dupire local vol`, width: 420, height: 280,
  }));
  return { fit, volSurface };
}
