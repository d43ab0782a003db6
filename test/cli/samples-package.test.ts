/**
 * The bundled samples from an installed copy of the package (issue 11 item 16): `npm pack` lists
 * them, and the README's Margin example, run in a fresh project that installed the tarball (its
 * working directory has no data/), reads its chain through `loadSampleChain` and prints the
 * numbers the README states. Needs dist/ (`npm run build:ts`); Node only.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SAMPLES = [
  'data/market/deribit_options_snapshot_20260105T153329Z.csv',
  'data/market/deribit_options_snapshot_20260415T102447Z.csv',
  'data/history/BTCUSDT_1d.csv',
  'data/history/ETHUSDT_1d.csv',
  'data/history/SOLUSDT_1d.csv',
];

let dir: string;
beforeAll(() => {
  if (!existsSync(join(ROOT, 'dist/index.js'))) throw new Error('dist/ is missing or stale: run `npm run build:ts` first');
  dir = mkdtempSync(join(tmpdir(), 'riskwasm-pack-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('bundled samples in the published package', () => {
  it('npm pack --dry-run lists every sample and the module that finds them', () => {
    const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const files = (JSON.parse(out) as { files: { path: string }[] }[])[0].files.map((f) => f.path);
    // The module that finds them is bundled into dist/index.js (its declarations stay per module).
    for (const f of [...SAMPLES, 'dist/index.js', 'dist/market/samples.d.ts', 'data/README.md']) expect(files, f).toContain(f);
  });

  it("the README's Margin example runs in a project that installed the tarball, with the README's numbers", () => {
    execFileSync('npm', ['pack', '--pack-destination', dir, '--ignore-scripts', '--silent'], { cwd: ROOT, stdio: 'ignore' });
    const pkg = join(dir, 'project/node_modules/riskwasm');
    mkdirSync(pkg, { recursive: true });
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    execFileSync('tar', ['-xzf', join(dir, `riskwasm-${version}.tgz`), '-C', pkg, '--strip-components=1']);
    writeFileSync(join(dir, 'project/package.json'), '{ "type": "module" }\n');
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Margin'));
    const code = /```js\n([\s\S]*?)```/.exec(section)![1];
    expect(code).not.toMatch(/readFileSync\('data\//); // nothing relative to the working directory
    writeFileSync(join(dir, 'project/example.mjs'), `${code}\nconsole.log(JSON.stringify({ im: pm.initialMargin, liq: liq.nearest?.price }));\n`);
    const r = spawnSync(process.execPath, ['example.mjs'], { cwd: join(dir, 'project'), encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const got = JSON.parse(r.stdout.trim().split('\n').pop()!) as { im: number; liq: number };
    // The README prints them to the cent.
    const im = Number(/pm\.initialMargin;\s*\/\/ ([\d.]+)/.exec(code)![1]);
    const liq = Number(/liq\.nearest\?\.price;\s*\/\/ ([\d.]+)/.exec(code)![1]);
    expect(got.im.toFixed(2)).toBe(im.toFixed(2));
    expect(got.liq.toFixed(2)).toBe(liq.toFixed(2));
  });
});
