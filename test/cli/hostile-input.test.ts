/**
 * The CLI on hostile and degenerate files (issue 11 items 8 and 15): every command spawned as
 * `node dist/cli/main.js` (run `npm run build:ts` first). Bad input is exit 2 with one line naming
 * the file, the line and the field; data never reaches Object.prototype; `--csv` is RFC 4180 and
 * safe to open in a spreadsheet; the margin text says what the JSON says.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, loadDeribitChain } from '../../src/index.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MAIN = join(ROOT, 'dist/cli/main.js');
const CHAIN = join(ROOT, 'data/market/deribit_options_snapshot_20260105T153329Z.csv');
const BTC = join(ROOT, 'data/history/BTCUSDT_1d.csv');
const SPOT = join(ROOT, 'examples/portfolios/btc-spot.json');

interface Run { code: number | null; stdout: string; stderr: string }

function run(args: string[], cwd = ROOT): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '', stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** RFC 4180 records of `text` (quoted fields may hold commas, quotes, CR and LF). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [], cell = '', quoted = false, i = 0;
  while (i < text.length) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') { cell += '"'; i += 2; continue; }
      if (ch === '"') { quoted = false; i++; continue; }
      cell += ch; i++; continue;
    }
    if (ch === '"' && cell === '') { quoted = true; i++; continue; }
    if (ch === ',') { row.push(cell); cell = ''; i++; continue; }
    if (ch === '\n') { row.push(cell); rows.push(row); row = []; cell = ''; i++; continue; }
    cell += ch; i++;
  }
  if (cell !== '' || row.length > 0) { row.push(cell); rows.push(row); }
  return rows;
}

let dir: string;
beforeAll(() => {
  if (!existsSync(MAIN)) throw new Error('dist/cli/main.js is missing: run `npm run build:ts` first');
  dir = mkdtempSync(join(tmpdir(), 'riskwasm-hostile-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('numbers in files are decimal (item 8)', () => {
  it('a chain cell 0x10, 0b1 or 1e999: exit 2 naming file:line: column', async () => {
    const text = readFileSync(CHAIN, 'utf8').split('\n');
    const head = text[0].split(',');
    for (const [column, bad] of [['strike', '0x10'], ['underlying', '0b1'], ['bid_price', '1e999'], ['time_to_maturity', '1_000']]) {
      const lines = [...text];
      const cells = lines[5].split(',');
      cells[head.indexOf(column)] = bad;
      lines[5] = cells.join(',');
      const file = join(dir, 'chain.csv');
      writeFileSync(file, lines.join('\n'));
      const r = await run(['surface', 'chain.csv', '--quiet'], dir);
      expect(r.code, bad).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`^riskwasm: error: chain\\.csv:6: ${column}: expected .*, got "${bad}"\\n$`));
    }
  });

  it('a history close of 1e999 or 0x10: exit 2 naming the file, line and column, not scenarios.logReturns[i]', async () => {
    const lines = readFileSync(BTC, 'utf8').split('\n').slice(0, 60);
    const iClose = lines[0].split(',').indexOf('close');
    for (const bad of ['1e999', '0x10', 'Infinity']) {
      const edited = [...lines];
      const cells = edited[19].split(',');
      cells[iClose] = bad;
      edited[19] = cells.join(',');
      writeFileSync(join(dir, 'BTCUSDT_1d.csv'), edited.join('\n'));
      const r = await run(['var', 'BTCUSDT_1d.csv', '--portfolio', SPOT, '--window', '20', '--no-backtest', '--quiet'], dir);
      expect(r.code, bad).toBe(2);
      expect(r.stderr).toBe(`riskwasm: error: BTCUSDT_1d.csv:20: close: expected a positive close, got "${bad}"\n`);
    }
  });

  it('decimal closes whose ratio overflows (1e300 then 1e-300): exit 2 at the file and line of the later close', async () => {
    const lines = readFileSync(BTC, 'utf8').split('\n').slice(0, 60);
    const iClose = lines[0].split(',').indexOf('close');
    const edited = lines.map((l, k) => (k === 19 || k === 20 ? l.split(',').map((c, j) => (j === iClose ? (k === 19 ? '1e300' : '1e-300') : c)).join(',') : l));
    writeFileSync(join(dir, 'BTCUSDT_1d.csv'), edited.join('\n'));
    const r = await run(['var', 'BTCUSDT_1d.csv', '--portfolio', SPOT, '--window', '20', '--no-backtest', '--quiet'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^riskwasm: error: BTCUSDT_1d\.csv:21: close: the log-return of BTC from \d{4}-\d\d-\d\d to \d{4}-\d\d-\d\d is -Infinity/);
    expect(r.stderr).not.toMatch(/scenarios/);
  });
});

describe('data never becomes a key of a plain object (item 15)', () => {
  const account = (collateral: string, positions = '[\n    { "instrument": "BTC-27MAR26-90000-C", "size": -1 }\n  ]') =>
    `{\n  "id": "x",\n  "collateral": { ${collateral} },\n  "positions": ${positions}\n}\n`;

  it('collateral named constructor, __proto__ or toString: exit 2 naming file, line and field (not options.upperFactor)', async () => {
    for (const key of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
      writeFileSync(join(dir, 'acc.json'), account(`"BTC": 1, "${key}": 1`));
      const r = await run(['margin', 'acc.json', '--quiet'], dir);
      expect(r.code, key).toBe(2);
      expect(r.stderr, key).toMatch(new RegExp(`^riskwasm: error: acc\\.json:3: collateral\\.${key}: expected an asset of .* \\(BTC, ETH\\) or a stablecoin`));
    }
  });

  it('an instrument or a position asset named like an Object.prototype member: exit 2 naming the line', async () => {
    writeFileSync(join(dir, 'acc.json'), account('"BTC": 1', '[\n    { "instrument": "toString", "size": -1 }\n  ]'));
    const a = await run(['margin', 'acc.json', '--quiet'], dir);
    expect(a.code).toBe(2);
    expect(a.stderr).toMatch(/^riskwasm: error: acc\.json:5: positions\[0\]\.instrument: unknown instrument "toString"/);
    writeFileSync(join(dir, 'acc.json'), account('"BTC": 1', '[\n    { "kind": "spot", "asset": "constructor", "size": 1 }\n  ]'));
    const b = await run(['margin', 'acc.json', '--quiet'], dir);
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/^riskwasm: error: acc\.json:5: positions\[0\]\.asset: expected an asset of/);
  });

  it('--grid constructor, --standard toString, a portfolio asset constructor: exit 2 with the valid choices', async () => {
    const cases: [string[], RegExp][] = [
      [['margin', '--grid', 'constructor'], /--grid: expected one of deribit, span16, got "constructor"/],
      [['margin', '--standard', 'toString'], /--standard: expected one of deribit, generic, got "toString"/],
    ];
    writeFileSync(join(dir, 'p.json'), '{ "positions": [ { "kind": "spot", "asset": "constructor", "quantity": 1 } ] }');
    cases.push([['var', '--portfolio', join(dir, 'p.json'), '--no-backtest'], /no price history for asset constructor/]);
    for (const [args, message] of cases) {
      const r = await run([...args, '--quiet']);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/internal error|TypeError/);
    }
  });

  it('a 100,000-deep JSON file: exit 2 naming the file (no stack overflow), for margin and var', async () => {
    writeFileSync(join(dir, 'deep.json'), '{ "positions":\n' + '['.repeat(100_000) + ']'.repeat(100_000) + '}');
    for (const args of [['margin', 'deep.json'], ['var', '--portfolio', 'deep.json']]) {
      const r = await run([...args, '--quiet'], dir);
      expect(r.code, args[0]).toBe(2);
      expect(r.stderr, args[0]).toMatch(/^riskwasm: error: deep\.json:2: JSON nested deeper than \d+ levels/);
    }
  });
});

describe('margin text says what the JSON says (item 15)', () => {
  it('an account already below maintenance: no status word where a price belongs, and the JSON\'s reason is printed', async () => {
    writeFileSync(join(dir, 'poor.json'), '{ "id": "poor", "collateral": { "BTC": 0.01 }, "positions": [ { "instrument": "BTC-27MAR26-90000-C", "size": -10 } ] }\n');
    const text = await run(['margin', 'poor.json', '--quiet', '--backend', 'js'], dir);
    const json = await run(['margin', 'poor.json', '--quiet', '--backend', 'js', '--json'], dir);
    expect(text.code).toBe(0);
    const a = JSON.parse(json.stdout).accounts[0];
    const sides = [...a.liquidation.assets, ...a.portfolioLiquidation.assets].flatMap((l: { below: { status: string; reason: string }; above: { status: string; reason: string } }) => [l.below, l.above]);
    expect(sides.length).toBeGreaterThan(0);
    expect(sides.every((s: { status: string }) => s.status === 'belowMaintenance')).toBe(true);
    for (const s of sides) expect(text.stdout).toContain(s.reason);
    expect(text.stdout).not.toMatch(/(below|above) (belowMaintenance|notConverged|invalid|none)\b/);
  });

  it('a found level prints its price; a side with none prints its reason', async () => {
    const json = JSON.parse((await run(['margin', '--json', '--quiet', '--backend', 'js'])).stdout);
    const text = (await run(['margin', '--quiet', '--backend', 'js'])).stdout;
    let found = 0, other = 0;
    for (const a of json.accounts) {
      for (const l of a.liquidation.assets) {
        for (const s of [l.below, l.above]) {
          if (s.status === 'found') {
            found++;
            expect(text).toContain(Math.round(s.price).toLocaleString('en-US'));
          } else {
            other++;
            expect(text).toContain(s.reason);
          }
        }
      }
    }
    expect(found).toBeGreaterThan(0);
    expect(other).toBeGreaterThan(0);
  });
});

describe('--csv output is RFC 4180 and spreadsheet-safe (item 15)', () => {
  it('instrument names with commas, quotes and formula-like starts: same column count on every row, cells quoted or prefixed', async () => {
    const js = await createEngine({ backend: 'js' });
    const text = readFileSync(CHAIN, 'utf8');
    const s = js.buildSurface(loadDeribitChain(text), { currency: 'BTC' });
    const names = ['BTC-27MAR26,"x"', '=1+2', '@SUM(A1)', '+', '-', '\tX', '\rY', '-1', 'a "quoted" name'];
    const lines = text.split('\n');
    const iName = lines[0].split(',').indexOf('instrument_name');
    names.forEach((name, k) => {
      const line = s.lines[k * 7] - 1;
      const cells = lines[line].split(',');
      cells[iName] = `"${name.replace(/"/g, '""')}"`;
      lines[line] = cells.join(',');
    });
    writeFileSync(join(dir, 'chain.csv'), lines.join('\n'));
    const r = await run(['surface', 'chain.csv', '--currency', 'BTC', '--csv', '--quiet', '--backend', 'js'], dir);
    expect(r.code).toBe(0);
    const rows = parseCsv(r.stdout);
    const header = rows[0];
    expect(rows.length - 1).toBe(s.kept);
    for (const row of rows) expect(row).toHaveLength(header.length);
    const got = rows.slice(1).map((row) => row[header.indexOf('instrument')]);
    names.forEach((name, k) => {
      // Formula-like text gets a leading single quote; the rest is the name as written.
      const expected = /^[=+\-@\t\r]/.test(name) ? `'${name}` : name;
      expect(got[k * 7]).toBe(expected);
    });
    // Numbers stay numbers: a negative delta is written as a number, not prefixed.
    const deltas = rows.slice(1).map((row) => row[header.indexOf('delta')]);
    expect(deltas.some((d) => d.startsWith('-') && Number.isFinite(Number(d)))).toBe(true);
  });
});
