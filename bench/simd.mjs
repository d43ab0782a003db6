// WASM (f64x2 kernels) vs the pure-JS twin vs a native scalar C baseline, same inputs, one run,
// Node, one thread (issue 13): price, price + 7 greeks and implied vol on the 1e6-option seeded
// surface (bench/surface.mjs), GBM paths 1e5 x 252 and VaR + ES (99%, historical) on 1e6 samples.
// Kernel only = one kernel call on 65,536 options already in the heap (no validation, no copies);
// facade = engine.blackScholes / impliedVol at N = 1e6 (validation, copy in, kernel, copy out);
// the facade's copies are also timed alone (no kernel), the part no kernel speed-up removes.
// The native baseline (bench/native/baseline.c) is compiled here with `cc -O2` (skipped with a
// note when no compiler is found) and reads the same columns from binary files.
// Times are per CPU-second of the process (user + system; single-threaded work), the native
// baseline's by its own process CPU clock. Results are checked before they are timed (WASM vs JS twin; native vs WASM for scale).
//   node bench/simd.mjs [--quick] [--prices-only] [--before other.wasm]        (after `npm run build`)

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeSurface, mulberry32 } from './surface.mjs';

const quick = process.argv.includes('--quick');
// --before <file.wasm>: also time the kernels of another build (e.g. the scalar kernels before
// the f64x2 work) kernel-only in the same run, for a before/after ratio on the same load.
const beforeAt = process.argv.indexOf('--before');
const beforeWasm = beforeAt > 0 ? process.argv[beforeAt + 1] : null;
// --prices-only: price and price + greeks only (no implied vol, GBM, VaR or native baseline), for
// A/B runs of two builds in alternating fresh processes.
const pricesOnly = process.argv.includes('--prices-only');
const N = quick ? 2 ** 17 : 1e6;
const KCHUNK = 65536;
// Bytes between the kernel-only columns: 65,536 f64 columns laid end to end are 2^19 bytes apart, so
// that every column maps to the same cache sets, and how much that costs depends on the physical
// pages behind each instance's memory (measured: x0.5 to x0.9 of the padded speed), which made
// this build vs --before (another instance) a comparison of page layouts. 4160 = 4096 + 64.
const KPAD = 4160;
const sink = { value: 0 };
const GREEKS = ['delta', 'gamma', 'vega', 'theta', 'rho', 'vanna', 'volga'];

// Best wall time of `reps` runs, and the least process CPU time (user + system) of a run: on a
// shared machine the CPU time is disturbed less by other tenants. `s` is the one reported: the
// CPU time when the platform measures it (the work is single-threaded), else the wall time.
function best(fn, reps) {
  const t = [];
  let cpu = Infinity;
  let result;
  for (let k = 0; k < reps; k++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    result = fn();
    t.push((performance.now() - t0) / 1e3);
    const c = process.cpuUsage(c0);
    cpu = Math.min(cpu, (c.user + c.system) / 1e6);
  }
  t.sort((a, b) => a - b);
  return { s: cpu > 0 && cpu < Infinity ? Math.max(cpu, 1e-6) : t[0], wall: t[0], median: t[(t.length - 1) >> 1], result };
}

function pnlSample(n) {
  const rand = mulberry32(7);
  const z = () => Math.sqrt(-2 * Math.log(Math.max(rand(), 1e-300))) * Math.cos(2 * Math.PI * rand());
  const pnl = new Float64Array(n);
  for (let i = 0; i < n; i++) pnl[i] = (1e4 * z()) / Math.sqrt((z() ** 2 + z() ** 2 + z() ** 2 + z() ** 2) / 4);
  return pnl;
}

function maxRel(a, b, floor = 0) {
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    if (a[i] === b[i]) continue;
    const e = Math.abs(a[i] - b[i]) / Math.max(Math.abs(b[i]), floor);
    if (!(e <= m)) m = e;
  }
  return m;
}

/** Kernel-only timer: the first KCHUNK options copied into the engine's heap once, then one kernel call per run. */
function kernelOnly(engine, s, ivPrices, job, reps) {
  const n = Math.min(KCHUNK, s.n);
  const a = engine.arena;
  a.reset();
  a.reserve(n * 8 * 16 + n * 2 + 256 + 16 * KPAD);
  const f64 = job === 'iv' ? ['ivPrices', 'forwards', 'strikes', 'expiries', 'discountFactors'] : ['spots', 'strikes', 'expiries', 'vols', 'rates', 'dividendYields'];
  const p = {};
  for (const k of f64) p[k] = a.alloc(n * 8 + KPAD);
  p.types = a.alloc(n + KPAD);
  p.out = a.alloc(n * 8 * 8);
  p.status = a.alloc(n);
  const v = a.views;
  for (const k of f64) v.f64.set((k === 'ivPrices' ? ivPrices : s[k]).subarray(0, n), p[k] >>> 3);
  v.i8.set(s.types.subarray(0, n), p.types);
  const K = engine.kernels;
  const fn = job === 'iv'
    ? () => K.impliedVolatilityBatch(n, p.ivPrices, p.forwards, p.strikes, p.expiries, p.discountFactors, p.types, 0, p.out, p.status)
    : () => K.blackScholesBatch(n, p.spots, p.strikes, p.expiries, p.vols, p.rates, p.dividendYields, p.types, job === 'greeks' ? 1 : 0, p.out, p.status);
  fn();
  const t = best(() => { fn(); sink.value += engine.arena.views.f64[(p.out >>> 3) + 1]; }, reps);
  return n / t.s;
}

/**
 * The facade's data movement alone, timed like the facade: per chunk of the engine's chunk size,
 * the six input columns and the types copied into the heap and the output columns and status
 * copied out (a fresh status array per call, as the facade allocates), no kernel. The part of the
 * facade's time no kernel speed-up removes (the inputs stream from memory: 49 bytes per option).
 */
function copyFloor(engine, s, greeks, out, reps) {
  const chunk = engine.chunkSize;
  const a = engine.arena;
  const nOut = greeks ? 8 : 1;
  const cols = ['spots', 'strikes', 'expiries', 'vols', 'rates', 'dividendYields'];
  const names = ['price', ...GREEKS];
  const run = () => {
    const status = new Uint8Array(N);
    for (let st = 0; st < N; st += chunk) {
      const m = Math.min(chunk, N - st);
      a.reset();
      const p = a.alloc(m * (6 * 8 + 1 + nOut * 8 + 1) + 256);
      const v = a.views;
      for (let c = 0; c < 6; c++) v.f64.set(s[cols[c]].subarray(st, st + m), (p >>> 3) + c * m);
      v.i8.set(s.types.subarray(st, st + m), p + 48 * m);
      const o = (p + 49 * m + 15) & ~15;
      for (let c = 0; c < nOut; c++) out[names[c]].set(v.f64.subarray((o >>> 3) + c * m, (o >>> 3) + (c + 1) * m), st);
      status.set(v.u8.subarray(o + nOut * 8 * m, o + nOut * 8 * m + m), st);
    }
    return status;
  };
  run();
  return best(run, reps).s;
}

/** Kernel-only throughput of another build of riskwasm.wasm (same heap layout as kernelOnly). */
async function kernelOnlyBuild(file, s, ivPrices, job, reps) {
  const { instance } = await WebAssembly.instantiate(readFileSync(file), { env: { abort() { throw new Error('abort'); } } });
  // Raw exports of another build: untyped by construction.
  const K = /** @type {any} */ (instance.exports);
  const n = Math.min(KCHUNK, s.n);
  const base = (K.heapBase() + 15) & ~15;
  const need = base + n * 8 * 16 + n * 2 + 256 + 16 * KPAD;
  if (K.memory.buffer.byteLength < need) K.memory.grow(Math.ceil((need - K.memory.buffer.byteLength) / 65536));
  const f64 = job === 'iv' ? ['ivPrices', 'forwards', 'strikes', 'expiries', 'discountFactors'] : ['spots', 'strikes', 'expiries', 'vols', 'rates', 'dividendYields'];
  const p = {};
  let at = base;
  for (const k of f64) { p[k] = at; at += n * 8 + KPAD; }
  p.types = at; at += n + 16 - (n % 16) + KPAD;
  p.out = at; at += n * 64;
  p.status = at;
  const v = new Float64Array(K.memory.buffer);
  for (const k of f64) v.set((k === 'ivPrices' ? ivPrices : s[k]).subarray(0, n), p[k] >>> 3);
  new Int8Array(K.memory.buffer).set(s.types.subarray(0, n), p.types);
  const fn = job === 'iv'
    ? () => K.impliedVolatilityBatch(n, p.ivPrices, p.forwards, p.strikes, p.expiries, p.discountFactors, p.types, 0, p.out, p.status)
    : () => K.blackScholesBatch(n, p.spots, p.strikes, p.expiries, p.vols, p.rates, p.dividendYields, p.types, job === 'greeks' ? 1 : 0, p.out, p.status);
  fn();
  return n / best(fn, reps).s;
}

function nativeRun(s, ivPrices, pnl) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'riskwasm-native-'));
  try {
    const exe = path.join(dir, 'baseline');
    const src = fileURLToPath(new URL('./native/baseline.c', import.meta.url));
    let compiler = null;
    for (const cc of [process.env.CC, 'cc', 'gcc', 'clang'].filter(Boolean)) {
      try { execFileSync(cc, ['-O2', '-o', exe, src, '-lm'], { stdio: 'pipe' }); compiler = cc; break; } catch { /* next */ }
    }
    if (!compiler) return { skipped: 'no C compiler found (cc, gcc, clang): native column skipped' };
    const version = execFileSync(compiler, ['--version'], { encoding: 'utf8' }).split('\n')[0];
    const files = { 'spots.bin': s.spots, 'strikes.bin': s.strikes, 'expiries.bin': s.expiries, 'vols.bin': s.vols, 'rates.bin': s.rates,
      'forwards.bin': s.forwards, 'dfs.bin': s.discountFactors, 'ivprices.bin': ivPrices, 'types.bin': s.types, 'pnl.bin': pnl };
    for (const [f, a] of Object.entries(files)) writeFileSync(path.join(dir, f), new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
    const r = JSON.parse(execFileSync(exe, [dir, String(s.n), String(pnl.length)], { encoding: 'utf8', maxBuffer: 1 << 20 }));
    const rd = (f) => new Float64Array(readFileSync(path.join(dir, f)).buffer.slice(0));
    return { ...r, compiler: `${compiler} -O2 (${version})`, prices: rd('native-price.bin'), ivs: rd('native-iv.bin') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The facade call of `job` over engine-resident arrays (engine.allocateArray): inputs copied in
 * once (untimed), outputs written in place (greeks: the eight columns of one resident array).
 * `call` re-reads the views each time, as the documentation asks. Checked equal, bit for bit, to
 * the caller-owned call before it is returned.
 */
function residentCall(engine, job, s, ivPrices) {
  const cols = job === 'iv'
    ? { prices: ivPrices, forwards: s.forwards, strikes: s.strikes, expiries: s.expiries, discountFactors: s.discountFactors }
    : { spots: s.spots, strikes: s.strikes, expiries: s.expiries, vols: s.vols, rates: s.rates, dividendYields: s.dividendYields };
  const width = job === 'greeks' ? 8 : 1;
  const h = {};
  for (const k of Object.keys(cols)) h[k] = engine.allocateArray({ type: 'f64', length: N });
  h.types = engine.allocateArray({ type: 'i8', length: N });
  h.out = engine.allocateArray({ type: 'f64', length: width * N });
  for (const k of Object.keys(cols)) h[k].array.set(cols[k]);
  h.types.array.set(s.types);
  const names = ['price', ...GREEKS].slice(0, width);
  const args = () => {
    const a = {};
    for (const k of Object.keys(h)) if (k !== 'out') a[k] = h[k].array;
    const block = h.out.array;
    const out = Object.fromEntries(names.map((g, i) => [g, block.subarray(i * N, (i + 1) * N)]));
    return job === 'iv' ? { ...a, out: out.price } : { ...a, greeks: width === 8, out };
  };
  const call = job === 'iv' ? () => engine.impliedVol(args()) : () => engine.blackScholes(args());
  const r = call();
  const ref = job === 'iv' ? engine.impliedVol({ ...cols, types: s.types }) : engine.blackScholes({ ...cols, types: s.types, greeks: width === 8 });
  for (const k of job === 'iv' ? ['vols'] : names) {
    for (let i = 0; i < N; i++) if (!Object.is(r[k][i], ref[k][i])) throw new Error(`resident arrays: ${job} ${k}[${i}] ${r[k][i]} vs ${ref[k][i]} from caller-owned arrays`);
  }
  return { call, free: () => { for (const x of Object.values(h)) x.free(); } };
}

/** The --prices-only report: the price rows with their load and checks. */
function priceTable(rows, load0, checks) {
  const L = [`Node ${process.version}, ${os.cpus()[0]?.model ?? '?'} x ${os.cpus().length}; load average at start ${load0.map((x) => x.toFixed(2)).join(' / ')}, at end ${os.loadavg().map((x) => x.toFixed(2)).join(' / ')}`, ''];
  L.push('| job | WASM kernel only | WASM facade | WASM facade, resident arrays | JS twin kernel only | JS twin facade | WASM / JS (facade) | WASM / JS (kernel) |');
  L.push('|---|--:|--:|--:|--:|--:|--:|--:|');
  for (const r of rows) L.push(`| ${r.job} | ${f(r.kW)} | ${f(r.fW)} | ${f(r.fR)} | ${f(r.kJ)} | ${f(r.fJ)} | ${ratio(r.fW, r.fJ)} | ${ratio(r.kW, r.kJ)} |`);
  if (beforeWasm) L.push('', `Kernel only, this build vs ${beforeWasm} (same run): ` + rows.map((r) => `${r.job.split(',')[0]} ${f(r.kW)} vs ${f(r.kB)} (${ratio(r.kW, r.kB)})`).join('; ') + '.');
  L.push('', 'Checked before timing: ' + checks.join('; ') + '.');
  return L.join('\n');
}

const f = (x) => (x >= 1e6 ? `${(x / 1e6).toFixed(2)} M/s` : `${(x / 1e3).toFixed(0)} k/s`);
const ratio = (a, b) => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? `x${(a / b).toFixed(2)}` : 'n/a');

export async function runSimdBench({ log = console.error } = {}) {
  const riskwasm = await import('../dist/index.js');
  const load0 = os.loadavg();
  const wasm = await riskwasm.createEngine({ backend: 'wasm' });
  const js = await riskwasm.createEngine({ backend: 'js' });
  const s = makeSurface(N);
  const b76 = { forwards: s.forwards, strikes: s.strikes, expiries: s.expiries, vols: s.vols, discountFactors: s.discountFactors, types: s.types };
  const ivPrices = wasm.black76(b76).price;
  const pnl = pnlSample(quick ? 2 ** 17 : 1e6);
  const priceArgs = (greeks, out) => ({ spots: s.spots, strikes: s.strikes, expiries: s.expiries, vols: s.vols, rates: s.rates, dividendYields: s.dividendYields, types: s.types, greeks, out });
  const ivArgs = (out) => ({ prices: ivPrices, forwards: s.forwards, strikes: s.strikes, expiries: s.expiries, types: s.types, discountFactors: s.discountFactors, out });
  const outBlock = (greeks) => { const o = { price: new Float64Array(N) }; if (greeks) for (const g of GREEKS) o[g] = new Float64Array(N); return o; };

  // Checks before timing.
  const checks = [];
  const wg = wasm.blackScholes(priceArgs(true)), jg = js.blackScholes(priceArgs(true));
  checks.push(`price WASM vs JS twin max rel ${maxRel(wg.price, jg.price).toExponential(1)} (tol 1e-13)`);
  checks.push(`greeks WASM vs JS twin max rel ${GREEKS.reduce((m, g) => Math.max(m, maxRel(wg[g], jg[g], 1e-9)), 0).toExponential(1)} (tol 1e-10, floor 1e-9)`);
  const wi = pricesOnly ? null : wasm.impliedVol(ivArgs()), ji = pricesOnly ? null : js.impliedVol(ivArgs());
  if (wi && ji) checks.push(`implied vol WASM vs JS twin max rel ${maxRel(wi.vols, ji.vols).toExponential(1)}; WASM vs generating vol max abs ${wi.vols.reduce((m, v, i) => Math.max(m, Math.abs(v - s.vols[i])), 0).toExponential(1)}`);

  /** @type {{ job: string, kW?: number, kJ?: number, kB?: number, fW: number, fJ: number, fR?: number, nat?: number, unit: string, copyS?: number }[]} */
  const rows = [];
  const reps = quick ? 3 : 7;
  // price and greeks
  for (const job of ['price', 'greeks']) {
    const greeks = job === 'greeks';
    const kW = kernelOnly(wasm, s, ivPrices, job, reps * 3);
    const kJ = kernelOnly(js, s, ivPrices, job, reps * 3);
    const kB = beforeWasm ? await kernelOnlyBuild(beforeWasm, s, ivPrices, job, reps * 3) : NaN;
    const oW = outBlock(greeks), oJ = outBlock(greeks);
    const fW = N / best(() => wasm.blackScholes(priceArgs(greeks, oW)), reps).s;
    const fJ = N / best(() => js.blackScholes(priceArgs(greeks, oJ)), reps).s;
    const copyS = copyFloor(wasm, s, greeks, oW, reps);
    const res = residentCall(wasm, job, s, ivPrices);
    const fR = N / best(res.call, reps).s;
    res.free();
    rows.push({ job: job === 'price' ? `price, ${N.toExponential(0)}` : `price + 7 greeks, ${N.toExponential(0)}`, kW, kJ, kB, fW, fJ, fR, unit: 'rate', copyS });
    log(`simd ${job}: kernel WASM ${f(kW)} JS ${f(kJ)}; facade WASM ${f(fW)} (resident arrays ${f(fR)}) JS ${f(fJ)}; copies alone ${(copyS * 1e3).toFixed(2)} ms`);
  }
  if (!pricesOnly) {
    const kW = kernelOnly(wasm, s, ivPrices, 'iv', reps);
    const kJ = kernelOnly(js, s, ivPrices, 'iv', reps);
    const kB = beforeWasm ? await kernelOnlyBuild(beforeWasm, s, ivPrices, 'iv', reps) : NaN;
    const oW = new Float64Array(N), oJ = new Float64Array(N);
    const fW = N / best(() => wasm.impliedVol(ivArgs(oW)), quick ? 2 : 3).s;
    const fJ = N / best(() => js.impliedVol(ivArgs(oJ)), quick ? 2 : 3).s;
    const res = residentCall(wasm, 'iv', s, ivPrices);
    const fR = N / best(res.call, quick ? 2 : 3).s;
    res.free();
    rows.push({ job: `implied vol, ${N.toExponential(0)}`, kW, kJ, kB, fW, fJ, fR, unit: 'rate' });
    log(`simd iv: kernel WASM ${f(kW)} JS ${f(kJ)}; facade WASM ${f(fW)} (resident arrays ${f(fR)}) JS ${f(fJ)}`);
  }
  if (pricesOnly) return { markdown: priceTable(rows, load0, checks), rows, checks, sink: sink.value };
  // GBM and VaR (facade only: these kernels are another helper's)
  /** @type {import('../dist/index.js').MonteCarloArgs} */
  const mcArgs = { model: { kind: 'gbm', spot: 100, rate: 0.03, dividendYield: 0.01, vol: 0.25 }, payoff: { kind: 'european', strike: 100, type: 'call' }, expiry: 1, paths: quick ? 2e4 : 1e5, steps: 252, seed: 20260101 };
  wasm.monteCarloSync({ ...mcArgs, paths: 8192 });
  const gW = best(() => wasm.monteCarloSync(mcArgs), quick ? 2 : 3);
  const gJ = best(() => js.monteCarloSync(mcArgs), quick ? 1 : 2);
  rows.push({ job: `GBM ${mcArgs.paths.toExponential(0)} x 252 (s)`, fW: gW.s, fJ: gJ.s, unit: 's' });
  /** @type {import('../dist/index.js').ValueAtRiskArgs} */
  const varArgs = { pnl, confidence: 0.99, method: 'historical' };
  wasm.valueAtRisk(varArgs); js.valueAtRisk(varArgs);
  const vW = best(() => wasm.valueAtRisk(varArgs), 21);
  const vJ = best(() => js.valueAtRisk(varArgs), 21);
  rows.push({ job: `VaR + ES 99%, ${pnl.length.toExponential(0)} samples (ms)`, fW: vW.s * 1e3, fJ: vJ.s * 1e3, unit: 'ms' });
  log(`simd gbm WASM ${gW.s.toFixed(3)} s JS ${gJ.s.toFixed(3)} s; VaR WASM ${(vW.s * 1e3).toFixed(2)} ms JS ${(vJ.s * 1e3).toFixed(2)} ms`);

  // Native
  const nat = nativeRun(s, ivPrices, pnl);
  if (!nat.skipped) {
    rows[0].nat = N / nat.priceS; rows[1].nat = N / nat.greeksS; rows[2].nat = N / nat.ivS;
    rows[3].nat = quick ? NaN : nat.gbmS; rows[4].nat = nat.varS * 1e3;
    checks.push(`native (${nat.compiler}): price vs WASM max rel ${maxRel(nat.prices, wg.price, 1e-300).toExponential(1)} (erfc formula; deep OTM loses relative accuracy), ` +
      `implied vol max abs error ${nat.ivMaxErr.toExponential(1)} with ${nat.ivOutside1e6} outside 1e-6 (${(nat.ivIterations / N).toFixed(1)} Newton steps/option), ` +
      `GBM ${nat.gbmPrice.toFixed(4)} +- ${nat.gbmStdErr.toFixed(4)} (WASM ${gW.result.price.toFixed(4)}), VaR ${nat.var.toFixed(1)} / ES ${nat.es.toFixed(1)} (WASM ${vW.result.var.toFixed(1)} / ${vW.result.es.toFixed(1)})`);
  }
  const load1 = os.loadavg();
  const L = [];
  L.push(`Node ${process.version}, ${os.cpus()[0]?.model ?? '?'} x ${os.cpus().length}; load average at start ${load0.map((x) => x.toFixed(2)).join(' / ')}, at end ${load1.map((x) => x.toFixed(2)).join(' / ')}${nat.skipped ? `; ${nat.skipped}` : `; native: ${nat.compiler}`}`);
  L.push('');
  L.push('| job | WASM kernel only | WASM facade | WASM facade, resident arrays | JS twin kernel only | JS twin facade | native C -O2 | WASM / JS (facade) | WASM / native (facade) | WASM resident / native |');
  L.push('|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|');
  for (const r of rows) {
    if (r.unit === 'rate') {
      L.push(`| ${r.job} | ${f(r.kW)} | ${f(r.fW)} | ${f(r.fR)} | ${f(r.kJ)} | ${f(r.fJ)} | ${r.nat ? f(r.nat) : 'n/a'} | ${ratio(r.fW, r.fJ)} | ${ratio(r.fW, r.nat)} | ${ratio(r.fR, r.nat)} |`);
    } else {
      const fmt = (x) => (Number.isFinite(x) ? (r.unit === 's' ? x.toFixed(3) : x.toFixed(2)) : 'n/a');
      L.push(`| ${r.job} | | ${fmt(r.fW)} | | | ${fmt(r.fJ)} | ${fmt(r.nat)} | ${ratio(r.fJ, r.fW)} | ${ratio(r.nat, r.fW)} | |`);
    }
  }
  if (beforeWasm) {
    L.push('');
    L.push(`Kernel only, this build vs ${beforeWasm} (same run): ` + rows.slice(0, 3).map((r) => `${r.job.split(',')[0]} ${f(r.kW)} vs ${f(r.kB)} (${ratio(r.kW, r.kB)})`).join('; ') + '.');
  }
  L.push('');
  L.push('Facade data movement alone (the facade\'s copies in and out per chunk of ' + wasm.chunkSize + ', no kernel): ' + rows.slice(0, 2).map((r) =>
    `${r.job.split(',')[0]} ${(r.copyS * 1e3).toFixed(2)} ms per ${N.toExponential(0)} = ${((100 * r.copyS * r.fW) / N).toFixed(0)}% of the WASM facade's time`).join('; ') + '.');
  L.push('');
  L.push('Ratios are speed-ups (time ratios inverted for GBM and VaR). Checked before timing: ' + checks.join('; ') + '.');
  return { markdown: L.join('\n'), rows, checks, sink: sink.value };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { markdown } = await runSimdBench();
  console.log(markdown);
}
