// Where Monte Carlo path stepping spends its time (issue 13): compiles bench/mc-simd/probe.ts
// (probe kernels over the real assembly/ modules) to a temporary .wasm and times, per draw,
// Philox blocks alone, a chunk fill (Philox + AS 241 central rational on f64x2 + tails), the
// central rational alone, a scalar tail quantile, scalar and f64x2 log, the f64x2 multiply-add
// ceiling, and mcShard on GBM and Heston QE (1e4 paths x 252 steps, Philox, European call).
// Best of 7 by process CPU time (the machine may be shared); prints the load average.
//   node bench/mc-simd.mjs

import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import asc from 'assemblyscript/asc';
import { cpuBest } from './cpu-time.mjs';

const dir = mkdtempSync(join(tmpdir(), 'mc-simd-'));
const out = join(dir, 'probe.wasm');
const src = fileURLToPath(new URL('./mc-simd/probe.ts', import.meta.url));
const { error, stderr } = await asc.main([src, '-O3', '--runtime', 'stub', '--enable', 'simd', '--noAssert', '--initialMemory', '16', '-o', out]);
if (error) throw new Error(stderr.toString());
const { instance } = await WebAssembly.instantiate(readFileSync(out), { env: { abort() { throw new Error('abort'); } } });
rmSync(dir, { recursive: true, force: true });
const x = /** @type {any} */ (instance.exports);

const base = (x.heapBase() + 15) & ~15;
if (x.memory.buffer.byteLength < base + 1024) x.memory.grow(1);
const pParams = base;
const pAcc = base + 512;
function mc(model, paths, steps) {
  const p = new Float64Array(x.memory.buffer, pParams, 40);
  p.fill(0);
  [p[0], p[1], p[2], p[3], p[4], p[5]] = [model, 100, 0.03, 0.01, 1, 0.25];
  [p[6], p[7], p[8], p[9], p[10]] = [0.04, 1.5, 0.04, 0.5, -0.7];
  [p[16], p[17], p[18]] = [1, 100, 1];
  new Float64Array(x.memory.buffer, pAcc, 16).fill(0);
  if (x.mcShard(0, paths, steps, 20260101, 0, 0, pParams, 0, 0, pAcc, 0, 0) !== 0) throw new Error('mcShard');
}

const N = 256 * 8192;
/** @type {[string, number, number, string][]} */
const rows = [
  ['Philox4x32-10, 8 blocks per pass', cpuBest(() => x.probePhilox(N)), N, 'draw'],
  ['chunk fill: Philox + AS 241 (f64x2) + tails', cpuBest(() => x.probeFill(N)), N, 'draw'],
  ['AS 241 central rational, f64x2', cpuBest(() => x.probeCentral(N)), N, 'draw'],
  ['AS 241 tail quantile, scalar', cpuBest(() => x.probeTail(N / 8)), N / 8, 'tail'],
  ['log, scalar (shared)', cpuBest(() => x.probeLog(N / 4)), N / 4, 'log'],
  ['log, f64x2 (logX2)', cpuBest(() => x.probeLogX2(N / 4)), N / 4, 'log'],
  ['ceiling: f64x2 multiply-add, 8 chains', cpuBest(() => x.probeCeiling(N * 8)), N * 8, 'mul+add'],
  ['mcShard GBM 1e4 x 252', cpuBest(() => mc(0, 1e4, 252)), 1e4 * 252, 'draw'],
  ['mcShard Heston QE 1e4 x 252', cpuBest(() => mc(1, 1e4, 252)), 1e4 * 252 * 2, 'draw'],
];
console.log(`load average ${loadavg().map((l) => l.toFixed(2)).join(' / ')}; process CPU time, best of 7`);
for (const [label, s, n, unit] of rows) {
  console.log(`${label.padEnd(46)} ${(s * 1e9 / n).toFixed(2).padStart(7)} ns/${unit}  ${(n / s / 1e6).toFixed(1).padStart(8)} M ${unit}s/s`);
}
