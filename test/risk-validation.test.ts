/**
 * Malformed calls of the market-risk entry points (issue 11 items 6, 7, 8, 14): unknown option keys
 * with the closest valid key, enums, Student-t nu, documented upper bounds (no RangeError, no hang),
 * hostile array/object shapes, asset names that are Object.prototype members, price-history CSV
 * numbers, and the Kupiec doc example pinned against an independent computation.
 */
import { describe, expect, it } from 'vitest';
import {
  InputError, PriceCsvError, acerbiSzekely, alignHistories, binomialCdf, christoffersen, kupiec, parsePriceCsv, priceReturns,
  stressedVar, trafficLight, monteCarloScenarios, empiricalTail, weightedTail, portfolioSensitivities, type Engine, type Portfolio,
} from '../src/index.js';
import { BACKENDS, engineFor, expectInputError } from './backends.js';
import backtestsSource from '../src/risk/backtests.ts?raw';

/** A deterministic, heavy-ish P&L series (no RNG needed: a quasi-periodic signal). */
const PNL = Array.from({ length: 300 }, (_, i) => 100 * Math.sin(i * 1.7) * Math.cos(i * 0.31) + 20 * Math.sin(i * 0.05));
const PORTFOLIO: Portfolio = {
  spots: { BTC: 60000, ETH: 3000 },
  positions: [
    { kind: 'spot', asset: 'BTC', quantity: 1 },
    { kind: 'option', asset: 'ETH', quantity: -10, strike: 3200, expiry: 0.25, vol: 0.6, type: 'call' },
  ],
};
const SCENARIOS = { assets: ['BTC', 'ETH'], logReturns: Array.from({ length: 60 }, (_, i) => [0.03 * Math.sin(i), 0.04 * Math.cos(1.3 * i)]) };

/** An aligned history (alignHistories) of BTC and ETH over `n` days from 2020-01-01. */
function history(n: number) {
  const day = (i: number) => new Date(Date.UTC(2020, 0, 1) + i * 86400000).toISOString().slice(0, 10);
  const dates = Array.from({ length: n }, (_, i) => day(i));
  const mk = (s0: number, f: number) => ({ dates, close: Float64Array.from(dates, (_, i) => s0 * Math.exp(0.05 * Math.sin(i * f))) });
  return alignHistories({ BTC: mk(60000, 0.7), ETH: mk(3000, 1.1) });
}

describe.each(BACKENDS)('market-risk malformed calls (%s)', (backend) => {
  const engine = (): Promise<Engine> => engineFor(backend);

  it('item 6: an unknown key is an InputError naming it and the closest valid key, at every level', async () => {
    const e = await engine();
    const base = { pnl: PNL, confidence: 0.99 };
    const cases: [() => unknown, string, string | undefined][] = [
      [() => e.valueAtRisk({ ...base, horizonDay: 10 } as never), 'horizonDay', 'horizonDays'],
      [() => e.valueAtRisk({ ...base, methd: 'normal' } as never), 'methd', 'method'],
      [() => e.valueAtRisk({ ...base, bootstrap: { sampels: 50 } } as never), 'bootstrap.sampels', 'samples'],
      [() => e.valueAtRisk({ ...base, method: 'garch', garch: { modle: 'gjr' } } as never), 'garch.modle', 'model'],
      [() => e.valueAtRisk({ portfolio: PORTFOLIO, confidence: 0.99, method: 'monteCarlo', monteCarlo: { vols: [0.5, 0.7], path: 500 } } as never), 'monteCarlo.path', 'paths'],
      [() => e.valueAtRisk({ portfolio: PORTFOLIO, confidence: 0.99, method: 'deltaNormal', deltaGamma: { covarience: [[1, 0], [0, 1]] } } as never), 'deltaGamma.covarience', 'covariance'],
      [() => e.valueAtRisk({ portfolio: PORTFOLIO, scenarios: { ...SCENARIOS, horizn: 0.1 }, confidence: 0.99 } as never), 'scenarios.horizn', 'horizon'],
      [() => e.revaluePortfolio({ portfolio: PORTFOLIO, scenarios: SCENARIOS, positionPNL: true } as never), 'positionPNL', 'positionPnl'],
      [() => e.revaluePortfolio({ portfolio: { ...PORTFOLIO, spot: {} }, scenarios: SCENARIOS } as never), 'portfolio.spot', 'spots'],
      [() => e.revaluePortfolio({ portfolio: { ...PORTFOLIO, positions: [{ ...PORTFOLIO.positions[1], volShockscale: 2 }] }, scenarios: SCENARIOS } as never), 'portfolio.positions[0].volShockscale', 'volShockScale'],
      [() => e.revaluePortfolio({ portfolio: { ...PORTFOLIO, accounts: { a: { numeraire: 'BTC', numerair: 'x' } } }, scenarios: SCENARIOS } as never), 'portfolio.accounts.a.numerair', 'numeraire'],
      [() => e.rollingBacktest({ returns: PNL, methods: ['historical'], window: 100, confidence: 0.99, windw: 5 } as never), 'windw', 'window'],
      [() => e.rollingBacktest({ returns: PNL, methods: ['ageWeighted'], window: 100, confidence: 0.99, options: { lamda: 0.9 } } as never), 'options.lamda', 'lambda'],
      [() => e.stressTest({ portfolio: PORTFOLIO, grid: { spotShock: [0.1] } } as never), 'grid.spotShock', 'spotShocks'],
      [() => e.stressTest({ portfolio: PORTFOLIO, history: history(30), periods: [{ name: 'x', form: '2020-01-01', to: '2020-01-10' }] } as never), 'periods[0].form', 'from'],
      [() => stressedVar(e, { portfolio: PORTFOLIO, history: history(60), confidence: 0.99, windowDay: 30 } as never), 'windowDay', 'windowDays'],
      [() => monteCarloScenarios(e, PORTFOLIO, { vols: [0.5, 0.7], horizonDay: 10 } as never), 'monteCarlo.horizonDay', 'horizonDays'],
      [() => kupiec({ observation: 250, exceedances: 3, confidence: 0.99 } as never), 'observation', 'observations'],
      [() => christoffersen({ hit: [0, 1], confidence: 0.99 } as never), 'hit', 'hits'],
      [() => trafficLight({ observations: 250, exceedence: 3, confidence: 0.99 } as never), 'exceedence', 'exceedances'],
      [() => acerbiSzekely({ losses: [1], vars: [1], ess: [2], confidence: 0.99, simulation: 100 } as never), 'simulation', 'simulations'],
      [() => acerbiSzekely({ losses: [1], vars: [1], ess: [2], confidence: 0.99, distribution: { kind: 'normal', locaton: [0] } } as never), 'distribution.locaton', 'location'],
      [() => parsePriceCsv('date,close\n2020-01-01,1\n', { fle: 'a.csv' } as never), 'options.fle', 'file'],
      [() => alignHistories({ BTC: { dates: ['2020-01-01'], closes: [1] } } as never), 'histories.BTC.closes', 'close'],
    ];
    for (const [f, path, suggestion] of cases) {
      const err = expectInputError(f, path);
      expect(err.suggestion, path).toBe(suggestion);
    }
  });

  it('item 6: the correctly spelled call still runs (horizonDays 10 is not the 1-day VaR)', async () => {
    const e = await engine();
    const one = e.valueAtRisk({ pnl: PNL, confidence: 0.99 });
    const ten = e.valueAtRisk({ pnl: PNL, confidence: 0.99, horizonDays: 10 });
    // sqrt-of-time scaling of the same estimator: exact up to one multiplication's rounding.
    expect(ten.var).toBeCloseTo(one.var * Math.sqrt(10), 10);
    expect(ten.horizonMethod).toBe('sqrt');
  });

  it('stress periods: an impossible calendar date (2020-02-30, which Date.parse rolls to 1 March) is an InputError', async () => {
    const e = await engineFor(backend);
    expectInputError(() => e.stressTest({ portfolio: PORTFOLIO, history: history(30), periods: [{ name: 'x', from: '2020-02-30', to: '2020-03-10' }] }), 'periods[0].from');
  });

  it('item 7: every enum is checked, whatever the horizon', async () => {
    const e = await engine();
    const base = { pnl: PNL, confidence: 0.99 };
    expectInputError(() => e.valueAtRisk({ ...base, horizonDays: 10, horizonScaling: 'bogus' as never }), 'horizonScaling');
    expectInputError(() => e.valueAtRisk({ ...base, horizonScaling: 'bogus' as never }), 'horizonScaling');
    expectInputError(() => e.valueAtRisk({ ...base, method: 'garch', garch: { model: 'egarch' as never } }), 'garch.model');
    expectInputError(() => e.valueAtRisk({ ...base, method: 'garch', garch: { distribution: 'cauchy' as never } }), 'garch.distribution');
    expectInputError(() => e.valueAtRisk({ ...base, method: 'toString' as never }), 'method');
    expectInputError(() => e.valueAtRisk({ ...base, allocation: 'yes' as never }), 'allocation');
    expectInputError(() => e.valueAtRisk({ portfolio: PORTFOLIO, confidence: 0.99, method: 'deltaNormal', deltaGamma: { covariance: [[1e-4, 0], [0, 1e-4]], volShockMode: 'cubic' as never } }), 'deltaGamma.volShockMode');
    expectInputError(() => e.revaluePortfolio({ portfolio: PORTFOLIO, scenarios: { ...SCENARIOS, volShockMode: 'toString' as never } }), 'scenarios.volShockMode');
    expectInputError(() => e.stressTest({ portfolio: PORTFOLIO, grid: { spotShocks: [0.1], volShockMode: 'x' as never } }), 'grid.volShockMode');
    expectInputError(() => e.rollingBacktest({ prices: PNL.map((x) => 1000 + x), returnType: 'percent' as never, methods: ['historical'], window: 100, confidence: 0.99 }), 'returnType');
    expectInputError(() => e.rollingBacktest({ returns: PNL, methods: ['historical', 'bogus' as never], window: 100, confidence: 0.99 }), 'methods[1]');
    expectInputError(() => e.rollingBacktest({ returns: PNL, methods: ['monteCarlo'], window: 100, confidence: 0.99 }), 'methods[0]');
    expectInputError(() => portfolioSensitivities(e, PORTFOLIO, 1 / 365, 'cubic' as never), 'mode');
    expectInputError(() => priceReturns([1, 2], 'percent' as never), 'kind');
  });

  it('item 7: Student-t nu is a number in (1, 1e6], and > 2 when the horizon is reached by sqrt scaling', async () => {
    const e = await engine();
    const t = (nu: unknown, extra: object = {}) => () => e.valueAtRisk({ pnl: PNL, confidence: 0.99, method: 'studentT', nu: nu as number, ...extra });
    for (const bad of ['5', 0.5, 1, -3, 0, NaN, Infinity, 1e7, null]) expectInputError(t(bad), 'nu');
    // 1 < nu <= 2: the location-scale t has a finite ES (nu > 1), so 1-day VaR/ES are defined...
    for (const nu of [1.05, 1.5, 2, 2.5, 5, 1e6]) {
      const r = t(nu)() as { var: number; es: number };
      expect(Number.isFinite(r.es), `nu ${nu}`).toBe(true);
      expect(r.es, `nu ${nu}`).toBeGreaterThan(r.var);
      expect(r.var, `nu ${nu}`).toBeGreaterThan(0);
    }
    // ...but the square-root-of-time rule needs a finite variance.
    expectInputError(t(1.5, { horizonDays: 10 }), 'nu');
    expectInputError(t(2, { horizonDays: 10, horizonScaling: 'sqrt' }), 'nu');
    expect(Number.isFinite((t(2.5, { horizonDays: 10 })() as { es: number }).es)).toBe(true);
    expectInputError(() => e.rollingBacktest({ returns: PNL, methods: ['studentT'], window: 100, confidence: 0.99, options: { nu: 0.5 } }), 'options.nu');
    expectInputError(() => acerbiSzekely({ losses: [1, 2], vars: [1, 1], ess: [2, 2], confidence: 0.99, distribution: { kind: 't', nu: 1 } }), 'distribution.nu');
    expectInputError(() => acerbiSzekely({ losses: [1, 2], vars: [1, 1], ess: [2, 2], confidence: 0.99, distribution: { kind: 't', nu: [5, 0.5] } }), 'distribution.nu[1]');
  });

  it('item 7: documented upper bounds are InputErrors, not RangeErrors or minutes of work', async () => {
    const e = await engine();
    const base = { pnl: PNL, confidence: 0.99 };
    for (const h of [6e8, 10001, 0, 1.5, -1, NaN, '10']) expectInputError(() => e.valueAtRisk({ ...base, horizonDays: h as number }), 'horizonDays');
    expect(e.valueAtRisk({ ...base, horizonDays: 10000 }).horizonDays).toBe(10000);
    for (const s of [1e308, 1e7 + 1, 99, 1000.5]) expectInputError(() => e.valueAtRisk({ ...base, method: 'ewma', horizonDays: 5, simulations: s }), 'simulations');
    for (const s of [1e308, 1e6 + 1, 9]) expectInputError(() => e.valueAtRisk({ ...base, bootstrap: { samples: s } }), 'bootstrap.samples');
    expectInputError(() => e.valueAtRisk({ ...base, bootstrap: { level: 1 } }), 'bootstrap.level');
    expectInputError(() => e.valueAtRisk({ ...base, bootstrap: { seed: -1 } }), 'bootstrap.seed');
    expectInputError(() => e.valueAtRisk({ ...base, seed: 1.5 }), 'seed');
    const mc = (o: object) => () => e.valueAtRisk({ portfolio: PORTFOLIO, confidence: 0.99, method: 'monteCarlo', monteCarlo: { vols: [0.5, 0.7], ...o } });
    expectInputError(mc({ paths: 1e308 }), 'monteCarlo.paths');
    expectInputError(mc({ horizonDays: Infinity }), 'monteCarlo.horizonDays');
    expectInputError(mc({ horizonDays: 6e8 }), 'monteCarlo.horizonDays');
    expectInputError(mc({ vols: [1e200, 0.7], paths: 10 }), 'monteCarlo.vols[0]');
    expectInputError(mc({ spotVolCorrelation: [2, 0] }), 'monteCarlo.spotVolCorrelation[0]');
    expectInputError(() => e.rollingBacktest({ returns: PNL, methods: ['historical'], window: 100, confidence: 0.99, esSimulations: 1e308 }), 'esSimulations');
    expectInputError(() => acerbiSzekely({ losses: [1], vars: [1], ess: [2], confidence: 0.99, simulations: 1e308 }), 'simulations');
    // stressedVar with step 0 looped forever; a negative step too.
    for (const step of [0, -5, 0.5]) expectInputError(() => stressedVar(e, { portfolio: PORTFOLIO, history: history(60), confidence: 0.99, windowDays: 30, step }), 'step');
    expectInputError(() => stressedVar(e, { portfolio: PORTFOLIO, history: history(60), confidence: 0.99 }), 'windowDays');
  });

  it('item 7: hostile shapes for every array and object field throw InputError (never TypeError/RangeError)', async () => {
    const e = await engine();
    const hostile: unknown[] = [{ length: -1 }, { length: 1e10 }, { length: NaN }, { length: 2.5 }, null, 'abc', 42, {}];
    const hist = history(40);
    const cases: [string, (v: unknown) => unknown][] = [
      ['args', (v) => e.valueAtRisk(v as never)],
      ['pnl', (v) => e.valueAtRisk({ pnl: v as never, confidence: 0.99 })],
      ['portfolio', (v) => e.valueAtRisk({ portfolio: v as never, scenarios: SCENARIOS, confidence: 0.99 })],
      ['portfolio.spots', (v) => e.valueAtRisk({ portfolio: { ...PORTFOLIO, spots: v as never }, scenarios: SCENARIOS, confidence: 0.99 })],
      ['portfolio.positions', (v) => e.valueAtRisk({ portfolio: { ...PORTFOLIO, positions: v as never }, scenarios: SCENARIOS, confidence: 0.99 })],
      ['portfolio.positions[0]', (v) => e.valueAtRisk({ portfolio: { ...PORTFOLIO, positions: [v as never] }, scenarios: SCENARIOS, confidence: 0.99 })],
      ['portfolio.accounts', (v) => e.valueAtRisk({ portfolio: { ...PORTFOLIO, accounts: v as never }, scenarios: SCENARIOS, confidence: 0.99 })],
      ['scenarios', (v) => e.revaluePortfolio({ portfolio: PORTFOLIO, scenarios: v as never })],
      ['scenarios.assets', (v) => e.revaluePortfolio({ portfolio: PORTFOLIO, scenarios: { ...SCENARIOS, assets: v as never } })],
      ['scenarios.logReturns', (v) => e.revaluePortfolio({ portfolio: PORTFOLIO, scenarios: { ...SCENARIOS, logReturns: v as never } })],
      ['scenarios.volShocks', (v) => e.revaluePortfolio({ portfolio: PORTFOLIO, scenarios: { ...SCENARIOS, volShocks: v as never } })],
      ['bootstrap', (v) => e.valueAtRisk({ pnl: PNL, confidence: 0.99, bootstrap: v as never })],
      ['garch', (v) => e.valueAtRisk({ pnl: PNL, confidence: 0.99, method: 'garch', garch: v as never })],
      ['monteCarlo', (v) => e.valueAtRisk({ portfolio: PORTFOLIO, confidence: 0.99, method: 'monteCarlo', monteCarlo: v as never })],
      ['monteCarlo.vols', (v) => e.valueAtRisk({ portfolio: PORTFOLIO, confidence: 0.99, method: 'monteCarlo', monteCarlo: { vols: v as never } })],
      ['monteCarlo.correlation', (v) => e.valueAtRisk({ portfolio: PORTFOLIO, confidence: 0.99, method: 'monteCarlo', monteCarlo: { vols: [0.5, 0.5], correlation: v as never } })],
      ['deltaGamma', (v) => e.valueAtRisk({ portfolio: PORTFOLIO, confidence: 0.99, method: 'deltaNormal', deltaGamma: v as never })],
      ['deltaGamma.covariance', (v) => e.valueAtRisk({ portfolio: PORTFOLIO, confidence: 0.99, method: 'deltaGamma', deltaGamma: { covariance: v as never } })],
      ['returns', (v) => e.rollingBacktest({ returns: v as never, methods: ['historical'], window: 20, confidence: 0.99 })],
      ['prices', (v) => e.rollingBacktest({ prices: v as never, methods: ['historical'], window: 20, confidence: 0.99 })],
      ['dates', (v) => e.rollingBacktest({ returns: PNL, dates: v as never, methods: ['historical'], window: 100, confidence: 0.99 })],
      ['methods', (v) => e.rollingBacktest({ returns: PNL, methods: v as never, window: 100, confidence: 0.99 })],
      ['options', (v) => e.rollingBacktest({ returns: PNL, methods: ['historical'], window: 100, confidence: 0.99, options: v as never })],
      ['grid', (v) => e.stressTest({ portfolio: PORTFOLIO, grid: v as never })],
      ['grid.spotShocks', (v) => e.stressTest({ portfolio: PORTFOLIO, grid: { spotShocks: v as never } })],
      ['grid.volShocks', (v) => e.stressTest({ portfolio: PORTFOLIO, grid: { spotShocks: [0.1], volShocks: v as never } })],
      ['history', (v) => e.stressTest({ portfolio: PORTFOLIO, history: v as never })],
      ['history.dates', (v) => e.stressTest({ portfolio: PORTFOLIO, history: { ...hist, dates: v as never } })],
      ['history.prices', (v) => e.stressTest({ portfolio: PORTFOLIO, history: { ...hist, prices: v as never } })],
      ['periods', (v) => e.stressTest({ portfolio: PORTFOLIO, history: hist, periods: v as never })],
      ['historicalVolShocks', (v) => e.stressTest({ portfolio: PORTFOLIO, history: hist, historicalVolShocks: v as never })],
      ['history', (v) => stressedVar(e, { portfolio: PORTFOLIO, history: v as never, confidence: 0.99, windowDays: 20 })],
      ['history.returns', (v) => stressedVar(e, { portfolio: PORTFOLIO, history: { ...hist, returns: v as never }, confidence: 0.99, windowDays: 20 })],
      ['hits', (v) => christoffersen({ hits: v as never, confidence: 0.99 })],
      ['losses', (v) => acerbiSzekely({ losses: v as never, vars: [1], ess: [2], confidence: 0.99 })],
      ['vars', (v) => acerbiSzekely({ losses: [1], vars: v as never, ess: [2], confidence: 0.99 })],
      ['ess', (v) => acerbiSzekely({ losses: [1], vars: [1], ess: v as never, confidence: 0.99 })],
      ['distribution', (v) => acerbiSzekely({ losses: [1], vars: [1], ess: [2], confidence: 0.99, distribution: v as never })],
      ['distribution.scale', (v) => acerbiSzekely({ losses: [1], vars: [1], ess: [2], confidence: 0.99, distribution: { kind: 'normal', scale: v as never } })],
      ['prices', (v) => priceReturns(v as never)],
      ['sample', (v) => empiricalTail(e, v as never, 0.99)],
      ['losses', (v) => weightedTail(v as never, [1], 0.99)],
      ['weights', (v) => weightedTail([1], v as never, 0.99)],
      ['histories', (v) => alignHistories(v as never)],
      ['histories.BTC', (v) => alignHistories({ BTC: v as never })],
      ['histories.BTC.close', (v) => alignHistories({ BTC: { dates: ['2020-01-01'], close: v as never } })],
    ];
    for (const [field, call] of cases) {
      for (const v of hostile) {
        let caught: unknown;
        try {
          call(v);
        } catch (err) {
          caught = err;
        }
        const label = `${field} = ${JSON.stringify(v)}`;
        // `{}` is a valid (empty) options object for some fields; everything else must be rejected.
        if (caught === undefined) {
          expect(v, label).toEqual({});
          continue;
        }
        expect(caught, label).toBeInstanceOf(InputError);
        const path = (caught as InputError).path;
        // The error names the field or something inside it; an empty options object may instead
        // surface as the missing required field one level down.
        expect(path === field || path.startsWith(`${field}.`) || path.startsWith(`${field}[`) || (v !== null && typeof v === 'object'), `${label}: path ${path}`).toBe(true);
      }
    }
  });

  it('asset names that are Object.prototype members are data, not inherited properties', async () => {
    const e = await engine();
    // `constructor` is not one of the spots: the inherited Object constructor is not a spot.
    expectInputError(() => e.revaluePortfolio({ portfolio: PORTFOLIO, scenarios: { assets: ['constructor'], logReturns: [[0.1]] } }), 'portfolio.spots.constructor');
    const proto = JSON.parse('{"__proto__": 100, "toString": 50}') as Record<string, number>;
    const pf: Portfolio = { spots: proto, positions: [{ kind: 'spot', asset: '__proto__', quantity: 2 }, { kind: 'spot', asset: 'toString', quantity: 1 }] };
    const r = e.revaluePortfolio({ portfolio: pf, scenarios: { logReturns: [[0, Math.log(2)]] } });
    expect(r.pnl[0]).toBeCloseTo(50, 9);
    // A history without own `toString` prices: an InputError, not NaN P&L.
    expectInputError(() => e.stressTest({ portfolio: { spots: { toString: 1 }, positions: [] }, history: history(10) }), 'history');
    const h = JSON.parse('{"__proto__": {"dates": ["2020-01-01", "2020-01-02"], "close": [1, 2]}}') as never;
    const al = alignHistories(h);
    expect(Object.keys(al.prices)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(al.prices)).toBe(null);
    expect(({} as Record<string, unknown>)[0]).toBeUndefined();
    expect(Array.from(al.returns.__proto__ as unknown as Float64Array)).toEqual([Math.log(2)]);
  });

  it('stressTest with neither a history nor a grid is an InputError (it reported worst P&L Infinity)', async () => {
    const e = await engine();
    expectInputError(() => e.stressTest({ portfolio: PORTFOLIO }), 'history');
  });
});

describe('trafficLight bounds by bisection', () => {
  it('equal the linear scan for T up to 600 at several confidences, and 1e15 observations return at once', () => {
    for (const c of [0.95, 0.975, 0.99, 0.999]) {
      for (let T = 1; T <= 600; T += 7) {
        // Independent of the implementation: the definition as a scan over the binomial CDF.
        let g = -1;
        while (g + 1 <= T && binomialCdf(g + 1, T, 1 - c) < 0.95) g++;
        let y = g;
        while (y + 1 <= T && binomialCdf(y + 1, T, 1 - c) < 0.9999) y++;
        const r = trafficLight({ observations: T, exceedances: 0, confidence: c });
        expect([r.greenMax, r.yellowMax], `T ${T} c ${c}`).toEqual([g, y]);
      }
    }
    const t0 = Date.now();
    const big = trafficLight({ observations: 1e15, exceedances: 1e13, confidence: 0.99 });
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(big.greenMax).toBeGreaterThan(0);
    expectInputError(() => trafficLight({ observations: 1e308, exceedances: 0, confidence: 0.99 }), 'observations');
  });
});

describe('item 8: price-history CSV numbers', () => {
  const csv = (close: string) => `timestamp,open,close\n2020-01-01,1,100\n2020-01-02,1,${close}\n2020-01-03,1,101\n`;

  it('accepts only decimal closes and names line, column and file otherwise', () => {
    for (const bad of ['0x10', '0b1', '0o7', '  ', 'Infinity', '-Infinity', '1_000', '', 'NaN', 'abc', '+-1', '1e', '.', '1.2.3', '0', '-5', '1e-400']) {
      let caught: unknown;
      try {
        parsePriceCsv(csv(bad), { file: 'BTC.csv' });
      } catch (err) {
        caught = err;
      }
      expect(caught, JSON.stringify(bad)).toBeInstanceOf(PriceCsvError);
      const err = caught as PriceCsvError;
      expect(err).toBeInstanceOf(InputError);
      expect([err.path, err.line, err.column, err.file, err.value], JSON.stringify(bad)).toEqual(['line 3', 3, 'close', 'BTC.csv', bad.trim()]);
      expect(err.message.startsWith('BTC.csv: line 3')).toBe(true);
    }
    for (const [good, value] of [['123', 123], ['123.45', 123.45], ['+1.5e3', 1500], ['.5', 0.5], ['5.', 5], ['1E2', 100], [' 7 ', 7]] as const) {
      expect(parsePriceCsv(csv(good)).close[1], good).toBe(value);
    }
  });

  it('a close of 1e999 (a double overflow) is an error at its line, not a scenario index later', () => {
    const lines = ['timestamp,close', ...Array.from({ length: 700 }, (_, i) => `${new Date(Date.UTC(2020, 0, 1) + i * 86400000).toISOString().slice(0, 10)},${100 + i}`)];
    lines[599] = lines[599].replace(/,.*/, ',1e999');
    const err = expectInputError(() => parsePriceCsv(lines.join('\n')), 'line 600') as PriceCsvError;
    expect(err).toBeInstanceOf(PriceCsvError);
    expect([err.line, err.column, err.file]).toEqual([600, 'close', undefined]);
  });

  it('dates must be calendar dates in ascending order (the date column named)', () => {
    for (const d of ['2020-02-30', '2020-13-01', 'yesterday', '']) {
      const err = expectInputError(() => parsePriceCsv(`date,close\n2020-01-01,1\n${d},2\n`), 'line 3') as PriceCsvError;
      expect(err.column).toBe('date');
    }
    const err = expectInputError(() => parsePriceCsv('date,close\n2020-01-02,1\n2020-01-01,2\n'), 'line 3') as PriceCsvError;
    expect(err.column).toBe('date');
    expectInputError(() => alignHistories({ BTC: { dates: ['2020-02-30'], close: Float64Array.of(1) } }), 'histories.BTC.dates[0]');
    expectInputError(() => alignHistories({ BTC: { dates: ['2020-01-01', '2020-01-02'], close: Float64Array.of(1, Infinity) } }), 'histories.BTC.close[1]');
  });
});

/** erfc(x) = 1 - erf(x), erf by its Maclaurin series (x < 3: the partial sums lose < 3 digits). */
function erfc(x: number): number {
  let term = x, sum = x;
  for (let n = 1; n < 200; n++) {
    term *= (-x * x) / n;
    const add = term / (2 * n + 1);
    sum += add;
    if (Math.abs(add) < 1e-18) break;
  }
  return 1 - (2 / Math.sqrt(Math.PI)) * sum;
}

describe('item 14: the kupiec doc example', () => {
  it('kupiec({ observations: 250, exceedances: 8, confidence: 0.99 }) gives statistic 7.7336 and p-value 0.00542', () => {
    const r = kupiec({ observations: 250, exceedances: 8, confidence: 0.99 });
    // Independent: LR_POF in closed form and the chi-square(1) survival function erfc(sqrt(x / 2)).
    const T = 250, x = 8, p = 0.01, ph = x / T;
    const lr = -2 * ((T - x) * Math.log(1 - p) + x * Math.log(p) - (T - x) * Math.log(1 - ph) - x * Math.log(ph));
    expect(r.statistic).toBeCloseTo(lr, 12); // same formula, different summation order: rounding only
    // The series erfc loses about 2 of 16 digits to cancellation at x = 1.97 (terms up to e^{x^2} ~ 48).
    expect(Math.abs(r.pValue - erfc(Math.sqrt(lr / 2))) / r.pValue).toBeLessThan(1e-11);
    expect(r.statistic.toFixed(4)).toBe('7.7336');
    expect(r.pValue.toPrecision(3)).toBe('0.00542');
    expect(r.reject).toBe(true);
  });

  it('the TSDoc @example states the numbers the function returns, to the digits it shows', () => {
    const line = backtestsSource.split('\n').find((l) => l.includes('@example kupiec('));
    const m = /observations: (\d+), exceedances: (\d+), confidence: ([\d.]+) \}\) \/\/ statistic ([\d.]+), pValue ([\d.]+)/.exec(line ?? '');
    expect(m, line).not.toBeNull();
    const [, T, x, c, stat, pv] = m as RegExpExecArray;
    const r = kupiec({ observations: Number(T), exceedances: Number(x), confidence: Number(c) });
    const decimals = (s: string) => s.split('.')[1]?.length ?? 0;
    expect(r.statistic.toFixed(decimals(stat))).toBe(stat);
    expect(r.pValue.toFixed(decimals(pv))).toBe(pv);
  });
});
