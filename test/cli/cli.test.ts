/**
 * End-to-end tests of the `riskwasm` CLI: each command is spawned as `node dist/cli/main.js`
 * (the test script builds first) on the bundled data, and its `--json` numbers are compared with
 * direct calls of the library API on the same input. Node only (child processes, files).
 * Exit codes: 0 ok, 1 failed computation, 2 bad input, 130 Ctrl-C.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, loadDeribitChain, priceReturns, parsePriceCsv, sampleMoments, type Engine } from '../../src/index.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MAIN = join(ROOT, 'dist/cli/main.js');
const CHAIN = join(ROOT, 'data/market/deribit_options_snapshot_20260105T153329Z.csv');
const BTC = join(ROOT, 'data/history/BTCUSDT_1d.csv');
const FIXTURES = join(ROOT, 'test/cli/fixtures');

interface Run { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }

function run(args: string[], opts: { cwd?: string; killAfterStderr?: RegExp; killDelayMs?: number } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN, ...args], { cwd: opts.cwd ?? ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '', stderr = '', sent = false;
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => {
      stderr += d;
      if (opts.killAfterStderr && !sent && opts.killAfterStderr.test(stderr)) {
        sent = true;
        setTimeout(() => child.kill('SIGINT'), opts.killDelayMs ?? 300);
      }
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

let dir: string;
let js: Engine;
beforeAll(async () => {
  if (!existsSync(MAIN)) throw new Error('dist/cli/main.js is missing: run `npm run build` first (npm test does)');
  dir = mkdtempSync(join(tmpdir(), 'riskwasm-cli-'));
  js = await createEngine({ backend: 'js' });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Files in the temp dir, so "nothing half-written" can be asserted (no output, no temporary). */
const listing = () => readdirSync(dir).sort();

describe('riskwasm surface', () => {
  it('runs on the bundled chain, says so, and its IVs equal engine.buildSurface on the same file', async () => {
    const r = await run(['surface', '--json', '--backend', 'js']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/bundled Deribit snapshot/);
    const j = JSON.parse(r.stdout);
    expect(j.schema).toBe('riskwasm.surface/1');
    expect(j.source.bundled).toBe(true);
    expect(j.surfaces.map((s: { currency: string }) => s.currency)).toEqual(['BTC', 'ETH']);
    const chain = loadDeribitChain(readFileSync(CHAIN, 'utf8'));
    for (const s of j.surfaces) {
      const ref = js.buildSurface(chain, { currency: s.currency });
      expect(s.kept).toBe(ref.kept);
      expect(s.quotes).toHaveLength(ref.kept);
      // Same input, same backend, same code path: the numbers must be identical (JSON round-trips doubles exactly).
      s.quotes.forEach((q: { midIv: number; bidIv: number; askIv: number; strike: number }, i: number) => {
        expect(q.midIv).toBe(ref.quotes.vols[i]);
        expect(q.bidIv).toBe(ref.quotes.bids[i]);
        expect(q.strike).toBe(ref.quotes.strikes[i]);
        expect(q.bidIv <= q.midIv && q.midIv <= q.askIv).toBe(true);
      });
      const g = js.black76({ forwards: ref.forwards, strikes: ref.quotes.strikes, expiries: ref.quotes.expiries, vols: ref.quotes.vols, types: ref.quotes.types, settlement: 'coin', greeks: true });
      expect(s.quotes.map((q: { delta: number }) => q.delta)).toEqual(Array.from(g.delta!));
    }
  });

  it('--csv has one row per quote; --out writes the file and nothing else', async () => {
    const out = join(dir, 'btc.csv');
    const r = await run(['surface', '--currency', 'btc', '--csv', '--out', out, '--quiet']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    expect(lines[0].split(',')).toContain('midIv');
    const chain = loadDeribitChain(readFileSync(CHAIN, 'utf8'));
    expect(lines.length - 1).toBe(js.buildSurface(chain, { currency: 'BTC' }).kept);
    expect(listing()).toEqual(['btc.csv']);
    rmSync(out);
  });
});

describe('riskwasm calibrate', () => {
  it('--model svi: per-expiry fits equal engine.fitSvi per slice, and --plot writes an SVG', async () => {
    const plot = join(dir, 'svi.svg');
    const r = await run(['calibrate', '--model', 'svi', '--currency', 'BTC', '--json', '--plot', plot, '--backend', 'js']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.schema).toBe('riskwasm.calibrate/1');
    expect(j.model).toBe('svi');
    const chain = loadDeribitChain(readFileSync(CHAIN, 'utf8'));
    const s = js.buildSurface(chain, { currency: 'BTC' });
    const fit = j.fits[0];
    expect(fit.scope).toBe('slice');
    expect(fit.expiries).toHaveLength(s.expiries.length);
    for (const [k, e] of fit.expiries.entries()) {
      const idx = [...s.quotes.expiries.keys()].filter((i) => s.quotes.expiries[i] === s.expiries[k].expiry);
      const pick = (a: Float64Array) => Float64Array.from(idx, (i) => a[i]);
      const ref = js.fitSvi({ forwards: pick(s.forwards), quotes: { strikes: pick(s.quotes.strikes), expiries: pick(s.quotes.expiries), vols: pick(s.quotes.vols), bids: pick(s.quotes.bids), asks: pick(s.quotes.asks), weights: pick(s.quotes.weights) } }).slices[0];
      expect(e.params).toEqual({ ...ref.params });
      expect(e.rmse).toBe(ref.rmse);
      expect(e.quotes).toBe(idx.length);
      expect(e.insideBidAsk).toBeGreaterThanOrEqual(0);
      expect(e.insideBidAsk).toBeLessThanOrEqual(1);
      expect(typeof e.arbitrage.butterflyFree).toBe('boolean');
    }
    const svg = readFileSync(plot, 'utf8');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain(fit.expiries[0].expiry);
    expect(svg).toContain('aria-roledescription="line mark"');
    rmSync(plot);
  });

  it('--model heston writes an HTML plot and reports the surface-wide fit of engine.calibrateHeston', async () => {
    const plot = join(dir, 'heston.html');
    const r = await run(['calibrate', '--model', 'heston', '--currency', 'ETH', '--expiry', '27MAR26,26JUN26', '--json', '--plot', plot, '--backend', 'js', '--quiet']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    const fit = j.fits[0];
    expect(fit.scope).toBe('surface');
    expect(fit.expiries.map((e: { expiry: string }) => e.expiry)).toEqual(['27MAR26', '26JUN26']);
    expect(Object.keys(fit.surface.params)).toEqual(['v0', 'kappa', 'theta', 'sigma', 'rho']);
    expect(typeof fit.surface.arbitrage.fellerHolds).toBe('boolean');
    expect(fit.surface.rmse).toBeGreaterThan(0);
    // The per-expiry figures follow the surface-wide rules: pooled over the expiries (every bundled
    // quote here has a weight, a bid and an ask, so each expiry counts all its quotes) they give
    // the library's RMSE and inside-bid-ask fraction back (1e-12: a sum of two terms).
    type Ex = { quotes: number; rmse: number; insideBidAsk: number };
    const n = fit.expiries.reduce((t: number, e: Ex) => t + e.quotes, 0);
    const pooledRmse = Math.sqrt(fit.expiries.reduce((t: number, e: Ex) => t + e.rmse ** 2 * e.quotes, 0) / n);
    const pooledInside = fit.expiries.reduce((t: number, e: Ex) => t + e.insideBidAsk * e.quotes, 0) / n;
    expect(Math.abs(pooledRmse / fit.surface.rmse - 1)).toBeLessThan(1e-12);
    expect(Math.abs(pooledInside - fit.surface.insideBidAsk)).toBeLessThan(1e-12);
    const html = readFileSync(plot, 'utf8');
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain('<svg');
    expect(html).not.toContain('<script');
    rmSync(plot);
  });

  it('every model runs (sabr, ssvi, bates) with a JSON report of the same shape', async () => {
    for (const model of ['sabr', 'ssvi', 'bates']) {
      const r = await run(['calibrate', '--model', model, '--currency', 'BTC', '--expiry', '27MAR26,26JUN26,25SEP26', '--json', '--quiet']);
      expect(r.code, model).toBe(0);
      const j = JSON.parse(r.stdout);
      expect(j.model).toBe(model);
      expect(j.fits[0].expiries).toHaveLength(3);
      for (const e of j.fits[0].expiries) expect(Number.isFinite(e.rmse)).toBe(true);
    }
  });
});

describe('riskwasm var', () => {
  it('historical VaR/ES of one BTC equal engine.valueAtRisk on the same P&L; components sum to the total', async () => {
    const r = await run(['var', BTC, '--portfolio', 'examples/portfolios/btc-spot.json', '--json', '--window', '500', '--confidence', '0.99', '--backend', 'js']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(''); // files given explicitly: no note about bundled data
    const j = JSON.parse(r.stdout);
    expect(j.schema).toBe('riskwasm.var/1');
    const h = parsePriceCsv(readFileSync(BTC, 'utf8'));
    const ret = priceReturns(h.close).slice(-500);
    const spot = h.close[h.close.length - 1];
    const pnl = Float64Array.from(ret, (x) => spot * Math.expm1(x));
    const ref = js.valueAtRisk({ pnl, confidence: 0.99, method: 'historical' });
    // Full revaluation of a spot position is S (e^r - 1): equal to the direct P&L up to rounding.
    expect(Math.abs(j.var - ref.var) / ref.var).toBeLessThan(1e-12);
    expect(Math.abs(j.es - ref.es) / ref.es).toBeLessThan(1e-12);
    expect(j.es).toBeGreaterThanOrEqual(j.var);
    expect(Math.abs(j.allocation.sumComponentVar - j.var)).toBeLessThan(1e-9 * j.var);
    const bt = j.backtest.methods[0];
    expect(bt.method).toBe('historical');
    expect(bt.forecasts).toBe(h.close.length - 1 - 250);
    for (const p of [bt.kupiec.pValue, bt.christoffersen.conditionalCoverage.pValue, bt.acerbiSzekely.pValue]) {
      expect(p).toBeGreaterThanOrEqual(0);
      expect(p).toBeLessThanOrEqual(1);
    }
    expect(['green', 'yellow', 'red']).toContain(bt.trafficLight.zone);
  });

  it('the bundled options portfolio runs with every P&L method family and writes the histogram', async () => {
    const plot = join(dir, 'pnl.svg');
    const r = await run(['var', '--method', 'normal', '--json', '--plot', plot, '--no-backtest']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/bundled daily closes/);
    const j = JSON.parse(r.stdout);
    expect(j.portfolio.assets).toEqual(['BTC', 'ETH']);
    expect(j.backtest).toBeNull();
    expect(j.var).toBeGreaterThan(0);
    const svg = readFileSync(plot, 'utf8');
    expect(svg).toContain('VaR 99%');
    expect(svg).toContain('aria-roledescription="bar"');
    rmSync(plot);
    for (const method of ['garch', 'deltaGamma', 'monteCarlo']) {
      const m = await run(['var', '--method', method, '--json', '--no-backtest', '--quiet', '--paths', '2000']);
      expect(m.code, method).toBe(0);
      const x = JSON.parse(m.stdout);
      expect(x.method).toBe(method);
      expect(x.es).toBeGreaterThanOrEqual(x.var);
    }
  });

  it('--history ASSET=path maps a file of any name; a missing history is exit 2', async () => {
    const copy = join(dir, 'prices.csv');
    writeFileSync(copy, readFileSync(BTC));
    const ok = await run(['var', '--history', `BTC=${copy}`, '--portfolio', 'examples/portfolios/btc-spot.json', '--json', '--no-backtest', '--quiet']);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout).source.histories[0].asset).toBe('BTC');
    const bad = await run(['var', copy, '--portfolio', 'examples/portfolios/btc-spot.json', '--quiet']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/no price history for asset BTC/);
    rmSync(copy);
  });
});

describe('riskwasm bench', () => {
  it('--json: every task checked equal across backends and timed', async () => {
    const r = await run(['bench', '--json', '--size', '2000', '--budget', '20']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.schema).toBe('riskwasm.bench/1');
    expect(j.tasks).toHaveLength(4);
    for (const t of j.tasks) {
      expect(t.wasm.msPerCall).toBeGreaterThan(0);
      expect(t.js.msPerCall).toBeGreaterThan(0);
      expect(t.speedup).toBeCloseTo(t.js.msPerCall / t.wasm.msPerCall, 12);
      expect(t.maxRelDiff).toBeLessThanOrEqual(1e-6);
    }
  });
});

describe('bad input and interruption', () => {
  it('a wrong cell: exit 2 naming file:line: column, and no output file or temporary left', async () => {
    const text = readFileSync(CHAIN, 'utf8').split('\n');
    const cells = text[2].split(',');
    cells[text[0].split(',').indexOf('strike')] = 'abc';
    text[2] = cells.join(',');
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, text.join('\n'));
    const before = listing();
    for (const args of [['surface', bad, '--out', join(dir, 'out.json'), '--json'], ['calibrate', bad, '--plot', join(dir, 'fit.svg')]]) {
      const r = await run(args, { cwd: dir });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/bad\.csv:3: strike: expected a positive number, got "abc"/);
      expect(r.stdout).toBe('');
      expect(listing()).toEqual(before);
    }
    rmSync(bad);
  });

  it('a bad history row and a bad portfolio field name the file, line and field', async () => {
    const lines = readFileSync(BTC, 'utf8').split('\n').slice(0, 40);
    lines[9] = '2017-08-25,1,1,1,oops,1';
    const hist = join(dir, 'BTCUSDT_1d.csv');
    writeFileSync(hist, lines.join('\n'));
    const h = await run(['var', hist, '--portfolio', 'examples/portfolios/btc-spot.json']);
    expect(h.code).toBe(2);
    expect(h.stderr).toMatch(/BTCUSDT_1d\.csv:10: close: expected a positive close, got "oops"/);
    rmSync(hist);
    const pf = join(dir, 'p.json');
    writeFileSync(pf, '{\n  "positions": [\n    { "kind": "spot", "asset": "BTC", "quantity": 1 },\n    { "kind": "option", "asset": "BTC", "quantity": 1, "strike": -5, "expiry": 0.1, "vol": 0.5, "type": "call" }\n  ]\n}\n');
    const p = await run(['var', '--portfolio', pf, '--no-backtest']);
    expect(p.code).toBe(2);
    expect(p.stderr).toMatch(/p\.json:4: positions\[1\]\.strike: /);
    rmSync(pf);
  });

  it('unknown option, model, method, command or plot format: exit 2 before any work', async () => {
    const cases: [string[], RegExp][] = [
      [['surface', '--bogus'], /Unknown option `--bogus`/],
      [['calibrate', '--model', 'vasicek'], /--model: expected one of svi, ssvi, heston, bates, sabr/],
      [['var', '--method', 'magic'], /--method: expected one of/],
      [['var', '--confidence', '1.5'], /--confidence: expected a number in \(0, 1\)/],
      [['frobnicate'], /unknown command "frobnicate"/],
      [['calibrate', '--plot', join(dir, 'fit.png')], /--plot: expected a file name ending in \.svg or \.html/],
      [['surface', 'no-such-file.csv'], /no-such-file\.csv: cannot read \(no such file\)/],
    ];
    for (const [args, message] of cases) {
      const r = await run(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
    }
    expect(listing()).toEqual([]);
  });

  it('--strict: the exit code follows the report\'s `ok` (0 when no fit raised a quality flag, else 1); converged is reported apart', async () => {
    const ok = await run(['calibrate', '--model', 'svi', '--currency', 'BTC', '--expiry', '27MAR26', '--strict', '--json', '--quiet']);
    const okJson = JSON.parse(ok.stdout);
    expect(okJson.converged).toBe(true);
    expect(okJson.ok).toBe(true);
    expect(okJson.fits[0].expiries[0].quality).toEqual({ ok: true, flags: [] });
    expect(ok.code).toBe(0);
    // On the 2026-04-15 snapshot the last ETH expiry's SVI fit stops at its iteration cap: not
    // converged, so --strict exits 1 with the full report; without --strict the same run exits 0.
    const args = ['calibrate', 'data/market/deribit_options_snapshot_20260415T102447Z.csv', '--model', 'svi', '--currency', 'ETH', '--json', '--quiet'];
    const strict = await run([...args, '--strict']);
    const j = JSON.parse(strict.stdout);
    expect(j.converged).toBe(false);
    expect(j.ok).toBe(false);
    expect(j.fits[0].expiries.some((e: { reason: string }) => e.reason === 'maxIterations')).toBe(true);
    expect(j.fits[0].flags).toContain('notConverged');
    expect(strict.code).toBe(1);
    const lax = await run(args);
    expect(lax.code).toBe(0);
    expect(JSON.parse(lax.stdout).converged).toBe(false);
  });

  it('--strict exits 1 on a converged fit with a flag (a parameter at its bound), and the text names the flag, the bound and no longer says "all fits converged"', async () => {
    // 2026-01-05 BTC 30JAN26: SVI converges with a on its lower bound (the default box's -wMax).
    const args = ['calibrate', '--model', 'svi', '--currency', 'BTC', '--expiry', '30JAN26', '--quiet'];
    const json = await run([...args, '--json', '--strict']);
    const j = JSON.parse(json.stdout);
    expect(j.converged).toBe(true);
    expect(j.ok).toBe(false);
    const e = j.fits[0].expiries[0];
    expect(e.reason).toBe('converged');
    expect(e.quality.flags).toContain('parameterAtBound');
    expect(e.boundHits).toEqual([expect.objectContaining({ name: 'a', side: 'lower', constraint: 'box' })]);
    expect(json.code).toBe(1);
    const text = await run([...args, '--strict']);
    expect(text.code).toBe(1);
    expect(text.stdout).toContain('parameterAtBound [a@lower]');
    expect(text.stdout).toContain('NOT OK: parameterAtBound');
    expect(text.stdout).not.toContain('all fits converged');
    const lax = await run(args);
    expect(lax.code).toBe(0);
  });

  it('surface --fit svi / --strict: per-expiry fit flags and bounds in text and JSON; --strict exits 1 on any flag', async () => {
    const flagged = ['surface', '--currency', 'BTC', '--expiry', '30JAN26', '--quiet'];
    const j = JSON.parse((await run([...flagged, '--fit', 'svi', '--json'])).stdout);
    expect(j.ok).toBe(false);
    const fit = j.surfaces[0].expiries[0].fit;
    expect(fit.model).toBe('svi');
    expect(fit.quality.flags).toContain('parameterAtBound');
    expect(fit.boundHits).toEqual([expect.objectContaining({ name: 'a', side: 'lower' })]);
    const strict = await run([...flagged, '--strict']);
    expect(strict.code).toBe(1);
    expect(strict.stdout).toContain('NOT OK: parameterAtBound [a@lower]');
    expect((await run(flagged)).code).toBe(0);
    const clean = await run(['surface', '--currency', 'BTC', '--expiry', '27MAR26', '--quiet', '--strict']);
    expect(clean.code).toBe(0);
    expect(clean.stdout).toContain('all 1 SVI fits ok');
    // Without --fit or --strict the report has no fit (and no ok field): unchanged.
    expect(JSON.parse((await run([...flagged, '--json'])).stdout).ok).toBeUndefined();
  });

  it('--help lists the commands; --version prints the package version', async () => {
    const h = await run(['--help']);
    expect(h.code).toBe(0);
    for (const c of ['surface', 'calibrate', 'var', 'bench']) expect(h.stdout).toContain(c);
    const v = await run(['--version']);
    expect(v.stdout).toContain(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version);
    // A negated flag is not shown as "(default: true)" (the backtest runs unless --no-backtest).
    const vh = await run(['var', '--help']);
    expect(vh.stdout).toMatch(/--no-backtest\s+Skip the rolling backtest\n/);
    expect(vh.stdout).toMatch(/--backtest-window <days>.*\(default: 250\)/);
  });

  it('Ctrl-C (SIGINT) during a long run: exit 130 and nothing written', async () => {
    const plot = join(dir, 'int.svg');
    const r = await run(
      ['var', '--method', 'garch', '--backtest-methods', 'garch,filteredHistorical,studentT,garch', '--plot', plot],
      { killAfterStderr: /bundled daily closes/, killDelayMs: 400 },
    );
    expect(r.code).toBe(130);
    expect(r.stderr).toMatch(/interrupted: nothing written/);
    expect(r.stdout).toBe('');
    expect(listing()).toEqual([]);
  });
});

describe('riskwasm margin', () => {
  // The library as published: numbers of the CLI are compared with direct calls of dist/ (same code, same backend).
  type Lib = typeof import('../../src/index.js');
  let lib: Lib;
  let engine: Engine;
  let market: ReturnType<Lib['marketFromDeribitChain']>;
  const ACCOUNTS = join(ROOT, 'examples/portfolios/margin-accounts.json');
  const accountsFile = () => JSON.parse(readFileSync(ACCOUNTS, 'utf8')) as { accounts: import('../../src/index.js').MarginAccount[] };
  beforeAll(async () => {
    lib = (await import(new URL('../../dist/index.js', import.meta.url).href)) as Lib;
    engine = await lib.createEngine({ backend: 'js' });
    market = lib.marketFromDeribitChain(lib.loadDeribitChain(readFileSync(CHAIN, 'utf8')));
  });

  /** The fields of a `riskwasm.margin/1` account these tests read. */
  interface Side { price: number | null; status: string }
  interface AccountJson {
    id: string; initialMargin: number; maintenanceMargin: number; scanRisk: number; equity: number; status: string;
    addOns: { shortOptionContingency: number; deltaShock: number }; worstScenario: { index: number; pnl: number };
    scenarioPnl: number[]; riskMatrix: (number | null)[][];
    positions: { line: number; contribution: number; standard: { initialMargin: number } }[];
    standard: { initialMargin: number; maintenanceMargin: number };
    liquidation: { assets: { asset: string; below: Side; above: Side }[] };
    portfolioLiquidation: { assets: { asset: string; below: Side; above: Side }[] };
  }

  /** |a - b| within `rel` of the larger magnitude (or of 1 USD near zero). */
  const close = (a: number, b: number, rel: number) => Math.abs(a - b) <= rel * Math.max(1, Math.abs(a), Math.abs(b));

  it('the bundled accounts: exit 0, says so, and every number equals engine.portfolioMargin / standardMargin / liquidationPrice', async () => {
    const r = await run(['margin', '--json', '--backend', 'js']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/bundled example examples\/portfolios\/margin-accounts\.json/);
    expect(r.stderr).toMatch(/bundled Deribit snapshot/);
    const j = JSON.parse(r.stdout);
    expect(j.schema).toBe('riskwasm.margin/1');
    expect(j.source.accounts.bundled).toBe(true);
    expect(j.source.market.bundled).toBe(true);
    expect(j.grid.name).toBe('deribit');
    expect(j.aggregation).toBe('per-asset');
    const accounts = accountsFile().accounts;
    expect(j.accounts.map((a: { id: string }) => a.id)).toEqual(accounts.map((a) => a.id));
    const pm = engine.portfolioMargin(accounts, market, lib.DERIBIT_GRID);
    const sm = engine.standardMargin(accounts, market, lib.DERIBIT_STANDARD);
    const lq = engine.liquidationPrice(accounts, market, lib.DERIBIT_STANDARD);
    const plq = engine.liquidationPrice(accounts, market, lib.DERIBIT_GRID, { haircuts: lib.DERIBIT_STANDARD.haircuts });
    const levels = (r: typeof lq[number]) => r.assets.map((l) => [l.asset, Number.isFinite(l.below.price) ? l.below.price : null, Number.isFinite(l.above.price) ? l.above.price : null]);
    (j.accounts as AccountJson[]).forEach((a, k) => {
      // Same input, same backend, same code: identical doubles (JSON round-trips them exactly).
      expect(a.initialMargin).toBe(pm[k].initialMargin);
      expect(a.maintenanceMargin).toBe(pm[k].maintenanceMargin);
      expect(a.scanRisk).toBe(pm[k].scanRisk);
      expect(a.addOns).toEqual(pm[k].addOns);
      expect(a.worstScenario.index).toBe(pm[k].worstScenario.index);
      expect(a.worstScenario.pnl).toBe(pm[k].worstScenario.pnl);
      expect(a.scenarioPnl).toEqual(Array.from(pm[k].scenarioPnl));
      expect(a.positions.map((p) => p.contribution)).toEqual(Array.from(pm[k].contributions));
      expect(a.standard.initialMargin).toBe(sm[k].initialMargin);
      expect(a.standard.maintenanceMargin).toBe(sm[k].maintenanceMargin);
      expect(a.positions.map((p) => p.standard.initialMargin)).toEqual(sm[k].positions.map((p) => p.initialMargin));
      expect(a.equity).toBe(sm[k].equity);
      expect(a.liquidation.assets.map((l) => [l.asset, l.below.price, l.above.price])).toEqual(levels(lq[k]));
      expect(a.portfolioLiquidation.assets.map((l) => [l.asset, l.below.price, l.above.price])).toEqual(levels(plq[k]));
      // Invariants, not values: MM = 0.8 IM <= IM; the add-ons sum in (combine 'sum'); the
      // contributions add up to the scan loss (a sum of 2-4 terms: 1e-9 relative is rounding).
      expect(a.maintenanceMargin).toBeLessThanOrEqual(a.initialMargin);
      expect(close(a.initialMargin, a.scanRisk + a.addOns.shortOptionContingency + a.addOns.deltaShock, 1e-12)).toBe(true);
      const sum = a.positions.reduce((t, p) => t + p.contribution, 0);
      expect(close(sum, a.scanRisk, 1e-9)).toBe(true);
      expect(a.status).toBe(a.equity < a.maintenanceMargin ? 'liquidation' : a.equity < a.initialMargin ? 'marginCall' : 'healthy');
      // The heatmap's cells are the grid's regular scenarios, at their scenario P&L.
      j.grid.matrix.scenarioIndex.forEach((row: (number | null)[], v: number) => row.forEach((i, p) => {
        expect(a.riskMatrix[v][p]).toBe(i === null ? null : a.scenarioPnl[i]);
      }));
      // Every position of the file is located on its own line.
      expect(new Set(a.positions.map((p) => p.line)).size).toBe(a.positions.length);
    });
    expect(j.grid.scenarios.filter((s: { inMatrix: boolean }) => s.inMatrix)).toHaveLength(27);
  });

  it('--grid span16 --aggregation joint --standard generic: the same calls with those arguments; joint never exceeds per-asset', async () => {
    const joint = JSON.parse((await run(['margin', '--grid', 'span16', '--aggregation', 'joint', '--standard', 'generic', '--json', '--quiet', '--backend', 'js'])).stdout);
    const perAsset = JSON.parse((await run(['margin', '--grid', 'span16', '--standard', 'generic', '--json', '--quiet', '--backend', 'js'])).stdout);
    const accounts = accountsFile().accounts;
    const pm = engine.portfolioMargin(accounts, market, lib.SPAN16_GRID, { aggregation: 'joint' });
    const sm = engine.standardMargin(accounts, market, lib.GENERIC_STANDARD);
    const plq = engine.liquidationPrice(accounts, market, lib.SPAN16_GRID, { aggregation: 'joint', haircuts: lib.GENERIC_STANDARD.haircuts });
    expect(joint.grid.scenarios).toHaveLength(16);
    (joint.accounts as AccountJson[]).forEach((a, k) => {
      expect(a.initialMargin).toBe(pm[k].initialMargin);
      expect(a.portfolioLiquidation.assets.map((l) => [l.asset, l.below.status, l.below.price ?? NaN, l.above.status, l.above.price ?? NaN]))
        .toEqual(plq[k].assets.map((l) => [l.asset, l.below.status, l.below.price, l.above.status, l.above.price]));
      expect(a.standard.initialMargin).toBe(sm[k].initialMargin);
      expect(a.maintenanceMargin).toBe(a.initialMargin); // SPAN: MM = IM
      // SPAN has no dampener and no add-on here, so the worst of a sum is at most the sum of the
      // worsts (up to rounding of the summed scenario P&L).
      expect(a.initialMargin).toBeLessThanOrEqual(perAsset.accounts[k].initialMargin * (1 + 1e-12));
    });
  });

  it('--plot writes the chosen account\'s heatmap as SVG (and HTML); the text report lists every account', async () => {
    const svg = join(dir, 'matrix.svg');
    const r = await run(['margin', '--plot', svg, '--account', 'btc-delta-hedged', '--quiet']);
    expect(r.code).toBe(0);
    for (const a of accountsFile().accounts) expect(r.stdout).toContain(a.id!);
    expect(r.stdout).toMatch(/risk matrix/);
    const text = readFileSync(svg, 'utf8');
    expect(text.startsWith('<svg')).toBe(true);
    expect(text).toContain('btc-delta-hedged: risk matrix');
    // 27 cells (9 price moves x 3 vol shocks) plus the worst-cell outline.
    expect(text.match(/aria-roledescription="rect mark"/g)).toHaveLength(28);
    rmSync(svg);
    const html = join(dir, 'matrix.html');
    const h = await run(['margin', '--grid', 'span16', '--plot', html, '--quiet']);
    expect(h.code).toBe(0);
    const page = readFileSync(html, 'utf8');
    expect(page).toMatch(/^<!doctype html>/);
    expect(page).toContain('btc-short-strangle: risk matrix');
    rmSync(html);
    expect(listing()).toEqual([]);
  });

  it('a bad instrument name: exit 2 with file:line: field, and no plot file or temporary left', async () => {
    const text = readFileSync(ACCOUNTS, 'utf8');
    const bad = join(dir, 'accounts.json');
    writeFileSync(bad, text.replace('"BTC-30JAN26-95000-C"', '"BTC-30JAN26-95500-C"'));
    const line = text.split('\n').findIndex((l) => l.includes('BTC-30JAN26-95000-C')) + 1;
    const before = listing();
    const r = await run(['margin', bad, '--plot', join(dir, 'm.svg'), '--out', join(dir, 'm.json'), '--json'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`accounts.json:${line}: accounts[2].positions[0].instrument: unknown instrument "BTC-30JAN26-95500-C": not listed in`);
    expect(r.stdout).toBe('');
    expect(listing()).toEqual(before);
    rmSync(bad);
  });

  it('expired option, missing vol, unknown grid or account: exit 2 naming the field', async () => {
    const expired = join(dir, 'expired.json');
    writeFileSync(expired, readFileSync(ACCOUNTS, 'utf8').replace('"BTC-27MAR26-90000-P"', '"BTC-2JAN26-90000-P"'));
    const single = join(dir, 'single.json');
    writeFileSync(single, '{\n  "id": "mine",\n  "collateral": { "BTC": 1 },\n  "positions": [\n    { "kind": "option", "asset": "BTC", "type": "call", "size": -1, "strike": 100000, "expiry": 0.2 }\n  ]\n}\n');
    const zero = join(dir, 'zero.json');
    writeFileSync(zero, '{\n  "positions": [\n    { "kind": "future", "asset": "BTC", "size": 1,\n      "expiry": 0 }\n  ]\n}\n');
    const cases: [string[], RegExp][] = [
      [['margin', expired], /expired\.json:\d+: accounts\[3\]\.positions\[1\]\.instrument: "BTC-2JAN26-90000-P" expired on 2026-01-02, before the market snapshot/],
      [['margin', single], /single\.json:5: positions\[0\]\.vol: expected an implied vol/],
      [['margin', zero], /zero\.json:4: positions\[0\]\.expiry: expected a time to expiry > 0 years/],
      [['margin', '--grid', 'cme'], /--grid: expected one of deribit, span16, got "cme"/],
      [['margin', '--aggregation', 'sum'], /--aggregation: expected one of per-asset, joint/],
      [['margin', '--account', 'nobody'], /--account: no account "nobody" in examples\/portfolios\/margin-accounts\.json/],
      [['margin', '--plot', join(dir, 'm.png')], /--plot: expected a file name ending in \.svg or \.html/],
    ];
    for (const [args, message] of cases) {
      const r = await run([...args, '--quiet'], { cwd: dir });
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
    }
    for (const f of [expired, single, zero]) rmSync(f);
    expect(listing()).toEqual([]);
  });
});

describe('outputs, non-finite results and degenerate files', () => {
  it('--out naming a directory: exit 2 with a one-line message (no stack trace), and no temporary left beside it', async () => {
    const target = join(dir, 'outdir');
    mkdirSync(target);
    const r = await run(['surface', '--currency', 'BTC', '--json', '--quiet', '--out', target], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^riskwasm: error: outdir: cannot write \(is a directory\)\n$/);
    expect(listing()).toEqual(['outdir']);
    expect(readdirSync(target)).toEqual([]);
    rmSync(target, { recursive: true });
  });

  it('var: the reported scenario P&L mean and sd are sampleMoments of the revalued P&L (same numbers as the library)', async () => {
    const r = await run(['var', BTC, '--portfolio', 'examples/portfolios/btc-spot.json', '--json', '--no-backtest', '--backend', 'js']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    const h = parsePriceCsv(readFileSync(BTC, 'utf8'));
    const spot = h.close[h.close.length - 1];
    const pnl = js.revaluePortfolio({
      portfolio: { spots: { BTC: spot }, positions: [{ kind: 'spot', asset: 'BTC', quantity: 1 }] },
      scenarios: { assets: ['BTC'], logReturns: priceReturns(h.close).slice(-500), horizon: 1 / 365 },
    }).pnl;
    const m = sampleMoments(pnl);
    // Same revaluation, same backend: the moments must be the library's to the last bit.
    expect(j.pnl.count).toBe(m.n);
    expect(j.pnl.mean).toBe(m.mean);
    expect(j.pnl.sd).toBe(m.sd);
  });

  it('var with a result that overflows: exit 1 with a clear message (not exit 2 about an internal field), nothing written', async () => {
    const plot = join(dir, 'huge.svg'), out = join(dir, 'huge.json');
    for (const extra of [['--plot', plot], ['--out', out, '--json']]) {
      const r = await run(['var', BTC, '--portfolio', join(FIXTURES, 'huge-quantity.json'), '--no-backtest', ...extra]);
      expect(r.code, extra.join(' ')).toBe(1);
      expect(r.stderr).toMatch(/riskwasm: error: var: historical VaR\/ES of "Overflowing book" is not finite/);
      expect(r.stderr).not.toMatch(/input\.var|internal error/);
      expect(r.stdout).toBe('');
    }
    expect(listing()).toEqual([]);
  });

  it('a history file with a header and no rows: exit 2 naming the file, not "-1 returns"', async () => {
    const r = await run(['var', join(FIXTURES, 'BTCUSDT_header_only.csv'), '--portfolio', 'examples/portfolios/btc-spot.json', '--quiet']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/BTCUSDT_header_only\.csv: expected at least two daily closes, got 0/);
  });

  it('invalid JSON names the line of the error for the portfolio and the accounts file (Node 20 messages carry no position)', async () => {
    const file = join(FIXTURES, 'trailing-comma.json');
    for (const args of [['var', '--portfolio', file], ['margin', file]]) {
      const r = await run([...args, '--quiet'], { cwd: FIXTURES });
      expect(r.code, args[0]).toBe(2);
      // The stray `]` after the trailing comma is on line 4.
      expect(r.stderr, args[0]).toMatch(/^riskwasm: error: trailing-comma\.json:4: invalid JSON/);
    }
  });

  it('a UTF-8 byte-order mark (as Windows editors write) is not a JSON error', async () => {
    const r = await run(['var', BTC, '--portfolio', join(FIXTURES, 'bom-portfolio.json'), '--json', '--no-backtest', '--quiet']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).portfolio.name).toBe('BOM-prefixed book');
  });

  it('--out and --plot naming the same file: exit 2 before any work, instead of the report silently replacing the plot', async () => {
    const same = join(dir, 'both.svg');
    const r = await run(['surface', '--currency', 'BTC', '--expiry', '27MAR26', '--plot', same, '--out', same, '--quiet'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^riskwasm: error: both\.svg: two outputs name the same file/);
    expect(listing()).toEqual([]);
  });
});
