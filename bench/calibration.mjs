// Heston and Bates calibration timings (standalone: `npm run build && node bench/calibration.mjs`;
// not part of bench/run.mjs). A 200-quote synthetic surface (5 expiries 0.1..2 y x 40 out-of-the-
// money strikes over -3..+2 sd) priced with the pricer, then calibrated from the default start
// (derived from the smile) and from a far start (kappa 0.5), with the analytic Jacobian and with
// forward / central differences. Median of `REPEATS` warm runs per row; the first (cold) run is
// reported apart.
import { createEngine } from '../dist/index.js';

const REPEATS = 15;
const F = 100;
const HESTON = { v0: 0.04, kappa: 3, theta: 0.05, sigma: 0.6, rho: -0.7 };
const BATES = { ...HESTON, lambda: 0.5, muJ: -0.1, deltaJ: 0.15 };
const FAR_H = { v0: 0.1, kappa: 0.5, theta: 0.1, sigma: 0.3, rho: 0 };
const FAR_B = { ...FAR_H, lambda: 1, muJ: 0, deltaJ: 0.3 };

function surface(engine, price, params) {
  const strikes = [], expiries = [];
  for (const T of [0.1, 0.25, 0.5, 1, 2]) for (let j = 0; j < 40; j++) {
    strikes.push(F * Math.exp(Math.sqrt(0.05 * T) * (-3 + (5 * j) / 39)));
    expiries.push(T);
  }
  const types = strikes.map((K) => (K >= F ? 'call' : 'put'));
  const prices = engine[price]({ forwards: F, strikes, expiries, types, params }).price;
  const vols = engine.impliedVol({ prices, forwards: F, strikes, expiries, types }).vols;
  return { strikes, expiries, types, vols };
}

const median = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];

for (const backend of (process.argv[2] ? [process.argv[2]] : ['wasm', 'js'])) {
  const engine = await createEngine({ backend });
  for (const [model, price, calibrate, truth, far] of [
    ['Heston', 'hestonPrice', 'calibrateHeston', HESTON, FAR_H],
    ['Bates', 'batesPrice', 'calibrateBates', BATES, FAR_B],
  ]) {
    const quotes = surface(engine, price, truth);
    for (const [startName, initial] of [['default', undefined], ['far', far]]) {
      for (const jacobian of ['analytic', 'forward', 'central']) {
        const run = () => engine[calibrate]({ forwards: F, quotes, initial, jacobian });
        const t0 = performance.now();
        const first = run();
        const cold = performance.now() - t0;
        const times = [];
        let r = first;
        for (let k = 0; k < REPEATS; k++) {
          const t = performance.now();
          r = run();
          times.push(performance.now() - t);
        }
        const err = Math.max(...Object.keys(truth).map((k) => Math.abs(r.params[k] - truth[k])));
        console.log(`${backend.padEnd(4)} ${model.padEnd(6)} ${startName.padEnd(7)} ${jacobian.padEnd(8)} median ${median(times).toFixed(1).padStart(7)} ms (first ${cold.toFixed(1)} ms)  ${String(r.iterations).padStart(3)} it ${String(r.evaluations).padStart(4)} ev  max |param err| ${err.toExponential(1)}  rmse ${r.rmse.toExponential(1)} vol pts  ${r.reason}`);
      }
    }
  }
}
