// SVI slice fit, WASM vs JS twin, same inputs, one run: `npm run build:ts && node bench/svi-fit.mjs`.
// The slice is the one of bench/calibration.mjs (25 strikes over k = -0.6..+0.6, T = 0.5, raw SVI
// a 0.02, b 0.15, rho -0.4, m 0.05, sigma 0.2), fitted from the standard and the far start; plus a
// 5-slice surface of 40 quotes per slice. Rounds alternate the backends so that a load change on
// the shared machine hits both; each figure is the median of ROUNDS batches of INNER fits, in process CPU time (other
// tenants of the machine disturb it less than wall time). The
// fits are checked equal across backends (parameters to 1e-9) before timing.
import os from 'node:os';
const riskwasm = await import(process.env.RISKWASM_DIST ?? '../dist/index.js');

const ROUNDS = Number(process.env.ROUNDS ?? 31);
const INNER = Number(process.env.INNER ?? 40);
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

const CASES = [
  { name: 'slice 25, standard start', args: { forwards: F, quotes: { ...slice(0.5, 25), expiries: 0.5 }, initial: { a: 0.01, b: 0.1, rho: 0, m: 0, sigma: 0.1 } } },
  { name: 'slice 25, far start', args: { forwards: F, quotes: { ...slice(0.5, 25), expiries: 0.5 }, initial: { a: 0.1, b: 0.5, rho: 0.5, m: -0.3, sigma: 0.8 } } },
  { name: 'slice 25, default start', args: { forwards: F, quotes: { ...slice(0.5, 25), expiries: 0.5 } } },
  { name: '5 slices x 40, default start', args: { forwards: F, quotes: surface() } },
];

const median = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];

const engines = { wasm: await riskwasm.createEngine({ backend: 'wasm' }), js: await riskwasm.createEngine({ backend: 'js' }) };
const load0 = os.loadavg();
console.log(`node ${process.version}; load ${load0.map((x) => x.toFixed(2)).join(' / ')}; ${ROUNDS} rounds x ${INNER} fits`);
for (const c of CASES) {
  const fits = {};
  for (const b of ['wasm', 'js']) fits[b] = engines[b].fitSvi(c.args);
  let dp = 0;
  fits.wasm.params.forEach((p, s) => { for (const k of Object.keys(p)) dp = Math.max(dp, Math.abs(p[k] - fits.js.params[s][k])); });
  if (!(dp <= 1e-9)) throw new Error(`${c.name}: WASM and JS fits differ by ${dp}`);
  const times = { wasm: [], js: [] };
  let sink = 0;
  for (let r = 0; r < ROUNDS; r++) {
    for (const b of r % 2 ? ['js', 'wasm'] : ['wasm', 'js']) {
      const e = engines[b];
      const c0 = process.cpuUsage();
      for (let i = 0; i < INNER; i++) sink += e.fitSvi(c.args).rmse;
      const c1 = process.cpuUsage(c0);
      times[b].push((c1.user + c1.system) / 1e3 / INNER);
    }
  }
  const w = median(times.wasm), j = median(times.js);
  // CPU time per fit (ms); printed in us.
  console.log(`${c.name.padEnd(30)} CPU per fit: WASM ${(w * 1e3).toFixed(1).padStart(7)} us  JS ${(j * 1e3).toFixed(1).padStart(7)} us  WASM/JS speed x${(j / w).toFixed(2)}  (${fits.wasm.iterations} it, rmse ${fits.wasm.rmse.toExponential(1)}, |dp| ${dp.toExponential(1)}${Number.isNaN(sink) ? '' : ''})`);
}
console.log(`load at end ${os.loadavg().map((x) => x.toFixed(2)).join(' / ')}`);
