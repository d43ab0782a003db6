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
// Usage: node bench/margin-pm.mjs [--quick] [--reps N] [--json]   (after `npm run build`)

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

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const riskwasm = await import('../dist/index.js');
  const quick = process.argv.includes('--quick');
  const at = process.argv.indexOf('--reps');
  const r = await runPortfolioMarginBench(riskwasm, { quick, ...(at > 0 ? { reps: Number(process.argv[at + 1]) } : {}) });
  if (process.argv.includes('--json')) console.log(JSON.stringify(r, null, 1));
}
