// Risk benchmarks: WASM engine vs its pure-JS twin for
//   - historical VaR + ES (selection, not sort) on 1e6 P&L samples,
//   - full revaluation of 1,000 Black-76 options x 10,000 scenarios (spot and vol shocks),
//   - a GARCH(1,1) normal maximum-likelihood fit on 3,000 daily returns (BTCUSDT history).
// Wall clock and process CPU time (user + system: the machine may be shared). Every result is
// checked WASM vs JS twin before it is timed.
// Used by bench/run.mjs (figures into bench/RESULTS.md); standalone:
//   node bench/risk.mjs [--quick] [--report]     (after `npm run build`)

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { mulberry32 } from './surface.mjs';

/** Issue targets (seconds). */
export const RISK_TARGETS = { varEs1e6S: 0.008, revalueS: 0.3, garch3000S: 0.03 };

export const cpuUsage = typeof process !== 'undefined' && typeof process.cpuUsage === 'function' ? process.cpuUsage.bind(process) : null;

function normals(rand) {
  return () => {
    const u = Math.max(rand(), 1e-300);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
  };
}

/** Best and median wall seconds, CPU seconds (best run), last result. */
export function timeSync(fn, reps) {
  const runs = [];
  let result;
  for (let k = 0; k < reps; k++) {
    const c0 = cpuUsage?.();
    const t0 = performance.now();
    result = fn();
    const wall = (performance.now() - t0) / 1e3;
    const c = c0 ? cpuUsage(c0) : null;
    runs.push({ wall, cpu: c ? (c.user + c.system) / 1e6 : NaN });
  }
  const sorted = [...runs].sort((a, b) => a.wall - b.wall);
  return {
    wallS: sorted[0].wall, medianWallS: sorted[Math.floor((sorted.length - 1) / 2)].wall,
    cpuS: Math.min(...runs.map((r) => r.cpu)), reps, result,
  };
}

/** 1e6 P&L samples: Student-t(4)-like fat tails (normal / sqrt(chi2/4 proxy)), seeded. */
function pnlSample(n) {
  const z = normals(mulberry32(7));
  const pnl = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const s = Math.sqrt((z() ** 2 + z() ** 2 + z() ** 2 + z() ** 2) / 4);
    pnl[i] = (1e4 * z()) / s;
  }
  return pnl;
}

/** 1,000 Black-76 options on two assets, USD-settled, strikes around the spot, expiries 1 week..1 year. */
export function optionPortfolio(nOptions = 1000) {
  const rand = mulberry32(11);
  const spots = { BTC: 60000, ETH: 3000 };
  const positions = [];
  for (let i = 0; i < nOptions; i++) {
    const asset = i % 2 === 0 ? 'BTC' : 'ETH';
    const S = spots[asset];
    const expiry = 7 / 365 + rand() * (1 - 7 / 365);
    const vol = 0.4 + 0.5 * rand();
    const strike = Math.round(S * Math.exp(vol * Math.sqrt(expiry) * (rand() * 4 - 2)));
    positions.push({
      kind: 'option', asset, quantity: Math.round((rand() * 20 - 10) * 10) / 10 || 1, strike, expiry, vol,
      type: rand() < 0.5 ? 'call' : 'put', rate: 0.03, account: i % 3 === 0 ? 'coin' : 'usd',
    });
  }
  return { spots, positions };
}

/** Scenarios of log-returns and absolute vol shocks for two correlated assets, seeded. */
export function scenarioSet(m = 10000) {
  const z = normals(mulberry32(13));
  const logReturns = new Float64Array(2 * m);
  const volShocks = new Float64Array(2 * m);
  for (let s = 0; s < m; s++) {
    const a = z(), b = 0.8 * a + 0.6 * z();
    logReturns[2 * s] = 0.04 * a;
    logReturns[2 * s + 1] = 0.05 * b;
    volShocks[2 * s] = -0.5 * 0.04 * a + 0.03 * z();
    volShocks[2 * s + 1] = -0.5 * 0.05 * b + 0.03 * z();
  }
  return { assets: ['BTC', 'ETH'], logReturns, volShocks, volShockMode: 'absolute', horizon: 1 / 365 };
}

/** 3,000 daily log-returns: the last 3,001 closes of data/history/BTCUSDT_1d.csv. */
export function garchReturns(riskwasm, n = 3000) {
  const text = readFileSync(fileURLToPath(new URL('../data/history/BTCUSDT_1d.csv', import.meta.url)), 'utf8');
  const h = riskwasm.parsePriceCsv(text);
  const r = riskwasm.priceReturns(h.close ?? h.prices ?? h.values, 'log');
  return { returns: r.subarray(r.length - n), source: `BTCUSDT daily closes (${h.dates?.[h.dates.length - n - 1] ?? '?'} .. ${h.dates?.[h.dates.length - 1] ?? '?'})` };
}

const relErr = (a, b) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);

/**
 * @param {any} riskwasm
 * @param {{ quick?: boolean, log?: (line: string) => void }} [options]
 */
export async function runRiskBench(riskwasm, { quick = false, log = () => {} } = {}) {
  const engines = { wasm: await riskwasm.createEngine({ backend: 'wasm' }), js: await riskwasm.createEngine({ backend: 'js' }) };
  const rows = [];
  const checks = [];
  const sink = { value: 0 };
  const reps = (n) => (quick ? Math.max(2, Math.ceil(n / 3)) : n);
  const add = (id, label, impl, t, extra = {}) => {
    const row = { id, label, impl, wallS: t.wallS, medianWallS: t.medianWallS, cpuS: t.cpuS, reps: t.reps, ...extra };
    rows.push(row);
    log(`risk ${label} ${impl}: ${(t.wallS * 1e3).toFixed(2)} ms wall (median ${(t.medianWallS * 1e3).toFixed(2)}), ${(t.cpuS * 1e3).toFixed(2)} ms CPU`);
    return row;
  };

  // ---------------------------------------------------------------- VaR + ES on 1e6 samples
  const N = 1e6;
  const pnl = pnlSample(N);
  const varArgs = { pnl, confidence: 0.99, method: 'historical' };
  const vw = engines.wasm.valueAtRisk(varArgs), vj = engines.js.valueAtRisk(varArgs);
  // Reference by full sort: the same order statistic should come out (whatever the interpolation
  // convention, VaR lies between the sorted neighbours of the 1% tail).
  const sorted = Float64Array.from(pnl).sort();
  const kTail = Math.floor(N * 0.01);
  const lo = -sorted[kTail], hi = -sorted[Math.max(kTail - 1, 0)];
  const esRef = -sorted.subarray(0, kTail).reduce((s, x) => s + x, 0) / kTail;
  const e = Math.max(relErr(vw.var, vj.var), relErr(vw.es, vj.es));
  checks.push({ id: 'var', what: 'WASM vs JS twin VaR and ES (relative)', err: e, tol: 1e-12, ok: e <= 1e-12 });
  checks.push({ id: 'var-sort', what: `VaR within the sorted 1% tail neighbours [${lo.toFixed(1)}, ${hi.toFixed(1)}] (+-1 sample); ES vs full-sort mean of the ${kTail} worst (relative)`, err: relErr(vw.es, esRef), tol: 1e-3, ok: vw.var >= -sorted[kTail + 1] && vw.var <= -sorted[Math.max(kTail - 2, 0)] && relErr(vw.es, esRef) <= 1e-3 });
  log(`risk VaR 99% ${vw.var.toFixed(2)} ES ${vw.es.toFixed(2)} (JS ${vj.var.toFixed(2)} / ${vj.es.toFixed(2)}; sort: VaR in [${lo.toFixed(2)}, ${hi.toFixed(2)}], ES ${esRef.toFixed(2)})`);
  for (const impl of ['wasm', 'js']) {
    const eng = engines[impl];
    eng.valueAtRisk(varArgs);
    const t = timeSync(() => eng.valueAtRisk(varArgs), reps(21));
    sink.value += t.result.var + t.result.es;
    add('var', 'VaR + ES 99%, historical, 1e6 samples', impl, t, { var: t.result.var, es: t.result.es });
  }
  // Baseline: a full sort of the same samples (copy + Float64Array.prototype.sort).
  {
    const t = timeSync(() => Float64Array.from(pnl).sort()[kTail], reps(7));
    sink.value += t.result;
    add('var', 'VaR + ES 99%, historical, 1e6 samples', 'sort', t);
  }

  // ---------------------------------------------------------------- full revaluation
  const portfolio = optionPortfolio(1000);
  const scenarios = scenarioSet(10000);
  const withAccounts = { ...portfolio, accounts: { usd: {}, coin: { numeraire: 'BTC' } } };
  const plain = { ...portfolio, positions: portfolio.positions.map(({ account, ...p }) => p) };
  const rw = engines.wasm.revaluePortfolio({ portfolio: plain, scenarios });
  const rj = engines.js.revaluePortfolio({ portfolio: plain, scenarios });
  let maxAbs = 0, scale = 0;
  for (let s = 0; s < rw.pnl.length; s++) {
    maxAbs = Math.max(maxAbs, Math.abs(rw.pnl[s] - rj.pnl[s]));
    scale = Math.max(scale, Math.abs(rj.pnl[s]));
  }
  checks.push({ id: 'revalue', what: 'WASM vs JS twin scenario P&L (max |diff| / max |P&L|)', err: maxAbs / scale, tol: 1e-10, ok: maxAbs / scale <= 1e-10 });
  // Reference for one scenario: Black-76 repriced position by position with engine.black76.
  {
    const s = 1234, h = scenarios.horizon;
    let ref = 0;
    const idx = { BTC: 0, ETH: 1 };
    const b = (vols, spotsNow, T) => {
      const fw = plain.positions.map((p) => spotsNow[p.asset]);
      return engines.js.black76({
        forwards: fw.map((S, i) => S * Math.exp(0.03 * 0 * T[i])), strikes: plain.positions.map((p) => p.strike), expiries: T,
        vols, types: plain.positions.map((p) => p.type), discountFactors: T.map((t) => Math.exp(-0.03 * t)),
      }).price;
    };
    try {
      const T0 = plain.positions.map((p) => p.expiry);
      const T1 = T0.map((t) => Math.max(t - h, 0));
      const S1 = { BTC: portfolio.spots.BTC * Math.exp(scenarios.logReturns[2 * s]), ETH: portfolio.spots.ETH * Math.exp(scenarios.logReturns[2 * s + 1]) };
      const v1 = plain.positions.map((p) => p.vol + scenarios.volShocks[2 * s + idx[p.asset]]);
      const p0 = b(plain.positions.map((p) => p.vol), portfolio.spots, T0), p1 = b(v1, S1, T1);
      plain.positions.forEach((p, i) => (ref += p.quantity * (p1[i] - p0[i])));
      const err = Math.abs(rw.pnl[s] - ref) / Math.max(Math.abs(ref), 1);
      checks.push({ id: 'revalue-ref', what: `scenario ${s} P&L vs position-by-position engine.black76 (forward = spot, r = 3%)`, err, tol: 1e-6, ok: err <= 1e-6 });
    } catch (e2) {
      log(`risk revaluation reference check skipped: ${e2?.message ?? e2}`);
    }
  }
  for (const c of checks) log(`risk check ${c.ok ? 'ok  ' : 'FAIL'} ${c.id}: ${c.what}: ${c.err.toExponential(2)} (tol ${c.tol})`);
  for (const impl of ['wasm', 'js']) {
    const eng = engines[impl];
    for (const [variant, pf] of [['total P&L', plain], ['+ 2 accounts (USD, BTC-margined)', withAccounts]]) {
      eng.revaluePortfolio({ portfolio: pf, scenarios });
      const t = timeSync(() => eng.revaluePortfolio({ portfolio: pf, scenarios }), reps(impl === 'wasm' ? (variant === 'total P&L' ? 4 : 3) : 2));
      sink.value += t.result.pnl[0];
      add(variant === 'total P&L' ? 'revalue' : 'revalueAccounts', `revaluation 1,000 options x 10,000 scenarios, ${variant}`, impl, t, { optionsPerSec: 1e7 / t.wallS, optionsPerCpuSec: 1e7 / t.cpuS });
    }
  }

  // ---------------------------------------------------------------- GARCH
  const { returns, source } = garchReturns(riskwasm, 3000);
  const gopt = { model: 'garch', distribution: 'normal' };
  const gw = engines.wasm.fitGarch(returns, gopt), gj = engines.js.fitGarch(returns, gopt);
  const ge = Math.max(...['omega', 'alpha', 'beta'].map((k) => relErr(gw[k], gj[k])));
  const gcheck = { id: 'garch', what: 'WASM vs JS twin GARCH parameters (relative)', err: ge, tol: 1e-6, ok: ge <= 1e-6 };
  checks.push(gcheck);
  log(`risk check ${gcheck.ok ? 'ok  ' : 'FAIL'} garch: omega ${gw.omega.toExponential(3)} alpha ${gw.alpha.toFixed(4)} beta ${gw.beta.toFixed(4)} logL ${gw.logLikelihood.toFixed(2)} ${gw.reason}, ${gw.iterations} it; rel diff vs JS ${ge.toExponential(2)}`);
  for (const impl of ['wasm', 'js']) {
    const eng = engines[impl];
    eng.fitGarch(returns, gopt);
    const t = timeSync(() => eng.fitGarch(returns, gopt), reps(15));
    sink.value += t.result.logLikelihood;
    add('garch', 'GARCH(1,1) normal ML fit, 3,000 returns', impl, t, {
      iterations: t.result.iterations, evaluations: t.result.evaluations, reason: t.result.reason,
      params: { omega: t.result.omega, alpha: t.result.alpha, beta: t.result.beta }, logLikelihood: t.result.logLikelihood,
    });
  }
  return { rows, checks, targets: RISK_TARGETS, garchSource: source, sink: sink.value };
}

const fms = (s) => (Number.isFinite(s) ? (s * 1e3 >= 100 ? (s * 1e3).toFixed(0) : s * 1e3 >= 10 ? (s * 1e3).toFixed(1) : (s * 1e3).toFixed(2)) : 'n/a');

/** The risk section of bench/RESULTS.md (markdown lines). */
export function riskReport(r) {
  const L = [];
  const p = (s = '') => L.push(s);
  p('## Risk (Node, `engine.valueAtRisk`, `engine.revaluePortfolio`, `engine.fitGarch`)');
  p();
  if (!r || r.error) {
    p(`Not run${r?.error ? `: ${r.error}` : ''}.`);
    p();
    return L;
  }
  const T = r.targets;
  const find = (id, impl) => r.rows.find((x) => x.id === id && x.impl === impl);
  const verdict = (w, c, goal) => (!Number.isFinite(w) ? '**not measured**' : w <= goal ? 'met' : c <= goal ? '**missed** on wall clock, met per CPU-second' : '**missed**');
  const failed = new Set(r.checks.filter((c) => !c.ok).map((c) => c.id.split('-')[0]));
  p('Best of several warm runs per row; CPU = process user + system time of the best run (other tenants of a shared machine disturb it less than the wall clock).');
  p();
  p('| target | WASM wall | WASM CPU | JS twin wall | JS twin CPU | WASM / JS | |');
  p('|---|--:|--:|--:|--:|--:|---|');
  for (const [id, label, goal, peerNote] of [
    ['var', `VaR + ES (99%, historical) on 1e6 samples <= ${T.varEs1e6S * 1e3} ms`, T.varEs1e6S],
    ['revalue', `full revaluation, 1,000 options x 10,000 scenarios <= ${T.revalueS} s`, T.revalueS],
    ['garch', `GARCH(1,1) fit on 3,000 returns <= ${T.garch3000S * 1e3} ms`, T.garch3000S],
  ]) {
    const w = find(id, 'wasm'), j = find(id, 'js');
    p(`| ${label} | ${fms(w?.wallS)} ms | ${fms(w?.cpuS)} ms | ${fms(j?.wallS)} ms | ${fms(j?.cpuS)} ms | ${w && j ? `x${(j.wallS / w.wallS).toFixed(2)}` : 'n/a'} | ${verdict(w?.wallS, w?.cpuS, goal)}${failed.has(id) ? ' (**check failed**)' : ''} |`);
  }
  p();
  p('| case | implementation | wall best (median) ms | CPU ms | notes |');
  p('|---|---|--:|--:|---|');
  const IMPL = { wasm: 'WASM', js: 'JS twin', sort: 'full sort (Float64Array copy + sort), for scale' };
  for (const x of r.rows) {
    let note = '';
    if (x.id === 'var' && x.impl !== 'sort') note = `VaR ${x.var.toFixed(1)}, ES ${x.es.toFixed(1)}`;
    if (x.optionsPerSec) note = `${(x.optionsPerSec / 1e6).toFixed(1)} M option revaluations/s (CPU ${(x.optionsPerCpuSec / 1e6).toFixed(1)} M)`;
    if (x.id === 'garch') note = `${x.iterations} it, ${x.evaluations} likelihood evaluations, ${x.reason}; alpha ${x.params.alpha.toFixed(4)}, beta ${x.params.beta.toFixed(4)}`;
    p(`| ${x.label} | ${IMPL[x.impl]} | ${fms(x.wallS)} (${fms(x.medianWallS)}) | ${fms(x.cpuS)} | ${note} |`);
  }
  p();
  p(`Inputs: VaR on 1e6 seeded fat-tailed P&L samples (normal / sqrt(chi²₄/4)); revaluation of 1,000 USD-settled Black-76 options (BTC and ETH, strikes within ±2 sd, expiries 1 week..1 year, r = 3%) under 10,000 seeded scenarios of correlated spot log-returns and absolute vol shocks over one day; the accounts row also splits P&L into a USD and a BTC-margined account (one more kernel pass per account view). GARCH on ${r.garchSource}. For scale (issue figures, other machines): simple-statistics takes 25 ms for the 1e6-sample VaR, a C++ \`nth_element\` 6.8 ms.`);
  p(`Checked before timing: ${r.checks.map((c) => `${c.id} ${c.ok ? 'ok' : '**FAILED**'} (${c.err.toExponential(1)}, tol ${c.tol})`).join('; ')}.`);
  p();
  return L;
}

// Standalone run.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const argv = new Set(process.argv.slice(2));
  const riskwasm = await import('../dist/index.js');
  const t0 = performance.now();
  const log = (m) => console.log(`[${((performance.now() - t0) / 1e3).toFixed(1)} s] ${m}`);
  const r = await runRiskBench(riskwasm, { quick: argv.has('--quick'), log });
  if (argv.has('--report')) console.log(riskReport(r).join('\n'));
}
