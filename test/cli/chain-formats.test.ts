/**
 * `riskwasm surface` and `calibrate` on every chain format, end to end through the built CLI
 * (dist/cli/main.js): a Cboe file by --format and by its layout, a column-mapped CSV, and the
 * errors (file, line, column; flags of another format).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAIN, ROOT, runCli } from './run-cli.js';
import { createEngine, loadCboeChain, type Engine } from '../../src/index.js';
import { black76 } from '../independent-black.js';

const SPX = 'data/market/spx_quotedata_20230820.csv';

const run = runCli;

let dir: string;
let js: Engine;
beforeAll(async () => {
  if (!existsSync(MAIN)) throw new Error('dist/cli/main.js is missing: run `npm run build` first');
  dir = mkdtempSync(join(tmpdir(), 'riskwasm-chains-'));
  js = await createEngine({ backend: 'js' });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('riskwasm surface / calibrate --format', () => {
  it('surface --format cboe: the IVs are engine.buildSurface on the same file; without --format the layout is recognised', async () => {
    const r = await run(['surface', '--format', 'cboe', '--json', '--backend', 'js', '--expiry', '2023-09-15', SPX]);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.surfaces.map((s: { currency: string }) => s.currency)).toEqual(['SPX']);
    const ref = js.buildSurface(loadCboeChain(readFileSync(join(ROOT, SPX), 'utf8')), {});
    const byInstrument = new Map(ref.instruments.map((name, i) => [name, ref.quotes.vols[i]]));
    const quotes = j.surfaces[0].quotes as { instrument: string; midIv: number }[];
    expect(quotes.length).toBeGreaterThan(100);
    for (const q of quotes) expect(q.midIv).toBe(byInstrument.get(q.instrument));
    const sniffed = await run(['surface', '--json', '--backend', 'js', '--expiry', '2023-09-15', SPX]);
    expect(sniffed.code).toBe(0);
    expect(JSON.parse(sniffed.stdout).surfaces[0].quotes).toEqual(quotes);
  });

  it('calibrate --format cboe --model svi fits every expiry', async () => {
    const r = await run(['calibrate', '--format', 'cboe', '--model', 'svi', '--backend', 'js', '--expiry', '2023-10-20,2023-12-15', SPX]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/SVI calibration, SPX/);
    expect(r.stdout).toMatch(/20OCT23/);
    expect(r.stdout).toMatch(/15DEC23/);
  });

  it('--format columns with --columns reads a mapped CSV; errors name the file, line and column or the flag', async () => {
    const file = join(dir, 'quotes.csv');
    const F = 100, T = 0.5;
    const rows = ['Expiry,Strike,CP,Bid,Ask,Fwd'];
    for (let K = 70; K <= 130; K += 5) {
      // Quotes 1% either side of Black-76 at a flat 25% vol (undiscounted, forward 100).
      for (const type of ['call', 'put'] as const) {
        const p = black76(F, K, T, 0.25, type);
        rows.push(`2026-07-01,${K},${type === 'call' ? 'C' : 'P'},${(p * 0.99).toFixed(6)},${(p * 1.01).toFixed(6)},${F}`);
      }
    }
    writeFileSync(file, rows.join('\n'));
    const columns = 'expiry=Expiry,strike=Strike,type=CP,bid=Bid,ask=Ask,forward=Fwd';
    const ok = await run(['surface', file, '--format', 'columns', '--columns', columns, '--valuation-time', '2026-01-01T00:00:00Z', '--json', '--backend', 'js']);
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout).surfaces[0].quotes.length).toBeGreaterThan(8);
    const missing = await run(['surface', file, '--format', 'columns', '--columns', columns.replace('Bid', 'BidPx'), '--valuation-time', '2026-01-01']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/quotes\.csv:1: BidPx/);
    const noColumns = await run(['surface', file, '--format', 'columns']);
    expect(noColumns.code).toBe(2);
    expect(noColumns.stderr).toMatch(/--columns/);
    const wrongFlag = await run(['surface', SPX, '--format', 'cboe', '--columns', columns]);
    expect(wrongFlag.code).toBe(2);
    expect(wrongFlag.stderr).toMatch(/--columns: only with --format columns/);
    const badFormat = await run(['surface', SPX, '--format', 'csv']);
    expect(badFormat.code).toBe(2);
    expect(badFormat.stderr).toMatch(/--format/);
    const lines = readFileSync(join(ROOT, SPX), 'utf8').split('\n');
    const cells = lines[10].split(',');
    cells[11] = '-5'; // the Strike column of line 11
    lines[10] = cells.join(',');
    const bad = join(dir, 'bad-spx.csv');
    writeFileSync(bad, lines.join('\n'));
    const badRow = await run(['surface', bad, '--format', 'cboe']);
    expect(badRow.code).toBe(2);
    expect(badRow.stderr).toMatch(/bad-spx\.csv:11: Strike/);
  });
});
