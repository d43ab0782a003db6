import { describe, it, expect, beforeAll } from 'vitest';
import btcCsv from '../data/history/BTCUSDT_1d.csv?raw';
import ethCsv from '../data/history/ETHUSDT_1d.csv?raw';
import { BACKENDS, engineFor } from './backends.js';
import { acerbiSzekely, christoffersen, kupiec, parsePriceCsv, philoxNormals, trafficLight, type Engine } from '../src/index.js';

describe('backtest statistics', () => {
  it('Kupiec POF by hand: T = 250, x = 8, 99% -> LR 7.733550724494528, p 0.005420405194127773 (scipy chi2.sf)', () => {
    // LR = -2 [242 ln 0.99 + 8 ln 0.01 - 242 ln(242/250) - 8 ln(8/250)]
    const r = kupiec({ observations: 250, exceedances: 8, confidence: 0.99 });
    expect(r.statistic).toBeCloseTo(7.733550724494528, 11);
    expect(r.pValue).toBeCloseTo(0.005420405194127773, 13);
    expect(r.reject).toBe(true);
    const z = kupiec({ observations: 500, exceedances: 2, confidence: 0.99 });
    expect(z.statistic).toBeCloseTo(2.352982270642155, 11);
    expect(z.pValue).toBeCloseTo(0.12504358446110517, 13);
    expect(kupiec({ observations: 100, exceedances: 0, confidence: 0.99 }).statistic).toBeCloseTo(-2 * 100 * Math.log(0.99), 12);
  });

  it('Christoffersen by hand: hits 000111000011000 -> n00 7, n01 2, n10 2, n11 3; LR_ind 1.9843554597039414, LR_cc 13.872119034150476', () => {
    const hits = [0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 1, 1, 0, 0, 0];
    const r = christoffersen({ hits, confidence: 0.95 });
    expect([r.n00, r.n01, r.n10, r.n11]).toEqual([7, 2, 2, 3]);
    expect(r.pi01).toBeCloseTo(2 / 9, 15);
    expect(r.pi11).toBeCloseTo(3 / 5, 15);
    expect(r.independence.statistic).toBeCloseTo(1.9843554597039414, 11);
    expect(r.independence.pValue).toBeCloseTo(0.15893231912498867, 12);
    expect(r.unconditional.statistic).toBeCloseTo(11.887763574446534, 11); // Kupiec on T = 15, x = 5, p = 0.05
    expect(r.conditionalCoverage.statistic).toBeCloseTo(13.872119034150476, 11);
    expect(r.conditionalCoverage.pValue).toBeCloseTo(0.0009720925742167453, 14);
  });

  it('Basel traffic light, 250 observations at 99%: green 0-4, yellow 5-9, red >= 10, with the plus factors', () => {
    const plus = [0, 0, 0, 0, 0, 0.4, 0.5, 0.65, 0.75, 0.85, 1, 1, 1];
    for (let x = 0; x <= 12; x++) {
      const r = trafficLight({ observations: 250, exceedances: x, confidence: 0.99 });
      expect(r.zone, `x = ${x}`).toBe(x <= 4 ? 'green' : x <= 9 ? 'yellow' : 'red');
      expect(r.plusFactor).toBe(plus[x]);
      expect(r.greenMax).toBe(4);
      expect(r.yellowMax).toBe(9);
    }
    expect(trafficLight({ observations: 250, exceedances: 4, confidence: 0.99 }).cumulativeProbability).toBeCloseTo(0.8921876269036251, 12);
    expect(trafficLight({ observations: 500, exceedances: 5, confidence: 0.99 }).plusFactor).toBeUndefined();
  });

  it('Acerbi-Szekely Z2: accepts correct normal ES, rejects understated ES; seeded and reproducible', () => {
    const T = 1000, c = 0.975;
    const z = philoxNormals(T, 123);
    const zc = 1.959963984540054, esc = 2.3378027922;
    const losses = Array.from(z, (v) => 2 * v);
    const right = acerbiSzekely({ losses, vars: new Array(T).fill(2 * zc), ess: new Array(T).fill(2 * esc), confidence: c, simulations: 500, seed: 1 });
    expect(right.pValue).toBeGreaterThan(0.05);
    expect(right.reject).toBe(false);
    const low = acerbiSzekely({ losses, vars: new Array(T).fill(1.3 * zc), ess: new Array(T).fill(1.3 * esc), confidence: c, simulations: 500, seed: 1 });
    expect(low.statistic).toBeLessThan(right.statistic);
    expect(low.reject).toBe(true);
    // The critical value at 5% is near Acerbi-Szekely's -0.70 for alpha = 2.5%, T = 250 (here T = 1000: closer to 0).
    expect(right.criticalValue).toBeLessThan(0);
    expect(right.criticalValue).toBeGreaterThan(-0.7);
    const again = acerbiSzekely({ losses, vars: new Array(T).fill(2 * zc), ess: new Array(T).fill(2 * esc), confidence: c, simulations: 500, seed: 1 });
    expect(again).toEqual(right);
    const t = acerbiSzekely({ losses, vars: new Array(T).fill(2 * zc), ess: new Array(T).fill(2 * esc), confidence: c, simulations: 200, seed: 1, distribution: { kind: 't', nu: 5 } });
    expect(Number.isFinite(t.criticalValue)).toBe(true);
  });

  it('malformed inputs are InputErrors naming the field', () => {
    expect(() => kupiec({ observations: 10, exceedances: 11, confidence: 0.99 })).toThrow(expect.objectContaining({ code: 'INPUT', path: 'exceedances' }));
    expect(() => christoffersen({ hits: [0, 2, 1], confidence: 0.99 })).toThrow(expect.objectContaining({ code: 'INPUT', path: 'hits[1]' }));
    expect(() => trafficLight({ observations: 250, exceedances: 3, confidence: 99 })).toThrow(expect.objectContaining({ code: 'INPUT', path: 'confidence' }));
  });
});

describe.each(BACKENDS)('rolling backtests on the bundled BTC and ETH histories (%s)', (backend) => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await engineFor(backend);
  });

  for (const [asset, csv] of [['BTC', btcCsv], ['ETH', ethCsv]] as const) {
    it(`${asset}: every method, 99%, 500-day window: exceptions, Kupiec, Christoffersen, traffic light, Acerbi-Szekely`, () => {
      const h = parsePriceCsv(csv);
      const methods = ['historical', 'ageWeighted', 'volatilityScaled', 'filteredHistorical', 'normal', 'studentT', 'cornishFisher', 'ewma', 'garch'] as const;
      const r = engine.rollingBacktest({ prices: h.close, dates: h.dates, methods, window: 500, confidence: 0.99, esSimulations: 200, seed: 1, step: backend === 'js' ? 2 : 1 });
      const lines: string[] = [];
      for (const m of methods) {
        const b = r.methods[m];
        expect(b.observations).toBe(b.vars.length);
        expect(b.exceptions).toBe(b.hits.reduce((a, x) => a + x, 0));
        for (let t = 0; t < b.observations; t++) expect(b.hits[t]).toBe(b.losses[t] > b.vars[t] ? 1 : 0);
        expect(b.ess.every((e, t) => e >= b.vars[t])).toBe(true);
        expect(b.kupiec.pValue).toBeGreaterThanOrEqual(0);
        expect(b.christoffersen.conditionalCoverage.pValue).toBeLessThanOrEqual(1);
        lines.push(`${m.padEnd(18)} T=${b.observations} x=${b.exceptions} (exp ${b.expectedExceptions.toFixed(1)}) Kupiec p=${b.kupiec.pValue.toExponential(2)} ind p=${b.christoffersen.independence.pValue.toFixed(3)} cc p=${b.christoffersen.conditionalCoverage.pValue.toExponential(2)} zone=${b.trafficLight.zone}/${b.trafficLightLast250?.zone} Z2=${b.acerbiSzekely.statistic.toFixed(3)} (crit ${b.acerbiSzekely.criticalValue.toFixed(3)}, p=${b.acerbiSzekely.pValue.toFixed(3)}) ${b.elapsedMs.toFixed(0)} ms`);
      }
      console.log(`[risk] ${asset} rolling backtest (${backend}, 99%, window 500):\n` + lines.join('\n'));
      // Thin-tailed normal VaR is rejected on crypto returns; volatility filtering fixes clustering.
      expect(r.methods.normal.exceptions).toBeGreaterThan(r.methods.normal.expectedExceptions);
      expect(r.methods.filteredHistorical.christoffersen.independence.pValue).toBeGreaterThan(0.01);
    });
  }
});
