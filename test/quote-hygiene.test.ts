/**
 * Quote hygiene in buildSurface: each filter drops what it should under its own reason, every
 * option is counted once (in total and per expiry), the ETH quote (bid 0.0001, ask 0.01)
 * is dropped by default, and the filters are checked.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import jan from '../data/market/deribit_options_snapshot_20260105T153329Z.csv?raw';
import { BACKENDS, engineFor } from './backends.js';
import { black76 } from './independent-black.js';
import { chainFromQuotes, DEFAULT_QUOTE_FILTERS, DESK_QUOTE_FILTERS, DROP_REASONS, InputError, loadDeribitChain, type Engine, type Surface } from '../src/index.js';

/** Every option counted once: kept + drops = considered, in the record, the list and per expiry. */
function expectCounted(s: Surface): void {
  const total = DROP_REASONS.reduce((n, r) => n + s.dropped[r], 0);
  expect(s.kept + total).toBe(s.considered);
  expect(s.drops).toEqual(DROP_REASONS.filter((r) => s.dropped[r] > 0).map((reason) => ({ reason, count: s.dropped[reason] })));
  const perExpiry = new Map<string, number>();
  for (const e of s.dropsByExpiry) for (const d of e.drops) perExpiry.set(d.reason, (perExpiry.get(d.reason) ?? 0) + d.count);
  for (const r of DROP_REASONS) expect(perExpiry.get(r) ?? 0, r).toBe(r === 'otherCurrency' ? 0 : s.dropped[r]);
}

/** One coin-settled expiry (F = 2000, T = 0.1, vol 0.6) of OTM quotes at the given strikes, as Deribit quotes ETH. */
function ethSlice(strikes: number[], tweak: (K: number, type: 'call' | 'put', mid: number) => [number, number] | undefined = () => undefined) {
  const F = 2000, T = 0.1;
  const types = strikes.map((K) => (K >= F ? 'call' : 'put') as 'call' | 'put');
  const mids = strikes.map((K, i) => black76(F, K, T, 0.6, types[i]) / F);
  const quotes = strikes.map((K, i) => tweak(K, types[i], mids[i]) ?? [mids[i] * 0.98, mids[i] * 1.02]);
  return chainFromQuotes({
    underlying: 'ETH', expiries: strikes.map(() => T), strikes, types, bids: quotes.map((q) => q[0]), asks: quotes.map((q) => q[1]),
    forwards: strikes.map(() => F), priceUnit: 'underlying', tickSize: 0.0001,
  });
}

const STRIKES = [1400, 1500, 1600, 1700, 1800, 1900, 2100, 2200, 2300, 2400, 2500, 2600];

describe.each(BACKENDS)('quote hygiene (%s)', (backend) => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await engineFor(backend);
  });

  it("the issue's ETH put (bid 0.0001, ask 0.01: mid vol far above the slice) is dropped by default as wideSpread", () => {
    const chain = ethSlice(STRIKES, (K) => (K === 1400 ? [0.0001, 0.01] : undefined));
    const loose = engine.buildSurface(chain, { filters: { maxRelativeSpread: Infinity } });
    const i = Array.from(loose.quotes.strikes).indexOf(1400);
    expect(loose.quotes.vols[i] - 0.6).toBeGreaterThan(0.1); // kept, it would enter the fit 13 vol points above the slice's 60%
    const s = engine.buildSurface(chain, {});
    expect(s.dropped.wideSpread).toBe(1);
    expect(Array.from(s.quotes.strikes)).not.toContain(1400);
    expect(s.kept).toBe(STRIKES.length - 1);
    expectCounted(s);
  });

  it('each check drops under its own reason', () => {
    const cases: [string, (K: number, type: 'call' | 'put', mid: number) => [number, number] | undefined, Record<string, unknown>, string][] = [
      ['crossed', (K, _t, m) => (K === 1800 ? [m * 1.1, m] : undefined), {}, 'crossed'],
      ['locked', (K, _t, m) => (K === 1800 ? [m, m] : undefined), {}, 'locked'],
      ['no bid', (K, _t, m) => (K === 1800 ? [0, m] : undefined), {}, 'noBid'],
      ['no ask', (K, _t, m) => (K === 1800 ? [m, NaN] : undefined), {}, 'noAsk'],
      ['below the tick floor', (K) => (K === 1800 ? [0.0001, 0.00015] : undefined), { minBidTicks: 2 }, 'belowTick'],
      ['outside moneyness', () => undefined, { moneyness: [0.75, 1.25] }, 'outsideMoneyness'],
      ['outside delta', () => undefined, { delta: [0.2, 1] }, 'outsideDelta'],
      ['low vega', () => undefined, { maxVolPerTick: 0.0005 }, 'lowVega'],
    ];
    for (const [label, tweak, filters, reason] of cases) {
      const s = engine.buildSurface(ethSlice(STRIKES, tweak), { filters, minQuotesPerExpiry: 1 });
      expect(s.dropped[reason as keyof Surface['dropped']], label).toBeGreaterThan(0);
      for (const r of DROP_REASONS) if (r !== reason) expect(s.dropped[r], `${label}: ${r}`).toBe(0);
      expectCounted(s);
    }
  });

  it('the moneyness and delta ranges keep exactly the quotes an independent computation says', () => {
    const s = engine.buildSurface(ethSlice(STRIKES), { filters: { moneyness: [0.8, 1.2] } });
    expect(Array.from(s.quotes.strikes)).toEqual(STRIKES.filter((K) => K / 2000 >= 0.8 && K / 2000 <= 1.2));
    const d = engine.buildSurface(ethSlice(STRIKES), { filters: { delta: [0.1, 1] } });
    // |forward delta| at the slice's vol 0.6, T 0.1, by a central difference in F of the independent Black-76.
    const delta = (K: number) => {
      const type = K >= 2000 ? 'call' : 'put';
      return Math.abs((black76(2000 * (1 + 1e-6), K, 0.1, 0.6, type) - black76(2000 * (1 - 1e-6), K, 0.1, 0.6, type)) / (2 * 2000e-6));
    };
    expect(Array.from(d.quotes.strikes)).toEqual(STRIKES.filter((K) => delta(K) >= 0.1));
  });

  it('a stale expiry and a slice left too small are counted per expiry', () => {
    const chain = loadDeribitChain(jan);
    const s = engine.buildSurface(chain, { currency: 'BTC', filters: DESK_QUOTE_FILTERS });
    expectCounted(s);
    const stale = s.dropsByExpiry.filter((e) => e.drops.some((d) => d.reason === 'expiryTooShort'));
    expect(stale.length).toBeGreaterThan(0);
    for (const e of stale) expect(e.expiry).toBeLessThan(2 / 365);
    expect(s.dropsByExpiry.map((e) => e.expiry)).toEqual([...s.dropsByExpiry.map((e) => e.expiry)].sort((a, b) => a - b));
  });

  it('defaults: the spread and tick checks on, the vega and delta checks off (DESK_QUOTE_FILTERS turns them on)', () => {
    expect(DEFAULT_QUOTE_FILTERS).toMatchObject({ maxRelativeSpread: 1, spreadTicks: 5, minBidTicks: 1, maxVolPerTick: Infinity, delta: [0, 1] });
    expect(DESK_QUOTE_FILTERS).toMatchObject({ maxRelativeSpread: 1, maxVolPerTick: 0.05, delta: [0.005, 1] });
    const chain = loadDeribitChain(jan);
    const d = engine.buildSurface(chain, { currency: 'BTC' });
    const desk = engine.buildSurface(chain, { currency: 'BTC', filters: DESK_QUOTE_FILTERS });
    expect(desk.kept).toBeLessThan(d.kept);
    expect(d.dropped.outsideDelta + d.dropped.lowVega).toBe(0);
    // The bundled snapshot's widest spreads are a few ticks (0.0001 / 0.0004): none is dropped.
    expect(d.dropped.wideSpread).toBe(0);
  });

  it('spreadTicks: a spread of a few ticks passes whatever its ratio to the mid; more ticks and a wide ratio do not', () => {
    // 0.0001 / 0.0004: relative spread 1.2, 3 ticks.
    const few = ethSlice(STRIKES, (K) => (K === 1400 ? [0.0001, 0.0004] : undefined));
    expect(engine.buildSurface(few, {}).dropped.wideSpread).toBe(0);
    expect(engine.buildSurface(few, { filters: { spreadTicks: 2 } }).dropped.wideSpread).toBe(1);
  });

  it('filter options are checked (InputError naming the field)', () => {
    const chain = ethSlice(STRIKES);
    const bad: [Record<string, unknown>, string][] = [
      [{ maxRelativeSpread: -1 }, 'options.filters.maxRelativeSpread'],
      [{ minBidTicks: 'two' }, 'options.filters.minBidTicks'],
      [{ delta: [0.5, 0.1] }, 'options.filters.delta'],
      [{ moneyness: [0.5] }, 'options.filters.moneyness'],
      [{ maxSpread: 1 }, 'options.filters.maxSpread'],
    ];
    for (const [filters, path] of bad) {
      try {
        engine.buildSurface(chain, { filters: filters as never });
        throw new Error(`no error for ${path}`);
      } catch (e) {
        expect(e).toBeInstanceOf(InputError);
        expect((e as InputError).path).toBe(path);
      }
    }
  });
});
