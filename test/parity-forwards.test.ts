/**
 * Forwards and discount factors per expiry (chainForwards): recovery of known F and DF from
 * prices made by an independent Black-76 (test/independent-black.ts), robustness to an off-market
 * pair, the SPX acceptance (parity forwards within a few bp of spot carried at a plausible rate),
 * and Deribit's futures unchanged.
 */
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import spx from '../data/market/spx_quotedata_20230820.csv?raw';
import jan from '../data/market/deribit_options_snapshot_20260105T153329Z.csv?raw';
import { black76 } from './independent-black.js';
import { propertySeed } from './backends.js';
import { chainForwards, chainFromQuotes, InputError, loadCboeChain, loadDeribitChain, type ExpiryForward } from '../src/index.js';

/** A synthetic quote-currency chain: strikes around F, prices DF * Black-76, half-spread h (absolute). */
function syntheticChain(F: number, DF: number, T: number, strikes: number[], vol: (K: number) => number, h: number, tickSize?: number) {
  const rows = strikes.flatMap((K) => (['call', 'put'] as const).map((type) => ({ K, type, p: DF * black76(F, K, T, vol(K), type) })));
  return chainFromQuotes({
    underlying: 'X', expiries: rows.map(() => T), strikes: rows.map((r) => r.K), types: rows.map((r) => r.type),
    bids: rows.map((r) => Math.max(r.p - h, 0)), asks: rows.map((r) => r.p + h), spot: F * Math.exp(-0.01 * T), tickSize,
  });
}

describe('chainForwards on synthetic parity', () => {
  it('recovers F and DF of a one-year expiry from exact prices (to rounding)', () => {
    const F = 4500, DF = Math.exp(-0.05), T = 1;
    const strikes = Array.from({ length: 41 }, (_, j) => 3500 + 50 * j);
    const [e] = chainForwards(syntheticChain(F, DF, T, strikes, (K) => 0.2 - 0.1 * Math.log(K / F), 0.5));
    expect(e.source).toBe('parity');
    expect(e.discountSource).toBe('parity');
    expect(e.pairsUsed).toBe(12);
    // Exact prices: C - P = DF (F - K) holds to the rounding of the prices (1e-12 relative).
    expect(Math.abs(e.forward / F - 1)).toBeLessThan(1e-10);
    expect(Math.abs(e.discountFactor - DF)).toBeLessThan(1e-10);
    expect(e.rate).toBeCloseTo(0.05, 8);
    expect(e.residualRms).toBeLessThan(1e-9);
  });

  it('property: F within 1 bp and the rate within its reported standard errors under quote noise (seeded)', () => {
    const seed = propertySeed('parity-forwards noise');
    fc.assert(fc.property(
      fc.double({ min: 50, max: 5000, noNaN: true }), fc.double({ min: 0, max: 0.08, noNaN: true }), fc.double({ min: 0.25, max: 3, noNaN: true }),
      fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: 60, maxLength: 60 }),
      (F, r, T, noise) => {
        const DF = Math.exp(-r * T);
        const strikes = Array.from({ length: 30 }, (_, j) => F * (0.7 + 0.02 * j));
        const h = 1e-4 * F; // half-spread 1 bp of F
        const rows = strikes.flatMap((K, j) => (['call', 'put'] as const).map((type, s) => ({ K, type, p: DF * black76(F, K, T, 0.25, type) + 0.5 * h * noise[2 * j + s] })));
        const chain = chainFromQuotes({
          underlying: 'X', expiries: rows.map(() => T), strikes: rows.map((x) => x.K), types: rows.map((x) => x.type),
          bids: rows.map((x) => Math.max(x.p - h, 0)), asks: rows.map((x) => x.p + h),
        });
        const [e] = chainForwards(chain);
        // Noise of C - P is at most h per pair; over 12 pairs near F the forward is good to h / DF.
        expect(Math.abs(e.forward / F - 1)).toBeLessThan(1e-4);
        // The standard error is a statistical bound (for noise that looks random); fast-check's
        // shrinking builds adversarial noise (a few quotes off, the rest exact), where the residuals
        // understate it. So the rate may also sit within the worst case of bounded noise: over 12
        // pairs spaced 0.02 F, an error of at most h in each C - P moves the slope (= -DF) by at most
        // h sum|x| / sum x^2 = 0.72 h / (0.0572 F) (x = K - mean K), i.e. the rate by that / (DF T);
        // x1.5 for the Huber weights (each in (0, 1]) re-weighting the same pairs.
        const worstCase = (1.5 * (0.72 * h) / (0.0572 * F)) / (DF * T);
        if (e.discountSource === 'parity') expect(Math.abs(e.rate - r)).toBeLessThan(Math.max(4 * e.rateStandardError, worstCase) + 1e-9);
      },
    ), { seed, numRuns: 60 });
  });

  it('an off-market pair (a stale put 20 points rich) is cut down by the Huber weights and barely moves F', () => {
    const F = 100, DF = 0.99, T = 0.5;
    const strikes = Array.from({ length: 12 }, (_, j) => 94 + j);
    const chain = syntheticChain(F, DF, T, strikes, () => 0.3, 0.01);
    const j = chain.strike.findIndex((K, i) => K === 99 && chain.type[i] === -1);
    const bid = chain.bid.slice(), ask = chain.ask.slice();
    bid[j] += 0.2; ask[j] += 0.2; // 20 cents rich against a 1-cent half-spread
    const stale = { ...chain, bid, ask };
    const [e] = chainForwards(stale);
    expect(e.pairsDownweighted).toBeGreaterThanOrEqual(1);
    // Least squares would move F by about 0.2 / (12 DF) = 0.017; Huber keeps it within 0.005.
    expect(Math.abs(e.forward - F)).toBeLessThan(0.005);
  });

  it('a short expiry whose slope cannot pin a rate takes the term structure; too few pairs fall back to spot carry', () => {
    const F = 1000, r = 0.04;
    const long = syntheticChain(F * Math.exp(0.03), Math.exp(-r), 1, Array.from({ length: 20 }, (_, j) => 800 + 20 * j), () => 0.2, 0.05, 0.05);
    // One day, quotes rounded to the 0.05 tick: the slope is flat to the tick.
    const T1 = 1 / 365;
    const F1 = F * Math.exp(0.03 * T1);
    const short = syntheticChain(F1, Math.exp(-r * T1), T1, Array.from({ length: 12 }, (_, j) => 990 + 2 * j), () => 0.2, 0.05, 0.05);
    const round = (a: Float64Array) => a.map((x) => Math.round(x / 0.05) * 0.05);
    const merge = <T extends ArrayLike<unknown>>(a: T, b: T) => [...Array.from(a), ...Array.from(b)];
    const chain = chainFromQuotes({
      underlying: 'X', spot: F, tickSize: 0.05,
      expiries: merge(short.timeToMaturity, long.timeToMaturity) as number[], strikes: merge(short.strike, long.strike) as number[],
      types: merge(short.type, long.type) as number[], bids: merge(round(short.bid), long.bid) as number[], asks: merge(round(short.ask), long.ask) as number[],
    });
    const [e1, e2] = chainForwards(chain);
    expect(e2.discountSource).toBe('parity');
    expect(e1.source).toBe('parity');
    expect(e1.discountSource).toBe('term-structure');
    expect(e1.rate).toBeCloseTo(e2.rate, 12);
    expect(Math.abs(e1.forward / F1 - 1)).toBeLessThan(2e-5); // the 0.05 tick on ~1000: 0.5 bp per pair
    // Only two pairs: spot carried at the carry of the parity expiry.
    const thin = chainForwards(chain, { minPairs: 13, maxPairs: 20 });
    expect(thin.map((e) => e.source)).toEqual(['spot-carry', 'parity']);
    const thinAll = chainForwards(chain, { minPairs: 100, rate: 0.02, dividendYield: 0.01 });
    expect(thinAll.map((e) => [e.source, e.discountSource])).toEqual([['spot-carry', 'rate'], ['spot-carry', 'rate']]);
    expect(thinAll[1].forward).toBeCloseTo(F * Math.exp(0.01), 9);
  });

  it('options and chains are checked', () => {
    const chain = syntheticChain(100, 1, 1, [90, 95, 100, 105, 110], () => 0.2, 0.01);
    expect(() => chainForwards(chain, { maxPairs: 1 })).toThrow(InputError);
    expect(() => chainForwards(chain, { minPairs: 2.5 })).toThrow(InputError);
    expect(() => chainForwards(chain, { rate: NaN })).toThrow(InputError);
    expect(() => chainForwards(chain, { maxPair: 5 } as never)).toThrow(InputError);
    expect(() => chainForwards({ length: 2 } as never)).toThrow(InputError);
    expect(() => chainForwards(null as never)).toThrow(InputError);
  });
});

describe('the SPX acceptance: parity forwards within a few bp of spot carried at a plausible rate', () => {
  const chain = loadCboeChain(spx);
  const S = 4369.71;
  const curve = chainForwards(chain);
  const live = curve.filter((e) => e.timeToMaturity > 0);

  it('every live expiry gets a parity forward from 12 pairs', () => {
    // 56 expiry instants (SPX a.m. and SPXW p.m. apart); both of 2023-08-18 are expired (T = 0).
    expect(new Set(chain.expiry).size).toBe(56);
    expect(live.length).toBe(54);
    for (const e of live) expect([e.source, e.pairsUsed]).toEqual(['parity', 12]);
  });

  it('ln(F / S) lies within 3 bp of carry T for a carry r - q in [2.5%, 6%] (Aug 2023: r about 5.3%, SPX yield about 1.5%)', () => {
    const rows: string[] = [];
    for (const e of live) {
      const x = Math.log(e.forward / S);
      const lo = 0.025 * e.timeToMaturity, hi = 0.06 * e.timeToMaturity;
      const bpOutside = 1e4 * Math.max(0, lo - x, x - hi);
      rows.push(`${e.expiry.slice(0, 16)} T ${e.timeToMaturity.toFixed(4)} F ${e.forward.toFixed(2)} carry ${(100 * x / e.timeToMaturity).toFixed(2)}% rate ${(100 * e.rate).toFixed(2)}% (${e.discountSource}) rms ${e.residualRms.toFixed(3)} outside ${bpOutside.toFixed(2)} bp`);
      expect(bpOutside, rows[rows.length - 1]).toBeLessThan(3);
    }
    console.log(rows.join('\n'));
  });

  it('carries are smooth across expiries beyond a month, and parity-pinned rates are plausible', () => {
    const beyond = live.filter((e) => e.timeToMaturity > 1 / 12);
    const carry = (e: ExpiryForward) => Math.log(e.forward / S) / e.timeToMaturity;
    for (let j = 1; j < beyond.length; j++) expect(Math.abs(carry(beyond[j]) - carry(beyond[j - 1]))).toBeLessThan(0.005);
    const pinned = live.filter((e) => e.discountSource === 'parity');
    expect(pinned.length).toBeGreaterThan(20);
    for (const e of pinned) {
      expect(e.rate).toBeGreaterThan(0.03);
      expect(e.rate).toBeLessThan(0.07);
    }
  });
});

describe('Deribit: forwards are the futures, as before', () => {
  it('each expiry: source futures, forward = median underlying of its options, DF 1', () => {
    const chain = loadDeribitChain(jan);
    for (const e of chainForwards(chain)) {
      const f = Array.from(chain.forward).filter((_, i) => chain.currency[i] === e.currency && chain.timeToMaturity[i] === e.timeToMaturity).sort((a, b) => a - b);
      const median = f.length % 2 ? f[(f.length - 1) / 2] : (f[f.length / 2 - 1] + f[f.length / 2]) / 2;
      expect([e.source, e.forward, e.discountFactor, e.discountSource]).toEqual(['futures', median, 1, 'none']);
    }
  });
});
