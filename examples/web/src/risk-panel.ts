/**
 * Section 3: one-day VaR and ES of the example portfolio by full revaluation over historical
 * scenarios (engine.valueAtRisk with portfolio + scenarios), several estimators side by side,
 * the Euler allocation per position, and the P&L histogram with the VaR and ES lines.
 */
import { alignHistories, parsePriceCsv, type Engine, type PriceHistory, type ScenarioSet, type VarMethod } from 'riskwasm';
import { pnlHistogramChart } from 'riskwasm/charts';
import { clearChart, showChart } from './charts';
import { cell, headerRow, num, pct, usd } from './format';
import type { ExamplePortfolio } from './example-portfolio';

/** Daily returns used as scenarios: the most recent this many. */
export const SCENARIO_WINDOW = 730;
export const CONFIDENCE = 0.99;
export const VAR_METHODS: { method: VarMethod; label: string }[] = [
  { method: 'historical', label: 'historical (full revaluation)' },
  { method: 'ageWeighted', label: 'age-weighted historical (lambda 0.98)' },
  { method: 'normal', label: 'normal fit to the P&L' },
  { method: 'studentT', label: 'Student-t fit to the P&L' },
  { method: 'cornishFisher', label: 'Cornish-Fisher' },
];

/**
 * Historical scenarios: the last SCENARIO_WINDOW daily log-returns of the portfolio's assets on
 * their common dates. The final candle of each history is dropped (it may be a partial day).
 */
export function historicalScenarios(historiesCsv: Record<string, string>, assets: string[]): { scenarios: ScenarioSet; dates: string[] } {
  const histories: Record<string, PriceHistory> = {};
  for (const a of assets) {
    const h = parsePriceCsv(historiesCsv[a]);
    histories[a] = { dates: h.dates.slice(0, -1), close: h.close.slice(0, -1) };
  }
  const aligned = alignHistories(histories, 'log');
  const n = aligned.dates.length - 1;
  const first = Math.max(0, n - SCENARIO_WINDOW);
  const rows = n - first;
  const logReturns = new Float64Array(rows * assets.length);
  for (let t = 0; t < rows; t++) assets.forEach((a, j) => (logReturns[t * assets.length + j] = aligned.returns[a][first + t]));
  // Return t runs from dates[t] to dates[t + 1].
  return { scenarios: { assets, logReturns, horizon: 1 / 365 }, dates: aligned.dates.slice(first, first + rows + 1) };
}

/**
 * Render the section for `example`; with null, empty it (stating `why`) so that nothing of a
 * previous chain's portfolio stays on screen.
 */
export function showRisk(
  engine: Engine, example: ExamplePortfolio | null, historiesCsv: Record<string, string>,
  why = 'This chain has neither BTC nor ETH options: no example portfolio to value.',
): void {
  const section = document.getElementById('risk-section')!;
  const portfolioTable = document.getElementById('portfolio-table') as HTMLTableElement;
  const varTable = document.getElementById('var-table') as HTMLTableElement;
  const note = document.getElementById('scenario-note')!;
  const json = document.getElementById('portfolio-json')!;
  const chart = document.getElementById('pnl-chart')!;
  if (!example) {
    portfolioTable.replaceChildren();
    varTable.replaceChildren();
    // Also drops a histogram of the previous portfolio still rendering.
    clearChart(chart);
    json.textContent = '';
    note.textContent = why;
    for (const k of ['window', 'firstDate', 'lastDate'] as const) delete note.dataset[k];
    section.dataset.state = 'empty';
    return;
  }
  const { portfolio, labels } = example;
  const assets = Object.keys(portfolio.spots);
  const { scenarios, dates } = historicalScenarios(historiesCsv, assets);
  const n = dates.length - 1;
  note.textContent = `Scenarios: the ${n} daily log-returns of ${assets.join(' and ')} from ${dates[0]} to ${dates[n]} (Binance closes), ` +
    `applied to today's spots with one day passing; implied vols unchanged. P&L in USD, VaR and ES as positive losses at ${pct(CONFIDENCE, 0)}.`;
  note.dataset.window = String(n);
  note.dataset.firstDate = dates[0];
  note.dataset.lastDate = dates[n];
  json.textContent = JSON.stringify(portfolio, null, 2);

  const results = VAR_METHODS.map(({ method, label }) => ({
    label, method,
    r: engine.valueAtRisk({ portfolio, scenarios, confidence: CONFIDENCE, method, allocation: method === 'historical' }),
  }));
  varTable.replaceChildren(headerRow([`method (${pct(CONFIDENCE, 0)}, 1 day)`, 'VaR', 'ES', 'scenarios']));
  for (const { label, method, r } of results) {
    const tr = document.createElement('tr');
    tr.append(
      cell(label, undefined, undefined, 'text'),
      cell(usd(r.var), r.var, `var-${method}`),
      cell(usd(r.es), r.es, `es-${method}`),
      cell(String(r.observations), r.observations),
    );
    varTable.append(tr);
  }

  const allocation = results[0].r.allocation;
  portfolioTable.replaceChildren(headerRow(['position', 'quantity', 'strike', 'days', 'IV', 'component VaR', 'component ES']));
  portfolio.positions.forEach((p, i) => {
    const a = allocation?.positions[i];
    const tr = document.createElement('tr');
    tr.append(
      cell(labels[i], undefined, undefined, 'text'),
      cell(String(p.quantity)),
      cell(p.kind === 'option' ? usd(p.strike) : '-'),
      cell(p.kind === 'option' ? num(p.expiry * 365.25, 1, true) : '-'),
      cell(p.kind === 'option' ? pct(p.vol) : '-'),
      cell(a ? usd(a.componentVar) : '-', a?.componentVar),
      cell(a ? usd(a.componentEs) : '-', a?.componentEs),
    );
    portfolioTable.append(tr);
  });

  const { pnl } = engine.revaluePortfolio({ portfolio, scenarios });
  const hist = results[0].r;
  section.dataset.state = 'done';
  void showChart(chart, pnlHistogramChart({
    pnl, var: hist.var, es: hist.es, confidence: CONFIDENCE, bins: 40, unit: 'USD', width: 560, height: 260,
    title: `One-day P&L over ${n} historical scenarios (historical VaR and ES)`,
  }));
}
