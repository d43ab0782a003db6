// Portfolio margin end to end and where the time goes: `engine.portfolioMargin` over 10,000
// accounts x 20 positions (bench/margin.mjs's makeAccounts: options, futures and perpetuals from the
// bundled Deribit chain, by instrument name) x DERIBIT_GRID, one thread, WASM and the JS twin.
// The split, from one `portfolioMargin(ctx, ...)` call on a context that wraps the engine and notes
// the time of three events: resolve (validation and market look-up into the resolved book) ends
// when the risk matrix first reads `ctx.chunkSize`; pack (units, kernel columns, copy into the
// arena) ends when the `portfolioRevalue` kernel is entered; kernel = time inside the kernel calls
// (the grid pass and the vol-floor re-run); results = the rest (copy out, sub-account sums, result
// objects). The split is measured on an engine whose chunk holds the whole batch (one kernel call:
// the phases do not interleave); end to end is timed on both that engine and the default one. Results are checked WASM vs JS (worst scenario
// equal, margins 1e-10 relative) and the split engine against the default one (identical) first.
// Best of `reps` warm runs; CPU time (process user + system) beside wall time: the machine is shared.
//
// --parallel: the same book at 1e5 accounts (--accounts N) on the worker pool, issue 17: one thread
// (engine.portfolioMargin) against portfolioMarginParallel on 1 and 2 workers (the split job: market,
// grid and names once, each shard's accounts as columns on shared memory), and the job as it
// travelled before (every account object structured-cloned to each worker: the legacy
// 'portfolioMargin' job through engine.runShards) for comparison. Results are checked identical to
// one thread first. Reported per run: wall, CPU of the whole process and of the main thread alone
// (/proc/self/task: Linux), so CPU per account and the main thread's serial share can be read
// apart from the load of a shared machine; then liquidation prices of 64 accounts, 1 vs 2 workers.
// Usage: node bench/margin-pm.mjs [--quick] [--reps N] [--json]   (after `npm run build`)
//        node bench/margin-pm.mjs --parallel [--accounts N] [--reps N] [--json]

import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { cpuUsage } from './risk.mjs';
import { makeAccounts } from './margin.mjs';

/** Issue 13 target (accounts per second, end to end, one thread). */
export const PM_TARGET = 70_000;

function cpuNow() {
  const c = cpuUsage?.();
  return c ? (c.user + c.system) / 1e6 : NaN;
}

/** A context that runs `engine`'s kernels but records when the risk matrix starts and the kernel starts and ends. */
function timedContext(engine) {
  const marks = [];
  const first = { chunkSize: NaN };
  const kernels = Object.create(engine.kernels);
  const inner = engine.kernels.portfolioRevalue;
  kernels.portfolioRevalue = (...args) => {
    const t0 = performance.now();
    const rc = inner.apply(engine.kernels, args);
    marks.push([t0, performance.now()]);
    return rc;
  };
  const ctx = {
    kernels, arena: engine.arena,
    get chunkSize() {
      if (Number.isNaN(first.chunkSize)) first.chunkSize = performance.now();
      return engine.chunkSize;
    },
  };
  return { ctx, marks, first };
}

function sameResults(a, b) {
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    if (a[i].worstScenario.index !== b[i].worstScenario.index || a[i].status !== b[i].status) return { ok: false, worst: Infinity };
    const d = Math.abs(a[i].initialMargin - b[i].initialMargin) / Math.max(1, Math.abs(b[i].initialMargin));
    if (!(d <= worst)) worst = d;
  }
  return { ok: worst <= 1e-10, worst };
}

function identical(a, b) {
  return a.length === b.length && a.every((r, i) => Object.is(r.initialMargin, b[i].initialMargin) && r.worstScenario.index === b[i].worstScenario.index
    && r.contributions.every((c, k) => Object.is(c, b[i].contributions[k])));
}

/**
 * Run the benchmark; returns the figures (and logs them with `log`).
 * @param riskwasm the built package (dist/index.js)
 */
export async function runPortfolioMarginBench(riskwasm, { quick = false, reps = quick ? 3 : 5, log = console.log } = {}) {
  const count = quick ? 2_000 : 10_000;
  const { accounts, market } = makeAccounts(riskwasm, count);
  const grid = riskwasm.DERIBIT_GRID;
  const out = { accounts: count, positionsPerAccount: 20, node: process.version, cpus: os.cpus()[0]?.model, loadBefore: os.loadavg(), rows: [] };
  const engines = {};
  for (const backend of ['wasm', 'js']) {
    engines[backend] = {
      plain: await riskwasm.createEngine({ backend }),
      // One chunk for the whole batch (4 x chunkSize positions), so the split's phases do not interleave.
      split: await riskwasm.createEngine({ backend, chunkSize: Math.ceil((count * 20) / 4) }),
    };
  }
  const ref = {};
  for (const backend of ['wasm', 'js']) {
    ref[backend] = engines[backend].plain.portfolioMargin(accounts, market, grid);
    const same = identical(engines[backend].split.portfolioMargin(accounts, market, grid), ref[backend]);
    log(`check ${backend}: one-chunk engine identical to default engine: ${same}`);
    if (!same) throw new Error(`${backend}: chunking changed the results`);
  }
  out.check = sameResults(ref.wasm, ref.js);
  log(`check WASM vs JS over ${count} accounts: ${out.check.ok ? 'ok' : 'FAIL'} (max rel diff ${out.check.worst.toExponential(2)})`);

  for (const backend of ['wasm', 'js']) {
    const { plain, split } = engines[backend];
    const best = { e2e: Infinity, e2eCpu: Infinity, e2eSplit: Infinity, resolve: Infinity, pack: Infinity, kernel: Infinity, results: Infinity };
    const { ctx, marks, first } = timedContext(split);
    for (let r = 0; r < reps; r++) {
      const c0 = cpuNow();
      let t0 = performance.now();
      plain.portfolioMargin(accounts, market, grid);
      best.e2e = Math.min(best.e2e, (performance.now() - t0) / 1e3);
      best.e2eCpu = Math.min(best.e2eCpu, cpuNow() - c0);

      t0 = performance.now();
      split.portfolioMargin(accounts, market, grid);
      best.e2eSplit = Math.min(best.e2eSplit, (performance.now() - t0) / 1e3);

      // The phases of one call.
      marks.length = 0;
      first.chunkSize = NaN;
      t0 = performance.now();
      riskwasm.portfolioMargin(ctx, accounts, market, grid);
      const t2 = performance.now();
      const t1 = first.chunkSize;
      // marks[0]: the grid revaluation; marks[1] (if any): the vol-floor re-run (counted as kernel too).
      const kernel = marks.reduce((s, [a, b]) => s + (b - a), 0);
      best.resolve = Math.min(best.resolve, (t1 - t0) / 1e3);
      best.pack = Math.min(best.pack, (marks[0][0] - t1) / 1e3);
      best.kernel = Math.min(best.kernel, kernel / 1e3);
      best.results = Math.min(best.results, (t2 - marks[0][0] - kernel) / 1e3);
    }
    const row = { backend, ...best, accountsPerS: count / best.e2e, accountsPerCpuS: count / best.e2eCpu, accountsPerSOneChunk: count / best.e2eSplit };
    out.rows.push(row);
    const ms = (s) => `${(s * 1e3).toFixed(1)} ms`;
    log(`${backend}: end to end ${ms(best.e2e)} (${ms(best.e2eCpu)} CPU) = ${Math.round(row.accountsPerS)} accounts/s (${Math.round(row.accountsPerCpuS)}/CPU s); `
      + `one chunk ${ms(best.e2eSplit)} = ${Math.round(row.accountsPerSOneChunk)}/s: resolve ${ms(best.resolve)}, pack ${ms(best.pack)}, kernel ${ms(best.kernel)}, results ${ms(best.results)}`);
  }
  out.loadAfter = os.loadavg();
  log(`load average before ${out.loadBefore.map((x) => x.toFixed(2)).join(' ')}, after ${out.loadAfter.map((x) => x.toFixed(2)).join(' ')} (${os.cpus().length} cores); target >= ${PM_TARGET} accounts/s`);
  return out;
}

/** CPU seconds of this process's main thread (Linux /proc; NaN elsewhere). */
async function mainThreadCpu() {
  try {
    const { readFileSync } = await import('node:fs');
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 14 and 15 of stat (utime, stime) in clock ticks of 1/100 s; f[0] is field 3.
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return NaN;
  }
}

/** CPU pressure (Linux PSI, share of time some task waited for a core over the last 10 s), or null. */
async function cpuPressure() {
  try {
    const { readFileSync } = await import('node:fs');
    return Number(/avg10=([\d.]+)/.exec(readFileSync('/proc/pressure/cpu', 'utf8'))[1]);
  } catch {
    return null;
  }
}

/**
 * Portfolio margin of `count` accounts on 1 and 2 workers against one thread (see the header).
 * @param riskwasm the built package (dist/index.js)
 */
export async function runParallelMarginBench(riskwasm, { count = 100_000, reps = 3, log = console.log } = {}) {
  const { splitMarginJob } = await import('../dist/internals.js');
  const { accounts, market } = makeAccounts(riskwasm, count);
  const grid = riskwasm.DERIBIT_GRID;
  const engine = await riskwasm.createEngine({ backend: 'wasm' });
  const out = { accounts: count, positionsPerAccount: 20, node: process.version, cores: os.cpus().length, loadBefore: os.loadavg(), pressureBefore: await cpuPressure(), rows: [] };
  const ref = engine.portfolioMargin(accounts, market, grid);
  const runs = {
    'one thread': async () => engine.portfolioMargin(accounts, market, grid),
    // The split job's shards run in this thread (runShards with workers: 1): the column path's own cost.
    'split job, this thread': async () => {
      const per = Math.min(8192, Math.max(1000, Math.ceil(count / 16)));
      const job = splitMarginJob(accounts, per, { market, grid, aggregation: 'per-asset' });
      const packed = await engine.runShards({ task: 'portfolioMargin', job, shards: job.parts.length, workers: 1 });
      return packed.flatMap((p, k) => riskwasm.decodePortfolioMarginShard(p, accounts, k * per, Math.min(per, count - k * per), market, grid));
    },
    'split job, 2 workers': async () => engine.portfolioMarginParallel(accounts, market, grid, { workers: 2 }),
    // Skipped above 2e5 accounts (each worker would hold a clone of every account object: GBs at 1e6).
    'legacy job (accounts cloned), 2 workers': count > 200_000 ? null : async () => {
      const per = Math.min(8192, Math.max(1000, Math.ceil(count / 16)));
      const job = { accounts, market, grid, aggregation: 'per-asset', accountsPerShard: per };
      const packed = await engine.runShards({ task: 'portfolioMargin', job, shards: Math.ceil(count / per), workers: 2 });
      return packed.flatMap((p, k) => riskwasm.decodePortfolioMarginShard(p, accounts, k * per, Math.min(per, count - k * per), market, grid));
    },
  };
  for (const [name, run] of Object.entries(runs)) {
    if (run === null) continue;
    const got = await run(); // also starts the pool's workers before timing
    const same = got.length === ref.length && got.every((r, i) => Object.is(r.initialMargin, ref[i].initialMargin) && r.worstScenario.index === ref[i].worstScenario.index
      && r.contributions.every((c, k) => Object.is(c, ref[i].contributions[k])) && r.scenarioPnl.every((c, k) => Object.is(c, ref[i].scenarioPnl[k])));
    if (!same) throw new Error(`${name}: results differ from one thread`);
    const best = { wall: Infinity, cpu: Infinity, mainCpu: Infinity };
    for (let r = 0; r < reps; r++) {
      const c0 = cpuNow(), m0 = await mainThreadCpu(), t0 = performance.now();
      await run();
      const wall = (performance.now() - t0) / 1e3, cpu = cpuNow() - c0, mainCpu = (await mainThreadCpu()) - m0;
      if (wall < best.wall) Object.assign(best, { wall, cpu, mainCpu });
    }
    const row = { run: name, ...best, accountsPerS: count / best.wall, cpuUsPerAccount: (best.cpu / count) * 1e6, mainCpuUsPerAccount: (best.mainCpu / count) * 1e6 };
    out.rows.push(row);
    log(`${name}: ${best.wall.toFixed(3)} s wall, ${best.cpu.toFixed(3)} s CPU (main thread ${best.mainCpu.toFixed(2)} s) = ${Math.round(row.accountsPerS)} accounts/s, `
      + `${row.cpuUsPerAccount.toFixed(1)} us CPU per account (main thread ${row.mainCpuUsPerAccount.toFixed(1)} us); identical to one thread`);
  }
  const one = out.rows[0];
  for (const row of out.rows.slice(1)) {
    row.speedup = one.wall / row.wall;
    row.cpuRatio = row.cpu / one.cpu;
  }
  const two = out.rows.find((r) => r.run === 'split job, 2 workers');
  // On an idle 2-core machine a run takes at least its main thread's CPU and at least its process
  // CPU / 2 (V8's concurrent GC threads count: one thread already keeps more than one core busy).
  // The ratio of those floors is a projection, not a bound; the shared machine's wall times are not.
  const floor = (r) => Math.max(r.mainCpu, r.cpu / 2);
  two.idleProjection = floor(one) / floor(two);
  log(`2 workers (split job) vs one thread: x${two.speedup.toFixed(2)} wall (efficiency ${(two.speedup / 2 * 100).toFixed(0)}%), CPU x${two.cpuRatio.toFixed(2)}; `
    + `projection for an idle 2-core machine from CPU (max(main thread, process / 2) of each): x${two.idleProjection.toFixed(2)}`);
  const legacy = out.rows.find((r) => r.run.startsWith('legacy'));
  if (legacy) log(`legacy job on 2 workers vs one thread: x${legacy.speedup.toFixed(2)} wall, CPU x${legacy.cpuRatio.toFixed(2)}`);

  // Liquidation prices: ~10 ms an account (about 40 whole-account risk matrices), 1 vs 2 workers.
  const liq = accounts.slice(0, 64).map((a, i) => ({ ...a, collateral: { USDC: 20_000 + 500 * i } }));
  const liqRef = engine.portfolioLiquidationPrice(liq, market, grid);
  const liqRows = [];
  for (const workers of [1, 2]) {
    const got = await engine.portfolioLiquidationPriceParallel(liq, market, grid, { workers, accountsPerShard: 4 });
    if (JSON.stringify(got) !== JSON.stringify(liqRef)) throw new Error(`liquidation, ${workers} workers: results differ from one thread`);
    let best = { wall: Infinity, cpu: Infinity };
    for (let r = 0; r < reps; r++) {
      const c0 = cpuNow(), t0 = performance.now();
      await engine.portfolioLiquidationPriceParallel(liq, market, grid, { workers, accountsPerShard: 4 });
      const wall = (performance.now() - t0) / 1e3;
      if (wall < best.wall) best = { wall, cpu: cpuNow() - c0 };
    }
    liqRows.push({ workers, ...best });
    log(`liquidation prices, 64 accounts, ${workers} worker(s): ${best.wall.toFixed(3)} s wall, ${best.cpu.toFixed(3)} s CPU = ${(best.cpu / 64 * 1e3).toFixed(1)} ms CPU per account`);
  }
  out.liquidation = { accounts: 64, rows: liqRows, speedup: liqRows[0].wall / liqRows[1].wall };
  log(`liquidation 2 workers vs 1: x${out.liquidation.speedup.toFixed(2)} wall`);
  await riskwasm.closeSharedPools();
  out.loadAfter = os.loadavg();
  out.pressureAfter = await cpuPressure();
  log(`load average before ${out.loadBefore.map((x) => x.toFixed(2)).join(' ')}, after ${out.loadAfter.map((x) => x.toFixed(2)).join(' ')} (${out.cores} cores); `
    + `CPU pressure (some, avg10) ${out.pressureBefore}% before, ${out.pressureAfter}% after; target: 2 workers >= x1.6 one thread`);
  return out;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const riskwasm = await import('../dist/index.js');
  const quick = process.argv.includes('--quick');
  const at = process.argv.indexOf('--reps');
  const reps = at > 0 ? { reps: Number(process.argv[at + 1]) } : {};
  let r;
  if (process.argv.includes('--parallel')) {
    const ac = process.argv.indexOf('--accounts');
    r = await runParallelMarginBench(riskwasm, { ...(ac > 0 ? { count: Number(process.argv[ac + 1]) } : {}), ...reps });
  } else {
    r = await runPortfolioMarginBench(riskwasm, { quick, ...reps });
  }
  if (process.argv.includes('--json')) console.log(JSON.stringify(r, null, 1));
}
