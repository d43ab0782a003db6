// Error of every output of blackScholesBatch against the 60-digit mpmath reference
// (test/fixtures/black-reference.json, scripts/fixtures/gen_black_reference.py: 260 cases, deep
// OTM/ITM, 1 day..30 years), this build's build/riskwasm.wasm beside another build: per output,
// the worst and the mean of relative error / (eps (1 + kappa)) (the measure test/black-scholes.test.ts
// bounds by 32), and the worst relative error where kappa <= 20. For a change that moves bits:
// the error must not grow.
//   npm run build:wasm && node bench/price-probe/accuracy.mjs path/to/other/riskwasm.wasm

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const KEYS = ['price', 'delta', 'gamma', 'vega', 'theta', 'rho', 'vanna', 'volga'];
const EPS = 2 ** -52;

/** Per output key: { worst, mean, worstWell } of the scaled error of the build in `file`. */
export async function accuracy(file) {
  const { cases } = JSON.parse(readFileSync(new URL('../../test/fixtures/black-reference.json', import.meta.url), 'utf8'));
  const n = cases.length;
  const x = /** @type {any} */ ((await WebAssembly.instantiate(readFileSync(file), { env: { abort() { throw new Error('abort'); } } })).instance.exports);
  const base = (x.heapBase() + 15) & ~15;
  const need = base + n * 140 + 4096;
  if (x.memory.buffer.byteLength < need) x.memory.grow(Math.ceil((need - x.memory.buffer.byteLength) / 65536));
  const p = {};
  let at = base;
  const cols = { S: 'S', K: 'K', T: 'T', vol: 'vol', r: 'r', q: 'q' };
  for (const k of Object.keys(cols)) {
    p[k] = at;
    new Float64Array(x.memory.buffer, at, n).set(cases.map((c) => c[k]));
    at += n * 8;
  }
  p.types = at;
  new Int8Array(x.memory.buffer, at, n).set(cases.map((c) => (c.type === 'call' ? 1 : -1)));
  at = (at + n + 31) & ~15;
  p.out = at;
  p.status = at + n * 64;
  x.blackScholesBatch(n, p.S, p.K, p.T, p.vol, p.r, p.q, p.types, 1, p.out, p.status);
  const out = new Float64Array(x.memory.buffer, p.out, n * 8).slice();
  const res = {};
  KEYS.forEach((key, c) => {
    let worst = 0, sum = 0, count = 0, worstWell = 0;
    cases.forEach((cs, i) => {
      const want = cs[key], kappa = cs['kappa_' + key];
      if (want === 0 || kappa === null || Math.abs(want) < 1e-290) return;
      const err = Math.abs(out[c * n + i] - want) / Math.abs(want);
      const scaled = err / (EPS * (1 + kappa));
      worst = Math.max(worst, scaled);
      sum += scaled;
      count++;
      if (kappa <= 20) worstWell = Math.max(worstWell, err);
    });
    res[key] = { worst, mean: sum / count, worstWell };
  });
  return res;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const other = process.argv[2];
  if (!other) throw new Error('usage: node bench/price-probe/accuracy.mjs other.wasm');
  const mine = await accuracy(fileURLToPath(new URL('../../build/riskwasm.wasm', import.meta.url)));
  const theirs = await accuracy(other);
  console.log('output   | worst err/(eps(1+kappa)) this / other | mean this / other | worst rel. err at kappa <= 20 this / other');
  for (const k of KEYS) {
    const a = mine[k], b = theirs[k];
    console.log(`${k.padEnd(8)} | ${a.worst.toFixed(3)} / ${b.worst.toFixed(3)} | ${a.mean.toFixed(4)} / ${b.mean.toFixed(4)} | ${a.worstWell.toExponential(2)} / ${b.worstWell.toExponential(2)}`);
  }
}
