// Start-up cost and binary size: first createEngine in fresh child processes (cold) and repeated
// createEngine in this process (warm: compiled module cached), .wasm size raw and gzipped.
//
// Run by bench/run.mjs; also on its own (after `npm run build`):
//   node bench/startup.mjs [reps]        cold start, median of `reps` (default 9) fresh processes
//   node bench/startup.mjs --ab <distA> <distB> [pairs]  interleaved A/B cold start of two builds
//   node bench/startup.mjs --instructions [dist...]  instructions of import('riskwasm') (valgrind;
//                                        deterministic: compare builds on a busy machine)
//   node bench/startup.mjs --tree-shaking  what an app bundler keeps of dist/ for a few imports
//   node bench/startup.mjs --chromium [reps] [dir]  cold page in Chromium: import + first
//                                        createEngine and the requests it makes (dir: default dist)

import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync, brotliCompressSync, constants as zc } from 'node:zlib';

const here = (p) => fileURLToPath(new URL(p, import.meta.url));

export const median = (xs) => {
  const a = [...xs].sort((x, y) => x - y);
  const m = a.length >> 1;
  return a.length % 2 ? a[m] : 0.5 * (a[m - 1] + a[m]);
};

/**
 * Cold start: `reps` fresh `node bench/cold-start.mjs` processes; medians and ranges.
 *
 * One child runs first and is discarded (it pages in the node binary and dist/ after a build; V8
 * caches nothing between processes, so every timed child still parses and compiles everything).
 * The machine's state is recorded beside the figures, because on a shared machine it moves them
 * by more than any change to the package: the 1-minute load average right before and after, and
 * each child's own Node start-up (process start to its first line, the same for every version of
 * riskwasm: when it is slow, the machine was slow). bench/run.mjs runs this section first, before
 * any heavy section leaves its heap, worker pools or browser behind.
 */
/** One fresh `node bench/cold-start.mjs [distDir]` child: its JSON line plus the machine's busy share. */
function coldChild(distDir) {
  const before = cpuTicks();
  const r = JSON.parse(execFileSync(process.execPath, [here('./cold-start.mjs'), ...(distDir ? [resolve(distDir)] : [])], { encoding: 'utf8' }).trim().split('\n').pop());
  const after = cpuTicks();
  // Share of the machine's CPU time busy while the child ran, the child itself included (it keeps
  // about one core busy). Linux only (/proc/stat), in 10 ms ticks: a rough figure.
  r.machineBusy = before && after && after.total > before.total ? 1 - (after.idle - before.idle) / (after.total - before.total) : NaN;
  r.totalMs = r.importMs + r.createEngineMs;
  return r;
}

export function coldStart(reps = 9) {
  const child = () => coldChild();
  const loadBefore = loadavg();
  child();
  const runs = [];
  for (let i = 0; i < reps; i++) runs.push(child());
  const loadAfter = loadavg();
  for (const r of runs) {
    r.totalMs = r.importMs + r.createEngineMs;
    r.totalCpuMs = r.importCpuMs + r.createEngineCpuMs;
  }
  const stat = (rs, k) => ({ median: median(rs.map((r) => r[k])), min: Math.min(...rs.map((r) => r[k])), max: Math.max(...rs.map((r) => r[k])) });
  // The children that ran at the machine's full speed: Node's own start (before any riskwasm code)
  // within 20% of the run's fastest. On this shared 2-core VM a child runs either at full speed or
  // ~1.4x slower throughout (Node's start, the import and its CPU time alike) while another tenant
  // keeps the other core busy (machineBusy near 100%); the full-speed median is the figure a quiet
  // machine gives, the median of all what this run's machine gave. When every child was slow, the
  // full-speed ones are only the run's fastest: machineBusy says so.
  const fastest = Math.min(...runs.map((r) => r.nodeStartMs));
  const full = runs.filter((r) => r.nodeStartMs <= 1.2 * fastest);
  // A second, stricter reading: the children during which the machine was otherwise idle (busy
  // share at most 60% with one of 2 cores the child's own). Load comes in bursts shorter than a
  // child, so a fast Node start alone does not prove a fast import (seen: the fastest start of a run,
  // 61 ms, with the run's slowest import but one); on a busy machine there may be none.
  const quiet = runs.filter((r) => r.machineBusy <= 0.6);
  return {
    reps, backend: runs[0].backend,
    importMs: stat(runs, 'importMs'), createEngineMs: stat(runs, 'createEngineMs'), firstCallMs: stat(runs, 'firstCallMs'),
    totalMs: stat(runs, 'totalMs'),
    importCpuMs: stat(runs, 'importCpuMs'), createEngineCpuMs: stat(runs, 'createEngineCpuMs'), totalCpuMs: stat(runs, 'totalCpuMs'),
    sinceProcessStartMs: stat(runs, 'sinceProcessStartMs'), nodeStartMs: stat(runs, 'nodeStartMs'), machineBusy: stat(runs, 'machineBusy'),
    children: runs.map((r) => ({ nodeStartMs: r.nodeStartMs, importMs: r.importMs, createEngineMs: r.createEngineMs, machineBusy: r.machineBusy, fullSpeed: r.nodeStartMs <= 1.2 * fastest })),
    quiet: { reps: quiet.length, totalMs: quiet.length ? stat(quiet, 'totalMs') : undefined },
    fullSpeed: { reps: full.length, importMs: stat(full, 'importMs'), createEngineMs: stat(full, 'createEngineMs'), totalMs: stat(full, 'totalMs'), nodeStartMs: stat(full, 'nodeStartMs'), machineBusy: stat(full, 'machineBusy') },
    loadBefore, loadAfter,
    modules: moduleGraph(),
  };
}

/**
 * A/B cold start of two builds (each a dist/ directory with its build/riskwasm.wasm at ../build/):
 * `pairs` pairs of fresh children, A and B back to back, the order alternating (ABBA...), after one
 * discarded child each. On a shared machine whose speed moves between full and ~1.4x slower, the
 * difference within a pair (run a few tens of ms apart) is steadier than either median; each
 * child's Node start is listed so that the slowed ones show.
 */
export function coldStartAB(dirA, dirB, pairs = 9) {
  coldChild(dirA);
  coldChild(dirB);
  const rows = [];
  for (let i = 0; i < pairs; i++) {
    const a = i % 2 === 0 ? coldChild(dirA) : undefined;
    const b = coldChild(dirB);
    rows.push({ a: a ?? coldChild(dirA), b });
  }
  return rows;
}

/**
 * Instructions that `import('riskwasm')` costs, for builds `dirs` (dist/ directories): callgrind
 * (valgrind) counts every instruction of a child that only imports the build, minus those of a
 * child that imports an empty module. V8 is made deterministic (`--predictable`, fixed hash and random
 * seeds, no background threads), so the same build gives the same count to ~0.01% however busy the
 * machine is: the figure to compare builds by on a shared machine (the wall clock moves by more).
 * About 10 s a child under valgrind. Linux with valgrind only; undefined otherwise.
 */
export function importInstructions(dirs) {
  const flags = ['--predictable', '--hash-seed=1', '--random-seed=1', '--v8-pool-size=0'];
  // Probes are files (as bench/cold-start.mjs is), so both go through Node's file: loader; the
  // baseline imports an empty module, so that the loader's own first import is subtracted too.
  const tmp = mkdtempSync(join(tmpdir(), 'riskwasm-instructions-'));
  writeFileSync(join(tmp, 'empty.mjs'), 'export {};\n');
  const count = (target) => {
    const probe = join(tmp, 'probe.mjs');
    writeFileSync(probe, `await import(${JSON.stringify(target)});\n`);
    const r = spawnSync('valgrind', ['--tool=callgrind', '--callgrind-out-file=/dev/null', '--smc-check=all-non-file', process.execPath, ...flags, probe], { encoding: 'utf8' });
    const m = /I\s+refs:\s+([\d,]+)/.exec(r.stderr ?? '');
    return m ? Number(m[1].replaceAll(',', '')) : undefined;
  };
  try {
    const base = count(pathToFileURL(join(tmp, 'empty.mjs')).href);
    if (base === undefined) return undefined;
    return dirs.map((d) => {
      const n = count(pathToFileURL(join(resolve(d), 'index.js')).href);
      return { dir: d, instructions: n === undefined ? NaN : n - base };
    });
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** The machine's CPU ticks, idle and total over all cores, from /proc/stat (undefined elsewhere). */
function cpuTicks() {
  try {
    const v = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0].trim().split(/\s+/).slice(1).map(Number);
    return { idle: v[3] + (v[4] ?? 0), total: v.reduce((a, b) => a + b, 0) };
  } catch {
    return undefined;
  }
}

/**
 * The JS files `import('riskwasm')` loads before its first line runs (the static import graph of
 * dist/index.js; lazy chunks excluded) and their bytes: what a cold start parses, and the requests
 * an unbundled browser page makes besides the .wasm.
 */
export function moduleGraph(entry = here('../dist/index.js')) {
  const seen = new Set();
  const visit = (file) => {
    if (seen.has(file)) return;
    seen.add(file);
    const text = readFileSync(file, 'utf8');
    // Static imports and re-exports, one per line or minified (`import{a as b}from"./x.js";import"./y.js"`).
    for (const m of text.matchAll(/(?:^|[;}])\s*(?:import|export)\b[^'";()]*?(?:from\s*)?["'](\.{1,2}\/[^"']+)["']/gm)) visit(join(dirname(file), m[1]));
  };
  visit(entry);
  return { files: seen.size, bytes: [...seen].reduce((t, f) => t + statSync(f).size, 0) };
}

/** Warm: createEngine again in a process that has already compiled the module (instantiate only). */
export async function warmStart(riskwasm, reps = 50) {
  await riskwasm.createEngine({ backend: 'wasm' });
  const wasm = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    await riskwasm.createEngine({ backend: 'wasm' });
    wasm.push(performance.now() - t0);
  }
  const bytes = readFileSync(here('../build/riskwasm.wasm'));
  const sync = [];
  for (let i = 0; i < Math.min(reps, 20); i++) {
    const t0 = performance.now();
    riskwasm.createEngineSync(bytes);
    sync.push(performance.now() - t0);
  }
  const js = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    await riskwasm.createEngine({ backend: 'js' });
    js.push(performance.now() - t0);
  }
  return { reps, wasmMs: median(wasm), syncFromBytesMs: median(sync), jsMs: median(js) };
}

/** .wasm sizes: raw, gzip -9, brotli (q 11). */
export function wasmSize() {
  const sizes = {};
  for (const [k, f] of [['release', '../build/riskwasm.wasm'], ['debug', '../build/riskwasm.debug.wasm']]) {
    const b = readFileSync(here(f));
    sizes[k] = {
      raw: b.length,
      gzip: gzipSync(b, { level: 9 }).length,
      brotli: brotliCompressSync(b, { params: { [zc.BROTLI_PARAM_QUALITY]: 11 } }).length,
    };
  }
  return sizes;
}

/**
 * What an app bundler keeps of dist/ when an app imports only a few names: esbuild, minified, one
 * bundle per case (the sizes tree-shaking gives; they depend on how dist/ is split into chunks).
 */
export async function treeShaking() {
  const esbuild = await import('esbuild');
  const dist = here('../dist');
  const cases = [
    ['createEngine', 'index.js', '{ createEngine }'],
    ['InputError', 'index.js', '{ InputError }'],
    ['VolSurface', 'index.js', '{ VolSurface }'],
    ['loadDeribitChain', 'index.js', '{ loadDeribitChain }'],
    ['scenarioGrid', 'index.js', '{ scenarioGrid }'],
    ['charts: pnlHistogramChart', 'charts/index.js', '{ pnlHistogramChart }'],
    ['internals: tailIndex', 'internals.js', '{ tailIndex }'],
  ];
  const out = [];
  for (const [name, file, imports] of cases) {
    const r = await esbuild.build({
      stdin: { contents: `import ${imports} from ${JSON.stringify(join(dist, file))}; console.log(${imports.slice(1, -1)});`, resolveDir: dist, loader: 'js' },
      bundle: true, format: 'esm', platform: 'neutral', minify: true, write: false, logLevel: 'silent',
      external: ['node:*', 'vega', 'vega-lite', 'highs', 'bullmq', 'ioredis'],
    });
    out.push({ name, bytes: r.outputFiles[0].contents.length });
  }
  return out;
}

/**
 * Cold start in Chromium: a fresh browser context per rep (empty HTTP and code caches; the server
 * sends no-store), `import('/<dir>/index.js')` then the first `createEngine()`, unbundled as a page
 * without a bundler loads it; the requests the import and the engine make are counted.
 */
export async function chromiumStartup(reps = 5, dir = 'dist') {
  const { serve, CHROMIUM_PATH, CHROMIUM_ARGS } = await import('./browser.mjs');
  const { chromium } = await import('playwright');
  const { server, origin } = await serve();
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  const runs = [];
  try {
    for (let i = 0; i < reps; i++) {
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(`${origin}/bench/startup.mjs`); // any same-origin page; the probe runs in it
      const requests = [];
      page.on('request', (r) => requests.push(new URL(r.url()).pathname));
      const r = await page.evaluate(async (url) => {
        const t0 = performance.now();
        const riskwasm = await import(url);
        const t1 = performance.now();
        const engine = await riskwasm.createEngine({ backend: 'wasm' });
        return { backend: engine.backend, importMs: t1 - t0, createEngineMs: performance.now() - t1 };
      }, `${origin}/${dir}/index.js`);
      runs.push({ ...r, requests: requests.length, js: requests.filter((p) => p.endsWith('.js')).length });
      await context.close();
    }
  } finally {
    await browser.close();
    server.close();
  }
  const m = (k) => median(runs.map((r) => r[k]));
  return { reps, backend: runs[0].backend, importMs: m('importMs'), createEngineMs: m('createEngineMs'), totalMs: median(runs.map((r) => r.importMs + r.createEngineMs)), requests: runs[0].requests, jsRequests: runs[0].js };
}

async function main() {
  const load = () => loadavg().map((x) => x.toFixed(2)).join(' / ');
  if (process.argv.includes('--chromium')) {
    const [reps, dir] = process.argv.slice(process.argv.indexOf('--chromium') + 1);
    const before = load();
    const c = await chromiumStartup(Number(reps ?? 5), dir ?? 'dist');
    console.log(`Chromium cold page, median of ${c.reps} fresh contexts (load average ${before} before, ${load()} after): import ${c.importMs.toFixed(1)} ms + first createEngine ${c.createEngineMs.toFixed(1)} ms = ${c.totalMs.toFixed(1)} ms; ${c.requests} requests (${c.jsRequests} JS) for the import and the engine; backend ${c.backend}`);
  } else if (process.argv.includes('--ab')) {
    const [dirA, dirB, pairs] = process.argv.slice(process.argv.indexOf('--ab') + 1);
    const before = load();
    const rows = coldStartAB(dirA, dirB, Number(pairs ?? 9));
    const ms = (x) => x.toFixed(1).padStart(5);
    console.log(`A/B cold start (import + first createEngine), ${rows.length} pairs, A = ${dirA}, B = ${dirB}; load average ${before} before, ${load()} after`);
    console.log(' pair | A node start  import  engine   total | B node start  import  engine   total | B - A');
    rows.forEach(({ a, b }, i) => console.log(`${String(i + 1).padStart(5)} | ${ms(a.nodeStartMs)}        ${ms(a.importMs)}   ${ms(a.createEngineMs)}   ${ms(a.totalMs)} | ${ms(b.nodeStartMs)}        ${ms(b.importMs)}   ${ms(b.createEngineMs)}   ${ms(b.totalMs)} | ${ms(b.totalMs - a.totalMs)}`));
    const fastest = Math.min(...rows.flatMap(({ a, b }) => [a.nodeStartMs, b.nodeStartMs]));
    const full = rows.filter(({ a, b }) => Math.max(a.nodeStartMs, b.nodeStartMs) <= 1.2 * fastest);
    const sum = (rs, label) => rs.length === 0 ? `${label}: none` :
      `${label}: A ${median(rs.map((r) => r.a.totalMs)).toFixed(1)} ms (import ${median(rs.map((r) => r.a.importMs)).toFixed(1)}), B ${median(rs.map((r) => r.b.totalMs)).toFixed(1)} ms (import ${median(rs.map((r) => r.b.importMs)).toFixed(1)}), median B - A ${median(rs.map((r) => r.b.totalMs - r.a.totalMs)).toFixed(1)} ms`;
    console.log(sum(rows, `all ${rows.length} pairs`));
    console.log(sum(full, `${full.length} pairs with both children at full speed (Node's start within 20% of the fastest)`));
  } else if (process.argv.includes('--instructions')) {
    const dirs = process.argv.slice(process.argv.indexOf('--instructions') + 1);
    const r = importInstructions(dirs.length > 0 ? dirs : [here('../dist')]);
    if (!r) console.log('valgrind not found: no instruction counts');
    else for (const x of r) console.log(`import('${x.dir}/index.js'): ${(x.instructions / 1e6).toFixed(2)} M instructions (callgrind, deterministic V8; Node's own start subtracted)`);
  } else if (process.argv.includes('--tree-shaking')) {
    for (const r of await treeShaking()) console.log(`${r.name.padEnd(28)} ${(r.bytes / 1024).toFixed(1).padStart(7)} KiB`);
  } else {
    const c = coldStart(Number(process.argv[2] ?? 9));
    const f = (s) => `${s.median.toFixed(1)} ms (${s.min.toFixed(1)}-${s.max.toFixed(1)})`;
    const la = (l) => l.map((x) => x.toFixed(2)).join(' / ');
    console.log(`cold start, median (range) of ${c.reps} fresh processes (after one discarded); load average ${la(c.loadBefore)} before, ${la(c.loadAfter)} after`);
    console.log(`  import + first createEngine  ${f(c.totalMs)}; CPU ${f(c.totalCpuMs)}`);
    console.log(`  import                       ${f(c.importMs)}; CPU ${f(c.importCpuMs)}`);
    console.log(`  first createEngine           ${f(c.createEngineMs)}; CPU ${f(c.createEngineCpuMs)}`);
    console.log(`  first blackScholes call      ${f(c.firstCallMs)}`);
    console.log(`  Node's own start (reference) ${f(c.nodeStartMs)}`);
    if (Number.isFinite(c.machineBusy.median)) console.log(`  machine CPU busy during a child ${(100 * c.machineBusy.median).toFixed(0)}% (${(100 * c.machineBusy.min).toFixed(0)}-${(100 * c.machineBusy.max).toFixed(0)}; one busy core of ${cpus().length} is ${(100 / cpus().length).toFixed(0)}%)`);
    const fs = c.fullSpeed;
    console.log(`  at full speed (${fs.reps} of ${c.reps}: Node's start within 20% of the fastest): import + first createEngine ${f(fs.totalMs)} = import ${f(fs.importMs)} + createEngine ${f(fs.createEngineMs)}`);
    console.log(`  on an otherwise idle machine (${c.quiet.reps} of ${c.reps}: busy <= 60%): ${c.quiet.totalMs ? `import + first createEngine ${f(c.quiet.totalMs)}` : 'none; the figures above are a busy machine\'s'}`);
    console.log(`  files the root entry loads   ${c.modules.files} (${(c.modules.bytes / 1024).toFixed(0)} KiB)`);
    // Each child in run order: Node's own start (no riskwasm code in it) tells a full-speed child
    // from a slowed one; * marks the full-speed ones.
    console.log(`  children (Node start: import + createEngine, ms) ${c.children.map((r) => `${r.fullSpeed ? '*' : ''}${r.nodeStartMs.toFixed(0)}: ${r.importMs.toFixed(1)} + ${r.createEngineMs.toFixed(1)}`).join(', ')}`);
  }
}

// Not a top-level await: bench/browser.mjs imports this module, so the main block must let this
// module finish evaluating before it imports bench/browser.mjs.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((e) => {
    console.error(e);
    process.exitCode = 1;
  });
}
