// riskwasm/distributed through a real Redis with worker processes, against one in-thread engine:
//   1. queue overhead: many near-empty shards (philoxSum, 1 normal each) and single-shard round trips;
//   2. portfolio margin of N accounts x 20 positions (bench/margin.mjs's book) under DERIBIT_GRID,
//      end to end (serialisation and storage included), results compared bit for bit;
//   3. Monte Carlo of P GBM paths (European call, 1 step), the same bits as in-thread.
// A private redis-server (Debian's, 127.0.0.1, free port, no persistence) and W worker processes
// (`riskwasm worker`, the CLI) are started and stopped here. Wall and CPU time: the CPU of the
// workers is read from /proc (Linux), so the efficiency (in-thread CPU / all processes' CPU) is
// meaningful even when the machine is shared and the wall-clock ratio is not.
// Portfolio margin is measured per result form (--output objects|columns|both, default both): one
// PortfolioMarginResult object per account (engine.portfolioMargin / output 'objects') or
// PortfolioMarginColumns (engine.portfolioMarginColumns / output 'columns'), each against its own
// in-thread form, like for like. Peak memory: this process's and the workers' VmHWM, Redis's used_memory_peak.
// --input columns (issue 17, session 8): the book is built straight as a MarginAccountColumns (the
// same accounts as makeAccounts', drawn from the same seeded sequence, written into typed arrays: no
// account object is ever made), then engine.portfolioMarginColumns(book) in this thread against
// runDistributed with the book (each shard a slice of its columns). --object-baseline adds the
// in-thread figure of the same accounts as objects (built after the column runs), for context.
// --fields full|summary (with --input columns; default full): which result columns are produced and
// shipped, in-thread and distributed alike (fields: 'summary': no scenario P&L, no contributions);
// bytes per account each way (inputs: shared blob + parts; results: what the submitter read back).
// Usage: node bench/distributed.mjs [--accounts N] [--paths P] [--workers W] [--shard-accounts S] [--output objects|columns|both]
//        [--input objects|columns] [--fields full|summary] [--object-baseline] [--no-ids] [--no-mc] [--no-overhead] [--json]
//        (after `npm run build`; needs redis-server, REDIS_SERVER to override its path)
import { fork, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { constants, PerformanceObserver } from 'node:perf_hooks';
import * as riskwasm from '../dist/index.js';
import { runDistributed } from '../dist/distributed/index.js';
import { accountUniverse, makeAccounts } from './margin.mjs';
import { mulberry32 } from './surface.mjs';

const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const ACCOUNTS = opt('accounts', 100_000);
const PATHS = opt('paths', 1e8);
const WORKERS = opt('workers', 2);
const SHARD_ACCOUNTS = opt('shard-accounts', 2000);
const MC_SHARD = opt('mc-shard', 1 << 20);
const OVERHEAD_SHARDS = opt('overhead-shards', 2000);
const JSON_OUT = args.includes('--json');
const NO_MC = args.includes('--no-mc');
const NO_OVERHEAD = args.includes('--no-overhead');
const OUTPUT = (() => {
  const i = args.indexOf('--output');
  return i >= 0 ? args[i + 1] : 'both';
})();
if (!['objects', 'columns', 'both'].includes(OUTPUT)) throw new Error(`--output ${OUTPUT}: objects, columns or both`);
const INPUT = (() => {
  const i = args.indexOf('--input');
  return i >= 0 ? args[i + 1] : 'objects';
})();
if (!['objects', 'columns'].includes(INPUT)) throw new Error(`--input ${INPUT}: objects or columns`);
const FIELDS = /** @type {'full' | 'summary'} */ ((() => {
  const i = args.indexOf('--fields');
  return i >= 0 ? args[i + 1] : 'full';
})());
if (!['full', 'summary'].includes(FIELDS)) throw new Error(`--fields ${FIELDS}: full or summary`);
const OBJECT_BASELINE = args.includes('--object-baseline');
const NO_IDS = args.includes('--no-ids');
const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const log = (...a) => { if (!JSON_OUT) console.log(...a); };

const TICK = 100; // USER_HZ on Linux
function procCpuS(pid) {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(f[11]) + Number(f[12])) / TICK; // utime + stime
  } catch {
    return NaN;
  }
}
const selfCpuS = () => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1e6;
};

function freePort() {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = /** @type {import('node:net').AddressInfo} */ (s.address());
      s.close(() => resolve(port));
    });
  });
}

async function startRedis() {
  const port = await freePort();
  const dir = mkdtempSync(join(os.tmpdir(), 'riskwasm-bench-redis-'));
  const child = spawn(process.env.REDIS_SERVER || 'redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no', '--loglevel', 'notice'], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (b) => { out += b; if (/Ready to accept/.test(out)) resolve(); });
    child.on('exit', (c) => reject(new Error(`redis-server exited ${c}`)));
  });
  return { url: `redis://127.0.0.1:${port}`, pid: child.pid, stop: () => { child.kill('SIGTERM'); rmSync(dir, { recursive: true, force: true }); } };
}

async function startWorkers(url, n) {
  const cli = here('../dist/cli/main.js');
  return Promise.all(Array.from({ length: n }, () => new Promise((resolve, reject) => {
    const child = fork(cli, ['worker', '--redis', url, '--queue', 'bench'], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    child.stderr.on('data', (b) => { if (/serving queue/.test(String(b))) resolve(child); });
    child.on('exit', (c) => reject(new Error(`worker exited ${c}`)));
  })));
}

const workersCpu = (ws) => ws.reduce((s, w) => s + procCpuS(w.pid), 0);
/** Peak resident memory of a process (VmHWM), MiB. */
function peakRssMiB(pid) {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}
async function redisPeakMiB(url) {
  const { Redis } = await import('ioredis');
  const r = new Redis(url);
  try {
    const info = await r.info('memory');
    return Number(/used_memory_peak:(\d+)/.exec(info)?.[1]) / 2 ** 20;
  } finally {
    r.disconnect();
  }
}

// Pauses of this process's garbage collector (main thread; concurrent marking on helper threads is in its CPU time but not here).
let gcMs = 0, majorGcMs = 0, minorGcMs = 0;
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    gcMs += e.duration;
    const kind = /** @type {any} */ (e).detail?.kind;
    if (kind === constants.NODE_PERFORMANCE_GC_MAJOR) majorGcMs += e.duration;
    if (kind === constants.NODE_PERFORMANCE_GC_MINOR) minorGcMs += e.duration;
  }
}).observe({ entryTypes: ['gc'] });

/** Time `f` (wall, this process's CPU and GC pauses, the workers' CPU, Redis's CPU). */
async function timed(f, ws, redisPid) {
  const c0 = selfCpuS(), w0 = workersCpu(ws), r0 = procCpuS(redisPid), g0 = gcMs, m0 = majorGcMs, n0 = minorGcMs, t0 = performance.now();
  const value = await f();
  const wallS = (performance.now() - t0) / 1000;
  // Let the observer's last entries arrive.
  await new Promise((r) => setTimeout(r, 50));
  return { value, wallS, selfCpuS: selfCpuS() - c0, workersCpuS: workersCpu(ws) - w0, redisCpuS: procCpuS(redisPid) - r0, gcS: (gcMs - g0) / 1000, majorGcS: (majorGcMs - m0) / 1000, minorGcS: (minorGcMs - n0) / 1000 };
}

function sameMargins(a, b) {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i], y = b[i];
    if (!Object.is(x.initialMargin, y.initialMargin) || !Object.is(x.maintenanceMargin, y.maintenanceMargin) || x.status !== y.status) return false;
    if (x.worstScenario.index !== y.worstScenario.index || !Object.is(x.worstScenario.pnl, y.worstScenario.pnl)) return false;
    // A summary (fields 'summary') has no scenario P&L: the rest is compared.
    if (x.scenarioPnl === undefined || y.scenarioPnl === undefined) continue;
    if (x.scenarioPnl.length !== y.scenarioPnl.length) return false;
    for (let k = 0; k < y.scenarioPnl.length; k++) if (!Object.is(x.scenarioPnl[k], y.scenarioPnl[k])) return false;
  }
  return true;
}

const COLUMN_FIELDS = [
  'status', 'initialMargin', 'maintenanceMargin', 'scanRisk', 'worstIndex', 'worstPnl', 'worstAsset', 'shortOptionContingency', 'futuresContingency', 'deltaShock',
  'scenarioPnl', 'positionStart', 'contributions', 'assetStart', 'assetCode', 'assetScanRisk', 'assetWorstIndex', 'assetNetDelta',
];
function sameColumns(a, b) {
  if (a.length !== b.length) return false;
  for (const f of COLUMN_FIELDS) {
    const x = a[f], y = b[f];
    if (x === undefined && y === undefined && a.fields === 'summary' && b.fields === 'summary') continue;
    if (x?.length !== y?.length) return false;
    for (let i = 0; i < x.length; i++) if (!Object.is(x[i], y[i])) return false;
  }
  for (let i = 0; i < a.length; i++) if (a.ids[i] !== b.ids[i]) return false;
  return true;
}

/**
 * makeAccounts' book (same seed, same draws in the same order) written straight into columns: the
 * instrument table in first-seen order, one Int32Array / Float64Array per field. No account or
 * position object is made (ids are strings, one per account).
 */
function makeColumnsBook(count, positionsPer = 20, seed = 11) {
  const { market, byAsset, assets } = accountUniverse(riskwasm);
  const rand = mulberry32(seed);
  const pick = (arr) => arr[Math.floor(rand() * arr.length)];
  const size = () => Math.round((rand() * 10 - 5) * 10) / 10 || 0.1;
  const instruments = [];
  const code = new Map();
  const codeOf = (name) => {
    let c = code.get(name);
    if (c === undefined) code.set(name, (c = instruments.push(name) - 1));
    return c;
  };
  const P = count * positionsPer;
  const positionStart = new Int32Array(count + 1), instrument = new Int32Array(P), sizes = new Float64Array(P);
  const ids = [];
  let k = 0;
  for (let a = 0; a < count; a++) {
    const both = rand() < 0.2;
    const home = pick(assets);
    for (let j = 0; j < positionsPer; j++) {
      const asset = both && j % 2 === 1 ? assets.find((x) => x !== home) : home;
      const e = byAsset[asset];
      const slot = j % 20;
      // The argument (the pick) is drawn before the size, as in makeAccounts' object literal.
      instrument[k] = codeOf(slot < 14 ? pick(e.options) : slot < 17 ? pick(e.futures) : `${asset}-PERPETUAL`);
      sizes[k++] = size();
    }
    positionStart[a + 1] = k;
    if (!NO_IDS) ids.push(`acct-${a}`);
  }
  return { book: NO_IDS ? { positionStart, instruments, instrument, size: sizes } : { ids, positionStart, instruments, instrument, size: sizes }, market };
}

/** The first n accounts of a column book (views; for the warm-up). */
function sliceBook(book, n) {
  const p = book.positionStart[n];
  return { ...(book.ids ? { ids: book.ids.slice(0, n) } : {}), positionStart: book.positionStart.subarray(0, n + 1), instruments: book.instruments, instrument: book.instrument.subarray(0, p), size: book.size.subarray(0, p) };
}

const load = () => os.loadavg().map((x) => x.toFixed(2)).join(' ');
const report = { machine: `${os.cpus().length} cores, ${os.cpus()[0]?.model}`, node: process.version, loadBefore: load() };
log(`riskwasm/distributed bench: ${report.machine}, Node ${process.version}, load ${report.loadBefore}; ${WORKERS} worker processes`);

const redis = await startRedis();
const workers = await startWorkers(redis.url, WORKERS);
const engine = await riskwasm.createEngine();
const connection = redis.url;
const queue = 'bench';
try {
  // 1. Queue overhead.
  if (!NO_OVERHEAD) {
    const job = { seedLo: 1, seedHi: 0, stream: 0, pathsPerShard: 1, drawsPerPath: 1 };
    await runDistributed(engine, { kind: 'shards', task: 'philoxSum', job, shards: 50 }, { connection, queue }); // warm up
    const many = await timed(() => runDistributed(engine, { kind: 'shards', task: 'philoxSum', job, shards: OVERHEAD_SHARDS }, { connection, queue }), workers, redis.pid);
    const rtts = [];
    for (let i = 0; i < 30; i++) {
      const t0 = performance.now();
      await runDistributed(engine, { kind: 'shards', task: 'philoxSum', job, shards: 1 }, { connection, queue });
      rtts.push(performance.now() - t0);
    }
    rtts.sort((a, b) => a - b);
    const cpuPerShardUs = ((many.selfCpuS + many.workersCpuS + many.redisCpuS) / OVERHEAD_SHARDS) * 1e6;
    report.overhead = {
      shards: OVERHEAD_SHARDS, wallS: many.wallS, shardsPerS: OVERHEAD_SHARDS / many.wallS,
      wallPerShardUs: (many.wallS / OVERHEAD_SHARDS) * 1e6, cpuPerShardUs,
      cpuSplitUs: { submitter: (many.selfCpuS / OVERHEAD_SHARDS) * 1e6, workers: (many.workersCpuS / OVERHEAD_SHARDS) * 1e6, redis: (many.redisCpuS / OVERHEAD_SHARDS) * 1e6 },
      singleShardRunMs: { median: rtts[15], p10: rtts[3], p90: rtts[27] },
    };
    log(`\n1. queue overhead: ${OVERHEAD_SHARDS} empty shards in ${many.wallS.toFixed(2)} s = ${(OVERHEAD_SHARDS / many.wallS).toFixed(0)} shards/s, `
      + `${report.overhead.wallPerShardUs.toFixed(0)} us wall/shard; CPU per shard ${cpuPerShardUs.toFixed(0)} us `
      + `(submitter ${report.overhead.cpuSplitUs.submitter.toFixed(0)}, workers ${report.overhead.cpuSplitUs.workers.toFixed(0)}, redis ${report.overhead.cpuSplitUs.redis.toFixed(0)}); `
      + `a whole 1-shard run (connect, submit, wait, clean up): median ${rtts[15].toFixed(1)} ms (p10 ${rtts[3].toFixed(1)}, p90 ${rtts[27].toFixed(1)})`);
  }

  // 2. Portfolio margin.
  if (INPUT === 'columns') {
    const grid = riskwasm.DERIBIT_GRID;
    const shards = Math.ceil(ACCOUNTS / SHARD_ACCOUNTS);
    const built = await timed(() => makeColumnsBook(ACCOUNTS, 20), [], redis.pid);
    const { book, market } = built.value;
    report.portfolioMargin = { input: 'columns', fields: FIELDS, accounts: ACCOUNTS, positionsPerAccount: 20, shardAccounts: SHARD_ACCOUNTS, shards, scenarios: grid.scenarios.length, bookBuildS: built.wallS, instruments: book.instruments.length };
    log(`\n2. portfolio margin, input columns, fields '${FIELDS}': ${ACCOUNTS.toLocaleString('en-US')} accounts x 20 positions (${book.instruments.length} instruments; book built in ${built.wallS.toFixed(2)} s), DERIBIT_GRID (${grid.scenarios.length} scenarios), ${shards} shards of ${SHARD_ACCOUNTS}`);
    {
      const few = sliceBook(book, Math.min(ACCOUNTS, 4 * SHARD_ACCOUNTS));
      engine.portfolioMarginColumns(few, market, grid, { fields: FIELDS });
      await runDistributed(engine, { kind: 'portfolioMargin', accounts: few, market, grid, fields: FIELDS }, { connection, queue, shardSize: SHARD_ACCOUNTS });
    }
    const local = await timed(() => engine.portfolioMarginColumns(book, market, grid, { fields: FIELDS }), [], redis.pid);
    /** @type {any} */
    let stats;
    const dist = await timed(() => runDistributed(engine, { kind: 'portfolioMargin', accounts: book, market, grid, fields: FIELDS }, {
      connection, queue, shardSize: SHARD_ACCOUNTS, onStats: (s) => { stats = s; },
    }), workers, redis.pid);
    const identical = sameColumns(dist.value, local.value);
    const firstCols = local.value;
    local.value = null;
    dist.value = null;
    const allCpu = dist.selfCpuS + dist.workersCpuS + dist.redisCpuS;
    const r = {
      identical,
      inThread: { wallS: local.wallS, cpuS: local.selfCpuS, gcPauseS: local.gcS, accountsPerS: ACCOUNTS / local.wallS, cpuUsPerAccount: (local.selfCpuS / ACCOUNTS) * 1e6 },
      distributed: {
        wallS: dist.wallS, submitterCpuS: dist.selfCpuS, submitterGcPauseS: dist.gcS, workersCpuS: dist.workersCpuS, redisCpuS: dist.redisCpuS, accountsPerS: ACCOUNTS / dist.wallS,
        submitS: stats.submitMs / 1000, waitS: stats.waitMs / 1000, sharedBytes: stats.sharedBytes, partBytesPerShard: stats.partBytes / shards, maxPartBytes: stats.maxPartBytes,
        submitterCpuUsPerAccount: (dist.selfCpuS / ACCOUNTS) * 1e6, workersCpuUsPerAccount: (dist.workersCpuS / ACCOUNTS) * 1e6,
        redisCpuUsPerAccount: (dist.redisCpuS / ACCOUNTS) * 1e6,
        inputBytesPerAccount: (stats.sharedBytes + stats.partBytes) / ACCOUNTS, resultBytesPerAccount: stats.resultBytes / ACCOUNTS,
      },
      speedup: local.wallS / dist.wallS,
      cpuEfficiency: local.selfCpuS / allCpu,
      overheadPerShardUs: ((allCpu - local.selfCpuS) / shards) * 1e6,
    };
    report.portfolioMargin.columnsInput = r;
    const d = r.distributed;
    log(`   identical ${identical}`);
    log(`     in-thread (columns in, columns out): ${local.wallS.toFixed(2)} s wall (${local.selfCpuS.toFixed(2)} s CPU, ${r.inThread.cpuUsPerAccount.toFixed(1)} us/account; GC pauses ${local.gcS.toFixed(2)} s), ${(ACCOUNTS / local.wallS).toFixed(0)} accounts/s`);
    log(`     distributed (${WORKERS} workers): ${dist.wallS.toFixed(2)} s wall, ${(ACCOUNTS / dist.wallS).toFixed(0)} accounts/s = ${r.speedup.toFixed(2)}x; `
      + `submit ${d.submitS.toFixed(2)} s, wait ${d.waitS.toFixed(2)} s; CPU: submitter ${d.submitterCpuS.toFixed(2)} s (${d.submitterCpuUsPerAccount.toFixed(1)} us/account; GC pauses ${dist.gcS.toFixed(2)} s), `
      + `workers ${d.workersCpuS.toFixed(2)} s (${d.workersCpuUsPerAccount.toFixed(1)} us/account), redis ${d.redisCpuS.toFixed(2)} s `
      + `(efficiency ${(r.cpuEfficiency * 100).toFixed(0)}%: ${(2 * r.cpuEfficiency).toFixed(2)}x on 2 quiet cores); `
      + `queue CPU ${(r.overheadPerShardUs / 1000).toFixed(1)} ms per shard of ${SHARD_ACCOUNTS} (${(r.overheadPerShardUs / SHARD_ACCOUNTS).toFixed(2)} us/account); `
      + `shared blob ${(d.sharedBytes / 1024).toFixed(0)} KiB, ${(d.partBytesPerShard / 1024).toFixed(0)} KiB per shard (largest ${(d.maxPartBytes / 1024).toFixed(0)} KiB); `
      + `bytes per account: ${d.inputBytesPerAccount.toFixed(0)} in, ${d.resultBytesPerAccount.toFixed(0)} back; redis ${d.redisCpuUsPerAccount.toFixed(1)} us/account`);
    report.memory = {
      submitterPeakMiB: peakRssMiB(process.pid), workersPeakMiB: workers.map((w) => peakRssMiB(w.pid)), redisPeakMiB: await redisPeakMiB(redis.url),
    };
    log(`   peak memory (before any object book): submitter ${report.memory.submitterPeakMiB.toFixed(0)} MiB, workers ${report.memory.workersPeakMiB.map((x) => x.toFixed(0)).join(' / ')} MiB, redis ${report.memory.redisPeakMiB.toFixed(0)} MiB`);
    {
      // The same accounts as objects (makeAccounts): the columns result equals theirs (first 20,000), and, with --object-baseline, the in-thread figure for the whole book.
      const n = OBJECT_BASELINE ? ACCOUNTS : Math.min(ACCOUNTS, 20_000);
      const { accounts } = makeAccounts(riskwasm, n, 20);
      const few = accounts.slice(0, Math.min(n, 20_000));
      const objs = engine.portfolioMargin(few, market, grid);
      let same = true;
      for (let i = 0; i < few.length && same; i++) same = sameMargins([firstCols.account(i)], [objs[i]]) && (NO_IDS || firstCols.ids[i] === objs[i].id);
      report.portfolioMargin.columnsInputEqualsObjects = same;
      log(`   columns input equals object input (engine.portfolioMargin, first ${few.length} accounts): ${same}`);
      if (OBJECT_BASELINE) {
        const obj = await timed(() => engine.portfolioMarginColumns(accounts, market, grid), [], redis.pid);
        report.portfolioMargin.objectInputInThread = { wallS: obj.wallS, cpuS: obj.selfCpuS, gcPauseS: obj.gcS, cpuUsPerAccount: (obj.selfCpuS / ACCOUNTS) * 1e6 };
        log(`   for context, in-thread with the same accounts as objects (engine.portfolioMarginColumns(accounts)): ${obj.wallS.toFixed(2)} s wall (${obj.selfCpuS.toFixed(2)} s CPU, GC pauses ${obj.gcS.toFixed(2)} s)`);
        report.memory.submitterPeakWithObjectsMiB = peakRssMiB(process.pid);
      }
    }
  } else {
    const { accounts, market } = makeAccounts(riskwasm, ACCOUNTS, 20);
    const grid = riskwasm.DERIBIT_GRID;
    const shards = Math.ceil(ACCOUNTS / SHARD_ACCOUNTS);
    report.portfolioMargin = { accounts: ACCOUNTS, positionsPerAccount: 20, shardAccounts: SHARD_ACCOUNTS, shards, scenarios: grid.scenarios.length };
    log(`\n2. portfolio margin, ${ACCOUNTS.toLocaleString('en-US')} accounts x 20 positions, DERIBIT_GRID (${grid.scenarios.length} scenarios), ${shards} shards of ${SHARD_ACCOUNTS}`);
    // Warm-up (JIT of this process and of the workers) on the first shards' accounts, both forms, both ways.
    {
      const few = accounts.slice(0, Math.min(ACCOUNTS, 4 * SHARD_ACCOUNTS));
      for (const output of /** @type {const} */ (['objects', 'columns'])) {
        if (output === 'columns') engine.portfolioMarginColumns(few, market, grid);
        else engine.portfolioMargin(few, market, grid);
        await runDistributed(engine, { kind: 'portfolioMargin', accounts: few, market, grid, output }, { connection, queue, shardSize: SHARD_ACCOUNTS });
      }
    }
    // Columns first, and nothing kept between the forms: every run starts from the same heap (the
    // accounts), since a heap holding another run's results makes every collection slower.
    for (const output of /** @type {('objects' | 'columns')[]} */ (OUTPUT === 'both' ? ['columns', 'objects'] : [OUTPUT])) {
      const local = await timed(() => (output === 'columns'
        ? engine.portfolioMarginColumns(accounts, market, grid)
        : engine.portfolioMargin(accounts, market, grid)), [], redis.pid);
      /** @type {any} */
      let stats;
      const dist = await timed(() => runDistributed(engine, { kind: 'portfolioMargin', accounts, market, grid, output }, {
        connection, queue, shardSize: SHARD_ACCOUNTS, onStats: (s) => { stats = s; },
      }), workers, redis.pid);
      const identical = output === 'columns' ? sameColumns(dist.value, local.value) : sameMargins(dist.value, local.value);
      local.value = null;
      dist.value = null;
      const allCpu = dist.selfCpuS + dist.workersCpuS + dist.redisCpuS;
      const r = {
        identical,
        inThread: { wallS: local.wallS, cpuS: local.selfCpuS, gcPauseS: local.gcS, majorGcPauseS: local.majorGcS, minorGcPauseS: local.minorGcS, accountsPerS: ACCOUNTS / local.wallS, cpuUsPerAccount: (local.selfCpuS / ACCOUNTS) * 1e6 },
        distributed: {
          wallS: dist.wallS, submitterCpuS: dist.selfCpuS, submitterGcPauseS: dist.gcS, submitterMajorGcPauseS: dist.majorGcS, submitterMinorGcPauseS: dist.minorGcS, workersCpuS: dist.workersCpuS, redisCpuS: dist.redisCpuS, accountsPerS: ACCOUNTS / dist.wallS,
          submitS: stats.submitMs / 1000, waitS: stats.waitMs / 1000, sharedBytes: stats.sharedBytes, partBytesPerShard: stats.partBytes / shards, maxPartBytes: stats.maxPartBytes,
          submitterCpuUsPerAccount: (dist.selfCpuS / ACCOUNTS) * 1e6, workersCpuUsPerAccount: (dist.workersCpuS / ACCOUNTS) * 1e6,
        },
        speedup: local.wallS / dist.wallS,
        // Throughput per CPU-second against one thread's: what 2 quiet cores would give is ~2 x this.
        cpuEfficiency: local.selfCpuS / allCpu,
        // The CPU the queue adds per shard of SHARD_ACCOUNTS accounts (all processes, minus one thread's).
        overheadPerShardUs: ((allCpu - local.selfCpuS) / shards) * 1e6,
      };
      report.portfolioMargin[output] = r;
      const d = r.distributed;
      log(`   [${output}] identical ${identical}`);
      log(`     in-thread: ${local.wallS.toFixed(2)} s wall (${local.selfCpuS.toFixed(2)} s CPU, ${r.inThread.cpuUsPerAccount.toFixed(1)} us/account; GC pauses ${local.gcS.toFixed(2)} s: major ${local.majorGcS.toFixed(2)}, minor ${local.minorGcS.toFixed(2)}), ${(ACCOUNTS / local.wallS).toFixed(0)} accounts/s`);
      log(`     distributed (${WORKERS} workers): ${dist.wallS.toFixed(2)} s wall, ${(ACCOUNTS / dist.wallS).toFixed(0)} accounts/s = ${r.speedup.toFixed(2)}x; `
        + `submit ${d.submitS.toFixed(2)} s, wait ${d.waitS.toFixed(2)} s; CPU: submitter ${d.submitterCpuS.toFixed(2)} s (${d.submitterCpuUsPerAccount.toFixed(1)} us/account; GC pauses ${dist.gcS.toFixed(2)} s: major ${dist.majorGcS.toFixed(2)}, minor ${dist.minorGcS.toFixed(2)}), `
        + `workers ${d.workersCpuS.toFixed(2)} s (${d.workersCpuUsPerAccount.toFixed(1)} us/account), redis ${d.redisCpuS.toFixed(2)} s `
        + `(efficiency ${(r.cpuEfficiency * 100).toFixed(0)}%: ${(2 * r.cpuEfficiency).toFixed(2)}x on 2 quiet cores); `
        + `queue CPU ${(r.overheadPerShardUs / 1000).toFixed(1)} ms per shard of ${SHARD_ACCOUNTS} (${(r.overheadPerShardUs / SHARD_ACCOUNTS).toFixed(2)} us/account); `
        + `shared blob ${(d.sharedBytes / 1024).toFixed(0)} KiB, ${(d.partBytesPerShard / 1024).toFixed(0)} KiB per shard (largest ${(d.maxPartBytes / 1024).toFixed(0)} KiB)`);
    }
    {
      // The two forms hold the same numbers (test/margin-pm-columns.test.ts checks every field): the first 20,000 accounts here.
      const few = accounts.slice(0, 20_000);
      const cols = engine.portfolioMarginColumns(few, market, grid), objs = engine.portfolioMargin(few, market, grid);
      let same = true;
      for (let i = 0; i < few.length && same; i++) same = sameMargins([cols.account(i)], [objs[i]]);
      report.portfolioMargin.columnsEqualObjects = same;
      log(`   columns equal objects (first ${few.length} accounts): ${same}`);
    }
    report.memory = {
      submitterPeakMiB: peakRssMiB(process.pid), workersPeakMiB: workers.map((w) => peakRssMiB(w.pid)), redisPeakMiB: await redisPeakMiB(redis.url),
    };
    log(`   peak memory: submitter ${report.memory.submitterPeakMiB.toFixed(0)} MiB, workers ${report.memory.workersPeakMiB.map((x) => x.toFixed(0)).join(' / ')} MiB, redis ${report.memory.redisPeakMiB.toFixed(0)} MiB`);
  }

  // 3. Monte Carlo GBM.
  if (!NO_MC) {
    /** @type {import('../dist/index.js').MonteCarloArgs} */
    const mc = {
      model: { kind: 'gbm', spot: 100, rate: 0.03, dividendYield: 0.01, vol: 0.25 }, payoff: { kind: 'european', strike: 105, type: 'call' },
      expiry: 1, paths: PATHS, steps: 1, seed: 2026, shardSize: MC_SHARD,
    };
    const local = await timed(() => engine.monteCarlo(mc), [], redis.pid);
    /** @type {any} */
    let stats;
    const dist = await timed(() => runDistributed(engine, { kind: 'monteCarlo', args: mc }, { connection, queue, onStats: (s) => { stats = s; } }), workers, redis.pid);
    const identical = Object.is(local.value.price, dist.value.price) && Object.is(local.value.stdErr, dist.value.stdErr);
    const shards = Math.ceil(PATHS / MC_SHARD);
    report.monteCarlo = {
      paths: PATHS, shardSize: MC_SHARD, shards, identical, price: local.value.price, stdErr: local.value.stdErr,
      inThread: { wallS: local.wallS, cpuS: local.selfCpuS },
      distributed: { wallS: dist.wallS, submitterCpuS: dist.selfCpuS, workersCpuS: dist.workersCpuS, redisCpuS: dist.redisCpuS, sharedBytes: stats.sharedBytes },
      speedup: local.wallS / dist.wallS,
      overheadPerShardMs: ((dist.selfCpuS + dist.workersCpuS + dist.redisCpuS - local.selfCpuS) / shards) * 1000,
    };
    log(`\n3. Monte Carlo GBM, ${PATHS.toExponential(0)} paths, ${shards} shards of ${MC_SHARD}: identical ${identical} (price ${local.value.price}, stdErr ${local.value.stdErr})`);
    log(`   in-thread ${local.wallS.toFixed(2)} s wall (${local.selfCpuS.toFixed(2)} s CPU); distributed ${dist.wallS.toFixed(2)} s wall = ${report.monteCarlo.speedup.toFixed(2)}x; `
      + `CPU workers ${dist.workersCpuS.toFixed(2)} s + submitter ${dist.selfCpuS.toFixed(2)} s + redis ${dist.redisCpuS.toFixed(2)} s; `
      + `extra CPU per shard ${report.monteCarlo.overheadPerShardMs.toFixed(2)} ms; job blob ${stats.sharedBytes} bytes`);
  }
} finally {
  for (const w of workers) w.kill('SIGTERM');
  redis.stop();
}
report.loadAfter = load();
log(`\nload after: ${report.loadAfter} (a 2-core machine shared with other jobs: wall-clock ratios are not the design's; CPU efficiency is)`);
if (JSON_OUT) console.log(JSON.stringify(report, null, 2));
