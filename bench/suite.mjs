// The riskwasm benchmark suite (WASM engine vs the pure-JS twin), shared by Node (bench/run.mjs)
// and Chromium (bench/browser.html): the same surface, the same verification, the same timing.
// Environment-neutral: the caller passes the riskwasm module namespace and tinybench's Bench.

import { makeSurface, prefix, single } from './surface.mjs';

export const JOBS = ['price', 'greeks', 'iv'];
export const JOB_LABEL = { price: 'price', greeks: 'price + 7 greeks', iv: 'implied vol' };
export const SIZES = [1, 1e3, 1e6];
export const GREEKS = ['delta', 'gamma', 'vega', 'theta', 'rho', 'vanna', 'volga'];

/** Single-option calls per timed iteration at N = 1 (so the timer's own cost is amortised). */
export const SINGLE_REPS = 256;

/** Tolerances of the WASM-vs-JS checks (relative, see `maxRelErr`). */
export const TOL = {
  twinPrice: 1e-13,
  twinGreeks: 1e-10,
  twinVol: 1e-13,
  // Implied vol against the vol that generated the price: |dsigma| <= 1e-12 sigma + 8 eps price / vega
  // (the second term is the vol uncertainty that rounding the price to a double implies).
  volRel: 1e-12,
  volPriceUlps: 8,
};

const EPS = 2.220446049250313e-16;

// A sink that every task writes into, so nothing is optimised away. Printed at the end.
export const sink = { value: 0 };

/**
 * Max over i of |a[i] - b[i]| / max(|b[i]|, floor), with floor = floorFrac * max|b| (so columns
 * that cross zero, such as theta or vanna, are not judged by their relative error at the zero).
 * NaN anywhere counts as an infinite error. Returns { max, at }.
 */
export function maxRelErr(a, b, floorFrac = 0) {
  let bmax = 0;
  for (let i = 0; i < b.length; i++) if (Math.abs(b[i]) > bmax && Number.isFinite(b[i])) bmax = Math.abs(b[i]);
  const floor = floorFrac * bmax || Number.MIN_VALUE;
  let max = 0;
  let at = -1;
  for (let i = 0; i < b.length; i++) {
    const e = Math.abs(a[i] - b[i]) / Math.max(Math.abs(b[i]), floor);
    if (!(e <= max)) {
      max = Number.isNaN(e) ? Infinity : e;
      at = i;
    }
  }
  return { max, at };
}

function outBlock(n, greeks) {
  const out = { price: new Float64Array(n) };
  if (greeks) for (const g of GREEKS) out[g] = new Float64Array(n);
  return out;
}

function priceArgs(s, greeks, out) {
  return {
    spots: s.spots, strikes: s.strikes, expiries: s.expiries, vols: s.vols, rates: s.rates,
    dividendYields: s.dividendYields, types: s.types, greeks, out,
  };
}

function ivArgs(s, prices, out) {
  return {
    prices, forwards: s.forwards, strikes: s.strikes, expiries: s.expiries, types: s.types,
    discountFactors: s.discountFactors, out,
  };
}

/**
 * Build engines, the surface and the reference results. `riskwasm` is the module namespace of
 * dist/index.js.
 */
export async function prepare(riskwasm, maxN = 1e6) {
  const wasm = await riskwasm.createEngine({ backend: 'wasm' });
  const js = await riskwasm.createEngine({ backend: 'js' });
  const surface = makeSurface(maxN);
  // Reference prices for implied vol: Black-76 on F = S e^{rT}, DF = e^{-rT}, from the WASM engine.
  const ivPrices = wasm.black76({
    forwards: surface.forwards, strikes: surface.strikes, expiries: surface.expiries, vols: surface.vols,
    discountFactors: surface.discountFactors, types: surface.types,
  }).price;
  const vegas = wasm.black76({
    forwards: surface.forwards, strikes: surface.strikes, expiries: surface.expiries, vols: surface.vols,
    discountFactors: surface.discountFactors, types: surface.types, greeks: true,
  }).vega;
  // The resident-array rows use the same two engines, as an application would: a second engine per
  // backend makes the facade's kernel call sites see two WebAssembly instances, which cost the
  // one-option path ~40% (N = 1: 2.8 -> 1.7 M calls/s measured in one run each way), a cost of
  // engines, not of resident arrays.
  const residentEngines = typeof wasm.allocateArray === 'function' ? { wasm, js } : null;
  return { riskwasm, engines: { wasm, js }, residentEngines, surface, ivPrices, vegas, maxN, ref: {}, ivAvailable: false };
}

/**
 * Verify before timing: WASM against the JS twin on every column over the whole surface, and the
 * implied vols of both against the vols that generated the prices. Fills ctx.ref (reference
 * results the peers are judged against) and returns a list of check records.
 */
export function verifyRiskwasm(ctx) {
  const { engines, surface: s } = ctx;
  const checks = [];
  const w = engines.wasm.blackScholes(priceArgs(s, true));
  const j = engines.js.blackScholes(priceArgs(s, true));
  ctx.ref.greeks = w;
  const bad = (r) => r.status.reduce((k, v) => k + (v !== 0 ? 1 : 0), 0);
  {
    const e = maxRelErr(w.price, j.price, 0);
    checks.push({ job: 'price', what: 'WASM vs JS twin, price', n: s.n, err: e.max, tol: TOL.twinPrice, ok: e.max <= TOL.twinPrice && bad(w) === 0 });
    let worst = { max: 0, at: -1, name: '' };
    for (const g of GREEKS) {
      const eg = maxRelErr(w[g], j[g], 1e-9);
      if (eg.max > worst.max || worst.name === '') worst = { ...eg, name: g };
    }
    checks.push({ job: 'greeks', what: `WASM vs JS twin, 7 greeks (worst: ${worst.name}; floor 1e-9 max|col|)`, n: s.n, err: worst.max, tol: TOL.twinGreeks, ok: worst.max <= TOL.twinGreeks });
    // The price-only call must agree with the price of the greeks call bit for bit.
    const p = engines.wasm.blackScholes(priceArgs(s, false)).price;
    const same = maxRelErr(p, w.price, 0).max === 0;
    checks.push({ job: 'price', what: 'WASM price-only vs price of the greeks call', n: s.n, err: same ? 0 : NaN, tol: 0, ok: same });
  }
  // Implied vol.
  const vw = engines.wasm.impliedVol(ivArgs(s, ctx.ivPrices));
  const vj = engines.js.impliedVol(ivArgs(s, ctx.ivPrices));
  const notOk = bad(vw) + bad(vj);
  const nanCount = vw.vols.reduce((k, v) => k + (Number.isFinite(v) ? 0 : 1), 0);
  if (notOk > 0 || nanCount > 0) {
    const codes = {};
    for (const v of vw.status) codes[v] = (codes[v] ?? 0) + 1;
    const names = Object.entries(codes).map(([c, k]) => `${ctx.riskwasm.statusName(Number(c))}: ${k}`).join(', ');
    checks.push({
      job: 'iv', what: `engine.impliedVol returned NaN / a non-ok status (WASM ${names}); timing skipped`,
      n: s.n, err: NaN, tol: TOL.volRel, ok: false, unavailable: true,
    });
    ctx.ivAvailable = false;
  } else {
    let worst = 0;
    let outside = 0;
    for (const [name, r] of [['WASM', vw], ['JS', vj]]) {
      let m = 0;
      for (let i = 0; i < s.n; i++) {
        const d = Math.abs(r.vols[i] - s.vols[i]);
        const bound = TOL.volRel * s.vols[i] + TOL.volPriceUlps * EPS * ctx.ivPrices[i] / ctx.vegas[i];
        if (!(d <= bound)) outside++;
        m = Math.max(m, d / s.vols[i]);
      }
      worst = Math.max(worst, m);
      checks.push({ job: 'iv', what: `${name} implied vol vs the generating vol (max rel. error; bound 1e-12 sigma + 8 eps price/vega)`, n: s.n, err: m, tol: TOL.volRel, ok: outside === 0, outside });
      outside = 0;
    }
    const e = maxRelErr(vw.vols, vj.vols, 0);
    checks.push({ job: 'iv', what: 'WASM vs JS twin, implied vol', n: s.n, err: e.max, tol: TOL.twinVol, ok: e.max <= TOL.twinVol });
    ctx.ivAvailable = checks.filter((c) => c.job === 'iv').every((c) => c.ok);
    ctx.ref.vols = vw.vols;
  }
  ctx.twinOk = {
    price: checks.filter((c) => c.job === 'price').every((c) => c.ok),
    greeks: checks.filter((c) => c.job === 'greeks' || c.job === 'price').every((c) => c.ok),
    iv: ctx.ivAvailable,
  };
  return checks;
}

/**
 * riskwasm tasks for one job and size: [{ name, impl, fn, n, reps }]. Each fn performs `reps`
 * calls over n options. At N = 1 the calls rotate over SINGLE_REPS different options.
 */
export function riskwasmTasks(ctx, job, n) {
  if (!ctx.twinOk[job]) return [];
  const tasks = [];
  for (const backend of ['wasm', 'js']) {
    const engine = ctx.engines[backend];
    const name = `riskwasm ${backend === 'wasm' ? 'WASM' : 'JS twin'}`;
    const call = job === 'iv'
      ? (s, out) => { const a = ivArgs(s, s.ivPrices, out); return () => engine.impliedVol(a); }
      : (s, out) => { const a = priceArgs(s, job === 'greeks', out); return () => engine.blackScholes(a); };
    const withPrices = (s, lo, hi) => ({ ...s, ivPrices: ctx.ivPrices.subarray(lo, hi) });
    if (n === 1) {
      const calls = [];
      const outs = [];
      for (let i = 0; i < SINGLE_REPS; i++) {
        const out = /** @type {any} */ (job === 'iv' ? new Float64Array(1) : outBlock(1, job === 'greeks'));
        outs.push(job === 'iv' ? out : out.price);
        calls.push(call(withPrices(single(ctx.surface, i), i, i + 1), out));
      }
      tasks.push({
        name, impl: backend, n, reps: SINGLE_REPS,
        fn: () => {
          let acc = 0;
          for (let i = 0; i < SINGLE_REPS; i++) {
            calls[i]();
            acc += outs[i][0];
          }
          sink.value += acc;
        },
      });
    } else {
      const out = /** @type {any} */ (job === 'iv' ? new Float64Array(n) : outBlock(n, job === 'greeks'));
      const first = job === 'iv' ? out : out.price;
      const run = call(withPrices(prefix(ctx.surface, n), 0, n), out);
      let k = 0;
      tasks.push({
        name, impl: backend, n, reps: 1,
        fn: () => {
          run();
          sink.value += first[k];
          k = (k + 7919) % n;
        },
      });
    }
  }
  if (n >= RESIDENT_MIN_N) tasks.push(...residentTasks(ctx, job, n));
  return tasks;
}

/** Sizes at which the resident-array rows are timed (N = 1 is the one-option path: nothing to copy). */
export const RESIDENT_MIN_N = 1e3;
/** Suffix of the resident-array task names ("riskwasm WASM, resident arrays"). */
export const RESIDENT = ', resident arrays';

/**
 * The same calls over engine-resident arrays (`engine.allocateArray`): the inputs copied into them
 * once, outside the timing, and the outputs written into them (with greeks, the eight columns of
 * one resident array, the layout the kernel writes in place). The WASM engine reads and writes
 * them in place; the JS twin's allocateArray gives plain arrays, so its row is the same call
 * shape over the same copies as the caller-owned row. Views are re-read (`.array`) every call, as
 * the documentation asks: a getter that compares one buffer unless memory grew. The arrays live on
 * `ctx.residentEngines` (same backends, engines of their own) and stay allocated for the run.
 */
export function residentTasks(ctx, job, n) {
  if (!ctx.twinOk[job] || !ctx.residentEngines) return [];
  const tasks = [];
  const s = prefix(ctx.surface, n);
  const cols = job === 'iv'
    ? { prices: ctx.ivPrices.subarray(0, n), forwards: s.forwards, strikes: s.strikes, expiries: s.expiries, discountFactors: s.discountFactors }
    : { spots: s.spots, strikes: s.strikes, expiries: s.expiries, vols: s.vols, rates: s.rates, dividendYields: s.dividendYields };
  const width = job === 'greeks' ? 8 : 1;
  for (const backend of ['wasm', 'js']) {
    const engine = ctx.residentEngines[backend];
    const h = {};
    for (const k of Object.keys(cols)) h[k] = engine.allocateArray({ type: 'f64', length: n });
    h.types = engine.allocateArray({ type: 'i8', length: n });
    h.out = engine.allocateArray({ type: 'f64', length: width * n });
    // Fill after every allocation (an allocation may grow memory and detach earlier views).
    for (const k of Object.keys(cols)) h[k].array.set(cols[k]);
    h.types.array.set(s.types);
    let outs = null;
    let outsOf = null;
    const outArrays = () => {
      const a = h.out.array;
      if (a !== outsOf) {
        outsOf = a;
        outs = { price: a.subarray(0, n) };
        if (width === 8) GREEKS.forEach((g, i) => { outs[g] = a.subarray((i + 1) * n, (i + 2) * n); });
      }
      return outs;
    };
    const call = job === 'iv'
      ? () => engine.impliedVol({
        prices: h.prices.array, forwards: h.forwards.array, strikes: h.strikes.array, expiries: h.expiries.array,
        types: h.types.array, discountFactors: h.discountFactors.array, out: outArrays().price,
      })
      : () => engine.blackScholes({
        spots: h.spots.array, strikes: h.strikes.array, expiries: h.expiries.array, vols: h.vols.array, rates: h.rates.array,
        dividendYields: h.dividendYields.array, types: h.types.array, greeks: width === 8, out: outArrays(),
      });
    let k = 0;
    tasks.push({
      name: `riskwasm ${backend === 'wasm' ? 'WASM' : 'JS twin'}${RESIDENT}`, impl: backend, n, reps: 1,
      fn: () => {
        const r = call();
        sink.value += (job === 'iv' ? r.vols : r.price)[k];
        k = (k + 7919) % n;
      },
    });
  }
  return tasks;
}

/**
 * Kernel-only tasks (no facade: columns already in the heap, no copies, one call per chunk of
 * `chunk` options), to split a facade call's time into kernel and copying/validation.
 */
export function kernelTasks(ctx, job, chunk = 16384) {
  if (!ctx.twinOk[job]) return [];
  const tasks = [];
  const s = prefix(ctx.surface, chunk);
  for (const backend of ['wasm', 'js']) {
    const e = ctx.engines[backend];
    const a = e.arena;
    a.reset();
    a.reserve(chunk * 8 * 16 + chunk * 2 + 256);
    const p = {};
    const f64 = job === 'iv'
      ? ['ivPrices', 'forwards', 'strikes', 'expiries', 'discountFactors']
      : ['spots', 'strikes', 'expiries', 'vols', 'rates', 'dividendYields'];
    for (const k of f64) p[k] = a.alloc(chunk * 8);
    p.types = a.alloc(chunk);
    p.out = a.alloc(chunk * 8 * 8);
    p.status = a.alloc(chunk);
    const v = a.views;
    for (const k of f64) v.f64.set(k === 'ivPrices' ? ctx.ivPrices.subarray(0, chunk) : s[k], p[k] >>> 3);
    v.i8.set(s.types, p.types);
    const K = e.kernels;
    const g = job === 'greeks' ? 1 : 0;
    const fn = job === 'iv'
      ? () => K.impliedVolatilityBatch(chunk, p.ivPrices, p.forwards, p.strikes, p.expiries, p.discountFactors, p.types, 0, p.out, p.status)
      : () => K.blackScholesBatch(chunk, p.spots, p.strikes, p.expiries, p.vols, p.rates, p.dividendYields, p.types, g, p.out, p.status);
    tasks.push({
      name: `riskwasm ${backend === 'wasm' ? 'WASM' : 'JS twin'} kernel only`, impl: backend, n: chunk, reps: 1,
      fn: () => {
        fn();
        sink.value += e.arena.views.f64[(p.out >>> 3) + 1];
      },
    });
  }
  return tasks;
}

/**
 * Timing settings per size (see {@link timeTasks}): `warmupTime` ms and `warmupIterations`
 * iterations of explicit warm-up per task (both must be reached; `warmup: false` skips it), then
 * `rounds` timed rounds that interleave the tasks of a group, each round a tinybench run of
 * `time / rounds` ms and at least `iterations / rounds` iterations per task. Whole run ~3 minutes.
 */
export function benchOptions(n, heavy = false) {
  // Heavy (tens to hundreds of ms per pass): one pass per task per round, 3 rounds (implied vol at
  // 1e6 takes seconds a pass: no warm-up pass, the verification over the same inputs has already
  // run every path of it; the others get one).
  if (n >= 1e5) return heavy ? { time: 0, iterations: 3, rounds: 3, warmup: false } : { time: 0, iterations: 6, rounds: 3, warmupTime: 0, warmupIterations: 1 };
  // Light (microseconds to milliseconds per iteration): 250 ms of warm-up per task, enough for
  // V8 to tier the facade, the kernels and the task loop up to optimised code (the warm-up loop
  // logs nothing and allocates nothing of its own), then 5 rounds of 80 ms (50 for heavy jobs).
  return { time: heavy ? 250 : 400, iterations: 5, rounds: 5, warmupTime: 250, warmupIterations: 2 };
}

// Process CPU time (Node only): a wall-clock benchmark on a shared 2-core machine also measures
// the other tenants, so each Node task also records the CPU time its iterations used (user +
// system, all threads of the process: a conservative figure).
const cpuUsage = typeof process !== 'undefined' && typeof process.cpuUsage === 'function' ? process.cpuUsage.bind(process) : null;

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/**
 * Warm one task up: call it until both `ms` milliseconds and `iterations` calls have passed.
 * The same loop for every task (riskwasm WASM, its JS twin, the peers): by its end V8 has
 * optimised the task's code with the feedback of the calls that are then timed.
 */
function warmUp(fn, ms, iterations) {
  const t0 = performance.now();
  for (let i = 0; i < iterations || performance.now() - t0 < ms; i++) fn();
}

/**
 * Time a group of tasks (one job, one size), WASM vs JS twin (and the peers timed with them) in
 * one run so ratios are measured under the same load:
 * 1. warm-up: every task in turn, by {@link warmUp} (`warmupTime` ms and `warmupIterations`
 *    calls; none with `warmup: false`), all before any timing, so no task is timed while another
 *    one's first calls still change the shared facade code's type feedback;
 * 2. `rounds` tinybench runs (default 1) of every task, `time / rounds` ms and at least
 *    `iterations / rounds` iterations each, the task order rotated by one each round: a burst of
 *    load from another tenant hits one round of each task rather than one task's whole window.
 * A task's rate is the median over rounds of its tinybench `throughput.mean`; `rme` is half the
 * range of the round rates relative to that median (tinybench's own margin of error with one
 * round). Returns rows { name, impl, n, opsPerSec, rme, samples, rounds, cpuOpsPerSec, bestOpsPerSec }
 * (`bestOpsPerSec`: the fastest single pass, wall clock, the statistic of bench/simd.mjs's facade
 * figures, which take the best of 7 passes by CPU time: the suite's median of round means reads
 * below it by the pass-to-pass spread, GC pauses included, for the same work).
 */
export async function timeTasks(Bench, tasks, options) {
  if (tasks.length === 0) return [];
  const { rounds: r0 = 1, warmup = true, warmupTime = 250, warmupIterations = 16, time = 1000, iterations = 64, ...rest } = options;
  const rounds = Math.max(1, r0);
  const meters = tasks.map(() => ({ micros: 0, iters: 0 }));
  const fns = tasks.map((t, k) => {
    const m = meters[k];
    return cpuUsage
      ? () => { const c0 = cpuUsage(); t.fn(); const c = cpuUsage(c0); m.micros += c.user + c.system; m.iters++; }
      : t.fn;
  });
  try {
    if (warmup) for (const fn of fns) warmUp(fn, warmupTime, warmupIterations);
  } catch (e) {
    return tasks.map((t) => ({ name: t.name, impl: t.impl, n: t.n, opsPerSec: NaN, rme: NaN, samples: 0, error: String(e) }));
  }
  for (const m of meters) { m.micros = 0; m.iters = 0; }
  const perRound = tasks.map(() => []);
  const samples = tasks.map(() => 0);
  const errors = tasks.map(() => undefined);
  const rme1 = tasks.map(() => NaN);
  const best = tasks.map(() => 0);
  for (let round = 0; round < rounds; round++) {
    const bench = new Bench({
      ...rest, time: time / rounds, iterations: Math.max(1, Math.ceil(iterations / rounds)),
      warmup: false, throws: true,
    });
    const order = tasks.map((_, k) => (k + round) % tasks.length);
    for (const k of order) bench.add(tasks[k].name, fns[k]);
    await bench.run();
    order.forEach((k, j) => {
      const res = bench.tasks[j].result;
      if (!res || res.state === 'errored' || !res.throughput) {
        errors[k] ??= String(res?.error ?? 'no result');
        return;
      }
      perRound[k].push(tasks[k].n * tasks[k].reps * res.throughput.mean);
      // The fastest pass (what bench/simd.mjs's best-of-7 reports), for like-for-like comparisons.
      if (res.latency.min > 0) best[k] = Math.max(best[k], (tasks[k].n * tasks[k].reps * 1e3) / res.latency.min);
      samples[k] += res.latency.samplesCount ?? bench.tasks[j].runs;
      rme1[k] = res.throughput.rme;
    });
  }
  return tasks.map((t, k) => {
    const xs = perRound[k];
    if (errors[k] !== undefined || xs.length === 0) {
      return { name: t.name, impl: t.impl, n: t.n, opsPerSec: NaN, rme: NaN, samples: 0, error: errors[k] ?? 'no result' };
    }
    const m = meters[k];
    const mid = median(xs);
    return {
      name: t.name, impl: t.impl, n: t.n,
      // options/s = options per call x calls per iteration x iterations per second
      opsPerSec: mid,
      rme: rounds === 1 ? rme1[k] : (100 * (Math.max(...xs) - Math.min(...xs))) / 2 / mid,
      samples: samples[k], rounds: xs.length, roundRates: xs.slice(), bestOpsPerSec: best[k] > 0 ? best[k] : undefined,
      cpuOpsPerSec: cpuUsage && m.micros > 0 ? (t.n * t.reps * m.iters) / (m.micros * 1e-6) : undefined,
    };
  });
}

/**
 * Run the whole riskwasm suite: verification, then every job and size.
 * @param {any} riskwasm
 * @param {any} Bench
 * @param {{ sizes?: number[], log?: (line: string) => void }} [options]
 */
export async function runSuite(riskwasm, Bench, { sizes = SIZES, log = () => {} } = {}) {
  const t0 = performance.now();
  const ctx = await prepare(riskwasm, Math.max(...sizes));
  log(`surface of ${ctx.maxN} options ready (${(performance.now() - t0).toFixed(0)} ms)`);
  const checks = verifyRiskwasm(ctx);
  for (const c of checks) log(`check ${c.ok ? 'ok  ' : 'FAIL'} ${c.job}: ${c.what}: ${c.err} (tol ${c.tol})`);
  const rows = [];
  for (const job of JOBS) {
    for (const n of sizes) {
      const r = await timeTasks(Bench, riskwasmTasks(ctx, job, n), benchOptions(n, job === 'iv'));
      for (const row of r) log(`${job} N=${n} ${row.name}: ${(row.opsPerSec / 1e6).toFixed(3)} M options/s`);
      rows.push(...r.map((x) => ({ ...x, job })));
    }
  }
  const kernelRows = [];
  for (const job of JOBS) {
    const r = await timeTasks(Bench, kernelTasks(ctx, job), benchOptions(16384));
    for (const row of r) log(`${job} kernel-only ${row.name}: ${(row.opsPerSec / 1e6).toFixed(3)} M options/s`);
    kernelRows.push(...r.map((x) => ({ ...x, job })));
  }
  return { ctx, checks, rows, kernelRows, sink: sink.value };
}
