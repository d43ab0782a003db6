// Engine-resident arrays vs caller-owned arrays, through the same suite tasks (bench/suite.mjs
// riskwasmTasks + residentTasks, interleaved rounds, median), after checking that both paths give
// the same bits. Then the harness question of issue 13 session 9: the same caller-owned 1e6 price
// call timed as bench/simd.mjs times it (best of 7 by CPU time) and as the suite does (median of
// rounds of tinybench's mean wall-clock throughput), in one process, to show which statistic
// accounts for the gap between the two files' figures.
// Usage: node bench/resident.mjs [--quick] [--jobs price,greeks,iv]
import os from 'node:os';
import { Bench } from 'tinybench';
import { benchOptions, prepare, residentTasks, riskwasmTasks, sink, timeTasks, verifyRiskwasm, GREEKS } from './suite.mjs';

const quick = process.argv.includes('--quick');
const jobsAt = process.argv.indexOf('--jobs');
const jobs = jobsAt > 0 ? process.argv[jobsAt + 1].split(',') : ['price', 'greeks', 'iv'];
const sizes = quick ? [1e3, 2 ** 17] : [1e3, 1e6];
const riskwasm = await import('../dist/index.js');
const load0 = os.loadavg();
const ctx = await prepare(riskwasm, Math.max(...sizes));
for (const c of verifyRiskwasm(ctx)) if (!c.ok) console.log(`check FAIL ${c.job}: ${c.what}`);

// Resident vs caller-owned: the same bits (every output column and the status).
for (const job of jobs) {
  const n = Math.max(...sizes);
  const [own] = riskwasmTasks(ctx, job, n);
  void own;
  const e = ctx.engines.wasm;
  const s = ctx.surface;
  const args = job === 'iv'
    ? { prices: ctx.ivPrices, forwards: s.forwards, strikes: s.strikes, expiries: s.expiries, types: s.types, discountFactors: s.discountFactors }
    : { spots: s.spots, strikes: s.strikes, expiries: s.expiries, vols: s.vols, rates: s.rates, dividendYields: s.dividendYields, types: s.types, greeks: job === 'greeks' };
  const ref = job === 'iv' ? e.impliedVol(args) : e.blackScholes(args);
  const h = {};
  for (const [k, v] of Object.entries(args)) if (v instanceof Float64Array || v instanceof Int8Array) h[k] = e.allocateArray({ type: v instanceof Int8Array ? 'i8' : 'f64', length: v.length });
  const w = job === 'greeks' ? 8 : 1;
  const ho = e.allocateArray({ type: 'f64', length: w * n });
  for (const k of Object.keys(h)) h[k].array.set(args[k]);
  const ra = { ...args };
  for (const k of Object.keys(h)) ra[k] = h[k].array;
  const blk = ho.array;
  const out = job === 'iv' ? blk : Object.fromEntries(['price', ...(w === 8 ? GREEKS : [])].map((g, i) => [g, blk.subarray(i * n, (i + 1) * n)]));
  const r = job === 'iv' ? e.impliedVol({ ...ra, out }) : e.blackScholes({ ...ra, out });
  let diff = 0;
  for (const col of job === 'iv' ? ['vols'] : ['price', ...(w === 8 ? GREEKS : [])]) for (let i = 0; i < n; i++) if (!Object.is(r[col][i], ref[col][i])) diff++;
  for (let i = 0; i < n; i++) if (r.status[i] !== ref.status[i]) diff++;
  console.log(`${job}: resident vs caller-owned, ${n} options: ${diff} values differ`);
  for (const x of [...Object.values(h), ho]) x.free();
}

const rate = (x) => `${(x / 1e6).toFixed(2)} M/s`;
for (const job of jobs) {
  for (const n of sizes) {
    const tasks = [...riskwasmTasks(ctx, job, n).filter((t) => !t.name.endsWith('resident arrays')), ...residentTasks(ctx, job, n)];
    const rows = await timeTasks(Bench, tasks, benchOptions(n, job === 'iv'));
    console.log(`${job} N=${n}: ${rows.map((r) => `${r.name} ${rate(r.opsPerSec)} (cpu ${rate(r.cpuOpsPerSec ?? NaN)})`).join('; ')}`);
  }
}

// Paired A/B at the largest size: caller-owned and resident passes alternate, each timed by
// process CPU time, so a burst of load from another tenant hits both sides of a pair; the median
// pair ratio is the figure to trust on a busy machine.
for (const job of jobs) {
  const n = Math.max(...sizes);
  const own = riskwasmTasks(ctx, job, n).find((t) => t.name === 'riskwasm WASM');
  const res = residentTasks(ctx, job, n).find((t) => t.name === 'riskwasm WASM, resident arrays');
  if (!own || !res) continue;
  own.fn();
  res.fn();
  const a = [];
  const b = [];
  const ratios = [];
  const pairs = job === 'iv' ? 6 : 20;
  const cpu = (fn) => { const c0 = process.cpuUsage(); fn(); const c = process.cpuUsage(c0); return c.user + c.system; };
  for (let k = 0; k < pairs; k++) {
    const ta = cpu(own.fn);
    const tb = cpu(res.fn);
    a.push(ta);
    b.push(tb);
    ratios.push(ta / tb);
  }
  const med = (xs) => [...xs].sort((x, y) => x - y)[xs.length >> 1];
  const perS = (us) => rate(n / (us * 1e-6));
  console.log(`${job} N=${n}, ${pairs} alternating pairs by CPU time: caller-owned median ${perS(med(a))} (best ${perS(Math.min(...a))}), resident median ${perS(med(b))} (best ${perS(Math.min(...b))}); median pair ratio resident / caller-owned x${med(ratios).toFixed(3)}`);
}

// The harness question: one call, two statistics.
if (jobs.includes('price')) {
  const n = Math.max(...sizes);
  const task = riskwasmTasks(ctx, 'price', n).find((t) => t.name === 'riskwasm WASM');
  const wall = [];
  const cpu = [];
  for (let k = 0; k < 15; k++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    task.fn();
    wall.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1e3);
  }
  const sorted = (xs) => [...xs].sort((a, b) => a - b);
  const med = (xs) => sorted(xs)[xs.length >> 1];
  const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
  console.log(`price N=${n} caller-owned, 15 passes: best CPU ${rate(n / (sorted(cpu)[0] / 1e3))} (simd.mjs's statistic), best wall ${rate(n / (sorted(wall)[0] / 1e3))}, median wall ${rate(n / (med(wall) / 1e3))}, mean wall ${rate(n / (mean(wall) / 1e3))} (the suite's: a mean over its rounds' passes, then the median of rounds)`);
}
console.log(`load ${load0.map((x) => x.toFixed(2)).join(' ')} -> ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}; sink ${sink.value}`);
