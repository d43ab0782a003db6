/**
 * Section 1: the implied-vol surface of one currency (engine.buildSurface on the chain): a table
 * per expiry, the surface chart, and every kept quote.
 */
import type { DeribitChain, Engine, Surface } from 'riskwasm';
import { ivSurfaceChart } from 'riskwasm/charts';
import type { SliceQuotes } from './calibration-protocol';
import { clearChart, showChart } from './charts';
import { cell, expiryLabel, headerRow, num, pct, usd } from './format';

/** Split a surface (sorted by expiry, then strike) into its expiry slices. */
export function surfaceSlices(s: Surface): SliceQuotes[] {
  const out: SliceQuotes[] = [];
  let o = 0;
  for (const e of s.expiries) {
    const cut = (col: Float64Array) => col.slice(o, o + e.quotes);
    out.push({
      expiry: e.expiry, expiryDate: e.expiryDate, forwards: cut(s.forwards),
      strikes: cut(s.quotes.strikes), expiries: cut(s.quotes.expiries), types: s.quotes.types.slice(o, o + e.quotes),
      vols: cut(s.quotes.vols), bids: cut(s.quotes.bids), asks: cut(s.quotes.asks), weights: cut(s.quotes.weights),
    });
    o += e.quotes;
  }
  return out;
}

/** Mid IV at the quote nearest the forward (log-moneyness closest to 0). */
function atmVol(s: SliceQuotes): number {
  let best = 0;
  for (let i = 1; i < s.strikes.length; i++) {
    if (Math.abs(Math.log(s.strikes[i] / s.forwards[i])) < Math.abs(Math.log(s.strikes[best] / s.forwards[best]))) best = i;
  }
  return s.vols[best];
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) >> 1] : 0.5 * (s[s.length / 2 - 1] + s[s.length / 2]);
}

/** Empty the section (the chain it showed is gone and no surface replaces it). */
export function clearSurface(): void {
  const summary = document.getElementById('surface-summary')!;
  summary.textContent = 'no surface';
  delete summary.dataset.kept;
  delete summary.dataset.expiries;
  document.getElementById('surface-table')!.replaceChildren();
  document.getElementById('quotes-table')!.replaceChildren();
  clearChart(document.getElementById('surface-chart')!);
}

/** Build the surface of `currency` and render the section. */
export function showSurface(engine: Engine, chain: DeribitChain, currency: string): { surface: Surface; slices: SliceQuotes[] } {
  const surface = engine.buildSurface(chain, { currency });
  const slices = surfaceSlices(surface);

  const dropped = Object.entries(surface.dropped).filter(([, n]) => n > 0).map(([r, n]) => `${r} ${n}`).join(', ');
  const summary = document.getElementById('surface-summary')!;
  summary.textContent = `${surface.kept} out-of-the-money quotes kept in ${slices.length} expiries, of ${surface.considered} options in the chain` +
    (dropped ? ` (dropped: ${dropped})` : '') + (surface.malformedRows.length ? `; ${surface.malformedRows.length} malformed rows skipped` : '');
  summary.dataset.kept = String(surface.kept);
  summary.dataset.expiries = String(slices.length);

  const table = document.getElementById('surface-table') as HTMLTableElement;
  table.replaceChildren(headerRow(['expiry', 'days', 'forward', 'quotes', 'ATM mid IV', 'min IV', 'max IV', 'median spread']));
  slices.forEach((s, i) => {
    const tr = document.createElement('tr');
    tr.dataset.testid = `surface-row-${i}`;
    const spreads = Array.from(s.asks, (a, j) => 100 * (a - s.bids[j]));
    tr.append(
      cell(expiryLabel(s.expiryDate), undefined, undefined, 'text'),
      cell(num(s.expiry * 365.25, 1, true), s.expiry),
      cell(usd(s.forwards[0]), s.forwards[0]),
      cell(String(s.strikes.length), s.strikes.length),
      cell(pct(atmVol(s)), atmVol(s)),
      cell(pct(Math.min(...s.vols))),
      cell(pct(Math.max(...s.vols))),
      cell(`${num(median(spreads), 2, true)} vol pts`),
    );
    table.append(tr);
  });

  const quotes = document.getElementById('quotes-table') as HTMLTableElement;
  quotes.replaceChildren(headerRow(['instrument', 'type', 'strike', 'bid IV', 'mid IV', 'ask IV', 'weight'], 2));
  for (let i = 0; i < surface.kept; i++) {
    const tr = document.createElement('tr');
    tr.append(
      cell(surface.instruments[i], undefined, undefined, 'text'), cell(surface.quotes.types[i], undefined, undefined, 'text'),
      cell(usd(surface.quotes.strikes[i])), cell(pct(surface.quotes.bids[i])), cell(pct(surface.quotes.vols[i])),
      cell(pct(surface.quotes.asks[i])), cell(num(surface.quotes.weights[i], 3)),
    );
    quotes.append(tr);
  }

  const points = slices.flatMap((s) => Array.from(s.strikes, (strike, j) => ({
    expiryLabel: expiryLabel(s.expiryDate), expiry: s.expiry, strike, iv: s.vols[j],
  })));
  void showChart(document.getElementById('surface-chart')!, ivSurfaceChart({ points, title: `${currency} mid implied vol by strike and expiry` }));
  return { surface, slices };
}
