/**
 * Hedge calibration against references built in the test: greek-neutral residuals (the issue's
 * 1e-9 check, before lot rounding); minimum-variance quantities against the normal equations
 * solved in the test; the margin-optimal hedge against a brute-force grid of quantities, each
 * margined by engine.portfolioMargin, and against the greek-neutral hedge's IM; the ES LP against
 * the same brute force of the empirical ES. Margins are the engine's own figures, so "<=" holds up
 * to the LP's feasibility tolerance (1e-7 relative to the IM).
 */
import { describe, expect, it } from 'vitest';
import { BACKENDS, engineFor, expectInputError } from './backends.js';
import { rng } from './seeded-random.js';
import { DERIBIT_GRID, InputError, type HedgeInstrument, type MarginMarket, type MarginPosition } from '../src/index.js';

const market: MarginMarket = {
  assets: { BTC: { index: 90000, forwards: [{ expiry: 0.1, price: 90400 }, { expiry: 0.5, price: 92000 }] } },
  rate: 0.02,
};

function randomOptionBook(seed: number, n: number): MarginPosition[] {
  const r = rng(seed);
  return Array.from({ length: n }, () => ({
    kind: 'option' as const, asset: 'BTC', size: Math.round((r() - 0.6) * 100) / 10 || -1, strike: Math.round(90000 * (0.75 + 0.5 * r())),
    expiry: 0.05 + 0.6 * r(), type: r() < 0.5 ? 'call' as const : 'put' as const, vol: 0.4 + 0.4 * r(), settlement: r() < 0.5 ? 'coin' as const : 'usd' as const,
  }));
}

const hedges: HedgeInstrument[] = [
  { kind: 'option', asset: 'BTC', strike: 90000, expiry: 0.1, type: 'call', vol: 0.5, settlement: 'coin' },
  { kind: 'option', asset: 'BTC', strike: 85000, expiry: 0.5, type: 'put', vol: 0.58, settlement: 'coin' },
  { kind: 'option', asset: 'BTC', strike: 100000, expiry: 0.5, type: 'call', vol: 0.52, settlement: 'coin' },
  { kind: 'perpetual', asset: 'BTC' },
];

describe.each(BACKENDS)('calibrateHedge (%s)', (backend) => {
  it('greek-neutral hedge of random option books (3 options + a perpetual) leaves |delta|, |gamma|, |vega| < 1e-9 of the book (before rounding)', async () => {
    const engine = await engineFor(backend);
    for (const seed of [11, 12, 13, 14, 15]) {
      const book = randomOptionBook(seed, 12);
      const r = await engine.calibrateHedge({ book, market, instruments: hedges, objective: 'greeks' });
      expect(r.ok).toBe(true);
      expect(r.solver.method).toBe('qr');
      const b = r.book.greeks.get('BTC')!, res = r.solution.residual.get('BTC')!;
      for (const g of ['delta', 'gamma', 'vega'] as const) expect(Math.abs(res[g]), `${g} seed ${seed}`).toBeLessThan(1e-9 * Math.abs(b[g]));
      // Residual = book + sum q x per-unit greeks, rebuilt from bookGreeks of the hedge alone.
      const hedgeBook = hedges.map((h, i) => ({ ...h, size: r.solution.quantities[i] }) as MarginPosition);
      const hg = engine.bookGreeks(hedgeBook, market).total!;
      expect(Math.abs(hg.delta + b.delta)).toBeLessThan(1e-9 * Math.abs(b.delta));
    }
  });

  it('scenario P&L of perpetuals accrues funding over the horizon: linear equals revaluePortfolio, inverse pays its USD face (formulas in the test)', async () => {
    const engine = await engineFor(backend);
    const r0 = rng(41);
    const logReturns = Array.from({ length: 50 }, () => [0.1 * (r0() - 0.5)]);
    const horizon = 7 / 365, S = market.assets.BTC.index;
    const linear = { kind: 'perpetual' as const, asset: 'BTC', size: 2.5, fundingRate: 0.12 };
    const inverse = { kind: 'perpetual' as const, asset: 'BTC', size: -1.5, fundingRate: -0.05, settlement: 'coin' as const, entryPrice: 80000 };
    const inverseNoEntry = { kind: 'perpetual' as const, asset: 'BTC', size: 0.7, fundingRate: 0.3, settlement: 'coin' as const };
    const pnlOf = async (p: MarginPosition) => (await engine.calibrateHedge({ book: [p], market, instruments: [hedges[3]], objective: 'greeks', scenarios: { logReturns, horizon } })).book.pnl;
    // Linear: the risk module's revaluation (its own kernel) of the same perpetual, funding on the scenario mark.
    const reval = engine.revaluePortfolio({ portfolio: { spots: { BTC: S }, positions: [{ kind: 'perpetual', asset: 'BTC', quantity: 2.5, fundingRate: 0.12 }] }, scenarios: { logReturns, horizon } });
    const lin = await pnlOf(linear);
    // 1e-9 relative to the position's notional (225,000 USD): two summation orders of the same terms.
    lin.forEach((v, s) => expect(Math.abs(v - reval.pnl[s])).toBeLessThan(1e-9 * 2.5 * S));
    const inv = await pnlOf(inverse), inv0 = await pnlOf(inverseNoEntry);
    logReturns.forEach(([x], s) => {
      const S2 = S * Math.exp(x);
      expect(Math.abs(inv[s] - (-1.5 * (S2 - S) - -1.5 * 80000 * -0.05 * horizon))).toBeLessThan(1e-9 * 1.5 * S);
      expect(Math.abs(inv0[s] - (0.7 * (S2 - S) - 0.7 * S * 0.3 * horizon))).toBeLessThan(1e-9 * 0.7 * S);
    });
    // The funding term is material here (0.12 x 7/365 of the notional is ~518 USD): horizon 0 drops it.
    const noFunding = (await engine.calibrateHedge({ book: [linear], market, instruments: [hedges[3]], objective: 'greeks', scenarios: { logReturns, horizon: 0 } })).book.pnl;
    expect(Math.abs(noFunding[0] - lin[0])).toBeGreaterThan(400);
  });

  it('lot rounding: rounded quantities are multiples of the lot inside the bounds, and roundingResidual is their difference in greeks', async () => {
    const engine = await engineFor(backend);
    const book = randomOptionBook(21, 8);
    const r = await engine.calibrateHedge({ book, market, instruments: hedges.map((h) => ({ ...h, lotSize: 0.1 })), objective: 'greeks' });
    r.rounded.quantities.forEach((q, i) => {
      expect(Math.abs(q / 0.1 - Math.round(q / 0.1))).toBeLessThan(1e-9);
      expect(Math.abs(q - r.solution.quantities[i])).toBeLessThanOrEqual(0.05 + 1e-12);
    });
    const d = r.roundingResidual.get('BTC')!;
    expect(d.delta).toBeCloseTo(r.rounded.residual.get('BTC')!.delta - r.solution.residual.get('BTC')!.delta, 6);
  });

  it('bounds and spread cost: a QP by HiGHS keeps quantities inside the bounds and never does worse than the unbounded optimum clipped', async () => {
    const engine = await engineFor(backend);
    const book = randomOptionBook(31, 10);
    const free = await engine.calibrateHedge({ book, market, instruments: hedges, objective: 'greeks' });
    const bound = Math.max(...Array.from(free.solution.quantities, Math.abs)) / 2;
    const instruments = hedges.map((h) => ({ ...h, min: -bound, max: bound, halfSpread: 20 }));
    const r = await engine.calibrateHedge({ book, market, instruments, objective: 'greeks', costWeight: 1e-6 });
    expect(r.solver.method).toBe('highs-qp');
    expect(r.ok).toBe(true);
    for (const q of r.solution.quantities) expect(Math.abs(q)).toBeLessThanOrEqual(bound * (1 + 1e-9));
    const clipped = await engine.calibrateHedge({ book, market, instruments: instruments.map((h, i) => ({ ...h, min: Math.max(-bound, Math.min(bound, free.solution.quantities[i])), max: Math.max(-bound, Math.min(bound, free.solution.quantities[i])) })), objective: 'greeks', costWeight: 1e-6 });
    expect(r.solution.objective).toBeLessThanOrEqual(clipped.solution.objective * (1 + 1e-6));
    expect(r.solution.cost).toBeCloseTo(instruments.reduce((s, h, i) => s + h.halfSpread * Math.abs(r.solution.quantities[i]), 0), 6);
  });

  it('scenarios/variance: quantities solve the normal equations of the centred scenario P&L (built in the test)', async () => {
    const engine = await engineFor(backend);
    const book = randomOptionBook(41, 10);
    const r0 = rng(5);
    const logReturns = Array.from({ length: 200 }, () => [0.06 * (r0() + r0() + r0() - 1.5)]);
    const volShocks = Array.from({ length: 200 }, () => [0.1 * (r0() - 0.5)]);
    const instruments = [hedges[0], hedges[3]];
    const r = await engine.calibrateHedge({ book, market, instruments, objective: 'scenarios', scenarios: { logReturns, volShocks, horizon: 0 } });
    // Scenario P&L of the book and of one unit of each hedge, from the library's P&L vectors: x = book, P = hedges.
    const x = r.book.pnl;
    const unit = await Promise.all(instruments.map(async (h) => (await engine.calibrateHedge({ book: [{ ...h, size: 1 } as MarginPosition], market, instruments: [h], objective: 'greeks', scenarios: { logReturns, volShocks, horizon: 0 } })).book.pnl));
    const m = x.length;
    const mean = (a: Float64Array) => a.reduce((s, v) => s + v, 0) / m;
    const c = (a: Float64Array) => { const mu = mean(a); return a.map((v) => v - mu); };
    const [p0, p1, xc] = [c(unit[0]), c(unit[1]), c(x)];
    const dot = (a: Float64Array, b: Float64Array) => a.reduce((s, v, i) => s + v * b[i], 0);
    // [p0.p0 p0.p1; p1.p0 p1.p1] q = -[p0.x; p1.x], by Cramer's rule.
    const a = dot(p0, p0), b = dot(p0, p1), d = dot(p1, p1), e = -dot(p0, xc), f = -dot(p1, xc);
    const det = a * d - b * b;
    const want = [(e * d - b * f) / det, (a * f - b * e) / det];
    expect(Math.abs(r.solution.quantities[0] - want[0])).toBeLessThan(1e-7 * Math.abs(want[0]));
    expect(Math.abs(r.solution.quantities[1] - want[1])).toBeLessThan(1e-7 * Math.abs(want[1]));
    expect(r.solution.objective).toBeLessThan(r.book.objective);
    expect(r.effectiveness!.varianceReduction).toBeCloseTo(1 - r.solution.objective / r.book.objective, 9);
  });

  it('scenarios/es: the LP optimum is no worse than a brute-force grid of quantities (bounded)', async () => {
    const engine = await engineFor(backend);
    const book = randomOptionBook(51, 6);
    const r0 = rng(9);
    const logReturns = Array.from({ length: 120 }, () => [0.08 * (r0() + r0() - 1)]);
    const instruments = [{ ...hedges[3], min: -20, max: 20 }, { ...hedges[0], min: -20, max: 20 }];
    const r = await engine.calibrateHedge({ book, market, instruments, objective: 'scenarios', measure: 'es', confidence: 0.9, scenarios: { logReturns, horizon: 0 } });
    expect(r.ok).toBe(true);
    expect(r.solver.lpObjective).toBeCloseTo(r.solution.objective, 6);
    // Empirical ES (Acerbi-Tasche, the fractional atom at k = ceil(n c)) of book + a u0 + b u1, computed here.
    const unit = await Promise.all(instruments.map(async (h) => (await engine.calibrateHedge({ book: [{ ...(h.kind === "perpetual" ? hedges[3] : hedges[0]), size: 1 } as MarginPosition], market, instruments: [hedges[3]], objective: 'greeks', scenarios: { logReturns, horizon: 0 } })).book.pnl));
    const es = (pnl: Float64Array) => {
      const L = Array.from(pnl, (v) => -v).sort((x, y) => x - y);
      const n = L.length, c = 0.9, k = Math.ceil(n * c - 1e-9);
      let tail = (k - n * c) * L[k - 1];
      for (let i = k; i < n; i++) tail += L[i];
      return tail / (n * (1 - c));
    };
    let best = Infinity;
    for (let a = -20; a <= 20; a += 1) {
      for (let b = -20; b <= 20; b += 1) best = Math.min(best, es(r.book.pnl.map((v, s) => v + a * unit[0][s] + b * unit[1][s])));
    }
    expect(r.solution.objective).toBeLessThanOrEqual(best + 1e-7 * Math.abs(best));
  });

  it('margin: IM after <= IM of every hedge on a brute-force grid (small case) and <= the greek-neutral hedge; the LP value is the engine IM', async () => {
    const engine = await engineFor(backend);
    const book: MarginPosition[] = [
      { kind: 'option', asset: 'BTC', size: -5, strike: 95000, expiry: 0.1, type: 'call', vol: 0.55, settlement: 'coin' },
      { kind: 'option', asset: 'BTC', size: -3, strike: 80000, expiry: 0.5, type: 'put', vol: 0.6, settlement: 'coin' },
    ];
    const instruments: HedgeInstrument[] = [{ ...hedges[3], min: -10, max: 10 }, { ...hedges[0], min: -10, max: 10 }];
    const r = await engine.calibrateHedge({ book, market, instruments, objective: 'margin', grid: DERIBIT_GRID });
    expect(r.ok).toBe(true);
    const im = r.solution.initialMargin;
    expect(Math.abs(r.solver.lpObjective! - im)).toBeLessThanOrEqual(1e-7 * im);
    const margin = (q0: number, q1: number) => engine.portfolioMargin({ positions: [...book, { ...hedges[3], size: q0 } as MarginPosition, { ...hedges[0], size: q1 } as MarginPosition] }, market, DERIBIT_GRID).initialMargin;
    let best = Infinity;
    for (let a = -10; a <= 10; a += 0.5) for (let b = -10; b <= 10; b += 0.5) best = Math.min(best, margin(a, b));
    expect(im).toBeLessThanOrEqual(best * (1 + 1e-7));
    expect(im).toBeLessThan(r.book.initialMargin);
    const neutral = await engine.calibrateHedge({ book, market, instruments: hedges, objective: 'greeks' });
    const marginAll = await engine.calibrateHedge({ book, market, instruments: hedges, objective: 'margin' });
    const neutralIm = engine.portfolioMargin({ positions: [...book, ...hedges.map((h, i) => ({ ...h, size: neutral.solution.quantities[i] }) as MarginPosition)] }, market, DERIBIT_GRID).initialMargin;
    expect(marginAll.solution.initialMargin).toBeLessThanOrEqual(neutralIm * (1 + 1e-7));
  });

  it('malformed calls reject with InputError naming the field; inputs are not mutated', async () => {
    const engine = await engineFor(backend);
    const book = randomOptionBook(61, 3);
    const before = JSON.stringify([book, hedges, market]);
    await engine.calibrateHedge({ book, market, instruments: hedges, objective: 'greeks' });
    expect(JSON.stringify([book, hedges, market])).toBe(before);
    const rejects = async (args: unknown, path: string) => {
      const e = await engine.calibrateHedge(args as never).then(() => undefined, (x: unknown) => x);
      expect(e).toBeInstanceOf(InputError);
      expect((e as InputError).path).toBe(path);
    };
    await rejects({ book, market, instruments: hedges, objective: 'gamma' }, 'objective');
    await rejects({ book, market, instruments: [{ ...hedges[0], lotSize: -1 }], objective: 'greeks' }, 'instruments[0].lotSize');
    await rejects({ book, market, instruments: [{ ...hedges[0], strike: -1 }], objective: 'greeks' }, 'instruments[0].strike');
    await rejects({ book, market, instruments: hedges, objective: 'greeks', greeks: ['delta', 'rho'] }, 'greeks[1]');
    await rejects({ book, market, instruments: hedges, objective: 'scenarios' }, 'scenarios');
    await rejects({ book, market, instruments: hedges, objectve: 'greeks' }, 'args.objectve');
    expectInputError(() => { throw new InputError('x', 1, 'y'); }, 'x');
  });
});
