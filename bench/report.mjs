// Writes bench/RESULTS.md from the figures bench/run.mjs collected. Every number in the file
// comes from the run; the prose only picks between sentences according to those numbers.

import { writeFileSync } from 'node:fs';
import { JOB_LABEL, SINGLE_REPS } from './suite.mjs';
import { monteCarloReport } from './montecarlo.mjs';
import { riskReport } from './risk.mjs';
import { marginReport } from './margin.mjs';
import { calibrationReport } from './calibration.mjs';

const SIZE_LABEL = (n) => (n === 1 ? '1' : n >= 1e6 ? `1e${Math.round(Math.log10(n))}` : n >= 1e3 ? `1e${Math.round(Math.log10(n))}` : String(n));

/** Options per second, human scale: 12.3 M, 456 k, 2.1 k, 35. */
export function rate(x) {
  if (x === undefined || x === null || !Number.isFinite(x)) return 'n/a';
  if (x >= 1e7) return `${(x / 1e6).toFixed(1)} M`;
  if (x >= 1e6) return `${(x / 1e6).toFixed(2)} M`;
  if (x >= 1e5) return `${(x / 1e3).toFixed(0)} k`;
  if (x >= 1e3) return `${(x / 1e3).toFixed(1)} k`;
  return x.toFixed(0);
}
const ratio = (a, b) => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? `x${(a / b).toFixed(2)}` : 'n/a');
const sci = (x) => (Number.isFinite(x) ? x.toExponential(1) : String(x));
const ms = (x) => (Number.isFinite(x) ? (x >= 10 ? x.toFixed(0) : x >= 1 ? x.toFixed(1) : x.toFixed(2)) : 'n/a');

function find(rows, job, name, n) {
  return rows.find((r) => r.job === job && r.name === name && r.n === n);
}

export function buildReport(R) {
  const L = [];
  const p = (s = '') => L.push(s);
  const m = R.machine;
  const nodeRows = R.rows;
  const big = Math.max(...R.sizes);
  const W = 'riskwasm WASM';
  const J = 'riskwasm JS twin';
  const ivAvailable = nodeRows.some((r) => r.job === 'iv' && r.name === W);
  const val = (job, name, n, key = 'opsPerSec') => find(nodeRows, job, name, n)?.[key];
  const chr = R.chromium && !R.chromium.error ? R.chromium : null;
  const cval = (job, name, n) => chr && find(chr.rows, job, name, n)?.opsPerSec;

  p('# riskwasm benchmarks');
  p();
  p('_Written by `bench/run.mjs`; do not edit by hand. Re-run with `npm run bench`._');
  p();
  p(`- **Command:** \`${R.command}\`${R.args.length ? ` with ${R.args.join(' ')}` : ''}; run took ${R.durationS.toFixed(0)} s`);
  p(`- **Date:** ${R.date}; package commit \`${m.commit}\``);
  p(`- **Machine:** ${m.cpu}, ${m.cores} cores, ${m.memoryGiB.toFixed(1)} GiB; ${m.platform}`);
  p(`- **Node** ${m.node} (V8 ${m.v8}); **Chromium** ${chr ? chr.version : `not run${R.chromium?.error ? ` (${R.chromium.error})` : ''}`}; one thread everywhere`);
  p(`- **Load average** (1/5/15 min) at start ${m.loadStart.map((x) => x.toFixed(2)).join(' / ')}, at end ${m.loadEnd.map((x) => x.toFixed(2)).join(' / ')}` +
    (Math.max(m.loadStart[0], m.loadEnd[0]) > 0.5 * m.cores
      ? ` — **the machine was shared with other work during the run**, so wall-clock figures are pessimistic and noisy; the Node tables also give throughput per second of process CPU time (\`cpu\`), which other tenants disturb less.`
      : '.'));
  p(`- **Inputs:** a seeded surface (mulberry32, bench/surface.mjs) of ${big.toLocaleString('en-US')} options: spot log-uniform 20..5000, expiry 1 day..2 years, vol 0.2..1.5, rate 0..6%, no dividend yield (the peers have none), strike = F exp(z sigma sqrt(T)) with z uniform in +-3, calls and puts half and half. Float64Array columns, Int8Array types, preallocated \`out\` arrays; every output is read into a sink. N = 1 and 1e3 use the first options of the same surface (N = 1 rotates over ${SINGLE_REPS} options, ${SINGLE_REPS} calls per timed iteration).`);
  p(`- **Throughput** = options per second = N x calls per second (tinybench 6 \`throughput.mean\`; ± is tinybench's relative margin of error). Implied vol inverts Black-76 prices on F = S e^{rT}, DF = e^{-rT}.`);
  p();

  // ---------------------------------------------------------------- targets
  p('## Targets (Node 20, one thread, N = 1e6 unless stated)');
  p();
  p('| target | measured (wall) | measured (per CPU-second) | |');
  p('|---|---|---|---|');
  const tgt = (label, wall, cpu, goal, fmtv, unitless = false) => {
    const met = Number.isFinite(wall) ? (unitless ? wall <= goal : wall >= goal) : null;
    const metCpu = Number.isFinite(cpu) ? (unitless ? cpu <= goal : cpu >= goal) : null;
    const verdict = met === null ? '**not measured**' : met ? 'met' : metCpu ? '**missed** on wall clock, met per CPU-second' : '**missed**';
    p(`| ${label} | ${Number.isFinite(wall) ? fmtv(wall) : 'n/a'} | ${Number.isFinite(cpu) ? fmtv(cpu) : '—'} | ${verdict} |`);
    return met;
  };
  const verdicts = {};
  verdicts.price = tgt('price >= 25 M options/s', val('price', W, big), val('price', W, big, 'cpuOpsPerSec'), 25e6, (x) => `${rate(x)}/s`);
  verdicts.greeks = tgt('price + 7 greeks >= 15 M options/s', val('greeks', W, big), val('greeks', W, big, 'cpuOpsPerSec'), 15e6, (x) => `${rate(x)}/s`);
  verdicts.iv = tgt('implied vol >= 3 M/s at full accuracy', ivAvailable ? val('iv', W, big) : NaN, ivAvailable ? val('iv', W, big, 'cpuOpsPerSec') : NaN, 3e6, (x) => `${rate(x)}/s`);
  const rWall = val('price', W, big) / val('price', J, big);
  const rCpu = val('price', W, big, 'cpuOpsPerSec') / val('price', J, big, 'cpuOpsPerSec');
  verdicts.ratio = tgt('WASM >= 2.5x the JS twin on price at N = 1e6', rWall, rCpu, 2.5, (x) => `x${x.toFixed(2)}`);
  verdicts.cold = tgt('first `createEngine` <= 20 ms (fresh process: import + compile + instantiate)', R.cold.totalMs.median, NaN, 20, (x) => `${ms(x)} ms`, true);
  verdicts.size = tgt('`.wasm` <= 150 KB gzipped', R.size.release.gzip / 1024, NaN, 150, (x) => `${x.toFixed(1)} KB`, true);
  p();
  if (!ivAvailable) {
    const c = R.checks.find((x) => x.job === 'iv' && (x.unavailable || !x.ok));
    p(`Implied vol: ${c ? c.what.replace(/; timing skipped$/, '') : 'not verified'}. The solver is not in this build (or did not pass its checks), so **no implied-vol figure is reported for riskwasm**; the peers' figures below stand alone.`);
    p();
  }

  // ---------------------------------------------------------------- Node tables
  p('## Node: riskwasm vs its JS twin vs the npm peers');
  p();
  for (const job of ['price', 'greeks', 'iv']) {
    p(`### ${JOB_LABEL[job]} (options/s)`);
    p();
    p(`| implementation | ${R.sizes.map((n) => `N = ${SIZE_LABEL(n)}`).join(' | ')} | accuracy (max error) | notes |`);
    p(`|---|${R.sizes.map(() => '--:|').join('')}---|---|`);
    const twin = R.checks.filter((c) => c.job === job && !c.unavailable);
    const twinAcc = twin.length ? twin.map((c) => `${sci(c.err)} (tol ${sci(c.tol)})`).join('; ') : '—';
    for (const name of [W, J]) {
      const cells = R.sizes.map((n) => {
        const r = find(nodeRows, job, name, n);
        if (!r) return job === 'iv' && !ivAvailable ? 'not timed' : 'n/a';
        return `${rate(r.opsPerSec)} ±${r.rme.toFixed(0)}%${r.cpuOpsPerSec ? ` (cpu ${rate(r.cpuOpsPerSec)})` : ''}`;
      });
      const acc = name === W ? (job === 'iv' ? twinAcc : `vs JS twin: ${twinAcc}`) : '(reference)';
      p(`| ${name} | ${cells.join(' | ')} | ${acc} | ${name === W ? 'one crossing per 16384-option chunk' : 'same facade, JS kernels'} |`);
    }
    p(`| *WASM / JS* | ${R.sizes.map((n) => `${ratio(val(job, W, n), val(job, J, n))}${val(job, W, n, 'cpuOpsPerSec') ? ` (cpu ${ratio(val(job, W, n, 'cpuOpsPerSec'), val(job, J, n, 'cpuOpsPerSec'))})` : ''}`).join(' | ')} | | |`);
    for (const info of R.peerInfo.filter((x) => x.job === job)) {
      const cells = R.sizes.map((n) => {
        const r = find(nodeRows, job, info.peer, n);
        if (r) return `${rate(r.opsPerSec)}${r.samples > 2 ? ` ±${r.rme.toFixed(0)}%` : ''}`;
        const s = R.skipped.find((x) => x.job === job && x.n === n && x.peer === info.peer);
        return s ? `skipped (~${s.estPassS.toFixed(0)} s/pass)` : 'n/a';
      });
      const a = info.accuracy;
      const accText = `${sci(a.max)}${a.which ? ` (${a.which})` : ''}, median ${sci(a.median)}; ${a.outside} of ${a.n.toLocaleString('en-US')} outside ${sci(a.tol)}`;
      p(`| ${info.peer} | ${cells.join(' | ')} | ${accText} | ${info.note} |`);
    }
    p();
    if (job === 'iv') {
      p('Peer accuracy for implied vol is |vol − the vol that generated the price| (absolute, in vol units: 1e-2 = one vol point). ');
    } else {
      p(`Peer accuracy is measured against riskwasm's WASM results (themselves checked against the JS twin), in riskwasm's units (the peers' vega per point, theta per day, rho per 1% and uqee's theta sign converted): ${job === 'price' ? '|price error| / spot' : 'the largest over price and the five greeks the peers compute of |error| per unit of spot (delta absolute, gamma x spot)'}. "Outside" counts options beyond the stated tolerance.`);
    }
    p();
  }

  // ---------------------------------------------------------------- kernel only
  p('## Where a facade call spends its time (Node, and Chromium where run)');
  p();
  p('Kernel only = one kernel call on a 16384-option chunk already in the heap (no validation, no copies); facade = `engine.blackScholes` / `impliedVol` at N = 1e6 (validation, copy in, kernel, copy out, per 16384-option chunk).');
  p();
  p('| job | backend | kernel only (Node) | facade N = 1e6 (Node) | facade / kernel | kernel only (Chromium) | facade N = 1e6 (Chromium) |');
  p('|---|---|--:|--:|--:|--:|--:|');
  for (const job of ['price', 'greeks', 'iv']) {
    for (const [name, kname] of [[W, `${W} kernel only`], [J, `${J} kernel only`]]) {
      const k = R.kernelRows.find((r) => r.job === job && r.name === kname);
      if (!k) continue;
      const f = val(job, name, big);
      const ck = chr?.kernelRows?.find((r) => r.job === job && r.name === kname);
      p(`| ${JOB_LABEL[job]} | ${name.replace('riskwasm ', '')} | ${rate(k.opsPerSec)}${k.cpuOpsPerSec ? ` (cpu ${rate(k.cpuOpsPerSec)})` : ''} | ${rate(f)} | ${Number.isFinite(f) ? (f / k.opsPerSec).toFixed(2) : 'n/a'} | ${ck ? rate(ck.opsPerSec) : 'n/a'} | ${rate(cval(job, name, 1e6))} |`);
    }
  }
  p();

  // ---------------------------------------------------------------- Monte Carlo
  if (R.monteCarlo !== undefined) for (const line of monteCarloReport(R.monteCarlo)) p(line);

  // ---------------------------------------------------------------- risk and calibration
  if (R.risk) for (const line of riskReport(R.risk)) p(line);
  if (R.calibration) for (const line of calibrationReport(R.calibration)) p(line);
  if (R.margin) for (const line of marginReport(R.margin)) p(line);

  // ---------------------------------------------------------------- Chromium
  p('## Chromium vs Node (riskwasm only, same suite file)');
  p();
  if (!chr) {
    p(`Chromium was not run${R.chromium?.error ? `: ${R.chromium.error}` : ' (--no-browser)'}.`);
  } else {
    p(`Chromium ${chr.version} headless (Debian /usr/bin/chromium via Playwright), page served from 127.0.0.1 with application/wasm and cross-origin isolation (crossOriginIsolated = ${chr.crossOriginIsolated}, so performance.now() has 5 µs granularity); wall clock only.`);
    p();
    p(`| job | N | WASM Node | JS Node | WASM/JS Node | WASM Chromium | JS Chromium | WASM/JS Chromium |`);
    p('|---|--:|--:|--:|--:|--:|--:|--:|');
    for (const job of ['price', 'greeks', 'iv']) {
      for (const n of R.sizes) {
        const wn = val(job, W, n), jn = val(job, J, n), wc = cval(job, W, n), jc = cval(job, J, n);
        if (![wn, jn, wc, jc].some(Number.isFinite)) continue;
        p(`| ${JOB_LABEL[job]} | ${SIZE_LABEL(n)} | ${rate(wn)} | ${rate(jn)} | ${ratio(wn, jn)} | ${rate(wc)} | ${rate(jc)} | ${ratio(wc, jc)} |`);
      }
    }
    const cc = chr.checks?.filter((c) => !c.ok) ?? [];
    p();
    p(`Checks in Chromium: ${chr.checks.length - cc.length} of ${chr.checks.length} passed${cc.length ? ` (failed: ${cc.map((c) => c.what).join('; ')})` : ''}.`);
  }
  p();

  // ---------------------------------------------------------------- start-up
  p('## Start-up and size');
  p();
  const c = R.cold;
  p(`| measure | median | range |`);
  p('|---|--:|--:|');
  p(`| Node cold: \`import('riskwasm')\` (fresh process) | ${ms(c.importMs.median)} ms | ${ms(c.importMs.min)}–${ms(c.importMs.max)} |`);
  p(`| Node cold: first \`createEngine()\` (read + compile + instantiate) | ${ms(c.createEngineMs.median)} ms | ${ms(c.createEngineMs.min)}–${ms(c.createEngineMs.max)} |`);
  p(`| Node cold: import + first \`createEngine()\` | **${ms(c.totalMs.median)} ms** | ${ms(c.totalMs.min)}–${ms(c.totalMs.max)} |`);
  p(`| Node cold: first \`blackScholes\` call after it | ${ms(c.firstCallMs.median)} ms | ${ms(c.firstCallMs.min)}–${ms(c.firstCallMs.max)} |`);
  p(`| Node warm: \`createEngine()\` again (module cached: instantiate only) | ${ms(R.warm.wasmMs)} ms | |`);
  p(`| Node warm: \`createEngineSync(bytes)\` (compile + instantiate) | ${ms(R.warm.syncFromBytesMs)} ms | |`);
  p(`| Node: \`createEngine({ backend: 'js' })\` | ${ms(R.warm.jsMs)} ms | |`);
  if (chr) {
    p(`| Chromium cold page: \`import('/dist/index.js')\` over HTTP | ${ms(chr.startup.importMs)} ms | |`);
    p(`| Chromium cold page: first \`createEngine()\` (compileStreaming + instantiate) | ${ms(chr.startup.createEngineMs)} ms | |`);
    p(`| Chromium: \`createEngine()\` again on the same page | ${ms(chr.startup.warmCreateEngineMs)} ms | |`);
  }
  p();
  p(`Node cold figures: median of ${c.reps} fresh \`node bench/cold-start.mjs\` processes${chr ? `; Chromium: median of ${chr.startup.reps} fresh browser contexts (unbundled ES modules, one request per file, no HTTP cache)` : ''}.`);
  p();
  p('| file | raw | gzip -9 | brotli 11 |');
  p('|---|--:|--:|--:|');
  for (const [k, v] of Object.entries(R.size)) p(`| build/riskwasm${k === 'debug' ? '.debug' : ''}.wasm | ${(v.raw / 1024).toFixed(1)} KB | ${(v.gzip / 1024).toFixed(1)} KB | ${(v.brotli / 1024).toFixed(1)} KB |`);
  p();

  // ---------------------------------------------------------------- verification
  p('## Verification before timing');
  p();
  p('| job | check | over | error | tolerance | |');
  p('|---|---|--:|--:|--:|---|');
  for (const ch of R.checks) p(`| ${JOB_LABEL[ch.job]} | ${ch.what} | ${ch.n.toLocaleString('en-US')} | ${sci(ch.err)} | ${sci(ch.tol)} | ${ch.ok ? 'ok' : ch.unavailable ? '**not available**' : '**FAILED** (not timed)'} |`);
  p();
  p('WASM vs JS twin errors are relative (greeks: relative to max(|value|, 1e-9 x the column\'s largest |value|), since theta, vanna and volga cross zero, where both twins are only as accurate as the cancellation allows); the twins use the same formulas but different `exp`/`log` (AssemblyScript\'s vs V8\'s), so they agree to a few ulps, not bit for bit. A riskwasm job that fails a check is not timed.');
  p();

  // ---------------------------------------------------------------- honest notes
  p('## Reading these numbers');
  p();
  const notes = [];
  const pw = val('price', W, big), pj = val('price', J, big);
  if (verdicts.price === false || verdicts.greeks === false) {
    const kw = R.kernelRows.find((r) => r.job === 'price' && r.name === `${W} kernel only`);
    const kCpu = kw?.cpuOpsPerSec ?? kw?.opsPerSec;
    const fCpu = val('price', W, big, 'cpuOpsPerSec') ?? pw;
    const copiesSmall = Number.isFinite(kCpu) && Number.isFinite(fCpu) && fCpu > 0.75 * kCpu;
    notes.push(`The throughput targets are **missed** by a wide margin: at N = 1e6 the WASM engine prices ${rate(pw)} options/s (target 25 M) and prices with 7 greeks ${rate(val('greeks', W, big))} options/s (target 15 M)${Number.isFinite(val('price', W, big, 'cpuOpsPerSec')) ? `; per CPU-second, which discounts the other tenants of this machine, ${rate(val('price', W, big, 'cpuOpsPerSec'))} and ${rate(val('greeks', W, big, 'cpuOpsPerSec'))}` : ''}. ${copiesSmall ? `The kernel alone runs at ${rate(kCpu)}/s, so validation and copies are not the main cost: the kernel itself is.` : `The kernel alone runs at ${rate(kCpu)}/s, so the facade's validation and copies cost a noticeable share at this size.`} It is scalar (SIMD is enabled in the build but unused) and long-latency (exp, log, divisions and a 16-term rational per Phi).`);
  }
  if (Number.isFinite(rWall) && rWall < 2.5) {
    notes.push(`WASM is only ${ratio(pw, pj)} the JS twin on price at N = 1e6 (target x2.5${Number.isFinite(rCpu) ? `; x${rCpu.toFixed(2)} per CPU-second` : ''}). Both run the same scalar algorithm; V8 optimises the JS twin's float code well, so without SIMD the WASM build gains only what its cheaper \`exp\` and absent bounds checks give.`);
  }
  if (chr) {
    const ratios = ['price', 'greeks'].map((j) => cval(j, W, big) / cval(j, J, big)).filter(Number.isFinite);
    if (ratios.some((x) => x < 1.5)) notes.push(`In Chromium the JS twin is close to WASM (WASM/JS ${ratios.map((x) => `x${x.toFixed(2)}`).join(' and ')} for price and price + greeks at N = 1e6): where a strict CSP forces the JS fallback, little is lost, and equally WASM buys little there as built.`);
  }
  const n1 = val('price', W, 1);
  const uq1 = val('price', '@uqee/black-scholes', 1);
  if (Number.isFinite(n1)) notes.push(`At N = 1 every call pays the facade (argument validation, arena reset, 8 column copies through fresh subarray views, a fresh status array): ${rate(n1)} calls/s with WASM, ${rate(val('price', J, 1))} with JS, i.e. ~${(1e6 / n1).toFixed(1)} µs per single option${Number.isFinite(uq1) ? ` against ${(1e6 / uq1).toFixed(2)} µs for a scalar @uqee/black-scholes call (${ratio(uq1, n1)} faster there)` : ''}. For one option at a time, riskwasm's batch API is the slow path; from N = 1e3 on the per-call cost disappears.`);
  const uq = val('price', "@uqee/black-scholes 'double'", big) ?? val('price', '@uqee/black-scholes', big);
  if (Number.isFinite(uq) && Number.isFinite(pw)) notes.push(`Against the fastest peer at N = 1e6 (@uqee/black-scholes, price with five greeks, no dividend yield, ${rate(uq)}/s with its double-precision Phi): riskwasm WASM is ${ratio(pw, uq)} on price and ${ratio(val('greeks', W, big), val('greeks', "@uqee/black-scholes 'double'", big))} on price + greeks, while computing vanna and volga too and keeping relative accuracy deep out of the money.`);
  if (verdicts.cold === false) notes.push(`First \`createEngine\` misses 20 ms: see the split above — ${c.createEngineMs.median > 20 ? `createEngine alone takes ${ms(c.createEngineMs.median)} ms although compiling and instantiating this ${(R.size.release.raw / 1024).toFixed(0)} KB module takes about a millisecond: @assemblyscript/loader's \`instantiate\` tests \`source instanceof Response\`, and the first touch of the \`Response\` global in Node 20 loads undici (~50–70 ms)` : `most of it is importing the package`}.`);
  if (ivAvailable) {
    const iw = val('iv', W, big);
    const nw = val('iv', '@uqee/black-scholes Newton', 1e3);
    const nAcc = R.peerInfo.find((x) => x.peer === '@uqee/black-scholes Newton');
    notes.push(`Implied vol at full accuracy (every vol within 1e-12 relative, or the price's own rounding, of the vol that generated the price): ${rate(iw)}/s${Number.isFinite(val('iv', W, big, 'cpuOpsPerSec')) ? ` (${rate(val('iv', W, big, 'cpuOpsPerSec'))} per CPU-second)` : ''} at N = 1e6, ${verdicts.iv ? 'meeting' : '**short of**'} the 3 M/s target. The only peer that is faster (@uqee/black-scholes with Newton-Raphson, ${rate(nw)}/s at N = 1e3) is wrong by more than a vol point on ${nAcc ? `${(100 * nAcc.accuracy.outside / nAcc.accuracy.n).toFixed(0)}%` : 'many'} of the surface; the accurate peer (implied-volatility, 100 bisection steps) runs at a few hundred options per second.`);
  }
  if (!ivAvailable) notes.push('Implied vol is not timed for riskwasm in this run (see above); the script times it, with the same checks, once `engine.impliedVol` returns verified vols.');
  for (const n of notes) p(`- ${n}`);
  p();
  return L.join('\n');
}

export function writeReport(results, path) {
  writeFileSync(path, buildReport(results) + '\n');
}
