/**
 * `riskwasm hedge` end to end: spawned as `node dist/cli/main.js` on the bundled sample book and
 * chain; its `--json` figures are compared with direct calls of the built library (dist/) on the
 * same inputs (the same code, so equality is exact up to JSON's round trip of doubles).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAIN, ROOT, runCli } from './run-cli.js';

const CHAIN = join(ROOT, 'data/market/deribit_options_snapshot_20260105T153329Z.csv');
const BOOK = join(ROOT, 'examples/portfolios/hedge-book.json');

const run = runCli;

type Lib = typeof import('../../src/index.js');
let lib: Lib;
let dir: string;
beforeAll(async () => {
  if (!existsSync(MAIN)) throw new Error('dist/cli/main.js is missing: run `npm run build` first');
  lib = (await import(new URL('../../dist/index.js', import.meta.url).href)) as Lib;
  dir = mkdtempSync(join(tmpdir(), 'riskwasm-hedge-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('riskwasm hedge', () => {
  it('greek-neutral hedge of the bundled book: the JSON equals engine.bookGreeks and engine.calibrateHedge on the same inputs', async () => {
    const r = await run(['hedge', '--json', '--backend', 'js']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/bundled example examples\/portfolios\/hedge-book\.json/);
    const j = JSON.parse(r.stdout);
    expect(j.schema).toBe('riskwasm.hedge/1');
    const book = JSON.parse(readFileSync(BOOK, 'utf8'));
    const market = lib.marketFromDeribitChain(lib.loadDeribitChain(readFileSync(CHAIN, 'utf8')));
    const engine = await lib.createEngine({ backend: 'js' });
    const g = engine.bookGreeks(book.positions, market);
    expect(j.book.total.delta).toBe(g.total!.delta);
    expect(j.book.total.vega).toBe(g.total!.vega);
    const c = await engine.calibrateHedge({ book: book.positions, market, instruments: book.instruments, objective: 'greeks', greeks: book.greeks });
    expect(c.ok).toBe(true);
    j.hedge.forEach((h: { quantity: number; rounded: number }, i: number) => {
      expect(h.quantity).toBeCloseTo(c.solution.quantities[i], 9);
      expect(h.rounded).toBeCloseTo(c.rounded.quantities[i], 9);
    });
    // The hedge takes most of the book's delta, gamma and vega away (rounded to lots, inside the bounds).
    for (const k of ['delta', 'gamma', 'vega']) expect(Math.abs(j.hedged.total[k])).toBeLessThan(0.05 * Math.abs(j.book.total[k]));
    expect(j.effectiveness.window).toBe(365);
    expect(j.effectiveness.varianceReduction).toBeGreaterThan(0.5);
    expect(j.initialMargin.after).toBeLessThan(j.initialMargin.before);
  });

  it('--objective margin lowers the IM at least as much as the greek-neutral hedge; --plot writes the greeks chart', async () => {
    const svg = join(dir, 'greeks.svg');
    const m = JSON.parse((await run(['hedge', '--objective', 'margin', '--json', '--quiet', '--backend', 'js'])).stdout);
    const gr = JSON.parse((await run(['hedge', '--json', '--quiet', '--backend', 'js'])).stdout);
    expect(m.solver.method).toBe('highs-lp');
    // Lot rounding moves both a little: compare with 1% slack.
    expect(m.initialMargin.after).toBeLessThanOrEqual(gr.initialMargin.after * 1.01);
    const p = await run(['hedge', '--plot', svg, '--quiet']);
    expect(p.code).toBe(0);
    expect(p.stdout).toMatch(/effectiveness over 365 daily moves/);
    const text = readFileSync(svg, 'utf8');
    expect(text.startsWith('<svg')).toBe(true);
    expect(text).toContain('greeks by expiry');
  });

  it('bad input exits 2 naming the field', async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ positions: [{ instrument: 'BTC-27MAR26-80000-P', size: 1 }], instruments: [{ instrument: 'BTC-PERPETUAL', lotSize: -1 }] }, null, 2));
    const r = await run(['hedge', bad, '--quiet']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/instruments\[0\]\.lotSize/);
    const o = await run(['hedge', '--objective', 'vega']);
    expect(o.code).toBe(2);
    expect(o.stderr).toMatch(/--objective: expected one of greeks, margin/);
  });
});
