// Portfolio-margin benchmark: 10,000 accounts x 20 positions (options across strikes and expiries,
// dated futures and perpetuals on BTC and ETH from the bundled Deribit chain) x the Deribit-style
// grid (27 regular + 8 extended scenarios + 2 delta probes), WASM vs the pure-JS twin, then the
// same batch on 1 and 2 workers. End to end: validation and market look-up (resolveAccounts)
// included; the resolution and the risk-matrix parts are also timed apart. Results are checked
// WASM vs JS (and workers vs in-thread) before anything is timed. Target: >= 70,000 accounts/s on
// one thread. Liquidation prices of 1,000 of the accounts under standard and portfolio margin, and
// the portfolio ones on 2 workers (portfolioLiquidationPriceParallel, checked identical first).
// Used by bench/run.mjs; standalone: node bench/margin.mjs [--quick]   (after `npm run build`)

import { readFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { fileURLToPath } from 'node:url';
import { cpuUsage, timeSync } from './risk.mjs';
import { mulberry32 } from './surface.mjs';

/** Issue target (accounts per second, one thread). */
export const MARGIN_TARGETS = { accountsPerS: 70_000 };



/**
 * The instruments the seeded accounts draw from (bench/distributed.mjs builds the same book as
 * columns from it): the bundled 2026-01-05 Deribit chain's market, and per asset its options within
 * +-30% of the forward (with a vol, more than a day to expiry) and its dated futures.
 */
export function accountUniverse(riskwasm) {
  const here = (p) => fileURLToPath(new URL(p, import.meta.url));
  const chain = riskwasm.loadDeribitChain(readFileSync(here('../data/market/deribit_options_snapshot_20260105T153329Z.csv'), 'utf8'));
  const market = riskwasm.marketFromDeribitChain(chain);
  const byAsset = {};
  for (let i = 0; i < chain.length; i++) {
    const cur = chain.currency[i];
    const name = chain.instrument[i];
    const near = Math.abs(Math.log(chain.strike[i] / chain.forward[i])) < 0.3;
    const e = (byAsset[cur] ??= { options: [], futures: new Set() });
    if (near && market.vols[name] !== undefined && chain.timeToMaturity[i] > 1 / 365) e.options.push(name);
    if (chain.timeToMaturity[i] > 1 / 365) e.futures.add(name.split('-').slice(0, 2).join('-'));
  }
  const assets = Object.keys(byAsset);
  for (const a of assets) byAsset[a].futures = [...byAsset[a].futures];
  return { market, byAsset, assets };
}

/**
 * Seeded accounts: each on one underlying (80%) or both (20%); 14 options within +-30% of the
 * forward across the listed expiries (long and short, sizes up to 5 coins), 3 dated futures, 3
 * perpetual lines. Instruments by name, so the chain's market supplies strikes, expiries and vols.
 */
export function makeAccounts(riskwasm, count, positionsPer = 20, seed = 11) {
  const { market, byAsset, assets } = accountUniverse(riskwasm);
  const rand = mulberry32(seed);
  const pick = (arr) => arr[Math.floor(rand() * arr.length)];
  const size = () => Math.round((rand() * 10 - 5) * 10) / 10 || 0.1;
  const accounts = [];
  for (let a = 0; a < count; a++) {
    const both = rand() < 0.2;
    const home = pick(assets);
    const positions = [];
    for (let k = 0; k < positionsPer; k++) {
      const asset = both && k % 2 === 1 ? assets.find((x) => x !== home) : home;
      const e = byAsset[asset];
      const slot = k % 20;
      if (slot < 14) positions.push({ instrument: pick(e.options), size: size() });
      else if (slot < 17) positions.push({ instrument: pick(e.futures), size: size() });
      else positions.push({ instrument: `${asset}-PERPETUAL`, size: size() });
    }
    accounts.push({ id: `acct-${a}`, positions });
  }
  return { accounts, market };
}

function sameResults(a, b, tolRel) {
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i].initialMargin - b[i].initialMargin) / Math.max(1, Math.abs(b[i].initialMargin));
    if (!(d <= worst)) worst = d;
    if (a[i].worstScenario.index !== b[i].worstScenario.index) return { ok: false, worst, why: `worst scenario of account ${i}` };
  }
  return { ok: worst <= tolRel, worst };
}

/**
 * Run the benchmark; returns the figures (and logs them with `log`).
 * @param riskwasm the built package (dist/index.js)
 */
export async function runMarginBench(riskwasm, { quick = false, log = console.log } = {}) {
  const count = quick ? 2_000 : 10_000;
  const reps = quick ? 2 : 3;
  const { accounts, market } = makeAccounts(riskwasm, count);
  const grid = riskwasm.DERIBIT_GRID;
  const wasm = await riskwasm.createEngine({ backend: 'wasm' });
  const js = await riskwasm.createEngine({ backend: 'js' });
  const out = { accounts: count, positionsPerAccount: 20, scenarios: grid.scenarios.length, kernelScenarios: grid.scenarios.length + 2, rows: [] };

  // Check before timing: WASM vs JS twin (1e-10 relative, as in the tests).
  const rw = riskwasm.portfolioMargin(wasm, accounts, market, grid);
  const rj = riskwasm.portfolioMargin(js, accounts, market, grid);
  const agree = sameResults(rw, rj, 1e-10);
  log(`margin check WASM vs JS over ${count} accounts: ${agree.ok ? 'ok' : 'FAIL'} (max rel diff ${agree.worst.toExponential(2)})`);
  out.checkWasmVsJs = agree;

  for (const [name, engine] of [['wasm', wasm], ['js', js]]) {
    const t = timeSync(() => riskwasm.portfolioMargin(engine, accounts, market, grid), reps);
    const tr = timeSync(() => riskwasm.resolveAccounts(engine, accounts, market), reps);
    const resolved = tr.result;
    const tm = timeSync(() => riskwasm.marginResolved(engine, resolved, grid), reps);
    const row = {
      backend: name, workers: 1, wallS: t.wallS, cpuS: t.cpuS, accountsPerS: count / t.wallS, accountsPerCpuS: count / t.cpuS,
      resolveS: tr.wallS, riskMatrixS: tm.wallS,
    };
    out.rows.push(row);
    log(`margin ${name} 1 thread: ${t.wallS.toFixed(3)} s wall (${t.cpuS.toFixed(3)} s CPU) = ${Math.round(row.accountsPerS)} accounts/s `
      + `(resolve ${tr.wallS.toFixed(3)} s, risk matrix ${tm.wallS.toFixed(3)} s)`);
  }

  // Liquidation prices of the first 1,000 accounts (per account and asset, both sides): standard
  // margin (one kernel call: scan + Illinois in WASM) vs portfolio margin (rounds of the same
  // search in JS, each round one risk matrix of every moved account). Checked WASM vs JS first.
  // The bench accounts carry no collateral (most would already be below maintenance): each gets
  // USDC so that its equity is 1.5 x its standard initial margin today.
  const liqCount = Math.min(count, 1000);
  const bare = accounts.slice(0, liqCount);
  const sm0 = wasm.standardMargin(bare, market, riskwasm.DERIBIT_STANDARD);
  const liqAccounts = bare.map((a, i) => ({ ...a, collateral: { USDC: Math.max(0, 1.5 * sm0[i].initialMargin - sm0[i].equity) } }));
  out.liquidation = { accounts: liqCount, rows: [] };
  for (const [basis, params] of [['standard (DERIBIT_STANDARD)', riskwasm.DERIBIT_STANDARD], ['portfolio (Deribit grid)', grid]]) {
    const lw = wasm.liquidationPrice(liqAccounts, market, params);
    const lj = js.liquidationPrice(liqAccounts, market, params);
    // Same status on every side, and the levels within 1e-12 relative (the tests' twin tolerance);
    // a status or NaN mismatch makes `worst` Infinity, so the check fails instead of printing NaN.
    let worst = 0, found = 0, levels = 0;
    lw.forEach((r, i) => r.assets.forEach((a, k) => {
      for (const side of ['below', 'above']) {
        levels++;
        const y = lj[i].assets[k][side];
        if (a[side].status === 'found') found++;
        const x = a[side].price;
        const d = a[side].status !== y.status ? Infinity : Number.isNaN(x) && Number.isNaN(y.price) ? 0 : Math.abs(x - y.price) / Math.abs(y.price);
        if (!(d <= worst)) worst = Number.isNaN(d) ? Infinity : d;
      }
    }));
    const ok = worst <= 1e-12;
    log(`liquidation ${basis} check WASM vs JS: ${ok ? 'ok' : 'FAIL'} (max rel diff ${worst.toExponential(1)})`);
    for (const [name, engine] of [['wasm', wasm], ['js', js]]) {
      const t = timeSync(() => engine.liquidationPrice(liqAccounts, market, params), quick ? 1 : 2);
      const row = { basis, backend: name, wallS: t.wallS, cpuS: t.cpuS, accountsPerS: liqCount / t.wallS, levels, found, maxRelDiffWasmVsJs: worst, agree: ok };
      out.liquidation.rows.push(row);
      log(`liquidation ${basis} ${name}: ${t.wallS.toFixed(3)} s for ${liqCount} accounts = ${Math.round(row.accountsPerS)} accounts/s; ${found}/${levels} sides found; WASM vs JS ${worst.toExponential(1)}`);
    }
  }

  // The same PM liquidation batch on 2 workers (portfolioLiquidationPriceParallel, default shards of
  // 16 accounts), WASM: checked identical to the in-thread results (every field, Object.is on
  // numbers) before timing; the first run also starts the workers, so it is not timed.
  if (typeof riskwasm.portfolioLiquidationPriceParallel === 'function') {
    const ref = wasm.liquidationPrice(liqAccounts, market, grid);
    const opts = { workers: 2 };
    const first = await riskwasm.portfolioLiquidationPriceParallel(wasm, liqAccounts, market, grid, opts);
    const identical = isDeepStrictEqual(first, ref);
    const runs = [];
    for (let k = 0; k < (quick ? 1 : 2); k++) {
      const c0 = cpuUsage?.();
      const t0 = performance.now();
      await riskwasm.portfolioLiquidationPriceParallel(wasm, liqAccounts, market, grid, opts);
      const c = c0 ? cpuUsage(c0) : null;
      runs.push({ wall: (performance.now() - t0) / 1e3, cpu: c ? (c.user + c.system) / 1e6 : NaN });
    }
    runs.sort((a, b) => a.wall - b.wall);
    const inThread = out.liquidation.rows.find((x) => x.basis.startsWith('portfolio') && x.backend === 'wasm');
    const levels = inThread?.levels ?? 0, found = inThread?.found ?? 0;
    const row = {
      basis: 'portfolio (Deribit grid)', backend: 'wasm', workers: 2, wallS: runs[0].wall, cpuS: runs[0].cpu, accountsPerS: liqCount / runs[0].wall,
      levels, found, identical, speedup: inThread ? inThread.wallS / runs[0].wall : NaN,
    };
    out.liquidation.rows.push(row);
    log(`liquidation portfolio (Deribit grid) wasm 2 workers: ${row.wallS.toFixed(3)} s for ${liqCount} accounts = ${Math.round(row.accountsPerS)} accounts/s `
      + `(x${row.speedup.toFixed(2)} vs 1 thread); identical to in-thread: ${identical}`);
    await riskwasm.closeSharedPools();
  }

  if (typeof riskwasm.portfolioMarginParallel === 'function') {
    for (const [name, engine] of [['wasm', wasm], ['js', js]]) {
      const ref = riskwasm.portfolioMargin(engine, accounts, market, grid);
      for (const workers of [1, 2]) {
        const opts = { workers, accountsPerShard: 1000 };
        const first = await riskwasm.portfolioMarginParallel(engine, accounts, market, grid, opts);
        const same = first.every((r, i) => Object.is(r.initialMargin, ref[i].initialMargin) && r.worstScenario.index === ref[i].worstScenario.index);
        const runs = [];
        for (let k = 0; k < reps; k++) {
          const c0 = cpuUsage?.();
          const t0 = performance.now();
          await riskwasm.portfolioMarginParallel(engine, accounts, market, grid, opts);
          const c = c0 ? cpuUsage(c0) : null;
          runs.push({ wall: (performance.now() - t0) / 1e3, cpu: c ? (c.user + c.system) / 1e6 : NaN });
        }
        runs.sort((a, b) => a.wall - b.wall);
        const row = { backend: name, workers, pool: true, wallS: runs[0].wall, mainThreadCpuS: runs[0].cpu, accountsPerS: count / runs[0].wall, identical: same };
        out.rows.push(row);
        log(`margin ${name} pool ${workers} worker(s): ${row.wallS.toFixed(3)} s wall = ${Math.round(row.accountsPerS)} accounts/s; identical to in-thread: ${same}`);
      }
    }
    await riskwasm.closeSharedPools();
  }
  return out;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const riskwasm = await import('../dist/index.js');
  const quick = process.argv.includes('--quick');
  const r = await runMarginBench(riskwasm, { quick });
  console.log(JSON.stringify(r, null, 1));
}

/** Markdown lines for bench/RESULTS.md from {@link runMarginBench}'s figures. */
export function marginReport(r) {
  const L = [];
  const p = (s = '') => L.push(s);
  p('## Portfolio margin (Node, `engine.portfolioMargin`, `portfolioMarginParallel`)');
  p();
  if (!r || r.error) {
    p(`Not run${r?.error ? `: ${r.error}` : ''}.`);
    p();
    return L;
  }
  p(`${r.accounts.toLocaleString('en-US')} accounts x ${r.positionsPerAccount} positions (options across strikes and expiries, futures and perpetuals on BTC and ETH from the bundled Deribit chain, by instrument name) x the Deribit-style grid (${r.scenarios} scenarios, ${r.kernelScenarios} revaluations with the delta probes). `
    + `End to end = validation and market look-up (\`resolveAccounts\`) + the risk matrix (\`marginResolved\`); best of several warm runs. `
    + `WASM vs JS checked before timing: ${r.checkWasmVsJs?.ok ? 'agree' : '**disagree**'} (max rel diff ${Number(r.checkWasmVsJs?.worst).toExponential(1)}). Target: >= ${MARGIN_TARGETS.accountsPerS.toLocaleString('en-US')} accounts/s on one thread.`);
  p();
  p('| backend | threads | end to end s | CPU s | accounts/s | resolve s | risk matrix s | risk matrix accounts/s | identical to in-thread | target |');
  p('|---|--:|--:|--:|--:|--:|--:|--:|---|---|');
  for (const x of r.rows) {
    const pool = x.pool === true;
    const aps = Math.round(x.accountsPerS);
    const verdict = pool ? '' : aps >= MARGIN_TARGETS.accountsPerS ? 'met' : `**missed**${x.riskMatrixS && r.accounts / x.riskMatrixS >= MARGIN_TARGETS.accountsPerS ? ' (risk matrix alone met)' : ''}`;
    p(`| ${x.backend === 'wasm' ? 'WASM' : 'JS twin'} | ${pool ? (x.workers > 1 ? `${x.workers} workers (pool)` : '1 (runShards, in thread)') : '1 (in thread)'} | ${x.wallS.toFixed(3)} | ${Number(pool ? x.mainThreadCpuS : x.cpuS).toFixed(3)}${pool ? ' (all threads)' : ''} | ${aps.toLocaleString('en-US')} | ${pool ? '' : x.resolveS.toFixed(3)} | ${pool ? '' : x.riskMatrixS.toFixed(3)} | ${pool ? '' : Math.round(r.accounts / x.riskMatrixS).toLocaleString('en-US')} | ${pool ? String(x.identical) : ''} | ${verdict} |`);
  }
  if (r.liquidation) {
    p();
    p(`Liquidation prices (\`engine.liquidationPrice\`) of the first ${r.liquidation.accounts.toLocaleString('en-US')} accounts, every risky asset, both sides: under standard margin (one kernel call: outward scan + Illinois per side in the kernel) and under portfolio margin (the same search run in rounds, each round re-marking the moved options and evaluating the risk matrix of every moved account in one \`marginResolved\` call). Best of the runs.`);
    p();
    p('| basis | backend | threads | s | CPU s | accounts/s | sides found / searched | max rel diff WASM vs JS |');
    p('|---|---|---|--:|--:|--:|--:|--:|');
    for (const x of r.liquidation.rows) {
      const pool = x.workers > 1;
      p(`| ${x.basis} | ${x.backend === 'wasm' ? 'WASM' : 'JS twin'} | ${pool ? `${x.workers} workers (pool), x${x.speedup.toFixed(2)}` : '1 (in thread)'} | ${x.wallS.toFixed(3)} | ${x.cpuS.toFixed(3)}${pool ? ' (all threads)' : ''} | ${Math.round(x.accountsPerS).toLocaleString('en-US')} | ${x.found} / ${x.levels} | ${pool ? `identical to in-thread: ${x.identical}` : `${x.maxRelDiffWasmVsJs.toExponential(1)}${x.agree === false ? ' **(over 1e-12)**' : ''}`} |`);
    }
    if (r.liquidation.rows.some((x) => x.workers > 1)) {
      p();
      p('Portfolio liquidation on 2 workers: `portfolioLiquidationPriceParallel(engine, accounts, market, grid, { workers: 2 })`, shards of 16 accounts, workers started before timing; results checked identical to the in-thread call (every field) first. Each account costs milliseconds of rounds against ~0.03 ms to copy it, so unlike portfolio margin the pool pays off here.');
    }
    p();
  }
  p('CPU = process user + system time of the best run, all threads (workers included). Portfolio-margin worker rows (first table): the pool sends the whole job to every worker and each shard revalues the distinct instruments of its accounts, so with books drawn from one chain two workers repeat most of the work and pay the copy: one thread is the fastest way to run this batch.');
  p();
  return L;
}
