// Why a single-option call (N = 1) measures what it measures: the suite's own N = 1 price task
// (bench/suite.mjs riskwasmTasks, engine.blackScholes on 256 one-option calls per iteration), timed
// by the suite's own timeTasks under the conditions suspected of lowering the generated
// bench/RESULTS.md row, each in a fresh process so no variant inherits another's JIT state:
//
// - cold:        no warm-up (the first calls are interpreted, then baseline, then optimised code);
// - wasm-only:   the suite's warm-up and rounds, WASM engine alone (its facade call sites see one
//                backend: monomorphic, the JS-to-Wasm call can be inlined);
// - suite:       the suite's warm-up and rounds, WASM and JS twin in one group (as bench/run.mjs);
// - after-work:  as `suite`, after what bench/run.mjs does first (a 1e6-option surface, the
//                verification over it, the peers' accuracy checks: a big heap, other code hot);
// - gc:          the warm N = 1 calls in a plain loop with the minor GCs they cause counted and
//                timed (PerformanceObserver 'gc'): bytes and GC time per call.
//
// Usage: npm run build:ts && node bench/single-call.mjs [--reps=3]   (~30 s a rep; the variants
// alternate rep by rep so each sees the same machine load; the table gives every rep).
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import { fileURLToPath } from 'node:url';

const VARIANTS = ['cold', 'wasm-only', 'suite', 'after-work', 'gc'];
const variant = process.argv.find((a) => a.startsWith('--variant='))?.slice('--variant='.length);

async function child(v) {
  const { Bench } = await import('tinybench');
  const riskwasm = await import('../dist/index.js');
  const { benchOptions, prepare, riskwasmTasks, sink, timeTasks, verifyRiskwasm } = await import('./suite.mjs');
  const ctx = await prepare(riskwasm, v === 'after-work' ? 1e6 : 1e3);
  ctx.sink = sink;
  verifyRiskwasm(ctx);
  if (v === 'after-work') {
    const { PEERS, peerAccuracy } = await import('./peers.mjs');
    for (const peer of PEERS) for (const job of peer.jobs) peerAccuracy(ctx, peer, job, job === 'iv' && peer.name === 'implied-volatility' ? 500 : 50_000);
  }
  let tasks = riskwasmTasks(ctx, 'price', 1);
  if (v === 'wasm-only') tasks = tasks.filter((t) => t.impl === 'wasm');
  if (v === 'gc') {
    const { PerformanceObserver, constants } = await import('node:perf_hooks');
    const out = {};
    for (const t of tasks) {
      let n = 0;
      let ms = 0;
      let on = false;
      const obs = new PerformanceObserver((l) => {
        for (const e of l.getEntries()) if (on && /** @type {any} */ (e).detail?.kind === constants.NODE_PERFORMANCE_GC_MINOR) { n++; ms += e.duration; }
      });
      obs.observe({ entryTypes: ['gc'] });
      for (let i = 0; i < 2000; i++) t.fn();
      await new Promise((r) => setImmediate(r));
      const before = process.memoryUsage().heapUsed;
      on = true;
      const iters = 8000;
      const t0 = performance.now();
      for (let i = 0; i < iters; i++) t.fn();
      const dt = performance.now() - t0;
      await new Promise((r) => setImmediate(r));
      on = false;
      obs.disconnect();
      const calls = iters * t.reps;
      out[t.impl] = { rate: calls / (dt / 1e3), minorGcs: n, gcShare: ms / dt, callsPerGc: calls / Math.max(1, n), heapDelta: process.memoryUsage().heapUsed - before };
    }
    return out;
  }
  const opts = v === 'cold' ? { ...benchOptions(1), warmup: false } : benchOptions(1);
  const rows = await timeTasks(Bench, tasks, opts);
  return Object.fromEntries(rows.map((r) => [r.impl, { rate: r.opsPerSec, cpuRate: r.cpuOpsPerSec, rme: r.rme, rounds: r.roundRates }]));
}

if (variant) {
  console.log(JSON.stringify(await child(variant)));
} else {
  const reps = Number(process.argv.find((a) => a.startsWith('--reps='))?.slice('--reps='.length) ?? 3);
  const self = fileURLToPath(import.meta.url);
  const M = (x) => (Number.isFinite(x) ? `${(x / 1e6).toFixed(2)} M` : '—');
  console.log(`node ${process.version}, ${os.cpus()[0]?.model}, ${os.cpus().length} cores; load before ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  console.log('price, N = 1, calls/s (WASM | JS twin); cpu = per CPU-second; ± = half the range of the 5 rounds');
  for (let r = 0; r < reps; r++) {
    for (const v of VARIANTS) {
      const res = JSON.parse(execFileSync(process.execPath, [self, `--variant=${v}`], { encoding: 'utf8' }).trim().split('\n').pop());
      const cell = (x) => (!x ? '—' : v === 'gc'
        ? `${M(x.rate)}; ${x.minorGcs} minor GCs (one per ${(x.callsPerGc / 1e3).toFixed(0)} k calls), ${(100 * x.gcShare).toFixed(1)}% of the time`
        : `${M(x.rate)} ±${x.rme.toFixed(0)}% (cpu ${M(x.cpuRate)})`);
      console.log(`rep ${r + 1} ${v.padEnd(10)} WASM ${cell(res.wasm)} | JS ${cell(res.js)}   [load ${os.loadavg()[0].toFixed(2)}]`);
    }
  }
}
