import { describe, it, expect, beforeAll } from 'vitest';
import jan from '../data/market/deribit_options_snapshot_20260105T153329Z.csv?raw';
import apr from '../data/market/deribit_options_snapshot_20260415T102447Z.csv?raw';
import { BACKENDS, engineFor } from './backends.js';
import { InputError, loadDeribitChain, type Engine, type HestonParams } from '../src/index.js';
import {
  calibrateHeston, hestonModel, priceModelProblem, sortQuotes, type CalibrateHestonArgs,
} from '../src/calibration/heston-calibration.js';
import { prepareQuotes } from '../src/calibration/quotes.js';

const NAMES = ['v0', 'kappa', 'theta', 'sigma', 'rho'] as const;
const TRUE: HestonParams = { v0: 0.04, kappa: 3, theta: 0.05, sigma: 0.6, rho: -0.7 };
const F = 100;
const EXPIRIES = [0.1, 0.25, 0.5, 1, 2];

/** A 200-quote synthetic surface: 40 out-of-the-money strikes per expiry over -3..+2 sd, priced with the pricer. */
function syntheticSurface(engine: Engine, params: HestonParams): CalibrateHestonArgs['quotes'] & { prices: Float64Array; vols: Float64Array } {
  const strikes: number[] = [], expiries: number[] = [];
  for (const T of EXPIRIES) for (let j = 0; j < 40; j++) {
    strikes.push(F * Math.exp(Math.sqrt(0.045 * T) * (-3 + (5 * j) / 39)));
    expiries.push(T);
  }
  const types = strikes.map((K) => (K >= F ? 'call' : 'put')) as ('call' | 'put')[];
  const prices = engine.hestonPrice({ forwards: F, strikes, expiries, types, params }).price;
  const vols = engine.impliedVol({ prices, forwards: F, strikes, expiries, types }).vols;
  return { strikes, expiries, types, prices, vols };
}

/** Starts: the default (from the smile), a far one with kappa 0.5 (QuantLib's helper drifts to kappa -> 0 from there), and one on the other side. */
const STARTS: (HestonParams | undefined)[] = [
  undefined,
  { v0: 0.1, kappa: 0.5, theta: 0.1, sigma: 0.3, rho: 0 },
  { v0: 0.01, kappa: 10, theta: 0.2, sigma: 2, rho: 0.5 },
];

const SNAPSHOTS = [['2026-01-05', jan], ['2026-04-15', apr]] as const;

// Measured on the bundled snapshots (wasm and js agree), with a margin: Heston, one parameter set
// for every expiry from 2 days to a year, cannot bend to the short crypto smiles, so these are far
// looser than the per-slice SVI floors. rmse in vol points vs the mid, fraction inside [bid, ask].
const DERIBIT_FLOORS = { rmse: 4.5, inside: 0.15 } as const;

describe.each(BACKENDS)('Heston calibration (%s)', (backend) => {
  let engine: Engine;
  let surface: ReturnType<typeof syntheticSurface>;
  beforeAll(async () => {
    engine = await engineFor(backend);
    surface = syntheticSurface(engine, TRUE);
  });

  for (const objective of ['vol', 'price'] as const) {
    it(`recovers known parameters from a 200-quote surface, three starts including kappa 0.5 (${objective} objective)`, () => {
      for (const initial of STARTS) {
        const quotes = objective === 'vol'
          ? { strikes: surface.strikes, expiries: surface.expiries, types: surface.types, vols: surface.vols }
          : { strikes: surface.strikes, expiries: surface.expiries, types: surface.types, prices: surface.prices };
        const r = calibrateHeston(engine, { forwards: F, quotes, objective, initial });
        for (const name of NAMES) expect(Math.abs(r.params[name] - TRUE[name]), `${name} from ${JSON.stringify(initial)}`).toBeLessThan(1e-6);
        expect(['converged', 'smallStep', 'stationaryPoint']).toContain(r.reason);
        expect(r.iterations).toBeLessThan(30);
        expect(r.rmse).toBeLessThan(objective === 'vol' ? 1e-6 : 1e-8); // vol points / price units
        expect(r.residuals.length).toBe(200);
      }
    });
  }

  it('analytic Jacobian of the vol and price residuals against central differences', () => {
    for (const objective of ['vol', 'price'] as const) {
      const Q = prepareQuotes(engine, { forwards: F, quotes: { strikes: surface.strikes, expiries: surface.expiries, types: surface.types, vols: surface.vols }, objective });
      const S = sortQuotes(Q);
      const problem = priceModelProblem(engine, Q, S, hestonModel(engine, S), 0, null);
      const m = problem.nResiduals, n = 5;
      for (const p of [[0.05, 1.5, 0.06, 0.5, -0.5], [0.02, 4, 0.04, 1.2, 0.3]]) {
        const J = new Float64Array(m * n), r0 = new Float64Array(m);
        problem.evaluate(Float64Array.from(p), r0, J);
        const up = new Float64Array(m), dn = new Float64Array(m);
        for (let j = 0; j < n; j++) {
          const h = 1e-5 * Math.max(Math.abs(p[j]), 0.1);
          const pu = Float64Array.from(p), pd = Float64Array.from(p);
          pu[j] += h;
          pd[j] -= h;
          problem.evaluate(pu, up, null);
          problem.evaluate(pd, dn, null);
          let worst = 0, scale = 0;
          for (let i = 0; i < m; i++) scale = Math.max(scale, Math.abs((up[i] - dn[i]) / (2 * h)));
          for (let i = 0; i < m; i++) worst = Math.max(worst, Math.abs(J[i * n + j] - (up[i] - dn[i]) / (2 * h)));
          expect(worst / scale, `${objective} d/d${NAMES[j]} at ${p}`).toBeLessThan(1e-6);
        }
      }
    }
  });

  it('the finite-difference Jacobian option reaches the same fit with more evaluations', () => {
    const quotes = { strikes: surface.strikes, expiries: surface.expiries, types: surface.types, vols: surface.vols };
    const a = calibrateHeston(engine, { forwards: F, quotes, initial: STARTS[1] });
    const c = calibrateHeston(engine, { forwards: F, quotes, initial: STARTS[1], jacobian: 'central' });
    for (const name of NAMES) expect(Math.abs(c.params[name] - a.params[name])).toBeLessThan(1e-6);
    expect(c.evaluations).toBeGreaterThan(5 * a.evaluations);
  });

  it('every evaluated point lies in the bounds; a bound below the truth binds', () => {
    const quotes = { strikes: surface.strikes, expiries: surface.expiries, types: surface.types, vols: surface.vols };
    const lower = { v0: 0.02, kappa: 0.2, theta: 0.01, sigma: 0.1, rho: -0.6 };
    const upper = { v0: 0.2, kappa: 2, theta: 0.3, sigma: 3, rho: 0.9 };
    let points = 0;
    const r = calibrateHeston(engine, {
      forwards: F, quotes, initial: STARTS[2], bounds: { lower, upper },
      onEvaluate: (p) => {
        points++;
        NAMES.forEach((name, j) => {
          expect(p[j]).toBeGreaterThanOrEqual(lower[name]);
          expect(p[j]).toBeLessThanOrEqual(upper[name]);
        });
      },
    });
    expect(points).toBeGreaterThan(3);
    expect(r.params.rho).toBe(-0.6); // truth -0.7 is outside
  });

  it('a calibration that cannot converge returns its reason and its best point', () => {
    const quotes = { strikes: surface.strikes, expiries: surface.expiries, types: surface.types, vols: surface.vols };
    const r = calibrateHeston(engine, { forwards: F, quotes, initial: STARTS[1], maxIterations: 2 });
    expect(r.reason).toBe('maxIterations');
    expect(r.iterations).toBe(2);
    expect(Number.isFinite(r.rmse)).toBe(true);
  });

  it('multi-start keeps the best start; fixed parameters stay put; the Feller penalty enforces 2 kappa theta >= sigma^2', () => {
    const quotes = { strikes: surface.strikes, expiries: surface.expiries, types: surface.types, vols: surface.vols };
    const ms = calibrateHeston(engine, { forwards: F, quotes, initial: STARTS[1], starts: [STARTS[2]!], extraStarts: 1, maxIterations: 40 });
    expect(ms.runs.length).toBe(3);
    expect(ms.runs[ms.bestStart].cost).toBe(Math.min(...ms.runs.map((x) => x.cost)));
    const fx = calibrateHeston(engine, { forwards: F, quotes, initial: { ...TRUE, kappa: 2 }, fixed: ['kappa'] });
    expect(fx.params.kappa).toBe(2);
    const free = calibrateHeston(engine, { forwards: F, quotes });
    expect(free.feller.holds).toBe(false); // 2 * 3 * 0.05 = 0.3 < 0.36
    const fel = calibrateHeston(engine, { forwards: F, quotes, fellerPenalty: 100 });
    expect(fel.feller.ratio).toBeGreaterThan(0.995);
    expect(fel.rmse).toBeGreaterThan(free.rmse);
  });

  it('malformed calls throw InputError with the path', () => {
    const quotes = { strikes: surface.strikes, expiries: surface.expiries, types: surface.types, vols: surface.vols };
    const err = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return e;
      }
      return null;
    };
    const e1 = err(() => calibrateHeston(engine, { forwards: F, quotes, initial: { ...TRUE, kappa: NaN } }));
    expect(e1).toBeInstanceOf(InputError);
    expect((e1 as InputError).path).toBe('initial.kappa');
    const e2 = err(() => calibrateHeston(engine, { forwards: F, quotes, fixed: ['nope' as never] }));
    expect((e2 as InputError).path).toBe('fixed[0]');
    const e3 = err(() => calibrateHeston(engine, { forwards: F, quotes, fellerPenalty: -1 }));
    expect((e3 as InputError).path).toBe('fellerPenalty');
  });

  for (const [date, csv] of SNAPSHOTS) {
    for (const currency of ['BTC', 'ETH']) {
      it(`fits the ${currency} surface of ${date} (rmse in vol points, fraction inside bid-ask)`, () => {
        const s = engine.buildSurface(loadDeribitChain(csv), { currency });
        const r = calibrateHeston(engine, { forwards: s.forwards, quotes: s.quotes });
        console.log(`${date} ${currency} ${backend} Heston: ${JSON.stringify(r.params)} rmse ${r.rmse.toFixed(3)} vol pts, max ${r.maxAbsError.toFixed(2)}, inside ${(100 * r.insideBidAsk).toFixed(1)}%, ${r.iterations} it, ${r.elapsedMs.toFixed(1)} ms, ${r.reason}, Feller ${r.feller.ratio.toFixed(2)}`);
        expect(['converged', 'smallStep', 'stationaryPoint']).toContain(r.reason);
        expect(r.rmse).toBeLessThan(DERIBIT_FLOORS.rmse);
        expect(r.insideBidAsk).toBeGreaterThan(DERIBIT_FLOORS.inside);
      });
    }
  }
});
