// Where a caller-owned 1e6-option batch loses time against the same batch over engine-resident
// arrays (issue 13 session 10): per pass, on the WASM engine,
//   own       engine.blackScholes over caller-owned Float64Array / Int8Array columns and `out`
//   resident  the same call over engine-resident arrays (read and written in place)
//   kernel    the kernel alone over the resident columns, by pointer, chunk by chunk (no facade)
//   copy      the facade's copies alone (every input column into the arena, every output and the
//             status back), chunk by chunk, no kernel
// interleaved rep by rep, each the best and the median of `--reps` passes by process CPU time,
// with the chunk size given, and the median over reps of the paired ratio own / resident.
// The parent runs every variant in a fresh process, variants interleaved round by round, so a
// burst of load from another tenant hits all of them; the table gives the median over rounds.
//
// Usage: node bench/facade-copy.mjs [--rounds=3] [--reps=15] [--chunks=16384,4096] [--jobs=price,greeks]
//        [--dist=A:path/to/dist/index.js,B:other/dist/index.js]   (A/B of two builds, default ./dist)
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';

const arg = (name, def) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? def;
const N = 1e6;
const GREEKS = ['delta', 'gamma', 'vega', 'theta', 'rho', 'vanna', 'volga'];

function cpuMs() {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e3;
}

async function child(dist, chunk, job) {
  const riskwasm = await import(dist);
  const { makeSurface } = await import('./surface.mjs');
  const s = makeSurface(N);
  const e = await riskwasm.createEngine({ backend: 'wasm', chunkSize: chunk });
  const greeks = job === 'greeks';
  const w = greeks ? 8 : 1;
  const cols = ['spots', 'strikes', 'expiries', 'vols', 'rates', 'dividendYields'];
  const out = { price: new Float64Array(N) };
  if (greeks) for (const g of GREEKS) out[g] = new Float64Array(N);
  const args = { spots: s.spots, strikes: s.strikes, expiries: s.expiries, vols: s.vols, rates: s.rates, dividendYields: s.dividendYields, types: s.types, greeks, out };
  const own = () => e.blackScholes(args);
  const ref = e.blackScholes({ ...args, out: undefined });
  // Resident arrays: inputs copied in once; outputs the columns of one resident block.
  const h = {};
  for (const k of cols) h[k] = e.allocateArray({ type: 'f64', length: N });
  h.types = e.allocateArray({ type: 'i8', length: N });
  const ho = e.allocateArray({ type: 'f64', length: w * N });
  for (const k of cols) h[k].array.set(s[k]);
  h.types.array.set(s.types);
  const resident = () => {
    const blk = ho.array;
    const o = { price: blk.subarray(0, N) };
    if (greeks) GREEKS.forEach((g, i) => { o[g] = blk.subarray((i + 1) * N, (i + 2) * N); });
    const ra = { greeks, out: o, types: h.types.array };
    for (const k of cols) ra[k] = h[k].array;
    return e.blackScholes(ra);
  };
  // Same bits on every path.
  const r1 = own();
  const r2 = resident();
  let diff = 0;
  for (const c of ['price', ...(greeks ? GREEKS : [])]) for (let i = 0; i < N; i++) if (!Object.is(r1[c][i], ref[c][i]) || !Object.is(r2[c][i], ref[c][i])) diff++;
  for (let i = 0; i < N; i++) if (r1.status[i] !== ref.status[i] || r2.status[i] !== ref.status[i]) diff++;
  // Kernel alone and copies alone, over one chunk's region of the arena, as the facade lays it out.
  const a = e.arena;
  const K = e.kernels;
  const p = {};
  const region = () => {
    a.reset();
    for (const k of cols) p[k] = a.alloc(chunk * 8);
    p.types = a.alloc(chunk);
    p.out = a.alloc(chunk * 8 * w);
    p.status = a.alloc(chunk);
  };
  region();
  // Kernel alone: over the resident columns by pointer, chunk by chunk, into the resident block
  // (the resident call without the facade).
  const kernel = () => {
    const ptr = {};
    for (const k of cols) ptr[k] = h[k].array.byteOffset;
    const pt = h.types.array.byteOffset;
    const po = ho.array.byteOffset;
    for (let s0 = 0; s0 < N; s0 += chunk) {
      const m = Math.min(chunk, N - s0);
      K.blackScholesBatch(m, ptr.spots + 8 * s0, ptr.strikes + 8 * s0, ptr.expiries + 8 * s0, ptr.vols + 8 * s0, ptr.rates + 8 * s0, ptr.dividendYields + 8 * s0, pt + s0, greeks ? 1 : 0, po + 8 * w * s0, p.status);
    }
  };
  const status = new Uint8Array(N);
  const copy = () => {
    const v = a.views;
    for (let s0 = 0; s0 < N; s0 += chunk) {
      const m = Math.min(chunk, N - s0);
      for (const k of cols) v.f64.set(s[k].subarray(s0, s0 + m), p[k] >>> 3);
      v.i8.set(s.types.subarray(s0, s0 + m), p.types);
      const iOut = p.out >>> 3;
      out.price.set(v.f64.subarray(iOut, iOut + m), s0);
      if (greeks) GREEKS.forEach((g, o) => out[g].set(v.f64.subarray(iOut + (o + 1) * m, iOut + (o + 2) * m), s0));
      status.set(v.u8.subarray(p.status, p.status + m), s0);
    }
  };
  // The four passes interleaved rep by rep (a burst of load from another tenant hits all of them);
  // each pass's best and median, and the median over reps of own / resident.
  const reps = Number(arg('reps', 15));
  /** @type {{ name: string, fn: () => unknown }[]} */
  const passes = [{ name: 'own', fn: own }, { name: 'resident', fn: resident }, { name: 'kernel', fn: kernel }, { name: 'copy', fn: copy }];
  /** @type {Record<string, number[]>} */
  const ms = Object.fromEntries(passes.map(({ name }) => [name, []]));
  region();
  for (const { fn } of passes) { fn(); fn(); }
  for (let r = 0; r < reps; r++) {
    for (const { name, fn } of passes) {
      const t0 = cpuMs();
      fn();
      ms[name].push(cpuMs() - t0);
    }
  }
  /** @type {Record<string, any>} */
  const res = {};
  for (const { name } of passes) {
    const xs = [...ms[name]].sort((a, b) => a - b);
    res[name] = { best: xs[0], median: xs[xs.length >> 1] };
  }
  const ratios = ms.own.map((x, r) => x / ms.resident[r]).sort((a, b) => a - b);
  res.ratio = ratios[ratios.length >> 1];
  return { diff, res };
}

const childArgs = arg('child', null);
if (childArgs !== null) {
  const [dist, chunk, job] = childArgs.split('|');
  console.log(JSON.stringify(await child(dist, Number(chunk), job)));
} else {
  const rounds = Number(arg('rounds', 3));
  const chunks = arg('chunks', '16384').split(',').map(Number);
  const jobs = arg('jobs', 'price,greeks').split(',');
  const here = fileURLToPath(import.meta.url);
  const dists = arg('dist', `cur:${new URL('../dist/index.js', import.meta.url).pathname}`).split(',').map((d) => {
    const i = d.indexOf(':');
    return { tag: d.slice(0, i), url: pathToFileURL(d.slice(i + 1)).href };
  });
  const variants = [];
  for (const job of jobs) for (const chunk of chunks) for (const d of dists) variants.push({ job, chunk, d });
  const got = new Map(variants.map((v) => [v, []]));
  console.log(`load before: ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  for (let r = 0; r < rounds; r++) {
    for (const v of variants) {
      const line = execFileSync(process.execPath, [here, `--child=${v.d.url}|${v.chunk}|${v.job}`, `--reps=${arg('reps', 15)}`], { encoding: 'utf8' });
      got.get(v).push(JSON.parse(line.trim().split('\n').pop()));
    }
  }
  const med = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[s.length >> 1]; };
  const rate = (ms) => `${(N / ms / 1e3).toFixed(1)} M/s`;
  console.log('| job | build | chunk | own (best / med) | resident | kernel only | copies only | own - resident (best) | own / resident (median of paired reps) | bits differ |');
  console.log('|---|---|--:|--:|--:|--:|--:|--:|--:|--:|');
  for (const v of variants) {
    const xs = got.get(v);
    const m = (name, k) => med(xs.map((x) => x.res[name][k]));
    const cell = (name) => `${m(name, 'best').toFixed(1)} / ${m(name, 'median').toFixed(1)} ms (${rate(m(name, 'best'))})`;
    console.log(`| ${v.job} | ${v.d.tag} | ${v.chunk} | ${cell('own')} | ${cell('resident')} | ${cell('kernel')} | ${cell('copy')} | ${(m('own', 'best') - m('resident', 'best')).toFixed(1)} ms | ${med(xs.map((x) => x.res.ratio)).toFixed(3)} | ${Math.max(...xs.map((x) => x.diff))} |`);
  }
  console.log(`load after: ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);
}
