// The live margin book (issue 16): pre-trade whatIf latency and updateMarket re-margining, one
// thread, WASM beside the JS twin, against the anchor (a from-scratch portfolioMargin /
// standardMargin of the account per order). Accounts from bench/margin.mjs's makeAccounts (options,
// futures and perpetuals of the bundled 2026-01-05 Deribit chain, by instrument name), each with
// 50,000 USDC collateral.
//   whatIf: per-call latency (process.hrtime) over many calls, p50 / p99, after a warm-up; orders of
//   one unit of an instrument the book holds (cached) and, for PM, of an option no account holds
//   (a strike off the listed grid: one kernel revaluation per call).
//   updateMarket: one underlying's index (and its forwards) moved by +-1% alternately; wall time of
//   the call (every exposed account re-margined, status changes returned), best and median of reps.
// Results are checked first: the book's IM after a tick equals a from-scratch margin of its state.
// Usage: node bench/margin-book.mjs [--quick] [--json]   (after `npm run build`)

import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { makeAccounts } from './margin.mjs';

const TARGETS = { whatIfStandard: { p50: 5, p99: 20 }, whatIfPm: { p50: 30, p99: 100 }, updateStandardMs: 50, updatePmMs: 100 };

function quantile(sorted, q) {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

function latency(f, n) {
  for (let i = 0; i < Math.min(200, n); i++) f(i);
  const t = new Float64Array(n);
  let sink = 0;
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    const r = f(i);
    t[i] = Number(process.hrtime.bigint() - t0) / 1000;
    sink += r.initialMargin;
  }
  t.sort();
  return { p50: quantile(t, 0.5), p99: quantile(t, 0.99), mean: t.reduce((a, b) => a + b, 0) / n, n, sink };
}

/** Wall and CPU time (process user + system: less sensitive to a shared machine) of each call, best and median. */
function wall(f, reps) {
  f(-1);
  const t = [];
  const c = [];
  for (let r = 0; r < reps; r++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    f(r);
    t.push(performance.now() - t0);
    const d = process.cpuUsage(c0);
    c.push((d.user + d.system) / 1000);
  }
  t.sort((a, b) => a - b);
  c.sort((a, b) => a - b);
  return { best: t[0], median: quantile(t, 0.5), cpuBest: c[0], cpuMedian: quantile(c, 0.5), reps };
}

/** Standard accounts: 5 positions each (3 options, 1 future, 1 perpetual). */
function standardAccounts(riskwasm, count) {
  const { accounts, market } = makeAccounts(riskwasm, count, 20, 7);
  return { market, accounts: accounts.map((a) => ({ id: a.id, collateral: { USDC: 50000 }, positions: [0, 1, 2, 14, 17].map((k) => a.positions[k]) })) };
}

function pmAccounts(riskwasm, count) {
  const { accounts, market } = makeAccounts(riskwasm, count, 20, 11);
  return { market, accounts: accounts.map((a) => ({ ...a, collateral: { USDC: 50000 } })) };
}

/** Alternating +-1% moves of one asset (the changes built before the clock starts). */
function ticker(book, asset) {
  const m = book.currentMarket().assets[asset];
  const up = { assets: { [asset]: { index: m.index * 1.01, forwards: m.forwards?.map((x) => ({ expiry: x.expiry, price: x.price * 1.01 })) } } };
  const down = { assets: { [asset]: { index: m.index, forwards: m.forwards } } };
  return (r) => book.updateMarket(r % 2 === 0 ? up : down);
}

function check(engine, book, kind, grid, params) {
  const ids = book.ids().slice(0, 200);
  const accts = ids.map((id) => book.exportAccount(id));
  const ref = kind === 'pm' ? engine.portfolioMargin(accts, book.currentMarket(), grid) : engine.standardMargin(accts, book.currentMarket(), params);
  let worst = 0;
  ids.forEach((id, i) => {
    const d = Math.abs(book.account(id).initialMargin - ref[i].initialMargin) / Math.max(1, Math.abs(ref[i].initialMargin));
    worst = Math.max(worst, d);
  });
  if (!(worst <= 1e-12)) throw new Error(`book differs from from-scratch margin: ${worst}`);
  return worst;
}

export async function run({ quick = false } = {}) {
  const riskwasm = await import('../dist/index.js');
  const { DERIBIT_GRID, DERIBIT_STANDARD } = riskwasm;
  const nStd = quick ? 10_000 : 100_000;
  const nPm = quick ? 2_000 : 10_000;
  const calls = quick ? 2_000 : 20_000;
  const out = { machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, node: process.version, loadavg: os.loadavg() }, backends: {} };
  const std = standardAccounts(riskwasm, nStd);
  const pm = pmAccounts(riskwasm, nPm);
  for (const backend of /** @type {const} */ (['wasm', 'js'])) {
    const engine = await riskwasm.createEngine({ backend });
    const r = {};
    // --- standard margin
    let t0 = performance.now();
    const sbook = engine.marginBook({ accounts: std.accounts, market: std.market, params: DERIBIT_STANDARD, warningBuffer: 0.1 });
    r.buildStandardMs = performance.now() - t0;
    const sid = sbook.ids()[0];
    const sAcct = sbook.exportAccount(sid);
    const held = sAcct.positions[0].instrument;
    r.updateStandard = wall(ticker(sbook, 'BTC'), quick ? 5 : 9);
    r.checkStandard = check(engine, sbook, 'std', DERIBIT_GRID, DERIBIT_STANDARD);
    // A 20-position account for the what-if (the target's size).
    const big = pm.accounts[0];
    sbook.addAccount({ ...big, id: 'whatif-20' });
    const order20 = [{ instrument: big.positions[3].instrument, size: 0.5, price: 1000 }];
    r.whatIfStandard = latency((i) => sbook.whatIf('whatif-20', i % 2 ? order20 : [{ instrument: held, size: -0.3, price: 500 }]), calls);
    r.anchorStandard = latency(() => engine.standardMargin({ ...big, positions: [...big.positions, { instrument: order20[0].instrument, size: 0.5 }] }, std.market, DERIBIT_STANDARD), quick ? 500 : 2000);
    sbook.dispose();
    // --- portfolio margin
    t0 = performance.now();
    const pbook = engine.marginBook({ accounts: pm.accounts, market: pm.market, grid: DERIBIT_GRID, warningBuffer: 0.1 });
    r.buildPmMs = performance.now() - t0;
    const pid = pbook.ids()[0];
    const pAcct = pbook.exportAccount(pid);
    const asset = pbook.currentMarket().instruments[pAcct.positions[0].instrument].asset;
    const other = pm.accounts.slice(1).flatMap((a) => a.positions).find((p) => !pAcct.positions.some((q) => q.instrument === p.instrument) && pbook.currentMarket().instruments[p.instrument].asset === asset).instrument;
    r.whatIfPmHeld = latency(() => pbook.whatIf(pid, [{ instrument: other, size: 0.5, price: 800 }]), calls);
    const idx = pbook.currentMarket().assets[asset].index;
    // An option no account holds: a new strike each call (the scratch cache never hits).
    r.whatIfPmNew = latency((i) => pbook.whatIf(pid, [{ kind: 'option', asset, type: 'call', strike: Math.round(idx * (1.05 + (i % 100000) * 1e-7)), expiry: 0.1, vol: 0.6, size: 0.5, price: 800 }]), quick ? 1000 : 5000);
    const withOrder = { ...pAcct, positions: [...pAcct.positions, { instrument: other, size: 0.5 }] };
    r.anchorPm = latency(() => engine.portfolioMargin(withOrder, pm.market, DERIBIT_GRID), quick ? 300 : 1000);
    r.updatePm = wall(ticker(pbook, asset), quick ? 5 : 9);
    r.checkPm = check(engine, pbook, 'pm', DERIBIT_GRID, DERIBIT_STANDARD);
    pbook.dispose();
    out.backends[backend] = r;
  }
  out.machine.loadavgAfter = os.loadavg();
  out.targets = TARGETS;
  out.accounts = { standard: nStd, standardPositionsPer: 5, pm: nPm, pmPositionsPer: 20 };
  return out;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const quick = process.argv.includes('--quick');
  const res = await run({ quick });
  if (process.argv.includes('--json')) console.log(JSON.stringify(res, null, 2));
  else {
    const f = (x) => (typeof x === 'number' ? x.toFixed(x < 10 ? 2 : 1) : x);
    console.log(`node ${res.machine.node}, ${res.machine.cpus} cpus (${res.machine.model}), load ${res.machine.loadavg.map((x) => x.toFixed(2)).join(' ')} -> ${res.machine.loadavgAfter.map((x) => x.toFixed(2)).join(' ')}`);
    console.log(`accounts: standard ${res.accounts.standard} x ${res.accounts.standardPositionsPer}, PM ${res.accounts.pm} x ${res.accounts.pmPositionsPer}`);
    for (const [b, r] of Object.entries(res.backends)) {
      console.log(`\n[${b}] build standard ${f(r.buildStandardMs)} ms, PM ${f(r.buildPmMs)} ms`);
      console.log(`  whatIf standard (20 pos)       p50 ${f(r.whatIfStandard.p50)} us  p99 ${f(r.whatIfStandard.p99)} us   (target 5 / 20)   anchor standardMargin p50 ${f(r.anchorStandard.p50)} us`);
      console.log(`  whatIf PM, held instrument     p50 ${f(r.whatIfPmHeld.p50)} us  p99 ${f(r.whatIfPmHeld.p99)} us   (target 30 / 100)  anchor portfolioMargin p50 ${f(r.anchorPm.p50)} us`);
      console.log(`  whatIf PM, new instrument      p50 ${f(r.whatIfPmNew.p50)} us  p99 ${f(r.whatIfPmNew.p99)} us`);
      console.log(`  updateMarket standard ${res.accounts.standard}: wall best ${f(r.updateStandard.best)} ms, median ${f(r.updateStandard.median)} ms; CPU best ${f(r.updateStandard.cpuBest)} ms, median ${f(r.updateStandard.cpuMedian)} ms (target 50)`);
      console.log(`  updateMarket PM ${res.accounts.pm} x 20: wall best ${f(r.updatePm.best)} ms, median ${f(r.updatePm.median)} ms; CPU best ${f(r.updatePm.cpuBest)} ms, median ${f(r.updatePm.cpuMedian)} ms (target 100)`);
      console.log(`  checked vs from-scratch: standard ${r.checkStandard.toExponential(1)}, PM ${r.checkPm.toExponential(1)}`);
    }
  }
}
