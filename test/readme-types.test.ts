/**
 * Issue 11 item 17: the README's code must type-check under `strict` (greeks typed present with
 * `greeks: true`, no possibly-null access). Every ```js block of the README that imports riskwasm
 * is written, with the import pointed at src/, to .readme-typecheck/ and compiled by tsc with the
 * project's strict settings. Node only (it spawns the compiler).
 */
import { describe, expect, it } from 'vitest';

const isNode = typeof process !== 'undefined' && !!process.versions?.node;

describe('README code type-checks under strict', () => {
  it.runIf(isNode)('tsc --noEmit over every README block that imports riskwasm', async () => {
    const { execFile } = await import('node:child_process');
    const { mkdirSync, readFileSync, rmSync, writeFileSync } = await import('node:fs');
    const { fileURLToPath } = await import('node:url');
    const { join } = await import('node:path');
    const root = fileURLToPath(new URL('..', import.meta.url));
    const dir = join(root, '.readme-typecheck');
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir);
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const blocks = [...readme.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]).filter((b) => /from 'riskwasm(\/charts)?'/.test(b));
    expect(blocks.length).toBeGreaterThanOrEqual(2);
    blocks.forEach((b, i) => {
      const code = b.replaceAll("from 'riskwasm/charts'", "from '../src/charts/index.js'").replaceAll("from 'riskwasm'", "from '../src/index.js'");
      writeFileSync(join(dir, `block${i}.ts`), `${code}\nexport {};\n`);
    });
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({
      extends: '../tsconfig.json',
      compilerOptions: { noEmit: true, rootDir: '..', noUnusedLocals: false, noUnusedParameters: false, strict: true },
      include: ['*.ts'],
    }));
    const tsc = join(root, 'node_modules/typescript/bin/tsc');
    const out = await new Promise<string>((resolve) => {
      execFile(process.execPath, [tsc, '-p', join(dir, 'tsconfig.json')], { cwd: root }, (err, stdout, stderr) => resolve(err ? `${stdout}${stderr}` || String(err) : ''));
    });
    rmSync(dir, { recursive: true, force: true });
    expect(out).toBe('');
  }, 120_000);
});
