// Heston QE 1e5 paths x 252 steps on one WASM thread (issue 13 target: <= 0.6 s): where the time
// goes and how far the target is from what this machine can do at all. Compiles
// bench/heston-qe/probe.ts (probe kernels over the real assembly/ modules) to a temporary .wasm and
// times, per path-step, by process CPU time (best of 7; the machine may be shared):
//   - mcShard Heston QE European (the model of bench/montecarlo.mjs), and with BASELINE=old.wasm
//     an older build on the same inputs (accumulators checked bit for bit first),
//   - the block kernel alone (what mcShard runs on this model: 16 paths step-major, session 11),
//     its draws (16 paths x 128 draws per fill) and its step on fixed and on fresh draws,
//   - the four-path kernel alone (mcShard's kernel before session 11: shards' last paths, and
//     models where the variance often nears zero),
//   - its parts: the draws (2 Philox uniforms + 2 AS 241 normals per path-step, four paths per
//     fill; and their parts: uniforms, central rational, tail normals) and the four-path QE step
//     (the kernel's own loop, qePathQuad, with constants that drop the fills and/or the redo) on
//     fresh draws (the kernel less its fills), on one chunk of draws again and again, and that
//     loop with the quadratic branch alone (no redo: a lower bound). On the repeated chunk the
//     branch predictor learns where the redos fall: the redo costs ~0.9 ns per path-step there,
//     ~3.4 ns on fresh draws (session 10, load 1.3), mostly mispredicted redo branches, which
//     resolve only at the end of the quadratic chain,
//   - first, bit checks of the vector draws (fillDraws, the listed tail normals down to u = 2^-53)
//     against the scalar code (an error if any draw differs),
//   - ceilings: 2.52e7 exponentials two per f64x2 (expX2, the shared exp's bits), and the f64x2
//     divide / square-root throughput times the 3 divisions + 3 square roots a quadratic QE step
//     needs per lane pair plus the one division of the central AS 241 rational per two draws.
//   npm run build && node bench/heston-qe.mjs          (BASELINE=path/to/riskwasm.wasm optional)
// bench/montecarlo.mjs calls hestonQeBreakdown() for the Heston QE line of bench/RESULTS.md.

import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import asc from 'assemblyscript/asc';
import { cpuBest } from './cpu-time.mjs';

// mcShard on a module (its own heap): bench/montecarlo.mjs's Heston model and call, 4096-path shards.
function shardRunner(m) {
  const base = (m.heapBase() + 15) & ~15;
  if (m.memory.buffer.byteLength < base + 1024) m.memory.grow(1);
  return (paths) => {
    const p = new Float64Array(m.memory.buffer, base, 40);
    p.fill(0);
    [p[0], p[1], p[2], p[3], p[4]] = [1, 100, 0.03, 0.01, 1];
    [p[6], p[7], p[8], p[9], p[10]] = [0.04, 1.5, 0.04, 0.5, -0.7];
    [p[16], p[17], p[18]] = [1, 100, 1];
    const acc = new Float64Array(m.memory.buffer, base + 512, 16);
    acc.fill(0);
    for (let s = 0; s < paths; s += 4096) {
      if (m.mcShard(s, Math.min(4096, paths - s), 252, 20260101, 0, 0, base, 0, 0, base + 512, 0, 0) !== 0) throw new Error('mcShard');
    }
    return Array.from(acc);
  };
}

/**
 * The measurements above; `baseline`: a path to an older riskwasm.wasm to time beside this one.
 * Returns { rows: [label, ns per path-step][], load, divNs, sqrtNs, expNs, baselineSame }.
 * @param {{ baseline?: string }} [options]
 */
export async function hestonQeBreakdown({ baseline: baselinePath } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'heston-qe-'));
  const out = join(dir, 'probe.wasm');
  const src = fileURLToPath(new URL('./heston-qe/probe.ts', import.meta.url));
  const { error, stderr } = await asc.main([src, '-O3', '--runtime', 'stub', '--enable', 'simd', '--noAssert', '--initialMemory', '16', '-o', out]);
  if (error) throw new Error(stderr.toString());
  const x = /** @type {any} */ ((await WebAssembly.instantiate(readFileSync(out), { env: { abort() { throw new Error('abort'); } } })).instance.exports);
  rmSync(dir, { recursive: true, force: true });
  // The vector draws against the scalar code, bit for bit (far tail included), before any timing.
  const tailsBad = x.checkTails();
  const fillBad = x.checkFill(3000);
  if (tailsBad !== 0 || fillBad !== 0) throw new Error(`heston-qe: vector draws differ from the scalar code (${tailsBad} crafted tails, ${fillBad} fillDraws draws)`);
  const PATHS = 16384;
  const pathSteps = PATHS * 252;
  const mine = shardRunner(x);
  /** @type {[string, number][]} */
  const rows = [];
  const perStep = (s, n = pathSteps) => (s * 1e9) / n;
  let baseline = null;
  let baselineSame = null;
  if (baselinePath) {
    const b = /** @type {any} */ ((await WebAssembly.instantiate(readFileSync(baselinePath), {})).instance.exports);
    baseline = shardRunner(b);
    const a = mine(PATHS), c = baseline(PATHS);
    baselineSame = a.every((v, i) => Object.is(v, c[i]));
  }
  const N = 512 * 4096;
  // What mcShard runs on this model: the step-major block kernel (16 paths).
  const tBlockFill = perStep(cpuBest(() => x.probeBlockFill(N)), N);
  const tBlock = perStep(cpuBest(() => x.probeBlockKernel(N)), N);
  rows.push(['  block kernel alone (16 paths step-major: draws + step)', tBlock]);
  rows.push(['    block draws (16 paths x 128 draws per fill)', tBlockFill]);
  rows.push(['    block step on fixed draws (one fill again)', perStep(cpuBest(() => x.probeBlockSteps(N)), N)]);
  rows.push(['    block step on fresh draws (kernel - its draws)', tBlock - tBlockFill]);
  // The four-path kernel (shards' last paths below 16, and models where the variance often nears zero).
  const tKernel = perStep(cpuBest(() => x.probeKernel(N)), N);
  rows.push(['  the four-path kernel alone (draws + step)', tKernel]);
  const tDraws = perStep(cpuBest(() => x.probeQuadFill(N)), N);
  rows.push(['  draws: Philox + AS 241, 2 per path-step', tDraws]);
  rows.push(['    Philox words -> uniforms', perStep(cpuBest(() => x.probeUniforms(N)), N)]);
  rows.push(['    central AS 241 rational + tail list', perStep(cpuBest(() => x.probeCentral(N)), N)]);
  rows.push(['    tail normals (15% of draws)', perStep(cpuBest(() => x.probeTails(N)), N)]);
  // bench/montecarlo.mjs quotes the first row starting 'four-path' as the step on fixed draws.
  rows.push(['  four-path QE step on fixed draws (one chunk again)', perStep(cpuBest(() => x.probeQuadSteps(N)), N)]);
  rows.push(['    the same on fresh draws (kernel - its draws)', tKernel - tDraws]);
  const tQuad = perStep(cpuBest(() => x.probeQuadStepsNoFallback(N)), N);
  rows.push(['    of which the quadratic branch alone (no redo)', tQuad]);
  rows.push(['    the quadratic branch alone on fresh draws', perStep(cpuBest(() => x.probeQuadStepsNoFallbackFresh(N)), N) - tDraws]);
  // mcShard last, this build and BASELINE interleaved (the first calls of a fresh module can run
  // before V8's optimising tier has compiled it: measured first, this build read 0.79 s for 0.63).
  let tMine = Infinity, tBase = Infinity;
  for (let r = 0; r < 5; r++) {
    tMine = Math.min(tMine, cpuBest(() => mine(PATHS), 3));
    if (baseline) tBase = Math.min(tBase, cpuBest(() => baseline(PATHS), 3));
  }
  rows.unshift(['mcShard Heston QE European (this build)', perStep(tMine)]);
  if (baseline) rows.splice(1, 0, ['mcShard Heston QE European (BASELINE)', perStep(tBase)]);
  const tExp = cpuBest(() => x.probeExpX2(N)) / N;
  const tDiv = cpuBest(() => x.probeDiv(N)) / N;
  const tSqrt = cpuBest(() => x.probeSqrt(N)) / N;
  rows.push(['ceiling: one expX2 per path-step', tExp * 1e9]);
  // Per path-step: 3 divisions + 3 square roots per lane pair of the quadratic step, halved, plus the
  // one division of the central AS 241 rational (two draws of one path per f64x2).
  rows.push(['ceiling: f64x2 div+sqrt a QE step needs', ((3 * tDiv + 3 * tSqrt) / 2 + tDiv) * 1e9]);
  rows.push(['floor: the draws as measured + the step\'s div+sqrt', tDraws + ((3 * tDiv + 3 * tSqrt) / 2) * 1e9]);
  // Both parts at their measured speeds, the step's redo excluded, added (they share the four
  // SIMD pipes and the divider: fusing them into one loop was measured slower, session 10).
  rows.push(['floor: draws + quadratic-only step, as measured', tDraws + tQuad]);
  return { rows, load: loadavg(), divNs: tDiv * 1e9, sqrtNs: tSqrt * 1e9, expNs: tExp * 1e9, baselineSame };
}

// Standalone run.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const r = await hestonQeBreakdown({ baseline: process.env.BASELINE });
  if (r.baselineSame !== null) console.log(`baseline check: accumulators ${r.baselineSame ? 'bit-identical' : 'DIFFER'}`);
  console.log(`load average ${r.load.map((l) => l.toFixed(2)).join(' / ')}; Node ${process.version}; process CPU time, best of 7; f64x2 div ${r.divNs.toFixed(2)} ns, sqrt ${r.sqrtNs.toFixed(2)} ns, exp ${r.expNs.toFixed(2)} ns per value`);
  for (const [label, ns] of r.rows) {
    console.log(`${label.padEnd(52)} ${ns.toFixed(2).padStart(7)} ns/path-step  -> 1e5 x 252: ${(ns * 2.52e7 / 1e9).toFixed(3)} s`);
  }
}
