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
//   Beside it, the call's re-pricing phase alone (resolving every unit of the moved underlying the
//   book holds: look-up plus one Black-76 batch through the backend's kernel), to show what share of
//   an update the backend can change. `--reverse` builds the JS book first: before the book-wide
//   columns (issue 16, session 7) whichever book was built first ticked ~40% slower, whatever its
//   backend (the per-account object graph's memory layout, not the kernel).
// Results are checked first: the book's IM after a tick equals a from-scratch margin of its state.
// Backends are interleaved (both warmed, reps alternating which runs first): no run-order bias.
// Usage: node bench/margin-book.mjs [--quick] [--json] [--only standard|pm] [--reverse]   (after `npm run build`)

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

/**
 * Interleaved timing of one operation per backend (run-order bias removed): every backend warmed
 * first, then each rep runs every backend once, the order rotating rep by rep.
 */
function interleaved(fs, reps, warm = 3) {
  const names = Object.keys(fs);
  for (let w = 0; w < warm; w++) for (const b of names) fs[b](-1 - w);
  const t = Object.fromEntries(names.map((b) => [b, []]));
  const c = Object.fromEntries(names.map((b) => [b, []]));
  for (let r = 0; r < reps; r++) {
    for (let i = 0; i < names.length; i++) {
      const b = names[(r + i) % names.length];
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      fs[b](r);
      t[b].push(performance.now() - t0);
      const d = process.cpuUsage(c0);
      c[b].push((d.user + d.system) / 1000);
    }
  }
  const out = {};
  for (const b of names) {
    t[b].sort((x, y) => x - y);
    c[b].sort((x, y) => x - y);
    out[b] = { best: t[b][0], median: quantile(t[b], 0.5), cpuBest: c[b][0], cpuMedian: quantile(c[b], 0.5), reps };
  }
  return out;
}

let BACKENDS = /** @type {('wasm' | 'js')[]} */ (['wasm', 'js']);

/**
 * @param {{ quick?: boolean, only?: 'standard' | 'pm', reverse?: boolean }} [opts] `only`: just that book's updateMarket (for profiling); `reverse`: build the JS book first.
 */
export async function run({ quick = false, only = undefined, reverse = false } = {}) {
  if (reverse) BACKENDS = ['js', 'wasm'];
  const riskwasm = await import('../dist/index.js');
  const { DERIBIT_GRID, DERIBIT_STANDARD } = riskwasm;
  const nStd = quick ? 10_000 : 100_000;
  const nPm = quick ? 2_000 : 10_000;
  const calls = quick ? 2_000 : 20_000;
  const reps = quick ? 5 : 9;
  const out = { machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, node: process.version, loadavg: os.loadavg() }, backends: {} };
  const engines = {};
  for (const b of BACKENDS) {
    engines[b] = await riskwasm.createEngine({ backend: b });
    out.backends[b] = {};
  }
  // --- standard margin: both books built, then the ticks interleaved.
  if (only === undefined || only === 'standard') {
    const std = standardAccounts(riskwasm, nStd);
    const books = {};
    for (const b of BACKENDS) {
      const t0 = performance.now();
      books[b] = engines[b].marginBook({ accounts: std.accounts, market: std.market, params: DERIBIT_STANDARD, warningBuffer: 0.1 });
      out.backends[b].buildStandardMs = performance.now() - t0;
    }
    const u = interleaved(Object.fromEntries(BACKENDS.map((b) => [b, ticker(books[b], 'BTC')])), reps);
    // The re-pricing phase alone: every BTC instrument the book holds, resolved at the book's market.
    const mk = books.wasm.currentMarket();
    const btcUnits = [...new Set(std.accounts.flatMap((a) => a.positions.map((p) => p.instrument)))].filter((n) => mk.instruments[n]?.asset === 'BTC');
    const unitAccount = { positions: btcUnits.map((instrument) => ({ instrument, size: 1 })) };
    const rp = interleaved(Object.fromEntries(BACKENDS.map((b) => [b, () => riskwasm.resolveAccounts(engines[b], unitAccount, mk)])), reps * 5);
    out.repriceUnits = btcUnits.length;
    for (const b of BACKENDS) {
      const r = out.backends[b];
      r.updateStandard = u[b];
      r.repriceStandard = rp[b];
      r.checkStandard = check(engines[b], books[b], 'std', DERIBIT_GRID, DERIBIT_STANDARD);
    }
    if (only === undefined) {
      const big = makeAccounts(riskwasm, 1, 20, 11).accounts[0];
      const order20 = [{ instrument: big.positions[3].instrument, size: 0.5, price: 1000 }];
      const whatIfs = {};
      for (const b of BACKENDS) {
        const sbook = books[b];
        const held = sbook.exportAccount(sbook.ids()[0]).positions[0].instrument;
        // A 20-position account for the what-if (the target's size).
        sbook.addAccount({ ...big, collateral: { USDC: 50000 }, id: 'whatif-20' });
        whatIfs[b] = (i) => sbook.whatIf('whatif-20', i % 2 ? order20 : [{ instrument: held, size: -0.3, price: 500 }]);
      }
      // Both backends warmed before either is timed: the one timed first otherwise pays the JIT's warm-up (p50 ~1.6x).
      for (const b of BACKENDS) for (let i = 0; i < 5000; i++) whatIfs[b](i);
      for (const b of BACKENDS) {
        const r = out.backends[b];
        r.whatIfStandard = latency(whatIfs[b], calls);
        r.anchorStandard = latency(() => engines[b].standardMargin({ ...big, collateral: { USDC: 50000 }, positions: [...big.positions, { instrument: order20[0].instrument, size: 0.5 }] }, std.market, DERIBIT_STANDARD), quick ? 500 : 2000);
      }
    }
    for (const b of BACKENDS) books[b].dispose();
  }
  // --- portfolio margin
  if (only === undefined || only === 'pm') {
    const pm = pmAccounts(riskwasm, nPm);
    const books = {};
    for (const b of BACKENDS) {
      const t0 = performance.now();
      books[b] = engines[b].marginBook({ accounts: pm.accounts, market: pm.market, grid: DERIBIT_GRID, warningBuffer: 0.1 });
      out.backends[b].buildPmMs = performance.now() - t0;
    }
    const pid = books.wasm.ids()[0];
    const pAcct = books.wasm.exportAccount(pid);
    const mkt = books.wasm.currentMarket();
    const asset = mkt.instruments[pAcct.positions[0].instrument].asset;
    if (only === undefined) {
      const other = pm.accounts.slice(1).flatMap((a) => a.positions).find((p) => !pAcct.positions.some((q) => q.instrument === p.instrument) && mkt.instruments[p.instrument].asset === asset).instrument;
      const idx = mkt.assets[asset].index;
      const withOrder = { ...pAcct, positions: [...pAcct.positions, { instrument: other, size: 0.5 }] };
      for (const b of BACKENDS) {
        const pbook = books[b], r = out.backends[b];
        r.whatIfPmHeld = latency(() => pbook.whatIf(pid, [{ instrument: other, size: 0.5, price: 800 }]), calls);
        // An option no account holds: a new strike each call (the scratch cache never hits).
        r.whatIfPmNew = latency((i) => pbook.whatIf(pid, [{ kind: 'option', asset, type: 'call', strike: Math.round(idx * (1.05 + (i % 100000) * 1e-7)), expiry: 0.1, vol: 0.6, size: 0.5, price: 800 }]), quick ? 1000 : 5000);
        r.anchorPm = latency(() => engines[b].portfolioMargin(withOrder, pm.market, DERIBIT_GRID), quick ? 300 : 1000);
      }
    }
    const u = interleaved(Object.fromEntries(BACKENDS.map((b) => [b, ticker(books[b], asset)])), reps);
    for (const b of BACKENDS) {
      out.backends[b].updatePm = u[b];
      out.backends[b].checkPm = check(engines[b], books[b], 'pm', DERIBIT_GRID, DERIBIT_STANDARD);
      books[b].dispose();
    }
  }
  out.machine.loadavgAfter = os.loadavg();
  out.targets = TARGETS;
  out.accounts = { standard: nStd, standardPositionsPer: 5, pm: nPm, pmPositionsPer: 20 };
  return out;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const quick = process.argv.includes('--quick');
  const o = process.argv.indexOf('--only');
  const only = o > 0 ? process.argv[o + 1] : undefined;
  if (only !== undefined && only !== 'standard' && only !== 'pm') throw new Error(`--only standard|pm, got ${only}`);
  const res = await run({ quick, only: /** @type {'standard' | 'pm' | undefined} */ (only), reverse: process.argv.includes('--reverse') });
  if (process.argv.includes('--json')) console.log(JSON.stringify(res, null, 2));
  else {
    const f = (x) => (typeof x === 'number' ? x.toFixed(x < 10 ? 2 : 1) : x);
    console.log(`node ${res.machine.node}, ${res.machine.cpus} cpus (${res.machine.model}), load ${res.machine.loadavg.map((x) => x.toFixed(2)).join(' ')} -> ${res.machine.loadavgAfter.map((x) => x.toFixed(2)).join(' ')}`);
    console.log(`accounts: standard ${res.accounts.standard} x ${res.accounts.standardPositionsPer}, PM ${res.accounts.pm} x ${res.accounts.pmPositionsPer}`);
    for (const [b, r] of Object.entries(res.backends)) {
      console.log(`\n[${b}] build standard ${f(r.buildStandardMs)} ms, PM ${f(r.buildPmMs)} ms`);
      if (r.whatIfStandard) console.log(`  whatIf standard (20 pos)       p50 ${f(r.whatIfStandard.p50)} us  p99 ${f(r.whatIfStandard.p99)} us   (target 5 / 20)   anchor standardMargin p50 ${f(r.anchorStandard.p50)} us`);
      if (r.whatIfPmHeld) console.log(`  whatIf PM, held instrument     p50 ${f(r.whatIfPmHeld.p50)} us  p99 ${f(r.whatIfPmHeld.p99)} us   (target 30 / 100)  anchor portfolioMargin p50 ${f(r.anchorPm.p50)} us`);
      if (r.whatIfPmNew) console.log(`  whatIf PM, new instrument      p50 ${f(r.whatIfPmNew.p50)} us  p99 ${f(r.whatIfPmNew.p99)} us`);
      if (r.updateStandard) console.log(`  updateMarket standard ${res.accounts.standard}: wall best ${f(r.updateStandard.best)} ms, median ${f(r.updateStandard.median)} ms; CPU best ${f(r.updateStandard.cpuBest)} ms, median ${f(r.updateStandard.cpuMedian)} ms (target 50)`);
      if (r.repriceStandard) console.log(`    of which re-pricing ${res.repriceUnits} BTC units (resolve + one Black-76 batch): median ${r.repriceStandard.median.toFixed(3)} ms`);
      if (r.updatePm) console.log(`  updateMarket PM ${res.accounts.pm} x 20: wall best ${f(r.updatePm.best)} ms, median ${f(r.updatePm.median)} ms; CPU best ${f(r.updatePm.cpuBest)} ms, median ${f(r.updatePm.cpuMedian)} ms (target 100)`);
      console.log(`  checked vs from-scratch: standard ${r.checkStandard?.toExponential(1)}, PM ${r.checkPm?.toExponential(1)}`);
    }
  }
}
