// Same bits as another build: every output (prices, the seven greeks, statuses) of blackScholesBatch
// and black76Batch (USD and coin-settled, with and without greeks) on 200,001 options of the bench
// surface (bench/surface.mjs) salted with rare elements (strikes up to e^20 away from the money,
// zero and 1e-9 vols, zero expiries, NaN spots, dividend yields on a third), this build's
// build/riskwasm.wasm against the given one, both run raw in their own instance.
// Lists the outputs that differ, each with its largest relative difference.
//   npm run build:wasm && node bench/price-probe/bits.mjs path/to/other/riskwasm.wasm

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { makeSurface } from '../surface.mjs';

/** Outputs of the two builds compared; returns { differ, total }. */
export async function compareBuilds(fileA, fileB, n = 200001) {
  const s = makeSurface(n);
  for (let i = 0; i < n; i += 97) s.strikes[i] *= Math.exp(40 * (((i * 7919) % 1000) / 1000 - 0.5));
  for (let i = 5; i < n; i += 331) s.vols[i] = i % 2 ? 0 : 1e-9;
  for (let i = 7; i < n; i += 1009) s.expiries[i] = 0;
  for (let i = 11; i < n; i += 2003) s.spots[i] = NaN;
  for (let i = 0; i < n; i += 3) s.dividendYields[i] = 0.03;
  const runs = [];
  for (const f of [fileA, fileB]) {
    const x = /** @type {any} */ ((await WebAssembly.instantiate(readFileSync(f), { env: { abort() { throw new Error('abort'); } } })).instance.exports);
    const base = (x.heapBase() + 15) & ~15;
    const need = base + n * 140 + 4096;
    x.memory.grow(Math.ceil((need - x.memory.buffer.byteLength) / 65536) + 1);
    const p = {};
    let at = base;
    for (const k of ['spots', 'strikes', 'expiries', 'vols', 'rates', 'dividendYields', 'forwards', 'discountFactors']) {
      p[k] = at;
      new Float64Array(x.memory.buffer, at, n).set(s[k]);
      at += n * 8;
    }
    p.types = at;
    new Int8Array(x.memory.buffer, at, n).set(s.types);
    at = (at + n + 31) & ~15;
    p.out = at;
    p.status = at + n * 64;
    /** @type {[string, Float64Array | Uint8Array][]} */
    const res = [];
    const keep = (label, g) => {
      const out = new Float64Array(x.memory.buffer, p.out, n * (g ? 8 : 1)).slice();
      (g ? OUTPUTS : OUTPUTS.slice(0, 1)).forEach((o, c) => res.push([`${label}${g ? ' with greeks' : ''}: ${o}`, out.subarray(c * n, (c + 1) * n)]));
      res.push([`${label}${g ? ' with greeks' : ''}: status`, new Uint8Array(x.memory.buffer, p.status, n).slice()]);
    };
    for (const g of [0, 1]) {
      x.blackScholesBatch(n, p.spots, p.strikes, p.expiries, p.vols, p.rates, p.dividendYields, p.types, g, p.out, p.status);
      keep('blackScholes', g);
      for (const coin of [0, 1]) {
        x.black76Batch(n, p.forwards, p.strikes, p.expiries, p.vols, p.discountFactors, p.types, coin, g, p.out, p.status);
        keep(coin ? 'black76 coin' : 'black76', g);
      }
    }
    runs.push(res);
  }
  let differ = 0;
  let total = 0;
  /** @type {{ label: string, differ: number, maxRel: number }[]} */
  const columns = [];
  runs[0].forEach(([label, a], j) => {
    const b = runs[1][j][1];
    let d = 0;
    let maxRel = 0;
    for (let i = 0; i < a.length; i++) {
      total++;
      if (Object.is(a[i], b[i])) continue;
      d++;
      const rel = Math.abs(a[i] - b[i]) / Math.max(Math.abs(a[i]), Math.abs(b[i]));
      if (!(rel <= maxRel)) maxRel = rel;
    }
    differ += d;
    if (d) columns.push({ label, differ: d, maxRel });
  });
  return { differ, total, columns };
}

const OUTPUTS = ['price', 'delta', 'gamma', 'vega', 'theta', 'rho', 'vanna', 'volga'];

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const other = process.argv[2];
  if (!other) throw new Error('usage: node bench/price-probe/bits.mjs other.wasm');
  const mine = fileURLToPath(new URL('../../build/riskwasm.wasm', import.meta.url));
  const { differ, total, columns } = await compareBuilds(mine, other);
  console.log(`build/riskwasm.wasm vs ${other}: ${differ} of ${total} outputs differ`);
  for (const c of columns) console.log(`  ${c.label}: ${c.differ} differ, largest relative difference ${c.maxRel.toExponential(2)} (NaN: one side NaN)`);
  if (differ !== 0) process.exitCode = 1;
}
