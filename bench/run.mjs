// `npm run bench` (after the build) / `node bench/run.mjs`: the whole benchmark run.
//   1. Node: riskwasm WASM engine vs its pure-JS twin vs the npm peers, for price, price + greeks
//      and implied vol at N = 1, 1e3, 1e6, every result verified before it is timed; each job and
//      size is one group (riskwasm WASM, JS twin and the fast peers): every task warmed up, then
//      timed in interleaved rounds, median reported (bench/suite.mjs timeTasks);
//   2. start-up (first createEngine in fresh processes, warm createEngine) and .wasm size;
//      the cold start runs first of all, before section 1 (see there);
//   3. Monte Carlo (bench/montecarlo.mjs): WASM vs JS twin, one thread vs two workers;
//   4. risk (bench/risk.mjs): VaR + ES on 1e6 samples, full revaluation, GARCH fit, WASM vs JS;
//   5. calibration (bench/calibration.mjs): Heston 200 quotes (analytic vs forward differences),
//      SVI slice fit vs ml-levenberg-marquardt, WASM vs JS;
//   6. the same riskwasm suite in Chromium;
//   7. WASM vs JS twin vs native scalar C -O2 (bench/simd.mjs via bench/native-compare.mjs; the C
//      baseline bench/native/baseline.c is compiled here, skipped with a note when no compiler);
//   8. with --suite: the test suite's time by vitest project (bench/test-suite.mjs, ~6 minutes);
//   9. bench/RESULTS.md (and bench/.tmp/results.json with every figure).
// Options: --no-browser (skip Chromium), --quick (N up to 1e5, fewer start-up repetitions),
// --no-mc (skip the Monte Carlo benchmarks), --no-risk, --no-calibration, --no-margin (portfolio margin,
// bench/margin.mjs: 10,000 accounts x 20 positions x the Deribit grid, WASM vs JS, 1 vs 2 workers),
// --no-simd (skip section 7), --suite (run section 8: `npm run bench -- --suite`; without it the
// report reuses bench/.tmp/test-suite.json from an earlier run, saying so, when that file exists).
// Re-render RESULTS.md from a saved run: `node bench/report.mjs [bench/.tmp/results.json]`.

import { Bench } from 'tinybench';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as riskwasm from '../dist/index.js';
import { JOBS, SIZES, SINGLE_REPS, benchOptions, kernelTasks, prepare, riskwasmTasks, sink, timeTasks, verifyRiskwasm } from './suite.mjs';
import { PEERS, PEER_VERSIONS, peerAccuracy, peerTasks } from './peers.mjs';
import { coldStart, warmStart, wasmSize } from './startup.mjs';
import { writeReport } from './report.mjs';
import { runMonteCarloBench } from './montecarlo.mjs';
import { runRiskBench } from './risk.mjs';
import { runCalibrationBench } from './calibration.mjs';
import { runMarginBench } from './margin.mjs';
import { runNativeCompare } from './native-compare.mjs';
import { PROJECTS, SUITE_JSON, readSuiteTimes, timeProject } from './test-suite.mjs';

const argv = new Set(process.argv.slice(2));
const QUICK = argv.has('--quick');
const BROWSER = !argv.has('--no-browser');
const MC = !argv.has('--no-mc');
const RISK = !argv.has('--no-risk');
const CALIBRATION = !argv.has('--no-calibration');
const MARGIN = !argv.has('--no-margin');
const SIMD = !argv.has('--no-simd');
const SUITE = argv.has('--suite');
const sizes = QUICK ? [1, 1e3, 1e5] : SIZES;
// A peer is timed at a size only if one pass is expected to take at most this long.
const PEER_MAX_PASS_S = 6;

const started = Date.now();
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;
const log = (m) => console.log(`[${elapsed()}] ${m}`);
const here = (p) => fileURLToPath(new URL(p, import.meta.url));

function gitCommit() {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: here('..'), encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

const machine = {
  cpu: os.cpus()[0]?.model ?? 'unknown', cores: os.cpus().length, memoryGiB: os.totalmem() / 2 ** 30,
  platform: `${os.type()} ${os.release()} ${os.arch()}`, node: process.version, v8: process.versions.v8,
  loadStart: os.loadavg(), commit: gitCommit(),
};
log(`${machine.cpu}, ${machine.cores} cores, Node ${machine.node}; load average ${machine.loadStart.map((x) => x.toFixed(2)).join(' ')}`);

// ---------------------------------------------------------------- 2a. cold start, first
// Before section 1 builds its 1e6-option surface and heats the machine: the children (fresh
// processes, bench/startup.mjs coldStart) then share the machine with an idle parent only. The
// load average right before and each child's own Node start are recorded beside the figures.
const cold = coldStart(QUICK ? 3 : 9);
log(`cold start: import ${cold.importMs.median.toFixed(1)} ms + first createEngine ${cold.createEngineMs.median.toFixed(1)} ms (median of ${cold.reps}; load ${cold.loadBefore[0].toFixed(2)} before; Node's own start ${cold.nodeStartMs.median.toFixed(1)} ms; machine busy ${(100 * cold.machineBusy.median).toFixed(0)}%; at full speed, ${cold.fullSpeed.reps} of ${cold.reps}: ${cold.fullSpeed.totalMs.median.toFixed(1)} ms)`);

// ---------------------------------------------------------------- 1. Node
const ctx = await prepare(riskwasm, Math.max(...sizes));
ctx.sink = sink;
log(`surface of ${ctx.maxN} options ready`);
const checks = verifyRiskwasm(ctx);
for (const c of checks) log(`check ${c.ok ? 'ok  ' : 'FAIL'} ${c.job}: ${c.what}: ${c.err}`);

// Peers: measure speed on a small probe, then accuracy on as many options as ~1.5 s allows.
const peerInfo = [];
for (const peer of PEERS) {
  for (const job of peer.jobs) {
    // Probe twice (the first run warms the JIT), time the second.
    const probe = Math.min(50, ctx.maxN);
    peerAccuracy(ctx, peer, job, probe);
    const t0 = performance.now();
    peerAccuracy(ctx, peer, job, probe);
    const usPerOption = ((performance.now() - t0) * 1e3) / probe;
    const nCheck = Math.max(probe, Math.min(1e5, ctx.maxN, Math.floor(1.5e6 / usPerOption)));
    const acc = peerAccuracy(ctx, peer, job, nCheck);
    peerInfo.push({ peer: peer.name, job, usPerOption, accuracy: acc, note: peer.note });
    log(`peer ${peer.name} ${job}: ${usPerOption.toFixed(2)} us/option (probe); max error ${acc.max.toExponential(2)} (${acc.metric}) over ${acc.n}, ${acc.outside} outside ${acc.tol}`);
  }
}
const infoOf = (name, job) => peerInfo.find((p) => p.peer === name && p.job === job);

const rows = [];
const skipped = [];
for (const job of JOBS) {
  for (const n of sizes) {
    // riskwasm WASM, its JS twin and every peer fast enough for the same settings are timed as
    // one group (one warm-up each, then interleaved rounds: suite.mjs timeTasks); slower peers
    // after, alone, with fewer passes.
    const group = riskwasmTasks(ctx, job, n);
    const alone = [];
    for (const peer of PEERS) {
      if (!peer.jobs.includes(job)) continue;
      const info = infoOf(peer.name, job);
      // Estimated pass time: from this peer's throughput at the previous (smaller) size when it
      // was timed, else from the probe.
      const prev = rows.filter((r) => r.job === job && r.name === peer.name && r.n > 1 && r.n < n).pop();
      const passS = prev ? n / prev.opsPerSec : (n * info.usPerOption) / 1e6;
      if (n > 1 && passS > PEER_MAX_PASS_S) {
        skipped.push({ job, n, peer: peer.name, estPassS: passS });
        log(`${job} N=${n} ${peer.name}: skipped (one pass would take ~${passS.toFixed(0)} s)`);
        continue;
      }
      const reps1 = Math.max(4, Math.min(SINGLE_REPS, Math.floor(20_000 / info.usPerOption)));
      const tasks = peerTasks(ctx, job, n, reps1, peer.name);
      if (passS <= 0.2) group.push(...tasks);
      else alone.push({ tasks, opts: passS > 1 ? { time: 0, iterations: 1, warmup: false } : { time: 0, iterations: 3, warmupTime: 0, warmupIterations: 1 } });
    }
    const r = await timeTasks(Bench, group, benchOptions(n, job === 'iv'));
    for (const row of r) log(`${job} N=${n} ${row.name}: ${(row.opsPerSec / 1e6).toFixed(4)} M/s ±${row.rme.toFixed(1)}% (cpu ${((row.cpuOpsPerSec ?? NaN) / 1e6).toFixed(3)})`);
    rows.push(...r.map((x) => ({ ...x, job })));
    for (const { tasks, opts } of alone) {
      const pr = await timeTasks(Bench, tasks, opts);
      for (const row of pr) log(`${job} N=${n} ${row.name}: ${(row.opsPerSec / 1e6).toFixed(4)} M/s (alone)`);
      rows.push(...pr.map((x) => ({ ...x, job })));
    }
  }
}
const kernelRows = [];
for (const job of JOBS) {
  const r = await timeTasks(Bench, kernelTasks(ctx, job), benchOptions(16384));
  for (const row of r) log(`${job} kernel only ${row.name}: ${(row.opsPerSec / 1e6).toFixed(3)} M/s (cpu ${((row.cpuOpsPerSec ?? NaN) / 1e6).toFixed(3)})`);
  kernelRows.push(...r.map((x) => ({ ...x, job })));
}

// ---------------------------------------------------------------- 2. start-up and size (the cold start ran first, above)
const warm = await warmStart(riskwasm);
log(`warm createEngine ${warm.wasmMs.toFixed(3)} ms; createEngineSync(bytes) ${warm.syncFromBytesMs.toFixed(3)} ms`);
const size = wasmSize();
log(`riskwasm.wasm ${size.release.raw} B raw, ${size.release.gzip} B gzipped`);

// ---------------------------------------------------------------- 3. Monte Carlo
let monteCarlo = null;
if (MC) {
  try {
    monteCarlo = await runMonteCarloBench(riskwasm, { quick: QUICK, log });
    sink.value += monteCarlo.sink;
  } catch (e) {
    log(`Monte Carlo run failed: ${e?.stack ?? e}`);
    monteCarlo = { error: String(e?.message ?? e) };
  }
}

// ---------------------------------------------------------------- 4. risk
let risk = null;
if (RISK) {
  try {
    risk = await runRiskBench(riskwasm, { quick: QUICK, log });
    sink.value += risk.sink;
  } catch (e) {
    log(`risk run failed: ${e?.stack ?? e}`);
    risk = { error: String(e?.message ?? e) };
  }
}

// ---------------------------------------------------------------- 5. calibration
let calibration = null;
if (CALIBRATION) {
  try {
    calibration = await runCalibrationBench(riskwasm, { quick: QUICK, log });
  } catch (e) {
    log(`calibration run failed: ${e?.stack ?? e}`);
    calibration = { error: String(e?.message ?? e) };
  }
}

// ---------------------------------------------------------------- 5b. margin
let margin = null;
if (MARGIN) {
  try {
    margin = await runMarginBench(riskwasm, { quick: QUICK, log });
  } catch (e) {
    log(`margin run failed: ${e?.stack ?? e}`);
    margin = { error: String(e?.message ?? e) };
  }
}

// ---------------------------------------------------------------- 6. Chromium
let chromium = null;
if (BROWSER) {
  try {
    const { runChromium } = await import('./browser.mjs');
    chromium = await runChromium({ log, startupReps: QUICK ? 2 : 5 });
  } catch (e) {
    log(`Chromium run failed: ${e?.stack ?? e}`);
    chromium = { error: String(e?.message ?? e) };
  }
}

// ---------------------------------------------------------------- 7. native C baseline
let native = null;
if (SIMD) {
  try {
    native = await runNativeCompare({ log });
    sink.value += native.sink;
  } catch (e) {
    log(`native comparison (bench/simd.mjs) failed: ${e?.stack ?? e}`);
    native = { error: String(e?.message ?? e) };
  }
}

// Load average at the end of the benchmarks (before the test suite, which loads the machine itself).
machine.loadEnd = os.loadavg();

// ---------------------------------------------------------------- 8. test suite
let testSuite = null;
if (SUITE) {
  const rowsT = [];
  for (const project of PROJECTS) {
    const r = timeProject(project);
    log(`test suite ${project}: ${r.files} files, ${r.tests} tests, ${r.failed} failed, ${r.wallSeconds.toFixed(1)} s (exit ${r.exitCode})`);
    for (const f of r.failures ?? []) log(`  failed: ${f}`);
    rowsT.push(r);
  }
  testSuite = { node: process.version, cores: os.cpus().length, date: new Date().toISOString(), commit: machine.commit, rows: rowsT };
  mkdirSync(here('./.tmp'), { recursive: true });
  writeFileSync(SUITE_JSON, JSON.stringify(testSuite, null, 2));
} else {
  const previous = readSuiteTimes();
  if (previous) testSuite = { ...previous, previous: true };
}

// ---------------------------------------------------------------- 9. report
const results = {
  command: 'npm run bench  (= npm run build && node bench/run.mjs)',
  args: [...argv], date: new Date().toISOString(), durationS: (Date.now() - started) / 1000,
  machine, sizes, peerVersions: PEER_VERSIONS, checks, peerInfo, rows, kernelRows, skipped,
  cold, warm, size, chromium, monteCarlo, risk, calibration, margin, native, testSuite, sink: sink.value,
};
mkdirSync(here('./.tmp'), { recursive: true });
writeFileSync(here('./.tmp/results.json'), JSON.stringify(results, null, 1));
writeReport(results, here('./RESULTS.md'));
log(`wrote bench/RESULTS.md (sink ${sink.value.toExponential(3)})`);
