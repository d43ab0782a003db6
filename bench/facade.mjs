// Facade cost and batch throughput of the pricing entry points, on the built package (dist/).
//
// - N = 1: calls per second of engine.blackScholes / black76 (price, price + greeks) and
//   engine.impliedVol with one option per call, on both backends: the per-call overhead
//   (validation, copies, allocations) that a scalar caller pays.
// - 1e6 batch: elements per second of the same calls on one million options (to check that the
//   per-call work is still sized to the call, not to the batch).
// - Workers (--workers): 1e6 price and implied vol with workers 1 vs 2 (the Promise overloads).
//
// Usage: npm run build:ts && node bench/facade.mjs [--workers] [--quick] [--dist=<path to another dist/>]
// (--dist: the same N = 1 figures of another build, e.g. main's, in the same run for a ratio.)
// Results are checked equal (single vs batch element) before timing; outputs are consumed.
import os from 'node:os';
import { pathToFileURL } from 'node:url';
import { createEngine } from '../dist/index.js';

const args = new Set(process.argv.slice(2));
const other = process.argv.find((a) => a.startsWith('--dist='))?.slice('--dist='.length);
const QUICK = args.has('--quick');
const WORKERS = args.has('--workers');

let sink = 0;
const consume = (r) => {
  sink += (r.price ?? r.vols)[0];
};

/** Best of `reps` timings of `fn` run `iters` times: calls per second. */
function rate(fn, iters, reps = 5) {
  let best = Infinity;
  for (let r = 0; r < reps; r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < iters; i++) fn(i);
    const dt = Number(process.hrtime.bigint() - t0) / 1e9;
    if (dt < best) best = dt;
  }
  return iters / best;
}

const fmt = (x) => (x >= 1e6 ? `${(x / 1e6).toFixed(2)} M/s` : `${(x / 1e3).toFixed(0)} k/s`);

function batchInputs(n) {
  const spots = new Float64Array(n);
  const strikes = new Float64Array(n);
  const expiries = new Float64Array(n);
  const vols = new Float64Array(n);
  const types = new Int8Array(n);
  for (let i = 0; i < n; i++) {
    spots[i] = 100;
    strikes[i] = 60 + ((i * 7919) % 800) / 10;
    expiries[i] = 0.02 + ((i * 104729) % 300) / 100;
    vols[i] = 0.1 + ((i * 31) % 60) / 100;
    types[i] = i % 2 ? 1 : -1;
  }
  return { spots, strikes, expiries, vols, types };
}

/** The N = 1 calls of one engine: price, price + greeks, Black-76 price, implied vol. */
function singleCalls(engine) {
  const one = { spots: 100, strikes: 105, expiries: 0.5, vols: 0.25, rates: 0.03, types: 'call' };
  const oneGreeks = { ...one, greeks: true };
  const oneArr = { spots: [100], strikes: [105], expiries: [0.5], vols: [0.25], rates: [0.03], types: ['call'] };
  // As bench/suite.mjs at N = 1: one-element Float64Array / Int8Array views and a caller's out array.
  const f1 = (x) => Float64Array.of(x);
  const oneTyped = { spots: f1(100), strikes: f1(105), expiries: f1(0.5), vols: f1(0.25), rates: f1(0.03), dividendYields: f1(0), types: Int8Array.of(1), out: { price: new Float64Array(1) } };
  const oneB76 = { forwards: 100, strikes: 105, expiries: 0.5, vols: 0.25, discountFactors: 0.99, types: 'put' };
  const price = engine.black76(oneB76).price[0];
  const oneIv = { prices: price, forwards: 100, strikes: 105, expiries: 0.5, discountFactors: 0.99, types: 'put' };
  return {
    'blackScholes price': () => consume(engine.blackScholes(one)),
    'blackScholes price (1-element arrays)': () => consume(engine.blackScholes(oneArr)),
    'blackScholes price (typed views + out)': () => consume(engine.blackScholes(oneTyped)),
    'blackScholes price + greeks': () => consume(engine.blackScholes(oneGreeks)),
    'black76 price': () => consume(engine.black76(oneB76)),
    'impliedVol': () => consume(engine.impliedVol(oneIv)),
  };
}

/**
 * N = 1 calls per second of both backends of this build (and of `--dist`'s): every call of every
 * engine is warmed up first (both backends share the facade code, so each is timed with the type
 * feedback of both, as in bench/suite.mjs), then 5 reps timed alternately, engine by engine, so all
 * see the same machine load. Reports the median rep and, in brackets, the best.
 */
async function singleRates(iters, rows) {
  const engines = [];
  for (const backend of /** @type {const} */ (['wasm', 'js'])) {
    engines.push({ backend, build: 'this', fns: singleCalls(await createEngine({ backend })) });
    if (other) {
      const mod = await import(pathToFileURL(`${other}/index.js`).href);
      engines.push({ backend, build: '--dist', fns: singleCalls(await mod.createEngine({ backend })) });
    }
  }
  for (const e of engines) for (const fn of Object.values(e.fns)) for (let i = 0; i < 20_000; i++) fn(); // JIT warm-up
  const med = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
  for (const name of Object.keys(engines[0].fns)) {
    const reps = engines.map(() => []);
    for (let r = 0; r < 5; r++) engines.forEach((e, k) => reps[k].push(rate(e.fns[name], iters, 1)));
    for (const backend of ['wasm', 'js']) {
      const k = engines.findIndex((e) => e.backend === backend && e.build === 'this');
      const j = engines.findIndex((e) => e.backend === backend && e.build === '--dist');
      const a = med(reps[k]);
      const cell = `${fmt(a)} (best ${fmt(Math.max(...reps[k]))})`;
      rows.push([backend, `N = 1 ${name}`, j >= 0 ? `${cell}  (--dist: ${fmt(med(reps[j]))}, x${(a / med(reps[j])).toFixed(2)})` : cell]);
    }
  }
}

async function main() {
  console.log(`node ${process.version}, ${os.cpus()[0]?.model}, ${os.cpus().length} cores; load before: ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  const ITER = QUICK ? 100_000 : 400_000;
  const N = 1e6;
  /** @type {string[][]} */
  const rows = [];
  await singleRates(ITER, rows);
  for (const backend of /** @type {const} */ (['wasm', 'js'])) {
    const engine = await createEngine({ backend });

    const b = batchInputs(N);
    const bsArgs = { ...b, rates: 0.03 };
    const priced = engine.black76({ forwards: b.spots, strikes: b.strikes, expiries: b.expiries, vols: b.vols, types: b.types, discountFactors: 0.99 });
    const ivArgs = { prices: priced.price, forwards: b.spots, strikes: b.strikes, expiries: b.expiries, types: b.types, discountFactors: 0.99 };
    // Single vs batch element agree (bit for bit) before timing.
    const k = 12345;
    const s1 = engine.blackScholes({ spots: b.spots[k], strikes: b.strikes[k], expiries: b.expiries[k], vols: b.vols[k], rates: 0.03, types: b.types[k] > 0 ? 'call' : 'put' });
    const sN = engine.blackScholes(bsArgs);
    if (!Object.is(s1.price[0], sN.price[k])) throw new Error('single vs batch mismatch');
    const reps = QUICK ? 2 : 3;
    const theirs = other ? await (await import(pathToFileURL(`${other}/index.js`).href)).createEngine({ backend }) : undefined;
    const bsGreeks = { ...bsArgs, greeks: true };
    for (const [name, fn] of /** @type {[string, (e: any) => any][]} */ ([
      ['1e6 batch blackScholes price', (e) => e.blackScholes(bsArgs)],
      ['1e6 batch blackScholes price + greeks', (e) => e.blackScholes(bsGreeks)],
      ['1e6 batch impliedVol', (e) => e.impliedVol(ivArgs)],
    ])) {
      let a = 0;
      let b = 0;
      for (let r = 0; r < reps; r++) {
        a = Math.max(a, rate(() => consume(fn(engine)), 1, 1) * N);
        if (theirs) b = Math.max(b, rate(() => consume(fn(theirs)), 1, 1) * N);
      }
      rows.push([backend, name, theirs ? `${fmt(a)}  (--dist: ${fmt(b)}, x${(a / b).toFixed(2)})` : fmt(a)]);
    }

    if (WORKERS) {
      for (const [name, call] of /** @type {[string, (w: number) => Promise<any>][]} */ ([
        ['1e6 blackScholes price', (w) => engine.blackScholes({ ...bsArgs, workers: w })],
        ['1e6 impliedVol', (w) => engine.impliedVol({ ...ivArgs, workers: w })],
      ])) {
        const times = { 1: Infinity, 2: Infinity };
        const cpu = { 1: 0, 2: 0 }; // process CPU time (all threads) of the fastest rep: the work, whatever the load
        for (const w of [1, 2]) await call(w); // warm: workers started, JIT
        // Alternately, rep by rep, so that both see the same machine load.
        for (let r = 0; r < reps + 2; r++) {
          for (const w of [1, 2]) {
            const c0 = process.cpuUsage();
            const t0 = performance.now();
            consume(await call(w));
            const dt = performance.now() - t0;
            if (dt < times[w]) {
              times[w] = dt;
              const c = process.cpuUsage(c0);
              cpu[w] = (c.user + c.system) / 1000;
            }
          }
        }
        rows.push([backend, `${name} workers 1`, `${times[1].toFixed(1)} ms (CPU ${cpu[1].toFixed(0)} ms)`]);
        rows.push([backend, `${name} workers 2`, `${times[2].toFixed(1)} ms (CPU ${cpu[2].toFixed(0)} ms; x${(times[1] / times[2]).toFixed(2)}, efficiency ${((times[1] / times[2]) / 2 * 100).toFixed(0)}%)`]);
      }
    }
  }
  const w = Math.max(...rows.map((r) => r[1].length));
  for (const [b, name, v] of rows) console.log(`${b.padEnd(5)} ${name.padEnd(w)}  ${v}`);
  console.log(`load after: ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}  (sink ${sink > 0})`);
  const { closeSharedPools } = await import('../dist/parallel/index.js');
  await closeSharedPools?.();
}

await main();
