// [surface] Local-vol Monte Carlo throughput, WASM vs JS twin, one run:
// `npm run build:ts && node bench/local-vol-mc.mjs`. An SSVI surface (power-law phi, ATM vol 20%),
// a European put (K 90, T 1) priced by engine.monteCarloSync with PATHS paths (default 2^15) x
// STEPS steps (default 252), Philox; beside it GBM on the same grid of steps (the stepper without
// the grid lookup), and the job set-up alone (sampling surface.localVol on the default 252 x 401
// grid). Results are checked bit-identical across backends before timing; each figure is the
// median of ROUNDS runs in process CPU time, rounds alternating the backends (shared machine).
import os from 'node:os';
const riskwasm = await import(process.env.RISKWASM_DIST ?? '../dist/index.js');

const PATHS = Number(process.env.PATHS ?? 2 ** 15);
const STEPS = Number(process.env.STEPS ?? 252);
const ROUNDS = Number(process.env.ROUNDS ?? 5);
const median = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
const cpu = (fn) => {
  const c0 = process.cpuUsage();
  const out = fn();
  const c = process.cpuUsage(c0);
  return { s: (c.user + c.system) / 1e6, out };
};

const expiries = [0.25, 0.5, 1, 1.5];
const engines = { wasm: await riskwasm.createEngine({ backend: 'wasm' }), js: await riskwasm.createEngine({ backend: 'js' }) };
const surfaces = Object.fromEntries(Object.entries(engines).map(([b, e]) => [b, e.volSurface(
  { phi: 'powerLaw', params: { rho: -0.5, eta: 1, gamma: 0.4, thetas: expiries.map((T) => 0.04 * T), expiries } }, { spot: 100, rate: 0.03 })]));
const payoff = { kind: 'european', strike: 90, type: 'put' };
const run = { expiry: 1, steps: STEPS, paths: PATHS, seed: 1, payoff };
const CASES = [
  { name: `localVol put, ${PATHS} paths x ${STEPS} steps`, steps: PATHS * STEPS, run: (b) => engines[b].monteCarloSync({ ...run, model: { kind: 'localVol', surface: surfaces[b], spot: 100, rate: 0.03 } }).price },
  { name: `GBM put, same paths x steps`, steps: PATHS * STEPS, run: (b) => engines[b].monteCarloSync({ ...run, model: { kind: 'gbm', vol: 0.2, spot: 100, rate: 0.03 } }).price },
  { name: 'localVol job set-up only (grid sampling, 2 paths)', steps: 0, run: (b) => engines[b].monteCarloSync({ ...run, paths: 2, model: { kind: 'localVol', surface: surfaces[b], spot: 100, rate: 0.03 } }).price },
];

console.log(`node ${process.version}, ${os.cpus().length} cpus, load average ${os.loadavg().map((x) => x.toFixed(2)).join(' ')} (shared machine: figures are indicative)`);
for (const c of CASES) {
  const w = c.run('wasm');
  const j = c.run('js');
  if (!Object.is(w, j)) throw new Error(`${c.name}: backends differ (${w} vs ${j})`);
  const t = { wasm: [], js: [] };
  for (let r = 0; r < ROUNDS; r++) for (const b of r % 2 ? ['js', 'wasm'] : ['wasm', 'js']) t[b].push(cpu(() => c.run(b)).s);
  const mw = median(t.wasm);
  const mj = median(t.js);
  const rate = (s) => (c.steps ? `${(c.steps / s / 1e6).toFixed(1)} M steps/s` : `${(s * 1e3).toFixed(1)} ms`);
  console.log(`${c.name.padEnd(52)} wasm ${(mw * 1e3).toFixed(1).padStart(8)} ms (${rate(mw)})  js ${(mj * 1e3).toFixed(1).padStart(8)} ms (${rate(mj)})  js/wasm ${(mj / mw).toFixed(2)}`);
}
console.log(`load average after: ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);
