// Discrete-hedging benchmark ([hedging] simulate): `engine.simulateHedging` of a short ATM call,
// 1e5 paths x 252 steps with daily delta hedging (GBM), on the WASM engine (one thread) vs its
// pure-JS twin in the same run, plus Heston and local-vol cases and a two-worker WASM run. Results are checked
// equal (bit for bit) across backends before timing is reported. Wall clock and process CPU time
// (user + system; the machine may be shared: report `uptime` with the figures).
//   node bench/hedging-sim.mjs [--quick] [--no-js]     (after `npm run build`)

import { closeSharedPools, createEngine } from '../dist/index.js';
import { loadavg } from 'node:os';

/** Issue 15 target: 1e5 paths x 252 steps, daily delta hedging, one WASM thread. */
export const HEDGING_TARGET_S = 0.5;

const quick = process.argv.includes('--quick');
const noJs = process.argv.includes('--no-js');
/** @typedef {import('../dist/index.js').SimulateHedgingArgs} Args */
const paths = quick ? 2e4 : 1e5;
/** @type {Omit<Args, 'model'>} */
const base = { positions: [{ type: 'call', strike: 100, expiry: 1, quantity: -1 }], paths, steps: 252, seed: 20260101, costs: { proportional: 0.0005 } };
/** @type {Args['model']} */
const GBM = { kind: 'gbm', spot: 100, rate: 0.03, dividendYield: 0.01, vol: 0.2 };
/** @type {Args['model']} */
const HESTON = { kind: 'heston', spot: 100, rate: 0.03, dividendYield: 0.01, v0: 0.04, kappa: 1.5, theta: 0.04, sigma: 0.5, rho: -0.7 };

/**
 * Wall and process CPU time (user + system) of `reps` calls: best and median of each (on a shared
 * machine CPU time is the steadier figure: other processes stretch the wall clock).
 * @template T @param {() => Promise<T>} fn @param {number} reps
 * @returns {Promise<{ best: number, median: number, cpu: number, cpuMedian: number, result: T }>}
 */
async function time(fn, reps) {
  let result;
  const times = [];
  const cpus = [];
  for (let k = 0; k < reps; k++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    result = await fn();
    times.push((performance.now() - t0) / 1000);
    const c = process.cpuUsage(c0);
    cpus.push((c.user + c.system) / 1e6);
  }
  times.sort((a, b) => a - b);
  cpus.sort((a, b) => a - b);
  return { best: times[0], median: times[times.length >> 1], cpu: cpus[0], cpuMedian: cpus[cpus.length >> 1], result };
}

/** @param {import('../dist/index.js').SimulateHedgingResult} a @param {import('../dist/index.js').SimulateHedgingResult} b */
function same(a, b) {
  for (let r = 0; r < a.runs.length; r++) {
    const x = a.runs[r].samples.pnl;
    const y = b.runs[r].samples.pnl;
    for (let i = 0; i < x.length; i++) if (!Object.is(x[i], y[i])) return false;
  }
  return true;
}

const wasm = await createEngine({ backend: 'wasm' });
const js = await createEngine({ backend: 'js' });
console.log(`load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}, ${paths} paths x 252 steps`);
// [hedging] A local-vol model: raw SVI slices with skew (the surface of test/montecarlo-local-vol.test.ts).
const fwd = (/** @type {number} */ T) => 100 * Math.exp(0.02 * T);
const slices = [
  { expiry: 0.5, forward: fwd(0.5), params: { a: 0.012, b: 0.06, rho: -0.35, m: 0.02, sigma: 0.2 } },
  { expiry: 1, forward: fwd(1), params: { a: 0.025, b: 0.08, rho: -0.3, m: 0.02, sigma: 0.25 } },
];
/** @type {Args['model']} */
const LOCAL_VOL = { kind: 'localVol', surface: wasm.volSurface(slices), spot: 100, rate: 0.03, dividendYield: 0.01 };
/** @type {{ label: string, args: Args }[]} */
const cases = [
  { label: 'GBM daily delta hedge', args: { ...base, model: GBM } },
  { label: 'Heston QE daily delta hedge', args: { ...base, model: HESTON } },
  { label: 'local vol (SVI surface, sticky-strike deltas) daily delta hedge', args: { ...base, model: LOCAL_VOL } },
];
for (const { label, args } of cases) {
  const first = await time(() => wasm.simulateHedging({ ...args, samples: true }), 1);
  const w = await time(() => wasm.simulateHedging(args), quick ? 2 : 5);
  let line = `${label}: WASM 1 thread wall best ${w.best.toFixed(3)} s (median ${w.median.toFixed(3)}, first ${first.best.toFixed(3)}), cpu best ${w.cpu.toFixed(3)} s (median ${w.cpuMedian.toFixed(3)})`;
  if (!noJs) {
    const j = await time(() => js.simulateHedging({ ...args, samples: true }), quick ? 1 : 2);
    if (!same(first.result, j.result)) throw new Error(`${label}: WASM and JS differ`);
    line += `; JS best ${j.best.toFixed(3)} s (cpu ${j.cpu.toFixed(3)} s); JS / WASM ${(j.best / w.best).toFixed(2)}x wall, ${(j.cpu / w.cpu).toFixed(2)}x cpu (results identical)`;
  }
  const w2 = await time(() => wasm.simulateHedging({ ...args, workers: 2, samples: true }), quick ? 1 : 3);
  if (!same(first.result, w2.result)) throw new Error(`${label}: workers 2 differ`);
  line += `; WASM 2 workers ${w2.best.toFixed(3)} s`;
  if (label.startsWith('GBM') && !quick) line += ` [target <= ${HEDGING_TARGET_S} s one thread: wall ${w.best <= HEDGING_TARGET_S ? 'met' : 'not met'}, cpu ${w.cpu <= HEDGING_TARGET_S ? 'met' : 'not met'}]`;
  if (label.startsWith('GBM')) {
    // The floor under the hedge: the same paths and accounting with no rebalancing (draws, GBM steps,
    // exp for the spots, P&L sums); daily delta hedging's own cost is the difference.
    const u = await time(() => wasm.simulateHedging({ ...args, strategy: 'none' }), quick ? 2 : 3);
    line += `\n  unhedged floor (same paths, no rebalancing): WASM best ${u.best.toFixed(3)} s (cpu ${u.cpu.toFixed(3)} s)`;
  }
  const run = w.result.runs[0];
  line += `\n  sd ${run.pnl.sd.toFixed(4)}, mean ${run.pnl.mean.toFixed(4)}, cost ${run.cost.mean.toFixed(4)}`;
  console.log(line);
}
await closeSharedPools();
