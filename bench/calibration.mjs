// Heston and Bates calibration timings. Standalone (the full table, Heston and Bates, every start
// and Jacobian): `npm run build && node bench/calibration.mjs [wasm|js]`. bench/run.mjs runs
// `runCalibrationBench` (the issue targets: Heston 200 quotes analytic vs forward differences, SVI
// slice fit vs ml-levenberg-marquardt) and writes `calibrationReport` into bench/RESULTS.md.
// Surface: a 200-quote synthetic surface (5 expiries 0.1..2 y x 40 out-of-the-
// money strikes over -3..+2 sd) priced with the pricer, then calibrated from the default start
// (derived from the smile) and from a far start (kappa 0.5), with the analytic Jacobian and with
// forward / central differences. Median of `REPEATS` warm runs per row; the first (cold) run is
// reported apart.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { levenbergMarquardt } from 'ml-levenberg-marquardt';

const REPEATS = 15;
export const F = 100;
export const HESTON = { v0: 0.04, kappa: 3, theta: 0.05, sigma: 0.6, rho: -0.7 };
export const BATES = { ...HESTON, lambda: 0.5, muJ: -0.1, deltaJ: 0.15 };
export const FAR_H = { v0: 0.1, kappa: 0.5, theta: 0.1, sigma: 0.3, rho: 0 };
export const FAR_B = { ...FAR_H, lambda: 1, muJ: 0, deltaJ: 0.3 };

export function surface(engine, price, params) {
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

/** Issue targets. */
export const CALIBRATION_TARGETS = { hestonMs: 30, analyticSpeedup: 5, sviMs: 0.5 };

// SVI slice (as test/calibration-models.test.ts): 25 strikes over k = -0.6..+0.6, T = 0.5.
export const SVI_TRUE = { a: 0.02, b: 0.15, rho: -0.4, m: 0.05, sigma: 0.2 };
const SVI_T = 0.5;
const SVI_STRIKES = Array.from({ length: 25 }, (_, i) => F * Math.exp(-0.6 + 0.05 * i));
/** Starts shared by riskwasm and ml-levenberg-marquardt: a generic one and a far one. */
export const SVI_STARTS = {
  standard: { a: 0.01, b: 0.1, rho: 0, m: 0, sigma: 0.1 },
  far: { a: 0.1, b: 0.5, rho: 0.5, m: -0.3, sigma: 0.8 },
};
const sviW = (/** @type {number[]} */ [a, b, rho, m, sigma], /** @type {number} */ k) => a + b * (rho * (k - m) + Math.sqrt((k - m) ** 2 + sigma ** 2));
/** The SVI raw formula as ml-levenberg-marquardt's parameterized function: k -> Black vol (w clamped at 0). */
const sviVolFn = (p) => (k) => Math.sqrt(Math.max(sviW(p, k), 0) / SVI_T);
const asArray = (q) => [q.a, q.b, q.rho, q.m, q.sigma];

const cpuUsage = typeof process !== 'undefined' && typeof process.cpuUsage === 'function' ? process.cpuUsage.bind(process) : null;

/** Time `rounds` batches of `inner` calls: best and median ms per call, CPU ms per call of the best batch. */
function timePerCall(fn, rounds, inner = 1) {
  const runs = [];
  let result;
  for (let r = 0; r < rounds; r++) {
    const c0 = cpuUsage?.();
    const t0 = performance.now();
    for (let k = 0; k < inner; k++) result = fn();
    const wall = (performance.now() - t0) / inner;
    const c = c0 ? cpuUsage(c0) : null;
    runs.push({ wall, cpu: c ? (c.user + c.system) / 1e3 / inner : NaN });
  }
  const sorted = [...runs].sort((a, b) => a.wall - b.wall);
  return { ms: sorted[0].wall, medianMs: sorted[(sorted.length - 1) >> 1].wall, cpuMs: Math.min(...runs.map((x) => x.cpu)), reps: rounds * inner, result };
}

/** Warm-up fits per start and backend before the SVI rounds. */
const SVI_WARMUP = 300;

/**
 * Time `fns` (by name) in `rounds` rounds of `inner` calls each, the order of the names alternating
 * round by round: per name, best and median ms per call, CPU ms per call of the best batch.
 */
function timeAlternating(fns, rounds, inner) {
  const names = Object.keys(fns);
  const runs = Object.fromEntries(names.map((n) => [n, []]));
  const results = {};
  for (let r = 0; r < rounds; r++) {
    for (const name of r % 2 ? [...names].reverse() : names) {
      const fn = fns[name];
      const c0 = cpuUsage?.();
      const t0 = performance.now();
      for (let k = 0; k < inner; k++) results[name] = fn();
      const wall = (performance.now() - t0) / inner;
      const c = c0 ? cpuUsage(c0) : null;
      runs[name].push({ wall, cpu: c ? (c.user + c.system) / 1e3 / inner : NaN });
    }
  }
  return Object.fromEntries(names.map((name) => {
    const sorted = [...runs[name]].sort((a, b) => a.wall - b.wall);
    return [name, { ms: sorted[0].wall, medianMs: sorted[(sorted.length - 1) >> 1].wall, cpuMs: Math.min(...runs[name].map((x) => x.cpu)), reps: rounds * inner, result: results[name] }];
  }));
}

/**
 * @param {any} riskwasm
 * @param {{ quick?: boolean, log?: (line: string) => void }} [options]
 */
export async function runCalibrationBench(riskwasm, { quick = false, log = () => {} } = {}) {
  const engines = { wasm: await riskwasm.createEngine({ backend: 'wasm' }), js: await riskwasm.createEngine({ backend: 'js' }) };
  const heston = [];
  const svi = [];
  const rounds = (n) => (quick ? Math.max(2, Math.ceil(n / 3)) : n);
  // ---------------------------------------------------------------- Heston, 200 quotes
  const quotes = surface(engines.wasm, 'hestonPrice', HESTON);
  for (const impl of ['wasm', 'js']) {
    const engine = engines[impl];
    for (const [start, initial] of [['default', undefined], ['far', FAR_H]]) {
      for (const jacobian of ['analytic', 'forward']) {
        const run = () => engine.calibrateHeston({ forwards: F, quotes, initial, jacobian });
        const t0 = performance.now();
        run();
        const firstMs = performance.now() - t0;
        const t = timePerCall(run, rounds(jacobian === 'analytic' ? 11 : 5));
        const r = t.result;
        const err = Math.max(...Object.keys(HESTON).map((k) => Math.abs(r.params[k] - HESTON[k])));
        heston.push({ impl, start, jacobian, ms: t.ms, medianMs: t.medianMs, cpuMs: t.cpuMs, firstMs, iterations: r.iterations, evaluations: r.evaluations, rmse: r.rmse, paramErr: err, reason: r.reason });
        log(`calib Heston ${impl} ${start} ${jacobian}: ${t.ms.toFixed(2)} ms (median ${t.medianMs.toFixed(2)}, CPU ${t.cpuMs.toFixed(2)}, first ${firstMs.toFixed(1)}), ${r.iterations} it ${r.evaluations} ev, max |param err| ${err.toExponential(1)}, rmse ${r.rmse.toExponential(1)} vol pts, ${r.reason}`);
      }
    }
  }
  // ---------------------------------------------------------------- Heston, bundled BTC surface
  // The real case the issue names: Deribit BTC 2026-01-05, out-of-the-money quotes per expiry
  // (buildSurface), spread weights, vol objective, from the default start.
  const csv = readFileSync(new URL('../data/market/deribit_options_snapshot_20260105T153329Z.csv', import.meta.url), 'utf8');
  const btc = engines.wasm.buildSurface(riskwasm.loadDeribitChain(csv), { currency: 'BTC' });
  const btcCase = `BTC 2026-01-05 (${btc.quotes.strikes.length} quotes)`;
  for (const impl of ['wasm', 'js']) {
    for (const jacobian of ['analytic', 'forward']) {
      const run = () => engines[impl].calibrateHeston({ forwards: btc.forwards, quotes: btc.quotes, jacobian });
      const t0 = performance.now();
      run();
      const firstMs = performance.now() - t0;
      const t = timePerCall(run, rounds(jacobian === 'analytic' ? 5 : 3));
      const r = t.result;
      heston.push({ case: btcCase, impl, start: 'default', surface: 'btc', jacobian, ms: t.ms, medianMs: t.medianMs, cpuMs: t.cpuMs, firstMs, iterations: r.iterations, evaluations: r.evaluations, rmse: r.rmse, paramErr: NaN, reason: r.reason });
      log(`calib Heston ${impl} ${btcCase} ${jacobian}: ${t.ms.toFixed(2)} ms (CPU ${t.cpuMs.toFixed(2)}), ${r.iterations} it ${r.evaluations} ev, rmse ${r.rmse.toFixed(2)} vol pts, ${r.reason}`);
    }
  }
  // ---------------------------------------------------------------- SVI slice
  const ks = SVI_STRIKES.map((K) => Math.log(K / F));
  const vols = ks.map((k) => Math.sqrt(sviW(asArray(SVI_TRUE), k) / SVI_T));
  const rmseVolPts = (p) => 100 * Math.sqrt(ks.reduce((s, k, i) => s + (sviVolFn(p)(k) - vols[i]) ** 2, 0) / ks.length);
  const sviQuotes = { strikes: SVI_STRIKES, expiries: SVI_T, vols };
  // Both backends' fits share the facade's JavaScript: each start is first run SVI_WARMUP times on
  // both (V8 compiles that code on first use; warmed by one backend only, the JIT landed in the
  // rounds of whichever ran first: WASM, x0.41 in an earlier RESULTS.md), then timed in rounds
  // that alternate the backends.
  const sviWarmup = quick ? 100 : SVI_WARMUP;
  for (const [start, init] of Object.entries(SVI_STARTS)) {
    const runs = Object.fromEntries(['wasm', 'js'].map((impl) => [impl, () => engines[impl].fitSvi({ forwards: F, quotes: sviQuotes, initial: init })]));
    for (let i = 0; i < sviWarmup; i++) for (const impl of ['wasm', 'js']) runs[impl]();
    const timed = timeAlternating(runs, rounds(41), 40);
    for (const impl of ['wasm', 'js']) {
      const t = timed[impl];
      const p = t.result.params[0];
      const rm = rmseVolPts(asArray(p));
      svi.push({ impl, start, ms: t.ms, medianMs: t.medianMs, cpuMs: t.cpuMs, iterations: t.result.iterations, rmse: rm, reportedRmse: t.result.rmse, reason: t.result.reason, params: p });
      log(`calib SVI ${impl} ${start}: ${(t.ms * 1e3).toFixed(1)} us (median ${(t.medianMs * 1e3).toFixed(1)}, CPU ${(t.cpuMs * 1e3).toFixed(1)}), ${t.result.iterations} it, rmse ${rm.toExponential(2)} vol pts (reported ${t.result.rmse.toExponential(2)}), ${t.result.reason}`);
    }
    for (const [variant, extra] of /** @type {[string, object][]} */ ([['defaults + maxIterations 1000', {}], ['errorTolerance 1e-20 (tuned)', { errorTolerance: 1e-20 }]])) {
      const opts = { initialValues: asArray(init), maxIterations: 1000, ...extra };
      const run = () => levenbergMarquardt({ x: ks, y: vols }, sviVolFn, opts);
      for (let i = 0; i < sviWarmup; i++) run();
      const t = timePerCall(run, rounds(9), variant.startsWith('defaults') ? 20 : 2);
      const p = t.result.parameterValues;
      const rm = rmseVolPts(p);
      svi.push({ impl: 'ml-levenberg-marquardt', variant, start, ms: t.ms, medianMs: t.medianMs, cpuMs: t.cpuMs, iterations: t.result.iterations, rmse: rm, params: { a: p[0], b: p[1], rho: p[2], m: p[3], sigma: p[4] } });
      log(`calib SVI ml-levenberg-marquardt (${variant}) ${start}: ${(t.ms * 1e3).toFixed(1)} us (CPU ${(t.cpuMs * 1e3).toFixed(1)}), ${t.result.iterations} it, rmse ${rm.toExponential(2)} vol pts`);
    }
  }
  return { heston, svi, targets: CALIBRATION_TARGETS, sviTrue: SVI_TRUE, hestonTrue: HESTON };
}

const f2 = (x) => (Number.isFinite(x) ? (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x >= 1 ? x.toFixed(2) : x.toFixed(3)) : 'n/a');
const sci = (x) => (Number.isFinite(x) ? x.toExponential(1) : 'n/a');

/** The calibration section of bench/RESULTS.md (markdown lines). */
export function calibrationReport(c) {
  const L = [];
  const p = (s = '') => L.push(s);
  p('## Calibration (Node, `engine.calibrateHeston`, `engine.fitSvi`)');
  p();
  if (!c || c.error) {
    p(`Not run${c?.error ? `: ${c.error}` : ''}.`);
    p();
    return L;
  }
  const T = c.targets;
  const h = (impl, start, jac) => c.heston.find((x) => !x.surface && x.impl === impl && x.start === start && x.jacobian === jac);
  const s = (impl, start, variant) => c.svi.find((x) => x.impl === impl && x.start === start && (variant === undefined || x.variant === variant));
  const verdict = (ok, okCpu) => (ok === null ? '**not measured**' : ok ? 'met' : okCpu ? '**missed** on wall clock, met per CPU-second' : '**missed**');
  const ha = h('wasm', 'default', 'analytic'), hf = h('wasm', 'default', 'forward');
  const sw = s('wasm', 'standard'), ml = s('ml-levenberg-marquardt', 'standard', 'defaults + maxIterations 1000');
  const hOk = ha && ha.paramErr < 1e-4;
  p('Best warm run (median in brackets); CPU = process user + system time. Heston: 200 quotes (5 expiries 0.1..2 y x 40 strikes over -3..+2 sd), vol objective, priced with the Heston pricer at ' + Object.entries(c.hestonTrue).map(([k, v]) => `${k} ${v}`).join(', ') + '; "default" start = derived from the smile, "far" = ' + Object.entries(FAR_H).map(([k, v]) => `${k} ${v}`).join(', ') + '.');
  p();
  p('| target | measured (wall) | per CPU | |');
  p('|---|---|---|---|');
  if (ha) p(`| Heston calibration, 200 quotes, default start <= ${T.hestonMs} ms (WASM) | ${f2(ha.ms)} ms | ${f2(ha.cpuMs)} ms | ${hOk ? verdict(ha.ms <= T.hestonMs, ha.cpuMs <= T.hestonMs) : '**missed** (did not recover the parameters)'} |`);
  if (ha && hf) p(`| analytic Jacobian >= ${T.analyticSpeedup}x faster than forward differences (WASM, default start) | x${(hf.ms / ha.ms).toFixed(2)} | x${(hf.cpuMs / ha.cpuMs).toFixed(2)} | ${verdict(hf.ms / ha.ms >= T.analyticSpeedup, hf.cpuMs / ha.cpuMs >= T.analyticSpeedup)} |`);
  if (sw) p(`| SVI slice fit <= ${T.sviMs} ms (WASM, 25 quotes) | ${f2(sw.ms)} ms | ${f2(sw.cpuMs)} ms | ${verdict(sw.ms <= T.sviMs, sw.cpuMs <= T.sviMs)} |`);
  if (sw && ml) {
    const faster = sw.ms < ml.ms, better = sw.rmse <= ml.rmse;
    p(`| SVI fit beats ml-levenberg-marquardt on time and final error (same slice, same start) | ${f2(sw.ms)} vs ${f2(ml.ms)} ms; RMSE ${sci(sw.rmse)} vs ${sci(ml.rmse)} vol pts | ${f2(sw.cpuMs)} vs ${f2(ml.cpuMs)} ms | ${faster && better ? 'met' : `**missed** (${[faster ? null : 'slower', better ? null : 'larger error'].filter(Boolean).join(', ')})`} |`);
  }
  p();
  p('| Heston | backend | start | Jacobian | wall ms (median) | CPU ms | first run ms | iterations | evaluations | max abs param error | RMSE (vol pts) | end |');
  p('|---|---|---|---|--:|--:|--:|--:|--:|--:|--:|---|');
  for (const x of c.heston) p(`| ${x.case ?? '200 quotes (synthetic)'} | ${x.impl === 'wasm' ? 'WASM' : 'JS twin'} | ${x.start} | ${x.jacobian} | ${f2(x.ms)} (${f2(x.medianMs)}) | ${f2(x.cpuMs)} | ${f2(x.firstMs)} | ${x.iterations} | ${x.evaluations} | ${sci(x.paramErr)} | ${x.surface ? x.rmse.toFixed(2) : sci(x.rmse)} | ${x.reason} |`);
  p();
  const sj = s('js', 'standard');
  const fa = h('wasm', 'far', 'analytic'), ff = h('wasm', 'far', 'forward');
  if (ha && hf) p(`Analytic vs forward differences: from the default start both take ${ha.iterations} iterations; forward differences cost ${hf.evaluations} pricer evaluations against ${ha.evaluations} (each analytic evaluation also prices the 5-parameter gradient, so it costs more than one plain pricing), hence x${(hf.ms / ha.ms).toFixed(2)}${fa && ff ? `; from the far start forward differences also need more iterations (${ff.iterations} vs ${fa.iterations}) and the ratio is x${(ff.ms / fa.ms).toFixed(2)}` : ''}.`);
  if (ha && h('js', 'default', 'analytic')) p(`WASM / JS twin on the Heston calibration (default start, analytic): x${(h('js', 'default', 'analytic').ms / ha.ms).toFixed(2)}. For scale (issue figure, other machine): QuantLib C++ takes 1.0-1.5 s with finite differences.`);
  p();
  p(`SVI: one slice of 25 quotes, k = ln(K/F) in -0.6..+0.6, T = ${SVI_T}, vols from raw SVI ${Object.entries(c.sviTrue).map(([k, v]) => `${k} ${v}`).join(', ')}; both fitters minimise the squared vol residuals from the same start; RMSE is recomputed here from each fit's parameters, in vol points. ml-levenberg-marquardt 5.1.0 gets the raw SVI formula as its parameterized function (vol = sqrt(max(w, 0) / T)), forward-difference Jacobian, its default options with \`maxIterations: 1000\`; its default \`errorTolerance\` (1e-2 on the sum of squared residuals) stops it early, so a tuned row (\`errorTolerance: 1e-20\`) is also given. riskwasm's time includes its butterfly-arbitrage check. Every fitter is warmed up (${SVI_WARMUP} fits per start, WASM and JS twin alternating) before timing; the two backends' rounds alternate.`);
  p();
  p('| SVI slice | fitter | start | wall ms (median) | CPU ms | iterations | RMSE (vol pts) | end |');
  p('|---|---|---|--:|--:|--:|--:|---|');
  for (const x of c.svi) {
    const name = x.impl === 'wasm' ? 'riskwasm WASM' : x.impl === 'js' ? 'riskwasm JS twin' : `ml-levenberg-marquardt, ${x.variant}`;
    p(`| 25 quotes | ${name} | ${x.start} | ${f2(x.ms)} (${f2(x.medianMs)}) | ${f2(x.cpuMs)} | ${x.iterations} | ${sci(x.rmse)} | ${x.reason ?? '—'} |`);
  }
  p();
  if (sj && sw) {
    const fj = s('js', 'far'), fw = s('wasm', 'far');
    // The median batch of the alternating rounds is the steadier figure on a shared machine; the best batch as before.
    const far = fj && fw ? `; far start x${(fj.medianMs / fw.medianMs).toFixed(2)} (best x${(fj.ms / fw.ms).toFixed(2)})` : '';
    p(`WASM / JS twin on the SVI fit (standard start): x${(sj.medianMs / sw.medianMs).toFixed(2)} on the median batch (best batch x${(sj.ms / sw.ms).toFixed(2)})${far}.`);
  }
  p();
  return L;
}

// Standalone run: the full table.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { createEngine } = await import('../dist/index.js');
  for (const backend of /** @type {('wasm' | 'js')[]} */ (process.argv[2] ? [process.argv[2]] : ['wasm', 'js'])) {
    const engine = await createEngine({ backend });
    for (const [model, price, calibrate, truth, far] of /** @type {[string, string, string, Record<string, number>, object][]} */ ([
      ['Heston', 'hestonPrice', 'calibrateHeston', HESTON, FAR_H],
      ['Bates', 'batesPrice', 'calibrateBates', BATES, FAR_B],
    ])) {
      const quotes = surface(engine, price, truth);
      for (const [startName, initial] of /** @type {[string, object | undefined][]} */ ([['default', undefined], ['far', far]])) {
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
}
