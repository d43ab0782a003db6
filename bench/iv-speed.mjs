// Implied vol speed (issue 13): the bench's mixed surface (bench/surface.mjs, 1e6 options: expiries
// 1 day .. 2 years, vols 0.2 .. 1.5, strikes +-3 sd, calls and puts) inverted from its Black-76
// prices, WASM vs the pure-JS twin, kernel only and through the facade, in one run.
// Kernel only = one impliedVolatilityBatch call on the first 65,536 options already in the heap (no
// validation, no copies); facade = engine.impliedVol at N = 1e6 (validation, copy in per chunk,
// kernel, copy out, status). Timing pattern of bench/simd.mjs: each figure is the least process CPU
// time (user + system) of several runs (single-threaded work; a shared machine disturbs the CPU
// time less than the wall time), the best wall time beside it.
// Results are checked before they are timed: every status ok, WASM vs the generating vol, WASM vs
// the JS twin.
//   node bench/iv-speed.mjs [--quick] [--wasm other.wasm ...]   (after `npm run build`)
// --wasm: also time the kernel of other builds of riskwasm.wasm (e.g. main's) kernel only, with
// their runs interleaved with this build's, for a before/after ratio at the same load, and compare
// every quote's vol and status bit for bit with this build's: the whole surface and 800,000 seeded
// wild quotes (every branch: deep in the tails, near the money, tiny and huge s, prices at the
// bounds, invalid quotes).

import { readFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { makeSurface, mulberry32 } from './surface.mjs';

const quick = process.argv.includes('--quick');
const others = process.argv.flatMap((a, i, all) => (a === '--wasm' && all[i + 1] ? [all[i + 1]] : []));
const N = quick ? 2 ** 17 : 1e6;
const KCHUNK = 65536;
const sink = { value: 0 };

// Least CPU time and best wall time of `reps` runs of fn (see the header).
function best(fn, reps) {
  let cpu = Infinity;
  let wall = Infinity;
  for (let k = 0; k < reps; k++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    fn();
    wall = Math.min(wall, (performance.now() - t0) / 1e3);
    const c = process.cpuUsage(c0);
    cpu = Math.min(cpu, (c.user + c.system) / 1e6);
  }
  return { s: cpu > 0 && cpu < Infinity ? Math.max(cpu, 1e-6) : wall, wall };
}

const IV_COLUMNS = ['prices', 'forwards', 'strikes', 'expiries', 'discountFactors'];

/** A kernel-only runner on an engine's heap: the first KCHUNK options copied in once. */
function engineKernel(engine, s, prices) {
  const n = Math.min(KCHUNK, s.n);
  const a = engine.arena;
  a.reset();
  a.reserve(n * 8 * 8 + n * 2 + 256);
  const p = {};
  for (const k of IV_COLUMNS) p[k] = a.alloc(n * 8);
  p.types = a.alloc(n);
  p.out = a.alloc(n * 8);
  p.status = a.alloc(n);
  const v = a.views;
  for (const k of IV_COLUMNS) v.f64.set((k === 'prices' ? prices : s[k]).subarray(0, n), p[k] >>> 3);
  v.i8.set(s.types.subarray(0, n), p.types);
  const K = engine.kernels;
  const fn = () => {
    K.impliedVolatilityBatch(n, p.prices, p.forwards, p.strikes, p.expiries, p.discountFactors, p.types, 0, p.out, p.status);
    sink.value += engine.arena.views.f64[(p.out >>> 3) + 1];
  };
  fn();
  return { n, fn, vols: () => engine.arena.views.f64.slice(p.out >>> 3, (p.out >>> 3) + n) };
}

/** The same runner on another build of riskwasm.wasm (raw exports, its own memory). */
async function buildKernel(file, s, prices) {
  const { instance } = await WebAssembly.instantiate(readFileSync(file), { env: { abort() { throw new Error('abort'); } } });
  // Raw exports of another build: untyped by construction.
  const K = /** @type {any} */ (instance.exports);
  const n = Math.min(KCHUNK, s.n);
  const base = (K.heapBase() + 15) & ~15;
  const need = base + n * 8 * 8 + n * 2 + 256;
  if (K.memory.buffer.byteLength < need) K.memory.grow(Math.ceil((need - K.memory.buffer.byteLength) / 65536));
  const p = {};
  let at = base;
  for (const k of IV_COLUMNS) { p[k] = at; at += n * 8; }
  p.types = at; at += n + 16 - (n % 16);
  p.out = at; at += n * 8;
  p.status = at;
  const v = new Float64Array(K.memory.buffer);
  for (const k of IV_COLUMNS) v.set((k === 'prices' ? prices : s[k]).subarray(0, n), p[k] >>> 3);
  new Int8Array(K.memory.buffer).set(s.types.subarray(0, n), p.types);
  const fn = () => {
    K.impliedVolatilityBatch(n, p.prices, p.forwards, p.strikes, p.expiries, p.discountFactors, p.types, 0, p.out, p.status);
    sink.value += new Float64Array(K.memory.buffer)[(p.out >>> 3) + 1];
  };
  fn();
  return { n, fn, vols: () => new Float64Array(K.memory.buffer).slice(p.out >>> 3, (p.out >>> 3) + n) };
}

/** The vols and statuses of a whole quote set through a raw instance of `file`, in chunks of KCHUNK. */
async function solveAll(file, q) {
  const { instance } = await WebAssembly.instantiate(readFileSync(file), { env: { abort() { throw new Error('abort'); } } });
  // Raw exports of a build: untyped by construction.
  const K = /** @type {any} */ (instance.exports);
  const base = (K.heapBase() + 15) & ~15;
  const need = base + KCHUNK * 8 * 8 + KCHUNK * 2 + 256;
  if (K.memory.buffer.byteLength < need) K.memory.grow(Math.ceil((need - K.memory.buffer.byteLength) / 65536));
  const cols = ['prices', ...IV_COLUMNS.slice(1)];
  const p = {};
  let at = base;
  for (const k of cols) { p[k] = at; at += KCHUNK * 8; }
  p.types = at; at += KCHUNK + 16;
  p.out = at; at += KCHUNK * 8;
  p.status = at;
  const n = q.prices.length;
  const vols = new Float64Array(n), status = new Uint8Array(n);
  for (let o = 0; o < n; o += KCHUNK) {
    const m = Math.min(KCHUNK, n - o);
    const v = new Float64Array(K.memory.buffer);
    for (const k of cols) v.set(q[k].subarray(o, o + m), p[k] >>> 3);
    new Int8Array(K.memory.buffer).set(q.types.subarray(o, o + m), p.types);
    K.impliedVolatilityBatch(m, p.prices, p.forwards, p.strikes, p.expiries, p.discountFactors, p.types, 0, p.out, p.status);
    vols.set(new Float64Array(K.memory.buffer, p.out, m), o);
    status.set(new Uint8Array(K.memory.buffer, p.status, m), o);
  }
  return { vols, status };
}

/**
 * Seeded wild quotes: ln(F/K) up to +-100 (a twelfth within +-0.01, one in eight at the money),
 * F from e^-20 to e^20, T from 6e-6 to 150 years, vols from 3e-4 to 20, discount factors down to
 * e^-30; prices from those vols, a twentieth scaled by 1e-300 (ln beta), some moved by 1e-10
 * relative (at the bounds), some negative (invalid) or drawn between 0 and F.
 */
function wildQuotes(engine, n, seed = 4242) {
  const u = mulberry32(seed);
  const q = { prices: new Float64Array(n), forwards: new Float64Array(n), strikes: new Float64Array(n), expiries: new Float64Array(n), discountFactors: new Float64Array(n), types: new Int8Array(n) };
  const vols = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const F = Math.exp(-20 + 40 * u());
    const c = Math.floor(u() * 8);
    let x = (u() - 0.5) * 20;
    if (c === 0) x = (u() - 0.5) * 0.02;
    if (c === 1) x = (u() - 0.5) * 200;
    if (c === 2) x = 0;
    q.forwards[i] = F;
    q.strikes[i] = F * Math.exp(-x);
    q.expiries[i] = Math.exp(-12 + 17 * u());
    q.discountFactors[i] = Math.exp(-0.2 * u() * q.expiries[i]);
    q.types[i] = u() < 0.5 ? 1 : -1;
    vols[i] = Math.exp(-8 + 11 * u());
  }
  const bs = engine.black76({ forwards: q.forwards, strikes: q.strikes, expiries: q.expiries, vols, discountFactors: q.discountFactors, types: q.types }).price;
  for (let i = 0; i < n; i++) {
    const r = u();
    let p = bs[i];
    if (r < 0.05) p *= 1e-300; else if (r < 0.08) p *= 1 + (u() - 0.5) * 1e-10; else if (r < 0.1) p = -1; else if (r < 0.12) p = u() * q.forwards[i];
    q.prices[i] = p;
  }
  return q;
}

/** "d of n vols differ (s statuses)" between two solveAll results. */
function bitDifferences(a, b) {
  let dv = 0, ds = 0;
  for (let i = 0; i < a.vols.length; i++) {
    if (!Object.is(a.vols[i], b.vols[i])) dv++;
    if (a.status[i] !== b.status[i]) ds++;
  }
  return `${dv} of ${a.vols.length.toLocaleString('en-US')} vols differ (${ds} statuses)`;
}

/** Interleaved rounds of every runner (same load for each); per runner its best CPU time. */
function interleaved(runners, rounds, reps) {
  const t = runners.map(() => ({ s: Infinity, wall: Infinity }));
  for (let r = 0; r < rounds; r++) {
    runners.forEach((run, i) => {
      const b = best(run.fn, reps);
      t[i].s = Math.min(t[i].s, b.s);
      t[i].wall = Math.min(t[i].wall, b.wall);
    });
  }
  return t;
}

function maxRel(a, b) {
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    if (a[i] === b[i]) continue;
    const e = Math.abs(a[i] - b[i]) / Math.abs(b[i]);
    if (!(e <= m)) m = e;
  }
  return m;
}

const f = (x) => (x >= 1e6 ? `${(x / 1e6).toFixed(2)} M/s` : `${(x / 1e3).toFixed(0)} k/s`);

export async function runIvSpeed({ log = console.error } = {}) {
  const riskwasm = await import('../dist/index.js');
  const load0 = os.loadavg();
  const wasm = await riskwasm.createEngine({ backend: 'wasm' });
  const js = await riskwasm.createEngine({ backend: 'js' });
  const s = makeSurface(N);
  const prices = wasm.black76({ forwards: s.forwards, strikes: s.strikes, expiries: s.expiries, vols: s.vols, discountFactors: s.discountFactors, types: s.types }).price;
  const args = (out) => ({ prices, forwards: s.forwards, strikes: s.strikes, expiries: s.expiries, types: s.types, discountFactors: s.discountFactors, out });

  // Checks before timing.
  const wi = wasm.impliedVol(args()), ji = js.impliedVol(args());
  const notOk = wi.status.reduce((k, v) => k + (v !== 0 ? 1 : 0), 0) + ji.status.reduce((k, v) => k + (v !== 0 ? 1 : 0), 0);
  let maxAbs = 0;
  for (let i = 0; i < N; i++) maxAbs = Math.max(maxAbs, Math.abs(wi.vols[i] - s.vols[i]), Math.abs(ji.vols[i] - s.vols[i]));
  const checks = [`statuses not ok ${notOk}`, `WASM and JS vs generating vol max abs ${maxAbs.toExponential(1)}`, `WASM vs JS twin max rel ${maxRel(wi.vols, ji.vols).toExponential(1)}`];
  if (notOk > 0 || !(maxAbs < 1e-10)) throw new Error(`iv-speed: check failed: ${checks.join('; ')}`);

  if (others.length) {
    // Every quote bit for bit: this build's file (the engine's own module) against each other build
    // (before the kernel-only runners copy their inputs into the engines' heaps: black76 below uses the heap).
    const surfaceQuotes = { prices, forwards: s.forwards, strikes: s.strikes, expiries: s.expiries, discountFactors: s.discountFactors, types: s.types };
    const wild = wildQuotes(wasm, quick ? 100000 : 800000);
    const self = fileURLToPath(new URL('../build/riskwasm.wasm', import.meta.url));
    const mine = [await solveAll(self, surfaceQuotes), await solveAll(self, wild)];
    for (const file of others) {
      const theirs = [await solveAll(file, surfaceQuotes), await solveAll(file, wild)];
      checks.push(`${file} vs this build, every quote: surface ${bitDifferences(theirs[0], mine[0])}, wild quotes ${bitDifferences(theirs[1], mine[1])}`);
    }
  }
  const kernels = [engineKernel(wasm, s, prices), engineKernel(js, s, prices)];
  const labels = ['WASM (this build)', 'JS twin'];
  for (const file of others) {
    kernels.push(await buildKernel(file, s, prices));
    labels.push(`WASM ${file}`);
    const d = maxRel(kernels.at(-1).vols(), kernels[0].vols());
    checks.push(`${file} vs this build max rel ${d.toExponential(1)}`);
  }
  const kt = interleaved(kernels, quick ? 3 : 5, quick ? 3 : 5);
  const oW = new Float64Array(N), oJ = new Float64Array(N);
  const ft = interleaved([{ fn: () => wasm.impliedVol(args(oW)) }, { fn: () => js.impliedVol(args(oJ)) }], quick ? 2 : 3, 2);
  const load1 = os.loadavg();

  const L = [];
  L.push(`Node ${process.version}, ${os.cpus()[0]?.model ?? '?'} x ${os.cpus().length}; load average at start ${load0.map((x) => x.toFixed(2)).join(' / ')}, at end ${load1.map((x) => x.toFixed(2)).join(' / ')}`);
  L.push('');
  L.push('| implied vol | kernel only (per CPU s) | wall | facade, N = ' + N.toExponential(0) + ' (per CPU s) | wall |');
  L.push('|---|--:|--:|--:|--:|');
  kernels.forEach((k, i) => {
    const fc = i < 2 ? ft[i] : null;
    L.push(`| ${labels[i]} | ${f(k.n / kt[i].s)} | ${f(k.n / kt[i].wall)} | ${fc ? f(N / fc.s) : ''} | ${fc ? f(N / fc.wall) : ''} |`);
  });
  L.push('');
  L.push(`WASM / JS twin: kernel x${(kt[1].s / kt[0].s).toFixed(2)}, facade x${(ft[1].s / ft[0].s).toFixed(2)}.` +
    (others.length ? ' ' + others.map((o, i) => `this build / ${o}: kernel x${(kt[2 + i].s / kt[0].s).toFixed(3)}`).join('; ') + '.' : ''));
  L.push(`Checked before timing: ${checks.join('; ')}.`);
  log(L.join('\n'));
  return { markdown: L.join('\n'), sink: sink.value };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { markdown } = await runIvSpeed({ log: () => {} });
  console.log(markdown);
}
