/**
 * Section 5: hedging the example account of section 4 (the delta-hedged short strangle). The
 * account's cash greeks by expiry bucket (`engine.bookGreeks`), a greek-neutral hedge over the
 * perpetual and three listed options (`engine.calibrateHedge`, objective 'greeks': delta, gamma and
 * vega; solved by QR, no LP solver needed), and, when the optional `highs` LP solver loads in this
 * page, the margin-optimal hedge (objective 'margin'). For each: quantities, residual greeks,
 * portfolio-margin IM before and after (`engine.portfolioMargin`, Deribit grid), and the hedge's
 * effectiveness over the account's historical daily moves (`effectiveness`, from
 * `hedgeEffectiveness`). The chart is `hedgeGreeksChart`: book and greek-hedged book per bucket.
 */
import {
  DERIBIT_GRID, LpSolverMissingError, marketFromDeribitChain,
  type BookGreeksResult, type CalibrateHedgeResult, type DeribitChain, type Engine, type HedgeInstrument, type MarginMarket, type MarginPosition,
} from 'riskwasm';
import { hedgedPnlChart, hedgeGreeksChart } from 'riskwasm/charts';
import { clearChart, showChart } from './charts';
import { cell, headerRow, num, pct, usd } from './format';
import type { MarginExample } from './margin-account';
import { historicalScenarios } from './risk-panel';

/** Row of `type` on `expiry` whose Deribit delta is nearest `target` (rows with a mark IV), or -1. */
function nearestDelta(chain: DeribitChain, currency: string, expiry: string, type: 1 | -1, target: number): number {
  let best = -1;
  for (let i = 0; i < chain.length; i++) {
    if (chain.currency[i] !== currency || chain.expiry[i] !== expiry || chain.type[i] !== type) continue;
    if (!(chain.markIv[i] > 0) || !Number.isFinite(chain.delta[i])) continue;
    if (best < 0 || Math.abs(chain.delta[i] - target) < Math.abs(chain.delta[best] - target)) best = i;
  }
  return best;
}

/** The listed expiry of `currency` nearest `days` days. */
function expiryNear(chain: DeribitChain, currency: string, days: number): string | null {
  let best: string | null = null, dist = Infinity;
  for (let i = 0; i < chain.length; i++) {
    if (chain.currency[i] !== currency || !(chain.timeToMaturity[i] > 0)) continue;
    const d = Math.abs(chain.timeToMaturity[i] * 365.25 - days);
    if (d < dist) { dist = d; best = chain.expiry[i]; }
  }
  return best;
}

/**
 * Candidate hedges: the at-the-money call of the strangle's expiry (~30 days), the at-the-money
 * call and the ~25-delta put of the expiry nearest 90 days (a vega lever with little gamma), and
 * the perpetual. Lots: 0.1 coin of options (Deribit's minimum), 0.001 coin of perpetual. No bounds
 * and no spread costs, so the greek objective is solved by QR and needs no LP solver.
 */
export function hedgeCandidates(chain: DeribitChain, currency: string, market: MarginMarket): HedgeInstrument[] {
  const out: HedgeInstrument[] = [];
  const seen = new Set<string>();
  const add = (i: number) => {
    if (i < 0 || seen.has(chain.instrument[i]) || !market.instruments?.[chain.instrument[i]]) return;
    seen.add(chain.instrument[i]);
    out.push({ instrument: chain.instrument[i], lotSize: 0.1 });
  };
  const near = expiryNear(chain, currency, 30), far = expiryNear(chain, currency, 90);
  if (near) add(nearestDelta(chain, currency, near, 1, 0.5));
  if (far) {
    add(nearestDelta(chain, currency, far, 1, 0.5));
    add(nearestDelta(chain, currency, far, -1, -0.25));
  }
  const perp = `${currency}-PERPETUAL`;
  if (market.instruments?.[perp]) out.push({ instrument: perp, lotSize: 0.001 });
  return out;
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

/** The account plus the rounded hedge, as margin positions. */
function hedgedPositions(book: readonly MarginPosition[], instruments: readonly HedgeInstrument[], q: Float64Array): MarginPosition[] {
  return [...book, ...instruments.map((h, i) => ({ instrument: h.instrument as string, size: q[i] })).filter((p) => p.size !== 0)];
}

interface HedgeRun {
  label: string;
  result: CalibrateHedgeResult;
  imAfter: number;
  after: BookGreeksResult;
}

function resultTable(runs: HedgeRun[], instruments: readonly HedgeInstrument[], bookGreeks: BookGreeksResult, imBefore: number): HTMLTableElement {
  const t = el('table', { 'data-testid': 'hedge-table' });
  t.append(headerRow(['', 'book', ...runs.map((r) => r.label)]));
  // Cells carry the full-precision value in data-value and a test id `${row}-book` / `${row}-${objective}`.
  const row = (label: string, book: number | null, value: (r: HedgeRun) => number | string, show: (x: number) => string, testId: string) => {
    const tr = el('tr', { 'data-testid': testId });
    tr.append(cell(label, undefined, undefined, 'text'), book === null ? cell('') : cell(show(book), book, `${testId}-book`));
    for (const r of runs) {
      const v = value(r);
      tr.append(typeof v === 'string' ? cell(v, undefined, `${testId}-${r.result.objective}`) : cell(show(v), v, `${testId}-${r.result.objective}`));
    }
    t.append(tr);
  };
  instruments.forEach((h, i) => row(`quantity ${h.instrument as string} (coins)`, null, (r) => r.result.rounded.quantities[i], (x) => num(x, 4), `hedge-q-${i}`));
  for (const g of ['delta', 'gamma', 'vega', 'theta'] as const) {
    row(`${g} (USD), hedge in whole lots`, bookGreeks.total?.[g] ?? NaN, (r) => r.after.total?.[g] ?? NaN, usd, `hedge-${g}`);
  }
  // The solver's own residual, before rounding to lots: what the hedge achieves with exact sizes.
  for (const g of ['delta', 'gamma', 'vega'] as const) {
    row(`${g} before lot rounding (USD)`, null, (r) => r.result.solution.residualTotal?.[g] ?? NaN, usd, `hedge-unrounded-${g}`);
  }
  row(`IM, ${DERIBIT_GRID.name} grid (USD)`, imBefore, (r) => r.imAfter, usd, 'hedge-im');
  const eff = (f: (e: NonNullable<CalibrateHedgeResult['effectiveness']>) => number) => (r: HedgeRun) => (r.result.effectiveness ? f(r.result.effectiveness) : NaN);
  row('variance reduction (history)', null, eff((e) => e.varianceReduction), (x) => pct(x, 1), 'hedge-var-red');
  row('ES 99% reduction (history)', null, eff((e) => e.es.reduction), (x) => pct(x, 1), 'hedge-es-red');
  row('regression slope (history)', null, eff((e) => e.regression.slope), (x) => num(x, 3), 'hedge-slope');
  row('regression R^2 (history)', null, eff((e) => e.regression.rSquared), (x) => num(x, 3), 'hedge-r2');
  row('solver', null, (r) => `${r.result.solver.method}, ${r.result.solver.status}${r.result.ok ? '' : ' (not ok)'}`, String, 'hedge-solver');
  return t;
}

/** Mount section 5 in `slot` for a Deribit chain (the example account of section 4). Resolves when the margin run ended. */
export async function mountHedgePanel(slot: HTMLElement, engine: Engine, chain: DeribitChain, example: MarginExample | null, historiesCsv: Record<string, string>): Promise<void> {
  slot.replaceChildren();
  const section = el('section', { id: 'hedge-section', 'aria-labelledby': 'hedge-title', 'data-testid': 'hedge-section' });
  section.append(el('h2', { id: 'hedge-title' }, '5. Hedging the example account'));
  slot.append(section);
  if (!example) {
    section.append(el('p', { class: 'note', 'data-testid': 'hedge-note' }, 'No example account on this chain (see section 4): nothing to hedge.'));
    section.dataset.state = 'empty';
    return;
  }
  const market = marketFromDeribitChain(chain);
  const book = example.account.positions;
  const instruments = hedgeCandidates(chain, example.currency, market);
  const bookGreeks = engine.bookGreeks(book, market);
  const imBefore = engine.portfolioMargin({ positions: book }, market, DERIBIT_GRID).initialMargin;
  const { scenarios, dates } = historicalScenarios(historiesCsv, [example.currency]);
  const n = dates.length - 1;
  // What the test in test/integration rebuilds the same hedge from.
  section.dataset.currency = example.currency;
  section.dataset.book = JSON.stringify(book);
  section.dataset.instruments = JSON.stringify(instruments);
  section.dataset.window = String(n);

  const note = el('p', { class: 'note', 'data-testid': 'hedge-summary' },
    `Book: ${example.account.id} (${book.map((p) => `${p.size} ${p.instrument as string}`).join(', ')}). Candidate hedges: ${instruments.map((h) => h.instrument as string).join(', ')}. ` +
    `Effectiveness over the ${n} daily ${example.currency} moves ${dates[0]} .. ${dates[n]}.`);
  const status = el('p', { class: 'note', 'data-testid': 'hedge-status', role: 'status' }, 'calibrating the greek-neutral hedge...');
  const tableWrap = el('div', { class: 'table-wrap' });
  const chart = el('div', { class: 'chart', 'data-testid': 'hedge-greeks-chart', id: 'hedge-greeks-chart' });
  const cols = el('div', { class: 'two-col' });
  cols.append(tableWrap, chart);
  const simBox = el('div', { id: 'hedge-sim', 'data-testid': 'hedge-sim' });
  section.append(note, status, cols, simBox);

  const run = async (label: string, objective: 'greeks' | 'margin'): Promise<HedgeRun> => {
    const result = await engine.calibrateHedge({
      book, market, instruments, objective, greeks: ['delta', 'gamma', 'vega'], grid: DERIBIT_GRID,
      scenarios: { ...scenarios, horizon: 1 / 365 },
    });
    const positions = hedgedPositions(book, instruments, result.rounded.quantities);
    return { label, result, after: engine.bookGreeks(positions, market), imAfter: engine.portfolioMargin({ positions }, market, DERIBIT_GRID).initialMargin };
  };

  const runs: HedgeRun[] = [await run('greek-neutral', 'greeks')];
  const render = () => {
    tableWrap.replaceChildren(resultTable(runs, instruments, bookGreeks, imBefore));
    void showChart(chart, hedgeGreeksChart({
      book: bookGreeks.byExpiry, hedged: runs[0].after.byExpiry, unit: 'USD',
      title: `${example.currency}: greeks by expiry bucket, book vs greek-hedged`, width: 380, height: 110,
    }));
  };
  clearChart(chart);
  render();
  status.textContent = 'greek-neutral hedge done; loading the LP solver (highs) for the margin-optimal hedge...';
  try {
    runs.push(await run('margin-optimal', 'margin'));
    render();
    status.textContent = 'greek-neutral hedge (QR) and margin-optimal hedge (HiGHS LP) done.';
    section.dataset.margin = 'ok';
  } catch (e) {
    // The LP solver is an optional peer: without it the panel shows the greek hedge only.
    const why = e instanceof LpSolverMissingError ? 'the optional highs package is not available in this build' : e instanceof Error ? e.message : String(e);
    status.textContent = `greek-neutral hedge done; no margin-optimal hedge: ${why}.`;
    section.dataset.margin = 'unavailable';
    console.info('margin-optimal hedge unavailable', e);
  }
  try {
    await showHedgingSimulation(simBox, engine, chain, example, market);
  } catch (e) {
    simBox.dataset.state = 'error';
    simBox.append(el('p', { class: 'error' }, `simulation failed: ${e instanceof Error ? e.message : String(e)}`));
    throw e;
  }
  section.dataset.state = 'done';
}

/** Steps per day of the simulated paths (6-hourly) and the rebalancing intervals compared, in steps. */
const STEPS_PER_DAY = 4;
const REBALANCE_EVERY = [1, 4, 20];
const SIM_PATHS = 20_000;
/** Proportional cost of trading the underlying: 5 bp one way (a perpetual taker fee). */
const SIM_COST = 0.0005;

/**
 * The arguments of the discrete-hedging simulation of the strangle's option legs: GBM at the
 * legs' average mark IV from the index, rate 0 (a perpetual has no carry to model here), to the
 * options' expiry, the legs as USD vanillas of `size` coins (coin settlement left out: the
 * simulation is Black-Scholes in USD), delta-hedged every 6 hours, daily or every 5 days.
 */
export function strangleSimulationArgs(chain: DeribitChain, example: MarginExample, market: MarginMarket): Parameters<Engine['simulateHedging']>[0] | null {
  const legs = example.legs.filter((l) => Number.isFinite(l.days));
  const rows = legs.map((l) => chain.instrument.indexOf(l.instrument));
  const spot = market.assets[example.currency]?.index;
  if (legs.length === 0 || rows.some((i) => i < 0) || !(spot > 0)) return null;
  const days = Math.max(1, Math.round(legs[0].days));
  const vol = legs.reduce((s, l) => s + l.markIv, 0) / legs.length;
  return {
    model: { kind: 'gbm', spot, rate: 0, vol },
    positions: rows.map((i, j) => ({ type: chain.type[i] === 1 ? 'call' : 'put', strike: chain.strike[i], expiry: chain.timeToMaturity[i], quantity: legs[j].size })),
    strategy: 'delta',
    rebalance: { every: REBALANCE_EVERY },
    costs: { proportional: SIM_COST },
    paths: SIM_PATHS, steps: days * STEPS_PER_DAY, seed: 1, horizon: chain.timeToMaturity[rows[0]],
  };
}

/** Mount the simulation part of section 5 in `box` (replacing its content). */
export async function showHedgingSimulation(box: HTMLElement, engine: Engine, chain: DeribitChain, example: MarginExample, market: MarginMarket): Promise<void> {
  box.replaceChildren(el('h3', {}, 'Discrete delta hedging of the strangle on simulated paths (engine.simulateHedging)'));
  const args = strangleSimulationArgs(chain, example, market);
  if (!args) {
    box.append(el('p', { class: 'note' }, 'The strangle legs are not in the chain: no simulation.'));
    return;
  }
  box.dataset.args = JSON.stringify(args);
  const note = el('p', { class: 'note', 'data-testid': 'sim-note' });
  const m = args.model as { spot: number; vol: number };
  note.textContent = `The strangle's options as USD vanillas (coin settlement left out), ${args.paths.toLocaleString('en-US')} GBM paths from ${usd(m.spot)} at ${pct(m.vol)} ` +
    `(the legs' mean mark IV) to expiry, ${args.steps} steps of 6 hours, delta-hedged in the underlying with ${SIM_COST * 1e4} bp costs one way, rebalanced every 6 hours, daily or every 5 days.`;
  const tableWrap = el('div', { class: 'table-wrap' });
  const chart = el('div', { class: 'chart', id: 'hedged-pnl-chart', 'data-testid': 'hedged-pnl-chart' });
  const cols = el('div', { class: 'two-col' });
  cols.append(tableWrap, chart);
  box.append(note, cols);
  const r = await engine.simulateHedging(args);
  const t = el('table', { 'data-testid': 'sim-table' });
  t.append(headerRow(['rebalance every', 'dates', 'mean P&L', 'sd', 'sd std err', 'VaR 99%', 'ES 99%', 'mean cost']));
  r.runs.forEach((run, k) => {
    const tr = el('tr', { 'data-testid': `sim-row-${k}` });
    const hours = run.every * (24 / STEPS_PER_DAY);
    tr.append(
      cell(hours < 24 ? `${hours} h` : `${hours / 24} d`, run.every, undefined, 'text'), cell(String(run.rebalancingDates), run.rebalancingDates),
      cell(usd(run.pnl.mean), run.pnl.mean, `sim-mean-${k}`), cell(usd(run.pnl.sd), run.pnl.sd, `sim-sd-${k}`), cell(usd(run.pnl.sdStdErr), run.pnl.sdStdErr),
      cell(usd(run.pnl.valueAtRisk), run.pnl.valueAtRisk, `sim-var-${k}`), cell(usd(run.pnl.expectedShortfall), run.pnl.expectedShortfall, `sim-es-${k}`),
      cell(usd(run.cost.mean), run.cost.mean, `sim-cost-${k}`),
    );
    t.append(tr);
  });
  tableWrap.replaceChildren(t, el('p', { class: 'note' }, `Premium received ${usd(-r.bookValue)} (Black-Scholes at the hedge vol); P&L discounted, in USD; ${Math.round(r.elapsedMs)} ms.`));
  await showChart(chart, hedgedPnlChart({ ...r, title: 'Hedged P&L of the strangle by rebalancing interval', unit: 'USD', width: 420, height: 240 }));
  box.dataset.state = 'done';
}
