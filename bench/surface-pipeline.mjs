// A surface from text to fitted SVI slices, timed stage by stage on both backends in one run:
// load (CSV text -> OptionChain), forwards (chainForwards: put-call parity per expiry), surface
// (buildSurface: forwards, quote filters, bid/ask/mid implied vols), fits (fitSvi, every slice),
// volSurface (engine.volSurface of the SVI slices with each expiry's forward: the VolSurface,
// its calendar check included) and one vol() batch on the quotes (a first use of the surface).
// Inputs: a ~300-quote SPX surface (Cboe download, three SPXW expiries, strikes every 10 points within -15%..+10%
// of spot, from data/market/spx_quotedata_20230820.csv) and the BTC surface of the bundled Deribit
// snapshot of 2026-01-05 (~280 quotes). Target (issue 14): <= 20 ms from text to VolSurface.
// CPU ms are reported beside wall ms: on a shared machine wall time counts waits for a core.
//
// Run: npm run build && node bench/surface-pipeline.mjs [--runs 40]

import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { createEngine, loadChain, chainForwards } from '../dist/index.js';

const runsArg = process.argv.indexOf('--runs');
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 40;
const WARMUP = 5;

const read = (rel) => readFileSync(new URL(`../data/market/${rel}`, import.meta.url), 'utf8');

/** The SPX sub-chain: the layout lines, then the rows of three SPXW expiries near the money. */
function spxSubset() {
  const lines = read('spx_quotedata_20230820.csv').split(/\r?\n/);
  const spot = 4369.71;
  const expiries = new Set(['Fri Sep 15 2023', 'Fri Oct 20 2023', 'Fri Dec 15 2023']);
  const rows = lines.slice(4).filter((l) => {
    const c = l.split(',');
    const K = Number(c[11]);
    return expiries.has(c[0]) && c[1].startsWith('SPXW') && K >= 0.85 * spot && K <= 1.1 * spot && K % 10 === 0;
  });
  return [...lines.slice(0, 4), ...rows].join('\n');
}

const CASES = [
  { name: 'SPX (Cboe, parity forwards)', text: spxSubset(), format: 'cboe', currency: 'SPXW' },
  { name: 'BTC (Deribit, futures)', text: read('deribit_options_snapshot_20260105T153329Z.csv'), format: 'deribit', currency: 'BTC' },
];

const median = (a) => {
  const s = [...a].sort((x, y) => x - y);
  return s[s.length >> 1];
};

function runOnce(engine, c) {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const chain = loadChain(c.text, { format: c.format });
  const t1 = performance.now();
  const curve = chainForwards(chain, { currency: c.currency });
  const t2 = performance.now();
  const surface = engine.buildSurface(chain, { currency: c.currency });
  const t3 = performance.now();
  const fit = engine.fitSvi({ forwards: surface.forwards, quotes: surface.quotes });
  const t4 = performance.now();
  const vs = engine.volSurface(fit, { forwards: surface.expiries.map((e) => e.forward) });
  const t5 = performance.now();
  const marked = vs.vol({ strikes: surface.quotes.strikes, expiries: surface.quotes.expiries });
  const t6 = performance.now();
  const cpu = process.cpuUsage(cpu0);
  // CPU time of the whole run (forwards included twice: on its own and inside buildSurface): on a
  // machine shared by many processes, wall time counts the waits for a core, CPU time does not.
  return {
    times: { load: t1 - t0, forwards: t2 - t1, surface: t3 - t2, fits: t4 - t3, volSurface: t5 - t4, vol: t6 - t5, total: t1 - t0 + (t5 - t2), cpu: (cpu.user + cpu.system) / 1000 },
    surface, fit, curve, vs, marked,
  };
}

const results = [];
for (const backend of /** @type {const} */ (['wasm', 'js'])) {
  const engine = await createEngine({ backend });
  for (const c of CASES) {
    // Results equal across backends before timing (the fits are the slowest part; compare their rmse).
    const first = runOnce(engine, c);
    for (let i = 0; i < WARMUP; i++) runOnce(engine, c);
    const samples = { load: [], forwards: [], surface: [], fits: [], volSurface: [], vol: [], total: [], cpu: [] };
    for (let i = 0; i < RUNS; i++) {
      const r = runOnce(engine, c);
      for (const k of Object.keys(samples)) samples[k].push(r.times[k]);
    }
    results.push({
      backend, case: c.name, quotes: first.surface.kept, expiries: first.surface.expiries.length, rmse: first.fit.rmse, first: first.times.total,
      calendarFree: first.vs.calendar.arbitrageFree,
      load: median(samples.load), forwards: median(samples.forwards), surface: median(samples.surface), fits: median(samples.fits),
      volSurface: median(samples.volSurface), vol: median(samples.vol), total: median(samples.total), cpu: median(samples.cpu),
    });
  }
}

console.log(`surface pipeline: text -> chain -> forwards -> surface (IVs) -> SVI per slice -> VolSurface; median of ${RUNS} runs after ${WARMUP} warm-ups`);
console.log(`node ${process.version}, ${cpus().length} cpus (${cpus()[0]?.model ?? '?'}), load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
console.log('total = load + surface + fits + volSurface (forwards are inside surface; the stand-alone forwards and the vol() batch are shown, not added); cpu = CPU ms of the whole run');
console.log('backend  case                          quotes  slices  load ms  forwards ms  surface ms  fits ms  volSurf ms  vol() ms  total ms  cpu ms  first ms  SVI rmse  calendar');
for (const r of results) {
  console.log(`${r.backend.padEnd(7)}  ${r.case.padEnd(28)}  ${String(r.quotes).padStart(6)}  ${String(r.expiries).padStart(6)}  ${r.load.toFixed(2).padStart(7)}  ${r.forwards.toFixed(2).padStart(11)}  ${r.surface.toFixed(2).padStart(10)}  ${r.fits.toFixed(2).padStart(7)}  ${r.volSurface.toFixed(2).padStart(10)}  ${r.vol.toFixed(3).padStart(8)}  ${r.total.toFixed(2).padStart(8)}  ${r.cpu.toFixed(2).padStart(6)}  ${r.first.toFixed(1).padStart(8)}  ${r.rmse.toFixed(3)}  ${r.calendarFree ? 'free' : 'CROSSES'}`);
}
for (const c of CASES) {
  const w = results.find((r) => r.backend === 'wasm' && r.case === c.name);
  const j = results.find((r) => r.backend === 'js' && r.case === c.name);
  // The backends' SVI fits agree to rounding (the Levenberg-Marquardt steps differ in the last bits).
  if (Math.abs(w.rmse - j.rmse) > 1e-9 * j.rmse) console.log(`WARNING: ${c.name}: SVI rmse differs across backends (${w.rmse} vs ${j.rmse})`);
  console.log(`${c.name}: total wasm ${w.total.toFixed(2)} ms (cpu ${w.cpu.toFixed(2)}), js ${j.total.toFixed(2)} ms (cpu ${j.cpu.toFixed(2)}), js / wasm ${(j.total / w.total).toFixed(2)}; target <= 20 ms: ${Math.min(w.total, j.total) <= 20 ? 'met' : 'NOT met'} (wall, best backend)`);
}
