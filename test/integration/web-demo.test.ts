/**
 * The web demo (examples/web), built as CI builds it and driven in Debian's Chromium.
 *
 * Setup: `npm pack` the built tree; copy examples/web into a temp tree that mirrors the repository
 * (`<tmp>/examples/web`, plus the `data/` files the app bundles at `<tmp>/data/...`); replace its
 * `riskwasm: file:../..` link by the tarball (`npm install <tarball>`; the tarball's dependencies
 * come from the npm cache); `vite build` with this repository's vite (the app's own devDependency
 * version); serve `dist/` on 127.0.0.1 and open it in Chromium.
 *
 * Then, in the page, as a user would: the surface appears; a Heston run (slow on purpose, extra
 * starts) keeps the page painting and stops at once on Cancel; an SVI run shows a parameter table
 * and the smile plot; the VaR panel shows VaR/ES and the histogram; the margin panel shows the
 * portfolio margin of an example account on the Deribit-style grid, then on SPAN 16 once selected,
 * the standard margin and liquidation prices, and the risk-matrix heatmap. Every number read from
 * the page is compared with the same computation in Node on the built package (dist/).
 *
 * Why the page and Node should agree exactly: both run the same `.wasm` bytes (WebAssembly
 * floating point is deterministic IEEE-754) and the same compiled JS (the LM loop and the other
 * JS parts of the facade use +, *, /, Math.sqrt, correctly rounded, and V8's Math.log/exp, the
 * same fdlibm port in Node 20 and Chromium). The stated tolerance, 1e-12 relative, leaves room for
 * a last-bit difference in a V8 Math function between the two V8 versions; the measured
 * differences are printed.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright';
import {
  ARTIFACTS, ROOT, TSC_CLI, VITE_CLI, installTarball, launchChromium, packPackage, requireBuilt, run, serveStatic, sha256,
} from './harness.js';

type Riskwasm = typeof import('../../src/index.js');
type Portfolio = import('../../src/index.js').Portfolio;
type Engine = import('../../src/index.js').Engine;
type MarginAccount = import('../../src/index.js').MarginAccount;
type MarginMarket = import('../../src/index.js').MarginMarket;
type ScenarioGrid = import('../../src/index.js').ScenarioGrid;
type PortfolioMarginResult = import('../../src/index.js').PortfolioMarginResult;

const CHAIN = 'data/market/deribit_options_snapshot_20260105T153329Z.csv';
const HISTORIES = { BTC: 'data/history/BTCUSDT_1d.csv', ETH: 'data/history/ETHUSDT_1d.csv' } as const;
/** The bundled Cboe chain (the page bundles it for its "Cboe SPX" button; the test drops it on the page). */
const SPX = 'data/market/spx_quotedata_20230820.csv';
/** Page vs Node on the same backend: see the file comment. */
const REL_TOL = 1e-12;
/** The example's scenario window and confidence, as the page states them (read back and checked). */
const VAR_METHODS = ['historical', 'ageWeighted', 'normal', 'studentT', 'cornishFisher'] as const;
/** Extra starts of the Heston run that gets cancelled: the page's maximum (see that test). */
const HESTON_EXTRA_STARTS = 64;

let tmp = '';
let appDir = '';
let browser: Browser;
let page: Page;
let url = '';
let closeServer: () => Promise<void> = async () => {};
let rw: Riskwasm;
const problems: string[] = [];
const requestHosts = new Set<string>();
const timings: Record<string, number> = {};
const measured: Record<string, number> = {};

/** max |a - b| / max(|b|, tiny) over pairs; also records it under `key`. */
function maxRelDiff(key: string, pairs: [number, number][]): number {
  let worst = 0;
  for (const [a, b] of pairs) {
    const d = a === b ? 0 : Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);
    worst = Math.max(worst, Number.isNaN(d) ? Infinity : d);
  }
  measured[key] = Math.max(measured[key] ?? 0, worst);
  return worst;
}

/** The full-precision values the page put in `data-value` of `[data-testid=...]` cells. */
async function pageValue(testId: string): Promise<number> {
  const v = await page.getAttribute(`[data-testid="${testId}"]`, 'data-value');
  if (v === null) throw new Error(`no data-value on [data-testid="${testId}"]`);
  return Number(v);
}

/**
 * Compares the margin section (grid `key` selected) with `engine.portfolioMargin` of the same
 * account in Node: IM, MM, scan risk, worst scenario (index, name, counted P&L), add-ons, each
 * position's contribution, every matrix cell and tail scenario; and the heatmap's cell count.
 */
async function checkPortfolioMargin(
  engine: Engine, account: MarginAccount, market: MarginMarket, key: string, grid: ScenarioGrid, expected: { cells: number; tail: number },
): Promise<PortfolioMarginResult> {
  const r = engine.portfolioMargin(account, market, grid);
  const pairs: [number, number][] = [
    [await pageValue('margin-im'), r.initialMargin], [await pageValue('margin-mm'), r.maintenanceMargin], [await pageValue('margin-scan'), r.scanRisk],
    [await pageValue('margin-worst-pnl'), r.worstScenario.pnl],
    [await pageValue('margin-addon-contingency'), r.addOns.shortOptionContingency], [await pageValue('margin-addon-delta'), r.addOns.deltaShock],
  ];
  for (const [i, x] of r.contributions.entries()) pairs.push([await pageValue(`margin-contribution-${i}`), x]);
  expect(maxRelDiff(`portfolioMargin.${key}`, pairs), key).toBeLessThanOrEqual(REL_TOL);
  expect(r.initialMargin, 'an example account with no margin tests nothing').toBeGreaterThan(0);
  expect(await page.textContent('[data-testid=margin-worst]')).toBe(r.worstScenario.name);
  expect(Number(await page.getAttribute('[data-testid=margin-worst]', 'data-index'))).toBe(r.worstScenario.index);
  // Liquidation levels under this grid (engine.liquidationPrice with the grid): same status per
  // side, and the same level where one was found.
  const currency = await page.getAttribute('#margin-section', 'data-currency');
  const liq = engine.liquidationPrice(account, market, grid).assets.find((a) => a.asset === currency)!;
  expect(liq, `a liquidation level for the section's currency ${currency}`).toBeDefined();
  const liqPairs: [number, number][] = [];
  for (const [side, lv] of [['below', liq.below], ['above', liq.above]] as const) {
    expect(await page.getAttribute(`[data-testid=margin-pm-liq-${side}]`, 'data-status'), `${key} ${side}`).toBe(lv.status);
    if (lv.status === 'found') liqPairs.push([await pageValue(`margin-pm-liq-${side}`), lv.price]);
  }
  expect(liqPairs.length, 'the example has a portfolio-margin liquidation level on at least one side').toBeGreaterThan(0);
  expect(maxRelDiff(`liquidationPrice.${key}`, liqPairs)).toBeLessThanOrEqual(REL_TOL);

  // The matrix: every cell is the counted P&L of the scenario with that price move and vol shock,
  // each regular scenario appears once, and the tail table lists the others.
  const section = await page.evaluate(() => ({ ...document.getElementById('margin-section')!.dataset }) as Record<string, string>);
  expect(section.grid).toBe(key);
  const m = JSON.parse(section.matrix) as { priceMoves: number[]; volShocks: number[]; cells: number[][]; pnl: (number | null)[][] };
  const seen = new Set<number>();
  const cellPairs: [number, number][] = [];
  m.cells.forEach((row, v) => row.forEach((k, p) => {
    const s = r.scenarios[k];
    expect([s.priceMove, s.volShock, s.extended, s.weight]).toEqual([m.priceMoves[p], m.volShocks[v], false, 1]);
    seen.add(k);
    cellPairs.push([m.pnl[v][p]!, r.scenarioPnl[k]]);
  }));
  expect(seen.size).toBe(expected.cells);
  const tail = r.scenarios.map((_, k) => k).filter((k) => !seen.has(k));
  expect(tail).toHaveLength(expected.tail);
  for (const k of tail) cellPairs.push([await pageValue(`margin-tail-${k}`), r.scenarioPnl[k]]);
  expect(maxRelDiff(`scenarioPnl.${key}`, cellPairs)).toBeLessThanOrEqual(REL_TOL);
  expect(Number(section.cells)).toBe(expected.cells);
  // One rect per cell in the heatmap's first layer (the second rect layer is the worst cell's outline).
  expect(await page.$$eval('#margin-chart svg g.layer_0_marks path', (p) => p.length)).toBe(expected.cells);
  return r;
}

/**
 * The "SVI surface and local vol" part of section 1 against `engine.fitSvi` of the same surface in
 * Node: one row per slice, each slice's quality.ok, flags and bound hits as the page shows them,
 * rmse exactly; both charts rendered.
 */
async function checkSviSurface(engine: Engine, surface: import('../../src/index.js').Surface, key: string, rmseTol = REL_TOL): Promise<import('../../src/index.js').FitSviResult> {
  await page.waitForSelector('#variance-chart[data-rendered] svg', { timeout: 60_000 });
  await page.waitForSelector('#local-vol-chart[data-rendered] svg', { timeout: 60_000 });
  const fit = engine.fitSvi({ forwards: surface.forwards, quotes: surface.quotes });
  expect(await page.getAttribute('[data-testid=svi-surface-summary]', 'data-ok')).toBe(String(fit.quality.ok));
  const rows = await page.$$eval('[data-testid^=svi-surface-row-]', (trs) => trs.map((tr) => (tr as HTMLElement).dataset.ok));
  expect(rows).toEqual(fit.slices.map((f) => String(f.quality.ok)));
  const pairs: [number, number][] = [];
  for (const [i, f] of fit.slices.entries()) {
    expect(await page.textContent(`[data-testid=svi-flags-${i}]`), `${key} slice ${i} flags`).toBe(f.quality.flags.join(', ') || '-');
    expect(await page.textContent(`[data-testid=svi-bounds-${i}]`), `${key} slice ${i} bounds`)
      .toBe(f.boundHits.map((h) => `${h.name}@${h.constraint === 'leeWing' ? 'Lee' : h.side}`).join(', ') || '-');
    const rmse = await page.$eval(`[data-testid=svi-surface-row-${i}] td:nth-child(4)`, (td) => Number((td as HTMLElement).dataset.value));
    pairs.push([rmse, f.rmse]);
  }
  expect(maxRelDiff(`sviSurface.${key}`, pairs)).toBeLessThanOrEqual(rmseTol);
  // One line per expiry in the total-variance chart; the heatmap has its cells.
  expect(await page.$$eval('#variance-chart svg path', (p) => p.length)).toBeGreaterThan(fit.slices.length);
  expect(await page.$$eval('#local-vol-chart svg path', (p) => p.length)).toBeGreaterThan(100);
  return fit;
}

async function sectionData(): Promise<Record<string, string>> {
  return page.evaluate(() => ({ ...document.getElementById('calibration-section')!.dataset }) as Record<string, string>);
}

beforeAll(async () => {
  requireBuilt(['dist/index.js', 'dist/charts/index.js', 'build/riskwasm.wasm']);
  tmp = await mkdtemp(join(tmpdir(), 'riskwasm-web-demo-'));
  let t0 = performance.now();
  const { tarball } = await packPackage(tmp);
  timings.pack = performance.now() - t0;

  // A tree shaped like the repository, so the app's `../../../data/...` imports resolve.
  const tree = join(tmp, 'repo');
  appDir = join(tree, 'examples/web');
  await cp(join(ROOT, 'examples/web'), appDir, {
    recursive: true, filter: (src) => !/[\\/](node_modules|dist)([\\/]|$)/.test(src.slice(join(ROOT, 'examples/web').length)),
  });
  for (const f of [CHAIN, HISTORIES.BTC, HISTORIES.ETH, SPX]) {
    await mkdir(join(tree, f, '..'), { recursive: true });
    await cp(join(ROOT, f), join(tree, f));
  }
  // The app links riskwasm to the repository (`file:../..`); here it gets the packed tarball,
  // and vite comes from this repository (the devDependency pinned to the same version).
  const pkgPath = join(appDir, 'package.json');
  const pkg = JSON.parse(await readFile(pkgPath, 'utf8')) as { dependencies?: Record<string, string>; devDependencies?: Record<string, string> };
  const repoPkg = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
  expect(pkg.dependencies?.riskwasm, 'examples/web links riskwasm to the repository').toBe('file:../..');
  expect(pkg.devDependencies?.vite, "examples/web's vite is the repository's").toBe(repoPkg.devDependencies.vite);
  delete pkg.dependencies!.riskwasm;
  delete pkg.devDependencies;
  await writeFile(pkgPath, JSON.stringify(pkg, null, 2));
  t0 = performance.now();
  await installTarball(appDir, tarball);
  timings.install = performance.now() - t0;
  t0 = performance.now();
  await run(process.execPath, [VITE_CLI, 'build'], appDir);
  timings.viteBuild = performance.now() - t0;

  rw = (await import(pathToFileURL(join(ROOT, 'dist/index.js')).href)) as Riskwasm;
  const server = await serveStatic(join(appDir, 'dist'));
  url = server.url;
  closeServer = server.close;
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  page.on('request', (r) => requestHosts.add(new URL(r.url()).host));
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') problems.push(`console.${m.type()}: ${m.text()}`); });
  page.on('response', (r) => { if (r.status() >= 400) problems.push(`HTTP ${r.status()} ${r.url()}`); });
});

afterAll(async () => {
  // Each step on its own: a browser that crashed must not leave the server listening or tmp behind.
  await browser?.close().catch((e: unknown) => console.error(`[web-demo] browser.close: ${String(e)}`));
  await closeServer().catch((e: unknown) => console.error(`[web-demo] server close: ${String(e)}`));
  if (tmp) await rm(tmp, { recursive: true, force: true });
  const ms = Object.fromEntries(Object.entries(timings).map(([k, v]) => [k, Math.round(v)]));
  console.info(`[web-demo] timings (ms): ${JSON.stringify(ms)}; page vs Node max relative differences: ${JSON.stringify(measured)}`);
});

describe('web demo (examples/web, vite build, Chromium)', () => {
  it('the build ships the release .wasm and the bundled data as assets (offline: nothing from a CDN)', async () => {
    const assets = await readdir(join(appDir, 'dist/assets'));
    const release = sha256(await readFile(join(ROOT, 'build/riskwasm.wasm')));
    const wasm = await Promise.all(assets.filter((f) => f.endsWith('.wasm')).map(async (f) => sha256(await readFile(join(appDir, 'dist/assets', f)))));
    expect(wasm).toContain(release);
    expect(assets.some((f) => f.startsWith('deribit_options_snapshot_20260105T153329Z') && f.endsWith('.csv')), assets.join(', ')).toBe(true);
    const html = await readFile(join(appDir, 'dist/index.html'), 'utf8');
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
  });

  it('the demo typechecks against the installed declarations (tsc --noEmit, strict)', async () => {
    const r = await run(process.execPath, [TSC_CLI, '-p', 'tsconfig.json'], appDir);
    timings.tsc = r.ms;
  });

  it('loads the bundled chain and shows the IV surface of the same quotes Node builds', async () => {
    const t0 = performance.now();
    await page.goto(url);
    await page.waitForSelector('body[data-ready]', { timeout: 30_000 }).catch(async () => {
      throw new Error(`the page did not finish loading in 30 s: ${await page.textContent('#error')}\n${problems.join('\n')}`);
    });
    await page.waitForSelector('#surface-chart[data-rendered] svg', { timeout: 30_000 });
    timings.load = performance.now() - t0;
    expect(await page.getAttribute('[data-testid=backend]', 'data-backend'), 'the page fell back to the JS twin').toBe('wasm');

    const engine = await rw.createEngine();
    const chain = rw.loadDeribitChain(await readFile(join(ROOT, CHAIN), 'utf8'));
    const surface = engine.buildSurface(chain, { currency: 'BTC' });
    expect(await page.inputValue('[data-testid=currency]')).toBe('BTC');
    expect(Number(await page.getAttribute('[data-testid=surface-summary]', 'data-kept'))).toBe(surface.kept);
    expect(Number(await page.getAttribute('[data-testid=surface-summary]', 'data-expiries'))).toBe(surface.expiries.length);
    const rows = await page.$$eval('[data-testid^=surface-row-]', (trs) => trs.map((tr) => Array.from(tr.querySelectorAll('td'), (td) => td.dataset.value ?? null)));
    expect(rows).toHaveLength(surface.expiries.length);
    surface.expiries.forEach((e, i) => {
      expect(Number(rows[i][1])).toBe(e.expiry);
      expect(Number(rows[i][2])).toBe(e.forward);
      expect(Number(rows[i][3])).toBe(e.quotes);
    });
    // One polyline per expiry in the surface chart's SVG.
    expect(await page.$$eval('#surface-chart svg path', (p) => p.length)).toBeGreaterThan(surface.expiries.length);
  });

  it('the SVI surface of section 1: per-expiry fit quality (ok, flags, bound hits) and rmse equal fitSvi in Node; variance and local-vol charts drawn', async () => {
    const engine = await rw.createEngine();
    const surface = engine.buildSurface(rw.loadDeribitChain(await readFile(join(ROOT, CHAIN), 'utf8')), { currency: 'BTC' });
    await checkSviSurface(engine, surface, 'BTC');
  });

  it('Heston in the worker: the page keeps painting, and Cancel stops the run at once', async () => {
    await page.selectOption('[data-testid=model]', 'heston');
    // Extra starts make each expiry take long enough that a fit on the main thread would freeze it:
    // the most the page allows, so that a fit stays well above a frame gap a loaded machine can
    // produce, even on a fast one (measured in Node here: 0.4 to 0.65 s a fit with 64, 0.15 to 0.5 s with 24).
    await page.fill('[data-testid=extra-starts]', String(HESTON_EXTRA_STARTS));
    await page.click('[data-testid=calibrate]');
    await page.waitForFunction(() => Number(document.getElementById('calibration-section')!.dataset.completed ?? 0) >= 2, undefined, { timeout: 120_000 });
    // rAF keeps firing while the worker fits (no fixed sleep: a starved machine paints late, not never).
    const framesBefore = Number(await page.getAttribute('[data-testid=frames]', 'data-frames'));
    await page.waitForFunction((n) => Number(document.getElementById('frames')!.dataset.frames) > n + 3, framesBefore, { timeout: 5_000 })
      .catch(() => { throw new Error('requestAnimationFrame stalled during calibration (fewer than 4 frames in 5 s)'); });
    expect((await sectionData()).state).toBe('running');

    await page.click('[data-testid=cancel]');
    const atCancel = await sectionData();
    expect(atCancel.state).toBe('cancelled');
    const completed = Number(atCancel.completed);
    const total = await page.$$eval('[data-testid^=fit-row-]', (r) => r.length);
    expect(completed).toBeLessThan(total);
    // Nothing arrives from the terminated worker: waiting twice the longest fit so far, a worker
    // still running would have posted its next expiry by then, however slow the machine.
    const sliceMsSoFar = await page.$$eval('#fit-table tr.done', (trs) => trs.map((tr) => Number(tr.lastElementChild!.getAttribute('data-value'))));
    await page.waitForTimeout(Math.max(1500, 2 * Math.max(...sliceMsSoFar)));
    const later = await sectionData();
    expect(later.state).toBe('cancelled');
    expect(Number(later.completed)).toBe(completed);
    expect(await page.$$eval('#fit-table tr.done', (r) => r.length)).toBe(completed);
    expect(await page.$$eval('#fit-table tr.cancelled', (r) => r.length)).toBe(total - completed);

    // Responsiveness: the longest gap between two painted frames stayed well below the time one
    // expiry's fit took in the worker, i.e. the fits did not run on the main thread.
    const sliceMs = await page.$$eval('#fit-table tr.done', (trs) => trs.map((tr) => Number(tr.lastElementChild!.getAttribute('data-value'))));
    const longest = Math.max(...sliceMs);
    const gap = Number(atCancel.maxFrameGapMs);
    timings.hestonLongestSlice = longest;
    timings.maxFrameGap = gap;
    // A fit must outlast what a loaded machine's frame gaps can be (a few frames), or the check
    // below could not tell a worker from the main thread.
    expect(longest, 'the Heston fits were too fast to show anything').toBeGreaterThan(150);
    expect(gap, `longest frame gap ${gap} ms vs ${longest} ms per fit`).toBeLessThan(longest / 2);

    // The fits that finished equal Node's (same slice, same options).
    const engine = await rw.createEngine();
    const chain = rw.loadDeribitChain(await readFile(join(ROOT, CHAIN), 'utf8'));
    const s = engine.buildSurface(chain, { currency: 'BTC' });
    let offset = 0;
    for (let i = 0; i < completed; i++) {
      const n = s.expiries[i].quotes;
      const cut = (a: Float64Array) => a.slice(offset, offset + n);
      const q = s.quotes;
      const r = engine.calibrateHeston({
        forwards: cut(s.forwards), extraStarts: HESTON_EXTRA_STARTS,
        quotes: { strikes: cut(q.strikes), expiries: cut(q.expiries), types: q.types.slice(offset, offset + n), vols: cut(q.vols), bids: cut(q.bids), asks: cut(q.asks), weights: cut(q.weights) },
      });
      offset += n;
      const pairs: [number, number][] = [];
      for (const p of ['v0', 'kappa', 'theta', 'sigma', 'rho'] as const) pairs.push([await pageValue(`fit-${i}-${p}`), r.params[p]]);
      pairs.push([await pageValue(`fit-${i}-rmse`), r.rmse]);
      expect(maxRelDiff('heston', pairs), `Heston expiry ${i}`).toBeLessThanOrEqual(REL_TOL);
      expect(await page.textContent(`[data-testid=fit-${i}-reason]`)).toBe(r.reason);
    }
  });

  it('SVI after a cancel (fresh worker): the parameters and RMSE shown equal fitSvi in Node, and the smiles are plotted', async () => {
    await page.selectOption('[data-testid=model]', 'svi');
    await page.fill('[data-testid=extra-starts]', '0');
    await page.click('[data-testid=calibrate]');
    await page.waitForSelector('#calibration-section[data-state=done]', { timeout: 60_000 }).catch(async () => {
      throw new Error(`SVI did not finish: ${await page.textContent('[data-testid=calibration-status]')}\n${problems.join('\n')}`);
    });
    await page.waitForSelector('#smile-chart[data-rendered] svg', { timeout: 30_000 });

    const engine = await rw.createEngine();
    const chain = rw.loadDeribitChain(await readFile(join(ROOT, CHAIN), 'utf8'));
    const s = engine.buildSurface(chain, { currency: 'BTC' });
    // The worker fits one expiry per call; fitSvi fits slices independently, so the whole-surface call here must agree.
    const fit = engine.fitSvi({ forwards: s.forwards, quotes: s.quotes });
    expect(await page.$$eval('#fit-table tr.done', (r) => r.length)).toBe(fit.slices.length);
    for (const [i, f] of fit.slices.entries()) {
      const pairs: [number, number][] = [];
      for (const p of ['a', 'b', 'rho', 'm', 'sigma'] as const) pairs.push([await pageValue(`fit-${i}-${p}`), f.params[p]]);
      pairs.push([await pageValue(`fit-${i}-rmse`), f.rmse], [await pageValue(`fit-${i}-max-error`), f.maxAbsError], [await pageValue(`fit-${i}-inside`), f.insideBidAsk]);
      expect(maxRelDiff('svi', pairs), `SVI expiry ${i}`).toBeLessThanOrEqual(REL_TOL);
      expect(await page.textContent(`[data-testid=fit-${i}-reason]`)).toBe(f.reason);
    }
    // Pooled RMSE over every quote (the page pools the per-slice RMSEs) vs the whole-surface fit's.
    expect(maxRelDiff('sviPooledRmse', [[Number(await page.getAttribute('[data-testid=fit-summary]', 'data-rmse')), fit.rmse]])).toBeLessThanOrEqual(1e-12);
    // One panel per expiry, titled with its label.
    const svg = (await page.innerHTML('#smile-chart')) ?? '';
    for (const label of ['8JAN26', '27MAR26', '25DEC26']) expect(svg).toContain(label);
  });

  it('VaR and ES shown equal engine.valueAtRisk in Node on the same portfolio and scenarios', async () => {
    await page.waitForSelector('#pnl-chart[data-rendered] svg', { timeout: 30_000 });
    const portfolio = JSON.parse((await page.textContent('[data-testid=portfolio-json]'))!) as Portfolio;
    expect(Object.keys(portfolio.spots)).toEqual(['BTC', 'ETH']);
    const window = Number(await page.getAttribute('[data-testid=scenario-note]', 'data-window'));
    const firstDate = await page.getAttribute('[data-testid=scenario-note]', 'data-first-date');
    const lastDate = await page.getAttribute('[data-testid=scenario-note]', 'data-last-date');
    expect(window).toBe(730);

    // Scenarios rebuilt here from the same files: the last 730 daily log-returns on common dates,
    // the final (possibly partial) candle of each history dropped.
    const histories: Record<string, import('../../src/index.js').PriceHistory> = {};
    for (const [a, f] of Object.entries(HISTORIES)) {
      const h = rw.parsePriceCsv(await readFile(join(ROOT, f), 'utf8'));
      histories[a] = { dates: h.dates.slice(0, -1), close: h.close.slice(0, -1) };
    }
    const aligned = rw.alignHistories(histories, 'log');
    const n = aligned.dates.length - 1;
    expect(aligned.dates[n - window]).toBe(firstDate);
    expect(aligned.dates[n]).toBe(lastDate);
    const logReturns = new Float64Array(window * 2);
    for (let t = 0; t < window; t++) {
      logReturns[2 * t] = aligned.returns.BTC[n - window + t];
      logReturns[2 * t + 1] = aligned.returns.ETH[n - window + t];
    }
    const scenarios = { assets: ['BTC', 'ETH'], logReturns, horizon: 1 / 365 };
    const engine = await rw.createEngine();
    for (const method of VAR_METHODS) {
      const r = engine.valueAtRisk({ portfolio, scenarios, confidence: 0.99, method });
      const shownVar = await pageValue(`var-${method}`), shownEs = await pageValue(`es-${method}`);
      expect(maxRelDiff('varEs', [[shownVar, r.var], [shownEs, r.es]]), method).toBeLessThanOrEqual(REL_TOL);
      expect(shownEs).toBeGreaterThanOrEqual(shownVar);
    }
  });

  it('margin: the example account is a delta-hedged ~25-delta BTC strangle picked from the chain', async () => {
    await page.waitForSelector('#margin-section[data-chart-grid=deribit] #margin-chart[data-rendered] svg', { timeout: 30_000 });
    const account = JSON.parse((await page.textContent('[data-testid=margin-account-json]'))!) as MarginAccount;
    const chain = rw.loadDeribitChain(await readFile(join(ROOT, CHAIN), 'utf8'));
    const row = (name: string) => chain.instrument.indexOf(name);
    expect(account.positions).toHaveLength(3);
    const [put, call, perp] = account.positions as { instrument: string; size: number }[];
    const [p, c] = [row(put.instrument), row(call.instrument)];
    expect(p).toBeGreaterThanOrEqual(0);
    expect(c).toBeGreaterThanOrEqual(0);
    expect([chain.currency[p], chain.type[p], chain.currency[c], chain.type[c]]).toEqual(['BTC', -1, 'BTC', 1]);
    expect(chain.expiry[p]).toBe(chain.expiry[c]);
    // A strangle of two short ~25-delta options on an expiry about a month out (the listed
    // strikes are 1,000-2,000 USD apart: Deribit's delta lands within 0.05 of the target).
    expect(Math.abs(chain.delta[p] + 0.25)).toBeLessThan(0.05);
    expect(Math.abs(chain.delta[c] - 0.25)).toBeLessThan(0.05);
    expect(Math.abs(chain.timeToMaturity[p] * 365.25 - 30)).toBeLessThan(10);
    expect(put.size).toBeLessThan(0);
    expect(call.size).toBe(put.size);
    // The perpetual hedges the options' delta to within half its 1%-of-size step.
    expect(perp.instrument).toBe('BTC-PERPETUAL');
    const residual = put.size * chain.delta[p] + call.size * chain.delta[c] + perp.size;
    expect(Math.abs(residual)).toBeLessThanOrEqual(Math.abs(put.size) / 200 + 1e-12);
    expect(Object.keys(account.collateral ?? {})).toEqual(['BTC']);
  });

  it('margin: IM, MM, worst scenario, add-ons, contributions and the matrix equal engine.portfolioMargin in Node; standard margin and liquidation prices equal Node\'s', async () => {
    const account = JSON.parse((await page.textContent('[data-testid=margin-account-json]'))!) as MarginAccount;
    const engine = await rw.createEngine();
    const market = rw.marketFromDeribitChain(rw.loadDeribitChain(await readFile(join(ROOT, CHAIN), 'utf8')));
    const deribit = await checkPortfolioMargin(engine, account, market, 'deribit', rw.DERIBIT_GRID, { cells: 27, tail: 8 });

    const sm = engine.standardMargin(account, market, rw.DERIBIT_STANDARD);
    const pairs: [number, number][] = [
      [await pageValue('margin-std-im'), sm.initialMargin], [await pageValue('margin-std-mm'), sm.maintenanceMargin], [await pageValue('margin-equity'), sm.equity],
    ];
    for (const [i, pm] of sm.positions.entries()) pairs.push([await pageValue(`margin-std-im-${i}`), pm.initialMargin], [await pageValue(`margin-std-mm-${i}`), pm.maintenanceMargin]);
    expect(maxRelDiff('standardMargin', pairs)).toBeLessThanOrEqual(REL_TOL);
    expect(await page.textContent('[data-testid=margin-std-status]')).toBe(sm.status);

    const liq = engine.liquidationPrice(account, market, rw.DERIBIT_STANDARD).assets.find((a) => a.asset === 'BTC')!;
    // The example is sized to be solvent with a liquidation level on each side of the index.
    expect([liq.below.status, liq.above.status]).toEqual(['found', 'found']);
    expect(await page.getAttribute('[data-testid=margin-liq-below]', 'data-status')).toBe('found');
    expect(maxRelDiff('liquidationPrice', [[await pageValue('margin-liq-below'), liq.below.price], [await pageValue('margin-liq-above'), liq.above.price]])).toBeLessThanOrEqual(REL_TOL);

    // SPAN 16: the numbers follow the selector, and they differ from the Deribit grid's.
    await page.selectOption('[data-testid=margin-grid]', 'span16');
    await page.waitForSelector('#margin-section[data-chart-grid=span16] #margin-chart[data-rendered] svg', { timeout: 30_000 });
    const span = await checkPortfolioMargin(engine, account, market, 'span16', rw.SPAN16_GRID, { cells: 14, tail: 2 });
    await mkdir(ARTIFACTS, { recursive: true });
    await page.locator('#margin-section').screenshot({ path: join(ARTIFACTS, 'web-demo-margin-span16.png') });
    expect(span.initialMargin).not.toBe(deribit.initialMargin);
    // The standard margin does not depend on the grid.
    expect(await pageValue('margin-std-im')).toBe(sm.initialMargin);

    // Back to the Deribit grid for the screenshot.
    await page.selectOption('[data-testid=margin-grid]', 'deribit');
    await page.waitForSelector('#margin-section[data-chart-grid=deribit] #margin-chart[data-rendered] svg', { timeout: 30_000 });
    expect(await pageValue('margin-im')).toBe(deribit.initialMargin);
  });

  it('hedging: book greeks, the greek-neutral hedge (residual before rounding ~0), IM before/after and effectiveness equal Node\'s; the margin-optimal hedge when highs loads', async () => {
    await page.waitForSelector('#hedge-section[data-state=done] #hedge-greeks-chart[data-rendered] svg', { timeout: 60_000 }).catch(async () => {
      throw new Error(`the hedging panel did not finish: ${await page.textContent('[data-testid=hedge-status]')}\n${problems.join('\n')}`);
    });
    const ds = await page.evaluate(() => ({ ...document.getElementById('hedge-section')!.dataset }) as Record<string, string>);
    const account = JSON.parse((await page.textContent('[data-testid=margin-account-json]'))!) as MarginAccount;
    const book = JSON.parse(ds.book) as import('../../src/index.js').MarginPosition[];
    const instruments = JSON.parse(ds.instruments) as import('../../src/index.js').HedgeInstrument[];
    // The book hedged is section 4's account; the candidates are three listed BTC options and the perpetual.
    expect(book).toEqual(account.positions);
    const chain = rw.loadDeribitChain(await readFile(join(ROOT, CHAIN), 'utf8'));
    expect(instruments.map((h) => h.instrument)).toHaveLength(4);
    expect(instruments[3].instrument).toBe('BTC-PERPETUAL');
    for (const h of instruments.slice(0, 3)) expect(chain.currency[chain.instrument.indexOf(h.instrument as string)]).toBe('BTC');

    // The same scenarios as the page: the last `window` daily BTC log-returns, final candle dropped.
    const h = rw.parsePriceCsv(await readFile(join(ROOT, HISTORIES.BTC), 'utf8'));
    const aligned = rw.alignHistories({ BTC: { dates: h.dates.slice(0, -1), close: h.close.slice(0, -1) } }, 'log');
    const window = Number(ds.window);
    expect(window).toBe(730);
    const n = aligned.dates.length - 1;
    const scenarios = { assets: ['BTC'], logReturns: Float64Array.from(aligned.returns.BTC.slice(n - window, n)), horizon: 1 / 365 };

    const engine = await rw.createEngine();
    const market = rw.marketFromDeribitChain(chain);
    const greeks = ['delta', 'gamma', 'vega'] as const;
    const bookGreeks = engine.bookGreeks(book, market);
    const r = await engine.calibrateHedge({ book, market, instruments, objective: 'greeks', greeks: [...greeks], grid: rw.DERIBIT_GRID, scenarios });
    expect(r.ok).toBe(true);
    expect(await page.textContent('[data-testid=hedge-solver-greeks]')).toBe(`${r.solver.method}, ${r.solver.status}`);
    // The check, independent of the page: before lot rounding the hedge leaves delta,
    // gamma and vega below 1e-9 of the book's (3 greeks, 4 instruments: an exact minimum-norm solve).
    for (const g of greeks) expect(Math.abs(r.solution.residualTotal![g]), g).toBeLessThanOrEqual(1e-9 * Math.abs(bookGreeks.total![g]));
    const hedged = (q: Float64Array) => [...book, ...instruments.map((x, i) => ({ instrument: x.instrument as string, size: q[i] })).filter((p) => p.size !== 0)];
    const after = engine.bookGreeks(hedged(r.rounded.quantities), market);
    const imBefore = engine.portfolioMargin({ positions: book }, market, rw.DERIBIT_GRID).initialMargin;
    const imAfter = engine.portfolioMargin({ positions: hedged(r.rounded.quantities) }, market, rw.DERIBIT_GRID).initialMargin;
    const e = r.effectiveness!;
    const pairs: [number, number][] = [
      [await pageValue('hedge-im-book'), imBefore], [await pageValue('hedge-im-greeks'), imAfter],
      [await pageValue('hedge-var-red-greeks'), e.varianceReduction], [await pageValue('hedge-es-red-greeks'), e.es.reduction],
      [await pageValue('hedge-slope-greeks'), e.regression.slope], [await pageValue('hedge-r2-greeks'), e.regression.rSquared],
    ];
    for (const [i, q] of r.rounded.quantities.entries()) pairs.push([await pageValue(`hedge-q-${i}-greeks`), q]);
    for (const g of [...greeks, 'theta'] as const) pairs.push([await pageValue(`hedge-${g}-book`), bookGreeks.total![g]], [await pageValue(`hedge-${g}-greeks`), after.total![g]]);
    expect(maxRelDiff('hedge.greeks', pairs)).toBeLessThanOrEqual(REL_TOL);
    expect(imAfter, 'the greek-neutral hedge lowers the short strangle\'s IM').toBeLessThan(imBefore);
    // The chart has the book's buckets (the strangle's 7d-30d, the perpetual).
    const svg = (await page.innerHTML('#hedge-greeks-chart')) ?? '';
    for (const label of ['BTC 7d-30d', 'BTC perpetual']) expect(svg).toContain(label);

    if (ds.margin === 'ok') {
      const m = await engine.calibrateHedge({ book, market, instruments, objective: 'margin', greeks: [...greeks], grid: rw.DERIBIT_GRID, scenarios });
      const mAfter = engine.portfolioMargin({ positions: hedged(m.rounded.quantities) }, market, rw.DERIBIT_GRID).initialMargin;
      const mPairs: [number, number][] = [[await pageValue('hedge-im-margin'), mAfter]];
      for (const [i, q] of m.rounded.quantities.entries()) mPairs.push([await pageValue(`hedge-q-${i}-margin`), q]);
      // The same HiGHS build in page and Node, on the same LP.
      expect(maxRelDiff('hedge.margin', mPairs)).toBeLessThanOrEqual(REL_TOL);
      // Unrounded, the margin LP's IM is at most the greek-neutral hedge's (the latter is feasible for the LP).
      expect(m.solution.initialMargin).toBeLessThanOrEqual(engine.portfolioMargin({ positions: hedged(r.solution.quantities) }, market, rw.DERIBIT_GRID).initialMargin * (1 + 1e-9));
    } else {
      expect(await page.textContent('[data-testid=hedge-status]')).toMatch(/no margin-optimal hedge/);
    }

    // Discrete delta hedging of the strangle's legs (engine.simulateHedging): the page's arguments
    // are the strangle's own legs at the index, and its distribution per interval equals Node's run.
    await page.waitForSelector('#hedge-sim[data-state=done] #hedged-pnl-chart[data-rendered] svg', { timeout: 60_000 });
    const simArgs = JSON.parse((await page.getAttribute('#hedge-sim', 'data-args'))!) as Parameters<Engine['simulateHedging']>[0];
    const legs = account.positions.filter((p) => !(p as { instrument: string }).instrument.endsWith('PERPETUAL')) as { instrument: string; size: number }[];
    expect(simArgs.positions.map((p) => [p.strike, p.quantity])).toEqual(legs.map((l) => [chain.strike[chain.instrument.indexOf(l.instrument)], l.size]));
    expect((simArgs.model as { spot: number }).spot).toBe(market.assets.BTC.index);
    const sim = await engine.simulateHedging(simArgs);
    const simPairs: [number, number][] = [];
    for (const [k, run] of sim.runs.entries()) {
      simPairs.push([await pageValue(`sim-mean-${k}`), run.pnl.mean], [await pageValue(`sim-sd-${k}`), run.pnl.sd],
        [await pageValue(`sim-var-${k}`), run.pnl.valueAtRisk], [await pageValue(`sim-es-${k}`), run.pnl.expectedShortfall], [await pageValue(`sim-cost-${k}`), run.cost.mean]);
    }
    expect(maxRelDiff('hedge.simulate', simPairs)).toBeLessThanOrEqual(REL_TOL);
    expect(sim.runs.map((r) => r.every)).toEqual([1, 4, 20]);
  });

  it('screenshot; no errors in the page; every request stayed on the local server', async () => {
    await mkdir(ARTIFACTS, { recursive: true });
    await page.locator('#hedge-section').screenshot({ path: join(ARTIFACTS, 'web-demo-hedge.png') });
    await page.locator('#surface-section').screenshot({ path: join(ARTIFACTS, 'web-demo-surface.png') });
    await page.screenshot({ path: join(ARTIFACTS, 'web-demo.png'), fullPage: true });
    // The full page ends with the margin section (Deribit grid); a close-up of it, readable at full size.
    expect(await page.isVisible('#margin-section #margin-chart svg')).toBe(true);
    await page.locator('#margin-section').screenshot({ path: join(ARTIFACTS, 'web-demo-margin.png') });
    expect(problems, 'errors in the page').toEqual([]);
    expect([...requestHosts]).toEqual([new URL(url).host]);
  });

  it('a CSV the user opens replaces the chain; a file that is not a chain shows an error', async () => {
    const csv = await readFile(join(ROOT, CHAIN), 'utf8');
    const lines = csv.trimEnd().split('\n');
    const eth = [lines[0], ...lines.slice(1).filter((l) => l.includes(',ETH,'))].join('\n');
    await page.setInputFiles('#file-input', { name: 'eth-only.csv', mimeType: 'text/csv', buffer: Buffer.from(eth) });
    await page.waitForFunction(() => document.getElementById('source')!.dataset.name === 'eth-only.csv');
    expect(await page.$$eval('[data-testid=currency] option', (o) => o.map((x) => (x as HTMLOptionElement).value))).toEqual(['ETH']);
    const engine = await rw.createEngine();
    const s = engine.buildSurface(rw.loadDeribitChain(eth), { currency: 'ETH' });
    expect(Number(await page.getAttribute('[data-testid=surface-summary]', 'data-kept'))).toBe(s.kept);
    // The margin section rebuilds its example account from the ETH options of the new file.
    await page.waitForSelector('#margin-section[data-currency=ETH][data-chart-grid=deribit] #margin-chart[data-rendered] svg', { timeout: 30_000 });
    const account = JSON.parse((await page.textContent('[data-testid=margin-account-json]'))!) as MarginAccount;
    expect(account.positions.map((p) => (p as { instrument: string }).instrument.slice(0, 4))).toEqual(['ETH-', 'ETH-', 'ETH-']);
    await checkPortfolioMargin(engine, account, rw.marketFromDeribitChain(rw.loadDeribitChain(eth)), 'deribit', rw.DERIBIT_GRID, { cells: 27, tail: 8 });

    expect(problems, 'errors in the page after opening a chain').toEqual([]);

    // A file that is not a chain: an error naming what is missing; the page stays on the ETH chain.
    await page.setInputFiles('#file-input', { name: 'prices.csv', mimeType: 'text/csv', buffer: Buffer.from('date,close\n2026-01-01,1\n') });
    await page.waitForSelector('[data-testid=error]:not([hidden])');
    expect(await page.textContent('[data-testid=error]')).toMatch(/instrument_name|column/i);
    expect(await page.getAttribute('#source', 'data-name')).toBe('eth-only.csv');
    expect(Number(await page.getAttribute('[data-testid=surface-summary]', 'data-kept'))).toBe(s.kept);
    expect(await page.isDisabled('[data-testid=calibrate]')).toBe(false);
    // The page logs the rejected file with console.error, on purpose: that and nothing else.
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^console\.error: .*(instrument_name|column)/i);
    problems.length = 0;

    // A good file after the bad one clears the error.
    await page.setInputFiles('#file-input', { name: 'eth-only.csv', mimeType: 'text/csv', buffer: Buffer.from(eth) });
    await page.waitForSelector('[data-testid=error][hidden]', { state: 'attached' });
    expect(problems).toEqual([]);
  });

  it('a Cboe file dropped on the page: read as Cboe (USD prices); the SPX surface and its SVI fit quality equal Node\'s; the Deribit-only sections say why they are empty', async () => {
    const text = await readFile(join(ROOT, SPX), 'utf8');
    const name = 'spx_quotedata_20230820.csv';
    await page.evaluate(({ text, name }) => {
      const dt = new DataTransfer();
      dt.items.add(new File([text], name, { type: 'text/csv' }));
      document.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    }, { text, name });
    await page.waitForFunction((n) => document.getElementById('source')!.dataset.name === n, name, { timeout: 60_000 });
    expect(await page.getAttribute('#source', 'data-format')).toBe('cboe');
    expect(await page.$$eval('[data-testid=currency] option', (o) => o.map((x) => (x as HTMLOptionElement).value))).toEqual(['SPX']);
    const engine = await rw.createEngine();
    const chain = rw.loadChain(text, { format: 'cboe' });
    expect(chain.priceUnit).toBe('quote');
    const surface = engine.buildSurface(chain, { currency: 'SPX' });
    expect(Number(await page.getAttribute('[data-testid=surface-summary]', 'data-kept'))).toBe(surface.kept);
    expect(Number(await page.getAttribute('[data-testid=surface-summary]', 'data-expiries'))).toBe(surface.expiries.length);
    // rmse tolerance 1e-9, not REL_TOL: page and Node inputs differ in the last bits (about 1e-15 on
    // every slice, measured), and SPX's ill-conditioned slices run LM for 150-400 iterations
    // (several end notConverged), which amplifies that to 2e-11 (measured). Fits that differ in
    // substance differ by far more than 1e-9; the flags and bound hits are compared exactly.
    await checkSviSurface(engine, surface, 'SPX', 1e-9);
    for (const id of ['margin-note', 'hedge-note']) expect(await page.textContent(`[data-testid=${id}]`)).toMatch(/Deribit chain/);
    await mkdir(ARTIFACTS, { recursive: true });
    await page.locator('#surface-section').screenshot({ path: join(ARTIFACTS, 'web-demo-cboe-surface.png') });
    expect(problems, 'errors in the page after dropping a Cboe chain').toEqual([]);
  });

  it('a calibration worker that cannot load ends the run with an error (not stuck "running"), and Calibrate works again', async () => {
    const p = await browser.newPage();
    const logged: string[] = [];
    p.on('console', (m) => { if (m.type() === 'error') logged.push(m.text()); });
    try {
      // The worker's script fails to load, as on a host that does not serve it.
      await p.route(/calibration-worker/, (r) => r.abort());
      await p.goto(url);
      await p.waitForSelector('body[data-ready]', { timeout: 30_000 });
      for (let attempt = 0; attempt < 2; attempt++) {
        await p.click('[data-testid=calibrate]');
        await p.waitForSelector('#calibration-section[data-state=error]', { timeout: 30_000 });
        expect(await p.textContent('[data-testid=calibration-status]')).toMatch(/worker failed/);
        expect(await p.isDisabled('[data-testid=calibrate]')).toBe(false);
        expect(await p.isDisabled('[data-testid=cancel]')).toBe(true);
        const rows = await p.$$eval('[data-testid^=fit-row-]', (trs) => trs.map((tr) => tr.className));
        expect(rows.length).toBeGreaterThan(0);
        expect(new Set(rows)).toEqual(new Set(['failed']));
      }
      // Said in the console too (once per run), and nothing else went wrong (no unhandled rejection).
      expect(logged).toEqual([expect.stringMatching(/calibration failed: worker failed/), expect.stringMatching(/calibration failed: worker failed/)]);
    } finally {
      await p.close();
    }
  });
});
