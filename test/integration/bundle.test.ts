/**
 * The shape of the bundled dist/ (scripts/bundle.mjs), which the cold start depends on, checked on
 * the built tree (`npm run build` first):
 * - `import('riskwasm')` loads 3 files (the entry, the core chunk, the chunk it shares with
 *   riskwasm/charts), not one per combination of entries that share code;
 * - the wrappers that put the root's code in one chunk leave no statement behind, and every entry
 *   exports at run time exactly the names its source module exports (the wrappers add none);
 * - minified identifiers, yet every exported class keeps its name, so errors print as
 *   `InputError: ...`; with `--enable-source-maps` a stack trace points into src/;
 * - an app bundler still tree-shakes: the charts alone or the error classes alone do not pull in
 *   the core chunk;
 * - no third-party code in the library's chunks (the debug build's abort strings are read by
 *   src/wasm-module.ts, not @assemblyscript/loader, whose module-level work every import paid);
 * - code that only asynchronous calls use (hedge calibration and simulation, the workers path of
 *   revaluePortfolio, the worker host) is not in `import('riskwasm')`'s static graph but in chunks
 *   loaded on the first such call, and those calls give from dist/ what they give from src/.
 * Start-up times are measured in bench/startup.mjs, not here.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';
import { ARTIFACTS, ROOT, parseJson, requireBuilt, run } from './harness.js';

const DIST = join(ROOT, 'dist');
/** Entries a program imports (package.json exports, plus parallel/index for benchmarks and tools). */
const ENTRIES = ['index', 'charts/index', 'internals', 'parallel/index', 'distributed/index'] as const;

/** The static import graph of a dist module: every file it loads before its first line runs. */
function staticGraph(entry: string): string[] {
  const seen = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    // esbuild's minified output: `import{a as b}from"./x.js";` and `import"./y.js";`.
    for (const m of readFileSync(file, 'utf8').matchAll(/(?:^|[;}])\s*(?:import|export)\b[^'";()]*?(?:from\s*)?["'](\.{1,2}\/[^"']+)["']/gm)) {
      visit(join(dirname(file), m[1]));
    }
  };
  visit(join(DIST, entry));
  return [...seen].map((f) => relative(DIST, f));
}

/** The source modules a dist file was built from (its source map's `sources`), relative to src/. */
function sourcesOf(file: string): string[] {
  const map = parseJson<{ sources: string[] }>(readFileSync(`${file}.map`, 'utf8'), `${file}.map`);
  return map.sources.map((s) => relative(join(ROOT, 'src'), resolve(dirname(file), s)).split('\\').join('/'));
}

/**
 * Modules that only asynchronous calls use, loaded on the first such call (src/engine.ts,
 * src/parallel/pool.ts: `[cold]`): a cold `import('riskwasm')` does not compile them.
 */
const LAZY = ['hedging/calibrate-hedge.ts', 'hedging/simulate-hedging.ts', 'hedging/hedging-job.ts', 'risk/revaluation-shards.ts', 'parallel/worker-host.ts'];

function jsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.js'))
    .map((e) => join(e.parentPath, e.name));
}

interface EntryShape { names: string[]; classes: Record<string, string> }

/** Run-time exports of each dist entry, read in a fresh Node process (as a user loads them). */
let distShapes: Record<string, EntryShape>;

beforeAll(async () => {
  requireBuilt();
  const script = `
    const out = {};
    for (const e of ${JSON.stringify(ENTRIES)}) {
      const m = await import(${JSON.stringify(pathToFileURL(DIST).href)} + '/' + e + '.js');
      const classes = {};
      for (const [k, v] of Object.entries(m)) {
        if (typeof v === 'function' && /^class\\b/.test(Function.prototype.toString.call(v))) classes[k] = v.name;
      }
      out[e] = { names: Object.keys(m).sort(), classes };
    }
    process.stdout.write(JSON.stringify(out));`;
  distShapes = parseJson<Record<string, EntryShape>>((await run(process.execPath, ['--input-type=module', '-e', script], ROOT)).stdout, 'dist entries');
});

describe('bundled dist/', () => {
  it("import('riskwasm') loads 3 files: dist/index.js, the core chunk and the chunk shared with riskwasm/charts", () => {
    const files = staticGraph('index.js');
    expect(files[0]).toBe('index.js');
    expect(files.slice(1).every((f) => f.startsWith('chunks/')), files.join(', ')).toBe(true);
    expect(files.length, files.join(', ')).toBe(3);
    // riskwasm/charts alone does not load the core chunk: it shares only the small one with the root.
    const charts = staticGraph('charts/index.js');
    const core = files.slice(1).reduce((a, b) => (readFileSync(join(DIST, a)).length >= readFileSync(join(DIST, b)).length ? a : b));
    expect(charts).not.toContain(core);
  });

  it('no keep-alive statement of the entry wrappers is left in any output file', () => {
    const left = jsFiles(DIST).filter((f) => readFileSync(f, 'utf8').includes('riskwasmKeepRoot'));
    expect(left).toEqual([]);
  });

  it.each(ENTRIES)('dist/%s.js exports at run time exactly the names of its source module', async (entry) => {
    const src = (await import(/* @vite-ignore */ pathToFileURL(join(ROOT, 'src', `${entry}.ts`)).href)) as Record<string, unknown>;
    expect(distShapes[entry].names).toEqual(Object.keys(src).sort());
  });

  it.each(ENTRIES)('every class dist/%s.js exports keeps its source name (identifiers minified)', async (entry) => {
    const src = (await import(/* @vite-ignore */ pathToFileURL(join(ROOT, 'src', `${entry}.ts`)).href)) as Record<string, unknown>;
    const expected = Object.fromEntries(Object.keys(distShapes[entry].classes).map((k) => [k, (src[k] as { name: string }).name]));
    expect(distShapes[entry].classes).toEqual(expected);
    if (entry === 'index') {
      for (const k of ['Engine', 'InputError', 'RiskwasmError', 'KernelError', 'WasmUnavailableError', 'MarginBook', 'VolSurface']) expect(distShapes.index.classes[k]).toBe(k);
    }
  });

  it("an InputError from the bundle prints as 'InputError: ...'; with --enable-source-maps its stack points into src/", async () => {
    const script = `
      import { inspect } from 'node:util';
      const { createEngine } = await import(${JSON.stringify(pathToFileURL(join(DIST, 'index.js')).href)});
      const engine = await createEngine({ backend: 'js' });
      try { engine.blackScholes({ spots: [100], strikes: [100], expiries: [1], vols: ['x'], rates: [0], types: 'call' }); }
      catch (e) { process.stdout.write(JSON.stringify({ inspected: inspect(e), ctor: e.constructor.name, stack: e.stack })); }`;
    const out = parseJson<{ inspected: string; ctor: string; stack: string }>(
      (await run(process.execPath, ['--enable-source-maps', '--input-type=module', '-e', script], ROOT)).stdout, 'InputError from dist',
    );
    expect(out.ctor).toBe('InputError');
    expect(out.inspected.split('\n')[0]).toMatch(/^InputError: vols\[0\]: expected /);
    expect(out.stack).toMatch(/\bsrc\/[\w/-]+\.ts:\d+:\d+/);
  });

  it("the library bundles no third-party code (cac is the CLI's): the debug build's abort message is decoded by riskwasm's own reader", async () => {
    const notices = readFileSync(join(DIST, 'THIRD-PARTY-LICENSES.md'), 'utf8');
    expect([...notices.matchAll(/^## (\S+) /gm)].map((m) => m[1])).toEqual(['cac']);
    const script = `
      const { createEngine, KernelError } = await import(${JSON.stringify(pathToFileURL(join(DIST, 'index.js')).href)});
      const engine = await createEngine({ backend: 'wasm', debug: true });
      try { engine.kernels.assertionCheck(3); process.stdout.write('{}'); }
      catch (e) { process.stdout.write(JSON.stringify({ kernelError: e instanceof KernelError, message: e.message })); }`;
    const out = parseJson<{ kernelError?: boolean; message?: string }>((await run(process.execPath, ['--input-type=module', '-e', script], ROOT)).stdout, 'debug abort from dist');
    expect(out.kernelError).toBe(true);
    expect(out.message).toMatch(/^kernel abort: assertionCheck: nonzero code at assembly\/index\.ts:\d+:\d+/);
  });

  it('an app bundler tree-shakes: the charts alone or the error classes alone do not pull in the core chunk', async () => {
    const core = staticGraph('index.js').slice(1).reduce((a, b) => (readFileSync(join(DIST, a)).length >= readFileSync(join(DIST, b)).length ? a : b));
    const kept = async (from: string, names: string): Promise<string[]> => {
      const r = await esbuild.build({
        stdin: { contents: `import { ${names} } from ${JSON.stringify(join(DIST, from))}; console.log(${names});`, resolveDir: DIST, loader: 'js' },
        bundle: true, format: 'esm', platform: 'neutral', write: false, metafile: true, logLevel: 'silent',
        external: ['node:*', 'vega', 'vega-lite', 'highs', 'bullmq', 'ioredis'],
      });
      const inputs = Object.values(r.metafile.outputs)[0].inputs;
      return Object.keys(inputs).filter((k) => inputs[k].bytesInOutput > 0).map((k) => relative(DIST, join(ROOT, k)));
    };
    expect(await kept('charts/index.js', 'pnlHistogramChart')).not.toContain(core);
    expect(await kept('index.js', 'InputError, VolSurface')).not.toContain(core);
    // ...and an engine does (the check above can fail).
    expect(await kept('index.js', 'createEngine')).toContain(core);
  });

  it("modules only asynchronous calls use are not in import('riskwasm')'s static graph, but are shipped as chunks", () => {
    const eager = new Set(staticGraph('index.js').flatMap((f) => sourcesOf(join(DIST, f))));
    expect(eager.has('engine.ts') && eager.has('parallel/pool.ts'), 'the source maps name the modules').toBe(true);
    expect(LAZY.filter((m) => eager.has(m))).toEqual([]);
    const shipped = new Set(jsFiles(DIST).flatMap((f) => sourcesOf(f)));
    expect(LAZY.filter((m) => !shipped.has(m))).toEqual([]);
  });

  it('the lazily loaded calls give from dist/ what they give from src/ (workers included)', async () => {
    const market = { assets: { BTC: { index: 90000, forwards: [{ expiry: 0.1, price: 90400 }, { expiry: 0.5, price: 92000 }] } }, rate: 0.02 };
    const book = [
      { kind: 'option', asset: 'BTC', size: -3, strike: 95000, expiry: 0.3, type: 'call', vol: 0.55, settlement: 'coin' },
      { kind: 'option', asset: 'BTC', size: 2, strike: 80000, expiry: 0.2, type: 'put', vol: 0.6, settlement: 'usd' },
    ];
    const instruments = [
      { kind: 'option', asset: 'BTC', strike: 90000, expiry: 0.1, type: 'call', vol: 0.5, settlement: 'coin' },
      { kind: 'perpetual', asset: 'BTC' },
    ];
    const hedging = {
      model: { kind: 'gbm', spot: 100, rate: 0.03, dividendYield: 0.01, vol: 0.25 },
      positions: [{ type: 'call', strike: 100, expiry: 0.5, quantity: -1 }, { type: 'put', strike: 90, expiry: 0.3, quantity: 2 }],
      paths: 301, steps: 50, seed: 7, rebalance: { every: [1, 3] }, costs: { proportional: 0.001 }, samples: true,
    };
    // 4 positions x 20,000 scenarios: above the in-thread threshold, so 2 workers really run.
    const m = 20000;
    const portfolio = {
      spots: { BTC: 60000 },
      positions: [
        { kind: 'spot', asset: 'BTC', quantity: 2 },
        ...[0.8, 1, 1.2].map((k, i) => ({ kind: 'option', asset: 'BTC', quantity: i - 1.5, strike: 60000 * k, expiry: 0.1 + 0.2 * i, vol: 0.6, type: i ? 'call' : 'put', rate: 0.03 })),
      ],
    };
    const script = `
      const { createEngine, closeSharedPools } = await import(${JSON.stringify(pathToFileURL(join(DIST, 'index.js')).href)});
      const out = {};
      for (const backend of ['wasm', 'js']) {
        const engine = await createEngine({ backend });
        const hedge = await engine.calibrateHedge({ book: ${JSON.stringify(book)}, market: ${JSON.stringify(market)}, instruments: ${JSON.stringify(instruments)}, objective: 'greeks' });
        const sim1 = await engine.simulateHedging({ ...${JSON.stringify(hedging)}, workers: 1 });
        const sim2 = await engine.simulateHedging({ ...${JSON.stringify(hedging)}, workers: 2 });
        const logReturns = Float64Array.from({ length: ${m} }, (_, i) => Math.sin(i * 0.7) * 0.15);
        const args = { portfolio: ${JSON.stringify(portfolio)}, scenarios: { logReturns, horizon: 2 / 365 } };
        const sync = engine.revaluePortfolio(args);
        const two = await engine.revaluePortfolio({ ...args, workers: 2 });
        out[backend] = {
          quantities: [...hedge.solution.quantities], samples: [...sim1.runs[0].samples.pnl],
          simWorkersSame: sim2.runs[0].samples.pnl.every((v, i) => Object.is(v, sim1.runs[0].samples.pnl[i])),
          pnlSum: sync.pnl.reduce((a, b) => a + b, 0), revalueWorkersSame: two.pnl.length === sync.pnl.length && two.pnl.every((v, i) => Object.is(v, sync.pnl[i])),
        };
      }
      await closeSharedPools();
      process.stdout.write(JSON.stringify(out));`;
    // A file, not `-e`: workers inherit the process's execArgv, and `--input-type` would stop them.
    mkdirSync(ARTIFACTS, { recursive: true });
    const file = join(ARTIFACTS, 'bundle-lazy-calls.mjs');
    writeFileSync(file, script);
    const dist = parseJson<Record<'wasm' | 'js', { quantities: number[]; samples: number[]; simWorkersSame: boolean; pnlSum: number; revalueWorkersSame: boolean }>>(
      (await run(process.execPath, [file], ROOT)).stdout, 'lazy calls from dist',
    );
    const src = (await import(/* @vite-ignore */ pathToFileURL(join(ROOT, 'src/index.ts')).href)) as typeof import('../../src/index.js');
    for (const backend of ['wasm', 'js'] as const) {
      const engine = await src.createEngine({ backend });
      const hedge = await engine.calibrateHedge({ book, market, instruments, objective: 'greeks' } as never);
      const sim = await engine.simulateHedging({ ...hedging, workers: 1 } as never);
      const sync = engine.revaluePortfolio({ portfolio, scenarios: { logReturns: Float64Array.from({ length: m }, (_, i) => Math.sin(i * 0.7) * 0.15), horizon: 2 / 365 } } as unknown as import('../../src/index.js').RevaluePortfolioArgs);
      const d = dist[backend];
      // Bit for bit (JSON keeps every double): the same code from the bundle and from src/.
      expect(d.quantities).toEqual([...hedge.solution.quantities]);
      expect(d.samples).toEqual([...sim.runs[0]!.samples!.pnl]);
      expect(d.pnlSum).toBe(sync.pnl.reduce((a, b) => a + b, 0));
      expect(d.simWorkersSame && d.revalueWorkersSame).toBe(true);
    }
  });
});
