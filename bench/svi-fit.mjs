// Small-fit facade cost, WASM vs JS twin, same inputs, one run: `npm run build:ts && node bench/svi-fit.mjs`.
// The SVI slice is the one of bench/calibration.mjs (25 strikes over k = -0.6..+0.6, T = 0.5, raw SVI
// a 0.02, b 0.15, rho -0.4, m 0.05, sigma 0.2), fitted from the standard, the far and the default
// start; a warm SVI refit (one quote moved half a vol point, `warmStart: previous`, as the margin
// book's realtime refit); a 5-slice surface of 40 quotes per slice (SVI per slice, SSVI over the
// surface); a SABR slice; and ml-levenberg-marquardt (defaults + maxIterations 1000, as in
// bench/calibration.mjs) on the SVI slice from the standard start, for scale.
//
// Method: every case on both backends is first run WARMUP times (the facade's JavaScript, shared
// by the two backends, is compiled by V8 on first use: timing one backend before the other has warmed
// it charges the JIT to whichever runs first, which is what bench/RESULTS.md's x0.41 measured).
// Then ROUNDS rounds, each timing a batch of INNER fits per backend, the order alternating round by
// round so that a load change on the shared machine hits both; each figure is the median over the
// rounds, in process CPU time per fit (other tenants disturb it less than wall time) and wall time.
// The fits are checked equal across backends (parameters to 1e-9, same iterations and reason)
// before timing. PHASES=1 also prints where one WASM fit's time goes (facade vs kernel calls).
import os from 'node:os';
import { levenbergMarquardt } from 'ml-levenberg-marquardt';
const riskwasm = await import(process.env.RISKWASM_DIST ?? '../dist/index.js');

const ROUNDS = Number(process.env.ROUNDS ?? 31);
const INNER = Number(process.env.INNER ?? 40);
const WARMUP = Number(process.env.WARMUP ?? 300);
const F = 100;
const TRUE = [0.02, 0.15, -0.4, 0.05, 0.2];
const sviW = (/** @type {number[]} */ [a, b, rho, m, sigma], /** @type {number} */ k) => a + b * (rho * (k - m) + Math.sqrt((k - m) ** 2 + sigma ** 2));

function slice(T, n, p = TRUE) {
  const strikes = Array.from({ length: n }, (_, i) => F * Math.exp(-0.6 + (1.2 * i) / (n - 1)));
  const vols = strikes.map((K) => Math.sqrt(sviW(p, Math.log(K / F)) / T));
  return { strikes, expiries: strikes.map(() => T), vols };
}

function surface() {
  const q = { strikes: [], expiries: [], vols: [] };
  for (const T of [0.1, 0.25, 0.5, 1, 2]) {
    const s = slice(T, 40, [0.02 * T * 4, 0.1 + 0.02 * T, -0.4, 0.05, 0.2]);
    q.strikes.push(...s.strikes); q.expiries.push(...s.expiries); q.vols.push(...s.vols);
  }
  return q;
}

const S25 = { ...slice(0.5, 25), expiries: 0.5 };
// The warm refit's slice: the smile plus a small deterministic wiggle (so the fit is not exact), then one quote moved.
const wiggled = S25.vols.map((v, i) => v + 0.002 * Math.sin(1.7 * i));
const moved = wiggled.slice();
moved[7] += 0.005;
const previous = {};

const CASES = [
  { name: 'SVI slice 25, standard start', method: 'fitSvi', args: { forwards: F, quotes: S25, initial: { a: 0.01, b: 0.1, rho: 0, m: 0, sigma: 0.1 } } },
  { name: 'SVI slice 25, far start', method: 'fitSvi', args: { forwards: F, quotes: S25, initial: { a: 0.1, b: 0.5, rho: 0.5, m: -0.3, sigma: 0.8 } } },
  { name: 'SVI slice 25, default start', method: 'fitSvi', args: { forwards: F, quotes: S25 } },
  { name: 'SVI slice 25, warm refit', method: 'fitSvi', args: (b) => ({ forwards: F, quotes: { ...S25, vols: moved }, warmStart: previous[b] }) },
  { name: 'SVI 5 slices x 40, default', method: 'fitSvi', args: { forwards: F, quotes: surface() } },
  { name: 'SABR slice 25', method: 'calibrateSabr', args: { forwards: F, quotes: S25 } },
  { name: 'SSVI 5 slices x 40', method: 'calibrateSsvi', args: { forwards: F, quotes: surface() } },
];

const median = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
/** Every number of a fit's params (SviParams[], SabrParams[], SSVI's { thetas, ... }), in order. */
const flat = (/** @type {unknown} */ v) => /** @type {number[]} */ (
  typeof v === 'number' ? [v]
    : v instanceof Float64Array ? Array.from(v)
    : Array.isArray(v) ? v.flatMap(flat)
    : v !== null && typeof v === 'object' ? Object.values(v).flatMap(flat) : []);

const engines = { wasm: await riskwasm.createEngine({ backend: 'wasm' }), js: await riskwasm.createEngine({ backend: 'js' }) };
for (const b of ['wasm', 'js']) previous[b] = engines[b].fitSvi({ forwards: F, quotes: { ...S25, vols: wiggled } });
const load0 = os.loadavg();
console.log(`node ${process.version}; load ${load0.map((x) => x.toFixed(2)).join(' / ')}; warm-up ${WARMUP} fits per case and backend, then ${ROUNDS} rounds x ${INNER} fits, backends alternating`);
const argsOf = (c, b) => (typeof c.args === 'function' ? c.args(b) : c.args);

// Warm-up: every case on both backends, before any timing.
for (let i = 0; i < WARMUP; i++) for (const c of CASES) for (const b of ['wasm', 'js']) engines[b][c.method](argsOf(c, b));

for (const c of CASES) {
  const fits = {};
  for (const b of ['wasm', 'js']) fits[b] = engines[b][c.method](argsOf(c, b));
  const pw = flat(fits.wasm.params), pj = flat(fits.js.params);
  const dp = Math.max(...pw.map((v, i) => Math.abs(v - pj[i])));
  if (!(dp <= 1e-9) || pw.length !== pj.length || fits.wasm.iterations !== fits.js.iterations || fits.wasm.reason !== fits.js.reason) {
    throw new Error(`${c.name}: WASM and JS fits differ (params by ${dp}, iterations ${fits.wasm.iterations} vs ${fits.js.iterations}, ${fits.wasm.reason} vs ${fits.js.reason})`);
  }
  const cpu = { wasm: [], js: [] }, wall = { wasm: [], js: [] };
  let sink = 0;
  for (let r = 0; r < ROUNDS; r++) {
    for (const b of r % 2 ? ['js', 'wasm'] : ['wasm', 'js']) {
      const e = engines[b], args = argsOf(c, b);
      const c0 = process.cpuUsage(), t0 = performance.now();
      for (let i = 0; i < INNER; i++) sink += e[c.method](args).rmse;
      const t1 = performance.now(), c1 = process.cpuUsage(c0);
      cpu[b].push((c1.user + c1.system) / INNER);
      wall[b].push(((t1 - t0) * 1e3) / INNER);
    }
  }
  const w = median(cpu.wasm), j = median(cpu.js);
  console.log(`${c.name.padEnd(30)} CPU us/fit: WASM ${w.toFixed(1).padStart(6)}  JS ${j.toFixed(1).padStart(6)}  WASM/JS speed x${(j / w).toFixed(2)} | wall us: WASM ${median(wall.wasm).toFixed(1).padStart(6)}  JS ${median(wall.js).toFixed(1).padStart(6)} | ${fits.wasm.iterations} it, ${fits.wasm.reason}, rmse ${fits.wasm.rmse.toExponential(1)}, |dp| ${dp.toExponential(1)}${Number.isNaN(sink) ? ' (NaN rmse)' : ''}`);
}

// ml-levenberg-marquardt on the same slice and start (its defaults + maxIterations 1000), for scale.
{
  const ks = S25.strikes.map((K) => Math.log(K / F));
  const volFn = (p) => (k) => Math.sqrt(Math.max(sviW(p, k), 0) / 0.5);
  const opts = { initialValues: [0.01, 0.1, 0, 0, 0.1], maxIterations: 1000 };
  const run = () => levenbergMarquardt({ x: ks, y: S25.vols }, volFn, opts);
  for (let i = 0; i < WARMUP; i++) run();
  const cpu = [], wall = [];
  for (let r = 0; r < ROUNDS; r++) {
    const c0 = process.cpuUsage(), t0 = performance.now();
    for (let i = 0; i < INNER; i++) run();
    const t1 = performance.now(), c1 = process.cpuUsage(c0);
    cpu.push((c1.user + c1.system) / INNER);
    wall.push(((t1 - t0) * 1e3) / INNER);
  }
  console.log(`${'ml-levenberg-marquardt, std'.padEnd(30)} CPU us/fit: ${median(cpu).toFixed(1).padStart(6)} | wall us: ${median(wall).toFixed(1).padStart(6)} | ${run().iterations} it`);
}

if (process.env.PHASES) {
  // Where a warm WASM fit's time goes: the kernel calls alone (the same calls the fit makes, from
  // a counting wrapper) against the whole fit.
  const e = engines.wasm, args = CASES[0].args;
  const k = /** @type {any} */ (e).kernels ?? /** @type {any} */ (e).ctx?.kernels;
  const orig = k?.sviSliceEvaluate;
  let calls = 0, us = 0;
  let wrapped = false;
  try {
    k.sviSliceEvaluate = (...a) => { const t0 = performance.now(); const rc = orig(...a); us += (performance.now() - t0) * 1e3; calls++; return rc; };
    wrapped = k.sviSliceEvaluate !== orig;
  } catch { /* a frozen exports object */ }
  if (wrapped) {
    const t0 = performance.now();
    const n = 2000;
    for (let i = 0; i < n; i++) e.fitSvi(args);
    const total = ((performance.now() - t0) * 1e3) / n;
    k.sviSliceEvaluate = orig;
    console.log(`phases (WASM, standard start): ${total.toFixed(1)} us per fit; ${(calls / n).toFixed(0)} kernel calls taking ${(us / n).toFixed(1)} us (timer included); the rest is the facade (checks, LM, butterfly check, statistics)`);
  } else console.log('phases: the engine does not expose its kernels; skipped');
}
console.log(`load at end ${os.loadavg().map((x) => x.toFixed(2)).join(' / ')}`);
