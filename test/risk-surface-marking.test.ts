// [surface] Portfolio revaluation (and so VaR, stress, sensitivities) marked by a VolSurface:
// options without a `vol` take the surface's vol at their strike and expiry (`portfolio.surface`).
// Reference: the same portfolio with every vol filled in by hand from `surface.vol` at the
// position's (strike, expiry); the P&L must be the same bit for bit (same packed numbers, same
// kernel), in one thread and on workers, for a VolSurface, its JSON, and a Map by asset.
import { afterAll, describe, it, expect } from 'vitest';
import { closeSharedPools } from '../src/parallel/index.js';
import { BACKENDS, engineFor, expectInputError } from './backends.js';
import { VolSurface, type Engine, type Portfolio, type PortfolioPosition, type SurfaceMarkedOption } from '../src/index.js';

/** Two SVI slices per asset, calendar-ordered (w of the second above the first everywhere: same shape, larger a). */
function surfaces(engine: Engine) {
  const btc = engine.volSurface([
    { expiry: 0.1, forward: 60_500, params: { a: 0.004, b: 0.05, rho: -0.3, m: 0.02, sigma: 0.15 } },
    { expiry: 0.5, forward: 62_000, params: { a: 0.03, b: 0.06, rho: -0.25, m: 0.03, sigma: 0.2 } },
  ], { spot: 60_000, underlying: 'BTC' });
  const eth = engine.volSurface([
    { expiry: 0.2, forward: 3_010, params: { a: 0.01, b: 0.08, rho: -0.1, m: 0.0, sigma: 0.1 } },
    { expiry: 1.0, forward: 3_050, params: { a: 0.06, b: 0.09, rho: -0.1, m: 0.0, sigma: 0.12 } },
  ], { spot: 3_000, underlying: 'ETH' });
  return { btc, eth };
}

const OPTIONS: SurfaceMarkedOption[] = [
  { kind: 'option', asset: 'BTC', quantity: 2, strike: 55_000, expiry: 0.08, type: 'put', settlement: 'coin' },
  { kind: 'option', asset: 'BTC', quantity: -1, strike: 70_000, expiry: 0.3, type: 'call', settlement: 'coin' },
  { kind: 'option', asset: 'BTC', quantity: 1, strike: 61_000, expiry: 0.7, type: 'call', rate: 0.04 },
  { kind: 'option', asset: 'ETH', quantity: 10, strike: 2_800, expiry: 0.5, type: 'put', rate: 0.04 },
  { kind: 'option', asset: 'ETH', quantity: -5, strike: 3_300, expiry: 0.15, type: 'call' },
];

/** Seeded scenarios: a fixed LCG (reproducible), log-returns within +-10%, vol shocks within +-5 points. */
function scenarios(m: number) {
  let x = 12345;
  const u = () => ((x = (Math.imul(x, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const lr = new Float64Array(2 * m), vs = new Float64Array(2 * m);
  for (let i = 0; i < 2 * m; i++) { lr[i] = 0.2 * (u() - 0.5); vs[i] = 0.1 * (u() - 0.5); }
  return { assets: ['BTC', 'ETH'], logReturns: lr, volShocks: vs, horizon: 1 / 365 };
}

describe.each(BACKENDS)('portfolio marked by a VolSurface on %s', (backend) => {
  afterAll(async () => {
    await closeSharedPools();
  });

  function byHand(engine: Engine): Portfolio {
    const { btc, eth } = surfaces(engine);
    const positions = OPTIONS.map((p) => {
      const s = p.asset === 'BTC' ? btc : eth;
      const v = s.vol({ strikes: [p.strike], expiries: [p.expiry] });
      expect(v.status[0]).toBe(0);
      return { ...p, vol: v.vols[0] };
    });
    return { spots: { BTC: 60_000, ETH: 3_000 }, positions: [...positions, { kind: 'spot', asset: 'BTC', quantity: 0.5 }] };
  }
  const bySurface = (surface: Portfolio['surface']): Portfolio<PortfolioPosition> => ({
    spots: { BTC: 60_000, ETH: 3_000 }, positions: [...OPTIONS, { kind: 'spot', asset: 'BTC', quantity: 0.5 }], surface,
  });

  it('a Map of VolSurfaces, their JSON, and unbound surfaces give the P&L of the vols filled in by hand, bit for bit', async () => {
    const engine = await engineFor(backend);
    const { btc, eth } = surfaces(engine);
    const sc = scenarios(500);
    const ref = engine.revaluePortfolio({ portfolio: byHand(engine), scenarios: sc, positionPnl: true });
    // The surfaces' vols differ across the book (a flat vol would make this test weak).
    const vols = byHand(engine).positions.flatMap((p) => (p.kind === 'option' ? [p.vol!] : []));
    expect(new Set(vols.map((v) => v.toFixed(6))).size).toBe(OPTIONS.length);
    const inputs: [string, Portfolio['surface']][] = [
      ['Map', new Map([['BTC', btc], ['ETH', eth]])],
      ['Map of JSON', new Map([['BTC', btc.toJSON()], ['ETH', eth.toJSON()]])],
      ['Map of unbound', new Map([['BTC', VolSurface.fromJSON(btc.toJSON())], ['ETH', VolSurface.fromJSON(JSON.parse(JSON.stringify(eth)))]])],
    ];
    for (const [name, surface] of inputs) {
      const r = engine.revaluePortfolio({ portfolio: bySurface(surface), scenarios: sc, positionPnl: true });
      expect(r.pnl, name).toEqual(ref.pnl);
      expect(r.positionPnl, name).toEqual(ref.positionPnl);
    }
  });

  it('one surface marks its own underlying; a position with a vol keeps it; the caller\'s portfolio is not modified', async () => {
    const engine = await engineFor(backend);
    const { btc } = surfaces(engine);
    const hand = byHand(engine);
    const ethVols = hand.positions.map((p) => (p.kind === 'option' && p.asset === 'ETH' ? p.vol : undefined));
    const mixed: Portfolio<PortfolioPosition> = { ...bySurface(btc), positions: bySurface(btc).positions.map((p, i) => (ethVols[i] !== undefined ? { ...p, vol: ethVols[i] } : p)) };
    const frozen = JSON.stringify(mixed.positions);
    const sc = scenarios(200);
    expect(engine.revaluePortfolio({ portfolio: mixed, scenarios: sc }).pnl).toEqual(engine.revaluePortfolio({ portfolio: hand, scenarios: sc }).pnl);
    expect(JSON.stringify(mixed.positions)).toBe(frozen);
    // Stress tests go through the same packing.
    const grid = { spotShocks: [-0.2, 0, 0.2], volShocks: [-0.05, 0.05] };
    // stressTest's argument type is Portfolio (every vol given); at run time it packs as revaluePortfolio does.
    expect(engine.stressTest({ portfolio: mixed as unknown as Portfolio, grid })).toEqual(engine.stressTest({ portfolio: hand, grid }));
  });

  it('on workers: the same P&L as in one thread (workers get the packed vols, never the surface)', async () => {
    const engine = await engineFor(backend);
    const { btc, eth } = surfaces(engine);
    const sc = scenarios(20_000); // 6 positions x 20000 scenarios: above the in-thread threshold (65536)
    const ref = engine.revaluePortfolio({ portfolio: byHand(engine), scenarios: sc });
    const r = await engine.revaluePortfolio({ portfolio: bySurface(new Map([['BTC', btc], ['ETH', eth]])), scenarios: sc, workers: 2 });
    expect(r.pnl).toEqual(ref.pnl);
  });

  it('errors name the field: no vol and no surface for the asset, a malformed surface, a point the surface cannot mark', async () => {
    const engine = await engineFor(backend);
    const { btc } = surfaces(engine);
    const sc = scenarios(3);
    expectInputError(() => engine.revaluePortfolio({ portfolio: bySurface(undefined), scenarios: sc }), 'portfolio.positions[0].vol');
    // A BTC surface does not mark ETH (position 3 is the first ETH option).
    expectInputError(() => engine.revaluePortfolio({ portfolio: bySurface(btc), scenarios: sc }), 'portfolio.positions[3].vol');
    expectInputError(() => engine.revaluePortfolio({ portfolio: bySurface({ kind: 'other' } as never), scenarios: sc }), 'portfolio.surface');
    expectInputError(() => engine.revaluePortfolio({ portfolio: bySurface(new Map([['BTC', 42 as never]])), scenarios: sc }), 'portfolio.surface.BTC');
    expectInputError(() => engine.revaluePortfolio({ portfolio: { ...bySurface(new Map([['BTC', btc]])), surfce: btc } as never, scenarios: sc }), 'portfolio.surfce');
  });
});
