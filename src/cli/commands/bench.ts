/**
 * `riskwasm bench`: a short WASM vs pure-JS comparison on this machine (Black-76 pricing with
 * greeks, implied vol, a small Heston Monte Carlo, an SVI fit of the bundled BTC surface). Each
 * task first checks that both backends give the same numbers, then times warm calls for a fixed
 * budget. For the full benchmark suite see `npm run bench` (bench/RESULTS.md).
 */
import { cpus } from 'node:os';
import { createEngine, type Engine } from '../../engine.js';
import { loadDeribitChain } from '../../market/deribit-chain.js';
import type { CliCommand, CliContext, CommandReport } from '../command.js';
import { BadInputError, ComputationError } from '../errors.js';
import { bundled, BUNDLED_CHAIN, readText } from '../files.js';
import { fixed, formatTable, sig } from '../table.js';

/** One benchmark task: a setup per engine returning the timed call and its checked output. */
interface Task {
  name: string;
  size: string;
  /** Items per call, for the throughput column. */
  items: number;
  unit: string;
  /** Max relative difference allowed between backends (the JS twin mirrors the kernels, so ~1e-12). */
  tolerance: number;
  setup(engine: Engine): () => ArrayLike<number>;
}

/** One timed task of the `riskwasm.bench/1` report. */
interface BenchRow {
  name: string; size: string; unit: string; maxRelDiff: number;
  wasm: { msPerCall: number; bestMs: number; runs: number; perSecond: number };
  js: { msPerCall: number; bestMs: number; runs: number; perSecond: number };
  speedup: number;
}

/** Deterministic pseudo-random numbers in [0, 1) (a fixed LCG: the inputs are the same on every run). */
function uniforms(n: number, seed: number): Float64Array {
  const out = new Float64Array(n);
  let x = seed >>> 0;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    out[i] = x / 2 ** 32;
  }
  return out;
}

function tasks(n: number, chainText: string): Task[] {
  const u1 = uniforms(n, 1), u2 = uniforms(n, 2), u3 = uniforms(n, 3);
  const forwards = new Float64Array(n).fill(100);
  const strikes = Float64Array.from(u1, (u) => 60 + 80 * u);
  const expiries = Float64Array.from(u2, (u) => 0.02 + 2 * u);
  const vols = Float64Array.from(u3, (u) => 0.1 + 0.9 * u);
  const types = Int8Array.from(u1, (_, i) => (i % 2 ? 1 : -1));
  const chain = loadDeribitChain(chainText);
  return [
    {
      name: 'Black-76 price + 7 greeks', size: `${n} options`, items: n, unit: 'options/s', tolerance: 1e-10,
      setup: (e) => () => e.black76({ forwards, strikes, expiries, vols, types, greeks: true }).vega!,
    },
    {
      name: 'implied vol', size: `${n} options`, items: n, unit: 'options/s', tolerance: 1e-12,
      setup: (e) => {
        const prices = e.black76({ forwards, strikes, expiries, vols, types }).price.slice();
        return () => e.impliedVol({ prices, forwards, strikes, expiries, types }).vols;
      },
    },
    {
      name: 'Monte Carlo Heston QE European', size: '20000 paths x 50 steps', items: 20000 * 50, unit: 'path-steps/s', tolerance: 1e-12,
      setup: (e) => () => {
        const r = e.monteCarloSync({
          model: { kind: 'heston', spot: 100, rate: 0.02, v0: 0.04, kappa: 2, theta: 0.05, sigma: 0.6, rho: -0.7 },
          payoff: { kind: 'european', strike: 100, type: 'call' }, expiry: 1, paths: 20000, steps: 50, seed: 7,
        });
        return [r.price, r.stdErr];
      },
    },
    {
      name: 'SVI fit, bundled BTC surface', size: 'all expiries', items: 1, unit: 'fits/s', tolerance: 1e-6,
      setup: (e) => {
        const s = e.buildSurface(chain, { currency: 'BTC' });
        const args = { forwards: s.forwards, quotes: { strikes: s.quotes.strikes, expiries: s.quotes.expiries, vols: s.quotes.vols, weights: s.quotes.weights } };
        return () => Float64Array.from(e.fitSvi(args).params.flatMap((p) => [p.a, p.b, p.rho, p.m, p.sigma]));
      },
    },
  ];
}

function maxRelDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let scale = 0;
  for (let i = 0; i < b.length; i++) if (Number.isFinite(b[i])) scale = Math.max(scale, Math.abs(b[i]));
  let max = 0;
  for (let i = 0; i < a.length; i++) {
    if (Number.isNaN(a[i]) && Number.isNaN(b[i])) continue;
    // Relative to the column's scale, so entries near zero are not judged by their relative error.
    const d = Math.abs(a[i] - b[i]) / Math.max(Math.abs(b[i]), 1e-6 * scale, Number.MIN_VALUE);
    max = Math.max(max, Number.isNaN(d) ? Infinity : d);
  }
  return max;
}

/** Warm calls for about `budgetMs` (at least 3); returns the median and best ms per call. */
async function time(ctx: CliContext, fn: () => ArrayLike<number>, budgetMs: number): Promise<{ median: number; best: number; runs: number }> {
  let sink = 0;
  const samples: number[] = [];
  const start = performance.now();
  while (samples.length < 3 || performance.now() - start < budgetMs) {
    const t0 = performance.now();
    const out = fn();
    samples.push(performance.now() - t0);
    sink += out[0] ?? 0;
    if (samples.length % 8 === 0) await ctx.checkpoint();
    if (samples.length >= 1000) break;
  }
  samples.sort((a, b) => a - b);
  if (sink === 0.123456789) process.stderr.write(''); // keep the outputs observable
  return { median: samples[samples.length >> 1], best: samples[0], runs: samples.length };
}

/** A rate with an SI suffix: 3.06 M, 556 k. */
function rate(x: number): string {
  return x >= 1e6 ? `${sig(x / 1e6, 3)} M` : x >= 1e3 ? `${sig(x / 1e3, 3)} k` : sig(x, 3);
}

export const benchCommand: CliCommand = {
  syntax: 'bench',
  description: 'Short WASM vs JS comparison on this machine (pricing, implied vol, Monte Carlo, SVI)',
  options: [
    { flags: '--size <n>', description: 'Options per pricing / implied-vol call', default: 100000 },
    { flags: '--budget <ms>', description: 'Timing budget per task and backend, in milliseconds', default: 800 },
  ],
  examples: ['riskwasm bench', 'riskwasm bench --size 10000 --budget 200 --json'],
  async run(ctx, _args, options): Promise<CommandReport> {
    const n = Number(options.size);
    if (!Number.isInteger(n) || n < 1 || n > 5_000_000) throw new BadInputError(`expected an integer in [1, 5000000], got ${JSON.stringify(options.size)}`, { field: '--size' });
    const budget = Number(options.budget);
    if (!(budget >= 10 && budget <= 60000)) throw new BadInputError(`expected milliseconds in [10, 60000], got ${JSON.stringify(options.budget)}`, { field: '--budget' });
    if (options.backend !== undefined && options.backend !== 'auto') ctx.note('riskwasm: bench always compares both backends; --backend is ignored');
    const t0 = performance.now();
    const wasm = await createEngine({ backend: 'wasm' });
    const firstEngineMs = performance.now() - t0;
    const js = await createEngine({ backend: 'js' });
    const list = tasks(n, await readText(bundled(BUNDLED_CHAIN)));
    const bar = ctx.progress('bench', list.length * 2);
    const rows: BenchRow[] = [];
    try {
      for (const task of list) {
        await ctx.checkpoint();
        const fw = task.setup(wasm), fj = task.setup(js);
        const diff = maxRelDiff(Array.from(fw()), Array.from(fj()));
        if (!(diff <= task.tolerance)) throw new ComputationError(`bench: ${task.name}: WASM and JS differ by ${diff} (> ${task.tolerance}); not timing`);
        const w = await time(ctx, fw, budget);
        bar.tick(1, task.name);
        const j = await time(ctx, fj, budget);
        bar.tick(1, task.name);
        rows.push({
          name: task.name, size: task.size, unit: task.unit, maxRelDiff: diff,
          wasm: { msPerCall: w.median, bestMs: w.best, runs: w.runs, perSecond: (task.items * 1000) / w.median },
          js: { msPerCall: j.median, bestMs: j.best, runs: j.runs, perSecond: (task.items * 1000) / j.median },
          speedup: j.median / w.median,
        });
      }
    } finally {
      bar.done();
    }
    const cpu = cpus();
    const json = {
      schema: 'riskwasm.bench/1',
      machine: { node: process.version, platform: process.platform, arch: process.arch, cpus: cpu.length, cpuModel: cpu[0]?.model ?? null },
      firstEngineMs,
      budgetMs: budget,
      tasks: rows,
    };
    return {
      json,
      text: () => [
        `riskwasm bench: WASM vs pure-JS twin on this machine (${json.machine.cpuModel ?? 'unknown CPU'}, ${json.machine.cpus} cores, Node ${json.machine.node})`,
        `  first createEngine (compile + instantiate the .wasm): ${fixed(firstEngineMs, 1)} ms; median of warm calls over ~${budget} ms per task and backend`,
        formatTable(
          [{ header: 'task', align: 'left' }, { header: 'size', align: 'left' }, { header: 'WASM ms' }, { header: 'JS ms' }, { header: 'WASM/JS speed' }, { header: 'WASM throughput', align: 'left' }, { header: 'max rel diff' }],
          rows.map((r) => [r.name, r.size, fixed(r.wasm.msPerCall, 2), fixed(r.js.msPerCall, 2), `x${fixed(r.speedup, 2)}`, `${rate(r.wasm.perSecond)} ${r.unit}`, sig(r.maxRelDiff, 2)]),
        ),
        '  (results checked equal between backends before timing; other processes on this machine affect the figures)',
      ].join('\n'),
    };
  },
};
