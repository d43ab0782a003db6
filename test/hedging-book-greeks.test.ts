/**
 * Book greeks against Black-76 itself: each position's cash greeks rebuilt in the test from
 * `engine.black76` (USD-settled and coin-settled, with greeks) scaled by size and units, summed;
 * coin-numeraire delta of coin-settled options against Black-76's premium-adjusted delta;
 * sticky-moneyness greeks against central differences of a full revaluation that re-reads the
 * stand-in surface at fixed moneyness. Tolerances: 1e-12 relative for sums of the same products
 * (a few roundings per term), 1e-6 for finite differences (step 1e-4 relative, O(h^2)).
 */
import { describe, expect, it } from 'vitest';
import { BACKENDS, engineFor, expectInputError } from './backends.js';
import { rng } from './seeded-random.js';
import type { MarginMarket, MarginPosition, VolSurfaceLike } from '../src/index.js';

const DAYS = 365.25;

function randomBook(seed: number, n: number): { book: MarginPosition[]; market: MarginMarket } {
  const r = rng(seed);
  const market: MarginMarket = {
    assets: { BTC: { index: 90000, forwards: [{ expiry: 0.1, price: 90500 }, { expiry: 1, price: 94000 }] }, ETH: { index: 3000 } },
    rate: 0.03,
  };
  const book: MarginPosition[] = [];
  for (let i = 0; i < n; i++) {
    const btc = r() < 0.7;
    const S = btc ? 90000 : 3000;
    const size = Math.round((r() - 0.5) * 200) / 10 || 1;
    const u = r();
    if (u < 0.7) {
      book.push({
        kind: 'option', asset: btc ? 'BTC' : 'ETH', size, strike: Math.round(S * (0.7 + 0.6 * r())), expiry: 0.02 + 1.2 * r(),
        type: r() < 0.5 ? 'call' : 'put', vol: 0.3 + 0.6 * r(), settlement: r() < 0.5 ? 'coin' : 'usd',
      });
    } else if (u < 0.85) book.push({ kind: 'future', asset: btc ? 'BTC' : 'ETH', size, expiry: 0.05 + r(), settlement: r() < 0.5 ? 'coin' : 'usd' });
    else book.push({ kind: 'perpetual', asset: btc ? 'BTC' : 'ETH', size });
  }
  return { book, market };
}

/** Forward of the market for an expiry (ln F/S linear in time between listed forwards, flat beyond): BTC only has forwards. */
function forwardOf(market: MarginMarket, asset: string, T: number): number {
  const a = market.assets[asset];
  const fw = a.forwards ?? [];
  if (fw.length === 0) return a.index;
  const sorted = [...fw].sort((x, y) => x.expiry - y.expiry);
  const lb = (f: { expiry: number; price: number }) => Math.log(f.price / a.index);
  if (T <= sorted[0].expiry) return a.index * Math.exp((lb(sorted[0]) / sorted[0].expiry) * T);
  const last = sorted[sorted.length - 1];
  if (T >= last.expiry) return a.index * Math.exp((lb(last) / last.expiry) * T);
  const hi = sorted.findIndex((f) => f.expiry >= T);
  const lo = sorted[hi - 1], up = sorted[hi];
  const w = (T - lo.expiry) / (up.expiry - lo.expiry);
  return a.index * Math.exp((1 - w) * lb(lo) + w * lb(up));
}

describe.each(BACKENDS)('bookGreeks (%s)', (backend) => {
  it('total USD cash greeks equal the sum of engine.black76 greeks scaled by size and units (1e-12)', async () => {
    const engine = await engineFor(backend);
    for (const seed of [1, 2, 3]) {
      const { book, market } = randomBook(seed, 40);
      const g = engine.bookGreeks(book, market);
      const want = { delta: 0, gamma: 0, vega: 0, theta: 0, vanna: 0, volga: 0 };
      const scale = { delta: 0, gamma: 0, vega: 0, theta: 0, vanna: 0, volga: 0 };
      const add = (k: keyof typeof want, v: number) => { want[k] += v; scale[k] += Math.abs(v); };
      for (const p of book) {
        const S = market.assets[(p as { asset: string }).asset].index;
        if (p.kind === 'perpetual') add('delta', p.size * S);
        else if (p.kind === 'future') add('delta', p.size * (p.settlement === 'coin' ? S : forwardOf(market, p.asset, p.expiry)));
        else if (p.kind === 'option') {
          const F = forwardOf(market, p.asset, p.expiry);
          const b = engine.black76({ forwards: [F], strikes: [p.strike], expiries: [p.expiry], vols: [p.vol!], types: [p.type], discountFactors: [Math.exp(-0.03 * p.expiry)], greeks: true });
          // USD-settled: V = q V76(F); coin-settled: V = q V76(F) S / F.
          const c = p.settlement === 'coin' ? S / F : 1;
          add('delta', p.size * b.delta[0] * F * c);
          add('gamma', (p.size * b.gamma[0] * F * F * c) / 100);
          add('vega', (p.size * b.vega[0] * c) / 100);
          add('theta', (p.size * b.theta[0] * c) / DAYS);
          add('vanna', (p.size * b.vanna[0] * F * c) / 100);
          add('volga', (p.size * b.volga[0] * c) / 1e4);
        }
      }
      expect(g.status).toBe(0);
      for (const k of Object.keys(want) as (keyof typeof want)[]) {
        expect(Math.abs(g.total![k] - want[k]), `${k} seed ${seed}`).toBeLessThanOrEqual(1e-12 * Math.max(scale[k], 1e-300));
      }
    }
  });

  it('coin numeraire: a coin-settled option delta is Black-76 premium-adjusted delta x size; buckets add up to the total', async () => {
    const engine = await engineFor(backend);
    const market: MarginMarket = { assets: { BTC: { index: 90000, forwards: [{ expiry: 0.5, price: 92000 }] } } };
    const book: MarginPosition[] = [{ kind: 'option', asset: 'BTC', size: 3, strike: 100000, expiry: 0.5, type: 'call', vol: 0.55, settlement: 'coin' }];
    const g = engine.bookGreeks(book, market, { numeraire: 'coin' });
    const b = engine.black76({ forwards: [92000], strikes: [100000], expiries: [0.5], vols: [0.55], types: ['call'], settlement: 'coin', greeks: true });
    expect(g.total!.delta).toBeCloseTo(3 * b.premiumAdjustedDelta[0], 12);
    expect(g.total!.value).toBeCloseTo(3 * b.price[0], 12);
    const { book: big, market: mk } = randomBook(7, 60);
    const r = engine.bookGreeks(big, mk);
    for (const agg of [r.byExpiry, r.byStrike, r.byDelta]) {
      let d = 0, v = 0, n = 0;
      for (const bk of agg) { d += bk.delta; v += bk.vega; n += bk.count; }
      expect(n).toBe(big.length);
      expect(Math.abs(d - r.total!.delta)).toBeLessThanOrEqual(1e-9 * Math.abs(r.total!.delta));
      expect(Math.abs(v - r.total!.vega)).toBeLessThanOrEqual(1e-9 * Math.abs(r.total!.vega) + 1e-12);
    }
    let sum = 0;
    for (const u of r.byUnderlying.values()) sum += u.gamma;
    expect(sum).toBeCloseTo(r.total!.gamma, 6);
    // Two underlyings do not add in coins.
    expect(engine.bookGreeks(big, mk, { numeraire: 'coin' }).total).toBeNull();
  });

  it('sticky-moneyness delta and gamma match central differences of a revaluation at fixed moneyness; a flat smile gives sticky-strike figures', async () => {
    const engine = await engineFor(backend);
    const F0 = 92000, S0 = 90000, T = 0.5;
    // Stand-in surface: vol(k) = 0.6 - 0.15 k + 0.3 k^2 in log-moneyness, F(T) fixed at construction.
    const smile = (k: number) => 0.6 - 0.15 * k + 0.3 * k * k;
    const surfaceAt = (F: number): VolSurfaceLike => ({
      underlying: 'BTC',
      vol: ({ strikes, moneyness, expiries }) => {
        const ks = moneyness ? Array.from(moneyness) : Array.from(strikes!, (K) => Math.log(K / F));
        void expiries;
        return { vols: Float64Array.from(ks, smile), status: new Uint8Array(ks.length) };
      },
    });
    const position: MarginPosition = { kind: 'option', asset: 'BTC', size: 2, strike: 100000, expiry: T, type: 'call' };
    const marketAt = (S: number): MarginMarket => ({ assets: { BTC: { index: S, forwards: [{ expiry: T, price: (F0 / S0) * S }] } } });
    const g = engine.bookGreeks([position], marketAt(S0), { surface: surfaceAt(F0), sticky: 'moneyness' });
    const value = (S: number) => engine.bookGreeks([position], marketAt(S), { surface: surfaceAt((F0 / S0) * S), sticky: 'moneyness' }).total!.value;
    const h = 1e-4 * S0;
    const fdDelta = (S0 * (value(S0 + h) - value(S0 - h))) / (2 * h);
    const fdGamma = (S0 * S0 * (value(S0 + h) - 2 * value(S0) + value(S0 - h))) / (h * h) / 100;
    expect(Math.abs(g.total!.delta - fdDelta)).toBeLessThanOrEqual(1e-6 * Math.abs(fdDelta));
    expect(Math.abs(g.total!.gamma - fdGamma)).toBeLessThanOrEqual(1e-4 * Math.abs(fdGamma));
    const strike = engine.bookGreeks([position], marketAt(S0), { surface: surfaceAt(F0), sticky: 'strike' });
    expect(Math.abs(strike.total!.delta - g.total!.delta)).toBeGreaterThan(1e-3 * Math.abs(g.total!.delta));
    const flat: VolSurfaceLike = { vol: ({ strikes, moneyness }) => ({ vols: new Float64Array((strikes ?? moneyness)!.length).fill(0.5), status: new Uint8Array((strikes ?? moneyness)!.length) }) };
    const a = engine.bookGreeks([position], marketAt(S0), { surface: flat, sticky: 'moneyness' });
    const b = engine.bookGreeks([{ ...position, vol: 0.5 } as MarginPosition], marketAt(S0));
    expect(a.total!.delta).toBeCloseTo(b.total!.delta, 6);
    expect(a.total!.vega).toBe(b.total!.vega);
  });

  it('a surface status not ok gives NaN and a non-ok status for that position only', async () => {
    const engine = await engineFor(backend);
    const bad: VolSurfaceLike = { vol: ({ strikes }) => ({ vols: Float64Array.from(strikes!, (K) => (K > 95000 ? NaN : 0.5)), status: Uint8Array.from(strikes!, (K) => (K > 95000 ? 1 : 0)) }) };
    const market: MarginMarket = { assets: { BTC: { index: 90000 } } };
    const g = engine.bookGreeks([
      { kind: 'option', asset: 'BTC', size: 1, strike: 100000, expiry: 0.5, type: 'call' },
      { kind: 'option', asset: 'BTC', size: 1, strike: 90000, expiry: 0.5, type: 'call' },
    ], market, { surface: bad });
    expect(g.status).not.toBe(0);
    expect(g.positions.status[0]).not.toBe(0);
    expect(Number.isNaN(g.positions.delta[0])).toBe(true);
    expect(g.positions.status[1]).toBe(0);
    expect(Number.isFinite(g.total!.delta)).toBe(true);
  });

  it('malformed calls throw InputError naming the field; inputs are not mutated', async () => {
    const engine = await engineFor(backend);
    const { book, market } = randomBook(4, 5);
    const before = JSON.stringify([book, market]);
    engine.bookGreeks(book, market, { numeraire: 'coin' });
    expect(JSON.stringify([book, market])).toBe(before);
    expectInputError(() => engine.bookGreeks(book, market, { sticky: 'moneyness' }), 'options.sticky');
    const e = expectInputError(() => engine.bookGreeks(book, market, { numeraires: 'usd' } as never), 'options.numeraires');
    expect(e.suggestion).toBe('numeraire');
    expectInputError(() => engine.bookGreeks(book, market, { expiryBuckets: [0.5, 0.1] }), 'options.expiryBuckets[1]');
    expectInputError(() => engine.bookGreeks([{ kind: 'option', asset: 'BTC', size: 1, strike: 1, expiry: 1, type: 'call' }], market), 'account.positions[0].vol');
  });
});
