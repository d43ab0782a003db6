// Where the time of a Black-Scholes price goes (issue 13: price >= 25 M/s, price + 7 greeks >= 15 M/s,
// WASM / JS >= x3). Compiles bench/price-probe/probe.ts (probe kernels over the real assembly/
// modules) to a temporary .wasm and times, per option, by process CPU time (best of 9; the machine may
// be shared), on the first 65,536 options of the bench surface (bench/surface.mjs) in the heap:
//   - blackScholesBatch price and price + greeks (this build, and with BASELINE=old.wasm an older
//     build on the same inputs, outputs checked bit for bit first),
//   - its passes, the kernel's own code (probe.ts probeStages): each pass by difference of cumulative
//     runs, and the normalised OTM call block's region passes alone after stage 1,
//   - ceilings per value: f64x2 exp, log, normal density, division, square root, Phi given the density.
//   npm run build && node bench/price-probe/run.mjs          (BASELINE=path/to/riskwasm.wasm optional)

import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import asc from 'assemblyscript/asc';
import { cpuBest as cpuBestOf } from '../cpu-time.mjs';
import { makeSurface } from '../surface.mjs';

const REPS = Number(process.env.REPS ?? 9);
const ROUNDS = Number(process.env.ROUNDS ?? 40);
// The same options also placed with PAD bytes between the input columns and the output (the
// unpadded columns are 2^19 bytes apart: the same cache sets), timed beside.
const PAD = Number(process.env.PAD ?? 4160);
const cpuBest = (fn, reps = REPS) => cpuBestOf(fn, reps);

const N = 65536;
const COLS = ['spots', 'strikes', 'expiries', 'vols', 'rates', 'dividendYields'];

/** The surface's first N options in m's heap; returns the pointers and a runner of blackScholesBatch. */
function place(m, s, pad = 0, start = 0) {
  const base = ((start || m.heapBase()) + 15) & ~15;
  const need = base + N * (6 * 8 + 1 + 64 + 1) + 1024 + 8 * pad;
  if (m.memory.buffer.byteLength < need) m.memory.grow(Math.ceil((need - m.memory.buffer.byteLength) / 65536));
  const p = {};
  let at = base;
  for (const k of COLS) { p[k] = at; new Float64Array(m.memory.buffer, at, N).set(s[k].subarray(0, N)); at += N * 8 + pad; }
  p.types = at; new Int8Array(m.memory.buffer, at, N).set(s.types.subarray(0, N)); at += N + 16;
  p.out = at; at += N * 64;
  p.status = at;
  const args = [p.spots, p.strikes, p.expiries, p.vols, p.rates, p.dividendYields, p.types];
  const run = (greeks) => m.blackScholesBatch(N, ...args, greeks, p.out, p.status);
  const out = (greeks) => new Float64Array(m.memory.buffer, p.out, N * (greeks ? 8 : 1)).slice();
  return { p, args, run, out, end: p.status + N + 64 };
}

/**
 * The measurements above; `baseline`: a path to an older riskwasm.wasm to time beside this one.
 * Returns { rows: [label, ns per option][], load, baselineSame }.
 * @param {{ baseline?: string }} [options]
 */
export async function priceBreakdown({ baseline: baselinePath } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'price-probe-'));
  const file = join(dir, 'probe.wasm');
  const src = fileURLToPath(new URL('./probe.ts', import.meta.url));
  const { error, stderr } = await asc.main([src, '-O3', '--runtime', 'stub', '--enable', 'simd', '--noAssert', '--initialMemory', '16', '-o', file]);
  if (error) throw new Error(stderr.toString());
  const x = /** @type {any} */ ((await WebAssembly.instantiate(readFileSync(file), { env: { abort() { throw new Error('abort'); } } })).instance.exports);
  rmSync(dir, { recursive: true, force: true });
  const s = makeSurface(N);
  const mine = place(x, s);
  const per = (sec, n = N) => (sec * 1e9) / n;
  /** @type {[string, number][]} */
  const rows = [];
  let baselineSame = null;
  let base = null;
  if (baselinePath) {
    const b = /** @type {any} */ ((await WebAssembly.instantiate(readFileSync(baselinePath), { env: { abort() { throw new Error('abort'); } } })).instance.exports);
    base = place(b, s);
    baselineSame = true;
    for (const g of [0, 1]) {
      mine.run(g); base.run(g);
      const a = mine.out(g), c = base.out(g);
      for (let i = 0; i < a.length; i++) if (!Object.is(a[i], c[i])) { baselineSame = false; break; }
    }
  }
  // Every timed task once per round, rounds repeated, the least CPU time of each kept: tasks
  // compared with each other see the same disturbances (the machine may be shared).
  const padded = place(x, s, PAD, mine.end);
  /** @type {[string, () => unknown][]} */
  const tasks = [['price', () => mine.run(0)], ['greeks', () => mine.run(1)], ['pricePad', () => padded.run(0)], ['greeksPad', () => padded.run(1)]];
  if (base) tasks.push(['basePrice', () => base.run(0)], ['baseGreeks', () => base.run(1)]);
  // The kernel's passes (probe.ts probeStages): cumulative runs (each stage after the ones before,
  // the kernel's state) and the block's region passes alone after stage 1 on lists kept per block.
  const ALL_REGIONS = 4 | 8 | 16 | 32 | 64;
  // With greeks the block's passes also leave the parts of Phi(d1) (1024; 2048 the small-t pass for them).
  const G = 1024 | 2048;
  const cumulative = [['prepare', 1], ['classification', 1 | 2], ['regions', 1 | 2 | ALL_REGIONS], ['finish', 1 | 2 | ALL_REGIONS | 128],
    ['greeksGeneral', 1 | 2 | ALL_REGIONS | 128 | 1024], ['greeksBlock', 1 | 2 | ALL_REGIONS | 128 | G], ['greeksCdf', 1 | 2 | ALL_REGIONS | 128 | G | 256], ['greeksRest', 1 | 2 | ALL_REGIONS | 128 | G | 256 | 512]];
  const stage = (bits) => x.probeStages(bits, N, ...mine.args, mine.p.out, mine.p.status);
  stage(1 | 2);
  for (const [k, bits] of cumulative) tasks.push([`cum_${k}`, () => stage(bits)]);
  for (const bit of [4, 8, 16, 32, 64]) tasks.push([`part${bit}`, () => stage(1 | bit)]);
  const t = Object.fromEntries(tasks.map(([k]) => [k, Infinity]));
  for (const [, fn] of tasks) fn();
  for (let r = 0; r < ROUNDS; r++) {
    for (const [k, fn] of tasks) {
      const c0 = process.cpuUsage();
      fn();
      const c = process.cpuUsage(c0);
      t[k] = Math.min(t[k], per((c.user + c.system) / 1e6));
    }
  }
  rows.push(['blackScholesBatch price (this build)', t.price]);
  if (base) rows.push(['blackScholesBatch price (BASELINE)', t.basePrice]);
  rows.push(['blackScholesBatch price + 7 greeks (this build)', t.greeks]);
  if (base) rows.push(['blackScholesBatch price + 7 greeks (BASELINE)', t.baseGreeks]);
  rows.push([`blackScholesBatch price, columns ${PAD} B apart more`, t.pricePad], [`blackScholesBatch price + 7 greeks, columns ${PAD} B apart more`, t.greeksPad]);
  const passNames = { prepare: 'stage 1 prepare', classification: 'stage 2 classification (density, -|x|, h, lists)',
    regions: 'stage 2 region passes', finish: 'stage 3 finish (prices)',
    greeksGeneral: 'greeks: prepare keeping inputs, the block the parts of Phi(a), Phi(b)', greeksBlock: 'greeks: the small-t pass for those parts', greeksCdf: 'greeks pass 1 (densities, N1, N2)', greeksRest: 'greeks pass 2 (the seven greeks)' };
  let before = 0;
  for (const [k] of cumulative) {
    rows.push([`  ${passNames[k]} (difference)`, t[`cum_${k}`] - before]);
    before = t[`cum_${k}`];
  }
  const partNames = { 4: 'small t: Y(h)', 8: 'small t: series', 16: 'general: pdfA Y(b)', 32: 'general: Phi(a), a central', 64: 'general: Phi(a), a in the tail' };
  for (const [bit, name] of Object.entries(partNames)) rows.push([`    ${name} (alone after stage 1)`, t[`part${bit}`] - t.cum_prepare]);
  rows.push(['  scalar pass and loop (kernel price - stages 1-3)', t.price - t.cum_finish]);
  rows.push(['  scalar pass and loop (kernel greeks - all stages)', t.greeks - t.cum_greeksRest]);
  const M = 1 << 22;
  const names = ['exp', 'log', 'normal density', 'division', 'square root', 'Phi given density (tail)'];
  for (let w = 0; w < names.length; w++) rows.push([`ceiling: f64x2 ${names[w]}, per value`, per(cpuBest(() => x.probeCeiling(w, M), 5), M)]);
  return { rows, load: loadavg(), baselineSame };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const r = await priceBreakdown({ baseline: process.env.BASELINE });
  if (r.baselineSame !== null) console.log(`baseline check: price and greeks ${r.baselineSame ? 'bit-identical' : 'DIFFER'}`);
  console.log(`load average ${r.load.map((l) => l.toFixed(2)).join(' / ')}; Node ${process.version}; process CPU time, least of ${ROUNDS} interleaved rounds (ceilings best of 5); ${N} options`);
  for (const [label, ns] of r.rows) console.log(`${label.padEnd(52)} ${ns.toFixed(2).padStart(7)} ns/option  (${(1e3 / ns).toFixed(1)} M/s)`);
}
