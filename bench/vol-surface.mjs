// [surface] VolSurface evaluation throughput, WASM vs JS twin, one run:
// `npm run build:ts && node bench/vol-surface.mjs`. A 12-slice SVI surface (T from 1 week to 3 years),
// N points (default 1e6) at random log-moneyness in [-1.5, 1.5] and expiries in (0, 4] years: vol
// by moneyness, vol by strike (one log per point), and local vol; plus a 1000-point call (call
// overhead). Results are checked bit-identical across backends before timing; each figure is the
// median of ROUNDS calls in process CPU time, rounds alternating the backends so a load change on
// the shared machine hits both. Target (issue 14): vol() on 1e6 points >= 10 M points/s.
import os from 'node:os';
const riskwasm = await import(process.env.RISKWASM_DIST ?? '../dist/index.js');

const N = Number(process.env.N ?? 1e6);
const ROUNDS = Number(process.env.ROUNDS ?? 15);
const median = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];

const expiries = [7, 14, 30, 60, 91, 122, 182, 273, 365, 547, 730, 1095].map((d) => d / 365);
const slices = expiries.map((T) => ({ expiry: T, forward: 100 * Math.exp(0.03 * T), params: { a: 0.03 * T, b: 0.08 + 0.02 * Math.sqrt(T), rho: -0.35, m: 0.01, sigma: 0.2 + 0.05 * T } }));
let seed = 7;
const rnd = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
const k = Float64Array.from({ length: N }, () => -1.5 + 3 * rnd());
const T = Float64Array.from({ length: N }, () => 0.001 + 4 * rnd());
const K = Float64Array.from(k, (x, i) => 100 * Math.exp(0.03 * T[i] + x));

const engines = { wasm: await riskwasm.createEngine({ backend: 'wasm' }), js: await riskwasm.createEngine({ backend: 'js' }) };
const surfaces = { wasm: engines.wasm.volSurface(slices), js: engines.js.volSurface(slices) };
const CASES = [
  { name: `vol, moneyness, ${N} points`, n: N, run: (s) => s.vol({ moneyness: k, expiries: T }).vols },
  { name: `vol, strikes, ${N} points`, n: N, run: (s) => s.vol({ strikes: K, expiries: T }).vols },
  { name: `localVol, moneyness, ${N} points`, n: N, run: (s) => s.localVol({ moneyness: k, expiries: T }).localVols },
  { name: 'vol, moneyness, 1000 points', n: 1000, run: (s) => s.vol({ moneyness: k.subarray(0, 1000), expiries: T.subarray(0, 1000) }).vols },
];

const load0 = os.loadavg();
console.log(`node ${process.version}; ${os.cpus().length} cpus; load ${load0.map((x) => x.toFixed(2)).join(' / ')}; ${ROUNDS} rounds`);
for (const c of CASES) {
  const a = c.run(surfaces.wasm), b = c.run(surfaces.js);
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) throw new Error(`${c.name}: backends differ at ${i}: ${a[i]} vs ${b[i]}`);
  const times = { wasm: [], js: [] };
  let sink = 0;
  const inner = Math.max(1, Math.round(1e5 / c.n));
  for (let r = 0; r < ROUNDS; r++) {
    for (const be of r % 2 ? ['js', 'wasm'] : ['wasm', 'js']) {
      const c0 = process.cpuUsage();
      for (let i = 0; i < inner; i++) sink += c.run(surfaces[be])[0];
      const c1 = process.cpuUsage(c0);
      times[be].push((c1.user + c1.system) / 1e3 / inner);
    }
  }
  const w = median(times.wasm), j = median(times.js);
  const rate = (ms) => (c.n / ms / 1e3).toFixed(1);
  console.log(`${c.name.padEnd(36)} wasm ${w.toFixed(3).padStart(8)} ms (${rate(w).padStart(6)} M/s)   js ${j.toFixed(3).padStart(8)} ms (${rate(j).padStart(6)} M/s)   js/wasm ${(j / w).toFixed(2)}${sink === 0 ? ' ' : ''}`);
}
// Construction: from 12 SVI slices (checks + the 301-point calendar grid per pair), and from Heston
// parameters (6 expiries x 41 strikes priced, inverted and fitted by SVI), median of ROUNDS, wall time.
for (const { name, build } of [
  { name: 'build from 12 SVI slices', build: (e) => e.volSurface(slices) },
  { name: 'build from Heston (6 x 41 grid, SVI fits)', build: (e) => e.volSurface({ params: { v0: 0.04, kappa: 2, theta: 0.05, sigma: 0.5, rho: -0.6 } }, { spot: 100 }) },
]) {
  const times = { wasm: [], js: [] };
  for (let r = 0; r < ROUNDS; r++) for (const be of r % 2 ? ['js', 'wasm'] : ['wasm', 'js']) {
    const t0 = performance.now();
    build(engines[be]);
    times[be].push(performance.now() - t0);
  }
  console.log(`${name.padEnd(44)} wasm ${median(times.wasm).toFixed(2).padStart(7)} ms   js ${median(times.js).toFixed(2).padStart(7)} ms`);
}
console.log(`load after: ${os.loadavg().map((x) => x.toFixed(2)).join(' / ')}`);
