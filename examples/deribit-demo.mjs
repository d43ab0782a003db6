#!/usr/bin/env node
// riskwasm demo: a real Deribit BTC/ETH option chain -> bid/ask/mark implied vols and greeks for
// every option, checked against Deribit's own mark IV and delta, with WASM vs pure-JS timings.
// Usage: node examples/deribit-demo.mjs [chain.csv]   (default: the bundled 2026-01-05 snapshot)
import { readFile } from 'node:fs/promises';
import { createEngine, loadDeribitChain, countStatus } from '../dist/index.js';

const bundled = new URL('../data/market/deribit_options_snapshot_20260105T153329Z.csv', import.meta.url);
const file = process.argv[2] ?? bundled;
const chain = loadDeribitChain(await readFile(file, 'utf8'));
const n = chain.length;

const t0 = performance.now();
const wasm = await createEngine({ backend: 'wasm' });
const firstEngineMs = performance.now() - t0;
const js = await createEngine({ backend: 'js' });

const ivArgs = (prices) => ({ prices, forwards: chain.forward, strikes: chain.strike, expiries: chain.timeToMaturity, types: chain.type, settlement: 'coin' });
const greekArgs = { forwards: chain.forward, strikes: chain.strike, expiries: chain.timeToMaturity, vols: chain.markIv, types: chain.type, settlement: 'coin', greeks: true };

function run(engine) {
  return {
    bid: engine.impliedVol(ivArgs(chain.bid)),
    ask: engine.impliedVol(ivArgs(chain.ask)),
    mark: engine.impliedVol(ivArgs(chain.mark)),
    greeks: engine.black76(greekArgs),
  };
}

function timeIt(fn, minMs = 300) {
  fn();
  let reps = 0;
  const start = performance.now();
  let now = start;
  while (now - start < minMs) {
    fn();
    reps++;
    now = performance.now();
  }
  return (now - start) / reps;
}

const res = run(wasm);
const resJs = run(js);

const stats = (xs) => {
  const s = xs.filter(Number.isFinite).sort((a, b) => a - b);
  return { n: s.length, median: s[Math.floor(s.length / 2)], p99: s[Math.floor(0.99 * (s.length - 1))], max: s[s.length - 1] };
};
const fmt = (x, d = 2) => (x === undefined ? 'n/a' : x.toExponential(d));

// Out-of-the-money options carry the surface; an in-the-money coin mark is mostly intrinsic value,
// so its IV is ill-conditioned (a 1e-8 coin rounding moves it by many vol points).
const otm = Array.from(chain.type, (t, i) => t * (chain.forward[i] - chain.strike[i]) <= 0);
const diffs = (keep) => stats(Array.from(res.mark.vols, (v, i) => (keep(i) ? Math.abs(v - chain.markIv[i]) * 100 : NaN)));
const ivDiffOtm = diffs((i) => otm[i] && chain.mark[i] > 0);
const ivDiffItm = diffs((i) => !otm[i]);
const zeroMarks = Array.from(chain.mark, (m, i) => otm[i] && m === 0).filter(Boolean).length;
const otmFailures = Array.from(res.mark.status, (s, i) => otm[i] && chain.mark[i] > 0 && s !== 0).filter(Boolean).length;
const deltaDiff = stats(Array.from(res.greeks.delta, (d, i) => Math.abs(d - chain.delta[i])));
const twinDiff = stats(Array.from(res.mark.vols, (v, i) => (v === resJs.mark.vols[i] ? 0 : Math.abs(v - resJs.mark.vols[i]) / v)));
const inside = Array.from(res.mark.vols, (v, i) => res.bid.vols[i] <= v && v <= res.ask.vols[i]).filter(Boolean).length;
const withBid = Array.from(chain.bid, (b) => Number.isFinite(b)).filter(Boolean).length;

const tW = { iv: timeIt(() => wasm.impliedVol(ivArgs(chain.mark))), greeks: timeIt(() => wasm.black76(greekArgs)) };
const tJ = { iv: timeIt(() => js.impliedVol(ivArgs(chain.mark))), greeks: timeIt(() => js.black76(greekArgs)) };

const expiries = new Set(chain.expiry).size;
const btc = chain.currency.filter((c) => c === 'BTC').length;
const out = [];
out.push(`riskwasm demo: ${typeof file === 'string' ? file : 'bundled Deribit snapshot data/market/deribit_options_snapshot_20260105T153329Z.csv'}`);
out.push(`  options ${n} (BTC ${btc}, ETH ${n - btc}), ${expiries} expiries, ${chain.skipped.length} malformed rows skipped`);
out.push('');
out.push('Implied vols (Black-76 on the forward, coin-settled prices, r = 0)');
for (const side of ['bid', 'ask', 'mark']) {
  const c = countStatus(res[side].status);
  out.push(`  ${side.padEnd(5)} ${Object.entries(c).map(([k, v]) => `${k} ${v}`).join(', ')}`);
}
out.push('  (invalidInput = no quote on that side; belowIntrinsic / aboveMaximum = a quote with no Black vol)');
out.push(`  mark IV vs Deribit's mark IV, ${ivDiffOtm.n} OTM options: median ${fmt(ivDiffOtm.median)} vol pts, 99% ${fmt(ivDiffOtm.p99)}, max ${fmt(ivDiffOtm.max)}`);
out.push(`    (Deribit publishes IV to 4 digits and marks to 8 decimals; ${zeroMarks} OTM option(s) with a mark of 0 have vol 0)`);
out.push(`  mark IV vs Deribit's mark IV, ${ivDiffItm.n} ITM options: median ${fmt(ivDiffItm.median)} vol pts, max ${fmt(ivDiffItm.max)}`);
out.push('    (an ITM coin mark is mostly intrinsic value: its IV is ill-conditioned, and marks below intrinsic have none)');
out.push(`  mark IV inside [bid IV, ask IV]: ${inside} of ${withBid} options with a bid`);
out.push(`  WASM vs JS twin, mark IV: max relative difference ${fmt(twinDiff.max)}`);
out.push('');
out.push("Greeks at Deribit's mark IV (delta = Black forward delta, vega per 1.00 of vol)");
out.push(`  delta vs Deribit's delta column: median ${fmt(deltaDiff.median)}, 99% ${fmt(deltaDiff.p99)}, max ${fmt(deltaDiff.max)}`);
out.push('');
out.push(`Timings (${n} options per call, best-effort wall clock on this machine; see bench/ for the real benchmarks)`);
out.push(`  first createEngine (compile + instantiate): ${firstEngineMs.toFixed(1)} ms`);
const row = (label, w, j) => `  ${label.padEnd(24)} WASM ${(w * 1000).toFixed(0).padStart(6)} us (${(n / w / 1000).toFixed(2)} M/s)   JS ${(j * 1000).toFixed(0).padStart(6)} us (${(n / j / 1000).toFixed(2)} M/s)   x${(j / w).toFixed(2)}`;
out.push(row('implied vol (mark)', tW.iv, tJ.iv));
out.push(row('price + 7 greeks', tW.greeks, tJ.greeks));
console.log(out.join('\n'));

if (otmFailures > 0 || !(ivDiffOtm.median < 0.1) || !(deltaDiff.median < 1e-3)) {
  console.error(`\nFAILED: ${otmFailures} OTM mark IVs did not solve, or the median IV / delta differences are off`);
  process.exit(1);
}
