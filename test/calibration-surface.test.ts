import { describe, it, expect, beforeAll } from 'vitest';
import jan from '../data/market/deribit_options_snapshot_20260105T153329Z.csv?raw';
import apr from '../data/market/deribit_options_snapshot_20260415T102447Z.csv?raw';
import { BACKENDS, engineFor } from './backends.js';
import { DROP_REASONS, InputError, loadDeribitChain, type Engine } from '../src/index.js';

const SNAPSHOTS = [['2026-01-05', jan], ['2026-04-15', apr]] as const;

// Floors measured on these snapshots (see the calibration report), with a margin: rmse in vol
// points against the mid, fraction of quotes whose model vol lies inside [bid vol, ask vol].
const FLOORS = {
  svi: { rmse: 1.2, inside: 0.75 },
  sabr: { rmse: 2.5, inside: 0.45 },
  ssviPowerLaw: { rmse: 5, inside: 0.2 },
} as const;

describe.each(BACKENDS)('implied-vol surfaces from the bundled Deribit snapshots (%s)', (backend) => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await engineFor(backend);
  });

  it('buildSurface keeps out-of-the-money, two-sided, uncrossed quotes and counts every dropped one by reason', () => {
    for (const [, csv] of SNAPSHOTS) {
      const chain = loadDeribitChain(csv);
      for (const currency of ['BTC', 'ETH']) {
        const s = engine.buildSurface(chain, { currency });
        const dropped = DROP_REASONS.reduce((n, r) => n + s.dropped[r], 0);
        expect(s.kept + dropped).toBe(chain.length);
        expect(s.kept).toBeGreaterThan(200);
        expect(s.dropped.otherCurrency).toBe(chain.currency.filter((c) => c !== currency).length);
        const q = s.quotes;
        for (let i = 0; i < s.kept; i++) {
          const F = s.forwards[i];
          expect(q.types[i] === 'call' ? q.strikes[i] >= F : q.strikes[i] < F).toBe(true);
          expect(q.bids[i]).toBeLessThanOrEqual(q.vols[i]);
          expect(q.vols[i]).toBeLessThanOrEqual(q.asks[i]);
          expect(q.weights[i]).toBeGreaterThan(0);
        }
        // Prices are in forward units; the mid's implied vol reprices it (coin settlement).
        const re = engine.black76({ forwards: s.forwards, strikes: q.strikes, expiries: q.expiries, vols: q.vols, types: q.types, settlement: 'coin' });
        re.price.forEach((p, i) => expect(Math.abs(p - s.midPrices[i])).toBeLessThan(1e-12));
      }
    }
  });

  it('reports malformed CSV rows with their line numbers (skip) or rejects them, and counts crossed quotes', () => {
    const lines = jan.split('\n');
    const header = lines[0].split(',');
    const bidCol = header.indexOf('bid_price'), askCol = header.indexOf('ask_price');
    const crossed = lines[1].split(',');
    [crossed[bidCol], crossed[askCol]] = ['0.2', '0.1'];
    const text = [lines[0], lines[1], 'garbage,row', crossed.join(','), ...lines.slice(2)].join('\n');
    const chain = loadDeribitChain(text);
    const s = engine.buildSurface(chain, { currency: 'BTC', minExpiry: 0 });
    expect(s.malformedRows.map((r) => r.line)).toEqual([3]);
    expect(s.dropped.crossed + s.dropped.inTheMoney).toBeGreaterThan(0);
    expect(s.kept + DROP_REASONS.reduce((n, r) => n + s.dropped[r], 0)).toBe(chain.length);
    expect(() => loadDeribitChain(text, { onError: 'reject' })).toThrow(InputError);
    expect(() => engine.buildSurface(chain, { currency: 'BTC', weighting: 'bad' as never })).toThrow(InputError);
  });

  for (const [date, csv] of SNAPSHOTS) {
    for (const currency of ['BTC', 'ETH']) {
      it(`SVI, SABR and SSVI fit the ${currency} surface of ${date} (rmse vs mid, fraction inside bid-ask)`, () => {
        const s = engine.buildSurface(loadDeribitChain(csv), { currency });
        const args = { forwards: s.forwards, quotes: s.quotes };
        const svi = engine.fitSvi(args);
        const sabr = engine.calibrateSabr(args);
        const ssvi = engine.fitSsvi(args);
        const ssviH = engine.fitSsvi({ ...args, phi: 'hestonLike' });
        const row = (name: string, r: { rmse: number; insideBidAsk: number; iterations: number; elapsedMs: number; reason: string }) =>
          `${date} ${currency} ${backend} ${name}: rmse ${r.rmse.toFixed(3)} vol pts, inside ${(100 * r.insideBidAsk).toFixed(1)}%, ${r.iterations} it, ${r.elapsedMs.toFixed(1)} ms, ${r.reason}`;
        console.log([row('SVI', svi), row('SABR b=1', sabr), row('SSVI power', ssvi), row('SSVI heston', ssviH)].join('\n'));
        for (const r of [svi, sabr, ssvi, ssviH]) expect(r.reason).not.toBe('nonFinite');
        expect(svi.rmse).toBeLessThan(FLOORS.svi.rmse);
        expect(svi.insideBidAsk).toBeGreaterThan(FLOORS.svi.inside);
        expect(sabr.rmse).toBeLessThan(FLOORS.sabr.rmse);
        expect(sabr.insideBidAsk).toBeGreaterThan(FLOORS.sabr.inside);
        expect(ssvi.rmse).toBeLessThan(FLOORS.ssviPowerLaw.rmse);
        expect(ssvi.insideBidAsk).toBeGreaterThan(FLOORS.ssviPowerLaw.inside);
        expect(ssvi.arbitrage.calendarFree && ssvi.arbitrage.butterflyFree).toBe(true);
        expect(svi.residuals.length).toBe(s.kept);
      });
    }
  }
});
