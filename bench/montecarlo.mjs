// Monte Carlo benchmarks: `engine.monteCarlo` on the WASM engine vs its pure-JS twin, one thread
// vs two workers, for
//   - GBM European 1e6 paths x 1 step (per-path overhead: one normal per path),
//   - GBM European 1e5 paths x 252 steps (draws: 2.52e7 normals),
//   - Heston QE European 1e5 paths x 252 steps (2 draws per step),
//   - Merton European 1e5 paths x 252 steps (3 draws per step; lambda 1.5, jumps N(-0.1, 0.2^2)),
//   - Bates European 1e5 paths x 252 steps (the Heston model with those jumps; 4 draws per step).
// Wall clock and process CPU time (user + system, all threads: the machine may be shared), and
// memory (RSS and V8 heap) before and after a long run of repeated pricings.
// Used by bench/run.mjs (figures into bench/RESULTS.md); standalone:
//   node bench/montecarlo.mjs [--quick] [--no-js]     (after `npm run build`)

import { fileURLToPath } from 'node:url';

/** Issue 13 targets (the summary table in bench/report.mjs holds the full list). */
export const MC_TARGETS = {
  normalsPerSec: 100e6,
  gbm252S: 0.25,
  heston252S: 0.6,
  twoWorkerSpeedup: 1.8,
};

const GBM = { kind: 'gbm', spot: 100, rate: 0.03, dividendYield: 0.01, vol: 0.25 };
const HESTON = { kind: 'heston', spot: 100, rate: 0.03, dividendYield: 0.01, v0: 0.04, kappa: 1.5, theta: 0.04, sigma: 0.5, rho: -0.7 };
const MERTON = { kind: 'merton', spot: 100, rate: 0.03, dividendYield: 0.01, vol: 0.25, jumpIntensity: 1.5, jumpMean: -0.1, jumpVol: 0.2 };
const BATES = { ...HESTON, kind: 'bates', jumpIntensity: 1.5, jumpMean: -0.1, jumpVol: 0.2 };
const CALL = { kind: 'european', strike: 100, type: 'call' };

const GBM252 = { id: 'gbm252', label: 'GBM European, 1e5 paths x 252 steps', model: GBM, paths: 1e5, steps: 252, dps: 1 };

/** The benchmark cases: draws = paths x steps x draws per step. */
export const MC_CASES = [
  { id: 'gbm1', label: 'GBM European, 1e6 paths x 1 step', model: GBM, paths: 1e6, steps: 1, dps: 1 },
  GBM252,
  { id: 'heston252', label: 'Heston QE European, 1e5 paths x 252 steps', model: HESTON, paths: 1e5, steps: 252, dps: 2 },
  // No issue-13 target; the f64x2 pair path for jumps (session 12): 3 draws per step (Z, the jump-count uniform, the jump normal).
  { id: 'merton252', label: 'Merton European, 1e5 paths x 252 steps', model: MERTON, paths: 1e5, steps: 252, dps: 3 },
  { id: 'bates252', label: 'Bates European, 1e5 paths x 252 steps', model: BATES, paths: 1e5, steps: 252, dps: 4 },
];

const cpuUsage = typeof process !== 'undefined' && typeof process.cpuUsage === 'function' ? process.cpuUsage.bind(process) : null;

function args(c, workers) {
  return { model: c.model, payoff: CALL, expiry: 1, paths: c.paths, steps: c.steps, seed: 20260101, ...(workers > 1 ? { workers } : {}) };
}

/**
 * Time `reps` runs of one pricing; returns the best and median wall seconds and the CPU seconds of
 * the best-wall run, plus the last result (consumed by the caller).
 */
async function timeRuns(fn, reps) {
  const runs = [];
  let result;
  for (let k = 0; k < reps; k++) {
    const c0 = cpuUsage?.();
    const t0 = performance.now();
    result = await fn();
    const wall = (performance.now() - t0) / 1e3;
    const c = c0 ? cpuUsage(c0) : null;
    runs.push({ wall, cpu: c ? (c.user + c.system) / 1e6 : NaN });
  }
  const sorted = [...runs].sort((a, b) => a.wall - b.wall);
  const best = sorted[0];
  const median = sorted[Math.floor((sorted.length - 1) / 2)];
  const bestCpu = Math.min(...runs.map((r) => r.cpu));
  return { wallS: best.wall, medianWallS: median.wall, cpuS: bestCpu, reps, result };
}

/**
 * Run the Monte Carlo benchmarks. `riskwasm` is the module namespace of dist/index.js.
 * Options: quick (fewer repetitions, shorter memory run), js (time the JS twin, default true).
 * @param {any} riskwasm
 * @param {{ quick?: boolean, js?: boolean, log?: (line: string) => void }} [options]
 */
export async function runMonteCarloBench(riskwasm, { quick = false, js = true, log = () => {} } = {}) {
  const wasm = await riskwasm.createEngine({ backend: 'wasm' });
  const jsEngine = js ? await riskwasm.createEngine({ backend: 'js' }) : null;
  const rows = [];
  const checks = [];
  const sink = { value: 0 };

  // Verification: WASM and JS agree on one shard-sized run of each case (same draws, same
  // arithmetic; exp/log may differ in the last bit).
  for (const c of MC_CASES) {
    if (!jsEngine) break;
    const a = { ...args(c, 1), paths: Math.min(c.paths, 4096) };
    const rw = wasm.monteCarloSync(a);
    const rj = jsEngine.monteCarloSync(a);
    const err = Math.abs(rw.price - rj.price) / Math.abs(rj.price);
    checks.push({ id: c.id, what: `WASM vs JS twin price, ${a.paths} paths`, err, tol: 1e-12, ok: err <= 1e-12 });
    log(`mc check ${err <= 1e-12 ? 'ok  ' : 'FAIL'} ${c.label}: WASM ${rw.price} vs JS ${rj.price} (rel ${err.toExponential(2)})`);
  }

  // Is the worker pool there? A small two-worker run reports how many workers it used.
  // `engine.monteCarlo({ workers: 2 })` is the API the targets name; until the facade routes it to
  // the pool, the package's monteCarloParallel (same shards, same merge) is used when exported.
  let poolVia = null;
  let run2 = null;
  const probeArgs = { ...args(MC_CASES[0], 2), paths: 1 << 16 };
  try {
    const probe = await wasm.monteCarlo(probeArgs);
    if ((probe.details.workersUsed ?? 1) >= 2) {
      poolVia = 'engine.monteCarlo({ workers: 2 })';
      run2 = (e, a) => e.monteCarlo(a);
    }
  } catch (e) {
    log(`mc two-worker probe failed: ${e?.message ?? e}`);
  }
  const parallel = riskwasm.monteCarloParallel ? riskwasm : await import('../dist/parallel/index.js').catch(() => ({}));
  if (!run2 && typeof parallel.monteCarloParallel === 'function') {
    try {
      const probe = await parallel.monteCarloParallel(wasm, probeArgs);
      if ((probe.details.workersUsed ?? 1) >= 2) {
        poolVia = 'monteCarloParallel(engine, { workers: 2 })';
        run2 = (e, a) => parallel.monteCarloParallel(e, a);
      }
    } catch (e) {
      log(`mc monteCarloParallel probe failed: ${e?.message ?? e}`);
    }
  }
  const poolAvailable = run2 !== null;
  log(`mc worker pool: ${poolAvailable ? `available via ${poolVia}` : 'not available (workers: 2 runs in one thread)'}`);

  for (const c of MC_CASES) {
    const heavy = c.paths * c.steps * c.dps >= 1e7;
    const reps = quick ? (heavy ? 2 : 3) : heavy ? 4 : 6;
    const draws = c.paths * c.steps * c.dps;
    const add = (impl, workers, t) => {
      sink.value += t.result.price;
      const row = {
        id: c.id, label: c.label, impl, workers, paths: c.paths, steps: c.steps, draws,
        wallS: t.wallS, medianWallS: t.medianWallS, cpuS: t.cpuS, reps: t.reps,
        drawsPerSec: draws / t.wallS, drawsPerCpuSec: draws / t.cpuS, price: t.result.price, stdErr: t.result.stdErr,
        workersUsed: t.result.details.workersUsed ?? 1,
      };
      rows.push(row);
      log(`mc ${c.label} ${impl} ${workers} thread(s): ${t.wallS.toFixed(3)} s wall (median ${t.medianWallS.toFixed(3)}), ${t.cpuS.toFixed(3)} s CPU; ${(row.drawsPerSec / 1e6).toFixed(1)} M draws/s; price ${t.result.price.toFixed(4)} +- ${t.result.stdErr.toFixed(4)}`);
    };
    // Warm-up (JIT, first-touch of the heap), then time.
    wasm.monteCarloSync({ ...args(c, 1), paths: Math.min(c.paths, 8192) });
    add('wasm', 1, await timeRuns(() => wasm.monteCarloSync(args(c, 1)), reps));
    if (poolAvailable) {
      await run2(wasm, { ...args(c, 2), paths: Math.min(c.paths, 1 << 15) });
      add('wasm', 2, await timeRuns(() => run2(wasm, args(c, 2)), reps));
    }
    if (jsEngine) {
      jsEngine.monteCarloSync({ ...args(c, 1), paths: Math.min(c.paths, 8192) });
      add('js', 1, await timeRuns(() => jsEngine.monteCarloSync(args(c, 1)), heavy ? (quick ? 1 : 2) : reps));
      if (poolAvailable) add('js', 2, await timeRuns(() => run2(jsEngine, args(c, 2)), heavy ? (quick ? 1 : 2) : reps));
    }
  }

  // Memory: RSS and V8 heap before and after a long run of repeated GBM 1e5 x 252 pricings.
  const longRuns = quick ? 5 : 20;
  globalThis.gc?.();
  const m0 = process.memoryUsage();
  const l0 = performance.now();
  const samples = [];
  for (let k = 0; k < longRuns; k++) {
    sink.value += wasm.monteCarloSync(args(GBM252, 1)).price;
    samples.push(process.memoryUsage().rss);
  }
  const longS = (performance.now() - l0) / 1e3;
  globalThis.gc?.();
  const m1 = process.memoryUsage();
  const memory = {
    runs: longRuns, paths: longRuns * GBM252.paths, seconds: longS,
    rssBefore: m0.rss, rssAfter: m1.rss, rssMax: Math.max(...samples),
    heapBefore: m0.heapUsed, heapAfter: m1.heapUsed,
    wasmMemory: wasm.arena.capacity,
  };
  log(`mc memory: ${longRuns} x GBM 1e5 x 252 in ${longS.toFixed(1)} s; RSS ${(m0.rss / 2 ** 20).toFixed(1)} -> ${(m1.rss / 2 ** 20).toFixed(1)} MiB (max ${(memory.rssMax / 2 ** 20).toFixed(1)}); heap ${(m0.heapUsed / 2 ** 20).toFixed(1)} -> ${(m1.heapUsed / 2 ** 20).toFixed(1)} MiB; WASM memory ${(memory.wasmMemory / 2 ** 20).toFixed(1)} MiB`);
  const close = riskwasm.closeSharedPools ?? parallel.closeSharedPools;
  if (typeof close === 'function') await close();
  // [simd] Heston QE: where the time goes and the ceilings (bench/heston-qe.mjs compiles its probe
  // kernels with asc; skipped with a note where that fails).
  let hestonBreakdown = null;
  if (MC_CASES.some((c) => c.id === 'heston252')) {
    try {
      hestonBreakdown = await (await import('./heston-qe.mjs')).hestonQeBreakdown();
      log(`mc Heston QE breakdown: ${hestonBreakdown.rows.map(([l, ns]) => `${l.trim()} ${(ns * 2.52e7 / 1e9).toFixed(3)} s`).join('; ')}`);
    } catch (e) {
      log(`mc Heston QE breakdown skipped: ${e?.message ?? e}`);
    }
  }
  return { rows, checks, poolAvailable, poolVia, memory, targets: MC_TARGETS, sink: sink.value, hestonBreakdown };
}

const fmtS = (x) => (Number.isFinite(x) ? (x >= 10 ? x.toFixed(1) : x.toFixed(3)) : 'n/a');
const fmtM = (x) => (Number.isFinite(x) ? `${(x / 1e6).toFixed(1)} M` : 'n/a');
const mib = (x) => `${(x / 2 ** 20).toFixed(1)} MiB`;

/** The Monte Carlo section of bench/RESULTS.md (markdown lines). */
export function monteCarloReport(mc) {
  const L = [];
  const p = (s = '') => L.push(s);
  p('## Monte Carlo (Node, `engine.monteCarlo`)');
  p();
  if (!mc || mc.error) {
    p(`Not run${mc?.error ? `: ${mc.error}` : ''}.`);
    p();
    return L;
  }
  const find = (id, impl, workers) => mc.rows.find((r) => r.id === id && r.impl === impl && r.workers === workers);
  const T = mc.targets;
  const g = find('gbm252', 'wasm', 1);
  const h = find('heston252', 'wasm', 1);
  const g2 = find('gbm252', 'wasm', 2);
  const verdict = (ok, okCpu) => (ok === null ? '**not measured**' : ok ? 'met' : okCpu ? '**missed** on wall clock, met per CPU-second' : '**missed**');
  p(`European call, S0 = K = 100, T = 1, seed 20260101, Philox draws, default shards (4096 paths). "1 thread" is \`monteCarloSync\`; "2 workers" is ${mc.poolVia ? `\`${mc.poolVia}\`${mc.poolVia.startsWith('engine') ? '' : ' (`engine.monteCarlo` does not route `workers` to the pool in this build; same shards, same merge)'}` : '`monteCarlo({ workers: 2 })`'}. Best of several runs; CPU = process user + system time of that run (all threads, workers included).`);
  p();
  p('| target | measured (wall) | per CPU-second | |');
  p('|---|---|---|---|');
  if (g) {
    p(`| >= ${T.normalsPerSec / 1e6} M normals/s per thread (WASM, GBM 1e5 x 252) | ${fmtM(g.drawsPerSec)}/s | ${fmtM(g.drawsPerCpuSec)}/s | ${verdict(g.drawsPerSec >= T.normalsPerSec, g.drawsPerCpuSec >= T.normalsPerSec)} |`);
    p(`| GBM 1e5 x 252 <= ${T.gbm252S} s on one thread | ${fmtS(g.wallS)} s | ${fmtS(g.cpuS)} s | ${verdict(g.wallS <= T.gbm252S, g.cpuS <= T.gbm252S)} |`);
  }
  if (h) p(`| Heston QE 1e5 x 252 <= ${T.heston252S} s on one thread | ${fmtS(h.wallS)} s | ${fmtS(h.cpuS)} s | ${verdict(h.wallS <= T.heston252S, h.cpuS <= T.heston252S)} |`);
  if (g2 && g) p(`| 2 workers >= ${T.twoWorkerSpeedup}x one thread (GBM 1e5 x 252) | x${(g.wallS / g2.wallS).toFixed(2)} | — | ${verdict(g.wallS / g2.wallS >= T.twoWorkerSpeedup, false)} |`);
  else p(`| 2 workers >= ${T.twoWorkerSpeedup}x one thread | pool not available | — | **not measured** (\`workers: 2\` still runs in one thread on this build) |`);
  const mem = mc.memory;
  const flat = mem.rssAfter - mem.rssBefore < 32 * 2 ** 20 && mem.heapAfter - mem.heapBefore < 8 * 2 ** 20;
  p(`| memory flat during long runs | RSS ${mib(mem.rssBefore)} -> ${mib(mem.rssAfter)} (max ${mib(mem.rssMax)}) over ${mem.runs} runs | — | ${flat ? 'met' : '**check**'} |`);
  p();
  p('| case | backend | threads | wall (s) | CPU (s) | draws/s (wall) | draws/s (CPU) | price ± stdErr |');
  p('|---|---|--:|--:|--:|--:|--:|---|');
  for (const c of ['gbm1', 'gbm252', 'heston252', 'merton252', 'bates252']) {
    for (const impl of ['wasm', 'js']) {
      for (const w of [1, 2]) {
        const r = find(c, impl, w);
        if (!r) {
          if (w === 2 && !mc.poolAvailable && mc.rows.some((x) => x.id === c && x.impl === impl)) {
            p(`| ${mc.rows.find((x) => x.id === c).label} | ${impl === 'wasm' ? 'WASM' : 'JS twin'} | 2 | pool not available | | | | |`);
          }
          continue;
        }
        p(`| ${r.label} | ${impl === 'wasm' ? 'WASM' : 'JS twin'} | ${w} | ${fmtS(r.wallS)} (median ${fmtS(r.medianWallS)}) | ${fmtS(r.cpuS)} | ${fmtM(r.drawsPerSec)} | ${fmtM(r.drawsPerCpuSec)} | ${r.price.toFixed(4)} ± ${r.stdErr.toFixed(4)} |`);
      }
    }
  }
  p();
  const gj = find('gbm252', 'js', 1);
  const mw = find('merton252', 'wasm', 1), mj = find('merton252', 'js', 1);
  const bw = find('bates252', 'wasm', 1), bj = find('bates252', 'js', 1);
  if (mw && mj) p(`WASM / JS twin on Merton 1e5 x 252: x${(mj.wallS / mw.wallS).toFixed(2)} (CPU x${(mj.cpuS / mw.cpuS).toFixed(2)}); on Bates x${bw && bj ? (bj.wallS / bw.wallS).toFixed(2) : 'n/a'}. Since session 12 Merton runs two paths per f64x2 lane pair like GBM, Bates four per call like Heston QE (the four-path kernels; not the 16-path block), the jump counts per lane on the steps where one jumps; their fills make only the normals a step reads (Merton's Z, Bates' Uv and Z; a jump normal from its uniform when a lane jumps).`);
  if (g && gj) p(`WASM / JS twin on GBM 1e5 x 252: x${(gj.wallS / g.wallS).toFixed(2)} (CPU x${(gj.cpuS / g.cpuS).toFixed(2)}). For scale (issue figures, other machines): a naive native C++ loop takes 0.64 s and QuantLib's MC engine 7.9 s on GBM 1e5 x 252.`);
  const hb = mc.hestonBreakdown;
  if (hb) {
    const s = (label) => { const r = hb.rows.find(([l]) => l.trim().startsWith(label)); return r ? `${(r[1] * 2.52e7 / 1e9).toFixed(3)} s` : 'n/a'; };
    p(`Heston QE 1e5 x 252, one thread, kernel CPU time by parts (bench/heston-qe.mjs, load ${hb.load.map((l) => l.toFixed(2)).join(' / ')}): mcShard ${s('mcShard')}; the draws alone (2 Philox uniforms and 2 AS 241 normals per path-step, bit-fixed) ${s('draws')}; the four-path QE step on fixed draws ${s('four-path')} (${s('the same on fresh draws')} on fresh draws, where the branch predictor cannot learn which pairs redo a step in the exponential branch). Ceilings at the same count: ${s('ceiling: one expX2')} for one f64x2 exp per path-step; ${s('ceiling: f64x2 div')} for the divisions and square roots a quadratic QE step needs (3 + 3 per lane pair, f64x2 div ${hb.divNs.toFixed(2)} ns, sqrt ${hb.sqrtNs.toFixed(2)} ns); the draws plus those divisions and square roots alone take ${s('floor: the draws')}, against the 0.6 s target. The draws' parts: Philox words to uniforms ${s('Philox words')}, the central AS 241 rational and the tail list ${s('central AS 241')}, the tail normals ${s('tail normals')}; the step loop with the quadratic branch alone (no redo of pairs with an exponential-branch lane, a lower bound) ${s('of which the quadratic')}; the draws plus that step, as measured, ${s('floor: draws + quadratic')}.`);
  }
  if (mc.checks.length) p(`Checked before timing: ${mc.checks.map((c) => `${c.id} ${c.ok ? 'ok' : '**FAILED**'} (rel ${c.err.toExponential(1)})`).join('; ')} — WASM and JS twin prices on the same draws.`);
  p(`Memory: ${mem.runs} GBM 1e5 x 252 pricings back to back (${(mem.paths / 1e6).toFixed(1)} M paths, ${mem.seconds.toFixed(1)} s): RSS ${mib(mem.rssBefore)} before, ${mib(mem.rssAfter)} after; V8 heap ${mib(mem.heapBefore)} -> ${mib(mem.heapAfter)}; WASM linear memory ${mib(mem.wasmMemory)}.`);
  p();
  return L;
}

// Standalone run.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const argv = new Set(process.argv.slice(2));
  const riskwasm = await import('../dist/index.js');
  const t0 = performance.now();
  const log = (m) => console.log(`[${((performance.now() - t0) / 1e3).toFixed(1)} s] ${m}`);
  const only = [...argv].find((a) => a.startsWith('--only='))?.slice(7);
  if (only) MC_CASES.splice(0, MC_CASES.length, ...MC_CASES.filter((c) => only.split(',').includes(c.id)));
  const r = await runMonteCarloBench(riskwasm, { quick: argv.has('--quick'), js: !argv.has('--no-js'), log });
  if (argv.has('--report')) console.log(monteCarloReport(r).join('\n'));
}
