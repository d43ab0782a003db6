// The npm packages people use today for the same jobs (Node only: they are CommonJS), wrapped
// as benchmark tasks over the same surface, with their conventions mapped to riskwasm's units
// for the accuracy check. What each one computes (read from its source in node_modules):
//
// - black-scholes 1.1.0: blackScholes(s, k, t, v, r, 'call'|'put'), price only, no dividend yield;
//   Phi by a 100-term Taylor series (Math.pow per term), clamped to 0/1 beyond |x| >= 8.
// - greeks 1.0.0 (on black-scholes): getDelta/getGamma/getVega/getTheta/getRho, one call per greek,
//   each recomputing d1 and Phi; vega per vol point (/100), theta per day (/365), rho per 1% (/100).
//   No vanna or volga.
// - @uqee/black-scholes 1.0.7: new BlackScholes(opts).option({...}) returns price, delta, gamma,
//   vega (per 1.00), theta (= +dV/dT per year: the opposite sign of riskwasm's) and rho, always all
//   six; Phi by Abramowitz-Stegun 26.2.17 (|error| < 7.5e-8) unless sigmaToPricePrecision: 'double'
//   (Hart / West, ~1e-14). sigma({...}) inverts by bisection on [0, 2] to |price error| < 1e-3
//   (absolute, in currency units) or by Newton-Raphson (10 iterations, same stopping rule).
// - implied-volatility 1.0.0 (on black-scholes): bisection from 0.1, doubling the upper end; it
//   stops when price * 100 == floor(model * 100), which holds only for whole-cent prices, so in
//   practice it always runs its 100 iterations.

import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const bs = require('black-scholes');
const greeksPkg = require('greeks');
const iv = require('implied-volatility');
const { BlackScholes: Uqee } = require('@uqee/black-scholes');

const versionOf = (name) => require(`${name}/package.json`).version;
export const PEER_VERSIONS = Object.fromEntries(
  ['black-scholes', 'greeks', 'implied-volatility', '@uqee/black-scholes'].map((n) => [n, versionOf(n)]),
);

const CP = (t) => (t > 0 ? 'call' : 'put');

// Each peer: which jobs it does, how to compute one option into out columns (riskwasm units),
// its accuracy tolerance (stated, loose: these use crude normal CDFs) and a note.
// compute(s, i, out) writes out.price[i] (and greeks) or out.vol[i].
const uqeeSingle = new Uqee();
const uqeeDouble = new Uqee({ sigmaToPricePrecision: 'double' });
const uqeeNewton = new Uqee({ sigmaToPricePrecision: 'double', priceToSigmaMethod: 'newton-raphson', priceToSigmaAccuracy: 1e-10 });

function uqeeOption(u, s, i) {
  return u.option({ rate: s.rates[i], sigma: s.vols[i], strike: s.strikes[i], time: s.expiries[i], type: CP(s.types[i]), underlying: s.spots[i] });
}

export const PEERS = [
  {
    name: 'black-scholes', jobs: ['price'],
    price: (s, i, out) => { out.price[i] = bs.blackScholes(s.spots[i], s.strikes[i], s.expiries[i], s.vols[i], s.rates[i], CP(s.types[i])); },
    tol: { price: 1e-9 },
    note: 'no dividend yield; Phi by a 100-term series',
  },
  {
    name: 'black-scholes + greeks', jobs: ['greeks'],
    greeks: (s, i, out) => {
      const S = s.spots[i], K = s.strikes[i], T = s.expiries[i], v = s.vols[i], r = s.rates[i], cp = CP(s.types[i]);
      out.price[i] = bs.blackScholes(S, K, T, v, r, cp);
      out.delta[i] = greeksPkg.getDelta(S, K, T, v, r, cp);
      out.gamma[i] = greeksPkg.getGamma(S, K, T, v, r);
      out.vega[i] = greeksPkg.getVega(S, K, T, v, r) * 100; // per vol point -> per 1.00
      out.theta[i] = greeksPkg.getTheta(S, K, T, v, r, cp) * 365; // per day -> per year
      out.rho[i] = greeksPkg.getRho(S, K, T, v, r, cp) * 100; // per 1% -> per 1.00
    },
    tol: { greeks: 1e-9 },
    note: '6 separate calls (price + 5 greeks), no vanna/volga, no dividend yield',
  },
  {
    name: '@uqee/black-scholes', jobs: ['price', 'greeks', 'iv'],
    price: (s, i, out) => { out.price[i] = uqeeOption(uqeeSingle, s, i).price; },
    greeks: (s, i, out) => {
      const o = uqeeOption(uqeeSingle, s, i);
      out.price[i] = o.price; out.delta[i] = o.delta; out.gamma[i] = o.gamma; out.vega[i] = o.vega;
      out.theta[i] = -o.theta; // +dV/dT -> riskwasm's -dV/dT
      out.rho[i] = o.rho;
    },
    iv: (s, i, out) => {
      out.vol[i] = uqeeSingle.sigma({ price: s.ivPrices[i], rate: s.rates[i], strike: s.strikes[i], time: s.expiries[i], type: CP(s.types[i]), underlying: s.spots[i] });
    },
    tol: { price: 1e-4, greeks: 1e-3, iv: 1e-2 },
    note: 'defaults: single-precision Phi (A&S 26.2.17), price always computes 5 greeks too; implied vol by bisection to |price error| < 1e-3',
  },
  {
    name: "@uqee/black-scholes 'double'", jobs: ['price', 'greeks'],
    price: (s, i, out) => { out.price[i] = uqeeOption(uqeeDouble, s, i).price; },
    greeks: (s, i, out) => {
      const o = uqeeOption(uqeeDouble, s, i);
      out.price[i] = o.price; out.delta[i] = o.delta; out.gamma[i] = o.gamma; out.vega[i] = o.vega;
      out.theta[i] = -o.theta;
      out.rho[i] = o.rho;
    },
    tol: { price: 1e-9, greeks: 1e-9 },
    note: "sigmaToPricePrecision: 'double' (Hart/West Phi)",
  },
  {
    name: '@uqee/black-scholes Newton', jobs: ['iv'],
    iv: (s, i, out) => {
      out.vol[i] = uqeeNewton.sigma({ price: s.ivPrices[i], rate: s.rates[i], strike: s.strikes[i], time: s.expiries[i], type: CP(s.types[i]), underlying: s.spots[i] });
    },
    tol: { iv: 1e-2 },
    note: "its best settings: Newton-Raphson, 'double' Phi, priceToSigmaAccuracy 1e-10, 10 iterations (returns 0 when it fails)",
  },
  {
    name: 'implied-volatility', jobs: ['iv'],
    iv: (s, i, out) => {
      out.vol[i] = iv.getImpliedVolatility(s.ivPrices[i], s.spots[i], s.strikes[i], s.expiries[i], s.rates[i], CP(s.types[i]));
    },
    tol: { iv: 1e-2 },
    note: 'bisection, 100 iterations of the black-scholes price (series Phi)',
  },
];

const GREEKS5 = ['delta', 'gamma', 'vega', 'theta', 'rho'];

function outCols(job, n) {
  if (job === 'iv') return { vol: new Float64Array(n) };
  const o = { price: new Float64Array(n) };
  if (job === 'greeks') for (const g of GREEKS5) o[g] = new Float64Array(n);
  return o;
}

/**
 * Accuracy of a peer over the first n options against riskwasm's reference (ctx.ref.greeks from
 * the WASM engine, itself checked against the JS twin) or, for implied vol, against the vol that
 * generated the price. Errors are absolute in units of the spot (gamma times spot, delta and vols
 * as they are), so deep-ITM, large-strike options do not hide behind relative figures.
 */
export function peerAccuracy(ctx, peer, job, n) {
  const s = { ...ctx.surface, ivPrices: ctx.ivPrices };
  const out = outCols(job, n);
  for (let i = 0; i < n; i++) peer[job](s, i, out);
  const ref = ctx.ref.greeks;
  if (job === 'iv') {
    let max = 0, at = -1, failed = 0, sumAbs = 0;
    const errs = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const e = Math.abs(out.vol[i] - s.vols[i]);
      errs[i] = Number.isFinite(e) ? e : Infinity;
      if (!(out.vol[i] > 0) || !(e <= peer.tol.iv)) failed++;
      if (!(e <= max)) { max = Number.isFinite(e) ? e : Infinity; at = i; }
      if (Number.isFinite(e)) sumAbs += e;
    }
    errs.sort();
    return { metric: '|vol - true vol|', max, median: errs[n >> 1], at, outside: failed, n, tol: peer.tol.iv };
  }
  const names = job === 'greeks' ? ['price', ...GREEKS5] : ['price'];
  let max = 0, at = -1, which = '', outside = 0;
  const errs = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const S = s.spots[i];
    let ei = 0, wi = '';
    for (const g of names) {
      const d = Math.abs(out[g][i] - ref[g][i]);
      const e = g === 'delta' ? d : g === 'gamma' ? d * S : d / S;
      const ee = Number.isFinite(e) ? e : Infinity;
      if (!(ee <= ei)) { ei = ee; wi = g; }
    }
    errs[i] = ei;
    if (!(ei <= peer.tol[job])) outside++;
    if (ei > max) { max = ei; at = i; which = wi; }
  }
  errs.sort();
  return {
    metric: job === 'price' ? '|price error| / spot' : 'max over price + 5 greeks of |error| (per unit spot; gamma x spot; delta absolute)',
    max, median: errs[n >> 1], at, which, outside, n, tol: peer.tol[job],
  };
}

/** Peer tasks for one job and size, in the suite's task format. */
export function peerTasks(ctx, job, n, reps1, only = null) {
  const tasks = [];
  const s = { ...ctx.surface, ivPrices: ctx.ivPrices };
  for (const peer of PEERS) {
    if (!peer.jobs.includes(job) || (only && peer.name !== only)) continue;
    const f = peer[job];
    const out = outCols(job, n === 1 ? reps1 : n);
    const first = job === 'iv' ? out.vol : out.price;
    if (n === 1) {
      tasks.push({
        name: peer.name, impl: 'peer', peer, n: 1, reps: reps1,
        fn: () => { for (let i = 0; i < reps1; i++) f(s, i, out); ctx.sink.value += first[reps1 - 1]; },
      });
    } else {
      let k = 0;
      tasks.push({
        name: peer.name, impl: 'peer', peer, n, reps: 1,
        fn: () => { for (let i = 0; i < n; i++) f(s, i, out); ctx.sink.value += first[k]; k = (k + 7919) % n; },
      });
    }
  }
  return tasks;
}
