// Hedge calibration timings, one thread, WASM and the JS twin in one run:
// - margin objective (issue 15 target: <= 50 ms): a 50-position BTC book of listed options, futures
//   and the perpetual from the bundled Deribit chain, 10 candidate hedges (8 listed options, the
//   March future, the perpetual), DERIBIT_GRID; split into the LP solve (HiGHS) and the rest
//   (resolution, grid P&L of book and candidates, the engine's IM before/after);
// - greeks objective (QR, no solver) and engine.bookGreeks of the same book, for scale.
// HiGHS's first load (import + compiling 3.5 MB of WebAssembly) is timed apart: warm figures are
// best of `reps`. Results are checked WASM vs JS first (quantities 1e-6 relative: the LP is the
// same, its inputs agree to ~1e-15). CPU time beside wall time: the machine is shared.
// Usage: node bench/hedging.mjs [--reps N] [--json]   (after `npm run build`)
import os from 'node:os';
import { readFileSync } from 'node:fs';
import { createEngine, loadDeribitChain, marketFromDeribitChain, loadLpSolver, DERIBIT_GRID } from '../dist/index.js';

const args = process.argv.slice(2);
const repsArg = args.includes('--reps') ? Number(args[args.indexOf('--reps') + 1]) : NaN;
const reps = repsArg > 0 ? repsArg : 15;
const asJson = args.includes('--json');

const chain = loadDeribitChain(readFileSync(new URL('../data/market/deribit_options_snapshot_20260105T153329Z.csv', import.meta.url), 'utf8'));
const market = marketFromDeribitChain(chain);

/** Seeded book: 50 BTC positions by instrument name (options with a mark IV, futures, the perpetual). */
function makeBook() {
  let a = 12345;
  const r = () => { a = (a + 0x6d2b79f5) >>> 0; let t = Math.imul(a ^ (a >>> 15), 1 | a); t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t; return ((t ^ (t >>> 14)) >>> 0) / 4294967296; };
  const options = Object.keys(market.instruments).filter((n) => n.startsWith('BTC-') && market.instruments[n].kind === 'option' && market.vols[n] > 0
    && market.instruments[n].expiry > 7 / 365.25 && Math.abs(Math.log(market.instruments[n].strike / market.assets.BTC.index)) < 0.3);
  const futures = Object.keys(market.instruments).filter((n) => n.startsWith('BTC-') && market.instruments[n].kind === 'future');
  const book = [];
  for (let i = 0; i < 50; i++) {
    const u = r();
    const size = Math.round((r() - 0.55) * 200) / 10 || -1;
    if (u < 0.85) book.push({ instrument: options[Math.floor(r() * options.length)], size });
    else if (u < 0.95) book.push({ instrument: futures[Math.floor(r() * futures.length)], size });
    else book.push({ instrument: 'BTC-PERPETUAL', size });
  }
  const hedges = [];
  for (let i = 0; hedges.length < 8; i++) {
    const n = options[Math.floor(r() * options.length)];
    if (!hedges.some((h) => h.instrument === n)) hedges.push({ instrument: n, min: -100, max: 100 });
  }
  hedges.push({ instrument: 'BTC-27MAR26', min: -100, max: 100 }, { instrument: 'BTC-PERPETUAL', min: -100, max: 100 });
  return { book, hedges };
}

function best(f) {
  let wall = Infinity, cpu = Infinity;
  for (let i = 0; i < reps; i++) {
    const c0 = process.cpuUsage(), t0 = performance.now();
    f();
    const t = performance.now() - t0, c = process.cpuUsage(c0);
    wall = Math.min(wall, t);
    cpu = Math.min(cpu, (c.user + c.system) / 1e3);
  }
  return { wall, cpu };
}
async function bestAsync(f) {
  let wall = Infinity, cpu = Infinity, last;
  for (let i = 0; i < reps; i++) {
    const c0 = process.cpuUsage(), t0 = performance.now();
    last = await f();
    const t = performance.now() - t0, c = process.cpuUsage(c0);
    wall = Math.min(wall, t);
    cpu = Math.min(cpu, (c.user + c.system) / 1e3);
  }
  return { wall, cpu, last };
}

const { book, hedges } = makeBook();
const t0 = performance.now();
const lpSolver = await loadLpSolver();
const loadMs = performance.now() - t0;
const out = { machine: `${os.cpus()[0]?.model} x${os.cpus().length}`, node: process.version, load: os.loadavg(), reps, highsFirstLoadMs: loadMs, backends: {} };
const results = {};
for (const backend of /** @type {const} */ (['wasm', 'js'])) {
  const engine = await createEngine({ backend });
  const margin = await bestAsync(() => engine.calibrateHedge({ book, market, instruments: hedges, objective: 'margin', grid: DERIBIT_GRID, lpSolver }));
  // The LP alone: time spent inside HiGHS's lpCall.
  const timedSolver = { infinity: lpSolver.infinity, raw: { qpCall: (m) => lpSolver.raw.qpCall(m), lpCall: (m) => { const s = performance.now(); const r = lpSolver.raw.lpCall(m); timedSolver.lpMs = performance.now() - s; return r; } } };
  let lpMs = Infinity;
  for (let i = 0; i < reps; i++) { await engine.calibrateHedge({ book, market, instruments: hedges, objective: 'margin', grid: DERIBIT_GRID, lpSolver: timedSolver }); lpMs = Math.min(lpMs, timedSolver.lpMs); }
  const greeks = await bestAsync(() => engine.calibrateHedge({ book, market, instruments: hedges.map(({ min, max, ...h }) => h), objective: 'greeks' }));
  const bg = best(() => engine.bookGreeks(book, market));
  results[backend] = margin.last;
  out.backends[backend] = {
    marginObjectiveMs: margin.wall, marginObjectiveCpuMs: margin.cpu, lpSolveMs: lpMs, greeksObjectiveMs: greeks.wall, bookGreeksMs: bg.wall,
    imBefore: margin.last.book.initialMargin, imAfter: margin.last.solution.initialMargin, status: margin.last.solver.status,
  };
}
// WASM vs JS: the same LP from inputs equal to rounding.
results.wasm.solution.quantities.forEach((q, i) => {
  const j = results.js.solution.quantities[i];
  if (Math.abs(q - j) > 1e-6 * Math.max(1, Math.abs(j))) throw new Error(`bench: quantity ${i} differs: wasm ${q} js ${j}`);
});
out.ratioJsOverWasm = { marginObjective: out.backends.js.marginObjectiveMs / out.backends.wasm.marginObjectiveMs, bookGreeks: out.backends.js.bookGreeksMs / out.backends.wasm.bookGreeksMs };
out.target = { marginObjectiveMs: 50, met: out.backends.wasm.marginObjectiveMs <= 50 };
if (asJson) console.log(JSON.stringify(out, null, 2));
else {
  console.log(`hedging bench (${out.machine}, node ${out.node}, load ${out.load.map((x) => x.toFixed(2)).join(' ')}), best of ${reps}`);
  console.log(`HiGHS first load: ${loadMs.toFixed(1)} ms`);
  for (const [b, r] of Object.entries(out.backends)) {
    console.log(`${b.padEnd(4)}  margin objective ${r.marginObjectiveMs.toFixed(2)} ms (cpu ${r.marginObjectiveCpuMs.toFixed(2)}, LP ${r.lpSolveMs.toFixed(2)}), greeks objective ${r.greeksObjectiveMs.toFixed(2)} ms, bookGreeks ${r.bookGreeksMs.toFixed(3)} ms; IM ${r.imBefore.toFixed(0)} -> ${r.imAfter.toFixed(0)} USD (${r.status})`);
  }
  console.log(`JS / WASM: margin objective ${out.ratioJsOverWasm.marginObjective.toFixed(2)}, bookGreeks ${out.ratioJsOverWasm.bookGreeks.toFixed(2)}; target <= 50 ms: ${out.target.met ? 'met' : 'NOT met'}`);
}
