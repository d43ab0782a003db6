// The ceiling of f64x2 WebAssembly on this machine (Node, one thread), against which the SIMD
// pricing targets are judged (issue 13): a pure multiply-add loop (a degree-16 polynomial per
// element, scalar f64 vs f64x2, the data in L1), and the exp loop (riskwasm's scalar exp, the
// diagnostic elementaryBatch, vs its f64x2 twin simdMathBatch; V8's Math.exp for scale). Then the
// pricing kernels on the benchmark surface (16384 options in the heap, no facade), in the same
// run, with their cost per option in f64x2 exp-equivalents: how far a kernel is from its
// elementary functions (a price needs a log, one or two exps, a density and a normal tail).
//   node bench/ceiling.mjs        (after `npm run build:wasm`)

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import os from 'node:os';
import asc from 'assemblyscript/asc';
import { makeSurface } from './surface.mjs';

const N = 16384;

const POLY = `
export function polyScalar(n: i32, p: usize, reps: i32): f64 {
  let acc = 0.0;
  for (let k = 0; k < reps; k++) {
    for (let i = 0; i < n; i++) {
      const x = load<f64>(p + (<usize>i << 3));
      let y = x * 0.5 + 0.25;
${Array.from({ length: 15 }, (_, j) => `      y = y * x + ${(0.1 + j / 64).toFixed(6)};`).join('\n')}
      acc += y;
    }
  }
  return acc;
}
export function polyX2(n: i32, p: usize, reps: i32): f64 {
  let acc = f64x2.splat(0.0);
  for (let k = 0; k < reps; k++) {
    for (let i = 0; i < n; i += 2) {
      const x = v128.load(p + (<usize>i << 3));
      let y = f64x2.add(f64x2.mul(x, f64x2.splat(0.5)), f64x2.splat(0.25));
${Array.from({ length: 15 }, (_, j) => `      y = f64x2.add(f64x2.mul(y, x), f64x2.splat(${(0.1 + j / 64).toFixed(6)}));`).join('\n')}
      acc = f64x2.add(acc, y);
    }
  }
  return f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1);
}
export function base(): usize { return __heap_base; }
`;

async function compilePoly() {
  const { binary, error, stderr } = await asc.compileString(POLY, { optimizeLevel: 3, runtime: 'stub', enable: ['simd'], initialMemory: 2 });
  if (error) throw new Error(stderr.toString());
  // Raw exports of a module compiled here: untyped by construction.
  const { instance } = await WebAssembly.instantiate(new Uint8Array(binary), { env: { abort() { throw new Error('abort'); } } });
  return /** @type {any} */ (instance.exports);
}

function best(fn, reps = 7) {
  let b = Infinity;
  for (let k = 0; k < reps; k++) {
    const t0 = performance.now();
    fn();
    b = Math.min(b, performance.now() - t0);
  }
  return b / 1e3;
}

export async function ceiling() {
  const poly = await compilePoly();
  const pb = (poly.base() + 15) & ~15;
  if (poly.memory.buffer.byteLength < pb + N * 8) poly.memory.grow(Math.ceil((pb + N * 8 - poly.memory.buffer.byteLength) / 65536));
  const xs = new Float64Array(poly.memory.buffer, pb, N);
  for (let i = 0; i < N; i++) xs[i] = 0.5 + (i % 97) / 200;
  const reps = 200;
  const flops = 2 * 16 * N * reps; // 16 multiply-adds per element
  poly.polyScalar(N, pb, 5); poly.polyX2(N, pb, 5);
  const tS = best(() => poly.polyScalar(N, pb, reps));
  const tV = best(() => poly.polyX2(N, pb, reps));
  if (Math.abs(poly.polyScalar(N, pb, 1) - poly.polyX2(N, pb, 1)) > 1e-9 * Math.abs(poly.polyScalar(N, pb, 1))) throw new Error('poly mismatch');

  const wasmUrl = new URL('../build/riskwasm.wasm', import.meta.url);
  const rw = /** @type {any} */ ((await WebAssembly.instantiate(readFileSync(fileURLToPath(wasmUrl)), { env: { abort() { throw new Error('abort'); } } })).instance.exports);
  const b = (rw.heapBase() + 15) & ~15;
  if (rw.memory.buffer.byteLength < b + 2 * N * 8) rw.memory.grow(Math.ceil((b + 2 * N * 8 - rw.memory.buffer.byteLength) / 65536));
  const inp = new Float64Array(rw.memory.buffer, b, N);
  for (let i = 0; i < N; i++) inp[i] = -20 + 40 * ((i * 2654435761) % 4294967296) / 4294967296;
  const js = Float64Array.from(inp);
  const outJs = new Float64Array(N);
  const er = 50;
  const run = (fn) => () => { for (let k = 0; k < er; k++) fn(); };
  const tExpS = best(run(() => rw.elementaryBatch(0, N, b, b + N * 8)));
  const refS = Float64Array.from(new Float64Array(rw.memory.buffer, b + N * 8, N));
  const tExpV = best(run(() => rw.simdMathBatch(0, N, b, b + N * 8)));
  const refV = new Float64Array(rw.memory.buffer, b + N * 8, N);
  for (let i = 0; i < N; i++) if (!Object.is(refS[i], refV[i])) throw new Error('exp lanes differ from scalar');
  const tExpJ = best(run(() => { for (let i = 0; i < N; i++) outJs[i] = Math.exp(js[i]); }));
  const tLogS = best(run(() => rw.elementaryBatch(1, N, b, b + N * 8)));
  for (let i = 0; i < N; i++) inp[i] = Math.abs(inp[i]) + 1e-3;
  const tLogS2 = best(run(() => rw.elementaryBatch(1, N, b, b + N * 8)));
  const tLogV = best(run(() => rw.simdMathBatch(1, N, b, b + N * 8)));
  void tLogS;
  for (let i = 0; i < N; i++) inp[i] = -6 + 12 * ((i * 2654435761) % 4294967296) / 4294967296;
  const tCdfV = best(run(() => rw.simdMathBatch(3, N, b, b + N * 8)));
  const tCdfS = best(run(() => { for (let i = 0; i < N; i++) rw.normalCdf(inp[i]); }));
  const m = (t, count) => (count / t / 1e6).toFixed(1);
  // The pricing kernels on the benchmark surface, columns already in the heap.
  const sf = makeSurface(N);
  const cols = ['spots', 'strikes', 'expiries', 'vols', 'rates', 'dividendYields', 'forwards', 'discountFactors', 'ivPrices'];
  const kb = b + 2 * N * 8;
  const need = kb + (cols.length + 8) * N * 8 + 2 * N + 64;
  if (rw.memory.buffer.byteLength < need) rw.memory.grow(Math.ceil((need - rw.memory.buffer.byteLength) / 65536));
  const at = Object.fromEntries(cols.map((c, j) => [c, kb + j * N * 8]));
  const pTypes = kb + cols.length * N * 8;
  const pOut = pTypes + N;
  const pStatus = pOut + 8 * N * 8;
  const heap = new Float64Array(rw.memory.buffer);
  for (const c of cols.slice(0, -1)) heap.set(sf[c], at[c] >>> 3);
  new Int8Array(rw.memory.buffer).set(sf.types, pTypes);
  rw.black76Batch(N, at.forwards, at.strikes, at.expiries, at.vols, at.discountFactors, pTypes, 0, 0, pOut, pStatus);
  heap.copyWithin(at.ivPrices >>> 3, pOut >>> 3, (pOut >>> 3) + N);
  const bs = (greeks) => () => rw.blackScholesBatch(N, at.spots, at.strikes, at.expiries, at.vols, at.rates, at.dividendYields, pTypes, greeks, pOut, pStatus);
  const kr = 10;
  const tPrice = best(run(bs(0)), 7) / er * kr;
  const tGreeks = best(run(bs(1)), 7) / er * kr;
  const tIv = best(() => { for (let k = 0; k < 2; k++) rw.impliedVolatilityBatch(N, at.ivPrices, at.forwards, at.strikes, at.expiries, at.discountFactors, pTypes, 0, pOut, pStatus); }, 5) / 2 * kr;
  const expEach = tExpV / (N * er);
  const kernelRow = (name, t) => [`${name} (M options/s; f64x2 exp-equivalents per option)`, '', `${m(t, N * kr)}`, `${(t / (N * kr) / expEach).toFixed(1)} exp`];

  const rows = [
    ['multiply-add, degree-16 polynomial (Gflop/s)', (flops / tS / 1e9).toFixed(2), (flops / tV / 1e9).toFixed(2), `x${(tS / tV).toFixed(2)}`],
    ['exp (M/s), riskwasm musl exp', m(tExpS, N * er), m(tExpV, N * er), `x${(tExpS / tExpV).toFixed(2)}`],
    ['log (M/s)', m(tLogS2, N * er), m(tLogV, N * er), `x${(tLogS2 / tLogV).toFixed(2)}`],
    ['normal cdf (M/s; scalar = one export call each)', m(tCdfS, N * er), m(tCdfV, N * er), `x${(tCdfS / tCdfV).toFixed(2)}`],
    ['V8 Math.exp loop in JS (M/s)', m(tExpJ, N * er), '', ''],
    kernelRow('Black-Scholes price kernel', tPrice),
    kernelRow('price + 7 greeks kernel', tGreeks),
    kernelRow('implied vol kernel', tIv),
  ];
  return { rows, load: os.loadavg() };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { rows, load } = await ceiling();
  console.log(`Node ${process.version}, ${os.cpus()[0]?.model}, load ${load.map((x) => x.toFixed(2)).join(' / ')}\n`);
  console.log('| loop | scalar f64 | f64x2 | f64x2 / scalar |\n|---|--:|--:|--:|');
  for (const r of rows) console.log(`| ${r.join(' | ')} |`);
}
