/**
 * `riskwasm surface` / `calibrate` use the chain's own settlement: on a Cboe chain (USD prices paid
 * at expiry) the greeks are those of the discounted Black-76 price at the parity discount factor,
 * the text names no Deribit and no coin settlement (the mark IV column is Cboe's IV); the bundled Deribit chain stays
 * coin-settled. Checked against an independent Black-76 (test/independent-black.ts) through the
 * built CLI (dist/cli/main.js).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { MAIN, runCli } from './run-cli.js';
import { normCdf } from '../independent-black.js';

const SPX = 'data/market/spx_quotedata_20230820.csv';

const run = runCli;

interface Row { type: 'call' | 'put'; strike: number; forward: number; discountFactor: number; timeToExpiry: number; midIv: number; markIv: number | null; delta: number; vega: number }

beforeAll(() => {
  if (!existsSync(MAIN)) throw new Error('dist/cli/main.js is missing: run `npm run build` first');
});

describe('riskwasm surface: settlement of the chain', () => {
  it('Cboe: greeks of the discounted USD price at the parity discount factor; the mark IV is Cboe\'s', async () => {
    const r = await run(['surface', SPX, '--json', '--backend', 'js', '--expiry', '2023-12-15']);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    const dfs = new Map<number, number>();
    for (const e of j.surfaces[0].expiries as { timeToExpiry: number; discountFactor: number }[]) {
      // A December SPX expiry at 2023 rates (about 5%) discounts by about 1.5%: a DF of 1 would mean the chain's was ignored.
      expect(e.discountFactor).toBeGreaterThan(0.95);
      expect(e.discountFactor).toBeLessThan(0.995);
      dfs.set(e.timeToExpiry, e.discountFactor);
    }
    const rows = j.surfaces[0].quotes as Row[];
    expect(rows.length).toBeGreaterThan(50);
    for (const q of rows) {
      expect(q.discountFactor).toBe(dfs.get(q.timeToExpiry));
      const s = q.midIv * Math.sqrt(q.timeToExpiry);
      const d1 = Math.log(q.forward / q.strike) / s + s / 2;
      const delta = q.discountFactor * (q.type === 'call' ? normCdf(d1) : normCdf(d1) - 1);
      const vega = q.discountFactor * q.forward * Math.sqrt(q.timeToExpiry) * Math.exp(-0.5 * d1 * d1) / Math.sqrt(2 * Math.PI);
      // 1e-9 absolute: two double-precision Black-76 evaluations with different normal CDFs (both ~1e-15).
      expect(Math.abs(q.delta - delta)).toBeLessThan(1e-9);
      expect(Math.abs(q.vega - vega)).toBeLessThan(1e-9 * Math.max(1, vega));
    }
    const text = await run(['surface', SPX, '--backend', 'js', '--expiry', '2023-12-15']);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).not.toMatch(/coin|Deribit/i);
    expect(text.stdout).toMatch(/discounted at each expiry's discount factor/);
    expect(text.stdout).toMatch(/markIv = the venue's/);
    expect(text.stdout).toMatch(/DF 0\.9\d{4} \(forward from parity\)/);
  });

  it('Deribit (bundled): coin-settled greeks, DF 1, Deribit mark IVs kept', async () => {
    const r = await run(['surface', '--json', '--backend', 'js', '--currency', 'BTC']);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    const rows = j.surfaces[0].quotes as Row[];
    expect(rows.every((q) => q.discountFactor === 1 && typeof q.markIv === 'number')).toBe(true);
    for (const q of rows.slice(0, 40)) {
      const s = q.midIv * Math.sqrt(q.timeToExpiry);
      const d1 = Math.log(q.forward / q.strike) / s + s / 2;
      // Coin settlement: greeks stay those of the undiscounted USD value (black76 settlement 'coin').
      const delta = q.type === 'call' ? normCdf(d1) : normCdf(d1) - 1;
      expect(Math.abs(q.delta - delta)).toBeLessThan(1e-9);
    }
    const text = await run(['surface', '--backend', 'js', '--currency', 'BTC']);
    expect(text.stdout).toMatch(/coin-settled prices/);
  });

  it('calibrate reports each expiry\'s discount factor and forward source', async () => {
    const r = await run(['calibrate', SPX, '--model', 'svi', '--json', '--backend', 'js', '--expiry', '2023-12-15']);
    expect(r.code, r.stderr).toBe(0);
    const e = JSON.parse(r.stdout).fits[0].expiries[0];
    expect(e.forwardSource).toBe('parity');
    expect(e.discountFactor).toBeLessThan(0.995);
  });

  it('format flags reach the reader directly: a flag of another format fails at once naming it', async () => {
    const r = await run(['surface', SPX, '--format', 'cboe', '--price-unit', 'quote']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--price-unit/);
  });
});
