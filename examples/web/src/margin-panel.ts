/**
 * Section 4: margin of an example account built from the loaded chain (./margin-account): the
 * portfolio margin on a scenario grid of the user's choice (Deribit-style or CME SPAN 16) with the
 * worst scenario, the add-ons and each position's share of the worst loss; the standard (isolated)
 * margin of the same account for comparison; liquidation prices; and the risk matrix as a heatmap.
 * Every number comes from the engine in this page (`engine.portfolioMargin`, `standardMargin`,
 * `liquidationPrice`); the full-precision values sit in `data-value` for the integration test.
 */
import {
  DERIBIT_GRID, DERIBIT_STANDARD, SPAN16_GRID, marketFromDeribitChain,
  type DeribitChain, type Engine, type LiquidationSide, type MarginMarket, type MarginScenario, type PortfolioMarginResult, type ScenarioGrid,
} from 'riskwasm';
import { riskMatrixChart } from 'riskwasm/charts';
import { showChart } from './charts';
import { exampleMarginAccount, type MarginExample } from './margin-account';
import { cell, headerRow, num, pct, usd } from './format';

export interface MarginContext {
  engine: Engine;
  chain: DeribitChain;
}

/** The grids offered, by the value of the selector. */
export const MARGIN_GRIDS: Record<string, { grid: ScenarioGrid; label: string }> = {
  deribit: { grid: DERIBIT_GRID, label: 'Deribit-style (9 moves x 3 vol shocks + 8 extended)' },
  span16: { grid: SPAN16_GRID, label: 'CME SPAN 16 (7 moves x 2 vol shocks + 2 extremes)' },
};

/**
 * The heatmap's layout: the grid's regular, fully counted scenarios as price moves (columns) x vol
 * shocks (rows); every other scenario (extended moves, SPAN's partly counted extremes) is a tail
 * scenario, listed in a table instead (they have no vol row of their own).
 */
export interface MatrixLayout {
  priceMoves: number[];
  volShocks: number[];
  /** Scenario index per cell, [vol][price] (-1: no such scenario). */
  cells: number[][];
  tail: number[];
}

export function matrixLayout(scenarios: readonly MarginScenario[]): MatrixLayout {
  const onMatrix = (s: MarginScenario) => !s.extended && s.weight === 1;
  const priceMoves = [...new Set(scenarios.filter(onMatrix).map((s) => s.priceMove))].sort((a, b) => a - b);
  // Vol up on top.
  const volShocks = [...new Set(scenarios.filter(onMatrix).map((s) => s.volShock))].sort((a, b) => b - a);
  const cells = volShocks.map(() => priceMoves.map(() => -1));
  const tail: number[] = [];
  scenarios.forEach((s, k) => {
    if (onMatrix(s)) cells[volShocks.indexOf(s.volShock)][priceMoves.indexOf(s.priceMove)] = k;
    else tail.push(k);
  });
  return { priceMoves, volShocks, cells, tail };
}

function volLabel(shock: number, grid: ScenarioGrid): string {
  if (shock === 0) return 'vol unchanged';
  const size = grid.volShockMode === 'relative' ? `${shock > 0 ? '+' : ''}${pct(shock, 0)} rel.` : `${shock > 0 ? '+' : ''}${num(shock * 100, 3)} pts`;
  return `vol ${shock > 0 ? 'up' : 'down'} ${size}`;
}

function row(...cells: HTMLTableCellElement[]): HTMLTableRowElement {
  const tr = document.createElement('tr');
  tr.append(...cells);
  return tr;
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

function liquidationText(s: LiquidationSide): string {
  if (s.status === 'found' || s.status === 'notConverged') return `${usd(s.price)} (${s.distancePercent > 0 ? '+' : ''}${s.distancePercent.toFixed(1)}%)`;
  return s.status === 'none' ? 'none in range' : s.status;
}

/** The portfolio-margin part: summary, contributions, heatmap and tail table for one grid. */
function showPortfolioMargin(
  parts: { summary: HTMLTableElement; contributions: HTMLTableElement; tail: HTMLTableElement; chart: HTMLElement; section: HTMLElement; note: HTMLElement },
  engine: Engine, example: MarginExample, market: MarginMarket, gridKey: string, standardByPosition: { im: number; mm: number }[],
): PortfolioMarginResult {
  const { grid } = MARGIN_GRIDS[gridKey];
  const r = engine.portfolioMargin(example.account, market, grid);
  const w = r.worstScenario;
  const { summary, contributions, tail, chart, section, note } = parts;

  summary.replaceChildren(headerRow(['portfolio margin', `${grid.name} grid`]));
  const worstCell = cell(w.name, undefined, 'margin-worst', 'text');
  worstCell.dataset.index = String(w.index);
  summary.append(
    row(cell('initial margin (IM)', undefined, undefined, 'text'), cell(usd(r.initialMargin), r.initialMargin, 'margin-im')),
    row(cell(`maintenance margin (MM = ${grid.maintenanceFactor} IM)`, undefined, undefined, 'text'), cell(usd(r.maintenanceMargin), r.maintenanceMargin, 'margin-mm')),
    row(cell('scan risk (worst counted loss)', undefined, undefined, 'text'), cell(usd(r.scanRisk), r.scanRisk, 'margin-scan')),
    row(cell('worst scenario', undefined, undefined, 'text'), worstCell),
    row(cell('  its counted P&L', undefined, undefined, 'text'), cell(usd(w.pnl), w.pnl, 'margin-worst-pnl')),
    row(cell(`add-on: short-option contingency${grid.addOns.shortOptionContingency !== undefined ? ` (${grid.addOns.shortOptionContingency} x index per net short)` : ' (none in this grid)'}`, undefined, undefined, 'text'),
      cell(usd(r.addOns.shortOptionContingency), r.addOns.shortOptionContingency, 'margin-addon-contingency')),
    row(cell(`add-on: delta shock${grid.addOns.deltaShock ? ` (net delta ${usd(r.perAsset[0]?.netDelta ?? NaN)})` : ' (none in this grid)'}`, undefined, undefined, 'text'),
      cell(usd(r.addOns.deltaShock), r.addOns.deltaShock, 'margin-addon-delta')),
    row(cell(`IM = ${grid.combine === 'sum' ? 'scan risk + add-ons' : 'max(scan risk, add-ons)'}`, undefined, undefined, 'text note'), cell('')),
  );
  // Liquidation levels under this grid: equity = this MM, the whole grid recomputed at each level.
  const pliq = engine.liquidationPrice(example.account, market, grid).assets.find((a) => a.asset === example.currency);
  if (pliq) {
    const below = cell(liquidationText(pliq.below), pliq.below.price, 'margin-pm-liq-below');
    below.dataset.status = pliq.below.status;
    const above = cell(liquidationText(pliq.above), pliq.above.price, 'margin-pm-liq-above');
    above.dataset.status = pliq.above.status;
    summary.append(
      row(cell('liquidation price below (equity = this MM)', undefined, undefined, 'text'), below),
      row(cell('liquidation price above', undefined, undefined, 'text'), above),
    );
  }

  contributions.replaceChildren(headerRow(['position', 'size', 'days', 'mark IV', 'delta', 'share of worst loss', 'standard IM', 'standard MM']));
  example.legs.forEach((leg, i) => {
    contributions.append(row(
      cell(leg.label, undefined, undefined, 'text'),
      cell(String(leg.size), leg.size),
      cell(Number.isFinite(leg.days) ? num(leg.days, 1, true) : '-'),
      cell(Number.isFinite(leg.markIv) ? pct(leg.markIv) : '-'),
      cell(Number.isFinite(leg.delta) ? num(leg.delta, 3, true) : '-'),
      cell(usd(r.contributions[i]), r.contributions[i], `margin-contribution-${i}`),
      cell(usd(standardByPosition[i].im), standardByPosition[i].im, `margin-std-im-${i}`),
      cell(usd(standardByPosition[i].mm), standardByPosition[i].mm, `margin-std-mm-${i}`),
    ));
  });
  const total = r.contributions.reduce((s, x) => s + x, 0);
  contributions.append(row(cell('total (= scan risk)', undefined, undefined, 'text'), cell(''), cell(''), cell(''), cell(''), cell(usd(total), total, 'margin-contribution-total'), cell(''), cell('')));

  const layout = matrixLayout(r.scenarios);
  const pnl = layout.cells.map((rowIdx) => rowIdx.map((k) => (k < 0 ? NaN : r.scenarioPnl[k])));
  const worstOnMatrix = layout.tail.indexOf(w.index) < 0;
  tail.replaceChildren(headerRow(['tail scenario (off the matrix)', 'weight', 'counted P&L']));
  for (const k of layout.tail) {
    const s = r.scenarios[k];
    const tr = row(
      cell(s.name, undefined, undefined, 'text'),
      cell(String(s.weight), s.weight),
      cell(usd(r.scenarioPnl[k]), r.scenarioPnl[k], `margin-tail-${k}`),
    );
    if (k === w.index) tr.className = 'worst';
    tail.append(tr);
  }
  note.classList.remove('error');
  note.textContent = `${grid.source ?? grid.name}. Cells: counted P&L in USD of the account under each regular scenario ` +
    `(${layout.priceMoves.length} price moves x ${layout.volShocks.length} vol shocks); ` +
    (worstOnMatrix ? 'the outlined cell is the worst scenario.' : `the outlined cell is the worst regular one; the worst scenario overall, "${w.name}", is in the tail table.`) +
    (grid.extendedScaling === 'range' ? ' Extended moves count their P&L scaled back to the regular price range, less the dampener.' : '');

  section.dataset.grid = gridKey;
  section.dataset.cells = String(layout.priceMoves.length * layout.volShocks.length);
  section.dataset.matrix = JSON.stringify({ priceMoves: layout.priceMoves, volShocks: layout.volShocks, cells: layout.cells, pnl });
  const spec = riskMatrixChart({
    priceMoves: layout.priceMoves, volShocks: layout.volShocks.map((v) => volLabel(v, grid)), pnl, unit: 'USD',
    width: 64 * layout.priceMoves.length, height: 44 * layout.volShocks.length,
    title: `Risk matrix of the ${example.account.id} (${grid.name} grid)`,
    ...(worstOnMatrix ? { worst: { priceIndex: layout.priceMoves.indexOf(w.priceMove), volIndex: layout.volShocks.indexOf(w.volShock) } } : {}),
  });
  void showChart(chart, spec).then(() => {
    if (section.dataset.grid === gridKey) section.dataset.chartGrid = gridKey;
  });
  return r;
}

/**
 * Mount the margin panel into `slot` (replacing what was there). Returns whether an account was
 * margined: false when the chain has no BTC or ETH options to build the example account from (the
 * currencies the standard-margin preset has rules for); the section then says so.
 * @throws InputError from the engine for a chain whose market data it rejects.
 */
export function mountMarginPanel(slot: HTMLElement, context: MarginContext): boolean {
  slot.replaceChildren();
  const { engine, chain } = context;
  const market = marketFromDeribitChain(chain);
  const currencies = ['BTC', 'ETH'].filter((c) => DERIBIT_STANDARD.linear[c] !== undefined);
  const example = exampleMarginAccount(chain, market, currencies);

  const section = el('section', { id: 'margin-section', 'aria-labelledby': 'margin-title', 'data-testid': 'margin-section' });
  section.append(el('h2', { id: 'margin-title' }, '4. Margin: risk matrix of an example account'));
  slot.append(section);
  if (!example) {
    section.append(el('p', { class: 'note', 'data-testid': 'margin-note' }, `This chain has no ${currencies.join(' or ')} options with a call and a put carrying a mark IV and a delta: no example account to margin.`));
    section.dataset.state = 'empty';
    return false;
  }
  section.dataset.currency = example.currency;

  const select = el('select', { id: 'margin-grid', 'data-testid': 'margin-grid' });
  for (const [value, { label }] of Object.entries(MARGIN_GRIDS)) select.append(new Option(label, value));
  const controls = el('div', { class: 'controls' });
  const gridLabel = el('label', {}, 'scenario grid ');
  gridLabel.append(select);
  const index = market.assets[example.currency].index;
  controls.append(gridLabel, el('span', { class: 'note' },
    `${example.account.id} from the loaded chain: ${example.legs.map((l) => l.instrument).join(', ')}; collateral ` +
    `${Object.entries(example.account.collateral ?? {}).map(([a, q]) => `${q} ${a}`).join(', ')}; ${example.currency} index ${usd(index)}.`));
  section.append(controls);

  const summary = el('table', { 'data-testid': 'margin-summary' });
  const standard = el('table', { 'data-testid': 'margin-standard' });
  const contributions = el('table', { 'data-testid': 'margin-contributions' });
  const tail = el('table', { 'data-testid': 'margin-tail' });
  const chart = el('div', { id: 'margin-chart', class: 'chart', 'data-testid': 'margin-chart' });
  const note = el('p', { class: 'note', 'data-testid': 'margin-grid-note' });
  const wrap = (t: HTMLTableElement) => {
    const d = el('div', { class: 'table-wrap' });
    d.append(t);
    return d;
  };
  const left = el('div', { class: 'stack' });
  left.append(wrap(summary), wrap(standard));
  const right = el('div');
  right.append(chart, note);
  const cols = el('div', { class: 'two-col' });
  cols.append(left, right);
  const tables = el('div', { class: 'side-by-side' });
  tables.append(wrap(contributions), wrap(tail));
  const json = el('pre', { 'data-testid': 'margin-account-json' }, JSON.stringify(example.account, null, 2));
  const details = el('details');
  details.append(el('summary', {}, 'The account as passed to engine.portfolioMargin, standardMargin and liquidationPrice (market: marketFromDeribitChain(chain))'), json);
  section.append(cols, tables, details);

  // Standard margin and liquidation prices do not depend on the grid: computed once.
  const sm = engine.standardMargin(example.account, market, DERIBIT_STANDARD);
  const liq = engine.liquidationPrice(example.account, market, DERIBIT_STANDARD);
  const level = liq.assets.find((a) => a.asset === example.currency)!;
  standard.replaceChildren(headerRow(['standard margin (Deribit rules, each position alone)', '']));
  const below = cell(liquidationText(level.below), level.below.price, 'margin-liq-below');
  below.dataset.status = level.below.status;
  const above = cell(liquidationText(level.above), level.above.price, 'margin-liq-above');
  above.dataset.status = level.above.status;
  standard.append(
    row(cell('initial margin', undefined, undefined, 'text'), cell(usd(sm.initialMargin), sm.initialMargin, 'margin-std-im')),
    row(cell('maintenance margin', undefined, undefined, 'text'), cell(usd(sm.maintenanceMargin), sm.maintenanceMargin, 'margin-std-mm')),
    row(cell('equity (collateral + positions at mark)', undefined, undefined, 'text'), cell(usd(sm.equity), sm.equity, 'margin-equity')),
    row(cell('status', undefined, undefined, 'text'), cell(sm.status, undefined, 'margin-std-status')),
    row(cell(`liquidation price below (equity = MM; index ${usd(level.index)})`, undefined, undefined, 'text'), below),
    row(cell('liquidation price above', undefined, undefined, 'text'), above),
  );
  const standardByPosition = sm.positions.map((p) => ({ im: p.initialMargin, mm: p.maintenanceMargin }));

  const parts = { summary, contributions, tail, chart, section, note };
  const show = (key: string) => showPortfolioMargin(parts, engine, example, market, key, standardByPosition);
  select.addEventListener('change', () => {
    try {
      show(select.value);
    } catch (e) {
      // The presets are valid, so this is a library error: say so in the section, keep the page.
      note.textContent = `portfolio margin failed: ${e instanceof Error ? e.message : String(e)}`;
      note.classList.add('error');
      console.error(e);
    }
  });
  show(select.value);
  section.dataset.state = 'done';
  return true;
}
