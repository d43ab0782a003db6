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
 * and the smile plot; the VaR panel shows VaR/ES and the histogram. Every number read from the
 * page is compared with the same computation in Node on the built package (dist/).
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

const CHAIN = 'data/market/deribit_options_snapshot_20260105T153329Z.csv';
const HISTORIES = { BTC: 'data/history/BTCUSDT_1d.csv', ETH: 'data/history/ETHUSDT_1d.csv' } as const;
/** Page vs Node on the same backend: see the file comment. */
const REL_TOL = 1e-12;
/** The example's scenario window and confidence, as the page states them (read back and checked). */
const VAR_METHODS = ['historical', 'ageWeighted', 'normal', 'studentT', 'cornishFisher'] as const;

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
  for (const f of [CHAIN, HISTORIES.BTC, HISTORIES.ETH]) {
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
  await browser?.close();
  await closeServer();
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

  it('Heston in the worker: the page keeps painting, and Cancel stops the run at once', async () => {
    await page.selectOption('[data-testid=model]', 'heston');
    // Extra starts make each expiry take long enough that a fit on the main thread would freeze it.
    await page.fill('[data-testid=extra-starts]', '24');
    await page.click('[data-testid=calibrate]');
    await page.waitForFunction(() => Number(document.getElementById('calibration-section')!.dataset.completed ?? 0) >= 2, undefined, { timeout: 60_000 });
    const framesBefore = Number(await page.getAttribute('[data-testid=frames]', 'data-frames'));
    await page.waitForTimeout(300);
    const framesAfter = Number(await page.getAttribute('[data-testid=frames]', 'data-frames'));
    expect(framesAfter, 'requestAnimationFrame stalled during calibration').toBeGreaterThan(framesBefore);
    expect((await sectionData()).state).toBe('running');

    await page.click('[data-testid=cancel]');
    const atCancel = await sectionData();
    expect(atCancel.state).toBe('cancelled');
    const completed = Number(atCancel.completed);
    const total = await page.$$eval('[data-testid^=fit-row-]', (r) => r.length);
    expect(completed).toBeLessThan(total);
    // Nothing arrives from the terminated worker.
    await page.waitForTimeout(1500);
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
        forwards: cut(s.forwards), extraStarts: 24,
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
      pairs.push([await pageValue(`fit-${i}-rmse`), f.rmse], [await pageValue(`fit-${i}-max-error`), f.maxAbsError], [await pageValue(`fit-${i}-inside`), f.insideBidAsk!]);
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
    // No margin panel until riskwasm has a margin API: the slot stays empty (no made-up numbers).
    expect(await page.innerHTML('#margin-slot')).toBe('');
  });

  it('screenshot; no errors in the page; every request stayed on the local server', async () => {
    await mkdir(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'web-demo.png'), fullPage: true });
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

    await page.setInputFiles('#file-input', { name: 'prices.csv', mimeType: 'text/csv', buffer: Buffer.from('date,close\n2026-01-01,1\n') });
    await page.waitForSelector('[data-testid=error]:not([hidden])');
    expect(await page.textContent('[data-testid=error]')).toMatch(/instrument_name|column/i);
    problems.length = 0; // the page logs the rejected file with console.error, on purpose
  });
});
