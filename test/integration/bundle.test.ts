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
 *   src/wasm-module.ts, not @assemblyscript/loader, whose module-level work every import paid).
 * Start-up times are measured in bench/startup.mjs, not here.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';
import { ROOT, parseJson, requireBuilt, run } from './harness.js';

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
});
