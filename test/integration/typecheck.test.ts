/**
 * Everything type-checks (issue 12 item 5), so CI fails on a type error anywhere, not only in src/:
 * - `tsconfig.json`: src/ as published (NodeNext);
 * - `tsconfig.test.json`: src/ and test/**\/*.ts, strict, resolved as Vite resolves them (bundler);
 * - `tsconfig.bench.json`: bench/*.mjs and the .mjs/.js test fixtures and workers, checkJs (NodeNext).
 * The same three as `npm run typecheck`. Each compiler message is reported as it is, so a failure
 * says what to fix.
 */
import { describe, it, expect } from 'vitest';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');
const CONFIGS = ['tsconfig.json', 'tsconfig.test.json', 'tsconfig.bench.json'];

/** Runs `tsc -p <config> --noEmit` and resolves to its output ('' when clean). */
function tsc(config: string): Promise<string> {
  return new Promise((resolve) => {
    execFile(process.execPath, [TSC, '-p', config, '--noEmit', '--pretty', 'false'], { cwd: ROOT, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      resolve(err ? `${stdout}${stderr}` || String(err) : '');
    });
  });
}

describe('type-check: src, test and bench', () => {
  it('npm run typecheck runs every tsconfig below', () => {
    // Dropping a config from the script (or adding one here only) must fail.
    const script: string = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts.typecheck;
    for (const config of CONFIGS) expect(script, config).toContain(`-p ${config}`);
  });

  it('the test and bench configs cover their folders and stay strict', () => {
    const test = JSON.parse(readFileSync(join(ROOT, 'tsconfig.test.json'), 'utf8'));
    expect(test.include).toEqual(expect.arrayContaining(['src/**/*.ts', 'test/**/*.ts']));
    expect(test.compilerOptions.strict ?? true).toBe(true);
    const bench = JSON.parse(readFileSync(join(ROOT, 'tsconfig.bench.json'), 'utf8'));
    expect(bench.include).toEqual(expect.arrayContaining(['bench/**/*.mjs']));
    expect(bench.compilerOptions.checkJs).toBe(true);
  });

  it.each(CONFIGS)('tsc -p %s --noEmit reports nothing', async (config) => {
    expect(await tsc(config)).toBe('');
  }, 300_000);
});
