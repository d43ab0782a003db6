/**
 * The published package works with no loader configuration.
 *
 * `npm pack` the already-built tree (the caller runs `npm run build` first), install the tarball
 * into fresh temp projects and use it as a user would:
 * - Node: `import { createEngine } from 'riskwasm'` (default options pick WASM), `backend: 'js'`,
 *   `createEngineSync` with the bytes of the `riskwasm/riskwasm.wasm` export, and a `tsc --noEmit`
 *   of a small TypeScript consumer (moduleResolution nodenext).
 * - Vite: a minimal app (index.html + main.js, no config, no plugins): `vite build`, served by a
 *   tiny static server on 127.0.0.1 and opened in Chromium; then the same app under `vite` (dev
 *   server, dependency pre-bundling on).
 *
 * Vite and TypeScript run from this repository's devDependencies (same versions a user gets);
 * the tarball's own dependencies come from the npm cache (see `installTarball` in harness.ts).
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright';
import {
  ARTIFACTS, FIXTURES, ROOT, TSC_CLI, VITE_CLI, freePort, installTarball, launchChromium, packPackage, parseJson,
  requireBuilt, run, serveStatic, sha256, startViteDev, stopChild, tail,
} from './harness.js';

const HAUG_CALL = 2.1334; // Haug: S=60, K=65, T=0.25, r=0.08, vol=0.30 call, printed to 4 decimals
const HAUG_B76 = 1.7011; // Haug's Black-76 example: F=K=19, T=0.75, r=0.10, vol=0.28, call = put
const TOL = 1e-4;

/** Copy a fixture app into a fresh directory and install the tarball there. */
async function makeProject(fixture: string, dir: string, tarball: string): Promise<void> {
  await cp(join(FIXTURES, fixture), dir, { recursive: true });
  await installTarball(dir, tarball);
  // The install is a copy from the tarball, never a link back into this repository.
  const pkg = JSON.parse(await readFile(join(dir, 'node_modules/riskwasm/package.json'), 'utf8')) as { name: string };
  expect(pkg.name).toBe('riskwasm');
}

interface PageResult {
  backend?: string;
  fallbackReason?: string | null;
  price?: number;
  black76?: number[];
  impliedVol?: number[];
  jsPrice?: number;
  wasmResources?: string[];
  error?: string;
}

interface Visit { result: PageResult; wasmResponses: { url: string; status: number; type: string }[]; problems: string[] }

/** Open `url`, wait for the page to write its result, take a screenshot. */
async function visit(browser: Browser, url: string, screenshot: string): Promise<Visit> {
  const page: Page = await browser.newPage();
  const wasmResponses: Visit['wasmResponses'] = [];
  const problems: string[] = [];
  page.on('response', (r) => {
    if (/\.wasm(\?|$)/.test(new URL(r.url()).pathname + new URL(r.url()).search)) {
      wasmResponses.push({ url: r.url(), status: r.status(), type: r.headers()['content-type'] ?? '' });
    }
    if (r.status() >= 400) problems.push(`HTTP ${r.status()} ${r.url()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') problems.push(`console.${m.type()}: ${m.text()}`); });
  try {
    await page.goto(url);
    try {
      await page.waitForSelector('#result[data-done]', { timeout: 30_000 });
    } catch {
      throw new Error(`the page at ${url} wrote no result in 30 s; #result = ${await page.textContent('#result')}\n${problems.join('\n')}`);
    }
    const text = (await page.textContent('#result')) ?? '';
    await mkdir(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, screenshot), fullPage: true });
    return { result: parseJson<PageResult>(text, `the page at ${url}`), wasmResponses, problems };
  } finally {
    await page.close();
  }
}

function expectHaug(r: PageResult, where: string): void {
  expect(r.error, `${where}: the page threw`).toBeUndefined();
  expect(r.backend, `${where}: fell back to JS: ${r.fallbackReason}`).toBe('wasm');
  expect(r.fallbackReason ?? null).toBeNull();
  expect(Math.abs(r.price! - HAUG_CALL), `${where}: price ${r.price}`).toBeLessThanOrEqual(TOL);
  expect(r.black76, `${where}: Black-76`).toHaveLength(2);
  for (const p of r.black76!) expect(Math.abs(p - HAUG_B76), `${where}: Black-76 ${p}`).toBeLessThanOrEqual(TOL);
  expect(r.impliedVol, `${where}: implied vol`).toHaveLength(2);
  for (const v of r.impliedVol!) expect(Math.abs(v - 0.28), `${where}: implied vol round trip ${v}`).toBeLessThanOrEqual(1e-12);
}

// ---------------------------------------------------------------------------------------------

let tmp = '';
let tarball = '';
let packedFiles: string[] = [];
const timings: Record<string, number> = {};

beforeAll(async () => {
  requireBuilt();
  tmp = await mkdtemp(join(tmpdir(), 'riskwasm-integration-'));
  const packed = await packPackage(tmp);
  timings.pack = packed.ms;
  tarball = packed.tarball;
  packedFiles = packed.files;
});

afterAll(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true });
  console.info(`[integration] timings (ms): ${JSON.stringify(Object.fromEntries(Object.entries(timings).map(([k, v]) => [k, Math.round(v)])))}`);
});

describe('npm pack', () => {
  it('ships the compiled JS, the declarations and the .wasm, and no sources', async () => {
    expect((await stat(tarball)).size).toBeGreaterThan(0);
    for (const f of [
      'package.json', 'dist/index.js', 'dist/index.d.ts', 'dist/charts/index.js', 'dist/charts/index.d.ts', 'dist/cli/main.js',
      'dist/parallel/worker-entry.js', 'dist/THIRD-PARTY-LICENSES.md', 'build/riskwasm.wasm', 'LICENSE', 'NOTICE.md',
    ]) {
      expect(packedFiles, `${f} is not in the tarball`).toContain(f);
    }
    // Bundled: one module per entry point plus shared chunks, not one per source file (dist/engine.js
    // was one of ~100); every module has its source map.
    const js = packedFiles.filter((f) => f.endsWith('.js'));
    // [scale] dist/distributed/index.js: the riskwasm/distributed entry.
    expect(js.filter((f) => !/^dist\/(index|charts\/index|cli\/main|parallel\/worker-entry|parallel\/index|internals|distributed\/index|chunks\/[\w-]+)\.js$/.test(f)), 'unbundled modules').toEqual([]);
    for (const f of js) expect(packedFiles, `${f}.map`).toContain(`${f}.map`);
    // NOTICE.md carries the licence of the Sobol direction numbers compiled into dist/.
    // The CLI's bundled samples (its default inputs) ship with their provenance file, data/README.md;
    // the test oracles (data/reference) and the Sobol table source (data/sobol) do not.
    const shippedData = (f: string) => f === 'data/README.md' || /^data\/(market|history)\//.test(f);
    const stray = packedFiles.filter((f) => (/^(src|assembly|test|bench|scripts|data|node_modules)\//.test(f) && !shippedData(f)) || f.endsWith('.wat'));
    expect(stray, 'sources or dev files in the tarball').toEqual([]);
  });
});

describe('Node consumer (fresh project, npm install <tarball>)', () => {
  let dir = '';
  beforeAll(async () => {
    dir = join(tmp, 'node-consumer');
    const t0 = performance.now();
    await makeProject('node-consumer', dir, tarball);
    timings.nodeInstall = performance.now() - t0;
  });

  it("default createEngine() picks WASM and prices Haug's cases and inverts Black-76 (implied vol); backend 'js', createEngineSync(bytes of riskwasm/riskwasm.wasm) agree", async () => {
    const r = await run(process.execPath, ['consumer.mjs'], dir);
    timings.nodeConsumer = r.ms;
    type Summary = PageResult & { black76: number[] };
    const out = parseJson<Record<'auto' | 'wasm' | 'js' | 'sync' | 'syncModule', Summary> & { wasmUrl: string; greeks: { delta: number; vega: number } }>(
      r.stdout, 'consumer.mjs',
    );
    expectHaug(out.auto, 'createEngine()');
    expectHaug(out.wasm, "createEngine({ backend: 'wasm' })");
    expectHaug(out.sync, 'createEngineSync(bytes)');
    expectHaug(out.syncModule, 'createEngineSync(module)');
    expect(out.js.backend).toBe('js');
    expect(Math.abs(out.js.price! - HAUG_CALL)).toBeLessThanOrEqual(TOL);
    expect(Math.abs(out.js.price! - out.auto.price!)).toBeLessThanOrEqual(1e-13);
    for (const v of out.js.impliedVol!) expect(Math.abs(v - 0.28)).toBeLessThanOrEqual(1e-12);
    // The export resolves inside the installed package, not into this repository.
    expect(out.wasmUrl).toBe(new URL(`file://${join(dir, 'node_modules/riskwasm/build/riskwasm.wasm')}`).href);
    expect(out.greeks.delta).toBeGreaterThan(0.37);
    expect(out.greeks.delta).toBeLessThan(0.38);
    expect(out.greeks.vega).toBeGreaterThan(0);
  });

  it('installs no third-party package; riskwasm/charts builds specs without its optional renderer and a render names the packages to install', async () => {
    const installed = (await readdir(join(dir, 'node_modules'))).filter((f) => !f.startsWith('.'));
    expect(installed).toEqual(['riskwasm']);
    const script = `import { pnlHistogramChart, renderSvg } from 'riskwasm/charts';
      const spec = pnlHistogramChart({ pnl: [-2, -1, 0, 1, 2], var: 1.5, es: 1.8, confidence: 0.99 });
      const e = await renderSvg(spec).then(() => null, (e) => e);
      process.stdout.write(JSON.stringify({ layers: spec.layer?.length ?? 0, name: e?.name, code: e?.code, packages: e?.packages, message: e?.message }));`;
    const out = parseJson<{ layers: number; name: string; code: string; packages: string[]; message: string }>(
      (await run(process.execPath, ['--input-type=module', '-e', script], dir)).stdout, 'charts without vega',
    );
    expect(out.layers).toBeGreaterThan(0);
    expect(out).toMatchObject({ name: 'ChartRendererMissingError', code: 'CHART_RENDERER_MISSING', packages: ['vega-lite', 'vega'] });
    expect(out.message).toContain('npm install vega@6 vega-lite@~6.4.3');
  });

  it('the CLI runs with no installed dependency; --plot without the renderer exits 1 before any work, naming it', async () => {
    const cli = join(dir, 'node_modules/riskwasm/dist/cli/main.js');
    const ok = await run(process.execPath, [cli, 'var', '--method', 'normal', '--json', '--no-backtest'], dir);
    expect(Object.keys(parseJson<Record<string, unknown>>(ok.stdout, 'riskwasm var --json')).length).toBeGreaterThan(0);
    const plot = join(dir, 'pnl.svg');
    const r = spawnSync(process.execPath, [cli, 'var', '--method', 'normal', '--plot', plot, '--no-backtest'], { cwd: dir, encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/vega-lite and vega.*npm install vega@6 vega-lite@~6\.4\.3/);
    expect(r.stdout).toBe('');
    await expect(stat(plot)).rejects.toThrow();
  });

  it('the declarations resolve under moduleResolution nodenext (tsc --noEmit, skipLibCheck off)', async () => {
    const r = await run(process.execPath, [TSC_CLI, '-p', 'tsconfig.json'], dir);
    timings.tsc = r.ms;
  });
});

describe('Vite page (fresh project, no vite config, run in Chromium)', () => {
  let dir = '';
  let browser: Browser;
  beforeAll(async () => {
    dir = join(tmp, 'vite-page');
    const t0 = performance.now();
    await makeProject('vite-page', dir, tarball);
    timings.viteInstall = performance.now() - t0;
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('vite build emits the release .wasm as an asset; the built page runs the kernels in WASM', async () => {
    const built = await run(process.execPath, [VITE_CLI, 'build'], dir);
    timings.viteBuild = built.ms;
    const assets = await readdir(join(dir, 'dist/assets'));
    const wasmAssets = assets.filter((f) => f.endsWith('.wasm'));
    const release = sha256(await readFile(join(ROOT, 'build/riskwasm.wasm')));
    const hashes = await Promise.all(wasmAssets.map(async (f) => sha256(await readFile(join(dir, 'dist/assets', f)))));
    expect(hashes, `no emitted asset is build/riskwasm.wasm; dist/assets: ${assets.join(', ')}\n${built.stdout}`).toContain(release);

    const { url, close } = await serveStatic(join(dir, 'dist'));
    try {
      const t0 = performance.now();
      const v = await visit(browser, url, 'vite-page-build.png');
      timings.viteBuildPage = performance.now() - t0;
      expectHaug(v.result, 'vite build page');
      expect(Math.abs(v.result.jsPrice! - v.result.price!)).toBeLessThanOrEqual(1e-13);
      // The page fetched the hashed asset (streaming compile needs application/wasm).
      expect(v.wasmResponses.length, v.problems.join('\n')).toBeGreaterThan(0);
      for (const w of v.wasmResponses) {
        expect(w.status).toBe(200);
        expect(w.type).toBe('application/wasm');
        expect(new URL(w.url).pathname).toMatch(/^\/assets\/riskwasm-[\w-]+\.wasm$/);
      }
      expect(v.problems, 'errors in the page').toEqual([]);
    } finally {
      await close();
    }
  });

  it('vite dev (dependency pre-bundling on, no optimizeDeps config) serves a page that runs the kernels in WASM', async () => {
    const { child, url, log } = await startViteDev(dir, await freePort());
    try {
      const t0 = performance.now();
      const v = await visit(browser, url, 'vite-page-dev.png');
      timings.viteDevPage = performance.now() - t0;
      expectHaug(v.result, `vite dev page\n${tail(log())}`);
      expect(v.wasmResponses.length).toBeGreaterThan(0);
      for (const w of v.wasmResponses) expect(w.status).toBe(200);
      expect(v.problems, `errors in the page\n${tail(log())}`).toEqual([]);
    } finally {
      await stopChild(child);
    }
  });
});
