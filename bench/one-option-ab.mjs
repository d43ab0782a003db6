// One-option calls (N = 1) per second on the WASM engine, in fresh processes interleaved round by
// round (issue 13 session 10): engine.blackScholes on 256 different options per iteration (as the
// suite's N = 1 task), price only and price + 7 greeks, with
//   args   'num'  numbers and 'call' / 'put'
//          'ta'   one-element Float64Arrays, a one-element Int8Array for the type, `out` given
//   heap   'none' the engine holds no resident arrays
//          'zero' it holds one zero-length resident array (engine.allocateArray({ length: 0 }))
//          'live' it holds a 1,000-element f64 resident array
// Each cell: the median over rounds of the best of `--reps` passes (process CPU time), in M calls/s.
// `--dist=A:path,B:path` compares two builds (dist/index.js of each) in the same rounds.
//
// Usage: node bench/one-option-ab.mjs [--rounds=5] [--reps=7] [--heaps=none,zero,live] [--args=num,ta]
//        [--jobs=price,greeks] [--dist=...]
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';

const arg = (name, def) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? def;
const GREEKS = ['delta', 'gamma', 'vega', 'theta', 'rho', 'vanna', 'volga'];
const REPS = 256;

function cpuMs() {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e3;
}

async function child(dist, job, shape, heap) {
  const riskwasm = await import(dist);
  const { makeSurface, single } = await import('./surface.mjs');
  const s = makeSurface(REPS);
  const e = await riskwasm.createEngine({ backend: 'wasm' });
  if (heap === 'zero') e.allocateArray({ type: 'f64', length: 0 });
  if (heap === 'live') e.allocateArray({ type: 'f64', length: 1000 });
  const greeks = job === 'greeks';
  const calls = [];
  const outs = [];
  for (let i = 0; i < REPS; i++) {
    const o = single(s, i);
    let a;
    if (shape === 'num') {
      a = { spots: o.spots[0], strikes: o.strikes[0], expiries: o.expiries[0], vols: o.vols[0], rates: o.rates[0], dividendYields: o.dividendYields[0], types: o.types[0] === 1 ? 'call' : 'put', greeks };
    } else {
      const out = { price: new Float64Array(1) };
      if (greeks) for (const g of GREEKS) out[g] = new Float64Array(1);
      a = { spots: o.spots, strikes: o.strikes, expiries: o.expiries, vols: o.vols, rates: o.rates, dividendYields: o.dividendYields, types: o.types, greeks, out };
    }
    calls.push(a);
  }
  let sink = 0;
  const pass = () => {
    for (let i = 0; i < REPS; i++) sink += e.blackScholes(calls[i]).price[0];
  };
  const PASSES = 400; // ~100k calls a timed rep
  for (let w = 0; w < 400; w++) pass();
  const reps = Number(arg('reps', 7));
  let best = Infinity;
  for (let r = 0; r < reps; r++) {
    const t0 = cpuMs();
    for (let p = 0; p < PASSES; p++) pass();
    best = Math.min(best, cpuMs() - t0);
  }
  return { rate: (PASSES * REPS) / best / 1e3, sink: Number.isFinite(sink) };
}

const childArgs = arg('child', null);
if (childArgs !== null) {
  const [dist, job, shape, heap] = childArgs.split('|');
  console.log(JSON.stringify(await child(dist, job, shape, heap)));
} else {
  const rounds = Number(arg('rounds', 5));
  const here = fileURLToPath(import.meta.url);
  const dists = arg('dist', `cur:${new URL('../dist/index.js', import.meta.url).pathname}`).split(',').map((d) => {
    const i = d.indexOf(':');
    return { tag: d.slice(0, i), url: pathToFileURL(d.slice(i + 1)).href };
  });
  const variants = [];
  for (const job of arg('jobs', 'price,greeks').split(',')) {
    for (const shape of arg('args', 'num,ta').split(',')) {
      for (const heap of arg('heaps', 'none,zero,live').split(',')) for (const d of dists) variants.push({ job, shape, heap, d });
    }
  }
  const got = new Map(variants.map((v) => [v, []]));
  const load0 = os.loadavg();
  for (let r = 0; r < rounds; r++) {
    for (const v of variants) {
      const line = execFileSync(process.execPath, [...(arg('node-flags', '') ? arg('node-flags', '').split(' ') : []), here, `--child=${v.d.url}|${v.job}|${v.shape}|${v.heap}`, `--reps=${arg('reps', 7)}`], { encoding: 'utf8' });
      got.get(v).push(JSON.parse(line.trim().split('\n').pop()).rate);
    }
  }
  const med = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[s.length >> 1]; };
  console.log(`| job | args | engine holds | build | M calls/s (median of ${rounds} fresh processes; each the best of ${arg('reps', 7)} passes, CPU time) | best round | all rounds |`);
  console.log('|---|---|---|---|--:|--:|---|');
  for (const v of variants) {
    const xs = got.get(v);
    console.log(`| ${v.job} | ${v.shape} | ${v.heap} | ${v.d.tag} | ${med(xs).toFixed(2)} | ${Math.max(...xs).toFixed(2)} | ${xs.map((x) => x.toFixed(2)).join(' ')} |`);
  }
  console.log(`load: ${load0.map((x) => x.toFixed(2)).join(' ')} -> ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);
}
