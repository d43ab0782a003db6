import { describe, it, expect, beforeAll } from 'vitest';
import btcCsv from '../data/history/BTCUSDT_1d.csv?raw';
import ethCsv from '../data/history/ETHUSDT_1d.csv?raw';
import { BACKENDS, engineFor } from './backends.js';
import type { Engine } from '../src/index.js';
import { calibrateMargin } from '../src/margin/margin-calibration.js';

describe.each(BACKENDS)('explore (%s)', (backend) => {
  let engine: Engine;
  beforeAll(async () => { engine = await engineFor(backend); });
  it('x', () => {
    for (const [c, measure] of [[0.975, 'es'], [0.99, 'var'], [0.99, 'es']] as const) {
      const t0 = performance.now();
      const r = calibrateMargin(engine, { history: btcCsv, confidence: c, measure, mporDays: 2, lookbackDays: 365 });
      console.log(backend, c, measure, (performance.now() - t0).toFixed(0), 'ms', r.explanation);
    }
    for (const apc of [{ buffer: true }, { stressedWeight: true }, { tenYearFloor: true }]) {
      const t0 = performance.now();
      const r = calibrateMargin(engine, { history: btcCsv, confidence: 0.975, measure: 'es', apc });
      console.log(backend, JSON.stringify(apc), (performance.now() - t0).toFixed(0), 'ms', r.explanation, r.baseProcyclicality);
    }
    const r = calibrateMargin(engine, {
      portfolio: { spots: { BTC: 90000, ETH: 3000 }, positions: [
        { kind: 'perpetual', asset: 'BTC', quantity: 1 }, { kind: 'option', asset: 'ETH', quantity: -20, strike: 3000, expiry: 0.1, vol: 0.7, type: 'call' }] },
      histories: { BTC: btcCsv, ETH: ethCsv }, im: 10000, confidence: 0.99, measure: 'es',
    });
    console.log(r.explanation);
  });
});
