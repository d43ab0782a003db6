/**
 * A history close that is not a decimal number that fits a double (`0x10`, which Number() reads as
 * 16, `0b1`, `1e999`, which overflows to Infinity) is reported against the `close` column of its
 * file and line, never as a problem with the date column: by parseHistory (the library of the CLI)
 * and by `riskwasm var` (run `npm run build:ts` first for the spawned CLI).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseHistory } from '../../src/cli/risk-input.js';
import { BadInputError } from '../../src/cli/errors.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MAIN = join(ROOT, 'dist/cli/main.js');
const BTC = join(ROOT, 'data/history/BTCUSDT_1d.csv');

function run(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN, ...args], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

const BAD_CLOSES = ['0x10', '0b1', '1e999', '-1e999', 'Infinity', '1_000', ' ', '0'];

describe('history closes are labelled by their column', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'riskwasm-close-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('parseHistory: a malformed close names the file, its line and the field close', () => {
    for (const close of BAD_CLOSES) {
      for (const header of ['timestamp,close', 'date,close', 'timestamp,open,close']) {
        const pad = header.split(',').length === 3 ? '1,' : '';
        const text = `${header}\n2020-01-01,${pad}100\n2020-01-02,${pad}101\n2020-01-03,${pad}${close}\n2020-01-04,${pad}102\n`;
        let caught: unknown;
        try {
          parseHistory(text, 'h.csv');
        } catch (e) {
          caught = e;
        }
        expect(caught, `${header} / ${JSON.stringify(close)}`).toBeInstanceOf(BadInputError);
        const e = caught as BadInputError;
        expect({ file: e.file, line: e.line, field: e.field }, `${header} / ${JSON.stringify(close)}`).toEqual({ file: 'h.csv', line: 4, field: 'close' });
      }
    }
  });

  it('parseHistory: a bad date is still labelled by its date column (the close of that row is fine)', () => {
    let caught: unknown;
    try {
      parseHistory('timestamp,close\n2020-01-01,100\n2020-02-30,101\n', 'h.csv');
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(BadInputError);
    expect((caught as BadInputError).field).toBe('timestamp');
    expect((caught as BadInputError).line).toBe(3);
  });

  it('riskwasm var: a close of 0x10 or 1e999 is exit 2 with file:line: close', async () => {
    if (!existsSync(MAIN)) throw new Error('dist/cli/main.js is missing: run `npm run build:ts` first');
    for (const close of ['0x10', '1e999']) {
      const lines = readFileSync(BTC, 'utf8').split('\n').slice(0, 60);
      const cells = lines[20].split(',');
      const iClose = lines[0].split(',').map((s) => s.trim().toLowerCase()).indexOf('close');
      cells[iClose] = close;
      lines[20] = cells.join(',');
      const hist = join(dir, 'BTCUSDT_1d.csv');
      writeFileSync(hist, lines.join('\n'));
      const r = await run(['var', hist, '--portfolio', 'examples/portfolios/btc-spot.json', '--no-backtest']);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`BTCUSDT_1d\\.csv:21: close: expected a positive close, got "${close}"`));
    }
  });
});
